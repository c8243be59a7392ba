package fakeprovider

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// assertionFor signs claims with the demo client's key (go-jose), as a
// well-behaved client would, with edits applied to the claims.
func assertionFor(t *testing.T, s *Server, client string, edit func(map[string]any)) string {
	t.Helper()
	block, _ := pem.Decode([]byte(OIDCKeyP256PEM))
	key, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	now := s.now()
	claims := map[string]any{"iss": client, "sub": client, "aud": s.OIDCIssuer() + "/token", "jti": newUUID(),
		"iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix()}
	if edit != nil {
		edit(claims)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: ClientKeyID(client)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func ccWithAssertion(client, a string) req {
	return req{method: http.MethodPost, path: "/oidc/token", contentType: formType, body: url.Values{
		"grant_type": {"client_credentials"}, "client_id": {client},
		"client_assertion_type": {clientAssertionType}, "client_assertion": {a},
	}.Encode()}
}

func TestClientAssertion(t *testing.T) {
	s := StartTest(t, Options{})
	c := OIDCKeyP256ClientID
	good := assertionFor(t, s, c, nil)
	wantStatus(t, do(t, s, ccWithAssertion(c, good)), 200)
	// The same assertion again is a replay.
	r := do(t, s, ccWithAssertion(c, good))
	wantStatus(t, r, 401)
	if !strings.Contains(r.raw, "invalid_client") || !strings.Contains(r.raw, "replay") {
		t.Errorf("replay: %s", r.raw)
	}
	for name, edit := range map[string]func(map[string]any){
		"expired":          func(m map[string]any) { m["exp"] = s.now().Add(-time.Second).Unix() },
		"exp too far":      func(m map[string]any) { m["exp"] = s.now().Add(6 * time.Minute).Unix() },
		"no exp":           func(m map[string]any) { delete(m, "exp") },
		"no jti":           func(m map[string]any) { delete(m, "jti") },
		"wrong aud":        func(m map[string]any) { m["aud"] = "https://elsewhere.example/token" },
		"iss not client":   func(m map[string]any) { m["iss"] = "someone" },
		"sub not client":   func(m map[string]any) { m["sub"] = "someone" },
		"aud array ok too": nil,
	} {
		t.Run(name, func(t *testing.T) {
			if edit == nil {
				a := assertionFor(t, s, c, func(m map[string]any) { m["aud"] = []string{"x", s.OIDCIssuer() + "/token"} })
				wantStatus(t, do(t, s, ccWithAssertion(c, a)), 200)
				return
			}
			r := do(t, s, ccWithAssertion(c, assertionFor(t, s, c, edit)))
			wantStatus(t, r, 401)
		})
	}
	// Signed by the P-256 key, presented for the RSA client: refused.
	wantStatus(t, do(t, s, ccWithAssertion(OIDCKeyRSAClientID, assertionFor(t, s, OIDCKeyRSAClientID, nil))), 401)
	// A key client may not use a secret method or none.
	r = do(t, s, req{method: http.MethodPost, path: "/oidc/token", contentType: formType,
		body: url.Values{"grant_type": {"client_credentials"}, "client_id": {c}}.Encode()})
	wantStatus(t, r, 400)
	// A secret alongside the assertion is a malformed request.
	both := ccWithAssertion(c, assertionFor(t, s, c, nil))
	both.body += "&client_secret=x"
	wantStatus(t, do(t, s, both), 400)
}

func TestGitHubIDTokenEndpoint(t *testing.T) {
	s := StartTest(t, Options{})
	get := func(path, token string) reply {
		return do(t, s, req{method: http.MethodGet, path: path, header: []string{"Authorization", "Bearer " + token}})
	}
	wantStatus(t, get("/github/idtoken?api-version=2.0&audience=x", "wrong"), 401)
	wantStatus(t, get("/github/idtoken?audience=x", GitHubRequestToken), 400) // the URL's own query was dropped
	r := get("/github/idtoken?api-version=2.0&audience="+url.QueryEscape(FederatedAudience), GitHubRequestToken)
	wantStatus(t, r, 200)
	tok, _ := r.body["value"].(string)
	if fail := s.verifyCIToken(tok); fail != nil {
		t.Fatalf("its own token: %s", fail.desc)
	}
	// Federated client: the CI token is the assertion, and may be used again
	// while it is valid (as Entra ID allows).
	for range 2 {
		wantStatus(t, do(t, s, ccWithAssertion(OIDCFederatedClientID, tok)), 200)
	}
	s.ExpireCITokens(1)
	r = get("/github/idtoken?api-version=2.0&audience="+url.QueryEscape(FederatedAudience), GitHubRequestToken)
	expired, _ := r.body["value"].(string)
	wantStatus(t, do(t, s, ccWithAssertion(OIDCFederatedClientID, expired)), 401)
	other, _ := s.IssueCIToken("api://other", time.Minute)
	wantStatus(t, do(t, s, ccWithAssertion(OIDCFederatedClientID, other)), 401)
}
