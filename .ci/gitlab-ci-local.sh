#!/usr/bin/env bash
# Runs the GitLab CI/CD component (templates/riskgate.yml) and the compatibility template
# (.gitlab-ci-template.yml) under gitlab-ci-local with the shell executor, on the example
# organisation, in a throw-away project: both must block (exit 1) and write the JUnit and Code
# Quality reports. Usage: .ci/gitlab-ci-local.sh GITLAB_CI_LOCAL RISKGATE_BIN_DIR
#
# gitlab-ci-local cannot fetch a `component:` include, so the project includes the component as
# `local:` with the same inputs (as a component's own repository tests it), and the compatibility
# template's component includes are pointed at the local file the same way.
set -euo pipefail
gcl="$1" bindir="$2"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

project() {
  local dir="$work/$1"
  mkdir -p "$dir/templates"
  cp -r "$repo/examples" "$dir/"
  cp "$repo/templates/riskgate.yml" "$dir/templates/"
  cat >"$dir/.gitlab-ci.yml"
  (cd "$dir" && git init -q -b main && git remote add origin https://gitlab.example/acme/payments-api.git &&
    git add -A && git -c user.email=ci@riskgate.invalid -c user.name=ci commit -qm project)
  echo "$dir"
}

gate() {
  local dir="$1" job="$2" want="$3" rc=0
  (cd "$dir" && PATH="$bindir:$PATH" "$gcl" --force-shell-executor --no-color "$job") >"$dir/log" 2>&1 || rc=$?
  if [ "$rc" -ne "$want" ]; then
    cat "$dir/log" >&2
    echo "error: gitlab-ci-local $job in $(basename "$dir") exited $rc, expected $want" >&2
    exit 1
  fi
  for f in riskgate-junit.xml gl-code-quality-report.json riskgate.json; do
    [ -s "$dir/$f" ] || { cat "$dir/log" >&2; echo "error: $job wrote no $f" >&2; exit 1; }
  done
  grep -q 'BLOCK payments-api: ' "$dir/log" || { cat "$dir/log" >&2; echo "error: no verdict in the log" >&2; exit 1; }
  echo "gitlab-ci-local: $(basename "$dir") job $job exited $rc, reports written"
}

component="$(project component <<'EOF'
variables:
  RISKGATE_NOW: "2026-11-23"
include:
  - local: templates/riskgate.yml
    inputs:
      policy: examples/policy
      product: payments-api
      acceptances: examples/acceptances.yaml
      reports:
        - examples/reports/trivy-npm.json
        - examples/reports/trivy-image.json
        - examples/reports/trivy-secrets.json
        - examples/reports/grype-ruby.json
        - examples/reports/fortify.sarif
      fail_on_block: true
EOF
)"
gate "$component" riskgate 1
python3 - "$component/riskgate-junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().find("testsuite").findall("testcase")
failed = [c for c in cases if c.find("failure") is not None]
assert len(failed) == 7, len(failed)
PY

# fail_on_block: false lets the job pass, with the same reports.
sed 's/fail_on_block: true/fail_on_block: false/' "$component/.gitlab-ci.yml" >"$work/x" && mv "$work/x" "$component/.gitlab-ci.yml"
(cd "$component" &&
  git -c user.email=ci@riskgate.invalid -c user.name=ci commit -qam off)
gate "$component" riskgate 0

# The compatibility template, used as before: extend .riskgate and set RISKGATE_* variables.
compat="$(project compat <<'EOF'
include:
  - local: gitlab-ci-template.yml
gate:
  extends: .riskgate
  variables:
    RISKGATE_POLICY: examples/policy
    RISKGATE_PRODUCT: payments-api
    RISKGATE_ACCEPTANCES: examples/acceptances.yaml
    RISKGATE_NOW: "2026-11-23"
    RISKGATE_REPORTS: "examples/reports/trivy-npm.json examples/reports/fortify.sarif"
EOF
)"
sed 's|^  - component: \$CI_SERVER_FQDN/riskgate/riskgate/riskgate@.*$|  - local: templates/riskgate.yml|' \
  "$repo/.gitlab-ci-template.yml" >"$compat/gitlab-ci-template.yml"
grep -q 'local: templates/riskgate.yml' "$compat/gitlab-ci-template.yml"
(cd "$compat" && git add -A && git -c user.email=ci@riskgate.invalid -c user.name=ci commit -qm compat)
gate "$compat" gate 1
