//! The real Taiwa window in WebKit, driven through WebDriver (WebKitWebDriver, directly: tauri-driver
//! only rewrites capabilities and sets TAURI_WEBVIEW_AUTOMATION, which this does itself).
//! Needs a display: scripts/test.sh runs it under Xvfb with APP_BIN set.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Map, Value, json};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver {
    child: Child,
    port: u16,
    _home: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM lets WebKitWebDriver close the app it started; a SIGKILL would orphan it.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn app_binary() -> PathBuf {
    let path = std::env::var_os("APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/taiwa-app")
        });
    assert!(
        path.is_file(),
        "app binary {} not found: build it first or set APP_BIN",
        path.display()
    );
    path.canonicalize().expect("absolute app path")
}

fn start_driver() -> Driver {
    assert!(
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
        "no display: run under xvfb-run (scripts/test.sh does)"
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    // The app must never touch the user's real data: give it a home of its own.
    let home = tempfile::tempdir().expect("temp home");
    let child = Command::new("WebKitWebDriver")
        .arg(format!("--port={port}"))
        .arg("--host=127.0.0.1")
        .env("TAURI_WEBVIEW_AUTOMATION", "true")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .stdin(Stdio::null())
        .spawn()
        .expect("WebKitWebDriver (Debian package webkit2gtk-driver) must be on PATH");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "WebKitWebDriver did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver {
        child,
        port,
        _home: home,
    }
}

async fn connect(driver: &Driver) -> Client {
    let mut caps = Map::new();
    caps.insert(
        "webkitgtk:browserOptions".into(),
        json!({"binary": app_binary().to_string_lossy(), "args": []}),
    );
    let url = format!("http://127.0.0.1:{}", driver.port);
    tokio::time::timeout(
        Duration::from_secs(60),
        ClientBuilder::native().capabilities(caps).connect(&url),
    )
    .await
    .expect("the app window did not come up within 60 s")
    .expect("WebDriver session")
}

/// Saves a screenshot of the current frame under target/ (or E2E_SHOTS) for people to look at.
async fn screenshot(client: &Client, name: &str) {
    // Two animation frames, or the shot may show the frame before the last DOM change.
    let _ = client
        .execute_async("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));", vec![])
        .await;
    let dir = std::env::var_os("E2E_SHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-shots"));
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    // Bounded: with WEBKIT_DISABLE_DMABUF_RENDERER=1 under Xvfb, WebKitWebDriver never answers this.
    let png = tokio::time::timeout(Duration::from_secs(30), client.screenshot())
        .await
        .expect("screenshot did not come within 30 s")
        .expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_opens_and_lists_the_three_forms_from_the_core() {
    let driver = start_driver();
    let client = connect(&driver).await;
    assert_eq!(client.title().await.unwrap(), "Taiwa 対話");
    let heading = client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(heading.contains("対話"), "{heading}");

    // The list comes from the core over IPC: three entries, one per form definition.
    let deadline = Instant::now() + Duration::from_secs(15);
    let items = loop {
        let items = client
            .find_all(Locator::Css("#templates li[data-template]"))
            .await
            .unwrap();
        if items.len() == 3 || Instant::now() > deadline {
            break items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut texts = Vec::new();
    for item in &items {
        texts.push(item.text().await.unwrap());
    }
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("合理的配慮 対話記録")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("相談導線マップ")),
        "{texts:?}"
    );
    let version: Value = client
        .execute(
            "return document.getElementById('version').textContent",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        version.as_str().is_some_and(|v| v.starts_with("Taiwa ")),
        "{version}"
    );
    screenshot(&client, "01-start").await;
    client.close().await.unwrap();
}
