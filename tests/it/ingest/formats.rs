//! Every real scanner output in tests/fixtures is read, and the findings it yields are
//! asserted: ids, severities, packages, classes, locations, counts.

use crate::common::*;
use riskgate::ingest::vex::{ProductId, VexProduct};
use riskgate::ingest::{self, VexStatus};
use riskgate::model::finding::{dedup, Finding, Kind, PackageClass, Severity};

fn load(rel: &str) -> ingest::Parsed {
    ingest::load_report(&fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e:?}"))
}

fn findings(rel: &str) -> Vec<Finding> {
    dedup(load(rel).findings)
}

fn find<'a>(fs: &'a [Finding], id: &str, pkg: &str) -> &'a Finding {
    fs.iter()
        .find(|f| {
            f.ids().any(|i| i == id)
                && f.package.as_ref().map(|p| p.name.as_str()).unwrap_or("") == pkg
        })
        .unwrap_or_else(|| {
            panic!(
                "no {id} in {pkg}: {:#?}",
                fs.iter().map(|f| (&f.id, &f.package)).collect::<Vec<_>>()
            )
        })
}

#[test]
fn every_fixture_is_detected_as_its_real_format() {
    let expect = [
        ("trivy", "trivy"),
        ("grype", "grype"),
        ("sarif", "sarif"),
        ("cyclonedx", "cyclonedx"),
        ("gitlab", "gitlab"),
    ];
    for (dir, format) in expect {
        for entry in std::fs::read_dir(fixture(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".xml") || name.contains("codequality") {
                continue;
            }
            let parsed = ingest::load_report(&path).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(parsed.format, format, "{name}");
        }
    }
    assert_eq!(load("openvex/vex-v0.2.0.json").format, "openvex");
    assert_eq!(load("openvex/csaf-csaf.json").format, "csaf");
}

#[test]
fn trivy_os_packages_with_layers_and_cvss() {
    let fs = findings("trivy/alpine-310.json");
    assert_eq!(fs.len(), 4);
    let f = find(&fs, "CVE-2019-1549", "libcrypto1.1");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.kind, Kind::Vulnerability);
    let p = f.package.as_ref().unwrap();
    assert_eq!(p.version.as_deref(), Some("1.1.1c-r0"));
    assert_eq!(p.class, Some(PackageClass::Os));
    assert_eq!(
        p.purl.as_deref(),
        Some("pkg:apk/alpine/libcrypto1.1@1.1.1c-r0?arch=x86_64&distro=3.10.2")
    );
    assert_eq!(f.fixed_version.as_deref(), Some("1.1.1d-r0"));
    assert_eq!(f.fix_available, Some(true));
    assert_eq!(f.cvss, Some(5.3));
    assert_eq!(f.location.path, None, "OS packages have no file path");
    assert_eq!(
        f.location.layer_digest.as_deref(),
        Some("sha256:03901b4a2ea88eeaad62dbe59b072b28b6efa00491962b8741081c5df50c65e0")
    );
    assert_eq!(
        f.target.as_deref(),
        Some("testdata/fixtures/images/alpine-310.tar.gz")
    );
    assert_eq!(f.published.as_deref(), Some("2019-09-10T17:15:00Z"));
    let meta = load("trivy/alpine-310.json").meta;
    assert_eq!(meta.kinds, vec!["container_scanning"]);
    assert_eq!(meta.created.unwrap().to_string(), "2021-08-25T12:20:30Z");
    assert_eq!(meta.diff_ids.len(), 1);
}

