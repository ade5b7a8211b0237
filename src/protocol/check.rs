//! The result of one check on a message (state echoed, iss matches, id_token signature, …).

use serde::{Deserialize, Serialize};

/// Ordered by severity: `Pass < Warn < Fail`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub verdict: Verdict,
    pub detail: String,
}

impl Check {
    pub fn new(name: impl Into<String>, verdict: Verdict, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            verdict,
            detail: detail.into(),
        }
    }

    /// Pass with `ok` as the detail, or fail with the error.
    pub fn from_result(name: impl Into<String>, result: Result<String, String>) -> Self {
        match result {
            Ok(detail) => Self::new(name, Verdict::Pass, detail),
            Err(detail) => Self::new(name, Verdict::Fail, detail),
        }
    }
}
