//! Real registries and real images for the image tests: Debian's `docker-registry` (CNCF
//! distribution 2.8) on 127.0.0.1, images built with `umoci` from a busybox rootfs (Debian's
//! `busybox-static`) and pushed with `skopeo`. Signatures and attestations are made with the
//! `sigstore` crate in cosign's formats (Debian's skopeo cannot sign) and pushed with skopeo
//! under cosign's `sha256-<hex>.sig` / `.att` tags.
//!
//! Each registry runs under a watchdog shell that kills it when the test process exits, and
//! `Registry::stop` kills it by PID.

use base64::Engine as _;
use sigstore::crypto::signing_key::SigStoreKeyPair;
use sigstore::crypto::SigningScheme;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const TOOLS: [&str; 5] = ["docker-registry", "skopeo", "umoci", "htpasswd", "openssl"];

/// Whether the registry tests can run here. Without the tools they are skipped, unless
/// RISKGATE_REQUIRE_REGISTRY is set (CI sets it), in which case they fail.
pub fn available() -> bool {
    crate::common::tools_available(
        "registry tests",
        &TOOLS,
        true,
        "docker-registry skopeo umoci apache2-utils busybox-static",
    )
}

pub use crate::common::sh;

/// `openssl req` for a new P-256 key (`NAME.key`) and `NAME.crt` (self-signed, with `-x509`)
/// or `NAME.csr`, with subject `CN=cn`, in `dir`.
fn ec_request(dir: &Path, name: &str, cn: &str, self_signed: bool) {
    let (out, extra): (String, &[&str]) = if self_signed {
        (format!("{name}.crt"), &["-x509", "-days", "2"])
    } else {
        (format!("{name}.csr"), &[])
    };
    let subject = format!("/CN={cn}");
    let key = format!("{name}.key");
    sh(Command::new("openssl")
        .current_dir(dir)
        .args([
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ])
        .args(["-keyout", &key, "-out", &out, "-subj", &subject])
        .args(extra));
}

/// A self-signed EC CA (`ca.crt`, `ca.key`) in `dir`.
pub fn make_ca(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    ec_request(dir, "ca", name, true);
    dir.join("ca.crt")
}

pub enum Auth {
    None,
    Basic(&'static str, &'static str),
}

