#!/usr/bin/env python3
"""Independent checker for Taiwa's exported PDFs: tagged PDF/UA-1 + PDF/A-3a.

Usage: python check_tagged.py [--lang ja|en] FILE.pdf...

Exit 0 when every file passes every check, 1 otherwise. Each failure is printed on one line as
`FILE: [check] what is wrong`.

The checks are written against the PDF objects directly (pikepdf, and pypdf for a second read of
the XMP packet) rather than trusting our exporter's own idea of what it wrote; the two external
validators (pdfua, page-validation) are run at the end as a second opinion, because each of them
covers rules the others do not.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from xml.dom import Node

import io

import page
import pikepdf
import pypdf
from fontTools.cffLib import CFFFontSet
from fontTools.pens.basePen import NullPen
from fontTools.ttLib import TTFont

# --lang value -> the /Lang (BCP 47 tag) our exporter is expected to write.
LANG_TAGS = {"ja": "ja-JP", "en": "en"}

# ISO 32000-1 14.8.4 standard structure types. PDF/UA-1 (7.1) requires every element to be one
# of these, or to be role-mapped to one.
STANDARD_TYPES = frozenset(
    # 14.8.4.2 grouping elements
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private".split()
    # 14.8.4.3 block-level elements (paragraph-like, lists, tables)
    + "P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot".split()
    # 14.8.4.4 inline-level elements
    + "Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP".split()
    # 14.8.4.5 illustration elements
    + "Figure Formula Form".split()
)

HEADINGS = {f"H{n}": n for n in range(1, 7)}

# Content-stream operators that put marks on the page: PDF/UA-1 7.1 says each of them must be
# either real content (tagged) or an artifact.
TEXT_OPS = {"Tj", "TJ", "'", '"'}
PAINT_OPS = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "INLINE IMAGE"}

XMP_NS_PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
XMP_NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def name_str(obj) -> str | None:
    """A PDF name without its slash ('/H1' -> 'H1'), or None when obj is not a name."""
    if isinstance(obj, pikepdf.Name):
        return str(obj)[1:]
    return None


def as_list(obj) -> list:
    """Many PDF entries are 'one object or an array of them'; treat both as a list."""
    if obj is None:
        return []
    if isinstance(obj, pikepdf.Array):
        return list(obj)
    return [obj]


def obj_key(obj):
    """Identity for comparing objects: indirect objects by number, direct ones by wrapper id.

    pikepdf hands back a new wrapper each time a direct object is read, so only indirect objects
    can be compared reliably; structure elements are indirect in practice (/P needs that)."""
    if obj.is_indirect:
        return obj.objgen
    return ("direct", id(obj))


def text_of(obj) -> str:
    """A PDF text string as Python str (pikepdf decodes PDFDocEncoding/UTF-16 for us)."""
    return str(obj) if obj is not None else ""


def _iter_tree(node, pairs_key, key_of, seen):
    """Yield (key, value) pairs of a number or name tree (ISO 32000-1 7.9.6, 7.9.7): the pairs of
    each node's `pairs_key` array, then its /Kids, each node once."""
    if node is None or obj_key(node) in seen:
        return
    seen.add(obj_key(node))
    pairs = node.get(pairs_key)
    if pairs is not None:
        for i in range(0, len(pairs) - 1, 2):
            yield key_of(pairs[i]), pairs[i + 1]
    for kid in as_list(node.get("/Kids")):
        yield from _iter_tree(kid, pairs_key, key_of, seen)


def iter_number_tree(node):
    """Yield (key, value) pairs of a number tree (used for /ParentTree)."""
    return _iter_tree(node, "/Nums", int, set())


def iter_name_tree(node):
    """Yield (name, value) pairs of a name tree (used for /EmbeddedFiles)."""
    return _iter_tree(node, "/Names", text_of, set())


