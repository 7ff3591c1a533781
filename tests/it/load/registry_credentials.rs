//! Issue 15: credentials go only where they belong, and registry reads are bounded. The
//! "registries" here are small HTTP servers of the test's own on 127.0.0.1 that log every
//! request they get (a real registry cannot be made to misbehave like this); the right-host path
//! against the real Debian `docker-registry` with htpasswd is in tests/it/load/images.rs.

use crate::common::{copy_policy, riskgate, run, scratch, Scratch};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One request as a server saw it: the request line and the headers, lower-cased names.
#[derive(Debug, Clone)]
struct Seen {
    line: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn authorization(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.as_str())
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// A server on 127.0.0.1 answering each request with `respond(request line)`: the status line
/// and headers (without the blank line), and the body (`None`: an endless body of zeros).
fn serve(respond: impl Fn(&str) -> (String, Option<Vec<u8>>) + Send + 'static) -> (u16, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let log: Log = Arc::default();
    let seen = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = Vec::new();
            let mut byte = [0u8; 1];
            while !buf.ends_with(b"\r\n\r\n") && s.read(&mut byte).is_ok_and(|n| n == 1) {
                buf.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&buf).to_string();
            let mut lines = text.split("\r\n");
            let line = lines.next().unwrap_or("").to_string();
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            seen.lock().expect("log").push(Seen {
                line: line.clone(),
                headers,
            });
            let (head, body) = respond(&line);
            match body {
                Some(b) => {
                    let _ = write!(
                        s,
                        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        b.len()
                    );
                    let _ = s.write_all(&b);
                }
                None => {
                    let _ = write!(s, "{head}\r\nConnection: close\r\n\r\n");
                    let zeros = vec![b'0'; 1 << 16];
                    for _ in 0..(1 << 14) {
                        if s.write_all(&zeros).is_err() {
                            break;
                        }
                    }
                }
            }
        }
    });
    (port, log)
}

fn tmp(name: &str) -> Scratch {
    scratch(&format!("creds-{name}"))
}

/// The example policy with its image rules pointed at 127.0.0.1's `payments/` repositories.
fn policy(dir: &Path) -> PathBuf {
    let p = copy_policy(&dir.join("policy"));
    for (file, from, to) in [
        (
            "guardrails.yaml",
            r#"allowed_registries: ["registry.acme.example/**"]"#,
            r#"allowed_registries: ["127.0.0.1:*/payments/**"]"#,
        ),
        (
            "ownership.yaml",
            r#"images: ["registry.acme.example/payments/**"]"#,
            r#"images: ["127.0.0.1:*/payments/**"]"#,
        ),
    ] {
        let t = std::fs::read_to_string(p.join(file)).expect("read");
        assert!(t.contains(from), "{file}");
        std::fs::write(p.join(file), t.replace(from, to)).expect("write");
    }
    p
}

fn check(policy: &Path, images: &[String], env: &[(&str, &str)]) -> crate::common::Run {
    let mut c = riskgate();
    c.args([
        "check",
        "--product",
        "payments-api",
        "--now",
        "2026-11-23",
        "--registry-timeout",
        "5",
        "--format",
        "json",
    ])
    .arg("--policy")
    .arg(policy)
    .env("DOCKER_CONFIG", policy.join("no-docker-config"))
    .env_remove("REGISTRY_HOSTS");
    for i in images {
        c.args(["--image", i]);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    run(&mut c)
}

const CREDS: &[(&str, &str)] = &[
    ("REGISTRY_USERNAME", "ci-bot"),
    ("REGISTRY_PASSWORD", "s3cret"),
];

#[test]
fn an_image_outside_the_allowed_registries_is_never_asked_for() {
    let dir = tmp("outside");
    let p = policy(&dir);
    let (port, log) = serve(|_| {
        (
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"".into(),
            Some(Vec::new()),
        )
    });
    let r = check(&p, &[format!("127.0.0.1:{port}/elsewhere/app:1")], CREDS);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("is not in an allowed registry"),
        "{}",
        r.stdout
    );
    assert!(
        log.lock().expect("log").is_empty(),
        "the registry got requests: {:?}",
        log.lock()
    );
}

