package jwt

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// keyFileCases are key files as people have them, each either loaded as the key it
// is (want names Describe's answer) or refused (wantErr).
func keyFileCases(t testing.TB) []struct {
	name    string
	data    []byte
	want    string
	wantErr string
} {
	k := testKeys()
	rsaPub := k["rsa"].Public()
	certPEM := pemCert(t, k["rsa"])
	certDER, _ := pem.Decode(certPEM)
	pkixDER, err := x509.MarshalPKIXPublicKey(k["p256"].Public())
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k["p256"])
	if err != nil {
		t.Fatal(err)
	}
	textDump := "Certificate:\n    Data:\n        Version: 3 (0x2)\n        Subject: CN = tokctl test\n" +
		"        Subject Public Key Info:\n            Public Key Algorithm: rsaEncryption\n                Exponent: 65537 (0x10001)\n"
	jwk := mustJSON(t, jose.JSONWebKey{Key: rsaPub, KeyID: "k1"})
	return []struct {
		name    string
		data    []byte
		want    string
		wantErr string
	}{
		{name: "PEM public key", data: pemPKIX(t, rsaPub), want: "a PEM public key (an RSA public key, 2048 bits)"},
		{name: "PEM certificate", data: certPEM, want: "a PEM certificate (an RSA public key, 2048 bits)"},
		{name: "PEM with a UTF-8 BOM", data: append([]byte("\xef\xbb\xbf"), certPEM...), want: "a PEM certificate (an RSA public key, 2048 bits)"},
		{name: "PEM after openssl x509 -text output", data: append([]byte(textDump), certPEM...), want: "a PEM certificate (an RSA public key, 2048 bits)"},
		{name: "PEM with CRLF line ends", data: bytes.ReplaceAll(pemPKIX(t, k["ed25519"].Public()), []byte("\n"), []byte("\r\n")), want: "a PEM public key (an Ed25519 public key)"},
		{name: "DER certificate (.cer)", data: certDER.Bytes, want: "a DER certificate (an RSA public key, 2048 bits)"},
		{name: "DER public key", data: pkixDER, want: "a DER public key (an EC P-256 public key)"},
		{name: "DER PKCS #1 RSA public key", data: x509.MarshalPKCS1PublicKey(rsaPub.(*rsa.PublicKey)), want: "a DER RSA public key (an RSA public key, 2048 bits)"},
		{name: "JWK", data: jwk, want: "a JWK (an RSA public key)"},
		{name: "JWK Set", data: jwksJSON(t, jose.JSONWebKey{Key: rsaPub, KeyID: "k1"}, jose.JSONWebKey{Key: k["p256"].Public(), KeyID: "k2"}), want: "a JWK Set (2 usable keys)"},
		{name: "JWK after a BOM", data: append([]byte("\xef\xbb\xbf"), jwk...), want: "a JWK (an RSA public key)"},

		{name: "JWK with a trailing comma", data: append(bytes.TrimSuffix(jwk, []byte("}")), []byte(",}")...), wantErr: "not valid JSON"},
		{name: "JWK Set with a trailing comma", data: []byte(`{"keys":[` + string(jwk) + `,]}`), wantErr: "not valid JSON"},
		{name: "DER private key", data: pkcs8, wantErr: "a private key"},
		{name: "PEM private key", data: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), wantErr: "a private key"},
		{name: "DER with trailing bytes", data: append(bytes.Clone(pkixDER), 0), wantErr: "DER data that is not"},
		{name: "an HMAC secret", data: hmacSecret, wantErr: "not a key file"},
		{name: "base64 of a certificate without PEM armour", data: []byte(pemBody(certPEM)), wantErr: "not a key file"},
		{name: "empty", data: nil, wantErr: "empty"},
		{name: "a BOM only", data: []byte("\xef\xbb\xbf\n"), wantErr: "empty"},
		{name: "OpenSSH public key", data: []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA tokctl"), wantErr: "OpenSSH"},
		{name: "text that mentions BEGIN", data: []byte("-----BEGIN nothing"), wantErr: "no readable PEM block"},
	}
}

func TestParseKeyFiles(t *testing.T) {
	for _, tt := range keyFileCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := ParseKey(tt.data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseKey = %v, %v; want an error containing %q", ks, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKey: %v", err)
			}
			if got := ks.Describe(); got != tt.want {
				t.Errorf("Describe() = %q, want %q", got, tt.want)
			}
			assertNoForgery(t, tt.data, ks)
		})
	}
}

// assertNoForgery signs HS256 tokens with a key file's bytes, as anyone holding the
// (public) file could, and fails when one verifies against what ParseKey loaded.
func assertNoForgery(t testing.TB, data []byte, ks *Keys) {
	t.Helper()
	for _, secret := range [][]byte{data, bytes.TrimSpace(data), bytes.TrimSuffix(data, []byte("\n"))} {
		if len(secret) == 0 {
			continue
		}
		forged := signHS256(t, map[string]any{"alg": "HS256"}, verifyClaims, secret)
		tok, err := Parse(forged)
		if err != nil {
			t.Fatal(err)
		}
		if err := tok.Verify(ks); err == nil {
			t.Fatalf("an HS256 token signed with the key file's bytes verified against %s", ks.Describe())
		}
	}
}

func TestParseHMACSecret(t *testing.T) {
	ks, err := ParseHMACSecret(append(bytes.Clone(hmacSecret), '\n'))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ks.Describe(), "an HMAC shared secret (68 bytes)"; got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
	if err := verifyToken(t, signHS256(t, map[string]any{"alg": "HS256"}, verifyClaims, hmacSecret), ks); err != nil {
		t.Errorf("HS256 with the secret: %v", err)
	}
	// A public key is no secret: refusing it keeps a mistaken flag from making it one.
	for _, data := range [][]byte{pemPKIX(t, testKeys()["rsa"].Public()), mustJSON(t, jose.JSONWebKey{Key: testKeys()["p256"].Public()}), {}, []byte("\n")} {
		if ks, err := ParseHMACSecret(data); err == nil {
			t.Errorf("ParseHMACSecret(%.20q) = %s, want an error", data, ks.Describe())
		}
	}
}

// FuzzKeyFile holds --key detection to its promise: whatever the file, it loads as a
// key or is refused, and an HS256 token signed with the file's bytes never verifies.
func FuzzKeyFile(f *testing.F) {
	for _, tt := range keyFileCases(f) {
		f.Add(tt.data)
	}
	f.Add([]byte("0\x00"))
	f.Add([]byte{0x30, 0x82, 0x01})
	f.Add([]byte(`{"kty":"oct","k":"c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IHNlY3JldCBzZWNyZXQ"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := ParseKey(data)
		if (ks == nil) == (err == nil) {
			t.Fatalf("keys %v and error %v: want exactly one", ks, err)
		}
		if err != nil {
			if errors.Is(err, errNotKeyFile) && ks != nil {
				t.Fatal("refused but returned keys")
			}
			return
		}
		if ks.Describe() == "" {
			t.Fatal("loaded keys without saying what they are")
		}
		for _, k := range ks.keys {
			if secret, ok := k.pub.([]byte); ok && bytes.Contains(data, secret) && !isOctJWK(data) {
				t.Fatalf("the file's own bytes became an HMAC secret (%s)", ks.Describe())
			}
		}
		assertNoForgery(t, data, ks)
	})
}

// isOctJWK reports whether data is JSON that names a symmetric key, the one way a key
// file may hold an HMAC secret (as base64url, never as its own bytes).
func isOctJWK(data []byte) bool { return bytes.Contains(data, []byte(`"oct"`)) }
