//! PDFs parsed back with real tools: poppler's pdftotext/pdffonts/pdfinfo and qpdf (apt
//! poppler-utils, qpdf; scripts/test.sh installs them), the attachment read back by the CLI, and
//! the tagged PDF/UA-1 + PDF/A-3a checks of tests/pdf/check_tagged.py (pikepdf, pypdf, pdfua and
//! page-validation from PyPI, in the venv scripts/test.sh makes).

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use taiwa::i18n::Lang;
use taiwa::pdf::{Era, ExportOptions, PdfError, export, extract_record};
use taiwa::record::{Mode, Record, parse_record, validate};
use taiwa::template::{Field, FieldType, Registry, Template};

const SAMPLES: [&str; 3] = ["dialogue-record", "work-consideration", "route-map"];

fn sample(name: &str) -> Record {
    let path = Path::new(crate::support::ROOT)
        .join("samples")
        .join(format!("{name}.json"));
    parse_record(&std::fs::read(path).unwrap(), Registry::builtin()).unwrap()
}

/// The samples are version 1 records: they are read, checked and printed as version 1.
fn template(id: &str) -> &'static Template {
    Registry::builtin().get_version(id, 1).unwrap()
}

fn tool(name: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} is needed (apt poppler-utils qpdf; scripts/test.sh installs them): {e}")
    });
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The structure tree, the conformance claims and the external validators, all read by code we
/// did not write (tests/pdf/check_tagged.py). Needs TAIWA_PDF_PYTHON, the python of the venv that
/// scripts/test.sh makes (`source scripts/deps.sh; ensure_pdf_venv`); without it the check is
/// skipped, except in CI, where that is a failure.
pub fn check_tagged(pdf: &Path, lang: Lang) {
    let Some(python) = std::env::var_os("TAIWA_PDF_PYTHON") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "TAIWA_PDF_PYTHON is not set: CI runs the tagged-PDF checks (scripts/test.sh sets it)"
        );
        return;
    };
    let script = Path::new(crate::support::ROOT).join("tests/pdf/check_tagged.py");
    let lang = match lang {
        Lang::Ja => "ja",
        Lang::En => "en",
    };
    let out = Command::new(python)
        .arg(script)
        .args(["--lang", lang])
        .arg(pdf)
        .output()
        .expect("run tests/pdf/check_tagged.py");
    assert!(
        out.status.success(),
        "{}: tagged PDF/UA-1 + PDF/A-3a checks failed:\n{}{}",
        pdf.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn pages(pdf: &Path) -> usize {
    let (_, info) = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .expect("pdfinfo prints Pages")
}

/// The text of the PDF in content order, without page decorations (header, footer, continued
/// labels and repeated table headers), and without white space: what a value must appear in.
fn body_text(pdf: &Path, t: &Template, lang: Lang) -> String {
    let (ok, text) = tool(
        "pdftotext",
        &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    );
    assert!(ok, "pdftotext failed: {text}");
    let title = t.title.get(lang);
    let header_labels: Vec<String> = t
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .filter(|f| f.kind == FieldType::Group)
        .map(|f| {
            f.fields
                .iter()
                .map(|c| c.label.get(lang).replace(' ', ""))
                .collect::<Vec<_>>()
                .join("")
        })
        .collect();
    text.lines()
        .filter(|l| {
            let l = l.trim();
            !(l.starts_with(title)
                || l.starts_with("【下書き】")
                || l.starts_with("[DRAFT]")
                || l.starts_with("文書ID ")
                || l.starts_with("Document ")
                || l.contains("要配慮個人情報を含む")
                || l.starts_with("Contains sensitive")
                || l.ends_with("(続き)")
                || l.ends_with("(continued)")
                || l.split_once(" / ")
                    .is_some_and(|(a, b)| a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok())
                || header_labels.iter().any(|h| h == &l.replace(' ', "")))
        })
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every printable value of the record as it must appear on paper.
fn expected_texts(f: &Field, v: &Value, out: &mut Vec<(String, String)>, path: &str, lang: Lang) {
    match (f.kind, v) {
        (FieldType::Text | FieldType::LongText | FieldType::Ref, Value::String(s)) => {
            out.push((path.into(), s.clone()))
        }
        (FieldType::Date, Value::String(s)) => {
            out.push((path.into(), taiwa::pdf::text::date(s, lang, Era::Seireki)))
        }
        (FieldType::Choice, Value::String(k)) => out.push((
            path.into(),
            f.option(k).unwrap().label.get(lang).to_string(),
        )),
        (FieldType::Multi, Value::Array(keys)) => {
            for k in keys {
                out.push((
                    path.into(),
                    f.option(k.as_str().unwrap())
                        .unwrap()
                        .label
                        .get(lang)
                        .to_string(),
                ));
            }
        }
        (FieldType::Group, Value::Array(rows)) => {
            for (i, row) in rows.iter().enumerate() {
                for sub in &f.fields {
                    if let Some(sv) = row.get(&sub.key) {
                        expected_texts(sub, sv, out, &format!("{path}[{i}].{}", sub.key), lang);
                    }
                }
            }
        }
        (_, Value::Object(o)) => {
            for sub in &f.fields {
                if let Some(sv) = o.get(&sub.key) {
                    expected_texts(sub, sv, out, &format!("{path}.{}", sub.key), lang);
                }
            }
        }
        _ => {}
    }
}

fn check_pdf(
    dir: &tempfile::TempDir,
    name: &str,
    record: &Record,
    opts: &ExportOptions,
) -> PathBuf {
    check_pdf_with(dir, name, record, opts, false)
}

/// `split_rows`: table rows may be taller than a page, so their cells come back in slices with
/// the other cells' slices between them; those values are checked by counting instead.
fn check_pdf_with(
    dir: &tempfile::TempDir,
    name: &str,
    record: &Record,
    opts: &ExportOptions,
    split_rows: bool,
) -> PathBuf {
    let t = Registry::builtin()
        .template_for(record)
        .expect("the record's form");
    let bytes = export(record, t, opts).expect("export");
    let pdf = write(dir, &format!("{name}.pdf"), &bytes);
    if let Some(keep) = std::env::var_os("TAIWA_KEEP_PDFS") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&pdf, Path::new(&keep).join(format!("{name}.pdf"))).unwrap();
    }
    // Structure: qpdf finds nothing wrong.
    let (ok, out) = tool("qpdf", &["--check", pdf.to_str().unwrap()]);
    assert!(ok, "{name}: qpdf --check: {out}");
    // Fonts: every font embedded and subset, with a Unicode map.
    let (ok, fonts) = tool("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(ok);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{name}: no fonts");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(
            &cols[n - 5..n - 2],
            &["yes", "yes", "yes"],
            "{name}: font not embedded+subset+unicode: {row}"
        );
        assert!(
            cols[0].chars().nth(6) == Some('+'),
            "{name}: no subset tag: {row}"
        );
    }
    // Document info: real dates, producer, title.
    let (_, info) = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("Producer:        Taiwa"), "{info}");
    assert!(!info.contains("1970"), "{name}: epoch date in {info}");
    assert!(
        info.contains(&format!("Title:           {}", t.title.get(opts.lang))),
        "{info}"
    );
    // Tagged: headings, tables, lists, the figure's words, artifacts, and the claims that hold.
    check_tagged(&pdf, opts.lang);
    // Nothing leaves the page box: every word's box lies inside the A4 page, inside the margins.
    let (ok, bbox) = tool("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    assert!(ok);
    let attr = |line: &str, key: &str| -> f32 {
        let at = line.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        line[at..].split('"').next().unwrap().parse().unwrap()
    };
    // Pages are A4, portrait or (route diagrams) landscape.
    let (mut page_w, mut page_h) = (595.28, 841.89);
    for line in bbox.lines() {
        if line.trim_start().starts_with("<page ") {
            (page_w, page_h) = (attr(line, "width"), attr(line, "height"));
            continue;
        }
        if !line.trim_start().starts_with("<word ") {
            continue;
        }
        let (x0, y0, x1, y1) = (
            attr(line, "xMin"),
            attr(line, "yMin"),
            attr(line, "xMax"),
            attr(line, "yMax"),
        );
        assert!(
            x0 >= 30.0 && x1 <= page_w - 30.0 && y0 >= 20.0 && y1 <= page_h - 20.0,
            "{name}: text outside the page area: {line}"
        );
    }
    // Every value's text comes back from the page text.
    let body = body_text(&pdf, t, opts.lang);
    let mut expected = Vec::new();
    for f in t.sections.iter().flat_map(|s| &s.fields) {
        if let Some(v) = record.fields.get(&f.key) {
            expected_texts(f, v, &mut expected, &f.key, opts.lang);
        }
    }
    assert!(!expected.is_empty());
    for (path, text) in &expected {
        if split_rows && path.contains('[') {
            continue;
        }
        assert!(
            body.contains(&squash(text)),
            "{name}: {path} not found in the PDF text: {text:?}"
        );
    }
    if split_rows {
        // Every character of every cell is drawn: count single characters (never split by a line
        // or page break) that each value repeats: the fallback-font kanji, a half-width kana, 「.
        // A route map's diagram draws the node names and step conditions once more.
        let diagram: Vec<String> = if record.template == taiwa::routemap::TEMPLATE_ID {
            let map = taiwa::routemap::RouteMap::from_record(record, &Registry::builtin().agencies);
            taiwa::pdf::diagram::pages(&map, taiwa::text::fonts::FontSet::get().unwrap())
                .iter()
                .flat_map(|p| {
                    let names = p.boxes.iter().flat_map(|b| b.lines.clone());
                    let conditions = p.arrows.iter().flat_map(|a| a.condition.clone());
                    names.chain(conditions).collect::<Vec<_>>()
                })
                .collect()
        } else {
            Vec::new()
        };
        for marker in ["𠮷", "ﾏ", "「"] {
            let want: usize = expected
                .iter()
                .map(|(_, t)| t)
                .chain(&diagram)
                .map(|t| squash(t).matches(marker).count())
                .sum();
            let got = body.matches(marker).count();
            assert_eq!(
                got, want,
                "{name}: {marker} drawn {got} times, the record has {want}"
            );
        }
    }
    // The attachment is the record.
    let attached = extract_record(&bytes).expect("record.json attached");
    let back = parse_record(&attached, Registry::builtin()).expect("attachment parses");
    assert_eq!(&back, record, "{name}: attachment differs from the record");
    pdf
}

