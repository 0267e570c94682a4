import { mount } from "svelte";
import "./styles/app.css";
import App from "./App.svelte";

async function start(): Promise<void> {
  // `vite --mode mock`: an in-memory stand-in for the Rust side, for work in a plain browser.
  // In a production build this branch (and the mock's code) is dropped.
  if (import.meta.env.MODE === "mock") {
    const mock = await import("./mock/install");
    mock.install();
  }
  const target = document.getElementById("app");
  if (target) mount(App, { target });
}

void start();
