package main

// TestRealIdP runs the built tokctl against a real, independently written,
// certified OpenID Provider: panva's oidc-provider (npm), started from
// test/realidp/server.js on 127.0.0.1. Everything else in this package runs
// against our own fake; this test is what tells us whether the generic
// oauth2 kind speaks OpenID Connect as someone else implemented it.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/store"
)

// The clients of test/realidp/server.js.
const (
	realPublicClient = "tokctl-public"
	realBasicClient  = "tokctl-basic"
	realBasicSecret  = "tokctl-basic-secret-0123456789abcdef"
	realPKJWTClient  = "tokctl-pkjwt"
	realAccount      = "tokctl-test-user"
)

// realIdPDir is the Node project of the real provider.
var realIdPDir, _ = filepath.Abs(filepath.Join("..", "..", "test", "realidp"))

// realIdP is a running test/realidp/server.js.
type realIdP struct {
	issuer string
}

// requireRealIdP skips the test when Node.js, npm or the installed
// node_modules are missing; with TOKCTL_TEST_REQUIRE_REALIDP=1 (CI) it
// fails instead. It returns the node command.
func requireRealIdP(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("TOKCTL_TEST_REQUIRE_REALIDP") == "1" {
			t.Fatalf("TOKCTL_TEST_REQUIRE_REALIDP=1 but %s", what)
		}
		t.Skipf("skipping the real OpenID Provider test: %s", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		missing("npm is not installed")
	}
	if _, err := os.Stat(filepath.Join(realIdPDir, "node_modules", "oidc-provider", "package.json")); err != nil {
		missing("test/realidp/node_modules is not installed (run `npm ci` in test/realidp)")
	}
	if !haveBrowser() {
		missing("no headless browser (../shared/ci/install-deps.sh browser)")
	}
	return node
}

