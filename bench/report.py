#!/usr/bin/env python3
"""Print the bench table from the files run_peers.sh and run.sh left in OUT.

Usage: python3 bench/report.py OUT
Reads OUT/<name>.bench.json (peers/bench_cmd.py), .text.json (check_text.py), .pages,
.tounicode.json and the PDFs; prints one row per exporter, then each peer against `ours`
(the same content): peer / ours for wall time, CPU, memory and PDF size.
"""
import json
import os
import sys

out = sys.argv[1]
ORDER = ["ours", "ours-full", "ours-baseline", "typst", "typst-ua", "libreoffice", "chromium"]
PDF = {"libreoffice": "dialogue_record.pdf"}
LABEL = {
    "ours": "ours (taiwa export, peer content)",
    "ours-full": "ours, own full sample (1.4x text)",
    "ours-baseline": "ours, baseline build (same content)",
    "typst": "Typst (PyPI, python -c)",
    "typst-ua": "Typst, pdf_standards ua-1 + a-3a",
    "libreoffice": "LibreOffice --convert-to pdf",
    "chromium": "Chromium --print-to-pdf",
}


def load(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f) if path.endswith(".json") else f.read().strip()
    except (OSError, ValueError):
        return default


rows = {}
for name in ORDER:
    b = load(os.path.join(out, name + ".bench.json"))
    if not b:
        continue
    pdf = os.path.join(out, PDF.get(name, name + ".pdf"))
    t = load(os.path.join(out, name + ".text.json"), {})
    tu = load(os.path.join(out, name + ".tounicode.json"), {})
    rows[name] = dict(b, size=os.path.getsize(pdf) if os.path.exists(pdf) else 0,
                      pages=load(os.path.join(out, name + ".pages"), "?"),
                      radicals=tu.get("radical_mappings", "-") if tu else "-", text=t)

hdr = (f"{'exporter':36} {'median s':>8} {'min s':>6} {'max s':>6} {'CPU s':>6} {'RSS MiB':>7} "
       f"{'PSS tree':>8} {'PDF bytes':>9} {'pages':>5} {'radicals':>8}  text round-trip (check_text.py)")
print(hdr)
print("-" * len(hdr))
for name, r in rows.items():
    t = r["text"]
    if t:
        rt = (f"{t['roundtrip']} (missing {t['chars_missing']}/{t['chars_expected']} chars,"
              f" paragraphs {t['paragraphs_found']}, cells {t['table_cells_found']}, U+20BB7 {t['u20bb7_found']})")
    else:
        rt = "n/a (other content)"
    if r.get("rc"):
        rt = f"EXIT CODE {r['rc']}; " + rt
    print(f"{LABEL[name]:36} {r['median_s']!s:>8} {r['min_s']!s:>6} {r['max_s']!s:>6} {r['cpu_median_s']!s:>6} "
          f"{r['max_single_rss_mib']:>7} {r['tree_pss_peak_mib'] or '-':>8} {r['size']:>9} {r['pages']:>5} "
          f"{r['radicals']!s:>8}  {rt}")

if any(not r["tree_pss_peak_mib"] for r in rows.values()):
    print("PSS tree '-': bench_cmd.py samples /proc every 10 ms and caught no live sample of this short"
          " process; RSS (getrusage, exact) is the figure to use for it")
if "ours" in rows:
    o = rows["ours"]
    ratio = lambda a, b: f"{a / b:.1f}x" if a and b else "?"
    print()
    print("each row / ours (same content): >1 means ours is faster, smaller or leaner")
    print(f"{'exporter':36} {'wall':>6} {'CPU':>6} {'RSS':>6} {'PSS':>6} {'bytes':>6}")
    for name, r in rows.items():
        if name == "ours":
            continue
        print(f"{LABEL[name]:36} {ratio(r['median_s'], o['median_s']):>6} {ratio(r['cpu_median_s'], o['cpu_median_s']):>6} "
              f"{ratio(r['max_single_rss_mib'], o['max_single_rss_mib']):>6} "
              f"{ratio(r['tree_pss_peak_mib'], o['tree_pss_peak_mib']):>6} {ratio(r['size'], o['size']):>6}")
    print("(RSS: biggest single process; PSS: the whole process tree, so Chromium's many processes count)")
