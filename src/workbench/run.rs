//! One run as a person works with it: its trace, the provider it ran against, the commands
//! still in flight, and the experiments queued, running and judged on it.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::audit::{AuditCheck, Evidence, Experiment, Finding, Report, Row};
use super::runner::{ExperimentRunner, Next, RunView};
use super::take::Takes;
use crate::config::ProviderConfig;
use crate::engine::{CommandId, CommandOutcome, RunId};
use crate::trace::{Exchange, StepId, Trace, Verdict};

pub struct Run {
    pub id: RunId,
    pub trace: Trace,
    /// What the run was started with (experiments plan and judge from it).
    pub config: ProviderConfig,
    /// The scripted agent (not a person) is at the login page.
    pub scripted: bool,
    /// What was last sent after the first flow, for the banner.
    pub activity: Option<Activity>,
    /// Verdicts of the experiments run on this run, oldest first.
    pub findings: Vec<Judged>,
    /// The provider audit asked for on this run, while it runs and once it is done.
    pub audit: Option<Audit>,
    /// The longest an experiment may wait for a code or a token to expire (zero: the
    /// experiments that wait do not run). [`super::Workbench::set_wait`] sets it.
    pub wait: Duration,
    /// The file this run was reopened from (it was not run in this session).
    pub reopened: Option<String>,
    /// A reopened run the engine has taken on ([`super::Workbench::connect`]): its steps can be
    /// sent again.
    pub connected: bool,
    /// The main flow and each replay or experiment sent after it, with their attempts.
    pub takes: Takes,
    /// Commands sent that have not reported `Finished`.
    unfinished: BTreeSet<CommandId>,
    experiments: ExperimentRunner,
}

/// An audit of the provider on one run: its checks, the discovery it reads, and its report.
pub struct Audit {
    pub checks: Vec<AuditCheck>,
    /// How many findings the run had when the audit began (its verdicts come after).
    findings_before: usize,
    /// The issuer whose metadata the audit still waits for.
    pub(super) awaiting_metadata: Option<String>,
    discovery: Vec<Exchange>,
    started: Instant,
    pub report: Option<Report>,
}

impl Audit {
    /// (checks judged, checks in all): active ones as they are judged, the passive ones at the end.
    pub fn progress(&self, run: &Run) -> (usize, usize) {
        let judged = run.findings.len().saturating_sub(self.findings_before);
        let done = match &self.report {
            Some(r) => r.rows.len(),
            None => judged,
        };
        (done.min(self.checks.len()), self.checks.len())
    }
}

/// Something sent on a run after its first flow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activity {
    /// A step sent again (edited or not), or one of the steps after E.
    Sent(StepId),
    Experiment(Experiment),
    /// Several experiments, one after the other ("Run all").
    AllExperiments,
    /// The provider audit ("Check my provider", `oauthviz check`).
    Audit,
}

/// An experiment's verdict and where its answer is.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Judged {
    pub experiment: Experiment,
    pub finding: Finding,
    /// The attempt of the judged step that holds the provider's answer (none when the
    /// experiment did not run).
    pub attempt: Option<usize>,
    /// Every attempt the experiment made, as (step, index).
    pub attempts: Vec<(StepId, usize)>,
}

impl Judged {
    /// The newest verdict on `experiment` among `findings`.
    pub fn latest(findings: &[Judged], experiment: Experiment) -> Option<&Judged> {
        findings.iter().rev().find(|j| j.experiment == experiment)
    }

    /// The newest verdict of each experiment judged, in the order of `Experiment::ALL`.
    pub fn newest(findings: &[Judged]) -> impl Iterator<Item = &Judged> {
        Experiment::ALL
            .into_iter()
            .filter_map(|e| Judged::latest(findings, e))
    }

    /// "N passed, N warnings, N failed" (and skipped, when any) over the newest verdict of
    /// each experiment, or `None` before any was judged.
    pub fn tally(findings: &[Judged]) -> Option<String> {
        let judged: Vec<&Judged> = Judged::newest(findings).collect();
        let count = |v: Verdict| judged.iter().filter(|j| j.finding.verdict == v).count();
        (!judged.is_empty()).then(|| {
            let mut text = format!(
                "{} passed, {} warnings, {} failed",
                count(Verdict::Pass),
                count(Verdict::Warn),
                count(Verdict::Fail)
            );
            let skipped = count(Verdict::Skip);
            if skipped > 0 {
                text.push_str(&format!(", {skipped} skipped"));
            }
            text
        })
    }

