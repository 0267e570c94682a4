//! Folding text for comparison: what search and the route map's situation lookup both match on.

use unicode_normalization::UnicodeNormalization;

/// The folded form used on both sides of a search: NFKC (ｶﾀｶﾅ → カタカナ, ＡＢＣ → ABC),
/// lower case, and katakana → hiragana (サトウ and さとう find each other).
pub fn fold(s: &str) -> String {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}