pub struct Registry {
    /// The shell that kills the registry when this process ends (it exits with the registry).
    _watchdog: std::process::Child,
    pub addr: String,
    pub dir: PathBuf,
    pub ca: Option<PathBuf>,
    pub creds: Option<(String, String)>,
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl Registry {
    pub fn start(dir: &Path, auth: Auth, tls: bool) -> Registry {
        std::fs::create_dir_all(dir.join("data")).expect("mkdir");
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut cfg = format!(
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n",
            dir.join("data").display()
        );
        let mut ca = None;
        if tls {
            make_ca(dir, "riskgate test CA");
            ec_request(dir, "server", "127.0.0.1", false);
            std::fs::write(dir.join("ext.cnf"), "subjectAltName=IP:127.0.0.1\n").expect("ext");
            sh(Command::new("openssl").current_dir(dir).args([
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.crt",
                "-days",
                "2",
                "-extfile",
                "ext.cnf",
            ]));
            cfg.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                dir.join("server.crt").display(),
                dir.join("server.key").display()
            ));
            // skopeo reads a certificate directory.
            std::fs::create_dir_all(dir.join("certs")).expect("mkdir");
            std::fs::copy(dir.join("ca.crt"), dir.join("certs/ca.crt")).expect("copy");
            ca = Some(dir.join("ca.crt"));
        }
        let mut creds = None;
        if let Auth::Basic(u, p) = auth {
            let line = sh(Command::new("htpasswd").args(["-Bbn", u, p]));
            std::fs::write(dir.join("htpasswd"), line).expect("htpasswd");
            cfg.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: riskgate-test\n    path: {}\n",
                dir.join("htpasswd").display()
            ));
            creds = Some((u.to_string(), p.to_string()));
        }
        std::fs::write(dir.join("config.yml"), cfg).expect("config");
        // The watchdog: the registry dies with this test process.
        let script = format!(
            "docker-registry serve {cfg} >{log} 2>&1 & p=$!; echo $p >{pid}; \
             while kill -0 {me} 2>/dev/null && kill -0 $p 2>/dev/null; do sleep 0.5; done; kill $p 2>/dev/null",
            cfg = dir.join("config.yml").display(),
            log = dir.join("registry.log").display(),
            pid = dir.join("registry.pid").display(),
            me = std::process::id(),
        );
        let watchdog = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let r = Registry {
            _watchdog: watchdog,
            addr,
            dir: dir.to_path_buf(),
            ca,
            creds,
        };
        let t = Instant::now();
        while std::net::TcpStream::connect(&r.addr).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "docker-registry did not start: {}",
                std::fs::read_to_string(dir.join("registry.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        r
    }

    /// Stops the registry by its PID.
    pub fn stop(&self) {
        let pid = std::fs::read_to_string(self.dir.join("registry.pid")).expect("pid file");
        sh(Command::new("kill").arg(pid.trim()));
        let t = Instant::now();
        while std::net::TcpStream::connect(&self.addr).is_ok()
            && t.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The registry's request log lines (`"GET /v2/..."`) so far.
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("registry.log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"GET /v2/") || l.contains("\"HEAD /v2/"))
            .map(String::from)
            .collect()
    }

    /// `skopeo copy` from a layout to this registry, keeping the manifest bytes.
    pub fn push(&self, layout: &Path, tag: &str, dest: &str) {
        let mut c = Command::new("skopeo");
        c.args(["copy", "--quiet", "--preserve-digests"]);
        match &self.ca {
            Some(_) => {
                c.arg("--dest-cert-dir").arg(self.dir.join("certs"));
            }
            None => {
                c.arg("--dest-tls-verify=false");
            }
        }
        if let Some((u, p)) = &self.creds {
            c.arg("--dest-creds").arg(format!("{u}:{p}"));
        }
        c.arg(format!("oci:{}:{tag}", layout.display()))
            .arg(format!("docker://{}/{dest}", self.addr));
        sh(&mut c);
    }
}

/// The digest of a tag in a layout.
pub fn layout_digest(layout: &Path, tag: &str) -> String {
    let idx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("index"))
            .expect("json");
    idx["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .and_then(|m| m["digest"].as_str())
        .expect("tag in layout")
        .to_string()
}

/// Builds the test images into `dir/layout` with umoci: `base` (busybox, created 2026-06-01),
/// `app` (base + one layer, user 1000, base annotations naming `base_name`), `rootapp` (base +
/// one layer, no user).
pub fn build_images(dir: &Path, base_name: &str) -> PathBuf {
    let lay = crate::common::busybox_layout(dir, "layout", "base");
    let u = |args: &[&str]| sh(Command::new("umoci").current_dir(dir).args(args));
    u(&[
        "config",
        "--image",
        "layout:base",
        "--created",
        "2026-06-01T00:00:00Z",
        "--config.cmd",
        "/bin/sh",
    ]);
    let base_digest = layout_digest(&lay, "base");
    for (tag, user) in [("app", Some("1000")), ("rootapp", None)] {
        u(&["tag", "--image", "layout:base", tag]);
        u(&[
            "unpack",
            "--rootless",
            "--image",
            &format!("layout:{tag}"),
            tag,
        ]);
        std::fs::create_dir_all(dir.join(tag).join("rootfs/app")).expect("mkdir");
        std::fs::write(
            dir.join(tag).join("rootfs/app/hello.txt"),
            format!("{tag}\n"),
        )
        .expect("file");
        u(&["repack", "--image", &format!("layout:{tag}"), tag]);
        let mut args = vec![
            "config".to_string(),
            "--image".into(),
            format!("layout:{tag}"),
            "--created".into(),
            "2026-11-20T00:00:00Z".into(),
            "--manifest.annotation".into(),
            format!("org.opencontainers.image.base.name={base_name}"),
            "--manifest.annotation".into(),
            format!("org.opencontainers.image.base.digest={base_digest}"),
            "--config.label".into(),
            "org.opencontainers.image.title=payments-api".into(),
        ];
        if let Some(u) = user {
            args.push("--config.user".into());
            args.push(u.into());
        }
        sh(Command::new("umoci").current_dir(dir).args(&args));
    }
    lay
}