class StructTree:
    """One walk over the structure tree, kept so every check reads the same facts.

    elems: (element, resolved standard type or None, raw /S) in document (depth-first) order.
    claims: page objgen -> MCID -> list of element keys whose /K claims that marked content.
    role_problems: messages about /RoleMap itself (cycles, standard types remapped)."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        root = pdf.Root.get("/StructTreeRoot")
        self.present = isinstance(root, pikepdf.Dictionary)
        self.role_map = {}
        self.role_problems = []
        self.elems = []
        self.claims = defaultdict(lambda: defaultdict(list))
        # Elements with an integer MCID kid but no /Pg of their own: their content is on no page.
        self.orphan_mcids = []
        if not self.present:
            return
        rm = root.get("/RoleMap")
        if isinstance(rm, pikepdf.Dictionary):
            self.role_map = {str(k)[1:]: name_str(v) for k, v in rm.items()}
        for custom in sorted(self.role_map):
            if custom in STANDARD_TYPES:
                # PDF/UA-1 7.1: standard types shall not be remapped.
                self.role_problems.append(f"/RoleMap remaps the standard type /{custom}")
        self._walk(root)

    def resolve(self, s: str | None) -> str | None:
        """Follow /RoleMap from a structure type to a standard one; None when it never gets there."""
        seen = set()
        while s is not None and s not in STANDARD_TYPES:
            if s in seen:
                return None  # a cycle: reported by check_structure_types through the None
            seen.add(s)
            s = self.role_map.get(s)
        return s

    def _walk(self, root):
        # Explicit stack rather than recursion: a long document can nest deeply, and Python's
        # recursion limit would turn that into a crash instead of a report.
        # Entries are (kid object, parent element or None, inherited /Pg).
        stack = [(k, None, None) for k in reversed(as_list(root.get("/K")))]
        visited = set()
        while stack:
            node, parent, pg = stack.pop()
            if isinstance(node, int):  # pikepdf hands PDF integers back as Python ints
                # An integer kid is an MCID on the page of its own element's /Pg (ISO 32000-1
                # Table 323); an ancestor's /Pg does not count.
                own_pg = parent.get("/Pg") if parent is not None else None
                if own_pg is not None:
                    self.claims[own_pg.objgen][int(node)].append(obj_key(parent))
                elif parent is not None:
                    self.orphan_mcids.append(obj_key(parent))
                continue
            if not isinstance(node, pikepdf.Dictionary):
                continue
            typ = node.get("/Type")
            # /Type is required on a marked-content reference, but some writers leave it out; a
            # dictionary with an /MCID and no /S can only be one.
            if typ == "/MCR" or ("/MCID" in node and "/S" not in node):
                # A marked-content reference; /Stm means the MCID lives in a form XObject's own
                # stream, not in the page's content, so it does not cover page content.
                if parent is not None and "/Stm" not in node and "/MCID" in node:
                    mpg = node.get("/Pg", pg)
                    if mpg is not None:
                        self.claims[mpg.objgen][int(node.MCID)].append(obj_key(parent))
                continue
            if typ == "/OBJR":
                continue  # an annotation or XObject reference, no marked content
            key = obj_key(node)
            if key in visited:
                continue  # a shared or cyclic element: walk it once
            visited.add(key)
            raw = name_str(node.get("/S"))
            self.elems.append((node, self.resolve(raw), raw))
            kid_pg = node.get("/Pg", pg)
            for kid in reversed(as_list(node.get("/K"))):
                stack.append((kid, node, kid_pg))

    def attributes(self, elem) -> list:
        """The attribute dictionaries of an element: /A (a dict, or an array of dicts and
        revision numbers) plus those of its /C classes from /ClassMap, which count the same."""
        out = [a for a in as_list(elem.get("/A")) if isinstance(a, pikepdf.Dictionary)]
        class_map = self.pdf.Root.StructTreeRoot.get("/ClassMap")
        if isinstance(class_map, pikepdf.Dictionary):
            for cls in as_list(elem.get("/C")):
                if isinstance(cls, pikepdf.Name) and cls in class_map:
                    out += [a for a in as_list(class_map[cls]) if isinstance(a, pikepdf.Dictionary)]
        return out


# --------------------------------------------------------------------------------------------
# Catalog checks
# --------------------------------------------------------------------------------------------


def check_catalog_flags(doc):
    """Tagged-PDF flags, language, title display and outline, which PDF/UA-1 7.1, 7.2, 7.18 ask."""
    root = doc.pdf.Root
    fails = []
    mark_info = root.get("/MarkInfo")
    if not (isinstance(mark_info, pikepdf.Dictionary) and mark_info.get("/Marked") is True):
        fails.append("/MarkInfo /Marked is not true")
    if not doc.tree.present:
        fails.append("no /StructTreeRoot (the document is not tagged)")
    lang = root.get("/Lang")
    if lang is None or not text_of(lang).strip():
        fails.append("no /Lang in the catalog")
    elif doc.lang:
        want = LANG_TAGS[doc.lang]
        # BCP 47 tags compare case-insensitively (RFC 5646 2.1.1): ja-jp is the same as ja-JP.
        if text_of(lang).lower() != want.lower():
            fails.append(f"/Lang is {text_of(lang)!r}, expected {want!r}")
    vp = root.get("/ViewerPreferences")
    if not (isinstance(vp, pikepdf.Dictionary) and vp.get("/DisplayDocTitle") is True):
        fails.append("/ViewerPreferences /DisplayDocTitle is not true")
    outlines = root.get("/Outlines")
    if not isinstance(outlines, pikepdf.Dictionary):
        fails.append("no /Outlines (bookmarks)")
    elif "/First" not in outlines:
        fails.append("/Outlines has no items")
    return fails


def check_output_intent(doc):
    """PDF/A needs a PDF/A output intent whose ICC profile matches our RGB colours (/N 3)."""
    for oi in as_list(doc.pdf.Root.get("/OutputIntents")):
        if isinstance(oi, pikepdf.Dictionary) and oi.get("/S") == "/GTS_PDFA1":
            prof = oi.get("/DestOutputProfile")
            if not isinstance(prof, pikepdf.Stream):
                return ["/OutputIntents GTS_PDFA1 has no /DestOutputProfile stream"]
            if prof.get("/N") != 3:
                return [f"/DestOutputProfile /N is {prof.get('/N')}, expected 3 (RGB)"]
            return []
    return ["no /OutputIntents entry with /S /GTS_PDFA1"]


def check_attachments(doc):
    """PDF/A-3 6.8: each embedded file is associated (/AF), named twice (/F, /UF), and carries a
    MIME type and a modification date."""
    fails = []
    root = doc.pdf.Root
    # A file with no attachment (the 提供記録) needs no /AF; one with attachments is checked below.
    if "/AF" in root and not isinstance(root.get("/AF"), pikepdf.Array):
        fails.append("the catalog's /AF is not an array")
    names = root.get("/Names")
    ef_tree = names.get("/EmbeddedFiles") if isinstance(names, pikepdf.Dictionary) else None
    # PDF/A-3 lets a file be associated with the document, a page or a structure element.
    associated = set()
    for owner in [root] + [p.obj for p in doc.pdf.pages] + [e for e, _, _ in doc.tree.elems]:
        associated |= {
            obj_key(f) for f in as_list(owner.get("/AF")) if isinstance(f, pikepdf.Dictionary)
        }
    for name, spec in iter_name_tree(ef_tree):
        label = f"embedded file {name!r}"
        if not isinstance(spec, pikepdf.Dictionary):
            fails.append(f"{label} is not a file specification dictionary")
            continue
        if obj_key(spec) not in associated:
            fails.append(f"{label} is not listed in any /AF (catalog, page or structure element)")
        for key in ("/AFRelationship", "/F", "/UF"):
            if key not in spec:
                fails.append(f"{label} has no {key}")
        ef = spec.get("/EF")
        stream = ef.get("/F") if isinstance(ef, pikepdf.Dictionary) else None
        if not isinstance(stream, pikepdf.Stream):
            fails.append(f"{label} has no /EF /F stream")
            continue
        subtype = name_str(stream.get("/Subtype"))
        if not subtype or "/" not in subtype:
            fails.append(f"{label} stream has no MIME /Subtype (e.g. /text#2Fcsv)")
        params = stream.get("/Params")
        if not (isinstance(params, pikepdf.Dictionary) and "/ModDate" in params):
            fails.append(f"{label} stream has no /Params /ModDate")
    return fails


def check_pages(doc):
    """PDF/UA-1 7.18.3 wants tab order following the structure (/Tabs /S); /StructParents is how
    a page finds its entry in the ParentTree."""
    fails = []
    for i, pg in enumerate(doc.pdf.pages, 1):
        if pg.obj.get("/Tabs") != "/S":
            fails.append(f"page {i} has no /Tabs /S")
        if "/StructParents" not in pg.obj:
            fails.append(f"page {i} has no /StructParents")
    return fails


# --------------------------------------------------------------------------------------------
# XMP metadata checks: read twice, by two unrelated parsers, so that a packet that only one of
# them understands (a namespace typo, attribute vs element form) is caught.
# --------------------------------------------------------------------------------------------


def xmp_facts_pikepdf(pdf) -> dict:
    meta = pdf.open_metadata()
    return {
        "title": meta.get("dc:title"),  # pikepdf returns the x-default alternative
        "pdfaid:part": meta.get("pdfaid:part"),
        "pdfaid:conformance": meta.get("pdfaid:conformance"),
        "pdfuaid:part": meta.get("pdfuaid:part"),
        "info_title": text_of(pdf.docinfo.get("/Title")) if "/Title" in pdf.docinfo else None,
    }


def _rdf_value(rdf_root, ns: str, local: str) -> str | None:
    """A simple XMP property, written as an attribute or a child element of any rdf:Description."""
    for desc in rdf_root.getElementsByTagNameNS(XMP_NS_RDF, "Description"):
        if desc.hasAttributeNS(ns, local):
            return desc.getAttributeNS(ns, local)
        for child in desc.childNodes:
            if (
                child.nodeType == Node.ELEMENT_NODE
                and child.namespaceURI == ns
                and child.localName == local
            ):
                return "".join(t.data for t in child.childNodes if t.nodeType == Node.TEXT_NODE)
    return None


def xmp_facts_pypdf(path) -> dict:
    reader = pypdf.PdfReader(path)
    xmp = reader.xmp_metadata
    info = reader.metadata
    facts = {"info_title": info.title if info is not None else None}
    if xmp is None:
        return facts | {
            "title": None,
            "pdfaid:part": None,
            "pdfaid:conformance": None,
            "pdfuaid:part": None,
        }
    titles = xmp.dc_title or {}
    facts["title"] = titles.get("x-default")
    facts["pdfaid:part"] = xmp.pdfaid_part
    facts["pdfaid:conformance"] = xmp.pdfaid_conformance
    # pypdf has no accessor for the PDF/UA identification schema: read the RDF ourselves.
    facts["pdfuaid:part"] = _rdf_value(xmp.rdf_root, XMP_NS_PDFUAID, "part")
    return facts


def xmp_problems(facts: dict, reader_name: str) -> list:
    fails = []
    title = (facts.get("title") or "").strip()
    if not title:
        fails.append(f"XMP dc:title is empty or missing ({reader_name})")
    if str(facts.get("pdfaid:part") or "").strip() != "3":
        fails.append(f"XMP pdfaid:part is {facts.get('pdfaid:part')!r}, expected 3 ({reader_name})")
    if str(facts.get("pdfaid:conformance") or "").strip() != "A":
        fails.append(
            f"XMP pdfaid:conformance is {facts.get('pdfaid:conformance')!r}, expected A ({reader_name})"
        )
    if str(facts.get("pdfuaid:part") or "").strip() != "1":
        fails.append(
            f"XMP pdfuaid:part is {facts.get('pdfuaid:part')!r}, expected 1 ({reader_name})"
        )
    if title and facts.get("info_title") != facts.get("title"):
        # PDF/A: the Info dictionary and XMP must agree where they overlap.
        info_title, xmp_title = facts.get("info_title"), facts.get("title")
        fails.append(
            f"Info /Title {info_title!r} differs from XMP dc:title {xmp_title!r} ({reader_name})"
        )
    return fails


def check_xmp(doc):
    if "/Metadata" not in doc.pdf.Root:
        return ["no XMP /Metadata stream in the catalog"]
    fails = xmp_problems(xmp_facts_pikepdf(doc.pdf), "pikepdf")
    try:
        fails += xmp_problems(xmp_facts_pypdf(doc.path), "pypdf")
    except Exception as e:  # a packet pypdf cannot parse is itself worth failing on
        fails.append(f"pypdf could not read the XMP packet: {e}")
    return fails


# --------------------------------------------------------------------------------------------
# Structure tree checks
# --------------------------------------------------------------------------------------------


def check_structure_types(doc):
    """PDF/UA-1 7.1: every element is a standard type or role-mapped to one."""
    fails = list(doc.tree.role_problems)
    bad = Counter(raw for _, resolved, raw in doc.tree.elems if resolved is None)
    for raw, n in sorted(bad.items(), key=lambda x: str(x[0])):
        if raw is None:
            fails.append(f"{n} structure element(s) have no /S type")
        else:
            fails.append(
                f"structure type /{raw} ({n} element(s)) is not standard and not role-mapped to one"
            )
    return fails


def check_headings(doc):
    """PDF/UA-1 7.4.2: numbered headings start at H1 and never skip a level going down."""
    fails = []
    prev = None
    count = 0
    for _, resolved, raw in doc.tree.elems:
        level = HEADINGS.get(resolved)
        if level is None:
            continue
        count += 1
        shown = f"/{raw}" if raw == resolved else f"/{raw} (-> /{resolved})"
        if prev is None and level != 1:
            fails.append(f"heading 1 is {shown}, the first heading must be H1")
        elif prev is not None and level > prev + 1:
            fails.append(f"heading {count} is {shown} right after H{prev} (skips H{prev + 1})")
        prev = level
    return fails


def check_tables(doc):
    """PDF/UA-1 7.5: tables have header cells, and each TH says what it heads (/Scope)."""
    fails = []
    # Descendants are found through /K (downwards), never through /P, so that a wrong /P link
    # cannot hide a TH or lend one to the wrong table.
    tree = doc.tree
    tables = [e for e, resolved, _ in tree.elems if resolved == "Table"]
    for t_index, table in enumerate(tables, 1):
        ths = [e for e in _descendants(table) if tree.resolve(name_str(e.get("/S"))) == "TH"]
        if not ths:
            fails.append(f"table {t_index} has no TH")
            continue
        for th_index, th in enumerate(ths, 1):
            has_scope = any(a.get("/O") == "/Table" and "/Scope" in a for a in tree.attributes(th))
            if not has_scope:
                fails.append(f"table {t_index}: TH {th_index} has no /Scope attribute (/O /Table)")
    return fails


def _descendants(elem):
    """Structure elements below elem (not MCIDs or references), depth-first."""
    out, stack, seen = [], list(reversed(as_list(elem.get("/K")))), set()
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") in ("/MCR", "/OBJR"):
            continue
        if obj_key(node) in seen:
            continue
        seen.add(obj_key(node))
        out.append(node)
        stack.extend(reversed(as_list(node.get("/K"))))
    return out


def check_figures(doc):
    """PDF/UA-1 7.3: a figure needs alternative text."""
    fails = []
    figures = [e for e, resolved, _ in doc.tree.elems if resolved == "Figure"]
    for i, fig in enumerate(figures, 1):
        if not text_of(fig.get("/Alt")).strip():
            fails.append(f"figure {i} has no /Alt text")
    return fails


# --------------------------------------------------------------------------------------------
# Content coverage: every mark on a page is tagged content or an artifact
# --------------------------------------------------------------------------------------------


def parent_tree_entries(pdf) -> dict:
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, pikepdf.Dictionary):
        return {}
    return dict(iter_number_tree(root.get("/ParentTree")))


def page_referenced_mcids(tree, page_obj, parent_entries) -> set:
    """MCIDs of this page that the structure tree points at, from /K or from the ParentTree."""
    mcids = set(tree.claims.get(page_obj.objgen, {}))
    sp = page_obj.get("/StructParents")
    arr = parent_entries.get(int(sp)) if sp is not None else None
    if isinstance(arr, pikepdf.Array):
        mcids |= {i for i, e in enumerate(arr) if isinstance(e, pikepdf.Dictionary)}
    return mcids


def mcid_of(operands, page_obj):
    """The /MCID of a BDC property list, which is inline or a name in /Resources /Properties."""
    if len(operands) < 2:
        return None
    props = operands[1]
    if isinstance(props, pikepdf.Name):
        res = page_obj.get("/Resources")
        table = res.get("/Properties") if isinstance(res, pikepdf.Dictionary) else None
        props = table.get(props) if isinstance(table, pikepdf.Dictionary) else None
    if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
        return int(props.MCID)
    return None


def scan_page(page, page_obj, referenced: set) -> dict:
    """Walk one page's content and count marks that are neither tagged nor artifacts."""
    counts = Counter()
    # Each open marked-content sequence: ("artifact" | "mcid" | "other", mcid or None).
    stack = []
    seen_mcids = set()

    def enclosing(kind):
        return any(what == kind for what, _ in stack)

    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "BMC":
            kind = "artifact" if operands[0] == "/Artifact" else "other"
            if kind == "artifact" and enclosing("mcid"):
                counts["artifact inside tagged content"] += 1
            stack.append((kind, None))
        elif op == "BDC":
            if operands[0] == "/Artifact":
                if enclosing("mcid"):
                    counts["artifact inside tagged content"] += 1
                stack.append(("artifact", None))
            else:
                mcid = mcid_of(operands, page_obj)
                if mcid is not None:
                    # ISO 32000-1 14.7.4.2: content is tagged once, never inside an artifact or
                    # inside another MCID; an MCID names one sequence of the page.
                    if enclosing("artifact"):
                        counts["tagged content inside an artifact"] += 1
                    if enclosing("mcid"):
                        counts["MCID inside another MCID"] += 1
                    if mcid in seen_mcids:
                        counts[f"MCID {mcid} used twice"] += 1
                    seen_mcids.add(mcid)
                stack.append(("mcid", mcid) if mcid is not None else ("other", None))
        elif op == "EMC":
            if stack:
                stack.pop()
            else:
                counts["unbalanced EMC"] += 1
        elif op in TEXT_OPS or op in PAINT_OPS:
            kind = "text" if op in TEXT_OPS else "paint"
            # The innermost sequence that decides: an artifact, or an MCID (content belongs to the
            # innermost MCID only; an outer one does not make it tagged).
            verdict = "untagged"
            for what, mcid in reversed(stack):
                if what == "artifact":
                    verdict = "ok"
                    break
                if what == "mcid":
                    verdict = "ok" if mcid in referenced else "unreferenced MCID"
                    break
            if verdict != "ok":
                counts[f"{kind} {verdict}"] += 1
    if stack:
        counts["unclosed BMC/BDC"] += len(stack)
    return counts


