#!/usr/bin/env python3
"""Explain the text round-trip of OUR PDF against the peers' sample, string by string.

Usage: python3 bench/check_ours.py SAMPLE.json RECORD.json OURS.pdf [--json]

peers/check_text.py compares characters (a multiset) and whole paragraphs. For our PDF it
reports missing characters because our record holds the sample's *data* in a different
form (our own form wording, dates as 2026年12月1日, header values split into fields).
This script says which strings those characters come from:

  1. sample data (header values, record number, section bodies, consent statement, the 24
     table cells): found verbatim / found as our date format / found after removing the
     page header, footer and "(続き)" lines (a paragraph that crosses a page) / which
     parts are missing;
  2. sample form wording (title, subtitle, headings, header labels, check-box labels,
     consent heading, signature roles and blank dates): found or not (our form prints
     its own wording instead);
  3. our own record: every text value of RECORD.json found in the PDF (the real round-trip
     of our exporter; dates compared in our 西暦 format).
Whitespace (incl. U+3000, U+200B, NBSP) is ignored, like check_text.py. Needs pdftotext.
"""
import json
import re
import subprocess
import sys

WS = re.compile(r"[\s\u3000\u200b\u00a0\ufeff]+")


def norm(s):
    return WS.sub("", s)


def pdftext(pdf, mode=None):
    args = ["pdftotext", "-enc", "UTF-8"] + ([mode] if mode else []) + [pdf, "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def our_date(iso):
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def main():
    sample_path, record_path, pdf = sys.argv[1:4]
    as_json = "--json" in sys.argv
    doc = json.load(open(sample_path, encoding="utf-8"))
    rec = json.load(open(record_path, encoding="utf-8"))
    F, A = doc["fields"], doc["accommodations"]

    raw = [pdftext(pdf), pdftext(pdf, "-raw")]
    texts = [norm(t) for t in raw]
    # the same text without the running header/footer (lines that repeat on most pages,
    # digits aside) and the "(続き)" headings, so a paragraph that a page break cuts in two
    # reads as one again
    def strip_pages(t):
        pages = [pg.splitlines() for pg in t.split("\f") if pg.strip()]
        key = lambda line: re.sub(r"\d+", "#", norm(line))
        seen = {}
        for pg in pages:
            for k in {key(line) for line in pg if norm(line)}:
                seen[k] = seen.get(k, 0) + 1
        running = {k for k, n in seen.items() if len(pages) > 2 and n > len(pages) / 2}
        keep = [line for pg in pages for line in pg
                if key(line) not in running and not norm(line).endswith(("(続き)", "（続き）"))]
        return norm("\n".join(keep))
    joined = [strip_pages(t) for t in raw]
    found = lambda s: any(norm(s) in t for t in texts)
    found_joined = lambda s: any(norm(s) in t for t in joined)

    # 1. the sample's data
    data = [("header: " + k, v) for k, v in F["header"]] + [("record_no", F["record_no"])]
    data += [("body " + s["heading"], s["body"]) for s in F["sections"] + F["sections_after_table"]]
    data += [("consent statement", F["consent"]["statement"])]
    data += [(f"table row {i + 1} {k}", r[k]) for i, r in enumerate(A) for k in ("content", "owner", "start", "review")]
    rows = []
    for what, s in data:
        if found(s):
            how, missing = "verbatim", ""
        elif re.fullmatch(r"\d{4}/\d{2}/\d{2}", s) and found(our_date(s.replace("/", "-"))):
            how, missing = "as " + our_date(s.replace("/", "-")), ""
        elif found_joined(s):
            how, missing = "verbatim across a page break (page header/footer in between)", ""
        else:
            # which pieces are missing: split at the punctuation our mapping splits at
            parts = [p for p in re.split(r"[（）()／、\s\u3000]", s) if norm(p)]
            lost = [p for p in parts if not (found(p) or found_joined(p))]
            how = ("in parts; not printed: " + " | ".join(lost)) if lost else \
                "in parts (every part printed; the （）／、 between them is not)"
        rows.append({"what": what, "text": s[:40], "how": how})

    # 2. the sample's form wording
    wording = [("title", doc["title"]), ("subtitle", F["subtitle"])]
    wording += [("heading", s["heading"]) for s in F["sections"] + F["sections_after_table"]]
    wording += [("heading", F["table_heading"]), ("heading", F["checks_heading"]), ("heading", F["consent"]["heading"])]
    wording += [("header label", k) for k, _ in F["header"]]
    wording += [("check box " + ("■" if c["checked"] else "□"), c["label"]) for c in F["checks"]]
    wording += [("signature role", s["role"]) for s in F["consent"]["signatures"]]
    wording += [("signature date", s["date"]) for s in F["consent"]["signatures"]]
    wrows = [{"what": w, "text": s, "found": found(s), "chars": len(norm(s))} for w, s in wording]

    # 3. our own record
    def strings(o, path=""):
        if isinstance(o, str):
            yield path, o
        elif isinstance(o, dict):
            for k, v in o.items():
                yield from strings(v, f"{path}.{k}" if path else k)
        elif isinstance(o, list):
            for i, v in enumerate(o):
                yield from strings(v, f"{path}[{i}]")
    ours = []
    for path, s in strings(rec["fields"]):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            s2, kind = our_date(s), "date"
        elif re.fullmatch(r"[a-z0-9_]+", s):
            continue                                   # an option key: printed as its label
        else:
            s2, kind = s, "text"
        ok = found(s2)
        ok_joined = ok or found_joined(s2)
        ours.append({"path": path, "kind": kind, "found": ok, "found_across_page_break": ok_joined and not ok})

    res = {
        "sample_data_strings": len(rows),
        "sample_data_verbatim": sum(r["how"] == "verbatim" for r in rows),
        "sample_data_as_our_dates": sum(r["how"].startswith("as ") for r in rows),
        "sample_data_across_page_break": sum(r["how"].startswith("verbatim across") for r in rows),
        "sample_data_in_parts": [r for r in rows if r["how"].startswith("in parts")],
        "sample_wording_strings": len(wrows),
        "sample_wording_found": sum(w["found"] for w in wrows),
        "sample_wording_chars_not_found": sum(w["chars"] for w in wrows if not w["found"]),
        "our_record_strings": len(ours),
        "our_record_found": sum(o["found"] for o in ours),
        "our_record_across_page_break": [o["path"] for o in ours if o["found_across_page_break"]],
        "our_record_missing": [o["path"] for o in ours if not o["found"] and not o["found_across_page_break"]],
    }
    if as_json:
        res["sample_data"] = rows
        res["sample_wording"] = wrows
        print(json.dumps(res, ensure_ascii=False))
        return
    print(f"our record's own text: {res['our_record_found']}/{res['our_record_strings']} strings verbatim"
          f" (dates as 2026年12月1日); across a page break: {', '.join(res['our_record_across_page_break']) or '-'};"
          f" missing: {', '.join(res['our_record_missing']) or 'none'}")
    print(f"peer sample data: {res['sample_data_strings']} strings: {res['sample_data_verbatim']} verbatim,"
          f" {res['sample_data_as_our_dates']} dates as 2026年12月1日, {res['sample_data_across_page_break']}"
          f" verbatim across a page break, {len(res['sample_data_in_parts'])} in parts:")
    for r in res["sample_data_in_parts"]:
        print(f"  - {r['what']}: {r['how']}")
    print(f"peer sample form wording: {res['sample_wording_found']}/{res['sample_wording_strings']} strings found"
          f" ({res['sample_wording_chars_not_found']} characters not printed; our form prints its own wording)")


if __name__ == "__main__":
    main()
