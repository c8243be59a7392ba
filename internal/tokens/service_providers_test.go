package tokens

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/provider"
)

// startFake starts the in-repo fake provider for one test.
func startFake(t *testing.T) *fakeprovider.Server {
	t.Helper()
	return fakeprovider.StartTest(t, fakeprovider.Options{})
}

func TestServiceDescribe(t *testing.T) {
	srv := startFake(t)
	sv, _ := newTestService(t, `providers:
  kc:
    kind: oauth2
    issuer: `+srv.OIDCIssuer()+`
    client_id: `+fakeprovider.OIDCPublicClientID+`
  dead:
    kind: oauth2
    issuer: http://127.0.0.1:1/realms/dev
    client_id: tokctl
  noid:
    kind: oauth2
    token_url: https://user:secret@idp.example.com/token
    auth_url: https://idp.example.com/authorize
  stored:
    kind: oauth2
    token_url: https://idp.example.com/token
    client_secret: s3cret
  noflow:
    kind: oauth2
    token_url: https://idp.example.com/token
    client_id: tokctl
`, time.Now())
	b, err := sv.Store()
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteStoredClient(context.Background(), b, "stored", provider.Credentials{ID: "from-login", Secret: "x"}); err != nil {
		t.Fatal(err)
	}
	rep, err := sv.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.ConfigFile != sv.ConfigFile {
		t.Errorf("config file %q, want %q", rep.ConfigFile, sv.ConfigFile)
	}
	if len(rep.Kinds) == 0 || !strings.Contains(kindNames(rep.Kinds), "oauth2") {
		t.Errorf("kinds %+v, want oauth2 among them", rep.Kinds)
	}
	infos := map[string]ProviderInfo{}
	for _, in := range rep.Providers {
		infos[in.Name] = in
	}
	if len(infos) != 9 {
		t.Errorf("%d providers, want the 4 built-in and the 5 configured", len(infos))
	}

	kc := infos["kc"]
	if kc.Kind == nil || *kc.Kind != "oauth2" || kc.BuiltIn || !kc.PublicClient || len(kc.Problems) != 0 {
		t.Errorf("kc: %+v", kc)
	}
	if got := strings.Join(kc.Flows, ","); strings.Contains(got, "client_credentials") || !strings.Contains(got, "authorization_code") {
		t.Errorf("kc flows %q: a public client has a login and no client credentials", got)
	}
	if e := kc.Endpoints; e.Discovery == nil || *e.Discovery != srv.OIDCIssuer()+"/.well-known/openid-configuration" ||
		e.Token == nil || *e.Token != srv.OIDCIssuer()+"/token" || e.JWKS == nil || e.Issuer == nil {
		t.Errorf("kc endpoints (from discovery): %s", endpointsString(e))
	}

	dead := infos["dead"]
	if len(dead.Problems) != 1 || !strings.HasPrefix(dead.Problems[0], "cannot reach issuer http://127.0.0.1:1/realms/dev for discovery") {
		t.Errorf("dead problems %q, want the issuer that cannot be reached, without the provider's name", dead.Problems)
	}

	noid := infos["noid"]
	if noid.ClientID != nil || len(noid.Problems) != 1 ||
		noid.Problems[0] != "no client id: set `client_id` under providers.noid in the config file, or TOKCTL_NOID_CLIENT_ID" {
		t.Errorf("noid: client id %v, problems %q", noid.ClientID, noid.Problems)
	}
	if e := noid.Endpoints; e.Token == nil || *e.Token != "https://idp.example.com/token" || e.Issuer != nil || e.Discovery != nil {
		t.Errorf("noid endpoints (userinfo hidden): %s", endpointsString(e))
	}

	if st := infos["stored"]; st.ClientID == nil || *st.ClientID != "from-login" || len(st.Problems) != 0 {
		t.Errorf("stored: client id %v, problems %q: the client id `tokctl login` stored counts", st.ClientID, st.Problems)
	}

	if nf := infos["noflow"]; len(nf.Problems) != 1 || nf.Problems[0] != "no way to get a first token: a client secret (TOKCTL_NOFLOW_CLIENT_SECRET) for client credentials, or `auth_url` or `issuer` for a login" {
		t.Errorf("noflow problems %q", nf.Problems)
	}

	ils := infos["ils"]
	if !ils.BuiltIn || len(ils.Problems) != 1 || !strings.HasPrefix(ils.Problems[0], "no client id: run `tokctl login ils --client-id ID`, or set") {
		t.Errorf("ils: %+v", ils)
	}
	for name, in := range infos {
		if in.Flows == nil || in.Scopes == nil || in.Problems == nil {
			t.Errorf("%s: a nil list would be null in JSON: %+v", name, in)
		}
	}
}

func kindNames(kinds []KindInfo) string {
	var names []string
	for _, k := range kinds {
		names = append(names, k.Name)
	}
	return strings.Join(names, ",")
}

func endpointsString(e ProviderEndpoints) string {
	s := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	return strings.Join([]string{s(e.Issuer), s(e.Discovery), s(e.Token), s(e.Authorization), s(e.Device), s(e.Revocation), s(e.JWKS)}, " ")
}
