// Field paths. Rust names a place in a record as `participants[2].name` (row index from 0); the UI
// writes the same place as `participants.2.name`, which is also what element ids and data-testids use
// (`f-participants.2.name`, `field-participants.2.name`, `error-participants.2.name`).
import type { Field, Template } from "./template";
import { isObjectType, isRangeType } from "./template";

/** `participants[2].name` → `participants.2.name` (already-dotted paths pass through). */
export function normPath(path: string): string {
  return path.replace(/\[(\d+)\]/g, ".$1").replace(/^\./, "");
}

/** `participants.2.name` → `participants.name`: the row-free key that Check.required lists. */
export function rowFree(path: string): string {
  return path
    .split(".")
    .filter((s) => !/^\d+$/.test(s))
    .join(".");
}

/** `participants.2.name` → `participants[2].name`: Rust's spelling. */
export function rustPath(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, "[$1]");
}

export function join(prefix: string, key: string | number): string {
  return prefix === "" ? String(key) : `${prefix}.${key}`;
}

/** The id of the element that holds a field's control (or its group of controls). */
export function controlId(path: string): string {
  return `f-${path}`;
}

export function errorId(path: string): string {
  return `e-${path}`;
}

export function helpId(path: string): string {
  return `h-${path}`;
}

/** Is `path` required now? Check.required names top-level keys and row-free `group.sub` keys;
 * a per-row spelling (`consents[1].recorded_by`) is honoured too if Rust sends it. */
export function isRequired(required: ReadonlySet<string>, path: string): boolean {
  return required.has(path) || required.has(rustPath(path)) || required.has(rowFree(path));
}

function findField(fields: readonly Field[] | undefined, key: string | undefined): Field | undefined {
  return key === undefined ? undefined : fields?.find((f) => f.key === key);
}

function resolveIn(fields: readonly Field[] | undefined, segs: string[], prefix: string): string | null {
  const f = findField(fields, segs[0]);
  if (!f) return null;
  const p = join(prefix, f.key);
  const rest = segs.slice(1);
  if (rest.length === 0) return p;
  if (f.type === "group") {
    const idx = rest[0];
    if (idx === undefined || !/^\d+$/.test(idx)) return p;
    const row = join(p, idx);
    if (rest.length === 1) return row;
    return resolveIn(f.fields, rest.slice(1), row) ?? row;
  }
  if (isObjectType(f.type)) return resolveIn(f.fields, rest, p) ?? p;
  if (isRangeType(f.type) && (rest[0] === "start" || rest[0] === "end")) return join(p, rest[0]);
  // A multi's `legal_basis[1]` and anything deeper belong to the field itself.
  return p;
}

/**
 * The rendered place (dotted path of an element the editor draws) nearest to a problem's path, or
 * null when the path names no field of the form (e.g. an unknown key: shown in the summary only).
 */
export function resolveProblemPath(template: Template, problemPath: string): string | null {
  const segs = normPath(problemPath).split(".").filter((s) => s !== "");
  const top = template.sections.flatMap((s) => s.fields);
  return resolveIn(top, segs, "");
}
