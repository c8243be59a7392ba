// Package assertion builds the JWTs a client proves itself with (RFC 7523):
// client assertions signed with the client's private key (private_key_jwt)
// or its secret (client_secret_jwt), the JWT-bearer grant's assertion, and
// the ID tokens a CI platform hands a job (GitHub Actions, GitLab,
// Kubernetes). It signs with the standard library's crypto packages only.
package assertion

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is defined as a SHA-1 thumbprint (RFC 7515 §4.1.7)
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
)

// maxKeyFile caps what is read as a key file; a PEM key is a few KB.
const maxKeyFile = 1 << 20

// minRSABits is the smallest RSA key RFC 7518 §3.3 allows for RS*/PS*.
const minRSABits = 2048

// Key is a private signing key and, when its PEM file holds one, the
// certificate of its public key (whose thumbprints go in x5t and x5t#S256,
// as Entra ID asks).
type Key struct {
	Signer crypto.Signer
	Cert   *x509.Certificate
}

// ReadKeyFile reads a PEM private key file. warning is non-empty when the
// file is readable by group or others (the key works, but should not).
func ReadKeyFile(path string) (k *Key, warning string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read the private key: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, "", fmt.Errorf("cannot read the private key %s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return nil, "", fmt.Errorf("the private key file %s is larger than 1 MiB", path)
	}
	k, err = ParseKey(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	if fi, err := f.Stat(); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		warning = fmt.Sprintf("the private key %s can be read by other users (mode %04o); run `chmod 600 %s`", path, fi.Mode().Perm(), path)
	}
	return k, warning, nil
}

// ParseKey reads a PEM private key: PKCS #8 ("PRIVATE KEY"), PKCS #1
// ("RSA PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY"); RSA of at least 2048
// bits, EC P-256, P-384 or P-521, or Ed25519. A CERTIFICATE block for the
// same key may come with it. Encrypted keys are refused.
func ParseKey(data []byte) (*Key, error) {
	var k Key
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("unreadable certificate: %v", err)
			}
			certs = append(certs, c)
			continue
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)")
		}
		if k.Signer != nil {
			continue
		}
		if _, encrypted := block.Headers["Proc-Type"]; encrypted {
			return nil, errors.New("the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)")
		}
		s, err := parseBlock(block)
		if err != nil {
			return nil, err
		}
		k.Signer = s
	}
	if k.Signer == nil {
		return nil, errors.New("no PEM private key found (want PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)")
	}
	if err := checkKey(k.Signer); err != nil {
		return nil, err
	}
	for _, c := range certs {
		if samePublic(c.PublicKey, k.Signer.Public()) {
			k.Cert = c
			break
		}
	}
	if len(certs) > 0 && k.Cert == nil {
		return nil, errors.New("the certificate in the key file is not the private key's")
	}
	return &k, nil
}

func parseBlock(block *pem.Block) (crypto.Signer, error) {
	var (
		key any
		err error
	)
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("a PEM %q block is not a private key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("unreadable %s: %v", block.Type, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("unsupported private key type %T (want RSA, EC or Ed25519)", key)
}

func checkKey(s crypto.Signer) error {
	switch k := s.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("the RSA key has %d bits; JWS needs at least %d (RFC 7518 §3.3)", k.N.BitLen(), minRSABits)
		}
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return fmt.Errorf("unsupported EC curve %s (want P-256, P-384 or P-521)", k.Curve.Params().Name)
		}
	}
	return nil
}

func samePublic(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

// MarshalPEM encodes k's private key as PKCS #8 PEM (and its certificate
// after it), the form `tokctl login --private-key-stdin` stores.
func MarshalPEM(k *Key) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		return nil, err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if k.Cert != nil {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.Cert.Raw})...)
	}
	return out, nil
}

// certThumbprints are the x5t and x5t#S256 header values of cert.
func certThumbprints(cert *x509.Certificate) (sha1Print, sha256Print string) {
	s1 := sha1.Sum(cert.Raw) //nolint:gosec // see import
	s256 := sha256.Sum256(cert.Raw)
	return b64(s1[:]), b64(s256[:])
}
