//! The database key, derived from the passphrase in Rust exactly as SQLCipher 4 derives it by
//! default (crates/kdf: PBKDF2-HMAC-SHA512, 256,000 iterations, a 32-byte key, the 16-byte salt
//! SQLCipher keeps at the start of the file), and handed to SQLCipher as a raw key. Same key, same file format, same
//! strength: only faster, because OpenSSL 3's PBKDF2 spends much of each iteration copying and
//! wiping HMAC contexts (bench/README.md "Scale": open ≈ 290 → 220 ms). A file with no salt yet
//! (a new database) is keyed with the passphrase and SQLCipher derives the key itself.

use std::io::Read;
use std::path::Path;
use zeroize::Zeroizing;

use taiwa_kdf::{KEY_BYTES, SALT_BYTES};

/// The salt at the start of an existing database file; None for a file too short to hold one.
fn salt(path: &Path) -> Option<[u8; SALT_BYTES]> {
    let mut salt = [0u8; SALT_BYTES];
    std::fs::File::open(path).ok()?.read_exact(&mut salt).ok()?;
    Some(salt)
}

/// `x'<key hex>'`, the value of `PRAGMA key` that gives SQLCipher the derived key, for the file at
/// `path`; None when the file has no salt to derive with.
pub(super) fn raw_key_pragma(path: &Path, passphrase: &str) -> Option<Zeroizing<String>> {
    let salt = salt(path)?;
    let key = taiwa_kdf::sqlcipher_key(passphrase.as_bytes(), &salt);
    let mut pragma = Zeroizing::new(String::with_capacity(3 + 2 * KEY_BYTES));
    pragma.push_str("x'");
    for byte in key.iter() {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        pragma.push(HEX[usize::from(byte >> 4)] as char);
        pragma.push(HEX[usize::from(byte & 0x0f)] as char);
    }
    pragma.push('\'');
    Some(pragma)
}
