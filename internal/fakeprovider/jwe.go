package fakeprovider

import jose "github.com/go-jose/go-jose/v4"

// encrypt wraps a signed JWT in a compact JWE (RSA-OAEP-256, A256GCM, cty JWT: a nested
// JWT, RFC 7519 §5.2) for the holder of EncryptionKey, as providers that encrypt access
// tokens for their resource servers do.
func (s *Server) encrypt(jwt string) (string, error) {
	key, err := s.encryptionKey()
	if err != nil {
		return "", err
	}
	enc, err := jose.NewEncrypter(jose.A256GCM,
		jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: &key.PublicKey, KeyID: thumbprint(&key.PublicKey)},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt([]byte(jwt))
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}
