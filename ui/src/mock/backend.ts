// An in-memory stand-in for the Rust commands, for `npm run dev:mock` (working on the UI in a plain
// browser) and for screenshots. It is NOT the contract: the Rust side is. It loads the real form
// definitions from ../templates and mimics only enough of the store and the checks to exercise the
// screens. Every person and organisation in it is fictional.
import type { AppStatus } from "../bindings/AppStatus";
import type { CaseFilter } from "../bindings/CaseFilter";
import type { CaseSummary } from "../bindings/CaseSummary";
import type { CaseView } from "../bindings/CaseView";
import type { Check } from "../bindings/Check";
import type { Consent } from "../bindings/Consent";
import type { ConsentRow } from "../bindings/ConsentRow";
import type { ConsentState } from "../bindings/ConsentState";
import type { Disclosure } from "../bindings/Disclosure";
import type { DisclosureField } from "../bindings/DisclosureField";
import type { DisclosurePreview } from "../bindings/DisclosurePreview";
import type { DocStatus } from "../bindings/DocStatus";
import type { Editing } from "../bindings/Editing";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ExportPreview } from "../bindings/ExportPreview";
import type { ExportRequest } from "../bindings/ExportRequest";
import type { IpcError } from "../bindings/IpcError";
import type { NewCase } from "../bindings/NewCase";
import type { NewConsent } from "../bindings/NewConsent";
import type { Problem } from "../bindings/Problem";
import type { RecordJson } from "../bindings/RecordJson";
import type { RevisionInfo } from "../bindings/RevisionInfo";
import type { RouteDiagram } from "../bindings/RouteDiagram";
import type { RouteMapCatalogue } from "../bindings/RouteMapCatalogue";
import type { SaveResult } from "../bindings/SaveResult";
import type { Settings } from "../bindings/Settings";
import type { Strength } from "../bindings/Strength";
import type { TemplateInfo } from "../bindings/TemplateInfo";
import type { Text } from "../bindings/Text";
import type { Condition, Field, Template } from "../lib/template";

const raw = import.meta.glob("../../../templates/*.json", { eager: true, import: "default" }) as Record<string, unknown>;

function rawFile(name: string): unknown {
  const key = Object.keys(raw).find((k) => k.endsWith(`/${name}.json`));
  return key ? raw[key] : undefined;
}

export const MOCK_PASSPHRASE = "sakura-no-hana-saku-koro";

// ---- templates: the loader's expansions ---------------------------------------------------------

const tx = (ja: string, en: string): Text => ({ ja, en });

const SIGNATURE_FIELDS: Field[] = [
  { key: "name", type: "text", label: tx("氏名", "Name"), required: true },
  { key: "date", type: "date", label: tx("日付", "Date"), required: true },
  { key: "confirmed", type: "checkbox", label: tx("内容を確認しました", "Confirmed"), required: true },
];

const CONSENT_FIELDS: Field[] = [
  { key: "recipient", type: "text", label: tx("提供先(機関・立場)", "Recipient (organisation, role)"), required: true },
  { key: "purpose", type: "text", label: tx("利用目的", "Purpose"), required: true },
  { key: "items", type: "long_text", label: tx("提供する情報の範囲", "Information covered"), max_length: 2000 },
  { key: "date", type: "date", label: tx("同意日", "Date of consent"), required: true },
  {
    key: "method",
    type: "choice",
    label: tx("同意の方法", "Method"),
    required: true,
    options: [
      { key: "signature", label: tx("署名", "Signature") },
      { key: "name", label: tx("記名", "Written name") },
      { key: "electronic", label: tx("電子", "Electronic") },
      { key: "oral", label: tx("口頭(記録者あり)", "Oral (with recorder)") },
    ],
  },
  { key: "recorded_by", type: "text", label: tx("記録者", "Recorded by"), required: { field: "method", equals: "oral" } },
  { key: "expires", type: "date", label: tx("有効期限", "Expires on") },
  { key: "withdrawn", type: "date", label: tx("撤回日", "Withdrawn on") },
];

function expand(t: Template): Template {
  const agencies = ((rawFile("agencies") as { agencies?: { key: string; label: Text }[] })?.agencies ?? []).map((a) => ({
    key: a.key,
    label: a.label,
  }));
  const top = t.sections.flatMap((s) => s.fields);
  const fix = (f: Field): Field => {
    const out: Field = { ...f };
    if (out.type === "signature") out.fields = SIGNATURE_FIELDS;
    if (out.type === "consent" || out.row === "consent") out.fields = CONSENT_FIELDS;
    if (out.options_from === "agencies") out.options = agencies;
    else if (out.options_from) {
      const src = top.find((x) => x.key === out.options_from);
      out.options = src?.options ?? [];
      if (src?.option_groups) out.option_groups = src.option_groups;
    }
    if (out.fields) out.fields = out.fields.map(fix);
    return out;
  };
  return { ...t, sections: t.sections.map((s) => ({ ...s, fields: s.fields.map(fix) })) };
}

const TEMPLATES: Template[] = ["dialogue-record", "work-consideration", "route-map"]
  .map((id) => rawFile(id) as Template | undefined)
  .filter((t): t is Template => !!t)
  .map(expand);

function template(id: string): Template {
  const t = TEMPLATES.find((x) => x.id === id);
  if (!t) throw err("template.unknown", `様式「${id}」はありません`, `no form ${id}`);
  return t;
}

// ---- checks ---------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function present(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (typeof v === "string") return v.trim() !== "";
  if (Array.isArray(v)) return v.length > 0;
  if (isObj(v)) return Object.values(v).some(present);
  return true;
}

function valuesAt(root: Obj, path: string, row: Obj | null): unknown[] {
  const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  if (row && path in row) return flat(row[path]);
  const [g, sub] = path.split(".");
  if (g !== undefined && sub !== undefined) {
    const rows = root[g];
    return Array.isArray(rows) ? rows.flatMap((r) => (isObj(r) ? flat(r[sub]) : [])) : [];
  }
  return flat(root[path]);
}

