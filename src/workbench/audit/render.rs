//! The report as a person or a CI reads it: a stable JSON document, Markdown, JUnit XML.

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use serde_json::{Value, json};

use super::{AuditCheck, Report, Row};
use crate::trace::Verdict;

pub fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Warn => "warn",
        Verdict::Fail => "fail",
        Verdict::Info => "info",
        Verdict::Skip => "skip",
    }
}

fn attempts(row: &Row) -> Value {
    row.attempts
        .iter()
        .map(|(step, i)| json!({ "step": step.letter(), "attempt": i + 1 }))
        .collect()
}

/// `{"checks":[{"id","area","verdict","rule","rfc","keyword","message","attempts"}],"summary":{…}}`.
pub fn json(report: &Report) -> Value {
    let checks: Vec<Value> = report
        .rows
        .iter()
        .map(|row| {
            let rule = row.check.rule();
            json!({
                "id": rule.id,
                "area": rule.area.id(),
                "verdict": verdict_word(row.finding.verdict),
                "title": rule.title,
                "rule": rule.rule,
                "rfc": rule.rfc,
                "keyword": rule.keyword.word(),
                "kind": match row.check { AuditCheck::Active(_) => "active", AuditCheck::Passive(_) => "passive" },
                "message": row.finding.summary,
                "attempts": attempts(row),
            })
        })
        .collect();
    json!({
        "provider": report.provider,
        "checks": checks,
        "summary": report.summary(),
        "duration_ms": report.duration_ms,
    })
}

/// A Markdown table cell: one line, pipes escaped.
pub fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

pub fn markdown(report: &Report) -> String {
    let mut out = format!(
        "# oauthviz check: {}\n\n{}\n",
        cell(&report.provider),
        report.summary().line()
    );
    for (area, rows) in report.by_area() {
        out.push_str(&format!(
            "\n## {}\n\n| Verdict | Check | Rule | RFC | What came back |\n|---|---|---|---|---|\n",
            area.title()
        ));
        for row in rows {
            let rule = row.check.rule();
            out.push_str(&format!(
                "| {} | `{}` {} | {} | {} ({}) | {} |\n",
                verdict_word(row.finding.verdict).to_uppercase(),
                rule.id,
                cell(rule.title),
                cell(rule.rule),
                cell(rule.rfc),
                rule.keyword.word(),
                cell(&row.finding.summary)
            ));
        }
    }
    out
}

/// One suite per area, one test case per check: a failed check fails its case, a skipped one
/// is skipped, warnings and notes pass with the message in the case's output.
pub fn junit(report: &Report) -> Result<String, String> {
    let mut junit = quick_junit::Report::new("oauthviz check");
    for (area, rows) in report.by_area() {
        let mut suite = TestSuite::new(area.id());
        for row in rows {
            let rule = row.check.rule();
            let message = format!(
                "{} ({} {})",
                row.finding.summary,
                rule.rfc,
                rule.keyword.word()
            );
            let mut status = match row.finding.verdict {
                Verdict::Fail => TestCaseStatus::non_success(NonSuccessKind::Failure),
                Verdict::Skip => TestCaseStatus::skipped(),
                _ => TestCaseStatus::success(),
            };
            if matches!(row.finding.verdict, Verdict::Fail | Verdict::Skip) {
                status.set_message(message.clone());
            }
            let mut case = TestCase::new(rule.id, status);
            case.set_classname(format!("oauthviz.{}", area.id()));
            case.set_system_out(format!(
                "{}: {message}",
                verdict_word(row.finding.verdict).to_uppercase()
            ));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit
        .to_string()
        .map_err(|e| format!("could not write JUnit XML: {e}"))
}

/// The list of checks (id, area, rule, RFC, keyword) as a Markdown table, for `--list` and the
/// README, generated from the code so it cannot drift.
pub fn check_list() -> String {
    let mut out =
        String::from("| Check | Area | Kind | Rule | RFC | Keyword |\n|---|---|---|---|---|---|\n");
    for check in AuditCheck::all() {
        let rule = check.rule();
        let kind = match check {
            AuditCheck::Active(_) => "active",
            AuditCheck::Passive(_) => "passive",
        };
        out.push_str(&format!(
            "| `{}` | {} | {kind} | {} | {} | {} |\n",
            rule.id,
            rule.area.id(),
            cell(rule.rule),
            cell(rule.rfc),
            rule.keyword.word()
        ));
    }
    out
}
