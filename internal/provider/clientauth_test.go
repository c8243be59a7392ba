package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/oauth"
)

// TestAssertionFreshPerTry: a retried token request carries a new client
// assertion (a new jti), since a server that saw the first one may refuse it
// as a replay.
func TestAssertionFreshPerTry(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		seen = append(seen, r.PostForm.Get("client_assertion"))
		n := len(seen)
		mu.Unlock()
		if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" ||
			r.PostForm.Get("client_id") != "svc" || r.Header.Get("Authorization") != "" {
			w.WriteHeader(400)
			return
		}
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(503)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"at-0123456789","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	key := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(key, []byte(fakeprovider.OIDCKeyP256PEM), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := New(with(Settings{Name: "svc", Kind: "oauth2", TokenURL: srv.URL + "/token"}, "auth_method", "private_key_jwt", "private_key", key), &oauth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.(ClientCredentialsGrant).ClientCredentials(context.Background(), Credentials{ID: "svc"}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] == "" || jti(t, seen[0]) == jti(t, seen[1]) {
		t.Fatalf("the retry resent the same assertion: %d tries", len(seen))
	}
}

func jti(t *testing.T, raw string) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ Jti string }
	if err := json.Unmarshal(b, &c); err != nil || c.Jti == "" {
		t.Fatalf("no jti: %v", err)
	}
	return c.Jti
}

// TestAssertionEveryRequest: the device authorization and revocation
// requests authenticate the client with an assertion too, and the fake
// provider (go-jose) accepts them.
func TestAssertionEveryRequest(t *testing.T) {
	srv := fakeprovider.StartTest(t, fakeprovider.Options{})
	key := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(key, []byte(fakeprovider.OIDCKeyRSAPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, alg := range []string{"", "PS384"} {
		p, err := New(with(Settings{Name: "kc", Kind: "oauth2"}, "issuer", srv.OIDCIssuer(), "auth_method", "private_key_jwt", "private_key", key, "signing_alg", alg), &oauth.Client{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c := Credentials{ID: fakeprovider.OIDCKeyRSAClientID}
		tok, err := p.(ClientCredentialsGrant).ClientCredentials(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.(DeviceGrant).DeviceAuth(ctx, c); err != nil {
			t.Errorf("%s device authorization: %v", alg, err)
		}
		if err := p.(Revoker).Revoke(ctx, c, tok.AccessToken, "access_token"); err != nil {
			t.Errorf("%s revocation: %v", alg, err)
		}
		cancel()
	}
	if n := srv.Count("oidc.revoke"); n != 2 {
		t.Errorf("%d revocations reached the fake", n)
	}
}
