package jwt

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// go-jose v4 was tokctl's verifier; it stays as a test dependency, the reference the
// standard-library verifier (jws.go, jwk.go) is held to.

// joseVerifies reports whether go-jose's ParseSignedCompact and Verify accept raw as alg under pub.
func joseVerifies(raw, alg string, pub any) bool {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		return false
	}
	_, err = jws.Verify(pub)
	return err == nil
}

// joseJWK is what tokctl took from go-jose for one JWK: the public key (or secret), or nil.
func joseJWK(data []byte) (jose.JSONWebKey, any) {
	var jk jose.JSONWebKey
	if err := jk.UnmarshalJSON(data); err != nil {
		return jk, nil
	}
	if secret, ok := jk.Key.([]byte); ok {
		if len(secret) == 0 {
			return jk, nil
		}
		return jk, secret
	}
	if !jk.Valid() {
		return jk, nil
	}
	if !jk.IsPublic() {
		return jk, jk.Public().Key
	}
	return jk, jk.Key
}

func sameKey(a, b any) bool {
	switch a := a.(type) {
	case []byte:
		b, ok := b.([]byte)
		return ok && bytes.Equal(a, b)
	case interface{ Equal(crypto.PublicKey) bool }:
		return a.Equal(b)
	}
	return false
}

// checkJWSParity fails t when tokctl verifies raw and go-jose does not, or go-jose
// verifies it and tokctl refuses for a reason other than a documented stricter one.
func checkJWSParity(t *testing.T, raw, alg string, pub any) {
	t.Helper()
	err := verifyWith(raw, alg, key{pub: pub})
	theirs := joseVerifies(raw, alg, pub)
	switch {
	case err == nil && !theirs:
		t.Fatalf("tokctl verifies %s %q, go-jose does not", alg, raw)
	case err != nil && theirs && !stricterThanJOSE(raw):
		t.Fatalf("go-jose verifies %s %q, tokctl refuses: %v", alg, raw, err)
	}
}

// stricterThanJOSE reports whether raw has one of the things tokctl refuses and go-jose
// accepted: base64url with non-zero trailing bits or CR/LF, a crit or b64 header member,
// a repeated member name or an unreadable value inside a header member go-jose did not
// decode generically (jwk).
func stricterThanJOSE(raw string) bool {
	segs := strings.Split(raw, ".")
	if len(segs) != 3 {
		return false
	}
	for _, s := range segs {
		if _, err := decodeSegment(s); err != nil {
			_, err := base64.RawURLEncoding.DecodeString(s)
			return err == nil
		}
	}
	header, _ := decodeSegment(segs[0])
	m, err := jsonObject(header, false)
	if err != nil {
		return false
	}
	if _, ok := m["crit"]; ok {
		return true
	}
	if _, ok := m["b64"]; ok {
		return true
	}
	var v map[string]any
	return uniqueNames(header) != nil || json.Unmarshal(header, &v) != nil
}

// parityKeys are the keys FuzzJWSParity signs with: a 1024-bit RSA key keeps RS* signing
// fast (PS512 needs more room than 1024 bits give).
var parityKeys = sync.OnceValue(func() map[string]any {
	k := testKeys()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	return map[string]any{
		"RS": small, "PS": k["rsa"], "ES256": k["p256"], "ES384": k["p384"], "ES512": k["p521"],
		"EdDSA": k["ed25519"], "HS": hmacSecret,
	}
})

func parityKey(alg string) any {
	ks := parityKeys()
	if k, ok := ks[alg]; ok {
		return k
	}
	return ks[alg[:2]]
}

func publicOf(priv any) any {
	if s, ok := priv.(crypto.Signer); ok {
		return s.Public()
	}
	return priv
}

