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
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/tokens"
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

// fakeDecodeSource is a decodeSource over maps, with the real key loading
// (files, stdin, which --jwks means) of tokens.LoadKeys; it records what
// decode asked of the providers, the store and the network.
type fakeDecodeSource struct {
	stored    map[string]string    // provider → stored access token; provider+" id" → ID token
	providers map[string]*jwt.Keys // the providers there are, and their JWKS (nil: none)
	jwks      map[string]string    // URL → JWK Set file
	calls     []string
}

func (f *fakeDecodeSource) StoredToken(_ context.Context, name string, idToken bool) (string, error) {
	f.calls = append(f.calls, "StoredToken "+name)
	if _, ok := f.providers[name]; !ok {
		return "", &failure.ConfigError{Provider: name, Msg: "unknown provider"}
	}
	tok, ok := f.stored[name]
	if !ok {
		return "", failure.Usagef("%s: no stored token; run `tokctl token get %s` first", name, name)
	}
	if idToken {
		if tok = f.stored[name+" id"]; tok == "" {
			return "", fmt.Errorf("%s: the stored token came without an ID token", name)
		}
	}
	return tok, nil
}

func (f *fakeDecodeSource) DecodeKeys(ctx context.Context, spec tokens.KeySpec) (*jwt.Keys, error) {
	return tokens.LoadKeys(ctx, spec, f)
}

func (f *fakeDecodeSource) IsProvider(name string) bool {
	f.calls = append(f.calls, "IsProvider "+name)
	_, ok := f.providers[name]
	return ok
}

func (f *fakeDecodeSource) ProviderKeys(_ context.Context, name string, required bool) (*jwt.Keys, error) {
	f.calls = append(f.calls, "ProviderKeys "+name)
	if keys := f.providers[name]; keys != nil || !required {
		return keys, nil
	}
	return nil, fmt.Errorf("%s publishes no JWKS (set `jwks_url` or `issuer`)", name)
}

