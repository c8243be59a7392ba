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

// expire PROVIDER moves the file-store record's expiry into the past, as
// if its lifetime had run out; the rest of the record (its refresh token)
// stays as it was.
func cmdExpire(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: expire PROVIDER")
	}
	b := store.File{Dir: filepath.Join(ts.Getenv("XDG_STATE_HOME"), "tokctl")}
	ctx := context.Background()
	rec, err := store.LoadRecord(ctx, b, args[0])
	ts.Check(err)
	rec.Expiry = time.Now().Add(-time.Minute)
	ts.Check(store.SaveRecord(ctx, b, rec))
}
