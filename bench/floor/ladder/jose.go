//go:build ladder_jose

package main

import (
	"os"

	"github.com/go-jose/go-jose/v4"
)

// go-jose as internal/jwt uses it: a JWK read, a compact JWS parsed and
// verified (`decode --jwks`, the ID-token checks).
func init() {
	extras = append(extras, func() {
		if never {
			var jwk jose.JSONWebKey
			if err := jwk.UnmarshalJSON([]byte(os.Args[3])); err != nil || !jwk.Valid() {
				return
			}
			sig, err := jose.ParseSignedCompact(os.Args[2], []jose.SignatureAlgorithm{jose.SignatureAlgorithm(os.Args[4])})
			if err == nil {
				_, _ = sig.Verify(jwk.Key)
			}
		}
	})
}
