package fakeprovider

import (
	"net/http"
	"testing"
)

// StartTest's server answers during the test and is closed after it.
func TestStartTestClosesAfterTheTest(t *testing.T) {
	var url string
	t.Run("inner", func(t *testing.T) {
		url = StartTest(t, Options{}).OIDCIssuer() + "/.well-known/openid-configuration"
		resp, err := http.Get(url)
		if err != nil {
			t.Fatalf("the server does not answer during the test: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("discovery: HTTP %d", resp.StatusCode)
		}
	})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(url); err == nil {
		resp.Body.Close()
		t.Fatalf("the server still answers after its test (HTTP %d)", resp.StatusCode)
	}
}
