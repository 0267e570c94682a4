// Typed calls to the Rust commands (the IPC contract). Arguments are snake_case as the commands
// declare them; a failed command rejects with an IpcError, which `asIpcError` makes sure of.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { Source } from "../bindings/Source";
import type { AppStatus } from "../bindings/AppStatus";
import type { BackupStatus } from "../bindings/BackupStatus";
import type { CaseFilter } from "../bindings/CaseFilter";
import type { CaseSummary } from "../bindings/CaseSummary";
import type { CasesPage } from "../bindings/CasesPage";
import type { CaseView } from "../bindings/CaseView";
import type { Check } from "../bindings/Check";
import type { ConsentRow } from "../bindings/ConsentRow";
import type { DeletionOutcome } from "../bindings/DeletionOutcome";
import type { DeletionPreview } from "../bindings/DeletionPreview";
import type { DeletionReason } from "../bindings/DeletionReason";
import type { Disclosure } from "../bindings/Disclosure";
import type { DisclosurePreview } from "../bindings/DisclosurePreview";
import type { Editing } from "../bindings/Editing";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ExportPreview } from "../bindings/ExportPreview";
import type { ExportRequest } from "../bindings/ExportRequest";
import type { ExportResult } from "../bindings/ExportResult";
import type { IpcError } from "../bindings/IpcError";
import type { Lang } from "../bindings/Lang";
import type { NewCase } from "../bindings/NewCase";
import type { NewConsent } from "../bindings/NewConsent";
import type { PurgeOutcome } from "../bindings/PurgeOutcome";
import type { RecordJson } from "../bindings/RecordJson";
import type { RestoreOutcome } from "../bindings/RestoreOutcome";
import type { RetentionStatus } from "../bindings/RetentionStatus";
import type { RouteDiagram } from "../bindings/RouteDiagram";
import type { RouteMapCatalogue } from "../bindings/RouteMapCatalogue";
import type { SaveResult } from "../bindings/SaveResult";
import type { Settings } from "../bindings/Settings";
import type { Strength } from "../bindings/Strength";
import type { TemplateInfo } from "../bindings/TemplateInfo";
import type { Template } from "./template";

/** Error codes the UI reacts to (besides showing the message). `ErrorCode` is every code Rust can
 * send (generated from the source), so a code that does not exist fails the type check. */
export const CODES = {
  wrongPassphrase: "store.wrong_passphrase",
  weakPassphrase: "session.weak_passphrase",
  exists: "session.exists",
  /** What a command answers when the session is locked. */
  locked: "session.locked",
  /** The database file was deleted or moved; Rust wrote it back and closed the session. */
  fileGone: "store.file_gone",
  /** The database file is damaged: a backup can be restored. */
  damaged: "store.damaged",
  /** The database's WAL is damaged (a copy is kept beside it): a backup can be restored. */
  walDamaged: "store.wal_damaged",
} as const satisfies Record<string, ErrorCode>;

export function isIpcError(e: unknown): e is IpcError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as IpcError).code === "string" &&
    typeof (e as IpcError).ja === "string" &&
    typeof (e as IpcError).en === "string"
  );
}

/** Any rejection as an IpcError (Tauri itself rejects with a plain string, e.g. for a denied command). */
export function asIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return e;
  const detail = typeof e === "string" ? e : e instanceof Error ? e.message : "";
  return {
    code: "ui.unexpected",
    ja: detail ? `予期しないエラーが発生しました(${detail})` : "予期しないエラーが発生しました。",
    en: detail ? `Something went wrong (${detail})` : "Something went wrong.",
    field: null,
    field_message: null,
    detail: null,
  };
}

/** Whether the page runs inside Tauri (or the mock that stands in for it). */
export function hasIpc(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    const err = asIpcError(e);
    for (const h of errorHooks) h(err);
    throw err;
  }
}

const errorHooks = new Set<(e: IpcError) => void>();

/** Every failed command passes through `hook` (the app uses it to notice a locked session). */
export function onIpcError(hook: (e: IpcError) => void): () => void {
  errorHooks.add(hook);
  return () => errorHooks.delete(hook);
}