    /// The worst newest verdict, skips aside.
    pub fn worst(findings: &[Judged]) -> Option<Verdict> {
        Judged::newest(findings)
            .map(|j| j.finding.verdict)
            .filter(|v| *v != Verdict::Skip)
            .max()
    }
}

impl Run {
    pub(super) fn new(id: RunId, trace: Trace, config: ProviderConfig, scripted: bool) -> Run {
        Run {
            id,
            trace,
            config,
            scripted,
            activity: None,
            findings: Vec::new(),
            audit: None,
            wait: Duration::ZERO,
            reopened: None,
            connected: false,
            takes: Takes::default(),
            unfinished: BTreeSet::new(),
            experiments: ExperimentRunner::default(),
        }
    }

    /// A run from a saved record, as it was when it was saved: its verdicts and its audit
    /// report are shown as they were judged.
    pub(super) fn reopened(id: RunId, record: super::RunRecord, from: String) -> Run {
        let mut run = Run::new(id, record.trace, record.provider, false);
        run.takes = Takes::restored(record.takes, &run.trace, &record.experiments);
        run.findings = record.experiments;
        run.audit = record.audit.map(|report| Audit {
            checks: report.rows.iter().map(|r| r.check).collect(),
            findings_before: run.findings.len(),
            awaiting_metadata: None,
            discovery: Vec::new(),
            started: Instant::now(),
            report: Some(report),
        });
        run.reopened = Some(from);
        run
    }

    /// Fills the configuration from the metadata the first flow discovered on A (the engine's
    /// rule, `Profile::complete`), so experiments plan with the endpoints the run really used.
    pub(super) fn complete_config(&mut self) {
        if !self.config.needs_discovery() {
            return;
        }
        let Some(issuer) = self.config.issuer.clone() else {
            return;
        };
        let Some(a) = self.trace.step(StepId::A).attempts.first() else {
            return;
        };
        let meta = a.exchanges.iter().find_map(|x| {
            crate::protocol::discovery::parse_metadata(&issuer, x.response.as_ref()?).ok()
        });
        if let Some(Ok(config)) = meta.map(|m| crate::profile::Profile::complete(&self.config, &m))
        {
            // The metadata knows nothing of the other clients the audit was given.
            let others = std::mem::take(&mut self.config.other_clients);
            self.config = crate::config::ProviderConfig {
                other_clients: others,
                ..config
            };
        }
    }

    /// Whether `experiment` can run on this run as it stands, or why not.
    pub fn can_run(&self, experiment: Experiment) -> Result<(), String> {
        let since = super::audit::Mark::of(&self.trace);
        let ctx = super::audit::PlanCtx {
            run: self.id,
            provider: &self.config,
            trace: &self.trace,
            scripted: self.scripted,
            wait: self.wait,
            dry_run: true,
            since: &since,
        };
        experiment.plan(0, &ctx).map(|_| ())
    }

    /// Whether the engine knows this run, so its steps can be sent (a reopened run must be
    /// connected first).
    pub fn sendable(&self) -> bool {
        self.reopened.is_none() || self.connected
    }

    /// Whether anything sent on this run is still to finish, or experiments wait their turn.
    pub fn busy(&self) -> bool {
        !self.unfinished.is_empty()
            || self.experiments.is_active()
            || self
                .audit
                .as_ref()
                .is_some_and(|a| a.awaiting_metadata.is_some())
    }

    /// The experiment being carried out now.
    pub fn running_experiment(&self) -> Option<Experiment> {
        self.experiments.current()
    }

    /// Whether experiments are still queued or running (for "Run all").
    pub fn experiments_pending(&self) -> bool {
        self.experiments.is_active()
    }

    pub(super) fn sent(&mut self, command: CommandId) {
        self.unfinished.insert(command);
    }

    pub(super) fn queue_experiments(&mut self, experiments: &[Experiment]) {
        self.experiments.queue(experiments);
    }

    /// Drops the queued experiments and the one running, each judged skipped with `why`.
    pub(super) fn forget_experiments(&mut self, why: &str) {
        for (i, experiment) in self.experiments.clear().into_iter().enumerate() {
            self.findings.push(Judged {
                experiment,
                finding: Finding::skipped(why),
                attempt: None,
                attempts: Vec::new(),
            });
            if i == 0 {
                // The one carried out now (first), if any, has a take.
                self.takes.experiment_judged(self.findings.len() - 1);
            }
        }
        if let Some(a) = &mut self.audit {
            a.awaiting_metadata = None;
        }
    }

