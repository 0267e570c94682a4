//! The passphrase rule, one for the CLI and the app: a database of health data is created, or
//! re-keyed, only under a passphrase zxcvbn scores 3 or more (the file may leave the machine in a
//! backup, and its key is derived from nothing else). Passphrases are held in zeroizing buffers.

use crate::i18n::{Text, UserError};
use zeroize::Zeroizing;

/// A passphrase in memory: wiped when dropped.
pub type Secret = Zeroizing<String>;

/// Below this zxcvbn score a new database or a new passphrase is refused.
pub const MIN_SCORE: u8 = 3;

/// zxcvbn's estimate: 0 (guessed at once) to 4 (very hard to guess). The app's own words are
/// counted as guessable.
pub fn score(passphrase: &str) -> u8 {
    u8::from(zxcvbn::zxcvbn(passphrase, &["taiwa", "対話", "タイワ"]).score())
}

/// What to tell the user about a score.
pub fn feedback(score: u8) -> Text {
    match score {
        0 | 1 => Text::new(
            "とても弱いパスフレーズです。短い語や日付は推測されます。4語以上をつなげてください",
            "Very weak: short words and dates are guessed at once. Join four or more words.",
        ),
        2 => Text::new(
            "まだ弱いパスフレーズです。語をもう1〜2語足してください",
            "Still weak: add one or two more words.",
        ),
        3 => Text::new("十分な強さです", "Strong enough."),
        _ => Text::new("とても強いパスフレーズです", "Very strong."),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the passphrase is too weak to protect health data (strength {score} of 4, at least {MIN_SCORE} needed): {}", feedback(*score).en)]
pub struct TooWeak {
    pub score: u8,
}

impl UserError for TooWeak {
    fn code(&self) -> &'static str {
        "passphrase.too_weak"
    }

    fn message(&self) -> Text {
        Text {
            ja: format!(
                "パスフレーズが弱すぎて健康情報を守れません(強さ {} / 4、{MIN_SCORE} 以上が必要): {}",
                self.score,
                feedback(self.score).ja
            ),
            en: self.to_string(),
        }
    }
}

/// The rule for a new database or a new passphrase.
pub fn check_new(passphrase: &str) -> Result<(), TooWeak> {
    let score = score(passphrase);
    if score < MIN_SCORE {
        return Err(TooWeak { score });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_common_passphrases_are_refused_and_four_words_pass() {
        for weak in ["1", "a", "password", "taiwa", "12345678", "対話"] {
            assert!(check_new(weak).is_err(), "{weak:?}");
        }
        for strong in [
            "kawa-sakura-tokei-57-mori",
            "ひみつの合言葉 correct horse battery",
        ] {
            assert!(check_new(strong).is_ok(), "{strong:?}");
        }
    }
}
