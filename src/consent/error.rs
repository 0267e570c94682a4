//! ConsentError: a consent that cannot be recorded (naming the field), and a refusal to disclose
//! (which consent is missing, expired or withdrawn).

use crate::i18n::{FieldError, Text, UserError};
use crate::ids::ConsentId;

/// Why no consent lets a document go to a recipient on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No consent names this recipient for this document.
    Missing,
    Expired {
        consent: ConsentId,
        on: String,
    },
    Withdrawn {
        consent: ConsentId,
        on: String,
    },
    NotYetGiven {
        consent: ConsentId,
        on: String,
    },
}

fn short(id: &ConsentId) -> String {
    id.to_string()[..8].to_string()
}

impl Refusal {
    pub fn text(&self) -> Text {
        match self {
            Refusal::Missing => Text::new(
                "この提供先への同意が記録されていません",
                "no consent for this recipient is recorded",
            ),
            Refusal::Expired { consent, on } => Text::new(
                format!("同意 {} は {on} で期限切れです", short(consent)),
                format!("consent {} expired on {on}", short(consent)),
            ),
            Refusal::Withdrawn { consent, on } => Text::new(
                format!("同意 {} は {on} に撤回されました", short(consent)),
                format!("consent {} was withdrawn on {on}", short(consent)),
            ),
            Refusal::NotYetGiven { consent, on } => Text::new(
                format!("同意 {} は {on} からです", short(consent)),
                format!("consent {} holds only from {on}", short(consent)),
            ),
        }
    }
}

/// Consents that cannot be recorded, and exports that no consent allows. Messages name the field
/// or the consent; they never carry record content.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    #[error("{field}: {en}")]
    BadField {
        field: &'static str,
        ja: String,
        en: String,
    },
    #[error("sections: unknown section {key:?}; this form has: {known}")]
    UnknownSection { key: String, known: String },
    #[error("no consent with id {id}")]
    NotFound { id: String },
    #[error("consent {id} was already withdrawn on {on}")]
    AlreadyWithdrawn { id: String, on: String },
    #[error("withdrawn_on: consent {id} was given on {given}; it cannot be withdrawn before that")]
    WithdrawnBeforeGiven { id: String, given: String },
    #[error(
        "document {document} may not go to {recipient:?} on {day}: {}; record the person's consent first (Consents in the app, or taiwa consent add)",
        reasons.iter().map(|r| r.text().en).collect::<Vec<_>>().join("; ")
    )]
    Refused {
        document: String,
        recipient: String,
        day: String,
        reasons: Vec<Refusal>,
    },
    #[error(
        "consents are kept for stored documents only; import the file first and export it by its id"
    )]
    NotStored,
}

fn field_ja(field: &str) -> &'static str {
    match field {
        "recipient" => "提供先",
        "role" => "提供先の立場",
        "purpose" => "利用目的",
        "sections" => "範囲",
        "method" => "同意の方法",
        "recorded_by" => "記録者",
        "given_on" => "同意日",
        "expires_on" => "有効期限",
        "withdrawn_on" => "撤回日",
        _ => "同意",
    }
}

impl UserError for ConsentError {
    fn code(&self) -> &'static str {
        match self {
            ConsentError::BadField { .. } => "consent.bad_field",
            ConsentError::UnknownSection { .. } => "consent.unknown_section",
            ConsentError::NotFound { .. } => "consent.not_found",
            ConsentError::AlreadyWithdrawn { .. } => "consent.already_withdrawn",
            ConsentError::WithdrawnBeforeGiven { .. } => "consent.withdrawn_before_given",
            ConsentError::Refused { .. } => "consent.refused",
            ConsentError::NotStored => "consent.not_stored",
        }
    }

    fn message(&self) -> Text {
        let ja = match self {
            ConsentError::BadField { .. }
            | ConsentError::UnknownSection { .. }
            | ConsentError::WithdrawnBeforeGiven { .. } => {
                let f = self.field().unwrap_or_else(|| unreachable!("names its field"));
                format!("{}({}): {}", field_ja(&f.path), f.path, f.message.ja)
            }
            ConsentError::NotFound { id } => format!("同意 {id} はありません"),
            ConsentError::AlreadyWithdrawn { id, on } => {
                format!("同意 {id} は {on} に撤回済みです")
            }
            ConsentError::Refused {
                document,
                recipient,
                day,
                reasons,
            } => format!(
                "文書 {document} を「{recipient}」へ {day} に提供できません: {}。先に本人の同意を記録してください(アプリの「同意」、または taiwa consent add)",
                reasons
                    .iter()
                    .map(|r| r.text().ja)
                    .collect::<Vec<_>>()
                    .join("。")
            ),
            ConsentError::NotStored => {
                "同意は保存済みの文書にだけ記録できます。ファイルを取り込み、その文書 ID で出力してください"
                    .to_string()
            }
        };
        Text {
            ja,
            en: self.to_string(),
        }
    }

    fn field(&self) -> Option<FieldError> {
        let (path, ja, en) = match self {
            ConsentError::BadField { field, ja, en } => (*field, ja.clone(), en.clone()),
            ConsentError::UnknownSection { key, known } => (
                "sections",
                format!("「{key}」はこの様式にありません(あるもの: {known})"),
                format!("unknown section {key:?}; this form has: {known}"),
            ),
            ConsentError::WithdrawnBeforeGiven { id, given } => (
                "withdrawn_on",
                format!("同意 {id} の同意日 {given} より前には撤回できません"),
                format!("consent {id} was given on {given}; it cannot be withdrawn before that"),
            ),
            _ => return None,
        };
        Some(FieldError {
            path: path.to_string(),
            message: Text { ja, en },
        })
    }
}