#[test]
fn trivy_language_packages_misconfigurations_and_secrets() {
    let fs = findings("trivy/npm.json");
    let f = find(&fs, "CVE-2019-11358", "jquery");
    assert_eq!(
        f.package.as_ref().unwrap().class,
        Some(PackageClass::Library)
    );
    assert_eq!(f.location.path.as_deref(), Some("package-lock.json"));
    assert_eq!(
        f.cvss,
        Some(6.1),
        "CVSS of the severity source (ghsa) is absent, nvd is used"
    );

    let fs = findings("trivy/gomod-vex.json");
    assert_eq!(fs.len(), 4);
    let unknown: Vec<_> = fs
        .iter()
        .filter(|f| f.severity == Severity::Unknown)
        .collect();
    assert!(!unknown.is_empty(), "GMS-2022-20 has severity UNKNOWN");
    assert!(fs
        .iter()
        .any(|f| f.location.path.as_deref() == Some("submod/go.mod")));

    let fs = findings("trivy/dockerfile.json");
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].id, "DS-0002");
    assert_eq!(fs[0].kind, Kind::Misconfiguration);
    assert_eq!(fs[0].severity, Severity::High);
    assert_eq!(fs[0].location.path.as_deref(), Some("Dockerfile"));

    let fs = findings("trivy/helm.json");
    assert_eq!(fs.len(), 18, "18 FAIL misconfigurations");
    assert!(fs.iter().all(|f| f.kind == Kind::Misconfiguration));

    let fs = findings("trivy/secrets.json");
    assert_eq!(fs.len(), 2);
    let aws = fs.iter().find(|f| f.id == "aws-access-key-id").unwrap();
    assert_eq!((aws.kind, aws.severity), (Kind::Secret, Severity::Critical));
    assert_eq!(
        (aws.location.path.as_deref(), aws.location.line),
        (Some("deploy.sh"), Some(3))
    );

    // a lock file with packages and no vulnerabilities is a clean scan
    assert!(findings("trivy/cargo.lock.json").is_empty());
    let fluentd = findings("trivy/fluentd-gems.json");
    assert_eq!(fluentd.len(), 2);
    assert!(fluentd
        .iter()
        .any(|f| f.package.as_ref().unwrap().class == Some(PackageClass::Library)));
    assert!(fluentd
        .iter()
        .any(|f| f.package.as_ref().unwrap().class == Some(PackageClass::Os)));
}

#[test]
fn grype_matches_fix_states_and_related_ids() {
    let fs = findings("grype/ghsa-test.json");
    let f = find(&fs, "CVE-2014-3577", "httpclient");
    assert!(
        f.aliases.contains(&"GHSA-cfh5-3ghh-wfjx".to_string()),
        "GHSA id folded onto its CVE"
    );
    assert_eq!(f.fixed_version.as_deref(), Some("4.3.5"));
    assert_eq!(
        f.package.as_ref().unwrap().purl.as_deref(),
        Some("pkg:maven/org.apache.httpcomponents/httpclient@4.1.1")
    );
    assert_eq!(f.location.path.as_deref(), Some("TwilioNotifier.hpi"));

    let fs = findings("grype/keycloak-test.json");
    assert_eq!(fs.len(), 6);
    assert!(fs
        .iter()
        .all(|f| f.fix_available == Some(false) && f.severity == Severity::Low));
    assert!(fs
        .iter()
        .all(|f| f.package.as_ref().unwrap().class == Some(PackageClass::Os)));

    // CVE-2023-28755 and GHSA-hv5j-3h9f-99c2 (its alias) in uri 0.10.1 are one finding
    let fs = findings("grype/chainguard-ruby-test.json");
    assert_eq!(fs.len(), 2);
    let uri = find(&fs, "CVE-2023-28755", "uri");
    assert_eq!(uri.aliases, vec!["GHSA-hv5j-3h9f-99c2"]);
    assert_eq!(uri.fixed_version.as_deref(), Some("0.10.2"));

    assert!(findings("grype/TestEmptyJsonPresenter.json").is_empty());
    let dirs = findings("grype/TestJsonDirsPresenter.json");
    assert_eq!(
        dirs.iter().map(|f| f.severity).collect::<Vec<_>>(),
        vec![Severity::Critical, Severity::Low]
    );
}

