package cli

import (
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/store"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), 1},
		{"usage", usageErrorf("bad"), 2},
		{"config", &failure.ConfigError{Provider: "tiki", Msg: "no url"}, 2},
		{"cobra unknown flag", errors.New("unknown flag: --x"), 2},
		{"cobra unknown command", errors.New(`unknown command "x" for "tokctl"`), 2},
		{"login required", &failure.LoginRequiredError{Provider: "ils"}, 3},
		{"credentials", &failure.CredentialsRejectedError{Provider: "ils", Status: 401}, 4},
		{"unavailable", &failure.UnavailableError{Provider: "ils", Status: 503}, 5},
		{"wrapped unavailable", fmt.Errorf("x: %w", &failure.UnavailableError{Provider: "ils"}), 5},
		{"provider refused", &failure.ProviderError{Provider: "ils", Status: 400}, 1},
		{"silent", &silentError{code: 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestPrintToken(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	rec := &store.Record{
		AccessToken: "tok123", TokenType: "bearer", RefreshToken: "refresh-secret",
		Expiry: now.Add(90 * time.Minute), Scopes: []string{"a", "b"},
	}
	tests := []struct{ output, want string }{
		{"token", "tok123\n"},
		{"header", "Authorization: Bearer tok123\n"},
		{"env", "TOKCTL_ACCESS_TOKEN=tok123\n"},
		{"json", `{
  "access_token": "tok123",
  "token_type": "Bearer",
  "expiry": "2026-11-24T11:30:00Z",
  "expires_in": 5400,
  "scope": "a b"
}
`},
	}
	for _, tt := range tests {
		t.Run(tt.output, func(t *testing.T) {
			var out, errOut bytes.Buffer
			f := &Factory{IO: iostreams.Test(nil, &out, &errOut), Now: func() time.Time { return now }}
			if err := printToken(f, tt.output, rec); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got %q, want %q", out.String(), tt.want)
			}
			if errOut.Len() != 0 || strings.Contains(out.String(), "refresh-secret") {
				t.Errorf("unexpected output: stdout %q stderr %q", out.String(), errOut.String())
			}
		})
	}
}

func TestPrintTokenJSONWithoutExpiry(t *testing.T) {
	var out bytes.Buffer
	f := &Factory{IO: iostreams.Test(nil, &out, &bytes.Buffer{})}
	if err := printToken(f, "json", &store.Record{AccessToken: "t"}); err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v["expiry"] != nil || v["expires_in"] != nil {
		t.Errorf("a token without expiry has expiry %v, expires_in %v; want null", v["expiry"], v["expires_in"])
	}
}

func TestSplitScopeFlags(t *testing.T) {
	got := splitScopeFlags([]string{"a", "b c", "d,e"})
	if strings.Join(got, "|") != "a|b|c|d|e" {
		t.Errorf("got %v", got)
	}
}

func TestRoundDuration(t *testing.T) {
	tests := map[time.Duration]string{
		30 * time.Second:                "30s",
		59*time.Minute + 59*time.Second: "59m",
		2*time.Hour + 5*time.Minute:     "2h5m",
		75 * time.Hour:                  "3d3h",
	}
	for d, want := range tests {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestNewCmdTokenGet checks that flags and arguments reach TokenGetOptions,
// and that bad ones are usage errors (exit 2) before any work starts.
func TestNewCmdTokenGet(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     TokenGetOptions
		wantCode int
	}{
		{"defaults", []string{"tilia"}, TokenGetOptions{Provider: "tilia", Output: "token", MinTTL: time.Minute}, 0},
		{"all flags", []string{"ils", "-o", "json", "--scope", "a", "--scope", "b c", "--min-ttl", "5m", "--no-cache"},
			TokenGetOptions{Provider: "ils", Output: "json", Scopes: []string{"a", "b c"}, MinTTL: 5 * time.Minute, NoCache: true}, 0},
		{"unknown output", []string{"ils", "-o", "yaml"}, TokenGetOptions{}, 2},
		{"negative min-ttl", []string{"ils", "--min-ttl", "-1s"}, TokenGetOptions{}, 2},
		{"no provider", nil, TokenGetOptions{}, 2},
		{"two providers", []string{"ils", "tilia"}, TokenGetOptions{}, 2},
		{"secret flag does not exist", []string{"ils", "--client-secret", "x"}, TokenGetOptions{}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{IO: iostreams.Test(nil, &bytes.Buffer{}, &bytes.Buffer{})}
			var got *TokenGetOptions
			cmd := NewCmdTokenGet(f, func(_ context.Context, o *TokenGetOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &failure.UsageError{Msg: err.Error()} })
			err := cmd.Execute()
			if code := exitCode(err); code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				if got != nil {
					t.Error("the command ran despite a usage error")
				}
				return
			}
			got.f = nil
			if fmt.Sprint(*got) != fmt.Sprint(tt.want) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

// decodeTestKey signs the RS256 tokens of the decode tests.
var decodeTestKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signRS256 builds a compact JWS the way any RS256 issuer does.
func signRS256(t *testing.T, key *rsa.PrivateKey, header, claims string) string {
	t.Helper()
	input := b64url([]byte(header)) + "." + b64url([]byte(claims))
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64url(sig)
}

func signHS256(header, claims string, secret []byte) string {
	input := b64url([]byte(header)) + "." + b64url([]byte(claims))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + b64url(mac.Sum(nil))
}

// TestDecode runs `tokctl decode` with arguments and stdin, and checks the exit
// code, stdout and the one-line error Main would print.
func TestDecode(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	key := decodeTestKey()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := write("pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	secret := []byte("a shared secret of 32 bytes or more for HS256")
	secretFile := write("hs.secret", append(secret, '\n'))
	jwk := func(kid string) string {
		e := big.NewInt(int64(key.PublicKey.E)).Bytes()
		return fmt.Sprintf(`{"kty":"RSA","kid":%q,"n":%q,"e":%q}`, kid, b64url(key.PublicKey.N.Bytes()), b64url(e))
	}
	jwksFile := write("jwks.json", []byte(`{"keys":[`+jwk("k0")+`,`+jwk("k1")+`]}`))
	var jwksHits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jwksHits++
		if !strings.HasPrefix(r.Header.Get("User-Agent"), "tokctl/") {
			http.Error(w, "no user agent", http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, `{"keys":[%s]}`, jwk("k1"))
	}))
	defer srv.Close()

	claims := fmt.Sprintf(`{"iss":"https://idp.example.com/","sub":"user-42","exp":%d,"iat":%d,"scp":["read","write"]}`,
		now.Add(time.Hour).Unix(), now.Add(-time.Minute).Unix())
	expiredClaims := fmt.Sprintf(`{"sub":"user-42","exp":%d}`, now.Add(-3*time.Hour).Unix())
	rs256 := signRS256(t, key, `{"alg":"RS256","typ":"JWT","kid":"k1"}`, claims)
	expired := signRS256(t, key, `{"alg":"RS256","typ":"JWT","kid":"k1"}`, expiredClaims)
	hs256 := signHS256(`{"alg":"HS256","typ":"JWT"}`, claims, secret)
	parts := strings.Split(rs256, ".")
	tampered := parts[0] + "." + b64url([]byte(strings.Replace(claims, "user-42", "admin", 1))) + "." + parts[2]
	none := b64url([]byte(`{"alg":"none"}`)) + "." + b64url([]byte(claims)) + "."
	confused := signHS256(`{"alg":"HS256","typ":"JWT","kid":"k1"}`, claims, []byte(readFile(t, pubPEM)))
	jwe := b64url([]byte(`{"alg":"RSA-OAEP-256","enc":"A256GCM"}`)) + ".a.b.c.d"
	tokenFile := write("token.jwt", []byte(rs256))
	_, parseErr := jwt.Parse(tokenFile)
	if parseErr == nil {
		t.Fatalf("%s parses as a JWT", tokenFile)
	}
	tokenFileErr := parseErr.Error()

	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantOut    []string // substrings of stdout
		wantNotOut []string
		wantErr    string // the error line, without "tokctl: "; "" for none
	}{
		{name: "argument", args: []string{rs256}, wantOut: []string{"sub  \"user-42\"", "scopes: read write", "signature: present, not verified\nvalid: expires in 1h\n"}},
		{name: "stdin", stdin: rs256 + "\n", wantOut: []string{"valid: expires in 1h"}},
		{name: "dash reads stdin", args: []string{"-"}, stdin: rs256, wantOut: []string{"valid: expires in 1h"}},
		{name: "Authorization header line", stdin: "Authorization: Bearer " + rs256 + "\r\n", wantOut: []string{"valid: expires in 1h"}},
		{name: "Bearer and wrapped lines", stdin: "  Bearer " + rs256[:40] + "\n" + rs256[40:] + "\n\n", wantOut: []string{"valid: expires in 1h"}},
		{name: "JSON", args: []string{"-o", "json", rs256}, wantOut: []string{`"signature_present": true`, `"expired": false`, `"scopes": [`}, wantNotOut: []string{"signature_verified"}},
		{name: "no colour without a terminal", args: []string{rs256}, wantNotOut: []string{"\x1b["}},

		{name: "opaque", args: []string{"gho_16C7e42F292c6912E7710c838347Ae178B4a"}, wantCode: 1,
			wantErr: "decode: not a JWT: an opaque token (no dots); only the provider can tell what it means"},
		{name: "garbage", args: []string{"eyJ!.e30.x"}, wantCode: 1, wantErr: "decode: not a JWT: the header is not valid base64url (illegal base64 data at input byte 3)"},
		{name: "bad JSON", args: []string{b64url([]byte(`{"alg":`)) + ".e30.x"}, wantCode: 1, wantErr: "decode: not a JWT: the header is not a JSON object (it is not JSON)"},
		{name: "empty stdin", stdin: " \n", wantCode: 2, wantErr: "no token: pass one as an argument or on stdin"},
		{name: "JWE", args: []string{"-o", "json", jwe}, wantOut: []string{`"encrypted": true`, `"claims": null`}},
		{name: "JWE with --require-valid", args: []string{"--require-valid", jwe}, wantOut: []string{"payload: encrypted (JWE)"}},

		{name: "expired", args: []string{expired}, wantOut: []string{"expired 3h ago"}},
		{name: "expired with --require-valid", args: []string{"--require-valid", expired}, wantCode: 1, wantOut: []string{"expired 3h ago"},
			wantErr: "decode: the token is expired (exp 2026-11-23T09:00:00Z)"},
		{name: "valid with --require-valid", args: []string{"--require-valid", rs256}},

		{name: "--key PEM", args: []string{"--key", pubPEM, rs256}, wantOut: []string{"signature: verified (RS256, kid k1)\nvalid: expires in 1h\n"}},
		{name: "--key PEM, JSON", args: []string{"--key", pubPEM, "-o", "json", rs256}, wantOut: []string{`"signature_verified": true`}, wantNotOut: []string{"signature_error"}},
		{name: "--hmac-secret-file", args: []string{"--hmac-secret-file", secretFile, hs256}, wantOut: []string{"signature: verified (HS256)"}},
		{name: "--key with a secret", args: []string{"--key", secretFile, hs256}, wantCode: 1, wantErr: "decode: --key: " + secretFile + ": not a key file: want a PEM or DER public key or certificate, or a JWK or JWK Set (an HMAC shared secret goes in --hmac-secret-file)"},
		{name: "--key, expired and --require-valid", args: []string{"--key", pubPEM, "--require-valid", expired}, wantCode: 1,
			wantOut: []string{"signature: verified"}, wantErr: "decode: the token is expired (exp 2026-11-23T09:00:00Z)"},
		{name: "tampered payload", args: []string{"--key", pubPEM, tampered}, wantCode: 1, wantOut: []string{`sub  "admin"`, "signature: NOT verified: the signature does not match"},
			wantErr: "decode: signature verification failed: the signature does not match the key: the token was altered or signed with another key"},
		{name: "tampered payload, JSON", args: []string{"--key", pubPEM, "-o", "json", tampered}, wantCode: 1,
			wantOut: []string{`"signature_verified": false`, `"signature_error": "the signature does not match`}, wantErr: "decode: signature verification failed: the signature does not match the key: the token was altered or signed with another key"},
		{name: "alg none", args: []string{"--key", pubPEM, none}, wantCode: 1, wantErr: `decode: signature verification failed: the token is unsigned (alg "none"): there is no signature to verify`},
		{name: "HS256 with the public key", args: []string{"--key", pubPEM, confused}, wantCode: 1,
			wantErr: "decode: signature verification failed: the token says alg HS256, which needs an HMAC shared secret, but the key is an RSA public key: refusing (algorithm confusion)"},
		{name: "RS256 with a secret", args: []string{"--hmac-secret-file", secretFile, rs256}, wantCode: 1,
			wantErr: "decode: signature verification failed: the token says alg RS256, which needs an RSA public key, but the key is an HMAC shared secret: refusing (algorithm confusion)"},
		{name: "JWE with a key", args: []string{"--key", pubPEM, jwe}, wantCode: 1, wantOut: []string{"payload: encrypted"},
			wantErr: "decode: signature verification failed: the token is encrypted (JWE): tokctl cannot decrypt it, so it has no signature to check"},
		{name: "--jwks file", args: []string{"--jwks", jwksFile, rs256}, wantOut: []string{"signature: verified (RS256, kid k1)"}},
		{name: "--jwks file, kid mismatch", args: []string{"--jwks", jwksFile, signRS256(t, key, `{"alg":"RS256","kid":"k9"}`, claims)}, wantCode: 1,
			wantErr: `decode: signature verification failed: no key to verify with: the JWKS has no kid "k9" (its keys: "k0", "k1")`},
		{name: "--jwks URL on 127.0.0.1", args: []string{"--jwks", srv.URL + "/jwks", rs256}, wantOut: []string{"signature: verified (RS256, kid k1)"}},

		{name: "--key and --jwks", args: []string{"--key", pubPEM, "--jwks", jwksFile, rs256}, wantCode: 2, wantErr: "give one of --key, --hmac-secret-file and --jwks"},
		{name: "--jwks plain http", args: []string{"--jwks", "http://idp.example.com/jwks", rs256}, wantCode: 2,
			wantErr: "decode: --jwks: refusing plain-http JWKS URL http://idp.example.com/jwks: use https (http is allowed only on loopback)"},
		{name: "--key missing", args: []string{"--key", filepath.Join(dir, "nope.pem"), rs256}, wantCode: 1,
			wantErr: "decode: --key: open " + filepath.Join(dir, "nope.pem") + ": no such file or directory"},
		{name: "--key private key", args: []string{"--key", write("priv.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})), rs256}, wantCode: 1,
			wantErr: "decode: --key: " + filepath.Join(dir, "priv.pem") + ": a private key: give the public key instead (openssl pkey -in FILE -pubout)"},
		{name: "a file name instead of a token", args: []string{tokenFile}, wantCode: 1,
			wantErr: "decode: " + tokenFileErr + "; " + tokenFile + " is a file: pass its content with `tokctl decode - < " + tokenFile + "`"},
		{name: "unknown output", args: []string{"-o", "yaml", rs256}, wantCode: 2, wantErr: `unknown output "yaml": use text or json`},
		{name: "two arguments", args: []string{rs256, rs256}, wantCode: 2, wantErr: "tokctl decode takes one TOKEN argument (or - or nothing for stdin), got 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			f := &Factory{IO: iostreams.Test(strings.NewReader(tt.stdin), &out, &errOut), Now: func() time.Time { return now }, Build: BuildInfo{Version: "test"}}
			cmd := NewCmdDecode(f)
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &failure.UsageError{Msg: err.Error()} })
			err := cmd.Execute()
			if code := exitCode(err); code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d\nstdout:\n%s", code, err, tt.wantCode, out.String())
			}
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.wantErr {
				t.Errorf("error %q, want %q", gotErr, tt.wantErr)
			}
			if strings.Contains(gotErr, "\n") {
				t.Errorf("error is not one line: %q", gotErr)
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			for _, unwanted := range tt.wantNotOut {
				if strings.Contains(out.String(), unwanted) {
					t.Errorf("stdout has %q:\n%s", unwanted, out.String())
				}
			}
			if tt.wantCode == 2 && out.Len() != 0 {
				t.Errorf("a usage error printed to stdout:\n%s", out.String())
			}
			// The one line allowed says which key a --key or --hmac-secret-file loaded.
			for _, line := range strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n") {
				if line != "" && !strings.HasPrefix(line, "tokctl: --key ") && !strings.HasPrefix(line, "tokctl: --hmac-secret-file ") && !strings.HasPrefix(line, "tokctl: --jwks ") {
					t.Errorf("stderr: %q", errOut.String())
				}
			}
		})
	}
	if jwksHits != 1 {
		t.Errorf("the JWKS server saw %d requests, want 1", jwksHits)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestShellQuote(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_"
	if got := shellQuote(jwt); got != jwt {
		t.Errorf("shellQuote(JWT) = %q, want it unquoted", got)
	}
	var all strings.Builder
	for c := byte(0x21); c <= 0x7e; c++ {
		all.WriteByte(c)
	}
	dir := t.TempDir()
	for _, tok := range []string{jwt, "x;touch${IFS}" + dir + "/PWNED;#", "a'b'c", "'", "~root", "a:~/b", "$(id)", "`id`", "a\\", "!!", "*", all.String()} {
		line := "TOKCTL_ACCESS_TOKEN=" + shellQuote(tok)
		// What `eval "$(tokctl token get X -o env)"` does, in a real shell.
		out, err := exec.Command("sh", "-c", `eval "$1"; printf %s "$TOKCTL_ACCESS_TOKEN"`, "sh", line).CombinedOutput()
		if err != nil || string(out) != tok {
			t.Errorf("eval %q: %v, TOKCTL_ACCESS_TOKEN = %q, want %q", line, err, out, tok)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
		t.Error("eval of the env line ran a command")
	}
}

func TestPrintTokenRefusesUnprintable(t *testing.T) {
	for name, rec := range map[string]*store.Record{
		"escape in token":   {Provider: "p", AccessToken: "a\x1b]52;c;eA==\a"},
		"newline in token":  {Provider: "p", AccessToken: "a\nTOKCTL_X=1"},
		"header injection":  {Provider: "p", AccessToken: "a", TokenType: "Bearer\r\nX-Injected: 1"},
		"escape in idtoken": {Provider: "p", AccessToken: "a", IDToken: "b\x1b[2J"},
	} {
		for _, output := range tokenOutputs {
			if name != "escape in idtoken" || output == "id-token" || output == "exec-credential" {
				var out bytes.Buffer
				f := &Factory{IO: iostreams.Test(nil, &out, &bytes.Buffer{})}
				err := printToken(f, output, rec)
				if err == nil || out.Len() != 0 || !strings.Contains(err.Error(), "tokctl logout p") {
					t.Errorf("%s, -o %s: printed %q, error %v; want nothing printed and an error", name, output, out.String(), err)
				}
			}
		}
	}
}

func TestOpenBrowserRefusesOptions(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BROWSER", "touch "+filepath.Join(dir, "opened")+" %s")
	var errOut bytes.Buffer
	f := &Factory{IO: iostreams.Test(nil, &bytes.Buffer{}, &errOut)}
	f.openBrowser("--renderer-cmd-prefix=/bin/touch")
	if !strings.Contains(errOut.String(), `not opening a browser on an address that starts with "-"`) {
		t.Errorf("stderr %q, want the refusal", errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "opened")); err == nil {
		t.Error("the browser command ran")
	}
}
