//! CSAF 2.0 VEX documents (`document.category: csaf_vex`): product status per vulnerability,
//! with product ids resolved to package URLs through the product tree.

use super::vex::{ProductId, VexProduct};
use super::{
    null_is_empty, ts, InputError, Parsed, Probe, ReportFormat, Source, VexStatement, VexStatus,
};
use crate::model::finding::ScanKind;
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
    publisher: Option<Publisher>,
    tracking: Option<Tracking>,
}

#[derive(Deserialize)]
struct Publisher {
    name: Option<String>,
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

/// Walks the product tree collecting product_id → its identifier (purl, else name), and the
/// relationships that make a product id "component X of platform Y".
fn collect(
    v: &Value,
    out: &mut HashMap<String, ProductId>,
    rel: &mut HashMap<String, (String, String)>,
) {
    match v {
        Value::Object(m) => {
            let product = m.get("product").or_else(|| m.get("full_product_name"));
            if let Some(p) = product {
                let id = p.get("product_id").and_then(Value::as_str);
                let purl = p
                    .pointer("/product_identification_helper/purl")
                    .and_then(Value::as_str);
                let name = p.get("name").and_then(Value::as_str);
                if let Some(id) = id {
                    match (purl, name) {
                        (Some(purl), _) => {
                            out.insert(id.to_string(), ProductId::Purl(purl.to_string()));
                        }
                        (None, Some(name)) => {
                            out.entry(id.to_string())
                                .or_insert_with(|| ProductId::from_text(name));
                        }
                        (None, None) => {}
                    }
                }
            }
            if let (Some(id), Some(component), Some(platform)) = (
                m.get("full_product_name")
                    .and_then(|f| f.get("product_id"))
                    .and_then(Value::as_str),
                m.get("product_reference").and_then(Value::as_str),
                m.get("relates_to_product_reference")
                    .and_then(Value::as_str),
            ) {
                rel.insert(
                    id.to_string(),
                    (component.to_string(), platform.to_string()),
                );
            }
            for child in m.values() {
                collect(child, out, rel);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect(c, out, rel)),
        _ => {}
    }
}

impl ReportFormat for Csaf {
    const NAME: &'static str = "csaf";
    const TITLE: &'static str = "CSAF VEX";
    const VEX: bool = true;

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
        let mut ids = HashMap::new();
        let mut relationships = HashMap::new();
        if let Some(tree) = &doc.product_tree {
            collect(tree, &mut ids, &mut relationships);
        }
        let resolve = |pid: &str| {
            ids.get(pid)
                .cloned()
                .unwrap_or_else(|| ProductId::Unresolved(pid.to_string()))
        };
        // A relationship's product is its component inside its platform; a plain id is itself.
        let product = |pid: &str| match relationships.get(pid) {
            Some((component, platform)) => VexProduct {
                id: resolve(platform),
                subcomponents: vec![resolve(component)],
            },
            None => VexProduct::of(resolve(pid)),
        };
        let author = doc.document.publisher.as_ref().and_then(|p| p.name.clone());
        let mut out = Parsed::new(src, Self::NAME);
        out.meta.created = ts(doc
            .document
            .tracking
            .as_ref()
            .and_then(|t| t.current_release_date.as_deref()));
        out.meta.kinds.push(ScanKind::Vex);
        for v in doc.vulnerabilities {
            let names: Vec<String> = v
                .cve
                .into_iter()
                .chain(v.ids.into_iter().map(|i| i.text))
                .collect();
            if names.is_empty() {
                continue;
            }
            for (key, pids) in v.product_status.iter().flatten() {
                let Some(status) = VexStatus::parse(key) else {
                    continue;
                };
                if !status.suppresses() {
                    continue;
                }
                for pid in pids {
                    out.vex.push(VexStatement {
                        vulnerability: names.clone(),
                        products: vec![product(pid)],
                        status,
                        justification: None,
                        document: src.path.clone(),
                        author: author.clone(),
                        signed_by: None,
                        unverified: None,
                    });
                }
            }
        }
        Ok(out)
    }
}
