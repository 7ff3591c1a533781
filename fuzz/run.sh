#!/usr/bin/env bash
# Builds riskgate's fuzz targets with libFuzzer on the stable toolchain and runs them.
#
#   fuzz/run.sh build               build every target
#   fuzz/run.sh TARGET [SECONDS]    run one target (default 60 s), seeded from tests/fixtures
#   fuzz/run.sh all [SECONDS]       run every target in turn
#   fuzz/run.sh --no-build TARGET [SECONDS]   run what was built last
#
# Coverage comes from LLVM's SanitizerCoverage passes, which stable rustc runs with -C flags
# (what cargo-fuzz passes, minus AddressSanitizer, which needs nightly; riskgate has no unsafe
# code, so the crash signal is a panic or an abort). The generated corpus goes to
# fuzz/corpus/TARGET (ignored by git); a crash is written to fuzz/artifacts/TARGET/ and, once
# fixed, belongs in fuzz/regressions/TARGET/, which `cargo test` replays (tests/it/fuzz_replay.rs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
host=$(rustc -vV | sed -n 's/^host: //p')
targets=(report policy threat_intel timestamp acceptances_edit)

export RUSTFLAGS="${RUSTFLAGS:-} --cfg fuzzing -Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares \
 -Cllvm-args=-sanitizer-coverage-stack-depth -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$here/target}"

build() {
    # --target keeps RUSTFLAGS (and the instrumentation) off build scripts and proc macros.
    cargo build ${FUZZ_LOCKED:+--locked} --manifest-path "$here/Cargo.toml" --release --target "$host" --bins
}

# Seeds: the repository's real fixtures for each target, plus the regressions.
seeds() {
    case "$1" in
    report) echo "$root/tests/fixtures/trivy $root/tests/fixtures/grype $root/tests/fixtures/sarif \
$root/tests/fixtures/gitlab $root/tests/fixtures/cyclonedx $root/tests/fixtures/openvex \
$root/tests/fixtures/corpus $root/tests/data" ;;
    policy | acceptances_edit) echo "$root/policies/default $root/examples/policy $here/seeds/policy" ;;
    threat_intel) echo "$root/tests/fixtures/kev $here/seeds/threat_intel" ;;
    timestamp) echo "$here/seeds/timestamp" ;;
    esac
}

run() {
    local t=$1 secs=${2:-60}
    local bin="$CARGO_TARGET_DIR/$host/release/$t"
    mkdir -p "$here/corpus/$t" "$here/artifacts/$t" "$here/regressions/$t"
    local dirs=()
    for d in $(seeds "$t") "$here/regressions/$t"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    echo "== $t for ${secs}s (seeds: ${dirs[*]})"
    "$bin" -max_total_time="$secs" -max_len=1048576 -rss_limit_mb=4096 -timeout=20 \
        -print_final_stats=1 -artifact_prefix="$here/artifacts/$t/" \
        "$here/corpus/$t" "${dirs[@]}"
}

case "${1:-}" in
build) build ;;
--no-build)
    run "$2" "${3:-60}"
    ;;
all)
    build
    for t in "${targets[@]}"; do run "$t" "${2:-60}"; done
    ;;
"" | -h | --help) sed -n '2,14p' "$0" ;;
*)
    build
    run "$1" "${2:-60}"
    ;;
esac
