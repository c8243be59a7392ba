package jwt

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func TestVerifyIDToken(t *testing.T) {
	k := testKeys()
	now := time.Unix(1_800_000_000, 0)
	const issuer = "https://idp.example.com/realm"
	keys := mustParseJWKS(t, jwksJSON(t,
		jose.JSONWebKey{Key: k["rsa"].Public(), KeyID: "k1", Algorithm: "RS256", Use: "sig"},
		jose.JSONWebKey{Key: k["p256"].Public(), KeyID: "k2", Algorithm: "ES256", Use: "sig"},
	))
	// claims are a valid ID token's, changed by edit.
	claims := func(edit func(c map[string]any)) map[string]any {
		c := map[string]any{"iss": issuer, "sub": "user-42", "aud": "cli", "exp": now.Add(time.Hour).Unix(),
			"iat": now.Unix(), "nonce": "n-0S6_WzA2Mj"}
		if edit != nil {
			edit(c)
		}
		return c
	}
	rs256 := func(edit func(c map[string]any)) string { return signJOSE(t, jose.RS256, k["rsa"], "k1", claims(edit)) }
	want := IDTokenCheck{Issuer: issuer, ClientID: "cli", Nonce: "n-0S6_WzA2Mj", Now: now}
	unsigned := b64(`{"alg":"none","kid":"k1"}`) + "." + b64(string(mustJSON(t, claims(nil)))) + "."

	tests := []struct {
		name    string
		raw     string
		want    func(w *IDTokenCheck)
		wantErr string // substring of the error; "" means valid
	}{
		{name: "valid", raw: rs256(nil)},
		{name: "valid ES256 with the second key", raw: signJOSE(t, jose.ES256, k["p256"], "k2", claims(nil))},
		{name: "aud array containing the client", raw: rs256(func(c map[string]any) { c["aud"] = []string{"api", "cli"}; c["azp"] = "cli" })},
		{name: "aud array of the client alone", raw: rs256(func(c map[string]any) { c["aud"] = []string{"cli"} })},
		{name: "aud array without the client", raw: rs256(func(c map[string]any) { c["aud"] = []string{"api", "other"} }), wantErr: "aud"},
		{name: "wrong aud", raw: rs256(func(c map[string]any) { c["aud"] = "other-client" }), wantErr: "not for this client"},
		{name: "aud missing", raw: rs256(func(c map[string]any) { delete(c, "aud") }), wantErr: "not for this client"},
		{name: "aud a number", raw: rs256(func(c map[string]any) { c["aud"] = 42 }), wantErr: "not for this client"},
		{name: "wrong issuer", raw: rs256(func(c map[string]any) { c["iss"] = "https://evil.example.com/realm" }), wantErr: "issued by"},
		{name: "issuer missing", raw: rs256(func(c map[string]any) { delete(c, "iss") }), wantErr: "issued by"},
		{name: "issuer is a prefix only", raw: rs256(func(c map[string]any) { c["iss"] = issuer + "2" }), wantErr: "issued by"},
		{name: "token issuer with a trailing slash", raw: rs256(func(c map[string]any) { c["iss"] = issuer + "/" }), wantErr: "issued by"},
		{name: "configured issuer with a trailing slash", raw: rs256(nil), want: func(w *IDTokenCheck) { w.Issuer = issuer + "/" }, wantErr: "issued by"},
		{name: "issuer in another case", raw: rs256(func(c map[string]any) { c["iss"] = strings.ToUpper(issuer) }), wantErr: "issued by"},
		{name: "no issuer to check against", raw: rs256(func(c map[string]any) { c["iss"] = "https://anyone.example.com" }), want: func(w *IDTokenCheck) { w.Issuer = "" }, wantErr: "no issuer"},
		{name: "azp equal to the client", raw: rs256(func(c map[string]any) { c["azp"] = "cli" })},
		{name: "azp of another client", raw: rs256(func(c map[string]any) { c["azp"] = "other" }), wantErr: "issued to another client"},
		{name: "azp not a string", raw: rs256(func(c map[string]any) { c["azp"] = 7 }), wantErr: "issued to another client"},
		{name: "several audiences without azp", raw: rs256(func(c map[string]any) { c["aud"] = []string{"cli", "api"} }), wantErr: "no azp"},
		{name: "several audiences, azp the client", raw: rs256(func(c map[string]any) { c["aud"] = []string{"cli", "api"}; c["azp"] = "cli" })},
		{name: "aud array with a number", raw: rs256(func(c map[string]any) { c["aud"] = []any{"cli", 7} }), wantErr: "not for this client"},
		{name: "no sub", raw: rs256(func(c map[string]any) { delete(c, "sub") }), wantErr: "no sub"},
		{name: "no iat", raw: rs256(func(c map[string]any) { delete(c, "iat") }), wantErr: "no iat"},
		{name: "iat an hour ahead", raw: rs256(func(c map[string]any) { c["iat"] = now.Add(time.Hour).Unix() }), wantErr: "in the future"},
		{name: "iat a minute ahead (clock skew)", raw: rs256(func(c map[string]any) { c["iat"] = now.Add(time.Minute).Unix() })},
		{name: "nbf an hour ahead", raw: rs256(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }), wantErr: "not valid before"},
		{name: "nbf passed", raw: rs256(func(c map[string]any) { c["nbf"] = now.Add(-time.Hour).Unix() })},
		{name: "expired", raw: rs256(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() }), wantErr: "expired"},
		{name: "expired exactly a minute ago", raw: rs256(func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() }), wantErr: "expired"},
		{name: "expired within the minute of leeway", raw: rs256(func(c map[string]any) { c["exp"] = now.Add(-30 * time.Second).Unix() })},
		{name: "no exp", raw: rs256(func(c map[string]any) { delete(c, "exp") }), wantErr: "no exp"},
		{name: "exp not a number", raw: rs256(func(c map[string]any) { c["exp"] = "tomorrow" }), wantErr: "no exp"},
		{name: "nonce mismatch", raw: rs256(func(c map[string]any) { c["nonce"] = "n-other" }), wantErr: "nonce"},
		{name: "nonce expected but absent", raw: rs256(func(c map[string]any) { delete(c, "nonce") }), wantErr: "nonce"},
		{name: "nonce expected, a number sent", raw: rs256(func(c map[string]any) { c["nonce"] = 7 }), want: func(w *IDTokenCheck) { w.Nonce = "7" }, wantErr: "nonce"},
		{name: "no nonce expected but present", raw: rs256(nil), want: func(w *IDTokenCheck) { w.Nonce = "" }},
		{name: "signed by another key with the same kid", raw: signJOSE(t, jose.RS256, k["rsa-other"], "k1", claims(nil)), wantErr: "signature"},
		{name: "unknown kid", raw: signJOSE(t, jose.RS256, k["rsa-other"], "k9", claims(nil)), wantErr: "no key"},
		{name: "payload altered after signing", raw: tamper(rs256(nil), string(mustJSON(t, claims(func(c map[string]any) { c["sub"] = "admin" })))), wantErr: "signature"},
		{name: "HS256 with the kid of an RSA key", raw: signHS256(t, map[string]any{"alg": "HS256", "kid": "k1"}, claims(nil), hmacSecret), wantErr: "signature"},
		{name: "alg none", raw: unsigned, wantErr: "unsigned"},
		{name: "alg None in another case", raw: strings.Replace(unsigned, b64(`{"alg":"none","kid":"k1"}`), b64(`{"alg":"None"}`), 1), wantErr: "unsigned"},
		{name: "JWE", raw: jweSample, wantErr: "encrypted"},
		{name: "garbage", raw: "this is not a token at all", wantErr: "not a JWT"},
		{name: "garbage with dots", raw: "abc.def.ghi", wantErr: "not a JWT"},
		{name: "four segments", raw: rs256(nil) + ".extra", wantErr: "not a JWT"},
		{name: "empty", raw: "", wantErr: "not a JWT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := want
			if tt.want != nil {
				tt.want(&w)
			}
			err := VerifyIDToken(tt.raw, keys, w)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("VerifyIDToken: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("VerifyIDToken succeeded, want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			assertNoLeak(t, tt.raw, err.Error())
		})
	}
}

func TestVerifyIDTokenNeedsKeys(t *testing.T) {
	k := testKeys()
	raw := signJOSE(t, jose.RS256, k["rsa"], "k1", map[string]any{"iss": "https://idp.example.com", "aud": "cli", "exp": time.Now().Add(time.Hour).Unix()})
	tests := []struct {
		name string
		keys *Keys
	}{
		{"nil keys", nil},
		{"empty key set", &Keys{set: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyIDToken(raw, tt.keys, IDTokenCheck{Issuer: "https://idp.example.com", ClientID: "cli", Now: time.Now()})
			if !errors.Is(err, ErrNoKey) {
				t.Fatalf("VerifyIDToken = %v, want ErrNoKey", err)
			}
			assertNoLeak(t, raw, err.Error())
		})
	}
}

func TestNewNonce(t *testing.T) {
	a, b := NewNonce(), NewNonce()
	if a == b || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(a) {
		t.Fatalf("NewNonce() = %q, %q", a, b)
	}
}
