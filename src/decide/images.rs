//! Images and artifacts about to be deployed, judged against `guardrails.yaml` `images:` and
//! `artifacts:` (SPEC §6). The facts (digests, what each signature verified as, the config's
//! user, the base image) are gathered and verified before the core runs; this module only
//! decides, so it stays pure and table-testable.
//!
//! Must never: pass a rule on a fact nobody could establish. An unknown user, base or creation
//! date fails the rule that asks about it.

use crate::model::date::Timestamp;
use crate::model::facts::{ArtifactFacts, Evidence, ImageFacts};
use crate::policy::guardrails::{ArtifactsCfg, ImagesCfg};

/// Who a check's failure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOwner {
    /// The product's team.
    Product,
    /// The owner of layer `base` (the platform team, usually).
    Base,
}

/// One rule applied to one image or artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `registry`, `product`, `digest`, `integrity`, `signature`, `attestation`, `base_image`,
    /// `base_age`, `root_user`.
    pub rule: &'static str,
    pub passed: bool,
    pub reason: String,
    pub owner: CheckOwner,
    /// What would fix it.
    pub fix: Option<String>,
}

fn pass(rule: &'static str, reason: String) -> Check {
    Check {
        rule,
        passed: true,
        reason,
        owner: CheckOwner::Product,
        fix: None,
    }
}

fn fail(rule: &'static str, reason: String, fix: Option<String>) -> Check {
    Check {
        rule,
        passed: false,
        reason,
        owner: CheckOwner::Product,
        fix,
    }
}

/// Every rule of `cfg` (and the product's `images` globs) applied to one image.
pub fn check_image(
    cfg: &ImagesCfg,
    product_images: &crate::policy::glob::Globs,
    product: Option<&str>,
    f: &ImageFacts,
    now: Timestamp,
) -> Vec<Check> {
    let mut out = Vec::new();
    if !f.integrity.is_empty() {
        out.push(fail(
            "integrity",
            format!(
                "the registry served content that does not match its digest: {}",
                f.integrity.join("; ")
            ),
            Some("find out who changed the registry's content; push the image again".into()),
        ));
    }
    if !cfg.allowed_registries.is_empty() {
        if cfg.allowed_registries.is_match(&f.name) {
            out.push(pass(
                "registry",
                format!("{} is an allowed registry", f.name),
            ));
        } else {
            out.push(fail(
                "registry",
                format!(
                    "{} is not in an allowed registry ({})",
                    f.name,
                    cfg.allowed_registries.join(", ")
                ),
                Some("push the image to an allowed registry and deploy it from there".into()),
            ));
        }
    }
    if let (false, Some(p)) = (product_images.is_empty(), product) {
        if product_images.is_match(&f.name) {
            out.push(pass(
                "product",
                format!("{} is one of {p}'s images", f.name),
            ));
        } else {
            out.push(fail(
                "product",
                format!(
                    "{} is not one of {p}'s images ({})",
                    f.name,
                    product_images.join(", ")
                ),
                Some(format!(
                    "deploy {p}'s own image, or add its repository to {p}'s `images` in ownership.yaml"
                )),
            ));
        }
    }
    if cfg.require_digest {
        if f.pinned {
            out.push(pass("digest", "pinned by digest".into()));
        } else {
            out.push(fail(
                "digest",
                "given by tag, not pinned by digest".into(),
                f.digest.as_ref().map(|d| {
                    let base =
                        f.reference
                            .rsplit_once(':')
                            .map_or(f.reference.as_str(), |(b, t)| {
                                if t.contains('/') {
                                    f.reference.as_str()
                                } else {
                                    b
                                }
                            });
                    format!("deploy {base}@{d}")
                }),
            ));
        }
    }
    // Not fetched (outside the allow-lists): what needs its content is not asked.
    if f.skipped.is_some() {
        return out;
    }
    if !cfg.signatures.is_empty() {
        let sigs: Vec<&Evidence> = f.signatures.iter().filter(|e| e.is_signature()).collect();
        match sigs.iter().find_map(|e| e.verified_by.as_deref()) {
            Some(by) => out.push(pass("signature", format!("signed ({by})"))),
            None => out.push(fail(
                "signature",
                if sigs.is_empty() {
                    format!("no signature found (looked in {})", f.looked_in.join(", "))
                } else {
                    format!("no signature verifies: {}", reasons(&sigs))
                },
                Some(format!(
                    "sign {} with one of: {}",
                    f.digest.as_deref().unwrap_or(&f.reference),
                    signers(&cfg.signatures)
                )),
            )),
        }
    }
    for want in &cfg.attestations {
        let found: Vec<&Evidence> = f
            .signatures
            .iter()
            .filter(|e| e.predicate_type.as_deref() == Some(want.as_str()))
            .collect();
        match found.iter().find_map(|e| e.verified_by.as_deref()) {
            Some(by) => out.push(pass("attestation", format!("{want} attested ({by})"))),
            None => out.push(fail(
                "attestation",
                if found.is_empty() {
                    format!("no {want} attestation found")
                } else {
                    format!("no {want} attestation verifies: {}", reasons(&found))
                },
                Some(format!(
                    "attach a {want} attestation signed by one of: {}",
                    signers(&cfg.signatures)
                )),
            )),
        }
    }
    if let Some(p) = &cfg.provenance {
        out.push(provenance_check(
            p,
            &f.signatures,
            &signers(&cfg.signatures),
        ));
    }
    if let Some(b) = &cfg.base_images {
        let base = f.base.as_ref();
        let name = base.and_then(|b| b.name.as_deref());
        let mut base_check = |c: Check| {
            out.push(Check {
                owner: CheckOwner::Base,
                ..c
            })
        };
        if !b.allowed.is_empty() {
            base_check(match name {
                Some(n) if b.allowed.is_match(n) => {
                    pass("base_image", format!("base image {n} is allowed"))
                }
                Some(n) => fail(
                    "base_image",
                    format!("base image {n} is not allowed ({})", b.allowed.join(", ")),
                    Some("rebuild on an allowed base image".into()),
                ),
                None => fail(
                    "base_image",
                    "the image does not say its base (no org.opencontainers.image.base.name annotation or label)".into(),
                    Some("build with the base.name and base.digest annotations set".into()),
                ),
            });
        }
        if let Some(max) = b.max_age_days {
            let created = base.and_then(|b| b.created.as_deref());
            base_check(match base.and_then(|b| b.created_at) {
                Some(c) if c.unix() > now.unix() + super::CLOCK_SKEW_SECS => fail(
                    "base_age",
                    format!("base image says it was built at {c}, after now ({now}): its age cannot be known"),
                    Some("check the base image's `created` and the runner's clock".into()),
                ),
                Some(c) => {
                    let age = now.date().days_since(c.date());
                    if age <= i64::from(max) {
                        pass(
                            "base_age",
                            format!("base image is {age} days old (max {max})"),
                        )
                    } else {
                        fail(
                            "base_age",
                            format!(
                                "base image {} was built {} days ago, more than max_age_days {max}",
                                name.unwrap_or("(unnamed)"),
                                age
                            ),
                            Some("rebuild on a fresh base image".into()),
                        )
                    }
                }
                None => fail(
                    "base_age",
                    match (name, created) {
                        (None, _) => {
                            "the image does not say its base, so its age is unknown".into()
                        }
                        (Some(n), None) => format!(
                            "the age of base image {n} is unknown (its config has no created date)"
                        ),
                        (Some(n), Some(c)) => {
                            format!("base image {n} has an unreadable created date {c:?}")
                        }
                    },
                    Some("build with the base.name and base.digest annotations set".into()),
                ),
            });
        }
    }
    if cfg.forbid_root_user {
        out.push(match f.user.as_deref() {
            None => fail(
                "root_user",
                "the image config could not be read, so its user is unknown".into(),
                None,
            ),
            Some(u) if is_root(u) => fail(
                "root_user",
                if u.is_empty() {
                    "runs as root (the config names no user)".into()
                } else {
                    format!("runs as root (user {u:?})")
                },
                Some("set USER to an unprivileged user in the image".into()),
            ),
            Some(u) => pass("root_user", format!("runs as {u}")),
        });
    }
    out
}

