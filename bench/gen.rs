//! Fictional but realistic Japanese data for the scale benchmarks: cases of people with 難病 or a
//! chronic disease, each with dialogue records, a 就労配慮情報書 sheet and a route map, 1–4
//! revisions each and consents, written through the store's normal checks (`Store::batch`), so
//! every hash chain verifies. Shared by the generator (gen_main.rs) and the criterion benches.
//!
//! Records start from the samples (complete, valid forms) and vary what a search or a list sees:
//! the person's name (built from syllable tables, never a real person), employer, disease, dates
//! (shifted together, so their order rules still hold) and the notes added by each revision.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;
use taiwa::Lang;
use taiwa::consent::{Method, NewConsent};
use taiwa::record::{DocStatus, Record, parse_record};
use taiwa::store::{CheckedRecord, NewCase, OpenMode, Store, StoreError, check_record};
use taiwa::template::Registry;

/// Bump when what is generated changes: the cache key holds it.
pub const VERSION: u32 = 1;
pub const PASSPHRASE: &str = "ベンチ用の合言葉 correct horse battery";
/// Documents per case: two dialogue records, one sheet, one route map (or a third record).
pub const DOCS_PER_CASE: usize = 4;

const DIALOGUE: &str = include_str!("../samples/dialogue-record.json");
const SHEET: &str = include_str!("../samples/work-consideration.json");

const SURNAME_A: &[&str] = &[
    "山", "田", "佐", "鈴", "高", "中", "小", "渡", "伊", "加", "吉", "松", "井", "木", "林", "清",
    "森", "池", "橋", "石", "前", "藤", "岡", "村", "坂", "原", "川", "野", "本", "島", "大", "青",
];
const SURNAME_B: &[&str] = &[
    "田", "藤", "木", "橋", "川", "野", "本", "村", "井", "島", "原", "山", "崎", "沢", "口", "谷",
    "内", "岡", "部", "森", "浦", "辺", "宮", "上",
];
const GIVEN_A: &[&str] = &[
    "美", "花", "健", "誠", "由", "拓", "翔", "陽", "真", "恵", "大", "和", "結", "彩", "直", "聡",
    "智", "悠", "春", "千", "光", "亮", "奈", "早",
];
const GIVEN_B: &[&str] = &[
    "子", "美", "一", "也", "紀", "太", "介", "奈", "香", "人", "希", "央", "斗", "菜", "樹", "実",
];
const KANA_GIVEN: &[&str] = &[
    "さくら",
    "ひかり",
    "あおい",
    "みなみ",
    "かえで",
    "ゆうき",
    "はるか",
];
const COMPANY_A: &[&str] = &[
    "みなと",
    "ひばり",
    "あさひ",
    "つばさ",
    "ミドリバ",
    "さくら坂",
    "ほしぞら",
    "しらかば",
    "わかば",
    "あおば",
    "やまびこ",
    "こだま",
];
const COMPANY_B: &[&str] = &[
    "精機",
    "物流",
    "商事",
    "電子",
    "食品",
    "建設",
    "印刷",
    "薬品",
    "システムズ",
    "フーズ",
    "製作所",
    "ホールディングス",
];
const DEPARTMENTS: &[&str] = &[
    "経理部 会計課",
    "総務部",
    "製造部 第二課",
    "営業部",
    "情報システム部",
    "品質保証部",
    "物流センター",
];
/// docs/domain.md §1.9: 治療と仕事の両立 target diseases and 指定難病 (fictional people, real names of diseases).
const DISEASES: &[&str] = &[
    "潰瘍性大腸炎(指定難病)",
    "クローン病(指定難病)",
    "全身性エリテマトーデス(指定難病)",
    "多発性硬化症(指定難病)",
    "重症筋無力症(指定難病)",
    "パーキンソン病(指定難病)",
    "ベーチェット病(指定難病)",
    "サルコイドーシス(指定難病)",
    "もやもや病(指定難病)",
    "網膜色素変性症(指定難病)",
    "乳がん(術後・化学療法中)",
    "大腸がん(術後)",
    "脳梗塞(後遺症あり)",
    "慢性肝炎",
    "拡張型心筋症",
    "1型糖尿病",
    "若年性認知症",
    "注意欠如・多動症(ADHD)",
];
const NOTES: &[&str] = &[
    "面談後、通院日の前後に業務量を調整することで合意した。",
    "在宅勤務の回数を週2日に増やし、1か月後に見直す。",
    "体調の波があるため、始業時刻を30分遅らせる時差出勤を試行する。",
    "休憩を1時間に1回、5分程度とることを上司と確認した。",
    "主治医の意見を踏まえ、重量物の取扱いを当面控える。",
    "産業医面談を3か月ごとに実施し、配慮内容を見直す。",
    "本人の希望により、病名は人事部のみに開示する。",
];

