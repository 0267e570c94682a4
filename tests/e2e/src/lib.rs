//! Starting the real Taiwa app under WebKitWebDriver (directly: tauri-driver only rewrites
//! capabilities and sets TAURI_WEBVIEW_AUTOMATION, which this does itself), shared by the
//! end-to-end tests (tests/) and the app benchmark (bench/app.rs). Needs a display.

use fantoccini::{Client, ClientBuilder};
use serde_json::{Map, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
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
    /// The WebKitWebDriver process and its port; replaced when a hung start is tried again.
    process: Mutex<(Child, u16)>,
    app: PathBuf,
    home: PathBuf,
    export_dir: Option<PathBuf>,
    /// More variables for the app (debug builds' test switches, e.g. TAIWA_IDLE_LOCK_SECONDS).
    env: Vec<(String, String)>,
    log: PathBuf,
}

impl Driver {
    /// `export_dir`: where the app saves PDFs without a dialog (TAIWA_EXPORT_DIR).
    pub fn start(app: &Path, home: &Path, export_dir: Option<&Path>) -> Driver {
        Driver::start_with_env(app, home, export_dir, &[])
    }

    /// As `start`, with these variables set for the app as well.
    pub fn start_with_env(
        app: &Path,
        home: &Path,
        export_dir: Option<&Path>,
        env: &[(&str, &str)],
    ) -> Driver {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert!(
            std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
            "no display: run under xvfb-run (scripts/test.sh does)"
        );
        // Everything the driver and the app print goes to a file under `home`: the tests check that
        // no name from their records is in it, and it is printed when a test fails.
        std::fs::create_dir_all(home.join("logs")).expect("log folder");
        let log = home.join("logs/webdriver.log");
        let process = spawn_webdriver(home, export_dir, &env, &log);
        Driver {
            process: Mutex::new(process),
            app: app.to_path_buf(),
            home: home.to_path_buf(),
            export_dir: export_dir.map(Path::to_path_buf),
            env,
            log,
        }
    }

    /// What WebKitWebDriver and the app printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A WebDriver session: the app's window.
    pub async fn connect(&self) -> Client {
        let mut caps = Map::new();
        caps.insert(
            "webkitgtk:browserOptions".into(),
            json!({"binary": self.app.to_string_lossy(), "args": []}),
        );
        // Generous: on 2 busy cores WebKit's first start has taken over a minute. A start that hangs
        // (seen in CI: no window within 180 s, then fine on the next run) is tried once more with a
        // new WebKitWebDriver.
        for attempt in 1..=2 {
            let url = format!("http://127.0.0.1:{}", self.port());
            match tokio::time::timeout(
                Duration::from_secs(150),
                ClientBuilder::native()
                    .capabilities(caps.clone())
                    .connect(&url),
            )
            .await
            {
                Ok(Ok(client)) => return client,
                Ok(Err(err)) if attempt == 2 => panic!("WebDriver session: {err}"),
                Err(_) if attempt == 2 => {
                    panic!("the app window did not come up within 150 s, twice")
                }
                Ok(Err(err)) => eprintln!("WebDriver session failed ({err}); starting again"),
                Err(_) => eprintln!("the app window did not come up within 150 s; starting again"),
            }
            self.restart();
        }
        unreachable!("the loop returns or panics on its second attempt")
    }

    fn port(&self) -> u16 {
        self.process.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    /// Ends WebKitWebDriver and the app it started (a hung app would otherwise hold the
    /// single-instance lock and take over the next start), then starts a new WebKitWebDriver.
    fn restart(&self) {
        let mut process = self.process.lock().unwrap_or_else(|e| e.into_inner());
        stop(&mut process.0);
        *process = spawn_webdriver(&self.home, self.export_dir.as_deref(), &self.env, &self.log);
    }
}

fn spawn_webdriver(
    home: &Path,
    export_dir: Option<&Path>,
    env: &[(String, String)],
    log: &Path,
) -> (Child, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    let err = out.try_clone().expect("log file handle");
    let mut cmd = Command::new("WebKitWebDriver");
    cmd.arg(format!("--port={port}"))
        .arg("--host=127.0.0.1")
        .env("TAURI_WEBVIEW_AUTOMATION", "true")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("TAIWA_DB")
        .env_remove("TAIWA_EXPORT_DIR")
        .env_remove("TAIWA_IDLE_LOCK_SECONDS")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
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
    (child, port)
}

/// SIGTERM lets WebKitWebDriver close the app it started; a SIGKILL would orphan it. Whatever is
/// left after 5 s is killed. The driver's children are noted first: a driver whose session was
/// never closed exits on SIGTERM and leaves the app running, orphaned, and that app then holds
/// the single-instance lock and takes over the next test's start. Such an app gets 5 s to end by
/// itself (its close-time backup) before it is killed.
fn stop(child: &mut Child) {
    let children = child_processes(child.id());
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && !matches!(child.try_wait(), Ok(Some(_))) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("pkill")
        .arg("-KILL")
        .arg("-P")
        .arg(child.id().to_string())
        .status();
    let _ = child.kill();
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && children.iter().any(|p| p.running()) {
        std::thread::sleep(Duration::from_millis(50));
    }
    for process in children.iter().filter(|p| p.running()) {
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(process.pid.to_string())
            .status();
    }
}

/// A process as /proc shows it; its start time tells it from a later one given the same pid.
struct Process {
    pid: u32,
    started: u64,
}

impl Process {
    fn read(pid: u32) -> Option<(Process, u32, char)> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (comm) state ppid … starttime(22) …": comm may hold spaces, so read after the last ')'.
        let (_, rest) = stat.rsplit_once(')')?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let state = fields.first()?.chars().next()?;
        let ppid = fields.get(1)?.parse().ok()?;
        let started = fields.get(19)?.parse().ok()?;
        Some((Process { pid, started }, ppid, state))
    }

    /// Still this process, and not a zombie.
    fn running(&self) -> bool {
        Process::read(self.pid)
            .is_some_and(|(now, _, state)| now.started == self.started && state != 'Z')
    }
}

/// The processes whose parent is `pid`, from /proc.
fn child_processes(pid: u32) -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(Process::read)
        .filter(|(_, ppid, _)| *ppid == pid)
        .map(|(process, _, _)| process)
        .collect()
}

impl Drop for Driver {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = self.log();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(80)..].join("\n");
            eprintln!("--- the last lines WebKitWebDriver and the app printed ---\n{tail}");
        }
        let process = self.process.get_mut().unwrap_or_else(|e| e.into_inner());
        stop(&mut process.0);
    }
}
