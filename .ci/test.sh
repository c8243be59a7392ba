#!/usr/bin/env bash
# The project's test command (`make test`): every package, with the race
# detector. The keyring tests need a real Secret Service: when
# ../shared/ci/with-keyring.sh and gnome-keyring are there, the whole run
# happens inside a private, unlocked keyring; otherwise those tests skip with
# a note (and fail when TOKCTL_TEST_REQUIRE_KEYRING=1, as in CI).
set -euo pipefail
cd "$(dirname "$0")/.."

# The tests build what the release builds: without HTTP/2 (see .goreleaser.yaml).
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-tags=nethttpomithttp2"
gotest=(go test -race -count=1 ./...)
with_keyring=../shared/ci/with-keyring.sh

if [ -f "$with_keyring" ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  bash "$with_keyring" "${gotest[@]}"
else
  echo "test.sh: no Secret Service available (run ../shared/ci/install-deps.sh keyring); keyring tests will skip" >&2
  "${gotest[@]}"
fi

# A short fuzzing pass over each parser of untrusted input (seed corpus + 30,000 executions each).
# The budget is a count of executions, not seconds: a duration-based -fuzztime
# races the fuzz coordinator's own deadline on go1.26 and can fail with a bare
# "context deadline exceeded" and no input found (golang/go#75804, fixed in 1.27).
fuzz() { go test -run '^$' -fuzz "^$1\$" -fuzztime "${FUZZTIME:-30000x}" "$2"; }
fuzz FuzzParse ./internal/jwt
fuzz FuzzRender ./internal/jwt/render
fuzz FuzzParseToken ./internal/oauth
fuzz FuzzCheckTokenChars ./internal/oauth
fuzz FuzzCheckTokenType ./internal/oauth
fuzz FuzzCheckScope ./internal/oauth
fuzz FuzzEscape ./internal/termtext
fuzz FuzzErrorParsers ./internal/provider
fuzz FuzzRedact ./internal/oauth
fuzz FuzzTiliaResponse ./internal/provider
fuzz FuzzILSResponse ./internal/provider
fuzz FuzzTikiResponse ./internal/provider
fuzz FuzzTiltifyResponse ./internal/provider
fuzz FuzzOAuth2Response ./internal/provider
fuzz FuzzParseCallback ./internal/loopback
fuzz FuzzParseKeys ./internal/jwt
fuzz FuzzKeyFile ./internal/jwt
fuzz FuzzParseDeviceAuth ./internal/oauth
fuzz FuzzDecodeRecord ./internal/store
fuzz FuzzEncodeRecord ./internal/store
fuzz FuzzParseManifest ./internal/store
fuzz FuzzJWSParity ./internal/jwt
fuzz FuzzJWKParity ./internal/jwt