// signInput signs a JWS signing input with the standard library, as any issuer might;
// maxSalt signs PS* with the longest salt instead of the hash's size.
func signInput(t testing.TB, alg string, priv any, input []byte, maxSalt bool) []byte {
	t.Helper()
	if alg == "EdDSA" {
		return ed25519.Sign(priv.(ed25519.PrivateKey), input)
	}
	h := algHash[alg]
	if secret, ok := priv.([]byte); ok {
		mac := hmac.New(h.New, secret)
		mac.Write(input)
		return mac.Sum(nil)
	}
	d := h.New()
	d.Write(input)
	digest := d.Sum(nil)
	var sig []byte
	var err error
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		if alg[0] == 'P' {
			salt := rsa.PSSSaltLengthEqualsHash
			if maxSalt {
				salt = rsa.PSSSaltLengthAuto
			}
			sig, err = rsa.SignPSS(rand.Reader, k, h, digest, &rsa.PSSOptions{SaltLength: salt})
		} else {
			sig, err = rsa.SignPKCS1v15(nil, k, h, digest)
		}
	case *ecdsa.PrivateKey:
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, k, digest)
		if err == nil {
			size := (k.Curve.Params().BitSize + 7) / 8
			sig = append(r.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// signedToken builds a compact JWS of any header and payload bytes.
func signedToken(t testing.TB, alg string, header, payload []byte, maxSalt bool) string {
	t.Helper()
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(signInput(t, alg, parityKey(alg), []byte(input), maxSalt))
}

// FuzzJWSParity holds verifyWith to go-jose: tokens with fuzzed headers and payloads,
// correctly signed for each alg, and fuzzed compact tokens (seeded with go-jose's)
// checked against every alg's key.
func FuzzJWSParity(f *testing.F) {
	algs := supportedAlgs()
	claims := []byte(`{"iss":"https://idp.example.com/","sub":"user-42","exp":1800000000}`)
	for i, alg := range algs {
		hdr := []byte(`{"alg":"` + alg + `","typ":"JWT","kid":"k1"}`)
		tok := signJOSE(f, jose.SignatureAlgorithm(alg), parityKey(alg), "k1", verifyClaims)
		f.Add(uint8(i), hdr, claims, tok)
	}
	ps := uint8(3) // PS256
	for _, hdr := range []string{
		`{"alg":"PS256","crit":["exp"],"exp":1}`, `{"alg":"PS256","crit":[]}`, `{"alg":"PS256","crit":null}`,
		`{"alg":"PS256","crit":["b64"],"b64":false}`, `{"alg":"PS256","b64":false}`, `{"alg":"PS256","b64":true}`, `{"alg":"PS256","b64":null}`,
		`{"alg":"PS256","alg":"PS256"}`, `{"alg":"PS256","x":{"a":1,"a":2}}`, `{"alg":"PS256","x":1e400}`, `{"ALG":"PS256"}`,
		`{"alg":"PS256","kid":7}`, `{"alg":"PS256","kid":null,"nonce":"n"}`, `{"alg":"PS256","nonce":[]}`,
		`{"alg":"PS256","x5c":[]}`, `{"alg":"PS256","x5c":["AAAA"]}`, `{"alg":"PS256","x5c":null}`,
		`{"alg":"PS256","jwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}`,
		`{"alg":"PS256","jwk":{"kty":"oct","k":"AQAB"}}`, `{"alg":"PS256","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB","d":""}}`,
		`{"alg":"PS256","jwk":null}`, `{"alg":"PS256","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB","z":{"a":1,"a":2}}}`,
		`{"alg":"PS384"}`, `{"alg":"HS256"}`, `{}`, `null`, `[]`, ``, `{"alg":"PS256"} x`,
	} {
		f.Add(ps, []byte(hdr), claims, "")
		f.Add(ps|0x80, []byte(hdr), []byte{}, "")
	}
	rs := signJOSE(f, jose.RS256, parityKey("RS256"), "", verifyClaims)
	segs := strings.Split(rs, ".")
	for _, tok := range []string{
		segs[0] + "==." + segs[1] + "." + segs[2], segs[0] + "." + segs[1] + "." + segs[2] + "=",
		segs[0] + "\n." + segs[1] + "." + segs[2], strings.ReplaceAll(rs, "-", "+"), rs + ".", segs[0] + "." + segs[1],
		segs[0][:len(segs[0])-1] + "N." + segs[1] + "." + segs[2], // non-zero trailing bits
	} {
		f.Add(uint8(0), []byte(`{"alg":"RS256"}`), claims, tok)
	}
	f.Fuzz(func(t *testing.T, choice uint8, header, payload []byte, raw string) {
		alg := algs[int(choice&0x7f)%len(algs)]
		tok := signedToken(t, alg, header, payload, choice&0x80 != 0)
		checkJWSParity(t, tok, alg, publicOf(parityKey(alg)))
		if raw == "" {
			return
		}
		for _, alg := range algs {
			checkJWSParity(t, raw, alg, publicOf(parityKey(alg)))
		}
	})
}

// FuzzJWKParity holds parseJWK to go-jose's JSONWebKey.UnmarshalJSON and Valid, both
// ways: the same JWKs are usable, with the same key and members; and the same JWKs are
// accepted as a token header's public "jwk".
func FuzzJWKParity(f *testing.F) {
	k := testKeys()
	for _, jk := range []jose.JSONWebKey{
		{Key: k["rsa"].Public(), KeyID: "k1", Algorithm: "RS256", Use: "sig"}, {Key: k["rsa"]},
		{Key: k["p256"].Public(), KeyID: "k2"}, {Key: k["p384"]}, {Key: k["p521"].Public()}, {Key: k["p521"]},
		{Key: k["ed25519"].Public(), Use: "enc"}, {Key: k["ed25519"]}, {Key: hmacSecret, KeyID: "s1"},
	} {
		f.Add(mustJSON(f, jk))
	}
	for _, name := range []string{"rsa", "p256", "ed25519"} {
		cert := pemCert(f, k[name])
		f.Add([]byte(`{"kty":"x","x5c":["` + pemBody(cert) + `"]}`))
		f.Add(jwkWithCert(f, k[name], k[name]))
	}
	f.Add(jwkWithCert(f, k["rsa"], k["rsa-other"]))
	for _, s := range []string{
		`{"kty":"RSA","n":"AQ","e":"AQAB"}`, `{"kty":"RSA","n":"","e":"AQAB"}`, `{"kty":"RSA","n":null,"e":"AQAB"}`,
		`{"kty":"RSA","n":"AQAB","e":"AQ"}`, `{"kty":"RSA","n":"AQAB","e":"AA"}`, `{"kty":"RSA","n":"AQAB","e":"f_____________"}`,
		`{"kty":"RSA","n":"AQAB","e":"AQAB","d":""}`, `{"kty":"RSA","n":"AQAB","e":"AQAB","d":null}`, `{"kty":"RSA","n":"AQ==","e":"AQAB"}`,
		`{"kty":"RSA","n":"AQ\nAB","e":"AQAB"}`, `{"KTY":"RSA","n":"AQAB","e":"AQAB"}`, `{"kty":"RSA","n":"AQAB","e":"AQAB","e":"AQAB"}`,
		`{"kty":"RSA","n":"AQAB","e":"AQAB","z":{"a":1,"a":2}}`, `{"kty":"RSA","n":"AQAB","e":"AQAB","kid":7}`,
		`{"kty":"RSA","n":"AQAB","e":"AQAB","x5t":"AQ"}`, `{"kty":"RSA","n":"AQAB","e":"AQAB","x5u":"%zz"}`,
		`{"kty":"RSA","n":"AQAB","e":"AQAB","x5c":[null]}`, `{"kty":"RSA","n":"AQAB","e":"AQAB","pub":5}`,
		`{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`, `{"kty":"EC","crv":"P-256"}`, `{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIA"}`,
		`{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`,
		`{"kty":"oct","k":""}`, `{"kty":"oct"}`, `{"kty":"AKP","alg":"ML-DSA-44","pub":"AQAB"}`, `{"kty":""}`, `{}`, `null`, `[]`, `7`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mine, err := parseJWK(data, true)
		jk, theirs := joseJWK(data)
		switch {
		case err == nil && theirs == nil:
			t.Fatalf("tokctl uses JWK %s, go-jose does not", data)
		case err != nil && theirs != nil:
			t.Fatalf("go-jose uses JWK %s, tokctl does not: %v", data, err)
		case err == nil:
			if !sameKey(mine.pub, theirs) || !sameKey(theirs, mine.pub) {
				t.Fatalf("JWK %s: tokctl reads %#v, go-jose %#v", data, mine.pub, theirs)
			}
			if mine.kid != jk.KeyID || mine.alg != jk.Algorithm || mine.use != jk.Use {
				t.Fatalf("JWK %s: tokctl reads kid, alg, use %q %q %q; go-jose %q %q %q", data, mine.kid, mine.alg, mine.use, jk.KeyID, jk.Algorithm, jk.Use)
			}
		}
		if json.Valid(data) {
			header := append(append([]byte(`{"alg":"HS256","jwk":`), data...), '}')
			checkJWSParity(t, signedToken(t, "HS256", header, []byte(`{}`), false), "HS256", hmacSecret)
		}
	})
}

// pemBody is the base64 of a PEM file's single block, as x5c wants it.
func pemBody(p []byte) string {
	var body []string
	for _, line := range strings.Split(string(p), "\n") {
		if line != "" && !strings.HasPrefix(line, "-----") {
			body = append(body, line)
		}
	}
	return strings.Join(body, "")
}

// jwkWithCert is the public JWK of key with x5c holding a certificate for certKey.
func jwkWithCert(t testing.TB, key, certKey crypto.Signer) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(mustJSON(t, jose.JSONWebKey{Key: key.Public()}), &m); err != nil {
		t.Fatal(err)
	}
	m["x5c"] = []string{pemBody(pemCert(t, certKey))}
	return mustJSON(t, m)
}
