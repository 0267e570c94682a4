// An in-memory stand-in for the Rust commands, for `npm run dev:mock` (working on the UI in a plain
// browser) and for screenshots. It is NOT the contract: the Rust side is. It keeps storage (cases,
// documents and their revisions, working copies, the consent ledger, the disclosure log) and looks
// up everything else in what Rust answered: ../generated/fixtures/*.json, which the shell's tests
// write (src-tauri/src/mock_fixtures.rs) and the test command keeps current — the forms as loaded,
// each sample's checks and previews, the recipients' previews or refusals, maps started from the
// standard routes and their diagrams, consent_add's errors. It validates, redacts and lays out
// nothing itself: a record that is not a fixture's checks without problems, a document that is not
// a sample previews empty, a map that is not a fixture's has no diagram. Every person and
// organisation in it is fictional.
import type { AppStatus } from "../bindings/AppStatus";
import type { CaseFilter } from "../bindings/CaseFilter";
import type { CaseSummary } from "../bindings/CaseSummary";
import type { CaseView } from "../bindings/CaseView";
import type { Check } from "../bindings/Check";
import type { ConsentRow } from "../bindings/ConsentRow";
import type { Disclosure } from "../bindings/Disclosure";
import type { DisclosurePreview } from "../bindings/DisclosurePreview";
import type { DocStatus } from "../bindings/DocStatus";
import type { Editing } from "../bindings/Editing";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ExportPreview } from "../bindings/ExportPreview";
import type { ExportRequest } from "../bindings/ExportRequest";
import type { IpcError } from "../bindings/IpcError";
import type { Lang } from "../bindings/Lang";
import type { NewCase } from "../bindings/NewCase";
import type { NewConsent } from "../bindings/NewConsent";
import type { RecordJson } from "../bindings/RecordJson";
import type { RevisionInfo } from "../bindings/RevisionInfo";
import type { RouteDiagram } from "../bindings/RouteDiagram";
import type { RouteMapCatalogue } from "../bindings/RouteMapCatalogue";
import type { SaveResult } from "../bindings/SaveResult";
import type { Source } from "../bindings/Source";
import type { Settings } from "../bindings/Settings";
import type { Strength } from "../bindings/Strength";
import type { TemplateInfo } from "../bindings/TemplateInfo";
import type { Text } from "../bindings/Text";
import { normalizeRecipient } from "../lib/consents";
import { parseIsoDate } from "../lib/format";
import type { Template } from "../lib/template";

export const MOCK_PASSPHRASE = "sakura-no-hana-saku-koro";

// ---- what Rust answered ------------------------------------------------------------------------

const FIXTURES = import.meta.glob("../generated/fixtures/*.json", { eager: true, import: "default" }) as Record<string, unknown>;

function fixture<T>(name: string): T {
  const key = Object.keys(FIXTURES).find((k) => k.endsWith(`/${name}.json`));
  if (!key) throw new Error(`mock: no fixture ${name}; run cargo test -p taiwa-app`);
  return FIXTURES[key] as T;
}

type Checks = { draft: Check; final: Check };
/** A recipient's copy as the gate plans it, or why no consent lets it go. */
type RecipientAnswer = { preview: DisclosurePreview; withheld: string[] } | { error: IpcError };
type Sample = {
  name: string;
  id: string;
  record: RecordJson;
  check: Checks;
  /** By `ja-seireki`, `ja-wareki`, `en` (English dates keep the Western year in either era). */
  previews: Record<string, ExportPreview>;
  consents: ConsentRow[];
  /** By recipient as Rust compares them (normalizeRecipient), then language. */
  recipients: Record<string, Record<Lang, RecipientAnswer>>;
  /** The whole document for a recipient with no role: what a consent added here lets go. */
  any_recipient: Record<Lang, RecipientAnswer>;
  /** A recipient no consent names. */
  refused: Record<Lang, RecipientAnswer>;
};
type Samples = { day: string; documents: Sample[]; empty: Record<string, Checks>; consent_errors: Record<string, IpcError> };
type Diagram = { nodes: unknown; steps: unknown; diagram: RouteDiagram };

