//! The Sigstore bundles among an artifact's referrers: cosign v3 attaches signatures and
//! attestations there (the referrers API, or its `sha256-<hex>` tag fallback; in an OCI layout,
//! the tag). Images and policies from a registry or a layout read them the same way.

use super::*;

/// The Sigstore bundles that refer to `digest`: `(where it was found, bundle JSON)`. A
/// referrer or bundle whose bytes do not match its digest is named in `integrity` and skipped.
pub(super) async fn bundles(
    repo: &Repo,
    digest: &str,
    timeout: Duration,
    n: &AtomicU32,
    integrity: &mut Vec<String>,
) -> Result<Vec<(String, Vec<u8>)>, Fatal> {
    let refs = match fetch(timeout, || repo.referrers(digest, n)).await? {
        Ok(r) => r,
        Err(Answer::Missing) => Vec::new(),
        Err(Answer::Integrity(m)) => {
            integrity.push(m);
            Vec::new()
        }
    };
    let mut out = Vec::new();
    for r in refs.iter().filter(|r| {
        r.artifact_type
            .as_deref()
            .is_some_and(|t| t.starts_with(BUNDLE))
    }) {
        let m = match fetch(timeout, || repo.manifest(&r.digest, n)).await? {
            Ok((b, _)) => parse::<Manifest>(&b).unwrap_or_default(),
            Err(Answer::Integrity(m)) => {
                integrity.push(m);
                continue;
            }
            Err(Answer::Missing) => continue,
        };
        for l in m.layers.iter().filter(|l| l.media_type.starts_with(BUNDLE)) {
            match fetch(timeout, || repo.blob(&l.digest, MAX_LAYER, n)).await? {
                Ok(b) => out.push((format!("referrer {}", r.digest), b)),
                Err(Answer::Integrity(m)) => integrity.push(m),
                Err(Answer::Missing) => {
                    return Err((
                        format!("{} not found (a layer of referrer {})", l.digest, r.digest),
                        Some("the registry lost a blob it lists; push the signature again".into()),
                    ))
                }
            }
        }
    }
    Ok(out)
}
