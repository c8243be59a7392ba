package render

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/jwt"
)

// fakeNow is the fake provider's clock for the golden files: tokens issued then
// are rendered a minute later.
var fakeNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// fakeToken asks the fake provider for a token with the request shape the provider
// documents and returns the access_token.
func fakeToken(t *testing.T, srv *fakeprovider.Server, provider string) string {
	t.Helper()
	var req *http.Request
	var err error
	switch provider {
	case "tilia":
		form := url.Values{"client_id": {fakeprovider.TiliaClientID}, "client_secret": {fakeprovider.TiliaClientSecret},
			"grant_type": {"client_credentials"}, "scope": {"write_registrations,user_info"}}
		req, err = http.NewRequest(http.MethodPost, srv.URL()+"/tilia/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case "ils":
		body := `{"clientId":"` + fakeprovider.ILSClientID + `","clientSecret":"` + fakeprovider.ILSClientSecret + `"}`
		req, err = http.NewRequest(http.MethodPost, srv.URL()+"/ils/api/oauth/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	case "tiki":
		q := url.Values{"grant_type": {"client_credentials"}, "client_id": {fakeprovider.TikiClientID},
			"client_secret": {fakeprovider.TikiClientSecret}, "scope": {"read write"}}
		req, err = http.NewRequest(http.MethodGet, srv.URL()+"/tiki/api/oauth/access_token?"+q.Encode(), nil)
	case "oauth2":
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"openid profile api:read"}}
		req, err = http.NewRequest(http.MethodPost, srv.URL()+"/oauth2/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString(
			[]byte(fakeprovider.OAuth2BasicClientID+":"+fakeprovider.OAuth2BasicClientSecret)))
	case "tiltify":
		body := `{"grant_type":"client_credentials","client_id":"` + fakeprovider.TiltifyClientID +
			`","client_secret":"` + fakeprovider.TiltifyClientSecret + `","scope":"public"}`
		req, err = http.NewRequest(http.MethodPost, srv.URL()+"/tiltify/oauth/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	default:
		t.Fatalf("no request shape for %s", provider)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		AccessToken string `json:"access_token"`
		ILSToken    string `json:"accessToken"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &body) != nil {
		t.Fatalf("%s: HTTP %d: %s", provider, resp.StatusCode, raw)
	}
	if body.AccessToken == "" {
		body.AccessToken = body.ILSToken
	}
	if body.AccessToken == "" {
		t.Fatalf("%s: no access token in %s", provider, raw)
	}
	return body.AccessToken
}

// TestFakeProviderGolden decodes and verifies a real token from each fake provider that
// issues JWTs. The signatures are checked with the fake's public key before the random
// parts (the server's port in iss, jti) are replaced, so the golden files are stable.
func TestFakeProviderGolden(t *testing.T) {
	srv := fakeprovider.StartTest(t, fakeprovider.Options{Now: func() time.Time { return fakeNow }})
	keys := mustParseKey(t, pemPKIX(t, srv.PublicKey()))
	now := fakeNow.Add(time.Minute)

	for _, provider := range []string{"tilia", "ils", "tiki", "oauth2"} {
		t.Run(provider, func(t *testing.T) {
			tok, err := jwt.Parse(fakeToken(t, srv, provider))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := tok.Verify(keys); err != nil {
				t.Fatalf("Verify with the fake's public key: %v", err)
			}
			if iss, _ := tok.Claims["iss"].(string); !strings.HasPrefix(iss, srv.URL()+"/") {
				t.Fatalf("iss = %q, want it under %s", iss, srv.URL())
			}
			tok.Claims["iss"] = strings.Replace(tok.Claims["iss"].(string), srv.URL(), "http://fake.test", 1)
			if _, ok := tok.Claims["jti"].(string); !ok {
				t.Fatalf("no jti in %v", tok.Claims)
			}
			tok.Claims["jti"] = "00000000-0000-4000-8000-000000000000"

			var text, colour, js bytes.Buffer
			if err := Text(&text, tok, now, false); err != nil {
				t.Fatal(err)
			}
			if err := Text(&colour, tok, now, true); err != nil {
				t.Fatal(err)
			}
			if err := JSON(&js, tok, now); err != nil {
				t.Fatal(err)
			}
			assertGolden(t, "fake_"+provider+".txt", text.Bytes())
			assertGolden(t, "fake_"+provider+".colour.txt", colour.Bytes())
			assertGolden(t, "fake_"+provider+".json", js.Bytes())
		})
	}

	t.Run("tiltify is opaque", func(t *testing.T) {
		_, err := jwt.Parse(fakeToken(t, srv, "tiltify"))
		if !errors.Is(err, jwt.ErrOpaque) {
			t.Fatalf("Parse(tiltify token) = %v, want ErrOpaque", err)
		}
		if want := "not a JWT: an opaque token (no dots); only the provider can tell what it means"; err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
	})
}
