//! The provider audit: every check, active (an experiment that sends a modified request) or
//! passive (read from what the run recorded), with its rule, RFC section and keyword; the
//! selection of checks to run; and the report they make.

mod active;
mod judge;
mod mark;
mod passive;
mod plan;
pub mod render;
pub mod rule;

use serde::{Deserialize, Serialize};

pub use active::Experiment;
pub use judge::Finding;
pub use mark::Mark;
pub use passive::{Evidence, Passive};
pub use plan::PlanCtx;
pub use rule::{Area, Keyword, Rule};

use crate::trace::{StepId, Verdict};

/// One check of the audit; saved by its id (ids are unique across active and passive checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum AuditCheck {
    Active(Experiment),
    Passive(Passive),
}

impl AuditCheck {
    pub fn rule(self) -> Rule {
        match self {
            AuditCheck::Active(e) => e.rule(),
            AuditCheck::Passive(p) => p.rule(),
        }
    }

    pub fn id(self) -> &'static str {
        self.rule().id
    }

    pub fn by_id(id: &str) -> Option<AuditCheck> {
        Passive::by_id(id)
            .map(AuditCheck::Passive)
            .or_else(|| Experiment::by_id(id).map(AuditCheck::Active))
    }

    /// How many checks [`AuditCheck::all`] holds, without building the list.
    pub fn count() -> usize {
        Passive::ALL.len()
            + Experiment::ALL
                .iter()
                .filter(|e| e.judges_provider())
                .count()
    }

    /// Every check that judges a provider, grouped by area (passive ones first in each).
    pub fn all() -> Vec<AuditCheck> {
        let mut all: Vec<AuditCheck> = Passive::ALL
            .into_iter()
            .map(AuditCheck::Passive)
            .chain(
                Experiment::ALL
                    .into_iter()
                    .filter(|e| e.judges_provider())
                    .map(AuditCheck::Active),
            )
            .collect();
        // Stable: within an area the order of definition stays.
        all.sort_by_key(|c| c.rule().area);
        all
    }

    /// The checks `--only` and `--skip` leave: each names an area or a check id.
    pub fn select(only: &[String], skip: &[String]) -> Result<Vec<AuditCheck>, String> {
        let all = Self::all();
        let matches = |name: &str| -> Result<Vec<AuditCheck>, String> {
            let picked: Vec<AuditCheck> = match Area::parse(name) {
                Some(area) => all
                    .iter()
                    .copied()
                    .filter(|c| c.rule().area == area)
                    .collect(),
                None => all.iter().copied().filter(|c| c.id() == name).collect(),
            };
            if picked.is_empty() {
                let areas: Vec<&str> = Area::ALL
                    .iter()
                    .filter(|a| **a != Area::Client)
                    .map(|a| a.id())
                    .collect();
                return Err(format!(
                    "'{name}' is neither an area ({}) nor a check id (oauthviz check --list shows them)",
                    areas.join(", ")
                ));
            }
            Ok(picked)
        };
        let mut chosen: Vec<AuditCheck> = if only.is_empty() {
            all.clone()
        } else {
            let mut v = Vec::new();
            for name in only {
                v.extend(matches(name)?);
            }
            all.iter().copied().filter(|c| v.contains(c)).collect()
        };
        for name in skip {
            let out = matches(name)?;
            chosen.retain(|c| !out.contains(c));
        }
        Ok(chosen)
    }
}

impl From<AuditCheck> for String {
    fn from(c: AuditCheck) -> String {
        c.id().to_owned()
    }
}

impl TryFrom<String> for AuditCheck {
    type Error = String;
    fn try_from(id: String) -> Result<AuditCheck, String> {
        AuditCheck::by_id(&id).ok_or_else(|| format!("no check has the id '{id}'"))
    }
}

/// One row of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub check: AuditCheck,
    pub finding: Finding,
    /// The attempts that prove the verdict, as (step, attempt index).
    pub attempts: Vec<(StepId, usize)>,
}

/// Counts of each verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub info: usize,
    pub skip: usize,
    pub total: usize,
}

impl Summary {
    pub fn line(&self) -> String {
        format!(
            "{} checks: {} passed, {} failed, {} warnings, {} notes, {} skipped",
            self.total, self.pass, self.fail, self.warn, self.info, self.skip
        )
    }
}

/// What an audit found, in the order of its checks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub provider: String,
    pub rows: Vec<Row>,
    pub duration_ms: u64,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            total: self.rows.len(),
            ..Summary::default()
        };
        for row in &self.rows {
            match row.finding.verdict {
                Verdict::Pass => s.pass += 1,
                Verdict::Warn => s.warn += 1,
                Verdict::Fail => s.fail += 1,
                Verdict::Info => s.info += 1,
                Verdict::Skip => s.skip += 1,
            }
        }
        s
    }

    /// The rows by area, in the order of `Area::ALL`, areas without a row left out.
    pub fn by_area(&self) -> Vec<(Area, Vec<&Row>)> {
        Area::ALL
            .into_iter()
            .map(|area| {
                let rows: Vec<&Row> = self
                    .rows
                    .iter()
                    .filter(|r| r.check.rule().area == area)
                    .collect();
                (area, rows)
            })
            .filter(|(_, rows)| !rows.is_empty())
            .collect()
    }

    pub fn row(&self, id: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.check.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_the_lists_length() {
        assert_eq!(AuditCheck::count(), AuditCheck::all().len());
    }

    #[test]
    fn ids_are_unique_and_selection_takes_areas_and_ids() {
        let all = AuditCheck::all();
        let mut ids: Vec<&str> = all.iter().map(|c| c.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "a check id is used twice");
        assert!(all.len() >= 40, "{} checks", all.len());
        let pkce = AuditCheck::select(&["pkce".into()], &["pkce-plain".into()]).unwrap();
        assert!(pkce.iter().all(|c| c.rule().area == Area::Pkce));
        assert!(!pkce.iter().any(|c| c.id() == "pkce-plain"));
        let err = AuditCheck::select(&["nope".into()], &[]).unwrap_err();
        assert!(err.contains("redirect-uri"), "{err}");
    }
}
