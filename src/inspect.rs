//! Layer 4: reading a file that came back (a PDF made by some Taiwa): its record, its exchange
//! envelope and the hashes recomputed. The counterpart of the gate: the PDF layer reads the
//! attachments (bytes in), the exchange layer judges them; this is where the two meet.

use crate::canonical::sha256_hex;
use crate::exchange::{Envelope, ExchangeError, Inspection};
use crate::i18n::{Text, UserError};
use crate::pdf::PdfError;

/// Why a file could not be read: it is no Taiwa PDF, or its envelope is unreadable.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error(transparent)]
    File(#[from] PdfError),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
}

impl UserError for InspectError {
    fn code(&self) -> &'static str {
        match self {
            InspectError::File(e) => e.code(),
            InspectError::Exchange(e) => e.code(),
        }
    }

    fn message(&self) -> Text {
        match self {
            InspectError::File(e) => e.message(),
            InspectError::Exchange(e) => e.message(),
        }
    }
}

/// Reads a PDF made by Taiwa: its record, its envelope (if any) and the hashes recomputed.
/// Nothing is judged yet (`Inspection::check`, `received`). Fails only when the file is no
/// Taiwa PDF or its envelope cannot be read.
pub fn inspect(pdf: &[u8]) -> Result<Inspection, InspectError> {
    let files = crate::pdf::read_attachments(pdf)?;
    let envelope = files.envelope.as_deref().map(Envelope::parse).transpose()?;
    Ok(Inspection {
        envelope,
        record_sha256: sha256_hex(&files.record),
        record_json: files.record,
        pages_sha256: files.pages_sha256,
        file_sha256: sha256_hex(pdf),
    })
}
