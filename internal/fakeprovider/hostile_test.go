package fakeprovider

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestFaultTemplateEchoesRequest(t *testing.T) {
	s := StartTest(t, Options{})
	inject(t, s, "oidc.device", Fault{Times: 1, Action: FaultRespond, Status: 400, Template: true,
		Body: `{"error":"invalid_client","error_description":"raw={{.BasicPassword}} form={{query .Form.scope}} ` +
			`b64={{base64 (print .BasicUser ":" .BasicPassword)}} hdr={{.Header.Authorization}} q={{json "a\"b"}}"}`})
	r := asClient(t, s, OIDCClientID, "/oidc/device", "scope", "openid profile")
	wantStatus(t, r, 400)
	sent := url.QueryEscape(OIDCClientID) + ":" + url.QueryEscape(OIDCClientSecret)
	want := "raw=" + url.QueryEscape(OIDCClientSecret) + " form=openid+profile b64=" +
		base64.StdEncoding.EncodeToString([]byte(sent)) + " hdr=" + basic(OIDCClientID, OIDCClientSecret) + ` q=a"b`
	if got := r.str("error_description"); got != want {
		t.Fatalf("error_description = %q\nwant %q", got, want)
	}
	// Used up: the route answers again.
	startDeviceFlow(t, s, OIDCClientID, "")
}

func TestFaultPatchRewritesTheRouteAnswer(t *testing.T) {
	s := StartTest(t, Options{})
	inject(t, s, "oidc.device", Fault{Times: 1, Action: FaultPatch, Template: true, Patch: map[string]any{
		"verification_uri":          "javascript:alert(1)",
		"verification_uri_complete": "--renderer-cmd-prefix={{.Form.client_id}}",
		"interval":                  nil,
	}})
	r := asClient(t, s, OIDCPublicClientID, "/oidc/device")
	wantStatus(t, r, http.StatusOK)
	if r.str("verification_uri") != "javascript:alert(1)" || r.str("verification_uri_complete") != "--renderer-cmd-prefix="+OIDCPublicClientID {
		t.Fatalf("patched fields not as asked: %s", r.raw)
	}
	if _, ok := r.body["interval"]; ok {
		t.Fatalf("interval not removed: %s", r.raw)
	}
	// The rest is the route's own, live answer: its device code polls.
	if p := pollDevice(t, s, OIDCPublicClientID, r.str("device_code")); p.str("error") != "authorization_pending" {
		t.Fatalf("the patched answer's device code is not live: %s", p.raw)
	}
}

func TestFaultPatchOverHTTP(t *testing.T) {
	s := StartTest(t, Options{})
	body := `{"route":"oidc.token","times":1,"action":"patch","patch":{"access_token":"x;touch${IFS}/tmp/PWNED;#","token_type":"Bearer\r\nX-Injected: 1"}}`
	r := do(t, s, req{method: http.MethodPost, path: "/_fake/fault", contentType: "application/json", body: body})
	wantStatus(t, r, http.StatusNoContent)
	tok := oidcLogin(t, s, OIDCClientID, "openid", "n")
	if tok.str("access_token") != "x;touch${IFS}/tmp/PWNED;#" || tok.str("token_type") != "Bearer\r\nX-Injected: 1" || tok.str("id_token") == "" {
		t.Fatalf("patched token answer: %s", tok.raw)
	}
}

func TestFaultHostileRefusals(t *testing.T) {
	s := StartTest(t, Options{})
	for name, f := range map[string]Fault{
		"patch without action":  {Action: FaultRespond, Patch: map[string]any{"a": "b"}},
		"action without patch":  {Action: FaultPatch},
		"bad template":          {Action: FaultRespond, Template: true, Body: "{{.Form"},
		"unknown template data": {Action: FaultRespond, Template: true, Body: "{{.Nope}}"},
	} {
		if err := s.InjectFault("oidc.token", f); err == nil || !strings.Contains(err.Error(), "fakeprovider:") {
			t.Errorf("%s: InjectFault = %v, want a fakeprovider error", name, err)
		}
	}
}