/// The samples of every form version (samples/ for version 1, samples/v2/ for the current
/// forms), by file name.
fn all_samples() -> Vec<(String, Record)> {
    let mut out = Vec::new();
    for dir in ["samples", "samples/v2"] {
        let dir = Path::new(crate::support::ROOT).join(dir);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for f in files {
            let record = parse_record(&std::fs::read(&f).unwrap(), Registry::builtin())
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let name = format!(
                "v{}-{}",
                record.template_version,
                f.file_stem().unwrap().to_string_lossy()
            );
            out.push((name, record));
        }
    }
    out
}

#[test]
fn every_sample_exports_to_a_checked_tagged_pdf_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let samples = all_samples();
    assert!(
        samples.len() >= 7,
        "samples of both versions: {}",
        samples.len()
    );
    for (name, record) in &samples {
        for lang in [Lang::Ja, Lang::En] {
            let name = format!("{name}-{}", if lang == Lang::Ja { "ja" } else { "en" });
            let pdf = check_pdf(&dir, &name, record, &ExportOptions::new(lang));
            let n = pages(&pdf);
            assert!((3..=9).contains(&n), "{name}: {n} pages");
            let size = std::fs::metadata(&pdf).unwrap().len();
            assert!(size < 400_000, "{name}: {size} bytes: fonts not subset?");
        }
    }
}

