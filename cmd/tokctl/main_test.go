package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tokctl/tokctl/internal/cli"
	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/iostreams"
)

// With signalsCaughtEnv=1 in its environment, the tokctl of these tests
// prints signalsCaughtLine on stderr once it catches Ctrl-C and SIGTERM
// (tokctl does from 100 ms into a wait), so that a test can send a signal
// at the right moment without guessing it with the clock.
const (
	signalsCaughtEnv  = "TOKCTL_TEST_SIGNALS_CAUGHT"
	signalsCaughtLine = "tokctl-test: catching signals"
)

// TestMain lets the test binary act as tokctl, so that the scripts run the
// real command in its own process with its own exit code.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tokctl": func() {
			f := &cli.Factory{IO: iostreams.System(), Build: cli.BuildInfo{Version: "test"}}
			if os.Getenv(signalsCaughtEnv) == "1" {
				f.SignalsCaught = func() { fmt.Fprintln(os.Stderr, signalsCaughtLine) }
			}
			os.Exit(cli.Run(f, os.Args[1:]))
		},
		"minibrowser":   minibrowser,
		"denybrowser":   denybrowser,
		"execchild":     execchild,
		"devicebrowser": devicebrowser,
	})
}

// TestScripts runs the black-box scenarios in testdata/script, each against
// its own fake provider on 127.0.0.1 and its own home, config and state.
func TestScripts(t *testing.T) {
	bus := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if bus == "" && os.Getenv("TOKCTL_TEST_REQUIRE_KEYRING") == "1" {
		t.Fatal("TOKCTL_TEST_REQUIRE_KEYRING=1 but no D-Bus session bus: run under with-keyring.sh")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") == "1",
		Setup:               func(e *testscript.Env) error { return setupScript(e, bus) },
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "keyring":
				return bus != "", nil
			case "browser": // headless Chromium behind ../shared/ci/fake-browser.sh
				return haveBrowser(), nil
			case "withkeyring": // ../shared/ci/with-keyring.sh beside the clone
				_, err := os.Stat(withKeyring)
				if err != nil && os.Getenv("TOKCTL_TEST_REQUIRE_KEYRING") == "1" {
					return false, fmt.Errorf("TOKCTL_TEST_REQUIRE_KEYRING=1 but %s is missing", withKeyring)
				}
				return err == nil, nil
			case "root":
				return os.Geteuid() == 0, nil
			case "userbus": // godbus finds this bus even with DBUS_SESSION_BUS_ADDRESS empty
				_, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid()))
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fakecount":   cmdFakeCount,
			"exitcode":    cmdExitCode,
			"fakereset":   cmdFakeReset,
			"fakefault":   cmdFakeFault,
			"fileperm":    cmdFilePerm,
			"chownother":  cmdChownOther,
			"hangbus":     cmdHangBus,
			"expire":      cmdExpire,
			"execcred":    cmdExecCred,
			"expireid":    cmdExpireID,
			"fakehostile": cmdFakeHostile,
			"keyfiles":    cmdKeyFiles,
			"deeptoken":   cmdDeepToken,
			"fakeoidc":    cmdFakeOIDC,
			"genkey":      cmdGenKey,
			"citoken":     cmdCIToken,
			"ciexpire":    cmdCIExpire,
			"records":     cmdRecords,
			"recordfile":  cmdRecordFile,
			"recordkey":   cmdRecordKey,
		},
	})
}