const TEMPLATES = fixture<Template[]>("templates");
const CATALOGUE = fixture<RouteMapCatalogue>("catalogue");
const ROUTES = fixture<Record<string, Record<Lang, RecordJson>>>("routes");
const DIAGRAMS = fixture<Diagram[]>("diagrams");
const SAMPLES = fixture<Samples>("samples");
const SOURCES = fixture<Source[]>("sources");

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const tx = (ja: string, en: string): Text => ({ ja, en });

/** JSON with sorted keys: how a record is matched to a fixture's. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObj(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

/** The newest version of a form, or the one asked for. */
function template(id: string, version: number | null = null): Template {
  let found: Template | undefined;
  for (const t of TEMPLATES) {
    if (t.id === id && (version === null || t.version === version) && (!found || t.version > found.version)) found = t;
  }
  if (!found) throw err("template.unknown", `様式「${id}」はありません`, `there is no form "${id}"`);
  return found;
}

/** The checks Rust made of this record (a sample's, or an empty form's); any other record: no
 * problems, and the fields an empty record of its form requires. */
function check(record: RecordJson, final: boolean): Check {
  const mode = final ? "final" : "draft";
  const key = canonical(record.fields);
  const sample = SAMPLES.documents.find(
    (s) => s.record.template === record.template && s.record.template_version === record.template_version && canonical(s.record.fields) === key,
  );
  if (sample) return structuredClone(sample.check[mode]);
  const empty = SAMPLES.empty[record.template];
  if (!empty) return { problems: [], required: [], hidden: [], to_finalize: [] };
  if (Object.keys(record.fields).length === 0) return structuredClone(empty[mode]);
  return { problems: [], required: [...empty.draft.required], hidden: [], to_finalize: [] };
}

/** A map started from a standard route (routemap::from_route), in a region given by its key or label. */
function fromRoute(code: string, region: string | null, lang: Lang, id: string): RecordJson {
  const found = Object.keys(ROUTES).find((k) => k.toLowerCase() === code.trim().toLowerCase());
  const byLang = found ? ROUTES[found] : undefined;
  if (!byLang) throw err("routemap.unknown_route", `標準ルート「${code}」はありません`, `there is no standard route ${code}`);
  const rec = { ...structuredClone(byLang[lang]), id, status: "draft" as DocStatus };
  if (region) {
    const given = region.trim();
    const options = template("route-map").sections.flatMap((s) => s.fields).find((f) => f.key === "region")?.options ?? [];
    const o = options.find((x) => x.key === given || x.label.ja === given || x.label.en === given);
    if (!o) throw err("routemap.unknown_region", `地域「${region}」はありません`, `there is no region ${region}`);
    rec.fields.region = o.key;
  }
  return rec;
}

/** Rust's diagram of a map the fixtures hold (matched by its nodes and steps); none otherwise. */
function diagram(record: RecordJson): RouteDiagram {
  const key = (nodes: unknown, steps: unknown): string => canonical({ nodes: nodes ?? null, steps: steps ?? null });
  const want = key(record.fields.nodes, record.fields.steps);
  const d = DIAGRAMS.find((x) => key(x.nodes, x.steps) === want);
  return d ? structuredClone(d.diagram) : { svg: null, nodes: 0, steps_drawn: 0 };
}

// ---- storage -----------------------------------------------------------------------------------

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
const ledger: ConsentRow[] = [];
const disclosures: Disclosure[] = [];
let counter = 0;

function uuid(): string {
  counter++;
  return `00000000-0000-4000-8000-1${String(counter).padStart(11, "0")}`;
}

function now(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString();
}

function day(offsetDays: number): string {
  return now(offsetDays).slice(0, 10);
}

function err(code: ErrorCode, ja: string, en: string, field: string | null = null, detail: Text | null = null): IpcError {
  return { code, ja, en, field, field_message: null, detail };
}

