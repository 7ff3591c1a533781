//! Unit tests of image fetching: hosts, credentials, token services.

use super::*;

#[test]
fn token_services_get_credentials_only_where_they_belong() {
    let ok = |realm: &str, host: &str, scheme: &str| realm_allows(realm, host, scheme, &[]).is_ok();
    // the registry's own domain, over HTTPS
    assert!(ok(
        "https://auth.docker.io/token",
        "index.docker.io",
        "https"
    ));
    assert!(ok(
        "https://gitlab.com/jwt/auth",
        "registry.gitlab.com",
        "https"
    ));
    assert!(ok("https://ghcr.io/token", "ghcr.io", "https"));
    assert!(ok(
        "https://reg.acme.example/token",
        "reg.acme.example",
        "https"
    ));
    // never a public suffix: co.uk is not acme.co.uk's domain
    assert!(!ok(
        "https://auth.evil.co.uk/token",
        "reg.acme.co.uk",
        "https"
    ));
    assert!(ok(
        "https://auth.acme.co.uk/token",
        "reg.acme.co.uk",
        "https"
    ));
    // another domain, plain HTTP, another port over HTTP
    assert!(!ok("https://auth.evil.example/token", "ghcr.io", "https"));
    assert!(!ok(
        "http://reg.acme.example/token",
        "reg.acme.example",
        "https"
    ));
    assert!(!ok("http://127.0.0.1:9/token", "127.0.0.1:5000", "http"));
    assert!(ok("http://127.0.0.1:5000/token", "127.0.0.1:5000", "http"));
    // a local token service over HTTP, when REGISTRY_HOSTS lists it
    let local = ["127.0.0.1:9".to_string()];
    assert!(realm_allows("http://127.0.0.1:9/token", "127.0.0.1:5000", "http", &local).is_ok());
    assert!(realm_allows(
        "http://10.0.0.9:9/token",
        "127.0.0.1:5000",
        "http",
        &["10.0.0.9:9".into()]
    )
    .is_err());
    // listed in REGISTRY_HOSTS
    assert!(realm_allows(
        "https://auth.elsewhere.example/t",
        "ghcr.io",
        "https",
        &["auth.elsewhere.example".into()]
    )
    .is_ok());
    assert_eq!(
        parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#
        ),
        Challenge::Bearer {
            realm: "https://auth.docker.io/token".into()
        }
    );
    assert_eq!(parse_challenge("Basic realm=\"x\""), Challenge::Basic);
}

#[test]
fn hosts() {
    assert!(is_loopback("127.0.0.1:5000"));
    assert!(is_loopback("localhost:5000"));
    assert!(is_loopback("[::1]:5000"));
    assert!(!is_loopback("registry.acme.example"));
    assert!(!is_loopback("10.0.0.1:5000"));
    assert_eq!(normalise_host("https://index.docker.io/v1/"), "docker.io");
    assert_eq!(normalise_host("127.0.0.1:5000"), "127.0.0.1:5000");
}
