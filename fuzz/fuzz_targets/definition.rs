//! Form-definition loading (`Registry::load`, every rule of templates/README.md), with one of the
//! built-in files replaced by the input: the first byte picks which (a form, the agency catalogue
//! or the standard routes), so the cross-file rules run too. A definition that loads is relied on
//! downstream without re-checking (ARCHITECTURE.md invariant 1), so validation of an empty record
//! and of the shipped sample must then run without a panic whatever the definition says.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taiwa::record::{Mode, Record, parse_record, required_now, validate};
use taiwa::template::Registry;
use taiwa::template::builtin::{AGENCIES_FILE, ROUTES_FILE, TEMPLATE_FILES};

const SAMPLES: &[&str] = &[
    include_str!("../../samples/dialogue-record.json"),
    include_str!("../../samples/work-consideration.json"),
    include_str!("../../samples/route-map.json"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut forms = TEMPLATE_FILES.to_vec();
    let mut agencies = AGENCIES_FILE;
    let mut routes = ROUTES_FILE;
    match usize::from(which) % (forms.len() + 2) {
        i if i < forms.len() => forms[i].1 = text,
        i if i == forms.len() => agencies.1 = text,
        _ => routes.1 = text,
    }
    let Ok(registry) = Registry::load(&forms, agencies, routes) else {
        return;
    };
    for template in registry.templates() {
        let mut records = vec![Record::new(&template.id, template.version)];
        records.extend(
            SAMPLES
                .iter()
                .filter_map(|s| parse_record(s.as_bytes(), &registry).ok())
                .filter(|r| r.template == template.id),
        );
        for record in &records {
            let _ = validate(record, template, Mode::Draft);
            let _ = validate(record, template, Mode::Final);
            let _ = required_now(record, template);
        }
        // What `taiwa template ID --json` prints and the app's editor is built from.
        let _ = serde_json::to_string(template);
    }
});
