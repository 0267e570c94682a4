import { describe, expect, it } from "vitest";
import { isRequired, normPath, resolveProblemPath, rowFree, rustPath } from "../src/lib/paths";
import type { Template } from "../src/lib/template";

const tx = (s: string) => ({ ja: s, en: s });

// A small form in the shape of templates/README.md (fictional content).
const form: Template = {
  id: "test-form",
  version: 1,
  title: tx("テスト"),
  sections: [
    {
      key: "main",
      title: tx("本体"),
      fields: [
        { key: "person_name", type: "text", label: tx("氏名") },
        { key: "legal_basis", type: "multi", label: tx("枠組み"), options: [{ key: "a", label: tx("A") }] },
        { key: "contract_end", type: "date_range", label: tx("期間") },
        {
          key: "recorder",
          type: "compound",
          label: tx("記録者"),
          fields: [{ key: "name", type: "text", label: tx("氏名") }],
        },
        {
          key: "participants",
          type: "group",
          label: tx("参加者"),
          fields: [
            { key: "name", type: "text", label: tx("氏名") },
            {
              key: "signature",
              type: "signature",
              label: tx("署名"),
              fields: [{ key: "date", type: "date", label: tx("日付") }],
            },
          ],
        },
      ],
    },
  ],
};

describe("paths", () => {
  it("converts between Rust's and the UI's spelling", () => {
    expect(normPath("participants[2].name")).toBe("participants.2.name");
    expect(rustPath("participants.2.name")).toBe("participants[2].name");
    expect(rowFree("participants.2.signature.date")).toBe("participants.signature.date");
    expect(normPath("person_name")).toBe("person_name");
  });

  it("places a problem at the nearest control the editor draws", () => {
    expect(resolveProblemPath(form, "person_name")).toBe("person_name");
    expect(resolveProblemPath(form, "participants[2].name")).toBe("participants.2.name");
    expect(resolveProblemPath(form, "participants[0].signature.date")).toBe("participants.0.signature.date");
    expect(resolveProblemPath(form, "participants[1]")).toBe("participants.1");
    expect(resolveProblemPath(form, "participants")).toBe("participants");
    expect(resolveProblemPath(form, "legal_basis[1]")).toBe("legal_basis");
    expect(resolveProblemPath(form, "contract_end.start")).toBe("contract_end.start");
    expect(resolveProblemPath(form, "recorder.name")).toBe("recorder.name");
    expect(resolveProblemPath(form, "recorder.nmae")).toBe("recorder");
    expect(resolveProblemPath(form, "no_such_field")).toBeNull();
  });

  it("reads Check.required with or without row numbers", () => {
    const req = new Set(["person_name", "participants.name", "consents[1].recorded_by"]);
    expect(isRequired(req, "person_name")).toBe(true);
    expect(isRequired(req, "participants.3.name")).toBe(true);
    expect(isRequired(req, "consents.1.recorded_by")).toBe(true);
    expect(isRequired(req, "recorder.name")).toBe(false);
  });
});
