//! The record inside the PDF: the exchange-format JSON as an embedded file `record.json`
//! (Names/EmbeddedFiles and /AF) with the exchange envelope `taiwa-exchange.json` beside it, the
//! document info, the pages' digest, and reading them back out.

use super::PdfError;
use crate::exchange::{ENVELOPE_NAME, Envelope};
use lopdf::{Dictionary, Document, Object, Stream};

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

use super::structure::text_string as text;

fn fail(what: &str, e: impl std::fmt::Display) -> PdfError {
    PdfError::Write(format!("{what}: {e}"))
}

/// Deflates every stream not yet filtered. lopdf's own `compress` uses level 9, which took a third
/// of an export's time for files 1% smaller than the default level gives (bench/README.md).
/// Embedded font programs, more than half of what a PDF deflates, get the fastest level: glyph
/// outlines compress poorly at any level (a subset of BIZ UDGothic: 128 KB to 98 KB at level 2,
/// 8% larger files at level 1 for 40% less deflating). One encoder per level serves every stream.
fn compress(doc: &mut Document) -> Result<(), PdfError> {
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write;
    let mut content = ZlibEncoder::new(Vec::new(), Compression::default());
    let mut fonts = ZlibEncoder::new(Vec::new(), FONT_LEVEL);
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.has(b"Filter") {
            continue;
        }
        let encoder = if is_font_program(&stream.dict) {
            &mut fonts
        } else {
            &mut content
        };
        encoder
            .write_all(&stream.content)
            .map_err(|e| fail("compress", e))?;
        let packed = encoder.reset(Vec::new()).map_err(|e| fail("compress", e))?;
        // lopdf ends a stream's data with "\nendstream": data ending in a carriage return would
        // read as ending in the CR LF end-of-line, one byte short of its /Length (PDF/A 6.1.7.1
        // counts the bytes before that EOL). A zlib stream ends with the Adler-32 of the data, so
        // another level would not help: such a stream (one in 256) stays unfiltered.
        if packed.last() == Some(&b'\r') {
            continue;
        }
        if packed.len() < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(packed);
        }
    }
    Ok(())
}

const FONT_LEVEL: flate2::Compression = flate2::Compression::new(1);

/// A FontFile2 (TrueType: has Length1) or FontFile3 (CFF) stream.
fn is_font_program(dict: &Dictionary) -> bool {
    dict.has(b"Length1")
        || dict
            .get(b"Subtype")
            .is_ok_and(|s| matches!(s.as_name(), Ok(b"CIDFontType0C" | b"OpenType" | b"Type1C")))
}

/// What a PDF carries: the record, and the exchange envelope to complete with the hashes.
pub struct Attached<'a> {
    pub record_json: &'a [u8],
    pub envelope: Option<Envelope>,
}

