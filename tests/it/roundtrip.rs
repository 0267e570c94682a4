//! The employer ↔ clinician round trip with the real `taiwa` binary between TWO encrypted database
//! files: Part A for the clinician, the linked Part B draft with its read-only fields, the answer,
//! and the employer importing it into the same document; files changed after Taiwa made them
//! (record, pages), of an unknown form version or envelope format, or not for this database are
//! refused; `taiwa verify-pdf` on intact, changed and unknown files. All people are fictional.

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;

const SAMPLE_WORK: &str = include_str!("../../samples/work-consideration.json");
const CLINICIAN: &str = "さくら坂総合病院 山本 由紀子";
const EMPLOYER: &str = "株式会社ミドリバ物流";

/// One side of the trip: its own directory and database file, its own passphrase.
struct Side {
    dir: TempDir,
    passphrase: &'static str,
}

impl Side {
    fn new(passphrase: &'static str) -> Side {
        Side {
            dir: tempfile::tempdir().unwrap(),
            passphrase,
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("taiwa.db")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_taiwa"))
            .args(args)
            .env("TAIWA_DB", self.db())
            .env("TAIWA_PASSPHRASE", self.passphrase)
            .env("TAIWA_LANG", "en")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_ok(&out, &args.join(" "));
        stdout(&out)
    }

    fn write_json(&self, name: &str, value: &Value) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
        path
    }

    /// The stored record, read directly (`taiwa show` is a disclosure of its own and would add
    /// lines to the log these tests count).
    fn show(&self, id: &str) -> Value {
        self.store().document(id).unwrap().record.to_value()
    }

    fn history(&self, id: &str) -> Vec<String> {
        self.ok(&["history", id])
            .lines()
            .map(String::from)
            .collect()
    }

    fn store(&self) -> taiwa::store::Store {
        taiwa::store::Store::open(
            &self.db(),
            self.passphrase,
            taiwa::store::OpenMode::ExistingOnly,
        )
        .unwrap()
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[track_caller]
fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

#[track_caller]
fn assert_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}\nstdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

fn sample() -> Value {
    serde_json::from_str(SAMPLE_WORK).unwrap()
}

fn fields(v: &Value) -> &Map<String, Value> {
    v["fields"].as_object().unwrap()
}

/// The employer's draft: the document section and Part A of the sample, nothing of the doctor's.
fn part_a_draft() -> Value {
    let mut v = sample();
    v["status"] = "draft".into();
    let f = v["fields"].as_object_mut().unwrap();
    f.retain(|k, _| {
        k.starts_with("wi_") || ["direction", "purpose", "created_date"].contains(&k.as_str())
    });
    f.insert("direction".into(), "work_info".into());
    v
}

/// The employer's database with the Part A draft, and the consent to send Part A to the doctor.
fn employer_with_part_a() -> (Side, String) {
    let employer = Side::new("employer passphrase 人事総務部 four words");
    let draft = employer.write_json("part-a.json", &part_a_draft());
    let id = employer.ok(&["import", s(&draft)]).trim().to_string();
    employer.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        CLINICIAN,
        "--role",
        "attending_physician",
        "--purpose",
        "復職に向けた就業上の意見を求めるため",
        "--sections",
        "a",
        "--method",
        "signature",
    ]);
    (employer, id)
}

/// Part A exported for the clinician from a fresh employer database.
fn for_clinician_pdf() -> (Side, String, PathBuf) {
    let (employer, id) = employer_with_part_a();
    let a = employer.path("part-a.pdf");
    employer.ok(&["export", &id, "--for-clinician", "-o", s(&a)]);
    (employer, id, a)
}

// ---------------------------------------------------------------------------------------------
// Editing PDFs as someone without Taiwa would
// ---------------------------------------------------------------------------------------------

/// The stream of the embedded file `name`.
fn embedded_stream_id(doc: &lopdf::Document, name: &str) -> lopdf::ObjectId {
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(|t| t.as_name()).ok() != Some(b"Filespec".as_slice()) {
            continue;
        }
        if dict.get(b"F").and_then(|f| f.as_str()).ok() != Some(name.as_bytes()) {
            continue;
        }
        let ef = dict.get(b"EF").and_then(|e| e.as_dict()).unwrap();
        return ef.get(b"F").and_then(|f| f.as_reference()).unwrap();
    }
    panic!("no embedded file {name}");
}