#[test]
fn sarif_from_many_tools() {
    let fs = findings("sarif/trivy-alpine-310.sarif");
    assert_eq!(fs.len(), 4);
    let f = find(&fs, "CVE-2019-1549", "libssl1.1");
    assert_eq!(
        f.severity,
        Severity::Medium,
        "security-severity 5.3 takes precedence over level"
    );
    assert_eq!(f.package.as_ref().unwrap().class, Some(PackageClass::Os));

    let fs = findings("sarif/grype-image.sarif");
    let f = find(&fs, "CVE-1999-0001", "package-1");
    assert_eq!(f.severity, Severity::High, "security-severity 8.2");

    let fs = findings("sarif/sarifsdk-FortifyFpr-OneResultBasic.fpr.sarif");
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].kind, Kind::Weakness);
    assert_eq!(
        fs[0].id, "31D4607A-A3FF-447C-908A-CA2BBE4CE4B7",
        "rule found by ruleIndex"
    );
    assert_eq!(
        fs[0].location.path.as_deref(),
        Some("Helpers/InvoiceHelper.cs"),
        "path through the artifacts table"
    );
    assert_eq!(fs[0].location.line, Some(57));
    assert_eq!(
        fs[0].severity,
        Severity::Medium,
        "no level anywhere: SARIF's default `warning`"
    );

    let fs = findings("sarif/sarifsdk-ContrastSecurity-WebGoat.xml.sarif");
    assert!(fs
        .iter()
        .any(|f| f.id == "sql-injection" && f.severity == Severity::High));
    assert!(
        fs.iter().any(|f| f.severity == Severity::Low),
        "rule defaultConfiguration level note"
    );

    let big = load("sarif/sarifsdk-FortifyFpr-ScanWithFailureLevelMatrices.fpr.sarif");
    assert_eq!(big.findings.len(), 452);
    assert_eq!(
        load("sarif/sarifsdk-CppCheck-CppCheck_issueLog1_raw.xml.sarif")
            .findings
            .len(),
        188
    );
    assert_eq!(
        load("sarif/sarifsdk-FortifyFpr-FortifyTest.fpr.sarif")
            .meta
            .kinds,
        vec!["sast"]
    );
}

#[test]
fn sarif_suppressions_are_kept_as_claims() {
    let text = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"semgrep","rules":[{"id":"r1"}]}},
      "results":[
        {"ruleId":"r1","level":"error","message":{"text":"a"},"suppressions":[{"kind":"inSource"}],
         "locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.py"},"region":{"startLine":1}}}]},
        {"ruleId":"r1","level":"error","message":{"text":"b"},"suppressions":[{"kind":"external","status":"rejected"}],
         "locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.py"},"region":{"startLine":2}}}]},
        {"ruleId":"r1","level":"error","message":{"text":"c"},"suppressions":[],
         "locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.py"},"region":{"startLine":3}}}]}
      ]},{"tool":{"driver":{"name":"gitleaks","rules":[{"id":"aws","properties":{"tags":["secret"]}}]}},
      "results":[{"ruleId":"aws","message":{"text":"key"}}]}]}"#;
    let p = ingest::parse_report(&ingest::Source::from_bytes(
        "s.sarif",
        text.as_bytes().to_vec(),
    ))
    .unwrap();
    let lines: Vec<_> = p
        .findings
        .iter()
        .filter_map(|f| {
            Some((
                f.location.line?,
                f.scanner_suppression.as_ref().map(|s| s.kind.as_str()),
            ))
        })
        .collect();
    assert_eq!(
        lines,
        vec![(1, Some("inSource")), (2, None), (3, None)],
        "every result kept; only the accepted suppression is recorded, for the guardrails to weigh"
    );
    assert_eq!(p.meta.suppressed, 1);
    assert_eq!(p.findings[3].kind, Kind::Secret);
    assert_eq!(p.meta.kinds, vec!["sast", "secret_detection"]);
}

#[test]
fn cyclonedx_vulnerabilities_and_vex() {
    let fs = findings("cyclonedx/grype-image.cdx.json");
    assert_eq!(fs.len(), 2);
    let f = find(&fs, "CVE-1999-0002", "package-2");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.package.as_ref().unwrap().class, Some(PackageClass::Os));
    let fs = findings("cyclonedx/trivy-npm.cdx.json");
    let f = find(&fs, "CVE-2019-11358", "jquery");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(
        f.package.as_ref().unwrap().purl.as_deref(),
        Some("pkg:npm/jquery@3.3.9")
    );

    let vex = load("cyclonedx/cisa-case-1-not_affected.vex.json");
    assert!(vex.findings.is_empty());
    assert_eq!(vex.vex.len(), 1);
    assert_eq!(vex.vex[0].status, VexStatus::NotAffected);
    assert_eq!(
        vex.vex[0].justification.as_deref(),
        Some("code_not_present")
    );
    // product-ABC is the BOM's own subject: the product named ABC, not a package.
    assert_eq!(
        vex.vex[0].products,
        vec![VexProduct::of(ProductId::Name("ABC".into()))]
    );

    // case 3: a VEX document (analyses only, no components): every analysis is a statement,
    // exploitable ones as `affected` (which overrides a not_affected elsewhere); no findings.
    let case3 = load("cyclonedx/cisa-case-3.vex.json");
    assert_eq!(case3.vex.len(), 19);
    assert!(case3.findings.is_empty());
    assert!(case3
        .vex
        .iter()
        .any(|s| s.vulnerability[0] == "CVE-2020-11898" && s.status == VexStatus::Affected));

    // In a scan report, an analysis is a claim about a finding: the finding stays.
    let p = load("corpus/defectdojo/cyclonedx/log4j.json");
    assert!(p.findings.iter().any(|f| f.id == "CVE-2021-44228"));
}

