// Dates for people by the core's one rule (src/text/date.rs, the paper's too): 西暦 (2026年11月20日),
// 和暦 (令和8年11月20日, 元年 for an era's first year), and in English always the Western year
// (20 Nov 2026). The era table and month names come from ../generated/dates.json, which the shell's
// tests write from Rust with inputs and what Rust makes of them; ui/tests/rules.test.ts checks
// formatDate against every case. Also times, numbers typed with an IME, and hashes.
import type { Era } from "../bindings/Era";
import type { Lang } from "../bindings/Lang";
import DATES from "../generated/dates.json";
import { translate } from "./i18n";

type JpEra = { ja: string; en: string; start: string };

/** The modern eras with their first days (inclusive), newest first. */
const ERAS: readonly JpEra[] = DATES.eras;
/** Before this day (the Gregorian calendar's first in Japan) a date keeps its Western year. */
const WAREKI_FROM: string = DATES.wareki_from;
const MONTHS_EN: readonly string[] = DATES.months_en;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysIn(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** `YYYY-MM-DD` → its parts, or null when it is not a calendar date in exactly that shape. */
export function parseIsoDate(s: string): { y: number; m: number; d: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return null;
  return { y, m: mo, d };
}

/** The era and year of a date in 和暦, or null before the Gregorian calendar (1873). */
export function toWareki(iso: string): { era: JpEra; year: number } | null {
  const p = parseIsoDate(iso);
  if (!p || iso < WAREKI_FROM) return null;
  for (const era of ERAS) {
    if (iso >= era.start) return { era, year: p.y - Number(era.start.slice(0, 4)) + 1 };
  }
  return null;
}

/**
 * A `YYYY-MM-DD` date as people read it. ja: 2026年11月20日 or 令和8年11月20日 (令和元年 for the
 * first year); en: 20 Nov 2026 in either era. Anything that is not a date comes back as it was.
 */
export function formatDate(iso: string | null | undefined, era: Era, lang: Lang): string {
  if (!iso) return "";
  const p = parseIsoDate(iso);
  if (!p) return iso;
  if (lang === "en") return `${p.d} ${MONTHS_EN[p.m - 1]} ${String(p.y).padStart(4, "0")}`;
  const w = era === "wareki" ? toWareki(iso) : null;
  if (w) return `${w.era.ja}${w.year === 1 ? "元" : String(w.year)}年${p.m}月${p.d}日`;
  return `${p.y}年${p.m}月${p.d}日`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function localIso(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A timestamp from Rust (RFC 3339) as a local date and hh:mm; unparseable text comes back as is. */
export function formatTimestamp(ts: string | null | undefined, era: Era, lang: Lang): string {
  if (!ts) return "";
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return `${formatDate(localIso(d), era, lang)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** hh:mm:ss of a timestamp (or of now when it cannot be read). */
export function clockTime(ts?: string | null): string {
  let d = ts ? new Date(ts) : new Date();
  if (Number.isNaN(d.getTime())) d = new Date();
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Today as `YYYY-MM-DD` in local time. */
export function today(): string {
  return localIso(new Date());
}

/** Days from today to a `YYYY-MM-DD` date (negative when past), or null. */
export function daysUntil(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const p = parseIsoDate(iso);
  if (!p) return null;
  const now = new Date();
  const a = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  const b = Date.UTC(p.y, p.m - 1, p.d);
  return Math.round((b - a) / 86_400_000);
}

/** Half-width digits, signs and points from anything typed with a Japanese IME (１２．５ → 12.5). */
export function parseNumber(text: string): number | null {
  const s = text
    .normalize("NFKC")
    .replace(/[,，\s]/g, "")
    .replace(/[ー－−]/g, "-");
  if (s === "" || !/^-?(\d+\.?\d*|\.\d+)$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

export function shortHash(sha: string): string {
  return sha.slice(0, 12);
}

// ---- dates as people type them: the core's parse_typed (src/text/date.rs), held to it by the
// typed cases in ../generated/dates.json (ui/tests/rules.test.ts) ----

/** Why typed text is not a date, with what the message needs (the core's TypedDateError). */
export type TypedDateError =
  | { code: "date.unreadable" }
  | { code: "date.no_such_month"; month: number }
  | { code: "date.no_such_day"; year: number; month: number; day: number; last: number }
  | { code: "date.before_gregorian" }
  | { code: "date.outside_era"; era: JpEra; began: boolean; bound: string; day: string };

export type TypedDate = { iso: string } | { error: TypedDateError };

/** The day before the next era began (`YYYY-MM-DD`), or null for the newest era. */
function eraLastDay(era: JpEra): string | null {
  const i = ERAS.indexOf(era);
  const next = i > 0 ? ERAS[i - 1] : undefined;
  if (!next) return null;
  const [y, m, d] = next.start.split("-").map(Number) as [number, number, number];
  const prev = d > 1 ? { y, m, d: d - 1 } : m > 1 ? { y, m: m - 1, d: daysIn(y, m - 1) } : { y: y - 1, m: 12, d: 31 };
  return isoOf(prev.y, prev.m, prev.d);
}

function isoOf(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, "0")}-${pad(m)}-${pad(d)}`;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** Era names, then initials (R, H, S, T, M from the English names): the first match wins, as in Rust. */
const ERA_PREFIX = new RegExp(
  `^(${ERAS.map((e) => escapeRe(e.ja)).join("|")}|[${ERAS.map((e) => escapeRe(e.en.charAt(0))).join("")}])`,
  "i",
);
const SYMBOL_DATE = /^(元|\d+)([/.-])(\d+)\2(\d+)$/;
const KANJI_DATE = /^(元|\d+)年(\d+)月(\d+)日?$/;

/**
 * A date as a person types it, year first, in 西暦 or 和暦: 2026/11/20, 2026-11-20, 2026.11.20,
 * 20261120, 2026年11月20日, 令和8年11月20日, 令和元年5月1日, R8.11.20 (an era's initial, any case), in
 * any width (NFKC; spaces dropped; ー and other dashes read as -). The record's `YYYY-MM-DD`, or why not.
 */
export function parseTypedDate(text: string): TypedDate {
  const unreadable: TypedDate = { error: { code: "date.unreadable" } };
  const t = text
    .normalize("NFKC")
    .replace(/[\s\u0085]/gu, "")
    .replace(/[ー−‐‑‒–—―]/g, "-");
  let rest = t;
  let era: JpEra | null = null;
  const e = ERA_PREFIX.exec(t);
  if (e) {
    const p = e[1] ?? "";
    era = ERAS.find((x) => x.ja === p) ?? ERAS.find((x) => x.en.charAt(0).toUpperCase() === p.toUpperCase()) ?? null;
    rest = t.slice(p.length);
  }
  let parts: [string, string, string] | null = null;
  const eight = /^\d{8}$/.exec(rest);
  const sym = SYMBOL_DATE.exec(rest);
  const kanji = KANJI_DATE.exec(rest);
  if (eight && !era) parts = [rest.slice(0, 4), rest.slice(4, 6), rest.slice(6, 8)];
  else if (sym) parts = [sym[1] ?? "", sym[3] ?? "", sym[4] ?? ""];
  else if (kanji) parts = [kanji[1] ?? "", kanji[2] ?? "", kanji[3] ?? ""];
  if (!parts) return unreadable;
  const [ys, ms, ds] = parts;
  const yearOk = era ? ys === "元" || /^\d{1,3}$/.test(ys) : /^\d{4}$/.test(ys);
  if (!yearOk || !/^\d{1,2}$/.test(ms) || !/^\d{1,2}$/.test(ds)) return unreadable;
  const n = ys === "元" ? 1 : Number(ys);
  const year = era ? Number(era.start.slice(0, 4)) + n - 1 : n;
  const month = Number(ms);
  const day = Number(ds);
  if (month < 1 || month > 12) return { error: { code: "date.no_such_month", month } };
  const last = daysIn(year, month);
  if (day < 1 || day > last) return { error: { code: "date.no_such_day", year, month, day, last } };
  const iso = isoOf(year, month, day);
  if (era) {
    if (iso < WAREKI_FROM) return { error: { code: "date.before_gregorian" } };
    if (toWareki(iso)?.era !== era) {
      const began = iso < era.start;
      const bound = began ? era.start : eraLastDay(era);
      if (bound === null) return unreadable;
      return { error: { code: "date.outside_era", era, began, bound, day: iso } };
    }
  }
  return { iso };
}

/** 2026年11月20日(令和8年) / 20 Nov 2026 (Reiwa 8): what a typed date was read as, in both calendars. */
export function describeDate(iso: string, lang: Lang): string {
  const western = formatDate(iso, "seireki", lang);
  const w = toWareki(iso);
  if (!w) return western;
  if (lang === "en") return `${western} (${w.era.en} ${w.year})`;
  return `${western}(${w.era.ja}${w.year === 1 ? "元" : String(w.year)}年)`;
}

/** A stored date as the box shows it, in a form parseTypedDate reads back (令和8年11月20日, 2026/11/20). */
export function dateBoxText(value: string, era: Era, lang: Lang): string {
  const p = parseIsoDate(value);
  if (!p) return value;
  return lang === "ja" ? formatDate(value, era, "ja") : `${p.y}/${p.m}/${p.d}`;
}

/** The message for a date that cannot be read, in `lang` (the core's TypedDateError::message). */
export function typedDateMessage(e: TypedDateError, lang: Lang): string {
  switch (e.code) {
    case "date.unreadable":
    case "date.before_gregorian":
      return translate(lang, e.code);
    case "date.no_such_month":
      return translate(lang, e.code, { month: e.month });
    case "date.no_such_day":
      return translate(lang, e.code, {
        year: e.year,
        month: lang === "en" ? (MONTHS_EN[e.month - 1] ?? String(e.month)) : e.month,
        day: e.day,
        last: e.last,
      });
    case "date.outside_era": {
      const w = toWareki(e.day);
      const real = !w ? formatDate(e.day, "seireki", lang) : lang === "en" ? `${w.era.en} ${w.year}` : formatDate(e.day, "wareki", "ja");
      return translate(lang, e.began ? "date.era_began" : "date.era_ended", {
        era: lang === "en" ? e.era.en : e.era.ja,
        bound: formatDate(e.bound, "seireki", lang),
        day: formatDate(e.day, "seireki", lang),
        real,
      });
    }
  }
}
