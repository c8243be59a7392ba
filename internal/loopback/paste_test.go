package loopback

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPaste(t *testing.T) {
	good := url.Values{"state": {testState}, "code": {"the-code"}}.Encode()
	forged := url.Values{"state": {"forged"}, "code": {"x"}}.Encode()
	tests := []struct {
		name     string
		pastes   func(redirect string) []string // all but the last must be refused
		wantCode string
		wantErr  error
	}{
		{"the full redirect address", func(r string) []string { return []string{r + "?" + good} }, "the-code", nil},
		{"with surrounding spaces", func(r string) []string { return []string{"  " + r + "?" + good + " \t"} }, "the-code", nil},
		{"only the query", func(string) []string { return []string{"?" + good} }, "the-code", nil},
		{"forged state, then the real one", func(r string) []string { return []string{r + "?" + forged, r + "?" + good} }, "the-code", nil},
		{"another path, then the real one", func(r string) []string {
			return []string{strings.TrimSuffix(r, "/callback") + "/other?" + good, r + "?" + good}
		}, "the-code", nil},
		{"garbage, then the real one", func(r string) []string { return []string{"%zz://", r + "?" + good} }, "the-code", nil},
		{"the provider's refusal", func(r string) []string {
			return []string{r + "?" + url.Values{"state": {testState}, "error": {"access_denied"}}.Encode()}
		}, "", &CallbackError{}},
		{"no code", func(r string) []string { return []string{r + "?state=" + testState} }, "", ErrNoCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := listen(t, Config{Provider: "tiki"})
			pastes := tt.pastes(l.RedirectURI())
			for _, p := range pastes[:len(pastes)-1] {
				if err := l.Paste(p); err == nil {
					t.Fatalf("Paste(%q) was accepted", p)
				}
			}
			if err := l.Paste(pastes[len(pastes)-1]); err != nil {
				t.Fatalf("Paste: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			code, err := l.Wait(ctx)
			if code != tt.wantCode {
				t.Errorf("code = %q, want %q", code, tt.wantCode)
			}
			var ce *CallbackError
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("Wait: %v", err)
			case errors.As(tt.wantErr, &ce) && !errors.As(err, &ce):
				t.Errorf("Wait: %v, want a CallbackError", err)
			case errors.Is(tt.wantErr, ErrNoCode) && !errors.Is(err, ErrNoCode):
				t.Errorf("Wait: %v, want ErrNoCode", err)
			}
			if err := l.Paste(l.RedirectURI() + "?" + good); err == nil {
				t.Errorf("a paste after the end was accepted")
			}
		})
	}
}