// startRealIdP starts server.js with the private_key_jwt client's JWKS and
// waits for the issuer line it prints once it listens. The server exits
// when its stdin closes, at the end of the test.
func startRealIdP(t *testing.T, node string, pkjwtJWKS []byte) *realIdP {
	t.Helper()
	cmd := exec.Command(node, "server.js")
	cmd.Dir = realIdPDir
	cmd.Env = append(os.Environ(), "REALIDP_PKJWT_JWKS="+string(pkjwtJWKS))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("realidp server: %v\n%s", err, stderr.String())
		}
		if strings.Contains(stderr.String(), "server_error") {
			t.Errorf("realidp server reported errors:\n%s", stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	issuer, ok := strings.CutPrefix(strings.TrimSpace(line), "issuer=")
	if err != nil || !ok {
		t.Fatalf("realidp server did not start (%v): %q\n%s", err, line, stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	return &realIdP{issuer: issuer}
}

// counts is how many requests each "METHOD /path" of the provider got.
func (p *realIdP) counts(t *testing.T) map[string]int {
	t.Helper()
	resp, err := http.Get(p.issuer + "/_test/counts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c map[string]int
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// active asks the provider (RFC 7662 introspection) whether token is live
// and for which client.
func (p *realIdP) active(t *testing.T, token string) (bool, string) {
	t.Helper()
	req, err := http.NewRequest("POST", p.issuer+"/token/introspection", strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(realBasicClient, realBasicSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Active   bool   `json:"active"`
		ClientID string `json:"client_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 {
		t.Fatalf("introspection: %v (HTTP %d)", err, resp.StatusCode)
	}
	return r.Active, r.ClientID
}

// buildTokctl builds tokctl as the release does, into a temporary directory.
func buildTokctl(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin := filepath.Join(t.TempDir(), "tokctl")
	cmd := exec.Command(goBin, "build", "-trimpath", "-tags", "nethttpomithttp2", "-o", bin, ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// clientKeys makes the private_key_jwt client's keys, an EC P-256 key in
// ecFile and an Ed25519 key in edFile (PKCS #8 PEM, for tokctl), and
// returns their public JWK Set for the provider, each kid the key's RFC 7638
// thumbprint (computed here, independently of tokctl), which tokctl sends
// by default.
func clientKeys(t *testing.T, ecFile, edFile string) []byte {
	t.Helper()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for file, key := range map[string]any{ecFile: ec, edFile: ed} {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b64 := base64.RawURLEncoding.EncodeToString
	kid := func(members string) string {
		sum := sha256.Sum256([]byte(members))
		return b64(sum[:])
	}
	pub, err := ec.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	x, y := b64(pub[1:33]), b64(pub[33:])
	ex := b64(edPub)
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]string{
		{"kty": "EC", "crv": "P-256", "x": x, "y": y, "use": "sig",
			"kid": kid(`{"crv":"P-256","kty":"EC","x":"` + x + `","y":"` + y + `"}`)},
		{"kty": "OKP", "crv": "Ed25519", "x": ex, "use": "sig",
			"kid": kid(`{"crv":"Ed25519","kty":"OKP","x":"` + ex + `"}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return jwks
}

// jwtClaims decodes a JWT's claims without checking anything.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRealIdP(t *testing.T) {
	node := requireRealIdP(t)
	begin := time.Now()
	home := t.TempDir()
	keyFile, edKeyFile := filepath.Join(home, "client-ec.pem"), filepath.Join(home, "client-ed25519.pem")
	idp := startRealIdP(t, node, clientKeys(t, keyFile, edKeyFile))
	bin := buildTokctl(t)

	config := fmt.Sprintf(`providers:
  real:
    kind: oauth2
    issuer: %[1]s
    client_id: %[2]s
    scopes: [openid, offline_access]
    prompt: consent
  realdev:
    kind: oauth2
    issuer: %[1]s
    client_id: %[2]s
    scopes: [openid, offline_access]
    prompt: consent
  realnoprompt:
    kind: oauth2
    issuer: %[1]s
    client_id: %[2]s
    scopes: [openid, offline_access]
  realcc:
    kind: oauth2
    issuer: %[1]s
    client_id: %[3]s
    scopes: ["api:read"]
  realjwt:
    kind: oauth2
    issuer: %[1]s
    client_id: %[4]s
    auth_method: private_key_jwt
    private_key: %[5]s
    scopes: ["api:read"]
  realjwted:
    kind: oauth2
    issuer: %[1]s
    client_id: %[4]s
    auth_method: private_key_jwt
    private_key: %[6]s
    scopes: ["api:read"]
`, idp.issuer, realPublicClient, realBasicClient, realPKJWTClient, keyFile, edKeyFile)
	configFile := filepath.Join(home, "config.yaml")
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	stateDir := filepath.Join(home, ".local", "state")
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_STATE_HOME=" + stateDir,
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_RUNTIME_DIR=" + filepath.Join(home, "run"),
		"TOKCTL_CONFIG=" + configFile,
		"TOKCTL_STORE=file",
		"DBUS_SESSION_BUS_ADDRESS=",
		"NO_COLOR=1",
		"BROWSER=" + fakeBrowser,
	}
	run := func(t *testing.T, extra []string, args ...string) result {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(append([]string{}, env...), extra...)
		cmd.Dir = home
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		r := result{args: args, stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			r.code = ee.ExitCode()
		case err != nil:
			t.Fatalf("running tokctl: %v", err)
		}
		return r
	}
	ok := func(t *testing.T, extra []string, args ...string) result {
		t.Helper()
		r := run(t, extra, args...)
		if r.code != 0 {
			t.Fatalf("want exit 0:\n%s", r)
		}
		return r
	}
	files := store.File{Dir: filepath.Join(stateDir, "tokctl")}
	record := func(name string) *store.Record {
		t.Helper()
		recs, err := storedRecords(files, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return recs[0]
	}
	// checkIDToken checks an ID token tokctl printed as the provider issued
	// it for the public client (tokctl verified it; this checks it is the
	// provider's and not something tokctl made up).
	checkIDToken := func(tok string) map[string]any {
		t.Helper()
		c := jwtClaims(t, tok)
		if c["iss"] != idp.issuer || c["aud"] != realPublicClient || c["sub"] != realAccount {
			t.Errorf("ID token claims %v: want iss %s, aud %s, sub %s", c, idp.issuer, realPublicClient, realAccount)
		}
		return c
	}

	t.Run("discovery", func(t *testing.T) {
		r := ok(t, nil, "providers", "-o", "json")
		var list struct {
			Providers []struct {
				Name      string            `json:"name"`
				Endpoints map[string]string `json:"endpoints"`
				Problems  []string          `json:"problems"`
			} `json:"providers"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
			t.Fatalf("providers -o json: %v\n%s", err, r)
		}
		found := false
		for _, p := range list.Providers {
			if p.Name != "real" {
				continue
			}
			found = true
			want := map[string]string{
				"issuer":               idp.issuer,
				"token":                idp.issuer + "/token",
				"authorization":        idp.issuer + "/auth",
				"device_authorization": idp.issuer + "/device/auth",
				"revocation":           idp.issuer + "/token/revocation",
				"jwks":                 idp.issuer + "/jwks",
			}
			for k, v := range want {
				if p.Endpoints[k] != v {
					t.Errorf("endpoint %s = %q, want %q (from the provider's discovery document)", k, p.Endpoints[k], v)
				}
			}
			if len(p.Problems) != 0 {
				t.Errorf("problems: %v", p.Problems)
			}
		}
		if !found {
			t.Fatalf("no provider real in:\n%s", r)
		}
	})

	var firstAccess, firstID string
	t.Run("login", func(t *testing.T) {
		r := ok(t, nil, "login", "real")
		for _, want := range []string{"code_challenge_method=S256", "code_challenge=", "state=", "nonce="} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("the authorization URL has no %s:\n%s", want, r)
			}
		}
		if !strings.Contains(r.stderr, "tokctl: real: logged in") {
			t.Fatalf("no login:\n%s", r)
		}
		c := idp.counts(t)
		if c["GET /auth"] != 1 || c["POST /token"] != 1 {
			t.Errorf("the login made %d authorization and %d token requests, want 1 each: %v", c["GET /auth"], c["POST /token"], c)
		}
		rec := record("real")
		if rec.RefreshToken == "" || rec.IDToken == "" || rec.IDTokenUnverified {
			t.Fatalf("stored record: refresh token %t, ID token %t, unverified %t; want a refresh token and a verified ID token",
				rec.RefreshToken != "", rec.IDToken != "", rec.IDTokenUnverified)
		}
		if active, client := idp.active(t, rec.AccessToken); !active || client != realPublicClient {
			t.Errorf("the provider says the stored access token is active=%t for %q", active, client)
		}
		firstAccess, firstID = rec.AccessToken, rec.IDToken
		claims := checkIDToken(rec.IDToken)
		if claims["nonce"] == nil {
			t.Errorf("the login's ID token has no nonce: %v", claims)
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	t.Run("id-token", func(t *testing.T) {
		r := ok(t, nil, "token", "get", "real", "-o", "id-token")
		if strings.TrimSpace(r.stdout) != firstID {
			t.Errorf("-o id-token printed another token than the stored one:\n%s", r)
		}
		r = ok(t, nil, "token", "get", "real", "-o", "json")
		var j map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
			t.Fatalf("%v\n%s", err, r)
		}
		if j["id_token"] != firstID || j["scope"] != "openid offline_access" || strings.Contains(r.stdout, record("real").RefreshToken) {
			t.Errorf("-o json: want the ID token and the granted scopes, never the refresh token:\n%s", r)
		}
		r = ok(t, nil, "decode", "--provider", "real", "--id-token")
		if !strings.Contains(r.stdout, "verified (RS256") {
			t.Errorf("decode does not verify the ID token against the provider's JWKS:\n%s", r)
		}
	})

	t.Run("cached", func(t *testing.T) {
		before := idp.counts(t)
		r := ok(t, nil, "token", "get", "real")
		if strings.TrimSpace(r.stdout) != firstAccess {
			t.Errorf("token get printed another token than the login's:\n%s", r)
		}
		if after := idp.counts(t); after["POST /token"] != before["POST /token"] {
			t.Errorf("a cached token get asked the token endpoint")
		}
	})

	t.Run("refresh", func(t *testing.T) {
		oldRefresh := record("real").RefreshToken
		r := ok(t, nil, "refresh", "real")
		rec := record("real")
		if rec.AccessToken == firstAccess {
			t.Fatalf("refresh kept the old access token:\n%s", r)
		}
		// The provider sends an ID token with the refreshed tokens (the same
		// bytes as the login's when both fall in one second: RS256 is
		// deterministic); tokctl verifies it before storing it.
		if rec.IDToken == "" || rec.IDTokenUnverified {
			t.Errorf("refresh: ID token %t, unverified %t; want a verified one", rec.IDToken != "", rec.IDTokenUnverified)
		}
		// oidc-provider rotates a public client's refresh token.
		if rec.RefreshToken == oldRefresh {
			t.Errorf("the rotated refresh token was not stored")
		}
		if active, _ := idp.active(t, oldRefresh); active {
			t.Errorf("the provider still takes the old refresh token")
		}
		got := ok(t, nil, "token", "get", "real")
		if strings.TrimSpace(got.stdout) != rec.AccessToken {
			t.Errorf("token get after refresh:\n%s", got)
		}
		got = ok(t, nil, "token", "get", "real", "-o", "id-token")
		if strings.TrimSpace(got.stdout) != rec.IDToken {
			t.Errorf("-o id-token after refresh:\n%s", got)
		}
		checkIDToken(rec.IDToken)
	})

	t.Run("expired", func(t *testing.T) {
		// The stored token runs out: token get refreshes it silently, with
		// the rotated refresh token, and stores what the provider sent.
		rec := record("real")
		rec.Expiry = time.Now().Add(-time.Minute)
		if err := store.SaveRecord(context.Background(), files, rec); err != nil {
			t.Fatal(err)
		}
		before := idp.counts(t)["POST /token"]
		r := ok(t, nil, "token", "get", "real")
		now := record("real")
		if got := strings.TrimSpace(r.stdout); got == rec.AccessToken || got != now.AccessToken {
			t.Fatalf("token get of an expired token: want a new token, stored:\n%s", r)
		}
		if idp.counts(t)["POST /token"] != before+1 {
			t.Errorf("want one token request")
		}
		if now.RefreshToken == rec.RefreshToken || now.IDToken == "" || now.IDTokenUnverified {
			t.Errorf("after the silent refresh: refresh token rotated %t, ID token %t (unverified %t)",
				now.RefreshToken != rec.RefreshToken, now.IDToken != "", now.IDTokenUnverified)
		}
		if active, _ := idp.active(t, now.AccessToken); !active {
			t.Errorf("the provider does not know the refreshed access token")
		}
	})

	t.Run("exec-credential", func(t *testing.T) {
		r := ok(t, nil, "token", "get", "real", "-o", "exec-credential")
		var ec struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Status     struct {
				Token               string `json:"token"`
				ExpirationTimestamp string `json:"expirationTimestamp"`
			} `json:"status"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &ec); err != nil {
			t.Fatalf("%v\n%s", err, r)
		}
		if ec.APIVersion != "client.authentication.k8s.io/v1" || ec.Kind != "ExecCredential" || ec.Status.Token != record("real").IDToken {
			t.Errorf("want an ExecCredential carrying the ID token:\n%s", r)
		}
		if _, err := time.Parse(time.RFC3339, ec.Status.ExpirationTimestamp); err != nil {
			t.Errorf("expirationTimestamp: %v", err)
		}
	})

	t.Run("client_secret_basic", func(t *testing.T) {
		secret := []string{"TOKCTL_REALCC_CLIENT_SECRET=" + realBasicSecret}
		r := ok(t, secret, "token", "get", "realcc")
		tok := strings.TrimSpace(r.stdout)
		if active, client := idp.active(t, tok); !active || client != realBasicClient {
			t.Errorf("the provider says the client-credentials token is active=%t for %q", active, client)
		}
		if again := ok(t, secret, "token", "get", "realcc"); strings.TrimSpace(again.stdout) != tok {
			t.Errorf("the second token get did not serve the cached token")
		}
		bad := run(t, []string{"TOKCTL_REALCC_CLIENT_SECRET=wrong-secret-0123456789"}, "token", "get", "realcc", "--no-cache")
		if bad.code != 4 || !strings.Contains(bad.stderr, "invalid_client") || strings.Contains(bad.stderr, "wrong-secret") {
			t.Errorf("a wrong secret: want exit 4 quoting invalid_client, without the secret:\n%s", bad)
		}
	})

	t.Run("client_secret_post and client_secret_jwt", func(t *testing.T) {
		for _, method := range []string{"client_secret_post", "client_secret_jwt"} {
			client := "tokctl-" + strings.ReplaceAll(method, "_", "-")
			r := ok(t, []string{
				"TOKCTL_REALSECRET_KIND=oauth2", "TOKCTL_REALSECRET_ISSUER=" + idp.issuer,
				"TOKCTL_REALSECRET_CLIENT_ID=" + client, "TOKCTL_REALSECRET_CLIENT_SECRET=" + realBasicSecret,
				"TOKCTL_REALSECRET_AUTH_METHOD=" + method, "TOKCTL_REALSECRET_SCOPES=api:read",
			}, "token", "get", "realsecret", "--no-cache")
			if active, got := idp.active(t, strings.TrimSpace(r.stdout)); !active || got != client {
				t.Errorf("%s: the provider says the token is active=%t for %q", method, active, got)
			}
		}
	})

	t.Run("private_key_jwt", func(t *testing.T) {
		r := ok(t, nil, "token", "get", "realjwt")
		tok := strings.TrimSpace(r.stdout)
		if active, client := idp.active(t, tok); !active || client != realPKJWTClient {
			t.Errorf("the provider says the private_key_jwt token is active=%t for %q", active, client)
		}
		// A second assertion has a new jti: the provider refuses replays.
		r = ok(t, nil, "token", "get", "realjwt", "--no-cache")
		if strings.TrimSpace(r.stdout) == tok {
			t.Errorf("--no-cache served the same token")
		}
		// An Ed25519 key: tokctl signs EdDSA.
		r = ok(t, nil, "token", "get", "realjwted")
		if active, client := idp.active(t, strings.TrimSpace(r.stdout)); !active || client != realPKJWTClient {
			t.Errorf("the provider says the Ed25519 private_key_jwt token is active=%t for %q", active, client)
		}
	})

	t.Run("device", func(t *testing.T) {
		r := ok(t, []string{"BROWSER=devicebrowser"}, "login", "realdev", "--device", "--timeout", "20s")
		if !regexp.MustCompile(`(?m)^    `+regexp.QuoteMeta(idp.issuer)+`/device$`).MatchString(r.stderr) ||
			!strings.Contains(r.stderr, "tokctl: realdev: logged in") {
			t.Fatalf("device login:\n%s", r)
		}
		rec := record("realdev")
		if rec.IDToken == "" || rec.IDTokenUnverified || rec.RefreshToken == "" {
			t.Fatalf("device login: ID token %t (unverified %t), refresh token %t", rec.IDToken != "", rec.IDTokenUnverified, rec.RefreshToken != "")
		}
		checkIDToken(rec.IDToken)
		got := ok(t, nil, "token", "get", "realdev", "-o", "id-token")
		if strings.TrimSpace(got.stdout) != rec.IDToken {
			t.Errorf("-o id-token after the device login:\n%s", got)
		}
	})

	t.Run("logout", func(t *testing.T) {
		rec := record("real")
		r := ok(t, nil, "logout", "real")
		if !strings.Contains(r.stderr, "the provider revoked the refresh token") {
			t.Errorf("logout did not revoke:\n%s", r)
		}
		if c := idp.counts(t); c["POST /token/revocation"] != 1 {
			t.Errorf("revocation requests: %d, want 1", c["POST /token/revocation"])
		}
		if active, _ := idp.active(t, rec.RefreshToken); active {
			t.Errorf("the provider still takes the refresh token after logout")
		}
		if _, err := storedRecords(files, "real"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("logout left records: %v", err)
		}
		if r := run(t, nil, "token", "get", "real"); r.code != 3 {
			t.Errorf("token get after logout: want exit 3 (login required):\n%s", r)
		}
	})

	// Without `prompt: consent` this provider drops offline_access (OpenID
	// Connect Core §11): the login still succeeds, and says how to get a
	// refresh token. tokctl never sends prompt on its own (Dex and Entra ID
	// would then ask for consent at every login).
	t.Run("offline_access without prompt", func(t *testing.T) {
		r := ok(t, nil, "login", "realnoprompt")
		if strings.Contains(r.stderr, "prompt=") {
			t.Errorf("the authorization URL carries a prompt nobody configured:\n%s", r)
		}
		if !strings.Contains(r.stderr, "no refresh token came back") || !strings.Contains(r.stderr, "`prompt: consent`") {
			t.Errorf("no hint about prompt: consent:\n%s", r)
		}
		if rec := record("realnoprompt"); rec.RefreshToken != "" {
			t.Errorf("a refresh token came back without prompt=consent; the provider no longer holds to §11?")
		}
	})

	t.Logf("the real OpenID Provider test took %v", time.Since(begin).Round(time.Millisecond))
}

// devicebrowser URL is the user on the other device, for oidc-provider's
// device flow pages: it opens verification_uri_complete, submits the
// confirmation form the page shows (its hidden fields, xsrf included), and
// follows the redirects through the provider's (auto-approving)
// interaction to the success page. Loopback only.
func devicebrowser() {
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "devicebrowser: "+format+"\n", args...)
		os.Exit(1)
	}
	if len(os.Args) != 2 {
		fail("usage: devicebrowser URL")
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if !oauth.IsLoopback(r.URL.Hostname()) || len(via) > 10 {
				return errors.New("refusing a redirect away from loopback")
			}
			return nil
		},
	}
	page := func(resp *http.Response, err error) string {
		if err != nil {
			fail("%v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if resp.StatusCode != 200 {
			fail("%s: HTTP %d\n%s", resp.Request.URL, resp.StatusCode, b)
		}
		return string(b)
	}
	start, err := url.Parse(os.Args[1])
	if err != nil || !oauth.IsLoopback(start.Hostname()) {
		fail("only loopback URLs")
	}
	// The page with the code in it posts it itself (a script submits the
	// form); the next asks the user to confirm; then the interaction.
	html := page(client.Get(start.String()))
	formRE := regexp.MustCompile(`(?s)<form[^>]* method="post" action="([^"]+)">(.*?)</form>`)
	inputRE := regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"/>`)
	for range 3 {
		if strings.Contains(html, "Sign-in Success") {
			return
		}
		form := formRE.FindStringSubmatch(html)
		if form == nil {
			fail("no form to submit on the device page:\n%s", html)
		}
		values := url.Values{}
		for _, in := range inputRE.FindAllStringSubmatch(form[2], -1) {
			values.Set(in[1], in[2])
		}
		action, err := start.Parse(form[1])
		if err != nil {
			fail("%v", err)
		}
		html = page(client.PostForm(action.String(), values))
	}
	fail("the device login did not end on the success page:\n%s", html)
}
