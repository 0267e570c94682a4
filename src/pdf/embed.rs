//! Our faces in the PDF: each one a subset CID font (Type 0, Identity-H) holding only the glyphs a
//! document drew, written straight into the lopdf document.
//!
//! printpdf can embed fonts too, but it prepares a face by reading every glyph record and
//! decoding outlines for widths, per document: 38% of a batch export's CPU (bench/README.md).
//! Here the glyph ids are renumbered as the composer draws them (`subsetter`'s remapper, so the
//! content stream holds the subset's ids from the start), widths come from the metrics the line
//! breaker already has, and the ToUnicode map from the characters drawn.

use super::PdfError;
use crate::text::fonts::{EmbedInfo, Face, FontSet};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use std::fmt::Write as _;
use subsetter::GlyphRemapper;

/// The glyphs one document drew, per face, in the order first drawn.
#[derive(Default)]
pub struct Subsets {
    faces: Vec<(Face, FaceSubset)>,
}

struct FaceSubset {
    remapper: GlyphRemapper,
    /// The character each subset glyph id was drawn for (ToUnicode), by new id.
    text: Vec<Option<char>>,
}

impl FaceSubset {
    fn new() -> FaceSubset {
        // The remapper starts with .notdef as glyph 0.
        FaceSubset {
            remapper: GlyphRemapper::new(),
            text: vec![None],
        }
    }
}

/// The name a face goes by in page resources. None of printpdf's built-in names (F1..F14,
/// Helvetica…), which it would treat as standard-14 fonts.
pub fn resource_name(face: Face) -> String {
    match face {
        Face::Regular => "TwR".to_string(),
        Face::Bold => "TwB".to_string(),
        Face::Fallback(i) => format!("TwF{i}"),
    }
}

impl Subsets {
    /// The subset's glyph id for `glyph` of `face`, drawn for `ch`, and whether the font's
    /// Unicode map gives `ch` back for it (false when the glyph was drawn first for another
    /// character: the text then needs an /ActualText).
    pub fn glyph(&mut self, face: Face, glyph: u16, ch: char) -> (u16, bool) {
        let i = match self.faces.iter().position(|(f, _)| *f == face) {
            Some(i) => i,
            None => {
                self.faces.push((face, FaceSubset::new()));
                self.faces.len() - 1
            }
        };
        let subset = &mut self.faces[i].1;
        let new = subset.remapper.remap(glyph);
        // .notdef stands for no character in particular (the coverage check keeps it out of
        // print); the first character drawn with a glyph is the one its text copies as.
        let same = match subset.text.get_mut(usize::from(new)) {
            Some(slot) => {
                if slot.is_none() && new != 0 {
                    *slot = Some(ch);
                }
                *slot == Some(ch)
            }
            None => {
                subset.text.push(Some(ch));
                true
            }
        };
        (new, same)
    }

    /// Writes every face drawn into `doc` and names it in the font resources of every page.
    pub fn write(&self, doc: &mut Document, fonts: &FontSet) -> Result<(), PdfError> {
        let mut entries = Vec::with_capacity(self.faces.len());
        for (face, subset) in &self.faces {
            let info = fonts.embed_info(*face).ok_or(PdfError::FontLoad)?;
            let font = font_object(doc, *face, &info, subset)?;
            entries.push((resource_name(*face), font));
        }
        for dict_id in page_font_dicts(doc)? {
            let dict = doc
                .get_dictionary_mut(dict_id)
                .map_err(|e| PdfError::Write(format!("font resources: {e}")))?;
            for (name, font) in &entries {
                dict.set(name.as_bytes(), Object::Reference(*font));
            }
        }
        Ok(())
    }
}

/// The font resource dictionaries the pages refer to (printpdf shares one among all pages).
fn page_font_dicts(doc: &Document) -> Result<Vec<ObjectId>, PdfError> {
    let fail = |e: lopdf::Error| PdfError::Write(format!("page resources: {e}"));
    let mut ids = Vec::new();
    for page in doc.get_pages().into_values() {
        let resources = doc.get_dictionary(page).map_err(fail)?.get(b"Resources");
        let resources = match resources {
            Ok(Object::Reference(r)) => doc.get_dictionary(*r).map_err(fail)?,
            Ok(Object::Dictionary(d)) => d,
            _ => return Err(PdfError::Write("a page has no resources".into())),
        };
        match resources.get(b"Font") {
            Ok(Object::Reference(id)) if !ids.contains(id) => ids.push(*id),
            Ok(Object::Reference(_)) => {}
            _ => {
                return Err(PdfError::Write(
                    "a page has no shared font resources".into(),
                ));
            }
        }
    }
    Ok(ids)
}

