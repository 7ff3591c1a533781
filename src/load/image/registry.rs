//! Talking to a registry: where credentials may go (the allow-list of hosts, the Bearer realm
//! check, REGISTRY_HOSTS), the `/v2/` challenge, capped reads of manifests and blobs, bounded
//! retries, and how registry errors become exit codes. What the registry serves is walked in
//! the parent module.

use super::*;

/// A failed fetch: `Missing` is an answer (no such tag), the others are not. `Transient`
/// (connection failures, 5xx, timeouts) is retried a bounded number of times.
pub(super) enum Fetch {
    Missing,
    Integrity(String),
    Failed(String, Option<String>),
    Transient(String, Option<String>),
}

/// Where an image's manifests and blobs come from.
pub(super) enum Repo {
    Registry {
        client: Client,
        reference: Reference,
        /// Plain reqwest (the one oci-client uses) for capped reads.
        http: reqwest::Client,
        /// `https` or `http` (insecure or loopback registries).
        scheme: &'static str,
        /// The Authorization header value for this repository, when the registry asked for one.
        authz: std::sync::Mutex<Option<String>>,
        /// Reading anonymously: a registry that wants an (anonymous) token says so on the first
        /// request, and the token is fetched then (no probe needed: no credentials to protect).
        anonymous: bool,
    },
    Layout {
        dir: PathBuf,
        refs: BTreeMap<String, String>,
    },
}

impl Repo {
    /// A manifest by tag or `sha256:` digest: its bytes and digest, verified.
    pub(super) async fn manifest(
        &self,
        at: &str,
        n: &AtomicU32,
    ) -> Result<(Vec<u8>, String), Fetch> {
        n.fetch_add(1, Ordering::Relaxed);
        match self {
            Repo::Registry {
                client,
                reference,
                http,
                scheme,
                authz,
                anonymous,
            } => {
                let url = format!(
                    "{scheme}://{}/v2/{}/manifests/{at}",
                    reference.resolve_registry(),
                    reference.repository()
                );
                let what = format!("{}/{}@{at}", reference.registry(), reference.repository());
                let send = |a: Option<String>| {
                    let mut req = http
                        .get(&url)
                        .header(reqwest::header::ACCEPT, ACCEPT.join(", "));
                    if let Some(a) = a {
                        req = req.header(reqwest::header::AUTHORIZATION, a);
                    }
                    req.send()
                };
                let current = authz.lock().ok().and_then(|a| a.clone());
                let mut res = send(current.clone())
                    .await
                    .map_err(|e| request_error(e, &what))?;
                if *anonymous
                    && current.is_none()
                    && res.status() == reqwest::StatusCode::UNAUTHORIZED
                {
                    // An anonymous token, as public registries hand out.
                    n.fetch_add(1, Ordering::Relaxed);
                    let token = client
                        .auth(
                            reference,
                            &RegistryAuth::Anonymous,
                            oci_client::RegistryOperation::Pull,
                        )
                        .await
                        .map_err(|e| classify(e, &what))?;
                    if let Some(t) = token {
                        let a = format!("Bearer {t}");
                        if let Ok(mut slot) = authz.lock() {
                            *slot = Some(a.clone());
                        }
                        res = send(Some(a)).await.map_err(|e| request_error(e, &what))?;
                    }
                }
                let claimed = res
                    .headers()
                    .get("docker-content-digest")
                    .and_then(|v| v.to_str().ok())
                    .map(String::from);
                let bytes = capped_body(res, MAX_MANIFEST, &what, "manifest").await?;
                let actual = verify::sha256(&bytes);
                if claimed.as_deref().is_some_and(|c| c != actual)
                    || (at.starts_with("sha256:") && actual != at)
                {
                    return Err(Fetch::Integrity(format!(
                        "manifest {at} has digest {actual}"
                    )));
                }
                Ok((bytes, actual))
            }
            Repo::Layout { dir, refs } => {
                let digest = if at.starts_with("sha256:") {
                    at.to_string()
                } else {
                    refs.get(at).cloned().ok_or(Fetch::Missing)?
                };
                let bytes = read_layout_blob(dir, &digest)?;
                Ok((bytes, digest))
            }
        }
    }

