//! The history: finished runs kept, masked, in the app's data directory, so the run list
//! survives a restart. Capped: the oldest are dropped. An index lists them, so the list is
//! read at start-up without opening every run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::runfile::{EXTENSION, RunFile, SecretsIn};
use crate::redact::Secrets;
use crate::workbench::RunRecord;

/// How many runs are kept unless the user chooses otherwise.
pub const DEFAULT_CAP: usize = 50;
const INDEX: &str = "index.json";
const MAX_INDEX_BYTES: u64 = 4 * 1024 * 1024;

/// One kept run, as the run list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The run file's name inside the history directory.
    pub file: String,
    pub provider: String,
    /// RFC 3339, UTC: when the run started.
    pub started_at: String,
    /// The run's status when it was kept (`ok`, `failed at E`).
    pub status: String,
}

#[derive(Clone)]
pub struct History {
    dir: PathBuf,
}

/// A run to keep, as [`History::keep`] takes it.
pub struct Keep {
    pub key: String,
    pub record: RunRecord,
    pub given: Secrets,
    pub status: String,
    pub cap: usize,
}

/// Keeps runs on a thread of its own, one after the other (masking and writing a run with a
/// few hundred attempts takes longer than a frame), and hands back the list as it is after
/// each; `done` is called when there is something to collect (the window's repaint).
pub struct Writer {
    jobs: std::sync::mpsc::Sender<Keep>,
    results: std::sync::mpsc::Receiver<Result<Vec<Entry>, String>>,
}

impl Writer {
    pub fn keep(&self, job: Keep) {
        // The thread lives as long as the writer; if it died, the result says nothing came.
        let _ = self.jobs.send(job);
    }

    /// The lists (or errors) of the keeps done since the last call, oldest first.
    pub fn done(&self) -> Vec<Result<Vec<Entry>, String>> {
        self.results.try_iter().collect()
    }
}

