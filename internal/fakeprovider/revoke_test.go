package fakeprovider

import (
	"net/http"
	"testing"
)

func TestRevoke(t *testing.T) {
	s := startOIDC(t, nil)
	login := func(client string) reply { return oidcLogin(t, s, client, "openid", "n") }
	refresh := func(client, token string) reply {
		return asClient(t, s, client, "/oidc/token", "grant_type", "refresh_token", "refresh_token", token)
	}
	tests := []struct {
		name      string
		client    string                      // revokes
		token     func(r reply) string        // picks the token to revoke from a fresh login
		owner     string                      // the client that logs in; client when empty
		hint      string                      // token_type_hint
		revoked   bool                        // whether the token is revoked afterwards
		afterward func(t *testing.T, r reply) // checks the login's tokens afterwards
	}{
		{name: "refresh token", client: OIDCPublicClientID, token: func(r reply) string { return r.str("refresh_token") }, hint: "refresh_token", revoked: true,
			afterward: func(t *testing.T, r reply) {
				if got := refresh(OIDCPublicClientID, r.str("refresh_token")); got.str("error") != "invalid_grant" {
					t.Errorf("revoked refresh token: %s", got.raw)
				}
				wantStatus(t, whoami(t, s, r.str("access_token")), http.StatusOK) // no cascade
			}},
		{name: "access token, wrong hint", client: OIDCClientID, token: func(r reply) string { return r.str("access_token") }, hint: "refresh_token", revoked: true,
			afterward: func(t *testing.T, r reply) {
				wantStatus(t, whoami(t, s, r.str("access_token")), http.StatusUnauthorized)
				wantStatus(t, refresh(OIDCClientID, r.str("refresh_token")), http.StatusOK)
			}},
		{name: "JWE access token", client: OIDCJWEClientID, token: func(r reply) string { return r.str("access_token") }, revoked: true,
			afterward: func(t *testing.T, r reply) {
				wantStatus(t, whoami(t, s, r.str("access_token")), http.StatusUnauthorized)
			}},
		{name: "unknown token", client: OIDCPublicClientID, token: func(reply) string { return "no-such-token" }},
		{name: "another client's token", client: OIDCPublicClientID, owner: OIDCClientID, token: func(r reply) string { return r.str("refresh_token") },
			afterward: func(t *testing.T, r reply) {
				wantStatus(t, refresh(OIDCClientID, r.str("refresh_token")), http.StatusOK)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			owner := tc.owner
			if owner == "" {
				owner = tc.client
			}
			l := login(owner)
			kv := []string{"token", tc.token(l)}
			if tc.hint != "" {
				kv = append(kv, "token_type_hint", tc.hint)
			}
			before, count := s.Count("oidc.revoke"), s.RevokedCount()
			r := asClient(t, s, tc.client, "/oidc/revoke", kv...)
			wantStatus(t, r, http.StatusOK)
			if r.raw != "" || s.Count("oidc.revoke") != before+1 {
				t.Errorf("body %q, count %d", r.raw, s.Count("oidc.revoke")-before)
			}
			if s.Revoked(tc.token(l)) != tc.revoked || (s.RevokedCount() == count+1) != tc.revoked {
				t.Errorf("Revoked = %v, RevokedCount +%d; want %v", s.Revoked(tc.token(l)), s.RevokedCount()-count, tc.revoked)
			}
			if tc.afterward != nil {
				tc.afterward(t, l)
			}
		})
	}
}

func TestRevokeRefusals(t *testing.T) {
	s := startOIDC(t, nil)
	tests := []struct {
		name, method, ctype, body string
		header                    []string
		status                    int
		wantError                 string
	}{
		{name: "unknown hint", body: form("client_id", OIDCPublicClientID, "token", "t", "token_type_hint", "id_token"), status: 400, wantError: "unsupported_token_type"},
		{name: "no token", body: form("client_id", OIDCPublicClientID), status: 400, wantError: "invalid_request"},
		{name: "empty token", body: form("client_id", OIDCPublicClientID, "token", ""), status: 400, wantError: "invalid_request"},
		{name: "confidential without secret", body: form("client_id", OIDCClientID, "token", "t"), status: 401, wantError: "invalid_client"},
		{name: "wrong Basic secret", header: []string{"Authorization", basic(OIDCClientID, "x")}, body: form("token", "t"), status: 401, wantError: "invalid_client"},
		{name: "public with secret", body: form("client_id", OIDCPublicClientID, "client_secret", "x", "token", "t"), status: 400, wantError: "invalid_request"},
		{name: "no client", body: form("token", "t"), status: 401, wantError: "invalid_client"},
		{name: "JSON body", ctype: jsonType, body: `{"client_id":"oidc-public","token":"t"}`, status: 400, wantError: "invalid_request"},
		{name: "GET", method: http.MethodGet, status: 400, wantError: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method, ctype := http.MethodPost, formType
			if tc.method != "" {
				method = tc.method
			}
			if tc.ctype != "" {
				ctype = tc.ctype
			}
			r := do(t, s, req{method: method, path: "/oidc/revoke", contentType: ctype, body: tc.body, header: tc.header})
			wantStatus(t, r, tc.status)
			if r.str("error") != tc.wantError {
				t.Errorf("body %s, want error %s", r.raw, tc.wantError)
			}
		})
	}
}
