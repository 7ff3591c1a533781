#!/usr/bin/env bash
# Packs one release archive: ci/package.sh TARGET BINARY OUTDIR
#   -> OUTDIR/riskgate-VERSION-TARGET.tar.gz (or .zip for Windows targets), holding
#      riskgate-VERSION-TARGET/{riskgate, LICENSE, README.md, CHANGELOG.md, completions/, man/}.
# The names are the ones action.yml, ci/install.sh and Cargo.toml's binstall metadata expect.
# The completions and man pages come from the binary itself, so it must run on this machine.
set -euo pipefail
target="$1" bin="$2" out="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n1)"
name="riskgate-$version-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
dir="$stage/$name"
mkdir -p "$dir/completions" "$dir/man" "$out"
case "$target" in *windows*) exe=riskgate.exe ;; *) exe=riskgate ;; esac
cp "$bin" "$dir/$exe"
chmod 0755 "$dir/$exe"
cp "$root/LICENSE" "$root/README.md" "$root/CHANGELOG.md" "$dir/"
"$dir/$exe" completions bash >"$dir/completions/riskgate.bash"
"$dir/$exe" completions zsh >"$dir/completions/_riskgate"
"$dir/$exe" completions fish >"$dir/completions/riskgate.fish"
"$dir/$exe" completions powershell >"$dir/completions/_riskgate.ps1"
"$dir/$exe" man --dir "$dir/man"
out="$(cd "$out" && pwd)"
case "$target" in
  *windows*)
    (cd "$stage" && 7z a -tzip -bd "$out/$name.zip" "$name" >/dev/null)
    echo "$out/$name.zip"
    ;;
  *)
    if tar --version 2>/dev/null | grep -q 'GNU tar'; then
      # Reproducible: sorted names, fixed owner and mtime (the commit's time when known).
      mtime="@${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}"
      tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" \
        -cf - "$name" | gzip -n -9 >"$out/$name.tar.gz"
    else
      # macOS's bsdtar: fixed owner; names and times as they are.
      tar -C "$stage" --uid 0 --gid 0 -cf - "$name" | gzip -n -9 >"$out/$name.tar.gz"
    fi
    echo "$out/$name.tar.gz"
    ;;
esac