/// Seeded, so the same N and seed give the same data (and the cache key means something).
pub struct Gen {
    rng: fastrand::Rng,
}

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen {
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.rng.usize(..list.len())]
    }

    fn surname(&mut self) -> String {
        format!("{}{}", self.pick(SURNAME_A), self.pick(SURNAME_B))
    }

    fn given(&mut self) -> String {
        if self.rng.u8(..8) == 0 {
            self.pick(KANA_GIVEN).to_string()
        } else {
            format!("{}{}", self.pick(GIVEN_A), self.pick(GIVEN_B))
        }
    }

    fn name(&mut self) -> String {
        format!("{} {}", self.surname(), self.given())
    }
}

/// Every string in `v` with each `(from, to)` replaced, and every YYYY-MM-DD date moved by `days`.
fn rewrite(v: &mut Value, swaps: &[(&str, String)], days: i64) {
    match v {
        Value::String(s) => {
            if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                *s = (d + chrono::Duration::days(days))
                    .format("%Y-%m-%d")
                    .to_string();
                return;
            }
            for (from, to) in swaps {
                if s.contains(from) {
                    *s = s.replace(from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite(i, swaps, days)),
        Value::Object(map) => map.values_mut().for_each(|i| rewrite(i, swaps, days)),
        _ => {}
    }
}

/// One person's file: who they are, and the revisions of each of their documents, oldest first.
pub struct CasePlan {
    pub name: String,
    /// One id per document (seeded v4 uuids, spread like real ones).
    pub ids: Vec<uuid::Uuid>,
    pub employer: String,
    pub documents: Vec<Vec<Record>>,
}

fn sample(json: &str, registry: &Registry) -> Record {
    parse_record(json.as_bytes(), registry).expect("the samples are valid records")
}

/// The revisions of one document: drafts that grow a note each time (a one-line field gets the
/// revision's number instead), the last one final or not.
fn revisions(g: &mut Gen, mut record: Record, note_field: &str, multiline: bool) -> Vec<Record> {
    let base = record
        .fields
        .get(note_field)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let n = 1 + g.rng.usize(..4);
    let finalize = g.rng.u8(..10) < 7;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if i > 0 {
            let note = g.pick(NOTES);
            if let Some(Value::String(s)) = record.fields.get_mut(note_field) {
                if multiline {
                    s.push('\n');
                    s.push_str(note);
                } else {
                    *s = format!("{base} 第{}版", i + 1);
                }
            }
        }
        record.status = if i + 1 == n && finalize {
            DocStatus::Final
        } else {
            DocStatus::Draft
        };
        out.push(record.clone());
    }
    out
}

/// The case `index` of a data set: the same (seed, index) always gives the same case.
pub fn plan_case(registry: &Registry, seed: u64, index: usize) -> CasePlan {
    let mut g = Gen::new(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let name = g.name();
    let employer = format!("株式会社{}{}", g.pick(COMPANY_A), g.pick(COMPANY_B));
    let disease = g.pick(DISEASES).to_string();
    let department = g.pick(DEPARTMENTS).to_string();
    // Sessions spread over seven years before the samples' dates.
    let base = -(g.rng.i64(30..7 * 365));
    let mut documents = Vec::with_capacity(DOCS_PER_CASE);
    for d in 0..DOCS_PER_CASE {
        let days = base + 90 * d as i64;
        let staff = [g.name(), g.name(), g.name(), g.name(), g.name()];
        let doc = match d {
            1 if g.rng.u8(..4) != 0 => {
                let mut r = sample(SHEET, registry);
                let swaps = [
                    ("高橋 誠", name.clone()),
                    ("株式会社ミドリバ物流", employer.clone()),
                    ("潰瘍性大腸炎（指定難病）", disease.clone()),
                    ("山本 由紀子", staff[0].clone()),
                    ("中村 健一", staff[1].clone()),
                    ("佐藤 美香", staff[2].clone()),
                ];
                r.fields.values_mut().for_each(|v| rewrite(v, &swaps, days));
                revisions(&mut g, r, "wi_notes", true)
            }
            3 if g.rng.u8(..4) != 0 => {
                let route = format!("R{}", 1 + g.rng.usize(..8));
                let region =
                    g.pick(&["national", "miyagi", "tokyo", "saitama", "osaka", "fukuoka"]);
                let mut r = taiwa::routemap::from_route(registry, &route, Some(region), Lang::Ja)
                    .expect("the standard routes exist");
                let title = format!(
                    "{name}さん {}",
                    r.fields["map_title"].as_str().unwrap_or("")
                );
                r.fields.insert("map_title".into(), Value::String(title));
                revisions(&mut g, r, "map_title", false)
            }
            _ => {
                let mut r = sample(DIALOGUE, registry);
                let swaps = [
                    ("山田 花子", name.clone()),
                    ("株式会社みなと精機", employer.clone()),
                    ("経理部 会計課", department.clone()),
                    (
                        "注意欠如・多動症（ADHD）、聴覚情報処理障害（APD）（2025年診断）",
                        disease.clone(),
                    ),
                    ("𠮷田 健一", staff[0].clone()),
                    ("佐藤 美咲", staff[1].clone()),
                    ("鈴木 拓也", staff[2].clone()),
                    ("田中 由美", staff[3].clone()),
                    ("RA-2026-0137", format!("RA-{index:06}")),
                ];
                r.fields.values_mut().for_each(|v| rewrite(v, &swaps, days));
                revisions(&mut g, r, "functional_notes", true)
            }
        };
        documents.push(doc);
    }
    let ids = (0..DOCS_PER_CASE)
        .map(|_| {
            let mut bytes = [0u8; 16];
            bytes.iter_mut().for_each(|b| *b = g.rng.u8(..));
            uuid::Builder::from_random_bytes(bytes).into_uuid()
        })
        .collect();
    CasePlan {
        name,
        ids,
        employer,
        documents,
    }
}

/// A case's revisions, validated and ready to write.
pub struct PreparedCase {
    plan: CasePlan,
    documents: Vec<Vec<CheckedRecord>>,
}

/// Plans and prepares cases `range` on all cores (preparing is validation, canonical JSON and
/// hashing: the CPU part of a save). Records get their ids here, so revisions chain.
pub fn prepare_cases(
    registry: &Registry,
    seed: u64,
    range: std::ops::Range<usize>,
) -> Result<Vec<PreparedCase>, StoreError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let indices: Vec<usize> = range.collect();
    let chunk = indices.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = indices
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&i| {
                            let mut plan = plan_case(registry, seed, i);
                            let mut documents = Vec::new();
                            for (revs, id) in plan.documents.iter_mut().zip(plan.ids.clone()) {
                                let mut prepared = Vec::new();
                                for r in revs.iter_mut() {
                                    r.id = Some(id);
                                    prepared.push(check_record(registry, r)?);
                                }
                                documents.push(prepared);
                            }
                            Ok(PreparedCase { plan, documents })
                        })
                        .collect::<Result<Vec<_>, StoreError>>()
                })
            })
            .collect();
        let mut out = Vec::new();
        for h in handles {
            out.extend(h.join().expect("a generator thread panicked")?);
        }
        Ok(out)
    })
}

