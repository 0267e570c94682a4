// The route map's own editing (相談導線マップ): nodes and steps rows of the record, added, moved and
// removed the way RouteMapPanel does it. Pure functions over the record's `fields` (or its rows);
// they change the arrays in place, so that the editor's reactive record and the regular tables
// follow, and the caller then calls `ed.changed()`.
import type { AgencyInfo } from "../bindings/AgencyInfo";
import type { Lang } from "../bindings/Lang";
import { max_lengths, template } from "../generated/routemap.json";
import { pick } from "../lib/i18n";
import { isObj, type Obj } from "./slot";

export const TEMPLATE_ID: string = template;
export const NODES = "nodes";
export const STEPS = "steps";

/** The lengths of the nodes' and steps' sub-fields in the route-map form as Rust loads it
 * (../generated/routemap.json): what the panel cuts to when the template in hand names none. */
export const MAX_LENGTHS: Record<string, number> = { ...max_lengths.nodes, ...max_lengths.steps };

/** The rows of a group (only the objects; a record half-way through an edit may hold anything). */
export function rowsOf(fields: Obj, key: string): Obj[] {
  const v = fields[key];
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** At most `max` characters (code points); a longer text ends in "…" within the limit (Rust's
 * routemap::truncate; ui/tests/rules.test.ts checks the cases it wrote). */
export function truncate(s: string, max: number | null | undefined): string {
  if (typeof max !== "number" || max < 1) return s;
  const chars = [...s];
  if (chars.length <= max) return s;
  return `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * A node id that no node and no step uses: `n<k>` one above the highest `n<number>` in sight.
 * Never a gap left by a removed node, so a step still naming that old node does not silently
 * attach to the new one.
 */
export function nextNodeId(nodes: readonly Obj[], steps: readonly Obj[] = []): string {
  let max = 0;
  const used = new Set<string>();
  const see = (v: unknown): void => {
    if (typeof v !== "string") return;
    const id = v.trim();
    used.add(id);
    const m = /^n(\d+)$/.exec(id);
    if (m) max = Math.max(max, Number(m[1]));
  };
  for (const n of nodes) see(n.node_id);
  for (const s of steps) {
    see(s.from_node);
    see(s.to_node);
  }
  let k = max + 1;
  while (used.has(`n${k}`)) k++;
  return `n${k}`;
}

/** A nodes row for a catalogue agency, in `lang`, its texts cut to the fields' lengths. */
export function agencyNode(
  agency: AgencyInfo,
  lang: Lang,
  id: string,
  maxLength: (key: string) => number | null | undefined = (k) => MAX_LENGTHS[k],
): Obj {
  const row: Obj = {
    node_id: id,
    node_type: agency.key,
    node_name: truncate(pick(agency.label, lang), maxLength("node_name") ?? MAX_LENGTHS.node_name),
  };
  const role = pick(agency.role, lang).trim();
  if (role) row.node_role = truncate(role, maxLength("node_role") ?? MAX_LENGTHS.node_role);
  const elig = pick(agency.eligibility, lang).trim();
  if (elig) row.node_eligibility = truncate(elig, maxLength("node_eligibility") ?? MAX_LENGTHS.node_eligibility);
  return row;
}

/** The array of a group, created when the record has none yet. */
function ensureRows(fields: Obj, key: string): unknown[] {
  const v = fields[key];
  if (Array.isArray(v)) return v;
  fields[key] = [];
  return fields[key] as unknown[];
}

/** Appends a node row; returns its row index. */
export function appendNode(fields: Obj, row: Obj): number {
  const rows = ensureRows(fields, NODES);
  rows.push(row);
  return rows.length - 1;
}

export type NewStep = { from: string; to: string; purpose: string; condition?: string };
export type StepError = "from_missing" | "to_missing" | "same" | "purpose_missing";

/** Why a step cannot be added, or null. Checked in the order the controls come. */
export function stepError(s: NewStep): StepError | null {
  if (!s.from) return "from_missing";
  if (!s.to) return "to_missing";
  if (s.from === s.to) return "same";
  if (!s.purpose.trim()) return "purpose_missing";
  return null;
}

function stepNo(row: Obj): number | null {
  const v = row.step_no;
  return typeof v === "number" && Number.isInteger(v) ? v : null;
}

/** Appends a step numbered after the others (count + 1, or past the highest number if that is
 * taken); returns its step number. The caller has checked it with `stepError`. */
export function appendStep(
  fields: Obj,
  s: NewStep,
  maxLength: (key: string) => number | null | undefined = (k) => MAX_LENGTHS[k],
): number {
  const rows = ensureRows(fields, STEPS);
  const objs = rows.filter(isObj);
  const highest = objs.reduce((m, r) => Math.max(m, stepNo(r) ?? 0), 0);
  const no = Math.max(objs.length, highest) + 1;
  const row: Obj = {
    step_no: no,
    from_node: s.from,
    to_node: s.to,
    purpose: truncate(s.purpose.trim(), maxLength("purpose") ?? MAX_LENGTHS.purpose),
  };
  const cond = (s.condition ?? "").trim();
  if (cond) row.condition = truncate(cond, maxLength("condition") ?? MAX_LENGTHS.condition);
  rows.push(row);
  return no;
}

/** Row indexes in step order: by `step_no` (rows without a whole number last), then as stored —
 * the order the diagram numbers them. */
export function stepOrder(steps: readonly unknown[]): number[] {
  return steps
    .map((r, i) => ({ i, no: isObj(r) ? (stepNo(r) ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.no - b.no || a.i - b.i)
    .map((x) => x.i);
}

/** step_no = 1 … n in array order. */
export function renumber(steps: unknown[]): void {
  steps.forEach((r, i) => {
    if (isObj(r)) r.step_no = i + 1;
  });
}

/** Puts the array in step order (in place) and numbers it 1 … n. */
export function normalizeSteps(steps: unknown[]): void {
  const ordered = stepOrder(steps).map((i) => steps[i]);
  steps.splice(0, steps.length, ...ordered);
  renumber(steps);
}

/**
 * Moves the step at `pos` (its place in step order, from 0) one place earlier (-1) or later (+1).
 * The array ends up in step order, numbered 1 … n. Returns the new place, or null at an end.
 */
export function moveStep(steps: unknown[], pos: number, by: -1 | 1): number | null {
  const to = pos + by;
  if (pos < 0 || pos >= steps.length || to < 0 || to >= steps.length) return null;
  normalizeSteps(steps);
  const [row] = steps.splice(pos, 1);
  steps.splice(to, 0, row);
  renumber(steps);
  return to;
}

/** Removes the step at `pos` (in step order) and numbers the rest 1 … n; returns the row. */
export function deleteStep(steps: unknown[], pos: number): unknown {
  if (pos < 0 || pos >= steps.length) return undefined;
  normalizeSteps(steps);
  const [row] = steps.splice(pos, 1);
  renumber(steps);
  return row;
}

/** Puts a removed step back at `pos` (undo) and numbers the steps 1 … n. */
export function insertStep(steps: unknown[], pos: number, row: unknown): void {
  normalizeSteps(steps);
  steps.splice(Math.max(0, Math.min(pos, steps.length)), 0, row);
  renumber(steps);
}

/** The node named by `id`: its name (or its id when unnamed), or null when no node has that id. */
export function nodeLabel(nodes: readonly Obj[], id: unknown): string | null {
  const want = str(id).trim();
  if (!want) return null;
  const n = nodes.find((x) => str(x.node_id).trim() === want);
  if (!n) return null;
  return str(n.node_name).trim() || want;
}

/** Nodes that steps can name (a non-blank id, first of each id), for the from/to selects. */
export function nodeChoices(nodes: readonly Obj[]): { id: string; name: string }[] {
  const out: { id: string; name: string }[] = [];
  for (const n of nodes) {
    const id = str(n.node_id).trim();
    if (!id || out.some((o) => o.id === id)) continue;
    out.push({ id, name: str(n.node_name).trim() });
  }
  return out;
}

export type StepItem = {
  /** Place in step order (0-based), what the move/delete functions take. */
  pos: number;
  /** The row object itself (a stable key for keyed lists). */
  row: Obj;
  /** step_no as stored (null when not a whole number). */
  no: number | null;
  from: string;
  to: string;
  /** Node names, or null when the id names no node. */
  fromName: string | null;
  toName: string | null;
  purpose: string;
  condition: string;
};

/** The steps as the list shows them, in step order. */
export function stepItems(fields: Obj): StepItem[] {
  const v = fields[STEPS];
  const steps = Array.isArray(v) ? v : [];
  const nodes = rowsOf(fields, NODES);
  const out: StepItem[] = [];
  stepOrder(steps).forEach((i, pos) => {
    const row = steps[i];
    if (!isObj(row)) return;
    out.push({
      pos,
      row,
      no: stepNo(row),
      from: str(row.from_node),
      to: str(row.to_node),
      fromName: nodeLabel(nodes, row.from_node),
      toName: nodeLabel(nodes, row.to_node),
      purpose: str(row.purpose),
      condition: str(row.condition),
    });
  });
  return out;
}

/** The width and height a standalone SVG document declares on its root (user units), or null. */
export function svgSize(svg: string): { width: number; height: number } | null {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0];
  if (!root) return null;
  const w = /\swidth="([\d.]+)"/.exec(root)?.[1];
  const h = /\sheight="([\d.]+)"/.exec(root)?.[1];
  const width = Number(w);
  const height = Number(h);
  return width > 0 && height > 0 ? { width, height } : null;
}
