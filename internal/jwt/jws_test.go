package jwt

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// TestSignedTokenParity checks FuzzJWSParity's signer: what it signs, both verifiers verify.
func TestSignedTokenParity(t *testing.T) {
	for _, alg := range supportedAlgs() {
		for _, maxSalt := range []bool{false, true} {
			tok := signedToken(t, alg, []byte(`{"alg":"`+alg+`"}`), []byte(`{"sub":"x"}`), maxSalt)
			pub := publicOf(parityKey(alg))
			if err := verifyWith(tok, alg, key{pub: pub}); err != nil || !joseVerifies(tok, alg, pub) {
				t.Errorf("%s (max salt %v): tokctl %v, go-jose verifies %v", alg, maxSalt, err, joseVerifies(tok, alg, pub))
			}
		}
	}
}

// TestVerifyJWSEdges covers what the standard-library verifier refuses or accepts at
// the edges, and whether go-jose, tokctl's former verifier, did the same.
func TestVerifyJWSEdges(t *testing.T) {
	k := testKeys()
	rsaPub := k["rsa"].Public()
	p256 := publicOf(k["p256"])
	hs := func(header string) string {
		return signedToken(t, "HS256", []byte(header), []byte(`{"sub":"x"}`), false)
	}
	hsSegs := strings.Split(hs(`{"alg":"HS256"}`), ".")
	es256 := signJOSE(t, jose.ES256, k["p256"], "", verifyClaims)
	esSegs := strings.Split(es256, ".")
	esSig, _ := base64.RawURLEncoding.DecodeString(esSegs[2])
	withSig := func(segs []string, sig []byte) string {
		return segs[0] + "." + segs[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	der := asn1Sig(new(big.Int).SetBytes(esSig[:32]), new(big.Int).SetBytes(esSig[32:]))

	tests := []struct {
		name    string
		token   string
		alg     string
		pub     any
		wantErr error  // errors.Is target; nil with wantMsg "" means verified
		wantMsg string // substring of the reason
		jose    bool   // go-jose verified it
	}{
		{name: "HS256", token: hs(`{"alg":"HS256"}`), alg: "HS256", pub: hmacSecret, jose: true},
		{name: "padded payload", token: hsSegs[0] + "." + hsSegs[1] + "=." + hsSegs[2], alg: "HS256", pub: hmacSecret, wantMsg: "the token is not a valid JWS: the payload is not base64url without padding"},
		{name: "padded signature", token: strings.Join(hsSegs, ".") + "=", alg: "HS256", pub: hmacSecret, wantMsg: "the signature is not base64url without padding"},
		{name: "standard base64 alphabet", token: strings.NewReplacer("-", "+", "_", "/").Replace(stdAlphabetToken(t)), alg: "HS256", pub: hmacSecret, wantMsg: "not base64url without padding"},
		// go-jose decoded with non-zero trailing bits and re-encoded; tokctl wants the one encoding.
		{name: "non-canonical signature encoding", token: hsSegs[0] + "." + hsSegs[1] + "." + flipTrailingBit(hsSegs[2]), alg: "HS256", pub: hmacSecret, wantMsg: "the signature is not base64url without padding", jose: true},
		{name: "line break in a segment", token: hsSegs[0] + "\n." + hsSegs[1] + "." + hsSegs[2], alg: "HS256", pub: hmacSecret, wantMsg: "the header is not base64url without padding", jose: true},
		{name: "two segments", token: hsSegs[0] + "." + hsSegs[1], alg: "HS256", pub: hmacSecret, wantMsg: "2 dot-separated segments, want 3"},

		{name: "ES256", token: es256, alg: "ES256", pub: p256, jose: true},
		{name: "ES256 signature one byte short", token: withSig(esSegs, esSig[:63]), alg: "ES256", pub: p256, wantErr: ErrBadSignature},
		{name: "ES256 signature one byte long", token: withSig(esSegs, append([]byte{0}, esSig...)), alg: "ES256", pub: p256, wantErr: ErrBadSignature},
		{name: "ES256 signature in ASN.1", token: withSig(esSegs, der), alg: "ES256", pub: p256, wantErr: ErrBadSignature},
		{name: "ES256 signature with s = 0", token: withSig(esSegs, append(esSig[:32:32], make([]byte, 32)...)), alg: "ES256", pub: p256, wantErr: ErrBadSignature},

		{name: "crit naming an extension", token: signCrit(t, k["rsa"]), alg: "RS256", pub: rsaPub, wantErr: ErrCritical},
		{name: "crit empty", token: hs(`{"alg":"HS256","crit":[]}`), alg: "HS256", pub: hmacSecret, wantErr: ErrCritical, jose: true},
		{name: "crit null", token: hs(`{"alg":"HS256","crit":null}`), alg: "HS256", pub: hmacSecret, wantErr: ErrCritical, jose: true},
		{name: "crit b64 true", token: hs(`{"alg":"HS256","crit":["b64"],"b64":true}`), alg: "HS256", pub: hmacSecret, wantErr: ErrCritical, jose: true},
		{name: "crit b64 false", token: hs(`{"alg":"HS256","crit":["b64"],"b64":false}`), alg: "HS256", pub: hmacSecret, wantErr: ErrCritical},
		{name: "crit not a list", token: hs(`{"alg":"HS256","crit":"exp"}`), alg: "HS256", pub: hmacSecret, wantErr: ErrCritical},
		{name: "b64 false without crit", token: hs(`{"alg":"HS256","b64":false}`), alg: "HS256", pub: hmacSecret, wantErr: errUnencoded},
		{name: "b64 true", token: hs(`{"alg":"HS256","b64":true}`), alg: "HS256", pub: hmacSecret, jose: true},

		{name: "header alg differs from the alg checked", token: hs(`{"alg":"HS256"}`), alg: "HS384", pub: hmacSecret, wantMsg: `the header's alg is "HS256", not HS384`},
		{name: "header alg not a string", token: hs(`{"alg":["HS256"]}`), alg: "HS256", pub: hmacSecret, wantMsg: "the header has no alg string"},
		{name: "header alg in capitals", token: hs(`{"ALG":"HS256"}`), alg: "HS256", pub: hmacSecret, wantMsg: "the header has no alg string"},
		{name: "header alg twice", token: hs(`{"alg":"HS256","alg":"HS256"}`), alg: "HS256", pub: hmacSecret, wantMsg: `the header: member "alg" occurs twice`},
		{name: "header member repeated inside a value", token: hs(`{"alg":"HS256","x":[{"a":1,"a":2}]}`), alg: "HS256", pub: hmacSecret, wantMsg: `member "a" occurs twice`},
		{name: "header number beyond float64", token: hs(`{"alg":"HS256","x":1e400}`), alg: "HS256", pub: hmacSecret, wantMsg: "not readable JSON"},
		{name: "header with data after the object", token: hs(`{"alg":"HS256"} {}`), alg: "HS256", pub: hmacSecret, wantMsg: "the header: not a JSON object"},
		{name: "header kid not a string", token: hs(`{"alg":"HS256","kid":7}`), alg: "HS256", pub: hmacSecret, wantMsg: `the header's "kid" is not a string`},
		{name: "header kid null", token: hs(`{"alg":"HS256","kid":null}`), alg: "HS256", pub: hmacSecret, jose: true},
		{name: "header x5c not certificates", token: hs(`{"alg":"HS256","x5c":["AAAA"]}`), alg: "HS256", pub: hmacSecret, wantMsg: "the header's x5c holds an unreadable certificate"},
		{name: "header jwk public", token: hs(`{"alg":"HS256","jwk":` + string(mustJSON(t, jose.JSONWebKey{Key: p256})) + `}`), alg: "HS256", pub: hmacSecret, jose: true},
		{name: "header jwk private", token: hs(`{"alg":"HS256","jwk":` + string(mustJSON(t, jose.JSONWebKey{Key: k["p256"]})) + `}`), alg: "HS256", pub: hmacSecret, wantMsg: `the header's jwk is not a public JWK: a private member "d"`},
		{name: "header jwk symmetric", token: hs(`{"alg":"HS256","jwk":{"kty":"oct","k":"c2VjcmV0"}}`), alg: "HS256", pub: hmacSecret, wantMsg: "not a public JWK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := joseVerifies(tt.token, tt.alg, tt.pub); got != tt.jose {
				t.Errorf("go-jose verifies: %v, want %v", got, tt.jose)
			}
			err := verifyWith(tt.token, tt.alg, key{pub: tt.pub})
			if tt.wantErr == nil && tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("verifyWith: %v, want verified", err)
				}
				return
			}
			if err == nil {
				t.Fatal("verifyWith verified, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line containing %q", err, tt.wantMsg)
			}
		})
	}
}

