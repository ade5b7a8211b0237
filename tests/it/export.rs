//! Keeping and sharing a run, as a user does it from the command line: a demo run saved and
//! exported, each export read by a program that is not ours (a HAR validator, Mermaid's own
//! parser, an SVG renderer), secrets only where asked for, bad files refused with the reason,
//! and a save killed halfway leaving a whole file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use oauthviz::keep::RunFile;

fn oauthviz(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .args(args)
        .env_remove("OAUTHVIZ_CLIENT_SECRET")
        .output()
        .expect("the binary runs")
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A directory of the test's own, removed afterwards.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("export-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.file(name).display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn readers() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports");
    support::npm::ensure(&dir, "mermaid").unwrap();
    dir
}

/// Runs a fixture script on `files`; its verdict.
fn node(script: &str, files: &[&Path]) -> Output {
    Command::new("node")
        .arg(readers().join(script))
        .args(files)
        .output()
        .expect("node runs (Node.js >= 20 is needed for the tests)")
}

/// How many pixels of the PNG are not white.
fn ink(png_path: &Path) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..frame.buffer_size()];
    let channels = frame.color_type.samples();
    let inked = bytes
        .chunks(channels)
        .filter(|px| px.iter().take(3).any(|&c| c < 200))
        .count();
    (frame.width, frame.height, inked)
}

/// A demo run with an experiment and a step after E, saved and exported in every format.
fn saved_demo_run(extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--experiment",
        "reuse-code",
        "--then",
        "refresh",
    ];
    args.extend_from_slice(extra);
    oauthviz(&args)
}

#[test]
fn a_saved_run_and_its_exports_read_in_other_programs_and_reopen_the_same() {
    let dir = Dir::new("readers");
    let (run, har, mmd, svg, md, sh) = (
        dir.arg("run.oauthviz.json"),
        dir.arg("run.har"),
        dir.arg("run.mmd"),
        dir.arg("run.svg"),
        dir.arg("run.md"),
        dir.arg("run.sh"),
    );
    let out = saved_demo_run(&[
        "--save",
        &run,
        "--export",
        &format!("har:{har}"),
        "--export",
        &format!("mermaid:{mmd}"),
        "--export",
        &format!("svg:{svg}"),
        "--export",
        &format!("markdown:{md}"),
        "--export",
        &format!("curl:{sh}"),
    ]);
    ok(&out);

    // The run file reads back: every step, the experiment's verdict, the refresh.
    let saved = RunFile::open(&dir.file("run.oauthviz.json")).unwrap();
    assert_eq!(
        saved.format_version,
        oauthviz::keep::runfile::FORMAT_VERSION
    );
    let trace = &saved.run.trace;
    assert!(
        trace.step(oauthviz::trace::StepId::G).attempts[0]
            .outcome
            .is_ok()
    );
    assert_eq!(
        trace.step(oauthviz::trace::StepId::Refresh).attempts.len(),
        1
    );
    assert_eq!(saved.run.experiments.len(), 1);
    assert_eq!(saved.run.experiments[0].experiment.id(), "reuse-code");

    // HAR: a third-party validator (har-schema, the schema behind har-validator) accepts it.
    let checked = node("validate-har.cjs", &[&dir.file("run.har")]);
    ok(&checked);
    let har_doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&har).unwrap()).unwrap();
    let entries = har_doc["log"]["entries"].as_array().unwrap();
    let steps: Vec<&str> = entries
        .iter()
        .map(|e| e["_oauthviz"]["step"].as_str().unwrap())
        .collect();
    // The front channel is there as oauthviz saw it: A, the login pages, the redirect.
    for step in ["A", "B", "C", "D", "F", "R"] {
        assert!(steps.contains(&step), "no {step} in {steps:?}");
    }
    assert!(
        entries
            .iter()
            .any(|e| e["_oauthviz"]["take"] == "experiment reuse-code")
    );
    // ...and a broken HAR is refused by the same validator, so its yes means something.
    let mut broken = har_doc.clone();
    broken["log"]["entries"][0]["request"]
        .as_object_mut()
        .unwrap()
        .remove("headers");
    std::fs::write(dir.file("broken.har"), broken.to_string()).unwrap();
    assert_eq!(
        node("validate-har.cjs", &[&dir.file("broken.har")])
            .status
            .code(),
        Some(1)
    );

    // Mermaid: Mermaid's own parser accepts it; a broken one it does not.
    ok(&node("parse-mermaid.mjs", &[&dir.file("run.mmd")]));
    let text = std::fs::read_to_string(&mmd).unwrap();
    assert!(text.starts_with("sequenceDiagram\n"), "{text}");
    assert!(
        text.contains("rect ") && text.contains("experiment reuse-code"),
        "{text}"
    );
    std::fs::write(dir.file("broken.mmd"), text.replace("->>", "->>>;")).unwrap();
    assert_eq!(
        node("parse-mermaid.mjs", &[&dir.file("broken.mmd")])
            .status
            .code(),
        Some(1)
    );

    // SVG: a real renderer draws it, and the picture is not blank.
    let png = dir.file("run.png");
    let rendered = Command::new("rsvg-convert")
        .args(["-b", "white", "-o"])
        .arg(&png)
        .arg(&svg)
        .output()
        .expect("rsvg-convert runs (apt-get install librsvg2-bin)");
    ok(&rendered);
    let (width, height, inked) = ink(&png);
    assert!(width >= 1280 && height >= 720, "{width}×{height}");
    assert!(
        inked > 5_000,
        "only {inked} dark pixels: the SVG drew next to nothing"
    );

    // Markdown and curl carry every step.
    let report = std::fs::read_to_string(&md).unwrap();
    assert!(
        report.contains("### D→E") && report.contains("`reuse-code`"),
        "{report}"
    );
    let script = std::fs::read_to_string(&sh).unwrap();
    assert!(
        script.contains("curl -i") && script.contains("/token"),
        "{script}"
    );

    // Exported again from the saved file, every format is the same as exported from the run:
    // the file holds everything the exports show.
    for (format, direct) in [
        ("har", &har),
        ("mermaid", &mmd),
        ("markdown", &md),
        ("curl", &sh),
    ] {
        let again = ok(&oauthviz(&["export", &run, "--to", format]));
        let first = std::fs::read_to_string(direct).unwrap();
        let differ = again.lines().zip(first.lines()).find(|(a, b)| a != b);
        assert!(
            differ.is_none() && again.len() == first.len(),
            "{format} from the run file differs: {differ:?}"
        );
    }
}

