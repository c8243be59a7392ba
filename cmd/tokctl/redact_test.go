package main

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/assertion"
	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/store"
)

// step is one command of the redaction test.
type step struct {
	args  []string
	stdin string
	env   []string // on top of every provider's settings
	// prints is the stored record whose access token the command is asked to
	// print on stdout ("" for none): `token get` only.
	prints string
	// fault, when set, makes the provider's token route misbehave for this step.
	fault *injected
	code  int
	// check looks further at the result (e.g. for the redacted prefix).
	check func(t *testing.T, r result)
}

// injected is a fault on one route.
type injected struct {
	route string
	fault fakeprovider.Fault
}

// TestNoSecretInOutput runs every command with -v, with known client
// secrets, a stored record holding a known access and refresh token, and
// faults whose bodies carry tokens, and checks every stdout and stderr:
// no client secret, refresh token or ID token ever; an access token only on
// the stdout of the `token get` asked for it; verbose logs show a token by
// a short prefix at most.
func TestNoSecretInOutput(t *testing.T) {
	h := newHarness(t)
	base := h.fake.URL()
	var env []string
	for _, p := range providers() {
		env = append(env, p.env(base)...)
	}
	// The stored tiki record: a known access token (a JWT, so decode reads
	// it) and a live refresh token.
	tiki := provider("tiki")
	rt, err := h.fake.IssueRefreshToken("tiki", tiki.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	knownAT := fakeJWT(time.Now().Add(time.Hour))
	rec := expiredRecord(tiki, base)
	rec.AccessToken, rec.RefreshToken, rec.Expiry = knownAT, rt, time.Now().Add(time.Hour).UTC()
	h.save(rec)

	// Clients that sign: a key file, a key kept by login, client_secret_jwt,
	// the JWT-bearer grant, and CI tokens from GitHub's endpoint and from a
	// variable. Their keys, the CI tokens and every assertion the fake
	// received are checked below like secrets.
	keyDir := t.TempDir()
	keyFile := filepath.Join(keyDir, "rsa.pem")
	if err := os.WriteFile(keyFile, []byte(fakeprovider.OIDCKeyRSAPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	ciToken, err := h.fake.IssueCIToken(fakeprovider.FederatedAudience, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	iss := h.fake.OIDCIssuer()
	signing := func(name string, kv ...string) []string {
		out := []string{envKey(name, "kind") + "=oauth2", envKey(name, "issuer") + "=" + iss}
		for i := 0; i < len(kv); i += 2 {
			out = append(out, envKey(name, kv[i])+"="+kv[i+1])
		}
		return out
	}
	env = append(env, signing("pkjwt", "client_id", fakeprovider.OIDCKeyRSAClientID, "private_key", keyFile)...)
	env = append(env, signing("kept", "client_id", fakeprovider.OIDCKeyP384ClientID, "auth_method", "private_key_jwt")...)
	env = append(env, signing("sjwt", "client_id", fakeprovider.OIDCSecretJWTClientID, "client_secret", fakeprovider.OIDCSecretJWTClientSecret, "auth_method", "client_secret_jwt")...)
	env = append(env, signing("bearer", "client_id", fakeprovider.OIDCKeyRSAClientID, "private_key", keyFile, "grant", "jwt_bearer", "assertion_subject", "bot")...)
	env = append(env, signing("ghci", "client_id", fakeprovider.OIDCFederatedClientID, "client_assertion", "github-actions", "client_assertion_audience", fakeprovider.FederatedAudience)...)
	env = append(env, signing("envci", "client_id", fakeprovider.OIDCFederatedClientID, "client_assertion", "env:CI_ID_TOKEN")...)
	env = append(env, "ACTIONS_ID_TOKEN_REQUEST_URL="+h.fake.GitHubRequestURL(), "ACTIONS_ID_TOKEN_REQUEST_TOKEN="+fakeprovider.GitHubRequestToken,
		"CI_ID_TOKEN="+ciToken)

	noILSSecret := []string{"TOKCTL_ILS_CLIENT_SECRET="} // login reads it from stdin instead
	// bodyWith answers every try (up to four) with status and body, where AT and RT
	// stand for the known access and refresh tokens.
	bodyWith := func(route string, status int, body string) *injected {
		return &injected{route, fakeprovider.Fault{Times: 4, Action: fakeprovider.FaultRespond, Status: status,
			Body: strings.NewReplacer("AT", knownAT, "RT", rt).Replace(body)}}
	}

	steps := []step{
		{args: []string{"login", "ils", "--client-credentials", "--client-secret-stdin"}, stdin: fakeprovider.ILSClientSecret + "\n", env: noILSSecret},
		{args: []string{"token", "get", "ils"}, env: noILSSecret, prints: "ils"},
		{args: []string{"token", "get", "ils", "-o", "json"}, env: noILSSecret, prints: "ils", check: noRefreshField},
		{args: []string{"token", "get", "ils", "-o", "header"}, env: noILSSecret, prints: "ils"},
		{args: []string{"token", "get", "ils", "-o", "env"}, env: noILSSecret, prints: "ils"},
		{args: []string{"token", "get", "tiki"}, prints: "tiki"},
		{args: []string{"token", "get", "tiki", "-o", "json"}, prints: "tiki", check: noRefreshField},
		{args: []string{"token", "get", "tiki", "-o", "header"}, prints: "tiki"},
		{args: []string{"token", "get", "tiki", "-o", "env"}, prints: "tiki"},
		{args: []string{"status"}},
		{args: []string{"providers"}},
		{args: []string{"decode", "--provider", "tiki"}},
		{args: []string{"decode", "--provider", "tiki", "-o", "json"}},
		{args: []string{"decode"}, stdin: knownAT + "\n"},
		{args: []string{"decode", knownAT}},
		// The refresh spends the known refresh token: the log shows its prefix only.
		{args: []string{"refresh", "tiki"}, check: logsPrefix("refresh_token=", rt)},
		{args: []string{"token", "get", "tiki", "--min-ttl", "2h"}, prints: "tiki"}, // refreshes again
	}
	// The signing clients, with -v: assertions, keys and CI tokens never shown.
	steps = append(steps,
		step{args: []string{"login", "kept", "--client-credentials", "--private-key-stdin"}, stdin: fakeprovider.OIDCKeyP384PEM},
		step{args: []string{"token", "get", "kept", "--min-ttl", "2h"}, prints: "kept"},
		step{args: []string{"key", "public", "kept"}},
		step{args: []string{"key", "public", "pkjwt", "-o", "pem"}},
	)
	for _, name := range []string{"pkjwt", "sjwt", "bearer", "ghci", "envci"} {
		steps = append(steps, step{args: []string{"token", "get", name, "--no-cache", "-o", "json"}, prints: "-"})
	}
	steps = append(steps,
		// Refused: the error carries no assertion either.
		step{args: []string{"token", "get", "ghci", "--no-cache"}, env: []string{envKey("ghci", "client_assertion_audience") + "=api://other"}, code: 4},
		step{args: []string{"token", "get", "sjwt", "--no-cache"}, env: []string{envKey("sjwt", "signing_alg") + "=HS384"}, prints: "-"},
	)
	// Every provider fetches once with -v: the secret travels in a form, a
	// JSON body, a query string or a Basic header.
	for _, p := range providers() {
		steps = append(steps, step{args: []string{"token", "get", p.name, "--no-cache", "-o", "json"}, prints: "-"})
	}
	steps = append(steps,
		step{args: []string{"token", "get", "tilia", "--no-cache"}, prints: "-",
			check: func(t *testing.T, r result) {
				logsPrefix(`"access_token":"`, strings.TrimSpace(r.stdout))(t, r)
			}},
		// Error bodies that carry tokens are logged redacted and never quoted.
		step{args: []string{"token", "get", "ils", "--no-cache"}, code: 1,
			fault: bodyWith("ils.token", 400, `{"error":"invalid_request","error_description":"bad","access_token":"AT","refresh_token":"RT"}`)},
		step{args: []string{"token", "get", "tiltify", "--no-cache"}, code: 1,
			fault: bodyWith("tiltify.token", 400, `{"error":"invalid_scope","error_description":"AT","refresh_token":"RT"}`)},
		step{args: []string{"token", "get", "idp", "--no-cache"}, code: 5,
			fault: bodyWith("oauth2.token", 502, `<html><body>client_secret=`+fakeprovider.OAuth2BasicClientSecret+` refresh_token=RT access_token=AT</body></html>`)},
		step{args: []string{"token", "get", "tilia", "--no-cache"}, code: 5,
			fault: bodyWith("tilia.token", 200, `{"access_token":"AT","refresh_token":"RT","expires_in":{"bad":"type"}}`)},
		step{args: []string{"logout", "tiki"}},
		step{args: []string{"logout", "ils", "--all"}},
	)
	var results []result
	var prints []string // the access token each step was asked to print
	for i, s := range steps {
		if s.fault != nil {
			h.inject(s.fault.route, s.fault.fault)
		}
		args := append([]string{"-v"}, s.args...)
		r := h.runStdin(append(append([]string{}, env...), s.env...), s.stdin, args...)
		if r.code != s.code {
			t.Fatalf("step %d: exit %d, want %d\n%s", i, r.code, s.code, r)
		}
		if s.check != nil {
			s.check(t, r)
		}
		switch s.prints {
		case "":
			prints = append(prints, "")
		case "-": // a fresh token, not stored: whatever was printed
			tok := strings.TrimPrefix(strings.TrimSpace(r.stdout), `{
  "access_token": "`)
			tok, _, _ = strings.Cut(tok, `"`)
			prints = append(prints, tok)
			h.fetched = append(h.fetched, tok)
		default:
			got, err := h.load(s.prints)
			if err != nil {
				t.Fatal(err)
			}
			prints = append(prints, got.AccessToken)
		}
		h.fake.ClearFaults("")
		results = append(results, r)
		h.harvest()
	}

	never, accessTokens := h.knownSecrets(), h.accessTokens
	never = append(never, rt, fakeprovider.ILSClientSecret, fakeprovider.TiliaClientSecret, fakeprovider.TikiClientSecret,
		fakeprovider.TiltifyClientSecret, fakeprovider.OAuth2BasicClientSecret, fakeprovider.OIDCSecretJWTClientSecret,
		fakeprovider.GitHubRequestToken, ciToken)
	never = append(never, h.fake.Assertions()...)
	for _, k := range []string{fakeprovider.OIDCKeyRSAPEM, fakeprovider.OIDCKeyP384PEM} {
		never = append(never, pemBody(k)...)
	}
	if len(h.fake.Assertions()) < 8 {
		t.Fatalf("the fake saw %d assertions; the signing steps did not run", len(h.fake.Assertions()))
	}
	accessTokens[knownAT] = true
	for _, tok := range h.fetched {
		accessTokens[tok] = true
	}
	for i, r := range results {
		for _, s := range never {
			if leaks(r.stdout, s) || leaks(r.stderr, s) {
				t.Errorf("step %d shows a secret or refresh token %.6s…\n%s", i, s, r)
			}
		}
		for at := range accessTokens {
			if leaks(r.stderr, at) {
				t.Errorf("step %d shows access token %.6s… on stderr\n%s", i, at, r)
			}
			if at != prints[i] && leaks(r.stdout, at) {
				t.Errorf("step %d shows access token %.6s… on stdout without being asked\n%s", i, at, r)
			}
		}
		if prints[i] != "" && !strings.Contains(r.stdout, prints[i]) {
			t.Errorf("step %d did not print the token it was asked for\n%s", i, r)
		}
	}
	t.Logf("%d commands, %d access tokens and %d secrets or refresh tokens checked", len(results), len(accessTokens), len(never))
}

// leaks reports whether out holds s in full, or its last 16 bytes (a
// redaction keeps a prefix, never the end).
func leaks(out, s string) bool {
	if s == "" {
		return false
	}
	if strings.Contains(out, s) {
		return true
	}
	return len(s) >= 24 && strings.Contains(out, s[len(s)-16:])
}

// harvest records every token and secret the store holds now, since the
// ones issued during the test are known only from there.
func (h *harness) harvest() {
	h.t.Helper()
	if h.accessTokens == nil {
		h.accessTokens = map[string]bool{}
		h.secrets = map[string]bool{}
	}
	names, _ := filepath.Glob(filepath.Join(h.storeDir(), "*.value"))
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			h.t.Fatal(err)
		}
		var v struct {
			store.Record
			ClientSecret string `json:"client_secret"`
			PrivateKey   string `json:"private_key"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			h.t.Fatalf("%s: %v", name, err)
		}
		h.accessTokens[v.AccessToken] = true
		secrets := []string{v.RefreshToken, v.IDToken, v.ClientSecret}
		if v.PrivateKey != "" {
			secrets = append(secrets, pemBody(v.PrivateKey)...)
		}
		for _, s := range secrets {
			h.secrets[s] = true
		}
	}
	delete(h.accessTokens, "")
	delete(h.secrets, "")
}

func (h *harness) knownSecrets() []string {
	var out []string
	for s := range h.secrets {
		out = append(out, s)
	}
	return out
}

// logsPrefix checks that the verbose log shows the value after key by its
// short prefix only.
func logsPrefix(key, value string) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		want := key + value[:6] + "…[redacted]"
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the verbose log lacks %q\n%s", want, r)
		}
	}
}

func noRefreshField(t *testing.T, r result) {
	t.Helper()
	if strings.Contains(r.stdout, "refresh_token") {
		t.Errorf("-o json shows a refresh_token field\n%s", r)
	}
}

// pemBody is the base64 lines of a PEM private key that its public key
// (as PEM, which `tokctl key public -o pem` prints) does not share: any of
// them in output is private key material shown.
func pemBody(p string) []string {
	k, err := assertion.ParseKey([]byte(p))
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.Signer.Public())
	if err != nil {
		panic(err)
	}
	public := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	var out []string
	for _, line := range strings.Split(p, "\n") {
		if len(line) >= 24 && !strings.HasPrefix(line, "-----") && !leaks(public, line) {
			out = append(out, line)
		}
	}
	return out
}

// envKey is TOKCTL_NAME_KEY.
func envKey(name, key string) string {
	return "TOKCTL_" + strings.ToUpper(name) + "_" + strings.ToUpper(key)
}

// fakeJWT is an unsigned-looking JWT with an expiry, for decode.
func fakeJWT(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	header := enc([]byte(`{"alg":"RS256","typ":"JWT"}`))
	claims := enc(fmt.Appendf(nil, `{"sub":"redaction-test","scope":"read","iat":%d,"exp":%d}`, exp.Add(-time.Hour).Unix(), exp.Unix()))
	return header + "." + claims + "." + enc([]byte("not-a-real-signature-but-long-enough-to-matter"))
}