#[test]
fn openvex_and_csaf_statements() {
    let doc = load("openvex/vex-v0.2.0.json");
    let fixed: Vec<_> = doc
        .vex
        .iter()
        .filter(|s| s.status == VexStatus::Fixed)
        .collect();
    assert_eq!(fixed.len(), 3);
    // The alpine image by digest, and the two packages inside it.
    assert_eq!(
        fixed[0].products,
        vec![VexProduct {
            id: ProductId::Purl(
                "pkg:oci/alpine@sha256%3A124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126".into()
            ),
            subcomponents: vec![
                ProductId::Purl("pkg:apk/alpine/libssl3@3.0.8-r3".into()),
                ProductId::Purl("pkg:apk/alpine/libcrypto3@3.0.8-r3".into()),
            ],
        }]
    );
    let na = doc
        .vex
        .iter()
        .find(|s| s.status == VexStatus::NotAffected)
        .unwrap();
    assert_eq!(na.vulnerability, vec!["CVE-2023-3446"]);
    assert_eq!(
        na.justification.as_deref(),
        Some("vulnerable_code_not_present")
    );

    let one = load("openvex/vex-v020-1.vex.json");
    assert_eq!(one.vex[0].status, VexStatus::UnderInvestigation);

    let csaf = load("openvex/csaf-csaf.json");
    assert!(!csaf.vex.is_empty());
    assert!(csaf.vex.iter().all(|s| s.status.suppresses()));
    assert!(csaf.vex.iter().any(|s| s.vulnerability == ["CVE-2009-4487"]
        && s.products == [VexProduct::of(ProductId::Purl("pkg:maven/@1.3.4".into()))]));
}

#[test]
fn gitlab_reports() {
    let p = load("gitlab/trivy-alpine-310.gitlab.json");
    assert_eq!(p.meta.kinds, vec!["container_scanning"]);
    let fs = dedup(p.findings);
    assert_eq!(fs.len(), 4);
    let f = find(&fs, "CVE-2019-1551", "libssl1.1");
    assert_eq!(f.package.as_ref().unwrap().class, Some(PackageClass::Os));
    assert_eq!(f.fixed_version.as_deref(), Some("1.1.1d-r2"));
    assert_eq!(
        f.target.as_deref(),
        Some("testdata/fixtures/images/alpine-310.tar.gz")
    );
    let fs = findings("gitlab/trivy-npm.gitlab.json");
    assert_eq!(
        fs[0].package.as_ref().unwrap().class,
        Some(PackageClass::Library)
    );
    assert_eq!(fs[0].target, None, "`Unknown` image is no target");
}

#[test]
fn osv_npm_and_cargo_audit_from_documented_schemas() {
    let fs = dedup(
        ingest::load_report(&data("osv-scanner.json"))
            .unwrap()
            .findings,
    );
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].id, "CVE-2021-44906");
    assert_eq!(fs[0].severity, Severity::Critical);
    assert_eq!(fs[0].fixed_version.as_deref(), Some("1.2.6"));
    assert_eq!(
        fs[0].location.path.as_deref(),
        Some("src/app/package-lock.json")
    );

    let fs = dedup(
        ingest::load_report(&data("npm-audit-v2.json"))
            .unwrap()
            .findings,
    );
    assert_eq!(
        fs.len(),
        1,
        "string `via` entries point at other packages, not advisories"
    );
    assert_eq!(fs[0].id, "GHSA-gxr4-xjj5-5px2");
    assert_eq!(fs[0].severity, Severity::Medium);
    assert_eq!(fs[0].fixed_version.as_deref(), Some("3.7.1"));

    let fs = dedup(
        ingest::load_report(&data("cargo-audit.json"))
            .unwrap()
            .findings,
    );
    assert_eq!(fs.len(), 2);
    let webpki = fs
        .iter()
        .find(|f| f.aliases.contains(&"RUSTSEC-2023-0052".into()) || f.id == "RUSTSEC-2023-0052")
        .unwrap();
    assert_eq!(
        webpki.severity,
        Severity::High,
        "CVSS 7.5 computed from the vector"
    );
    assert_eq!(webpki.fixed_version.as_deref(), Some(">=0.22.2"));
    let unmaintained = fs.iter().find(|f| f.id == "RUSTSEC-2021-0139").unwrap();
    assert_eq!(unmaintained.severity, Severity::Low);
}