def check_content_coverage(doc):
    """PDF/UA-1 7.1: content is either real content tagged in the structure tree or an artifact."""
    fails = []
    if doc.tree.orphan_mcids:
        fails.append(
            f"{len(doc.tree.orphan_mcids)} element(s) have integer MCID kids but no /Pg of their own"
        )
    parents = parent_tree_entries(doc.pdf)
    for i, pg in enumerate(doc.pdf.pages, 1):
        referenced = page_referenced_mcids(doc.tree, pg.obj, parents)
        counts = scan_page(pg, pg.obj, referenced)
        if counts:
            detail = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
            fails.append(f"page {i}: marks outside tagged content or /Artifact: {detail}")
    return fails


def check_parent_tree(doc):
    """The ParentTree is how readers go from marked content back to its element: the array for a
    page's /StructParents must hold, at each MCID, exactly the element whose /K claims it."""
    if not doc.tree.present:
        return []  # already reported by the catalog check
    fails = []
    parents = parent_tree_entries(doc.pdf)
    if not parents and doc.tree.claims:
        return ["structure tree has no /ParentTree (or it is empty)"]
    for i, pg in enumerate(doc.pdf.pages, 1):
        claims = doc.tree.claims.get(pg.obj.objgen, {})
        sp = pg.obj.get("/StructParents")
        if sp is None:
            continue  # reported by check_pages
        arr = parents.get(int(sp))
        if not claims and arr is None:
            continue
        if not isinstance(arr, pikepdf.Array):
            fails.append(f"page {i}: ParentTree has no array for /StructParents {int(sp)}")
            continue
        wrong, missing, doubled, orphans = 0, 0, 0, 0
        for mcid, owners in claims.items():
            if len(owners) > 1:
                doubled += 1  # two elements claiming one piece of content
            if mcid >= len(arr) or not isinstance(arr[mcid], pikepdf.Dictionary):
                missing += 1
            elif obj_key(arr[mcid]) not in owners:
                wrong += 1
        for mcid, entry in enumerate(arr):
            if isinstance(entry, pikepdf.Dictionary) and mcid not in claims:
                orphans += 1  # the ParentTree names an element whose /K does not list this MCID
        for n, what in (
            (missing, "MCID(s) claimed by an element but absent from the ParentTree"),
            (wrong, "ParentTree entries naming a different element than the one claiming the MCID"),
            (doubled, "MCID(s) claimed by more than one element"),
            (orphans, "ParentTree entries whose element does not claim that MCID"),
        ):
            if n:
                fails.append(f"page {i}: {n} {what}")
    return fails


