//! Issue 14, end to end: nothing the pipeline hands the gate grants what the policy does not.
//! Each test is an attack seen on riskgate with valid, realistic inputs — Log4Shell
//! (CVE-2021-44228, in CISA KEV) in a real Grype CycloneDX report, talked past the gate with
//! VEX, scanner suppressions, aliases and claimed approvals — and asserts that it now blocks
//! (exit 1) or fails to decide (exit 2), with the message. Signatures are real ECDSA P-256
//! signatures over DSSE envelopes, made here with the sigstore crate as cosign makes them.

use crate::common::{
    copy_policy, dsse_attestation, keypair, riskgate, run, scratch, Cli, Run, Scratch,
};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const LOG4J: &str = "tests/fixtures/corpus/defectdojo/cyclonedx/log4j.json";
const KEV: &str = "tests/fixtures/kev/known_exploited_vulnerabilities.json";
const LOG4J_PURL: &str = "pkg:maven/org.apache.logging.log4j/log4j-core@2.13.2";

fn tmp(name: &str) -> Scratch {
    scratch(&format!("trust-{name}"))
}

/// A copy of the example policy whose guardrails trust VEX signed with a new key; the key pair.
fn policy_trusting_a_vex_key(
    dir: &Path,
) -> (PathBuf, sigstore::crypto::signing_key::SigStoreKeyPair) {
    let policy = copy_policy(&dir.join("policy"));
    let (pair, public) = keypair();
    std::fs::write(policy.join("keys/security-vex.pub"), public).expect("write");
    let g = std::fs::read_to_string(policy.join("guardrails.yaml")).expect("read");
    let g = g.replace(
        "\nvex:\n  trusted:\n    - key: keys/vex.pub",
        "\nvex:\n  trusted:\n    - key: keys/security-vex.pub",
    );
    assert!(
        g.contains("keys/security-vex.pub"),
        "the example guardrails trust keys/vex.pub"
    );
    std::fs::write(policy.join("guardrails.yaml"), g).expect("write");
    (policy, pair)
}

fn openvex(products: Value) -> Value {
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://acme.example/vex/log4j",
        "author": "alice@acme.example",
        "timestamp": "2026-11-20T10:00:00Z",
        "version": 1,
        "statements": [{
            "vulnerability": {"name": "CVE-2021-44228"},
            "products": products,
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path"
        }]
    })
}

/// An OpenVEX attestation about Log4Shell in `products`, signed with `pair`, written to `dir/name`.
fn signed_vex(
    dir: &Path,
    name: &str,
    pair: &sigstore::crypto::signing_key::SigStoreKeyPair,
    products: Value,
) -> PathBuf {
    let path = dir.join(name);
    let digest = format!("sha256:{}", "ab".repeat(32));
    let doc = openvex(products);
    let signed = dsse_attestation(pair, "https://openvex.dev/ns/v0.2.0", &doc, &digest);
    std::fs::write(&path, signed).expect("write");
    path
}

fn check(policy: &Path, reports: &[&str], vex: &[&Path]) -> (Run, Value) {
    let mut c = riskgate();
    c.current_dir(crate::common::root())
        .args([
            "check",
            "--product",
            "payments-api",
            "--now",
            "2026-11-23",
            "--format",
            "json",
        ])
        .arg("--policy")
        .arg(policy)
        .args(["--kev", KEV]);
    for r in reports {
        c.args(["--report", r]);
    }
    for v in vex {
        c.arg("--vex").arg(v);
    }
    let r = run(&mut c);
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r, v)
}

