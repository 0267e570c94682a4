//! Form definitions as data: the three forms, the agency catalogue and the standard routes.

pub mod builtin;
pub mod catalogue;
mod load;
pub mod model;
pub mod sources;

pub use catalogue::{Agency, AgencyCatalogue, AgencyKind, Route, RouteCatalogue, RouteStep};
pub use load::{DefinitionFiles, LoadError, Registry, consent_fields, signature_fields};
pub use model::{CaseField, Condition, Field, FieldType, Required, Section, Template};
pub use sources::{Source, SourceTable};

use std::sync::OnceLock;

static BUILTIN: OnceLock<Result<Registry, LoadError>> = OnceLock::new();

impl Registry {
    /// The definitions compiled into this binary, loaded and checked once.
    pub fn try_builtin() -> Result<&'static Registry, &'static LoadError> {
        BUILTIN
            .get_or_init(|| {
                Registry::load_files(&DefinitionFiles {
                    templates: builtin::TEMPLATE_FILES,
                    older: builtin::OLDER_TEMPLATE_FILES,
                    agencies: builtin::AGENCIES_FILE,
                    routes: builtin::ROUTES_FILE,
                    sources: builtin::SOURCES_FILE,
                })
            })
            .as_ref()
    }

    /// The built-in definitions. Programs call [`Registry::try_builtin`] at start-up and stop with
    /// its message if a definition is broken; after that this cannot fail. The test suite proves
    /// that every shipped definition loads.
    pub fn builtin() -> &'static Registry {
        match Registry::try_builtin() {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }
}
