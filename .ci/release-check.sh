#!/usr/bin/env bash
# Release check, run by .ci/run: the release that .goreleaser.yaml describes
# can be built, without publishing anything.
#
# goreleaser itself takes about 3.5 minutes to install from the module proxy
# on a 2-core runner, so CI does not install it. This script does what its
# build step does instead: every GOOS/GOARCH listed in .goreleaser.yaml, with
# go build, CGO_ENABLED=0, -trimpath, the same tags and ldflags, into a temporary
# directory. It also checks that the yaml lists the six targets tokctl ships,
# that the variables it injects exist in cmd/tokctl/main.go and reach
# `tokctl version`, and that every file the archives include exists. When
# goreleaser is already on PATH, `goreleaser check` runs too.
# About 2 to 3 minutes on 2 cores with a cold build cache, seconds with a warm one.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== release check (.goreleaser.yaml)"
cfg=.goreleaser.yaml
fail() { echo "release-check: $*" >&2; exit 1; }

# `key: [a, b]` lines of the yaml, as "a b".
list() { sed -n "s/^ *$1: *\[\(.*\)\] *$/\1/p" "$cfg" | tr -d ' ' | tr ',' ' '; }
goos=$(list goos)
goarch=$(list goarch)
[ "$goos" = "linux darwin windows" ] || fail "goos in $cfg is [$goos], want [linux darwin windows]"
[ "$goarch" = "amd64 arm64" ] || fail "goarch in $cfg is [$goarch], want [amd64 arm64]"

grep -q -- '- CGO_ENABLED=0' "$cfg" || fail "$cfg does not build with CGO_ENABLED=0"
grep -q -- '- -s -w' "$cfg" || fail "$cfg does not strip binaries (-s -w)"
grep -q -- '-trimpath' "$cfg" || fail "$cfg does not build with -trimpath"
grep -q -- 'tags: \[nethttpomithttp2\]' "$cfg" || fail "$cfg does not build with -tags nethttpomithttp2"
for v in version commit date; do
  grep -q -- "-X main\.$v=" "$cfg" || fail "$cfg does not inject main.$v"
  grep -Eq "^[[:space:]]+$v[[:space:]]+=" cmd/tokctl/main.go || fail "cmd/tokctl/main.go has no variable $v for -X main.$v"
done
grep -q '^checksum:' "$cfg" || fail "$cfg makes no checksums"

# Every pattern under the archives' files: must match something, or the
# release fails at the archiving step.
patterns=$(sed -n '/^ *files:/,/^ *[a-z_]*:/s/^ *- *//p' "$cfg")
[ -n "$patterns" ] || fail "no archive files listed in $cfg"
set -f # the patterns are globs for compgen, not for the shell
for p in $patterns; do
  compgen -G "$p" >/dev/null || fail "archive file pattern $p matches nothing"
done
set +f
for p in 'completions/*' 'docs/man/*.1'; do
  grep -Fq -- "- $p" "$cfg" || fail "the archives do not include $p"
done

out=$(mktemp -d "${TMPDIR:-/tmp}/tokctl-release-check.XXXXXX")
trap 'rm -rf "$out"' EXIT
version=0.0.0-release-check
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w -X main.version=$version -X main.commit=$commit -X main.date=$date"

for os in $goos; do
  for arch in $goarch; do
    bin="$out/tokctl_${os}_${arch}/tokctl"
    [ "$os" = windows ] && bin="$bin.exe"
    start=$SECONDS
    CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -tags nethttpomithttp2 -ldflags="$ldflags" -o "$bin" ./cmd/tokctl ||
      fail "go build for $os/$arch failed"
    [ -s "$bin" ] || fail "no binary for $os/$arch"
    printf '%-14s %10d bytes  %3ds\n' "$os/$arch" "$(wc -c <"$bin")" $((SECONDS - start))
  done
done

# The injected version reaches `tokctl version` (on the host's own target).
host="$out/tokctl_$(go env GOOS)_$(go env GOARCH)/tokctl"
if [ -x "$host" ]; then
  line=$("$host" version)
  case "$line" in
    "tokctl version $version ($commit, $date)"*) echo "version: $line" ;;
    *) fail "tokctl version printed \"$line\", want tokctl version $version ($commit, $date) …" ;;
  esac
fi

if command -v goreleaser >/dev/null; then
  goreleaser check
else
  echo "release-check: goreleaser not on PATH; cross-built every target with go build instead"
fi
echo "release check passed in ${SECONDS}s"
