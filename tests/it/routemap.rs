//! The route map: maps started from R1–R8 are valid, their diagrams keep the layout's promises on
//! paper (no overlaps, every step drawn once, no arrow through a box, all on the page), a 30-node
//! map splits across pages, the PDF holds every agency name, and the SVG and the PDF draw the same
//! boxes in the same places.

use serde_json::{Value, json};
use std::process::Command;
use taiwa::Lang;
use taiwa::gate::{self, GateError};
use taiwa::pdf::diagram::{MAX_NODES, MIN_SCALE, placement};
use taiwa::pdf::{ExportOptions, export};
use taiwa::record::{Mode, Record, validate};
use taiwa::routemap::diagram::DiagramPage;
use taiwa::routemap::{self, RouteMap, RouteMapError};
use taiwa::template::Registry;
use taiwa::text::fonts::FontSet;

fn registry() -> &'static Registry {
    Registry::builtin()
}

fn paper_pages(record: &Record) -> Vec<DiagramPage> {
    let map = RouteMap::from_record(record, &registry().agencies);
    taiwa::pdf::diagram::pages(&map, FontSet::get().unwrap())
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (apt poppler-utils; scripts/test.sh installs it)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Every promise of a set of diagram pages for `map`, checked on paper.
fn check_pages(map: &RouteMap, pages: &[DiagramPage], what: &str) {
    assert!(!pages.is_empty(), "{what}: no diagram page");
    let mut drawn: Vec<i64> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let problems = page.problems();
        assert!(problems.is_empty(), "{what} page {i}: {problems:?}");
        assert!(
            page.boxes.len() <= MAX_NODES,
            "{what} page {i}: too many boxes"
        );
        for a in &page.arrows {
            assert!(
                a.points.len() >= 2,
                "{what}: step {} is not drawn",
                a.step_no
            );
            drawn.push(a.step_no);
        }
        // On paper: scaled no smaller than the minimum and inside the page's margins.
        let p = placement(page.width, page.height);
        assert!(
            p.scale >= MIN_SCALE || page.arrows.len() == 1,
            "{what} page {i}: scale {}",
            p.scale
        );
        let margin = 42.5;
        assert!(p.x >= margin - 0.01, "{what} page {i}: left of the margin");
        assert!(
            p.x + page.width * p.scale <= p.size.w - margin + 0.01,
            "{what} page {i}: past the right margin"
        );
        assert!(
            p.y + page.height * p.scale <= p.size.h - margin - 26.0 - 30.0 + 0.01,
            "{what} page {i}: into the legend"
        );
        for b in &page.boxes {
            for (k, line) in b.lines.iter().enumerate() {
                let w = FontSet::get().unwrap().width(line, 9.0, true);
                assert!(
                    w <= b.rect.w - 2.0 * 6.0 + 0.5,
                    "{what}: line {k} of {} overflows its box",
                    b.node_id
                );
            }
        }
    }
    let mut expected: Vec<i64> = map.steps.iter().map(|s| s.no).collect();
    drawn.sort();
    expected.sort();
    assert_eq!(drawn, expected, "{what}: every step drawn exactly once");
}

#[test]
fn every_standard_route_makes_a_valid_map_whose_diagram_keeps_its_promises() {
    let reg = registry();
    let t = reg.get(routemap::TEMPLATE_ID).unwrap();
    assert_eq!(reg.routes.routes.len(), 8);
    for r in &reg.routes.routes {
        let record = routemap::from_route(reg, &r.code, Some("宮城県"), Lang::Ja).unwrap();
        let problems = validate(&record, t, Mode::Final);
        assert!(problems.is_empty(), "{}: {problems:?}", r.code);
        assert_eq!(record.fields["region"], json!("miyagi"));
        let map = RouteMap::from_record(&record, &reg.agencies);
        assert_eq!(map.steps.len(), r.steps.len(), "{}", r.code);
        let pages = paper_pages(&record);
        check_pages(&map, &pages, &r.code);

        let pdf = export(&record, t, &ExportOptions::new(Lang::Ja)).unwrap();
        let text: String = pdf_text(&pdf)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for n in &map.nodes {
            let name: String = n.name.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(
                text.contains(&name),
                "{}: {} missing from the PDF",
                r.code,
                n.name
            );
        }
        assert!(text.contains("情報の確認日"), "{}: the as-of line", r.code);
        assert!(
            text.contains("相談の前に各機関へ確認してください"),
            "{}: the reminder",
            r.code
        );
    }
}