function holds(c: Condition, root: Obj, row: Obj | null): boolean {
  if (c.all) return c.all.every((x) => holds(x, root, row));
  if (c.any) return c.any.some((x) => holds(x, root, row));
  if (c.not) return !holds(c.not, root, row);
  if (!c.field) return false;
  const vals = valuesAt(root, c.field, row).filter(present);
  if (c.present !== undefined) return c.present === vals.length > 0;
  if (c.equals !== undefined) return vals.some((v) => v === c.equals);
  const inList = c.in as unknown[] | null | undefined;
  const notIn = c.not_in as unknown[] | null | undefined;
  if (inList) return vals.some((v) => inList.includes(v));
  if (notIn) return vals.length > 0 && !vals.some((v) => notIn.includes(v));
  return false;
}

function isRequired(f: Field, root: Obj, row: Obj | null): boolean {
  if (f.auto) return false;
  if (f.required === true) return true;
  if (typeof f.required === "object" && f.required) return holds(f.required, root, row);
  return false;
}

function problem(path: string, code: string, f: Field, ja: string, en: string): Problem {
  return { path, code, ja: `「${f.label.ja}」${ja}`, en: `${f.label.en} ${en}` };
}

function checkValue(f: Field, v: unknown, path: string, out: Problem[]): void {
  if (v === undefined || v === null) return;
  switch (f.type) {
    case "number":
      if (typeof v !== "number") out.push(problem(path, "wrong_type", f, "は数値で入力してください", "must be a number"));
      else if (f.integer && !Number.isInteger(v)) out.push(problem(path, "not_integer", f, "は整数で入力してください", "must be a whole number"));
      else if ((typeof f.min === "number" && v < f.min) || (typeof f.max === "number" && v > f.max))
        out.push(problem(path, "out_of_range", f, `は ${f.min ?? ""}〜${f.max ?? ""} の範囲で入力してください`, `must be between ${f.min ?? ""} and ${f.max ?? ""}`));
      break;
    case "date":
      if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v))
        out.push(problem(path, "invalid_date", f, "は日付(YYYY-MM-DD)で入力してください", "must be a date YYYY-MM-DD"));
      break;
    case "text":
    case "long_text": {
      const max = f.max_length ?? (f.type === "long_text" ? 20000 : 200);
      if (typeof v === "string" && [...v].length > max)
        out.push(problem(path, "too_long", f, `は${max}文字以内にしてください`, `must be at most ${max} characters`));
      break;
    }
    case "date_range":
    case "time_range":
      if (isObj(v) && typeof v.start === "string" && typeof v.end === "string" && v.end < v.start)
        out.push(problem(`${path}.end`, "bad_range", f, "の終了が開始より前です", "ends before it starts"));
      break;
    default:
      break;
  }
}

function checkFields(fields: Field[], obj: Obj, root: Obj, row: Obj | null, prefix: string, final: boolean, applies: boolean, out: Problem[], required: Set<string>, reqPrefix: string): void {
  for (const f of fields) {
    const path = prefix ? `${prefix}.${f.key}` : f.key;
    const reqKey = reqPrefix ? `${reqPrefix}.${f.key}` : f.key;
    const v = obj[f.key];
    const req = applies && isRequired(f, root, row);
    if (req) required.add(reqKey);
    checkValue(f, v, path, out);
    if (final && req) {
      if (f.type === "checkbox" && v === false) out.push(problem(path, "must_be_ticked", f, "にチェックが必要です", "must be ticked"));
      else if (!present(v) && !(f.type === "multi" && f.allow_empty && Array.isArray(v)))
        out.push(problem(path, "required", f, "は必須です", "is required"));
    }
    if ((f.type === "compound" || f.type === "signature" || f.type === "consent") && f.fields) {
      const sub = isObj(v) ? v : {};
      checkFields(f.fields, sub, root, sub, path, final, applies && (req || present(v)), out, required, reqKey);
    }
    if (f.type === "group" && f.fields && Array.isArray(v)) {
      v.forEach((r, i) => {
        if (isObj(r)) checkFields(f.fields!, r, root, r, `${f.key}[${i}]`, final, applies, out, required, reqKey);
      });
    }
  }
}

function check(record: RecordJson, final: boolean): Check {
  const t = template(record.template);
  const out: Problem[] = [];
  const required = new Set<string>();
  const root = record.fields;
  const known = new Set(t.sections.flatMap((s) => s.fields.map((f) => f.key)));
  for (const k of Object.keys(root)) {
    if (!known.has(k)) out.push({ path: k, code: "unknown_field", ja: `「${k}」という項目はありません`, en: `no field ${k}` });
  }
  for (const s of t.sections) {
    const applies =
      (!s.applies_when || holds(s.applies_when, root, null)) && (!s.optional || s.fields.some((f) => present(root[f.key])));
    checkFields(s.fields, root, root, null, "", final, applies, out, required, "");
  }
  return { problems: out, required: [...required], hidden: [] };
}

// ---- route map: the catalogue, a map from a standard route, a placeholder diagram ---------------

type RawAgency = { key: string; label: Text; role: Text; eligibility: Text };
type RawRouteStep = { from: string; to: string; purpose: Text; condition?: Text; documents?: string[] };
type RawRoute = { key: string; code: string; title: Text; summary: Text; scenario: string; prefill?: Obj; steps: RawRouteStep[] };

const AGENCIES = rawFile("agencies") as { as_of: string; agencies: RawAgency[] } | undefined;
const ROUTES = (rawFile("routes") as { routes: RawRoute[] } | undefined)?.routes ?? [];

function catalogue(): RouteMapCatalogue {
  return {
    routes: ROUTES.map((r) => ({ code: r.code, title: r.title, summary: r.summary, steps: r.steps.length })),
    agencies: (AGENCIES?.agencies ?? []).map((a) => ({ key: a.key, label: a.label, role: a.role, eligibility: a.eligibility })),
    as_of: AGENCIES?.as_of ?? "",
  };
}

function cut(s: string, max: number): string {
  const c = [...s];
  return c.length > max ? `${c.slice(0, max - 1).join("")}…` : s;
}