/// Adds the attachments (when given), the metadata and the PDF/A-3a and PDF/UA-1 identification,
/// compresses, and serialises. The envelope gets the SHA-256 of the record and of the pages,
/// computed here from what is written. `doc` must already hold its structure tree
/// (structure.rs): the identification claims it.
pub fn finish(
    mut doc: Document,
    attached: Option<Attached<'_>>,
    info: &Info,
) -> Result<Vec<u8>, PdfError> {
    use sha2::Digest as _;
    doc.version = "1.7".to_string();
    let mut file_id = sha2::Sha256::new();
    file_id.update(info.title.as_bytes());
    file_id.update(info.date.as_bytes());
    if let Some(attached) = attached {
        let mut files = vec![EmbeddedFile {
            name: ATTACHMENT_NAME,
            bytes: attached.record_json.to_vec(),
            desc: "Taiwa record, exchange format taiwa.document/1",
        }];
        if let Some(mut envelope) = attached.envelope {
            envelope.record_sha256 = crate::canonical::sha256_hex(attached.record_json);
            envelope.pages_sha256 = pages_digest(&doc)?;
            file_id.update(envelope.pages_sha256.as_bytes());
            file_id.update(envelope.record_sha256.as_bytes());
            files.push(EmbeddedFile {
                name: ENVELOPE_NAME,
                bytes: envelope.to_json().into_bytes(),
                desc: "Taiwa exchange envelope taiwa.exchange/1: kind, document, revision, SHA-256 of record.json and of the pages",
            });
        }
        attach_files(&mut doc, &files, &info.date)?;
    }
    // printpdf marks the file as PDF/X ("GTS_PDFXVersion") without being one: its metadata and
    // intents go, ours come in.
    let catalog = doc.catalog_mut().map_err(|e| fail("catalog", e))?;
    catalog.remove(b"Metadata");
    catalog.remove(b"OutputIntents");
    super::archive::identify(&mut doc, info, &file_id.finalize()[..16])?;
    compress(&mut doc)?;
    let mut out = Vec::new();
    // The structure tree is hundreds of small dictionaries (thousands in a long record): packed
    // into object streams, deflated, they cost a tenth of their size as plain objects. Few and
    // large streams, so that our own files stay well inside what `load_untrusted` accepts.
    // printpdf's own info dictionary (a PDF/X claim, epoch dates) is no longer referenced: it goes.
    doc.prune_objects();
    // An object stream deflates like any other: ending in CR (its Adler-32's last byte), it would
    // read one byte short of its /Length before lopdf's "\nendstream". Another split into streams
    // changes their contents and so their checksums.
    let packed = doc
        .objects
        .values()
        .filter(|o| !matches!(o, Object::Stream(_)))
        .count()
        .clamp(32, OBJECTS_PER_STREAM);
    for attempt in 0..8 {
        let options = lopdf::SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            // Each retry moves the streams' boundaries (one stream becomes two).
            .max_objects_per_stream(packed - 3 * attempt)
            // The builder's default is 0, no compression at all.
            .compression_level(6)
            .build();
        out.clear();
        doc.save_with_options(&mut out, options)
            .map_err(|e| fail("save", e))?;
        if !ends_a_stream_with_cr(&out) {
            break;
        }
    }
    Ok(out)
}

/// Whether some stream's data ends in a carriage return (lopdf writes "\nendstream" after it).
fn ends_a_stream_with_cr(pdf: &[u8]) -> bool {
    pdf.windows(11).any(|w| w == b"\r\nendstream")
}

struct EmbeddedFile {
    name: &'static str,
    bytes: Vec<u8>,
    desc: &'static str,
}

/// Embeds the files (Names/EmbeddedFiles, sorted by name as the name tree requires, and /AF).
fn attach_files(doc: &mut Document, files: &[EmbeddedFile], date: &str) -> Result<(), PdfError> {
    let mut names = Vec::new();
    let mut af = Vec::new();
    let mut sorted: Vec<&EmbeddedFile> = files.iter().collect();
    sorted.sort_by_key(|f| f.name);
    for f in sorted {
        let mut params = Dictionary::new();
        params.set("Size", f.bytes.len() as i64);
        params.set("ModDate", text(date));
        let mut file_dict = Dictionary::new();
        file_dict.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
        file_dict.set("Subtype", Object::Name(b"application/json".to_vec()));
        file_dict.set("Params", params);
        let file = doc.add_object(Stream::new(file_dict, f.bytes.clone()));
        let mut ef = Dictionary::new();
        ef.set("F", file);
        ef.set("UF", file);
        let mut spec = Dictionary::new();
        spec.set("Type", Object::Name(b"Filespec".to_vec()));
        spec.set("F", text(f.name));
        spec.set("UF", text(f.name));
        spec.set("Desc", text(f.desc));
        spec.set("AFRelationship", Object::Name(b"Data".to_vec()));
        spec.set("EF", ef);
        let spec = doc.add_object(spec);
        names.push(text(f.name));
        names.push(Object::Reference(spec));
        af.push(Object::Reference(spec));
    }
    let mut embedded = Dictionary::new();
    embedded.set("Names", Object::Array(names));
    let mut tree = Dictionary::new();
    tree.set("EmbeddedFiles", embedded);
    let catalog = doc.catalog_mut().map_err(|e| fail("catalog", e))?;
    catalog.set("Names", tree);
    catalog.set("AF", Object::Array(af));
    Ok(())
}

