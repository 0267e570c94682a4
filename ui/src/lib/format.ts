// Dates for people: 西暦 (2026年11月20日 / 2026-11-20) or 和暦 (令和8年11月20日), and times.
import type { Era } from "../bindings/Era";
import type { Lang } from "../bindings/Lang";

type JpEra = { ja: string; en: string; start: string };

/** Start dates of the modern eras (inclusive), newest first. */
const ERAS: JpEra[] = [
  { ja: "令和", en: "Reiwa", start: "2019-05-01" },
  { ja: "平成", en: "Heisei", start: "1989-01-08" },
  { ja: "昭和", en: "Showa", start: "1926-12-25" },
  { ja: "大正", en: "Taisho", start: "1912-07-30" },
  { ja: "明治", en: "Meiji", start: "1873-01-01" },
];

const MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `YYYY-MM-DD` → its parts, or null when it is not a calendar date. */
export function parseIsoDate(s: string): { y: number; m: number; d: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return { y, m: mo, d };
}

/** The era and year of a date in 和暦, or null before 1873. */
export function toWareki(iso: string): { era: JpEra; year: number } | null {
  const p = parseIsoDate(iso);
  if (!p) return null;
  for (const era of ERAS) {
    if (iso >= era.start) {
      const startYear = Number(era.start.slice(0, 4));
      return { era, year: p.y - startYear + 1 };
    }
  }
  return null;
}

/**
 * A `YYYY-MM-DD` date as people read it. ja: 2026年11月20日 or 令和8年11月20日 (令和元年 for the
 * first year); en: 20 Nov 2026 or 20 Nov Reiwa 8. Anything that is not a date comes back as it was.
 */
export function formatDate(iso: string | null | undefined, era: Era, lang: Lang): string {
  if (!iso) return "";
  const p = parseIsoDate(iso);
  if (!p) return iso;
  if (era === "wareki") {
    const w = toWareki(iso);
    if (w) {
      if (lang === "ja") {
        const year = w.year === 1 ? "元" : String(w.year);
        return `${w.era.ja}${year}年${p.m}月${p.d}日`;
      }
      return `${p.d} ${MONTHS_EN[p.m - 1]} ${w.era.en} ${w.year}`;
    }
  }
  return lang === "ja" ? `${p.y}年${p.m}月${p.d}日` : `${p.d} ${MONTHS_EN[p.m - 1]} ${p.y}`;
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