/** What `document_create` with a route gives (src/routemap/mod.rs from_route, in short). */
function fromRoute(code: string, region: string | null, lang: "ja" | "en", id: string): RecordJson {
  const r = ROUTES.find((x) => x.code.toLowerCase() === code.toLowerCase() || x.key === code.toLowerCase());
  if (!r) throw err("routemap.unknown_route", `標準ルート「${code}」はありません`, `there is no standard route ${code}`);
  const regionField = template("route-map")
    .sections.flatMap((s) => s.fields)
    .find((f) => f.key === "region");
  const reg = region ?? "national";
  const regionKey = regionField?.options?.find((o) => o.key === reg || o.label.ja === reg || o.label.en === reg)?.key;
  if (!regionKey) throw err("routemap.unknown_region", `地域「${reg}」はありません`, `there is no region ${reg}`);
  const ids: string[] = [];
  for (const s of r.steps) for (const k of [s.from, s.to]) if (!ids.includes(k)) ids.push(k);
  const nodeId = (k: string): string => `n${ids.indexOf(k) + 1}`;
  const pickT = (x: Text): string => (lang === "en" && x.en ? x.en : x.ja);
  const nodes = ids
    .map((k) => AGENCIES?.agencies.find((a) => a.key === k))
    .filter((a): a is RawAgency => !!a)
    .map((a) => ({
      node_id: nodeId(a.key),
      node_type: a.key,
      node_name: cut(pickT(a.label), 100),
      node_role: cut(pickT(a.role), 1000),
      node_eligibility: cut(pickT(a.eligibility), 200),
    }));
  const steps = r.steps.map((s, i) => {
    const row: Obj = { step_no: i + 1, from_node: nodeId(s.from), to_node: nodeId(s.to), purpose: cut(pickT(s.purpose), 2000) };
    if (s.condition) row.condition = cut(pickT(s.condition), 200);
    if (s.documents?.length) row.documents = s.documents;
    return row;
  });
  const rec = emptyRecord("route-map", id);
  rec.fields = {
    map_title: `${r.code} ${pickT(r.title)}`,
    scenario: r.scenario,
    region: regionKey,
    as_of: AGENCIES?.as_of ?? "",
    personal: false,
    ...((r.prefill ?? {}) as RecordJson["fields"]),
    nodes,
    steps,
  } as RecordJson["fields"];
  return rec;
}

function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Only the mock: the node names as boxes on a grid, the drawable steps as numbered straight lines. */
function diagram(record: RecordJson, title: string): RouteDiagram {
  const rows = (k: string): Obj[] => {
    const v: unknown = record.fields?.[k];
    return Array.isArray(v) ? (v as unknown[]).filter(isObj) : [];
  };
  const nodes: { id: string; name: string }[] = [];
  for (const n of rows("nodes")) {
    const id = typeof n.node_id === "string" ? n.node_id.trim() : "";
    if (id && !nodes.some((x) => x.id === id)) nodes.push({ id, name: typeof n.node_name === "string" ? n.node_name : "" });
  }
  if (nodes.length === 0) return { svg: null, nodes: 0, steps_drawn: 0 };
  const COLS = 3;
  const W = 150;
  const H = 40;
  const GX = 40;
  const GY = 36;
  const at = (i: number): { x: number; y: number } => ({ x: (i % COLS) * (W + GX), y: Math.floor(i / COLS) * (H + GY) });
  const steps = rows("steps")
    .map((s, i) => ({ i, no: typeof s.step_no === "number" ? s.step_no : Infinity, from: String(s.from_node ?? ""), to: String(s.to_node ?? "") }))
    .filter((s) => s.from !== s.to && nodes.some((n) => n.id === s.from) && nodes.some((n) => n.id === s.to))
    .sort((a, b) => a.no - b.no || a.i - b.i);
  const width = Math.min(nodes.length, COLS) * (W + GX) - GX + 16;
  const height = Math.ceil(nodes.length / COLS) * (H + GY) - GY + 16;
  let body = "";
  for (const s of steps) {
    const a = at(nodes.findIndex((n) => n.id === s.from));
    const b = at(nodes.findIndex((n) => n.id === s.to));
    const [x1, y1, x2, y2] = [a.x + W / 2, a.y + H / 2, b.x + W / 2, b.y + H / 2];
    body += `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#555" stroke-width="0.9"/>`;
    body += `<circle cx="${(x1 + x2) / 2}" cy="${(y1 + y2) / 2}" r="7" fill="#fff" stroke="#000" stroke-width="0.8"/>`;
    body += `<text x="${(x1 + x2) / 2}" y="${(y1 + y2) / 2 + 2.6}" font-size="7.5" font-weight="bold" text-anchor="middle">${Number.isFinite(s.no) ? s.no : "?"}</text>`;
  }
  nodes.forEach((n, i) => {
    const p = at(i);
    const name = [...(n.name || n.id)];
    const text = name.length > 16 ? `${name.slice(0, 15).join("")}…` : name.join("");
    body += `<g data-node="${xml(n.id)}"><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="3" fill="#f2f2f2" stroke="#000" stroke-width="0.9"/>`;
    body += `<text x="${p.x + W / 2}" y="${p.y + H / 2 + 3}" font-size="9" font-weight="bold" text-anchor="middle">${xml(text)}</text></g>`;
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-8 -8 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${xml(title)}" ` +
    `font-family="'BIZ UDGothic','Noto Sans CJK JP',sans-serif">${body}</svg>`;
  return { svg, nodes: nodes.length, steps_drawn: steps.length };
}

// ---- store -------------------------------------------------------------------------------------

type Doc = {
  id: string;
  case_id: string;
  template: string;
  status: DocStatus;
  revisions: (RevisionInfo & { record: RecordJson })[];
  working: RecordJson | null;
  updated_at: string;
};

type CaseRow = { id: string; display_name: string; pseudonym: string | null; employer: string | null; status: "open" | "closed"; updated_at: string };

let settings: Settings = { lang: "ja", era: "seireki", idle_lock_minutes: 10, backup_dir: null };
let mockBackupAt: string | null = null;
let retentionYears = 5;
let dbExists = !new URLSearchParams(location.search).has("fresh");
let unlocked = new URLSearchParams(location.search).has("unlocked");
let passphrase = MOCK_PASSPHRASE;
const cases: CaseRow[] = [];
const docs: Doc[] = [];
const consents: Consent[] = [];
const disclosures: Disclosure[] = [];
let counter = 0;

function uuid(): string {
  counter++;
  return `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`;
}

function now(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString();
}

function day(offsetDays: number): string {
  return now(offsetDays).slice(0, 10);
}

function err(code: ErrorCode, ja: string, en: string, field: string | null = null): IpcError {
  return { code, ja, en, field, field_message: null };
}

async function sha(text: string): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function emptyRecord(templateId: string, id: string): RecordJson {
  const t = template(templateId);
  return { format: "taiwa.document/1", template: t.id, template_version: t.version, status: "draft", lang: settings.lang, id, fields: {} };
}

function displayOf(d: Doc): string {
  const rec = d.working ?? d.revisions.at(-1)?.record;
  const t = template(d.template);
  for (const p of t.display_fields ?? []) {
    let v: unknown = rec?.fields;
    for (const seg of p.split(".")) v = isObj(v) ? v[seg] : undefined;
    if (typeof v === "string" && v.trim()) return v.trim();
  }
  return t.title.ja;
}

function caseSummary(c: CaseRow): CaseSummary {
  const mine = docs.filter((d) => d.case_id === c.id);
  const reviews = mine
    .map((d) => (d.working ?? d.revisions.at(-1)?.record)?.fields.next_review_date)
    .filter((v): v is string => typeof v === "string")
    .sort();
  return {
    ...c,
    documents: mine.length,
    templates: [...new Set(mine.map((d) => d.template))],
    next_review: reviews[0] ?? null,
  };
}

function fold(s: string): string {
  return s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u30a1-\u30f6]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60));
}

