import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The app runs offline inside Tauri with a strict CSP (no inline script or style): Vite's default
// output (one module script, CSS as files, no inline code) fits it. `--mode mock` swaps the Tauri IPC
// for an in-memory fake so the UI can be worked on in a plain browser (it answers from the fixtures
// Rust writes to src/generated/fixtures); production builds drop it.
export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
  base: "./",
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: "localhost",
  },
  build: {
    outDir: mode === "mock" ? "dist-mock" : "dist",
    emptyOutDir: true,
    target: "es2022",
    cssCodeSplit: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
}));
