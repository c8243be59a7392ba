package tokens

import (
	"context"
	"fmt"
	"strings"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/termtext"
)

// ProvidersReport is what `tokctl providers` shows: every built-in and
// configured provider, and the kinds a configured one can name. Its JSON
// field names are a stable interface; it holds no secret.
type ProvidersReport struct {
	Providers []ProviderInfo `json:"providers"`
	Kinds     []KindInfo     `json:"kinds"`
	// ConfigFile is the config file's path, empty when there is none.
	ConfigFile string `json:"-"`
}

// ProviderInfo is one provider as `tokctl providers` shows it.
type ProviderInfo struct {
	Name         string            `json:"name"`
	Kind         *string           `json:"kind"`
	BuiltIn      bool              `json:"built_in"`
	Flows        []string          `json:"flows"`
	ClientID     *string           `json:"client_id"`
	PublicClient bool              `json:"public_client"`
	Scopes       []string          `json:"scopes"`
	Endpoints    ProviderEndpoints `json:"endpoints"`
	// Problems are what keeps the provider from working, each with the fix.
	Problems []string `json:"problems"`
}

// ProviderEndpoints are a provider's URLs, nil when it has none; shown
// without userinfo and with control characters escaped.
type ProviderEndpoints struct {
	Issuer        *string `json:"issuer"`
	Discovery     *string `json:"discovery"`
	Token         *string `json:"token"`
	Authorization *string `json:"authorization"`
	Device        *string `json:"device_authorization"`
	Revocation    *string `json:"revocation"`
	JWKS          *string `json:"jwks"`
}

// KindInfo is an adapter a configured provider can name as its kind.
type KindInfo struct {
	Name    string `json:"name"`
	BuiltIn bool   `json:"built_in"`
	Summary string `json:"summary"`
}

// Describe resolves every built-in and configured provider and reads the
// discovery document of those with an issuer; what keeps one from working
// is one of its Problems, not an error.
func (sv *Service) Describe(ctx context.Context) (ProvidersReport, error) {
	names, err := sv.ProviderNames()
	if err != nil {
		return ProvidersReport{}, err
	}
	rep := ProvidersReport{Providers: make([]ProviderInfo, 0, len(names)), Kinds: []KindInfo{}}
	if cfg, err := sv.Config(); err == nil {
		rep.ConfigFile = cfg.File()
	}
	// Client ids stored by `tokctl login` count; a store that cannot be
	// read only means they are not known.
	var b Store
	if sb, err := sv.Store(); err == nil {
		b = sb
	}
	for _, name := range names {
		rep.Providers = append(rep.Providers, sv.describeProvider(ctx, b, name))
	}
	for _, k := range provider.Kinds() {
		rep.Kinds = append(rep.Kinds, KindInfo{Name: k.Name, BuiltIn: k.BuiltIn, Summary: k.Summary})
	}
	return rep, nil
}

// describeProvider resolves name and reads its discovery document when it
// has an issuer; what fails becomes a problem, not an error.
func (sv *Service) describeProvider(ctx context.Context, b Store, name string) ProviderInfo {
	info := ProviderInfo{Name: name, BuiltIn: provider.IsBuiltIn(name), Flows: []string{}, Scopes: []string{}, Problems: []string{}}
	p, err := sv.Provider(name)
	if err != nil {
		info.Problems = append(info.Problems, problem(name, err))
		return info
	}
	info.Kind = nullable(p.Kind())
	if err := p.Check(); err != nil {
		info.Problems = append(info.Problems, problem(name, err))
	} else if p.Endpoints().Issuer != "" {
		if err := p.Prepare(ctx); err != nil {
			info.Problems = append(info.Problems, problem(name, err))
		}
	}
	id := p.ClientID()
	if id == "" {
		id = ReadStoredClient(ctx, b, name).ClientID
	}
	if id == "" {
		info.Problems = append(info.Problems, "no client id: "+missingClientIDHint(p))
	}
	if !provider.Supports(p, provider.GrantClientCredentials) && !provider.Supports(p, provider.GrantAuthorizationCode) && !provider.Supports(p, provider.GrantDeviceCode) {
		info.Problems = append(info.Problems, fmt.Sprintf("no way to get a first token: a client secret (%s) for client credentials, or `auth_url` or `issuer` for a login",
			provider.EnvVar(name, "client_secret")))
	}
	info.ClientID = nullable(id)
	info.PublicClient = provider.IsPublicClient(p)
	info.Flows = append(info.Flows, provider.Flows(p)...)
	info.Scopes = append(info.Scopes, p.Scopes()...)
	e := p.Endpoints()
	// Shown without userinfo (a password in a configured URL) and with
	// control characters escaped (discovered URLs come from the provider).
	shown := func(u string) *string { return nullable(termtext.Escape(oauth.HideUserinfo(u))) }
	info.Endpoints = ProviderEndpoints{
		Issuer: shown(e.Issuer), Discovery: shown(e.Discovery), Token: shown(e.Token),
		Authorization: shown(e.Auth), Device: shown(e.Device), Revocation: shown(e.Revocation), JWKS: shown(e.JWKS),
	}
	return info
}

// missingClientIDHint says where a client id can come from.
func missingClientIDHint(p provider.Provider) string {
	name := p.Name()
	hint := fmt.Sprintf("set `client_id` under providers.%s in the config file, or %s", name, provider.EnvVar(name, "client_id"))
	if provider.Supports(p, provider.GrantClientCredentials) && !provider.IsPublicClient(p) {
		hint = fmt.Sprintf("run `tokctl login %s --client-id ID`, or %s", name, hint)
	}
	return hint
}

// problem is err without the provider name it starts with.
func problem(name string, err error) string {
	return strings.TrimPrefix(err.Error(), name+": ")
}

// nullable is nil for "", so that JSON says null for what is not there.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