/// The values the run really used, from its `--json --show-secrets` document.
fn secrets_of(json: &str) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(json).unwrap();
    let e_body = doc["steps"][4]["attempts"][0]["response"]["body"]
        .as_str()
        .unwrap();
    let tokens: serde_json::Value = serde_json::from_str(e_body).unwrap();
    let c_url = doc["steps"][2]["attempts"][0]["request"]["url"]
        .as_str()
        .unwrap();
    let code = url::Url::parse(c_url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    vec![
        tokens["access_token"].as_str().unwrap().to_owned(),
        tokens["refresh_token"].as_str().unwrap().to_owned(),
        tokens["id_token"].as_str().unwrap().to_owned(),
        code,
    ]
}

#[test]
fn secrets_and_tokens_are_in_a_file_only_when_asked_and_the_client_secret_never() {
    let dir = Dir::new("secrets");
    let masked_files = [
        "masked.oauthviz.json",
        "masked.har",
        "masked.md",
        "masked.mmd",
        "masked.sh",
    ];
    let exports: Vec<String> = masked_files[1..]
        .iter()
        .zip(["har", "markdown", "mermaid", "curl"])
        .map(|(f, format)| format!("{format}:{}", dir.arg(f)))
        .collect();
    let mut args = vec!["--json", "--show-secrets", "--save"];
    let save = dir.arg(masked_files[0]);
    args.push(&save);
    for e in &exports {
        args.extend(["--export", e]);
    }
    let used = secrets_of(&ok(&saved_demo_run(&args)));
    for file in masked_files {
        let text = std::fs::read_to_string(dir.file(file)).unwrap();
        for secret in used.iter().map(String::as_str).chain([
            oauthviz::demo::BASIC_CLIENT_SECRET,
            oauthviz::demo::DEMO_PASSWORD,
        ]) {
            assert!(!text.contains(secret), "{file} holds {secret}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.file(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file} is not owner-only");
        }
    }
    let masked = RunFile::open(&dir.file("masked.oauthviz.json")).unwrap();
    assert_eq!(masked.secrets, oauthviz::keep::SecretsIn::Masked);

    let with = dir.arg("with.oauthviz.json");
    let used = secrets_of(&ok(&saved_demo_run(&[
        "--json",
        "--show-secrets",
        "--include-secrets",
        "--save",
        &with,
    ])));
    let text = std::fs::read_to_string(&with).unwrap();
    for secret in &used {
        assert!(
            text.contains(secret.as_str()),
            "the file with secrets lacks {secret}"
        );
    }
    assert!(!text.contains(oauthviz::demo::BASIC_CLIENT_SECRET));
    assert_eq!(
        RunFile::open(Path::new(&with)).unwrap().secrets,
        oauthviz::keep::SecretsIn::Included
    );
}

