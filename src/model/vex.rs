//! VEX statements (OpenVEX, CycloneDX VEX, CSAF VEX), normalised, and what each applies to.
//!
//! A statement says a vulnerability does or does not affect some products. Only `not_affected`
//! and `fixed` suppress a finding, and only where the statement's identifiers match what is
//! gated (SPEC §9):
//!
//! - a package URL matches a package by type, namespace and name, and by version and qualifiers
//!   when the purl gives them;
//! - `pkg:oci/...` matches only an image this run gates: by digest when the purl has one, else
//!   by repository;
//! - a plain name matches only the riskgate product of the run or one of its images;
//! - a product with subcomponents matches the subcomponents' packages inside that product;
//! - an empty product list, or an identifier that resolves to nothing (a CycloneDX ref with no
//!   component, a CSAF product id without a purl or name), matches nothing.
//!
//! Each product entry is matched on its own: one entry that matches nothing never widens another.
//! Whose statements are believed, and up to which level, is the guardrails' `vex:` section,
//! applied by the decision core; here a statement only records who signed it, when verified.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    NotAffected,
    Fixed,
    Affected,
    UnderInvestigation,
}

impl VexStatus {
    pub fn parse(s: &str) -> Option<VexStatus> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "not_affected" | "false_positive" | "known_not_affected" => {
                Some(VexStatus::NotAffected)
            }
            "fixed" | "first_fixed" | "resolved" | "resolved_with_pedigree" => {
                Some(VexStatus::Fixed)
            }
            "affected" | "exploitable" | "known_affected" => Some(VexStatus::Affected),
            "under_investigation" | "in_triage" => Some(VexStatus::UnderInvestigation),
            _ => None,
        }
    }

    pub fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Fixed => "fixed",
            VexStatus::Affected => "affected",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }
}

/// One identifier a statement names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductId {
    /// A package URL (`pkg:npm/lodash@4.17.20`, `pkg:oci/api@sha256%3A...`).
    Purl(String),
    /// A plain product name (`payments-api`, `registry.acme.example/payments/api`).
    Name(String),
    /// Something that names nothing this run can know (a CycloneDX ref without a component, a
    /// CSAF product id without a purl or name): it matches nothing.
    Unresolved(String),
}

/// A product a statement is about, and the packages inside it it is about (none: all of it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct VexProduct {
    pub id: ProductId,
    pub subcomponents: Vec<ProductId>,
}

impl VexProduct {
    pub fn of(id: ProductId) -> VexProduct {
        VexProduct {
            id,
            subcomponents: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VexStatement {
    /// The vulnerability id and its aliases as the document gives them.
    pub vulnerability: Vec<String>,
    /// What the statement is about. Empty: it is about nothing.
    pub products: Vec<VexProduct>,
    pub status: VexStatus,
    pub justification: Option<String>,
    /// The document (file) the statement came from.
    pub document: String,
    /// Who the document says wrote it (OpenVEX `author`, CycloneDX authors, CSAF publisher).
    pub author: Option<String>,
    /// The `vex.trusted` signer whose signature over the document verified; `None` for an
    /// unsigned document (or one no trusted signer verifies).
    pub signed_by: Option<String>,
    /// Why the document's signature did not verify, when it was signed.
    pub unverified: Option<String>,
}

/// A package URL, split (purl-spec): type and name lower-cased where the spec says they are
/// case-insensitive, percent-encoding decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    /// Sorted by key; keys lower-case.
    pub qualifiers: Vec<(String, String)>,
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

impl Purl {
    pub fn parse(s: &str) -> Option<Purl> {
        let rest = s.trim().strip_prefix("pkg:")?;
        let rest = rest.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let (path, version) = match rest.rsplit_once('@') {
            Some((p, v)) if !v.is_empty() => (p, Some(decode(v))),
            Some((p, _)) => (p, None),
            None => (rest, None),
        };
        let (kind, path) = path.split_once('/')?;
        let kind = kind.to_ascii_lowercase();
        let path = path.trim_matches('/');
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => (Some(decode(ns)), decode(n)),
            None => (None, decode(path)),
        };
        if kind.is_empty() || name.is_empty() {
            return None;
        }
        // Types whose namespace and name are case-insensitive (purl-spec's types list).
        let fold = matches!(
            kind.as_str(),
            "npm" | "pypi" | "github" | "bitbucket" | "golang" | "composer" | "deb" | "apk" | "oci"
        );
        let lower = |s: String| if fold { s.to_ascii_lowercase() } else { s };
        let name = if kind == "pypi" {
            lower(name).replace('_', "-")
        } else {
            lower(name)
        };
        let mut qualifiers: Vec<(String, String)> = qualifiers
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_ascii_lowercase(), decode(v)))
            .collect();
        qualifiers.sort();
        Some(Purl {
            kind,
            namespace: namespace.map(lower).filter(|n| !n.is_empty()),
            name,
            version,
            qualifiers,
        })
    }

    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// An image this run gates: an `--image`, or the image a report says it scanned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GatedImage {
    /// `registry/namespace/name`, lower case, without tag or digest (`docker.io/library/x` for
    /// Docker Hub's short names).
    pub repository: String,
    /// `sha256:...` of the manifest, when known.
    pub digest: Option<String>,
}

