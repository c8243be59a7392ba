package tokens

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

func TestSaveLogin(t *testing.T) {
	tests := []struct {
		name                 string
		creds                provider.Credentials
		keepClient, remember bool
		wantClient           string // the stored client id, "" for none
		wantDefault          []string
	}{
		{"a browser login keeps nothing but the token", provider.Credentials{ID: "id", Secret: "s"}, false, false, "", nil},
		{"an entered secret is kept", provider.Credentials{ID: "id", Secret: "s"}, true, false, "id", nil},
		{"a public client has no secret to keep", provider.Credentials{ID: "id"}, true, false, "", nil},
		{"--scope becomes the default", provider.Credentials{ID: "id"}, false, true, "", []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			ctx := context.Background()
			r, err := NewRequest(fx.s, fx.build)
			if err != nil {
				t.Fatal(err)
			}
			rec := fx.m.NewRecord(r, "id", &oauthToken)
			if err := fx.m.SaveLogin(ctx, r, fx.b, rec, tt.creds, tt.keepClient, tt.remember); err != nil {
				t.Fatal(err)
			}
			if got := ReadStoredClient(ctx, fx.b, "p").ClientID; got != tt.wantClient {
				t.Errorf("stored client %q, want %q", got, tt.wantClient)
			}
			ix, err := LoadIndex(ctx, fx.b, "p")
			if err != nil || !slices.Equal(ix.DefaultScopes, tt.wantDefault) {
				t.Errorf("default scopes %v (%v), want %v", ix.DefaultScopes, err, tt.wantDefault)
			}
			if got, _, _ := r.Load(ctx, fx.b); got == nil || got.AccessToken != oauthToken.AccessToken {
				t.Errorf("stored record %v, want the login's", got)
			}
			if n := fx.lock.lockCalls(); n != 1 {
				t.Errorf("%d lock calls, want 1", n)
			}
		})
	}
}

func TestForget(t *testing.T) {
	for _, all := range []bool{false, true} {
		fx := newFixture(t)
		ctx := context.Background()
		for _, scopes := range [][]string{{"a"}, {"b"}} {
			rec := stored(t0.Add(time.Hour))
			rec.RequestedScopes = scopes
			fx.save(t, rec)
		}
		if err := WriteStoredClient(ctx, fx.b, "p", provider.Credentials{ID: "id", Secret: "s"}); err != nil {
			t.Fatal(err)
		}
		if err := store.SaveIndex(ctx, fx.b, "p", store.Index{Keys: []string{store.RecordKey("p", fx.p.endpoint, []string{"b"}), store.RecordKey("p", fx.p.endpoint, []string{"a"})}, DefaultScopes: []string{"a"}}); err != nil {
			t.Fatal(err)
		}
		var revoked []string
		removed, err := fx.m.Forget(ctx, fx.b, "p", all, func(r *store.Record) { revoked = append(revoked, r.RequestedScopes[0]) })
		if err != nil {
			t.Fatalf("all=%v: %v", all, err)
		}
		if removed != 2 || !slices.Equal(revoked, []string{"b", "a"}) {
			t.Errorf("all=%v: removed %d, revoked %v; want 2 removed, b then a revoked", all, removed, revoked)
		}
		recs, err := store.Records(ctx, fx.b, "p")
		if err != nil || len(recs) != 0 {
			t.Errorf("all=%v: records left %v (%v)", all, recs, err)
		}
		ix, _ := LoadIndex(ctx, fx.b, "p")
		client := ReadStoredClient(ctx, fx.b, "p").ClientID
		if all && (len(ix.DefaultScopes) != 0 || client != "") {
			t.Errorf("--all left default scopes %v and client %q", ix.DefaultScopes, client)
		}
		if !all && (!slices.Equal(ix.DefaultScopes, []string{"a"}) || client != "id") {
			t.Errorf("logout without --all left default scopes %v and client %q, want [a] and id", ix.DefaultScopes, client)
		}
	}
}

var oauthToken = oauth.Token{AccessToken: "login-at", TokenType: "Bearer"}
