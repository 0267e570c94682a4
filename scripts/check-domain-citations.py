#!/usr/bin/env python3
"""Checks that the citations of the domain reference resolve inside the repository.

  python3 scripts/check-domain-citations.py

1. Every `domain.md §X` (and a bare `§X` on the same line, e.g. "(§4.3)") in the repository names a
   section of docs/domain.md: `## N.`, `### N.M`, and in §7 `### T1.` / `#### T1-A`.
2. No citation points outside the repository (`../shared/…domain…`) or at a bare `domain.md`
   (outside docs/, whose files may name their siblings).
3. The § references inside docs/domain.md resolve too.
4. Source ids: every `domain-S…` id in templates/sources.json is in the Sources list of
   docs/domain.md, every other id (but `taiwa` and `foreign-…`) in the Sources of
   docs/domain-review.md, and every code in a [review …] tag of docs/domain.md is a review source.
Exits 1 and names each file:line that fails.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOMAIN = os.path.join(ROOT, "docs", "domain.md")
REVIEW = os.path.join(ROOT, "docs", "domain-review.md")
SKIP_DIRS = {".git", "node_modules", "target", "dist"}
EXTS = (".rs", ".ts", ".svelte", ".md", ".json", ".toml", ".sh", ".py", ".html", ".txt")


def sections(text):
    """The section ids of docs/domain.md: '1', '1.3', '7', 'T1', 'T1-A' …"""
    ids = set()
    for line in text.splitlines():
        m = re.match(r"^#{2,4} (?:(\d+(?:\.\d+)*)\.?|(T\d(?:-[0-9A-G])?)\.?)\s", line)
        if m:
            ids.add(m.group(1) or m.group(2))
    return ids


def refs(line):
    """(section, sub-table) pairs a line cites with §: '§7 T1-A' → ('7', 'T1-A')."""
    return re.findall(r"§\s*(\d+(?:\.\d+)*)(?:\s+(T\d(?:-[0-9A-G])?)\b)?", line)


def check_ref(ids, sec, table):
    if sec not in ids:
        return f"§{sec} is not a section of docs/domain.md"
    if table:
        if sec != "7":
            return f"§{sec} {table}: the T tables are in §7"
        if table not in ids:
            return f"§7 {table} is not a table of docs/domain.md"
    return None


def main():
    domain = open(DOMAIN, encoding="utf-8").read()
    review = open(REVIEW, encoding="utf-8").read()
    ids = sections(domain)
    problems, cited = [], 0

    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            if not name.endswith(EXTS):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, ROOT)
            if rel in ("docs/domain.md", "docs/domain-review.md", "scripts/check-domain-citations.py"):
                continue
            try:
                lines = open(path, encoding="utf-8").read().splitlines()
            except UnicodeDecodeError:
                continue
            for n, line in enumerate(lines, 1):
                if re.search(r"shared/(notes/)?domain", line):
                    problems.append(f"{rel}:{n}: cites the shared notes, outside the repository")
                for m in re.finditer(r"(\S*)domain(-review)?\.md", line):
                    # Files in docs/ may name their siblings plainly.
                    if not m.group(1).endswith("docs/") and not rel.startswith("docs/"):
                        problems.append(f"{rel}:{n}: '{m.group(0)}' is not docs/domain{m.group(2) or ''}.md")
                if "domain.md" in line:
                    for sec, table in refs(line):
                        cited += 1
                        err = check_ref(ids, sec, table)
                        if err:
                            problems.append(f"{rel}:{n}: {err}")

    for n, line in enumerate(domain.splitlines(), 1):
        for sec, table in refs(line):
            err = check_ref(ids, sec, table)
            if err:
                problems.append(f"docs/domain.md:{n}: {err}")

    # Source ids.
    domain_src = set(re.findall(r"^- (S\d+[a-z]?)\b", domain, re.M))
    domain_src |= set(re.findall(r"; (S\d+[a-z]?) ", domain))  # several codes on one line (S25a ; S25b …)
    review_part = review[review.index("\n## Sources"):]
    review_src = set(re.findall(r"\[([A-Z]{1,2}\d?)\]", review_part))
    sources = json.load(open(os.path.join(ROOT, "templates", "sources.json"), encoding="utf-8"))
    for s in sources["sources"]:
        sid = s["id"]
        if sid == "taiwa":
            continue
        if sid.startswith(("domain-", "foreign-")):
            if sid.split("-", 1)[1] not in domain_src:
                problems.append(f"templates/sources.json: {sid} is not in the Sources of docs/domain.md")
        elif sid not in review_src:
            problems.append(f"templates/sources.json: {sid} is not in the Sources of docs/domain-review.md")
    for n, line in enumerate(domain.splitlines(), 1):
        for tag in re.findall(r"review(?: [A-Z]{1,2})?: ([^\]|;)]+)", line):
            for code in re.findall(r"\b([A-Z]{1,2}\d?)\b", tag):
                if code not in review_src and code not in ("C", "D", "NF", "NB", "UK", "US", "JAN", "TUC", "MHLW", "JEED"):
                    problems.append(f"docs/domain.md:{n}: review source [{code}] is not in docs/domain-review.md")

    print(f"docs/domain.md: {len(ids)} sections/tables; {cited} § citations outside it; "
          f"{len(domain_src)} domain sources, {len(review_src)} review sources")
    for p in problems:
        print("FAIL", p)
    if problems:
        sys.exit(1)
    print("ok: every citation resolves inside the repository")


if __name__ == "__main__":
    main()
