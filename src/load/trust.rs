//! The facts trust decisions rest on, established while loading: each acceptance's signature,
//! what CODEOWNERS proves of each approver, which images the run gates, and who signed each VEX
//! document.

use super::*;
use crate::model::finding::ScanKind;

/// Each acceptance's signature, verified once ([`crate::verify::signing::verify_all`]).
pub(super) fn acceptance_signatures(
    policy: &Policy,
    trusted_root: Option<&[u8]>,
) -> Vec<crate::model::facts::AcceptanceSignature> {
    match &policy.acceptances {
        Some((accs, _)) => {
            crate::verify::signing::verify_all(&accs.acceptances, &policy.ownership, trusted_root)
        }
        None => Vec::new(),
    }
}

/// Under `acceptances.approvals: code_review`: for each approver the acceptances file names,
/// the CODEOWNERS line that makes their review required for changes to the acceptances file and
/// to every file of the policy directory, or why nothing does.
pub(super) fn review_proofs(
    policy: &Policy,
    policy_dir: Option<&Path>,
    acceptances: Option<&Path>,
) -> Option<crate::model::facts::ReviewProofs> {
    use crate::policy::codeowners::{requires_review, Codeowners, LOCATIONS};
    use crate::policy::guardrails::Approvals;
    let cfg = &policy.guardrails.acceptances;
    if cfg.approvals != Approvals::CodeReview {
        return None;
    }
    let (accs, _) = policy.acceptances.as_ref()?;
    let acceptances = acceptances?;
    let approvers: std::collections::BTreeSet<&str> = accs
        .acceptances
        .iter()
        .filter_map(|a| a.approved_by.as_deref())
        .collect();
    let all = |why: String| {
        Some(
            approvers
                .iter()
                .map(|p| (p.to_string(), Err(why.clone())))
                .collect(),
        )
    };
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    // The file, and the repository root its patterns are relative to.
    let (file, root) = match (&cfg.codeowners, policy_dir) {
        (Some(rel), Some(dir)) => {
            let f = abs(&dir.join(rel));
            let parent = f.parent().map(Path::to_path_buf).unwrap_or_default();
            let root = match parent.file_name().and_then(|n| n.to_str()) {
                Some(".github" | "docs" | ".gitlab") => {
                    parent.parent().map(Path::to_path_buf).unwrap_or(parent)
                }
                _ => parent,
            };
            (f, root)
        }
        _ => {
            let start = abs(acceptances.parent().unwrap_or(Path::new(".")));
            let root = start
                .ancestors()
                .find(|d| d.join(".git").exists())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| abs(Path::new(".")));
            match LOCATIONS.iter().map(|l| root.join(l)).find(|p| p.is_file()) {
                Some(f) => (f, root),
                None => {
                    return all(format!(
                        "acceptances.approvals is code_review, but the repository at {} has no CODEOWNERS ({})",
                        root.display(),
                        LOCATIONS.join(", ")
                    ))
                }
            }
        }
    };
    let text = match crate::ingest::source::read_file(&file)
        .map_err(|e| e.to_string())
        .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8 text".to_string()))
    {
        Ok(t) => t,
        Err(e) => return all(format!("cannot read {}: {e}", file.display())),
    };
    let rel = |p: &Path| -> Option<String> {
        abs(p)
            .strip_prefix(&root)
            .ok()
            .map(|r| r.to_string_lossy().replace('\\', "/"))
    };
    let Some(shown) = rel(&file) else {
        return all(format!("{} is outside the repository", file.display()));
    };
    let codeowners = Codeowners::parse(shown, &text);
    // What a pull request must not change without the approver: the acceptances file, then
    // every file of the policy directory.
    let mut files = Vec::new();
    match rel(acceptances) {
        Some(r) => files.push(r),
        None => {
            return all(format!(
                "the acceptances file {} is outside the repository at {}",
                acceptances.display(),
                root.display()
            ))
        }
    }
    if let Some(dir) = policy_dir {
        let mut stack = vec![dir.to_path_buf()];
        let mut found = Vec::new();
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Some(r) = rel(&p) {
                    found.push(r);
                }
            }
        }
        found.sort();
        found.retain(|f| *f != files[0]);
        files.extend(found);
    }
    let own = &policy.ownership;
    Some(
        approvers
            .iter()
            .map(|who| {
                let mut handles: Vec<String> = own
                    .people
                    .get(*who)
                    .map(|p| {
                        [p.github.as_deref(), p.gitlab.as_deref()]
                            .into_iter()
                            .flatten()
                            .map(|h| format!("@{}", h.trim_start_matches('@')))
                            .collect()
                    })
                    .unwrap_or_default();
                if !handles.is_empty() {
                    handles.push(who.to_string());
                }
                (
                    who.to_string(),
                    requires_review(&codeowners, &files, &handles, who),
                )
            })
            .collect(),
    )
}

