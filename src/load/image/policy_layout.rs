//! The policy as an OCI image layout (a directory with `oci-layout`, `index.json` and
//! `blobs/sha256/`), for organisations that move artifacts without a registry: air-gapped
//! runners, release bundles, a repository of policies (`skopeo copy oci:DIR:TAG docker://...`
//! publishes it unchanged). `policy push DIR oci:LAYOUT[:TAG]` writes it, signed as in a
//! registry (the `sha256-<hex>.sig` manifest, named in `index.json`); `--policy
//! oci:LAYOUT@sha256:...` reads it with the checks and the cache of a registry's policy.

use super::policy::{
    check_copy, policy_artifact, signature, write_copy, PolicyManifest, PolicyTrust,
};
use super::*;

/// `--policy oci:LAYOUT@sha256:...` (or `oci:LAYOUT:TAG` with `allow_tag`): the layout's
/// manifest, files and signatures, copied into the cache and checked there.
pub fn fetch(
    given: &str,
    trust: Option<&PolicyTrust>,
    allow_tag: bool,
) -> Result<PolicyPin, Fatal> {
    let (dir, at) = match parse_target(&format!("oci:{given}")) {
        Ok(Target::Layout { dir, at }) => (dir, at),
        Ok(Target::Registry(_)) | Err(_) => {
            return Err((
                format!("--policy oci:{given}: not an OCI layout (oci:DIR@sha256:...)"),
                None,
            ))
        }
    };
    let shown = format!("oci:{}", dir.display());
    let (refs, only) = layout_refs(&dir).map_err(|m| (format!("--policy {shown}: {m}"), None))?;
    let pinned = at.as_deref().is_some_and(|a| a.starts_with("sha256:"));
    if !pinned && !allow_tag {
        return Err((
            format!("--policy oci:{given} names no digest: a layout's tags can be moved, so the policy must be pinned"),
            Some(format!("use {shown}@sha256:<digest> (`riskgate policy push` prints it), or --policy-allow-tag")),
        ));
    }
    let at = at.or(only).ok_or_else(|| {
        (
            format!("{shown} holds several manifests; name one with @sha256:... or :TAG"),
            None,
        )
    })?;
    let digest = if pinned {
        at.clone()
    } else {
        refs.get(&at)
            .cloned()
            .ok_or_else(|| (format!("{shown}: no tag `{at}`"), None))?
    };
    let blob = |d: &str| -> Result<Vec<u8>, Fatal> {
        read_layout_blob(&dir, d).map_err(|e| match e {
            Fetch::Missing => (format!("{shown}: blob {d} is missing"), None),
            Fetch::Integrity(m) => (format!("{shown}: integrity failure: {m}"), None),
            Fetch::Transient(m, h) | Fetch::Failed(m, h) => (format!("{shown}: {m}"), h),
        })
    };
    let manifest = blob(&digest)?;
    let m: PolicyManifest = serde_json::from_slice(&manifest).map_err(|e| {
        (
            format!("{shown}@{digest}: not an OCI image manifest: {e}"),
            None,
        )
    })?;
    let mut files = Vec::new();
    for l in &m.layers {
        let title = l
            .annotations
            .get(super::policy::TITLE)
            .cloned()
            .unwrap_or_default();
        files.push((title, blob(&l.digest)?));
    }
    let mut sigs = Vec::new();
    let mut bundles = Vec::new();
    if trust.is_some_and(PolicyTrust::keyless) {
        // the layout's referrers: the `sha256-<hex>` tag (what cosign and skopeo write)
        let repo = Repo::Layout {
            dir: dir.clone(),
            refs: refs.clone(),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| (format!("cannot start the runtime: {e}"), None))?;
        let mut integrity = Vec::new();
        let n = AtomicU32::new(0);
        bundles = rt.block_on(super::referrers::bundles(
            &repo,
            &digest,
            Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            &n,
            &mut integrity,
        ))?;
        if let Some(m) = integrity.first() {
            return Err((format!("{shown}: integrity failure: {m}"), None));
        }
    } else if trust.is_some() {
        let tag = format!("{}.sig", digest.replace(':', "-"));
        if let Some(d) = refs.get(&tag) {
            let sm: Manifest = parse(&blob(d)?).unwrap_or_default();
            for l in sm.layers.iter().filter(|l| l.media_type == SIMPLESIGNING) {
                if let Some(sig) = l.annotations.get(SIG_ANNOTATION) {
                    let p = blob(&l.digest)?;
                    sigs.push((String::from_utf8_lossy(&p).into_owned(), sig.clone()));
                }
            }
        }
    }
    let root = cache_root().join("policies");
    let copy = root.join(digest.replace(':', "-"));
    write_copy(&root, &copy, &manifest, &files, &sigs, &bundles).map_err(|e| {
        (
            format!("cannot write the policy cache {}: {e}", root.display()),
            Some("set RISKGATE_CACHE_DIR to a writable directory".into()),
        )
    })?;
    check_copy(&copy, &digest, trust).map_err(|e| (format!("{shown}@{digest}: {e}"), None))?;
    Ok(PolicyPin {
        source: format!("{shown}@{digest}"),
        tag: (!pinned).then_some(at),
        digest,
        dir: copy,
    })
}