    /// The next experiment to send, or one that was judged on the way (skipped, or done).
    pub(super) fn next_experiment(&mut self) -> Option<Next> {
        if !self.unfinished.is_empty() {
            return None;
        }
        let view = RunView {
            run: self.id,
            config: &self.config,
            trace: &self.trace,
            scripted: self.scripted,
            wait: self.wait,
        };
        let next = self.experiments.next(&view)?;
        match &next {
            Next::Skipped(experiment, why) => self.findings.push(Judged {
                experiment: *experiment,
                finding: Finding::skipped(why),
                attempt: None,
                attempts: Vec::new(),
            }),
            Next::Done(experiment, since, aborted) => {
                let finding = match aborted {
                    Some(why) => Finding::skipped(why),
                    None => experiment.judge(&self.config, &self.trace, since),
                };
                let step = experiment.judged_step();
                let attempt = since
                    .latest(&self.trace, step)
                    .map(|_| self.trace.step(step).attempts.len() - 1);
                self.findings.push(Judged {
                    experiment: *experiment,
                    finding,
                    attempt,
                    attempts: since.touched(&self.trace),
                });
                self.takes.experiment_judged(self.findings.len() - 1);
            }
            Next::Send { .. } => {}
        }
        Some(next)
    }

    pub(super) fn experiment_sent(&mut self, commands: Vec<CommandId>) {
        self.unfinished.extend(commands.iter().copied());
        self.experiments.running(commands);
    }

    /// Takes in that `command` finished.
    pub(super) fn finished(&mut self, command: CommandId, outcome: &CommandOutcome) {
        self.unfinished.remove(&command);
        self.experiments.finished(command, outcome);
    }

    /// Starts an audit: `checks`' experiments are queued; `discover` is the issuer whose
    /// metadata is still to be fetched (none when the run already recorded it, or has no issuer).
    pub(super) fn start_audit(&mut self, checks: Vec<AuditCheck>, discover: Option<String>) {
        let experiments: Vec<Experiment> = checks
            .iter()
            .filter_map(|c| match c {
                AuditCheck::Active(e) => Some(*e),
                AuditCheck::Passive(_) => None,
            })
            .collect();
        let discovery = self
            .trace
            .step(StepId::A)
            .attempts
            .first()
            .map(|a| a.exchanges.clone())
            .unwrap_or_default();
        self.audit = Some(Audit {
            checks,
            findings_before: self.findings.len(),
            awaiting_metadata: discover,
            discovery,
            started: Instant::now(),
            report: None,
        });
        self.experiments.queue(&experiments);
    }

    /// Takes in metadata the audit waited for; whether it did wait for this issuer's.
    pub(super) fn metadata_arrived(&mut self, issuer: &str, exchanges: &[Exchange]) -> bool {
        let Some(a) = &mut self.audit else {
            return false;
        };
        if a.awaiting_metadata.as_deref() != Some(issuer) {
            return false;
        }
        a.awaiting_metadata = None;
        a.discovery = exchanges.to_vec();
        true
    }

    /// Writes the audit's report once nothing is left to run; whether it did just now.
    pub(super) fn finish_audit(&mut self) -> bool {
        if self.busy() {
            return false;
        }
        let Some(audit) = &self.audit else {
            return false;
        };
        if audit.report.is_some() {
            return false;
        }
        let mine = &self.findings[audit.findings_before.min(self.findings.len())..];
        let verdict_of = |e: Experiment| Judged::latest(mine, e).map(|j| j.finding.verdict);
        let evidence = Evidence {
            trace: &self.trace,
            provider: &self.config,
            discovery: &audit.discovery,
            verdict_of: &verdict_of,
        };
        let rows = audit
            .checks
            .iter()
            .map(|check| match check {
                AuditCheck::Active(e) => match Judged::latest(mine, *e) {
                    Some(j) => Row {
                        check: *check,
                        finding: j.finding.clone(),
                        attempts: j.attempts.clone(),
                    },
                    None => Row {
                        check: *check,
                        finding: Finding::skipped("it was not run"),
                        attempts: Vec::new(),
                    },
                },
                AuditCheck::Passive(p) => Row {
                    check: *check,
                    finding: p.judge(&evidence),
                    attempts: Vec::new(),
                },
            })
            .collect();
        let report = Report {
            provider: self.config.name.clone(),
            rows,
            duration_ms: audit.started.elapsed().as_millis() as u64,
        };
        if let Some(a) = &mut self.audit {
            a.report = Some(report);
        }
        true
    }
}
