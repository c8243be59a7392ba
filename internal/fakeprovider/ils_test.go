package fakeprovider

import (
	"cmp"
	"net/http"
	"testing"
)

func TestILSToken(t *testing.T) {
	good := `{"clientId":"` + ILSClientID + `","clientSecret":"` + ILSClientSecret + `"}`
	tests := []struct {
		name        string
		contentType string
		method      string
		path        string
		body        string
		status      int
	}{
		{name: "documented request", body: good, status: 200},
		{name: "charset parameter allowed", contentType: "application/json; charset=utf-8", body: good, status: 200},
		{name: "snake_case fields", body: `{"client_id":"` + ILSClientID + `","client_secret":"` + ILSClientSecret + `"}`, status: 400},
		{name: "differently cased fields", body: `{"ClientId":"` + ILSClientID + `","ClientSecret":"` + ILSClientSecret + `"}`, status: 400},
		{name: "unknown extra field", body: `{"clientId":"` + ILSClientID + `","clientSecret":"` + ILSClientSecret + `","grant_type":"client_credentials"}`, status: 400},
		{name: "repeated field", body: `{"clientId":"a","clientId":"` + ILSClientID + `","clientSecret":"` + ILSClientSecret + `"}`, status: 400},
		{name: "number value", body: `{"clientId":1,"clientSecret":"x"}`, status: 400},
		{name: "null value", body: `{"clientId":null,"clientSecret":"x"}`, status: 400},
		{name: "array body", body: `[]`, status: 400},
		{name: "trailing garbage", body: good + `{}`, status: 400},
		{name: "truncated JSON", body: `{"clientId":"x",`, status: 400},
		{name: "missing clientSecret", body: `{"clientId":"` + ILSClientID + `"}`, status: 400},
		{name: "form body", contentType: formType, body: form("clientId", ILSClientID, "clientSecret", ILSClientSecret), status: 400},
		{name: "text/plain JSON", contentType: "text/plain", body: good, status: 400},
		{name: "GET", method: http.MethodGet, status: 400},
		{name: "query string", path: "/ils/api/oauth/token?clientId=x", body: good, status: 400},
		{name: "wrong secret", body: `{"clientId":"` + ILSClientID + `","clientSecret":"nope"}`, status: 401},
		{name: "unknown client", body: `{"clientId":"nobody","clientSecret":"` + ILSClientSecret + `"}`, status: 401},
	}
	s := StartTest(t, Options{})
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, s, req{
				method: cmp.Or(tc.method, http.MethodPost), path: cmp.Or(tc.path, "/ils/api/oauth/token"),
				contentType: cmp.Or(tc.contentType, jsonType), body: tc.body,
			})
			wantStatus(t, r, tc.status)
			wantILSHeaders(t, r, 100-(i+1))
			if tc.status == 200 {
				wantILSToken(t, s, r)
			} else {
				wantILSError(t, r)
			}
			if got := s.Count("ils.token"); got != i+1 {
				t.Errorf("Count = %d, want %d", got, i+1)
			}
		})
	}
}

func wantILSHeaders(t *testing.T, r reply, remaining int) {
	t.Helper()
	if r.header.Get("X-Rate-Limit-Limit") != "100" || r.header.Get("X-Rate-Limit-Reset") != "60" {
		t.Errorf("rate-limit headers %v", r.header)
	}
	if got := r.header.Get("X-Rate-Limit-Remaining"); got != itoa(remaining) {
		t.Errorf("X-Rate-Limit-Remaining = %s, want %d", got, remaining)
	}
}

func wantILSToken(t *testing.T, s *Server, r reply) {
	t.Helper()
	wantTokenHeaders(t, r)
	if r.body["expires_in"] != 7200.0 || r.str("token_type") != "bearer" || len(r.body) != 3 {
		t.Errorf("body %s", r.raw)
	}
	header, claims := verifyJWT(t, s.PublicKey(), r.str("access_token"))
	if header["alg"] != "RS256" || claims["client_id"] != ILSClientID || claims["iss"] != s.URL()+"/ils" {
		t.Errorf("header %v claims %v", header, claims)
	}
}

func wantILSError(t *testing.T, r reply) {
	t.Helper()
	info, _ := r.body["statusInfoSet"].(map[string]any)
	errs, _ := r.body["errors"].([]any)
	minor := map[int]string{400: "invalid data", 401: "unauthorized"}[r.status]
	if r.str("statusCode") != itoa(r.status) || info["ils_codeMajor"] != "failure" ||
		info["ils_codeMinor"] != minor || info["ils_codeSeverity"] != "error" || len(errs) != 1 {
		t.Errorf("error body %s", r.raw)
	}
}
