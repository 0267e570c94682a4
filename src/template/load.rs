//! Loading and checking form definitions. Every rule of templates/README.md is enforced here, so a
//! definition that loads is one the validator, the app and the PDF can rely on without re-checking.

use super::catalogue::{AgencyCatalogue, RouteCatalogue};
use super::model::{
    Auto, ChoiceOption, Condition, Field, FieldType, OptionGroup, Required, RowKind, Template,
};
use super::sources::SourceTable;
use crate::i18n::Text;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashSet;

/// A broken definition file: which file, where in it, and what is wrong.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "フォーム定義 {file} の {path} に誤りがあります / broken form definition {file} at {path}: {message}"
)]
pub struct LoadError {
    pub file: String,
    pub path: String,
    pub message: String,
}

/// Every form definition (each version still read), the agency catalogue, the standard routes and
/// the sources table, checked against each other.
#[derive(Debug, Clone)]
pub struct Registry {
    /// The newest version of each form: what new records use.
    templates: Vec<Template>,
    /// Earlier versions, kept so that records made under them still open, validate and export.
    older: Vec<Template>,
    pub agencies: AgencyCatalogue,
    pub routes: RouteCatalogue,
    pub sources: SourceTable,
}

/// The definition files, as (file name, contents).
#[derive(Debug, Clone, Copy)]
pub struct DefinitionFiles<'a> {
    /// The newest version of each form.
    pub templates: &'a [(&'a str, &'a str)],
    /// Frozen earlier versions (`v1/work-consideration.json`): each must be older than the newest.
    pub older: &'a [(&'a str, &'a str)],
    pub agencies: (&'a str, &'a str),
    pub routes: (&'a str, &'a str),
    pub sources: (&'a str, &'a str),
}

impl Registry {
    /// Loads and checks the newest definitions with the built-in sources table and no earlier
    /// versions (the fuzz target and tests that replace one file).
    pub fn load(
        template_files: &[(&str, &str)],
        agencies_file: (&str, &str),
        routes_file: (&str, &str),
    ) -> Result<Registry, LoadError> {
        Registry::load_files(&DefinitionFiles {
            templates: template_files,
            older: &[],
            agencies: agencies_file,
            routes: routes_file,
            sources: super::builtin::SOURCES_FILE,
        })
    }

    /// Loads and checks every definition file.
    pub fn load_files(files: &DefinitionFiles) -> Result<Registry, LoadError> {
        let sources: SourceTable = parse(files.sources.0, files.sources.1)?;
        check_sources(files.sources.0, &sources)?;
        let agencies: AgencyCatalogue = parse(files.agencies.0, files.agencies.1)?;
        check_agencies(files.agencies.0, &agencies, &sources)?;

        let templates = load_templates(files.templates, &agencies, &sources)?;
        let older = load_templates(files.older, &agencies, &sources)?;
        for (i, t) in older.iter().enumerate() {
            let file = files.older.get(i).map_or("", |f| f.0);
            match templates.iter().find(|n| n.id == t.id) {
                Some(n) if n.version > t.version => {}
                Some(n) => {
                    return Err(err(
                        file,
                        "version",
                        format!(
                            "an earlier version must be below the newest ({} < {})",
                            t.version, n.version
                        ),
                    ));
                }
                None => {
                    return Err(err(file, "id", "no newest version of this form"));
                }
            }
            if older[..i]
                .iter()
                .any(|o| o.id == t.id && o.version == t.version)
            {
                return Err(err(file, "version", "a second file has this version"));
            }
        }

        let routes: RouteCatalogue = parse(files.routes.0, files.routes.1)?;
        let route_map = templates.iter().find(|t| t.id == "route-map");
        check_routes(files.routes.0, &routes, &agencies, route_map, &sources)?;

        Ok(Registry {
            templates,
            older,
            agencies,
            routes,
            sources,
        })
    }

