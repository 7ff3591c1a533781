#!/usr/bin/env bash
# The run step of the riskgate GitHub Action (action.yml). Inputs arrive as INPUT_* variables;
# list inputs (reports, images, artifacts, vex) are separated by spaces or newlines. Writes the
# step outputs to $GITHUB_OUTPUT, the human report to the log, annotations as workflow commands,
# the json and SARIF reports to files; riskgate itself appends the markdown summary to
# $GITHUB_STEP_SUMMARY. Exit: 0 allow, 1 block (0 when fail-on-block is false), 2 could not
# decide (always a failure).
set -uo pipefail

args=(check)
one() { if [ -n "${2:-}" ]; then args+=("$1" "$2"); fi; }
many() {
  local flag=$1 x
  # shellcheck disable=SC2086 # splitting on whitespace is the input's documented format
  for x in ${2:-}; do args+=("$flag" "$x"); done
}
one --policy "${INPUT_POLICY:-}"
one --product "${INPUT_PRODUCT:-}"
one --acceptances "${INPUT_ACCEPTANCES:-}"
one --kev "${INPUT_KEV:-}"
one --epss "${INPUT_EPSS:-}"
one --baseline "${INPUT_BASELINE:-}"
one --policy-key "${INPUT_POLICY_KEY:-}"
one --attest "${INPUT_ATTEST:-}"
one --attest-key "${INPUT_ATTEST_KEY:-}"
if [ "${INPUT_ATTACH:-false}" = "true" ]; then args+=(--attach); fi
one --attest-predicate "${INPUT_ATTEST_PREDICATE:-}"
# Not an input: pinning the clock is for tests and reproductions, and a signed decision records
# it (`riskgate verify` refuses such a decision at deploy).
one --now "${RISKGATE_NOW:-}"
many --report "${INPUT_REPORTS:-}"
many --image "${INPUT_IMAGES:-}"
many --artifact "${INPUT_ARTIFACTS:-}"
many --vex "${INPUT_VEX:-}"

tmp="${RUNNER_TEMP:-/tmp}"
json="${INPUT_JSON_OUTPUT:-$tmp/riskgate.json}"
sarif="${INPUT_SARIF_OUTPUT:-riskgate.sarif}"
annotations="$tmp/riskgate.annotations"
# --output pairs with the --format at the same position: the formats with a file come first,
# then human, to the log.
args+=(--format json --format sarif --format github --format human
  --output "$json" --output "$sarif" --output "$annotations")

rm -f "$annotations"
riskgate "${args[@]}"
rc=$?
# Workflow commands must reach standard output to become annotations.
if [ -f "$annotations" ]; then cat "$annotations"; fi

case "$rc" in
  0) verdict=allow ;;
  1) verdict=block ;;
  *) verdict=error ;;
esac
blocked=0
if [ -f "$annotations" ] && [ "$rc" -le 1 ]; then
  blocked=$(grep -c '^::error ' "$annotations" || true)
fi
{
  echo "verdict=$verdict"
  echo "blocked=$blocked"
  if [ "$rc" -le 1 ]; then
    echo "report=$json"
    echo "sarif=$sarif"
    if [ -n "${INPUT_ATTEST:-}" ]; then echo "attestation=$INPUT_ATTEST"; fi
    if [ -n "${INPUT_ATTEST_PREDICATE:-}" ]; then echo "predicate=$INPUT_ATTEST_PREDICATE"; fi
  fi
} >>"${GITHUB_OUTPUT:-/dev/null}"

if [ "$rc" -eq 1 ] && [ "${INPUT_FAIL_ON_BLOCK:-true}" = "false" ]; then
  echo "riskgate blocks, but fail-on-block is false: the job continues."
  exit 0
fi
exit "$rc"
