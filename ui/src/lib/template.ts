// The form definition as the UI sees it: the types generated from the Rust model
// (src/template/model.rs, mirroring templates/README.md) as `template_get` returns them —
// `options_from` already resolved into `options`, and the built-in sub-fields of `signature` and
// `consent` (and of `row: "consent"` groups) expanded into `fields`. Plus the helpers the editor uses.
import type { Condition } from "../bindings/Condition";
import type { Field } from "../bindings/Field";
import type { FieldType } from "../bindings/FieldType";
import type { OptionGroup } from "../bindings/OptionGroup";
import type { ChoiceOption } from "../bindings/ChoiceOption";
import type { Section } from "../bindings/Section";
import type { TemplateDef } from "../bindings/TemplateDef";

export type { ChoiceOption, Condition, Field, FieldType, OptionGroup, Section };
export type Template = TemplateDef;

/** Types whose value is one object of sub-fields. */
export function isObjectType(t: FieldType): boolean {
  return t === "compound" || t === "signature" || t === "consent";
}

export function isRangeType(t: FieldType): boolean {
  return t === "date_range" || t === "time_range";
}

/** A field whose `required` is a condition: shown only when the condition holds or it has a value. */
export function isConditional(f: Field): boolean {
  return typeof f.required === "object" && f.required !== null;
}

/** Whether a value counts as given (the UI's view; Rust's `present` is the rule that counts). */
export function hasValue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === "string") return v.trim() !== "";
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return true;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.values(v as Record<string, unknown>).some(hasValue);
  return true;
}

/** The default kind of control a choice gets: a radio group for a few options, else a select. */
export const RADIO_MAX_OPTIONS = 6;

/**
 * How a group is laid out: a table (one row per entry, one column per sub-field) when its sub-fields
 * are simple; rows as stacked cards when a row holds nested objects, checkbox lists, or too many
 * columns to read across.
 */
export function groupLayout(f: Field): "table" | "cards" {
  const subs = f.fields ?? [];
  if (f.row === "consent" || subs.length > 5) return "cards";
  const complex = subs.some(
    (s) => s.type === "multi" || isObjectType(s.type) || s.type === "group" || isRangeType(s.type) || s.type === "notice",
  );
  const longTexts = subs.filter((s) => s.type === "long_text").length;
  return complex || longTexts > 2 ? "cards" : "table";
}

/** Options of a choice/multi with their group headings, in definition order. */
export function groupedOptions(f: Field): { group: OptionGroup | null; options: ChoiceOption[] }[] {
  const options = f.options ?? [];
  const groups = f.option_groups ?? [];
  if (groups.length === 0) return [{ group: null, options }];
  const out: { group: OptionGroup | null; options: ChoiceOption[] }[] = [];
  for (const g of groups) {
    const opts = options.filter((o) => o.group === g.key);
    if (opts.length) out.push({ group: g, options: opts });
  }
  const loose = options.filter((o) => !o.group || !groups.some((g) => g.key === o.group));
  if (loose.length) out.push({ group: null, options: loose });
  return out;
}

/** Every section key that belongs to an exportable part, in order (work-consideration Parts A–D). */
export function partsOf(t: Template): string[] {
  const seen: string[] = [];
  for (const s of t.sections) if (s.part && !seen.includes(s.part)) seen.push(s.part);
  return seen;
}