# --------------------------------------------------------------------------------------------
# Font widths (PDF/A-3 6.2.11.5, PDF/UA-1 7.21.5): /W must agree with the embedded program
# --------------------------------------------------------------------------------------------


def _cid_widths_in_w(w_array) -> dict:
    """A CIDFont's /W array as {cid: width}."""
    out = {}
    items = list(w_array)
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            for k, width in enumerate(nxt):
                out[first + k] = float(width)
            i += 2
        else:
            last, width = int(nxt), float(items[i + 2])
            for cid in range(first, last + 1):
                out[cid] = width
            i += 3
    return out


def _program_widths(cid_font) -> dict:
    """{gid: advance in 1/1000 em} read from the embedded font program with fontTools: hmtx of a
    TrueType program; for a bare CFF, each charstring's width operand or its Font DICT's
    defaultWidthX (a CID-keyed CFF has one Private DICT per FDArray entry)."""
    fd = cid_font.FontDescriptor
    if "/FontFile2" in fd:
        tt = TTFont(io.BytesIO(fd.FontFile2.read_bytes()))
        upem = tt["head"].unitsPerEm
        order = tt.getGlyphOrder()
        return {gid: tt["hmtx"][name][0] * 1000 / upem for gid, name in enumerate(order)}
    data = fd.FontFile3.read_bytes()
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    top = cff[cff.fontNames[0]]
    scale = 1000 * (top.FontMatrix[0] if hasattr(top, "FontMatrix") else 0.001)
    out = {}
    for gid, name in enumerate(top.charset):
        cs = top.CharStrings[name]
        # fontTools works the width out of the charstring (operand + nominalWidthX, or
        # defaultWidthX) while it draws it.
        cs.draw(NullPen())
        out[gid] = cs.width * scale
    return out