/// A plain demo flow saved as `name` in `dir`; its path.
fn plain_saved_run(dir: &Dir, name: &str) -> String {
    let path = dir.arg(name);
    ok(&oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--save",
        &path,
    ]));
    path
}

#[test]
fn bad_run_files_are_refused_with_what_is_wrong() {
    let dir = Dir::new("bad");
    let good = plain_saved_run(&dir, "good.oauthviz.json");
    let text = std::fs::read_to_string(&good).unwrap();
    let cases = [
        (
            "cut.oauthviz.json",
            text[..text.len() / 3].to_owned(),
            "cut off",
        ),
        (
            "newer.oauthviz.json",
            text.replacen("\"format_version\": 1", "\"format_version\": 99", 1),
            "newer oauthviz",
        ),
        ("notes.txt", "just some notes".to_owned(), "not JSON"),
        (
            "wrong.oauthviz.json",
            text.replacen("\"steps\": [", "\"steps\": 7, \"x\": [", 1),
            "run.trace.steps",
        ),
    ];
    for (name, content, said) in cases {
        std::fs::write(dir.file(name), content).unwrap();
        let path = dir.arg(name);
        // `oauthviz FILE`, `oauthviz open FILE` and `oauthviz export` all read it first.
        for args in [
            vec![path.as_str()],
            vec!["open", &path],
            vec!["export", &path, "--to", "har"],
        ] {
            let out = oauthviz(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.contains(said) && stderr.contains(name),
                "{args:?}: {stderr}"
            );
        }
    }
    // One step alone: its latest exchange.
    let d = ok(&oauthviz(&["export", &good, "--to", "har", "--step", "E"]));
    let d: serde_json::Value = serde_json::from_str(&d).unwrap();
    let steps: Vec<&serde_json::Value> = d["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["_oauthviz"]["step"])
        .collect();
    assert_eq!(steps, ["D"], "E is the answer of D's exchange");
    let out = oauthviz(&["export", &good, "--to", "svg", "--step", "D"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("always the whole run"));
    let out = oauthviz(&["export", &good, "--to", "pdf"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("choose one of"));
}

/// A run file big enough that writing it takes a while: the demo run with its D attempts
/// repeated.
fn big_run_file(dir: &Dir) -> PathBuf {
    let small = plain_saved_run(dir, "small.oauthviz.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&small).unwrap()).unwrap();
    let steps = doc["run"]["trace"]["steps"].as_array_mut().unwrap();
    for step in steps.iter_mut() {
        let attempts = step["attempts"].as_array_mut().unwrap();
        let first = attempts[0].clone();
        attempts.extend(std::iter::repeat_n(first, 1_500));
    }
    let big = dir.file("big.oauthviz.json");
    std::fs::write(&big, doc.to_string()).unwrap();
    big
}

#[test]
fn a_save_killed_halfway_leaves_the_old_file_or_the_new_one() {
    let dir = Dir::new("kill");
    let big = big_run_file(&dir);
    let out = dir.file("out.oauthviz.json");
    let save = |out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_oauthviz"))
            .arg("export")
            .arg(&big)
            .args(["--to", "run", "-o"])
            .arg(out)
            .spawn()
            .unwrap()
    };
    // The old file, whole; and what the new one is.
    std::fs::write(&out, "{\"format_version\": 1, \"old\": true}").unwrap();
    assert!(
        save(&dir.file("new.oauthviz.json"))
            .wait()
            .unwrap()
            .success()
    );
    let new_len = std::fs::metadata(dir.file("new.oauthviz.json"))
        .unwrap()
        .len();

    let tries = 8;
    let mut mid_write = 0;
    for i in 0..tries {
        let mut child = save(&out);
        // The save writes a temporary file beside the target and renames it when it is whole:
        // kill it once that file is there, a little later each time.
        let temp = dir.file(&format!(".out.oauthviz.json.{}.tmp", child.id()));
        let deadline = Instant::now() + std::time::Duration::from_secs(60);
        while !temp.exists() && Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        std::thread::sleep(std::time::Duration::from_millis(i));
        // SIGKILL: no destructor, no cleanup runs.
        let _ = child.kill();
        let _ = child.wait();
        if temp.exists() {
            mid_write += 1;
            std::fs::remove_file(&temp).unwrap();
        }
        let text = std::fs::read_to_string(&out).unwrap();
        let whole_old = text.contains("\"old\": true");
        let whole_new = text.len() as u64 == new_len && RunFile::parse(&text).is_ok();
        assert!(
            whole_old || whole_new,
            "try {i}: a torn file of {} bytes",
            text.len()
        );
        std::fs::write(&out, "{\"format_version\": 1, \"old\": true}").unwrap();
    }
    assert!(
        mid_write > 0,
        "no kill landed while the file was being written"
    );
}
