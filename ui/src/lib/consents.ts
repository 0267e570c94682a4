// Pure helpers for consents, recipients and the disclosure log (no Svelte, no IPC): which
// recipients an export may name, what a refusal or an error is about, how many fields leave.
// Rust decides; these only arrange what it answered for the screens. Where they repeat a rule of
// Rust's (recipients folded, roles read, the scope's choices), ui/tests/rules.test.ts holds them to
// the cases Rust wrote in ../generated/consent.json.
import type { ConsentRow } from "../bindings/ConsentRow";
import type { ConsentState } from "../bindings/ConsentState";
import type { Disclosure } from "../bindings/Disclosure";
import type { DisclosurePreview } from "../bindings/DisclosurePreview";
import type { IpcError } from "../bindings/IpcError";
import type { Lang } from "../bindings/Lang";
import type { Text } from "../bindings/Text";
import { roles_from } from "../generated/consent.json";
import { pick } from "./i18n";
import type { ChoiceOption, Template } from "./template";

/** Unicode's White_Space, which Rust's `split_whitespace` splits on (JavaScript's `\s` differs:
 * it has U+FEFF and lacks U+0085). */
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** How Rust compares recipients (consent::normalize_recipient): NFKC, trimmed, runs of white
 * space as one space; case and wording kept. Checked against Rust's cases in consent.json. */
export function normalizeRecipient(s: string): string {
  return s.normalize("NFKC").split(WHITE_SPACE).filter(Boolean).join(" ");
}

/** One recipient named by the document's consents (however often, however spelled). */
export type RecipientChoice = {
  /** normalizeRecipient of the name: what Rust matches. */
  key: string;
  /** The name as entered (the newest valid consent's, else the newest one's). */
  recipient: string;
  /** Its consents that hold today, newest first. */
  valid: ConsentRow[];
  /** Its consents that do not (expired, withdrawn, not yet given), newest first. */
  other: ConsentRow[];
};

function newestFirst(a: ConsentRow, b: ConsentRow): number {
  const x = a.consent.created_at;
  const y = b.consent.created_at;
  return x < y ? 1 : x > y ? -1 : 0;
}

/**
 * The distinct recipients of `rows`: those with a valid consent first (in the order first
 * recorded), then those without one (which an export cannot name; the screen shows them disabled
 * with the reasons).
 */