fn embedded(pdf: &[u8], name: &str) -> Vec<u8> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let stream = doc
        .get_object(embedded_stream_id(&doc, name))
        .unwrap()
        .as_stream()
        .unwrap();
    stream
        .decompressed_content()
        .unwrap_or(stream.content.clone())
}

/// Replaces embedded files' bytes (uncompressed) and saves with lopdf.
fn replace_embedded(pdf: &[u8], files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(pdf).unwrap();
    for (name, bytes) in files {
        let id = embedded_stream_id(&doc, name);
        let stream = doc.get_object_mut(id).unwrap().as_stream_mut().unwrap();
        stream.set_plain_content(bytes.clone());
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Edits the attached record and writes a matching hash into the envelope (as a forger who
/// knows the format would): only the checks beyond the hashes can refuse it.
fn forge_record(pdf: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut record: Value = serde_json::from_slice(&embedded(pdf, "record.json")).unwrap();
    edit(&mut record);
    let record = serde_json::to_vec_pretty(&record).unwrap();
    let mut envelope: Value =
        serde_json::from_slice(&embedded(pdf, "taiwa-exchange.json")).unwrap();
    envelope["record_sha256"] = sha256_hex(&record).into();
    if let Some(v) = serde_json::from_slice::<Value>(&record).unwrap()["template_version"].as_u64()
    {
        envelope["template_version"] = v.into();
    }
    replace_embedded(
        pdf,
        &[
            ("record.json", record),
            (
                "taiwa-exchange.json",
                serde_json::to_vec(&envelope).unwrap(),
            ),
        ],
    )
}

/// Changes one glyph of the first text-showing operator on page 1 and saves with lopdf.
fn change_page_text(pdf: &[u8]) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(pdf).unwrap();
    let page = *doc.get_pages().get(&1).unwrap();
    let mut content = doc.get_page_content(page);
    let tj = content
        .windows(2)
        .position(|w| w == b"Tj" || w == b"TJ")
        .expect("a text operator on page 1");
    // The operand before it: a hex string <…> (printpdf writes glyph ids) or a literal (…).
    let end = content[..tj]
        .iter()
        .rposition(|b| *b == b'>' || *b == b')')
        .unwrap();
    let digit = end - 1;
    content[digit] = if content[digit] == b'1' { b'2' } else { b'1' };
    doc.change_page_content(page, content).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

// ---------------------------------------------------------------------------------------------
// The whole trip
// ---------------------------------------------------------------------------------------------

#[test]
fn part_a_goes_to_the_clinician_and_part_b_comes_back_into_the_same_document() {
    let employer = Side::new("employer passphrase 人事総務部 four words");
    let draft = employer.write_json("part-a.json", &part_a_draft());
    let id = employer.ok(&["import", s(&draft)]).trim().to_string();
    let case_before = employer.store().document(&id).unwrap().case_id;

    // Part A names the doctor; without the worker's consent for them nothing leaves.
    let a = employer.path("part-a.pdf");
    let out = employer.run(&["export", &id, "--for-clinician", "-o", s(&a)]);
    assert_exit(&out, 4, "for-clinician without consent");
    assert!(stderr(&out).contains(CLINICIAN), "{}", stderr(&out));
    assert!(!a.exists());
    employer.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        CLINICIAN,
        "--role",
        "attending_physician",
        "--purpose",
        "復職に向けた就業上の意見を求めるため",
        "--sections",
        "a",
        "--method",
        "signature",
    ]);
    assert_eq!(
        employer
            .ok(&["export", &id, "--for-clinician", "-o", s(&a)])
            .trim(),
        s(&a)
    );
    let a_bytes = std::fs::read(&a).unwrap();
    let attached: Value = serde_json::from_slice(&embedded(&a_bytes, "record.json")).unwrap();
    assert_eq!(attached["id"], id.as_str(), "the id travels with Part A");
    assert!(fields(&attached).keys().all(|k| !k.starts_with("mo_")));
    let envelope: Value =
        serde_json::from_slice(&embedded(&a_bytes, "taiwa-exchange.json")).unwrap();
    assert_eq!(envelope["format"], "taiwa.exchange/1");
    assert_eq!(envelope["kind"], "for_clinician");
    assert_eq!(envelope["document_id"], id.as_str());
    assert_eq!(envelope["revision"]["seq"], 1);
    assert_eq!(envelope["parts"], serde_json::json!(["a"]));

    let log = employer.ok(&["disclosures", &id]);
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(
        log.contains(CLINICIAN) && log.contains(&sha256_hex(&a_bytes)),
        "{log}"
    );

    let out = employer.run(&["verify-pdf", s(&a)]);
    assert_exit(&out, 0, "employer verifies its own file");
    assert!(
        stdout(&out).contains("record.json: matches"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("pages: match"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("exported from here"),
        "{}",
        stdout(&out)
    );

    // ---- the clinician's own database, another file and another passphrase ----
    let clinician = Side::new("clinician passphrase 消化器内科 four words");
    let out = clinician.run(&["verify-pdf", s(&a)]);
    assert_exit(&out, 0, "no database yet: the file alone");
    assert!(stdout(&out).contains("database: not checked"));

    let out = clinician.run(&["import", s(&a)]);
    assert_ok(&out, "clinician imports Part A");
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(id.as_str()), "same document id");
    let read_only: Vec<&str> = lines.map(|l| l.split('\t').nth(1).unwrap()).collect();
    for f in [
        "wi_name",
        "wi_birth_date",
        "wi_occupation",
        "mo_name",
        "mo_birth_date",
    ] {
        assert!(read_only.contains(&f), "{f} read-only: {read_only:?}");
    }
    assert!(!read_only.contains(&"mo_symptoms"));
    let listed = clinician.ok(&["read-only", &id]);
    assert_eq!(listed.lines().collect::<Vec<_>>(), read_only);

    let linked = clinician.show(&id);
    let (lf, sf) = (fields(&linked), fields(&attached));
    assert_eq!(linked["status"], "draft");
    assert_eq!(lf["mo_name"], sf["wi_name"]);
    assert_eq!(lf["mo_birth_date"], sf["wi_birth_date"]);
    assert_eq!(lf["mo_address"], sf["wi_address"]);
    for (k, v) in sf {
        assert_eq!(&lf[k], v, "{k} as received");
    }
    let out = clinician.run(&["verify-pdf", s(&a)]);
    assert_exit(&out, 0, "clinician verifies the received file");
    assert!(stdout(&out).contains("received here"), "{}", stdout(&out));

    // The received Part A and the patient's identity cannot be changed on this side.
    for (field, value) in [("wi_name", "高橋 誠一"), ("mo_name", "高橋 マコト")] {
        let mut edited = linked.clone();
        edited["fields"][field] = value.into();
        let path = clinician.write_json("edited.json", &edited);
        let out = clinician.run(&["import", "--as-revision-of", &id, "--yes", s(&path)]);
        assert_exit(&out, 1, field);
        assert!(stderr(&out).contains(field), "{}", stderr(&out));
        assert!(stderr(&out).contains("exchange.read_only_field"));
        assert!(!stderr(&out).contains(value), "the value is not echoed");
        assert_eq!(clinician.history(&id).len(), 1, "nothing saved");
    }

    // The clinician fills Part B and finalizes it.
    let mut answer = linked.clone();
    for (k, v) in fields(&sample()) {
        if k.starts_with("mo_") {
            answer["fields"][k] = v.clone();
        }
    }
    let path = clinician.write_json("part-b.json", &answer);
    // A file never replaces a stored document by itself: the clinician names it, then finalizes.
    let out = clinician.run(&["import", s(&path)]);
    assert_exit(&out, 2, "a file over the stored draft");
    assert!(
        stderr(&out).contains("import.would_overwrite"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        clinician
            .ok(&["import", "--as-revision-of", &id, "--yes", s(&path)])
            .trim(),
        id
    );
    clinician.ok(&["finalize", &id]);
    assert_eq!(clinician.history(&id).len(), 3);

    let b = clinician.path("part-b.pdf");
    let out = clinician.run(&["export", &id, "--for-employer", "-o", s(&b)]);
    assert_exit(&out, 4, "for-employer without consent");
    clinician.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        EMPLOYER,
        "--role",
        "hr",
        "--purpose",
        "就業上の措置の検討のため",
        "--sections",
        "b",
        "--method",
        "signature",
    ]);
    clinician.ok(&["export", &id, "--for-employer", "-o", s(&b)]);
    let b_bytes = std::fs::read(&b).unwrap();
    let returned: Value = serde_json::from_slice(&embedded(&b_bytes, "record.json")).unwrap();
    assert_eq!(returned["id"], id.as_str());
    for (k, v) in sf {
        if k.starts_with("wi_") {
            assert_eq!(
                &fields(&returned)[k],
                v,
                "{k}: Part A goes back as received"
            );
        }
    }
    assert_eq!(
        fields(&returned)["mo_diagnosis"],
        fields(&sample())["mo_diagnosis"]
    );
    let envelope: Value =
        serde_json::from_slice(&embedded(&b_bytes, "taiwa-exchange.json")).unwrap();
    assert_eq!(envelope["kind"], "from_clinician");
    assert_eq!(
        envelope["answers"]["record_sha256"],
        sha256_hex(&embedded(&a_bytes, "record.json"))
    );
    assert_eq!(envelope["answers"]["revision"]["seq"], 1);
    let log = clinician.ok(&["disclosures", &id]);
    assert_eq!(log.lines().count(), 1);
    assert!(log.contains(EMPLOYER));

    // ---- back at the employer ----
    let out = employer.run(&["verify-pdf", s(&b)]);
    assert_exit(&out, 0, "the employer knows what this answers");
    assert!(
        stdout(&out).contains("answers the file exported"),
        "{}",
        stdout(&out)
    );

    let out = employer.run(&["import", s(&b)]);
    assert_ok(&out, "employer imports the answer");
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(id.as_str()));
    let changed: Vec<(String, String)> = lines
        .map(|l| {
            let mut p = l.split('\t');
            (p.next().unwrap().into(), p.next().unwrap().into())
        })
        .collect();
    for f in [
        "mo_name",
        "mo_symptoms",
        "mo_fitness",
        "mo_diagnosis",
        "mo_doctor_sign",
    ] {
        assert!(
            changed.contains(&("added".into(), f.into())),
            "{f}: {changed:?}"
        );
    }
    assert!(changed.iter().all(|(_, p)| p.starts_with("mo_")));
    let symptoms = fields(&sample())["mo_symptoms"]
        .as_str()
        .unwrap()
        .chars()
        .take(10)
        .collect::<String>();
    assert!(
        !text.contains(&symptoms) && !text.contains("潰瘍性大腸炎"),
        "no values: {text}"
    );

    let store = employer.store();
    let doc = store.document(&id).unwrap();
    assert_eq!(doc.case_id, case_before, "same case");
    assert_eq!(doc.seq, 2, "a new revision");
    assert_eq!(store.list_documents(None).unwrap().len(), 1);
    assert_eq!(doc.record.status, taiwa::record::DocStatus::Draft);
    let stored = doc.record.to_value();
    for (k, v) in fields(&returned) {
        if k.starts_with("mo_") {
            assert_eq!(&fields(&stored)[k], v, "{k}");
        }
    }
    assert_eq!(fields(&stored)["wi_name"], sf["wi_name"]);
    let history = store.history(&id).unwrap();
    assert_eq!(
        history[1].prev_sha256.as_deref(),
        Some(history[0].sha256.as_str())
    );
    drop(store);

    // On the employer's side the physician's opinion stays as received.
    let ro = employer.ok(&["read-only", &id]);
    assert!(
        ro.lines().any(|l| l == "mo_fitness") && !ro.contains("wi_"),
        "{ro}"
    );
    let mut edited = employer.show(&id);
    edited["fields"]["mo_fitness"] = "unfit_now".into();
    let out = employer.run(&[
        "import",
        "--as-revision-of",
        &id,
        "--yes",
        s(&employer.write_json("e.json", &edited)),
    ]);
    assert_exit(&out, 1, "employer edits the opinion");
    assert!(stderr(&out).contains("mo_fitness"));

    // The same answer again is refused (it would undo what changed since); the employer's own
    // Part A file is not for it.
    let out = employer.run(&["import", s(&b)]);
    assert_exit(&out, 2, "the same answer again");
    assert!(
        stderr(&out).contains("exchange.already_received"),
        "{}",
        stderr(&out)
    );
    assert_eq!(employer.history(&id).len(), 2);
    let out = employer.run(&["import", s(&a)]);
    assert_exit(&out, 2, "own for-clinician file");
    assert!(
        stderr(&out).contains("exchange.sent_from_here"),
        "{}",
        stderr(&out)
    );
    assert_eq!(employer.history(&id).len(), 2);
    // The answer imported elsewhere has no document to go to.
    let third = Side::new("third passphrase 別の会社 four words");
    let out = third.run(&["import", s(&b)]);
    assert_exit(&out, 2, "answer into a database that sent nothing");
    assert!(
        stderr(&out).contains("exchange.unknown_document"),
        "{}",
        stderr(&out)
    );
    let log = employer.ok(&["disclosures", &id]);
    assert_eq!(log.lines().count(), 1, "importing is no disclosure");
}

