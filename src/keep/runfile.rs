//! Run files (`*.oauthviz.json`): one run — provider settings, every step, attempt, request,
//! response, timing, check, verdict and the audit's report — as one versioned JSON document.
//! Secrets are masked unless the user asks for them; the client secret is never written.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::redact::Secrets;
use crate::workbench::RunRecord;

/// The format this oauthviz writes. A file of a newer format is refused with a message saying
/// so; this is the first format, so there is no older one to read yet.
pub const FORMAT_VERSION: u32 = 1;

/// The largest run file opened (a run with hundreds of attempts and their bodies is a few MiB).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// What the file ends with, so a file dialog and a drop can tell a run file.
pub const EXTENSION: &str = ".oauthviz.json";

/// Whether secrets and tokens are in the file as they were, or masked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretsIn {
    Masked,
    Included,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunFile {
    pub format_version: u32,
    /// `oauthviz 0.1.0`
    pub saved_by: String,
    /// RFC 3339, UTC.
    pub saved_at: String,
    pub secrets: SecretsIn,
    pub run: RunRecord,
}

impl RunFile {
    /// `record` as it is written: masked unless `secrets` says to include them; `given` are
    /// secrets the run was handed (client secret, password) to mask wherever they turn up.
    pub fn new(record: &RunRecord, secrets: SecretsIn, given: &Secrets) -> RunFile {
        RunFile {
            format_version: FORMAT_VERSION,
            saved_by: format!("oauthviz {}", env!("CARGO_PKG_VERSION")),
            saved_at: crate::timestamp::rfc3339_ms(crate::timestamp::now_ms()),
            secrets,
            run: match secrets {
                SecretsIn::Masked => record.masked(given),
                SecretsIn::Included => record.clone(),
            },
        }
    }

    pub fn to_json(&self) -> Result<String, String> {
        serde_json::to_string_pretty(self).map_err(|e| format!("could not write the run: {e}"))
    }

    /// Writes the file atomically (a kill mid-save leaves the old file or the new one) and
    /// owner-only.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        crate::files::write_private(path, &self.to_json()?)
    }

    /// Reads a run file, or says what is wrong with it.
    pub fn open(path: &Path) -> Result<RunFile, String> {
        let text = crate::files::read_small_text(path, MAX_FILE_BYTES)
            .map_err(|e| format!("could not open {}: {e}", path.display()))?;
        RunFile::parse(&text).map_err(|e| format!("could not open {}: {e}", path.display()))
    }

    /// A run file from its text; the error names what is wrong and, for a wrong field, where.
    pub fn parse(text: &str) -> Result<RunFile, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            if e.is_eof() {
                format!("the file ends too early ({e}): it was cut off, or is still being written")
            } else {
                format!("it is not JSON ({e})")
            }
        })?;
        let Some(version) = value.get("format_version") else {
            if value.get("log").and_then(|l| l.get("entries")).is_some() {
                return Err(
                    "it is a HAR file, not an oauthviz run file: oauthviz writes HAR \
                            but opens only the run files it saves (*.oauthviz.json)"
                        .into(),
                );
            }
            return Err("it is not an oauthviz run file (it has no format_version)".into());
        };
        let version = version
            .as_u64()
            .ok_or_else(|| format!("its format_version is {version}, not a number"))?;
        if version > u64::from(FORMAT_VERSION) {
            return Err(format!(
                "it was saved by a newer oauthviz (run file format {version}; this oauthviz {} \
                 reads format {FORMAT_VERSION} and older): update oauthviz to open it",
                env!("CARGO_PKG_VERSION")
            ));
        }
        if version == 0 {
            return Err("its format_version is 0, which no oauthviz writes".into());
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            format!("{} is not what a run file holds there: {}", path, e.inner())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::ProviderConfig;
    use crate::trace::Trace;

    fn record() -> RunRecord {
        RunRecord {
            provider: ProviderConfig {
                name: "demo".into(),
                client_secret: Some(crate::protocol::secret::Secret::new("never-on-disk")),
                ..Default::default()
            },
            trace: Trace::new("demo"),
            experiments: Vec::new(),
            audit: None,
            takes: Vec::new(),
        }
    }

    #[test]
    fn a_saved_file_reads_back_without_the_client_secret() {
        let file = RunFile::new(&record(), SecretsIn::Included, &Secrets::default());
        let text = file.to_json().unwrap();
        assert!(!text.contains("never-on-disk"));
        let back = RunFile::parse(&text).unwrap();
        assert_eq!(back.run.trace, file.run.trace);
        assert_eq!(back.format_version, FORMAT_VERSION);
        assert_eq!(back.secrets, SecretsIn::Included);
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let text = RunFile::new(&record(), SecretsIn::Masked, &Secrets::default())
            .to_json()
            .unwrap();
        let cut = RunFile::parse(&text[..text.len() / 2]).unwrap_err();
        assert!(cut.contains("cut off"), "{cut}");
        let newer = RunFile::parse(&text.replace("\"format_version\": 1", "\"format_version\": 7"))
            .unwrap_err();
        assert!(
            newer.contains("newer oauthviz") && newer.contains('7'),
            "{newer}"
        );
        let wrong =
            RunFile::parse(&text.replace("\"ok\": false", "\"ok\": \"maybe\"")).unwrap_err();
        assert!(wrong.starts_with("run.trace.ok "), "{wrong}");
        assert!(
            RunFile::parse("{\"log\":{\"version\":\"1.2\",\"entries\":[]}}")
                .unwrap_err()
                .contains("HAR file")
        );
        assert!(
            RunFile::parse("{}")
                .unwrap_err()
                .contains("no format_version")
        );
        assert!(RunFile::parse("<html>").unwrap_err().contains("not JSON"));
    }
}