    /// The newest version of each form.
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        self.templates.iter()
    }

    /// The newest version of a form: what a new record uses.
    pub fn get(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.id == id)
    }

    /// One version of a form, the newest or an earlier one.
    pub fn get_version(&self, id: &str, version: u32) -> Option<&Template> {
        self.templates
            .iter()
            .chain(&self.older)
            .find(|t| t.id == id && t.version == version)
    }

    /// Every version of a form this build reads, oldest first.
    pub fn versions(&self, id: &str) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .templates
            .iter()
            .chain(&self.older)
            .filter(|t| t.id == id)
            .map(|t| t.version)
            .collect();
        v.sort_unstable();
        v
    }

    pub fn ids(&self) -> Vec<&str> {
        self.templates.iter().map(|t| t.id.as_str()).collect()
    }
}

/// Parses, expands and checks one set of forms (one version of each).
fn load_templates(
    template_files: &[(&str, &str)],
    agencies: &AgencyCatalogue,
    sources: &SourceTable,
) -> Result<Vec<Template>, LoadError> {
    {
        let mut parsed = Vec::with_capacity(template_files.len());
        for (file, text) in template_files {
            let template: Template = parse(file, text)?;
            // `v1/work-consideration.json` holds version 1 of `work-consideration`.
            let name = file.rsplit('/').next().unwrap_or(file);
            let expected = name.trim_end_matches(".json");
            if template.id != expected {
                return Err(err(
                    file,
                    "id",
                    format!("id {:?} must match the file name {expected:?}", template.id),
                ));
            }
            parsed.push((*file, template));
        }
        let mut ids = HashSet::new();
        for (file, t) in &parsed {
            if !ids.insert(t.id.clone()) {
                return Err(err(
                    file,
                    "id",
                    format!("a second template has the id {:?}", t.id),
                ));
            }
        }

        let mut templates = Vec::with_capacity(parsed.len());
        for (file, mut template) in parsed {
            expand_built_ins(&mut template);
            resolve_options_from(file, &mut template, agencies)?;
            TemplateChecker {
                file,
                template: &template,
                ids: &ids,
                sources,
            }
            .check()?;
            templates.push(template);
        }
        Ok(templates)
    }
}

/// Source ids are unique and plain; every entry but the app's own has an address.
fn check_sources(file: &str, table: &SourceTable) -> Result<(), LoadError> {
    let mut ids = HashSet::new();
    for (i, s) in table.sources.iter().enumerate() {
        let path = format!("sources[{i}] ({})", s.id);
        let plain = !s.id.is_empty()
            && s.id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !plain || !ids.insert(s.id.as_str()) {
            return Err(err(
                file,
                path,
                "source ids are unique and ASCII [A-Za-z0-9_-]+",
            ));
        }
        if s.title.trim().is_empty() || s.issuer.trim().is_empty() {
            return Err(err(file, path, "a source needs a title and an issuer"));
        }
        if s.address.is_empty() && s.id != "taiwa" {
            return Err(err(file, path, "a source needs its address"));
        }
    }
    Ok(())
}

/// Every cited id must be in the sources table.
fn check_cited(
    file: &str,
    path: &str,
    ids: &[String],
    table: &SourceTable,
) -> Result<(), LoadError> {
    for id in ids {
        if table.get(id).is_none() {
            return Err(err(
                file,
                path,
                format!("source {id:?} is not in sources.json"),
            ));
        }
    }
    Ok(())
}

fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, LoadError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| LoadError {
        file: file.to_string(),
        path: match e.path().to_string() {
            p if p == "." => "(top level)".to_string(),
            p => p,
        },
        message: e.inner().to_string(),
    })
}

fn err(file: &str, path: impl Into<String>, message: impl Into<String>) -> LoadError {
    LoadError {
        file: file.to_string(),
        path: path.into(),
        message: message.into(),
    }
}