#[test]
fn the_same_image_from_trivy_and_grype_is_one_finding_per_vulnerability() {
    // Trivy JSON, Trivy SARIF, Trivy's GitLab template and Grype: reports of the same image.
    let mut all = Vec::new();
    for rel in [
        "trivy/alpine-310.json",
        "sarif/trivy-alpine-310.sarif",
        "gitlab/trivy-alpine-310.gitlab.json",
    ] {
        all.extend(load(rel).findings);
    }
    assert_eq!(all.len(), 12);
    let fs = dedup(all);
    assert_eq!(fs.len(), 4, "{:#?}", fs);

    // Grype's JSON and SARIF for one image: different formats, same two findings, both tools.
    let mut all = load("grype/TestJsonImgsPresenter.json").findings;
    all.extend(load("sarif/grype-image.sarif").findings);
    let mut g = dedup(all);
    g.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(g.len(), 2, "{:#?}", g);
    assert_eq!(g[0].id, "CVE-1999-0001");
    assert_eq!(
        g[0].severity,
        Severity::High,
        "the higher of grype's `Low` and SARIF's 8.2"
    );
}

#[test]
fn kev_and_epss_lookups() {
    let kev = ingest::kev::Kev::load(&fixture("kev/known_exploited_vulnerabilities.json")).unwrap();
    assert_eq!(kev.len(), 1404);
    assert_eq!(kev.version.as_deref(), Some("2025.08.25"));
    assert!(kev.get("CVE-2021-44228").is_some());
    assert!(kev.get("CVE-2019-1549").is_none());
    // the KEV catalog is intel, not a report
    let err =
        ingest::load_report(&fixture("kev/known_exploited_vulnerabilities.json")).unwrap_err();
    assert!(format!("{err:?}").contains("--kev"), "{err:?}");
}