#[test]
fn the_rare_kanji_comes_from_the_fallback_font_and_back_out() {
    let dir = tempfile::tempdir().unwrap();
    let record = sample("dialogue-record");
    let pdf = check_pdf(&dir, "yoshida", &record, &ExportOptions::new(Lang::Ja));
    let (_, fonts) = tool("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(
        fonts.contains("NotoSansCJKjp"),
        "𠮷 needs the fallback face: {fonts}"
    );
    let (_, text) = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("𠮷田 健一"));
    // ToUnicode maps kanji to kanji, never to a Kangxi radical (U+2F00–U+2FDF).
    assert!(
        !text.chars().any(|c| ('\u{2F00}'..='\u{2FDF}').contains(&c)),
        "radicals in the text"
    );
}

#[test]
fn a_character_no_font_has_is_an_error_naming_the_field() {
    let mut record = sample("dialogue-record");
    record
        .fields
        .insert("strengths".into(), json!("几帳面\u{31350}です"));
    let err = export(
        &record,
        template("dialogue-record"),
        &ExportOptions::new(Lang::Ja),
    )
    .unwrap_err();
    match err {
        PdfError::MissingGlyph { path, ch } => {
            assert_eq!(path, "strengths");
            assert_eq!(ch, '\u{31350}');
        }
        other => panic!("expected MissingGlyph, got {other:?}"),
    }
}