/// Whether a config `User` (`name`, `uid`, `name:group`, `uid:gid`) is root.
pub fn is_root(user: &str) -> bool {
    let u = user.split(':').next().unwrap_or("").trim();
    u.is_empty() || u == "root" || u.trim_start_matches('0').is_empty()
}

/// The artifact rules applied to one artifact.
pub fn check_artifact(cfg: &ArtifactsCfg, f: &ArtifactFacts) -> Vec<Check> {
    if cfg.signatures.is_empty() {
        return Vec::new();
    }
    let fix = Some(format!(
        "sign {} with one of: {} and put the bundle beside it as {}.sigstore.json",
        f.path,
        signers(&cfg.signatures),
        f.path
    ));
    let sigs: Vec<&Evidence> = f.signatures.iter().collect();
    let mut out = vec![match sigs.iter().find_map(|e| e.verified_by.as_deref()) {
        Some(by) => pass("signature", format!("signed ({by})")),
        None if f.bundle.is_none() => fail(
            "signature",
            format!("no Sigstore bundle found for {}", f.path),
            fix,
        ),
        None => fail(
            "signature",
            format!("no signature verifies: {}", reasons(&sigs)),
            fix,
        ),
    }];
    if let Some(p) = &cfg.provenance {
        out.push(provenance_check(
            p,
            &f.signatures,
            &signers(&cfg.signatures),
        ));
    }
    out
}

