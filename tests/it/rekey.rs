//! Changing the passphrase: the data is all there under the new one, the old one opens nothing, the
//! file stays owner-only, and a refused change (empty passphrase) leaves everything as it was.

use std::process::{Command, Stdio};
use taiwa::store::{OpenMode, Store, StoreError};

const OLD: &str = "架空の古い合言葉 sakura tokei";
const NEW: &str = "架空の新しい合言葉 kawa mori 57";

fn taiwa(db: &std::path::Path, pass: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .args(args)
        .env("TAIWA_DB", db)
        .env("TAIWA_PASSPHRASE", pass)
        .env("TAIWA_NEW_PASSPHRASE", NEW)
        .env_remove("TAIWA_LANG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn a_new_passphrase_opens_everything_and_the_old_one_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../samples/dialogue-record.json"
    );
    let out = taiwa(&db, OLD, &["import", sample]);
    assert!(out.status.success());
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let before = String::from_utf8(taiwa(&db, OLD, &["show", &id]).stdout).unwrap();

    let out = taiwa(&db, OLD, &["passphrase"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("変更しました"));

    // The old passphrase no longer opens the file; the new one shows the same document.
    let old = taiwa(&db, OLD, &["list"]);
    assert!(!old.status.success());
    assert!(String::from_utf8_lossy(&old.stderr).contains("パスフレーズ"));
    let after = String::from_utf8(taiwa(&db, NEW, &["show", &id]).stdout).unwrap();
    assert_eq!(before, after);
    assert!(taiwa(&db, NEW, &["verify"]).status.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the re-encrypted file is owner-only");
    }
    // Nothing is left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("rekey")), "{names:?}");

    // In the library: an empty new passphrase is refused and the store keeps working.
    let mut store = Store::open(&db, NEW, OpenMode::ExistingOnly).unwrap();
    assert!(matches!(
        store.change_passphrase(""),
        Err(StoreError::EmptyPassphrase)
    ));
    assert_eq!(store.list_documents(None).unwrap().len(), 1);
    store.change_passphrase(OLD).unwrap();
    assert_eq!(store.list_documents(None).unwrap().len(), 1);
    drop(store);
    assert!(Store::open(&db, NEW, OpenMode::ExistingOnly).is_err());
    assert!(Store::open(&db, OLD, OpenMode::ExistingOnly).is_ok());
}