#[test]
fn drafts_are_stamped_and_english_and_wareki_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut record = sample("route-map");
    record.status = taiwa::record::DocStatus::Draft;
    let opts = ExportOptions {
        era: Era::Wareki,
        ..ExportOptions::new(Lang::Ja)
    };
    let pdf = write(
        &dir,
        "draft.pdf",
        &export(&record, template("route-map"), &opts).unwrap(),
    );
    let (_, text) = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("【下書き】"), "draft stamp missing");
    assert!(text.contains("令和"), "wareki dates missing");
    let pdf = write(
        &dir,
        "en.pdf",
        &export(
            &record,
            template("route-map"),
            &ExportOptions::new(Lang::En),
        )
        .unwrap(),
    );
    let (_, text) = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(
        text.contains("[DRAFT] Consultation route map"),
        "{}",
        &text[..300.min(text.len())]
    );
}

#[test]
fn one_part_alone_carries_only_that_part() {
    let dir = tempfile::tempdir().unwrap();
    let record = sample("work-consideration");
    let opts = ExportOptions {
        parts: Some(vec!["a".into()]),
        ..ExportOptions::new(Lang::Ja)
    };
    let bytes = export(&record, template("work-consideration"), &opts).unwrap();
    let pdf = write(&dir, "part-a.pdf", &bytes);
    let (_, text) = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("勤務情報"));
    let diagnosis = record.fields["mo_symptoms"].as_str().unwrap();
    let probe: String = squash(diagnosis).chars().take(20).collect();
    assert!(
        !squash(&text).contains(&probe),
        "Part B text leaked into Part A"
    );
    let attached: Value = serde_json::from_slice(&extract_record(&bytes).unwrap()).unwrap();
    let fields = attached["fields"].as_object().unwrap();
    assert!(
        fields.contains_key("wi_name") && !fields.keys().any(|k| k.starts_with("mo_")),
        "{:?}",
        fields.keys()
    );
    let err = export(
        &record,
        template("work-consideration"),
        &ExportOptions {
            parts: Some(vec!["z".into()]),
            ..ExportOptions::new(Lang::Ja)
        },
    );
    assert!(matches!(err, Err(PdfError::UnknownPart { .. })));
}

/// A valid value for every field: groups of 40 rows, long texts of 3,000 characters mixing half-
/// and full-width text, 𠮷 and a 200-character URL with no spaces.
fn stress_value(f: &Field, row: usize) -> Value {
    let url = format!("https://example.jp/{}", "abcdefghij".repeat(18));
    match f.kind {
        FieldType::Text => match f.key.as_str() {
            "node_id" => json!(format!("n{row}")),
            _ => {
                let s = format!("{}{row} ｶﾀｶﾅＡＢＣ𠮷田", f.label.ja);
                json!(s.chars().take(f.text_limit().min(60)).collect::<String>())
            }
        },
        FieldType::LongText => {
            // Numbered units: no two stretches of text are alike, so the in-order check cannot
            // match a piece of one cell against another.
            let mut s = format!("{url} ");
            let mut k = 0;
            while s.chars().count() < 3_000 {
                s.push_str(&format!(
                    "{}{row}-{k}：全角と半角 mixed ｼｮｳﾆﾝﾏﾁ（𠮷）、「申出」。",
                    f.label.ja
                ));
                k += 1;
            }
            json!(
                s.chars()
                    .take(3_000.min(f.text_limit()))
                    .collect::<String>()
            )
        }
        FieldType::Date => json!("2026-11-20"),
        FieldType::DateRange => json!({"start": "2026-11-20", "end": "2027-05-20"}),
        FieldType::Time => json!("09:00"),
        FieldType::TimeRange => json!({"start": "09:00", "end": "17:45"}),
        FieldType::Number => {
            if f.key == "step_no" {
                json!(row + 1)
            } else {
                json!(f.min.unwrap_or(1.0).max(1.0).min(f.max.unwrap_or(1.0)) as i64)
            }
        }
        FieldType::Choice => json!(f.options[row % f.options.len()].key),
        FieldType::Multi => json!(
            f.options
                .iter()
                .take(3)
                .map(|o| o.key.clone())
                .collect::<Vec<_>>()
        ),
        FieldType::Checkbox => json!(true),
        FieldType::Ref => match &f.reference {
            Some(r) if r.group.is_some() => {
                json!(format!("n{}", (row + usize::from(f.key == "to_node")) % 40))
            }
            _ => json!("0b6f3c1e-7c2a-4d8e-9f41-2a7d5b3c9e10"),
        },
        FieldType::Group => json!((0..40).map(|i| stress_row(f, i)).collect::<Vec<_>>()),
        FieldType::Compound | FieldType::Signature | FieldType::Consent => stress_row(f, row),
        FieldType::Notice => Value::Null,
    }
}

