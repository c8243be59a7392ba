package main

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// keyfiles writes, into the script's directory, the key files people have for one
// fresh RSA key, a token that key signed (good.jwt), and for each file an HS256 token
// signed with the file's own bytes (FILE.forged.jwt), as anyone holding the public file
// could make:
//
//	cert.der   DER certificate (.cer)       pub.der   DER public key
//	bom.pem    PEM certificate after a UTF-8 BOM
//	text.pem   PEM certificate after `openssl x509 -text` output
//	pub.pem    PEM public key               key.jwk   JWK
//	comma.jwk  the JWK with a trailing comma (not JSON)
//	pub.b64    the DER public key in base64 without PEM armour
func cmdKeyFiles(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 0 || neg {
		ts.Fatalf("usage: keyfiles")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	ts.Check(err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tokctl test"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1, 0)}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	ts.Check(err)
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	ts.Check(err)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER})
	b64u := base64.RawURLEncoding.EncodeToString
	jwk := []byte(`{"kty":"RSA","kid":"k1","n":"` + b64u(key.N.Bytes()) + `","e":"AQAB"}`)
	textDump := "Certificate:\n    Data:\n        Version: 3 (0x2)\n        Serial Number: 1 (0x1)\n" +
		"        Signature Algorithm: sha256WithRSAEncryption\n        Subject: CN = tokctl test\n"
	files := map[string][]byte{
		"cert.der":  certDER,
		"pub.der":   pubDER,
		"bom.pem":   append([]byte("\xef\xbb\xbf"), certPEM...),
		"text.pem":  append([]byte(textDump), certPEM...),
		"pub.pem":   pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}),
		"key.jwk":   jwk,
		"comma.jwk": append(bytes.TrimSuffix(jwk, []byte("}")), []byte(",}")...),
		"pub.b64":   []byte(base64.StdEncoding.EncodeToString(pubDER) + "\n"),
	}
	claims := map[string]any{"sub": "admin", "exp": time.Now().Add(time.Hour).Unix()}
	for name, data := range files {
		ts.Check(os.WriteFile(ts.MkAbs(name), data, 0o644))
		forged := signScriptToken(ts, "HS256", claims, func(in []byte) []byte {
			mac := hmac.New(sha256.New, bytes.TrimSuffix(data, []byte("\n")))
			mac.Write(in)
			return mac.Sum(nil)
		})
		ts.Check(os.WriteFile(ts.MkAbs(name+".forged.jwt"), []byte(forged+"\n"), 0o644))
	}
	good := signScriptToken(ts, "RS256", claims, func(in []byte) []byte {
		sum := sha256.Sum256(in)
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		ts.Check(err)
		return sig
	})
	ts.Check(os.WriteFile(ts.MkAbs("good.jwt"), []byte(good+"\n"), 0o644))
}

func signScriptToken(ts *testscript.TestScript, alg string, claims map[string]any, sign func([]byte) []byte) string {
	header, err := json.Marshal(map[string]any{"alg": alg, "typ": "JWT"})
	ts.Check(err)
	payload, err := json.Marshal(claims)
	ts.Check(err)
	b64u := base64.RawURLEncoding.EncodeToString
	input := b64u(header) + "." + b64u(payload)
	return input + "." + b64u(sign([]byte(input)))
}

// deeptoken N FILE writes an unsigned token whose payload nests N arrays deep.
func cmdDeepToken(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: deeptoken N FILE")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	b64u := base64.RawURLEncoding.EncodeToString
	payload := `{"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b64u([]byte(`{"alg":"none"}`))+"."+b64u([]byte(payload))+".\n"), 0o644))
}
