package tokens

import (
	"context"
	"encoding/json"

	"github.com/tokctl/tokctl/internal/assertion"
	"github.com/tokctl/tokctl/internal/provider"
)

// PublicKey is the public half of provider name's private key (its
// private_key file, else the key `tokctl login --private-key-stdin`
// stored) as format "jwk" (with the kid and alg tokctl signs with),
// "jwks" (a JWK Set of that one key) or "pem", ready to print.
func (sv *Service) PublicKey(ctx context.Context, name, format string) ([]byte, error) {
	s, err := sv.Settings(name)
	if err != nil {
		return nil, err
	}
	if _, err := sv.BuildProvider(s); err != nil {
		return nil, err
	}
	var stored []byte
	if s.Value("private_key") == "" {
		b, err := sv.Store()
		if err != nil {
			return nil, err
		}
		if sc := ReadStoredClient(ctx, b, s.Name); sc.PrivateKey != "" && (s.ClientID == "" || s.ClientID == sc.ClientID) {
			stored = []byte(sc.PrivateKey)
		}
	}
	signer, err := provider.KeySigner(s, stored)
	if err != nil {
		return nil, err
	}
	if format == "pem" {
		return signer.PublicPEM()
	}
	return publicJWK(signer, format == "jwks")
}

// publicJWK is signer's public key as an indented JWK, or a JWK Set of it.
func publicJWK(signer *assertion.Signer, set bool) ([]byte, error) {
	jwk, err := signer.PublicJWK()
	if err != nil {
		return nil, err
	}
	var v any = jwk
	if set {
		v = struct {
			Keys []*assertion.JWK `json:"keys"`
		}{[]*assertion.JWK{jwk}}
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
