package jwt

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// claimsToken parses JSON claims into a Token the way Parse would.
func claimsToken(t *testing.T, claims string) *Token {
	t.Helper()
	tok, err := Parse(b64(`{"alg":"none"}`) + "." + b64(claims) + ".")
	if err != nil {
		t.Fatalf("Parse(%s): %v", claims, err)
	}
	return tok
}

func TestScopes(t *testing.T) {
	tests := []struct {
		name   string
		claims string
		want   []string
	}{
		{"scope string", `{"scope":"openid profile  email"}`, []string{"openid", "profile", "email"}},
		{"scope string keeps commas", `{"scope":"a,b c"}`, []string{"a,b", "c"}},
		{"scp array", `{"scp":["read","write:all"]}`, []string{"read", "write:all"}},
		{"scp string", `{"scp":"User.Read Mail.Send"}`, []string{"User.Read", "Mail.Send"}},
		{"tilia scopes array", `{"scopes":["delete_wallet","create_nonce","user_info"]}`, []string{"delete_wallet", "create_nonce", "user_info"}},
		{"scopes comma string", `{"scopes":"a,b, c d"}`, []string{"a", "b", "c", "d"}},
		{"merged without duplicates", `{"scope":"a b","scp":["b","c"]}`, []string{"a", "b", "c"}},
		{"non-strings skipped", `{"scp":["a",1,null,"",{"x":1}]}`, []string{"a"}},
		{"wrong type", `{"scope":42}`, nil},
		{"none", `{"sub":"x"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := claimsToken(t, tt.claims).Scopes(); !slices.Equal(got, tt.want) {
				t.Errorf("Scopes() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTimes(t *testing.T) {
	tok := claimsToken(t, `{"exp":1600564576,"nbf":0,"iat":1600560976.5}`)
	got := tok.Times()
	want := Times{
		Expires:  time.Date(2020, 9, 20, 1, 16, 16, 0, time.UTC),
		IssuedAt: time.Date(2020, 9, 20, 0, 16, 16, 5e8, time.UTC),
	}
	if got != want {
		t.Errorf("Times() = %+v, want %+v", got, want)
	}
	for _, claims := range []string{`{"exp":"1600564576"}`, `{"exp":1e400}`, `{"exp":99999999999999}`, `{"exp":null}`, `{}`} {
		if exp := claimsToken(t, claims).Times().Expires; !exp.IsZero() {
			t.Errorf("%s: Expires = %v, want zero", claims, exp)
		}
	}
}

func TestVerdict(t *testing.T) {
	exp := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name   string
		claims map[string]any
		now    time.Time
		want   Verdict
	}{
		{"valid", map[string]any{"exp": json.Number("1800000000")}, exp.Add(-time.Minute), Valid},
		{"one second before exp", map[string]any{"exp": json.Number("1800000000")}, exp.Add(-time.Second), Valid},
		{"exactly at exp", map[string]any{"exp": json.Number("1800000000")}, exp, Expired},
		{"after exp", map[string]any{"exp": json.Number("1800000000")}, exp.Add(3 * time.Hour), Expired},
		{"fractional exp just passed", map[string]any{"exp": json.Number("1799999999.5")}, exp.Add(-time.Second / 4), Expired},
		{"nbf in future", map[string]any{"exp": json.Number("1800000000"), "nbf": json.Number("1799999000")}, exp.Add(-2000 * time.Second), NotYetValid},
		{"exactly at nbf", map[string]any{"exp": json.Number("1800000000"), "nbf": json.Number("1799999000")}, exp.Add(-1000 * time.Second), Valid},
		{"nbf 0 means none", map[string]any{"exp": json.Number("1800000000"), "nbf": json.Number("0")}, exp.Add(-time.Hour), Valid},
		{"expired wins over not yet valid", map[string]any{"exp": json.Number("1700000000"), "nbf": json.Number("1900000000")}, exp, Expired},
		{"no expiry", map[string]any{"sub": "x"}, exp, NoExpiry},
		{"no expiry, nbf in future", map[string]any{"nbf": json.Number("1900000000")}, exp, NotYetValid},
		{"exp not a number", map[string]any{"exp": "tomorrow"}, exp, NoExpiry},
		{"float64 claims set by a caller", map[string]any{"exp": float64(1800000000)}, exp, Expired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := &Token{Header: map[string]any{}, Claims: tt.claims}
			if got := tok.Verdict(tt.now); got != tt.want {
				t.Errorf("Verdict = %v, want %v", got, tt.want)
			}
		})
	}
	if got := (&Token{Encrypted: true}).Verdict(exp); got != Unknown {
		t.Errorf("JWE Verdict = %v, want unknown", got)
	}
}
