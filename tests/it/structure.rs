//! The layout's rules, checked on every build (issue 16): data flows one way between the
//! top-level modules of `src/` (no import cycle), the decision core imports no I/O, network,
//! clock or crypto, no file but `main.rs` and `lib.rs` sits at the top of `src/`, and files stay
//! small enough to read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn src() -> PathBuf {
    crate::common::root().join("src")
}

/// The top-level module a source file belongs to (`decide` for src/decide/coverage.rs).
fn top(p: &Path) -> String {
    let rel = p.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The code of a file without its comments (doc comments name other modules freely).
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `crate::<module>` references of every top-level module.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let from = top(&f);
        if from == "main" || from == "lib" {
            continue;
        }
        let text = code(&std::fs::read_to_string(&f).expect("read"));
        let deps = graph.entry(from.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != from {
                deps.insert(name);
            }
        }
    }
    graph
}

#[test]
fn no_import_cycle_between_layers() {
    let graph = imports();
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for d in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        if let Some(cycle) = visit(n, &graph, &mut Vec::new(), &mut done) {
            panic!(
                "import cycle: {}\n(the graph: {graph:#?})",
                cycle.join(" → ")
            );
        }
    }
}

/// Data flows one way: a layer imports only layers before it in the pipeline
/// (model → ingest, policy → verify → load → decide → report → write → cli). `fuzzing` sits
/// beside the pipeline and may use the layers it fuzzes.
#[test]
fn no_layer_imports_one_after_it_in_the_flow() {
    let rank = |m: &str| match m {
        "model" => Some(0),
        "ingest" | "policy" => Some(1),
        "verify" => Some(2),
        "load" => Some(3),
        "decide" => Some(4),
        "report" => Some(5),
        "write" => Some(6),
        "cli" => Some(7),
        _ => None,
    };
    for (from, deps) in imports() {
        if from == "fuzzing" {
            continue;
        }
        let Some(r) = rank(&from) else {
            panic!("src/{from}/ is a layer the flow does not name: add it to this test and the README's layout");
        };
        for d in deps {
            if let Some(rd) = rank(&d) {
                assert!(
                    rd < r || (rd == r && d == from),
                    "{from} imports {d}, which comes after it in the flow"
                );
            }
        }
    }
}

#[test]
fn the_decision_core_does_no_io_network_clock_or_crypto() {
    let mut files = Vec::new();
    sources(&src().join("decide"), &mut files);
    let forbidden = [
        "std::fs",
        "std::net",
        "std::env",
        "std::process",
        "SystemTime",
        "Instant::now",
        "tokio::",
        "reqwest::",
        "oci_client::",
        "sigstore::",
        "sigstore_verify::",
        "x509_cert::",
        "crate::load",
        "crate::verify",
        "crate::write",
        "crate::cli",
        "crate::report",
        // ingest reads files: the core takes its data types from model/ instead
        "crate::ingest",
        "Source::read",
        "read_file",
    ];
    for f in files {
        let text = code(&std::fs::read_to_string(&f).expect("read"));
        for word in forbidden {
            assert!(
                !text.contains(word),
                "{} uses `{word}`: the decision core reads facts, it does not fetch, read, time or verify",
                f.display()
            );
        }
    }
}

/// The core reads typed facts: dates were parsed, globs compiled and versions matched by the
/// layers before it (`model::date::DateText`, `policy::glob`), so no text is parsed while
/// deciding. Unit tests at the end of a file may build their inputs from text.
#[test]
fn the_decision_core_parses_no_strings() {
    let mut files = Vec::new();
    sources(&src().join("decide"), &mut files);
    let forbidden = [
        "::parse(",
        "parse::<",
        "globset::",
        "GlobBuilder",
        "Glob::new",
        "from_str",
        "from_slice",
        "semver::",
    ];
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let text = code(text.split("#[cfg(test)]").next().unwrap_or_default());
        for word in forbidden {
            assert!(
                !text.contains(word),
                "{} uses `{word}`: the decision core reads what loading and the policy parsed",
                f.display()
            );
        }
    }
}

#[test]
fn the_policy_layer_parses_texts_and_reads_no_files() {
    let mut files = Vec::new();
    sources(&src().join("policy"), &mut files);
    for f in files {
        let text = code(&std::fs::read_to_string(&f).expect("read"));
        for word in [
            "std::fs",
            "read_file",
            ".exists()",
            "std::env",
            "crate::ingest::source",
            "crate::load",
        ] {
            assert!(
                !text.contains(word),
                "{} uses `{word}`: policy/ turns texts into a validated policy; load/ reads the files",
                f.display()
            );
        }
    }
}

#[test]
fn the_model_depends_on_nothing_else() {
    let graph = imports();
    let deps = graph.get("model").cloned().unwrap_or_default();
    assert!(
        deps.is_empty(),
        "model/ is what every layer shares, so it imports none of them: {deps:?}"
    );
}

#[test]
fn only_main_and_lib_at_the_top_of_src() {
    let mut tops: Vec<String> = std::fs::read_dir(src())
        .expect("read_dir")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    tops.sort();
    assert_eq!(tops, ["lib.rs", "main.rs"]);
}

#[test]
fn source_files_stay_readable() {
    // A file over 800 lines holds more than one idea: split it along them.
    let mut files = Vec::new();
    sources(&src(), &mut files);
    for f in files {
        let rel = f
            .strip_prefix(src())
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let lines = std::fs::read_to_string(&f).expect("read").lines().count();
        let limit = 800;
        assert!(
            lines <= limit,
            "src/{rel} has {lines} lines, more than {limit}: split it along its ideas"
        );
    }
}

/// Every `code(riskgate::...)` a diagnostic gives is in the one registry of codes
/// (`model::code::Code`), and every code there is given somewhere (by a derive's
/// `code(riskgate::...)` or as `Code::Variant` in a policy problem): scripts and support pages
/// can rely on the list.
#[test]
fn every_diagnostic_code_is_registered_and_used() {
    use riskgate::model::code::Code;
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut used = BTreeSet::new();
    for f in files {
        let text = code(&std::fs::read_to_string(&f).expect("read"));
        if !f.ends_with("model/code.rs") {
            for c in Code::ALL {
                let variant = format!("Code::{c:?}");
                let given = text.match_indices(&variant).any(|(i, _)| {
                    !text[i + variant.len()..].starts_with(|ch: char| ch.is_alphanumeric())
                });
                if given {
                    used.insert(c.as_str().to_string());
                }
            }
        }
        for (i, _) in text.match_indices("code(riskgate::") {
            let rest = &text[i + "code(".len()..];
            let end = rest.find(')').expect("a closed code(...)");
            used.insert(rest[..end].to_string());
        }
    }
    let listed: BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    let unlisted: Vec<&String> = used.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "not in model::code::Code: {unlisted:?}"
    );
    let unused: Vec<&String> = listed.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "listed but given by no diagnostic: {unused:?}"
    );
}
