//! The shape of the source tree: no file-level import circles, and the layers of ARCHITECTURE.md.
//!
//! Reads `src/` as text (no parsing crate): every `use crate::…` / `use super::…` (groups
//! included) and every `crate::a::b::…` / `super::…` path in the code is an edge from its file
//! to the file that defines the module it names (`src/a/b.rs` or `src/a/b/mod.rs`; for an item
//! path like `crate::a::b::Item`, the deepest module that has a file). `mod x;` declarations and
//! a parent's `pub use child::…` are not edges: a folder's `mod.rs` is its front door. Test
//! modules (`#[cfg(test)] mod x { … }` at the end of a file, `#[cfg(test)] mod x;` files) are
//! left out: tests may reach anywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// (files under this top-level module, must never reach these top-level modules).
const LAYERS: &[(&str, &[&str])] = &[
    ("protocol", &["engine", "gui", "cli", "workbench", "demo"]),
    ("trace", &["engine", "gui", "cli", "workbench", "demo"]),
    ("engine", &["gui", "cli", "workbench"]),
    ("workbench", &["gui", "cli", "keep", "export"]),
    ("keep", &["gui", "cli", "export"]),
    ("export", &["gui", "cli"]),
    ("demo", &["engine", "gui", "cli"]),
    // Under both the listener and the demo provider: it knows neither, nor OAuth.
    (
        "serve",
        &[
            "protocol",
            "trace",
            "engine",
            "gui",
            "cli",
            "workbench",
            "demo",
        ],
    ),
];

/// One source file as a module: `["gui", "diagram"]` for `src/gui/diagram/mod.rs`.
#[derive(Debug)]
struct Module {
    file: PathBuf,
    path: Vec<String>,
    /// The code without comments, string contents and the trailing test module.
    code: String,
}

/// Where an edge comes from, for the failure message.
#[derive(Clone, Debug)]
struct Evidence {
    line: usize,
    path: String,
}