/// A verified SLSA provenance whose builder, repository and ref match the policy's globs: a
/// provenance from any workflow of any branch is not enough.
fn provenance_check(
    p: &crate::policy::guardrails::ProvenanceCfg,
    evidence: &[Evidence],
    signed_by: &str,
) -> Check {
    use crate::model::facts::Provenance;
    let ok = |g: &crate::policy::glob::Globs, v: &Option<String>| {
        g.is_empty() || v.as_deref().is_some_and(|v| g.is_match(v))
    };
    let found: Vec<&Provenance> = evidence
        .iter()
        .filter(|e| e.verified_by.is_some())
        .filter_map(|e| e.provenance.as_ref())
        .collect();
    let show = |v: &Option<String>| v.as_deref().unwrap_or("(none)").to_string();
    if let Some(m) = found.iter().find(|v| {
        ok(&p.builders, &v.builder_id)
            && ok(&p.repositories, &v.repository)
            && ok(&p.refs, &v.git_ref)
    }) {
        return pass(
            "provenance",
            format!(
                "built by {} from {} at {}",
                show(&m.builder_id),
                show(&m.repository),
                show(&m.git_ref)
            ),
        );
    }
    let wanted = [
        ("builder", &p.builders),
        ("repository", &p.repositories),
        ("ref", &p.refs),
    ]
    .iter()
    .filter(|(_, g)| !g.is_empty())
    .map(|(what, g)| format!("{what} {}", g.join(" | ")))
    .collect::<Vec<_>>()
    .join(", ");
    fail(
        "provenance",
        if found.is_empty() {
            "no verified SLSA provenance to check the build against".into()
        } else {
            format!(
                "no verified SLSA provenance is from the expected build ({wanted}): {}",
                found
                    .iter()
                    .map(|v| format!(
                        "built by {} from {} at {}",
                        show(&v.builder_id),
                        show(&v.repository),
                        show(&v.git_ref)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        },
        Some(format!(
            "build it with the expected workflow ({wanted}) and attach its SLSA provenance signed by one of: {signed_by}"
        )),
    )
}

fn reasons(e: &[&Evidence]) -> String {
    e.iter()
        .map(|e| format!("{} ({})", e.source, e.problems.join("; ")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn signers(rules: &[crate::policy::guardrails::SignatureRule]) -> String {
    rules
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facts::BaseFacts;
    use crate::policy::guardrails::{BaseImagesCfg, SignatureRule};

    fn cfg() -> ImagesCfg {
        ImagesCfg {
            signatures: vec![SignatureRule {
                key: Some("k.pub".into()),
                keyless: None,
            }],
            base_images: Some(BaseImagesCfg {
                allowed: vec!["reg/base/**".to_string()].into(),
                max_age_days: Some(30),
            }),
            forbid_root_user: true,
            ..Default::default()
        }
    }

    fn failing(facts: &ImageFacts) -> Vec<&'static str> {
        let now = Timestamp::parse("2026-11-23").expect("date");
        check_image(&cfg(), &Default::default(), None, facts, now)
            .into_iter()
            .filter(|c| !c.passed)
            .map(|c| c.rule)
            .collect()
    }

    #[test]
    fn root_users() {
        for u in ["", "root", "0", "0:0", "root:wheel", "000"] {
            assert!(is_root(u), "{u:?}");
        }
        for u in ["1000", "app", "1000:0", "nobody"] {
            assert!(!is_root(u), "{u:?}");
        }
    }

    #[test]
    fn facts_nobody_established_fail_their_rules() {
        // No config read, no base, no signature: every rule that asks fails.
        let f = ImageFacts {
            reference: "reg/app:1".into(),
            name: "reg/app".into(),
            digest: Some("sha256:00".into()),
            ..Default::default()
        };
        assert_eq!(
            failing(&f),
            ["signature", "base_image", "base_age", "root_user"]
        );
        // An unverified signature and an attestation are not a signature.
        let f = ImageFacts {
            user: Some("1000".into()),
            base: Some(BaseFacts {
                name: Some("reg/base/alpine:3".into()),
                created: Some("2026-11-01T00:00:00Z".into()),
                created_at: Timestamp::parse("2026-11-01T00:00:00Z"),
                ..Default::default()
            }),
            signatures: vec![
                Evidence {
                    source: "tag x.sig".into(),
                    predicate_type: None,
                    verified_by: None,
                    problems: vec!["bad".into()],
                    provenance: None,
                },
                Evidence {
                    source: "referrer".into(),
                    predicate_type: Some("https://slsa.dev/provenance/v1".into()),
                    verified_by: Some("key k.pub".into()),
                    problems: vec![],
                    provenance: None,
                },
            ],
            ..f
        };
        assert_eq!(failing(&f), ["signature"]);
        // The base ages past max_age_days.
        let old = ImageFacts {
            base: Some(BaseFacts {
                name: Some("reg/base/alpine:3".into()),
                created: Some("2026-10-01T00:00:00Z".into()),
                created_at: Timestamp::parse("2026-10-01T00:00:00Z"),
                ..Default::default()
            }),
            ..f.clone()
        };
        assert_eq!(failing(&old), ["signature", "base_age"]);
        // A base "built" in the future does not pass the age check forever.
        let future = ImageFacts {
            base: Some(BaseFacts {
                name: Some("reg/base/alpine:3".into()),
                created: Some("2099-01-01T00:00:00Z".into()),
                created_at: Timestamp::parse("2099-01-01T00:00:00Z"),
                ..Default::default()
            }),
            ..f.clone()
        };
        assert_eq!(failing(&future), ["signature", "base_age"]);
    }
}
