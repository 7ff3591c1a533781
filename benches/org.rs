//! Speed and memory of the organisation's view: 500 products' json reports of 200 findings each
//! (100,000 findings), and with `--big` 2,000 each (1,000,000), read, parsed and summed on one
//! thread as `riskgate org report` does, then rendered as json and html.
//!
//! The reports are riskgate's own: the bundled example's `check --format json` report (written
//! by the engine here), its findings repeated with fresh ids, spread over teams, statuses and due
//! dates, one file per product in a temporary directory.
//!
//! Run with `cargo bench --bench org [-- --big]`. Prints the time of each step and the peak
//! resident memory (VmHWM) before and after. Not a test: nothing here asserts a speed.

use riskgate::decide::org::{org_view, OrgCfg, Read, Tally};
use riskgate::ingest::Source;
use riskgate::load::decisions;
use riskgate::model::date::Timestamp;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Instant;

const PRODUCTS: usize = 500;

fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let big = std::env::args().any(|a| a == "--big");
    let per = if big { 2_000 } else { 200 };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("examples/decisions/payments-api.json"))
            .expect("examples/decisions/payments-api.json"),
    )
    .expect("json");
    let findings = template["findings"].as_array().expect("findings").clone();
    let teams = ["payments-dev", "checkout-dev", "platform", "appsec"];
    let statuses = [
        "blocked",
        "accepted",
        "warned",
        "passed",
        "would_block",
        "suppressed",
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Instant::now();
    let mut bytes = 0usize;
    for p in 0..PRODUCTS {
        let mut report = template.clone();
        report["product"] = Value::from(format!("product-{p:03}"));
        let list: Vec<Value> = (0..per)
            .map(|n| {
                let mut f = findings[n % findings.len()].clone();
                f["id"] = Value::from(format!("CVE-2026-{:05}", (p * 37 + n) % 60_000));
                f["owner"]["team"] = Value::from(teams[(p + n) % teams.len()]);
                f["status"] = Value::from(statuses[n % statuses.len()]);
                f["due"] = if n % 3 == 0 {
                    Value::from(format!("2026-{:02}-15", 1 + n % 12))
                } else {
                    Value::Null
                };
                f["fingerprint"] = Value::from(format!("{p:08x}{n:024x}"));
                f
            })
            .collect();
        report["summary"]["findings"] = Value::from(list.len());
        report["findings"] = Value::Array(list);
        let text = serde_json::to_vec_pretty(&report).expect("render");
        bytes += text.len();
        std::fs::write(dir.path().join(format!("product-{p:03}.json")), text).expect("write");
    }
    println!(
        "generated {PRODUCTS} reports x {per} findings ({:.0} MiB of json) in {:.2?}",
        bytes as f64 / (1 << 20) as f64,
        t.elapsed()
    );
    let before = peak_mib();
    let policy = riskgate::load::read_policy(&root.join("examples/policy"), None).expect("policy");
    let now = Timestamp::parse("2026-11-23").expect("date");
    let today = now.date();
    let t = Instant::now();
    let files = decisions::report_files(&[dir.path().to_path_buf()]).expect("files");
    let mut reads = Vec::with_capacity(files.len());
    let mut n = 0usize;
    for f in &files {
        let src = Source::read(f).expect("read");
        let mut tally = Tally::default();
        let record = decisions::read_report(&src, |finding| {
            n += 1;
            tally.add(&finding, today, None)
        })
        .expect("parse");
        reads.push(Read { record, tally });
    }
    let read = t.elapsed();
    let t = Instant::now();
    let cfg = OrgCfg {
        ownership: &policy.ownership,
        guardrails: &policy.guardrails,
        now,
        policy: "examples/policy",
    };
    let view = org_view(&cfg, reads);
    let summed = t.elapsed();
    let after_sum = peak_mib();
    let t = Instant::now();
    // Counted, not kept: `org report --output` streams the json to its file.
    let mut json = Counter(0);
    riskgate::report::org::json(&mut json, &view).expect("json");
    let json_len = json.0;
    let mut out = Vec::new();
    riskgate::report::org_html::render(&mut out, &view).expect("html");
    let rendered = t.elapsed();
    println!(
        "{n} findings: read and parsed in {read:.2?} ({:.0} MiB/s), summed in {summed:.2?}, json ({} KiB) and html ({} KiB) in {rendered:.2?}",
        bytes as f64 / (1 << 20) as f64 / read.as_secs_f64(),
        json_len / 1024,
        out.len() / 1024
    );
    println!(
        "peak resident memory: {before:.0} MiB before reading, {after_sum:.0} MiB once summed, {:.0} MiB after rendering",
        peak_mib()
    );
}

/// A writer that counts what it is given.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
