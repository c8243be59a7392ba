package fakeprovider

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// jwtHeader is marshalled in field order, giving exactly {"alg":"RS512","typ":"JWT"} like Tilia's sample.
type jwtHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
}

// tiliaClaims mirrors the claims decoded from the sample token in Tilia's Auth API
// document (alphabetical, as Tilia emits them), plus iss.
type tiliaClaims struct {
	AccountID  string   `json:"account_id"`
	ClientID   string   `json:"client_id"`
	Exp        int64    `json:"exp"`
	Iat        int64    `json:"iat"`
	Integrator string   `json:"integrator"`
	Iss        string   `json:"iss"`
	Jti        string   `json:"jti"`
	Nbf        int64    `json:"nbf"`
	Scopes     []string `json:"scopes"`
	TokenType  string   `json:"token_type"`
	Username   string   `json:"username"`
}

// accessClaims serves ILS, Tiki (league/oauth2-server style: aud, scopes) and the
// generic server (RFC 9068 style: sub, scope).
type accessClaims struct {
	Iss      string   `json:"iss"`
	Sub      string   `json:"sub,omitempty"`
	Aud      string   `json:"aud,omitempty"`
	ClientID string   `json:"client_id"`
	Scope    string   `json:"scope,omitempty"`
	Scopes   []string `json:"scopes,omitempty"`
	Jti      string   `json:"jti"`
	Iat      int64    `json:"iat"`
	Nbf      int64    `json:"nbf,omitempty"`
	Exp      int64    `json:"exp"`
}

// sign makes a compact JWS with alg RS256 or RS512.
func (s *Server) sign(alg string, claims any) (string, error) {
	hash := map[string]crypto.Hash{"RS256": crypto.SHA256, "RS512": crypto.SHA512}[alg]
	if hash == 0 {
		return "", fmt.Errorf("fakeprovider: unsupported alg %q", alg)
	}
	head, err := json.Marshal(jwtHeader{Alg: alg, Typ: "JWT"})
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64(head) + "." + b64(body)
	h := hash.New()
	h.Write([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, hash, h.Sum(nil))
	if err != nil {
		return "", err
	}
	return input + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