fn stress_row(f: &Field, i: usize) -> Value {
    let mut row = serde_json::Map::new();
    for sub in &f.fields {
        let v = stress_value(sub, i);
        if !v.is_null() {
            row.insert(sub.key.clone(), v);
        }
    }
    if f.kind == FieldType::Consent || f.fields.iter().any(|s| s.key == "method") {
        row.insert("method".into(), json!("oral"));
    }
    Value::Object(row)
}

#[test]
fn a_stress_record_of_every_form_flows_onto_many_pages_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    for name in SAMPLES {
        let t = template(name);
        let mut record = Record::new(name, t.version);
        for f in t
            .sections
            .iter()
            .flat_map(|s| &s.fields)
            .filter(|f| f.auto.is_none())
        {
            let v = stress_value(f, 0);
            if !v.is_null() {
                record.fields.insert(f.key.clone(), v);
            }
        }
        if name == "route-map" {
            // A personal map goes out only with a current consent for each agency on it.
            let consents: Vec<Value> = (0..40)
                .map(|i| {
                    json!({"recipient": format!("名称{i} ｶﾀｶﾅＡＢＣ𠮷田"), "purpose": "相談のため",
                           "date": "2026-01-05", "method": "signature", "expires": "2099-12-31"})
                })
                .collect();
            record
                .fields
                .insert("person_consent".into(), Value::Array(consents));
        }
        let problems = validate(&record, t, Mode::Draft);
        assert!(
            problems.is_empty(),
            "{name}: stress record invalid: {problems:?}"
        );
        for (lang, tag) in [(Lang::Ja, "ja"), (Lang::En, "en")] {
            let pdf = check_pdf_with(
                &dir,
                &format!("stress-{name}-{tag}"),
                &record,
                &ExportOptions::new(lang),
                true,
            );
            assert!(
                pages(&pdf) > 10,
                "{name}: a stress record should need many pages"
            );
        }
    }
}

#[test]
fn import_of_an_exported_pdf_gives_the_record_back_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_taiwa"))
            .args(args)
            .env("TAIWA_DB", &db)
            .env("TAIWA_PASSPHRASE", "テスト用の合言葉 pdf lantern river")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    for name in SAMPLES {
        let src = Path::new(crate::support::ROOT)
            .join("samples")
            .join(format!("{name}.json"));
        let pdf = dir.path().join(format!("{name}.pdf"));
        run(&["export", src.to_str().unwrap(), "-o", pdf.to_str().unwrap()]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&pdf).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let id = run(&["import", pdf.to_str().unwrap()]).trim().to_string();
        let shown: Value = serde_json::from_str(&run(&["show", &id])).unwrap();
        let original: Value = serde_json::from_slice(&std::fs::read(&src).unwrap()).unwrap();
        assert_eq!(
            shown["fields"], original["fields"],
            "{name}: import(export(r)) != r"
        );
        // A stored document exports with its id and revision hash in every footer.
        let stored_pdf = dir.path().join(format!("{name}-stored.pdf"));
        run(&["export", &id, "-o", stored_pdf.to_str().unwrap()]);
        let (_, text) = tool("pdftotext", &[stored_pdf.to_str().unwrap(), "-"]);
        assert!(
            text.contains(&format!("文書ID {id}")),
            "footer lacks the id"
        );
        assert!(!text.contains("未保存"));
    }
}

