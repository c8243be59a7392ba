// Package render prints what the token lifecycle (package tokens) hands
// out, as the commands show it: a token in the formats of `tokctl token get
// -o`, the table and JSON of `tokctl status` and of `tokctl providers`.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/tokens"
)

// Outputs are the formats Token knows, in the order help lists them.
var Outputs = []string{"token", "json", "header", "env", "id-token", "exec-credential"}

// Token prints t to w in format output (one of Outputs); now is the clock
// that expires_in and the ID token's expiry are measured against. It prints
// nothing that tokens.CheckPrintable refuses.
func Token(w io.Writer, t *tokens.Token, output string, now time.Time) error {
	if err := tokens.CheckPrintable(t, output); err != nil {
		return err
	}
	typ := t.TokenType
	if typ == "" || strings.EqualFold(typ, "bearer") {
		typ = "Bearer"
	}
	var err error
	switch output {
	case "token":
		_, err = fmt.Fprintln(w, t.AccessToken)
	case "header":
		_, err = fmt.Fprintf(w, "Authorization: %s %s\n", typ, t.AccessToken)
	case "env":
		_, err = fmt.Fprintf(w, "TOKCTL_ACCESS_TOKEN=%s\n", ShellQuote(t.AccessToken))
	case "id-token":
		_, err = fmt.Fprintln(w, t.IDToken)
	case "json":
		err = writeJSON(w, t, typ, now)
	case "exec-credential":
		err = writeExecCredential(w, t, now)
	default:
		err = failure.Usagef("unknown output %q: use one of %s", output, strings.Join(Outputs, ", "))
	}
	return err
}

// ShellQuote returns s as one POSIX shell word: unchanged when it holds only
// characters no shell treats specially in an assignment (a JWT: letters,
// digits, "-", "_", "."), else in single quotes. "~" and ":" count as special:
// an assignment expands "~" after "=" and ":".
func ShellQuote(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '/' || c == '+' || c == '=' || c == ',' || c == '@' || c == '%') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

func writeJSON(w io.Writer, t *tokens.Token, typ string, now time.Time) error {
	v := struct {
		AccessToken string  `json:"access_token"`
		TokenType   string  `json:"token_type"`
		Expiry      *string `json:"expiry"`
		ExpiresIn   *int64  `json:"expires_in"`
		Scope       string  `json:"scope,omitempty"`
		IDToken     string  `json:"id_token,omitempty"`
	}{AccessToken: t.AccessToken, TokenType: typ, Scope: strings.Join(t.Scopes, " ")}
	if !t.IDTokenUnverified { // an unverified one is for nobody to rely on
		v.IDToken = t.IDToken
	}
	if !t.Expiry.IsZero() {
		exp := t.Expiry.UTC().Format(time.RFC3339)
		left := int64(t.Expiry.Sub(now).Seconds())
		v.Expiry, v.ExpiresIn = &exp, &left
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

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

// writeExecCredential prints t as a Kubernetes ExecCredential, for kubectl
// (client-go) running tokctl as its exec credential plugin. The token is the
// login's ID token when it has one, which is what the API server's OpenID
// Connect authenticator checks (as kubelogin does), else the access token;
// the expiry is the served token's own.
func writeExecCredential(w io.Writer, t *tokens.Token, now time.Time) error {
	token, expiry := t.AccessToken, t.Expiry
	if t.IDToken != "" {
		token = t.IDToken
		if exp := t.IDTokenExpiry(); !exp.IsZero() {
			expiry = exp
		}
		// The cache rules renewed the login if the ID token was due; one
		// still expired means the provider's refresh brought no new one.
		if !expiry.IsZero() && !expiry.After(now) {
			return &failure.LoginRequiredError{Provider: t.Provider, Reason: "the ID token has expired and refreshing brought no new one",
				Hint: fmt.Sprintf("run `tokctl login %s`", t.Provider)}
		}
	}
	v := execCredential{APIVersion: execCredentialVersion(), Kind: "ExecCredential", Status: execCredentialStatus{Token: token}}
	if !expiry.IsZero() {
		v.Status.ExpirationTimestamp = expiry.UTC().Format(time.RFC3339)
	}
	enc := json.NewEncoder(w)
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