/// `require_reports` matches on the kinds derived from each report's content; every report in
/// tests/fixtures is classified here (a fixture missing from the table fails the test).
#[test]
fn report_kinds_of_every_fixture() {
    let expected: &[(&str, &[&str])] = &[
        ("trivy/almalinux-8.json", &["container_scanning"]),
        ("trivy/alpine-310.json", &["container_scanning"]),
        ("trivy/cargo.lock.json", &["dependency_scanning"]),
        ("trivy/centos-7.json", &["container_scanning"]),
        ("trivy/debian-buster.json", &["container_scanning"]),
        ("trivy/distroless-base.json", &["container_scanning"]),
        ("trivy/dockerfile.json", &["iac"]),
        ("trivy/fluentd-gems.json", &["container_scanning"]),
        ("trivy/gomod-vex.json", &["dependency_scanning"]),
        ("trivy/helm.json", &["iac"]),
        ("trivy/npm.json", &["dependency_scanning"]),
        ("trivy/pip.json", &["dependency_scanning"]),
        ("trivy/pom.json", &["dependency_scanning"]),
        ("trivy/secrets.json", &["secret_detection"]),
        ("trivy/ubuntu-1804.json", &["container_scanning"]),
        (
            "grype/TestEmptyJsonPresenter.json",
            &["dependency_scanning"],
        ),
        ("grype/TestJsonDirsPresenter.json", &["dependency_scanning"]),
        ("grype/TestJsonImgsPresenter.json", &["container_scanning"]),
        ("grype/chainguard-ruby-test.json", &["container_scanning"]),
        ("grype/ghsa-test.json", &["container_scanning"]),
        ("grype/keycloak-test.json", &["container_scanning"]),
        // Grype's SARIF of a directory scan names no image.
        ("sarif/grype-image.sarif", &["dependency_scanning"]),
        // checkov: Terraform and Dockerfile checks; semgrep: code
        ("sarif/checkov-3.3.30-terraform.sarif", &["iac"]),
        ("sarif/semgrep-1.185.0-python.sarif", &["sast"]),
        (
            "sarif/sarifsdk-ContrastSecurity-WebGoat.xml.sarif",
            &["sast"],
        ),
        (
            "sarif/sarifsdk-CppCheck-CppCheck_issueLog1_raw.xml.sarif",
            &["sast"],
        ),
        ("sarif/sarifsdk-FortifyFpr-FortifyTest.fpr.sarif", &["sast"]),
        (
            "sarif/sarifsdk-FortifyFpr-OneResultBasic.fpr.sarif",
            &["sast"],
        ),
        (
            "sarif/sarifsdk-FortifyFpr-OneResultWithTwoTraces.fpr.sarif",
            &["sast"],
        ),
        (
            "sarif/sarifsdk-FortifyFpr-ScanWithFailureLevelMatrices.fpr.sarif",
            &["sast"],
        ),
        (
            "sarif/sarifsdk-FortifyFpr-TwoResultsWithNodeRefs.fpr.sarif",
            &["sast"],
        ),
        ("sarif/trivy-alpine-310.sarif", &["container_scanning"]),
        ("cyclonedx/cisa-case-1-not_affected.vex.json", &["vex"]),
        ("cyclonedx/cisa-case-2.vex.json", &["vex"]),
        ("cyclonedx/cisa-case-3.vex.json", &["vex"]),
        ("cyclonedx/grype-image.cdx.json", &["container_scanning"]),
        ("cyclonedx/trivy-npm.cdx.json", &["dependency_scanning"]),
        ("cyclonedx/use-case-1.vex.json", &["vex"]),
        ("openvex/csaf-csaf.json", &["vex"]),
        ("openvex/vex-v0.2.0.json", &["vex"]),
        ("openvex/vex-v020-1.vex.json", &["vex"]),
        ("openvex/vex-v020-2.vex.json", &["vex"]),
        // GitLab's own report type decides (Trivy's GitLab template writes container_scanning).
        (
            "gitlab/trivy-alpine-310.gitlab.json",
            &["container_scanning"],
        ),
        ("gitlab/trivy-npm.gitlab.json", &["container_scanning"]),
    ];
    // Not scanner reports: Trivy's JUnit template and GitLab Code Quality output.
    let not_reports = [
        "trivy/alpine-310.junit.xml",
        "gitlab/trivy-alpine-310.codequality.json",
    ];
    let mut seen = 0;
    for dir in ["trivy", "grype", "sarif", "cyclonedx", "openvex", "gitlab"] {
        for e in std::fs::read_dir(fixture(dir)).expect("fixtures") {
            let name = format!("{dir}/{}", e.expect("entry").file_name().to_string_lossy());
            if not_reports.contains(&name.as_str()) {
                assert!(
                    riskgate::ingest::load_report(&fixture(&name)).is_err(),
                    "{name}"
                );
                continue;
            }
            let want = expected
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("{name} is not classified in this test"))
                .1;
            let r = riskgate::ingest::load_report(&fixture(&name)).expect(&name);
            assert_eq!(r.meta.kinds, want, "{name}");
            seen += 1;
        }
    }
    assert_eq!(seen, expected.len());
}

