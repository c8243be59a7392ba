package tokens

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokctl/tokctl/internal/golden"

	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/provider"
)

// assertGolden compares got with testdata/golden/NAME (see package golden).
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Assert(t, filepath.Join("testdata", "golden", name), got)
}

// The public key of a client that signs its assertions, from its key file
// or, without one, from the key `tokctl login --private-key-stdin` stored
// for the same client id.
func TestServicePublicKey(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "svc.pem")
	if err := os.WriteFile(keyFile, []byte(fakeprovider.OIDCKeyP256PEM), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TOKCTL_SVC_KIND": "oauth2", "TOKCTL_SVC_TOKEN_URL": "https://idp.example.com/token",
		"TOKCTL_SVC_CLIENT_ID": "svc-client", "TOKCTL_SVC_AUTH_METHOD": "private_key_jwt", "TOKCTL_SVC_PRIVATE_KEY": keyFile}
	ctx := context.Background()
	for _, format := range []string{"jwk", "jwks", "pem"} {
		t.Run(format, func(t *testing.T) {
			sv, _ := fileService(t, env)
			fromFile, err := sv.PublicKey(ctx, "svc", format)
			if err != nil {
				t.Fatal(err)
			}
			assertGolden(t, "publickey."+format, fromFile)

			env := map[string]string{"TOKCTL_SVC_PRIVATE_KEY": ""}
			sv, _ = fileService(t, env)
			b, err := sv.Store()
			if err != nil {
				t.Fatal(err)
			}
			if err := WriteStoredClient(ctx, b, "svc", provider.Credentials{ID: "svc-client", PrivateKey: []byte(fakeprovider.OIDCKeyP256PEM)}); err != nil {
				t.Fatal(err)
			}
			stored, err := sv.PublicKey(ctx, "svc", format)
			if err != nil || string(stored) != string(fromFile) {
				t.Errorf("from the stored key: %q, %v; want the same as from the file", stored, err)
			}
			t.Setenv("TOKCTL_SVC_CLIENT_ID", "another-client")
			sv.cfg = nil
			if _, err := sv.PublicKey(ctx, "svc", format); err == nil {
				t.Error("the key stored for another client id was used")
			}
		})
	}
}
