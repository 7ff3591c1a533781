//! Every fuzz target (`fuzz/`, see `src/fuzzing/`) replayed on its seeds and on every input
//! that once crashed it (`fuzz/regressions/TARGET/`), so a fixed crash stays fixed and the
//! properties the targets check hold on the real fixtures.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed directories of a target: the same as fuzz/run.sh's.
fn seeds(target: &str) -> Vec<PathBuf> {
    let r = root();
    let fixtures = r.join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = match target {
        "report" => [
            "trivy",
            "grype",
            "sarif",
            "gitlab",
            "cyclonedx",
            "openvex",
            "corpus",
        ]
        .iter()
        .map(|d| fixtures.join(d))
        .chain([r.join("tests/data")])
        .collect(),
        "policy" | "acceptances_edit" => vec![
            r.join("policies/default"),
            r.join("examples/policy"),
            r.join("fuzz/seeds/policy"),
        ],
        "threat_intel" => vec![fixtures.join("kev"), r.join("fuzz/seeds/threat_intel")],
        "timestamp" => vec![r.join("fuzz/seeds/timestamp")],
        other => panic!("no seeds for fuzz target {other}"),
    };
    dirs.push(r.join("fuzz/regressions").join(target));
    dirs
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_target_holds_on_its_seeds_and_past_crashes() {
    for (name, target) in riskgate::fuzzing::TARGETS {
        let mut inputs = Vec::new();
        for d in seeds(name) {
            files(&d, &mut inputs);
        }
        inputs.sort();
        assert!(!inputs.is_empty(), "fuzz target {name} has no seeds");
        for p in &inputs {
            let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let run = std::panic::catch_unwind(|| target(&bytes));
            assert!(run.is_ok(), "fuzz target {name} fails on {}", p.display());
        }
    }
}

#[test]
fn run_sh_and_the_replay_name_the_same_targets() {
    let script = std::fs::read_to_string(root().join("fuzz/run.sh")).unwrap();
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).unwrap();
    for (name, _) in riskgate::fuzzing::TARGETS {
        assert!(script.contains(name), "fuzz/run.sh does not know {name}");
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] {name}"
        );
        assert!(root().join(format!("fuzz/fuzz_targets/{name}.rs")).exists());
    }
}
