import { describe, expect, it } from "vitest";
import type { DisclosurePreview } from "../src/bindings/DisclosurePreview";
import type { ExportPreview } from "../src/bindings/ExportPreview";
import type { Outcome } from "../src/bindings/Outcome";
import { ownSummary, purposeKey, recipientSummary } from "../src/lib/exportCheck";
import { messages } from "../src/lib/i18n";

const tx = (ja: string, en = ja) => ({ ja, en });
const parts = [
  { key: "a", title: tx("A 事業所記入欄") },
  { key: "b", title: tx("B 主治医記入欄") },
];

function own(): ExportPreview {
  return {
    title: tx("対話記録"),
    sensitive: true,
    parts,
    sections: [
      {
        key: "person",
        title: tx("本人"),
        fields: [
          { path: "person_name", label: tx("氏名"), sensitive: false, value: "架空 花子" },
          { path: "diagnosis_name", label: tx("診断名"), sensitive: true, value: "架空の診断" },
        ],
      },
      { key: "empty", title: tx("空の節"), fields: [] },
    ],
  };
}

function field(path: string, outcome: Outcome, sensitive = outcome !== "included") {
  return { path, label: tx(path), sensitive, value: "v", sent: outcome === "withheld" ? null : "v", outcome, reason: tx("") };
}

function forHr(): DisclosurePreview {
  return {
    title: tx("対話記録"),
    recipient: "株式会社みなと精機 人事部",
    consents: [],
    sensitive: true,
    sections: [
      { key: "person", title: tx("本人"), fields: [field("person_name", "included"), field("diagnosis_name", "withheld")] },
      { key: "request", title: tx("申出"), fields: [field("functional_notes", "partial")] },
      { key: "medical", title: tx("医療"), fields: [field("clinician_input", "withheld")] },
    ],
  };
}

describe("the export's check-answers lists", () => {
  it("puts every printed field of the person's copy in, sensitive ones included, and withholds none", () => {
    const s = ownSummary(own(), null);
    expect(s.included.map((x) => x.key)).toEqual(["person"]);
    expect(s.included[0]?.fields.map((f) => [f.path, f.sensitive])).toEqual([
      ["person_name", false],
      ["diagnosis_name", true],
    ]);
    expect(s.withheld).toEqual([]);
    expect(s.partsLeftOut).toEqual([]);
  });

  it("names the parts not chosen", () => {
    expect(ownSummary(own(), ["a"]).partsLeftOut.map((p) => p.key)).toEqual(["b"]);
    expect(ownSummary(own(), ["a", "b"]).partsLeftOut).toEqual([]);
  });

  it("splits a recipient's copy into what goes (whole or in part) and what is withheld, by section", () => {
    const s = recipientSummary(forHr(), parts, ["a"]);
    expect(s.included.map((x) => [x.key, x.fields.map((f) => [f.path, f.partial])])).toEqual([
      ["person", [["person_name", false]]],
      ["request", [["functional_notes", true]]],
    ]);
    expect(s.withheld.map((x) => [x.key, x.fields.map((f) => f.path)])).toEqual([
      ["person", ["diagnosis_name"]],
      ["medical", ["clinician_input"]],
    ]);
    expect(s.partsLeftOut.map((p) => p.key)).toEqual(["b"]);
  });
});

describe("a disclosure log line with no recipient", () => {
  it("says why the file was made, in words that never read as the employer", () => {
    expect(purposeKey("person_copy")).toBe("disclosures.person_copy");
    expect(purposeKey("kept_on_record")).toBe("disclosures.kept_on_record");
    expect(purposeKey("shown")).toBe("disclosures.shown");
    expect(purposeKey(null)).toBe("disclosures.no_recipient");
    expect(messages.ja[purposeKey("kept_on_record")]).toContain("誰にも渡さない");
    for (const lang of ["ja", "en"] as const) {
      for (const [key, text] of Object.entries(messages[lang])) {
        expect(text, key).not.toMatch(/社内|in-house/);
      }
    }
  });
});