def check_font_widths(doc):
    """Every CID drawn through /W has the advance its embedded program gives it (±1/1000 em)."""
    fails = []
    for obj in doc.pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != pikepdf.Name.Font:
            continue
        if obj.get("/Subtype") not in (pikepdf.Name.CIDFontType0, pikepdf.Name.CIDFontType2):
            continue
        # Our CID fonts are Identity: CID = glyph id in the subset program.
        program = _program_widths(obj)
        for cid, width in _cid_widths_in_w(obj.get("/W", pikepdf.Array())).items():
            if cid not in program:
                fails.append(f"{obj.get('/BaseFont')}: /W names CID {cid}, not in the program")
            elif abs(program[cid] - width) > 1.0:
                fails.append(
                    f"{obj.get('/BaseFont')}: CID {cid} is {width} in /W, "
                    f"{program[cid]:.1f} in the font program"
                )
    return fails


# --------------------------------------------------------------------------------------------
# External validators
# --------------------------------------------------------------------------------------------


def check_pdfua_cli(doc):
    """pdfua's own subset of PDF/UA-1; exit code 3 means ERROR findings."""
    # The venv's scripts sit next to its python; do not resolve the symlink, that would leave it.
    exe = Path(sys.executable).parent / "pdfua"
    if not exe.exists():
        return [f"pdfua not found at {exe}"]
    proc = subprocess.run(
        [str(exe), "check", "--format", "json", doc.path], capture_output=True, text=True
    )
    if proc.returncode == 3:
        try:
            findings = json.loads(proc.stdout)["findings"]
            return [
                f"{f['rule_id']} {f.get('location', '')}: {f['message']}"
                for f in findings
                if f.get("severity") == "error"
            ] or ["pdfua exited 3 (ERROR) without listing an error"]
        except (ValueError, KeyError):
            return ["pdfua exited 3 (ERROR): " + proc.stdout.strip().replace("\n", " | ")[:500]]
    if proc.returncode >= 4:
        return [f"pdfua exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[:300]}"]
    return []


