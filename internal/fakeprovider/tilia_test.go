package fakeprovider

import (
	"cmp"
	"net/http"
	"testing"
)

func tiliaForm(scope string) string {
	return form("client_id", TiliaClientID, "client_secret", TiliaClientSecret, "grant_type", "client_credentials", "scope", scope)
}

func TestTiliaToken(t *testing.T) {
	good := tiliaForm("write_registrations,write_user_tokens,user_info")
	tests := []struct {
		name   string
		opts   Options
		rq     req
		status int
		check  func(t *testing.T, s *Server, r reply)
	}{
		{name: "documented request, expires_in string", rq: req{body: good}, status: 200,
			check: func(t *testing.T, s *Server, r reply) {
				wantTokenHeaders(t, r)
				if r.body["expires_in"] != "3600" || r.str("token_type") != "Bearer" ||
					r.str("scope") != "write_registrations,write_user_tokens,user_info" {
					t.Errorf("body %s", r.raw)
				}
				header, claims := verifyJWT(t, s.PublicKey(), r.str("access_token"))
				if header["alg"] != "RS512" || header["typ"] != "JWT" || len(header) != 2 {
					t.Errorf("header %v", header)
				}
				if claims["client_id"] != TiliaClientID || claims["token_type"] != "client_credentials" ||
					claims["integrator"] != "demo" || claims["nbf"] != 0.0 || claims["iss"] != s.URL()+"/tilia" ||
					claims["exp"].(float64)-claims["iat"].(float64) != 3600 || len(claims["scopes"].([]any)) != 3 {
					t.Errorf("claims %v", claims)
				}
			}},
		{name: "expires_in number option", opts: Options{TiliaExpiresAsNumber: true}, rq: req{body: good}, status: 200,
			check: func(t *testing.T, _ *Server, r reply) {
				if r.body["expires_in"] != 3600.0 {
					t.Errorf("expires_in = %#v", r.body["expires_in"])
				}
			}},
		{name: "charset parameter allowed", rq: req{body: good, contentType: "application/x-www-form-urlencoded; charset=UTF-8"}, status: 200},
		{name: "missing scope", rq: req{body: form("client_id", TiliaClientID, "client_secret", TiliaClientSecret, "grant_type", "client_credentials")}, status: 400},
		{name: "empty scope", rq: req{body: tiliaForm("")}, status: 400},
		{name: "space-separated scope", rq: req{body: tiliaForm("user_info read_kycs")}, status: 400},
		{name: "wrong grant_type", rq: req{body: form("client_id", TiliaClientID, "client_secret", TiliaClientSecret, "grant_type", "password", "scope", "user_info")}, status: 400},
		{name: "extra field", rq: req{body: good + "&audience=x"}, status: 400},
		{name: "repeated field", rq: req{body: good + "&scope=user_info"}, status: 400},
		{name: "query parameters instead of body", rq: req{path: "/tilia/token?" + good, body: "", contentType: "-"}, status: 400},
		{name: "query string plus body", rq: req{path: "/tilia/token?x=1", body: good}, status: 400},
		{name: "JSON body", rq: req{body: `{"client_id":"x"}`, contentType: "application/json"}, status: 400},
		{name: "GET", rq: req{method: http.MethodGet, contentType: "-"}, status: 400},
		{name: "wrong secret", rq: req{body: form("client_id", TiliaClientID, "client_secret", "nope", "grant_type", "client_credentials", "scope", "user_info")}, status: 401},
		{name: "unknown client", rq: req{body: form("client_id", "someone", "client_secret", TiliaClientSecret, "grant_type", "client_credentials", "scope", "user_info")}, status: 401},
		{name: "disallowed scope", rq: req{body: tiliaForm("user_info,block_accounts")}, status: 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := StartTest(t, tc.opts)
			rq := tc.rq
			rq.method = cmp.Or(rq.method, http.MethodPost)
			rq.path = cmp.Or(rq.path, "/tilia/token")
			rq.contentType = cmp.Or(rq.contentType, formType)
			if rq.contentType == "-" {
				rq.contentType = ""
			}
			r := do(t, s, rq)
			wantStatus(t, r, tc.status)
			wantTiliaError(t, r)
			if tc.check != nil {
				tc.check(t, s, r)
			}
			if s.Count("tilia.token") != 1 {
				t.Errorf("Count = %d, want 1", s.Count("tilia.token"))
			}
		})
	}
}

// wantTiliaError checks Tilia's failure envelope on error replies.
func wantTiliaError(t *testing.T, r reply) {
	t.Helper()
	if r.status < 400 {
		return
	}
	code := map[int]string{400: "INPUT_ERROR", 401: "UNAUTHORIZED"}[r.status]
	codes, _ := r.body["codes"].([]any)
	msgs, _ := r.body["message"].([]any)
	if r.str("status") != "Failure" || len(codes) != 1 || codes[0] != code || len(msgs) != 1 {
		t.Errorf("error body %s", r.raw)
	}
	if r.status == 401 && msgs[0] != "Unauthorized client or scope" {
		t.Errorf("401 message %v", msgs[0])
	}
}