// ---------------------------------------------------------------------------------------------
// Files changed after Taiwa made them
// ---------------------------------------------------------------------------------------------

#[test]
fn a_changed_attached_record_is_refused_and_nothing_is_stored() {
    let (_employer, _id, a) = for_clinician_pdf();
    let bytes = std::fs::read(&a).unwrap();
    // The record edited, the envelope (and its hash) left as they were.
    let mut record: Value = serde_json::from_slice(&embedded(&bytes, "record.json")).unwrap();
    record["fields"]["wi_occupation"] = "営業職".into();
    let changed = replace_embedded(
        &bytes,
        &[("record.json", serde_json::to_vec_pretty(&record).unwrap())],
    );
    let clinician = Side::new("clinician passphrase 消化器内科 four words");
    let path = clinician.path("changed.pdf");
    std::fs::write(&path, &changed).unwrap();
    let out = clinician.run(&["import", s(&path)]);
    assert_exit(&out, 1, "changed record");
    let err = stderr(&out);
    assert!(err.contains("changed.pdf"), "names the file: {err}");
    assert!(err.contains("the attached record was changed"), "{err}");
    assert!(err.contains("exchange.record_changed"), "{err}");
    assert!(!err.contains("営業職"));
    assert!(!clinician.db().exists() || clinician.ok(&["list"]).is_empty());

    let out = clinician.run(&["verify-pdf", s(&path)]);
    assert_exit(&out, 1, "verify-pdf on a changed record");
    assert!(
        stdout(&out).contains("record.json: DOES NOT MATCH"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("pages: match"));

    // One byte of record.json changed inside its (compressed) stream.
    let mut raw = embedded(&bytes, "record.json");
    let at = raw.iter().position(|b| *b == b'"').unwrap() + 1;
    raw[at] ^= 0x01;
    let flipped = replace_embedded(&bytes, &[("record.json", raw)]);
    std::fs::write(&path, &flipped).unwrap();
    let out = clinician.run(&["import", s(&path)]);
    assert_exit(&out, 1, "one byte changed");
    assert!(stderr(&out).contains("exchange.record_changed"));
}

#[test]
fn a_changed_page_is_refused() {
    let (employer, _id, a) = for_clinician_pdf();
    let changed = change_page_text(&std::fs::read(&a).unwrap());
    let path = employer.path("page-changed.pdf");
    std::fs::write(&path, &changed).unwrap();
    // The attachment itself is untouched: only the pages give it away.
    assert_eq!(
        embedded(&changed, "record.json"),
        embedded(&std::fs::read(&a).unwrap(), "record.json")
    );
    let clinician = Side::new("clinician passphrase 消化器内科 four words");
    let out = clinician.run(&["import", s(&path)]);
    assert_exit(&out, 1, "changed page");
    assert!(
        stderr(&out).contains("the pages were changed after Taiwa made this file"),
        "{}",
        stderr(&out)
    );
    let out = employer.run(&["verify-pdf", s(&path)]);
    assert_exit(&out, 1, "verify-pdf on a changed page");
    assert!(stdout(&out).contains("record.json: matches"));
    assert!(
        stdout(&out).contains("pages: DO NOT MATCH"),
        "{}",
        stdout(&out)
    );
    // A note drawn over the page (an annotation) changes what it shows too.
    let mut doc = lopdf::Document::load_mem(&std::fs::read(&a).unwrap()).unwrap();
    let page = *doc.get_pages().get(&1).unwrap();
    let mut note = lopdf::Dictionary::new();
    note.set("Type", lopdf::Object::Name(b"Annot".to_vec()));
    note.set("Subtype", lopdf::Object::Name(b"FreeText".to_vec()));
    note.set(
        "Rect",
        lopdf::Object::Array(vec![100.into(), 100.into(), 300.into(), 140.into()]),
    );
    note.set("Contents", lopdf::Object::string_literal("fit to work"));
    let note = doc.add_object(note);
    doc.get_dictionary_mut(page)
        .unwrap()
        .set("Annots", lopdf::Object::Array(vec![note.into()]));
    let mut annotated = Vec::new();
    doc.save_to(&mut annotated).unwrap();
    std::fs::write(&path, &annotated).unwrap();
    assert_exit(&employer.run(&["verify-pdf", s(&path)]), 1, "annotated");
    // Saving with lopdf alone (no change) keeps the pages' digest: the check is not fragile.
    let resaved = replace_embedded(&std::fs::read(&a).unwrap(), &[]);
    std::fs::write(&path, &resaved).unwrap();
    assert_exit(&employer.run(&["verify-pdf", s(&path)]), 0, "resaved");
}

#[test]
fn an_unknown_form_version_or_envelope_format_is_refused_by_name() {
    let (employer, _id, a) = for_clinician_pdf();
    let bytes = std::fs::read(&a).unwrap();
    let clinician = Side::new("clinician passphrase 消化器内科 four words");

    let v3 = forge_record(&bytes, |r| r["template_version"] = 3.into());
    let path = clinician.path("v3.pdf");
    std::fs::write(&path, &v3).unwrap();
    let out = clinician.run(&["import", s(&path)]);
    assert_exit(&out, 2, "version 3");
    assert!(
        stderr(&out).contains("version 3 of the form work-consideration"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("exchange.unknown_template_version"));
    let out = clinician.run(&["verify-pdf", s(&path)]);
    assert_exit(&out, 2, "verify-pdf on version 3");

    let mut envelope: Value =
        serde_json::from_slice(&embedded(&bytes, "taiwa-exchange.json")).unwrap();
    envelope["format"] = "taiwa.exchange/2".into();
    let future = replace_embedded(
        &bytes,
        &[(
            "taiwa-exchange.json",
            serde_json::to_vec(&envelope).unwrap(),
        )],
    );
    std::fs::write(&path, &future).unwrap();
    let out = clinician.run(&["import", s(&path)]);
    assert_exit(&out, 2, "envelope format 2");
    assert!(
        stderr(&out).contains("\"taiwa.exchange/2\""),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("exchange.unknown_format"));
    assert!(!clinician.db().exists() || clinician.ok(&["list"]).is_empty());
    drop(employer);
}

#[test]
fn an_answer_whose_part_a_is_not_what_was_sent_is_refused_naming_the_fields() {
    let (employer, id, a) = for_clinician_pdf();
    let clinician = Side::new("clinician passphrase 消化器内科 four words");
    clinician.ok(&["import", s(&a)]);
    clinician.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        EMPLOYER,
        "--sections",
        "b",
        "--purpose",
        "就業上の措置の検討のため",
        "--method",
        "name",
    ]);
    let b = clinician.path("b.pdf");
    clinician.ok(&["export", &id, "--for-employer", "-o", s(&b)]);
    // A forger who rewrites the hash too: the employer still compares with what it sent.
    let forged = forge_record(&std::fs::read(&b).unwrap(), |r| {
        r["fields"]["wi_occupation"] = "営業職".into();
        r["fields"]["wi_days_per_week"] = 3.into();
    });
    let path = employer.path("forged.pdf");
    std::fs::write(&path, &forged).unwrap();
    let out = employer.run(&["import", s(&path)]);
    assert_exit(&out, 1, "Part A differs");
    let err = stderr(&out);
    assert!(
        err.contains("wi_occupation") && err.contains("wi_days_per_week"),
        "{err}"
    );
    assert!(
        err.contains("exchange.part_differs") && !err.contains("営業職"),
        "{err}"
    );
    assert_eq!(employer.history(&id).len(), 1, "nothing saved");
    // An answer to a file this database never sent.
    let mut other = forge_record(&std::fs::read(&b).unwrap(), |_| {});
    let mut env: Value = serde_json::from_slice(&embedded(&other, "taiwa-exchange.json")).unwrap();
    env["answers"]["record_sha256"] = sha256_hex(b"something else").into();
    other = replace_embedded(
        &other,
        &[("taiwa-exchange.json", serde_json::to_vec(&env).unwrap())],
    );
    std::fs::write(&path, &other).unwrap();
    let out = employer.run(&["import", s(&path)]);
    assert_exit(&out, 2, "not sent");
    assert!(
        stderr(&out).contains("exchange.not_sent"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn verify_pdf_tells_an_unknown_revision_and_a_file_without_integrity_information() {
    let (_employer, id, a) = for_clinician_pdf();
    let stranger = Side::new("stranger passphrase 別の事業所 four words");
    stranger.ok(&["import", s(&stranger.write_json("x.json", &part_a_draft()))]);
    let out = stranger.run(&["verify-pdf", s(&a)]);
    assert_exit(&out, 5, "unknown here");
    assert!(stdout(&out).contains("knows neither"), "{}", stdout(&out));
    assert!(stdout(&out).contains(&id));
    let out = stranger.run(&["verify-pdf", "--no-db", s(&a)]);
    assert_exit(&out, 0, "--no-db");

    // A PDF of an older Taiwa: record.json only.
    let bytes = std::fs::read(&a).unwrap();
    let mut doc = lopdf::Document::load_mem(&bytes).unwrap();
    let catalog = doc.catalog_mut().unwrap();
    let names = catalog.get_mut(b"Names").unwrap().as_dict_mut().unwrap();
    let files = names
        .get_mut(b"EmbeddedFiles")
        .unwrap()
        .as_dict_mut()
        .unwrap();
    let list = files.get_mut(b"Names").unwrap().as_array_mut().unwrap();
    list.truncate(2);
    let mut old = Vec::new();
    doc.save_to(&mut old).unwrap();
    let path = stranger.path("old.pdf");
    std::fs::write(&path, &old).unwrap();
    let out = stranger.run(&["verify-pdf", s(&path)]);
    assert_exit(&out, 6, "no envelope");
    assert!(stdout(&out).contains("no integrity information"));
    // It still imports as before (a plain record).
    assert_ok(&stranger.run(&["import", s(&path)]), "old import");
}

// ---------------------------------------------------------------------------------------------
// The holes the review of 4dab7c7 found in the round trip
// ---------------------------------------------------------------------------------------------

/// The clinician's database with Part A received, Part B filled in (as a draft) and the consent
/// for `recipient` to get `sections`.
fn clinician_with_answer(a: &Path, id: &str, recipient: &str, sections: &str) -> Side {
    let clinician = Side::new("clinician passphrase 消化器内科 four words");
    clinician.ok(&["import", s(a)]);
    // The same Part A again would put back what the clinician has since changed: refused.
    let out = clinician.run(&["import", s(a)]);
    assert_exit(&out, 2, "the same Part A again");
    assert!(
        stderr(&out).contains("exchange.already_received"),
        "{}",
        stderr(&out)
    );
    let mut answer = clinician.show(id);
    for (k, v) in fields(&sample()) {
        if k.starts_with("mo_") {
            answer["fields"][k] = v.clone();
        }
    }
    let path = clinician.write_json("part-b.json", &answer);
    clinician.ok(&["import", "--as-revision-of", id, "--yes", s(&path)]);
    clinician.ok(&[
        "consent",
        "add",
        id,
        "--recipient",
        recipient,
        "--purpose",
        "就業上の措置の検討のため",
        "--sections",
        sections,
        "--method",
        "signature",
    ]);
    clinician
}

#[test]
fn part_a_goes_back_unredacted_only_to_the_employer_that_sent_it() {
    let (_employer, id, a) = for_clinician_pdf();
    let third = "地域障害者職業センター 架空 カウンセラー";
    let clinician = clinician_with_answer(&a, &id, third, "b");
    let pdf = clinician.path("third.pdf");
    clinician.ok(&[
        "export",
        &id,
        "--for-employer",
        "--recipient",
        third,
        "-o",
        s(&pdf),
    ]);
    let bytes = std::fs::read(&pdf).unwrap();
    let attached: Value = serde_json::from_slice(&embedded(&bytes, "record.json")).unwrap();
    let text = String::from_utf8(
        Command::new("pdftotext")
            .args([s(&pdf), "-"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .split_whitespace()
    .collect::<String>();
    // Every sensitive field of Part A that the sample fills: not in record.json, not on paper,
    // and named in the log.
    let registry = taiwa::template::Registry::builtin();
    let template = registry.get("work-consideration").unwrap();
    let sample = sample();
    let sensitive_a: Vec<&str> = template
        .sections
        .iter()
        .filter(|s| s.part.as_deref() == Some("a"))
        .flat_map(|s| &s.fields)
        .filter(|f| f.sensitive && !sample["fields"][&f.key].is_null())
        .map(|f| f.key.as_str())
        .collect();
    assert!(sensitive_a.len() >= 2, "{sensitive_a:?}");
    let log = clinician.store().disclosures_for_document(&id).unwrap();
    let line = log.last().unwrap();
    for key in &sensitive_a {
        assert!(
            attached["fields"][*key].is_null(),
            "{key} went to {third} in record.json"
        );
        // Long texts are looked for on paper too (a short value, a date, may stand elsewhere).
        if let Some(v) = sample["fields"][*key]
            .as_str()
            .filter(|v| v.chars().count() >= 26)
        {
            // From the middle: a date at the start of a note may stand in another field too.
            let probe: String = v
                .split_whitespace()
                .collect::<String>()
                .chars()
                .skip(10)
                .take(16)
                .collect();
            assert!(!text.contains(&probe), "{key} printed for {third}: {probe}");
        }
        assert!(
            line.withheld
                .iter()
                .any(|w| w == key || w.starts_with(&format!("{key}."))),
            "{key} not in the log's withheld list: {:?}",
            line.withheld
        );
    }

    // To the employer that sent it, Part A goes back as received (their consent covers Part B).
    clinician.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        EMPLOYER,
        "--purpose",
        "就業上の措置の検討のため",
        "--sections",
        "b",
        "--method",
        "signature",
    ]);
    let back = clinician.path("back.pdf");
    clinician.ok(&["export", &id, "--for-employer", "-o", s(&back)]);
    let returned: Value =
        serde_json::from_slice(&embedded(&std::fs::read(&back).unwrap(), "record.json")).unwrap();
    for key in &sensitive_a {
        assert_eq!(returned["fields"][*key], sample["fields"][*key], "{key}");
    }
}

#[test]
fn an_answer_to_an_older_part_a_or_one_already_imported_is_refused_unless_forced() {
    let (employer, id, a1) = for_clinician_pdf();
    let clinician = clinician_with_answer(&a1, &id, EMPLOYER, "b");
    let b1 = clinician.path("b1.pdf");
    clinician.ok(&["export", &id, "--for-employer", "-o", s(&b1)]);

    // Meanwhile the employer corrects Part A and sends it again.
    let mut edited = employer.show(&id);
    edited["fields"]["wi_overtime"] = "月10時間まで(架空の訂正)".into();
    let path = employer.write_json("a2.json", &edited);
    employer.ok(&["import", "--as-revision-of", &id, "--yes", s(&path)]);
    let a2 = employer.path("a2.pdf");
    employer.ok(&["export", &id, "--for-clinician", "-o", s(&a2)]);
    let before = employer.history(&id).len();

    let out = employer.run(&["import", s(&b1)]);
    assert_exit(&out, 2, "an answer to the older Part A");
    assert!(
        stderr(&out).contains("exchange.answers_older"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("revision 2"),
        "names the newer one: {}",
        stderr(&out)
    );
    assert_eq!(employer.history(&id).len(), before, "nothing imported");

    // On purpose, it goes in; a second time, it is refused as already imported.
    employer.ok(&["import", "--force", s(&b1)]);
    assert_eq!(employer.history(&id).len(), before + 1);
    let out = employer.run(&["import", s(&b1)]);
    assert_exit(&out, 2, "already imported");
    assert!(
        stderr(&out).contains("exchange.already_received"),
        "{}",
        stderr(&out)
    );
}