export const api = {
  appStatus: () => call<AppStatus>("app_status"),
  settingsSet: (settings: Settings) => call<Settings>("settings_set", { settings }),
  backupStatus: () => call<BackupStatus>("backup_status"),
  backupNow: () => call<BackupStatus>("backup_now"),
  backupRestore: (path: string, passphrase: string) =>
    call<RestoreOutcome>("backup_restore", { path, passphrase }),
  passphraseStrength: (passphrase: string) => call<Strength>("passphrase_strength", { passphrase }),
  sessionCreate: (passphrase: string) => call<AppStatus>("session_create", { passphrase }),
  sessionUnlock: (passphrase: string) => call<AppStatus>("session_unlock", { passphrase }),
  sessionLock: () => call<AppStatus>("session_lock"),
  sessionTouch: () => call<void>("session_touch"),
  templatesList: () => call<TemplateInfo[]>("templates_list"),
  templateGet: (id: string, version: number | null = null) => call<Template>("template_get", { id, version }),
  casesList: (filter: CaseFilter, limit: number) => call<CasesPage>("cases_list", { filter, limit }),
  caseCreate: (c: NewCase) => call<CaseSummary>("case_create", { case: c }),
  caseGet: (id: string) => call<CaseView>("case_get", { id }),
  caseClose: (id: string) => call<CaseSummary>("case_close", { id }),
  caseDeletePreview: (id: string) => call<DeletionPreview>("case_delete_preview", { id }),
  caseDelete: (id: string, reason: DeletionReason) =>
    call<DeletionOutcome>("case_delete", { id, reason }),
  retentionGet: () => call<RetentionStatus>("retention_get"),
  retentionSet: (years: number) => call<RetentionStatus>("retention_set", { years }),
  retentionPurge: () => call<PurgeOutcome>("retention_purge"),
  /** `route` (R1 … R8) and `region` (an option key of the route map's `region` field) start a route
   * map from a standard route; both null otherwise. */
  documentCreate: (case_id: string, template: string, route?: string | null, region?: string | null) =>
    call<Editing>("document_create", { case_id, template, route: route || null, region: region || null }),
  documentOpen: (id: string) => call<Editing>("document_open", { id }),
  documentAutosave: (id: string, record: RecordJson) => call<string>("document_autosave", { id, record }),
  documentCheck: (record: RecordJson, final: boolean) => call<Check>("document_check", { record, final }),
  documentSave: (id: string, record: RecordJson) => call<SaveResult>("document_save", { id, record }),
  documentFinalize: (id: string, record: RecordJson) => call<SaveResult>("document_finalize", { id, record }),
  documentRevise: (id: string) => call<Editing>("document_revise", { id }),
  exportPreview: (request: ExportRequest) => call<ExportPreview>("export_preview", { request }),
  /** Field by field what the copy for `request.recipient` holds and why; null without a recipient.
   * Rejects (code `consent.refused`, saying why) when no valid consent of that recipient holds. */
  exportRecipientPreview: (request: ExportRequest) =>
    call<DisclosurePreview | null>("export_recipient_preview", { request }),
  /** The person's own copy (recipient null) or a recipient's copy; either way logged as a disclosure. */
  exportSave: (request: ExportRequest) => call<ExportResult>("export_save", { request }),
  exportOpen: (path: string) => call<void>("export_open", { path }),
  /** The 見本 PDF of a form (its built-in fictional record), saved where the user chooses (path
   * null: the dialog was closed); not logged: it is no one's record. */
  samplePdfSave: (template: string, lang: Lang) => call<ExportResult>("sample_pdf_save", { template, lang }),
  consentsList: (document_id: string) => call<ConsentRow[]>("consents_list", { document_id }),
  consentAdd: (document_id: string, consent: NewConsent) => call<ConsentRow>("consent_add", { document_id, consent }),
  /** Withdrawn as of today; the consent stays in the ledger. */
  consentWithdraw: (id: string) => call<ConsentRow>("consent_withdraw", { id }),
  disclosuresList: (case_id: string) => call<Disclosure[]>("disclosures_list", { case_id }),
  /** The case's 提供記録 as a PDF, saved where the user chooses (path null: the dialog was closed). */
  disclosuresPdf: (case_id: string, lang: Lang) => call<ExportResult>("disclosures_pdf", { case_id, lang }),
  sourcesGet: (ids: string[]) => call<Source[]>("sources_get", { ids }),
  routemapCatalogue: () => call<RouteMapCatalogue>("routemap_catalogue"),
  /** The live diagram of a route map's working copy; `title` is the picture's text alternative. */
  routemapDiagram: (record: RecordJson, title: string) => call<RouteDiagram>("routemap_diagram", { record, title }),
};

/** Rust locked the session after the idle time (payload null). */
export function onSessionLocked(handler: () => void): Promise<UnlistenFn> {
  return listen<null>("session-locked", () => handler());
}

/** Rust's warning before the idle lock, with the seconds left. */
export function onIdleWarning(handler: (secondsLeft: number) => void): Promise<UnlistenFn> {
  return listen<number>("session-idle-warning", (e) => handler(e.payload));
}
