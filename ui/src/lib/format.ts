// Dates for people by the core's one rule (src/text/date.rs, the paper's too): 西暦 (2026年11月20日),
// 和暦 (令和8年11月20日, 元年 for an era's first year), and in English always the Western year
// (20 Nov 2026). The era table and month names come from ../generated/dates.json, which the shell's
// tests write from Rust with inputs and what Rust makes of them; ui/tests/rules.test.ts checks
// formatDate against every case. Also times, numbers typed with an IME, and hashes.
import type { Era } from "../bindings/Era";
import type { Lang } from "../bindings/Lang";
import DATES from "../generated/dates.json";

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
