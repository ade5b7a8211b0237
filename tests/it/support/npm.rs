//! The npm fixtures' dependencies (`tests/fixtures/*/package-lock.json`): `npm ci` on first
//! use, at most once per fixture per process and, across test processes, under a lock
//! directory (`create_dir` is atomic) with a double-check.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, SystemTime};

const INSTALL_LOCK_TIMEOUT: Duration = Duration::from_mins(10);
const STALE_LOCK_AGE: Duration = Duration::from_mins(15);

/// Copy of `package-lock.json` written into `node_modules` after a successful
/// `npm ci`; `node_modules` is current iff it equals the committed lock.
const MARKER: &str = "node_modules/.oauthviz-installed-lock.json";

fn installed(dir: &Path, module: &str) -> bool {
    match (
        fs::read(dir.join(MARKER)),
        fs::read(dir.join("package-lock.json")),
    ) {
        (Ok(marker), Ok(lock)) => marker == lock && dir.join("node_modules").join(module).is_dir(),
        _ => false,
    }
}

/// Makes sure `dir`'s dependencies are installed; `module` is one of them, to tell.
pub fn ensure(dir: &Path, module: &str) -> Result<(), String> {
    static DONE: OnceLock<Mutex<HashMap<PathBuf, Result<(), String>>>> = OnceLock::new();
    let mut done = DONE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    done.entry(dir.to_owned())
        .or_insert_with(|| {
            if installed(dir, module) {
                return Ok(());
            }
            let _lock = InstallLock::acquire(dir)?;
            if installed(dir, module) {
                return Ok(()); // another process installed while we waited
            }
            npm_ci(dir)
        })
        .clone()
}

fn npm_ci(dir: &Path) -> Result<(), String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let out = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "cannot run `{npm} ci` in {} (is npm installed?): {e}",
                dir.display()
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "`npm ci --no-audit --no-fund` in {} failed ({}):\n{}\n{}",
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let lock = fs::read(dir.join("package-lock.json"))
        .map_err(|e| format!("read package-lock.json: {e}"))?;
    let tmp = dir.join(format!("{MARKER}.{}", std::process::id()));
    fs::write(&tmp, lock)
        .and_then(|()| fs::rename(&tmp, dir.join(MARKER)))
        .map_err(|e| format!("write {MARKER}: {e}"))
}

/// Cross-process lock: a directory in cargo's per-target temp dir, one per fixture.
struct InstallLock(PathBuf);

impl InstallLock {
    fn acquire(fixture: &Path) -> Result<Self, String> {
        let base =
            option_env!("CARGO_TARGET_TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from);
        let _ = fs::create_dir_all(&base);
        let name = fixture
            .file_name()
            .map_or_else(|| "fixture".into(), |n| n.to_string_lossy().into_owned());
        let path = base.join(format!("oauthviz-{name}-npm-ci.lock"));
        let start = SystemTime::now();
        loop {
            match fs::create_dir(&path) {
                Ok(()) => return Ok(Self(path)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    // A crashed holder leaves the dir behind; break stale locks.
                    let age = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|a| a > STALE_LOCK_AGE) {
                        let _ = fs::remove_dir(&path);
                        continue;
                    }
                    if start.elapsed().unwrap_or_default() > INSTALL_LOCK_TIMEOUT {
                        return Err(format!(
                            "timed out waiting for npm install lock {}",
                            path.display()
                        ));
                    }
                    thread::sleep(Duration::from_millis(200));
                }
                Err(e) => return Err(format!("cannot create lock dir {}: {e}", path.display())),
            }
        }
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = fs::remove_dir(&self.0);
    }
}
