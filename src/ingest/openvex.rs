//! OpenVEX documents (v0.2.0 and the earlier `@context` versions).

use super::vex::{ProductId, VexProduct};
use super::{
    nonempty, null_is_empty, ts, InputError, Parsed, Probe, ReportFormat, Source, VexStatement,
    VexStatus,
};
use crate::model::finding::ScanKind;
use serde::Deserialize;

pub struct OpenVex;

#[derive(Deserialize)]
struct Doc {
    #[serde(rename = "@id")]
    id: Option<String>,
    author: Option<String>,
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
    /// The identifier of this entry: its purl (from `identifiers` or `@id`), else its `@id` as a
    /// name; nothing at all is unresolved.
    fn id(&self) -> ProductId {
        match self {
            Product::Name(s) => ProductId::from_text(s),
            Product::Object {
                id, identifiers, ..
            } => match identifiers.as_ref().and_then(|i| i.purl.as_deref()) {
                Some(p) => ProductId::from_text(p),
                None => id
                    .as_deref()
                    .map(ProductId::from_text)
                    .unwrap_or(ProductId::Unresolved(
                        "a product without @id or identifiers".into(),
                    )),
            },
        }
    }

    fn product(&self) -> VexProduct {
        let subcomponents = match self {
            Product::Object { subcomponents, .. } => {
                subcomponents.iter().map(Product::id).collect()
            }
            Product::Name(_) => Vec::new(),
        };
        VexProduct {
            id: self.id(),
            subcomponents,
        }
    }
}

impl ReportFormat for OpenVex {
    const NAME: &'static str = "openvex";
    const TITLE: &'static str = "OpenVEX";
    const VEX: bool = true;

    fn detect(p: &Probe) -> bool {
        p.has("statements") && p.value("@context").is_some_and(|c| c.contains("openvex"))
    }

    fn parse(src: &Source) -> Result<Parsed, InputError> {
        let doc: Doc = src.parse_json("OpenVEX")?;
        let mut out = Parsed::new(src, Self::NAME);
        out.meta.created = ts(doc.timestamp.as_deref());
        out.meta.kinds.push(ScanKind::Vex);
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
            out.vex.push(VexStatement {
                vulnerability,
                products: st.products.iter().map(Product::product).collect(),
                status,
                justification: nonempty(st.justification.as_deref()),
                document: document.clone(),
                author: nonempty(doc.author.as_deref()),
                signed_by: None,
                unverified: None,
            });
        }
        Ok(out)
    }
}
