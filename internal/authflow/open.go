package authflow

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"

	"github.com/pkg/browser"
)

// browserOutput points pkg/browser's package-level writers away from
// stdout, which carries only data; it runs once per process.
var browserOutput sync.Once

// Opener is the Flow's Open: it starts the user's browser on a URL
// without waiting for it. $BROWSER wins (pkg/browser does not read it);
// otherwise pkg/browser picks the platform's opener (xdg-open, open,
// rundll32). The opener's output goes to stderr, never stdout; if it fails,
// a warning on stderr says to open the address printed above by hand.
func Opener(stderr io.Writer) func(url string) {
	return func(url string) { openBrowser(stderr, url) }
}

func openBrowser(stderr io.Writer, url string) {
	warnf := func(format string, args ...any) {
		fmt.Fprintf(stderr, "tokctl: warning: "+format+"\n", args...)
	}
	if strings.HasPrefix(url, "-") {
		// Device flow URIs are checked when they arrive (https or loopback
		// http only); this keeps any address from becoming an option of the
		// browser command.
		warnf("not opening a browser on an address that starts with \"-\"; open the address above yourself")
		return
	}
	open := func() error { return browser.OpenURL(url) }
	if cmd := browserCommand(os.Getenv("BROWSER"), url); cmd != nil {
		cmd.Stdout, cmd.Stderr = stderr, stderr
		open = cmd.Run
	} else {
		browserOutput.Do(func() { browser.Stdout, browser.Stderr = stderr, stderr })
	}
	go func() {
		if err := open(); err != nil {
			warnf("could not open a browser (%v); open the address above yourself", err)
		}
	}()
}

// browserCommand reads $BROWSER the way xdg-open and Python's webbrowser
// do: a colon-separated list of commands, the first used; "%s" in it is
// replaced by the URL, else the URL is the last argument. No shell is
// involved, so the URL cannot inject commands.
func browserCommand(env, url string) *exec.Cmd {
	for _, entry := range strings.Split(env, ":") {
		fields := strings.Fields(entry)
		if len(fields) == 0 {
			continue
		}
		replaced := false
		for i, f := range fields {
			if strings.Contains(f, "%s") {
				fields[i] = strings.ReplaceAll(f, "%s", url)
				replaced = true
			}
		}
		if !replaced {
			fields = append(fields, url)
		}
		return exec.Command(fields[0], fields[1:]...)
	}
	return nil
}

// errNoDisplay means no browser can be opened here.
var errNoDisplay = errors.New("no browser can be opened in this session (no $BROWSER and no display)")

// CanOpenBrowser is the Flow's CanOpen: it reports whether a browser can
// plausibly be opened: $BROWSER is set, or this is not a remote or
// display-less Linux session.
func CanOpenBrowser() error {
	if os.Getenv("BROWSER") != "" {
		return nil
	}
	if os.Getenv("SSH_CONNECTION") != "" || os.Getenv("SSH_TTY") != "" {
		return errNoDisplay
	}
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errNoDisplay
	}
	return nil
}
