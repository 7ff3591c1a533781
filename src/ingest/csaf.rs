//! CSAF 2.0 VEX documents (`document.category: csaf_vex`): product status per vulnerability,
//! with product ids resolved to package URLs through the product tree.

use super::{
    null_is_empty, ts, InputError, Parsed, Probe, ReportFormat, Source, VexStatement, VexStatus,
};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

pub struct Csaf;

#[derive(Deserialize)]
struct Doc {
    document: Document,
    product_tree: Option<Value>,
    #[serde(default, deserialize_with = "null_is_empty")]
    vulnerabilities: Vec<Vuln>,
}

#[derive(Deserialize)]
struct Document {
    category: Option<String>,
    tracking: Option<Tracking>,
}

#[derive(Deserialize)]
struct Tracking {
    current_release_date: Option<String>,
}

#[derive(Deserialize)]
struct Vuln {
    cve: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    ids: Vec<Id>,
    product_status: Option<HashMap<String, Vec<String>>>,
}

#[derive(Deserialize)]
struct Id {
    text: String,
}

/// Walks the product tree collecting product_id → purl.
fn collect(v: &Value, out: &mut HashMap<String, String>) {
    match v {
        Value::Object(m) => {
            let product = m.get("product").or_else(|| m.get("full_product_name"));
            if let Some(p) = product {
                let id = p.get("product_id").and_then(Value::as_str);
                let purl = p
                    .pointer("/product_identification_helper/purl")
                    .and_then(Value::as_str);
                if let (Some(id), Some(purl)) = (id, purl) {
                    out.insert(id.to_string(), purl.to_string());
                }
            }
            for child in m.values() {
                collect(child, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect(c, out)),
        _ => {}
    }
}

impl ReportFormat for Csaf {
    const NAME: &'static str = "csaf";

    fn detect(p: &Probe) -> bool {
        p.has("document") && (p.has("vulnerabilities") || p.has("product_tree"))
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let doc: Doc = src.parse_json("CSAF")?;
        if doc.document.category.as_deref() != Some("csaf_vex") {
            return Err(InputError::Invalid {
                path: src.path.clone(),
                message: format!(
                    "CSAF document category {:?} is not a VEX document",
                    doc.document.category.unwrap_or_default()
                ),
                help: Some("riskgate reads CSAF documents of category csaf_vex".into()),
            });
        }
        let mut purls = HashMap::new();
        if let Some(tree) = &doc.product_tree {
            collect(tree, &mut purls);
        }
        let mut out = Parsed::new(src, Self::NAME);
        out.meta.created = ts(doc
            .document
            .tracking
            .as_ref()
            .and_then(|t| t.current_release_date.as_deref()));
        out.meta.kinds.push("vex");
        for v in doc.vulnerabilities {
            let names: Vec<String> = v
                .cve
                .into_iter()
                .chain(v.ids.into_iter().map(|i| i.text))
                .collect();
            if names.is_empty() {
                continue;
            }
            for (key, ids) in v.product_status.iter().flatten() {
                let Some(status) = VexStatus::parse(key) else {
                    continue;
                };
                if !status.suppresses() {
                    continue;
                }
                for pid in ids {
                    out.vex.push(VexStatement {
                        vulnerability: names.clone(),
                        purls: purls.get(pid).cloned().into_iter().collect(),
                        status,
                        justification: None,
                        document: src.path.clone(),
                    });
                }
            }
        }
        Ok(out)
    }
}
