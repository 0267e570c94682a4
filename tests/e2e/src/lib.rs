//! Starting the real Taiwa app under WebKitWebDriver (directly: tauri-driver only rewrites
//! capabilities and sets TAURI_WEBVIEW_AUTOMATION, which this does itself), shared by the
//! end-to-end tests (tests/) and the app benchmark (bench/app.rs). Needs a display.

use fantoccini::{Client, ClientBuilder};
use serde_json::{Map, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The app to drive: `APP_BIN`, else `target/<profile>/taiwa-app` of this repository.
pub fn app_binary(profile: &str) -> PathBuf {
    let path = std::env::var_os("APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../../target/{profile}/taiwa-app"))
        });
    assert!(
        path.is_file(),
        "app binary {} not found: build it first or set APP_BIN",
        path.display()
    );
    path.canonicalize().expect("absolute app path")
}

/// A WebKitWebDriver that starts `app` with its data and settings under `home`, never the user's.
pub struct Driver {
    child: Child,
    port: u16,
    app: PathBuf,
}

impl Driver {
    /// `export_dir`: where the app saves PDFs without a dialog (TAIWA_EXPORT_DIR).
    pub fn start(app: &Path, home: &Path, export_dir: Option<&Path>) -> Driver {
        assert!(
            std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
            "no display: run under xvfb-run (scripts/test.sh does)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut cmd = Command::new("WebKitWebDriver");
        cmd.arg(format!("--port={port}"))
            .arg("--host=127.0.0.1")
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env_remove("TAIWA_DB")
            .env_remove("TAIWA_EXPORT_DIR")
            .stdin(Stdio::null());
        if let Some(dir) = export_dir {
            cmd.env("TAIWA_EXPORT_DIR", dir);
        }
        let child = cmd
            .spawn()
            .expect("WebKitWebDriver (Debian package webkit2gtk-driver) must be on PATH");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "WebKitWebDriver did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Driver {
            child,
            port,
            app: app.to_path_buf(),
        }
    }

    /// A WebDriver session: the app's window.
    pub async fn connect(&self) -> Client {
        let mut caps = Map::new();
        caps.insert(
            "webkitgtk:browserOptions".into(),
            json!({"binary": self.app.to_string_lossy(), "args": []}),
        );
        let url = format!("http://127.0.0.1:{}", self.port);
        // Generous: on 2 busy cores WebKit's first start has taken over a minute.
        tokio::time::timeout(
            Duration::from_secs(180),
            ClientBuilder::native().capabilities(caps).connect(&url),
        )
        .await
        .expect("the app window did not come up within 180 s")
        .expect("WebDriver session")
    }
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
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
