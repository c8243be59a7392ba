package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	_ "crypto/sha256" // crypto.SHA256 for the RS, PS, ES and HS algs
	_ "crypto/sha512" // crypto.SHA384 and SHA512
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// JWS compact verification (RFC 7515 §5.2, RFC 7518 §3, RFC 8037 §3.1) on the standard
// library. It accepts a signature only where go-jose v4.1.9's ParseSignedCompact and
// Verify, which tokctl used before, accept it too (FuzzJWSParity holds it to that), and
// is stricter in a few places, each noted where it is checked.

// segmentEncoding is the JWS segments' base64url: unpadded, and strict, so that each
// segment has exactly one encoding and the signing input as received is the one
// go-jose recomputed from the decoded bytes.
var segmentEncoding = base64.RawURLEncoding.Strict()

// algHash is the digest of each alg but EdDSA.
var algHash = map[string]crypto.Hash{
	"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512,
	"PS256": crypto.SHA256, "PS384": crypto.SHA384, "PS512": crypto.SHA512,
	"ES256": crypto.SHA256, "ES384": crypto.SHA384, "ES512": crypto.SHA512,
	"HS256": crypto.SHA256, "HS384": crypto.SHA384, "HS512": crypto.SHA512,
}

// pssOptions verify PS256/384/512 with any salt length, as go-jose did (it passed nil
// options, which crypto/rsa reads as PSSSaltLengthAuto). RFC 7518 §3.5 has signers use
// the hash's size, but the salt length is recovered from the signature, so accepting
// others costs no security, and refusing them could refuse tokens go-jose verified.
var pssOptions = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}

// notJWS is the reason for a token that is not a compact JWS tokctl can check.
func notJWS(format string, args ...any) error {
	return fmt.Errorf("the token is not a valid JWS: "+format, args...)
}

// errUnencoded is the reason for a header with "b64" other than true (RFC 7797).
var errUnencoded = errors.New(`the header's "b64" is not true: tokctl verifies only base64url-encoded payloads (RFC 7797)`)

// verifyJWS checks the compact JWS raw, signed with alg, against pub, which the caller
// has matched to alg.
func verifyJWS(raw, alg string, pub any) error {
	segs := strings.Split(raw, ".")
	if len(segs) != 3 {
		return notJWS("%d dot-separated segments, want 3", len(segs))
	}
	var decoded [3][]byte
	for i, part := range []string{"header", "payload", "signature"} {
		b, err := decodeSegment(segs[i])
		if err != nil {
			return notJWS("the %s is not base64url without padding", part)
		}
		decoded[i] = b
	}
	if err := checkHeader(decoded[0], alg); err != nil {
		return err
	}
	input := []byte(raw[:len(segs[0])+1+len(segs[1])])
	if !verifySignature(alg, pub, input, decoded[2]) {
		return ErrBadSignature
	}
	return nil
}

// decodeSegment decodes one segment, refusing anything but the base64url alphabet:
// encoding/base64 would skip CR and LF, which are then part of the signing input.
func decodeSegment(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, base64.CorruptInputError(i)
		}
	}
	return segmentEncoding.DecodeString(s)
}

// checkHeader checks the protected header: a JSON object without repeated member
// names (at any depth), with alg, and with the registered members go-jose read well formed.
func checkHeader(data []byte, alg string) error {
	m, err := jsonObject(data, true)
	if err != nil {
		return notJWS("the header: %s", err)
	}
	// RFC 7515 §4.1.11: tokctl understands no extension, so any "crit" refuses the token,
	// even an empty list or "b64" (go-jose allowed those, and a null crit).
	if _, ok := m["crit"]; ok {
		return ErrCritical
	}
	var values map[string]any
	if err := json.Unmarshal(data, &values); err != nil { // e.g. a number beyond float64, which go-jose refused
		return notJWS("the header has a value that is not readable JSON")
	}
	got, present, err := m.optStr("alg")
	switch {
	case err != nil || !present:
		return notJWS("the header has no alg string")
	case got != alg:
		return notJWS("the header's alg is %s, not %s", quoteShort(got), alg)
	}
	for _, name := range []string{"kid", "nonce"} {
		if _, err := m.str(name); err != nil {
			return notJWS("the header's %s", err)
		}
	}
	if raw, ok := m["x5c"]; ok {
		if err := checkChain(raw); err != nil {
			return notJWS("the header's %s", err)
		}
	}
	if raw, ok := m["jwk"]; ok && string(raw) != "null" {
		// RFC 7515 §4.1.3: a public key. tokctl never verifies with it, but go-jose refused
		// a header whose jwk was not one.
		if _, err := parseJWK(raw, false); err != nil {
			return notJWS("the header's jwk is not a public JWK: %s", err)
		}
	}
	// go-jose honoured "b64": false even without crit, signing the payload unencoded;
	// tokctl verifies only the encoded form (the default), so it refuses any other b64.
	if raw, ok := m["b64"]; ok {
		var b64 *bool
		if json.Unmarshal(raw, &b64) != nil || b64 == nil || !*b64 {
			return errUnencoded
		}
	}
	return nil
}

// checkChain checks an x5c header: standard base64 DER certificates. go-jose parsed
// them (and refused the token when it could not); tokctl does not trust them either way.
func checkChain(raw json.RawMessage) error {
	var chain []string
	if err := json.Unmarshal(raw, &chain); err != nil {
		return errors.New("x5c is not an array of strings")
	}
	for _, s := range chain {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return errors.New("x5c holds a certificate that is not base64")
		}
		if _, err := x509.ParseCertificate(der); err != nil {
			return errors.New("x5c holds an unreadable certificate")
		}
	}
	return nil
}

// verifySignature reports whether sig is alg's signature of input under pub.
func verifySignature(alg string, pub any, input, sig []byte) bool {
	if algKey[alg] != kindOf(pub) {
		return false
	}
	if alg == "EdDSA" {
		key := pub.(ed25519.PublicKey)
		return len(key) == ed25519.PublicKeySize && ed25519.Verify(key, input, sig)
	}
	h := algHash[alg]
	if secret, ok := pub.([]byte); ok {
		if len(secret) < hmacMinSize[alg] {
			return false
		}
		mac := hmac.New(h.New, secret)
		mac.Write(input)
		return hmac.Equal(sig, mac.Sum(nil))
	}
	d := h.New()
	d.Write(input)
	digest := d.Sum(nil)
	switch key := pub.(type) {
	case *rsa.PublicKey:
		if alg[0] == 'P' {
			return rsa.VerifyPSS(key, h, digest, sig, pssOptions) == nil
		}
		return rsa.VerifyPKCS1v15(key, h, digest, sig) == nil
	case *ecdsa.PublicKey:
		// RFC 7518 §3.4: R and S as fixed-size big-endian integers, concatenated.
		size := (key.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(key, digest, r, s)
	}
	return false
}