func (f *fakeDecodeSource) FetchJWKS(_ context.Context, rawURL string) (*jwt.Keys, error) {
	f.calls = append(f.calls, "FetchJWKS "+rawURL)
	file, ok := f.jwks[rawURL]
	if !ok {
		return nil, errors.New("HTTP 404")
	}
	return jwt.ReadJWKSFile(file)
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

	jwksURL := "https://idp.example.com/jwks"
	jwksKeys, err := jwt.ReadJWKSFile(jwksFile)
	if err != nil {
		t.Fatal(err)
	}
	newSource := func() *fakeDecodeSource {
		return &fakeDecodeSource{
			stored:    map[string]string{"kc": rs256, "kc id": expired, "ils": hs256},
			providers: map[string]*jwt.Keys{"kc": jwksKeys, "ils": nil, "tiki": nil},
			jwks:      map[string]string{jwksURL: jwksFile},
		}
	}

	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantOut    []string // substrings of stdout
		wantNotOut []string
		wantErr    string   // the error line, without "tokctl: "; "" for none
		wantCalls  []string // what decode asked of the providers, the store and the network
		golden     string   // golden file of stdout, if any
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
		{name: "--jwks file", args: []string{"--jwks", jwksFile, rs256}, wantOut: []string{"signature: verified (RS256, kid k1)"},
			wantCalls: []string{"IsProvider " + jwksFile}},
		{name: "--jwks file, kid mismatch", args: []string{"--jwks", jwksFile, signRS256(t, key, `{"alg":"RS256","kid":"k9"}`, claims)}, wantCode: 1,
			wantErr:   `decode: signature verification failed: no key to verify with: the JWKS has no kid "k9" (its keys: "k0", "k1")`,
			wantCalls: []string{"IsProvider " + jwksFile}},
		{name: "--jwks URL", args: []string{"--jwks", jwksURL, rs256}, wantOut: []string{"signature: verified (RS256, kid k1)"},
			wantCalls: []string{"FetchJWKS " + jwksURL}},
		{name: "--jwks URL not found", args: []string{"--jwks", jwksURL + "/nope", rs256}, wantCode: 1,
			wantErr: "decode: --jwks: HTTP 404", wantCalls: []string{"FetchJWKS " + jwksURL + "/nope"}},
		{name: "--jwks provider", args: []string{"--jwks", "kc", rs256}, wantOut: []string{"signature: verified (RS256, kid k1)"},
			wantCalls: []string{"IsProvider kc", "ProviderKeys kc"}},
		{name: "--jwks provider without a JWKS", args: []string{"--jwks", "ils", rs256}, wantCode: 1,
			wantErr: "decode: --jwks: ils publishes no JWKS (set `jwks_url` or `issuer`)", wantCalls: []string{"IsProvider ils", "ProviderKeys ils"}},
		{name: "--jwks bare name of no provider", args: []string{"--jwks", "jwks", rs256}, wantCode: 2,
			wantErr:   `decode: --jwks: no provider is named "jwks"; give a JWK Set file as a path (--jwks ./jwks) or an https URL`,
			wantCalls: []string{"IsProvider jwks"}},
		{name: "--provider", args: []string{"--provider", "kc"}, wantOut: []string{"signature: verified (RS256, kid k1)"},
			wantCalls: []string{"StoredToken kc", "ProviderKeys kc"}},
		{name: "--provider without a JWKS", args: []string{"--provider", "ils"}, wantOut: []string{"signature: present, not verified"},
			wantCalls: []string{"StoredToken ils", "ProviderKeys ils"}},
		{name: "--provider --id-token", args: []string{"--provider", "kc", "--id-token", "--require-valid"}, wantCode: 1,
			wantOut: []string{"expired 3h ago"}, wantErr: "decode: the token is expired (exp 2026-11-23T09:00:00Z)",
			wantCalls: []string{"StoredToken kc", "ProviderKeys kc"}},
		{name: "--provider --id-token without one", args: []string{"--provider", "ils", "--id-token"}, wantCode: 1,
			wantErr: "ils: the stored token came without an ID token", wantCalls: []string{"StoredToken ils"}},
		{name: "--provider with nothing stored", args: []string{"--provider", "tiki"}, wantCode: 2,
			wantErr: "tiki: no stored token; run `tokctl token get tiki` first", wantCalls: []string{"StoredToken tiki"}},
		{name: "--provider and --key", args: []string{"--provider", "ils", "--key", pubPEM}, wantCode: 1,
			wantErr:   "decode: signature verification failed: the token says alg HS256, which needs an HMAC shared secret, but the key is an RSA public key: refusing (algorithm confusion)",
			wantCalls: []string{"StoredToken ils"}},
		{name: "--provider and a token", args: []string{"--provider", "kc", rs256}, wantCode: 2, wantErr: "give a TOKEN or --provider, not both"},
		{name: "--id-token without --provider", args: []string{"--id-token", rs256}, wantCode: 2, wantErr: "--id-token needs --provider"},
		{name: "--hmac-secret-file - with the token on stdin", args: []string{"--hmac-secret-file", "-"}, stdin: hs256, wantCode: 2,
			wantErr: "--hmac-secret-file - reads the secret from stdin, so give the token as an argument"},
		{name: "--hmac-secret-file -", args: []string{"--hmac-secret-file", "-", hs256}, stdin: string(secret) + "\n", wantOut: []string{"signature: verified (HS256)"}},
		{name: "golden text", args: []string{"--hmac-secret-file", secretFile, hs256}, golden: "decode_text"},
		{name: "golden JSON", args: []string{"--hmac-secret-file", secretFile, "-o", "json", hs256}, golden: "decode_json"},

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
			f := &Factory{IO: iostreams.Test(strings.NewReader(tt.stdin), &out, &errOut), Now: func() time.Time { return now }, Timeout: time.Minute}
			src := newSource()
			cmd := NewCmdDecode(f, func(ctx context.Context, opts *DecodeOptions) error {
				opts.Tokens = src
				return decodeRun(ctx, opts)
			})
			err := executeForTest(cmd, tt.args)
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
			if got, want := strings.Join(src.calls, "; "), strings.Join(tt.wantCalls, "; "); got != want {
				t.Errorf("calls %q, want %q", got, want)
			}
			if tt.golden != "" {
				assertGolden(t, tt.golden, out.Bytes())
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
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDecodeTouchesNothing runs the real command: decoding a token given as
// an argument reads no config file and opens no store, so a broken config
// file does not matter; asking for a provider's keys reads it.
func TestDecodeTouchesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	t.Setenv("TOKCTL_STORE", "")
	token := signHS256(`{"alg":"HS256"}`, `{"sub":"user-42"}`, []byte("secret"))
	for _, tt := range []struct {
		args     []string
		wantCode int
		wantErr  string // a part of the error
	}{
		{args: []string{token}},
		{args: []string{"-o", "json", token}},
		{args: []string{"--jwks", "kc", token}, wantCode: 2, wantErr: `no provider is named "kc"`},
		{args: []string{"--provider", "kc"}, wantCode: 2, wantErr: "missing.yaml"},
	} {
		var out, errOut bytes.Buffer
		f := &Factory{IO: iostreams.Test(strings.NewReader(""), &out, &errOut), Timeout: time.Minute,
			ConfigFile: filepath.Join(dir, "missing.yaml")}
		err := executeForTest(NewCmdDecode(f, nil), tt.args)
		if code := exitCode(err); code != tt.wantCode {
			t.Errorf("%q: exit code %d (%v), want %d", tt.args, code, err, tt.wantCode)
		}
		if !strings.Contains(errText(err), tt.wantErr) {
			t.Errorf("%q: error %q, want %q in it", tt.args, errText(err), tt.wantErr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "state")); !os.IsNotExist(err) {
		t.Errorf("the store's directory exists (%v): decode opened the store", err)
	}
}
