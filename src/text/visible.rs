//! Characters a reader cannot see. A recipient or a name that carries a zero-width space or a
//! bidi override (U+200B, U+202E, …) looks like another one on screen and on paper: "○○病院" with
//! a U+200B inside is not the consent's "○○病院", and U+202E turns "txt.exe" around. Such text is
//! refused where people type names; the message shows the character escaped.

/// The first character in `s` that does not show: format characters (general category Cf:
/// zero-width, joiners, bidi marks and overrides, the BOM, the soft hyphen, tags) and controls.
pub fn first_invisible(s: &str) -> Option<char> {
    s.chars().find(|&c| is_invisible(c))
}

fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E0FFF}')
}

/// `U+202E` for a message.
pub fn escaped(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_width_and_bidi_are_found_and_japanese_is_not() {
        for bad in [
            "○○\u{200B}病院",
            "\u{202E}fdp.exe",
            "A\u{2066}B",
            "\u{FEFF}人事部",
            "a\tb",
        ] {
            assert!(first_invisible(bad).is_some(), "{bad:?}");
        }
        for good in [
            "さくら坂総合病院 山本 由紀子",
            "ＡＢＣ株式会社　人事部",
            "𠮷野家",
            "ﾊﾛｰﾜｰｸ",
        ] {
            assert_eq!(first_invisible(good), None, "{good:?}");
        }
        assert_eq!(escaped('\u{202E}'), "U+202E");
    }
}