impl GatedImage {
    /// From a reference (`reg/ns/name:tag`, `name@sha256:...`, `reg:5000/ns/name`).
    pub fn parse(reference: &str, digest: Option<&str>) -> Option<GatedImage> {
        let r = reference.trim();
        let r = r.split_whitespace().next()?; // Trivy's "alpine:3.17 (alpine 3.17.3)"
        let (name, at) = match r.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (r, None),
        };
        // A tag is a `:` after the last `/` (a `:` before it is a registry port).
        let name = match name.rsplit_once(':') {
            Some((n, tag)) if !tag.contains('/') => n,
            _ => name,
        };
        if name.is_empty() {
            return None;
        }
        Some(GatedImage {
            repository: normalise_repository(name),
            digest: at
                .or(digest)
                .filter(|d| d.starts_with("sha256:"))
                .map(str::to_ascii_lowercase),
        })
    }
}

/// Docker Hub's implicit registry and `library/` namespace made explicit, lower case.
pub fn normalise_repository(name: &str) -> String {
    let n = name.trim().trim_end_matches('/').to_ascii_lowercase();
    let n = n
        .strip_prefix("index.docker.io/")
        .map_or(n.clone(), |r| format!("docker.io/{r}"));
    let first = n.split('/').next().unwrap_or("");
    let has_registry =
        n.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let n = if has_registry {
        n
    } else {
        format!("docker.io/{n}")
    };
    match n.strip_prefix("docker.io/") {
        Some(rest) if !rest.contains('/') => format!("docker.io/library/{rest}"),
        _ => n,
    }
}

/// What a run gates, for matching product identifiers.
#[derive(Clone, Copy, Default)]
pub struct Scope<'a> {
    /// The riskgate product of the run.
    pub product: Option<&'a str>,
    /// Whether a name is one of the product's images (its `images:` globs in the register).
    pub is_product_image: Option<&'a dyn Fn(&str) -> bool>,
    /// The images the run gates.
    pub images: &'a [GatedImage],
}

/// The package a finding is in.
#[derive(Debug, Clone, Copy, Default)]
pub struct PackageRef<'a> {
    pub purl: Option<&'a str>,
    pub name: Option<&'a str>,
    pub version: Option<&'a str>,
}

impl ProductId {
    /// From a document's identifier: a purl, or a plain name.
    pub fn from_text(s: &str) -> ProductId {
        let s = s.trim();
        if s.starts_with("pkg:") {
            ProductId::Purl(s.to_string())
        } else if s.is_empty() {
            ProductId::Unresolved(String::new())
        } else {
            ProductId::Name(s.to_string())
        }
    }

    /// Whether this identifier names the whole product being gated (or one of its images).
    fn is_product(&self, scope: &Scope) -> bool {
        match self {
            ProductId::Purl(p) => match Purl::parse(p) {
                Some(purl) if purl.kind == "oci" => is_gated_image(&purl, scope),
                // A purl of another type names a package, never the product.
                _ => false,
            },
            ProductId::Name(n) => is_product_name(n, scope),
            ProductId::Unresolved(_) => false,
        }
    }