#[test]
fn a_route_map_in_english_and_the_region_spellings() {
    let reg = registry();
    let en = routemap::from_route(reg, "r3", None, Lang::En).unwrap();
    assert_eq!(en.fields["region"], json!("national"));
    assert!(
        en.fields["map_title"]
            .as_str()
            .unwrap()
            .starts_with("R3 Looking for work")
    );
    for given in ["宮城県", "宮城", "miyagi", "Miyagi", "ｍｉｙａｇｉ"] {
        assert_eq!(
            routemap::region_key(reg, given).unwrap(),
            "miyagi",
            "{given}"
        );
    }
    assert_eq!(routemap::region_key(reg, "東京都").unwrap(), "tokyo");
    assert_eq!(routemap::region_key(reg, "全国").unwrap(), "national");
    assert!(matches!(
        routemap::region_key(reg, "火星"),
        Err(RouteMapError::UnknownRegion { .. })
    ));
    assert!(matches!(
        routemap::from_route(reg, "R9", None, Lang::Ja),
        Err(RouteMapError::UnknownRoute { .. })
    ));
}

/// A deterministic pseudo-random map: `n` nodes, a path through all of them and extra steps
/// between random pairs (back-and-forth pairs and long jumps included).
fn generated(n: usize, extra: usize, seed: u64) -> Record {
    let mut state = seed;
    let mut next = |m: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % m
    };
    let kinds: Vec<&str> = registry()
        .agencies
        .agencies
        .iter()
        .map(|a| a.key.as_str())
        .collect();
    let nodes: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "node_id": format!("n{}", i + 1),
                "node_type": kinds[i % kinds.len()],
                "node_name": format!("架空の相談機関その{}({}市)", i + 1, ["仙台", "石巻", "気仙沼", "名取"][i % 4]),
                "node_role": "テスト用の架空の機関です。",
            })
        })
        .collect();
    let mut pairs: Vec<(usize, usize)> = (1..n).map(|i| (i - 1, i)).collect();
    while pairs.len() < n - 1 + extra {
        let (a, b) = (next(n), next(n));
        if a != b {
            pairs.push((a, b));
        }
    }
    let steps: Vec<Value> = pairs
        .iter()
        .enumerate()
        .map(|(i, (a, b))| {
            let mut s = json!({
                "step_no": i + 1,
                "from_node": format!("n{}", a + 1),
                "to_node": format!("n{}", b + 1),
                "purpose": "相談する。",
            });
            if i % 3 == 0 {
                s["condition"] = json!("事業場の従業員が50人未満で、産業医が選任されていない場合に限り、このステップを使います");
            }
            s
        })
        .collect();
    let mut r = Record::new(routemap::TEMPLATE_ID, 1);
    r.fields
        .insert("map_title".into(), json!("生成した30機関のマップ"));
    r.fields.insert("nodes".into(), Value::Array(nodes));
    r.fields.insert("steps".into(), Value::Array(steps));
    r
}