/// A cosign-format key pair: (encrypted private PEM, public PEM), password `pw`.
pub use crate::common::keypair;

pub fn sign(pair: &SigStoreKeyPair, msg: &[u8]) -> Vec<u8> {
    pair.to_sigstore_signer(&SigningScheme::ECDSA_P256_SHA256_ASN1)
        .expect("signer")
        .sign(msg)
        .expect("sign")
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn sha256(b: &[u8]) -> String {
    riskgate::verify::sha256(b)
}

/// Writes an OCI layout at `dir` holding one manifest (tag `t`) with the given layers
/// (media type, bytes, annotations), as cosign's signature and attestation images are.
pub fn artifact_layout(dir: &Path, layers: &[(&str, Vec<u8>, serde_json::Value)]) -> PathBuf {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("mkdir");
    let put = |b: &[u8]| {
        let d = sha256(b);
        std::fs::write(blobs.join(d.trim_start_matches("sha256:")), b).expect("blob");
        d
    };
    let config =
        br#"{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = put(config);
    let layer_descs: Vec<serde_json::Value> = layers
        .iter()
        .map(|(mt, bytes, ann)| {
            serde_json::json!({"mediaType": mt, "size": bytes.len(), "digest": put(bytes), "annotations": ann})
        })
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": config.len(), "digest": config_digest},
        "layers": layer_descs,
    }))
    .expect("json");
    let md = put(&manifest);
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).expect("layout");
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": manifest.len(),
                           "annotations": {"org.opencontainers.image.ref.name": "t"}}]
        }))
        .expect("json"),
    )
    .expect("index");
    dir.to_path_buf()
}

/// cosign's simple signing payload for `digest`, and its signature layer.
pub fn signature_layer(
    pair: &SigStoreKeyPair,
    reference: &str,
    digest: &str,
) -> (&'static str, Vec<u8>, serde_json::Value) {
    let payload = serde_json::to_vec(&serde_json::json!({
        "critical": {"identity": {"docker-reference": reference}, "image": {"docker-manifest-digest": digest}, "type": "cosign container image signature"},
        "optional": null
    }))
    .expect("json");
    let sig = b64(&sign(pair, &payload));
    (
        "application/vnd.dev.cosign.simplesigning.v1+json",
        payload,
        serde_json::json!({"dev.cosignproject.cosign/signature": sig}),
    )
}

/// A DSSE envelope over an in-toto statement about `digest` with `predicate_type`, as cosign
/// attest writes it, and its attestation layer.
pub fn attestation_layer(
    pair: &SigStoreKeyPair,
    digest: &str,
    predicate_type: &str,
) -> (&'static str, Vec<u8>, serde_json::Value) {
    let predicate = serde_json::json!({"buildDefinition": {"buildType": "https://example.com/test"}, "runDetails": {}});
    attestation_layer_with(pair, digest, predicate_type, predicate)
}

/// [`attestation_layer`] with a given predicate.
pub fn attestation_layer_with(
    pair: &SigStoreKeyPair,
    digest: &str,
    predicate_type: &str,
    predicate: serde_json::Value,
) -> (&'static str, Vec<u8>, serde_json::Value) {
    let statement = serde_json::to_vec(&serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "image", "digest": {"sha256": digest.trim_start_matches("sha256:")}}],
        "predicateType": predicate_type,
        "predicate": predicate
    }))
    .expect("json");
    let pt = "application/vnd.in-toto+json";
    let sig = sign(pair, &riskgate::verify::pae(pt, &statement));
    let env = serde_json::to_vec(&serde_json::json!({
        "payloadType": pt, "payload": b64(&statement), "signatures": [{"keyid": "", "sig": b64(&sig)}]
    }))
    .expect("json");
    (
        "application/vnd.dsse.envelope.v1+json",
        env,
        serde_json::json!({"predicateType": predicate_type}),
    )
}

