package render

import (
	"io"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/jwt"
)

// FuzzRender renders whatever jwt.Parse accepts, after a verification that fails
// (no keys) or may succeed (a secret): the renderers never fail on a parsed token.
func FuzzRender(f *testing.F) {
	simple := b64(`{"alg":"none"}`) + "." + b64(`{"sub":"x","exp":1800000000,"nbf":0,"scope":"a b"}`) + ".sig"
	for _, seed := range []string{
		tiliaToken(f), builtToken(f), jweSample, simple,
		"e30." + b64(`{"exp":1e400,"iat":-1e30,"nbf":"x"}`) + ".",
		"e30." + b64(`{"scp":[1,"a"],"scopes":"x,y"}`) + ".", "e30." + b64("{\"\x1b\":\"\u202e\"}") + ".",
		b64(`{"alg":"HS256","kid":"k1"}`) + "." + b64(`{}`) + ".c2ln", b64(`{"alg":["RS256"],"kid":7}`) + ".e30.c2ln",
	} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	secret := mustParseSecret(f, []byte("a shared secret of at least 64 bytes, enough for HS512 per RFC 7518!"))
	f.Fuzz(func(t *testing.T, input string) {
		tok, err := jwt.Parse(input)
		if err != nil {
			return
		}
		for _, ks := range []*jwt.Keys{nil, secret} {
			_ = tok.Verify(ks)
			for _, colour := range []bool{false, true} {
				if err := Text(io.Discard, tok, now, colour); err != nil {
					t.Fatalf("Text(colour=%v): %v", colour, err)
				}
			}
			if err := JSON(io.Discard, tok, now); err != nil {
				t.Fatalf("JSON: %v", err)
			}
		}
	})
}
