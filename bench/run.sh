#!/usr/bin/env bash
# `make bench`: builds tokctl and the floor programs as releases are built,
# starts the in-repo fake provider on loopback and prints the performance
# table (see docs/performance.md). Extra arguments go to the benchmark
# program, e.g. `bash bench/run.sh -runs 60`.
#
# The real-keyring case needs a Secret Service: when ../shared/ci/with-keyring.sh
# and gnome-keyring are there, the whole run happens inside a private,
# unlocked keyring (your own keyring is never touched); otherwise that case
# is reported as skipped. Always exits 0 unless the benchmark cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."

runner=$(mktemp -d "${TMPDIR:-/tmp}/tokctl-bench-runner.XXXXXX")
trap 'rm -rf "$runner"' EXIT
go build -o "$runner/bench" ./bench

with_keyring=../shared/ci/with-keyring.sh
if [ -f "$with_keyring" ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  bash "$with_keyring" "$runner/bench" "$@"
else
  echo "bench: no Secret Service available (../shared/ci/install-deps.sh keyring); the keyring case will be skipped" >&2
  "$runner/bench" "$@"
fi
