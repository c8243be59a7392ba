package assertion

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
)

// JWK is a public JSON Web Key (RFC 7517) as a provider's client
// registration takes it.
type JWK struct {
	Kty string   `json:"kty"`
	Crv string   `json:"crv,omitempty"`
	X   string   `json:"x,omitempty"`
	Y   string   `json:"y,omitempty"`
	N   string   `json:"n,omitempty"`
	E   string   `json:"e,omitempty"`
	Kid string   `json:"kid,omitempty"`
	Use string   `json:"use,omitempty"`
	Alg string   `json:"alg,omitempty"`
	X5c []string `json:"x5c,omitempty"`
}

// PublicJWK is s's public key as a JWK with its kid, "use": "sig" and alg.
func (s *Signer) PublicJWK() (*JWK, error) {
	if s.priv == nil {
		return nil, fmt.Errorf("a %s signer has no public key", s.alg)
	}
	j, err := thumbprintMembers(s.priv.Public())
	if err != nil {
		return nil, err
	}
	j.Kid, j.Use, j.Alg = s.kid, "sig", s.alg
	if s.cert != nil {
		j.X5c = []string{base64.StdEncoding.EncodeToString(s.cert.Raw)}
	}
	return j, nil
}

// PublicPEM is s's public key as a PEM "PUBLIC KEY" (PKIX) block.
func (s *Signer) PublicPEM() ([]byte, error) {
	if s.priv == nil {
		return nil, fmt.Errorf("a %s signer has no public key", s.alg)
	}
	der, err := x509.MarshalPKIXPublicKey(s.priv.Public())
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of pub, base64url.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	j, err := thumbprintMembers(pub)
	if err != nil {
		return "", err
	}
	// The required members in lexicographic order, no white space (RFC 7638 §3).
	var v any
	switch j.Kty {
	case "RSA":
		v = struct {
			E   string `json:"e"`
			Kty string `json:"kty"`
			N   string `json:"n"`
		}{j.E, j.Kty, j.N}
	case "EC":
		v = struct {
			Crv string `json:"crv"`
			Kty string `json:"kty"`
			X   string `json:"x"`
			Y   string `json:"y"`
		}{j.Crv, j.Kty, j.X, j.Y}
	default: // OKP, RFC 8037 §2
		v = struct {
			Crv string `json:"crv"`
			Kty string `json:"kty"`
			X   string `json:"x"`
		}{j.Crv, j.Kty, j.X}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// thumbprintMembers is pub's JWK with only its key members.
func thumbprintMembers(pub crypto.PublicKey) (*JWK, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return &JWK{Kty: "RSA", N: b64(k.N.Bytes()), E: b64(big.NewInt(int64(k.E)).Bytes())}, nil
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		pt, err := k.Bytes() // 0x04 || X || Y, each size bytes
		if err != nil {
			return nil, err
		}
		return &JWK{Kty: "EC", Crv: k.Curve.Params().Name, X: b64(pt[1 : 1+size]), Y: b64(pt[1+size:])}, nil
	case ed25519.PublicKey:
		return &JWK{Kty: "OKP", Crv: "Ed25519", X: b64(k)}, nil
	}
	return nil, fmt.Errorf("unsupported public key type %T", pub)
}
