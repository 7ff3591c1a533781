//! The files a run reads besides the reports: the keys and trusted roots the guardrails name,
//! the baseline and the SLA state (read, and written back by `--update-state`).

use super::*;
use crate::model::code::Code;

/// The fingerprints of a `--baseline`: the `findings[].fingerprint` of a riskgate json report,
/// or of the findings of a scanner report (any format `--report` takes).
pub(super) fn read_baseline(path: &Path) -> Result<HashSet<String>, InputError> {
    /// A riskgate json report: it has a `verdict` and fingerprinted findings.
    #[derive(Deserialize)]
    struct Riskgate {
        #[serde(rename = "verdict")]
        _verdict: serde::de::IgnoredAny,
        findings: Vec<Fp>,
    }
    #[derive(Deserialize)]
    struct Fp {
        fingerprint: String,
    }
    let src = ingest::Source::read(path)?;
    if let Ok(r) = serde_json::from_slice::<Riskgate>(src.json()) {
        return Ok(r.findings.into_iter().map(|f| f.fingerprint).collect());
    }
    let r = ingest::parse_report(&src)?;
    if r.meta.failed {
        return Err(InputError::Invalid {
            path: r.path,
            message: "the baseline scan reports that it failed, so it cannot say what is new"
                .into(),
            help: None,
        });
    }
    Ok(dedup(r.findings)
        .into_iter()
        .map(|f| f.fingerprint.into())
        .collect())
}

/// The files guardrails.yaml names: trusted roots and signers' public keys, read and parsed.
pub struct PolicyFiles {
    /// `trusted_root`, for keyless image and artifact signers.
    pub sigstore_root: Option<Vec<u8>>,
    /// `acceptances.trusted_root`, else `trusted_root`: for keyless acceptance signatures.
    pub trusted_root: Option<Vec<u8>>,
    pub image_signers: Vec<Signer>,
    pub artifact_signers: Vec<Signer>,
    /// `vex.trusted`: whose signed VEX suppresses at any level.
    pub vex_signers: Vec<Signer>,
}

/// Reads the files guardrails.yaml names (relative to the policy directory `base`); every
/// problem goes to `errs`. `validate` runs this too.
pub fn policy_files(policy: &Policy, base: &Path, errs: &mut LoadErrors) -> PolicyFiles {
    let g = &policy.guardrails;
    let sigstore_root = read_root(base, "trusted_root", g.trusted_root.as_deref(), errs);
    let trusted_root = match &g.acceptances.trusted_root {
        Some(rel) => read_root(base, "acceptances.trusted_root", Some(rel), errs),
        None => sigstore_root.clone(),
    };
    let image_signers = load_signers(
        policy,
        base,
        "images.signatures",
        g.images
            .as_ref()
            .map(|i| i.signatures.as_slice())
            .unwrap_or(&[]),
        errs,
    );
    let artifact_signers = load_signers(
        policy,
        base,
        "artifacts.signatures",
        g.artifacts
            .as_ref()
            .map(|i| i.signatures.as_slice())
            .unwrap_or(&[]),
        errs,
    );
    let vex_signers = load_signers(policy, base, "vex.trusted", &g.vex.trusted, errs);
    PolicyFiles {
        sigstore_root,
        trusted_root,
        image_signers,
        artifact_signers,
        vex_signers,
    }
}

/// A cosign public key (PEM) file, read and parsed; the error names the file.
pub fn public_key(path: &Path) -> Result<sigstore::crypto::CosignVerificationKey, String> {
    let pem = ingest::source::read_file(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    sigstore::crypto::CosignVerificationKey::try_from_pem(&pem)
        .map_err(|e| format!("{} is not a public key (PEM): {e}", path.display()))
}

/// Reads a `trusted_root.json` named in guardrails.yaml (relative to the policy directory).
pub(super) fn read_root(
    base: &Path,
    field: &str,
    rel: Option<&str>,
    errs: &mut LoadErrors,
) -> Option<Vec<u8>> {
    let path = base.join(rel?);
    match ingest::source::read_file(&path) {
        Ok(b) => match crate::verify::keyless::trusted_root(&b) {
            Ok(_) => Some(b),
            Err(e) => {
                errs.push(UsageError::new(
                    format!("{field} {}: {e}", path.display()),
                    None,
                ));
                None
            }
        },
        Err(e) => {
            errs.push(UsageError::new(
                format!("cannot read {field} {}: {e}", path.display()),
                None,
            ));
            None
        }
    }
}

/// The signers of a guardrails section, their key files read and parsed.
pub(super) fn load_signers(
    policy: &Policy,
    base: &Path,
    at: &str,
    rules: &[crate::policy::guardrails::SignatureRule],
    errs: &mut LoadErrors,
) -> Vec<Signer> {
    let mut out = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let kind = match (&r.key, &r.keyless) {
            (Some(k), _) => match public_key(&base.join(k)) {
                Ok(key) => SignerKind::Key(key),
                Err(msg) => {
                    errs.push(policy.guardrails_file.problem(
                        Code::PolicyKey,
                        &format!("{at}.{i}.key"),
                        msg,
                        Some("key paths are relative to the policy directory".into()),
                    ));
                    continue;
                }
            },
            (None, Some(k)) => match regex::Regex::new(&k.subject) {
                Ok(subject) => SignerKind::Keyless(crate::verify::keyless::IdentityPolicy {
                    issuer: k.issuer.clone(),
                    subject,
                }),
                Err(_) => continue, // validation already reported it
            },
            (None, None) => continue,
        };
        out.push(Signer {
            label: r.label(),
            kind,
        });
    }
    out
}