/// A six-letter subset tag (ISO 32000-1 9.6.4) from the face and its glyphs: the same document
/// gives the same file, and two different subsets of a face are told apart.
fn subset_tag(name: &str, glyphs: impl Iterator<Item = u16>) -> String {
    use sha2::Digest as _;
    let mut sha = sha2::Sha256::new();
    sha.update(name.as_bytes());
    for g in glyphs {
        sha.update(g.to_be_bytes());
    }
    sha.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

/// The Type 0 font, its CID font, descriptor, program and ToUnicode map; returns the Type 0 font.
fn font_object(
    doc: &mut Document,
    face: Face,
    info: &EmbedInfo<'_>,
    subset: &FaceSubset,
) -> Result<ObjectId, PdfError> {
    let program = subsetter::subset(info.bytes, 0, &subset.remapper)
        .map_err(|e| PdfError::Write(format!("font {}: {e}", info.postscript_name)))?;
    // The fallback shards share one PostScript name and number their glyphs alike: the face's
    // own name goes into the tag too, so two shards' subsets never carry the same one.
    let base = format!(
        "{}+{}",
        subset_tag(
            &format!("{} {}", resource_name(face), info.postscript_name),
            subset.remapper.remapped_gids()
        ),
        info.postscript_name
    );
    let per_em = |v: f32| Object::Integer((v * 1000.0 / info.units_per_em).round() as i64);

    // A TrueType program goes whole (FontFile2); a CFF one as its bare CFF table (FontFile3,
    // CIDFontType0C), the form every viewer resolves through the identity charset subsetter writes.
    let (subtype, file_key, file) = if info.cff {
        let table = ttf_parser::RawFace::parse(&program, 0)
            .ok()
            .and_then(|f| f.table(ttf_parser::Tag::from_bytes(b"CFF ")))
            .ok_or_else(|| {
                PdfError::Write(format!("font {}: subset has no CFF", info.postscript_name))
            })?;
        let mut dict = Dictionary::new();
        dict.set("Subtype", name("CIDFontType0C"));
        (
            "CIDFontType0",
            "FontFile3",
            Stream::new(dict, table.to_vec()),
        )
    } else {
        let mut dict = Dictionary::new();
        dict.set("Length1", program.len() as i64);
        ("CIDFontType2", "FontFile2", Stream::new(dict, program))
    };
    let file = doc.add_object(file);

    let mut descriptor = Dictionary::new();
    descriptor.set("Type", name("FontDescriptor"));
    descriptor.set("FontName", name(&base));
    // Symbolic: the glyphs are outside the standard Latin set, and reached by CID, not by name.
    descriptor.set("Flags", 4);
    let b = info.bbox;
    descriptor.set(
        "FontBBox",
        vec![per_em(b.0), per_em(b.1), per_em(b.2), per_em(b.3)],
    );
    descriptor.set("ItalicAngle", 0);
    descriptor.set("Ascent", per_em(info.ascent));
    descriptor.set("Descent", per_em(info.descent));
    descriptor.set("CapHeight", per_em(info.cap_height));
    // No table holds the stem width; the usual estimate from the weight class.
    descriptor.set(
        "StemV",
        50 + ((f32::from(info.weight) / 65.0).powi(2)).round() as i64,
    );
    descriptor.set(file_key, file);
    let descriptor = doc.add_object(descriptor);

    // Widths of glyphs 0..n, in order: the subset's ids are contiguous.
    let widths: Vec<Object> = subset
        .remapper
        .remapped_gids()
        .map(|g| Object::Integer((info.advance(g) * 1000.0).round() as i64))
        .collect();
    let mut cid_font = Dictionary::new();
    cid_font.set("Type", name("Font"));
    cid_font.set("Subtype", name(subtype));
    cid_font.set("BaseFont", name(&base));
    let mut system = Dictionary::new();
    system.set("Registry", Object::string_literal("Adobe"));
    system.set("Ordering", Object::string_literal("Identity"));
    system.set("Supplement", 0);
    cid_font.set("CIDSystemInfo", system);
    cid_font.set("FontDescriptor", descriptor);
    cid_font.set("W", vec![Object::Integer(0), Object::Array(widths)]);
    if subtype == "CIDFontType2" {
        cid_font.set("CIDToGIDMap", name("Identity"));
    }
    let cid_font = doc.add_object(cid_font);

    let to_unicode = doc.add_object(Stream::new(Dictionary::new(), to_unicode(&subset.text)));
    let mut font = Dictionary::new();
    font.set("Type", name("Font"));
    font.set("Subtype", name("Type0"));
    font.set("BaseFont", name(&base));
    font.set("Encoding", name("Identity-H"));
    font.set("DescendantFonts", vec![Object::Reference(cid_font)]);
    font.set("ToUnicode", to_unicode);
    Ok(doc.add_object(font))
}

/// A ToUnicode CMap (Adobe TN 5411): each two-byte glyph code to the UTF-16 of its character.
fn to_unicode(text: &[Option<char>]) -> Vec<u8> {
    let mapped: Vec<(usize, char)> = text
        .iter()
        .enumerate()
        .filter_map(|(gid, ch)| ch.map(|c| (gid, c)))
        .collect();
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // At most 100 entries per block.
    for block in mapped.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", block.len());
        for (gid, ch) in block {
            let _ = write!(s, "<{gid:04X}> <");
            for unit in ch.encode_utf16(&mut [0; 2]) {
                let _ = write!(s, "{unit:04X}");
            }
            s.push_str(">\n");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_are_renumbered_in_the_order_drawn_and_remember_their_first_character() {
        let mut s = Subsets::default();
        assert_eq!(s.glyph(Face::Regular, 500, '山'), (1, true));
        assert_eq!(s.glyph(Face::Regular, 20, 'a'), (2, true));
        assert_eq!(s.glyph(Face::Regular, 500, '山'), (1, true));
        // The same glyph drawn for another character (a radical drawn like its kanji): the map
        // keeps the first, and the caller learns that this text needs an /ActualText.
        assert_eq!(s.glyph(Face::Regular, 500, '⼭'), (1, false));
        // Another face numbers its own glyphs.
        assert_eq!(s.glyph(Face::Bold, 20, 'a'), (1, true));
        let regular = &s.faces[0].1;
        assert_eq!(regular.text, vec![None, Some('山'), Some('a')]);
        let cmap = String::from_utf8(to_unicode(&regular.text)).unwrap();
        assert!(cmap.contains("2 beginbfchar\n<0001> <5C71>\n<0002> <0061>\n"));
        // Outside the Basic Multilingual Plane: a surrogate pair.
        let cmap = String::from_utf8(to_unicode(&[None, Some('𠮷')])).unwrap();
        assert!(cmap.contains("<0001> <D842DFB7>"), "{cmap}");
    }

    #[test]
    fn glyph_zero_copies_as_no_character() {
        let mut s = Subsets::default();
        assert_eq!(s.glyph(Face::Regular, 0, '\u{E000}'), (0, false));
        assert_eq!(s.faces[0].1.text, vec![None]);
    }

    /// Every fallback shard subsets and yields its CFF table: an export needing any of them works.
    #[test]
    fn every_fallback_shard_embeds() {
        let fonts = FontSet::get().expect("bundled fonts");
        let mut tags = std::collections::HashSet::new();
        for i in 0..crate::text::fonts::shard_count() {
            let face = Face::Fallback(u16::try_from(i).expect("few shards"));
            let mut s = Subsets::default();
            s.glyph(face, 1, '字');
            let info = fonts.embed_info(face).expect("shard metrics");
            let mut doc = Document::with_version("1.7");
            let font = font_object(&mut doc, face, &info, &s.faces[0].1)
                .unwrap_or_else(|e| panic!("shard {i}: {e}"));
            let base = doc.get_dictionary(font).unwrap().get(b"BaseFont").unwrap();
            let base = base.as_name().unwrap().to_vec();
            assert!(
                tags.insert(base[..6].to_vec()),
                "shard {i}: a tag used twice"
            );
        }
    }

    #[test]
    fn the_subset_tag_is_six_capitals_and_follows_the_glyphs() {
        let a = subset_tag("BIZUDGothic-Regular", [0, 1, 2].into_iter());
        assert_eq!(a.len(), 6);
        assert!(a.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(a, subset_tag("BIZUDGothic-Regular", [0, 1, 2].into_iter()));
        assert_ne!(a, subset_tag("BIZUDGothic-Regular", [0, 1, 3].into_iter()));
    }
}