/// A Sigstore bundle (v0.3) whose DSSE envelope, signed with `pair`, carries an in-toto
/// statement about `digest` with `predicate_type`: what `cosign attest --key --new-bundle-format`
/// (and cosign v3 `sign --key`, with the cosign sign predicate) attach as referrers.
pub fn key_bundle(pair: &SigStoreKeyPair, digest: &str, predicate_type: &str) -> Vec<u8> {
    let (_, env, _) = attestation_layer(pair, digest, predicate_type);
    bundle_of(&env)
}

/// [`key_bundle`] with a predicate of its own (an OpenVEX document, for VEX in the referrers).
pub fn key_bundle_with(
    pair: &SigStoreKeyPair,
    digest: &str,
    predicate_type: &str,
    predicate: serde_json::Value,
) -> Vec<u8> {
    let (_, env, _) = attestation_layer_with(pair, digest, predicate_type, predicate);
    bundle_of(&env)
}

fn bundle_of(env: &[u8]) -> Vec<u8> {
    let env: serde_json::Value = serde_json::from_slice(env).expect("json");
    serde_json::to_vec(&serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "release"}, "tlogEntries": []},
        "dsseEnvelope": env,
    }))
    .expect("json")
}

/// Pushes, with curl and the distribution API, a referrers index under the OCI tag-schema
/// fallback tag `sha256-<hex>` of `subject` (distribution 2.8 has no referrers API), listing one
/// referrer manifest per bundle, each with `subject` set to the image and the bundle as its one
/// layer. (skopeo 1.9 refuses to copy such an index with --preserve-digests.)
pub fn push_referrers(
    reg: &Registry,
    repo: &str,
    subject: &str,
    subject_size: usize,
    bundles: &[Vec<u8>],
) {
    const BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
    let base = format!("http://{}/v2/{repo}", reg.addr);
    let put = |content_type: &str, body: &[u8], url: &str| {
        let f = reg.dir.join("upload.bin");
        std::fs::write(&f, body).expect("write");
        sh(Command::new("curl")
            .args([
                "-sSf",
                "-X",
                "PUT",
                "-H",
                &format!("Content-Type: {content_type}"),
            ])
            .arg("--data-binary")
            .arg(format!("@{}", f.display()))
            .arg(url));
    };
    let put_blob = |b: &[u8]| -> String {
        let d = sha256(b);
        let loc = sh(Command::new("curl")
            .args([
                "-sSf",
                "-X",
                "POST",
                "-o",
                "/dev/null",
                "-w",
                "%{redirect_url}%header{location}",
            ])
            .arg(format!("{base}/blobs/uploads/")));
        let loc = if loc.starts_with("http") {
            loc
        } else {
            format!("http://{}{loc}", reg.addr)
        };
        let sep = if loc.contains('?') { '&' } else { '?' };
        put(
            "application/octet-stream",
            b,
            &format!("{loc}{sep}digest={d}"),
        );
        d
    };
    let put_manifest = |at: &str, media_type: &str, m: &[u8]| {
        put(media_type, m, &format!("{base}/manifests/{at}"));
    };
    let empty = put_blob(b"{}");
    let mut entries = Vec::new();
    for b in bundles {
        let m = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": BUNDLE,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2, "digest": empty},
            "layers": [{"mediaType": BUNDLE, "size": b.len(), "digest": put_blob(b)}],
            "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": subject_size, "digest": subject},
        }))
        .expect("json");
        let d = sha256(&m);
        put_manifest(&d, "application/vnd.oci.image.manifest.v1+json", &m);
        entries.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": m.len(), "digest": d, "artifactType": BUNDLE,
        }));
    }
    let idx = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries,
    }))
    .expect("json");
    put_manifest(
        &subject.replace(':', "-"),
        "application/vnd.oci.image.index.v1+json",
        &idx,
    );
}
