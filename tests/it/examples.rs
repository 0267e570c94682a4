//! 記入例 and 見本 (issue 26, item 5): every free text of the current 対話記録 shows a short fictional
//! example in its help text, in both languages; every form has a 見本 PDF made from its built-in
//! fictional sample, marked 見本 on every page, logged nowhere. Every person here is fictional.

use taiwa::template::{Field, FieldType, Registry};

fn registry() -> &'static Registry {
    Registry::builtin()
}

/// Free texts of the 対話記録 that get no example, with why. Anything else of type text or
/// long_text (in a group or a compound too) must have one.
const NO_EXAMPLE: &[(&str, &str)] = &[
    ("record_id", "filled by the store"),
    ("recorder.name", "a name: an example adds nothing"),
    ("participants.name", "a name: an example adds nothing"),
    ("person_name", "a name: an example adds nothing"),
    ("employer_name", "a company's name: an example adds nothing"),
    ("sign_person.name", "a typed signature"),
    ("sign_employer.name", "a typed signature"),
    ("sign_supporter.name", "a typed signature"),
    (
        "consents",
        "the consent rows (built-in sub-fields) are another piece of work",
    ),
];

fn free_texts_without_example(fields: &[Field], prefix: &str, out: &mut Vec<String>) {
    for f in fields {
        let path = format!("{prefix}{}", f.key);
        if NO_EXAMPLE.iter().any(|(p, _)| *p == path) {
            continue;
        }
        if matches!(f.kind, FieldType::Text | FieldType::LongText) {
            let ok = f
                .help
                .as_ref()
                .is_some_and(|h| h.ja.contains("例: ") && h.en.to_lowercase().contains("e.g. "));
            if !ok {
                out.push(path.clone());
            }
        }
        free_texts_without_example(&f.fields, &format!("{path}."), out);
    }
}

#[test]
fn every_free_text_of_the_dialogue_record_has_an_example_in_both_languages() {
    let t = registry().get("dialogue-record").unwrap();
    assert!(t.version >= 2, "the current version");
    let mut missing = Vec::new();
    for s in &t.sections {
        free_texts_without_example(&s.fields, "", &mut missing);
    }
    assert!(
        missing.is_empty(),
        "free texts with no 例: / e.g. in their help: {missing:#?}"
    );
    // The exceptions exist (a renamed field must not slip out of the rule through a stale name),
    // and every long text has an example: none of them is an exception.
    for (path, _) in NO_EXAMPLE {
        let (top, sub) = path.split_once('.').unwrap_or((path, ""));
        let f = t.field(top).unwrap_or_else(|| panic!("no field {path}"));
        let f = if sub.is_empty() {
            f
        } else {
            f.fields
                .iter()
                .find(|s| s.key == sub)
                .unwrap_or_else(|| panic!("no field {path}"))
        };
        assert_ne!(f.kind, FieldType::LongText, "{path}: a long text needs one");
    }
}

#[test]
fn version_1_of_the_dialogue_record_is_history_and_has_no_examples() {
    let v1 = registry().get_version("dialogue-record", 1).unwrap();
    let mut with = Vec::new();
    fn walk(fields: &[Field], with: &mut Vec<String>) {
        for f in fields {
            if f.help.as_ref().is_some_and(|h| h.ja.contains("例: ")) {
                with.push(f.key.clone());
            }
            walk(&f.fields, with);
        }
    }
    for s in &v1.sections {
        walk(&s.fields, &mut with);
    }
    assert!(with.is_empty(), "templates/v1 changed: {with:?}");
}

