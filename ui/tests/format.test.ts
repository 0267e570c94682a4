import { describe, expect, it } from "vitest";
import { formatDate, parseIsoDate, parseNumber, toWareki } from "../src/lib/format";

describe("dates", () => {
  it("formats 西暦 and 和暦 in both languages", () => {
    expect(formatDate("2026-11-20", "seireki", "ja")).toBe("2026年11月20日");
    expect(formatDate("2026-11-20", "wareki", "ja")).toBe("令和8年11月20日");
    expect(formatDate("2026-11-20", "wareki", "en")).toBe("20 Nov 2026");
    expect(formatDate("2026-11-20", "seireki", "en")).toBe("20 Nov 2026");
  });

  it("knows where the eras change and calls a first year 元年", () => {
    expect(formatDate("2019-04-30", "wareki", "ja")).toBe("平成31年4月30日");
    expect(formatDate("2019-05-01", "wareki", "ja")).toBe("令和元年5月1日");
    expect(formatDate("1989-01-07", "wareki", "ja")).toBe("昭和64年1月7日");
    expect(formatDate("1989-01-08", "wareki", "ja")).toBe("平成元年1月8日");
    expect(toWareki("1996-07-12")?.era.ja).toBe("平成");
  });

  it("leaves what is not a date as it was", () => {
    expect(parseIsoDate("2026-02-30")).toBeNull();
    expect(formatDate("2026-02-30", "wareki", "ja")).toBe("2026-02-30");
    expect(formatDate("", "seireki", "ja")).toBe("");
  });
});

describe("numbers typed with a Japanese IME", () => {
  it("accepts full-width digits and separators", () => {
    expect(parseNumber("１２")).toBe(12);
    expect(parseNumber("６．５")).toBe(6.5);
    expect(parseNumber("1,200")).toBe(1200);
    expect(parseNumber("ー3")).toBe(-3);
  });

  it("rejects what is not a number", () => {
    expect(parseNumber("")).toBeNull();
    expect(parseNumber("三")).toBeNull();
    expect(parseNumber("1.2.3")).toBeNull();
  });
});
