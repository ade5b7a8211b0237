//! Keeping a run from the command line: `--save FILE` and `--export FORMAT:FILE` on `run` and
//! `check`, and `oauthviz export RUNFILE --to FORMAT` for a run saved earlier.

use std::path::PathBuf;

use crate::export::{Format, Scope};
use crate::keep::{RunFile, SecretsIn};
use crate::redact::Secrets;
use crate::workbench::RunRecord;

#[derive(clap::Args, Debug, Default)]
pub struct KeepArgs {
    /// Save the whole run (steps, attempts, verdicts, audit) to FILE, to reopen with
    /// `oauthviz FILE`; secrets and tokens masked unless --include-secrets.
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Also write the run as FORMAT to FILE (repeatable): har, mermaid, svg, markdown, curl
    /// or run.
    #[arg(long, value_name = "FORMAT:FILE", value_parser = parse_export)]
    pub export: Vec<(Format, PathBuf)>,
    /// Write secrets and tokens as they were into --save and --export files (the client
    /// secret is never written). The files are owner-only either way.
    #[arg(long)]
    pub include_secrets: bool,
}

impl KeepArgs {
    fn secrets(&self) -> SecretsIn {
        if self.include_secrets {
            SecretsIn::Included
        } else {
            SecretsIn::Masked
        }
    }

    /// Writes what was asked for; `given` are the secrets the run was handed.
    pub fn write(&self, record: &RunRecord, given: &Secrets) -> Result<(), String> {
        let files = self
            .save
            .iter()
            .map(|path| (Format::Run, path))
            .chain(self.export.iter().map(|(f, p)| (*f, p)));
        for (format, path) in files {
            let text = render(format, record, Scope::Run, self.secrets(), given)?;
            crate::files::write_private(path, &text)?;
        }
        Ok(())
    }
}

fn render(
    format: Format,
    record: &RunRecord,
    scope: Scope,
    secrets: SecretsIn,
    given: &Secrets,
) -> Result<String, String> {
    crate::export::render(
        format,
        record,
        scope,
        secrets,
        given,
        crate::gui::diagram_svg,
    )
}

/// `har:run.har` → (Har, run.har).
fn parse_export(text: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = text
        .split_once(':')
        .ok_or_else(|| format!("'{text}' is not FORMAT:FILE (e.g. har:run.har)"))?;
    if path.is_empty() {
        return Err(format!("'{text}' names no file after the colon"));
    }
    Ok((Format::parse(format)?, PathBuf::from(path)))
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// A run file saved by `--save` or the window's Save run.
    #[arg(value_name = "RUNFILE")]
    pub file: PathBuf,
    /// har, mermaid, svg, markdown, curl, or run (the run file again, masked unless
    /// --include-secrets).
    #[arg(long, value_parser = Format::parse, value_name = "FORMAT")]
    pub to: Format,
    /// Only this step's latest exchange (A–G, refresh, revoke, introspect); not for svg and run.
    #[arg(long, value_parser = crate::trace::StepId::parse_or_explain, value_name = "STEP")]
    pub step: Option<crate::trace::StepId>,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Keep the secrets and tokens the run file holds (a file saved masked has none).
    #[arg(long)]
    pub include_secrets: bool,
}

/// `oauthviz export RUNFILE --to FORMAT [-o FILE]`.
pub fn export(args: ExportArgs) -> Result<std::process::ExitCode, String> {
    let saved = RunFile::open(&args.file)?;
    let secrets = if args.include_secrets {
        SecretsIn::Included
    } else {
        SecretsIn::Masked
    };
    let scope = match (args.step, args.to) {
        (None, _) => Scope::Run,
        (Some(_), Format::Svg | Format::Run) => {
            return Err(format!(
                "--step picks one exchange; {} is always the whole run",
                args.to.id()
            ));
        }
        (Some(step), _) => Scope::Step(step, None),
    };
    let text = render(args.to, &saved.run, scope, secrets, &Secrets::default())?;
    match &args.output {
        Some(path) => crate::files::write_private(path, &text)?,
        // Straight into a terminal, what came from a provider must not drive it.
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            print!("{}", super::print::terminal_safe(&text));
        }
        None => print!("{text}"),
    }
    Ok(std::process::ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_format_colon_file() {
        assert_eq!(
            parse_export("har:out/run.har").ok(),
            Some((Format::Har, PathBuf::from("out/run.har")))
        );
        assert!(parse_export("run.har").unwrap_err().contains("FORMAT:FILE"));
        assert!(parse_export("pdf:x").unwrap_err().contains("choose one of"));
        assert!(parse_export("svg:").unwrap_err().contains("no file"));
    }
}