async function addRevision(d: Doc, record: RecordJson, status: DocStatus): Promise<RevisionInfo & { record: RecordJson }> {
  const prev = d.revisions.at(-1) ?? null;
  const rec = { ...structuredClone(record), status };
  const text = JSON.stringify(rec.fields);
  const rev = {
    seq: (prev?.seq ?? 0) + 1,
    status,
    sha256: await sha(`${prev?.sha256 ?? ""}${text}`),
    prev_sha256: prev?.sha256 ?? null,
    created_at: now(),
    record: rec,
  };
  d.revisions.push(rev);
  d.status = status;
  d.working = null;
  d.updated_at = rev.created_at;
  return rev;
}

async function seed(): Promise<void> {
  const a: CaseRow = { id: uuid(), display_name: "山本 さくら", pseudonym: "RA-2026-0001", employer: "みどり食品株式会社", status: "open", updated_at: now(-2) };
  const b: CaseRow = { id: uuid(), display_name: "伊藤 健", pseudonym: "RA-2026-0002", employer: "ひかり物流株式会社", status: "open", updated_at: now(-10) };
  const c: CaseRow = { id: uuid(), display_name: "ｶﾄｳ ﾐﾅﾐ", pseudonym: null, employer: null, status: "closed", updated_at: now(-90) };
  cases.push(a, b, c);

  const d1: Doc = { id: uuid(), case_id: a.id, template: "dialogue-record", status: "draft", revisions: [], working: null, updated_at: now(-2) };
  const r1 = emptyRecord("dialogue-record", d1.id);
  r1.fields = {
    session_date: day(-20),
    session_mode: "in_person",
    dialogue_stage: "request_after_hiring",
    legal_basis: ["disability_employment_act"],
    recorder: { name: "小林 直子", organization: "みどり食品株式会社 人事部", role: "人事担当" },
    participants: [
      { name: "山本 さくら", role: "person", attendance: "in_person" },
      { name: "小林 直子", role: "hr", organization: "人事部", attendance: "in_person" },
    ],
    person_name: "山本 さくら",
    employment_status: "employed",
    employer_name: "みどり食品株式会社",
    next_review_date: day(21),
    diagnosis_disclosure: "oh_staff_only",
    diagnosis_name: "(架空)片頭痛",
    functional_notes: "午後に頭痛が強くなることがある。強い光で悪化する。",
    barriers: [{ scene: "work_environment", description: "照明がまぶしく、画面作業が続けにくい", self_coping: "休憩時に目を閉じて休む" }],
  };
  docs.push(d1);
  await addRevision(d1, r1, "draft");
  const r1b = structuredClone(r1);
  r1b.fields.department = "品質管理課";
  await addRevision(d1, r1b, "final");
  // The consent ledger of d1: one valid for parts of the record, one expired, one withdrawn.
  const seedConsent = (c: Partial<Consent> & Pick<Consent, "recipient" | "purpose" | "given_on">): Consent => ({
    id: uuid(),
    case_id: a.id,
    document_id: d1.id,
    role: null,
    sections: null,
    method: "signature",
    recorded_by: null,
    expires_on: null,
    withdrawn_on: null,
    given_at_seq: 2,
    created_at: now(-15),
    ...c,
  });
  consents.push(
    seedConsent({ recipient: "みどり食品株式会社 人事部 小林", role: "hr", purpose: "配置と業務内容の検討のため", sections: ["meta", "agreement"], given_on: day(-15), expires_on: day(180) }),
    seedConsent({ recipient: "みどり食品株式会社 産業医 中村", role: "occupational_health_staff", purpose: "就業上の配慮についての意見のため", given_on: day(-120), expires_on: day(-30), created_at: now(-120) }),
    seedConsent({ recipient: "ハローワーク みなと 専門援助部門", role: "support_agency", purpose: "職場定着支援のため", method: "oral", recorded_by: "佐藤 一郎", given_on: day(-60), withdrawn_on: day(-5), created_at: now(-60) }),
  );
  disclosures.push({
    id: uuid(),
    case_id: a.id,
    document_id: d1.id,
    template: d1.template,
    title: displayOf(d1),
    revision_seq: 2,
    revision_sha256: d1.revisions.at(-1)?.sha256 ?? null,
    recipient: null,
    consents: [],
    parts: null,
    withheld: [],
    file_sha256: await sha("seed-own-copy"),
    kind: "export",
    format: "pdf",
    purpose: "person_copy",
    created_at: now(-3),
  });

  const d2: Doc = { id: uuid(), case_id: a.id, template: "work-consideration", status: "draft", revisions: [], working: null, updated_at: now(-1) };
  const r2 = emptyRecord("work-consideration", d2.id);
  r2.fields = { direction: "work_info", wi_name: "山本 さくら" };
  docs.push(d2);
  await addRevision(d2, r2, "draft");

  const d3: Doc = { id: uuid(), case_id: b.id, template: "route-map", status: "draft", revisions: [], working: null, updated_at: now(-10) };
  docs.push(d3);
  // A map started from the standard route R3 (as document_create with route "R3" makes it).
  d3.working = fromRoute("R3", "miyagi", "ja", d3.id);
  d3.working.fields.map_title = "伊藤さんの相談先";
}