    /// A blob by digest, at most `cap` bytes, verified.
    pub(super) async fn blob(
        &self,
        digest: &str,
        cap: u64,
        n: &AtomicU32,
    ) -> Result<Vec<u8>, Fetch> {
        n.fetch_add(1, Ordering::Relaxed);
        match self {
            Repo::Registry {
                client, reference, ..
            } => {
                let d = oci_client::manifest::OciDescriptor {
                    digest: digest.to_string(),
                    ..Default::default()
                };
                let what = format!("{}@{digest}", reference.repository());
                let mut stream = client
                    .pull_blob_stream(reference, &d)
                    .await
                    .map_err(|e| classify(e, &what))?;
                if stream.content_length.is_some_and(|l| l > cap) {
                    return Err(too_large(&what, "blob", cap));
                }
                let mut out = Vec::new();
                use futures_util::StreamExt;
                while let Some(chunk) = stream.stream.next().await {
                    let chunk = chunk.map_err(|e| {
                        // oci-client checks the digest as it streams, and says so in this
                        // error's words: content that is not what its digest says is an
                        // integrity failure, not a broken download to retry.
                        if e.to_string().contains("Invalid digest") {
                            Fetch::Integrity(format!("blob {digest}: {e}"))
                        } else {
                            Fetch::Transient(format!("{what}: the download broke off: {e}"), None)
                        }
                    })?;
                    if out.len() as u64 + chunk.len() as u64 > cap {
                        return Err(too_large(&what, "blob", cap));
                    }
                    out.extend_from_slice(&chunk);
                }
                if verify::sha256(&out) == digest {
                    Ok(out)
                } else {
                    Err(Fetch::Integrity(format!(
                        "blob {digest} has digest {}",
                        verify::sha256(&out)
                    )))
                }
            }
            Repo::Layout { dir, .. } => read_layout_blob(dir, digest),
        }
    }

    /// Descriptors of the artifacts that refer to `digest`: the referrers API, else the
    /// `sha256-<hex>` tag (for a layout, only the tag).
    pub(super) async fn referrers(
        &self,
        digest: &str,
        n: &AtomicU32,
    ) -> Result<Vec<Descriptor>, Fetch> {
        if let Repo::Registry {
            client, reference, ..
        } = self
        {
            n.fetch_add(1, Ordering::Relaxed);
            let r = Reference::with_digest(
                reference.registry().to_string(),
                reference.repository().to_string(),
                digest.to_string(),
            );
            return match client.pull_referrers(&r, None).await {
                Ok(idx) => Ok(idx
                    .manifests
                    .into_iter()
                    .map(|m| Descriptor {
                        media_type: m.media_type,
                        digest: m.digest,
                        artifact_type: m.artifact_type,
                        annotations: m.annotations.unwrap_or_default(),
                        platform: None,
                    })
                    .collect()),
                Err(e) => Err(classify(e, &r.whole())),
            };
        }
        match self.manifest(&digest.replace(':', "-"), n).await {
            Ok((bytes, _)) => Ok(parse::<Manifest>(&bytes)
                .map(|m| m.manifests)
                .unwrap_or_default()),
            Err(Fetch::Missing) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

pub(super) fn read_layout_blob(dir: &Path, digest: &str) -> Result<Vec<u8>, Fetch> {
    let Some(hex) = digest.strip_prefix("sha256:") else {
        return Err(Fetch::Failed(format!("unsupported digest {digest}"), None));
    };
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Fetch::Failed(format!("bad digest {digest}"), None));
    }
    let p = dir.join("blobs").join("sha256").join(hex);
    let bytes = match std::fs::read(&p) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Fetch::Missing),
        Err(e) => {
            return Err(Fetch::Failed(
                format!("cannot read {}: {e}", p.display()),
                None,
            ))
        }
    };
    let actual = verify::sha256(&bytes);
    if actual != digest {
        return Err(Fetch::Integrity(format!(
            "blob {digest} has digest {actual}"
        )));
    }
    Ok(bytes)
}

pub(super) fn too_large(what: &str, kind: &str, cap: u64) -> Fetch {
    Fetch::Failed(
        format!(
            "{what}: the {kind} is larger than {}, more than any real one; riskgate stopped reading",
            crate::ingest::source::human_size(cap)
        ),
        Some("check what the registry serves under this name".into()),
    )
}