// stdAlphabetToken is an HS256 token whose segments hold - or _, so that the standard
// alphabet's + and / replace them.
func stdAlphabetToken(t *testing.T) string {
	for i := 0; ; i++ {
		tok := signedToken(t, "HS256", []byte(`{"alg":"HS256"}`), []byte(`{"n":`+strings.Repeat("1", i+1)+`}`), false)
		if strings.ContainsAny(tok, "-_") {
			return tok
		}
	}
}

// flipTrailingBit changes the last character of an unpadded base64url segment whose
// length leaves spare bits, keeping the bytes it decodes to.
func flipTrailingBit(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last^1])
}

// asn1Sig is an ECDSA signature as ecdsa.SignASN1 writes it, an ASN.1 SEQUENCE of two
// INTEGERs: the wrong form for a JWS.
func asn1Sig(r, s *big.Int) []byte {
	enc := func(n *big.Int) []byte {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return append([]byte{0x02, byte(len(b))}, b...)
	}
	body := append(enc(r), enc(s)...)
	return append([]byte{0x30, byte(len(body))}, body...)
}

// TestPSSSaltLengths: a PS token verifies whatever its salt length, as with go-jose,
// which verified with crypto/rsa's PSSSaltLengthAuto.
func TestPSSSaltLengths(t *testing.T) {
	priv := testKeys()["rsa"].(*rsa.PrivateKey)
	for _, alg := range []string{"PS256", "PS384", "PS512"} {
		for _, salt := range []int{rsa.PSSSaltLengthEqualsHash, rsa.PSSSaltLengthAuto, 20, 1} {
			input := b64(`{"alg":"`+alg+`"}`) + "." + b64(`{"sub":"x"}`)
			h := algHash[alg]
			d := h.New()
			d.Write([]byte(input))
			sig, err := rsa.SignPSS(rand.Reader, priv, h, d.Sum(nil), &rsa.PSSOptions{SaltLength: salt})
			if err != nil {
				t.Fatal(err)
			}
			tok := input + "." + base64.RawURLEncoding.EncodeToString(sig)
			err = verifyWith(tok, alg, key{pub: &priv.PublicKey})
			if err != nil || !joseVerifies(tok, alg, &priv.PublicKey) {
				t.Errorf("%s salt %d: tokctl %v, go-jose verifies %v; want both to verify", alg, salt, err, joseVerifies(tok, alg, &priv.PublicKey))
			}
			// The same signature under the PKCS #1 v1.5 alg of that hash is not a signature.
			rs := "RS" + alg[2:]
			rsTok := b64(`{"alg":"`+rs+`"}`) + "." + b64(`{"sub":"x"}`) + "." + base64.RawURLEncoding.EncodeToString(sig)
			if err := verifyWith(rsTok, rs, key{pub: &priv.PublicKey}); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s signature as %s: %v, want ErrBadSignature", alg, rs, err)
			}
		}
	}
}

