//! Records the commit riskgate is built from, for `riskgate --version`. Release builds set
//! RISKGATE_COMMIT; in a git checkout git is asked; anything else (a crates.io tarball) says
//! "unknown".

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-env-changed=RISKGATE_COMMIT");
    let commit = std::env::var("RISKGATE_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| {
            let sha = git(&["rev-parse", "--short=12", "HEAD"])?;
            // Run again when HEAD moves: a new commit on the branch, or another branch.
            if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
                println!("cargo:rerun-if-changed={dir}/HEAD");
                println!("cargo:rerun-if-changed={dir}/packed-refs");
                if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
                    println!("cargo:rerun-if-changed={dir}/{r}");
                }
            }
            Some(sha)
        })
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=RISKGATE_COMMIT={commit}");
}
