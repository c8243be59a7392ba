package jwt

import (
	"io"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	simple := b64(`{"alg":"none"}`) + "." + b64(`{"sub":"x","exp":1800000000,"nbf":0,"scope":"a b"}`) + ".sig"
	for _, seed := range []string{
		tiliaToken(f), builtToken(f), jweSample, simple,
		"Bearer " + simple, "Authorization: Bearer " + simple, " \n" + simple + "\n", `"` + simple + `"`,
		"", " ", "opaque", "a.b", "a.b.c.d", "a.b.c.d.e", "eyJ!.e30.x", "e30.eyJ*.x",
		b64(`[]`) + ".e30.", "e30." + b64(`nope`) + ".", "e30." + b64(`{"exp":1e400,"iat":-1e30,"nbf":"x"}`) + ".",
		"e30." + b64(`{"scp":[1,"a"],"scopes":"x,y"}`) + ".", "e30." + b64("{\"\x1b\":\"\u202e\"}") + ".",
	} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
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
		for _, colour := range []bool{false, true} {
			if err := RenderText(io.Discard, tok, now, colour); err != nil {
				t.Fatalf("RenderText(colour=%v): %v", colour, err)
			}
		}
		if err := RenderJSON(io.Discard, tok, now); err != nil {
			t.Fatalf("RenderJSON: %v", err)
		}
	})
}