const ready = seed();

// ---- commands ------------------------------------------------------------------------------------

let idleTimer: ReturnType<typeof setTimeout> | undefined;
let onIdleLock: () => void = () => {};

export function setIdleLockHandler(h: () => void): void {
  onIdleLock = h;
}

function touch(): void {
  clearTimeout(idleTimer);
  const minutes = Number(new URLSearchParams(location.search).get("idle") ?? settings.idle_lock_minutes);
  if (!unlocked || !(minutes > 0)) return;
  idleTimer = setTimeout(() => {
    unlocked = false;
    onIdleLock();
  }, minutes * 60_000);
}

function status(): AppStatus {
  return { version: "0.1.0-mock", db_path: "/home/user/.local/share/taiwa/taiwa.db", db_exists: dbExists, unlocked, settings };
}

function needUnlocked(): void {
  if (!unlocked) throw err("session.locked", "ロックされています", "The session is locked");
}

function doc(id: string): Doc {
  const d = docs.find((x) => x.id === id);
  if (!d) throw err("store.document_not_found", "文書が見つかりません", "Document not found");
  return d;
}

function editing(d: Doc): Editing {
  const head = d.revisions.at(-1);
  const record = structuredClone(d.working ?? head?.record ?? emptyRecord(d.template, d.id));
  return {
    id: d.id,
    case_id: d.case_id,
    template: d.template,
    record,
    head_seq: head?.seq ?? 0,
    restored_autosave: d.working !== null && head !== undefined,
    check: check(record, false),
    template_version: record.template_version,
    migrated_from: null,
    left_behind: [],
  };
}

function previewValue(f: Field, v: unknown, t: Template): string {
  if (typeof v === "string") {
    const o = f.options?.find((x) => x.key === v);
    return o ? o.label.ja : v;
  }
  if (typeof v === "boolean") return v ? "✔" : "";
  if (typeof v === "number") return String(v);
  if (Array.isArray(v))
    return v
      .map((x) => (isObj(x) ? Object.values(x).filter((y) => typeof y === "string").join(" / ") : previewValue(f, x, t)))
      .join("\n");
  if (isObj(v)) return Object.entries(v).map(([k, x]) => `${k}: ${String(x)}`).join("\n");
  return "";
}

function preview(req: ExportRequest): ExportPreview {
  const d = doc(req.id);
  const t = template(d.template);
  const rec = d.revisions.at(-1)?.record ?? emptyRecord(d.template, d.id);
  const parts: { key: string; title: Text }[] = [];
  for (const s of t.sections) if (s.part && !parts.some((p) => p.key === s.part)) parts.push({ key: s.part, title: s.title });
  const sections = t.sections
    .filter((s) => !s.part || req.parts === null || req.parts.includes(s.part))
    .map((s) => ({
      key: s.key,
      title: s.title,
      fields: s.fields
        .filter((f) => present(rec.fields[f.key]))
        .map((f) => ({ path: f.key, label: f.label, sensitive: !!f.sensitive, value: previewValue(f, rec.fields[f.key], t) })),
    }));
  return {
    title: { ja: `${t.title.ja} — ${displayOf(d)}`, en: `${t.title.en} — ${displayOf(d)}` },
    sensitive: sections.some((s) => s.fields.some((f) => f.sensitive)),
    sections,
    parts,
  };
}

// ---- consents and disclosures (in short: store/consents.rs, consent/, provide.rs) ---------------

const FIELD_JA: Record<string, string> = {
  recipient: "提供先",
  role: "提供先の立場",
  purpose: "利用目的",
  sections: "範囲",
  method: "同意の方法",
  recorded_by: "記録者",
  given_on: "同意日",
  expires_on: "有効期限",
};

function badField(field: string, ja: string, en: string, code: ErrorCode = "consent.bad_field"): IpcError {
  return { ...err(code, `${FIELD_JA[field] ?? "同意"}(${field}): ${ja}`, `${field}: ${en}`, field), field_message: { ja, en } };
}

function normRecipient(s: string): string {
  return s.normalize("NFKC").split(/\s+/u).filter(Boolean).join(" ");
}

function consentState(c: Consent, today = day(0)): ConsentState {
  if (c.withdrawn_on && c.withdrawn_on <= today) return { state: "withdrawn", withdrawn_on: c.withdrawn_on };
  if (c.given_on > today) return { state: "not_yet_given", given_on: c.given_on };
  if (c.expires_on && c.expires_on < today) return { state: "expired", expires_on: c.expires_on };
  return { state: "valid" };
}

function consentRow(c: Consent): ConsentRow {
  return { consent: structuredClone(c), state: consentState(c) };
}

function cleanText(v: string | null | undefined, field: string, max: number): string | null {
  const s = (v ?? "").trim();
  if (!s) return null;
  if ([...s].length > max) throw badField(field, `${max} 文字以内で入力してください`, `at most ${max} characters`);
  if (/\p{Cc}/u.test(s)) throw badField(field, "改行や制御文字は使えません", "line breaks and control characters are not allowed");
  return s;
}

function isDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

function scopeKeys(t: Template): string[] {
  const keys = t.sections.map((s) => s.key);
  for (const s of t.sections) if (s.part && !keys.includes(s.part)) keys.push(s.part);
  return keys;
}

