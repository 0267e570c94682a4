// Settings change at once in the UI and are then saved by Rust (settings_set answers what it kept).
import type { IpcError } from "../bindings/IpcError";
import type { Settings } from "../bindings/Settings";
import { api } from "./ipc";
import { app, applySettings } from "./state.svelte";

export async function saveSettings(change: Partial<Settings>): Promise<IpcError | null> {
  const before = app.settings;
  if (!before) return null;
  const next: Settings = { ...before, ...change };
  applySettings(next);
  try {
    applySettings(await api.settingsSet(next));
    return null;
  } catch (e) {
    // Keep the language the user chose on screen even if it could not be stored (e.g. while locked).
    return e as IpcError;
  }
}
