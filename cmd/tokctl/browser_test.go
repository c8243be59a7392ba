package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/store"
)

// fakeBrowser is the shared headless-Chromium browser for tests, beside the repository.
var fakeBrowser, _ = filepath.Abs(filepath.Join("..", "..", "..", "shared", "ci", "fake-browser.sh"))

// withKeyring runs a command inside a private Secret Service (../shared/ci).
var withKeyring, _ = filepath.Abs(filepath.Join("..", "..", "..", "shared", "ci", "with-keyring.sh"))

var (
	browserOnce sync.Once
	browserOK   bool
)

// haveBrowser reports whether fake-browser.sh and Chromium are there; with
// TOKCTL_TEST_REQUIRE_BROWSER=1 (CI) their absence fails the run instead of
// skipping the real-browser scripts.
func haveBrowser() bool {
	browserOnce.Do(func() {
		_, err1 := os.Stat(fakeBrowser)
		_, err2 := exec.LookPath("chromium")
		browserOK = err1 == nil && err2 == nil
		if !browserOK && os.Getenv("TOKCTL_TEST_REQUIRE_BROWSER") == "1" {
			fmt.Fprintln(os.Stderr, "TOKCTL_TEST_REQUIRE_BROWSER=1 but fake-browser.sh or chromium is missing (../shared/ci/install-deps.sh browser)")
			os.Exit(1)
		}
	})
	return browserOK
}

// minibrowser URL is a browser without a screen for the scripts that are
// not about the browser itself: it follows the authorization URL's
// redirects (loopback only) to tokctl's listener, like a user who approves.
func minibrowser() { browse(os.Args[1:], false) }

// denybrowser URL is a user who refuses: it opens a device verification
// URL with action=deny.
func denybrowser() { browse(os.Args[1:], true) }

func browse(args []string, deny bool) {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: minibrowser URL")
		os.Exit(2)
	}
	client := &http.Client{
		Timeout: 10 * time.Second,
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if !oauth.IsLoopback(r.URL.Hostname()) || len(via) > 5 {
				return errors.New("minibrowser: refusing a redirect away from loopback")
			}
			return nil
		},
	}
	u, err := url.Parse(args[0])
	if err != nil || !oauth.IsLoopback(u.Hostname()) {
		fmt.Fprintln(os.Stderr, "minibrowser: only loopback URLs")
		os.Exit(2)
	}
	if deny {
		q := u.Query()
		q.Set("action", "deny")
		u.RawQuery = q.Encode()
	}
	resp, err := client.Get(u.String())
	if err != nil {
		fmt.Fprintln(os.Stderr, "minibrowser:", err)
		os.Exit(1)
	}
	resp.Body.Close()
	os.Exit(0)
}

// expire PROVIDER moves the expiry of the provider's file-store records
// into the past, as if their lifetime had run out; the rest of each record
// (its refresh token) stays as it was.
func cmdExpire(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: expire PROVIDER")
	}
	b := store.File{Dir: filepath.Join(ts.Getenv("XDG_STATE_HOME"), "tokctl")}
	ctx := context.Background()
	recs, err := storedRecords(b, args[0])
	ts.Check(err)
	for _, rec := range recs {
		rec.Expiry = time.Now().Add(-time.Minute)
		ts.Check(store.SaveRecord(ctx, b, rec))
	}
}

// fileStore is the script's file store.
func fileStore(ts *testscript.TestScript) store.File {
	return store.File{Dir: filepath.Join(ts.Getenv("XDG_STATE_HOME"), "tokctl")}
}

// records PROVIDER N asserts how many token records the file store keeps
// for PROVIDER (readable or not, the record of an older tokctl included).
func cmdRecords(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: records PROVIDER N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	recs, err := store.Records(context.Background(), fileStore(ts), args[0])
	ts.Check(err)
	if (len(recs) == want) == neg {
		ts.Fatalf("%s has %d stored records, want %s%d", args[0], len(recs), map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// recordfile VAR PROVIDER sets $VAR to the file of PROVIDER's most recently
// written token record.
func cmdRecordFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: recordfile VAR PROVIDER")
	}
	b := fileStore(ts)
	recs, err := store.Records(context.Background(), b, args[1])
	ts.Check(err)
	if len(recs) == 0 {
		ts.Fatalf("%s has no stored record", args[1])
	}
	ts.Setenv(args[0], filepath.Join(b.Dir, recs[0].Key+".value"))
}

// recordkey VAR PROVIDER ENDPOINT [SCOPES] sets $VAR to the store key of
// PROVIDER's record for a token from ENDPOINT for the comma-separated
// SCOPES, or for its default scope set.
func cmdRecordKey(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 || len(args) > 4 || neg {
		ts.Fatalf("usage: recordkey VAR PROVIDER ENDPOINT [SCOPES]")
	}
	var scopes []string
	if len(args) == 4 {
		scopes = strings.Split(args[3], ",")
	}
	ts.Setenv(args[0], store.RecordKey(args[1], args[2], scopes))
}
