//! The record inside the PDF: the exchange-format JSON as an embedded file `record.json`
//! (Names/EmbeddedFiles and /AF), the document info, and reading the record back out.

use super::PdfError;
use lopdf::{Dictionary, Document, Object, Stream, StringFormat};

pub const ATTACHMENT_NAME: &str = "record.json";

/// What goes into the document information dictionary.
pub struct Info {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub lang: &'static str,
    /// `D:YYYYMMDDHHmmSSZ`
    pub date: String,
}

fn text(s: &str) -> Object {
    // PDF text strings outside ASCII are UTF-16BE with a byte-order mark.
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

fn fail(what: &str, e: impl std::fmt::Display) -> PdfError {
    PdfError::Write(format!("{what}: {e}"))
}

/// Deflates every stream not yet filtered. lopdf's own `compress` uses level 9, which took a third
/// of an export's time for files 1% smaller than the default level gives (bench/README.md).
fn compress(doc: &mut Document) -> Result<(), PdfError> {
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write;
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.has(b"Filter") {
            continue;
        }
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
        encoder
            .write_all(&stream.content)
            .map_err(|e| fail("compress", e))?;
        let packed = encoder.finish().map_err(|e| fail("compress", e))?;
        if packed.len() < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(packed);
        }
    }
    Ok(())
}

/// Adds the attachment (when given) and the metadata, compresses, and serialises.
pub fn finish(
    mut doc: Document,
    record_json: Option<&[u8]>,
    info: &Info,
) -> Result<Vec<u8>, PdfError> {
    doc.version = "1.7".to_string();
    if let Some(record_json) = record_json {
        attach_record(&mut doc, record_json, &info.date)?;
    }
    set_info(&mut doc, info)?;
    compress(&mut doc)?;
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| fail("save", e))?;
    Ok(out)
}

fn attach_record(doc: &mut Document, record_json: &[u8], date: &str) -> Result<(), PdfError> {
    let mut params = Dictionary::new();
    params.set("Size", record_json.len() as i64);
    params.set("ModDate", text(date));
    let mut file_dict = Dictionary::new();
    file_dict.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
    file_dict.set("Subtype", Object::Name(b"application/json".to_vec()));
    file_dict.set("Params", params);
    let file = doc.add_object(Stream::new(file_dict, record_json.to_vec()));
    let mut ef = Dictionary::new();
    ef.set("F", file);
    ef.set("UF", file);
    let mut spec = Dictionary::new();
    spec.set("Type", Object::Name(b"Filespec".to_vec()));
    spec.set("F", text(ATTACHMENT_NAME));
    spec.set("UF", text(ATTACHMENT_NAME));
    spec.set(
        "Desc",
        text("Taiwa record, exchange format taiwa.document/1"),
    );
    spec.set("AFRelationship", Object::Name(b"Data".to_vec()));
    spec.set("EF", ef);
    let spec = doc.add_object(spec);

    let mut embedded = Dictionary::new();
    embedded.set(
        "Names",
        Object::Array(vec![text(ATTACHMENT_NAME), Object::Reference(spec)]),
    );
    let mut names = Dictionary::new();
    names.set("EmbeddedFiles", embedded);
    let catalog = doc.catalog_mut().map_err(|e| fail("catalog", e))?;
    catalog.set("Names", names);
    catalog.set("AF", Object::Array(vec![Object::Reference(spec)]));
    Ok(())
}

fn set_info(doc: &mut Document, info: &Info) -> Result<(), PdfError> {
    let mut info_dict = Dictionary::new();
    info_dict.set("Title", text(&info.title));
    info_dict.set("Author", text(&info.author));
    info_dict.set("Subject", text(&info.subject));
    info_dict.set("Creator", text("Taiwa"));
    info_dict.set(
        "Producer",
        text(concat!(
            "Taiwa ",
            env!("CARGO_PKG_VERSION"),
            " (printpdf, lopdf)"
        )),
    );
    info_dict.set("CreationDate", text(&info.date));
    info_dict.set("ModDate", text(&info.date));
    let info_id = doc.add_object(info_dict);
    doc.trailer.set("Info", info_id);

    let catalog = doc.catalog_mut().map_err(|e| fail("catalog", e))?;
    catalog.set("Lang", text(info.lang));
    // printpdf marks the file as PDF/X ("GTS_PDFXVersion") without being one; say nothing instead.
    catalog.remove(b"Metadata");
    catalog.remove(b"OutputIntents");
    Ok(())
}

/// `dict[key]`, following an indirect reference.
fn entry<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let object = dict.get(key).ok()?;
    doc.dereference(object).ok().map(|(_, o)| o)
}

/// The bytes of the `record.json` attachment of a PDF made by Taiwa.
pub fn extract_record(pdf: &[u8]) -> Result<Vec<u8>, PdfError> {
    let doc = Document::load_mem(pdf).map_err(|e| PdfError::NotAPdf(e.to_string()))?;
    let catalog = doc
        .catalog()
        .map_err(|e| PdfError::NotAPdf(e.to_string()))?;
    let dict = |d: &'_ Dictionary, key: &[u8]| -> Option<Dictionary> {
        entry(&doc, d, key).and_then(|o| o.as_dict().ok()).cloned()
    };
    let list = dict(catalog, b"Names")
        .and_then(|names| dict(&names, b"EmbeddedFiles"))
        .and_then(|files| {
            entry(&doc, &files, b"Names")
                .and_then(|o| o.as_array().ok())
                .cloned()
        })
        .ok_or(PdfError::NoAttachment)?;
    for pair in list.chunks(2) {
        let [name, spec] = pair else { continue };
        let deref = |o| doc.dereference(o).ok().map(|(_, o)| o);
        if deref(name).and_then(|n| n.as_str().ok()) != Some(ATTACHMENT_NAME.as_bytes()) {
            continue;
        }
        let stream = deref(spec)
            .and_then(|s| s.as_dict().ok())
            .and_then(|spec| dict(spec, b"EF"))
            .and_then(|ef| {
                entry(&doc, &ef, b"F")
                    .and_then(|s| s.as_stream().ok())
                    .cloned()
            })
            .ok_or(PdfError::NoAttachment)?;
        let limit = crate::record::MAX_RECORD_BYTES;
        let bytes = if stream.dict.get(b"Filter").is_ok() {
            stream
                .decompressed_content_with_limit(limit + 1)
                .map_err(|e| PdfError::NotAPdf(e.to_string()))?
        } else {
            stream.content
        };
        return Ok(bytes);
    }
    Err(PdfError::NoAttachment)
}
