//! The PDF's logical structure (ISO 32000-1 14.7–14.8, what PDF/UA-1 asks of it): which drawn text
//! belongs to which heading, paragraph, table cell or list item, in reading order; which drawing is
//! decoration (an artifact); and the bookmarks. A screen reader reads the tree, not the page.
//!
//! The composer asks for a marked-content id (MCID) whenever it draws real content, and the form
//! opens and closes elements around what it draws. `write` turns the tree into the StructTreeRoot,
//! its ParentTree, the pages' /StructParents and the outline, in one lopdf document.

use super::PdfError;
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

/// The standard structure types we use (ISO 32000-1 14.8.4); no role map is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Document,
    Sect,
    H1,
    H2,
    H3,
    P,
    Note,
    Table,
    Caption,
    THead,
    TBody,
    TR,
    TH,
    TD,
    L,
    LI,
    Lbl,
    LBody,
    Figure,
    Span,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::Sect => "Sect",
            Role::H1 => "H1",
            Role::H2 => "H2",
            Role::H3 => "H3",
            Role::P => "P",
            Role::Note => "Note",
            Role::Table => "Table",
            Role::Caption => "Caption",
            Role::THead => "THead",
            Role::TBody => "TBody",
            Role::TR => "TR",
            Role::TH => "TH",
            Role::TD => "TD",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Figure => "Figure",
            Role::Span => "Span",
        }
    }
}

/// Which cells a header cell heads (the /Scope table attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Row,
    Column,
}

/// What kind of decoration an artifact is (ISO 32000-1 14.8.2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    /// Rules, boxes and fills that only shape the page.
    Layout,
    /// The running header, or a label or table header repeated on a continuation page.
    Header,
    Footer,
    /// 見本 across a sample's pages (the status cell of the title block says it in words).
    Watermark,
}

#[derive(Debug, Clone, Copy)]
enum Kid {
    Elem(usize),
    Content { page: usize, mcid: i64 },
}

#[derive(Debug)]
struct Elem {
    role: Role,
    parent: usize,
    kids: Vec<Kid>,
    alt: Option<String>,
    actual_text: Option<String>,
    lang: Option<&'static str>,
    scope: Option<Scope>,
}

/// A bookmark: its title and where its heading starts.
#[derive(Debug, Clone)]
struct Bookmark {
    title: String,
    page: usize,
    top: f32,
}

/// The tree as it is built. Element 0 is the Document.
#[derive(Debug)]
pub struct Structure {
    elems: Vec<Elem>,
    /// Open elements; the last one receives what is drawn unless `target` says otherwise.
    stack: Vec<usize>,
    /// The element the next content is marked for.
    target: usize,
    /// The next MCID of each page.
    next_mcid: Vec<i64>,
    bookmarks: Vec<Bookmark>,
}

impl Default for Structure {
    fn default() -> Self {
        Structure::new()
    }
}

impl Structure {
    pub fn new() -> Structure {
        Structure {
            elems: vec![Elem {
                role: Role::Document,
                parent: 0,
                kids: Vec::new(),
                alt: None,
                actual_text: None,
                lang: None,
                scope: None,
            }],
            stack: vec![0],
            target: 0,
            next_mcid: Vec::new(),
            bookmarks: Vec::new(),
        }
    }

    /// A new element at the end of `parent`'s children; it is not opened.
    pub fn add(&mut self, parent: usize, role: Role) -> usize {
        let id = self.elems.len();
        self.elems.push(Elem {
            role,
            parent,
            kids: Vec::new(),
            alt: None,
            actual_text: None,
            lang: None,
            scope: None,
        });
        self.elems[parent].kids.push(Kid::Elem(id));
        id
    }

    /// A new element at `index` among `parent`'s children (content drawn last that reads first).
    pub fn add_at(&mut self, parent: usize, index: usize, role: Role) -> usize {
        let id = self.add(parent, role);
        let kids = &mut self.elems[parent].kids;
        if let Some(kid) = kids.pop() {
            kids.insert(index.min(kids.len()), kid);
        }
        id
    }

    /// A new element inside the open one, opened: what is drawn next belongs to it.
    pub fn open(&mut self, role: Role) -> usize {
        let id = self.add(self.current(), role);
        self.stack.push(id);
        self.target = id;
        id
    }

    /// Closes `id` and every element opened inside it.
    pub fn close(&mut self, id: usize) {
        if let Some(at) = self.stack.iter().rposition(|&e| e == id)
            && at > 0
        {
            self.stack.truncate(at);
        }
        self.target = self.current();
    }

    /// The innermost open element.
    pub fn current(&self) -> usize {
        self.stack.last().copied().unwrap_or(0)
    }

    /// Marks what is drawn next for `id`, an element that is not the innermost open one (a table
    /// row's cells take their lines in turn when the row is split between pages).
    pub fn set_target(&mut self, id: usize) {
        self.target = id.min(self.elems.len() - 1);
    }

    pub fn set_alt(&mut self, id: usize, alt: impl Into<String>) {
        if let Some(e) = self.elems.get_mut(id) {
            e.alt = Some(alt.into());
        }
    }

