package cli

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/jwt"
)

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
			cmd := NewCmdDecode(f, nil)
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