#[test]
fn a_token_service_on_another_host_over_http_gets_nothing() {
    let dir = tmp("realm");
    let p = policy(&dir);
    let (token_port, token_log) = serve(|_| {
        (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json".into(),
            Some(br#"{"token":"t"}"#.to_vec()),
        )
    });
    let realm = format!("http://127.0.0.1:{token_port}/token");
    let (port, log) = serve(move |_| {
        (
            format!("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"{realm}\",service=\"registry\""),
            Some(Vec::new()),
        )
    });
    let r = check(&p, &[format!("127.0.0.1:{port}/payments/api:1")], CREDS);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!("asks for credentials to be sent to http://127.0.0.1:{token_port}/token over http, in clear text and to another host")),
        "{}",
        r.stderr
    );
    assert!(
        token_log.lock().expect("log").is_empty(),
        "the token service was asked"
    );
    assert!(log
        .lock()
        .expect("log")
        .iter()
        .all(|s| s.authorization().is_none()));
}

#[test]
fn registry_credentials_go_only_to_the_runs_one_registry_or_registry_hosts() {
    let dir = tmp("hosts");
    let p = policy(&dir);
    let basic = || {
        serve(|_| {
            (
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"registry\"".into(),
                Some(Vec::new()),
            )
        })
    };
    let (a, log_a) = basic();
    let (b, log_b) = basic();
    // Two registries and no REGISTRY_HOSTS: neither gets the credentials.
    let images = [
        format!("127.0.0.1:{a}/payments/api:1"),
        format!("127.0.0.1:{b}/payments/api:1"),
    ];
    let r = check(&p, &images, CREDS);
    assert_eq!(r.code, 2, "{}", r.stderr);
    for log in [&log_a, &log_b] {
        assert!(
            log.lock()
                .expect("log")
                .iter()
                .all(|s| s.authorization().is_none()),
            "{:?}",
            log.lock()
        );
    }
    // REGISTRY_HOSTS names one: only it gets them.
    let listed = format!("127.0.0.1:{a}");
    let env: Vec<(&str, &str)> = CREDS
        .iter()
        .copied()
        .chain([("REGISTRY_HOSTS", listed.as_str())])
        .collect();
    let _ = check(&p, &images, &env);
    let sent = |log: &Log| {
        log.lock()
            .expect("log")
            .iter()
            .filter(|s| s.authorization().is_some())
            .count()
    };
    assert!(
        sent(&log_a) > 0,
        "the listed registry gets the credentials: {:?}",
        log_a.lock()
    );
    assert_eq!(sent(&log_b), 0, "the other does not: {:?}", log_b.lock());
}

#[test]
fn a_redirect_to_another_host_carries_no_authorization() {
    let dir = tmp("redirect");
    let p = policy(&dir);
    let (other, other_log) = serve(|_| ("HTTP/1.1 404 Not Found".into(), Some(Vec::new())));
    let (port, log) = serve(move |line| {
        if line.contains("/v2/ ") {
            (
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"registry\"".into(),
                Some(Vec::new()),
            )
        } else {
            (format!("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{other}/elsewhere"), Some(Vec::new()))
        }
    });
    let r = check(&p, &[format!("127.0.0.1:{port}/payments/api:1")], CREDS);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        log.lock()
            .expect("log")
            .iter()
            .any(|s| s.authorization().is_some_and(|a| a.starts_with("Basic "))),
        "the registry itself asked, and got them: {:?}",
        log.lock()
    );
    let redirected = other_log.lock().expect("log").clone();
    assert!(
        redirected
            .iter()
            .any(|s| s.line.starts_with("GET /elsewhere")),
        "the redirect was followed: {redirected:?}"
    );
    assert!(
        redirected.iter().all(|s| s.authorization().is_none()),
        "{redirected:?}"
    );
}

#[test]
fn an_endless_manifest_is_cut_off_at_the_cap() {
    let dir = tmp("huge");
    let p = policy(&dir);
    let (port, _) = serve(|_| {
        (
            "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json".into(),
            None,
        )
    });
    let started = std::time::Instant::now();
    let r = check(&p, &[format!("127.0.0.1:{port}/payments/api:1")], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("the manifest is larger than 4 MiB"),
        "{}",
        r.stderr
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn a_registry_that_never_answers_is_bounded_by_the_timeout() {
    let dir = tmp("slow");
    let p = policy(&dir);
    // Accepts connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming() {
            held.push(s);
        }
    });
    let started = std::time::Instant::now();
    let r = check(&p, &[format!("127.0.0.1:{port}/payments/api:1")], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("within 5 s"), "{}", r.stderr);
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(12),
        "took {took:?}: the bound is the whole fetch"
    );
}
