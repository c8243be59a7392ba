package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/store"
)

// execcred VERSION TOKENFILE EXPIRY checks, field by field, that stdout is
// the ExecCredential kubectl expects: exactly apiVersion
// client.authentication.k8s.io/VERSION, kind ExecCredential and status;
// status.token the content of TOKENFILE; status.expirationTimestamp an
// RFC 3339 time in UTC equal to EXPIRY, which is `exp` (the exp claim of
// that token), `json:FILE` (the expiry of a `token get -o json` output) or
// `none` (the member is absent).
func cmdExecCred(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: execcred VERSION TOKENFILE exp|json:FILE|none")
	}
	var cred map[string]json.RawMessage
	ts.Check(json.Unmarshal([]byte(ts.ReadFile("stdout")), &cred))
	if keys := slices.Sorted(maps.Keys(cred)); !slices.Equal(keys, []string{"apiVersion", "kind", "status"}) {
		ts.Fatalf("members %v, want apiVersion, kind, status", keys)
	}
	str := func(raw json.RawMessage, what string) string {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			ts.Fatalf("%s is not a string: %s", what, raw)
		}
		return s
	}
	if v := str(cred["apiVersion"], "apiVersion"); v != "client.authentication.k8s.io/"+args[0] {
		ts.Fatalf("apiVersion %q, want client.authentication.k8s.io/%s", v, args[0])
	}
	if k := str(cred["kind"], "kind"); k != "ExecCredential" {
		ts.Fatalf("kind %q, want ExecCredential", k)
	}
	var status map[string]json.RawMessage
	ts.Check(json.Unmarshal(cred["status"], &status))
	want := strings.TrimSpace(ts.ReadFile(args[1]))
	if tok := str(status["token"], "status.token"); tok != want {
		ts.Fatalf("status.token is not the token of %s", args[1])
	}
	raw, has := status["expirationTimestamp"]
	wantKeys := []string{"expirationTimestamp", "token"}
	if args[2] == "none" {
		wantKeys = []string{"token"}
	}
	if keys := slices.Sorted(maps.Keys(status)); !slices.Equal(keys, wantKeys) {
		ts.Fatalf("status members %v, want %v", keys, wantKeys)
	}
	if !has {
		return
	}
	got := str(raw, "status.expirationTimestamp")
	at, err := time.Parse(time.RFC3339, got)
	if err != nil || at.Location() != time.UTC {
		ts.Fatalf("status.expirationTimestamp %q is not RFC 3339 in UTC", got)
	}
	var exp time.Time
	switch file, isJSON := strings.CutPrefix(args[2], "json:"); {
	case isJSON:
		var out struct{ Expiry time.Time }
		ts.Check(json.Unmarshal([]byte(ts.ReadFile(file)), &out))
		exp = out.Expiry
	case args[2] == "exp":
		tok, err := jwt.Parse(want)
		ts.Check(err)
		exp = tok.Times().Expires
	default:
		ts.Fatalf("unknown EXPIRY %q", args[2])
	}
	if !at.Equal(exp) {
		ts.Fatalf("status.expirationTimestamp %s, want %s", got, exp.UTC().Format(time.RFC3339))
	}
}

// expireid PROVIDER makes the stored ID token expired a minute ago (its exp
// claim rewritten; its signature then no longer matches, which nothing that
// reads the store checks) and leaves the access token as it is.
func cmdExpireID(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: expireid PROVIDER")
	}
	b := store.File{Dir: filepath.Join(ts.Getenv("XDG_STATE_HOME"), "tokctl")}
	ctx := context.Background()
	recs, err := storedRecords(b, args[0])
	ts.Check(err)
	rec := recs[0]
	parts := strings.Split(rec.IDToken, ".")
	if len(parts) != 3 {
		ts.Fatalf("the stored ID token is not a JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	ts.Check(err)
	var claims map[string]any
	ts.Check(json.Unmarshal(payload, &claims))
	claims["exp"] = time.Now().Add(-time.Minute).Unix()
	payload, err = json.Marshal(claims)
	ts.Check(err)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	rec.IDToken = strings.Join(parts, ".")
	ts.Check(store.SaveRecord(ctx, b, rec))
}