# page-validation 0.11.0 reads the width of a glyph in a CID-keyed bare CFF program as 0 when it
# comes from the defaultWidthX of the glyph's own Font DICT (FDArray) rather than from the top
# Private DICT, which such a font does not have: it then reports every such glyph of our Noto CJK
# fallback subsets. check_font_widths reads the same programs with fontTools (FDSelect, FDArray)
# and compares every /W entry; these two rules are set aside only for CIDFontType0C programs,
# only when that check found nothing.
CFF_WIDTH_RULES = {"PDFUA1-FONT-GLYPH-WIDTH-001", "PDFA3A-TRUETYPE-GLYPH-WIDTH-001"}


def _is_bare_cff_font(pdf, object_id) -> bool:
    if object_id is None:
        return False
    try:
        obj = pdf.get_object(object_id.object_number, object_id.generation)
        # The report names the Type 0 font or its descendant CIDFont.
        if obj.get("/Subtype") == pikepdf.Name.Type0:
            obj = obj.DescendantFonts[0]
        return obj.FontDescriptor.FontFile3.get("/Subtype") == pikepdf.Name.CIDFontType0C
    except (AttributeError, KeyError, ValueError, TypeError, IndexError):
        return False


def page_validation(profile: str):
    def check(doc):
        try:
            report = page.validate_pdf(doc.path, profile=profile)
        except page.PageError as e:
            return [f"page-validation could not check the file: {e}"]
        if report.is_compliant:
            return []
        widths_ok = not check_font_widths(doc)
        failures = [
            f
            for f in report.failures
            if not (
                widths_ok
                and f.rule_id in CFF_WIDTH_RULES
                and _is_bare_cff_font(doc.pdf, f.object_id)
            )
        ]
        # One line per rule: a rule failing on every page would otherwise drown the rest.
        by_rule = {}
        for f in failures:
            first, n = by_rule.get(f.rule_id, (f.message, 0))
            by_rule[f.rule_id] = (first, n + 1)
        if not failures and report.failures:
            return []
        return [
            f"{rule} ({n}x): {msg}" if n > 1 else f"{rule}: {msg}"
            for rule, (msg, n) in sorted(by_rule.items())
        ] or ["not compliant, but no failure listed"]

    check.__doc__ = f"page-validation, profile {profile}"
    return check


