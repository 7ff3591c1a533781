//! `policy push DIR oci:LAYOUT[:TAG]`: an OCI image layout written from its plan
//! ([`crate::load::image::LayoutPlan`]): blobs under their digests (atomically, never over one
//! that is there: its name is its content), `index.json` updated under a lock (the plan's names
//! replace entries of the same names; others stay), and the `oci-layout` file.

use crate::load::image::LayoutPlan;

const REF_NAME: &str = "org.opencontainers.image.ref.name";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

pub fn write(plan: &LayoutPlan) -> Result<String, String> {
    let out = &plan.dir;
    let io = |e: std::io::Error| format!("cannot write oci:{}: {e}", out.display());
    std::fs::create_dir_all(out.join("blobs/sha256")).map_err(io)?;
    for (digest, bytes) in &plan.blobs {
        let p = out
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"));
        if !p.exists() {
            super::replace(&p, bytes).map_err(io)?;
        }
    }
    let index_path = out.join("index.json");
    let _lock = super::lock(&index_path, super::LOCK_WAIT)?;
    let mut index: serde_json::Value = match std::fs::read(&index_path) {
        Ok(b) => serde_json::from_slice(&b)
            .map_err(|e| format!("{} is not an OCI image index: {e}", index_path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            serde_json::json!({"schemaVersion": 2, "manifests": []})
        }
        Err(e) => return Err(io(e)),
    };
    let list = index
        .get_mut("manifests")
        .and_then(|m| m.as_array_mut())
        .ok_or_else(|| format!("{} has no manifests list", index_path.display()))?;
    for (name, d, size) in &plan.names {
        list.retain(|m| m["annotations"][REF_NAME].as_str() != Some(name.as_str()));
        list.push(serde_json::json!({
            "mediaType": OCI_MANIFEST,
            "digest": d,
            "size": size,
            "annotations": { REF_NAME: name },
        }));
    }
    let bytes = serde_json::to_vec_pretty(&index).map_err(|e| e.to_string())?;
    super::replace(&index_path, &bytes).map_err(io)?;
    super::replace(
        &out.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .map_err(io)?;
    Ok(plan.digest.clone())
}