    pub fn set_actual_text(&mut self, id: usize, text: impl Into<String>) {
        if let Some(e) = self.elems.get_mut(id) {
            e.actual_text = Some(text.into());
        }
    }

    /// The language of an element that is not in the document's language (the other title).
    pub fn set_lang(&mut self, id: usize, lang: &'static str) {
        if let Some(e) = self.elems.get_mut(id) {
            e.lang = Some(lang);
        }
    }

    pub fn set_scope(&mut self, id: usize, scope: Scope) {
        if let Some(e) = self.elems.get_mut(id) {
            e.scope = Some(scope);
        }
    }

    /// The MCID for content drawn now on `page` for the target element.
    pub fn mark(&mut self, page: usize) -> (i64, Role) {
        if self.next_mcid.len() <= page {
            self.next_mcid.resize(page + 1, 0);
        }
        let mcid = self.next_mcid[page];
        self.next_mcid[page] += 1;
        let target = self.target;
        self.elems[target].kids.push(Kid::Content { page, mcid });
        (mcid, self.elems[target].role)
    }

    /// A bookmark to a heading drawn at `top` points below the top of `page`.
    pub fn bookmark(&mut self, title: impl Into<String>, page: usize, top: f32) {
        self.bookmarks.push(Bookmark {
            title: title.into(),
            page,
            top,
        });
    }

