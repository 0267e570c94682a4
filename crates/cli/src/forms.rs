//! Definitions and versions at the command line: the sources a form cites, and the report of a
//! draft moved to the newest version of its form.

use crate::out;
use taiwa::i18n::Lang;
use taiwa::record::Migration;
use taiwa::template::{Field, Registry, Template};

/// Every source id the form cites (template, sections, fields at any depth), in first-cited order,
/// with its title, issuer, date and address.
pub fn print_sources(t: &Template, registry: &Registry) {
    fn walk<'a>(fields: &'a [Field], ids: &mut Vec<&'a str>) {
        for f in fields {
            for s in &f.sources {
                if !ids.contains(&s.as_str()) {
                    ids.push(s);
                }
            }
            walk(&f.fields, ids);
        }
    }
    let mut ids: Vec<&str> = t.sources.iter().map(String::as_str).collect();
    for s in &t.sections {
        for id in &s.sources {
            if !ids.contains(&id.as_str()) {
                ids.push(id);
            }
        }
        walk(&s.fields, &mut ids);
    }
    out!(
        "{} v{}: {} sources (checked {})",
        t.id,
        t.version,
        ids.len(),
        registry.sources.checked
    );
    for id in ids {
        // The loader refused any id the table lacks, so each resolves.
        let Some(s) = registry.sources.get(id) else {
            continue;
        };
        let date = s.date.as_deref().unwrap_or("-");
        out!("[{}] {} — {} ({date})", s.id, s.title, s.issuer);
        for a in &s.address {
            out!("    {a}");
        }
        if let Some(n) = &s.note {
            out!("    {n}");
        }
    }
}

/// What came along and what did not, on stderr (stdout carries the record).
pub fn report_migration(m: &Migration, lang: Lang) {
    let r = &m.record;
    match lang {
        Lang::Ja => eprintln!(
            "{} を版 {} から版 {} に移しました。移せなかった項目: {}",
            r.template,
            m.from_version,
            r.template_version,
            m.dropped.len()
        ),
        Lang::En => eprintln!(
            "{} moved from version {} to version {}; fields not carried over: {}",
            r.template,
            m.from_version,
            r.template_version,
            m.dropped.len()
        ),
    }
    for d in &m.dropped {
        eprintln!("  {}: {} / {}", d.field, d.reason.ja, d.reason.en);
    }
}
