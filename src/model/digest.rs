//! SHA-256 digests, as riskgate writes them (`sha256:<hex>`) and reads them.

use sha2::{Digest, Sha256};

/// The lower-case hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `sha256:<hex>` of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

/// `sha256:<hex>` → the 32 bytes.
pub fn digest_bytes(digest: &str) -> Result<[u8; 32], String> {
    let bad = || format!("`{digest}` is not a sha256 digest");
    let hex = digest.strip_prefix("sha256:").ok_or_else(bad)?;
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex, &mut out).map_err(|_| bad())?;
    Ok(out)
}

/// The digest an image reference pins (`registry/repo@sha256:<64 hex>`), when it pins a valid
/// one: `None` for a tag, or for text after `@` that is not a sha256 digest.
pub fn pinned(reference: &str) -> Option<&str> {
    let (_, d) = reference.rsplit_once('@')?;
    digest_bytes(d).ok().map(|_| d)
}