/// A response's body, at most `cap` bytes, with its status turned into a [`Fetch`].
pub(super) async fn capped_body(
    res: reqwest::Response,
    cap: u64,
    what: &str,
    kind: &str,
) -> Result<Vec<u8>, Fetch> {
    let status = res.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Err(Fetch::Missing);
    }
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        return Err(Fetch::Failed(
            format!("{what}: the registry refused access ({status})"),
            Some(
                "give credentials in DOCKER_CONFIG/~/.docker/config.json `auths`, or REGISTRY_USERNAME and REGISTRY_PASSWORD (with REGISTRY_HOSTS)"
                    .into(),
            ),
        ));
    }
    if status.is_server_error() {
        return Err(Fetch::Transient(
            format!("{what}: the registry failed ({status})"),
            None,
        ));
    }
    if !status.is_success() {
        return Err(Fetch::Failed(
            format!("{what}: the registry answered {status}"),
            None,
        ));
    }
    if res.content_length().is_some_and(|l| l > cap) {
        return Err(too_large(what, kind, cap));
    }
    let mut out = Vec::new();
    let mut res = res;
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| Fetch::Transient(format!("{what}: the download broke off: {e}"), None))?
    {
        if out.len() as u64 + chunk.len() as u64 > cap {
            return Err(too_large(what, kind, cap));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

pub(super) fn request_error(e: reqwest::Error, what: &str) -> Fetch {
    let mut msg = format!("{what}: cannot reach the registry: {e}");
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    Fetch::Transient(
        msg,
        Some("check the registry address, that it is up, and its TLS certificate (--registry-ca FILE for a private CA)".into()),
    )
}

pub(super) fn classify(e: OciDistributionError, what: &str) -> Fetch {
    match e {
        OciDistributionError::DigestError(d) => Fetch::Integrity(format!("{what}: {d}")),
        OciDistributionError::ImageManifestNotFoundError(_) => Fetch::Missing,
        OciDistributionError::ServerError { code: 404, .. } => Fetch::Missing,
        OciDistributionError::RegistryError { envelope, .. }
            if envelope.errors.iter().all(|e| {
                matches!(
                    e.code,
                    OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::BlobUnknown
                        | OciErrorCode::NotFound
                )
            }) =>
        {
            Fetch::Missing
        }
        OciDistributionError::UnauthorizedError { .. }
        | OciDistributionError::AuthenticationFailure(_) => Fetch::Failed(
            format!("{what}: the registry refused access (unauthorized)"),
            Some(
                "give credentials in DOCKER_CONFIG/~/.docker/config.json `auths`, or REGISTRY_USERNAME and REGISTRY_PASSWORD"
                    .into(),
            ),
        ),
        OciDistributionError::RegistryError { envelope, .. } => {
            Fetch::Failed(format!("{what}: the registry answered: {envelope}"), None)
        }
        OciDistributionError::ServerError { code, message, .. } if code >= 500 => {
            Fetch::Transient(format!("{what}: the registry failed ({code}): {message}"), None)
        }
        OciDistributionError::RequestError(r) => request_error(r, what),
        other => Fetch::Failed(format!("{what}: {other}"), None),
    }
}

/// Registry credentials for `host`: the Docker config's `auths` entry for that host, else
/// REGISTRY_USERNAME/REGISTRY_PASSWORD when the host is one they may go to (`env_hosts`), else
/// anonymous. They are sent only after the registry itself asks, and only to a token service
/// [`realm_allows`] accepts.
pub fn credentials(host: &str, env_hosts: &[String]) -> RegistryAuth {
    if let Some(a) = docker_config_auth(host) {
        return a;
    }
    if !env_hosts.contains(&normalise_host(host)) {
        return RegistryAuth::Anonymous;
    }
    match (
        std::env::var("REGISTRY_USERNAME"),
        std::env::var("REGISTRY_PASSWORD"),
    ) {
        (Ok(u), Ok(p)) if !u.is_empty() => RegistryAuth::Basic(u, p),
        _ => RegistryAuth::Anonymous,
    }
}

/// Where REGISTRY_USERNAME/REGISTRY_PASSWORD may go: the hosts REGISTRY_HOSTS lists (separated by
/// commas or spaces), or, without it, the one registry the run names (none when it names several).
pub fn env_credential_hosts(run_hosts: &[String]) -> Vec<String> {
    match std::env::var("REGISTRY_HOSTS") {
        Ok(v) if !v.trim().is_empty() => v
            .split([',', ' ', '\n', '\t'])
            .filter(|h| !h.trim().is_empty())
            .map(normalise_host)
            .collect(),
        _ => {
            let mut h: Vec<String> = run_hosts.iter().map(|h| normalise_host(h)).collect();
            h.sort();
            h.dedup();
            if h.len() == 1 {
                h
            } else {
                Vec::new()
            }
        }
    }
}

/// What a registry answers at `/v2/` without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// No challenge: it serves anonymously.
    None,
    Basic,
    /// A token service: credentials would go to `realm`.
    Bearer {
        realm: String,
    },
}

/// Parses a `WWW-Authenticate` header value.
pub fn parse_challenge(header: &str) -> Challenge {
    let h = header.trim();
    let lower = h.to_ascii_lowercase();
    if lower.starts_with("basic") {
        return Challenge::Basic;
    }
    if lower.starts_with("bearer") {
        let realm = h
            .split(',')
            .find_map(|part| {
                let (k, v) = part.split_once('=')?;
                let k = k.trim().rsplit(' ').next().unwrap_or("").trim();
                k.eq_ignore_ascii_case("realm")
                    .then(|| v.trim().trim_matches('"').to_string())
            })
            .unwrap_or_default();
        return Challenge::Bearer { realm };
    }
    Challenge::None
}

/// The domain a registry's host sits in: the host without its first label, when that leaves at
/// least two (`registry-1.docker.io` → `docker.io`; `ghcr.io` has none). An address has none.
/// Public suffixes are not guessed at: `reg.acme.co.uk` gives `acme.co.uk`, never `co.uk`.
pub(super) fn parent_domain(host: &str) -> Option<String> {
    let h = bare_host(host);
    if h.parse::<std::net::IpAddr>().is_ok() || h.starts_with('[') {
        return None;
    }
    let (_, parent) = h.split_once('.')?;
    parent.contains('.').then(|| parent.to_string())
}

/// The host without its port, lower case.
fn bare_host(host: &str) -> String {
    host.rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
        .to_ascii_lowercase()
}

/// Whether credentials for the registry at `host` (reached over `scheme`) may go to the token
/// service at `realm`: the registry's own host, over HTTPS unless the registry itself is plain
/// HTTP (an `--insecure-registry` or loopback one); another host only over HTTPS, and only
/// when it is in the registry's own domain ([`parent_domain`]) or listed in REGISTRY_HOSTS.
pub fn realm_allows(
    realm: &str,
    host: &str,
    scheme: &str,
    listed: &[String],
) -> Result<(), String> {
    let url = reqwest::Url::parse(realm)
        .map_err(|e| format!("its token service `{realm}` is not a URL ({e})"))?;
    let realm_host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => return Err(format!("its token service `{realm}` names no host")),
    };
    let same = normalise_host(&realm_host) == normalise_host(host);
    let listed_here = listed.contains(&normalise_host(&realm_host));
    match url.scheme() {
        "https" => {}
        // Plain HTTP: the registry's own host when it is itself plain HTTP, or a listed token
        // service on a loopback host (a local test setup).
        "http" if same && scheme == "http" => return Ok(()),
        "http" if listed_here && is_loopback(&realm_host) => return Ok(()),
        other => {
            return Err(format!(
                "it asks for credentials to be sent to {realm} over {other}, in clear text{}",
                if same { "" } else { " and to another host" }
            ))
        }
    }
    // The registry's own domain: `auth.docker.io` for `registry-1.docker.io`, `gitlab.com` for
    // `registry.gitlab.com`.
    let shared = parent_domain(host).is_some_and(|d| {
        let r = bare_host(&realm_host);
        r == d || r.ends_with(&format!(".{d}"))
    });
    if same || shared || listed_here {
        Ok(())
    } else {
        Err(format!(
            "it asks for credentials to be sent to {realm}, another host ({realm_host})"
        ))
    }
}

