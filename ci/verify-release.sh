#!/usr/bin/env bash
# riskgate verifies its own release: every archive must carry a Sigstore keyless bundle
# (ARCHIVE.sigstore.json) signed by the given OIDC issuer and an identity matching SUBJECT_REGEX,
# checked offline against Sigstore's public-good trusted root, with `riskgate check --artifact`
# exactly as a user would check a build artifact before deploying it.
#
#   ci/verify-release.sh RISKGATE ISSUER SUBJECT_REGEX ARCHIVE...
#
# The release workflow runs it on its own archives with its own identity
# (https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/tags/vX.Y.Z). Exit 0 when every
# archive verifies; riskgate's exit code otherwise (1: a signature is missing or wrong).
set -euo pipefail
riskgate="$1" issuer="$2" subject="$3"
shift 3
[ "$#" -gt 0 ] || { echo "usage: $0 RISKGATE ISSUER SUBJECT_REGEX ARCHIVE..." >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
policy="$(mktemp -d)"
trap 'rm -rf "$policy"' EXIT
cp "$root/examples/policy/trusted_root.json" "$policy/trusted_root.json"
cat >"$policy/ownership.yaml" <<EOF
# Who answers for riskgate's own release artifacts.
version: 1
reviewed: $(date -u +%F)
teams:
  riskgate-maintainers:
    members: [release@riskgate.invalid]
products:
  riskgate-release:
    team: riskgate-maintainers
    risk_owner: release@riskgate.invalid
    criticality: high
    exposure: internet
    data: public
    reviewed: $(date -u +%F)
EOF
# The identity goes in as YAML double-quoted strings: escape backslashes and quotes.
q() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }
cat >"$policy/guardrails.yaml" <<EOF
# riskgate's release archives: keyless signatures by the release workflow only.
version: 1
levels:
  none:     { gate: pass }
  low:      { gate: block }
  medium:   { gate: block }
  high:     { gate: block }
  critical: { gate: block }
trusted_root: trusted_root.json
artifacts:
  signatures:
    - keyless: { issuer: $(q "$issuer"), subject: $(q "$subject") }
EOF
args=()
for a in "$@"; do args+=(--artifact "$a=$a.sigstore.json"); done
"$riskgate" check --policy "$policy" --product riskgate-release "${args[@]}"
