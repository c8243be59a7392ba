package tokens

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
)

func TestCheckPrintable(t *testing.T) {
	idToken := unsignedJWT(`{"iss":"x"}`)
	tests := []struct {
		name   string
		tok    Token
		output string
		want   string // "" for none, else a part of the error
		login  bool   // a LoginRequiredError
	}{
		{name: "plain token", tok: Token{Provider: "p", AccessToken: "a", TokenType: "bearer"}, output: "token"},
		{name: "escape in token", tok: Token{Provider: "p", AccessToken: "a\x1b]52;c;eA==\a"}, output: "token", want: "run `tokctl logout p`"},
		{name: "newline in token", tok: Token{Provider: "p", AccessToken: "a\nX=1"}, output: "env", want: "not printable ASCII"},
		{name: "two-word type", tok: Token{Provider: "p", AccessToken: "a", TokenType: "Bearer\r\nX: 1"}, output: "header", want: "not printable ASCII"},
		{name: "escape in ID token, -o id-token", tok: Token{Provider: "p", AccessToken: "a", IDToken: "b\x1b[2J"}, output: "id-token", want: "not printable ASCII"},
		{name: "escape in ID token, -o exec-credential", tok: Token{Provider: "p", AccessToken: "a", IDToken: "b\x1b[2J"}, output: "exec-credential", want: "not printable ASCII"},
		{name: "escape in ID token, -o token prints no ID token", tok: Token{Provider: "p", AccessToken: "a", IDToken: "b\x1b[2J"}, output: "token"},
		{name: "no ID token", tok: Token{Provider: "p", AccessToken: "a"}, output: "id-token", want: "tokctl login p --scope openid", login: true},
		{name: "no ID token, -o exec-credential serves the access token", tok: Token{Provider: "p", AccessToken: "a"}, output: "exec-credential"},
		{name: "unverified, -o id-token", tok: Token{Provider: "kc", AccessToken: "a", IDToken: idToken, IDTokenUnverified: true}, output: "id-token", want: "TOKCTL_KC_ISSUER"},
		{name: "unverified, -o exec-credential", tok: Token{Provider: "kc", AccessToken: "a", IDToken: idToken, IDTokenUnverified: true}, output: "exec-credential", want: "TOKCTL_KC_ISSUER"},
		{name: "unverified, -o json leaves it out", tok: Token{Provider: "kc", AccessToken: "a", IDToken: idToken, IDTokenUnverified: true}, output: "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPrintable(&tt.tok, tt.output)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var le *failure.LoginRequiredError
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.As(err, &le) != tt.login {
				t.Errorf("error %v; want one saying %q (login required: %v)", err, tt.want, tt.login)
			}
		})
	}
}

func TestIDTokenExpiry(t *testing.T) {
	exp := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for raw, want := range map[string]time.Time{
		unsignedJWT(fmt.Sprintf(`{"exp":%d}`, exp.Unix())): exp,
		unsignedJWT(`{"iss":"x"}`):                         {},
		"not a JWT":                                        {},
		"":                                                 {},
	} {
		if got := (&Token{IDToken: raw}).IDTokenExpiry(); !got.Equal(want) {
			t.Errorf("IDTokenExpiry of %q = %v, want %v", raw, got, want)
		}
	}
}

// unsignedJWT is a JWT with the given claims (the signature is not checked
// by the cache rules nor by exec-credential).
func unsignedJWT(claims string) string {
	b64 := base64.RawURLEncoding.EncodeToString
	return b64([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + b64([]byte(claims)) + ".c2ln"
}
