//! `rego-gate REPORT ACCEPTANCES POLICY_DIR PRODUCT TODAY`: the gate's decision in Rego
//! (`gate.rego`), evaluated by regorus on the gate bench's inputs. Prints the seconds the
//! evaluation took (the inputs' parse is excluded, as issue 19 measured OPA), then the verdict
//! and how many findings each status has, so the decision can be compared with riskgate's.

use std::time::Instant;

fn yaml_to_json(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let value: serde_json::Value =
        serde_saphyr::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    Ok(value.to_string())
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [report, acceptances, policy, product, today] = &args[..] else {
        return Err("usage: rego-gate REPORT ACCEPTANCES POLICY_DIR PRODUCT TODAY".into());
    };
    let rego = include_str!("../gate.rego");
    let guardrails = yaml_to_json(&format!("{policy}/guardrails.yaml"))?;
    let ownership = yaml_to_json(&format!("{policy}/ownership.yaml"))?;
    let accs = yaml_to_json(acceptances)?;
    let data = format!(
        r#"{{"guardrails":{guardrails},"ownership":{ownership},"acceptances":{accs_list},"product":{product:?},"today":{today:?}}}"#,
        accs_list = serde_json::from_str::<serde_json::Value>(&accs).map_err(|e| e.to_string())?
            ["acceptances"]
    );
    let input = std::fs::read_to_string(report).map_err(|e| format!("{report}: {e}"))?;

    let mut engine = regorus::Engine::new();
    engine
        .add_policy("gate.rego".into(), rego.into())
        .map_err(|e| e.to_string())?;
    engine.add_data_json(&data).map_err(|e| e.to_string())?;
    engine.set_input_json(&input).map_err(|e| e.to_string())?;
    drop(input);

    let start = Instant::now();
    let out = engine
        .eval_rule("data.riskgate.report".into())
        .map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();

    let out = out.to_json_str().map_err(|e| e.to_string())?;
    let out: serde_json::Value = serde_json::from_str(&out).map_err(|e| e.to_string())?;
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for f in out["findings"].as_array().into_iter().flatten() {
        *counts
            .entry(f["status"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    println!("{secs:.3}");
    println!("verdict {} {counts:?}", out["verdict"]);
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("rego-gate: {e}");
        std::process::exit(2);
    }
}
