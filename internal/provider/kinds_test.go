package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// capabilities lists the capability interfaces p implements.
func capabilities(p Provider) []string {
	var out []string
	if _, ok := p.(ClientCredentialsGrant); ok {
		out = append(out, "ClientCredentialsGrant")
	}
	if _, ok := p.(AuthCodeGrant); ok {
		out = append(out, "AuthCodeGrant")
	}
	if _, ok := p.(Refresher); ok {
		out = append(out, "Refresher")
	}
	if _, ok := p.(DeviceGrant); ok {
		out = append(out, "DeviceGrant")
	}
	if _, ok := p.(Revoker); ok {
		out = append(out, "Revoker")
	}
	if _, ok := p.(ClientAuth); ok {
		out = append(out, "ClientAuth")
	}
	if _, ok := p.(GrantSet); ok {
		out = append(out, "GrantSet")
	}
	return out
}

// TestCapabilities: each adapter implements exactly the capabilities its
// API documents (../shared/providers: 000 Tilia, 001 Tiltify v3, 002 Tiki,
// 003 ILS; facts.md for Tiltify V5), and offers the grants its settings
// choose.
func TestCapabilities(t *testing.T) {
	tests := []struct {
		name  string
		s     Settings
		caps  []string
		flows []string
	}{
		// 000: POST /token with the client credentials grant, nothing else.
		{"tilia", Settings{Name: "tilia"}, []string{"ClientCredentialsGrant"}, []string{GrantClientCredentials}},
		// 003: POST /api/oauth/token with {clientId, clientSecret}, nothing else.
		{"ils", Settings{Name: "ils"}, []string{"ClientCredentialsGrant"}, []string{GrantClientCredentials}},
		// 002: client_credentials, authorization_code and refresh_token on one GET endpoint.
		{"tiki", with(Settings{Name: "tiki"}, "url", "https://wiki.example.org"),
			[]string{"ClientCredentialsGrant", "AuthCodeGrant", "Refresher"},
			[]string{GrantClientCredentials, GrantAuthorizationCode, GrantRefreshToken}},
		// facts §2: V5 has all three; 001 (v3) the authorization code only.
		{"tiltify", Settings{Name: "tiltify"},
			[]string{"ClientCredentialsGrant", "AuthCodeGrant", "Refresher", "GrantSet"},
			[]string{GrantClientCredentials, GrantAuthorizationCode, GrantRefreshToken}},
		{"tiltify v3", with(Settings{Name: "tiltify"}, "api", "v3"),
			[]string{"ClientCredentialsGrant", "AuthCodeGrant", "Refresher", "GrantSet"},
			[]string{GrantAuthorizationCode}},
		// The generic kind: RFC 6749, 7009, 8628; its settings choose.
		{"oauth2 token_url only", Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/t", ClientSecret: "s"},
			[]string{"ClientCredentialsGrant", "AuthCodeGrant", "Refresher", "DeviceGrant", "Revoker", "ClientAuth", "GrantSet"},
			[]string{GrantClientCredentials, GrantRefreshToken}},
		{"oauth2 public with device", with(Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/t", AuthURL: "https://idp.example.com/a"},
			"device_auth_url", "https://idp.example.com/d"),
			[]string{"ClientCredentialsGrant", "AuthCodeGrant", "Refresher", "DeviceGrant", "Revoker", "ClientAuth", "GrantSet"},
			[]string{GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken}},
		{"oauth2 jwt_bearer", with(Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/t"}, "grant", "jwt_bearer"),
			[]string{"ClientCredentialsGrant", "AuthCodeGrant", "Refresher", "DeviceGrant", "Revoker", "ClientAuth", "GrantSet"},
			[]string{GrantJWTBearer, GrantRefreshToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustNew(t, tt.s)
			if got := capabilities(p); !slices.Equal(got, tt.caps) {
				t.Errorf("capabilities = %v, want %v", got, tt.caps)
			}
			if got := Flows(p); !slices.Equal(got, tt.flows) {
				t.Errorf("Flows = %v, want %v", got, tt.flows)
			}
			if Fetches(p) != (slices.Contains(tt.flows, GrantClientCredentials) || slices.Contains(tt.flows, GrantJWTBearer)) {
				t.Errorf("Fetches = %v with flows %v", Fetches(p), tt.flows)
			}
		})
	}
}

// TestRevocation: only the generic kind revokes, and only with an endpoint
// configured or an issuer to discover one (what logout asks).
func TestRevocation(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		want bool
	}{
		{"tiki", with(Settings{Name: "tiki"}, "url", "https://wiki.example.org"), false},
		{"oauth2 without", Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/t"}, false},
		{"oauth2 revocation_url", with(Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/t"}, "revocation_url", "https://idp.example.com/r"), true},
		{"oauth2 issuer", with(Settings{Name: "idp", Kind: "oauth2"}, "issuer", "https://idp.example.com"), true},
	}
	for _, tt := range tests {
		if got := CanRevoke(mustNew(t, tt.s)); got != tt.want {
			t.Errorf("%s: CanRevoke = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestKeysComeFromKinds: Keys are the common keys plus those the registered
// kinds declare, so a registry without one kind has none of the keys only
// it declared.
func TestKeysComeFromKinds(t *testing.T) {
	all := slices.Clone(CommonKeys)
	for _, k := range Kinds() {
		all = addKeys(all, k.Keys)
	}
	sortedAll, sortedKeys := slices.Sorted(slices.Values(all)), slices.Sorted(slices.Values(Keys))
	if !slices.Equal(sortedAll, sortedKeys) {
		t.Fatalf("Keys = %v, but the kinds declare %v", Keys, all)
	}
	for _, gone := range Kinds() {
		keys := slices.Clone(CommonKeys)
		for _, k := range Kinds() {
			if k.Name != gone.Name {
				keys = addKeys(keys, k.Keys)
			}
		}
		for _, key := range gone.Keys {
			if declaredElsewhere := slices.Contains(keys, key); declaredElsewhere != declaredByOther(gone.Name, key) {
				t.Errorf("without %s, key %s present = %v", gone.Name, key, declaredElsewhere)
			}
		}
	}
	// The keys the issue names: each belongs to its kind alone.
	for key, kind := range map[string]string{"url": "tiki", "env": "tilia", "api": "tiltify"} {
		if got := declaring(key); !slices.Equal(got, []string{kind}) {
			t.Errorf("key %s is declared by %v, want [%s]", key, got, kind)
		}
	}
	// The browser login's keys are exactly those of the kinds with one.
	for _, k := range Kinds() {
		s := Settings{Name: "x", Kind: k.Name}
		s.Set("url", "https://wiki.example.org")
		p, err := New(s, httpClient())
		if err != nil {
			t.Fatal(err)
		}
		_, browser := p.(AuthCodeGrant)
		for _, key := range BrowserKeys {
			if slices.Contains(k.Keys, key) != browser {
				t.Errorf("kind %s: declares %s = %v, has a browser login = %v", k.Name, key, !browser, browser)
			}
		}
		if (k.Login == LoginBrowser) != browser || (k.Login != LoginBrowser && k.Login != LoginClientCredentials) {
			t.Errorf("kind %s: Login %q, has a browser login = %v", k.Name, k.Login, browser)
		}
		if got := KindKeys(k.Name); !slices.Equal(got, append(slices.Clone(CommonKeys), k.Keys...)) {
			t.Errorf("KindKeys(%s) = %v", k.Name, got)
		}
	}
	if KindKeys("nope") != nil {
		t.Error("KindKeys of an unknown kind is not nil")
	}
}

// declaring lists the kinds that declare key.
func declaring(key string) []string {
	var out []string
	for _, k := range Kinds() {
		if slices.Contains(k.Keys, key) {
			out = append(out, k.Name)
		}
	}
	return out
}

func declaredByOther(kind, key string) bool {
	return slices.ContainsFunc(declaring(key), func(n string) bool { return n != kind })
}

// TestKindsReadTheirKeys reads the package's source: every key a kind
// declares beyond the browser login's (which are Settings fields) is read
// with Settings.Value in the kind's own file, and no file reads a key its
// kind does not declare — so each key is declared by exactly the kinds that
// use it, and deleting an adapter file takes its keys with it.
func TestKindsReadTheirKeys(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		kind, read := "", map[string]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Kind" {
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "Name" {
							kind, _ = strconv.Unquote(kv.Value.(*ast.BasicLit).Value)
						}
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Value" && len(n.Args) == 1 {
					if lit, ok := n.Args[0].(*ast.BasicLit); ok {
						key, _ := strconv.Unquote(lit.Value)
						read[key] = true
					}
				}
			}
			return true
		})
		var got []string
		for key := range read {
			got = append(got, key)
		}
		sort.Strings(got)
		var want []string
		if kind != "" {
			if file != kind+".go" {
				t.Errorf("kind %s is registered in %s, not %s.go", kind, file, kind)
			}
			for _, key := range kinds[kind].Keys {
				if !slices.Contains(BrowserKeys, key) {
					want = append(want, key)
				}
			}
			sort.Strings(want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s (kind %q) reads the keys %v, but declares %v", file, kind, got, want)
		}
	}
}

// Setting a kind's key on a copy of Settings leaves the original as it was.
func TestSettingsCopies(t *testing.T) {
	var a Settings
	a.Set("issuer", "https://a.example.com")
	b := a
	b.Set("issuer", "https://b.example.com")
	b.Set("device", "true")
	if a.Value("issuer") != "https://a.example.com" || a.Value("device") != "" {
		t.Errorf("the original changed: issuer %q, device %q", a.Value("issuer"), a.Value("device"))
	}
	if b.Value("issuer") != "https://b.example.com" || b.Value("device") != "true" {
		t.Errorf("the copy: issuer %q, device %q", b.Value("issuer"), b.Value("device"))
	}
}
