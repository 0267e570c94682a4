// Where a form stands, section by section, for the meeting mode's task list. Rust judges every
// value: `check.problems` (what the current check refuses) and `check.to_finalize` (what 確定
// would still refuse: required fields left empty and the like). This module only sorts those paths
// into sections and names the state, so the counts change as the worker types.
import type { Check } from "../bindings/Check";
import { normPath } from "../lib/paths";
import { hasValue, type Field, type Template } from "../lib/template";

/**
 * - `not_started`: nothing typed in the section yet;
 * - `in_progress`: something typed, `left` fields still needed before 確定;
 * - `check`: values Rust refuses (a bad date, or after a failed 確定 every gap): `issues` of them;
 * - `done`: nothing refused and nothing left.
 */
export type SectionState = "not_started" | "in_progress" | "check" | "done";

export interface SectionProgress {
  key: string;
  state: SectionState;
  /** Paths 確定 still needs in this section (required and empty, boxes to tick). */
  left: number;
  /** Paths with a problem now. */
  issues: number;
}

/** The top-level key of a problem path (`participants[2].name` → `participants`). */
function topKey(path: string): string {
  return normPath(path).split(".")[0] ?? "";
}

/** Fields the worker fills (auto fields are the store's, notices carry no value). */
function typed(f: Field): boolean {
  return !f.auto && f.type !== "notice";
}

export function sectionProgress(template: Template, fields: Record<string, unknown>, check: Check): SectionProgress[] {
  const sectionOf = new Map<string, string>();
  for (const s of template.sections) for (const f of s.fields) sectionOf.set(f.key, s.key);
  const count = (paths: Iterable<string>): Map<string, number> => {
    const bySection = new Map<string, Set<string>>();
    for (const p of paths) {
      const s = sectionOf.get(topKey(p));
      if (s === undefined) continue;
      let set = bySection.get(s);
      if (!set) bySection.set(s, (set = new Set()));
      set.add(normPath(p));
    }
    return new Map([...bySection].map(([k, v]) => [k, v.size]));
  };
  const issues = count(check.problems.map((p) => p.path));
  const left = count(check.to_finalize);
  return template.sections.map((s) => {
    const started = s.fields.some((f) => typed(f) && hasValue(fields[f.key]));
    const n = issues.get(s.key) ?? 0;
    const l = left.get(s.key) ?? 0;
    const state: SectionState = n > 0 ? "check" : !started ? "not_started" : l > 0 ? "in_progress" : "done";
    return { key: s.key, state, left: l, issues: n };
  });
}

/** Everything 確定 still needs, over all sections. */
export function totalLeft(progress: readonly SectionProgress[]): number {
  return progress.reduce((n, p) => n + p.left + p.issues, 0);
}
