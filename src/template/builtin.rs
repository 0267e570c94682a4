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
