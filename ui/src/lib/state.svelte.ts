// App-wide state: the phase (setup, unlock, ready), settings, the current screen, and caches that
// are dropped whenever the session locks.
import type { AppStatus } from "../bindings/AppStatus";
import type { Editing } from "../bindings/Editing";
import type { Era } from "../bindings/Era";
import type { IpcError } from "../bindings/IpcError";
import type { Lang } from "../bindings/Lang";
import type { RouteMapCatalogue } from "../bindings/RouteMapCatalogue";
import type { Settings } from "../bindings/Settings";
import type { Text } from "../bindings/Text";
import type { TemplateInfo } from "../bindings/TemplateInfo";
import { pick, translate, type MessageKey } from "./i18n";
import { api } from "./ipc";
import type { Template } from "./template";

export type Phase = "loading" | "no_ipc" | "error" | "setup" | "unlock" | "ready";

export type Route =
  | { name: "cases" }
  | { name: "case"; id: string }
  | { name: "doc"; id: string }
  | { name: "export"; id: string }
  | { name: "settings" };

export const app = $state({
  phase: "loading" as Phase,
  lang: "ja" as Lang,
  era: "seireki" as Era,
  settings: null as Settings | null,
  status: null as AppStatus | null,
  /** Set when Rust locked the session for inactivity, to say so on the unlock screen. */
  lockedByIdle: false,
  /** Why Rust closed the session, when it says (the database file went away and was written back). */
  lockNotice: null as IpcError | null,
  startError: null as IpcError | null,
  templates: [] as TemplateInfo[],
  route: { name: "cases" } as Route,
  /** A one-time message for the next screen (a case was deleted): shown once, then cleared. */
  flash: null as string | null,
});

/** A UI string in the current language. Reads `app.lang`, so markup using it follows a switch. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(app.lang, key, params);
}

/** A {ja, en} text from Rust in the current language. */
export function loc(text: Text | null | undefined): string {
  return pick(text, app.lang);
}

/** An error's first line: what happened and what to do (never a file path when Rust has a
 * `detail` for it). */
export function errText(e: IpcError | null | undefined): string {
  if (!e) return "";
  return app.lang === "en" ? e.en || e.ja : e.ja;
}

/** The rest of an error, for behind 「詳しく」 (paths, causes, commands); "" when there is none. */
export function errDetail(e: IpcError | null | undefined): string {
  if (!e?.detail) return "";
  return pick(e.detail, app.lang);
}

export function templateTitle(id: string): string {
  const info = app.templates.find((x) => x.id === id);
  return info ? loc(info.title) : id;
}

export function applySettings(s: Settings): void {
  app.settings = s;
  app.lang = s.lang;
  app.era = s.era;
  document.documentElement.lang = s.lang;
}

export function applyStatus(s: AppStatus): void {
  app.status = s;
  applySettings(s.settings);
  app.phase = !s.db_exists ? "setup" : s.unlocked ? "ready" : "unlock";
}

// ---- routing (location.hash) --------------------------------------------------------------------

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [a, b, c] = parts;
  if (a === "case" && b) return { name: "case", id: b };
  if (a === "doc" && b && c === "export") return { name: "export", id: b };
  if (a === "doc" && b) return { name: "doc", id: b };
  if (a === "settings") return { name: "settings" };
  return { name: "cases" };
}

export function href(r: Route): string {
  switch (r.name) {
    case "cases":
      return "#/";
    case "case":
      return `#/case/${encodeURIComponent(r.id)}`;
    case "doc":
      return `#/doc/${encodeURIComponent(r.id)}`;
    case "export":
      return `#/doc/${encodeURIComponent(r.id)}/export`;
    case "settings":
      return "#/settings";
  }
}

export function navigate(r: Route): void {
  const h = href(r);
  if (location.hash !== h) location.hash = h;
  else app.route = r;
}

// ---- caches dropped on lock ---------------------------------------------------------------------

const templateCache = new Map<string, Promise<Template>>();

/** A form's definition: the newest, or the version a document was made under. */
export function loadTemplate(id: string, version: number | null = null): Promise<Template> {
  const key = version === null ? id : `${id}@${version}`;
  let p = templateCache.get(key);
  if (!p) {
    p = api.templateGet(id, version);
    p.catch(() => templateCache.delete(key));
    templateCache.set(key, p);
  }
  return p;
}

let catalogueCache: Promise<RouteMapCatalogue> | null = null;

/** The route map's standard routes and agency catalogue (asked once, kept until the session locks). */
export function loadRouteCatalogue(): Promise<RouteMapCatalogue> {
  if (!catalogueCache) {
    const p = api.routemapCatalogue();
    p.catch(() => {
      if (catalogueCache === p) catalogueCache = null;
    });
    catalogueCache = p;
  }
  return catalogueCache;
}

/** The case list's search and filters, kept while moving between screens. */
export const caseListMemory = {
  text: "",
  status: "" as "" | "open" | "closed",
  template: "",
  reviewDue: false,
  /** How many cases the list showed (pages opened with 「さらに表示」). */
  shown: 0,
  /** The case last opened from the list, to bring back into view and focus on return. */
  opened: "",
};

/** The Editing that `document_create` returned, handed to the editor that opens next. */
let handoff: Editing | null = null;

export function handOff(e: Editing): void {
  handoff = e;
}

export function takeHandoff(id: string): Editing | null {
  const e = handoff;
  handoff = null;
  return e && e.id === id ? e : null;
}

/** Work to finish before a deliberate lock (the editor saves its working copy). */
export const beforeLock = new Set<() => Promise<void>>();

/** Forget everything read from the database, and show the unlock screen. */
export function dropSession(byIdle: boolean, notice: IpcError | null = null): void {
  // Already on the unlock screen: a late "locked" answer must not replace the reason shown.
  if (app.phase === "unlock" && app.lockNotice !== null && notice === null) return;
  app.lockNotice = notice;
  templateCache.clear();
  catalogueCache = null;
  handoff = null;
  Object.assign(caseListMemory, { text: "", status: "", template: "", reviewDue: false, shown: 0, opened: "" });
  beforeLock.clear();
  app.templates = [];
  app.lockedByIdle = byIdle;
  app.route = { name: "cases" };
  if (location.hash && location.hash !== "#/") history.replaceState(null, "", "#/");
  if (app.phase === "ready") app.phase = "unlock";
}

/** After a screen replaced its loading heading, put focus back on the heading if it was lost. */
export function refocusHeading(): void {
  setTimeout(() => {
    const active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    document.querySelector<HTMLElement>("main h1")?.focus();
  }, 0);
}
