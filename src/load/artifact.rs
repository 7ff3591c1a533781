//! `check --artifact FILE[=BUNDLE]`: the file's sha256 and its Sigstore bundle (given, or beside
//! it as `FILE.sigstore.json` / `FILE.sigstore`), verified offline against guardrails.yaml
//! `artifacts.signatures`.
//!
//! Must never: treat a missing bundle as a pass. A missing file is an error (exit 2); a missing
//! or non-verifying bundle is a failed `signature` check (a block).

use crate::load::UsageError;
use crate::model::facts::ArtifactFacts;
use crate::verify::{self, Signers};
use std::path::{Path, PathBuf};

/// The bundle files looked for beside an artifact, in order.
pub const BUNDLE_SUFFIXES: [&str; 2] = [".sigstore.json", ".sigstore"];

/// Hashes and verifies one `--artifact` argument.
pub fn check(arg: &str, signers: &Signers) -> Result<ArtifactFacts, UsageError> {
    let (path, bundle) = split(arg);
    let bytes = std::fs::read(&path).map_err(|e| {
        UsageError::new(
            format!("--artifact {}: cannot read it: {e}", path.display()),
            Some("an artifact that is not there cannot be checked".into()),
        )
    })?;
    let digest = verify::sha256(&bytes);
    let bundle = match bundle {
        Some(b) => {
            if !b.is_file() {
                return Err(UsageError::new(
                    format!("--artifact {arg}: bundle {} does not exist", b.display()),
                    None,
                ));
            }
            Some(b)
        }
        None => BUNDLE_SUFFIXES
            .iter()
            .map(|s| PathBuf::from(format!("{}{s}", path.display())))
            .find(|p| p.is_file()),
    };
    let mut facts = ArtifactFacts {
        path: path.display().to_string(),
        digest: digest.clone(),
        bundle: bundle.as_ref().map(|b| b.display().to_string()),
        signatures: Vec::new(),
    };
    if let Some(b) = &bundle {
        let json = crate::ingest::source::read_file(b).map_err(|e| {
            UsageError::new(
                format!("--artifact {arg}: cannot read bundle {}: {e}", b.display()),
                None,
            )
        })?;
        let r = verify::bundle(&json, &digest, Some(&bytes), signers);
        facts
            .signatures
            .push(verify::evidence(b.display().to_string(), r));
    }
    Ok(facts)
}

/// `FILE=BUNDLE` → (FILE, Some(BUNDLE)); a path that exists as given is never split.
fn split(arg: &str) -> (PathBuf, Option<PathBuf>) {
    if Path::new(arg).exists() {
        return (arg.into(), None);
    }
    match arg.split_once('=') {
        Some((f, b)) => (f.into(), Some(b.into())),
        None => (arg.into(), None),
    }
}