# (label printed on each failure line, function)
CHECKS = [
    ("catalog", check_catalog_flags),
    ("output-intent", check_output_intent),
    ("attachments", check_attachments),
    ("pages", check_pages),
    ("xmp", check_xmp),
    ("struct-types", check_structure_types),
    ("headings", check_headings),
    ("tables", check_tables),
    ("figures", check_figures),
    ("content", check_content_coverage),
    ("parent-tree", check_parent_tree),
    ("font-widths", check_font_widths),
    ("pdfua", check_pdfua_cli),
    ("page-ua1", page_validation("ua1")),
    ("page-3a", page_validation("3a")),
]


class Doc:
    """What every check gets: the open PDF, its path (for the tools that reopen it), the expected
    language, and the structure tree walked once."""

    def __init__(self, pdf: pikepdf.Pdf, path: str, lang: str | None):
        self.pdf = pdf
        self.path = path
        self.lang = lang
        self.tree = StructTree(pdf)


def check_file(path: str, lang: str | None) -> list[str]:
    """All checks on one file, as printable failure lines."""
    try:
        pdf = pikepdf.open(path)
    except Exception as e:
        return [f"{path}: [open] cannot open as PDF: {e}"]
    lines = []
    with pdf:
        try:
            doc = Doc(pdf, path, lang)
        except Exception as e:
            return [f"{path}: [struct-tree] cannot walk the structure tree: {e!r}"]
        for label, check in CHECKS:
            try:
                fails = check(doc)
            except Exception as e:
                # A malformed object must fail the file, not crash the run for the other files.
                fails = [f"checker error: {e!r}"]
            lines += [f"{path}: [{label}] {f}" for f in fails]
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", choices=sorted(LANG_TAGS), help="expected document language")
    ap.add_argument("files", nargs="+", metavar="FILE.pdf")
    args = ap.parse_args(argv)
    failed = 0
    for path in args.files:
        lines = check_file(path, args.lang)
        for line in lines:
            print(line)
        if lines:
            failed += 1
        else:
            print(f"{path}: all checks pass")
    # Not the "N passed, N failed" form on purpose: CI reads that form as a test runner's summary.
    print(f"check_tagged: {len(args.files) - failed} of {len(args.files)} file(s) pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