function addConsent(d: Doc, n: NewConsent): Consent {
  const recipient = cleanText(n.recipient, "recipient", 200);
  if (!recipient) throw badField("recipient", "提供先を入力してください", "enter the recipient");
  const role = cleanText(n.role, "role", 200);
  const purpose = cleanText(n.purpose, "purpose", 1000);
  if (!purpose) throw badField("purpose", "利用目的を入力してください", "enter the purpose");
  const recordedBy = cleanText(n.recorded_by, "recorded_by", 200);
  if (n.method === "oral" && !recordedBy) throw badField("recorded_by", "口頭の同意には記録者が必要です", "an oral consent needs the name of who recorded it");
  const given = (n.given_on ?? "").trim();
  if (!isDay(given)) throw badField("given_on", "日付は YYYY-MM-DD の形で、実在する日を入力してください", "a date must be YYYY-MM-DD and exist");
  if (given > day(0)) throw badField("given_on", "同意日が未来の日付です", "the date consent was given is in the future");
  const expires = (n.expires_on ?? "").trim() || null;
  if (expires !== null) {
    if (!isDay(expires)) throw badField("expires_on", "日付は YYYY-MM-DD の形で、実在する日を入力してください", "a date must be YYYY-MM-DD and exist");
    if (expires < given) throw badField("expires_on", "有効期限が同意日より前です", "the expiry date is before the date consent was given");
  }
  const named = n.sections ?? [];
  if (n.whole_document && named.length > 0)
    throw badField("sections", "「文書全体」と範囲の指定は一緒に選べません。どちらか一方にしてください", "choose either the whole document or sections, not both");
  if (!n.whole_document && named.length === 0)
    throw badField(
      "sections",
      "同意の範囲を選んでください(範囲を 1 つ以上、または「文書全体」)。範囲のない同意は記録できません",
      "choose what the consent covers (one or more sections, or the whole document); a consent with no scope is not recorded",
    );
  let sections: string[] | null = null;
  if (!n.whole_document) {
    const known = scopeKeys(template(d.template));
    sections = [];
    for (const k of named.map((x) => x.trim())) {
      if (!known.includes(k))
        throw badField("sections", `「${k}」はこの様式にありません(あるもの: ${known.join(", ")})`, `unknown section "${k}"; this form has: ${known.join(", ")}`, "consent.unknown_section");
      if (!sections.includes(k)) sections.push(k);
    }
  }
  const c: Consent = {
    id: uuid(),
    case_id: d.case_id,
    document_id: d.id,
    recipient,
    role,
    purpose,
    sections,
    method: n.method,
    recorded_by: recordedBy,
    given_on: given,
    expires_on: expires,
    withdrawn_on: null,
    given_at_seq: d.revisions.at(-1)?.seq ?? null,
    created_at: now(),
  };
  consents.push(c);
  return c;
}

/** The valid consents of `recipient` for a document, or the refusal saying why there is none. */
function selectConsents(d: Doc, recipient: string): Consent[] {
  const mine = consents.filter((c) => c.document_id === d.id && normRecipient(c.recipient) === normRecipient(recipient));
  const valid = mine.filter((c) => consentState(c).state === "valid");
  if (valid.length > 0) return valid;
  const why = mine.map((c) => {
    const s = consentState(c);
    const short = c.id.slice(0, 8);
    if (s.state === "expired") return tx(`同意 ${short} は ${s.expires_on} で期限切れです`, `consent ${short} expired on ${s.expires_on}`);
    if (s.state === "withdrawn") return tx(`同意 ${short} は ${s.withdrawn_on} に撤回されました`, `consent ${short} was withdrawn on ${s.withdrawn_on}`);
    return tx(`同意 ${short} は ${c.given_on} からです`, `consent ${short} holds only from ${c.given_on}`);
  });
  if (why.length === 0) why.push(tx("この提供先への同意が記録されていません", "no consent for this recipient is recorded"));
  const to = normRecipient(recipient);
  throw err(
    "consent.refused",
    `文書 ${d.id} を「${to}」へ ${day(0)} に提供できません: ${why.map((w) => w.ja).join("。")}。先に本人の同意を記録してください(taiwa consent add)`,
    `document ${d.id} may not go to "${to}" on ${day(0)}: ${why.map((w) => w.en).join("; ")}; record the person's consent first (taiwa consent add)`,
  );
}

/** Field by field what goes to `req.recipient` (the mock's rule: a sensitive field, or a sensitive
 * column of a table, goes only when a valid consent covers its section). */
function recipientPreview(req: ExportRequest): { preview: DisclosurePreview; withheld: string[]; consents: string[] } {
  const d = doc(req.id);
  const t = template(d.template);
  const rec = d.revisions.at(-1)?.record ?? emptyRecord(d.template, d.id);
  const chosen = selectConsents(d, req.recipient ?? "");
  const withheld: string[] = [];
  const sections = t.sections
    .filter((s) => !s.part || req.parts === null || req.parts.includes(s.part))
    .map((s) => {
      const by = chosen.filter((c) => c.sections === null || c.sections.includes(s.key) || (!!s.part && c.sections.includes(s.part)));
      const covered = by.length > 0;
      const coveredWhy = tx(`同意 ${by.map((c) => c.id.slice(0, 8)).join(", ")} の範囲内です`, `covered by consent ${by.map((c) => c.id.slice(0, 8)).join(", ")}`);
      const fields: DisclosureField[] = s.fields
        .filter((f) => present(rec.fields[f.key]))
        .map((f) => {
          const v: unknown = rec.fields[f.key];
          const value = previewValue(f, v, t);
          const base = { path: f.key, label: f.label, sensitive: !!f.sensitive, value };
          if (f.sensitive) {
            if (covered) return { ...base, sent: value, outcome: "included", reason: coveredWhy };
            withheld.push(f.key);
            return { ...base, sent: null, outcome: "withheld", reason: tx("要配慮個人情報で、この範囲への同意がありません", "sensitive, and no consent of this recipient covers this section") };
          }
          const hidden = (f.fields ?? []).filter((x) => x.sensitive).map((x) => x.key);
          const rows: Obj[] = Array.isArray(v) ? (v as unknown[]).filter(isObj) : isObj(v) ? [v] : [];
          const cut = hidden.filter((k) => rows.some((r) => present(r[k])));
          if (cut.length > 0 && !covered) {
            for (const k of cut) withheld.push(`${f.key}.${k}`);
            const strip = (r: Obj): Obj => Object.fromEntries(Object.entries(r).filter(([k]) => !cut.includes(k)));
            const sentValue = Array.isArray(v) ? rows.map(strip) : strip(rows[0] ?? {});
            const labels = cut.map((k) => f.fields?.find((x) => x.key === k)?.label ?? tx(k, k));
            return {
              ...base,
              sent: previewValue(f, sentValue, t),
              outcome: "partial",
              reason: tx(`要配慮の「${labels.map((l) => l.ja).join("」「")}」を省略します`, `sensitive ${labels.map((l) => l.en).join(", ")} withheld`),
            };
          }
          return { ...base, sent: value, outcome: "included", reason: tx("要配慮個人情報ではありません", "not sensitive") };
        });
      return { key: s.key, title: s.title, fields };
    });
  const p = preview(req);
  return {
    preview: {
      title: p.title,
      recipient: normRecipient(req.recipient ?? ""),
      consents: chosen.map((c) => c.id),
      sensitive: sections.some((s) => s.fields.some((f) => f.sensitive && f.sent !== null)),
      sections,
    },
    withheld,
    consents: chosen.map((c) => c.id),
  };
}

