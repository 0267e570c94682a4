//! The editor's commands: create, open (with the autosaved working copy), autosave, check, save a
//! draft revision, finalize.

use super::cases::parse_id;
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use serde::Serialize;
use serde_json::Value;
use taiwa::i18n::{Text, UserError};
use taiwa::ids::DocumentId;
use taiwa::record::{DocStatus, Mode, Record, hidden_fields, parse_record, required_now, validate};
use taiwa::store::{SaveOutcome, Store, StoreError};
use taiwa::template::Registry;
use tauri::State;

/// One problem, placed at the field it names (`participants[2].name`).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Problem")]
pub struct FieldProblem {
    pub path: String,
    pub code: String,
    pub ja: String,
    pub en: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Check {
    pub problems: Vec<FieldProblem>,
    /// Top-level keys and `group.sub` keys whose required rule holds now.
    pub required: Vec<String>,
    /// Top-level keys not on the form as the record's values choose it (`shown_when`): hidden.
    pub hidden: Vec<String>,
    /// Paths that 確定 would still refuse but this (draft) check does not report: the required
    /// fields left empty, boxes to tick, text the paper cannot print. Rust is the one judge of
    /// what is missing, so the meeting mode counts these per section as the worker types.
    /// Empty in a final check (they are its problems).
    pub to_finalize: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Editing {
    pub id: String,
    pub case_id: String,
    pub template: String,
    /// The working copy: the autosave when there is one, else the head revision.
    #[ts(as = "Record")]
    pub record: Value,
    #[ts(type = "number")]
    pub head_seq: i64,
    pub restored_autosave: bool,
    pub check: Check,
    /// The form version of the working copy (a final document keeps the version it was made
    /// under; a draft is moved to the newest when opened).
    pub template_version: u32,
    /// Set when a draft of an older form version was moved to the newest on opening: that version.
    pub migrated_from: Option<u32>,
    /// What could not come along when it was (field and why); empty otherwise.
    pub left_behind: Vec<LeftBehind>,
}

/// A field of an older form version that the newest has no place for.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct LeftBehind {
    pub field: String,
    pub reason: Text,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SaveResult {
    /// None: nothing saved; `check` says why.
    pub outcome: Option<SaveOutcome>,
    pub check: Check,
}

fn problems(list: Vec<taiwa::record::Problem>) -> Vec<FieldProblem> {
    list.into_iter()
        .map(|p| FieldProblem {
            path: p.path,
            code: p.code.as_str().to_string(),
            ja: p.message.ja,
            en: p.message.en,
        })
        .collect()
}

/// Parses the UI's working copy; a shape error becomes one problem (the record is kept as typed).
fn parse(record: &Value) -> Result<Record, Check> {
    let bytes = serde_json::to_vec(record).unwrap_or_default();
    parse_record(&bytes, Registry::builtin()).map_err(|e| {
        let Text { ja, en } = e.message();
        Check {
            problems: vec![FieldProblem {
                path: String::new(),
                code: e.code().to_string(),
                ja,
                en,
            }],
            required: Vec::new(),
            hidden: Vec::new(),
            to_finalize: Vec::new(),
        }
    })
}

fn check(record: &Record, mode: Mode) -> IpcResult<Check> {
    let t = super::templates::template_of(record)?;
    // Validation for finalizing includes printability (record::first_unprintable).
    let found = problems(validate(record, t, mode));
    let mut to_finalize = Vec::new();
    if mode != Mode::Final {
        for p in validate(record, t, Mode::Final) {
            if !found.iter().any(|f| f.path == p.path) && !to_finalize.contains(&p.path) {
                to_finalize.push(p.path);
            }
        }
    }
    Ok(Check {
        problems: found,
        required: required_now(record, t),
        hidden: hidden_fields(record, t),
        to_finalize,
    })
}

fn editing(state: &AppState, id: DocumentId) -> IpcResult<Editing> {
    state.with_store(|s| {
        let view = s.document(id)?;
        let autosave = if view.record.status == DocStatus::Draft {
            s.autosave(id)?
        } else {
            None
        };
        // A working copy older than the head (a revision saved elsewhere since, or a crash between
        // saving and clearing it) never replaces the newer revision.
        let autosave = autosave.filter(|a| a.base_seq == view.seq);
        let (record, restored) =
            match autosave.and_then(|a| serde_json::from_str(&a.record_json).ok()) {
                Some(v) => (v, true),
                None => (view.record.to_value(), false),
            };
        // A draft of an older form version moves to the newest here, field by field; the
        // working copy holds the result until the worker saves it (a final document never moves).
        let mut record = record;
        let mut migrated_from = None;
        let mut left_behind = Vec::new();
        if let Ok(r) = parse(&record)
            && r.status == DocStatus::Draft
            && Registry::builtin()
                .get(&r.template)
                .is_some_and(|newest| newest.version > r.template_version)
            && let Ok(m) = taiwa::record::migrate_draft(&r, Registry::builtin())
        {
            record = m.record.to_value();
            migrated_from = Some(m.from_version);
            left_behind = m
                .dropped
                .into_iter()
                .map(|d| LeftBehind {
                    field: d.field,
                    reason: d.reason,
                })
                .collect();
            if let Ok(json) = serde_json::to_string(&record) {
                s.put_autosave(id, &json)?;
            }
        }
        // A draft shows the case's name, pseudonym and employer where the form takes them and
        // is still empty, and its check sees the consent ledger's rows (as the save will).
        let (check, template_version) = match parse(&record) {
            Ok(mut r) => {
                if r.status == DocStatus::Draft {
                    if s.prefill_from_case(&mut r, view.case_id)? {
                        record = r.to_value();
                    }
                    s.mirror_ledger(&mut r)?;
                }
                (check(&r, Mode::Draft)?, r.template_version)
            }
            Err(c) => (c, view.record.template_version),
        };
        Ok(Editing {
            id: id.to_string(),
            case_id: view.case_id.to_string(),
            template: view.record.template.clone(),
            record,
            head_seq: view.seq,
            restored_autosave: restored,
            check,
            template_version,
            migrated_from,
            left_behind,
        })
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn document_create(
    state: State<'_, AppState>,
    case_id: String,
    template: String,
    route: Option<String>,
    region: Option<String>,
) -> IpcResult<Editing> {
    let case = parse_id(&case_id, "case_id")?;
    let t = super::templates::template(&template)?;
    let lang = state.settings()?.lang;
    // A route map may start from a standard route (R1–R8), prefilled with its agencies and steps.
    let mut record = match route.filter(|r| !r.is_empty()) {
        Some(route) if t.id == taiwa::routemap::TEMPLATE_ID => {
            taiwa::routemap::from_route(Registry::builtin(), &route, region.as_deref(), lang)
                .map_err(|e| IpcError::from_user(&e))?
        }
        _ => Record::new(&t.id, t.version),
    };
    record.lang = lang;
    // Typed once: the case's name, pseudonym and employer go where the form takes them.
    let outcome = state.with_store(|s| {
        s.prefill_from_case(&mut record, case)?;
        Ok(s.save_record(&record, Some(case))?)
    })?;
    editing(&state, outcome.document_id)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn document_open(state: State<'_, AppState>, id: String) -> IpcResult<Editing> {
    editing(&state, parse_id(&id, "document_id")?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn document_autosave(
    state: State<'_, AppState>,
    id: String,
    record: Value,
) -> IpcResult<String> {
    let id = parse_id(&id, "document_id")?;
    let json = serde_json::to_string(&record).map_err(|e| {
        IpcError::bad_input(
            "record",
            &format!("記録を保存できません: {e}"),
            &format!("cannot store the record: {e}"),
        )
    })?;
    state.with_store(|s| Ok(s.put_autosave(id, &json)?))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn document_check(
    state: State<'_, AppState>,
    record: Value,
    r#final: bool,
) -> IpcResult<Check> {
    state.with_store(|s| check_value(&record, r#final, Some(s)))
}

/// The check of the UI's working copy; with the store, as the save will see it (the consent
/// table is the ledger's).
pub(crate) fn check_value(
    record: &Value,
    r#final: bool,
    ledger: Option<&Store>,
) -> IpcResult<Check> {
    match parse(record) {
        Ok(mut r) => {
            if let Some(s) = ledger {
                s.mirror_ledger(&mut r)?;
            }
            check(&r, if r#final { Mode::Final } else { Mode::Draft })
        }
        Err(c) => Ok(c),
    }
}

fn save(state: &AppState, id: &str, record: &Value, status: DocStatus) -> IpcResult<SaveResult> {
    let id: DocumentId = parse_id(id, "document_id")?;
    let mut parsed = match parse(record) {
        Ok(r) => r,
        Err(check) => {
            return Ok(SaveResult {
                outcome: None,
                check,
            });
        }
    };
    if parsed.id != Some(id.uuid()) {
        return Err(IpcError::bad_input(
            "record",
            "記録の ID が開いている文書と一致しません",
            "the record's id is not the open document's",
        ));
    }
    parsed.status = status;
    state.with_store(|s| Ok(s.mirror_ledger(&mut parsed)?))?;
    let mode = Mode::for_status(status);
    let found = check(&parsed, mode)?;
    if !found.problems.is_empty() {
        return Ok(SaveResult {
            outcome: None,
            check: found,
        });
    }
    state.with_store(|s| {
        let outcome = match s.save_record(&parsed, None) {
            Ok(o) => o,
            Err(StoreError::Invalid { problems: p }) => {
                return Ok(SaveResult {
                    outcome: None,
                    check: Check {
                        problems: problems(p),
                        required: found.required.clone(),
                        hidden: found.hidden.clone(),
                        to_finalize: found.to_finalize.clone(),
                    },
                });
            }
            Err(e) => return Err(e.into()),
        };
        s.clear_autosave(id)?;
        Ok(SaveResult {
            outcome: Some(outcome),
            check: found,
        })
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn document_save(
    state: State<'_, AppState>,
    id: String,
    record: Value,
) -> IpcResult<SaveResult> {
    save(&state, &id, &record, DocStatus::Draft)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn document_finalize(
    state: State<'_, AppState>,
    id: String,
    record: Value,
) -> IpcResult<SaveResult> {
    save(&state, &id, &record, DocStatus::Final)
}

/// Starts the correction of a final document (「この版をもとに修正版を作る」): its next revision is
/// a draft holding the final's content, opened for editing. The final stays in the history.
#[tauri::command(rename_all = "snake_case")]
pub async fn document_revise(state: State<'_, AppState>, id: String) -> IpcResult<Editing> {
    let id: DocumentId = parse_id(&id, "document_id")?;
    state.with_store(|s| Ok(s.revise(id)?))?;
    editing(&state, id)
}

#[cfg(test)]
mod tests {
    use super::{check, editing};
    use crate::state::AppState;
    use taiwa::record::Mode;
    use taiwa::record::{DocStatus, parse_record};
    use taiwa::store::{OpenMode, Store};
    use taiwa::template::Registry;

    /// The app opens a v1 draft as v2 (the working copy, naming what was left behind) and a v1
    /// final document as the v1 it was finalized under.
    #[test]
    fn a_v1_draft_opens_moved_to_v2_and_a_v1_final_stays_v1() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("taiwa.db");
        let state = AppState::new(db.clone(), dir.path().join("settings.json"));
        let mut store =
            Store::open(&db, "架空の合言葉 lantern moss", OpenMode::CreateIfMissing).unwrap();
        let v1 = parse_record(
            include_bytes!("../../../samples/work-consideration.json"),
            store.registry(),
        )
        .unwrap();
        assert_eq!(v1.template_version, 1, "the sample is a v1 record");
        let mut draft = v1.clone();
        draft.id = None;
        draft.status = DocStatus::Draft;
        let draft_id = store.save_record(&draft, None).unwrap().document_id;
        let mut fin = v1.clone();
        fin.id = None;
        let final_id = store.save_record(&fin, None).unwrap().document_id;
        *state.store.lock().unwrap() = Some(store);

        let e = editing(&state, draft_id).unwrap();
        assert_eq!(e.template_version, 2);
        assert_eq!(e.migrated_from, Some(1));
        assert_eq!(e.record["template_version"], 2);
        // The sample fills fields version 2 no longer has: each is named with why.
        assert!(!e.left_behind.is_empty());
        for l in &e.left_behind {
            assert!(
                !l.reason.ja.is_empty() && !l.reason.en.is_empty(),
                "{}",
                l.field
            );
            assert!(
                e.record["fields"].get(&l.field).is_none(),
                "{} left",
                l.field
            );
        }
        // The working copy holds the move; the stored revision is still v1 until saved.
        let guard = state.store.lock().unwrap();
        let store = guard.as_ref().unwrap();
        let working = store.autosave(draft_id).unwrap().expect("a working copy");
        assert!(working.record_json.contains("\"template_version\":2"));
        assert_eq!(store.document(draft_id).unwrap().record.template_version, 1);
        drop(guard);

        let e = editing(&state, final_id).unwrap();
        assert_eq!(e.template_version, 1);
        assert_eq!(e.migrated_from, None);
        assert!(e.check.problems.is_empty(), "{:?}", e.check.problems);
    }

    /// A draft check reports only ill-formed values, and names separately what 確定 would still
    /// refuse; a final check has nothing left over. Emptying a required field of a complete
    /// record moves exactly that path into `to_finalize`.
    #[test]
    fn a_draft_check_names_what_finalizing_would_still_refuse() {
        let mut value: serde_json::Value =
            serde_json::from_slice(include_bytes!("../../../samples/dialogue-record.json"))
                .unwrap();
        value["status"] = "draft".into();
        let complete = parse_record(value.to_string().as_bytes(), Registry::builtin()).unwrap();
        let c = check(&complete, Mode::Draft).unwrap();
        assert!(c.problems.is_empty() && c.to_finalize.is_empty(), "{c:?}");

        value["fields"]
            .as_object_mut()
            .unwrap()
            .remove("employer_name");
        value["fields"]["session_date"] = "2026-13-01".into();
        let gap = parse_record(value.to_string().as_bytes(), Registry::builtin()).unwrap();
        let c = check(&gap, Mode::Draft).unwrap();
        assert_eq!(c.to_finalize, vec!["employer_name".to_string()]);
        assert_eq!(
            c.problems
                .iter()
                .map(|p| p.path.as_str())
                .collect::<Vec<_>>(),
            vec!["session_date"],
            "the bad date is a problem now, and not counted twice"
        );
        let f = check(&gap, Mode::Final).unwrap();
        assert!(f.to_finalize.is_empty());
        assert!(f.problems.iter().any(|p| p.path == "employer_name"));
    }
}