// TestKeyEdges covers keys refused or used: RSA under 1024 bits, EC points off the
// curve, small-order Ed25519 keys, x5c that does or does not match.
func TestKeyEdges(t *testing.T) {
	k := testKeys()
	rs256 := signJOSE(t, jose.RS256, k["rsa"], "", verifyClaims)
	es256 := signJOSE(t, jose.ES256, k["p256"], "", verifyClaims)

	small := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 511), E: 65537}
	small.N.Add(small.N, big.NewInt(1))
	smallJWK := mustJSON(t, jose.JSONWebKey{Key: small})
	for name, data := range map[string][]byte{"JWK": smallJWK, "PEM": pemPKIX(t, small)} {
		ks, err := ParseKey(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := verifyToken(t, rs256, ks); err == nil || !strings.Contains(err.Error(), "the RSA key is 512 bits, too small to trust: tokctl needs at least 1024") {
			t.Errorf("%s: a 512-bit key: %v", name, err)
		}
	}

	// An EC point moved off the curve: both go-jose and tokctl refuse the JWK.
	var offCurve map[string]any
	if err := json.Unmarshal(mustJSON(t, jose.JSONWebKey{Key: k["p256"].Public(), KeyID: "k2"}), &offCurve); err != nil {
		t.Fatal(err)
	}
	y, _ := base64.RawURLEncoding.DecodeString(offCurve["y"].(string))
	y[len(y)-1] ^= 1
	offCurve["y"] = base64.RawURLEncoding.EncodeToString(y)
	data := mustJSON(t, offCurve)
	if _, pub := joseJWK(data); pub != nil {
		t.Errorf("go-jose takes the point off the curve")
	}
	if _, err := ParseJWKS(data); err == nil || !strings.Contains(err.Error(), `key "k2" of type "EC" is not a usable JWK: x and y are not a point on the curve`) {
		t.Errorf("ParseJWKS(point off the curve) = %v", err)
	}
	shortX := strings.Replace(string(mustJSON(t, jose.JSONWebKey{Key: k["p256"].Public()})), `"x":"`, `"x":"AAAA`, 1)
	if _, err := ParseJWKS([]byte(shortX)); err == nil || !strings.Contains(err.Error(), "not 32 bytes long") {
		t.Errorf("ParseJWKS(x of 35 bytes) = %v", err)
	}

	// The identity point as an Ed25519 key verifies forged signatures: refused from a JWK
	// (as go-jose did) and from PEM (go-jose took it there).
	// The signature R = identity, s = 0 is valid under it for every message.
	identity := ed25519.PublicKey(append([]byte{1}, make([]byte, 31)...))
	forgery := append(append([]byte{1}, make([]byte, 31)...), make([]byte, 32)...)
	input := b64(`{"alg":"EdDSA"}`) + "." + b64(`{"sub":"admin"}`)
	forged := input + "." + base64.RawURLEncoding.EncodeToString(forgery)
	if !ed25519.Verify(identity, []byte(input), forgery) {
		t.Fatal("crypto/ed25519 refuses the forgery by itself; the test no longer shows why tokctl refuses the key")
	}
	if err := verifyToken(t, forged, mustParseKey(t, pemPKIX(t, identity))); !errors.Is(err, errLowOrderEd25519) {
		t.Errorf("low-order Ed25519 key from PEM: %v", err)
	}
	idJWK := []byte(`{"kty":"OKP","crv":"Ed25519","x":"` + base64.RawURLEncoding.EncodeToString(identity) + `"}`)
	if _, err := ParseJWKS(idJWK); err == nil || !strings.Contains(err.Error(), "small order") {
		t.Errorf("low-order Ed25519 JWK: %v", err)
	}

	// x5c: the certificate's key must be the JWK's (RFC 7517 §4.7), as go-jose required.
	for name, tc := range map[string]struct {
		data  []byte
		token string
		ok    bool
	}{
		"RSA matching x5c":   {jwkWithCert(t, k["rsa"], k["rsa"]), rs256, true},
		"EC matching x5c":    {jwkWithCert(t, k["p256"], k["p256"]), es256, true},
		"RSA x5c of another": {jwkWithCert(t, k["rsa"], k["rsa-other"]), rs256, false},
		"EC x5c of RSA":      {jwkWithCert(t, k["p256"], k["rsa"]), es256, false},
	} {
		if _, pub := joseJWK(tc.data); (pub != nil) != tc.ok {
			t.Errorf("%s: go-jose takes it: %v, want %v", name, pub != nil, tc.ok)
		}
		ks, err := ParseJWKS(tc.data)
		if !tc.ok {
			if err == nil || !strings.Contains(err.Error(), "the key and its x5c certificate differ") {
				t.Errorf("%s: ParseJWKS = %v", name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := verifyToken(t, tc.token, ks); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// Private JWKs: their public half, once d and the rest are consistent.
	for _, name := range []string{"rsa", "p384", "ed25519"} {
		ks := mustParseJWKS(t, mustJSON(t, jose.JSONWebKey{Key: k[name]}))
		if !sameKey(ks.keys[0].pub, k[name].Public()) {
			t.Errorf("private %s JWK: public key %T differs", name, ks.keys[0].pub)
		}
	}
	var wrongD map[string]any
	if err := json.Unmarshal(mustJSON(t, jose.JSONWebKey{Key: k["ed25519"]}), &wrongD); err != nil {
		t.Fatal(err)
	}
	wrongD["d"] = base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	if _, err := ParseJWKS(mustJSON(t, wrongD)); err == nil || !strings.Contains(err.Error(), "x does not belong to d") {
		t.Errorf("Ed25519 JWK whose d is another key's: %v", err)
	}
}

// TestJWKRefusals lists JWKs refused, each also refused by go-jose.
func TestJWKRefusals(t *testing.T) {
	for _, tt := range []struct{ jwk, want string }{
		{`{"kty":"RSA","n":"AQAB","e":"AQ"}`, "exponent e out of range"},
		{`{"kty":"RSA","n":"AQAB","e":""}`, "exponent e out of range"},
		{`{"kty":"RSA","n":"AQAB","e":"AQAAAAAAAAAA"}`, "exponent e out of range"},
		{`{"kty":"RSA","n":"AQAB"}`, "no n or e"},
		{`{"kty":"RSA","n":"` + strings.Repeat("_", 684) + `","e":"AQAB"}`, "modulus over 4096 bits"},
		{`{"kty":"RSA","n":"AQAB","e":"AQAB","d":""}`, "without p or q"},
		{`{"kty":"RSA","n":"AQ==","e":"AQAB"}`, `"n" is not base64url without padding`},
		{`{"kty":"RSA","n":7,"e":"AQAB"}`, `"n" is not a string`},
		{`{"kty":"RSA","n":"AQAB","e":"AQAB","kid":7}`, `"kid" is not a string`},
		{`{"kty":"RSA","n":"AQAB","e":"AQAB","e":"AQAB"}`, `member "e" occurs twice`},
		{`{"KTY":"RSA","n":"AQAB","e":"AQAB"}`, "no kty"},
		{`{"kty":"RSA","n":"AQAB","e":"AQAB","x5t":"AQ"}`, "x5t is not a digest"},
		{`{"kty":"RSA","n":"AQAB","e":"AQAB","x5u":"%zz"}`, "x5u is not a URL"},
		{`{"kty":"RSA","n":"AQAB","e":"AQAB","x5c":[null]}`, "unreadable certificate"},
		{`{"kty":"EC","crv":"P-256"}`, "no x or y"},
		{`{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}`, "a key type or curve tokctl does not verify with"},
		{`{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`, "a key type or curve"},
		{`{"kty":"oct","k":""}`, "no k"},
		{`{"kty":"oct","k":"c2VjcmV0","x5c":[]}`, ""},
	} {
		_, theirs := joseJWK([]byte(tt.jwk))
		_, err := parseJWK([]byte(tt.jwk), true)
		if tt.want == "" { // taken by both
			if err != nil || theirs == nil {
				t.Errorf("%s: tokctl %v, go-jose takes it %v", tt.jwk, err, theirs != nil)
			}
			continue
		}
		if theirs != nil {
			t.Errorf("%s: go-jose takes it", tt.jwk)
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.jwk, err, tt.want)
		}
	}
}

func verifyToken(t *testing.T, raw string, ks *Keys) error {
	t.Helper()
	tok, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Verify(ks)
}