/// `dict[key]`, following an indirect reference.
fn entry<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let object = dict.get(key).ok()?;
    doc.dereference(object).ok().map(|(_, o)| o)
}

/// The most one stream may decode to while a PDF from outside is loaded (object and
/// cross-reference streams, which lopdf decodes eagerly). A "decompression bomb" of a few KB that
/// inflates to a gigabyte stops here.
const MAX_LOAD_STREAM_BYTES: usize = 4 * 1024 * 1024;
/// How many objects one of our own object streams holds at most. Ours average under 500 bytes (a
/// structure element 40–90, a page's ParentTree array up to ~2 KB): under 1 MB a stream, and a
/// 720-page record (5,300 objects) in 3 streams, well inside what `load_untrusted` accepts.
const OBJECTS_PER_STREAM: usize = 2_000;
/// The most object streams a PDF from outside may have: lopdf's limit is per stream, so their
/// number bounds what loading can decode in all (32 × 4 MB). Our own files use one per
/// OBJECTS_PER_STREAM objects.
const MAX_OBJECT_STREAMS: usize = 32;
/// The most objects a PDF from outside may hold (a 7-page Taiwa PDF has a few hundred).
const MAX_OBJECTS: usize = 200_000;

/// Loads a PDF that came from outside with bounded memory: every stream decoded while loading is
/// capped, and so is the number of objects. Everything that reads a received PDF goes through here.
fn load_untrusted(pdf: &[u8]) -> Result<Document, PdfError> {
    // A stream's dictionary is never compressed: its /Type /ObjStm can be counted in the raw bytes
    // before anything is decoded.
    let object_streams = pdf.windows(7).filter(|w| w == b"/ObjStm").count();
    if object_streams > MAX_OBJECT_STREAMS {
        return Err(PdfError::NotAPdf(format!(
            "{object_streams} object streams; at most {MAX_OBJECT_STREAMS}"
        )));
    }
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_LOAD_STREAM_BYTES),
        ..Default::default()
    };
    let doc = Document::load_mem_with_options(pdf, options)
        .map_err(|e| PdfError::NotAPdf(e.to_string()))?;
    if doc.objects.len() > MAX_OBJECTS {
        return Err(PdfError::NotAPdf(format!(
            "{} objects; at most {MAX_OBJECTS}",
            doc.objects.len()
        )));
    }
    Ok(doc)
}

/// The bytes of the `record.json` attachment of a PDF made by Taiwa.
pub fn extract_record(pdf: &[u8]) -> Result<Vec<u8>, PdfError> {
    let doc = load_untrusted(pdf)?;
    embedded_file(&doc, ATTACHMENT_NAME, crate::record::MAX_RECORD_BYTES)?
        .ok_or(PdfError::NoAttachment)
}

/// What a Taiwa PDF carries, read once: the record, the envelope if any, the pages' digest.
#[derive(Debug, Clone)]
pub struct Attachments {
    pub record: Vec<u8>,
    pub envelope: Option<Vec<u8>>,
    pub pages_sha256: String,
}

pub fn read_attachments(pdf: &[u8]) -> Result<Attachments, PdfError> {
    let doc = load_untrusted(pdf)?;
    let record = embedded_file(&doc, ATTACHMENT_NAME, crate::record::MAX_RECORD_BYTES)?
        .ok_or(PdfError::NoAttachment)?;
    let envelope = embedded_file(&doc, ENVELOPE_NAME, crate::exchange::MAX_ENVELOPE_BYTES)?;
    Ok(Attachments {
        record,
        envelope,
        pages_sha256: pages_digest(&doc)?,
    })
}

