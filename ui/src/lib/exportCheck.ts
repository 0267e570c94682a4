// The export's check-answers step: from Rust's preview of the file, what goes in and what is left
// out, section by section; and how a line of the disclosure log says why a copy with no recipient
// was made. Pure functions, so that the lists are tested without a screen.
import type { DisclosurePreview } from "../bindings/DisclosurePreview";
import type { ExportPreview } from "../bindings/ExportPreview";
import type { PartInfo } from "../bindings/PartInfo";
import type { Text } from "../bindings/Text";
import type { MessageKey } from "./i18n";

export type CheckField = {
  path: string;
  label: Text;
  sensitive: boolean;
  /** Goes with its sensitive parts withheld (a recipient's copy only). */
  partial: boolean;
};

export type CheckSection = { key: string; title: Text; fields: CheckField[] };

export type CheckSummary = {
  /** The sections with something in the file, and those fields. */
  included: CheckSection[];
  /** The fields the file leaves out (not covered by a consent), by section. */
  withheld: CheckSection[];
  /** The parts of the form not chosen (a form with parts only). */
  partsLeftOut: PartInfo[];
};

function leftOut(parts: PartInfo[], chosen: string[] | null): PartInfo[] {
  if (chosen === null) return [];
  return parts.filter((p) => !chosen.includes(p.key));
}

/** The person's own copy or the one kept on record: every field printed goes in, sensitive ones
 * included; only parts not chosen are left out. */
export function ownSummary(preview: ExportPreview, chosen: string[] | null): CheckSummary {
  const included = preview.sections
    .filter((s) => s.fields.length > 0)
    .map((s) => ({
      key: s.key,
      title: s.title,
      fields: s.fields.map((f) => ({ path: f.path, label: f.label, sensitive: f.sensitive, partial: false })),
    }));
  return { included, withheld: [], partsLeftOut: leftOut(preview.parts, chosen) };
}

/** A recipient's copy: what Rust's plan gives (whole or in part) and what it withholds. */
export function recipientSummary(preview: DisclosurePreview, parts: PartInfo[], chosen: string[] | null): CheckSummary {
  const included: CheckSection[] = [];
  const withheld: CheckSection[] = [];
  for (const s of preview.sections) {
    const goes = s.fields.filter((f) => f.outcome !== "withheld");
    const cut = s.fields.filter((f) => f.outcome === "withheld");
    const field = (f: (typeof s.fields)[number]): CheckField => ({
      path: f.path,
      label: f.label,
      sensitive: f.sensitive,
      partial: f.outcome === "partial",
    });
    if (goes.length > 0) included.push({ key: s.key, title: s.title, fields: goes.map(field) });
    if (cut.length > 0) withheld.push({ key: s.key, title: s.title, fields: cut.map(field) });
  }
  return { included, withheld, partsLeftOut: leftOut(parts, chosen) };
}

/** What a disclosure log line with no recipient says about why the file was made. */
export function purposeKey(purpose: string | null): MessageKey {
  switch (purpose) {
    case "person_copy":
      return "disclosures.person_copy";
    case "kept_on_record":
      return "disclosures.kept_on_record";
    case "shown":
      return "disclosures.shown";
    default:
      return "disclosures.no_recipient";
  }
}