// setupScript starts a fake provider for the script and gives it a private
// environment: file store by default, no keyring unless the script asks.
func setupScript(e *testscript.Env, bus string) error {
	srv, err := fakeprovider.Start(fakeprovider.Options{})
	if err != nil {
		return err
	}
	e.Defer(func() { srv.Close() })
	e.Values["fake"] = srv
	e.Setenv("FAKE", srv.URL())
	e.Setenv("FAKE_LOCALHOST", strings.Replace(srv.URL(), "127.0.0.1", "localhost", 1))
	for _, c := range srv.Clients() {
		name := c.Provider
		if c.Provider == "oauth2" || strings.HasPrefix(c.ID, "oidc-") {
			name = c.ID // several clients: OAUTH2_BASIC_ID, OAUTH2_POST_ID, OAUTH2_RESERVED_ID
		}
		name = strings.ToUpper(strings.NewReplacer("-", "_", ":", "_").Replace(name))
		e.Setenv(name+"_ID", c.ID)
		e.Setenv(name+"_SECRET", c.Secret)
		if c.PrivateKeyPEM != "" { // OIDC_KEY_RSA_KEY: the path of its private key
			path := filepath.Join(e.WorkDir, "keys", c.ID+".pem")
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return err
			}
			if err := os.WriteFile(path, []byte(c.PrivateKeyPEM), 0o600); err != nil {
				return err
			}
			e.Setenv(name+"_KEY", path)
		}
	}
	e.Setenv("FAKE_GITHUB_URL", srv.GitHubRequestURL())
	e.Setenv("FAKE_GITHUB_TOKEN", fakeprovider.GitHubRequestToken)
	e.Setenv("FEDERATED_AUD", fakeprovider.FederatedAudience)
	home := filepath.Join(e.WorkDir, "home")
	e.Setenv("HOME", home)
	e.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	e.Setenv("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
	e.Setenv("XDG_RUNTIME_DIR", filepath.Join(e.WorkDir, "run"))
	e.Setenv("TOKCTL_STORE", "file")
	e.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	e.Setenv("REAL_DBUS_SESSION_BUS_ADDRESS", bus)
	e.Setenv("NO_COLOR", "1")
	e.Setenv("GORACE", "atexit_sleep_ms=0") // -race would sleep 1 s at every exit
	e.Setenv("BROWSER", "")
	if haveBrowser() {
		e.Setenv("FAKE_BROWSER", fakeBrowser)
	}
	e.Setenv("WITH_KEYRING", withKeyring)
	return nil
}

func fake(ts *testscript.TestScript) *fakeprovider.Server {
	return ts.Value("fake").(*fakeprovider.Server)
}

// fakecount ROUTE N asserts how many requests the fake saw on ROUTE.
func cmdFakeCount(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: fakecount ROUTE N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	got := fake(ts).Count(args[0])
	if (got == want) == neg {
		ts.Fatalf("fake provider saw %d requests on %s, want %s%d", got, args[0], map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// fakereset zeroes the fake's counters and forgets its tokens.
func cmdFakeReset(ts *testscript.TestScript, neg bool, args []string) {
	fake(ts).Reset()
}

// fakefault ROUTE TIMES STATUS BODY [HEADER=VALUE...] makes the fake answer
// the next TIMES requests on ROUTE (0: all) with STATUS, BODY and the headers.
func cmdFakeFault(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 4 || neg {
		ts.Fatalf("usage: fakefault ROUTE TIMES STATUS BODY [HEADER=VALUE...]")
	}
	times, err := strconv.Atoi(args[1])
	ts.Check(err)
	status, err := strconv.Atoi(args[2])
	ts.Check(err)
	header := map[string]string{}
	for _, kv := range args[4:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			ts.Fatalf("fakefault: header %q is not NAME=VALUE", kv)
		}
		header[k] = v
	}
	ts.Check(fake(ts).InjectFault(args[0], fakeprovider.Fault{
		Times: times, Action: fakeprovider.FaultRespond, Status: status, Header: header, Body: args[3],
	}))
}

// fakehostile FILE injects the fault FILE describes, a JSON object as
// POST /_fake/fault takes (route, action, status, body, patch, template…).
func cmdFakeHostile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: fakehostile FILE")
	}
	resp, err := http.Post(fake(ts).URL()+"/_fake/fault", "application/json", strings.NewReader(ts.ReadFile(args[0])))
	ts.Check(err)
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		ts.Fatalf("fakehostile %s: %s %s", args[0], resp.Status, msg)
	}
}

// fileperm MODE PATH asserts a file's permission bits (octal).
func cmdFilePerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: fileperm MODE PATH")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	if got := uint64(fi.Mode().Perm()); (got == want) == neg {
		ts.Fatalf("%s has mode %o, want %o", args[1], got, want)
	}
}

// chownother PATH gives PATH (not a link's target) to uid and gid 65534
// (nobody): another user's file, without creating a user. Needs root.
func cmdChownOther(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: chownother PATH")
	}
	ts.Check(os.Lchown(ts.MkAbs(args[0]), 65534, 65534))
}

// exitcode N CMD [ARGS...] runs CMD like exec and asserts its exit code;
// stdout and stderr are kept for the following stdout/stderr checks.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || neg {
		ts.Fatalf("usage: exitcode N CMD [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("running %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// hangbus PATH listens on a unix socket at PATH that accepts connections and
// never answers: a D-Bus session bus that hangs.
func cmdHangBus(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: hangbus PATH")
	}
	l, err := net.Listen("unix", ts.MkAbs(args[0]))
	ts.Check(err)
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	ts.Defer(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
}
