//! CVSS base scores from vector strings: v3.0, v3.1 and v4.0, computed by RustSec's `cvss`
//! crate. A vector must give every base metric of its version, each once.
//!
//! Some formats (cargo audit, OSV, Trivy) carry only a CVSS vector, no severity word. A vector
//! that is not a complete, valid base vector yields `None`, never a guess.

/// The base metrics every vector of a version must give: the crate scores a vector that lacks
/// some (as if they were their lowest values), and a score from half a vector is a guess.
const V3_BASE: &[&str] = &["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
const V4_BASE: &[&str] = &[
    "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
];

fn complete(vector: &str, required: &[&str]) -> bool {
    let keys: Vec<&str> = vector
        .split('/')
        .skip(1)
        .filter_map(|m| m.split_once(':').map(|(k, _)| k))
        .collect();
    let mut unique = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    // Each metric once: `AV:N/AV:L` is two answers to one question.
    unique.len() == keys.len() && required.iter().all(|r| keys.contains(r))
}

/// The base score of a `CVSS:3.0/...`, `CVSS:3.1/...` or `CVSS:4.0/...` vector.
pub fn base_score(vector: &str) -> Option<f64> {
    let v = vector.trim();
    let score = if v.starts_with("CVSS:4.0/") && complete(v, V4_BASE) {
        v.parse::<cvss::v4::Vector>().ok()?.score().value()
    } else if (v.starts_with("CVSS:3.0/") || v.starts_with("CVSS:3.1/")) && complete(v, V3_BASE) {
        v.parse::<cvss::v3::Base>().ok()?.score().value()
    } else {
        return None;
    };
    score.is_finite().then_some(score)
}

#[cfg(test)]
mod tests {
    use super::base_score;

    #[test]
    fn known_scores() {
        // Scores as published by NVD (v3) and FIRST's calculator (v4) for these vectors.
        for (vector, score) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L", 5.6),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:H", 8.2),
            ("CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            // RUSTSEC-2026-0141 (lettre), as cargo audit reports it: critical, where riskgate
            // used to read no score at all from a v4 vector
            (
                "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:L/SI:L/SA:N",
                9.1,
            ),
        ] {
            assert_eq!(base_score(vector), Some(score), "{vector}");
        }
    }

    #[test]
    fn refuses_incomplete_duplicate_or_foreign_vectors() {
        for v in [
            "AV:N/AC:L/Au:N/C:P/I:N/A:N",
            "CVSS:3.1/AV:N/AC:L",
            "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
            "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
            "CVSS:4.0/AV:N/AC:L",
            "CVSS:2.0/AV:N",
        ] {
            assert_eq!(base_score(v), None, "{v}");
        }
    }
}
