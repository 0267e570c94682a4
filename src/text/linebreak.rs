//! Line breaking for Japanese forms: UAX #14 break opportunities (unicode-linebreak; its defaults
//! give the strict 禁則: no break before 、。）」ー or small kana, none after （「), greedy filling, and
//! a per-character split for a unit wider than the line (a long URL), still keeping 行頭禁則.

use unicode_linebreak::linebreaks;

/// Characters that never start a line (行頭禁則), for the per-character fallback split.
pub fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | ','
            | '.'
            | '）'
            | ')'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '］'
            | ']'
            | '｝'
            | '}'
            | '・'
            | '：'
            | ';'
            | '；'
            | ':'
            | '？'
            | '?'
            | '！'
            | '!'
            | 'ー'
            | '々'
            | 'ゝ'
            | 'ゞ'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
            | 'ｧ'
            | 'ｨ'
            | 'ｩ'
            | 'ｪ'
            | 'ｫ'
            | 'ｬ'
            | 'ｭ'
            | 'ｮ'
            | 'ｯ'
            | 'ｰ'
            | '｡'
            | '､'
            | '｣'
    )
}

/// Characters that never end a line (行末禁則).
pub fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '（' | '(' | '「' | '『' | '【' | '〔' | '〈' | '《' | '［' | '[' | '｛' | '{' | '｢'
    )
}

/// Breaks `text` into lines no wider than `max` (as measured by `width`). Newlines in the text are
/// kept as line breaks; blank lines stay blank.
pub fn wrap(text: &str, max: f32, width: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let para = para.strip_suffix('\r').unwrap_or(para);
        if para.is_empty() {
            lines.push(String::new());
            continue;
        }
        let mut line = String::new();
        let mut line_w = 0.0;
        let mut start = 0;
        for (end, _) in linebreaks(para) {
            let seg = &para[start..end];
            start = end;
            let seg_w = width(seg);
            let fit_w = width(seg.trim_end());
            if line_w + fit_w <= max {
                line.push_str(seg);
                line_w += seg_w;
                continue;
            }
            if !line.trim().is_empty() {
                lines.push(line.trim_end().to_string());
            }
            line = String::new();
            line_w = 0.0;
            let seg = seg.trim_start();
            if width(seg.trim_end()) <= max {
                line.push_str(seg);
                line_w = width(seg);
                continue;
            }
            // A unit wider than the line: split it between characters, never before a 行頭禁則
            // character nor after a 行末禁則 one.
            let chars: Vec<char> = seg.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                let w = width(c.encode_utf8(&mut [0; 4]));
                let prev_no_end = i > 0 && no_line_end(chars[i - 1]);
                let allowed = !no_line_start(c) && !prev_no_end;
                // 禁則 may hold one character past the edge (ぶら下げ); a run of them (・・・・, ーーー)
                // is broken anyway rather than leave the box.
                let over = line_w + w > max;
                let far_over = line_w + w > max + w.max(1.0) * 1.01 || line_w > max;
                if !line.is_empty() && ((over && allowed) || far_over) {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += w;
            }
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one unit wide: the tests read like a grid of cells.
    fn w(s: &str) -> f32 {
        s.chars().count() as f32
    }

    fn check_kinsoku(lines: &[String]) {
        for l in lines {
            if let Some(first) = l.chars().next() {
                assert!(!no_line_start(first), "line starts with {first}: {lines:?}");
            }
            if let Some(last) = l.chars().last() {
                assert!(!no_line_end(last), "line ends with {last}: {lines:?}");
            }
        }
    }

    #[test]
    fn punctuation_never_starts_a_line() {
        // A 5-wide line would otherwise put 。 at the start of line 2.
        let lines = wrap("記録しました。次へ", 6.0, &w);
        assert_eq!(lines.concat(), "記録しました。次へ");
        check_kinsoku(&lines);
        for text in [
            "あいうえおか、きく",
            "あいうえお）かき",
            "あいうえお」かき",
            "あいうえおーかき",
            "あいうえおっかき",
            "アイウエオャカキ",
        ] {
            let lines = wrap(text, 5.0, &w);
            check_kinsoku(&lines);
            assert_eq!(lines.concat(), text);
        }
    }

    #[test]
    fn opening_brackets_never_end_a_line() {
        for text in [
            "あいうえ「かきく」",
            "あいうえ（かきく）",
            "あいうえお『かきく』",
        ] {
            let lines = wrap(text, 5.0, &w);
            check_kinsoku(&lines);
            assert_eq!(lines.concat(), text);
        }
    }

    #[test]
    fn lines_fit_and_nothing_is_lost() {
        let text =
            "本人より、2026年10月1日付「合理的配慮の申出書」により、次の配慮について申出があった。";
        let lines = wrap(text, 12.0, &w);
        assert!(lines.iter().all(|l| w(l) <= 12.0), "{lines:?}");
        assert_eq!(lines.concat(), text);
        check_kinsoku(&lines);
    }

    #[test]
    fn a_long_url_is_split_per_character() {
        let url = format!("https://example.jp/{}", "a".repeat(200));
        let lines = wrap(&url, 40.0, &w);
        assert!(lines.len() >= 6);
        assert!(lines.iter().all(|l| w(l) <= 40.0));
        assert_eq!(lines.concat(), url);
    }

    #[test]
    fn english_breaks_between_words_and_newlines_are_kept() {
        let lines = wrap("the person asked for\nwritten instructions", 12.0, &w);
        assert_eq!(
            lines,
            vec!["the person", "asked for", "written", "instructions"]
        );
        assert_eq!(
            wrap("一行目\n\n三行目", 10.0, &w),
            vec!["一行目", "", "三行目"]
        );
    }

    #[test]
    fn a_run_of_no_start_characters_is_still_broken_to_fit() {
        let text = "・".repeat(40);
        let lines = wrap(&text, 10.0, &w);
        assert!(lines.iter().all(|l| w(l) <= 11.0), "{lines:?}");
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn half_width_katakana_and_small_forms_follow_the_rules() {
        let lines = wrap("ｼｮｳﾆﾝﾏﾁｼｮｳﾆﾝﾏﾁ", 4.0, &w);
        check_kinsoku(&lines);
        assert_eq!(lines.concat(), "ｼｮｳﾆﾝﾏﾁｼｮｳﾆﾝﾏﾁ");
    }
}
