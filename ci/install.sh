#!/usr/bin/env bash
# Installs a released riskgate binary: the install step of the GitHub Action (action.yml,
# `install: release`), usable on its own on any Linux or macOS machine with curl.
#
#   RISKGATE_VERSION      the version to install [default: `version` in this checkout's Cargo.toml,
#                         so the action installs the release of its own commit]
#   RISKGATE_REPO         owner/name of the repository that publishes the releases
#   RISKGATE_BASE_URL     where the release's files are
#                         [default: https://github.com/$RISKGATE_REPO/releases/download/v$VERSION]
#   RISKGATE_INSTALL_DIR  where to put it [default: $RUNNER_TEMP/riskgate or ~/.riskgate]
#   RISKGATE_VERIFY_ATTESTATION  `true` (default): `gh attestation verify` the archive against the
#                         release workflow of $RISKGATE_REPO; `false` skips it (checksum only)
#   RUNNER_OS, RUNNER_ARCH  the platform, as GitHub names it [default: from uname]
#
# The archive must match its line in the release's SHA256SUMS and carry a build-provenance
# attestation signed by .github/workflows/release.yml of $RISKGATE_REPO; the binary must then
# report the version asked for. Anything else fails closed: exit 2, `verdict=error` in
# $GITHUB_OUTPUT, nothing installed. Prints the installed binary's path.
set -euo pipefail

fail() {
  echo "error: riskgate install: $*" >&2
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "verdict=error" >>"$GITHUB_OUTPUT"; fi
  exit 2
}

here="$(cd "$(dirname "$0")/.." && pwd)"
version="${RISKGATE_VERSION:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/Cargo.toml" | head -n1)}"
version="${version#v}"
[ -n "$version" ] || fail "no version: set RISKGATE_VERSION"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || fail "'$version' is not a version"
repo="${RISKGATE_REPO:-}"
[ -n "$repo" ] || fail "no repository: set RISKGATE_REPO to the owner/name that publishes riskgate"
[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || fail "'$repo' is not owner/name"
base="${RISKGATE_BASE_URL:-https://github.com/$repo/releases/download/v$version}"
base="${base%/}"
# Downloads go over HTTPS; plain HTTP only to this machine (a local mirror, the tests).
case "$base" in
  https://*) proto='=https' ;;
  http://127.0.0.1:* | http://127.0.0.1/* | http://localhost:* | http://localhost/* | http://\[::1\]:*) proto='=http' ;;
  *) fail "refusing to download from $base: not https" ;;
esac

os="${RUNNER_OS:-$(uname -s)}"
arch="${RUNNER_ARCH:-$(uname -m)}"
case "$os/$arch" in
  Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64 | Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
  macOS/ARM64 | Darwin/arm64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) fail "no release binary for $os/$arch; use install: source" ;;
esac
case "$target" in *windows*) ext=zip exe=riskgate.exe ;; *) ext=tar.gz exe=riskgate ;; esac
name="riskgate-$version-$target"
archive="$name.$ext"

dest="${RISKGATE_INSTALL_DIR:-${RUNNER_TEMP:-$HOME}/riskgate}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
get() {
  curl --proto "$proto" --fail --silent --show-error --location --retry 3 --connect-timeout 20 \
    --max-time 300 --output "$work/$1" "$base/$1" || fail "cannot download $base/$1"
}
get "$archive"
get SHA256SUMS

# Exactly one line names the archive; its digest must be the archive's.
want="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$work/SHA256SUMS")"
[ -n "$want" ] || fail "SHA256SUMS has no line for $archive"
[ "$(printf '%s\n' "$want" | wc -l)" -eq 1 ] || fail "SHA256SUMS has several lines for $archive"
if command -v sha256sum >/dev/null; then
  got="$(sha256sum "$work/$archive" | cut -d' ' -f1)"
else
  got="$(shasum -a 256 "$work/$archive" | cut -d' ' -f1)"
fi
[ "$got" = "$want" ] || fail "$archive has sha256 $got, but SHA256SUMS says $want"

if [ "${RISKGATE_VERIFY_ATTESTATION:-true}" != "false" ]; then
  command -v gh >/dev/null || fail "gh is needed to verify the archive's attestation (or set RISKGATE_VERIFY_ATTESTATION=false)"
  gh attestation verify "$work/$archive" --repo "$repo" \
    --signer-workflow "$repo/.github/workflows/release.yml" >&2 ||
    fail "$archive has no valid build-provenance attestation from $repo/.github/workflows/release.yml"
fi

mkdir -p "$work/x"
case "$ext" in
  zip) unzip -q "$work/$archive" -d "$work/x" || fail "cannot unpack $archive" ;;
  *) tar -xzf "$work/$archive" -C "$work/x" || fail "cannot unpack $archive" ;;
esac
[ -f "$work/x/$name/$exe" ] || fail "$archive has no $name/$exe"
mkdir -p "$dest/bin"
cp "$work/x/$name/$exe" "$dest/bin/$exe.new"
chmod 0755 "$dest/bin/$exe.new"
mv -f "$dest/bin/$exe.new" "$dest/bin/$exe"
said="$("$dest/bin/$exe" --version 2>/dev/null || true)"
case "$said" in
  "riskgate $version "* | "riskgate $version") ;;
  *) rm -f "$dest/bin/$exe"; fail "the installed binary says '$said', expected riskgate $version" ;;
esac
if [ -n "${GITHUB_PATH:-}" ]; then echo "$dest/bin" >>"$GITHUB_PATH"; fi
echo "$said: $dest/bin/$exe" >&2
echo "$dest/bin/$exe"
