// `vite --mode mock`: route every invoke to the in-memory backend and mock Tauri's events.
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { handle, MOCK_PASSPHRASE, setIdleLockHandler } from "./backend";

export function install(): void {
  mockIPC((cmd, args) => handle(cmd, (args ?? {}) as Record<string, unknown>), { shouldMockEvents: true });
  setIdleLockHandler(
    () => void emit("session-locked", null),
    (left) => void emit("session-idle-warning", left),
  );
  console.info(`[taiwa mock] passphrase: ${MOCK_PASSPHRASE}  (?fresh = first run, ?unlocked = start unlocked, ?idle=0.2 = lock after 12 s)`);
}