export function recipientChoices(rows: ConsentRow[]): RecipientChoice[] {
  const byKey = new Map<string, ConsentRow[]>();
  const order = [...rows].sort((a, b) => -newestFirst(a, b));
  for (const r of order) {
    const key = normalizeRecipient(r.consent.recipient);
    if (!key) continue;
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  const out: RecipientChoice[] = [];
  for (const [key, list] of byKey) {
    const sorted = [...list].sort(newestFirst);
    const valid = sorted.filter((r) => r.state.state === "valid");
    const other = sorted.filter((r) => r.state.state !== "valid");
    const first = valid[0] ?? sorted[0];
    if (!first) continue;
    out.push({ key, recipient: first.consent.recipient, valid, other });
  }
  return [...out.filter((c) => c.valid.length > 0), ...out.filter((c) => c.valid.length === 0)];
}

/** The last day the recipient's valid consents hold: null when one holds until withdrawn. */
export function validUntil(choice: RecipientChoice): string | null {
  let last: string | null = "";
  for (const r of choice.valid) {
    const e = r.consent.expires_on;
    if (!e) return null;
    if (last !== null && e > last) last = e;
  }
  return last || null;
}

/** The section/part keys the valid consents cover together; null when one covers the whole document. */
export function coveredScope(choice: RecipientChoice): string[] | null {
  const keys: string[] = [];
  for (const r of choice.valid) {
    const s = r.consent.sections;
    if (s === null) return null;
    for (const k of s) if (!keys.includes(k)) keys.push(k);
  }
  return keys;
}

/** The distinct purposes of the valid consents, in order. */
export function purposes(choice: RecipientChoice): string[] {
  const out: string[] = [];
  for (const r of choice.valid) if (!out.includes(r.consent.purpose)) out.push(r.consent.purpose);
  return out;
}

/** The date a state that is not valid turns on (expired on, withdrawn on, given on). */
export function stateDate(state: ConsentState): string | null {
  switch (state.state) {
    case "valid":
      return null;
    case "expired":
      return state.expires_on;
    case "withdrawn":
      return state.withdrawn_on;
    case "not_yet_given":
      return state.given_on;
  }
}

/** A consent's sections a support worker can tick: every section without a part by its key, and
 * each part (work-consideration a–d) once, titled by its sections. */
export type ScopeOption = { key: string; title: Text; part: boolean };

export function scopeOptions(template: Template): ScopeOption[] {
  const out: ScopeOption[] = [];
  for (const s of template.sections) {
    if (s.part) {
      const have = out.find((o) => o.part && o.key === s.part);
      if (have) have.title = { ja: `${have.title.ja}・${s.title.ja}`, en: `${have.title.en}; ${s.title.en}` };
      else out.push({ key: s.part, title: { ...s.title }, part: true });
    } else {
      out.push({ key: s.key, title: s.title, part: false });
    }
  }
  return out;
}

/** The title of a section or part key of `template` (the key itself when the form has no such key). */
export function scopeTitle(template: Template | null, key: string): Text {
  if (template) {
    const o = scopeOptions(template).find((x) => x.key === key);
    if (o) return o.title;
    const s = template.sections.find((x) => x.key === key);
    if (s) return s.title;
  }
  return { ja: key, en: key };
}

/** The recipient roles a consent may name: the dialogue record's `share_with` options, without
 * "do not share" (consent::recipient_kinds; where they come from is Rust's KIND_SOURCE). */
export const SHARE_WITH_TEMPLATE: string = roles_from.template;
export const SHARE_WITH_FIELD: string = roles_from.field;

export function roleOptions(dialogueRecord: Template | null): ChoiceOption[] {
  if (!dialogueRecord) return [];
  for (const s of dialogueRecord.sections) {
    const f = s.fields.find((x) => x.key === SHARE_WITH_FIELD);
    if (f) return (f.options ?? []).filter((o) => o.key !== "nobody");
  }
  return [];
}

/** The role a consent names, as Rust reads it (consent::recipient_kind): an option's key or label,
 * after NFKC, white space folded and lower case; null when it names none. */
export function roleKind(role: string | null, options: ChoiceOption[]): string | null {
  const fold = (s: string): string => normalizeRecipient(s).toLowerCase();
  const r = fold(role ?? "");
  if (!r) return null;
  const o = options.find((x) => x.key === r || fold(x.label.ja) === r || fold(x.label.en) === r);
  return o ? o.key : null;
}

/** A consent's role as people read it: the option's label when it names one (as Rust reads it),
 * else the text as entered. */
export function roleLabel(role: string, options: ChoiceOption[], lang: Lang): string {
  const kind = roleKind(role, options);
  const o = options.find((x) => x.key === kind);
  return o ? pick(o.label, lang) : role;
}

/** The ledger as listed: consents that hold today first, then the others; newest first in each. */
export function sortConsents(rows: ConsentRow[]): ConsentRow[] {
  const valid = (r: ConsentRow): number => (r.state.state === "valid" ? 0 : 1);
  return [...rows].sort((a, b) => valid(a) - valid(b) || newestFirst(a, b));
}

/** The fields of the add-consent form that an error can name. */
export const CONSENT_FIELDS = ["recipient", "role", "purpose", "sections", "method", "recorded_by", "given_on", "expires_on"] as const;
export type ConsentField = (typeof CONSENT_FIELDS)[number];

/** The form field a `consent_add` error is about (the field Rust names), or null. */
export function consentErrorField(e: IpcError): ConsentField | null {
  if (!e.code.startsWith("consent.")) return null;
  const f = e.field;
  return f && (CONSENT_FIELDS as readonly string[]).includes(f) ? (f as ConsentField) : null;
}

/** How many printed fields go whole, in part, or not at all (only 要配慮 values are withheld). */
export type OutcomeCounts = { included: number; partial: number; withheld: number; total: number };

export function outcomeCounts(p: DisclosurePreview): OutcomeCounts {
  const c: OutcomeCounts = { included: 0, partial: 0, withheld: 0, total: 0 };
  for (const s of p.sections) {
    for (const f of s.fields) {
      c[f.outcome]++;
      c.total++;
    }
  }
  return c;
}

/** A field path of the disclosure log (`diagnosis_name`, `barriers.description`) as its labels
 * ("支障 › 支障の内容"); the path itself when the form does not have it. */
export function fieldLabel(template: Template | null, path: string): Text {
  const labels: Text[] = [];
  let fields = template ? template.sections.flatMap((s) => s.fields) : [];
  for (const seg of path.split(".")) {
    const key = seg.replace(/\[\d+\]$/, "");
    const f = fields.find((x) => x.key === key);
    if (!f) return labels.length === 0 ? { ja: path, en: path } : joinLabels([...labels, { ja: seg, en: seg }]);
    labels.push(f.label);
    fields = f.fields ?? [];
  }
  return labels.length === 0 ? { ja: path, en: path } : joinLabels(labels);
}

function joinLabels(labels: Text[]): Text {
  return { ja: labels.map((l) => l.ja).join(" › "), en: labels.map((l) => l.en || l.ja).join(" › ") };
}

/** The disclosure log newest first (ties: as Rust listed them). */
export function newestDisclosures(list: Disclosure[]): Disclosure[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.created_at < b.d.created_at ? 1 : a.d.created_at > b.d.created_at ? -1 : a.i - b.i))
    .map((x) => x.d);
}