#[derive(Deserialize)]
pub(super) struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, DockerAuth>,
}

#[derive(Deserialize)]
pub(super) struct DockerAuth {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
}

pub(super) fn docker_config_auth(host: &str) -> Option<RegistryAuth> {
    let dir = match std::env::var_os("DOCKER_CONFIG") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".docker"),
    };
    let text = std::fs::read(dir.join("config.json")).ok()?;
    let cfg: DockerConfig = serde_json::from_slice(&text).ok()?;
    let want = normalise_host(host);
    let (_, a) = cfg.auths.iter().find(|(k, _)| normalise_host(k) == want)?;
    if let Some(t) = &a.identitytoken {
        return Some(RegistryAuth::Bearer(t.clone()));
    }
    if let (Some(u), Some(p)) = (&a.username, &a.password) {
        return Some(RegistryAuth::Basic(u.clone(), p.clone()));
    }
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(a.auth.as_deref()?.trim())
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (u, p) = s.split_once(':')?;
    Some(RegistryAuth::Basic(u.to_string(), p.to_string()))
}

/// `https://index.docker.io/v1/` and `docker.io` name the same registry.
pub(super) fn normalise_host(h: &str) -> String {
    let h = h
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let h = h.split('/').next().unwrap_or(h);
    match h {
        "index.docker.io" | "registry-1.docker.io" | "docker.io" => "docker.io".into(),
        _ => h.to_ascii_lowercase(),
    }
}