/// The bytes of the embedded file `name` (decoded, at most `limit` + 1 bytes), if there is one.
fn embedded_file(doc: &Document, name: &str, limit: usize) -> Result<Option<Vec<u8>>, PdfError> {
    let catalog = doc
        .catalog()
        .map_err(|e| PdfError::NotAPdf(e.to_string()))?;
    let dict = |d: &'_ Dictionary, key: &[u8]| -> Option<Dictionary> {
        entry(doc, d, key).and_then(|o| o.as_dict().ok()).cloned()
    };
    let Some(list) = dict(catalog, b"Names")
        .and_then(|names| dict(&names, b"EmbeddedFiles"))
        .and_then(|files| {
            entry(doc, &files, b"Names")
                .and_then(|o| o.as_array().ok())
                .cloned()
        })
    else {
        return Ok(None);
    };
    for pair in list.chunks(2) {
        let [key, spec] = pair else { continue };
        let deref = |o| doc.dereference(o).ok().map(|(_, o)| o);
        if deref(key).and_then(|n| n.as_str().ok()) != Some(name.as_bytes()) {
            continue;
        }
        let stream = deref(spec)
            .and_then(|s| s.as_dict().ok())
            .and_then(|spec| dict(spec, b"EF"))
            .and_then(|ef| {
                entry(doc, &ef, b"F")
                    .and_then(|s| s.as_stream().ok())
                    .cloned()
            })
            .ok_or(PdfError::NoAttachment)?;
        let bytes = if stream.dict.get(b"Filter").is_ok() {
            stream
                .decompressed_content_with_limit(limit + 1)
                .map_err(|e| PdfError::NotAPdf(e.to_string()))?
        } else {
            stream.content
        };
        return Ok(Some(bytes));
    }
    Ok(None)
}

/// The most all the pages' streams together may decode to while hashing (fonts included): a
/// 7-page Taiwa PDF decodes to about 2 MB; the budget keeps a received file's hashing well
/// under 200 MB of memory.
const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;

