package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tokctl/tokctl/internal/tokens"
)

func TestProviders(t *testing.T) {
	s := func(v string) *string { return &v }
	rep := tokens.ProvidersReport{Providers: []tokens.ProviderInfo{
		{Name: "kc", Kind: s("oauth2"), Flows: []string{"authorization_code"}, Problems: []string{},
			Endpoints: tokens.ProviderEndpoints{Issuer: s("https://kc.example.com"), Token: s("https://kc.example.com/token")}},
		{Name: "x", Flows: []string{}, Problems: []string{"one", "two"}},
	}, Kinds: []tokens.KindInfo{}, ConfigFile: "/c.yaml"}
	var text, js bytes.Buffer
	if err := Providers(&text, rep, "text"); err != nil {
		t.Fatal(err)
	}
	want := `NAME  KIND    FLOWS               TOKEN URL                     NOTE
kc    oauth2  authorization_code  https://kc.example.com/token  
x     -       -                   -                             one; two

kc: endpoints from the cached discovery document of https://kc.example.com
  authorization  -
  token          https://kc.example.com/token
  device         -
  revocation     -
  jwks           -
`
	if text.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), want)
	}
	if err := Providers(&js, rep, "json"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(js.String(), "c.yaml") || !strings.HasPrefix(js.String(), "{\n  \"providers\": [") || !strings.HasSuffix(js.String(), "  \"kinds\": []\n}\n") {
		t.Errorf("json:\n%s", js.String())
	}
}
