package jwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/oauth"
)

// testKeys are generated once: RSA key generation is slow under -race.
var testKeys = sync.OnceValue(func() map[string]crypto.Signer {
	out := map[string]crypto.Signer{}
	for _, name := range []string{"rsa", "rsa-other"} {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		out[name] = k
	}
	for name, curve := range map[string]elliptic.Curve{"p256": elliptic.P256(), "p384": elliptic.P384(), "p521": elliptic.P521()} {
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			panic(err)
		}
		out[name] = k
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	out["ed25519"] = ed
	return out
})

var hmacSecret = []byte("a shared secret of at least 64 bytes, enough for HS512 per RFC 7518!")

func init() {
	if len(hmacSecret) < 64 {
		panic("hmacSecret is too short for HS512")
	}
}

// signJOSE signs claims with go-jose, as an independent issuer would.
func signJOSE(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var verifyClaims = map[string]any{"iss": "https://idp.example.com/", "sub": "user-42", "exp": 1800000000, "scope": "read"}

// writeFile writes data to a new file in a test directory and returns its path.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pemPKIX(t testing.TB, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func pemCert(t testing.TB, priv crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tokctl test"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1, 0), // expired: only the key matters
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func jwksJSON(t testing.TB, keys ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParseKey(t testing.TB, data []byte) *Keys {
	t.Helper()
	ks, err := ParseKey(data)
	if err != nil {
		t.Fatalf("ParseKey: %v", err)
	}
	return ks
}

func mustParseSecret(t testing.TB, data []byte) *Keys {
	t.Helper()
	ks, err := ParseHMACSecret(data)
	if err != nil {
		t.Fatalf("ParseHMACSecret: %v", err)
	}
	return ks
}

func mustParseJWKS(t testing.TB, data []byte) *Keys {
	t.Helper()
	ks, err := ParseJWKS(data)
	if err != nil {
		t.Fatalf("ParseJWKS: %v", err)
	}
	return ks
}

// tamper replaces the payload of a compact JWS, keeping header and signature.
func tamper(token string, claims string) string {
	parts := strings.Split(token, ".")
	parts[1] = b64(claims)
	return strings.Join(parts, ".")
}

func TestVerify(t *testing.T) {
	k := testKeys()
	rsaKey, rsaPub := k["rsa"], k["rsa"].Public()
	rsaPEM := pemPKIX(t, rsaPub)
	rsaPKCS1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(rsaPub.(*rsa.PublicKey))})
	rs256 := signJOSE(t, jose.RS256, rsaKey, "k1", verifyClaims)
	es256 := signJOSE(t, jose.ES256, k["p256"], "", verifyClaims)
	jwks := func(keys ...jose.JSONWebKey) *Keys { return mustParseJWKS(t, jwksJSON(t, keys...)) }
	jwkOf := func(name, kid string) jose.JSONWebKey { return jose.JSONWebKey{Key: k[name].Public(), KeyID: kid} }

	tests := []struct {
		name    string
		token   string
		keys    *Keys
		wantKid string // kid shown when verified
		wantErr error  // errors.Is target; nil means verified
		wantAs  any    // pointer to an error type for errors.As
		wantMsg string // substring of the reason
	}{
		{name: "RS256 PKIX", token: rs256, keys: mustParseKey(t, rsaPEM), wantKid: "k1"},
		{name: "RS384 PKCS1", token: signJOSE(t, jose.RS384, rsaKey, "", verifyClaims), keys: mustParseKey(t, rsaPKCS1)},
		{name: "RS512 certificate", token: signJOSE(t, jose.RS512, rsaKey, "", verifyClaims), keys: mustParseKey(t, pemCert(t, rsaKey))},
		{name: "PS256", token: signJOSE(t, jose.PS256, rsaKey, "", verifyClaims), keys: mustParseKey(t, rsaPEM)},
		{name: "PS384", token: signJOSE(t, jose.PS384, rsaKey, "", verifyClaims), keys: mustParseKey(t, rsaPEM)},
		{name: "PS512", token: signJOSE(t, jose.PS512, rsaKey, "", verifyClaims), keys: mustParseKey(t, rsaPEM)},
		{name: "ES256", token: es256, keys: mustParseKey(t, pemPKIX(t, k["p256"].Public()))},
		{name: "ES384", token: signJOSE(t, jose.ES384, k["p384"], "", verifyClaims), keys: mustParseKey(t, pemPKIX(t, k["p384"].Public()))},
		{name: "ES512", token: signJOSE(t, jose.ES512, k["p521"], "", verifyClaims), keys: mustParseKey(t, pemCert(t, k["p521"]))},
		{name: "EdDSA", token: signJOSE(t, jose.EdDSA, k["ed25519"], "", verifyClaims), keys: mustParseKey(t, pemPKIX(t, k["ed25519"].Public()))},
		{name: "HS256", token: signJOSE(t, jose.HS256, hmacSecret, "", verifyClaims), keys: mustParseSecret(t, hmacSecret)},
		{name: "HS384", token: signJOSE(t, jose.HS384, hmacSecret, "", verifyClaims), keys: mustParseSecret(t, hmacSecret)},
		{name: "HS512 secret file with trailing newline", token: signJOSE(t, jose.HS512, hmacSecret, "", verifyClaims), keys: mustParseSecret(t, append(hmacSecret, '\n'))},
		{name: "HS256 secret with CRLF", token: signJOSE(t, jose.HS256, hmacSecret, "", verifyClaims), keys: mustParseSecret(t, append(hmacSecret, '\r', '\n'))},
		{name: "with Bearer prefix", token: "Bearer " + rs256, keys: mustParseKey(t, rsaPEM), wantKid: "k1"},

		{name: "tampered payload", token: tamper(rs256, `{"sub":"admin","exp":1800000000}`), keys: mustParseKey(t, rsaPEM), wantErr: ErrBadSignature},
		{name: "tampered HS256 payload", token: tamper(signJOSE(t, jose.HS256, hmacSecret, "", verifyClaims), `{"sub":"admin"}`), keys: mustParseSecret(t, hmacSecret), wantErr: ErrBadSignature},
		{name: "tampered ES256 payload", token: tamper(es256, `{"sub":"admin"}`), keys: mustParseKey(t, pemPKIX(t, k["p256"].Public())), wantErr: ErrBadSignature},
		{name: "wrong RSA key", token: rs256, keys: mustParseKey(t, pemPKIX(t, k["rsa-other"].Public())), wantErr: ErrBadSignature},
		{name: "HMAC secret too short", token: signHS256(t, map[string]any{"alg": "HS256"}, verifyClaims, []byte("secret")), keys: mustParseSecret(t, []byte("secret")),
			wantMsg: "the HMAC secret is 6 bytes, but HS256 needs at least 32 (RFC 7518 §3.2)"},
		{name: "HS384 with a 48-byte secret", token: signJOSE(t, jose.HS384, hmacSecret[:48], "", verifyClaims), keys: mustParseSecret(t, hmacSecret[:48])},
		{name: "wrong HMAC secret", token: signJOSE(t, jose.HS256, hmacSecret, "", verifyClaims), keys: mustParseSecret(t, []byte("another secret, also long enough for HS256")), wantErr: ErrBadSignature},
		{name: "alg none", token: b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(`{"sub":"admin"}`) + ".", keys: mustParseKey(t, rsaPEM), wantErr: ErrUnsigned},
		{name: "alg None with a signature", token: b64(`{"alg":"None"}`) + "." + b64(`{"sub":"admin"}`) + ".c2ln", keys: mustParseSecret(t, hmacSecret), wantErr: ErrUnsigned},
		// The classic attack: HMAC-sign with the public key's PEM text, hoping the verifier uses it as the secret.
		{name: "HS256 signed with the public key PEM, given the public key", token: signJOSE(t, jose.HS256, rsaPEM, "", verifyClaims), keys: mustParseKey(t, rsaPEM),
			wantAs: new(*AlgKeyMismatchError), wantMsg: "the token says alg HS256, which needs an HMAC shared secret, but the key is an RSA public key: refusing (algorithm confusion)"},
		{name: "RS256 token, HMAC secret", token: rs256, keys: mustParseSecret(t, hmacSecret),
			wantAs: new(*AlgKeyMismatchError), wantMsg: "needs an RSA public key, but the key is an HMAC shared secret"},
		{name: "ES256 token, RSA key", token: es256, keys: mustParseKey(t, rsaPEM), wantAs: new(*AlgKeyMismatchError)},
		{name: "ES256 token, P-384 key", token: es256, keys: mustParseKey(t, pemPKIX(t, k["p384"].Public())), wantAs: new(*AlgKeyMismatchError), wantMsg: "needs an EC P-256 public key, but the key is an EC P-384 public key"},
		{name: "EdDSA token, RSA key", token: signJOSE(t, jose.EdDSA, k["ed25519"], "", verifyClaims), keys: mustParseKey(t, rsaPEM), wantAs: new(*AlgKeyMismatchError)},
		{name: "HS256 token, JWKS with an RSA key", token: signJOSE(t, jose.HS256, rsaPEM, "k1", verifyClaims), keys: jwks(jwkOf("rsa", "k1")), wantAs: new(*AlgKeyMismatchError)},
		{name: "unsupported alg", token: b64(`{"alg":"HS1"}`) + "." + b64(`{}`) + ".c2ln", keys: mustParseSecret(t, hmacSecret), wantAs: new(*UnsupportedAlgError), wantMsg: `unsupported alg "HS1"`},
		{name: "no alg", token: b64(`{"typ":"JWT"}`) + "." + b64(`{}`) + ".c2ln", keys: mustParseSecret(t, hmacSecret), wantAs: new(*UnsupportedAlgError), wantMsg: "the header has no alg"},
		{name: "empty signature", token: b64(`{"alg":"RS256"}`) + "." + b64(`{}`) + ".", keys: mustParseKey(t, rsaPEM), wantErr: ErrNoSignature},
		{name: "encrypted", token: jweSample, keys: mustParseKey(t, rsaPEM), wantErr: ErrEncrypted},
		{name: "no key", token: rs256, keys: nil, wantErr: ErrNoKey},
		{name: "unknown crit header", token: signCrit(t, rsaKey), keys: mustParseKey(t, rsaPEM), wantErr: ErrCritical},
		{name: "padded base64", token: strings.Replace(rs256, ".", "==.", 1), keys: mustParseKey(t, rsaPEM), wantMsg: "the token is not a valid JWS: the header is not base64url without padding"},

		{name: "JWKS kid match", token: rs256, keys: jwks(jwkOf("rsa-other", "k0"), jwkOf("rsa", "k1"), jwkOf("p256", "k2")), wantKid: "k1"},
		{name: "JWKS kid match, wrong key under that kid", token: rs256, keys: jwks(jwkOf("rsa-other", "k1")), wantErr: ErrBadSignature},
		{name: "JWKS one key without kid", token: rs256, keys: jwks(jwkOf("rsa", "")), wantKid: ""},
		{name: "JWKS one key without kid, token without kid", token: es256, keys: jwks(jwkOf("p256", ""))},
		{name: "JWKS one key, other kid", token: rs256, keys: jwks(jwkOf("rsa", "k9")), wantErr: ErrNoKey, wantMsg: `the JWKS has no kid "k1" (its keys: "k9")`},
		{name: "JWKS kid mismatch", token: rs256, keys: jwks(jwkOf("rsa", "a"), jwkOf("rsa-other", "b")), wantErr: ErrNoKey, wantMsg: `no kid "k1"`},
		{name: "JWKS several keys, token without kid", token: es256, keys: jwks(jwkOf("p256", "a"), jwkOf("p384", "b")), wantErr: ErrNoKey, wantMsg: "the token has no kid and the JWKS has 2 keys"},
		{name: "JWKS key alg differs", token: signJOSE(t, jose.PS256, rsaKey, "k1", verifyClaims), keys: jwks(jose.JSONWebKey{Key: rsaPub, KeyID: "k1", Algorithm: "RS256"}), wantMsg: `the token says alg PS256 but the JWKS key "k1" is for "RS256"`},
		{name: "JWKS encryption key is not used", token: rs256, keys: jwks(jose.JSONWebKey{Key: rsaPub, KeyID: "k1", Use: "enc"}, jwkOf("p256", "k2")), wantErr: ErrNoKey, wantMsg: `is for encryption`},
		{name: "JWKS private key: its public half", token: rs256, keys: jwks(jose.JSONWebKey{Key: rsaKey, KeyID: "k1"}), wantKid: "k1"},
		{name: "JWKS symmetric key", token: signJOSE(t, jose.HS256, hmacSecret, "s1", verifyClaims), keys: jwks(jose.JSONWebKey{Key: hmacSecret, KeyID: "s1"}), wantKid: "s1"},
		{name: "JWKS skips unknown key types", token: rs256, keys: mustParseJWKS(t, []byte(`{"keys":[{"kty":"XYZ","kid":"q"},`+string(mustJSON(t, jwkOf("rsa", "k1")))+`]}`)), wantKid: "k1"},
		{name: "single JWK", token: rs256, keys: mustParseJWKS(t, mustJSON(t, jwkOf("rsa", "k1"))), wantKid: "k1"},
		{name: "JWK file as --key", token: rs256, keys: mustParseKey(t, mustJSON(t, jwkOf("rsa", "k1"))), wantKid: "k1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(tt.token)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = tok.Verify(tt.keys)
			v := tok.Signature
			if v == nil {
				t.Fatal("Verify left Signature nil")
			}
			if tt.wantErr == nil && tt.wantAs == nil && tt.wantMsg == "" {
				if err != nil || !v.Verified || v.Err != nil {
					t.Fatalf("Verify = %v, Verification %+v; want verified", err, v)
				}
				if v.KeyID != tt.wantKid {
					t.Errorf("KeyID = %q, want %q", v.KeyID, tt.wantKid)
				}
				return
			}
			if err == nil || v.Verified {
				t.Fatalf("Verify succeeded (%+v), want an error", v)
			}
			var ve *VerifyError
			if !errors.As(err, &ve) || !errors.Is(err, v.Err) {
				t.Errorf("error %T (%v) is not a *VerifyError wrapping the recorded reason %v", err, err, v.Err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantErr)
			}
			switch target := tt.wantAs.(type) {
			case **AlgKeyMismatchError:
				if !errors.As(err, target) {
					t.Errorf("error %v is not an *AlgKeyMismatchError", err)
				}
			case **UnsupportedAlgError:
				if !errors.As(err, target) {
					t.Errorf("error %v is not an *UnsupportedAlgError", err)
				}
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "signature verification failed: ") || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line starting with the failure", msg)
			}
			if tt.wantMsg != "" && !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", msg, tt.wantMsg)
			}
		})
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signCrit signs a token whose crit header names an extension nobody understands:
// RFC 7515 §4.1.11 says it must be rejected.
func signCrit(t testing.TB, key crypto.Signer) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithHeader("crit", []string{"exp-ext"}).WithHeader("exp-ext", true)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign([]byte(`{"sub":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParseKeyErrors(t *testing.T) {
	k := testKeys()
	privDER, err := x509.MarshalPKCS8PrivateKey(k["rsa"])
	if err != nil {
		t.Fatal(err)
	}
	edDER, err := x509.MarshalPKIXPublicKey(k["ed25519"].(ed25519.PrivateKey).Public())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data, wantMsg string
	}{
		{"empty", "", "empty"},
		{"only a newline", "\n", "empty"},
		{"private key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})), "a private key: give the public key instead"},
		{"EC private key", "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n", "a private key"},
		{"broken PEM", "-----BEGIN PUBLIC KEY-----\nnot base64!\n", "no readable PEM block"},
		{"garbage public key", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("junk")})), "PEM PUBLIC KEY:"},
		{"other PEM block", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: edDER})), `PEM block "CERTIFICATE REQUEST"`},
		{"OpenSSH key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI user@host\n", "an OpenSSH public key"},
		{"JSON but not a JWK", `{"hello":"world"}`, "not a JWK Set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKey([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseKey error = %v, want one containing %q", err, tt.wantMsg)
			}
		})
	}
	if _, err := ReadKeyFile(filepath.Join(t.TempDir(), "missing.pem")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadKeyFile(missing) = %v, want a not-exist error", err)
	}
	big := writeFile(t, "big", make([]byte, maxKeySize+1))
	if _, err := ReadKeyFile(big); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("ReadKeyFile(big) = %v", err)
	}
}

func TestParseJWKSErrors(t *testing.T) {
	for name, data := range map[string]string{
		"not JSON":       "nope",
		"array":          `[]`,
		"no keys":        `{"keys":[]}`,
		"only bad keys":  `{"keys":[{"kty":"XYZ"},{"kty":"RSA","n":"AQ"}]}`,
		"keys not array": `{"keys":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if ks, err := ParseJWKS([]byte(data)); err == nil {
				t.Errorf("ParseJWKS(%s) = %+v, want an error", data, ks)
			}
		})
	}
}