#[test]
fn a_generated_thirty_node_map_splits_readably_across_pages() {
    for seed in [1, 7, 42] {
        let record = generated(30, 12, seed);
        let problems = validate(
            &record,
            registry().get(routemap::TEMPLATE_ID).unwrap(),
            Mode::Draft,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let map = RouteMap::from_record(&record, &registry().agencies);
        assert_eq!(map.nodes.len(), 30);
        let pages = paper_pages(&record);
        assert!(
            pages.len() >= 3,
            "30 nodes at ≤ 12 a page: {} pages",
            pages.len()
        );
        check_pages(&map, &pages, &format!("seed {seed}"));
        // Every node is on some page.
        for n in &map.nodes {
            assert!(
                pages
                    .iter()
                    .any(|p| p.boxes.iter().any(|b| b.node_id == n.id)),
                "{} on no page",
                n.id
            );
        }
        let pdf = export(
            &record,
            registry().get(routemap::TEMPLATE_ID).unwrap(),
            &ExportOptions::new(Lang::Ja),
        )
        .unwrap();
        let text = pdf_text(&pdf);
        assert!(
            text.contains("経路図(1/"),
            "the pages say which part they are"
        );
    }
}

/// (x, y, w, h) of every `re` operator on a page of the PDF, in PDF coordinates.
fn pdf_rects(bytes: &[u8], page_no: u32) -> Vec<[f32; 4]> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let page = doc.get_pages()[&page_no];
    let content = doc.get_and_decode_page_content(page).unwrap();
    content
        .operations
        .iter()
        .filter(|op| op.operator == "re")
        .map(|op| {
            let v: Vec<f32> = op.operands.iter().map(|o| o.as_float().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

#[test]
fn the_svg_and_the_pdf_draw_the_same_layout() {
    let reg = registry();
    let t = reg.get(routemap::TEMPLATE_ID).unwrap();
    let record = routemap::from_route(reg, "R3", None, Lang::Ja).unwrap();
    let pages = paper_pages(&record);
    assert_eq!(pages.len(), 1, "R3 fits one page");
    let page = &pages[0];

    // SVG: each box's rect is the layout's rect.
    let svg = routemap::svg::render(page, "経路図");
    for b in &page.boxes {
        let marker = format!(r#"data-node="{}"><rect x="#, b.node_id);
        let at = svg
            .find(&marker)
            .unwrap_or_else(|| panic!("{} not in the SVG", b.node_id));
        let tail = &svg[at + marker.len() - 2..];
        let attr = |name: &str| -> f32 {
            let k = tail.find(&format!(r#"{name}=""#)).unwrap() + name.len() + 2;
            tail[k..k + tail[k..].find('"').unwrap()].parse().unwrap()
        };
        for (got, want) in [
            (attr("x"), b.rect.x),
            (attr("y"), b.rect.y),
            (attr("width"), b.rect.w),
            (attr("height"), b.rect.h),
        ] {
            assert!(
                (got - want).abs() < 0.01,
                "{}: svg {got} vs layout {want}",
                b.node_id
            );
        }
        for line in &b.lines {
            assert!(svg.contains(line.as_str()), "{line} not in the SVG");
        }
    }
    for a in &page.arrows {
        assert!(svg.contains(&format!(r#"data-step="{}""#, a.step_no)));
    }

    // PDF: the same rects, placed and scaled as `placement` says, on the diagram page (page 2).
    let pdf = export(&record, t, &ExportOptions::new(Lang::Ja)).unwrap();
    let rects = pdf_rects(&pdf, 2);
    let p = placement(page.width, page.height);
    for b in &page.boxes {
        let (x, top) = p.at((b.rect.x, b.rect.y));
        let want = [
            x,
            p.size.h - top - b.rect.h * p.scale,
            b.rect.w * p.scale,
            b.rect.h * p.scale,
        ];
        assert!(
            rects
                .iter()
                .any(|r| r.iter().zip(&want).all(|(a, b)| (a - b).abs() < 0.05)),
            "{}: no rectangle at {want:?} on the PDF page",
            b.node_id
        );
    }
    // And the page is the orientation the placement chose.
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let page_id = doc.get_pages()[&2];
    let media = doc
        .get_dictionary(page_id)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let w = media[2].as_float().unwrap();
    assert!((w - p.size.w).abs() < 0.5, "page width {w} vs {}", p.size.w);
}

/// What the gate decides for a record file made into a PDF (the renderer itself holds no policy).
fn through_gate(record: &Record) -> Result<(), Box<GateError>> {
    let req = gate::Request {
        source: gate::Source::File(record.clone()),
        ..gate::Request::pdf("", Lang::Ja)
    };
    gate::plan(None, &req).map(|_| ()).map_err(Box::new)
}

#[test]
fn a_personal_map_goes_out_only_with_consent_for_its_agencies() {
    let reg = registry();
    let mut record = routemap::from_route(reg, "R7", None, Lang::Ja).unwrap();
    // A general map needs no consent.
    through_gate(&record).unwrap();

    record.fields.insert("personal".into(), json!(true));
    record
        .fields
        .insert("person_name".into(), json!("架空 花子"));
    let err = through_gate(&record).unwrap_err();
    let GateError::RouteMap(RouteMapError::NoConsent { missing }) = &*err else {
        panic!("{err:?}");
    };
    let map = RouteMap::from_record(&record, &reg.agencies);
    for n in map.nodes.iter().filter(|n| n.type_key != "person") {
        assert!(
            missing.contains(&n.name),
            "{} should be named: {missing}",
            n.name
        );
    }

    let consent = |recipient: &str, expires: &str| {
        json!({"recipient": recipient, "purpose": "相談のため", "date": "2026-01-05",
               "method": "signature", "expires": expires})
    };
    let names: Vec<String> = map
        .nodes
        .iter()
        .filter(|n| n.type_key != "person")
        .map(|n| n.name.clone())
        .collect();
    // All but one covered: still refused, naming the one.
    let rows: Vec<Value> = names[1..]
        .iter()
        .map(|n| consent(n, "2099-12-31"))
        .collect();
    record
        .fields
        .insert("person_consent".into(), Value::Array(rows.clone()));
    let err = through_gate(&record).unwrap_err();
    assert!(err.to_string().contains(&names[0]), "{err}");
    // An expired consent does not count.
    let mut expired = rows.clone();
    expired.push(consent(&names[0], "2026-02-01"));
    record
        .fields
        .insert("person_consent".into(), Value::Array(expired));
    assert!(through_gate(&record).is_err());
    // A withdrawn one neither.
    let mut withdrawn = rows.clone();
    let mut w = consent(&names[0], "2099-12-31");
    w["withdrawn"] = json!("2026-03-01");
    withdrawn.push(w);
    record
        .fields
        .insert("person_consent".into(), Value::Array(withdrawn));
    assert!(through_gate(&record).is_err());
    // Every agency covered: exported.
    let mut all = rows;
    all.push(consent(&names[0], "2099-12-31"));
    record
        .fields
        .insert("person_consent".into(), Value::Array(all));
    through_gate(&record).unwrap();
}

#[test]
fn steps_must_differ_at_their_ends_and_be_numbered_without_gaps() {
    let reg = registry();
    let t = reg.get(routemap::TEMPLATE_ID).unwrap();
    let mut record = routemap::from_route(reg, "R5", None, Lang::Ja).unwrap();
    record.fields["steps"][1]["to_node"] = record.fields["steps"][1]["from_node"].clone();
    let problems = validate(&record, t, Mode::Draft);
    assert!(
        problems
            .iter()
            .any(|p| p.path == "steps[1].to_node" && p.code.as_str() == "same_value"),
        "{problems:?}"
    );
    let mut record = routemap::from_route(reg, "R5", None, Lang::Ja).unwrap();
    record.fields["steps"][2]["step_no"] = json!(9);
    assert!(
        validate(&record, t, Mode::Draft).is_empty(),
        "a draft may have gaps"
    );
    let problems = validate(&record, t, Mode::Final);
    assert!(
        problems.iter().any(|p| p.code.as_str() == "not_contiguous"),
        "{problems:?}"
    );
    // Back-and-forth pairs are fine.
    let mut record = routemap::from_route(reg, "R5", None, Lang::Ja).unwrap();
    let back = json!({"step_no": 6, "from_node": record.fields["steps"][0]["to_node"],
                      "to_node": record.fields["steps"][0]["from_node"], "purpose": "結果を伝える。"});
    record.fields["steps"].as_array_mut().unwrap().push(back);
    assert!(validate(&record, t, Mode::Final).is_empty());
    check_pages(
        &RouteMap::from_record(&record, &reg.agencies),
        &paper_pages(&record),
        "R5 + back",
    );
}

/// The real `taiwa` binary with its own encrypted database in a scratch directory.
fn taiwa(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .args(args)
        .env("TAIWA_DB", dir.join("taiwa.db"))
        .env("TAIWA_PASSPHRASE", "架空の合言葉 route map horse")
        .env_remove("TAIWA_LANG")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn the_cli_lists_the_routes_and_starts_a_map_from_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = taiwa(d, &["routes"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let codes: Vec<&str> = text.lines().filter_map(|l| l.split('\t').next()).collect();
    assert_eq!(codes, ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"]);
    assert!(text.contains("求職中・手帳なし"), "{text}");
    let en = taiwa(d, &["--lang", "en", "routes"]);
    assert!(String::from_utf8(en.stdout).unwrap().contains("steps"));

    // A new map prints as a record, valid for finalizing, that imports and exports.
    let out = taiwa(
        d,
        &["route-map", "new", "--route", "R3", "--region", "宮城県"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let map: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(map["template"], "route-map");
    assert_eq!(map["fields"]["region"], "miyagi");
    let file = d.join("r3.json");
    std::fs::write(&file, &out.stdout).unwrap();
    let out = taiwa(d, &["validate", "--final", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = taiwa(d, &["import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let pdf = d.join("r3.pdf");
    let out = taiwa(d, &["export", &id, "-o", pdf.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = pdf_text(&std::fs::read(&pdf).unwrap());
    assert!(text.contains("難病相談支援センター") && text.contains("経路図"));

    // The same map as SVG, from the stored document: every node's name is in it.
    let svg = d.join("r3.svg");
    let out = taiwa(d, &["route-map", "svg", &id, "-o", svg.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    for n in map["fields"]["nodes"].as_array().unwrap() {
        let name = n["node_name"].as_str().unwrap();
        let first = name.split_whitespace().next().unwrap();
        assert!(svg.contains(first), "{name} not in the SVG");
    }
    assert_eq!(svg.matches("data-step=").count(), 10);

    // Bad input: named, in both languages, exit 2, nothing written.
    let out = taiwa(d, &["route-map", "new", "--route", "R9"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("標準ルート「R9」はありません") && err.contains("no standard route \"R9\""),
        "{err}"
    );
    assert!(err.contains("R1, R2"), "{err}");
    let out = taiwa(
        d,
        &["route-map", "new", "--route", "R1", "--region", "火星"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("火星"));
    let out = taiwa(
        d,
        &[
            "route-map",
            "svg",
            "samples-missing.json",
            "-o",
            d.join("x.svg").to_str().unwrap(),
        ],
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(!d.join("x.svg").exists());
}

#[test]
fn the_gate_refuses_a_personal_map_without_consent_before_anything_is_rendered() {
    let reg = registry();
    let t = reg.get(routemap::TEMPLATE_ID).unwrap();
    let mut record = routemap::from_route(reg, "R7", None, Lang::Ja).unwrap();
    through_gate(&record).unwrap();
    record.fields.insert("personal".into(), json!(true));
    let err = through_gate(&record).unwrap_err();
    assert!(
        matches!(*err, GateError::RouteMap(RouteMapError::NoConsent { .. })),
        "{err:?}"
    );
    use taiwa::i18n::UserError;
    assert_eq!(err.code(), "routemap.no_consent");
    assert!(err.message().ja.contains("本人の同意"));
    // The renderers draw what they are given: the policy is the gate's alone.
    taiwa::pdf::preview(&record, t, &ExportOptions::new(Lang::Ja)).unwrap();
}
