//! The definition files compiled into the binary: the app needs no files beside it to start. Public
//! so that a caller can load them with one file replaced (the fuzz target of form definitions).

/// (file name, contents) of every form definition.
pub const TEMPLATE_FILES: &[(&str, &str)] = &[
    (
        "dialogue-record.json",
        include_str!("../../templates/dialogue-record.json"),
    ),
    (
        "work-consideration.json",
        include_str!("../../templates/work-consideration.json"),
    ),
    (
        "route-map.json",
        include_str!("../../templates/route-map.json"),
    ),
];

pub const AGENCIES_FILE: (&str, &str) = (
    "agencies.json",
    include_str!("../../templates/agencies.json"),
);

pub const ROUTES_FILE: (&str, &str) = ("routes.json", include_str!("../../templates/routes.json"));

/// Earlier versions of the forms, frozen as they were released: records made under them still
/// open, validate, export and import as that version.
pub const OLDER_TEMPLATE_FILES: &[(&str, &str)] = &[
    (
        "v1/dialogue-record.json",
        include_str!("../../templates/v1/dialogue-record.json"),
    ),
    (
        "v1/work-consideration.json",
        include_str!("../../templates/v1/work-consideration.json"),
    ),
    (
        "v1/route-map.json",
        include_str!("../../templates/v1/route-map.json"),
    ),
];

/// What the definitions cite (templates/README.md "Sources").
pub const SOURCES_FILE: (&str, &str) =
    ("sources.json", include_str!("../../templates/sources.json"));