pub(super) fn read_state(
    path: &Path,
    creating: bool,
) -> Result<BTreeMap<String, Date>, InputError> {
    let shown = path.display().to_string();
    if creating && !path.exists() {
        return Ok(BTreeMap::new());
    }
    let src = ingest::Source::read(path)?;
    let state: StateFile = src.parse_json("riskgate state")?;
    if state.version != 1 {
        return Err(InputError::Invalid {
            path: shown,
            message: format!("unsupported state version {}", state.version),
            help: Some("this riskgate reads version 1".into()),
        });
    }
    let mut out = BTreeMap::new();
    for (fp, d) in state.first_seen {
        let Some(date) = Date::parse(&d) else {
            return Err(InputError::Invalid {
                path: shown,
                message: format!("first_seen of {fp}: `{d}` is not a date (YYYY-MM-DD)"),
                help: None,
            });
        };
        out.insert(fp, date);
    }
    Ok(out)
}

/// Where riskgate looked for `.riskgate/`, found or not: the working directory and each parent
/// up to the repository's root (the first directory with a `.git`), as git looks for `.git`.
/// Outside a repository only the working directory is looked in.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The `.riskgate/` directory holding an `ownership.yaml`, relative to the working
    /// directory (`.riskgate`, `../.riskgate`, ...).
    pub dir: Option<PathBuf>,
    /// The repository's root, relative to the working directory (`.`, `..`, ...).
    pub root: Option<PathBuf>,
}

impl Discovery {
    /// Looks from `cwd` up (the paths it returns are relative to `cwd`).
    pub fn from(cwd: &Path) -> Discovery {
        let mut up = PathBuf::new();
        let mut at = Some(cwd);
        let mut found = None;
        while let Some(d) = at {
            let rel = |name: &str| {
                if up.as_os_str().is_empty() {
                    PathBuf::from(name)
                } else {
                    up.join(name)
                }
            };
            if found.is_none() && d.join(".riskgate").join("ownership.yaml").is_file() {
                found = Some(rel(".riskgate"));
            }
            if d.join(".git").exists() {
                let root = if up.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    up.clone()
                };
                return Discovery {
                    dir: found,
                    root: Some(root),
                };
            }
            at = d.parent();
            up.push("..");
        }
        // Not in a repository: only the working directory counts.
        Discovery {
            dir: cwd
                .join(".riskgate")
                .join("ownership.yaml")
                .is_file()
                .then(|| PathBuf::from(".riskgate")),
            root: None,
        }
    }

    /// The discovery of this process's working directory, looked up once.
    pub fn here() -> &'static Discovery {
        static HERE: std::sync::OnceLock<Discovery> = std::sync::OnceLock::new();
        HERE.get_or_init(|| match std::env::current_dir() {
            Ok(cwd) => Discovery::from(&cwd),
            Err(_) => Discovery {
                dir: None,
                root: None,
            },
        })
    }

    /// The acceptances file by convention: `acceptances.yaml` in the `.riskgate/` found, else
    /// `.riskgate/acceptances.yaml` at the repository's root (or here, outside one).
    pub fn acceptances(&self) -> PathBuf {
        match (&self.dir, &self.root) {
            (Some(d), _) => d.join("acceptances.yaml"),
            (None, Some(r)) if r != Path::new(".") => r.join(".riskgate").join("acceptances.yaml"),
            _ => PathBuf::from(".riskgate/acceptances.yaml"),
        }
    }

    /// Where a `.riskgate/` was looked for, in words, for the message of a run without one.
    pub fn searched(&self) -> String {
        match &self.root {
            Some(r) if r == Path::new(".") => "no .riskgate/ in this repository's root".to_string(),
            Some(r) => format!(
                "no .riskgate/ here or in any directory above, up to the repository's root ({})",
                r.display()
            ),
            None => "no .riskgate/ here (and this is not inside a git repository)".to_string(),
        }
    }
}

/// `--policy` default: the `.riskgate/` found by [`Discovery`].
pub fn default_policy_dir() -> Option<PathBuf> {
    Discovery::here().dir.clone()
}

/// Reads a YAML file people write (within the input bounds) and parses it with positions.
// A Problem carries its file's text for the diagnostic (see policy::yaml).
#[allow(clippy::result_large_err)]
pub fn read_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> crate::policy::Parsed<T> {
    use crate::policy::yaml::{Problem, YamlFile};
    let shown = path.display().to_string();
    let bytes = ingest::source::read_file(path)
        .map_err(|e| Problem::bare(&shown, format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Problem::bare(&shown, "is not UTF-8 text".to_string()))?;
    YamlFile::parse(shown, text)
}

/// Reads `DIR/ownership.yaml` and `DIR/guardrails.yaml` (and the acceptances file when given),
/// every problem of every file collected before failing.
pub fn read_policy(
    dir: &Path,
    acceptances: Option<&Path>,
) -> Result<Policy, crate::policy::yaml::Problems> {
    Policy::assemble(
        read_yaml(&dir.join("ownership.yaml")),
        read_yaml(&dir.join("guardrails.yaml")),
        acceptances.map(read_yaml),
    )
}

/// The built-in policy, with the acceptances file when given.
pub fn read_builtin_policy(
    acceptances: Option<&Path>,
) -> Result<Policy, crate::policy::yaml::Problems> {
    Policy::builtin(acceptances.map(read_yaml))
}
