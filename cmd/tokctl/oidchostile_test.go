package main

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tokctl/tokctl/internal/fakeprovider"
)

// fakeoidc FILE sets how the fake's /oidc routes misbehave: FILE holds an
// OIDCHostility object as JSON, with $VARS of the script expanded
// ($FAKE/oidc/ for a trailing-slash issuer). fakeoidc with no FILE makes them
// well-behaved again.
func cmdFakeOIDC(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) > 1 || neg {
		ts.Fatalf("usage: fakeoidc [FILE]")
	}
	var h fakeprovider.OIDCHostility
	if len(args) == 1 {
		text := os.Expand(ts.ReadFile(args[0]), ts.Getenv)
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		ts.Check(dec.Decode(&h))
	}
	ts.Check(fake(ts).SetOIDCHostility(h))
}
