package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// genkey ec256|ed25519 FILE writes a fresh PEM private key (PKCS #8) that no
// client at the fake provider has registered.
func cmdGenKey(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: genkey ec256|ed25519 FILE")
	}
	var key crypto.Signer
	var err error
	switch args[0] {
	case "ec256":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ed25519":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		ts.Fatalf("genkey: unknown key type %q", args[0])
	}
	ts.Check(err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
}

// citoken AUD SECONDS FILE writes a CI token (as GitLab's id_tokens or a
// Kubernetes projected service-account token would be) that the fake
// issued for AUD, expiring in SECONDS (negative: already expired).
func cmdCIToken(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: citoken AUD SECONDS FILE")
	}
	secs, err := strconv.Atoi(args[1])
	ts.Check(err)
	tok, err := fake(ts).IssueCIToken(args[0], time.Duration(secs)*time.Second)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(tok+"\n"), 0o600))
}

// ciexpire N makes the next N tokens of the fake's GitHub endpoint come
// already expired.
func cmdCIExpire(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: ciexpire N")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	fake(ts).ExpireCITokens(n)
}
