// The editor's shared state, handed to every field component through Svelte context.
import { getContext, setContext } from "svelte";
import type { Check } from "../bindings/Check";
import type { DocumentSummary } from "../bindings/DocumentSummary";
import type { Problem } from "../bindings/Problem";
import type { RecordJson } from "../bindings/RecordJson";
import { isRequired, resolveProblemPath } from "../lib/paths";
import type { Template } from "../lib/template";

export class EditorState {
  readonly template: Template;
  readonly docId: string;
  readonly caseId: string;
  record: RecordJson = $state() as RecordJson;
  check: Check = $state() as Check;
  headSeq = $state(0);
  /** Show conditional fields even when their condition does not hold. */
  showAll = $state(false);
  /** The field that has focus, kept visible while it is being edited. */
  focusPath: string | null = $state(null);
  /** Documents of the case, offered for `ref` fields. */
  caseDocs: DocumentSummary[] = $state([]);
  /** A polite message for screen readers (row added, moved, removed). */
  announcement = $state("");

  readonly = $derived(this.record.status !== "draft");
  required = $derived(new Set(this.check.required));
  /** Fields not on the form as the record's values choose it (Rust's `shown_when`). */
  hidden = $derived(new Set(this.check.hidden));
  /** Problems by the rendered place they belong to; `unplaced` names no field of the form. */
  placed = $derived.by(() => {
    const byPath = new Map<string, Problem[]>();
    const unplaced: Problem[] = [];
    for (const p of this.check.problems) {
      const at = resolveProblemPath(this.template, p.path);
      if (at === null) {
        unplaced.push(p);
        continue;
      }
      const list = byPath.get(at);
      if (list) list.push(p);
      else byPath.set(at, [p]);
    }
    return { byPath, unplaced };
  });

  /** Bumped when the consent ledger changed (the ledger's table reloads). */
  ledgerVersion = $state(0);
  /** Opens the consents panel (the ledger). */
  openConsents: () => void = () => {};

  /** Called after every edit (schedules the check and the autosave). */
  changed: () => void = () => {};

  constructor(template: Template, docId: string, caseId: string, record: RecordJson, check: Check, headSeq: number) {
    this.template = template;
    this.docId = docId;
    this.caseId = caseId;
    this.record = record;
    this.check = check;
    this.headSeq = headSeq;
  }

  problemsAt(path: string): Problem[] {
    return this.placed.byPath.get(path) ?? [];
  }

  isRequired(path: string): boolean {
    return isRequired(this.required, path);
  }

  announce(msg: string): void {
    // Re-set so that the same words are announced again.
    this.announcement = "";
    queueMicrotask(() => (this.announcement = msg));
  }
}

const KEY = Symbol("editor");

export function setEditor(ed: EditorState): void {
  setContext(KEY, ed);
}

export function getEditor(): EditorState {
  return getContext<EditorState>(KEY);
}
