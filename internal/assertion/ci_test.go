package assertion_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/assertion"
	"github.com/tokctl/tokctl/internal/oauth"
)

// ciJWT is an unsigned-looking JWT that expires at exp (the source reads
// only exp; the provider verifies).
func ciJWT(n int, exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc(fmt.Appendf(nil, `{"n":%d,"exp":%d}`, n, exp.Unix())) + ".c2ln"
}

// TestGitHubSource: the request GitHub documents, the token in hand kept
// while it is valid, another asked for once it has expired.
func TestGitHubSource(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	var calls atomic.Int32
	var clock atomic.Int64 // unix seconds
	clock.Store(now.Unix())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.Method != "GET" || r.Header.Get("Authorization") != "Bearer req-token-123456" ||
			r.URL.Query().Get("api-version") != "2.0" || r.URL.Query().Get("audience") != "api://AzureADTokenExchange" {
			w.WriteHeader(400)
			return
		}
		fmt.Fprintf(w, `{"count":1,"value":%q}`, ciJWT(int(n), time.Unix(clock.Load(), 0).Add(5*time.Minute)))
	}))
	defer srv.Close()
	env := map[string]string{
		assertion.GitHubRequestURLVar:   srv.URL + "/idtoken?api-version=2.0",
		assertion.GitHubRequestTokenVar: "req-token-123456",
	}
	s := &assertion.CISource{Spec: assertion.GitHubActions, Audience: "api://AzureADTokenExchange", Provider: "p",
		HTTP: &oauth.Client{}, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return time.Unix(clock.Load(), 0) }}
	ctx := context.Background()
	first, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Token(ctx); again != first || calls.Load() != 1 {
		t.Fatalf("a valid token was fetched again (%d calls)", calls.Load())
	}
	clock.Store(now.Add(5 * time.Minute).Unix()) // the one in hand has expired
	next, err := s.Token(ctx)
	if err != nil || next == first || calls.Load() != 2 {
		t.Fatalf("expired token not replaced: %v, %d calls", err, calls.Load())
	}

	// Without the variables (no `permissions: id-token: write`): exit 3's error.
	s2 := &assertion.CISource{Spec: assertion.GitHubActions, Provider: "p", HTTP: &oauth.Client{}, Getenv: func(string) string { return "" }}
	_, err = s2.Token(ctx)
	var lr *failure.LoginRequiredError
	if !errors.As(err, &lr) || !strings.Contains(err.Error(), "id-token: write") {
		t.Fatalf("missing variables: %v", err)
	}
}

func TestGitHubSourceRefused(t *testing.T) {
	for _, tc := range []struct {
		status int
		check  func(error) bool
	}{
		{401, func(err error) bool { var e *failure.CredentialsRejectedError; return errors.As(err, &e) }},
		{403, func(err error) bool { var e *failure.CredentialsRejectedError; return errors.As(err, &e) }},
		{404, func(err error) bool { var e *failure.ProviderError; return errors.As(err, &e) }},
		{200, func(err error) bool { var e *failure.UnavailableError; return errors.As(err, &e) }}, // no "value"
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			fmt.Fprint(w, `{"message":"no"}`)
		}))
		env := map[string]string{assertion.GitHubRequestURLVar: srv.URL + "/?x=1", assertion.GitHubRequestTokenVar: "t0123456789"}
		s := &assertion.CISource{Spec: assertion.GitHubActions, Provider: "p", HTTP: &oauth.Client{}, Getenv: func(k string) string { return env[k] }}
		if _, err := s.Token(context.Background()); !tc.check(err) {
			t.Errorf("HTTP %d: %T %v", tc.status, err, err)
		}
		srv.Close()
	}
}

// TestFileSource: a file the platform rotates is read again once the token
// in hand has expired, never before.
func TestFileSource(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	path := filepath.Join(t.TempDir(), "token")
	write := func(n int, exp time.Time) {
		if err := os.WriteFile(path, []byte(ciJWT(n, exp)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(1, now.Add(time.Hour))
	clock := now
	s := &assertion.CISource{Spec: "file:" + path, Provider: "p", Now: func() time.Time { return clock }}
	ctx := context.Background()
	first, err := s.Token(ctx)
	if err != nil || first != ciJWT(1, now.Add(time.Hour)) {
		t.Fatalf("%q %v", first, err)
	}
	write(2, now.Add(2*time.Hour))
	if again, _ := s.Token(ctx); again != first {
		t.Fatal("the file was read again while the token in hand was valid")
	}
	clock = now.Add(time.Hour)
	if next, _ := s.Token(ctx); next != ciJWT(2, now.Add(2*time.Hour)) {
		t.Fatalf("the rotated file was not read: %q", next)
	}
	write(3, now) // expired
	clock = now.Add(3 * time.Hour)
	var lr *failure.LoginRequiredError
	if _, err := s.Token(ctx); !errors.As(err, &lr) || !strings.Contains(err.Error(), "expired at") {
		t.Fatalf("expired file: %v", err)
	}
}

func TestEnvSource(t *testing.T) {
	s := &assertion.CISource{Spec: "env:CI_TOKEN", Provider: "p", Getenv: func(string) string { return "  opaque-token \n" }}
	if tok, err := s.Token(context.Background()); err != nil || tok != "opaque-token" {
		t.Fatalf("%q %v", tok, err)
	}
	s = &assertion.CISource{Spec: "env:CI_TOKEN", Provider: "p", Getenv: func(string) string { return "" }}
	if _, err := s.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "$CI_TOKEN is empty or not set") {
		t.Fatalf("%v", err)
	}
}

func TestCheckCISource(t *testing.T) {
	for spec, ok := range map[string]bool{"github-actions": true, "env:X": true, "file:/x": true, "env:": false, "file:": false, "gitlab": false, "": false} {
		if err := assertion.CheckCISource(spec); (err == nil) != ok {
			t.Errorf("%q: %v", spec, err)
		}
	}
}