func TestReadFiles(t *testing.T) {
	k := testKeys()
	tok, err := Parse(signJOSE(t, jose.RS256, k["rsa"], "k1", verifyClaims))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := writeFile(t, "key.pem", pemPKIX(t, k["rsa"].Public()))
	jwksFile := writeFile(t, "jwks.json", jwksJSON(t, jose.JSONWebKey{Key: k["rsa"].Public(), KeyID: "k1"}))
	for name, load := range map[string]func(string) (*Keys, error){"key": ReadKeyFile, "jwks": ReadJWKSFile} {
		path := map[string]string{"key": keyFile, "jwks": jwksFile}[name]
		ks, err := load(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := tok.Verify(ks); err != nil {
			t.Errorf("%s: Verify: %v", name, err)
		}
	}
	if _, err := ReadJWKSFile(keyFile); err == nil || !strings.Contains(err.Error(), keyFile+": not a JWK Set") {
		t.Errorf("ReadJWKSFile(PEM) = %v, want it to name the file and say it is not a JWK Set", err)
	}
}

func TestFetchJWKS(t *testing.T) {
	k := testKeys()
	set := jwksJSON(t, jose.JSONWebKey{Key: k["rsa"].Public(), KeyID: "k1"})
	var gotUA string
	mux := http.NewServeMux()
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		gotUA = r.Header.Get("User-Agent")
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(set)
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"keys":[` + strings.Repeat(" ", maxKeySize) + `]}`))
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>login</html>")) })
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://jwks.example.com/keys", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/jwks", http.StatusMovedPermanently)
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	defer srv.Close()

	tok, err := Parse(signJOSE(t, jose.RS256, k["rsa"], "k1", verifyClaims))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/jwks", "/moved"} {
		ks, err := FetchJWKS(t.Context(), &oauth.Client{UserAgent: "tokctl/test"}, srv.URL+path)
		if err != nil {
			t.Fatalf("FetchJWKS(%s): %v", path, err)
		}
		if err := tok.Verify(ks); err != nil || tok.Signature.KeyID != "k1" {
			t.Errorf("Verify with the fetched JWKS: %v (%+v)", err, tok.Signature)
		}
	}
	if gotUA != "tokctl/test" {
		t.Errorf("User-Agent = %q", gotUA)
	}
	localhost := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	if _, err := FetchJWKS(t.Context(), &oauth.Client{UserAgent: "tokctl/test"}, localhost+"/jwks"); err != nil {
		t.Errorf("http on localhost: %v", err)
	}
	for path, want := range map[string]string{
		"/missing": "answered HTTP 404 Not Found",
		"/huge":    "larger than 1 MiB",
		"/html":    "not a JWK Set",
		"/away":    "refusing plain-http JWKS URL http://jwks.example.com/keys",
		"/loop":    "more than 5 redirects",
	} {
		_, err := FetchJWKS(t.Context(), &oauth.Client{UserAgent: "tokctl/test"}, srv.URL+path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), srv.URL+path+": ") {
			t.Errorf("FetchJWKS(%s) = %v, want an error naming the URL and saying %q", path, err, want)
		}
	}
}

// TestFetchJWKSThroughClient: the JWKS request goes through the client of
// every other request, so a 503 is retried and -v logs it, and the request
// asks for a JWK Set.
func TestFetchJWKSThroughClient(t *testing.T) {
	set := jwksJSON(t, jose.JSONWebKey{Key: testKeys()["rsa"].Public(), KeyID: "k1"})
	var tries int
	var accept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tries++
		accept = r.Header.Get("Accept")
		if tries == 1 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "restarting", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(set)
	}))
	defer srv.Close()
	var log strings.Builder
	hc := &oauth.Client{UserAgent: "tokctl/test", Verbose: &log}
	ks, err := FetchJWKS(t.Context(), hc, srv.URL+"/certs")
	if err != nil {
		t.Fatalf("FetchJWKS after one 503: %v", err)
	}
	if ks.Describe() == "" || tries != 2 {
		t.Errorf("keys %q after %d tries, want the set after 2", ks.Describe(), tries)
	}
	if accept != "application/jwk-set+json, application/json" {
		t.Errorf("Accept = %q", accept)
	}
	for _, want := range []string{"> GET " + srv.URL + "/certs\n", "< 503 Service Unavailable", "tokctl: retrying in", "< 200 OK", "> User-Agent: tokctl/test\n"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the -v log lacks %q:\n%s", want, log.String())
		}
	}

	// A server that is not there: the client's words, after the URL.
	srv.Close()
	_, err = FetchJWKS(t.Context(), &oauth.Client{MaxAttempts: 1}, srv.URL+"/certs")
	if err == nil || !strings.HasPrefix(err.Error(), srv.URL+"/certs: cannot connect: ") {
		t.Errorf("FetchJWKS from a closed server = %v", err)
	}
	var ue *failure.UnavailableError
	if errors.As(err, &ue) {
		t.Errorf("FetchJWKS returned %T: decode's exit code would change", ue)
	}
}

func TestFetchJWKSTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := FetchJWKS(ctx, &oauth.Client{UserAgent: "tokctl/test"}, srv.URL); err == nil || !strings.Contains(err.Error(), "no answer within") {
		t.Errorf("FetchJWKS on a silent server = %v", err)
	}
}

func TestCheckJWKSURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://idp.example.com/.well-known/jwks.json": true,
		"http://127.0.0.1:8080/jwks":                    true,
		"http://[::1]:8080/jwks":                        true,
		"http://localhost/jwks":                         true,
		"http://idp.example.com/jwks":                   false,
		"http://127.0.0.1.nip.io/jwks":                  false,
		"ftp://idp.example.com/jwks":                    false,
		"file:///etc/jwks.json":                         false,
		"https://":                                      false,
		"https://user:pw@idp.example.com/jwks":          true,
	} {
		_, err := CheckJWKSURL(raw)
		if (err == nil) != ok {
			t.Errorf("CheckJWKSURL(%q) = %v, want ok=%v", raw, err, ok)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("CheckJWKSURL(%q) error shows the password: %v", raw, err)
		}
	}
	if _, err := CheckJWKSURL("http://user:pw@example.com/"); err == nil || strings.Contains(err.Error(), "pw@") {
		t.Errorf("plain-http URL with password: %v", err)
	}
}

func TestAlgKeyMismatchMessage(t *testing.T) {
	for _, tt := range []struct {
		need, have keyKind
		want       string
	}{
		{kindHMAC, kindRSA, "the token says alg X, which needs an HMAC shared secret, but the key is an RSA public key: refusing (algorithm confusion)"},
		{kindRSA, kindHMAC, "the token says alg X, which needs an RSA public key, but the key is an HMAC shared secret: refusing (algorithm confusion)"},
		{kindP256, kindP384, "the token says alg X, which needs an EC P-256 public key, but the key is an EC P-384 public key"},
		{kindRSA, kindEd25519, "the token says alg X, which needs an RSA public key, but the key is an Ed25519 public key"},
	} {
		err := &AlgKeyMismatchError{Alg: "X", Need: tt.need.String(), Have: tt.have.String()}
		if err.Error() != tt.want {
			t.Errorf("got %q, want %q", err, tt.want)
		}
	}
}
