import { describe, expect, it } from "vitest";
import type { Check } from "../src/bindings/Check";
import { sectionProgress, totalLeft } from "../src/editor/progress";
import type { Template } from "../src/lib/template";

const tx = (s: string) => ({ ja: s, en: s });

// A small form in the shape of templates/README.md (fictional content).
const form: Template = {
  id: "test-form",
  version: 1,
  title: tx("テスト"),
  sections: [
    {
      key: "meta",
      title: tx("記録情報"),
      fields: [
        { key: "record_id", type: "text", label: tx("番号"), auto: "document_id" },
        { key: "session_date", type: "date", label: tx("実施日") },
      ],
    },
    {
      key: "people",
      title: tx("参加者"),
      fields: [
        {
          key: "participants",
          type: "group",
          label: tx("参加者"),
          fields: [{ key: "name", type: "text", label: tx("氏名") }],
        },
        { key: "note", type: "notice", label: tx("注記") },
      ],
    },
    { key: "later", title: tx("見直し"), fields: [{ key: "next_review_date", type: "date", label: tx("予定日") }] },
  ],
};

function check(problems: string[], toFinalize: string[]): Check {
  return {
    problems: problems.map((path) => ({ path, code: "x", ja: "x", en: "x" })),
    required: [],
    hidden: [],
    to_finalize: toFinalize,
  };
}

describe("sectionProgress", () => {
  it("names each section's state from Rust's paths and what has been typed", () => {
    const p = sectionProgress(
      form,
      { record_id: "auto-filled", participants: [{ name: "架空 花子" }] },
      check(["participants[0].name"], ["session_date", "participants[1].name", "participants.1.name"]),
    );
    expect(p).toEqual([
      // An auto field does not make a section started.
      { key: "meta", state: "not_started", left: 1, issues: 0 },
      // A problem outweighs what is left; the two spellings of one path count once.
      { key: "people", state: "check", left: 1, issues: 1 },
      { key: "later", state: "not_started", left: 0, issues: 0 },
    ]);
    expect(totalLeft(p)).toBe(3);
  });

  it("moves a section from in progress to done as its gaps close", () => {
    const fields = { session_date: "2026-11-20" };
    expect(sectionProgress(form, fields, check([], ["session_date"]))[0]?.state).toBe("in_progress");
    expect(sectionProgress(form, fields, check([], []))[0]?.state).toBe("done");
  });

  it("ignores paths that name no field of the form", () => {
    const p = sectionProgress(form, {}, check(["", "unknown_key"], ["gone.field"]));
    expect(totalLeft(p)).toBe(0);
  });
});