/// What `pkg:oci/...` VEX products are matched against. `--image`s are resolved and verified
/// here, so when any is given only they count; a report's word on what it scanned is used only
/// when the run has no `--image`.
pub(super) fn gated_images(images: &[ImageFacts], reports: &[ingest::Parsed]) -> Vec<GatedImage> {
    let mut out: Vec<GatedImage> = if images.is_empty() {
        reports
            .iter()
            .filter(|r| r.meta.kinds.contains(&ScanKind::ContainerScanning))
            .flat_map(|r| {
                let named = r
                    .meta
                    .target
                    .as_deref()
                    .and_then(|t| GatedImage::parse(t, None));
                let pinned = r
                    .meta
                    .repo_digests
                    .iter()
                    .filter_map(|d| GatedImage::parse(d, None));
                named.into_iter().chain(pinned)
            })
            .collect()
    } else {
        images
            .iter()
            .filter_map(|i| GatedImage::parse(&i.name, i.digest.as_deref()))
            .collect()
    };
    out.sort();
    out.dedup();
    out
}

/// Reads a `--vex` file: a VEX document (with, optionally, a Sigstore bundle beside it as
/// `FILE.sigstore.json`) or a signed VEX attestation, and records on each statement which
/// `vex.trusted` signer verified it, or why none did.
/// `vex.from_registry`: the VEX attestations attached to each gated image, opened under the
/// same trust rules as `--vex` files, and only those whose statement is about that image's
/// digest (a VEX attestation copied from another image says nothing of this one).
pub(super) fn registry_vex(
    images: &[crate::model::facts::ImageFacts],
    opts: &crate::load::image::RegistryOptions,
    signers: &Signers,
) -> Result<Vec<VexStatement>, InputError> {
    let given: Vec<String> = images.iter().map(|i| i.reference.clone()).collect();
    let run_hosts = crate::load::image::registry_hosts(&given);
    let mut out = Vec::new();
    for img in images.iter().filter(|i| i.skipped.is_none()) {
        let Some(digest) = img.digest.as_deref() else {
            continue;
        };
        let at = match img.reference.rsplit_once('@') {
            Some((name, _)) => format!("{name}@{digest}"),
            None => img.reference.clone(),
        };
        let (_, envelopes, bundles) =
            crate::load::image::attestations_and_bundles(&at, Some(&run_hosts), opts).map_err(
                |e| InputError::Invalid {
                    path: format!("the VEX attached to {}", e.reference),
                    message: e.message,
                    help: e.help,
                },
            )?;
        // DSSE envelopes under the `.att` tag, and Sigstore bundles in the referrers (cosign v3)
        let attached = envelopes
            .into_iter()
            .map(|(s, e)| (s, e, false))
            .chain(bundles.into_iter().map(|(s, b)| (s, b, true)));
        for (source, env, bundle) in attached {
            let claimed = if bundle {
                crate::verify::bundle_claimed_predicate(&env)
            } else {
                crate::verify::envelope_claimed_predicate(&env)
            };
            let is_vex = claimed.is_some_and(|p| crate::verify::vex_predicate(&p));
            if !is_vex {
                continue;
            }
            let shown = format!("{} ({source})", img.reference);
            let opened = crate::verify::open_vex(&env, None, signers).map_err(|message| {
                InputError::Invalid {
                    path: shown.clone(),
                    message,
                    help: None,
                }
            })?;
            if !opened.subjects.iter().any(|s| s == digest) {
                continue;
            }
            let parsed = ingest::parse_vex(&ingest::Source::from_bytes(shown, opened.document))?;
            let unverified = (!opened.problems.is_empty()).then(|| opened.problems.join("; "));
            out.extend(parsed.vex.into_iter().map(|mut s| {
                s.signed_by = opened.signer.clone();
                s.unverified = unverified.clone();
                s
            }));
        }
    }
    Ok(out)
}

pub(super) fn load_vex(path: &Path, signers: &Signers) -> Result<Vec<VexStatement>, InputError> {
    let src = ingest::Source::read(path)?;
    let shown = src.path.clone();
    let sidecar_path = PathBuf::from(format!("{}.sigstore.json", path.display()));
    let sidecar = if path.as_os_str() != ingest::STDIN && sidecar_path.is_file() {
        Some(
            ingest::source::read_file(&sidecar_path)
                .map_err(|e| InputError::read(&sidecar_path.display().to_string(), e))?,
        )
    } else {
        None
    };
    let opened = crate::verify::open_vex(src.json(), sidecar.as_deref(), signers).map_err(
        |message| InputError::Invalid {
            path: shown.clone(),
            message,
            help: Some("--vex takes a VEX document, or an OpenVEX attestation (DSSE envelope or Sigstore bundle)".into()),
        },
    )?;
    let parsed = ingest::parse_vex(&ingest::Source::from_bytes(shown, opened.document))?;
    let unverified = (!opened.problems.is_empty()).then(|| opened.problems.join("; "));
    Ok(parsed
        .vex
        .into_iter()
        .map(|mut s| {
            s.signed_by = opened.signer.clone();
            s.unverified = unverified.clone();
            s
        })
        .collect())
}
