//! Dates as people read them, on paper and on screen, in one rule: 西暦 (2026年11月20日), 和暦
//! (令和8年11月20日, 令和元年 for an era's first year) or English (20 Nov 2026: always the Western
//! year, whichever era is chosen). The app's screens follow it: ui/src/lib/format.ts takes the era
//! table and the month names from ui/src/generated/dates.json, which the shell's tests write from
//! here together with inputs and what `date` makes of them; the UI's tests check format.ts
//! against those.
//!
//! Dates as people type them (`parse_typed`): 2026/11/20, 2026年11月20日, 令和8年11月20日, R8.11.20,
//! in any width, read to the record's `YYYY-MM-DD`; the UI's `parseTypedDate` is held to it by the
//! same generated file.

use crate::i18n::{Lang, Text, UserError};
use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

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

/// The day before the next era began; None for the newest era.
pub fn era_last_day(era: &JapaneseEra) -> Option<NaiveDate> {
    let i = ERAS.iter().position(|e| e == era)?;
    let (y, m, d) = ERAS.get(i.checked_sub(1)?)?.start;
    NaiveDate::from_ymd_opt(y, m, d)?.pred_opt()
}

/// Why typed text is not a date. The messages repeat the month and day typed, which is what the
/// person needs beside the field; they are not for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypedDateError {
    #[error("{}", self.message().en)]
    Unreadable,
    #[error("{}", self.message().en)]
    NoSuchMonth { month: u32 },
    #[error("{}", self.message().en)]
    NoSuchDay {
        year: i32,
        month: u32,
        day: u32,
        /// The month's last day that year.
        last: u32,
    },
    /// An era's year before 1873: the lunisolar calendar's, with no Gregorian day to store.
    #[error("{}", self.message().en)]
    BeforeGregorian,
    /// A calendar day, but not one of the era typed (平成31年5月1日 is 令和元年5月1日).
    #[error("{}", self.message().en)]
    OutsideEra {
        era: &'static JapaneseEra,
        /// The day the numbers typed stand for in the Gregorian calendar.
        day: NaiveDate,
    },
}

impl UserError for TypedDateError {
    fn code(&self) -> &'static str {
        match self {
            TypedDateError::Unreadable => "date.unreadable",
            TypedDateError::NoSuchMonth { .. } => "date.no_such_month",
            TypedDateError::NoSuchDay { .. } => "date.no_such_day",
            TypedDateError::BeforeGregorian => "date.before_gregorian",
            TypedDateError::OutsideEra { .. } => "date.outside_era",
        }
    }

    fn message(&self) -> Text {
        let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let ja = |d: NaiveDate| date(&iso(d), Lang::Ja, Era::Seireki);
        let en = |d: NaiveDate| date(&iso(d), Lang::En, Era::Seireki);
        match self {
            TypedDateError::Unreadable => Text::new(
                "日付として読めません。年・月・日の順に、西暦または和暦で入力してください(例: 2026/11/20 または 令和8年11月20日)。",
                "This cannot be read as a date. Type the year, month and day, Western or Japanese era (e.g. 2026/11/20 or R8.11.20).",
            ),
            TypedDateError::NoSuchMonth { month } => Text::new(
                format!("{month}月はありません。月は1から12です。"),
                format!("There is no month {month}: months are 1 to 12."),
            ),
            TypedDateError::NoSuchDay {
                year,
                month,
                day,
                last,
            } => {
                let name = MONTHS_EN[*month as usize - 1];
                Text::new(
                    format!(
                        "{month}月{day}日はありません({year}年の{month}月は{last}日までです)。"
                    ),
                    format!("There is no {name} {day} in {year}: {name} has {last} days."),
                )
            }
            TypedDateError::BeforeGregorian => Text::new(
                "明治5年(1872年)までの和暦の日付は旧暦のため、西暦の日付に直せません。西暦で入力してください。",
                "Japanese-era dates before 1873 (Meiji 6) are in the old lunisolar calendar; type the Western date.",
            ),
            TypedDateError::OutsideEra { era, day } => {
                let start = (day.year(), day.month(), day.day()) < era.start;
                let bound = if start {
                    NaiveDate::from_ymd_opt(era.start.0, era.start.1, era.start.2)
                } else {
                    era_last_day(era)
                };
                let Some(bound) = bound else {
                    return TypedDateError::Unreadable.message();
                };
                let (real_ja, real_en) = match wareki(*day) {
                    Some((e, n)) => (
                        date(&iso(*day), Lang::Ja, Era::Wareki),
                        format!("{} {n}", e.en),
                    ),
                    None => (ja(*day), String::new()),
                };
                let real_en = if real_en.is_empty() {
                    String::new()
                } else {
                    format!(" is {real_en}")
                };
                if start {
                    Text::new(
                        format!(
                            "{}は{}からです。{}は{real_ja}です。",
                            era.ja,
                            ja(bound),
                            ja(*day)
                        ),
                        format!("{} began on {}; {}{real_en}.", era.en, en(bound), en(*day)),
                    )
                } else {
                    Text::new(
                        format!(
                            "{}は{}までです。{}は{real_ja}です。",
                            era.ja,
                            ja(bound),
                            ja(*day)
                        ),
                        format!("{} ended on {}; {}{real_en}.", era.en, en(bound), en(*day)),
                    )
                }
            }
        }
    }
}