    /// Whether this identifier names the finding's package.
    fn is_package(&self, pkg: &PackageRef) -> bool {
        match self {
            ProductId::Purl(p) => match Purl::parse(p) {
                Some(purl) if purl.kind == "oci" => false,
                Some(purl) => package_matches(&purl, pkg),
                None => false,
            },
            // A plain subcomponent name: that package name, exactly.
            ProductId::Name(n) => pkg.name.is_some_and(|have| have.eq_ignore_ascii_case(n)),
            ProductId::Unresolved(_) => false,
        }
    }
}

fn is_product_name(name: &str, scope: &Scope) -> bool {
    let name = name.trim();
    if scope.product.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
        return true;
    }
    let Some(image) = GatedImage::parse(name, None) else {
        return false;
    };
    scope
        .is_product_image
        .is_some_and(|f| f(name) || f(&image.repository))
        || scope.images.iter().any(|g| {
            g.repository == image.repository && (image.digest.is_none() || image.digest == g.digest)
        })
}

fn is_gated_image(purl: &Purl, scope: &Scope) -> bool {
    let digest = purl
        .version
        .as_deref()
        .filter(|v| v.starts_with("sha256:"))
        .map(str::to_ascii_lowercase);
    let repository = purl.qualifier("repository_url").map(normalise_repository);
    scope.images.iter().any(|g| {
        let repo_ok = match &repository {
            Some(r) => *r == g.repository,
            None => g
                .repository
                .rsplit('/')
                .next()
                .is_some_and(|last| last == purl.name),
        };
        match &digest {
            // Pinned: the digest decides (and a repository, when given, must agree too).
            Some(d) => g.digest.as_deref() == Some(d.as_str()) && (repository.is_none() || repo_ok),
            None => repo_ok,
        }
    })
}

fn package_matches(want: &Purl, pkg: &PackageRef) -> bool {
    match pkg.purl.and_then(Purl::parse) {
        Some(have) => {
            have.kind == want.kind
                && have.name == want.name
                && (want.namespace.is_none() || have.namespace == want.namespace)
                && want
                    .version
                    .as_ref()
                    .is_none_or(|v| have.version.as_deref().or(pkg.version) == Some(v.as_str()))
                && want
                    .qualifiers
                    .iter()
                    .all(|(k, v)| have.qualifier(k) == Some(v.as_str()))
        }
        // No purl on the finding: its name (and version) against the purl's.
        None => {
            want.qualifiers.is_empty()
                && pkg.name.is_some_and(|n| {
                    let n = n.to_ascii_lowercase();
                    n == want.name.to_ascii_lowercase()
                        || want.namespace.as_ref().is_some_and(|ns| {
                            n == format!("{ns}/{}", want.name).to_ascii_lowercase()
                        })
                })
                && want
                    .version
                    .as_ref()
                    .is_none_or(|v| pkg.version == Some(v.as_str()))
        }
    }
}

impl VexProduct {
    /// Whether this entry speaks about the finding's package in what the run gates.
    pub fn applies(&self, pkg: &PackageRef, scope: &Scope) -> bool {
        if !self.subcomponents.is_empty() {
            return self.id.is_product(scope)
                && self.subcomponents.iter().any(|s| s.is_package(pkg));
        }
        match &self.id {
            ProductId::Purl(p) if Purl::parse(p).is_some_and(|u| u.kind == "oci") => {
                self.id.is_product(scope)
            }
            ProductId::Purl(_) => self.id.is_package(pkg),
            ProductId::Name(_) => self.id.is_product(scope),
            ProductId::Unresolved(_) => false,
        }
    }
}