/// Writes prepared cases in one transaction: the case, every revision in order, and consents
/// for the final documents (to the employer's HR, or to the attending physician for a sheet).
pub fn write_cases(store: &mut Store, cases: &[PreparedCase]) -> Result<usize, StoreError> {
    let today = taiwa::consent::today();
    store.batch(|b| {
        let mut docs = 0;
        for c in cases {
            let case = b.create_case(&NewCase {
                display_name: c.plan.name.clone(),
                pseudonym: None,
                employer: Some(c.plan.employer.clone()),
            })?;
            for (revs, records) in c.documents.iter().zip(&c.plan.documents) {
                let mut last = None;
                for p in revs {
                    last = Some(b.save(p, Some(case))?);
                }
                docs += 1;
                let (Some(saved), Some(record)) = (last, records.last()) else {
                    continue;
                };
                if record.status != DocStatus::Final || record.template == "route-map" {
                    continue;
                }
                let (recipient, role) = if record.template == "work-consideration" {
                    (
                        "さくら坂総合病院 消化器内科".to_string(),
                        "attending_physician",
                    )
                } else {
                    (format!("{} 人事部", c.plan.employer), "hr")
                };
                b.add_consent(
                    saved.document_id,
                    &NewConsent {
                        recipient,
                        role: Some(role.into()),
                        purpose: "就業上の配慮を検討するため".into(),
                        sections: None,
                        whole_document: true,
                        method: Method::Signature,
                        recorded_by: None,
                        given_on: "2025-04-01".into(),
                        expires_on: None,
                    },
                    today,
                )?;
            }
        }
        Ok(docs)
    })
}

