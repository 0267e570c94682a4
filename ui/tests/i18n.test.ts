import { describe, expect, it } from "vitest";
import { messages, pick, translate } from "../src/lib/i18n";

const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("messages", () => {
  it("has every key in Japanese and English, with the same parameters", () => {
    const ja = messages.ja;
    const en = messages.en;
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      expect(en[key].trim(), key).not.toBe("");
      expect(params(en[key]), key).toEqual(params(ja[key]));
    }
  });

  it("fills parameters", () => {
    expect(translate("ja", "editor.saved_at", { time: "10:15:30" })).toBe("自動保存しました 10:15:30(この端末の作業中の控え)");
    expect(translate("en", "cases.count", { n: 3 })).toBe("3 found");
  });

  it("picks a text from Rust in the current language", () => {
    expect(pick({ ja: "氏名", en: "Name" }, "en")).toBe("Name");
    expect(pick({ ja: "氏名", en: "" }, "en")).toBe("氏名");
    expect(pick(null, "ja")).toBe("");
  });
});
