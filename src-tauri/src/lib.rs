//! The desktop shell: a thin, typed command layer over the `taiwa` core. It holds no domain logic.

use serde::Serialize;

/// What the window shows before anything is unlocked: enough to prove the shell reaches the core.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    templates: Vec<TemplateInfo>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInfo {
    id: String,
    version: u32,
    title_ja: String,
    title_en: String,
}

#[tauri::command]
async fn app_info() -> AppInfo {
    let templates = taiwa::template::Registry::builtin()
        .templates()
        .map(|t| TemplateInfo {
            id: t.id.clone(),
            version: t.version,
            title_ja: t.title.ja.clone(),
            title_en: t.title.en.clone(),
        })
        .collect();
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        templates,
    }
}

/// Shared by `run()` and the IPC tests so both see the same handler list.
pub fn builder<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![app_info])
}

pub fn run() {
    // A broken built-in template must stop the app at start-up with the file and field named.
    if let Err(err) = taiwa::template::Registry::try_builtin() {
        eprintln!("{err}");
        std::process::exit(2);
    }
    if let Err(err) =
        builder(tauri::Builder::default()).run(tauri::generate_context!("../tauri.conf.json"))
    {
        eprintln!("Taiwa could not start its window / ウィンドウを開けませんでした: {err}");
        std::process::exit(1);
    }
}