fn log4shell(report: &Value) -> &Value {
    report["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["id"] == "CVE-2021-44228"))
        .unwrap_or_else(|| panic!("no CVE-2021-44228 in {report}"))
}

fn reasons(f: &Value) -> String {
    f["reasons"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

#[test]
fn an_unsigned_vex_in_the_pull_request_does_not_suppress_a_kev_critical() {
    let dir = tmp("unsigned");
    let (policy, _) = policy_trusting_a_vex_key(&dir);
    let vex = dir.join("log4j.openvex.json");
    std::fs::write(&vex, openvex(json!([{"@id": LOG4J_PURL}])).to_string()).expect("write");
    let (r, v) = check(&policy, &[LOG4J], &[&vex]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let f = log4shell(&v);
    assert_eq!(f["risk"], "critical");
    assert_eq!(f["status"], "blocked");
    let why = reasons(f);
    assert!(
        why.contains("VEX not_affected by alice@acme.example in")
            && why.contains(
                "not trusted for critical: unsigned statements suppress up to low (vex.unsigned)"
            )
            && why.contains("needs a statement signed by key keys/security-vex.pub"),
        "{why}"
    );
}

#[test]
fn a_vex_attestation_signed_by_a_trusted_key_suppresses_and_says_who_signed() {
    let dir = tmp("signed");
    let (policy, pair) = policy_trusting_a_vex_key(&dir);
    let vex = signed_vex(
        &dir,
        "log4j.openvex.dsse.json",
        &pair,
        json!([{"@id": LOG4J_PURL}]),
    );
    let (r, v) = check(&policy, &[LOG4J], &[&vex]);
    let f = log4shell(&v);
    assert_eq!(f["status"], "suppressed", "{} {}", reasons(f), r.stderr);
    assert_eq!(f["suppressed_by"]["source"], "vex");
    assert_eq!(
        f["suppressed_by"]["trusted"],
        "signed by key keys/security-vex.pub (vex.trusted)"
    );

    // The same envelope with its statement changed after signing: not verified, so unsigned.
    let mut env: Value = serde_json::from_slice(&std::fs::read(&vex).expect("read")).expect("json");
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut statement: Value = serde_json::from_slice(
        &b64.decode(env["payload"].as_str().expect("payload"))
            .expect("b64"),
    )
    .expect("json");
    statement["predicate"]["statements"][0]["vulnerability"]["name"] = json!("CVE-2021-44228");
    statement["predicate"]["author"] = json!("mallory@acme.example");
    env["payload"] = json!(b64.encode(serde_json::to_vec(&statement).expect("json")));
    let forged = dir.join("forged.dsse.json");
    std::fs::write(&forged, env.to_string()).expect("write");
    let (r, v) = check(&policy, &[LOG4J], &[&forged]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let f = log4shell(&v);
    assert_eq!(f["status"], "blocked");
    let why = reasons(f);
    assert!(
        why.contains("VEX not_affected by mallory@acme.example")
            && why.contains("its signature did not verify (key keys/security-vex.pub: no signature of the envelope verifies with this key)"),
        "{why}"
    );
}

#[test]
fn a_vex_signed_by_another_key_counts_as_unsigned() {
    let dir = tmp("other-key");
    let (policy, _) = policy_trusting_a_vex_key(&dir);
    let (mallory, _) = keypair();
    let vex = signed_vex(
        &dir,
        "log4j.dsse.json",
        &mallory,
        json!([{"@id": LOG4J_PURL}]),
    );
    let (r, v) = check(&policy, &[LOG4J], &[&vex]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(log4shell(&v)["status"], "blocked");
    assert!(reasons(log4shell(&v)).contains("its signature did not verify"));
}

#[test]
fn signed_vex_applies_only_to_what_it_names() {
    let dir = tmp("scope");
    let (policy, pair) = policy_trusting_a_vex_key(&dir);
    let blocked = "blocked";
    let suppressed = "suppressed";
    for (what, products, want) in [
        (
            "a different image",
            json!([{"@id": "pkg:oci/other-image@sha256%3A1111111111111111111111111111111111111111111111111111111111111111?repository_url=registry.acme.example/other/image"}]),
            blocked,
        ),
        (
            "an image when the run gates none",
            json!([{"@id": "pkg:oci/api"}]),
            blocked,
        ),
        (
            "another product by name",
            json!([{"@id": "other-product-xyz"}]),
            blocked,
        ),
        ("an empty product list", json!([]), blocked),
        (
            "an unrelated purl and a plain name",
            json!([{"@id": "pkg:npm/lodash"}, {"@id": "other-product"}]),
            blocked,
        ),
        (
            "another version",
            json!([{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"}]),
            blocked,
        ),
        (
            "another package inside the product",
            json!([{"@id": "payments-api", "subcomponents": [{"@id": "pkg:npm/lodash"}]}]),
            blocked,
        ),
        // What it does name: the package, or the product by name with the package inside it.
        ("the package", json!([{"@id": LOG4J_PURL}]), suppressed),
        (
            "the package by identifiers",
            json!([{"@id": "x", "identifiers": {"purl": "pkg:maven/org.apache.logging.log4j/log4j-core"}}]),
            suppressed,
        ),
        (
            "the product and the package in it",
            json!([{"@id": "payments-api", "subcomponents": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core"}]}]),
            suppressed,
        ),
    ] {
        let vex = signed_vex(&dir, "scope.dsse.json", &pair, products);
        let (r, v) = check(&policy, &[LOG4J], &[&vex]);
        let f = log4shell(&v);
        assert_eq!(f["status"], want, "{what}: {} {}", reasons(f), r.stderr);
        assert_eq!(r.code, 1, "{what}: other findings block either way");
    }
}

#[test]
fn a_cyclonedx_analysis_with_a_ref_to_nothing_suppresses_nothing() {
    let dir = tmp("cdx-ref");
    let (policy, _) = policy_trusting_a_vex_key(&dir);
    // A second "report" whose analysis says not_affected for a ref no component has.
    let other = dir.join("other.cdx.json");
    std::fs::write(
        &other,
        json!({
            "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "metadata": {"timestamp": "2026-11-22T10:00:00Z", "component": {"type": "application", "name": "payments-api", "bom-ref": "app"}},
            "components": [{"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0", "bom-ref": "lp"}],
            "vulnerabilities": [{
                "id": "CVE-2021-44228",
                "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
                "affects": [{"ref": "does-not-exist"}, {"ref": "lp"}]
            }]
        })
        .to_string(),
    )
    .expect("write");
    let other = other.display().to_string();
    let (r, v) = check(&policy, &[LOG4J, &other], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        log4shell(&v)["status"],
        "blocked",
        "{}",
        reasons(log4shell(&v))
    );
}

#[test]
fn a_suppression_made_in_the_scanner_is_listed_and_limited_to_the_teams_level() {
    let dir = tmp("sarif");
    let (policy, _) = policy_trusting_a_vex_key(&dir);
    let sarif = |suppressions: &str| {
        format!(
            r#"{{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{{
              "tool":{{"driver":{{"name":"CodeQL","rules":[
                {{"id":"py/command-line-injection","properties":{{"security-severity":"9.8","tags":["security"]}}}},
                {{"id":"py/weak-hash","properties":{{"security-severity":"3.1","tags":["security"]}}}}]}}}},
              "results":[
                {{"ruleId":"py/command-line-injection","ruleIndex":0,"level":"error","message":{{"text":"shell=True with user input"}},
                  "locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"app/run.py"}},"region":{{"startLine":12}}}}}}],
                  "suppressions":{suppressions}}},
                {{"ruleId":"py/weak-hash","ruleIndex":1,"level":"note","message":{{"text":"md5"}},
                  "locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"app/cache.py"}},"region":{{"startLine":3}}}}}}],
                  "suppressions":[{{"kind":"inSource","justification":"cache keys only"}}]}}]}}]}}"#
        )
    };
    let p = dir.join("codeql.sarif");
    std::fs::write(
        &p,
        sarif(r#"[{"kind":"inSource","justification":"nosec"}]"#),
    )
    .expect("write");
    let path = p.display().to_string();
    let (r, v) = check(&policy, &[&path], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let by_id = |id: &str| {
        v["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("no {id}"))
    };
    let critical = by_id("py/command-line-injection");
    assert_eq!(critical["status"], "blocked");
    assert_eq!(critical["scanner_suppression"]["kind"], "inSource");
    assert_eq!(critical["scanner_suppression"]["justification"], "nosec");
    assert!(
        reasons(&critical)
            .contains("suppressed by codeql (inSource: nosec): not honoured for critical"),
        "{}",
        reasons(&critical)
    );
    let low = by_id("py/weak-hash");
    assert_eq!(low["status"], "suppressed_by_scanner");
    assert_eq!(low["suppressed_by"]["source"], "scanner");
    assert_eq!(v["summary"]["by_status"]["suppressed_by_scanner"], 1);
    // The human report lists it.
    let h = riskgate()
        .current_dir(crate::common::root())
        .args([
            "check",
            "--product",
            "payments-api",
            "--now",
            "2026-11-23",
            "--report",
            &path,
        ])
        .arg("--policy")
        .arg(&policy)
        .run();
    // SARIF has no result for it (SPEC §8), and says it was suppressed, by whom and why.
    let sarif_out = riskgate()
        .current_dir(crate::common::root())
        .args([
            "check",
            "--product",
            "payments-api",
            "--now",
            "2026-11-23",
            "--format",
            "sarif",
            "--report",
            &path,
        ])
        .arg("--policy")
        .arg(&policy)
        .run();
    let s: Value = serde_json::from_str(&sarif_out.stdout).expect("sarif");
    let listed = &s["runs"][0]["properties"]["suppressed"];
    assert_eq!(listed[0]["id"], "py/weak-hash", "{listed}");
    assert_eq!(listed[0]["by"]["source"], "scanner");
    assert_eq!(listed[0]["by"]["justification"], "cache keys only");
    assert!(
        h.stdout.contains("Suppressed by the scanner (1):"),
        "{}",
        h.stdout
    );

    // A misspelt status is no suppression at all.
    std::fs::write(&p, sarif(r#"[{"kind":"inSource","status":"Rejected"}]"#)).expect("write");
    let (_, v) = check(&policy, &[&path], &[]);
    let f = v["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["id"] == "py/command-line-injection"))
        .cloned()
        .expect("finding");
    assert!(f["scanner_suppression"].is_null());
}

#[test]
fn a_plain_vex_document_with_a_signed_bundle_beside_it_is_signed() {
    use base64::Engine as _;
    use sha2::Digest as _;
    use sigstore::crypto::SigningScheme;
    let dir = tmp("sidecar");
    let (policy, pair) = policy_trusting_a_vex_key(&dir);
    let vex = dir.join("log4j.openvex.json");
    let doc = serde_json::to_vec_pretty(&openvex(json!([{"@id": LOG4J_PURL}]))).expect("json");
    std::fs::write(&vex, &doc).expect("write");
    let sign = |bytes: &[u8]| {
        pair.to_sigstore_signer(&SigningScheme::ECDSA_P256_SHA256_ASN1)
            .expect("signer")
            .sign(bytes)
            .expect("sign")
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    // What `cosign sign-blob --key --bundle FILE.sigstore.json --new-bundle-format` writes.
    let bundle = |signed: &[u8]| {
        json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"publicKey": {"hint": ""}},
            "messageSignature": {
                "messageDigest": {"algorithm": "SHA2_256", "digest": b64.encode(sha2::Sha256::digest(signed))},
                "signature": b64.encode(sign(signed))
            }
        })
        .to_string()
    };
    let sidecar = dir.join("log4j.openvex.json.sigstore.json");
    std::fs::write(&sidecar, bundle(&doc)).expect("write");
    let (_, v) = check(&policy, &[LOG4J], &[&vex]);
    assert_eq!(
        log4shell(&v)["status"],
        "suppressed",
        "{}",
        reasons(log4shell(&v))
    );
    // The document edited after signing: the bundle no longer verifies, so it is unsigned.
    let mut edited = doc.clone();
    edited.extend_from_slice(b"\n");
    std::fs::write(&vex, &edited).expect("write");
    let (r, v) = check(&policy, &[LOG4J], &[&vex]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(reasons(log4shell(&v)).contains("its signature did not verify"));
}

#[test]
fn an_attestation_of_something_else_is_not_vex() {
    let dir = tmp("not-vex");
    let (policy, pair) = policy_trusting_a_vex_key(&dir);
    let p = dir.join("provenance.dsse.json");
    std::fs::write(
        &p,
        dsse_attestation(
            &pair,
            "https://slsa.dev/provenance/v1",
            &json!({"buildDefinition": {}}),
            &format!("sha256:{}", "ab".repeat(32)),
        ),
    )
    .expect("write");
    let (r, _) = check(&policy, &[LOG4J], &[&p]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("this attestation's predicate is https://slsa.dev/provenance/v1, not VEX"),
        "{}",
        r.stderr
    );
}

/// A Trivy report of a RHEL image: three CVEs in three packages, all fixed by one advisory,
/// which Trivy lists as a vendor id of each.
fn rhsa_report(dir: &Path) -> String {
    let vuln = |cve: &str, pkg: &str| {
        json!({
            "VulnerabilityID": cve, "VendorIDs": ["RHSA-2022:0001"], "PkgName": pkg,
            "PkgIdentifier": {"PURL": format!("pkg:rpm/redhat/{pkg}@1.0-1.el8")},
            "InstalledVersion": "1.0-1.el8", "FixedVersion": "1.0-2.el8", "Status": "fixed",
            "Severity": "MEDIUM", "Title": format!("{pkg}: flaw")
        })
    };
    let report = json!({
        "SchemaVersion": 2, "CreatedAt": "2026-11-22T10:00:00Z",
        "ArtifactName": "registry.acme.example/payments/api:1.4", "ArtifactType": "container_image",
        "Results": [{"Target": "registry.acme.example/payments/api:1.4 (redhat 8.9)", "Class": "os-pkgs", "Type": "redhat",
            "Vulnerabilities": [vuln("CVE-2022-1111", "openssl-libs"), vuln("CVE-2022-2222", "glibc"), vuln("CVE-2022-3333", "zlib")]}]
    });
    let p = dir.join("rhel.trivy.json");
    std::fs::write(&p, report.to_string()).expect("write");
    p.display().to_string()
}

fn acceptance(finding: &str) -> String {
    format!(
        "version: 1\nacceptances:\n  - id: ACC-0100\n    finding: {finding}\n    product: payments-api\n    risk: medium\n    \
         reason: fixed in the next base image\n    requested_by: pat@acme.example\n    approved_by: dana@acme.example\n    \
         created: 2026-11-20\n    expires: 2026-12-10\n"
    )
}

#[test]
fn an_acceptance_naming_an_alias_shared_by_several_vulnerabilities_is_refused() {
    let dir = tmp("alias");
    let report = rhsa_report(&dir);
    // The acceptances file in a copy of the example's repository (its CODEOWNERS proves dana's
    // approval).
    let policy = crate::common::example_repo(&dir);
    let accs = dir.join("acceptances.yaml");
    std::fs::write(&accs, acceptance("rhsa-2022:0001")).expect("write");
    let check = || {
        let mut c = crate::common::check_with(&policy, &[&report]);
        c.args(["--now", "2026-11-23", "--acceptances"]).arg(&accs);
        c
    };
    let r = run(&mut check());
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("acceptance ACC-0100 names rhsa-2022:0001, an alias shared by 3 distinct vulnerabilities of this run (CVE-2022-1111, CVE-2022-2222, CVE-2022-3333)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("riskgate accept CVE-2022-1111 ..."),
        "{}",
        r.stderr
    );
    // Naming one vulnerability by its own id is fine: it covers that one only.
    std::fs::write(&accs, acceptance("CVE-2022-2222")).expect("write");
    let r = run(check().args(["--format", "json"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    let statuses: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or("").to_string(),
                f["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("CVE-2022-2222".into(), "accepted".into())),
        "{statuses:?} {v}"
    );
    assert!(
        statuses.contains(&("CVE-2022-1111".into(), "blocked".into())),
        "{statuses:?}"
    );
}

#[test]
fn an_analysis_in_a_scan_report_is_a_claim_and_the_finding_stays() {
    // The real Grype CycloneDX report, with the scan's own analysis of Log4Shell edited to
    // not_affected (what a pipeline can do to its own report): the finding is still there, and
    // the unsigned claim does not suppress a critical.
    let dir = tmp("cdx-analysis");
    let (policy, _) = policy_trusting_a_vex_key(&dir);
    let mut bom: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::common::root().join(LOG4J)).expect("read"),
    )
    .expect("json");
    for v in bom["vulnerabilities"]
        .as_array_mut()
        .expect("vulnerabilities")
    {
        if v["id"] == "CVE-2021-44228" {
            v["analysis"] = json!({"state": "not_affected", "justification": "code_not_reachable"});
        }
    }
    let p = dir.join("log4j-analysed.cdx.json");
    std::fs::write(&p, bom.to_string()).expect("write");
    let path = p.display().to_string();
    let (r, v) = check(&policy, &[&path], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let f = log4shell(&v);
    assert_eq!(f["status"], "blocked");
    assert!(
        reasons(f).contains("not trusted for critical"),
        "{}",
        reasons(f)
    );

    // A CycloneDX document of analyses only is VEX: as --report it is refused.
    let vex_only = crate::common::fixture("cyclonedx/cisa-case-2.vex.json")
        .display()
        .to_string();
    let (r, _) = check(&policy, &[LOG4J, &vex_only], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("cyclonedx VEX document, not a scan report"),
        "{}",
        r.stderr
    );
}
