#!/usr/bin/env bash
# `make demo`: builds tokctl and the in-repo fake provider, starts the fake on
# 127.0.0.1, and uses tokctl exactly as a user would — credentials and
# endpoints in TOKCTL_* environment variables — against each provider's API
# shape. Touches nothing of yours: config, state and store live in a
# temporary directory (file store), removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/tokctl-demo.XXXXXX")
fake_pid=""
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
[ -t 2 ] || step() { printf '\n== %s\n' "$*" >&2; }
show() { printf '$ %s\n' "$*" >&2; }

step "build tokctl and the fake provider"
go build -trimpath -tags nethttpomithttp2 -o "$work/bin/tokctl" ./cmd/tokctl  # as released (.goreleaser.yaml)
go build -o "$work/bin/fakeprovider" ./cmd/fakeprovider
export PATH="$work/bin:$PATH"
export XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" TOKCTL_STORE=file
unset TOKCTL_CONFIG

fakeprovider -addr 127.0.0.1:0 -addr-file "$work/url" >/dev/null 2>"$work/fake.log" &
fake_pid=$!
for _ in $(seq 1 100); do [ -s "$work/url" ] && break; sleep 0.05; done
[ -s "$work/url" ] || { echo "demo: the fake provider did not start:" >&2; cat "$work/fake.log" >&2; exit 1; }
FAKE=$(cat "$work/url")
echo "fake provider listening on $FAKE" >&2
requests() { curl -fsS "$FAKE/_fake/stats" | tr -d "{} \n" | tr , "\n" | grep "token\"" | tr "\n" " "; echo; }

step "Tilia: form POST, comma-joined scopes (the client from Tilia's own docs)"
export TOKCTL_TILIA_TOKEN_URL="$FAKE/tilia/token"
export TOKCTL_TILIA_CLIENT_ID=3f2bfe5b-19b8-41c1-88d7-70a1586bce94
export TOKCTL_TILIA_CLIENT_SECRET=9bc00ca4-937e-4946-bdb5-0814b603334d
export TOKCTL_TILIA_SCOPES=write_registrations,user_info
show 'tokctl token get tilia -o json'
tokctl token get tilia -o json

step "ILS: JSON body {clientId, clientSecret}"
export TOKCTL_ILS_TOKEN_URL="$FAKE/ils/api/oauth/token"
export TOKCTL_ILS_CLIENT_ID=ils-demo-client
export TOKCTL_ILS_CLIENT_SECRET=ils-demo-secret-7d1f0c
show 'tokctl token get ils'
tokctl token get ils

step "Tiki: self-hosted, GET with query parameters, space-delimited scopes"
export TOKCTL_TIKI_URL="$FAKE/tiki"
export TOKCTL_TIKI_CLIENT_ID=tikidemoclient000000000000000001
export TOKCTL_TIKI_CLIENT_SECRET=tikidemosecret0123456789abcdefghijklmnopqrstuvwxyz0123456789abcd
show 'tokctl token get tiki --scope read --scope write -o header'
tokctl token get tiki --scope read --scope write -o header

step "Tiltify V5: JSON body, default scope public, opaque token"
export TOKCTL_TILTIFY_TOKEN_URL="$FAKE/tiltify/oauth/token"
export TOKCTL_TILTIFY_CLIENT_ID=tiltify-demo-client
export TOKCTL_TILTIFY_CLIENT_SECRET=tiltify-demo-secret
show 'tokctl token get tiltify -o env'
tokctl token get tiltify -o env

step "a generic RFC 6749 server, defined only by environment variables"
export TOKCTL_MYIDP_KIND=oauth2 TOKCTL_MYIDP_TOKEN_URL="$FAKE/oauth2/token"
export TOKCTL_MYIDP_CLIENT_ID=oauth2-basic TOKCTL_MYIDP_CLIENT_SECRET=oauth2-basic-secret
show 'tokctl token get myidp --scope reports.read'
tokctl token get myidp --scope reports.read

step "a script pipes a token into curl against the provider's API"
show 'tokctl token get ils -o header | curl -sS -H @- $FAKE/api/whoami'
tokctl token get ils -o header | curl -fsS -H @- "$FAKE/api/whoami"
echo

step "the second call is served from the store: no new token request"
before=$(requests)
show 'curl -H "Authorization: Bearer $(tokctl token get tilia)" $FAKE/api/whoami'
curl -fsS -H "Authorization: Bearer $(tokctl token get tilia)" "$FAKE/api/whoami"
echo
after=$(requests)
echo "token requests before: $before" >&2
echo "token requests after:  $after" >&2
[ "$before" = "$after" ] || { echo "demo: the cached call made a request" >&2; exit 1; }

step "a browser login to Tiki, then silent refreshes (curl plays the browser that approves)"
export TOKCTL_TIKI_SCOPES=read
show 'BROWSER="curl -fsSL -o /dev/null" tokctl login tiki'
BROWSER="curl -fsSL -o /dev/null" tokctl login tiki
show 'tokctl refresh tiki    # spends the refresh token; Tiki rotates it'
tokctl refresh tiki
show 'tokctl token get tiki | tokctl decode'
tokctl token get tiki | tokctl decode

step "what is inside the Tilia token?"
show 'tokctl token get tilia | tokctl decode'
tokctl token get tilia | tokctl decode

step "status (never shows secrets)"
show 'tokctl status'
tokctl status

step "done: the fake provider stops and the temporary store is removed"