/// What `policy push DIR oci:LAYOUT[:TAG]` is to write (the writing is not done here: loading
/// reads, it does not change files): the artifact's blobs, and the manifests to name in the
/// layout's `index.json`.
pub struct LayoutPlan {
    pub dir: PathBuf,
    /// Every blob, by digest: config, files, manifest, and the signature's.
    pub blobs: Vec<(String, Vec<u8>)>,
    /// (ref name, manifest digest, size): the tag (default `latest`), then the signature's
    /// `sha256-<hex>.sig` when signed.
    pub names: Vec<(String, String, usize)>,
    /// The policy manifest's digest.
    pub digest: String,
}

/// The layout `policy push DIR oci:LAYOUT[:TAG]` writes, signed with `sign` as in a registry.
pub fn plan(dir: &Path, layout: &str, sign: Option<(&[u8], &[u8])>) -> Result<LayoutPlan, Fatal> {
    // read as `--image oci:...` reads it; a layout that does not exist yet is DIR[:TAG]
    let (out, tag) = match parse_target(&format!("oci:{layout}")) {
        Ok(Target::Layout { at: Some(d), .. }) if d.starts_with("sha256:") => {
            return Err((
                format!(
                    "oci:{layout}: push names a tag, not a digest (the digest is what it prints)"
                ),
                None,
            ))
        }
        Ok(Target::Layout { dir, at }) => (dir, at.unwrap_or_else(|| "latest".to_string())),
        Ok(Target::Registry(_)) | Err(_) => (PathBuf::from(layout), "latest".to_string()),
    };
    let (layers, config, manifest) = policy_artifact(dir)?;
    let mut blobs = Vec::new();
    let mut put = |bytes: Vec<u8>| -> String {
        let digest = verify::sha256(&bytes);
        blobs.push((digest.clone(), bytes));
        digest
    };
    put(config.data.to_vec());
    for l in &layers {
        put(l.data.to_vec());
    }
    let manifest_bytes = serde_json::to_vec(&manifest)
        .map_err(|e| (format!("cannot encode the manifest: {e}"), None))?;
    let size = manifest_bytes.len();
    let digest = put(manifest_bytes);
    let mut names = vec![(tag, digest.clone(), size)];
    if let Some((key, password)) = sign {
        let (layer, config) = signature(&format!("oci:{}", out.display()), &digest, key, password)?;
        put(config.data.to_vec());
        put(layer.data.to_vec());
        let m = oci_client::manifest::OciImageManifest::build(&[layer], &config, None);
        let bytes = serde_json::to_vec(&m)
            .map_err(|e| (format!("cannot encode the signature manifest: {e}"), None))?;
        let size = bytes.len();
        let d = put(bytes);
        names.push((format!("{}.sig", digest.replace(':', "-")), d, size));
    }
    Ok(LayoutPlan {
        dir: out,
        blobs,
        names,
        digest,
    })
}
