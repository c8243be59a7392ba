#!/usr/bin/env bash
# bench/profile.sh [RUNS]: where the time of a cached `tokctl token get` goes,
# next to readnet (its floor) and readnet's stack floor (readnet with all of
# tokctl's libraries linked, none of its code): the CPU time of each phase of
# the process's life, from perf samples, and the package initialisation
# trace (GODEBUG=inittrace=1). The counterpart of `make bench`, which says
# how long; this says where. See docs/performance.md.
#
# Needs perf (Debian: linux-perf) with permission to sample (root, or
# kernel.perf_event_paranoid <= 1). The programs are release builds (CGO off,
# -trimpath, the release tags) kept unstripped, so that perf can name the
# functions; stripping changes no code.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}
command -v perf >/dev/null || { echo "profile: perf not found (Debian: apt-get install linux-perf)" >&2; exit 1; }
perf record -q -g -o /dev/null -- true >/dev/null 2>&1 ||
  { echo "profile: perf may not sample here: run as root, or set kernel.perf_event_paranoid to 1 or less" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tokctl-profile.XXXXXX")
fake_pid=""
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

tags=nethttpomithttp2
stack=stack,ladder_cobra,ladder_viper,ladder_keyring,ladder_server,ladder_rest
build() { CGO_ENABLED=0 go build -trimpath -tags "$1" -o "$work/$2" "$3"; }
build "$tags" tokctl ./cmd/tokctl
build "$tags" readnet ./bench/floor/readnet
build "$tags,$stack" stackfloor ./bench/floor/readnet
go build -o "$work/fakeprovider" ./cmd/fakeprovider
go build -o "$work/phases" ./bench/phases

"$work/fakeprovider" -addr 127.0.0.1:0 -addr-file "$work/url" >/dev/null 2>"$work/fake.log" &
fake_pid=$!
for _ in $(seq 1 100); do [ -s "$work/url" ] && break; sleep 0.05; done
[ -s "$work/url" ] || { echo "profile: the fake provider did not start" >&2; cat "$work/fake.log" >&2; exit 1; }
# The fake provider's demo client for Tilia (internal/fakeprovider/clients.go).
export TOKCTL_STORE=file XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" \
  TOKCTL_TILIA_TOKEN_URL="$(cat "$work/url")/tilia/token" \
  TOKCTL_TILIA_CLIENT_ID=3f2bfe5b-19b8-41c1-88d7-70a1586bce94 \
  TOKCTL_TILIA_CLIENT_SECRET=9bc00ca4-937e-4946-bdb5-0814b603334d \
  TOKCTL_TILIA_SCOPES=write_registrations,user_info
unset TOKCTL_CONFIG
"$work/tokctl" token get tilia >/dev/null # the record the cached runs read
record="$work/state/tokctl/tilia.value"

# taskclock NAME ARGS...: CPU time of one run (perf stat), in ms
taskclock() {
  local name=$1; shift
  perf stat -r $((runs / 10 + 1)) -x, -e task-clock "$work/$name" "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}' >>"$work/$name.clock"
}

# profile NAME ARGS...: the phase table of NAME's runs
profile() {
  local name=$1; shift
  local clock
  clock=$(sort -n "$work/$name.clock" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  perf record -q -F 20000 -g -o "$work/$name.data" -- \
    sh -c 'n=$1; shift; for _ in $(seq "$n"); do "$@" >/dev/null; done' sh "$runs" "$work/$name" "$@" 2>/dev/null
  printf '\n### %s (CPU time %s ms per run, perf stat, median of 10 rounds; phases from %s sampled runs)\n\n' "$name" "$clock" "$runs"
  perf script -i "$work/$name.data" -F comm,ip,sym,dso 2>/dev/null | "$work/phases" -comm "$name" -runs "$runs" -task-clock "${clock}ms"
}

inittrace() { # NAME ARGS...: package inits, mean of 30 runs, largest first
  local name=$1; shift
  for _ in $(seq 30); do GODEBUG=inittrace=1 "$work/$name" "$@" 2>&1 >/dev/null; done |
    awk -v name="$name" '/^init / { ms[$2] += $5; n[$2]++; total += $5 }
      END {
        printf "\n### %s: %d packages initialised, %.2f ms in all (inittrace slows them)\n\n| package | ms |\n|---|---:|\n", name, length(n), total / 30
        for (p in ms) printf "%.3f %s\n", ms[p] / 30, p | "sort -rn | head -12 | awk '\''{ printf \"| %s | %s |\\n\", $2, $1 }'\''"
      }'
}

# CPU time per run: the programs take turns, ten rounds, the median of the
# rounds (a busy moment of the machine then falls on all three alike).
for _ in $(seq 10); do
  taskclock readnet "$record"
  taskclock stackfloor "$record"
  taskclock tokctl token get tilia
done

echo "## CPU time by phase of the process (perf, $(nproc) CPUs, $(uname -r))"
profile readnet "$record"
profile stackfloor "$record"
profile tokctl token get tilia
echo
echo "## Package initialisation (GODEBUG=inittrace=1)"
inittrace readnet "$record"
inittrace tokctl token get tilia