/// Fills `store` with `cases` cases, `batch` cases per transaction; returns the documents written.
pub fn generate(
    store: &mut Store,
    seed: u64,
    cases: usize,
    batch: usize,
) -> Result<usize, StoreError> {
    let registry = store.registry();
    let mut written = 0;
    let mut start = 0;
    while start < cases {
        let end = (start + batch).min(cases);
        let prepared = prepare_cases(registry, seed, start..end)?;
        written += write_cases(store, &prepared)?;
        start = end;
    }
    Ok(written)
}

/// Where a generated database is kept: ${XDG_CACHE_HOME:-~/.cache}/taiwa-bench/.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("taiwa-bench")
}

/// The cached file for (generator version, schema version, cases, seed), encrypted or plain: a
/// file made under another schema is never reused (a migration may not apply to what a
/// development build left behind).
pub fn cached_path(cases: usize, seed: u64, plain: bool) -> PathBuf {
    let kind = if plain { "plain" } else { "enc" };
    let schema = taiwa::store::SCHEMA_VERSION;
    cache_dir().join(format!("v{VERSION}-db{schema}-c{cases}-s{seed}-{kind}.db"))
}

/// Opens a generated database (the passphrase, or plain with the `bench-plain` feature).
pub fn open(path: &Path, plain: bool) -> Result<Store, StoreError> {
    if plain {
        open_plain(path)
    } else {
        Store::open(path, PASSPHRASE, OpenMode::CreateIfMissing)
    }
}

#[cfg(feature = "bench-plain")]
fn open_plain(path: &Path) -> Result<Store, StoreError> {
    Store::open_plain_for_bench(path)
}

#[cfg(not(feature = "bench-plain"))]
fn open_plain(_: &Path) -> Result<Store, StoreError> {
    panic!("a plain database needs --features bench-plain")
}

/// The cached database for (cases, seed), generated first when missing (into a side file, renamed
/// once complete, so an interrupted run leaves nothing that looks finished). Returns the path and
/// the seconds generation took (None: it was cached).
pub fn ensure(cases: usize, seed: u64, plain: bool) -> Result<(PathBuf, Option<f64>), StoreError> {
    let path = cached_path(cases, seed, plain);
    if path.exists() {
        return Ok((path, None));
    }
    let io = |source| StoreError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(cache_dir()).map_err(io)?;
    let partial = path.with_extension("partial");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    let t = Instant::now();
    {
        let mut store = open(&partial, plain)?;
        generate(&mut store, seed, cases, 500)?;
    }
    let secs = t.elapsed().as_secs_f64();
    std::fs::rename(&partial, &path).map_err(io)?;
    Ok((path, Some(secs)))
}
