package render

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokctl/tokctl/internal/jwt"
)

// tiliaToken is the sample access token from Tilia's token endpoint docs (document 000),
// kept with the parser's tests.
func tiliaToken(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "tilia.jwt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// signHS256 builds a compact JWS from JSON-encodable header and claims.
func signHS256(t testing.TB, header, claims any, key []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := b64(string(h)) + "." + b64(string(c))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// jweSample is a compact JWE: only its protected header is readable.
var jweSample = b64(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"enc-2026"}`) +
	".OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ"

func pemPKIX(t testing.TB, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func mustParseKey(t testing.TB, data []byte) *jwt.Keys {
	t.Helper()
	ks, err := jwt.ParseKey(data)
	if err != nil {
		t.Fatalf("ParseKey: %v", err)
	}
	return ks
}

func mustParseSecret(t testing.TB, data []byte) *jwt.Keys {
	t.Helper()
	ks, err := jwt.ParseHMACSecret(data)
	if err != nil {
		t.Fatalf("ParseHMACSecret: %v", err)
	}
	return ks
}