/// SHA-256 over what the pages show, in page order: for each page its boxes, rotation, content
/// streams, annotations and everything its resources reach (fonts, images, forms), streams decoded,
/// dictionary keys sorted, each shared object once. It does not depend on compression or object
/// numbers, so it is the same before and after the file is saved, and any change to a page's
/// drawing operators, text, fonts or images changes it. The attachments, the document info and
/// anything outside the page tree are not part of it.
pub fn pages_digest(doc: &Document) -> Result<String, PdfError> {
    use sha2::Digest as _;
    let mut h = PageHasher {
        doc,
        sha: sha2::Sha256::new(),
        seen: std::collections::HashMap::new(),
        budget: MAX_PAGE_BYTES,
        scratch: String::new(),
    };
    let pages = doc.get_pages();
    h.put(format!("pages {}\n", pages.len()).as_bytes());
    for (number, id) in pages {
        h.put(format!("page {number}\n").as_bytes());
        let page = doc
            .get_dictionary(id)
            .map_err(|e| PdfError::NotAPdf(e.to_string()))?;
        for key in [
            &b"MediaBox"[..],
            b"CropBox",
            b"Rotate",
            b"Contents",
            b"Resources",
            b"Annots",
        ] {
            h.put(key);
            match page.get(key) {
                Ok(o) => h.object(o, 0)?,
                Err(_) => h.put(b"-"),
            }
        }
    }
    Ok(h.sha
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

struct PageHasher<'d> {
    doc: &'d Document,
    sha: sha2::Sha256,
    /// Objects already hashed, by the order they were first met (not their numbers).
    seen: std::collections::HashMap<lopdf::ObjectId, usize>,
    budget: usize,
    scratch: String,
}

impl PageHasher<'_> {
    fn put(&mut self, bytes: &[u8]) {
        use sha2::Digest as _;
        self.sha.update((bytes.len() as u64).to_be_bytes());
        self.sha.update(bytes);
    }

    /// Hashes a number's text, formatted into a buffer kept for the purpose.
    fn number(&mut self, text: std::fmt::Arguments<'_>) {
        use std::fmt::Write as _;
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let _ = buf.write_fmt(text);
        self.put(buf.as_bytes());
        self.scratch = buf;
    }

    fn object(&mut self, o: &Object, depth: usize) -> Result<(), PdfError> {
        if depth > 64 {
            return Err(PdfError::NotAPdf("objects nested too deeply".into()));
        }
        match o {
            Object::Null => self.put(b"null"),
            Object::Boolean(b) => self.put(if *b { b"true" } else { b"false" }),
            // Numbers are written as text and read back (a whole real comes back as an integer):
            // compare them as numbers, at a precision that survives.
            // The same text as `{:.3}` of the integer as f64 gives, without float formatting
            // (a font's width table is hundreds of integers).
            Object::Integer(i) if i.unsigned_abs() < 1 << 53 => {
                self.number(format_args!("n{i}.000"))
            }
            Object::Integer(i) => self.number(format_args!("n{:.3}", *i as f64)),
            Object::Real(r) => self.number(format_args!("n{r:.3}")),
            Object::Name(n) => {
                self.put(b"/");
                self.put(n);
            }
            Object::String(s, _) => {
                self.put(b"(");
                self.put(s);
            }
            Object::Array(items) => {
                self.put(format!("[{}", items.len()).as_bytes());
                for item in items {
                    self.object(item, depth + 1)?;
                }
            }
            Object::Dictionary(d) => self.dict(d, &[], depth)?,
            Object::Stream(s) => {
                // Length and filters change with compression, not with what is shown.
                self.dict(&s.dict, &[b"Length", b"Filter", b"DecodeParms"], depth)?;
                let content = if s.dict.get(b"Filter").is_ok() {
                    std::borrow::Cow::Owned(
                        s.decompressed_content_with_limit(self.budget)
                            .map_err(|e| {
                                PdfError::NotAPdf(format!(
                                    "the pages decode to more than Taiwa reads ({} MB limit): {e}",
                                    MAX_PAGE_BYTES >> 20
                                ))
                            })?,
                    )
                } else {
                    std::borrow::Cow::Borrowed(&s.content)
                };
                self.budget = self.budget.saturating_sub(content.len());
                self.put(b"stream");
                self.put(&content);
            }
            Object::Reference(id) => {
                if let Some(n) = self.seen.get(id) {
                    self.put(format!("@{n}").as_bytes());
                } else {
                    let n = self.seen.len();
                    self.seen.insert(*id, n);
                    self.put(format!("R{n}").as_bytes());
                    match self.doc.get_object(*id) {
                        Ok(target) => self.object(target, depth + 1)?,
                        Err(_) => self.put(b"missing"),
                    }
                }
            }
        }
        Ok(())
    }

    fn dict(&mut self, d: &Dictionary, skip: &[&[u8]], depth: usize) -> Result<(), PdfError> {
        let mut entries: Vec<(&Vec<u8>, &Object)> = d
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_slice()))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        self.put(format!("<<{}", entries.len()).as_bytes());
        for (k, v) in entries {
            self.put(k);
            self.object(v, depth + 1)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    /// Files exported earlier carry their pages' digest: the integer shortcut must hash the same
    /// text the float formatting did.
    #[test]
    fn integers_hash_as_the_same_text_as_before() {
        let samples = [
            0i64,
            1,
            -1,
            7,
            1000,
            -1000,
            595,
            841,
            65_535,
            1 << 31,
            (1 << 53) - 1,
        ];
        for i in samples.into_iter().chain(samples.map(|i| -i)) {
            assert_eq!(format!("n{i}.000"), format!("n{:.3}", i as f64), "{i}");
        }
    }
}
