//! Dates as people read them, on paper and on screen, in one rule: 西暦 (2026年11月20日), 和暦
//! (令和8年11月20日, 令和元年 for an era's first year) or English (20 Nov 2026: always the Western
//! year, whichever era is chosen). The app's screens follow it: ui/src/lib/format.ts takes the era
//! table and the month names from ui/src/generated/dates.json, which the shell's tests write from
//! here together with inputs and what `date` makes of them; the UI's tests check format.ts
//! against those.

use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};

/// How a Japanese date is written.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "lowercase")]
pub enum Era {
    /// 2026年11月20日
    #[default]
    Seireki,
    /// 令和8年11月20日
    Wareki,
}

impl std::str::FromStr for Era {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "seireki" => Ok(Era::Seireki),
            "wareki" => Ok(Era::Wareki),
            other => Err(format!(
                "暦は seireki か wareki です / era must be seireki or wareki, not {other:?}"
            )),
        }
    }
}

/// A Japanese era (元号): its name and its first day in the Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JapaneseEra {
    pub ja: &'static str,
    pub en: &'static str,
    /// (year, month, day) of the 改元; the era's year 1 (元年) is that Gregorian year.
    pub start: (i32, u32, u32),
}

/// The modern eras, newest first.
pub const ERAS: &[JapaneseEra] = &[
    JapaneseEra {
        ja: "令和",
        en: "Reiwa",
        start: (2019, 5, 1),
    },
    JapaneseEra {
        ja: "平成",
        en: "Heisei",
        start: (1989, 1, 8),
    },
    JapaneseEra {
        ja: "昭和",
        en: "Showa",
        start: (1926, 12, 25),
    },
    JapaneseEra {
        ja: "大正",
        en: "Taisho",
        start: (1912, 7, 30),
    },
    JapaneseEra {
        ja: "明治",
        en: "Meiji",
        start: (1868, 10, 23),
    },
];

/// Japan counted days by the lunisolar calendar until 明治5年12月2日; the Gregorian calendar
/// began on 明治6年1月1日 (1873-01-01). An earlier Gregorian date has no 和暦 form without that
/// calendar's months and days, so it keeps its Western year.
pub const WAREKI_FROM: (i32, u32, u32) = (1873, 1, 1);

/// English month names as printed (20 Nov 2026).
pub const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date as records hold it: exactly `YYYY-MM-DD`, a day of the calendar.
pub fn parse(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    NaiveDate::from_ymd_opt(n(0..4)? as i32, n(5..7)?, n(8..10)?)
}

/// The era of a date and its year in that era (1 for 元年); None before `WAREKI_FROM`.
pub fn wareki(d: NaiveDate) -> Option<(&'static JapaneseEra, i32)> {
    let ymd = (d.year(), d.month(), d.day());
    if ymd < WAREKI_FROM {
        return None;
    }
    let era = ERAS.iter().find(|e| ymd >= e.start)?;
    Some((era, d.year() - era.start.0 + 1))
}

/// `YYYY-MM-DD` as people write it. Anything else is given back as it was.
pub fn date(s: &str, lang: Lang, era: Era) -> String {
    let Some(d) = parse(s) else {
        return s.to_string();
    };
    let (y, m, day) = (d.year(), d.month(), d.day());
    let wareki = match era {
        Era::Wareki => wareki(d),
        Era::Seireki => None,
    };
    match (lang, wareki) {
        (Lang::En, _) => format!("{day} {} {y:04}", MONTHS_EN[m as usize - 1]),
        (Lang::Ja, Some((e, n))) => {
            let year = if n == 1 {
                "元".to_string()
            } else {
                n.to_string()
            };
            format!("{}{year}年{m}月{day}日", e.ja)
        }
        (Lang::Ja, None) => format!("{y}年{m}月{day}日"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_eras() {
        assert_eq!(date("2026-11-20", Lang::Ja, Era::Seireki), "2026年11月20日");
        assert_eq!(date("2026-11-20", Lang::Ja, Era::Wareki), "令和8年11月20日");
        assert_eq!(date("2019-05-01", Lang::Ja, Era::Wareki), "令和元年5月1日");
        assert_eq!(date("2019-04-30", Lang::Ja, Era::Wareki), "平成31年4月30日");
        assert_eq!(date("1989-01-07", Lang::Ja, Era::Wareki), "昭和64年1月7日");
        assert_eq!(date("2026-11-20", Lang::En, Era::Wareki), "20 Nov 2026");
    }

    #[test]
    fn taisho_and_meiji_from_the_gregorian_calendar_on() {
        assert_eq!(
            date("1926-12-24", Lang::Ja, Era::Wareki),
            "大正15年12月24日"
        );
        assert_eq!(
            date("1926-12-25", Lang::Ja, Era::Wareki),
            "昭和元年12月25日"
        );
        assert_eq!(date("1912-07-30", Lang::Ja, Era::Wareki), "大正元年7月30日");
        assert_eq!(date("1912-07-29", Lang::Ja, Era::Wareki), "明治45年7月29日");
        assert_eq!(date("1873-01-01", Lang::Ja, Era::Wareki), "明治6年1月1日");
        assert_eq!(date("1872-12-31", Lang::Ja, Era::Wareki), "1872年12月31日");
    }

    #[test]
    fn only_calendar_days_in_the_record_shape() {
        assert_eq!(date("2026-02-30", Lang::Ja, Era::Wareki), "2026-02-30");
        assert_eq!(date("2026-1-5", Lang::Ja, Era::Seireki), "2026-1-5");
        assert_eq!(date(" 2026-01-05", Lang::En, Era::Seireki), " 2026-01-05");
        assert_eq!(date("", Lang::Ja, Era::Seireki), "");
        assert_eq!(date("2024-02-29", Lang::En, Era::Seireki), "29 Feb 2024");
    }

    #[test]
    fn the_eras_are_newest_first() {
        assert!(ERAS.windows(2).all(|w| w[0].start > w[1].start));
        assert!(ERAS.last().is_some_and(|e| e.start < WAREKI_FROM));
    }
}
