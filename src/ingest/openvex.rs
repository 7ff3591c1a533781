//! OpenVEX documents (v0.2.0 and the earlier `@context` versions).

use super::{
    nonempty, null_is_empty, ts, InputError, Parsed, Probe, ReportFormat, Source, VexStatement,
    VexStatus,
};
use serde::Deserialize;

pub struct OpenVex;

#[derive(Deserialize)]
struct Doc {
    #[serde(rename = "@id")]
    id: Option<String>,
    timestamp: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    statements: Vec<Statement>,
}

#[derive(Deserialize)]
struct Statement {
    vulnerability: Vulnerability,
    #[serde(default, deserialize_with = "null_is_empty")]
    products: Vec<Product>,
    status: String,
    justification: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Vulnerability {
    Object {
        name: Option<String>,
        #[serde(rename = "@id")]
        id: Option<String>,
        #[serde(default, deserialize_with = "null_is_empty")]
        aliases: Vec<String>,
    },
    // OpenVEX before 0.2.0 wrote the vulnerability as a plain string
    Name(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Product {
    Object {
        #[serde(rename = "@id")]
        id: Option<String>,
        identifiers: Option<Identifiers>,
        #[serde(default, deserialize_with = "null_is_empty")]
        subcomponents: Vec<Product>,
    },
    Name(String),
}

#[derive(Deserialize)]
struct Identifiers {
    purl: Option<String>,
}

impl Product {
    fn purl(&self) -> Option<String> {
        match self {
            Product::Name(s) => s.starts_with("pkg:").then(|| s.clone()),
            Product::Object {
                id, identifiers, ..
            } => identifiers
                .as_ref()
                .and_then(|i| i.purl.clone())
                .or_else(|| id.clone().filter(|i| i.starts_with("pkg:"))),
        }
    }

    /// The package URLs this product entry speaks about: its subcomponents when listed, else
    /// itself. `None` when any of them is not a package URL (the statement then names a product).
    fn purls(&self) -> Option<Vec<String>> {
        match self {
            Product::Object { subcomponents, .. } if !subcomponents.is_empty() => {
                subcomponents.iter().map(Product::purl).collect()
            }
            p => p.purl().map(|p| vec![p]),
        }
    }
}

impl ReportFormat for OpenVex {
    const NAME: &'static str = "openvex";

    fn detect(p: &Probe) -> bool {
        p.has("statements") && p.value("@context").is_some_and(|c| c.contains("openvex"))
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let doc: Doc = src.parse_json("OpenVEX")?;
        let mut out = Parsed::new(src, Self::NAME);
        out.meta.created = ts(doc.timestamp.as_deref());
        out.meta.kinds.push("vex");
        let document = match &doc.id {
            Some(id) => format!("{} ({id})", src.path),
            None => src.path.clone(),
        };
        for (n, st) in doc.statements.into_iter().enumerate() {
            let Some(status) = VexStatus::parse(&st.status) else {
                return Err(InputError::invalid(
                    &src.path,
                    format!(
                        "statement {}: unknown status `{}` (expected not_affected, affected, fixed or under_investigation)",
                        n + 1,
                        st.status
                    ),
                ));
            };
            let vulnerability: Vec<String> = match st.vulnerability {
                Vulnerability::Name(n) => vec![n],
                Vulnerability::Object { name, id, aliases } => {
                    name.into_iter().chain(id).chain(aliases).collect()
                }
            };
            if vulnerability.iter().all(|v| v.trim().is_empty()) {
                return Err(InputError::invalid(
                    &src.path,
                    format!("statement {}: no vulnerability name", n + 1),
                ));
            }
            let purls = st
                .products
                .iter()
                .map(Product::purls)
                .collect::<Option<Vec<Vec<String>>>>()
                .map(|v| v.concat())
                .unwrap_or_default();
            out.vex.push(VexStatement {
                vulnerability,
                purls,
                status,
                justification: nonempty(st.justification.as_deref()),
                document: document.clone(),
            });
        }
        Ok(out)
    }
}