/// Each form's 見本 PDF, as the CLI writes it, read back with pdftotext: the page texts.
fn sample_pages(cli: &crate::support::Cli, form: &str, lang: &str) -> Vec<String> {
    let out = cli.path(&format!("{form}-{lang}.pdf"));
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .args(["--lang", lang, "sample-pdf", form, "-o"])
        .arg(&out)
        .env("TAIWA_DB", cli.db())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    crate::support::assert_ok(&run, &format!("sample-pdf {form}"));
    let text = crate::support::pdftotext(&out);
    text.split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The fictional person each sample is about.
const SAMPLE_PEOPLE: &[(&str, &str)] = &[
    ("dialogue-record", "高橋 誠"),
    ("work-consideration", "高橋 誠"),
    ("route-map", "青木 紗季"),
];

#[test]
fn each_forms_sample_pdf_says_sample_on_every_page_and_shows_its_fictional_person() {
    let cli = crate::support::Cli::new();
    let forms: Vec<&str> = taiwa::gate::sample::forms().collect();
    assert_eq!(
        forms,
        SAMPLE_PEOPLE.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        "every form has a sample"
    );
    for (form, person) in SAMPLE_PEOPLE {
        for (lang, mark) in [("ja", "見本"), ("en", "SAMPLE")] {
            let pages = sample_pages(&cli, form, lang);
            assert!(pages.len() > 1, "{form} {lang}: {} page(s)", pages.len());
            for (i, page) in pages.iter().enumerate() {
                assert!(
                    page.contains(mark),
                    "{form} {lang}: page {} has no {mark}:\n{page}",
                    i + 1
                );
            }
            let all = pages.concat();
            assert!(all.contains(person), "{form} {lang}: {person} missing");
            // The footer says what a sample is, once a page.
            let header = match lang {
                "ja" => "架空の人物による記入例",
                _ => "filled in for a fictional person",
            };
            assert_eq!(
                all.matches(header).count(),
                pages.len(),
                "{form} {lang}: the footer on every page"
            );
        }
    }
    // A sample needs no database, and makes none.
    assert!(!cli.db().exists());
}

#[test]
fn a_sample_is_made_only_of_a_built_in_sample_and_an_export_is_not_marked() {
    let cli = crate::support::Cli::new();
    // The same record as a file: an export as before, with nothing of a sample on it.
    let file = std::path::Path::new(crate::support::ROOT).join("samples/v2/dialogue-record.json");
    let pdf = cli.path("export.pdf");
    cli.ok(&[
        "export",
        file.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
    ]);
    let text = crate::support::pdftotext(&pdf);
    assert!(text.contains("高橋 誠"));
    assert!(
        !text.contains("SAMPLE") && !text.contains("fictional person"),
        "{text}"
    );
    // A path, a stored document or an unknown form is no sample: refused, nothing written.
    let id = cli
        .ok(&["import", file.to_str().unwrap()])
        .trim()
        .to_string();
    let out = cli.path("x.pdf");
    for asked in [file.to_str().unwrap(), id.as_str(), "no-such-form"] {
        let run = cli.run(&["sample-pdf", asked, "-o", out.to_str().unwrap()]);
        crate::support::assert_exit(&run, 2, asked);
        assert!(
            crate::support::stderr(&run).contains("export.no_sample"),
            "{}",
            crate::support::stderr(&run)
        );
        assert!(!out.exists());
    }
    // The gate refuses a sample for a recipient or of parts: a sample is for no one, whole.
    let for_someone = taiwa::gate::Request {
        source: taiwa::gate::Source::Sample {
            template: "work-consideration".into(),
        },
        recipient: Some("架空商事 人事部".into()),
        ..taiwa::gate::Request::defaults(taiwa::Lang::Ja)
    };
    let parts = taiwa::gate::Request {
        source: taiwa::gate::Source::Sample {
            template: "work-consideration".into(),
        },
        parts: Some(vec!["b".into()]),
        ..taiwa::gate::Request::defaults(taiwa::Lang::Ja)
    };
    for req in [for_someone, parts] {
        let err = taiwa::gate::plan(None, &req).err().expect("refused");
        assert_eq!(taiwa::i18n::UserError::code(&err), "export.no_sample");
    }
    // With the database open (as the app has it), a sample is written and logged nowhere.
    let mut store = cli.store();
    let sample = taiwa::gate::Request {
        source: taiwa::gate::Source::Sample {
            template: "dialogue-record".into(),
        },
        ..taiwa::gate::Request::defaults(taiwa::Lang::Ja)
    };
    let written = cli.path("sample.pdf");
    let released =
        taiwa::gate::release(Some(&mut store), &sample, taiwa::gate::Sink::File(&written)).unwrap();
    assert!(released.logged.is_none());
    assert!(crate::support::pdftotext(&written).contains("見本"));
    let case = store.document(id.parse().unwrap()).unwrap().case_id;
    let logged = store.disclosures_for_case(case).unwrap();
    assert!(logged.is_empty(), "{logged:?}");
}
