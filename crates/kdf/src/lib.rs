//! SQLCipher 4's default key derivation: PBKDF2-HMAC-SHA512, 256,000 iterations, a 32-byte key
//! from the passphrase and the 16-byte salt at the start of the database file. A crate of its own
//! because the generic PBKDF2 and HMAC code is compiled in the crate that calls it: here it can be
//! optimised in debug builds too (the workspace's `[profile.dev.package.taiwa-kdf]`), where the
//! tests open hundreds of databases; unoptimised, one derivation takes seconds.

use zeroize::Zeroizing;

/// `PRAGMA cipher_default_kdf_iter` of SQLCipher 4.
pub const ITERATIONS: u32 = 256_000;
pub const KEY_BYTES: usize = 32;
pub const SALT_BYTES: usize = 16;

/// The key SQLCipher derives from `passphrase` for a file whose salt is `salt`; wiped on drop.
pub fn sqlcipher_key(passphrase: &[u8], salt: &[u8; SALT_BYTES]) -> Zeroizing<[u8; KEY_BYTES]> {
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(passphrase, salt, ITERATIONS, &mut *key);
    key
}

#[cfg(test)]
mod tests {
    /// Computed by another implementation (Python's hashlib on OpenSSL:
    /// `pbkdf2_hmac('sha512', '合言葉 correct horse'.encode(), bytes(range(16)), 256000, 32)`).
    #[test]
    fn matches_an_independent_pbkdf2_hmac_sha512() {
        let salt: [u8; 16] = std::array::from_fn(|i| i as u8);
        let key = super::sqlcipher_key("合言葉 correct horse".as_bytes(), &salt);
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "39b90d2eeac1a975f228e6517c7e66e04a1725ae28c444d2386217898abdad5e"
        );
    }
}