async function logDisclosure(req: ExportRequest, withheld: string[], used: string[], path: string): Promise<void> {
  const d = doc(req.id);
  const head = d.revisions.at(-1);
  disclosures.push({
    id: uuid(),
    case_id: d.case_id,
    document_id: d.id,
    template: d.template,
    title: displayOf(d),
    revision_seq: head?.seq ?? null,
    revision_sha256: head?.sha256 ?? null,
    recipient: req.recipient ? normRecipient(req.recipient) : null,
    consents: used,
    parts: req.parts,
    withheld,
    file_sha256: await sha(`${path}${now()}`),
    kind: "export",
    format: "pdf",
    purpose: req.recipient ? null : (req.own_use ?? "person_copy"),
    created_at: now(),
  });
}

type Args = Record<string, unknown>;

export async function handle(cmd: string, args: Args): Promise<unknown> {
  await ready;
  await new Promise((r) => setTimeout(r, 60)); // a little latency, as IPC has
  switch (cmd) {
    case "app_status":
      return status();
    case "settings_set":
      settings = { ...(args.settings as Settings) };
      touch();
      return settings;
    case "backup_status":
    case "backup_now": {
      // The mock keeps no files: it reports one backup made now.
      if (cmd === "backup_now") mockBackupAt = new Date().toISOString().slice(0, 19).replace("T", " ");
      const dir = settings.backup_dir ?? "~/.local/share/taiwa/backups";
      const latest = mockBackupAt
        ? `${dir}/taiwa-${mockBackupAt.replace(/[-: ]/g, "").replace(/^(\d{8})/, "$1-")}.taiwa-backup`
        : null;
      return {
        dir,
        latest,
        latest_at: mockBackupAt,
        error: null,
        backups: latest && mockBackupAt ? [{ path: latest, at: mockBackupAt, bytes: 184320 }] : [],
      };
    }
    case "backup_restore": {
      // The mock's data stays as it is: a restore reports what it would have put back.
      if (String(args.passphrase ?? "") === "") {
        throw err("store.wrong_passphrase", "パスフレーズが違います", "wrong passphrase");
      }
      return { documents: docs.length, revisions: docs.length, previous: "~/.local/share/taiwa/taiwa.db.before-restore-mock" };
    }
    case "passphrase_strength": {
      const p = String(args.passphrase ?? "");
      const score = Math.min(4, Math.floor([...p].length / 5));
      const fb: Strength = {
        score,
        acceptable: score >= 3,
        feedback: score >= 3 ? tx("", "") : tx("もっと長くしてください(4語以上の文がおすすめ)", "Make it longer (a phrase of four or more words)"),
      };
      return fb;
    }
    case "session_create": {
      if (dbExists) throw err("session.exists", "データベースはすでにあります", "The database already exists");
      const p = String(args.passphrase ?? "");
      if ([...p].length < 15) throw err("session.weak_passphrase", "パスフレーズが弱すぎます", "The passphrase is too weak");
      passphrase = p;
      dbExists = true;
      unlocked = true;
      touch();
      return status();
    }
    case "session_unlock":
      if (args.passphrase !== passphrase)
        throw err("store.wrong_passphrase", "パスフレーズが違います。もう一度入力してください。", "Wrong passphrase. Please try again.");
      unlocked = true;
      touch();
      return status();
    case "session_lock":
      unlocked = false;
      clearTimeout(idleTimer);
      return status();
    case "session_touch":
      touch();
      return null;
    case "templates_list": {
      const list: TemplateInfo[] = TEMPLATES.map((t) => ({ id: t.id, version: t.version, title: t.title, description: t.description ?? null }));
      return list;
    }
    case "template_get":
      return template(String(args.id));
    case "cases_list": {
      needUnlocked();
      const f = args.filter as CaseFilter;
      const q = fold(f.text);
      return cases
        .map(caseSummary)
        .filter((c) => !f.status || c.status === f.status)
        .filter((c) => !f.template || c.templates.includes(f.template))
        .filter((c) => {
          if (f.review_within_days === null) return true;
          return c.next_review !== null && c.next_review <= day(f.review_within_days);
        })
        .filter((c) => {
          if (!q) return true;
          const hay = [c.display_name, c.pseudonym ?? "", c.employer ?? "", ...docs.filter((d) => d.case_id === c.id).map((d) => JSON.stringify((d.working ?? d.revisions.at(-1)?.record)?.fields ?? {}))].join(" ");
          return fold(hay).includes(q);
        })
        .sort((x, y) => (x.updated_at < y.updated_at ? 1 : -1));
    }
    case "case_create": {
      needUnlocked();
      const n = args.case as NewCase;
      if (!n.display_name.trim()) throw err("store.bad_case_field", "氏名を入力してください", "Enter a name", "display_name");
      const c: CaseRow = { id: uuid(), display_name: n.display_name, pseudonym: n.pseudonym, employer: n.employer, status: "open", updated_at: now() };
      cases.push(c);
      return caseSummary(c);
    }
    case "case_close": {
      needUnlocked();
      const c = cases.find((x) => x.id === args.id);
      if (!c) throw err("store.case_not_found", "ケースが見つかりません", "Case not found");
      c.status = "closed";
      return caseSummary(c);
    }
    case "case_delete_preview":
    case "case_delete": {
      needUnlocked();
      const c = cases.find((x) => x.id === args.id);
      if (!c) throw err("store.case_not_found", "ケースが見つかりません", "Case not found");
      const mine = docs.filter((d) => d.case_id === c.id);
      const removed = {
        case_id: c.id,
        status: c.status,
        closed_on: c.status === "closed" ? c.updated_at.slice(0, 10) : null,
        documents: mine.length,
        revisions: mine.reduce((n, d) => n + d.revisions.length, 0),
        autosaves: mine.filter((d) => d.working).length,
        consents: consents.filter((x) => mine.some((d) => d.id === x.document_id)).length,
        exchanges: 0,
        disclosures_kept: disclosures.filter((x) => mine.some((d) => d.id === x.document_id)).length,
      };
      if (cmd === "case_delete_preview") return removed;
      if (c.status !== "closed") throw err("store.case_open", "終了していないケースは削除できません", "only a closed case can be deleted");
      cases.splice(cases.indexOf(c), 1);
      for (const d of mine) docs.splice(docs.indexOf(d), 1);
      const line = { case_id: c.id, documents: mine.length, deleted_at: new Date().toISOString(), reason: args.reason };
      return { removed, line, compacted: true };
    }
    case "retention_get":
    case "retention_set": {
      needUnlocked();
      if (cmd === "retention_set") {
        const y = Number(args.years);
        if (!Number.isInteger(y) || y < 1 || y > 100) {
          throw err("store.bad_retention", "保存期間は 1〜100 年で指定してください", "the retention period is 1 to 100 years");
        }
        retentionYears = y;
      }
      return { retention: { years: retentionYears }, due: [] };
    }
    case "retention_purge":
      needUnlocked();
      return { deleted: [], compacted: true };
    case "case_get": {
      needUnlocked();
      const c = cases.find((x) => x.id === args.id);
      if (!c) throw err("store.case_not_found", "ケースが見つかりません", "Case not found");
      const view: CaseView = {
        case: caseSummary(c),
        documents: docs
          .filter((d) => d.case_id === c.id)
          .map((d) => ({
            summary: {
              id: d.id,
              case_id: c.id,
              case_name: c.display_name,
              template: d.template,
              status: d.status,
              title: displayOf(d),
              head_seq: d.revisions.at(-1)?.seq ?? 0,
              updated_at: d.updated_at,
            },
            revisions: d.revisions.map(({ record: _r, ...info }) => info),
          })),
      };
      return view;
    }
    case "document_create": {
      needUnlocked();
      const d: Doc = { id: uuid(), case_id: String(args.case_id), template: String(args.template), status: "draft", revisions: [], working: null, updated_at: now() };
      template(d.template);
      const route = typeof args.route === "string" && args.route !== "" ? args.route : null;
      const region = typeof args.region === "string" && args.region !== "" ? args.region : null;
      d.working = route && d.template === "route-map" ? fromRoute(route, region, settings.lang, d.id) : emptyRecord(d.template, d.id);
      docs.push(d);
      return editing(d);
    }
    case "document_open":
      needUnlocked();
      return editing(doc(String(args.id)));
    case "document_autosave": {
      needUnlocked();
      const d = doc(String(args.id));
      d.working = structuredClone(args.record as RecordJson);
      d.updated_at = now();
      return now();
    }
    case "document_check":
      needUnlocked();
      return check(args.record as RecordJson, Boolean(args.final));
    case "document_save":
    case "document_finalize": {
      needUnlocked();
      const d = doc(String(args.id));
      const final = cmd === "document_finalize";
      const record = args.record as RecordJson;
      const c = check(record, final);
      const result: SaveResult = { outcome: null, check: c };
      if (c.problems.length > 0) return result;
      const head = d.revisions.at(-1);
      const unchanged = !final && head !== undefined && JSON.stringify(head.record.fields) === JSON.stringify(record.fields);
      const rev = unchanged && head ? head : await addRevision(d, record, final ? "final" : "draft");
      result.outcome = { document_id: d.id, case_id: d.case_id, seq: rev.seq, sha256: rev.sha256, created: d.revisions.length === 1, unchanged };
      return result;
    }
    case "export_preview":
      needUnlocked();
      return preview(args.request as ExportRequest);
    case "export_recipient_preview": {
      needUnlocked();
      const req = args.request as ExportRequest;
      if (!req.recipient?.trim()) return null;
      return recipientPreview(req).preview;
    }
    case "export_save": {
      needUnlocked();
      const req = args.request as ExportRequest;
      const to = req.recipient?.trim() ? req.recipient : null;
      const planned = to ? recipientPreview({ ...req, recipient: to }) : null;
      const p = preview(req);
      const name = [p.title.ja, to ?? ""].filter(Boolean).join("_").replace(/[\\/:*?"<>| ]+/g, "_");
      const path = `/home/user/ドキュメント/${name}.pdf`;
      await logDisclosure({ ...req, recipient: to }, planned?.withheld ?? [], planned?.consents ?? [], path);
      return { path, bytes: 48_213 };
    }
    case "consents_list": {
      needUnlocked();
      const d = doc(String(args.document_id));
      return consents.filter((c) => c.document_id === d.id).map(consentRow);
    }
    case "consent_add": {
      needUnlocked();
      return consentRow(addConsent(doc(String(args.document_id)), args.consent as NewConsent));
    }
    case "consent_withdraw": {
      needUnlocked();
      const c = consents.find((x) => x.id === args.id);
      if (!c) throw err("consent.not_found", `同意 ${String(args.id)} はありません`, `no consent with id ${String(args.id)}`);
      if (c.withdrawn_on) throw err("consent.already_withdrawn", `同意 ${c.id} は ${c.withdrawn_on} に撤回済みです`, `consent ${c.id} was already withdrawn on ${c.withdrawn_on}`);
      c.withdrawn_on = day(0);
      return consentRow(c);
    }
    case "disclosures_list": {
      needUnlocked();
      return disclosures.filter((x) => x.case_id === args.case_id).map((x) => structuredClone(x));
    }
    case "disclosures_pdf": {
      needUnlocked();
      const ymd = day(0).replace(/-/g, "");
      return { path: args.lang === "en" ? `/home/user/Documents/disclosure-log_${ymd}.pdf` : `/home/user/ドキュメント/提供記録_${ymd}.pdf`, bytes: 21_504 };
    }
    case "export_open":
      return null;
    case "routemap_catalogue":
      return catalogue();
    case "routemap_diagram":
      return diagram(args.record as RecordJson, String(args.title ?? ""));
    case "sources_get":
      // The mock has no sources table: each id stands for itself.
      return (args.ids as string[]).map((id) => ({ id, title: id, issuer: "-" }));
    default:
      throw `mock: unknown command ${cmd}`;
  }
}