#[test]
fn gitlab_false_positive_flags_are_scanner_suppressions() {
    let text = r#"{"version":"15.0.6","vulnerabilities":[
      {"id":"a1","category":"sast","name":"subprocess with shell=True","severity":"High",
       "location":{"file":"app/run.py","start_line":12},
       "identifiers":[{"type":"semgrep_id","name":"bandit.B602","value":"bandit.B602"}],
       "flags":[{"type":"flagged-as-likely-false-positive","origin":"vet","description":"argument is a constant"}]},
      {"id":"a2","category":"sast","name":"subprocess with shell=True","severity":"High",
       "location":{"file":"app/admin.py","start_line":3},
       "identifiers":[{"type":"semgrep_id","name":"bandit.B602","value":"bandit.B602"}]}],
      "scan":{"type":"sast","status":"success","start_time":"2026-11-22T10:00:00","end_time":"2026-11-22T10:01:00",
              "analyzer":{"id":"semgrep","name":"Semgrep","vendor":{"name":"GitLab"},"version":"5.0.0"},
              "scanner":{"id":"semgrep","name":"Semgrep","vendor":{"name":"GitLab"},"version":"1.0.0"}}}"#;
    let p = ingest::parse_report(&ingest::Source::from_bytes(
        "gl-sast-report.json",
        text.as_bytes().to_vec(),
    ))
    .expect("report");
    let flagged: Vec<_> = p
        .findings
        .iter()
        .map(|f| {
            (
                f.location.path.as_deref(),
                f.scanner_suppression
                    .as_ref()
                    .map(|s| (s.tool.as_str(), s.justification.as_deref())),
            )
        })
        .collect();
    assert_eq!(
        flagged,
        vec![
            (
                Some("app/run.py"),
                Some(("vet", Some("argument is a constant")))
            ),
            (Some("app/admin.py"), None)
        ]
    );
}

/// A JSON object written with its keys in the order `order` gives them (JSON does not order
/// keys; riskgate's Trivy reader streams findings when the keys come as Trivy writes them).
fn emit(
    v: &serde_json::Value,
    order: &dyn Fn(&[&String], usize) -> Vec<String>,
    depth: usize,
) -> String {
    match v {
        serde_json::Value::Object(m) => {
            let keys: Vec<&String> = m.keys().collect();
            let parts: Vec<String> = order(&keys, depth)
                .iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        serde_json::to_string(k).unwrap(),
                        emit(&m[k], order, depth + 1)
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        serde_json::Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(|x| emit(x, order, depth + 1)).collect();
            format!("[{}]", parts.join(","))
        }
        other => other.to_string(),
    }
}

#[test]
fn trivy_reads_the_same_findings_in_any_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for entry in std::fs::read_dir(fixture("trivy")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if v.get("SchemaVersion").is_none() {
            continue;
        }
        let as_read = |json: &str, name: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, json).unwrap();
            let parsed =
                ingest::load_report(&p).unwrap_or_else(|e| panic!("{path:?} {name}: {e:?}"));
            serde_json::to_string(&dedup(parsed.findings)).unwrap()
        };
        let written = as_read(&text, "as-written.json");
        // Keys sorted (serde_json's map): SchemaVersion comes after Results, so nothing streams.
        let sorted = as_read(&v.to_string(), "sorted.json");
        // The report's keys as Trivy writes them, each result's reversed: Vulnerabilities
        // before Target, Class and Type, so each result is read after it is parsed.
        let top = [
            "SchemaVersion",
            "CreatedAt",
            "ArtifactName",
            "ArtifactType",
            "Metadata",
        ];
        let order = |keys: &[&String], depth: usize| -> Vec<String> {
            let mut k: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
            if depth == 0 {
                k.sort_by_key(|x| top.iter().position(|t| t == x).unwrap_or(top.len()));
            } else {
                k.sort();
                k.reverse();
            }
            k
        };
        let reversed = as_read(&emit(&v, &order, 0), "results-reversed.json");
        assert_eq!(written, sorted, "{path:?}: sorted keys");
        assert_eq!(written, reversed, "{path:?}: each result's keys reversed");
        compared += 1;
    }
    assert!(compared >= 10, "{compared} Trivy reports compared");
}

#[test]
fn trivy_refuses_a_key_given_twice() {
    let dir = tempfile::tempdir().unwrap();
    for (name, json) in [
        (
            "results",
            r#"{"SchemaVersion":2,"ArtifactName":"x","ArtifactType":"filesystem","Results":[],"Results":[]}"#,
        ),
        (
            "vulns",
            r#"{"SchemaVersion":2,"ArtifactName":"x","ArtifactType":"filesystem","Results":[{"Target":"a","Class":"lang-pkgs","Type":"npm","Vulnerabilities":[],"Vulnerabilities":[]}]}"#,
        ),
    ] {
        let p = dir.path().join(format!("{name}.json"));
        std::fs::write(&p, json).unwrap();
        let e = ingest::load_report(&p).expect_err(name);
        assert!(
            format!("{e:?}").contains("duplicate field"),
            "{name}: {e:?}"
        );
    }
}
