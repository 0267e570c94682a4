//! ExchangeError: why a file of the round trip, or a change to a linked document, is refused.

use crate::i18n::{Text, UserError};
use crate::record::RecordError;

/// Why a file of the round trip is refused, or a change to a linked document. Messages name the
/// check, the field path or the document; never record content.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(
        "the exchange information ({name}) has format {found:?}; this Taiwa reads {known:?}: update Taiwa"
    )]
    UnknownFormat {
        name: &'static str,
        found: String,
        known: &'static str,
    },
    #[error("the exchange information ({name}) is damaged: {detail}")]
    BadEnvelope { name: &'static str, detail: String },
    #[error(
        "the attached record was changed after Taiwa made this file (record.json does not match its SHA-256)"
    )]
    RecordChanged,
    #[error(
        "the pages were changed after Taiwa made this file (the page content does not match its SHA-256)"
    )]
    PagesChanged,
    #[error("the file is for the form {template:?}, which this Taiwa does not know")]
    UnknownTemplate { template: String },
    #[error(
        "the file uses version {found} of the form {template}; this Taiwa has version {known} only"
    )]
    UnknownTemplateVersion {
        template: String,
        found: u32,
        known: u32,
    },
    #[error("the exchange information and the attached record disagree about the {what}")]
    EnvelopeMismatch { what: &'static str },
    #[error("the attached record: {0}")]
    Record(#[from] RecordError),
    #[error("the form {template} has no exchange with a clinician")]
    NotExchangeable { template: String },
    #[error(
        "this file was made by this database for the clinician (document {document}); import it into the clinician's Taiwa"
    )]
    SentFromHere { document: String },
    #[error(
        "document {document} exists here and was not received from an employer; the file was not imported"
    )]
    NotLinked { document: String },
    #[error(
        "this is an answer for document {document}, which this database does not have; import it where Part A was exported"
    )]
    UnknownDocument { document: String },
    #[error(
        "this answer for document {document} answers a file this database did not export for the clinician"
    )]
    NotSent { document: String },
    #[error(
        "this answer for document {document} answers the Part A sent as revision {answered}, but revision {latest} was sent to the clinician after it; import the answer to the newest Part A, or add --force to import this one anyway"
    )]
    AnswersOlder {
        document: String,
        answered: i64,
        latest: i64,
    },
    #[error(
        "this file for document {document} was already imported (revision {seq}); importing it again would undo what was changed since. Add --force to import it anyway"
    )]
    AlreadyReceived { document: String, seq: i64 },
    #[error(
        "this Part A of document {document} is the employer's revision {this}, older than revision {newer} already received; add --force to import it anyway"
    )]
    OlderPartA {
        document: String,
        this: i64,
        newer: i64,
    },
    #[error(
        "the Part A in this answer for document {document} differs from what was sent: {}",
        fields.join(", ")
    )]
    PartDiffers {
        document: String,
        fields: Vec<String>,
    },
    #[error(
        "document {document}: read-only (as received): {}; nothing was saved",
        fields.join(", ")
    )]
    ReadOnlyField {
        document: String,
        fields: Vec<String>,
    },
    #[error(
        "no recipient: give --recipient, or fill in {fields} so that the recipient can be named"
    )]
    NoRecipient { fields: String },
    #[error(
        "document {document} was not received from an employer here; --for-employer answers a received Part A"
    )]
    NotReceived { document: String },
}

