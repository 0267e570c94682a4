// Placeholder screen until the Svelte UI lands: proves the window reaches the core over IPC.
const { invoke } = window.__TAURI__.core;

async function show() {
  const list = document.getElementById("templates");
  try {
    const info = await invoke("app_info");
    list.replaceChildren(...info.templates.map((t) => {
      const li = document.createElement("li");
      li.textContent = `${t.titleJa} / ${t.titleEn} (${t.id}, v${t.version})`;
      li.dataset.template = t.id;
      return li;
    }));
    document.getElementById("version").textContent = `Taiwa ${info.version}`;
  } catch (e) {
    list.replaceChildren(Object.assign(document.createElement("li"), { textContent: `エラー / error: ${e}` }));
  }
}
show();