fn is_key(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

fn is_option_key(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

fn check_text(file: &str, path: &str, what: &str, text: &Text) -> Result<(), LoadError> {
    if text.ja.trim().is_empty() || text.en.trim().is_empty() {
        return Err(err(file, path, format!("{what} needs both ja and en text")));
    }
    Ok(())
}

/// Signatures and consents have fixed sub-fields, written once here rather than in every file.
fn expand_built_ins(template: &mut Template) {
    fn walk(fields: &mut [Field]) {
        for f in fields {
            match f.kind {
                FieldType::Signature if f.fields.is_empty() => f.fields = signature_fields(),
                FieldType::Consent if f.fields.is_empty() => f.fields = consent_fields(),
                FieldType::Group if f.row == Some(RowKind::Consent) && f.fields.is_empty() => {
                    f.fields = consent_fields()
                }
                _ => {}
            }
            walk(&mut f.fields);
        }
    }
    for s in &mut template.sections {
        walk(&mut s.fields);
    }
}

fn plain(key: &str, kind: FieldType, ja: &str, en: &str, required: Required) -> Field {
    Field {
        key: key.to_string(),
        kind,
        label: Text::new(ja, en),
        help: None,
        required,
        sensitive: false,
        source: None,
        sources: Vec::new(),
        shown_when: None,
        auto: None,
        options: Vec::new(),
        options_from: None,
        option_groups: Vec::new(),
        allow_empty: false,
        fields: Vec::new(),
        row: None,
        min_rows: None,
        max_rows: None,
        unique: Vec::new(),
        sequence: None,
        distinct: Vec::new(),
        require_row: None,
        reference: None,
        min: None,
        max: None,
        integer: false,
        from_ledger: false,
        from_case: None,
        unit: None,
        max_length: None,
        text: None,
        pdf: None,
    }
}

/// The sub-fields of a `signature` value: typed name, date, confirmation tick (no seal needed).
pub fn signature_fields() -> Vec<Field> {
    vec![
        plain("name", FieldType::Text, "氏名", "Name", Required::Always),
        plain("date", FieldType::Date, "日付", "Date", Required::Always),
        plain(
            "confirmed",
            FieldType::Checkbox,
            "内容を確認しました",
            "Confirmed",
            Required::Always,
        ),
    ]
}

/// The sub-fields of a `consent` value (docs/domain.md §6: recipient, purpose, items, date,
/// method, expiry).
pub fn consent_fields() -> Vec<Field> {
    let option = |key: &str, ja: &str, en: &str| ChoiceOption {
        key: key.to_string(),
        label: Text::new(ja, en),
        group: None,
    };
    let mut method = plain(
        "method",
        FieldType::Choice,
        "同意の方法",
        "Method",
        Required::Always,
    );
    method.options = vec![
        option("signature", "署名", "Signature"),
        option("name", "記名", "Written name"),
        option("electronic", "電子", "Electronic"),
        option("oral", "口頭(記録者あり)", "Oral (with recorder)"),
    ];
    let oral = Condition {
        field: Some("method".to_string()),
        equals: Some(Value::String("oral".to_string())),
        ..Condition::default()
    };
    let mut items = plain(
        "items",
        FieldType::LongText,
        "提供する情報の範囲",
        "Information covered",
        Required::Never,
    );
    items.max_length = Some(2_000);
    vec![
        plain(
            "recipient",
            FieldType::Text,
            "提供先(機関・立場)",
            "Recipient (organisation, role)",
            Required::Always,
        ),
        plain(
            "purpose",
            FieldType::Text,
            "利用目的",
            "Purpose",
            Required::Always,
        ),
        items,
        plain(
            "date",
            FieldType::Date,
            "同意日",
            "Date of consent",
            Required::Always,
        ),
        method,
        plain(
            "recorded_by",
            FieldType::Text,
            "記録者",
            "Recorded by",
            Required::When(oral),
        ),
        plain(
            "expires",
            FieldType::Date,
            "有効期限",
            "Expires on",
            Required::Never,
        ),
        plain(
            "withdrawn",
            FieldType::Date,
            "撤回日",
            "Withdrawn on",
            Required::Never,
        ),
    ]
}

type ResolvedOptions = (Vec<ChoiceOption>, Vec<OptionGroup>);

/// `options_from` copies the options of the agency catalogue or of another field, so the stored
/// definition (and `taiwa template --json`) is self-contained.
fn resolve_options_from(
    file: &str,
    template: &mut Template,
    agencies: &AgencyCatalogue,
) -> Result<(), LoadError> {
    let top: Vec<Field> = template
        .sections
        .iter()
        .flat_map(|s| s.fields.clone())
        .collect();
    let lookup = |from: &str, path: &str| -> Result<ResolvedOptions, LoadError> {
        if from == "agencies" {
            let options = agencies
                .agencies
                .iter()
                .map(|a| ChoiceOption {
                    key: a.key.clone(),
                    label: a.label.clone(),
                    group: None,
                })
                .collect();
            return Ok((options, Vec::new()));
        }
        match top.iter().find(|f| f.key == from) {
            Some(src)
                if matches!(src.kind, FieldType::Choice | FieldType::Multi)
                    && !src.options.is_empty() =>
            {
                Ok((src.options.clone(), src.option_groups.clone()))
            }
            Some(_) => Err(err(
                file,
                path,
                format!("options_from {from:?} names a field without its own options"),
            )),
            None => Err(err(
                file,
                path,
                format!("options_from {from:?}: no such field (or \"agencies\")"),
            )),
        }
    };
    fn walk(
        fields: &mut [Field],
        path: &str,
        lookup: &dyn Fn(&str, &str) -> Result<ResolvedOptions, LoadError>,
        file: &str,
    ) -> Result<(), LoadError> {
        for (i, f) in fields.iter_mut().enumerate() {
            let here = format!("{path}.fields[{i}] ({})", f.key);
            if let Some(from) = f.options_from.clone() {
                if !f.options.is_empty() {
                    return Err(err(
                        file,
                        &here,
                        "give either options or options_from, not both",
                    ));
                }
                let (options, groups) = lookup(&from, &here)?;
                f.options = options;
                f.option_groups = groups;
            }
            walk(&mut f.fields, &here, lookup, file)?;
        }
        Ok(())
    }
    for (i, s) in template.sections.iter_mut().enumerate() {
        walk(&mut s.fields, &format!("sections[{i}]"), &lookup, file)?;
    }
    Ok(())
}

struct TemplateChecker<'a> {
    file: &'a str,
    template: &'a Template,
    ids: &'a HashSet<String>,
    sources: &'a SourceTable,
}

impl TemplateChecker<'_> {
    fn err(&self, path: &str, message: impl Into<String>) -> LoadError {
        err(self.file, path, message)
    }

    fn check(&self) -> Result<(), LoadError> {
        let t = self.template;
        if t.version == 0 {
            return Err(self.err("version", "version starts at 1"));
        }
        check_text(self.file, "title", "title", &t.title)?;
        check_cited(self.file, "sources", &t.sources, self.sources)?;
        if t.sections.is_empty() {
            return Err(self.err("sections", "a template needs at least one section"));
        }
        for (i, path) in t.display_fields.iter().enumerate() {
            match self.resolve(path, None) {
                Some(f) if matches!(f.kind, FieldType::Text) => {}
                _ => {
                    return Err(self.err(
                        &format!("display_fields[{i}]"),
                        format!("{path:?} is not a text field"),
                    ));
                }
            }
        }
        for (i, path) in t.review_fields.iter().enumerate() {
            match self.resolve(path, None) {
                Some(f) if matches!(f.kind, FieldType::Date) => {}
                _ => {
                    return Err(self.err(
                        &format!("review_fields[{i}]"),
                        format!("{path:?} is not a date field"),
                    ));
                }
            }
        }
        let mut section_keys = HashSet::new();
        let mut field_keys = HashSet::new();
        for (i, s) in t.sections.iter().enumerate() {
            let path = format!("sections[{i}] ({})", s.key);
            if !is_key(&s.key) {
                return Err(self.err(&path, "section key must match [a-z][a-z0-9_]*"));
            }
            if !section_keys.insert(s.key.as_str()) {
                return Err(self.err(&path, "duplicate section key"));
            }
            check_text(self.file, &path, "title", &s.title)?;
            if let Some(h) = &s.help {
                check_text(self.file, &path, "help", h)?;
            }
            if let Some(part) = &s.part
                && !is_key(part)
            {
                return Err(self.err(&path, "part must match [a-z][a-z0-9_]*"));
            }
            if s.fields.is_empty() {
                return Err(self.err(&path, "a section needs at least one field"));
            }
            if let Some(c) = &s.applies_when {
                self.check_condition(&format!("{path}.applies_when"), c, None)?;
            }
            check_cited(self.file, &path, &s.sources, self.sources)?;
            for (j, f) in s.fields.iter().enumerate() {
                let fpath = format!("{path}.fields[{j}] ({})", f.key);
                if !field_keys.insert(f.key.as_str()) {
                    return Err(self.err(&fpath, "duplicate field key in this template"));
                }
                self.check_field(&fpath, f, None)?;
            }
        }
        Ok(())
    }

    fn check_field(&self, path: &str, f: &Field, parent: Option<&Field>) -> Result<(), LoadError> {
        use FieldType as T;
        if !is_key(&f.key) {
            return Err(self.err(path, "field key must match [a-z][a-z0-9_]*"));
        }
        check_text(self.file, path, "label", &f.label)?;
        if let Some(h) = &f.help {
            check_text(self.file, path, "help", h)?;
        }
        check_cited(self.file, path, &f.sources, self.sources)?;
        if let Some(c) = &f.shown_when {
            if parent.is_some() {
                return Err(self.err(path, "shown_when is for top-level fields only"));
            }
            self.check_condition(&format!("{path}.shown_when"), c, None)?;
        }
        let kind = f.kind;
        let only = |ok: bool, what: &str| -> Result<(), LoadError> {
            if ok {
                Ok(())
            } else {
                Err(self.err(
                    path,
                    format!("{what} does not apply to type {}", kind.name()),
                ))
            }
        };
        only(
            f.options.is_empty() || matches!(kind, T::Choice | T::Multi),
            "options",
        )?;
        only(
            f.option_groups.is_empty() || matches!(kind, T::Choice | T::Multi),
            "option_groups",
        )?;
        only(!f.allow_empty || kind == T::Multi, "allow_empty")?;
        only(f.fields.is_empty() || kind.has_sub_fields(), "fields")?;
        only(f.row.is_none() || kind == T::Group, "row")?;
        only(
            f.min_rows.is_none() && f.max_rows.is_none() || kind == T::Group,
            "min_rows/max_rows",
        )?;
        only(f.unique.is_empty() || kind == T::Group, "unique")?;
        only(f.sequence.is_none() || kind == T::Group, "sequence")?;
        only(f.distinct.is_empty() || kind == T::Group, "distinct")?;
        only(f.require_row.is_none() || kind == T::Group, "require_row")?;
        only(f.reference.is_none() || kind == T::Ref, "ref")?;
        only(
            f.min.is_none() && f.max.is_none() && !f.integer && f.unit.is_none()
                || kind == T::Number,
            "min/max/integer/unit",
        )?;
        only(
            f.max_length.is_none() || matches!(kind, T::Text | T::LongText),
            "max_length",
        )?;
        only(f.text.is_none() || kind == T::Notice, "text")?;
        only(
            f.auto.is_none() || matches!(kind, T::Text | T::Number),
            "auto",
        )?;
        if f.auto.is_some() && parent.is_some() {
            return Err(self.err(path, "auto fields are top-level only"));
        }
        if f.auto == Some(Auto::Revision) && kind != T::Number {
            return Err(self.err(path, "auto revision must be a number field"));
        }
        if f.from_case.is_some() && (kind != T::Text || parent.is_some()) {
            return Err(self.err(path, "from_case is for a top-level text field"));
        }
        if f.from_ledger && (f.row != Some(RowKind::Consent) || parent.is_some()) {
            return Err(self.err(path, "from_ledger is for a top-level group of consent rows"));
        }
        if let Some(u) = &f.unit {
            check_text(self.file, path, "unit", u)?;
        }
        if let (Some(min), Some(max)) = (f.min, f.max)
            && min > max
        {
            return Err(self.err(path, "min is above max"));
        }

        match kind {
            T::Choice | T::Multi => self.check_options(path, f)?,
            T::Notice => match &f.text {
                Some(text) => check_text(self.file, path, "text", text)?,
                None => return Err(self.err(path, "a notice needs its fixed text")),
            },
            T::Ref => self.check_ref(path, f)?,
            _ => {}
        }
        if kind.has_sub_fields() {
            if f.fields.is_empty() {
                return Err(self.err(path, format!("type {} needs sub-fields", kind.name())));
            }
            let mut keys = HashSet::new();
            for (i, sub) in f.fields.iter().enumerate() {
                let spath = format!("{path}.fields[{i}] ({})", sub.key);
                if !keys.insert(sub.key.as_str()) {
                    return Err(self.err(&spath, "duplicate sub-field key"));
                }
                if sub.kind == T::Group {
                    return Err(self.err(&spath, "groups cannot nest"));
                }
                self.check_field(&spath, sub, Some(f))?;
            }
        }
        if kind == T::Group {
            if let (Some(min), Some(max)) = (f.min_rows, f.max_rows)
                && min > max
            {
                return Err(self.err(path, "min_rows is above max_rows"));
            }
            for key in &f.unique {
                if f.sub_field(key).is_none() {
                    return Err(self.err(
                        path,
                        format!("unique names {key:?}, which is not a sub-field"),
                    ));
                }
            }
            if let Some(key) = &f.sequence {
                match f.sub_field(key) {
                    Some(sub) if sub.kind == T::Number && sub.integer => {}
                    _ => {
                        return Err(self.err(
                            path,
                            format!("sequence names {key:?}, which is not an integer sub-field"),
                        ));
                    }
                }
            }
            for key in f.distinct.iter().flatten() {
                if f.sub_field(key).is_none() {
                    return Err(self.err(
                        path,
                        format!("distinct names {key:?}, which is not a sub-field"),
                    ));
                }
            }
            if let Some(rr) = &f.require_row {
                match f.sub_field(&rr.key) {
                    Some(sub) => self.check_value_for(path, sub, &rr.equals)?,
                    None => {
                        return Err(self.err(
                            path,
                            format!("require_row names {:?}, which is not a sub-field", rr.key),
                        ));
                    }
                }
            }
        }
        if let Required::When(c) = &f.required {
            self.check_condition(&format!("{path}.required"), c, parent)?;
        }
        Ok(())
    }

    fn check_options(&self, path: &str, f: &Field) -> Result<(), LoadError> {
        if f.options.is_empty() {
            return Err(self.err(path, "a choice needs options (or options_from)"));
        }
        let mut keys = HashSet::new();
        let groups: HashSet<&str> = f.option_groups.iter().map(|g| g.key.as_str()).collect();
        for g in &f.option_groups {
            check_text(self.file, path, "option group label", &g.label)?;
        }
        for o in &f.options {
            if !is_option_key(&o.key) {
                return Err(self.err(
                    path,
                    format!("option key {:?} must be ASCII [a-z0-9_]+", o.key),
                ));
            }
            if !keys.insert(o.key.as_str()) {
                return Err(self.err(path, format!("duplicate option key {:?}", o.key)));
            }
            check_text(self.file, path, &format!("option {:?}", o.key), &o.label)?;
            match &o.group {
                Some(g) if !groups.contains(g.as_str()) => {
                    return Err(self.err(
                        path,
                        format!("option {:?} names unknown group {g:?}", o.key),
                    ));
                }
                None if !groups.is_empty() => {
                    return Err(self.err(path, format!("option {:?} needs a group", o.key)));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn check_ref(&self, path: &str, f: &Field) -> Result<(), LoadError> {
        let Some(r) = &f.reference else {
            return Err(self.err(
                path,
                "a ref needs \"ref\": {\"template\": …} or {\"group\": …, \"key\": …}",
            ));
        };
        match (&r.template, &r.group, &r.key) {
            (Some(t), None, None) if t == "*" || self.ids.contains(t) => Ok(()),
            (Some(t), None, None) => {
                Err(self.err(path, format!("ref names unknown template {t:?}")))
            }
            (None, Some(g), Some(k)) => {
                let group = self.top_field(g).filter(|g| g.kind == FieldType::Group);
                match group.and_then(|g| g.sub_field(k)) {
                    Some(_) => Ok(()),
                    None => Err(self.err(
                        path,
                        format!("ref names {g}.{k}, which is not a group's sub-field"),
                    )),
                }
            }
            _ => Err(self.err(path, "ref takes either template, or group and key")),
        }
    }

    fn top_field(&self, key: &str) -> Option<&Field> {
        self.template
            .sections
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.key == key)
    }

    /// A condition path names a sibling in the same row, a top-level field, or `group.sub`.
    fn resolve<'s>(&'s self, path: &str, parent: Option<&'s Field>) -> Option<&'s Field> {
        if let Some((g, sub)) = path.split_once('.') {
            return self.top_field(g).and_then(|g| g.sub_field(sub));
        }
        parent
            .and_then(|p| p.sub_field(path))
            .or_else(|| self.top_field(path))
    }

    fn check_condition(
        &self,
        path: &str,
        c: &Condition,
        parent: Option<&Field>,
    ) -> Result<(), LoadError> {
        let forms = [
            c.equals.is_some(),
            c.is_in.is_some(),
            c.not_in.is_some(),
            c.present.is_some(),
            c.all.is_some(),
            c.any.is_some(),
            c.not.is_some(),
        ];
        if forms.iter().filter(|b| **b).count() != 1 {
            return Err(self.err(
                path,
                "a condition takes exactly one of equals, in, not_in, present, all, any, not",
            ));
        }
        let nested: Option<&Vec<Condition>> = c.all.as_ref().or(c.any.as_ref());
        if let Some(list) = nested {
            if c.field.is_some() || list.is_empty() {
                return Err(self.err(path, "all/any take a non-empty list and no field"));
            }
            for (i, sub) in list.iter().enumerate() {
                self.check_condition(&format!("{path}[{i}]"), sub, parent)?;
            }
            return Ok(());
        }
        if let Some(inner) = &c.not {
            if c.field.is_some() {
                return Err(self.err(path, "not takes a condition and no field"));
            }
            return self.check_condition(&format!("{path}.not"), inner, parent);
        }
        let Some(field_path) = &c.field else {
            return Err(self.err(path, "this condition needs a field"));
        };
        let Some(target) = self.resolve(field_path, parent) else {
            return Err(self.err(
                path,
                format!("condition names {field_path:?}, which is not a field here"),
            ));
        };
        let values: Vec<&Value> = c
            .equals
            .iter()
            .chain(c.is_in.iter().flatten())
            .chain(c.not_in.iter().flatten())
            .collect();
        if (c.is_in.as_ref().is_some_and(Vec::is_empty))
            || (c.not_in.as_ref().is_some_and(Vec::is_empty))
        {
            return Err(self.err(path, "in/not_in need at least one value"));
        }
        for v in values {
            self.check_value_for(path, target, v)?;
        }
        Ok(())
    }

    /// A value written in a definition (condition, require_row) must be one the field can hold.
    fn check_value_for(&self, path: &str, target: &Field, v: &Value) -> Result<(), LoadError> {
        let ok = match target.kind {
            FieldType::Choice | FieldType::Multi => {
                v.as_str().is_some_and(|s| target.option(s).is_some())
            }
            FieldType::Checkbox => v.is_boolean(),
            FieldType::Number => v.is_number(),
            FieldType::Text | FieldType::LongText | FieldType::Ref => v.is_string(),
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(self.err(
                path,
                format!(
                    "{v} is not a value of {} ({})",
                    target.key,
                    target.kind.name()
                ),
            ))
        }
    }
}

fn check_agencies(
    file: &str,
    cat: &AgencyCatalogue,
    sources: &SourceTable,
) -> Result<(), LoadError> {
    if chrono::NaiveDate::parse_from_str(&cat.as_of, "%Y-%m-%d").is_err() {
        return Err(err(file, "as_of", "as_of must be a date YYYY-MM-DD"));
    }
    let mut keys = HashSet::new();
    for (i, a) in cat.agencies.iter().enumerate() {
        let path = format!("agencies[{i}] ({})", a.key);
        if !is_key(&a.key) || !keys.insert(a.key.as_str()) {
            return Err(err(
                file,
                path,
                "agency keys are unique and match [a-z][a-z0-9_]*",
            ));
        }
        check_text(file, &path, "label", &a.label)?;
        check_text(file, &path, "role", &a.role)?;
        check_text(file, &path, "eligibility", &a.eligibility)?;
        check_cited(file, &path, &a.sources, sources)?;
    }
    if cat.agencies.is_empty() {
        return Err(err(file, "agencies", "the catalogue is empty"));
    }
    Ok(())
}

fn check_routes(
    file: &str,
    routes: &RouteCatalogue,
    agencies: &AgencyCatalogue,
    route_map: Option<&Template>,
    sources: &SourceTable,
) -> Result<(), LoadError> {
    let find = |key: &str| -> Option<&Field> {
        let t = route_map?;
        let top = t.sections.iter().flat_map(|s| &s.fields);
        if let Some((g, sub)) = key.split_once('.') {
            top.clone().find(|f| f.key == g)?.sub_field(sub)
        } else {
            top.clone().find(|f| f.key == key)
        }
    };
    let scenario = find("scenario");
    let documents = find("steps.documents");
    let mut keys = HashSet::new();
    for (i, r) in routes.routes.iter().enumerate() {
        let path = format!("routes[{i}] ({})", r.key);
        if !is_key(&r.key) || !keys.insert(r.key.as_str()) {
            return Err(err(
                file,
                path,
                "route keys are unique and match [a-z][a-z0-9_]*",
            ));
        }
        check_text(file, &path, "title", &r.title)?;
        check_text(file, &path, "summary", &r.summary)?;
        check_cited(file, &path, &r.sources, sources)?;
        if let Some(s) = scenario
            && s.option(&r.scenario).is_none()
        {
            return Err(err(
                file,
                path,
                format!(
                    "scenario {:?} is not an option of route-map.scenario",
                    r.scenario
                ),
            ));
        }
        for (key, v) in &r.prefill {
            let ok = match find(key) {
                Some(f) if matches!(f.kind, FieldType::Choice) => {
                    v.as_str().is_some_and(|s| f.option(s).is_some())
                }
                Some(f) if matches!(f.kind, FieldType::Multi) => v.as_array().is_some_and(|a| {
                    a.iter()
                        .all(|i| i.as_str().is_some_and(|s| f.option(s).is_some()))
                }),
                Some(f) => matches!(f.kind, FieldType::Text | FieldType::LongText) && v.is_string(),
                None => route_map.is_none(),
            };
            if !ok {
                return Err(err(
                    file,
                    &path,
                    format!("prefill {key:?}: not a route-map field, or a value it does not take"),
                ));
            }
        }
        if r.steps.is_empty() {
            return Err(err(file, path, "a route needs steps"));
        }
        for (j, s) in r.steps.iter().enumerate() {
            let spath = format!("{path}.steps[{j}]");
            for end in [&s.from, &s.to] {
                if agencies.get(end).is_none() {
                    return Err(err(file, &spath, format!("{end:?} is not an agency key")));
                }
            }
            if s.from == s.to {
                return Err(err(file, &spath, "a step goes from one node to another"));
            }
            check_text(file, &spath, "purpose", &s.purpose)?;
            if let Some(c) = &s.condition {
                check_text(file, &spath, "condition", c)?;
            }
            for d in &s.documents {
                if let Some(docs) = documents
                    && docs.option(d).is_none()
                {
                    return Err(err(
                        file,
                        &spath,
                        format!("document {d:?} is not an option of route-map steps.documents"),
                    ));
                }
            }
        }
    }
    Ok(())
}