    /// The structure tree, the pages' links to it, and the outline, into `doc`. `pages` are the
    /// page objects in order, `heights` their heights (bookmarks point from the top).
    pub fn write(
        &self,
        doc: &mut Document,
        pages: &[ObjectId],
        heights: &[f32],
    ) -> Result<(), PdfError> {
        let root_id = doc.new_object_id();
        let ids: Vec<ObjectId> = self.elems.iter().map(|_| doc.new_object_id()).collect();
        let page_ref = |p: usize| -> Result<Object, PdfError> {
            pages
                .get(p)
                .map(|id| Object::Reference(*id))
                .ok_or_else(|| PdfError::Write(format!("structure: no page {p}")))
        };
        // ParentTree: per page, the element each MCID belongs to, by MCID.
        let mut parents: Vec<Vec<Option<ObjectId>>> = vec![Vec::new(); pages.len()];
        for (i, e) in self.elems.iter().enumerate() {
            let first_page = e.kids.iter().find_map(|k| match k {
                Kid::Content { page, .. } => Some(*page),
                Kid::Elem(_) => None,
            });
            let mut kids = Vec::with_capacity(e.kids.len());
            for kid in &e.kids {
                match *kid {
                    Kid::Elem(c) => kids.push(Object::Reference(ids[c])),
                    Kid::Content { page, mcid } => {
                        let slot = parents
                            .get_mut(page)
                            .ok_or_else(|| PdfError::Write(format!("structure: no page {page}")))?;
                        let at = mcid as usize;
                        if slot.len() <= at {
                            slot.resize(at + 1, None);
                        }
                        slot[at] = Some(ids[i]);
                        if Some(page) == first_page {
                            kids.push(Object::Integer(mcid));
                        } else {
                            let mut mcr = Dictionary::new();
                            mcr.set("Type", Object::Name(b"MCR".to_vec()));
                            mcr.set("Pg", page_ref(page)?);
                            mcr.set("MCID", mcid);
                            kids.push(Object::Dictionary(mcr));
                        }
                    }
                }
            }
            // /Type StructElem is optional (ISO 32000-1 Table 323) and left out: thousands of
            // elements in a long record.
            let mut d = Dictionary::new();
            d.set("S", Object::Name(e.role.name().as_bytes().to_vec()));
            d.set(
                "P",
                Object::Reference(if i == 0 { root_id } else { ids[e.parent] }),
            );
            if let Some(p) = first_page {
                d.set("Pg", page_ref(p)?);
            }
            // One kid stands alone (ISO 32000-1 Table 323 allows both forms); some readers and
            // checkers only look inside an array of several.
            // An element with nothing in it (a blank cell) has no /K at all.
            match <[Object; 1]>::try_from(kids) {
                Ok([kid]) => d.set("K", kid),
                Err(kids) if kids.is_empty() => {}
                Err(kids) => d.set("K", Object::Array(kids)),
            }
            if let Some(alt) = &e.alt {
                d.set("Alt", text_string(alt));
            }
            if let Some(t) = &e.actual_text {
                d.set("ActualText", text_string(t));
            }
            if let Some(lang) = e.lang {
                d.set("Lang", text_string(lang));
            }
            if let Some(scope) = e.scope {
                let mut a = Dictionary::new();
                a.set("O", Object::Name(b"Table".to_vec()));
                a.set(
                    "Scope",
                    Object::Name(match scope {
                        Scope::Row => b"Row".to_vec(),
                        Scope::Column => b"Column".to_vec(),
                    }),
                );
                d.set("A", Object::Dictionary(a));
            }
            doc.objects.insert(ids[i], Object::Dictionary(d));
        }
        let mut nums = Vec::with_capacity(pages.len() * 2);
        for (p, (page, parents)) in pages.iter().zip(&parents).enumerate() {
            nums.push(Object::Integer(p as i64));
            let refs = parents
                .iter()
                .map(|o| o.map_or(Object::Null, Object::Reference))
                .collect();
            nums.push(doc.add_object(Object::Array(refs)).into());
            let dict = doc
                .get_dictionary_mut(*page)
                .map_err(|e| PdfError::Write(format!("page {p}: {e}")))?;
            dict.set("StructParents", p as i64);
            // Tab order follows the structure (PDF/UA-1 7.18.3).
            dict.set("Tabs", Object::Name(b"S".to_vec()));
        }
        let mut parent_tree = Dictionary::new();
        parent_tree.set("Nums", Object::Array(nums));
        let mut root = Dictionary::new();
        root.set("Type", Object::Name(b"StructTreeRoot".to_vec()));
        root.set("K", Object::Array(vec![Object::Reference(ids[0])]));
        root.set("ParentTree", doc.add_object(parent_tree));
        root.set("ParentTreeNextKey", pages.len() as i64);
        doc.objects.insert(root_id, Object::Dictionary(root));

        let outline = self.write_outline(doc, pages, heights)?;
        let catalog = doc
            .catalog_mut()
            .map_err(|e| PdfError::Write(format!("catalog: {e}")))?;
        catalog.set("StructTreeRoot", Object::Reference(root_id));
        let mut mark = Dictionary::new();
        mark.set("Marked", true);
        // No /Suspects: false is its default, and poppler (Evince, pdfinfo) reports an explicit
        // false as "Suspects object is wrong type".
        catalog.set("MarkInfo", mark);
        if let Some(outline) = outline {
            catalog.set("Outlines", Object::Reference(outline));
            catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        Ok(())
    }

    /// The bookmarks as a flat outline, one item per section; None when there is none.
    fn write_outline(
        &self,
        doc: &mut Document,
        pages: &[ObjectId],
        heights: &[f32],
    ) -> Result<Option<ObjectId>, PdfError> {
        if self.bookmarks.is_empty() {
            return Ok(None);
        }
        let outline_id = doc.new_object_id();
        let ids: Vec<ObjectId> = self.bookmarks.iter().map(|_| doc.new_object_id()).collect();
        for (i, b) in self.bookmarks.iter().enumerate() {
            let page = pages
                .get(b.page)
                .ok_or_else(|| PdfError::Write(format!("bookmark: no page {}", b.page)))?;
            let h = heights.get(b.page).copied().unwrap_or(0.0);
            let mut d = Dictionary::new();
            d.set("Title", text_string(&b.title));
            d.set("Parent", Object::Reference(outline_id));
            if i > 0 {
                d.set("Prev", Object::Reference(ids[i - 1]));
            }
            if let Some(next) = ids.get(i + 1) {
                d.set("Next", Object::Reference(*next));
            }
            d.set(
                "Dest",
                Object::Array(vec![
                    Object::Reference(*page),
                    Object::Name(b"XYZ".to_vec()),
                    Object::Null,
                    Object::Real(h - b.top + 4.0),
                    Object::Null,
                ]),
            );
            doc.objects.insert(ids[i], Object::Dictionary(d));
        }
        let mut outline = Dictionary::new();
        outline.set("Type", Object::Name(b"Outlines".to_vec()));
        outline.set("First", Object::Reference(ids[0]));
        outline.set("Last", Object::Reference(ids[ids.len() - 1]));
        outline.set("Count", ids.len() as i64);
        doc.objects.insert(outline_id, Object::Dictionary(outline));
        Ok(Some(outline_id))
    }
}

/// A PDF text string: ASCII as it is, anything else UTF-16BE with a byte-order mark.
pub fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        Object::String(utf16be(s), StringFormat::Hexadecimal)
    }
}

/// UTF-16BE with its byte-order mark: a PDF text string that is not PDFDocEncoding.
pub fn utf16be(s: &str) -> Vec<u8> {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_marked_for_the_innermost_open_element_and_mcids_count_per_page() {
        let mut s = Structure::new();
        let sect = s.open(Role::Sect);
        let h = s.open(Role::H2);
        assert_eq!(s.mark(0), (0, Role::H2));
        s.close(h);
        let table = s.open(Role::Table);
        let tr = s.open(Role::TR);
        let a = s.add(tr, Role::TD);
        let b = s.add(tr, Role::TD);
        s.set_target(a);
        assert_eq!(s.mark(0), (1, Role::TD));
        s.set_target(b);
        assert_eq!(s.mark(1), (0, Role::TD));
        s.set_target(a);
        assert_eq!(s.mark(1), (1, Role::TD));
        s.close(table);
        assert_eq!(s.current(), sect);
        assert!(matches!(
            s.elems[a].kids[..],
            [
                Kid::Content { page: 0, mcid: 1 },
                Kid::Content { page: 1, mcid: 1 }
            ]
        ));
        s.close(sect);
        assert_eq!(s.current(), 0);
        // The Document is never closed.
        s.close(0);
        assert_eq!(s.current(), 0);
    }
}
