//! A decision next to its image: reading the key-signed attestations of an image (cosign's
//! `sha256-<hex>.att` tag), and attaching one more the way cosign does (the tag's manifest gets
//! one DSSE layer per attestation; those already there are kept). The only write riskgate makes
//! to a registry; it goes through the same client, credential rules and caps as every read.

use super::*;

/// DSSE envelopes, each with where it was found.
pub type Envelopes = Vec<(String, Vec<u8>)>;

/// The registries of `--image` references (layouts have none): whose set decides where
/// REGISTRY_USERNAME/REGISTRY_PASSWORD may go, as in [`gather`].
pub fn registry_hosts(given: &[String]) -> Vec<String> {
    given
        .iter()
        .filter_map(|g| match parse_target(g) {
            Ok(Target::Registry(r)) => Some(r.resolve_registry().to_string()),
            _ => None,
        })
        .collect()
}

/// The client for `hosts`, with REGISTRY_USERNAME/REGISTRY_PASSWORD scoped as for a run over
/// `credential_hosts` (`None`: these hosts alone).
fn connect_for(
    hosts: &[String],
    credential_hosts: Option<&[String]>,
    opts: &RegistryOptions,
) -> Result<(tokio::runtime::Runtime, Net), Fatal> {
    let (rt, mut net) = connect(hosts, opts)?;
    if let Some(run) = credential_hosts {
        net.env_hosts = env_credential_hosts(run);
    }
    Ok((rt, net))
}

/// The image's digest and its attestations, as the registry serves them: nothing is verified
/// here. `credential_hosts`: the registries of the whole run, which decide where the
/// environment's credentials may go (`None`: this image's registry alone).
pub fn attestations(
    given: &str,
    credential_hosts: Option<&[String]>,
    opts: &RegistryOptions,
) -> Result<(String, Envelopes), ImageError> {
    attached(given, credential_hosts, opts, false).map(|(d, e, _)| (d, e))
}

/// [`attestations`], and the Sigstore bundles in the image's referrers (cosign v3 attaches
/// attestations there): `(digest, envelopes, bundles)`.
pub fn attestations_and_bundles(
    given: &str,
    credential_hosts: Option<&[String]>,
    opts: &RegistryOptions,
) -> Result<(String, Envelopes, Envelopes), ImageError> {
    attached(given, credential_hosts, opts, true)
}

fn attached(
    given: &str,
    credential_hosts: Option<&[String]>,
    opts: &RegistryOptions,
    bundles: bool,
) -> Result<(String, Envelopes, Envelopes), ImageError> {
    let err = |(message, help): Fatal| ImageError {
        reference: given.to_string(),
        message,
        help,
    };
    let target = parse_target(given).map_err(|m| err((m, None)))?;
    let hosts: Vec<String> = match &target {
        Target::Registry(r) => vec![r.resolve_registry().to_string()],
        Target::Layout { .. } => Vec::new(),
    };
    let (rt, net) = connect_for(&hosts, credential_hosts, opts).map_err(err)?;
    let needs = Needs {
        attestations: true,
        bundles,
        ..Needs::default()
    };
    let fetched = rt
        .block_on(async {
            tokio::time::timeout(opts.timeout, fetch_one(given, target, &net, needs, opts)).await
        })
        .map_err(|_| {
            err((
                format!(
                    "{given}: not fetched within {} s (--registry-timeout)",
                    opts.timeout.as_secs()
                ),
                None,
            ))
        })?
        .map_err(err)?;
    if let Some(m) = fetched.facts.integrity.first() {
        return Err(err((m.clone(), None)));
    }
    let digest = fetched
        .facts
        .digest
        .ok_or_else(|| err(("the registry named no digest for it".into(), None)))?;
    Ok((digest, fetched.envelopes, fetched.bundles))
}

/// Attaches `envelope` (a DSSE envelope of `predicate_type`) to the image `given`, whose
/// digest is `digest`, as cosign attaches attestations: a layer of the manifest tagged
/// `sha256-<hex>.att` in the image's repository, after the attestations already there.
/// Returns the reference it pushed.
pub fn attach(
    given: &str,
    digest: &str,
    envelope: &[u8],
    predicate_type: &str,
    credential_hosts: &[String],
    opts: &RegistryOptions,
) -> Result<String, ImageError> {
    let err = |(message, help): Fatal| ImageError {
        reference: given.to_string(),
        message,
        help,
    };
    let Target::Registry(r) = parse_target(given).map_err(|m| err((m, None)))? else {
        return Err(err((
            "an attestation can only be attached to an image in a registry".into(),
            Some("give the image as registry/repository@sha256:...".into()),
        )));
    };
    let (found, existing) = attestations(given, Some(credential_hosts), opts)?;
    if found != digest {
        return Err(err((
            format!("it now resolves to {found}, not {digest}, the digest the gate decided on"),
            Some("gate the image by digest (registry/repository@sha256:...)".into()),
        )));
    }
    let tag = format!("{}.att", digest.replace(':', "-"));
    let host = r.resolve_registry().to_string();
    let target = Reference::with_tag(host.clone(), r.repository().to_string(), tag.clone());
    let (rt, net) =
        connect_for(std::slice::from_ref(&host), Some(credential_hosts), opts).map_err(err)?;
    let auth = credentials(&host, &net.env_hosts);
    let layer = |data: Vec<u8>, predicate: Option<String>| {
        let annotations = predicate.map(|p| BTreeMap::from([("predicateType".to_string(), p)]));
        oci_client::client::ImageLayer::new(data, DSSE.to_string(), annotations)
    };
    let mut layers: Vec<_> = existing
        .into_iter()
        .map(|(_, env)| {
            let p = verify::envelope_claimed_predicate(&env);
            layer(env, p)
        })
        .collect();
    layers.push(layer(envelope.to_vec(), Some(predicate_type.to_string())));
    let config = oci_client::client::Config::new(
        b"{}".to_vec(),
        "application/vnd.oci.image.config.v1+json".to_string(),
        None,
    );
    let n = AtomicU32::new(0);
    let pushed = rt.block_on(async {
        // The /v2/ probe and the realm check: credentials go only where they belong.
        open_registry(&net, target.clone(), true, &n).await?;
        tokio::time::timeout(
            opts.timeout,
            net.client.push(&target, &layers, config, &auth, None),
        )
        .await
        .map_err(|_| {
            (
                format!(
                    "{target}: push not done within {} s",
                    opts.timeout.as_secs()
                ),
                None,
            )
        })?
        .map_err(|e| match classify(e, &host) {
            Fetch::Transient(m, h) | Fetch::Failed(m, h) => (m, h),
            Fetch::Missing | Fetch::Integrity(_) => (format!("{target}: the push failed"), None),
        })
    });
    pushed.map_err(err)?;
    Ok(target.whole())
}
