// The rules the UI repeats from Rust, held to Rust: the shell's tests (src-tauri/src/ui_rules.rs)
// write inputs and what the core makes of them to src/generated/*.json; every case must come out
// the same here. A rule changed on one side only fails this file (or, when the data changed, the
// test command's check that the generated files are committed).
import { describe, expect, it } from "vitest";
import type { Era } from "../src/bindings/Era";
import type { Lang } from "../src/bindings/Lang";
import { MAX_LENGTHS, TEMPLATE_ID, truncate } from "../src/editor/routemap";
import CONSENT from "../src/generated/consent.json";
import DATES from "../src/generated/dates.json";
import ROUTEMAP from "../src/generated/routemap.json";
import { normalizeRecipient, roleKind, roleOptions, scopeOptions, SHARE_WITH_TEMPLATE } from "../src/lib/consents";
import { formatDate, parseTypedDate, typedDateMessage } from "../src/lib/format";
import type { Template } from "../src/lib/template";

const fixtures = import.meta.glob("../src/generated/fixtures/templates.json", { eager: true, import: "default" });
const TEMPLATES = Object.values(fixtures)[0] as Template[];

function template(id: string, version?: number): Template {
  const t = TEMPLATES.find((x) => x.id === id && (version === undefined || x.version === version));
  if (!t) throw new Error(`no template ${id} ${version ?? ""} in the fixtures`);
  return t;
}

const show = (s: unknown): string => JSON.stringify(s);

describe("dates (src/text/date.rs)", () => {
  it("formats every case as Rust does", () => {
    expect(DATES.cases.length).toBeGreaterThan(100);
    const differ = DATES.cases
      .map((c) => ({ ...c, ui: formatDate(c.date, c.era as Era, c.lang as Lang) }))
      .filter((c) => c.ui !== c.text)
      .map((c) => `${show(c.date)} ${c.era} ${c.lang}: Rust ${show(c.text)}, UI ${show(c.ui)}`);
    expect(differ).toEqual([]);
  });
});

describe("consents (src/consent)", () => {
  it("folds recipients as Rust does", () => {
    const differ = CONSENT.recipient_cases
      .filter((c) => normalizeRecipient(c.text) !== c.folded)
      .map((c) => `${show(c.text)}: Rust ${show(c.folded)}, UI ${show(normalizeRecipient(c.text))}`);
    expect(differ).toEqual([]);
  });

  it("offers the roles Rust knows and reads a typed role as Rust does", () => {
    const roles = roleOptions(template(SHARE_WITH_TEMPLATE));
    expect(roles).toEqual(CONSENT.roles);
    const differ = CONSENT.role_cases
      .filter((c) => roleKind(c.role, roles) !== c.kind)
      .map((c) => `${show(c.role)}: Rust ${show(c.kind)}, UI ${show(roleKind(c.role, roles))}`);
    expect(differ).toEqual([]);
  });

  it("offers the scope choices Rust allows, for every version of every form", () => {
    expect(CONSENT.scopes.length).toBe(TEMPLATES.length);
    for (const s of CONSENT.scopes) {
      const options = scopeOptions(template(s.template, s.version));
      expect(options, `${s.template} v${s.version}`).toEqual(s.options);
      for (const o of options) expect(s.section_keys).toContain(o.key);
    }
  });
});

describe("route map (src/routemap)", () => {
  it("cuts texts as Rust does", () => {
    const differ = ROUTEMAP.truncate_cases
      .filter((c) => truncate(c.text, c.max) !== c.out)
      .map((c) => `${show(c.text)} to ${c.max}: Rust ${show(c.out)}, UI ${show(truncate(c.text, c.max))}`);
    expect(differ).toEqual([]);
  });

  it("takes its lengths from the form Rust loads", () => {
    expect(TEMPLATE_ID).toBe(ROUTEMAP.template);
    const groups = template(TEMPLATE_ID).sections.flatMap((s) => s.fields).filter((f) => f.key === "nodes" || f.key === "steps");
    for (const g of groups) {
      for (const f of g.fields ?? []) {
        if (typeof f.max_length === "number") expect(MAX_LENGTHS[f.key], `${g.key}.${f.key}`).toBe(f.max_length);
      }
    }
    expect(MAX_LENGTHS.node_name).toBeGreaterThan(0);
    expect(MAX_LENGTHS.purpose).toBeGreaterThan(0);
  });
});

describe("dates as typed (src/text/date.rs parse_typed)", () => {
  it("reads every typed case as Rust does, and says what Rust says when it cannot", () => {
    expect(DATES.typed_cases.length).toBeGreaterThan(50);
    const differ = DATES.typed_cases
      .map((c) => {
        const r = parseTypedDate(c.input);
        const ui =
          "iso" in r
            ? { iso: r.iso }
            : { error: { code: r.error.code, ja: typedDateMessage(r.error, "ja"), en: typedDateMessage(r.error, "en") } };
        const rust =
          "iso" in c ? { iso: c.iso } : { error: { code: c.error?.code, ja: c.error?.ja, en: c.error?.en } };
        return { input: c.input, ui, rust };
      })
      .filter((c) => show(c.ui) !== show(c.rust))
      .map((c) => `${show(c.input)}: Rust ${show(c.rust)}, UI ${show(c.ui)}`);
    expect(differ).toEqual([]);
  });
});