/// Each part of the 就労配慮情報書 starts on a page of its own (issue 26, item 8): on the page where
/// the doctor's Part B begins, its title comes first, under the running header, with no field of
/// the company's Part A above it; Part C likewise after Part B. Read back page by page.
#[test]
fn each_part_of_the_work_consideration_sheet_starts_on_a_page_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let record = sample("work-consideration");
    let t = template("work-consideration");
    let bytes = export(&record, t, &ExportOptions::new(Lang::Ja)).unwrap();
    let pdf = write(&dir, "wc.pdf", &bytes);
    let page_texts: Vec<String> = (1..=pages(&pdf))
        .map(|n| {
            let n = n.to_string();
            let (ok, text) = tool(
                "pdftotext",
                &[
                    "-f",
                    &n,
                    "-l",
                    &n,
                    "-raw",
                    "-enc",
                    "UTF-8",
                    pdf.to_str().unwrap(),
                    "-",
                ],
            );
            assert!(ok, "pdftotext page {n}: {text}");
            text.chars().filter(|c| !c.is_whitespace()).collect()
        })
        .collect();
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let section = |part: &str| {
        t.sections
            .iter()
            .find(|s| s.part.as_deref() == Some(part))
            .unwrap()
    };
    // Labels of a part that no other section of the form uses (a shared label proves nothing).
    let own_labels = |part: &str| -> Vec<String> {
        let of = |s: &taiwa::template::Section| -> Vec<String> {
            s.fields
                .iter()
                .map(|f| squeeze(f.label.get(Lang::Ja)))
                .collect()
        };
        let mine = of(section(part));
        let others: Vec<String> = t
            .sections
            .iter()
            .filter(|s| s.part.as_deref() != Some(part))
            .flat_map(of)
            .collect();
        mine.into_iter()
            .filter(|l| l.chars().count() >= 4 && !others.iter().any(|o| o.contains(l.as_str())))
            .collect()
    };
    for (before, part) in [("a", "b"), ("b", "c")] {
        // The heading as printed: its number (sections in form order), then its title.
        let number = t
            .sections
            .iter()
            .position(|s| s.part.as_deref() == Some(part))
            .unwrap()
            + 1;
        let title = format!("{number}.{}", squeeze(section(part).title.get(Lang::Ja)));
        let first = page_texts
            .iter()
            .position(|p| p.contains(&title))
            .unwrap_or_else(|| panic!("no page holds the title of part {part}: {title}"));
        // Above the part's title on its first page: the running header only, nothing of the part
        // before (values of other parts may quote a label's words, so only the top is read).
        let top = &page_texts[first][..page_texts[first].find(&title).unwrap()];
        let labels = own_labels(before);
        assert!(!labels.is_empty(), "part {before} has labels of its own");
        for l in &labels {
            assert!(
                !top.contains(l.as_str()),
                "part {part}'s first page (page {}) holds part {before}'s field {l} above its title",
                first + 1
            );
        }
        assert!(
            top.chars().count() < 60,
            "part {part}'s title is not at the top of page {}: {top}",
            first + 1
        );
        // And the part before ends on an earlier page than this one begins.
        assert!(first > 0, "part {part} starts on the first page");
    }
}

/// BIZ UDGothic draws 𩿎 and 𩿗 with one glyph, and a font's Unicode map gives one character per
/// glyph: the second is written with an /ActualText, so extraction, copying and screen readers get
/// the text as it was typed.
#[test]
fn two_characters_drawn_with_one_glyph_copy_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut record = sample("dialogue-record");
    let t = template("dialogue-record");
    let field = t
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .find(|f| f.kind == FieldType::LongText && f.auto.is_none())
        .expect("a long text");
    record
        .fields
        .insert(field.key.clone(), json!("𩿎と𩿗の字形は同じ。"));
    let pdf = check_pdf(&dir, "one-glyph", &record, &ExportOptions::new(Lang::Ja));
    let (_, text) = tool("pdftotext", &["-raw", pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("𩿎と𩿗の字形は同じ。"), "{text}");
}
