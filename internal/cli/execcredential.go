package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/store"
)

// The ExecCredential versions kubectl's exec credential plugins speak
// (client.authentication.k8s.io; v1alpha1 is gone since Kubernetes 1.24).
const (
	execCredentialV1      = "client.authentication.k8s.io/v1"
	execCredentialV1beta1 = "client.authentication.k8s.io/v1beta1"
)

// execCredential is the part of a client.authentication.k8s.io
// ExecCredential an exec plugin writes: its status.
type execCredential struct {
	APIVersion string               `json:"apiVersion"`
	Kind       string               `json:"kind"`
	Status     execCredentialStatus `json:"status"`
}

type execCredentialStatus struct {
	// ExpirationTimestamp is left out for a token that never expires:
	// kubectl then keeps it until the API server answers 401.
	ExpirationTimestamp string `json:"expirationTimestamp,omitempty"`
	Token               string `json:"token"`
}

// writeExecCredential prints rec as a Kubernetes ExecCredential, for kubectl
// (client-go) running tokctl as its exec credential plugin. The token is the
// login's ID token when it has one, which is what the API server's OpenID
// Connect authenticator checks (as kubelogin does), else the access token;
// the expiry is the served token's own.
func writeExecCredential(f *Factory, rec *store.Record) error {
	token, expiry := rec.AccessToken, rec.Expiry
	if rec.IDToken != "" {
		if rec.IDTokenUnverified {
			return unverifiedIDTokenError(rec)
		}
		token = rec.IDToken
		if exp := idTokenExpiry(rec.IDToken); !exp.IsZero() {
			expiry = exp
		}
		// The cache rules renewed the login if the ID token was due; one
		// still expired means the provider's refresh brought no new one.
		if !expiry.IsZero() && !expiry.After(f.now()) {
			return &failure.LoginRequiredError{Provider: rec.Provider, Reason: "the ID token has expired and refreshing brought no new one",
				Hint: fmt.Sprintf("run `tokctl login %s`", rec.Provider)}
		}
	}
	v := execCredential{APIVersion: execCredentialVersion(), Kind: "ExecCredential", Status: execCredentialStatus{Token: token}}
	if !expiry.IsZero() {
		v.Status.ExpirationTimestamp = expiry.UTC().Format(time.RFC3339)
	}
	enc := json.NewEncoder(f.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// execCredentialVersion is the version kubectl asked for in
// KUBERNETES_EXEC_INFO (the answer must use the same one), v1 by default:
// a kubeconfig entry with apiVersion v1beta1 gets a v1beta1 answer, whose
// status fields are the same.
func execCredentialVersion() string {
	var info struct {
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal([]byte(os.Getenv("KUBERNETES_EXEC_INFO")), &info); err == nil && info.APIVersion == execCredentialV1beta1 {
		return execCredentialV1beta1
	}
	return execCredentialV1
}

// idTokenExpiry is an ID token's exp, or the zero time when it has none
// that can be read.
func idTokenExpiry(raw string) time.Time {
	t, err := jwt.Parse(raw)
	if err != nil {
		return time.Time{}
	}
	return t.Times().Expires
}