async function sha(text: string): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function emptyRecord(templateId: string, id: string): RecordJson {
  const t = template(templateId);
  return { format: "taiwa.document/1", template: t.id, template_version: t.version, status: "draft", lang: settings.lang, id, fields: {} };
}

function current(d: Doc): RecordJson | undefined {
  return d.working ?? d.revisions.at(-1)?.record;
}

function displayOf(d: Doc): string {
  const rec = current(d);
  const t = template(d.template, rec?.template_version ?? null);
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
    .map((d) => ({ id: d.id, on: current(d)?.fields.next_review_date }))
    .filter((r): r is { id: string; on: string } => typeof r.on === "string")
    .sort((a, b) => a.on.localeCompare(b.on));
  return {
    ...c,
    documents: mine.length,
    templates: [...new Set(mine.map((d) => d.template))],
    next_review: reviews[0]?.on ?? null,
    next_review_document: reviews[0]?.id ?? null,
  };
}

async function addRevision(d: Doc, record: RecordJson, status: DocStatus): Promise<RevisionInfo & { record: RecordJson }> {
  const prev = d.revisions.at(-1) ?? null;
  const rec = { ...structuredClone(record), status };
  const rev = {
    seq: (prev?.seq ?? 0) + 1,
    status,
    sha256: await sha(`${prev?.sha256 ?? ""}${canonical(rec.fields)}`),
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

/** One case per sample document (named as the document names its person), the sample's consents,
 * a map started from R3 beside the sample map, and a closed case without documents. */
async function seed(): Promise<void> {
  for (const [i, s] of SAMPLES.documents.entries()) {
    const c: CaseRow = { id: uuid(), display_name: "", pseudonym: `RA-2026-000${i + 1}`, employer: null, status: "open", updated_at: now(-2 - i) };
    const d: Doc = { id: s.id, case_id: c.id, template: s.record.template, status: "draft", revisions: [], working: null, updated_at: c.updated_at };
    docs.push(d);
    await addRevision(d, { ...structuredClone(s.record), id: d.id }, s.record.status);
    c.display_name = displayOf(d);
    cases.push(c);
    for (const row of s.consents) ledger.push({ consent: { ...structuredClone(row.consent), case_id: c.id, document_id: d.id }, state: row.state });
    if (s.record.template === "route-map") {
      const map: Doc = { id: uuid(), case_id: c.id, template: "route-map", status: "draft", revisions: [], working: null, updated_at: now(-1) };
      map.working = fromRoute("R3", null, "ja", map.id);
      docs.push(map);
    }
  }
  cases.push({ id: uuid(), display_name: "ｶﾄｳ ﾐﾅﾐ", pseudonym: null, employer: null, status: "closed", updated_at: now(-90) });
  const first = docs[0];
  if (first) {
    disclosures.push({
      id: uuid(),
      case_id: first.case_id,
      document_id: first.id,
      template: first.template,
      title: displayOf(first),
      revision_seq: 1,
      revision_sha256: first.revisions.at(-1)?.sha256 ?? null,
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
  }
}

const ready = seed();

// ---- lookups for the commands --------------------------------------------------------------------

let idleTimer: ReturnType<typeof setTimeout> | undefined;
let warnTimer: ReturnType<typeof setTimeout> | undefined;
let onIdleLock: () => void = () => {};
let onIdleWarning: (secondsLeft: number) => void = () => {};

export function setIdleLockHandler(h: () => void, warn: (secondsLeft: number) => void = () => {}): void {
  onIdleLock = h;
  onIdleWarning = warn;
}

function touch(): void {
  clearTimeout(idleTimer);
  clearTimeout(warnTimer);
  const minutes = Number(new URLSearchParams(location.search).get("idle") ?? settings.idle_lock_minutes);
  if (!unlocked || !(minutes > 0)) return;
  // As Rust: the warning a minute before the lock (halfway, for a lock of a minute or less).
  const after = minutes * 60_000;
  const lead = Math.min(60_000, after / 2);
  warnTimer = setTimeout(() => onIdleWarning(Math.round(lead / 1000)), after - lead);
  idleTimer = setTimeout(() => {
    unlocked = false;
    onIdleLock();
  }, after);
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

function caseRow(id: unknown): CaseRow {
  const c = cases.find((x) => x.id === id);
  if (!c) throw err("store.case_not_found", "ケースが見つかりません", "Case not found");
  return c;
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

/** The sample a document is, or (for `parts`) one of its form. */
function sampleOf(d: Doc): Sample | undefined {
  return SAMPLES.documents.find((s) => s.id === d.id);
}

function previewKey(req: ExportRequest): string {
  return req.lang === "en" ? "en" : `ja-${req.era}`;
}

/** Only the sections of the parts asked for (sections without a part always print). */
function inParts<T extends { key: string }>(d: Doc, sections: T[], parts: string[] | null): T[] {
  if (!parts) return sections;
  const t = template(d.template, current(d)?.template_version ?? null);
  return sections.filter((s) => {
    const part = t.sections.find((x) => x.key === s.key)?.part;
    return !part || parts.includes(part);
  });
}

function preview(req: ExportRequest): ExportPreview {
  const d = doc(req.id);
  const key = previewKey(req);
  const own = sampleOf(d)?.previews[key];
  if (own) return { ...structuredClone(own), sections: inParts(d, structuredClone(own.sections), req.parts) };
  const t = template(d.template, current(d)?.template_version ?? null);
  const parts = SAMPLES.documents.find((s) => s.record.template === d.template)?.previews[key]?.parts ?? [];
  return { title: t.title, sensitive: false, sections: [], parts: structuredClone(parts) };
}

/** What Rust answered for this recipient: the sample ledger's recipients as decided, a recipient
 * with a consent added here gets the whole document, anyone else is refused. */
function recipientAnswer(req: ExportRequest): RecipientAnswer {
  const d = doc(req.id);
  const to = normalizeRecipient(req.recipient ?? "");
  const sample = sampleOf(d) ?? SAMPLES.documents.find((s) => s.record.template === d.template);
  if (!sample) throw err("consent.refused", "同意がありません", "no consent");
  const valid = ledger.filter((r) => r.consent.document_id === d.id && normalizeRecipient(r.consent.recipient) === to && r.state.state === "valid");
  const fixed = sampleOf(d)?.recipients[to]?.[req.lang];
  let answer: RecipientAnswer;
  if (fixed && "preview" in fixed === valid.length > 0) answer = fixed;
  else if (valid.length > 0) answer = sample.any_recipient[req.lang];
  else answer = fixed ?? sample.refused[req.lang];
  if ("error" in answer) return answer;
  const p = structuredClone(answer.preview);
  return {
    preview: { ...p, recipient: to, consents: valid.map((r) => r.consent.id), sections: inParts(d, p.sections, req.parts) },
    withheld: [...answer.withheld],
  };
}

/** Which of Rust's consent_add errors applies (checked in Rust's order), if any. */
function consentError(n: NewConsent): IpcError | undefined {
  const e = SAMPLES.consent_errors;
  const blank = (s: string | null | undefined): boolean => !s?.trim();
  const named = n.sections?.length ?? 0;
  if (blank(n.recipient)) return e.recipient;
  if (blank(n.purpose)) return e.purpose;
  if (n.method === "oral" && blank(n.recorded_by)) return e.recorded_by;
  if (!parseIsoDate(n.given_on.trim())) return e.given_on;
  if (n.given_on.trim() > day(0)) return e.given_on_future;
  if (n.expires_on?.trim() && n.expires_on.trim() < n.given_on.trim()) return e.expires_on_before;
  if (n.whole_document && named > 0) return e.whole_and_sections;
  if (!n.whole_document && named === 0) return e.no_scope;
  return undefined;
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
    recipient: req.recipient ? normalizeRecipient(req.recipient) : null,
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
      // Not Rust's estimate (zxcvbn): the mock only counts characters.
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
        throw err(
          "store.wrong_passphrase",
          "パスフレーズが違います。確かめて、もう一度入力してください。データベースは変更していません。",
          "The passphrase is not right. Check it and enter it again. The database was not changed.",
          null,
          {
            ja: "パスフレーズが違うか、~/.local/share/taiwa/taiwa.db が壊れているか Taiwa のデータベースではありません。ファイルは変更していません",
            en: "wrong passphrase, or ~/.local/share/taiwa/taiwa.db is damaged or not a Taiwa database; the file was not changed",
          },
        );
      unlocked = true;
      touch();
      return status();
    case "session_lock":
      unlocked = false;
      clearTimeout(idleTimer);
      clearTimeout(warnTimer);
      return status();
    case "session_touch":
      touch();
      return null;
    case "templates_list": {
      const list: TemplateInfo[] = [...new Set(TEMPLATES.map((t) => t.id))]
        .map((id) => template(id))
        .map((t) => ({ id: t.id, version: t.version, title: t.title, description: t.description ?? null }));
      return list;
    }
    case "template_get":
      return template(String(args.id), typeof args.version === "number" ? args.version : null);
    case "cases_list": {
      needUnlocked();
      const f = args.filter as CaseFilter;
      // The mock's search: a plain substring of the names and the record text (not Rust's folding).
      const fold = (s: string): string => s.normalize("NFKC").toLowerCase();
      const q = fold(f.text);
      const list = cases
        .map(caseSummary)
        .filter((c) => !f.status || c.status === f.status)
        .filter((c) => !f.template || c.templates.includes(f.template))
        .filter((c) => f.review_within_days === null || (c.next_review !== null && c.next_review <= day(f.review_within_days)))
        .filter((c) => {
          if (!q) return true;
          const text = docs.filter((d) => d.case_id === c.id).map((d) => JSON.stringify(current(d)?.fields ?? {}));
          return fold([c.display_name, c.pseudonym ?? "", c.employer ?? "", ...text].join(" ")).includes(q);
        })
        .sort((x, y) => (x.updated_at < y.updated_at ? 1 : -1));
      const limit = typeof args.limit === "number" ? args.limit : list.length;
      return { cases: list.slice(0, limit), more: list.length > limit };
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
      const c = caseRow(args.id);
      c.status = "closed";
      return caseSummary(c);
    }
    case "case_delete_preview":
    case "case_delete": {
      needUnlocked();
      const c = caseRow(args.id);
      const mine = docs.filter((d) => d.case_id === c.id);
      const removed = {
        case_id: c.id,
        status: c.status,
        closed_on: c.status === "closed" ? c.updated_at.slice(0, 10) : null,
        documents: mine.length,
        revisions: mine.reduce((n, d) => n + d.revisions.length, 0),
        autosaves: mine.filter((d) => d.working).length,
        consents: ledger.filter((x) => mine.some((d) => d.id === x.consent.document_id)).length,
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
      const c = caseRow(args.id);
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
            revisions: d.revisions.map(({ record: _r, ...info }) => info).reverse(),
          })),
      };
      return view;
    }
    case "document_create": {
      needUnlocked();
      caseRow(args.case_id);
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
      const unchanged = !final && head !== undefined && canonical(head.record.fields) === canonical(record.fields);
      const rev = unchanged && head ? head : await addRevision(d, record, final ? "final" : "draft");
      result.outcome = { document_id: d.id, case_id: d.case_id, seq: rev.seq, sha256: rev.sha256, created: d.revisions.length === 1, unchanged };
      return result;
    }
    case "document_revise": {
      needUnlocked();
      const d = doc(String(args.id));
      const head = d.revisions.at(-1);
      if (!head || d.status !== "final") {
        throw err("store.not_final", "文書は確定していません。そのまま編集できます", "the document is not final: edit it as it is");
      }
      await addRevision(d, head.record, "draft");
      d.working = null;
      return editing(d);
    }
    case "export_preview":
      needUnlocked();
      return preview(args.request as ExportRequest);
    case "export_recipient_preview": {
      needUnlocked();
      const req = args.request as ExportRequest;
      if (!req.recipient?.trim()) return null;
      const answer = recipientAnswer(req);
      if ("error" in answer) throw answer.error;
      return answer.preview;
    }
    case "export_save": {
      needUnlocked();
      const req = args.request as ExportRequest;
      const to = req.recipient?.trim() ? req.recipient : null;
      let withheld: string[] = [];
      let used: string[] = [];
      if (to) {
        const answer = recipientAnswer({ ...req, recipient: to });
        if ("error" in answer) throw answer.error;
        withheld = answer.withheld;
        used = answer.preview.consents;
      }
      const p = preview(req);
      const name = [p.title.ja, to ?? ""].filter(Boolean).join("_").replace(/[\\/:*?"<>| ]+/g, "_");
      const path = `/home/user/ドキュメント/${name}.pdf`;
      await logDisclosure({ ...req, recipient: to }, withheld, used, path);
      return { path, bytes: 48_213 };
    }
    case "consents_list": {
      needUnlocked();
      const d = doc(String(args.document_id));
      return ledger.filter((r) => r.consent.document_id === d.id).map((r) => structuredClone(r));
    }
    case "consent_add": {
      needUnlocked();
      const d = doc(String(args.document_id));
      const n = args.consent as NewConsent;
      const e = consentError(n);
      if (e) throw e;
      const row: ConsentRow = {
        consent: {
          id: uuid(),
          case_id: d.case_id,
          document_id: d.id,
          recipient: n.recipient.trim(),
          role: n.role?.trim() || null,
          purpose: n.purpose.trim(),
          sections: n.whole_document ? null : [...new Set(n.sections ?? [])],
          method: n.method,
          recorded_by: n.method === "oral" ? (n.recorded_by?.trim() ?? null) : null,
          given_on: n.given_on.trim(),
          expires_on: n.expires_on?.trim() || null,
          withdrawn_on: null,
          given_at_seq: d.revisions.at(-1)?.seq ?? null,
          created_at: now(),
        },
        // The mock records a consent as it was given: valid until withdrawn here.
        state: { state: "valid" },
      };
      ledger.push(row);
      return structuredClone(row);
    }
    case "consent_withdraw": {
      needUnlocked();
      const row = ledger.find((x) => x.consent.id === args.id);
      if (!row) throw err("consent.not_found", `同意 ${String(args.id)} はありません`, `no consent with id ${String(args.id)}`);
      const c = row.consent;
      if (c.withdrawn_on) throw err("consent.already_withdrawn", `同意 ${c.id} は ${c.withdrawn_on} に撤回済みです`, `consent ${c.id} was already withdrawn on ${c.withdrawn_on}`);
      c.withdrawn_on = day(0);
      row.state = { state: "withdrawn", withdrawn_on: c.withdrawn_on };
      return structuredClone(row);
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
    case "sample_pdf_save": {
      needUnlocked();
      const t = TEMPLATES.find((x) => x.id === args.template);
      if (!t) throw err("export.no_sample", `様式「${String(args.template)}」の見本はありません`, `there is no sample of the form ${String(args.template)}`);
      const title = (args.lang === "en" ? t.title.en : t.title.ja).replace(/[ 　/]+/g, "");
      return { path: args.lang === "en" ? `/home/user/Documents/sample_${title}.pdf` : `/home/user/ドキュメント/見本_${title}.pdf`, bytes: 160_000 };
    }
    case "export_open":
      return null;
    case "routemap_catalogue":
      return structuredClone(CATALOGUE);
    case "routemap_diagram":
      return diagram(args.record as RecordJson);
    case "sources_get":
      return (args.ids as string[]).flatMap((id) => SOURCES.filter((s) => s.id === id)).map((s) => structuredClone(s));
    default:
      throw `mock: unknown command ${cmd}`;
  }
}