struct Graph {
    modules: BTreeMap<String, Module>,
    edges: BTreeMap<String, BTreeMap<String, Evidence>>,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` → `[a, b]`, `src/a/mod.rs` → `[a]`, `src/lib.rs` → `[]`.
fn module_path(file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src_dir()).expect("a file under src/");
    let mut path: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(path.as_slice(), [only] if only == "lib") || path.last().is_some_and(|l| l == "mod")
    {
        path.pop();
    }
    path
}

fn name(path: &[String]) -> String {
    if path.is_empty() {
        "lib".into()
    } else {
        path.join("/")
    }
}

/// Removes `//` and `/* */` comments and the contents of string and char literals, keeping
/// every newline so offsets still map to lines.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                if chars[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            // A raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                match chars.get(j) {
                    None => break,
                    Some('"') if (1..=hashes).all(|h| chars.get(j + h) == Some(&'#')) => {
                        j += 1 + hashes;
                        break;
                    }
                    Some('\n') => out.push('\n'),
                    _ => {}
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if chars.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\'' && is_char_literal(&chars, i) {
            // Skip '\'', '"', '{' and the like; lifetimes ('a) are left alone.
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            out.push_str("' '");
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

fn is_char_literal(chars: &[char], i: usize) -> bool {
    matches!(
        (chars.get(i + 1), chars.get(i + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// The file up to its test module, and the names of test-only child modules (`#[cfg(test)]
/// mod x;`). Panics if anything but the test module's closing brace follows it at the top level,
/// since then stopping there would skip real code.
fn without_tests(file: &Path, text: &str) -> (String, Vec<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept = Vec::new();
    let mut test_children = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() == "#[cfg(test)]"
            && let Some(next) = lines.get(i + 1)
        {
            let item = next
                .trim()
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            if let Some(child) = item.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
                test_children.push(child.trim().to_string());
            } else if item.starts_with("mod ") && item.ends_with('{') {
                let after: Vec<&str> = lines[i + 2..]
                    .iter()
                    .copied()
                    .filter(|l| !l.is_empty() && !l.starts_with(char::is_whitespace))
                    .collect();
                assert!(
                    after == ["}"],
                    "{}: the test module at line {} is not the end of the file; \
                     tests/it/architecture.rs stops reading a file at its test module",
                    file.display(),
                    i + 1
                );
                break;
            }
        }
        kept.push(*line);
    }
    (kept.join("\n"), test_children)
}

/// The paths a `use` tree names: `crate::a::{b, c::{self, D}}` → `crate::a::b`, `crate::a::c`,
/// `crate::a::c::D`.
fn use_tree_paths(tree: &str) -> Vec<Vec<String>> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in tree.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        if matches!(c, '{' | '}' | ',' | '*') {
            tokens.push(c.to_string());
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    let mut out = Vec::new();
    parse_tree(&tokens, &mut 0, &[], &mut out);
    out
}

/// Reads one tree at `pos` under `prefix`: a path, then a group, `*`, `self` or `as name`.
fn parse_tree(tokens: &[String], pos: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    while let Some(token) = tokens.get(*pos) {
        *pos += 1;
        match token.as_str() {
            "{" => {
                while tokens.get(*pos).is_some_and(|t| t != "}") {
                    parse_tree(tokens, pos, &path, out);
                    if tokens.get(*pos).is_some_and(|t| t == ",") {
                        *pos += 1;
                    }
                }
                *pos += 1; // the closing brace
                return;
            }
            "as" => *pos += 1, // the new name
            "*" | "self" => {}
            "," | "}" => {
                *pos -= 1; // the group's
                break;
            }
            segment => path.push(segment.to_string()),
        }
    }
    out.push(path);
}

fn line_of(code: &str, offset: usize) -> usize {
    code[..offset].matches('\n').count() + 1
}

/// Every `crate::…`/`super::…` path in `code`, with its line: from `use` items (groups
/// expanded) and from paths written inline.
fn referenced_paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let boundary = |at: usize| {
        at == 0
            || !(bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b'$'
                || bytes[at - 1] == b':')
    };
    let mut use_items = Vec::new();
    for (at, _) in code.match_indices("use ") {
        if !boundary(at) {
            continue;
        }
        let Some(end) = code[at..].find(';') else {
            continue;
        };
        use_items.push(at..at + end);
        let tree = &code[at + 4..at + end];
        for path in use_tree_paths(tree) {
            if matches!(path.first().map(String::as_str), Some("crate" | "super")) {
                found.push((line_of(code, at), path));
            }
        }
    }
    for root in ["crate::", "super::"] {
        for (at, _) in code.match_indices(root) {
            if !boundary(at) || use_items.iter().any(|item| item.contains(&at)) {
                continue;
            }
            let rest = &code[at..];
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let path: Vec<String> = rest[..len]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            found.push((line_of(code, at), path));
        }
    }
    found
}

/// The module a path lands in: `super`s climb from `from`, then the deepest prefix that has a file.
fn resolve(
    from: &[String],
    path: &[String],
    files: &BTreeMap<Vec<String>, String>,
) -> Option<String> {
    let mut base: Vec<String> = Vec::new();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => rest = &rest[1..],
        Some("super") => {
            base = from.to_vec();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let full: Vec<String> = base.into_iter().chain(rest.iter().cloned()).collect();
    (0..=full.len())
        .rev()
        .find_map(|n| files.get(&full[..n]).cloned())
}

fn graph() -> Graph {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    files.sort();
    let mut modules = BTreeMap::new();
    let mut test_only = BTreeSet::new();
    for file in files {
        if file == src_dir().join("main.rs") {
            continue; // the binary: a crate of its own
        }
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        let (kept, test_children) = without_tests(&file, &text);
        let path = module_path(&file);
        for child in test_children {
            let mut child_path = path.clone();
            child_path.push(child);
            test_only.insert(child_path);
        }
        let code = strip_comments_and_strings(&kept);
        modules.insert(name(&path), Module { file, path, code });
    }
    modules.retain(|_, m| !test_only.contains(&m.path));
    let by_path: BTreeMap<Vec<String>, String> = modules
        .iter()
        .map(|(n, m)| (m.path.clone(), n.clone()))
        .collect();
    let mut edges: BTreeMap<String, BTreeMap<String, Evidence>> = BTreeMap::new();
    for (from, module) in &modules {
        let targets = edges.entry(from.clone()).or_default();
        for (line, path) in referenced_paths(&module.code) {
            let Some(to) = resolve(&module.path, &path, &by_path) else {
                continue;
            };
            if &to != from {
                targets.entry(to).or_insert(Evidence {
                    line,
                    path: path.join("::"),
                });
            }
        }
    }
    Graph { modules, edges }
}

impl Graph {
    fn file(&self, module: &str) -> String {
        let file = &self.modules[module].file;
        file.strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
            .unwrap_or(file)
            .display()
            .to_string()
    }

    fn targets(&self, module: &str) -> impl Iterator<Item = &String> {
        self.edges.get(module).into_iter().flat_map(|t| t.keys())
    }

    /// The shortest chain of edges from `from` to a module accepted by `goal`, going on only
    /// through modules accepted by `through`, if there is one.
    fn shortest_path(
        &self,
        from: &str,
        goal: impl Fn(&str) -> bool,
        through: impl Fn(&str) -> bool,
    ) -> Option<Vec<String>> {
        let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([from]);
        let mut seen = BTreeSet::from([from]);
        while let Some(at) = queue.pop_front() {
            if at != from && goal(at) {
                let mut path = vec![at.to_string()];
                let mut step = at;
                while let Some(&prev) = came_from.get(step) {
                    path.push(prev.to_string());
                    step = prev;
                }
                path.reverse();
                return Some(path);
            }
            if at != from && !through(at) {
                continue;
            }
            for next in self.targets(at) {
                if seen.insert(next) {
                    came_from.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
        None
    }

    /// One cycle through every edge that is part of one (the shortest), rotated to start at
    /// its smallest module and deduplicated. Any circle has an edge, so none is missed.
    fn cycles(&self) -> BTreeSet<Vec<String>> {
        let mut cycles = BTreeSet::new();
        for (from, targets) in &self.edges {
            for to in targets.keys() {
                let Some(back) = self.shortest_path(to, |m| m == from, |_| true) else {
                    continue;
                };
                let mut cycle: Vec<String> = std::iter::once(from.clone()).chain(back).collect();
                cycle.pop(); // the closing `from`
                let start = (0..cycle.len()).min_by_key(|&i| &cycle[i]).unwrap_or(0);
                cycle.rotate_left(start);
                cycles.insert(cycle);
            }
        }
        cycles
    }

    /// `a.rs -> b.rs (line 7: crate::b::X)` for each step of a chain.
    fn describe(&self, chain: &[String]) -> String {
        let mut text = String::new();
        for pair in chain.windows(2) {
            let evidence = &self.edges[&pair[0]][&pair[1]];
            let _ = write!(
                text,
                "\n    {} -> {}  (line {}: {})",
                self.file(&pair[0]),
                self.file(&pair[1]),
                evidence.line,
                evidence.path
            );
        }
        text
    }
}

#[test]
fn there_are_no_import_circles_between_files() {
    let graph = graph();
    let mut report = String::new();
    for cycle in &graph.cycles() {
        let mut closed = cycle.clone();
        closed.push(cycle[0].clone());
        let _ = write!(report, "\n  circle: {}", graph.describe(&closed));
    }
    assert!(
        report.is_empty(),
        "file-level import circles in src/ (move the shared item to the file it belongs to):{report}"
    );
}

/// The layers of ARCHITECTURE.md, directly or through any chain of files.
#[test]
fn layers_only_use_the_layers_below_them() {
    let graph = graph();
    let mut report = String::new();
    for (layer, forbidden) in LAYERS {
        for module in graph
            .modules
            .keys()
            .filter(|m| m.split('/').next() == Some(layer))
        {
            let top = |m: &str| m.split('/').next().unwrap_or(m).to_string();
            let is_forbidden = |m: &str| forbidden.contains(&top(m).as_str());
            // Reached directly or through other layers; a chain through a file of the same
            // layer is reported from that file instead, so each leak is named once.
            let outside = |m: &str| top(m) != *layer;
            if let Some(chain) = graph.shortest_path(module, is_forbidden, outside) {
                let _ = write!(
                    report,
                    "\n  {} must not depend on {}:{}",
                    graph.file(module),
                    forbidden.join(", "),
                    graph.describe(&chain)
                );
            }
        }
    }
    assert!(report.is_empty(), "layering broken:{report}");
}

/// The reader itself: if it found no edges, every check above would pass vacuously.
#[test]
fn the_reader_sees_use_lines_groups_and_inline_paths() {
    let graph = graph();
    let edge = |from: &str, to: &str| graph.edges.get(from).is_some_and(|t| t.contains_key(to));
    // `use crate::gui::theme::{self, Palette};`
    assert!(edge("gui/app", "gui/theme"));
    // `use super::http::{…}` from a sibling, and `use super::{…, Misbehaviour}` to the parent.
    assert!(edge("demo/token", "demo/http"));
    assert!(edge("demo/token", "demo"));
    // Inline paths: `crate::engine::discovery::discover(…)` in a function body.
    assert!(graph.modules.values().any(|m| m.code.contains("crate::")));
    let paths = use_tree_paths("crate::a::{b, c::{self, D}, e as f}");
    let expected: Vec<Vec<String>> = [
        &["crate", "a", "b"][..],
        &["crate", "a", "c"],
        &["crate", "a", "c", "D"],
        &["crate", "a", "e"],
    ]
    .iter()
    .map(|p| p.iter().map(|s| s.to_string()).collect())
    .collect();
    assert_eq!(paths, expected);
}
