package assertion_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"hash"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/assertion"
	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/jwt"
)

// demoKeys are the fake provider's demo keys: one per PEM form and key type.
var demoKeys = []struct {
	name, client, pem, alg string
}{
	{"RSA PKCS#1", fakeprovider.OIDCKeyRSAClientID, fakeprovider.OIDCKeyRSAPEM, "RS256"},
	{"P-256 SEC 1", fakeprovider.OIDCKeyP256ClientID, fakeprovider.OIDCKeyP256PEM, "ES256"},
	{"P-384 PKCS#8", fakeprovider.OIDCKeyP384ClientID, fakeprovider.OIDCKeyP384PEM, "ES384"},
	{"Ed25519 PKCS#8", fakeprovider.OIDCKeyEd25519ClientID, fakeprovider.OIDCKeyEd25519PEM, "EdDSA"},
}

// TestSignVerifies signs with every key type and algorithm and checks each
// signature twice: with crypto/* directly, and with tokctl's own verifier
// (internal/jwt) against the public JWK that `tokctl key public` prints.
func TestSignVerifies(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, dk := range demoKeys {
		k, err := assertion.ParseKey([]byte(dk.pem))
		if err != nil {
			t.Fatalf("%s: %v", dk.name, err)
		}
		for _, alg := range assertion.KeyAlgorithms(k.Signer) {
			t.Run(dk.name+" "+alg, func(t *testing.T) {
				s, err := assertion.NewSigner(k, alg, "")
				if err != nil {
					t.Fatal(err)
				}
				raw, err := s.Sign(assertion.Claims{Issuer: "c1", Subject: "c1", Audience: "https://idp.example/token", Now: now})
				if err != nil {
					t.Fatal(err)
				}
				header, claims := decode(t, raw)
				if header["alg"] != alg || header["typ"] != "JWT" || header["kid"] != fakeprovider.ClientKeyID(dk.client) {
					t.Errorf("header %v; want alg %s and the kid go-jose computes, %s", header, alg, fakeprovider.ClientKeyID(dk.client))
				}
				if claims["iss"] != "c1" || claims["sub"] != "c1" || claims["aud"] != "https://idp.example/token" ||
					claims["iat"] != float64(now.Unix()) || claims["exp"] != float64(now.Add(assertion.DefaultLifetime).Unix()) {
					t.Errorf("claims %v", claims)
				}
				verifyStdlib(t, raw, alg, k.Signer.Public())
				verifyRepo(t, raw, s)
			})
		}
	}
}

func TestHMACSigner(t *testing.T) {
	secret := []byte(fakeprovider.OIDCSecretJWTClientSecret)
	for _, alg := range []string{"", "HS256", "HS384"} {
		s, err := assertion.NewHMACSigner(secret, alg)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := s.Sign(assertion.Claims{Issuer: "c", Subject: "c", Audience: "https://idp.example/token"})
		if err != nil {
			t.Fatal(err)
		}
		header, _ := decode(t, raw)
		want := alg
		if want == "" {
			want = "HS256"
		}
		if header["alg"] != want || header["kid"] != nil {
			t.Errorf("header %v, want alg %s and no kid", header, want)
		}
		h := map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}[want]
		i := strings.LastIndex(raw, ".")
		m := hmac.New(h, secret)
		m.Write([]byte(raw[:i]))
		if got := base64.RawURLEncoding.EncodeToString(m.Sum(nil)); got != raw[i+1:] {
			t.Errorf("%s: MAC does not verify", want)
		}
		keys, err := jwt.ParseHMACSecret(secret)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := tok.Verify(keys); err != nil {
			t.Errorf("%s: internal/jwt: %v", want, err)
		}
	}
	if _, err := assertion.NewHMACSigner(secret, "RS256"); err == nil {
		t.Error("RS256 with a secret accepted")
	}
	if _, err := assertion.NewHMACSigner(nil, ""); err == nil {
		t.Error("an empty secret accepted")
	}
	// RFC 7518 §3.2: the secret is at least as long as the hash.
	if _, err := assertion.NewHMACSigner(secret, "HS512"); err == nil || !strings.Contains(err.Error(), "at least 64 bytes") {
		t.Errorf("HS512 with a 48-byte secret: %v", err)
	}
	if _, err := assertion.NewHMACSigner([]byte("short-secret"), ""); err == nil {
		t.Error("HS256 with a 12-byte secret accepted")
	}
}