/// What `parse_typed` reads: a separator between numbers, or 元 (an era's first year).
#[derive(Debug, PartialEq)]
enum Token {
    Num(String),
    Gan,
    Sep(char),
}

/// A date as a person types it, in 西暦 or 和暦, year first: 2026-11-20, 2026/11/20, 2026.11.20,
/// 20261120, 2026年11月20日 (日 may be left off), 令和8年11月20日, 令和元年5月1日, R8.11.20, r8/11/20,
/// H31.4.30 (the era's initial, any case). Full-width characters and spaces anywhere are read as
/// typed with an IME (NFKC; spaces dropped; ー and other dashes read as -). A Western year has four
/// digits (26/11/20 could be any century). An era's year must fall in that era, and a year before
/// 1873 has no Gregorian day.
pub fn parse_typed(s: &str) -> Result<NaiveDate, TypedDateError> {
    let t: String = s
        .nfkc()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .map(|c| match c {
            'ー' | '−' | '‐' | '‑' | '‒' | '–' | '—' | '―' => '-',
            c => c,
        })
        .collect();
    let mut rest = t.as_str();
    let mut era = None;
    for e in ERAS {
        let initial = e.en.chars().next();
        if let Some(r) = rest.strip_prefix(e.ja) {
            era = Some(e);
            rest = r;
            break;
        }
        let mut cs = rest.chars();
        if cs.next().map(|c| c.to_ascii_uppercase()) == initial {
            era = Some(e);
            rest = cs.as_str();
            break;
        }
    }
    let mut tokens = Vec::new();
    for c in rest.chars() {
        match (c, tokens.last_mut()) {
            ('0'..='9', Some(Token::Num(n))) => n.push(c),
            ('0'..='9', _) => tokens.push(Token::Num(c.to_string())),
            ('元', _) => tokens.push(Token::Gan),
            (c, _) => tokens.push(Token::Sep(c)),
        }
    }
    let num = |t: &Token, len: std::ops::RangeInclusive<usize>| match t {
        Token::Num(n) if len.contains(&n.len()) => n.parse::<i32>().ok(),
        _ => None,
    };
    let year_ok = |t: &Token| match (era, t) {
        (Some(_), Token::Gan) => Some(1),
        (Some(_), t) => num(t, 1..=3),
        (None, t) => num(t, 4..=4),
    };
    let (year, month, day) = match tokens.as_slice() {
        [Token::Num(n)] if era.is_none() && n.len() == 8 => {
            let p = |r: std::ops::Range<usize>| n[r].parse::<i32>().ok();
            (p(0..4), p(4..6), p(6..8))
        }
        [y, Token::Sep(s1), m, Token::Sep(s2), d, tail @ ..]
            if match (s1, s2, tail) {
                ('年', '月', []) | ('年', '月', [Token::Sep('日')]) => true,
                ('/' | '-' | '.', _, []) => s1 == s2,
                _ => false,
            } =>
        {
            (year_ok(y), num(m, 1..=2), num(d, 1..=2))
        }
        _ => (None, None, None),
    };
    let (Some(year), Some(month), Some(day)) = (year, month, day) else {
        return Err(TypedDateError::Unreadable);
    };
    let (month, day) = (month as u32, day as u32);
    let year = match era {
        Some(e) => e.start.0 + year - 1,
        None => year,
    };
    if !(1..=12).contains(&month) {
        return Err(TypedDateError::NoSuchMonth { month });
    }
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return Err(TypedDateError::Unreadable);
    };
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| d.day());
    let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
        return Err(TypedDateError::NoSuchDay {
            year,
            month,
            day,
            last,
        });
    };
    if let Some(e) = era {
        if (year, month, day) < WAREKI_FROM {
            return Err(TypedDateError::BeforeGregorian);
        }
        if wareki(date).map(|(found, _)| found) != Some(e) {
            return Err(TypedDateError::OutsideEra { era: e, day: date });
        }
    }
    Ok(date)
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

    fn typed(s: &str) -> Result<String, &'static str> {
        parse_typed(s)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .map_err(|e| e.code())
    }

    #[test]
    fn dates_typed_in_every_usual_form_are_the_same_day() {
        for s in [
            "2026-11-20",
            "2026/11/20",
            "2026.11.20",
            "20261120",
            "2026年11月20日",
            "2026年11月20",
            "令和8年11月20日",
            "令和08年11月20日",
            "令和8/11/20",
            "R8.11.20",
            "R8/11/20",
            "r8.11.20",
            "R08.11.20",
            "２０２６／１１／２０",
            "令和８年１１月２０日",
            "Ｒ８．１１．２０",
            " 2026 / 11 / 20 ",
            "令和\u{3000}8年 11月 20日",
            "㋿8年11月20日",
            "2026ー11ー20",
            "2026−11−20",
        ] {
            assert_eq!(typed(s), Ok("2026-11-20".into()), "{s:?}");
        }
        assert_eq!(typed("2026/1/5"), Ok("2026-01-05".into()));
        assert_eq!(typed("令和元年5月1日"), Ok("2019-05-01".into()));
        assert_eq!(typed("令和1年5月1日"), Ok("2019-05-01".into()));
        assert_eq!(typed("H31.4.30"), Ok("2019-04-30".into()));
        assert_eq!(typed("平成元年1月8日"), Ok("1989-01-08".into()));
        assert_eq!(typed("S64.1.7"), Ok("1989-01-07".into()));
        assert_eq!(typed("s50.4.1"), Ok("1975-04-01".into()));
        assert_eq!(typed("T15.12.24"), Ok("1926-12-24".into()));
        assert_eq!(typed("M45.7.29"), Ok("1912-07-29".into()));
        assert_eq!(typed("明治6年1月1日"), Ok("1873-01-01".into()));
        assert_eq!(typed("2024/2/29"), Ok("2024-02-29".into()));
    }

    #[test]
    fn impossible_days_and_days_of_another_era_are_refused_with_what_is_true() {
        assert_eq!(typed("2026/02/30"), Err("date.no_such_day"));
        assert_eq!(typed("2023/2/29"), Err("date.no_such_day"));
        assert_eq!(typed("2026/4/31"), Err("date.no_such_day"));
        assert_eq!(typed("2026/4/0"), Err("date.no_such_day"));
        assert_eq!(typed("2026/13/1"), Err("date.no_such_month"));
        assert_eq!(typed("2026/0/1"), Err("date.no_such_month"));
        assert_eq!(typed("平成31年5月1日"), Err("date.outside_era"));
        assert_eq!(typed("平成32年1月1日"), Err("date.outside_era"));
        assert_eq!(typed("令和元年4月30日"), Err("date.outside_era"));
        assert_eq!(typed("令和0年12月1日"), Err("date.outside_era"));
        assert_eq!(typed("S64.1.8"), Err("date.outside_era"));
        assert_eq!(typed("明治5年12月31日"), Err("date.before_gregorian"));
        for s in [
            "",
            "26/11/20",
            "2026/11",
            "2026/11-20",
            "2026/11/20日",
            "2026年11/20",
            "R8",
            "X8.11.20",
            "2026/11/20/1",
            "11/20/2026",
            "20/11/2026",
            "令和八年十一月二十日",
            "2026年元年1月1日",
            "元年1月1日",
            "2026.11.20.",
            "not a date",
            "202611201",
        ] {
            assert_eq!(typed(s), Err("date.unreadable"), "{s:?}");
        }

        let said = |s: &str| parse_typed(s).err().map(|e| e.message());
        let m = said("2026/02/30").unwrap();
        assert_eq!(m.ja, "2月30日はありません(2026年の2月は28日までです)。");
        assert_eq!(m.en, "There is no Feb 30 in 2026: Feb has 28 days.");
        let m = said("平成31年5月1日").unwrap();
        assert_eq!(
            m.ja,
            "平成は2019年4月30日までです。2019年5月1日は令和元年5月1日です。"
        );
        assert_eq!(m.en, "Heisei ended on 30 Apr 2019; 1 May 2019 is Reiwa 1.");
        let m = said("令和元年4月30日").unwrap();
        assert_eq!(
            m.ja,
            "令和は2019年5月1日からです。2019年4月30日は平成31年4月30日です。"
        );
        let m = said("26/11/20").unwrap();
        assert!(
            m.ja.contains("例: 2026/11/20 または 令和8年11月20日"),
            "{}",
            m.ja
        );
    }

    #[test]
    fn an_era_ends_the_day_before_the_next_begins() {
        assert_eq!(era_last_day(&ERAS[0]), None);
        assert_eq!(era_last_day(&ERAS[1]), NaiveDate::from_ymd_opt(2019, 4, 30));
        assert_eq!(era_last_day(&ERAS[4]), NaiveDate::from_ymd_opt(1912, 7, 29));
    }
}
