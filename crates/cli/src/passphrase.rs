//! Where the passphrase comes from: TAIWA_PASSPHRASE, or a prompt on the terminal (asked twice
//! when a new database is created, so a typo cannot lock the user out).

use std::io::IsTerminal;
use taiwa::passphrase::Secret;

pub enum PassphraseError {
    NoTerminal,
    Mismatch,
    Io(std::io::Error),
}

/// TAIWA_PASSPHRASE is for scripts and tests (README): a person types it at the prompt.
pub fn obtain(creating: bool) -> Result<Secret, PassphraseError> {
    if let Ok(p) = std::env::var("TAIWA_PASSPHRASE") {
        return Ok(Secret::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(PassphraseError::NoTerminal);
    }
    let first = Secret::new(
        rpassword::prompt_password("パスフレーズ / Passphrase: ").map_err(PassphraseError::Io)?,
    );
    if creating {
        let again = Secret::new(
            rpassword::prompt_password("もう一度 / Again: ").map_err(PassphraseError::Io)?,
        );
        if again != first {
            return Err(PassphraseError::Mismatch);
        }
    }
    Ok(first)
}

/// The new passphrase for `taiwa passphrase`: TAIWA_NEW_PASSPHRASE, or asked twice on the terminal.
pub fn obtain_new() -> Result<Secret, PassphraseError> {
    if let Ok(p) = std::env::var("TAIWA_NEW_PASSPHRASE") {
        return Ok(Secret::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(PassphraseError::NoTerminal);
    }
    let first = Secret::new(
        rpassword::prompt_password("新しいパスフレーズ / New passphrase: ")
            .map_err(PassphraseError::Io)?,
    );
    let again =
        Secret::new(rpassword::prompt_password("もう一度 / Again: ").map_err(PassphraseError::Io)?);
    if again != first {
        return Err(PassphraseError::Mismatch);
    }
    Ok(first)
}