// TestAssertionsDiffer: every assertion has its own jti (RFC 7523 §3: a
// server may refuse a replayed one), even within one second.
func TestAssertionsDiffer(t *testing.T) {
	k, err := assertion.ParseKey([]byte(fakeprovider.OIDCKeyEd25519PEM))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := assertion.NewSigner(k, "", "")
	seen := map[string]bool{}
	now := time.Now()
	for range 100 {
		raw, err := s.Sign(assertion.Claims{Issuer: "c", Subject: "c", Audience: "a", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		_, claims := decode(t, raw)
		jti, _ := claims["jti"].(string)
		if len(jti) != 36 || seen[jti] {
			t.Fatalf("jti %q is not a fresh UUID", jti)
		}
		seen[jti] = true
	}
}

func TestLifetimeCapped(t *testing.T) {
	k, _ := assertion.ParseKey([]byte(fakeprovider.OIDCKeyP256PEM))
	s, _ := assertion.NewSigner(k, "", "")
	now := time.Unix(1_800_000_000, 0)
	raw, err := s.Sign(assertion.Claims{Issuer: "c", Subject: "c", Audience: "a", Now: now, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, claims := decode(t, raw); claims["exp"] != float64(now.Add(5*time.Minute).Unix()) {
		t.Errorf("exp %v, want iat + 5 minutes", claims["exp"])
	}
	if _, err := s.Sign(assertion.Claims{Issuer: "c", Subject: "c"}); err == nil {
		t.Error("an assertion without an audience was signed")
	}
}

func TestSignerRefusesMismatch(t *testing.T) {
	for _, tc := range []struct{ pem, alg string }{
		{fakeprovider.OIDCKeyRSAPEM, "ES256"},
		{fakeprovider.OIDCKeyRSAPEM, "HS256"},
		{fakeprovider.OIDCKeyP256PEM, "ES384"},
		{fakeprovider.OIDCKeyP384PEM, "RS256"},
		{fakeprovider.OIDCKeyEd25519PEM, "ES256"},
	} {
		k, err := assertion.ParseKey([]byte(tc.pem))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := assertion.NewSigner(k, tc.alg, ""); err == nil || !strings.Contains(err.Error(), "does not fit") {
			t.Errorf("%s with a %T key: %v, want a refusal", tc.alg, k.Signer, err)
		}
	}
}

func TestKIDOverride(t *testing.T) {
	k, _ := assertion.ParseKey([]byte(fakeprovider.OIDCKeyP256PEM))
	s, _ := assertion.NewSigner(k, "", "my-key-2026")
	raw, _ := s.Sign(assertion.Claims{Issuer: "c", Subject: "c", Audience: "a"})
	if h, _ := decode(t, raw); h["kid"] != "my-key-2026" {
		t.Errorf("kid %v", h["kid"])
	}
	j, err := s.PublicJWK()
	if err != nil || j.Kid != "my-key-2026" {
		t.Errorf("public JWK kid %+v %v", j, err)
	}
}

func TestParseKey(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	pkcs8 := func(k any) string {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	}
	sec1 := func(k *ecdsa.PrivateKey) string {
		der, _ := x509.MarshalECPrivateKey(k)
		return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	}
	tests := []struct {
		name, data, wantErr string
	}{
		{"pkcs8 ec", pkcs8(ec), ""},
		{"sec1 ec after text", "a comment openssl printed\n" + sec1(ec), ""},
		{"rsa too small", pkcs8(small), "1024 bits"},
		{"p-224", sec1(p224), "unsupported EC curve P-224"},
		{"public key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", `"PUBLIC KEY" block is not a private key`},
		{"encrypted pkcs8", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted"},
		{"encrypted legacy", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n", "encrypted"},
		{"garbage", "not a key", "no PEM private key found"},
		{"corrupt", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "unreadable PRIVATE KEY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := assertion.ParseKey([]byte(tc.data))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestCertificate: a key file with its certificate gives x5t and x5t#S256
// (Entra ID identifies a certificate credential by them) and x5c in the JWK.
func TestCertificate(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "svc"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	k, err := assertion.ParseKey(data)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := assertion.NewSigner(k, "PS256", "")
	raw, _ := s.Sign(assertion.Claims{Issuer: "c", Subject: "c", Audience: "a"})
	h, _ := decode(t, raw)
	s256 := sha256.Sum256(der)
	if h["x5t#S256"] != base64.RawURLEncoding.EncodeToString(s256[:]) || h["x5t"] == nil {
		t.Errorf("header %v lacks the certificate thumbprints", h)
	}
	if j, _ := s.PublicJWK(); len(j.X5c) != 1 {
		t.Errorf("JWK without x5c: %+v", j)
	}
	// Round trip through what login stores.
	stored, err := assertion.MarshalPEM(k)
	if err != nil {
		t.Fatal(err)
	}
	if k2, err := assertion.ParseKey(stored); err != nil || k2.Cert == nil {
		t.Errorf("stored form: %v", err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der2, _ := x509.MarshalECPrivateKey(other)
	mixed := append(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der2}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	if _, err := assertion.ParseKey(mixed); err == nil {
		t.Error("a certificate of another key accepted")
	}
}

func TestReadKeyFileWarnsWhenReadable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(path, []byte(fakeprovider.OIDCKeyP256PEM), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, warning, err := assertion.ReadKeyFile(path); err != nil || warning != "" {
		t.Fatalf("0600: %q %v", warning, err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, warning, err := assertion.ReadKeyFile(path); err != nil || !strings.Contains(warning, "chmod 600") {
		t.Fatalf("0640: %q %v", warning, err)
	}
}

func decode(t *testing.T, raw string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %d parts", len(parts))
	}
	for i, v := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

// verifyStdlib checks raw's signature with crypto/* alone.
func verifyStdlib(t *testing.T, raw, alg string, pub crypto.PublicKey) {
	t.Helper()
	i := strings.LastIndex(raw, ".")
	input := []byte(raw[:i])
	sig, err := base64.RawURLEncoding.DecodeString(raw[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	hash := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}[alg[len(alg)-3:]]
	var digest []byte
	if hash != 0 {
		h := hash.New()
		h.Write(input)
		digest = h.Sum(nil)
	}
	ok := false
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if strings.HasPrefix(alg, "PS") {
			ok = rsa.VerifyPSS(k, hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		} else {
			ok = rsa.VerifyPKCS1v15(k, hash, digest, sig) == nil
		}
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) == 2*size {
			r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
			ok = ecdsa.Verify(k, digest, r, s)
		}
	case ed25519.PublicKey:
		ok = ed25519.Verify(k, input, sig)
	}
	if !ok {
		t.Errorf("%s: crypto/* does not verify the signature", alg)
	}
}

// verifyRepo checks raw with internal/jwt against the signer's public JWK.
func verifyRepo(t *testing.T, raw string, s *assertion.Signer) {
	t.Helper()
	j, err := s.PublicJWK()
	if err != nil {
		t.Fatal(err)
	}
	set, _ := json.Marshal(map[string]any{"keys": []any{j}})
	keys, err := jwt.ParseJWKS(set)
	if err != nil {
		t.Fatalf("internal/jwt cannot read the public JWK %s: %v", set, err)
	}
	tok, err := jwt.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Verify(keys); err != nil {
		t.Errorf("internal/jwt: %v", err)
	}
}