impl UserError for ExchangeError {
    fn code(&self) -> &'static str {
        match self {
            ExchangeError::UnknownFormat { .. } => "exchange.unknown_format",
            ExchangeError::BadEnvelope { .. } => "exchange.bad_envelope",
            ExchangeError::RecordChanged => "exchange.record_changed",
            ExchangeError::PagesChanged => "exchange.pages_changed",
            ExchangeError::UnknownTemplate { .. } => "exchange.unknown_template",
            ExchangeError::UnknownTemplateVersion { .. } => "exchange.unknown_template_version",
            ExchangeError::EnvelopeMismatch { .. } => "exchange.envelope_mismatch",
            ExchangeError::Record(e) => e.code(),
            ExchangeError::NotExchangeable { .. } => "exchange.not_exchangeable",
            ExchangeError::SentFromHere { .. } => "exchange.sent_from_here",
            ExchangeError::NotLinked { .. } => "exchange.not_linked",
            ExchangeError::UnknownDocument { .. } => "exchange.unknown_document",
            ExchangeError::NotSent { .. } => "exchange.not_sent",
            ExchangeError::AnswersOlder { .. } => "exchange.answers_older",
            ExchangeError::AlreadyReceived { .. } => "exchange.already_received",
            ExchangeError::OlderPartA { .. } => "exchange.older_part_a",
            ExchangeError::PartDiffers { .. } => "exchange.part_differs",
            ExchangeError::ReadOnlyField { .. } => "exchange.read_only_field",
            ExchangeError::NoRecipient { .. } => "exchange.no_recipient",
            ExchangeError::NotReceived { .. } => "exchange.not_received",
        }
    }

    fn message(&self) -> Text {
        let ja = match self {
            ExchangeError::Record(e) => {
                let m = e.message();
                return Text::new(
                    format!("添付の記録: {}", m.ja),
                    format!("the attached record: {}", m.en),
                );
            }
            ExchangeError::UnknownFormat { name, found, known } => format!(
                "交換情報({name})の形式 {found:?} はこの Taiwa では読めません(読めるのは {known:?})。Taiwa を更新してください"
            ),
            ExchangeError::BadEnvelope { name, detail } => {
                format!("交換情報({name})が壊れています: {detail}")
            }
            ExchangeError::RecordChanged => {
                "Taiwa がこのファイルを作った後で、添付の記録(record.json)が変更されています(SHA-256 が一致しません)".into()
            }
            ExchangeError::PagesChanged => {
                "Taiwa がこのファイルを作った後で、ページの内容が変更されています(SHA-256 が一致しません)".into()
            }
            ExchangeError::UnknownTemplate { template } => {
                format!("様式「{template}」はこの Taiwa にありません")
            }
            ExchangeError::UnknownTemplateVersion {
                template,
                found,
                known,
            } => format!(
                "様式 {template} の版 {found} のファイルです。この Taiwa にあるのは版 {known} だけです"
            ),
            ExchangeError::EnvelopeMismatch { what } => {
                let what = match *what {
                    "template" => "様式",
                    "template version" => "様式の版",
                    "document id" => "文書 ID",
                    "parts" => "部",
                    other => other,
                };
                format!("交換情報と添付の記録とで{what}が一致しません")
            }
            ExchangeError::NotExchangeable { template } => {
                format!("様式 {template} には主治医とのやりとりがありません")
            }
            ExchangeError::SentFromHere { document } => format!(
                "このファイルは、このデータベースが主治医向けに作ったもの(文書 {document})です。主治医側の Taiwa で取り込んでください"
            ),
            ExchangeError::NotLinked { document } => format!(
                "文書 {document} はここにありますが、会社から受け取ったものではありません。取り込んでいません"
            ),
            ExchangeError::UnknownDocument { document } => format!(
                "文書 {document} への回答ですが、この文書はこのデータベースにありません。Part A を出力したデータベースで取り込んでください"
            ),
            ExchangeError::AnswersOlder {
                document,
                answered,
                latest,
            } => format!(
                "文書 {document} のこの回答は版 {answered} の Part A への回答ですが、その後に版 {latest} の Part A を主治医に送っています。最新の Part A への回答を取り込んでください(このまま取り込むには --force)"
            ),
            ExchangeError::AlreadyReceived { document, seq } => format!(
                "文書 {document} のこのファイルはすでに取り込んでいます(版 {seq})。もう一度取り込むと、その後の変更が元に戻ります(それでも取り込むには --force)"
            ),
            ExchangeError::OlderPartA {
                document,
                this,
                newer,
            } => format!(
                "文書 {document} のこの Part A は会社側の版 {this} で、すでに受け取った版 {newer} より古いものです(それでも取り込むには --force)"
            ),
            ExchangeError::NotSent { document } => format!(
                "文書 {document} への回答ですが、このデータベースが主治医向けに出力したファイルへの回答ではありません"
            ),
            ExchangeError::PartDiffers { document, fields } => format!(
                "文書 {document} の回答に含まれる Part A が、送ったものと異なります: {}",
                fields.join(", ")
            ),
            ExchangeError::ReadOnlyField { document, fields } => format!(
                "文書 {document}: 受け取ったままにする項目(読み取り専用)が変更されています: {}。保存していません",
                fields.join(", ")
            ),
            ExchangeError::NoRecipient { fields } => format!(
                "提供先がありません。--recipient で指定するか、{fields} を記入してください"
            ),
            ExchangeError::NotReceived { document } => format!(
                "文書 {document} は、ここで会社から受け取ったものではありません。--for-employer は受け取った Part A への回答に使います"
            ),
        };
        Text {
            ja,
            en: self.to_string(),
        }
    }
}