impl VexStatement {
    /// Whether the statement speaks about this package in what the run gates: one of its
    /// products matches on its own. No products: nothing.
    pub fn applies(&self, pkg: &PackageRef, scope: &Scope) -> bool {
        self.products.iter().any(|p| p.applies(pkg, scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(products: Vec<VexProduct>) -> VexStatement {
        VexStatement {
            vulnerability: vec!["CVE-1".into()],
            products,
            status: VexStatus::NotAffected,
            justification: None,
            document: "d".into(),
            author: None,
            signed_by: None,
            unverified: None,
        }
    }

    fn purl(p: &str) -> VexProduct {
        VexProduct::of(ProductId::Purl(p.into()))
    }

    fn pkg(purl: &str) -> PackageRef<'_> {
        PackageRef {
            purl: Some(purl),
            name: None,
            version: None,
        }
    }

    const IMAGES: &[GatedImage] = &[];

    #[test]
    fn purl_parsing() {
        let p = Purl::parse("pkg:Maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar")
            .expect("purl");
        assert_eq!(p.kind, "maven");
        assert_eq!(p.namespace.as_deref(), Some("org.apache.logging.log4j"));
        assert_eq!(p.name, "log4j-core");
        assert_eq!(p.version.as_deref(), Some("2.14.1"));
        assert_eq!(p.qualifier("type"), Some("jar"));
        let o = Purl::parse("pkg:oci/debian@sha256%3A244fd47e07d1?repository_url=docker.io/library/debian&tag=latest")
            .expect("oci");
        assert_eq!(o.version.as_deref(), Some("sha256:244fd47e07d1"));
        assert_eq!(
            o.qualifier("repository_url"),
            Some("docker.io/library/debian")
        );
        assert_eq!(
            Purl::parse("pkg:npm/%40angular/core@1.0.0").map(|p| p.namespace),
            Some(Some("@angular".into()))
        );
        assert!(Purl::parse("pkg:").is_none());
        assert!(Purl::parse("pkg:npm").is_none());
        assert!(Purl::parse("other-product").is_none());
    }

    #[test]
    fn packages_by_type_namespace_name_version_and_qualifiers() {
        let scope = Scope::default();
        let cases: &[(&str, &str, bool)] = &[
            (
                "pkg:apk/alpine/libssl3@3.0.8-r3",
                "pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64&distro=3.17",
                true,
            ),
            (
                "pkg:apk/alpine/libssl3@3.0.8-r3",
                "pkg:apk/alpine/libssl3@3.0.9-r0",
                false,
            ),
            (
                "pkg:apk/alpine/libssl3@3.0.8-r3",
                "pkg:apk/alpine/libcrypto3@3.0.8-r3",
                false,
            ),
            (
                "pkg:apk/alpine/libssl3",
                "pkg:apk/alpine/libssl3@3.0.9-r0",
                true,
            ),
            (
                "pkg:deb/debian/libssl3",
                "pkg:apk/alpine/libssl3@3.0.9-r0",
                false,
            ),
            (
                "pkg:apk/wolfi/libssl3",
                "pkg:apk/alpine/libssl3@3.0.9-r0",
                false,
            ),
            (
                "pkg:apk/alpine/libssl3?arch=aarch64",
                "pkg:apk/alpine/libssl3@3.0.9-r0?arch=x86_64",
                false,
            ),
            (
                "pkg:apk/alpine/libssl3?arch=x86_64",
                "pkg:apk/alpine/libssl3@3.0.9-r0?arch=x86_64",
                true,
            ),
            (
                "pkg:golang/github.com/docker/distribution",
                "pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible",
                true,
            ),
            (
                "pkg:golang/x@v1.0.0%2Bincompatible",
                "pkg:golang/x@v1.0.0+incompatible",
                true,
            ),
            (
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                true,
            ),
            (
                "pkg:maven/org.apache.logging.log4j/log4j-core",
                "pkg:maven/other.group/log4j-core@2.14.1",
                false,
            ),
            ("pkg:pypi/Django_Rest", "pkg:pypi/django-rest@1", true),
        ];
        for (statement, finding, want) in cases {
            assert_eq!(
                st(vec![purl(statement)]).applies(&pkg(finding), &scope),
                *want,
                "{statement} about {finding}"
            );
        }
        // Without a purl on the finding: name and version.
        let named = PackageRef {
            purl: None,
            name: Some("libssl3"),
            version: Some("3.0.8-r3"),
        };
        assert!(st(vec![purl("pkg:apk/alpine/libssl3@3.0.8-r3")]).applies(&named, &scope));
        assert!(!st(vec![purl("pkg:apk/alpine/libssl3@3.0.9")]).applies(&named, &scope));
    }

    #[test]
    fn nothing_named_applies_to_nothing() {
        let scope = Scope {
            product: Some("payments-api"),
            is_product_image: None,
            images: IMAGES,
        };
        let p = pkg("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        assert!(!st(vec![]).applies(&p, &scope));
        assert!(
            !st(vec![VexProduct::of(ProductId::Unresolved("ref-1".into()))]).applies(&p, &scope)
        );
        assert!(!st(vec![VexProduct::of(ProductId::Name(
            "other-product-xyz".into()
        ))])
        .applies(&p, &scope));
        // One non-matching entry never widens the others.
        assert!(!st(vec![
            purl("pkg:npm/lodash"),
            VexProduct::of(ProductId::Name("other".into()))
        ])
        .applies(&p, &scope));
        assert!(st(vec![
            purl("pkg:npm/lodash"),
            VexProduct::of(ProductId::Name("payments-api".into()))
        ])
        .applies(&p, &scope));
    }

    #[test]
    fn images_by_digest_or_repository() {
        let gated = [GatedImage::parse(
            "registry.acme.example/payments/api:1.4",
            Some("sha256:aaaa"),
        )
        .expect("image")];
        let scope = Scope {
            product: Some("payments-api"),
            is_product_image: None,
            images: &gated,
        };
        let p = pkg("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        let cases: &[(&str, bool)] = &[
            ("pkg:oci/api@sha256%3Aaaaa", true),
            ("pkg:oci/api@sha256%3Abbbb", false),
            ("pkg:oci/other-image@sha256%3Aaaaa?repository_url=registry.acme.example/other/image", false),
            ("pkg:oci/api?repository_url=registry.acme.example/payments/api", true),
            ("pkg:oci/api?repository_url=registry.acme.example/other/api", false),
            ("pkg:oci/api", true),
            ("pkg:oci/other-image", false),
        ];
        for (image, want) in cases {
            assert_eq!(st(vec![purl(image)]).applies(&p, &scope), *want, "{image}");
        }
        // With subcomponents: the image, then the package inside it.
        let within = |image: &str, sub: &str| VexProduct {
            id: ProductId::Purl(image.into()),
            subcomponents: vec![ProductId::Purl(sub.into())],
        };
        assert!(st(vec![within(
            "pkg:oci/api@sha256%3Aaaaa",
            "pkg:maven/org.apache.logging.log4j/log4j-core"
        )])
        .applies(&p, &scope));
        assert!(
            !st(vec![within("pkg:oci/api@sha256%3Aaaaa", "pkg:npm/lodash")]).applies(&p, &scope)
        );
        assert!(!st(vec![within(
            "pkg:oci/other@sha256%3Acccc",
            "pkg:maven/org.apache.logging.log4j/log4j-core"
        )])
        .applies(&p, &scope));
        // No gated image: image statements apply to nothing.
        let none = Scope {
            images: &[],
            ..scope
        };
        assert!(!st(vec![purl("pkg:oci/api")]).applies(&p, &none));
        // Plain names: the product, or a gated image's repository.
        assert!(st(vec![VexProduct::of(ProductId::Name(
            "registry.acme.example/payments/api".into()
        ))])
        .applies(&p, &scope));
        assert!(
            st(vec![VexProduct::of(ProductId::Name("PAYMENTS-API".into()))]).applies(&p, &scope)
        );
    }

    #[test]
    fn repositories() {
        assert_eq!(normalise_repository("alpine"), "docker.io/library/alpine");
        assert_eq!(
            normalise_repository("index.docker.io/library/alpine"),
            "docker.io/library/alpine"
        );
        assert_eq!(normalise_repository("acme/api"), "docker.io/acme/api");
        assert_eq!(
            normalise_repository("127.0.0.1:5000/payments/api"),
            "127.0.0.1:5000/payments/api"
        );
        let g = GatedImage::parse("127.0.0.1:5000/payments/api:1.0", None).expect("image");
        assert_eq!(g.repository, "127.0.0.1:5000/payments/api");
        assert_eq!(g.digest, None);
        let g = GatedImage::parse("alpine:3.17 (alpine 3.17.3)", None).expect("image");
        assert_eq!(g.repository, "docker.io/library/alpine");
    }

    #[test]
    fn statuses() {
        assert_eq!(
            VexStatus::parse("not_affected"),
            Some(VexStatus::NotAffected)
        );
        assert_eq!(VexStatus::parse("resolved"), Some(VexStatus::Fixed));
        assert_eq!(
            VexStatus::parse("in_triage"),
            Some(VexStatus::UnderInvestigation)
        );
        assert_eq!(VexStatus::parse("exploitable"), Some(VexStatus::Affected));
        assert!(!VexStatus::Affected.suppresses());
        assert_eq!(VexStatus::parse("maybe"), None);
    }
}