impl History {
    /// The history kept in `dir` (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> History {
        History { dir: dir.into() }
    }

    /// `history/` in the user's data directory (`~/.local/share/oauthviz/history` on Linux).
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "oauthviz").map(|d| d.data_dir().join("history"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A writer that keeps runs in this history on its own thread.
    pub fn writer(&self, done: impl Fn() + Send + 'static) -> Writer {
        let (jobs, inbox) = std::sync::mpsc::channel::<Keep>();
        let (outbox, results) = std::sync::mpsc::channel();
        let history = self.clone();
        let spawned = std::thread::Builder::new()
            .name("oauthviz-history".into())
            .spawn(move || {
                for job in inbox {
                    if outbox.send(history.keep(&job)).is_err() {
                        return;
                    }
                    done();
                }
            });
        if let Err(e) = spawned {
            log::warn!("the history cannot keep runs: no thread ({e})");
        }
        Writer { jobs, results }
    }

    /// The kept runs, newest first. A damaged index is rebuilt from the run files themselves.
    pub fn list(&self) -> Result<Vec<Entry>, String> {
        let path = self.dir.join(INDEX);
        if !path.exists() {
            return Ok(Vec::new());
        }
        let read = crate::files::read_small_text(&path, MAX_INDEX_BYTES)
            .and_then(|t| serde_json::from_str::<Vec<Entry>>(&t).map_err(|e| e.to_string()));
        match read {
            Ok(entries) => Ok(entries),
            Err(_) => self.rebuild(),
        }
    }

    /// Keeps the job's record (masked) as the run its key names — keeping it again replaces it,
    /// so a run that got experiments after it finished is kept once, as it is now — and drops
    /// the oldest runs beyond the cap. Returns the list as it is now.
    pub fn keep(&self, job: &Keep) -> Result<Vec<Entry>, String> {
        let Keep {
            key,
            record,
            given,
            status,
            cap,
        } = job;
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("could not create {}: {e}", self.dir.display()))?;
        let file = format!("{}{EXTENSION}", super::file_name_part(key));
        RunFile::new(record, SecretsIn::Masked, given).save(&self.dir.join(&file))?;
        let started = record
            .trace
            .started_at_ms()
            .unwrap_or_else(crate::timestamp::now_ms);
        let entry = Entry {
            file: file.clone(),
            provider: record.provider.name.clone(),
            started_at: crate::timestamp::rfc3339_ms(started),
            status: status.clone(),
        };
        let mut entries = self.list()?;
        entries.retain(|e| e.file != file);
        entries.insert(0, entry);
        self.write_capped(entries, *cap)
    }

    /// Drops the oldest runs beyond `cap` (the user lowered it); the list as it is now.
    pub fn set_cap(&self, cap: usize) -> Result<Vec<Entry>, String> {
        let entries = self.list()?;
        if entries.len() > cap {
            return self.write_capped(entries, cap);
        }
        Ok(entries)
    }

    pub fn open(&self, entry: &Entry) -> Result<RunFile, String> {
        RunFile::open(&self.dir.join(&entry.file))
    }

    /// Deletes every kept run and the index.
    pub fn clear(&self) -> Result<(), String> {
        for entry in self.run_files()? {
            std::fs::remove_file(&entry)
                .map_err(|e| format!("could not delete {}: {e}", entry.display()))?;
        }
        match std::fs::remove_file(self.dir.join(INDEX)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("could not delete the history index: {e}"))
            }
            _ => Ok(()),
        }
    }

    /// Writes the index of the newest `cap` entries, deleting the runs of the others; the
    /// entries kept.
    fn write_capped(&self, mut entries: Vec<Entry>, cap: usize) -> Result<Vec<Entry>, String> {
        for dropped in entries.split_off(cap.min(entries.len())) {
            // Already gone is as good as deleted.
            let _ = std::fs::remove_file(self.dir.join(&dropped.file));
        }
        let text = serde_json::to_string_pretty(&entries)
            .map_err(|e| format!("could not write the history index: {e}"))?;
        crate::files::write_private(&self.dir.join(INDEX), &text)?;
        Ok(entries)
    }

    fn run_files(&self) -> Result<Vec<PathBuf>, String> {
        let listing = match std::fs::read_dir(&self.dir) {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("could not list {}: {e}", self.dir.display())),
        };
        Ok(listing
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(EXTENSION))
            .collect())
    }

    /// The index from the run files that open, newest first.
    fn rebuild(&self) -> Result<Vec<Entry>, String> {
        let mut found: Vec<Entry> = self
            .run_files()?
            .into_iter()
            .filter_map(|path| {
                let saved = RunFile::open(&path).ok()?;
                let file = path.file_name()?.to_string_lossy().into_owned();
                let trace = &saved.run.trace;
                Some(Entry {
                    file,
                    provider: saved.run.provider.name,
                    started_at: saved.saved_at,
                    status: if trace.ok { "ok".into() } else { "kept".into() },
                })
            })
            .collect();
        found.sort_by(|a, b| b.started_at.cmp(&a.started_at));
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::ProviderConfig;
    use crate::trace::Trace;

    fn record(name: &str) -> RunRecord {
        RunRecord {
            provider: ProviderConfig {
                name: name.into(),
                ..Default::default()
            },
            trace: Trace::new(name),
            experiments: Vec::new(),
            audit: None,
            takes: Vec::new(),
        }
    }

    #[test]
    fn keeps_the_newest_up_to_the_cap_and_survives_a_damaged_index() {
        let dir = std::env::temp_dir().join(format!("oauthviz-history-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let history = History::new(&dir);
        assert_eq!(history.list().unwrap(), Vec::new());
        let job = |key: &str, name: &str, status: &str| Keep {
            key: key.into(),
            record: record(name),
            given: Secrets::default(),
            status: status.into(),
            cap: 3,
        };
        for i in 0..4 {
            history
                .keep(&job(&format!("run-{i}"), &format!("p{i}"), "ok"))
                .unwrap();
        }
        let names: Vec<String> = history
            .list()
            .unwrap()
            .into_iter()
            .map(|e| e.provider)
            .collect();
        assert_eq!(names, ["p3", "p2", "p1"]);
        assert!(
            !dir.join("run-0.oauthviz.json").exists(),
            "the oldest is dropped"
        );
        // Kept again: replaced, not listed twice.
        history.keep(&job("run-2", "p2", "failed at E")).unwrap();
        let list = history.list().unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(
            (list[0].provider.as_str(), list[0].status.as_str()),
            ("p2", "failed at E")
        );
        assert_eq!(history.open(&list[0]).unwrap().run.provider.name, "p2");

        std::fs::write(dir.join(INDEX), "{ torn").unwrap();
        assert_eq!(history.list().unwrap().len(), 3, "rebuilt from the files");

        history.set_cap(1).unwrap();
        assert_eq!(history.list().unwrap().len(), 1);
        history.clear().unwrap();
        assert_eq!(history.list().unwrap(), Vec::new());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
