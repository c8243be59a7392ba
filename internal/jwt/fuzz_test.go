package jwt

import (
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func FuzzParse(f *testing.F) {
	simple := b64(`{"alg":"none"}`) + "." + b64(`{"sub":"x","exp":1800000000,"nbf":0,"scope":"a b"}`) + ".sig"
	k := testKeys()
	for _, seed := range []string{
		tiliaToken(f), jweSample, simple,
		"Bearer " + simple, "Authorization: Bearer " + simple, " \n" + simple + "\n", `"` + simple + `"`,
		"", " ", "opaque", "a.b", "a.b.c.d", "a.b.c.d.e", "eyJ!.e30.x", "e30.eyJ*.x",
		b64(`[]`) + ".e30.", "e30." + b64(`nope`) + ".", "e30." + b64(`{"exp":1e400,"iat":-1e30,"nbf":"x"}`) + ".",
		"e30." + b64(`{"scp":[1,"a"],"scopes":"x,y"}`) + ".", "e30." + b64("{\"\x1b\":\"\u202e\"}") + ".",
		// Signed tokens reach the verifier: each alg family, a kid, crit, a confused alg.
		signJOSE(f, jose.RS256, k["rsa"], "k1", verifyClaims), signJOSE(f, jose.PS512, k["rsa"], "", verifyClaims),
		signJOSE(f, jose.ES256, k["p256"], "k2", verifyClaims), signJOSE(f, jose.EdDSA, k["ed25519"], "", verifyClaims),
		signJOSE(f, jose.HS256, hmacSecret, "s1", verifyClaims), signCrit(f, k["rsa"]),
		b64(`{"alg":"HS256","kid":"k1"}`) + "." + b64(`{}`) + ".c2ln", b64(`{"alg":["RS256"],"kid":7}`) + ".e30.c2ln",
	} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	keySets := []*Keys{
		mustParseKey(f, pemPKIX(f, k["rsa"].Public())),
		mustParseSecret(f, hmacSecret),
		mustParseJWKS(f, jwksJSON(f,
			jose.JSONWebKey{Key: k["rsa"].Public(), KeyID: "k1"},
			jose.JSONWebKey{Key: k["p256"].Public(), KeyID: "k2"},
			jose.JSONWebKey{Key: hmacSecret, KeyID: "s1"})),
	}
	f.Fuzz(func(t *testing.T, input string) {
		tok, err := Parse(input)
		if err != nil {
			if tok != nil {
				t.Fatalf("token and error both returned")
			}
			if n := len(err.Error()); n > 200 {
				t.Fatalf("error message is %d bytes long: %q", n, err)
			}
			return
		}
		_ = tok.Scopes()
		_ = tok.Verdict(now)
		for _, ks := range append(keySets, nil) {
			err := tok.Verify(ks)
			if (err == nil) != tok.Signature.Verified {
				t.Fatalf("Verify returned %v but recorded %+v", err, tok.Signature)
			}
			if err != nil && !errors.Is(err, tok.Signature.Err) {
				t.Fatalf("Verify returned %v, not the recorded reason %v", err, tok.Signature.Err)
			}
		}
	})
}

// FuzzParseKeys feeds --key and --jwks content, which may come from a web server.
func FuzzParseKeys(f *testing.F) {
	k := testKeys()
	for _, seed := range [][]byte{
		pemPKIX(f, k["rsa"].Public()), pemPKIX(f, k["p256"].Public()), pemPKIX(f, k["ed25519"].Public()), pemCert(f, k["p384"]),
		jwksJSON(f, jose.JSONWebKey{Key: k["rsa"].Public(), KeyID: "k1"}, jose.JSONWebKey{Key: k["p521"].Public()}),
		jwksJSON(f, jose.JSONWebKey{Key: hmacSecret, KeyID: "s1", Use: "sig", Algorithm: "HS256"}),
		[]byte(`{"keys":[{"kty":"XYZ"},{"kty":"RSA","n":"AQ","e":"AQAB"},{"kty":"EC","crv":"P-256"},null,7]}`),
		[]byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`),
		hmacSecret, []byte(""), []byte("-----BEGIN "), []byte("ssh-rsa AAAA"), []byte("{"),
	} {
		f.Add(seed)
	}
	tok, err := Parse(signJOSE(f, jose.RS256, k["rsa"], "k1", verifyClaims))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte) (*Keys, error){ParseKey, ParseJWKS} {
			ks, err := parse(data)
			if (ks == nil) == (err == nil) {
				t.Fatalf("keys %v and error %v: want exactly one", ks, err)
			}
			if err == nil {
				_ = tok.Verify(ks)
			}
		}
	})
}