pub(super) fn is_loopback(host: &str) -> bool {
    let h = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let h = h.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// How this run reaches registries: oci-client (tokens, blobs, referrers), plain reqwest (the
/// challenge probe, capped manifest reads), the hosts reached over plain HTTP, and where
/// REGISTRY_USERNAME/REGISTRY_PASSWORD may go.
#[derive(Clone)]
pub(super) struct Net {
    pub(super) client: Client,
    pub(super) http: reqwest::Client,
    pub(super) insecure: Vec<String>,
    pub(super) env_hosts: Vec<String>,
    /// What each registry (`scheme://host`) answered at `/v2/`: probed once per run.
    /// Held across the probe, so images of one registry checked at once wait for its answer.
    pub(super) probes: std::sync::Arc<tokio::sync::Mutex<BTreeMap<String, Challenge>>>,
    /// The Authorization each repository (`scheme://host/repository`) was given: oci-client
    /// keeps its token, so a second image of the repository needs no second authentication.
    pub(super) authorized: std::sync::Arc<tokio::sync::Mutex<BTreeMap<String, Option<String>>>>,
}

/// A plain reqwest client with the same trust as the registry client. Redirects are followed
/// (reqwest drops Authorization when one leads to another host).
pub(super) fn make_http(opts: &RegistryOptions) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder()
        .user_agent(concat!("riskgate/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(opts.timeout)
        .read_timeout(opts.timeout)
        .redirect(reqwest::redirect::Policy::limited(5));
    for pem in &opts.ca_certs {
        let c = reqwest::Certificate::from_pem(pem).map_err(|e| format!("--registry-ca: {e}"))?;
        b = b.add_root_certificate(c);
    }
    b.build().map_err(|e| e.to_string())
}

/// Opens a repository of a registry: asks `/v2/` how it authenticates, checks that any
/// credentials would go only where they belong ([`realm_allows`]), and gets the Authorization
/// for this repository. `with_credentials: false` reads anonymously (a base image on another
/// registry: the image's labels name it, so it is not trusted with the run's credentials).
pub(super) async fn open_registry(
    net: &Net,
    reference: Reference,
    with_credentials: bool,
    n: &AtomicU32,
) -> Result<Repo, (String, Option<String>)> {
    let host = reference.resolve_registry().to_string();
    let scheme = if net
        .insecure
        .iter()
        .any(|h| normalise_host(h) == normalise_host(&host))
    {
        "http"
    } else {
        "https"
    };
    let auth = if with_credentials {
        credentials(&host, &net.env_hosts)
    } else {
        RegistryAuth::Anonymous
    };
    if matches!(auth, RegistryAuth::Anonymous) {
        return Ok(Repo::Registry {
            client: net.client.clone(),
            reference,
            http: net.http.clone(),
            scheme,
            authz: std::sync::Mutex::new(None),
            anonymous: true,
        });
    }
    let base = format!("{scheme}://{host}");
    let base_repo = base.clone();
    let mut probes = net.probes.lock().await;
    let challenge = match probes.get(&base).cloned() {
        Some(c) => c,
        None => {
            n.fetch_add(1, Ordering::Relaxed);
            let probe = net
                .http
                .get(format!("{base}/v2/"))
                .send()
                .await
                .map_err(|e| match request_error(e, &host) {
                    Fetch::Transient(m, h) | Fetch::Failed(m, h) => (m, h),
                    Fetch::Missing | Fetch::Integrity(_) => (format!("{host}: no answer"), None),
                })?;
            let c = if probe.status() == reqwest::StatusCode::UNAUTHORIZED {
                probe
                    .headers()
                    .get(reqwest::header::WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .map_or(Challenge::None, parse_challenge)
            } else {
                Challenge::None
            };
            probes.insert(base, c.clone());
            c
        }
    };
    drop(probes);
    let refuse = |why: String| {
        (
            format!("{host}: {why}; riskgate does not send credentials there"),
            Some("if that is the registry's own token service, list its host in REGISTRY_HOSTS (it must be HTTPS)".into()),
        )
    };
    if let Challenge::Bearer { realm } = &challenge {
        realm_allows(realm, &host, scheme, &net.env_hosts).map_err(refuse)?;
    }
    let repo_key = format!("{base_repo}/{}", reference.repository());
    let mut authorized = net.authorized.lock().await;
    let authz = match (&challenge, &auth) {
        (Challenge::None, _) => None,
        _ if authorized.contains_key(&repo_key) => authorized.get(&repo_key).cloned().flatten(),
        (Challenge::Basic | Challenge::Bearer { .. }, _) => {
            n.fetch_add(1, Ordering::Relaxed);
            let token = net
                .client
                .auth(&reference, &auth, oci_client::RegistryOperation::Pull)
                .await
                .map_err(|e| match classify(e, &host) {
                    Fetch::Transient(m, h) | Fetch::Failed(m, h) => (m, h),
                    Fetch::Missing | Fetch::Integrity(_) => {
                        (format!("{host}: authentication failed"), None)
                    }
                })?;
            match (token, &auth) {
                (Some(t), _) => Some(format!("Bearer {t}")),
                (None, RegistryAuth::Basic(u, p)) => {
                    use base64::Engine as _;
                    Some(format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
                    ))
                }
                (None, RegistryAuth::Bearer(t)) => Some(format!("Bearer {t}")),
                (None, RegistryAuth::Anonymous) => None,
            }
        }
    };
    authorized.insert(repo_key, authz.clone());
    drop(authorized);
    Ok(Repo::Registry {
        client: net.client.clone(),
        reference,
        http: net.http.clone(),
        scheme,
        authz: std::sync::Mutex::new(authz),
        anonymous: false,
    })
}

/// A registry client: TLS (with the extra CAs) except for the `insecure` hosts.
pub(super) fn make_client(opts: &RegistryOptions, insecure: Vec<String>) -> Result<Client, String> {
    let config = ClientConfig {
        protocol: ClientProtocol::HttpsExcept(insecure),
        extra_root_certificates: opts
            .ca_certs
            .iter()
            .map(|pem| Certificate {
                encoding: CertificateEncoding::Pem,
                data: pem.clone(),
            })
            .collect(),
        read_timeout: Some(opts.timeout),
        connect_timeout: Some(opts.timeout),
        platform_resolver: None,
        user_agent: concat!("riskgate/", env!("CARGO_PKG_VERSION")),
        ..Default::default()
    };
    Client::try_from(config).map_err(|e| e.to_string())
}

/// The hosts reached over plain HTTP: those the user listed, and loopback ones unless a CA was
/// given (a loopback registry with TLS then needs that CA).
pub(super) fn insecure_hosts(
    opts: &RegistryOptions,
    hosts: impl IntoIterator<Item = String>,
) -> Vec<String> {
    let mut out = opts.insecure.clone();
    for h in hosts {
        if is_loopback(&h) && opts.ca_certs.is_empty() && !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

/// What a registry may answer instead of the content: no such thing, or content that is not
/// what its digest says. The walk of an image goes on after either.
pub(super) enum Answer {
    Missing,
    Integrity(String),
}

/// A fetch that could not complete, after its retries: the message and a hint. The walk of the
/// image ends with it (the image cannot be evaluated).
pub(super) type Fatal = (String, Option<String>);

/// [`retry`], with the fetches that could not complete split off as the error, so each step of
/// a walk says only what it does with an answer (`fetch(..).await?`).
pub(super) async fn fetch<T, F, Fut>(timeout: Duration, f: F) -> Result<Result<T, Answer>, Fatal>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Fetch>>,
{
    match retry(timeout, f).await {
        Ok(v) => Ok(Ok(v)),
        Err(Fetch::Missing) => Ok(Err(Answer::Missing)),
        Err(Fetch::Integrity(m)) => Ok(Err(Answer::Integrity(m))),
        Err(Fetch::Failed(m, h) | Fetch::Transient(m, h)) => Err((m, h)),
    }
}

/// Bounded retries for transient failures (connection reset, 5xx); never for answers.
pub(super) async fn retry<T, F, Fut>(timeout: Duration, mut f: F) -> Result<T, Fetch>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Fetch>>,
{
    let mut last = None;
    for attempt in 0..3u32 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
        }
        match tokio::time::timeout(timeout, f()).await {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(Fetch::Transient(m, h))) => last = Some(Fetch::Failed(m, h)),
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                last = Some(Fetch::Failed(
                    format!("no answer within {}s", timeout.as_secs()),
                    None,
                ))
            }
        }
    }
    Err(last.unwrap_or(Fetch::Failed("gave up".into(), None)))
}
