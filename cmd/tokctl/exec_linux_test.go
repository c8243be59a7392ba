package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestExecTokenOnlyInChildEnvironment: while CMD runs, the token is in no
// process's argv on the machine (/proc/*/cmdline: not tokctl's, not CMD's,
// none), not in tokctl's own environment, and in CMD's environment exactly
// once, under the variable asked for.
func TestExecTokenOnlyInChildEnvironment(t *testing.T) {
	for _, name := range []string{"", "API_TOKEN"} {
		t.Run("env="+name, func(t *testing.T) {
			h := newHarness(t)
			p := provider("tilia")
			env := p.env(h.fake.URL())
			got := h.run(env, "token", "get", p.name)
			token := strings.TrimSpace(got.stdout)
			if got.code != 0 || len(token) < 40 {
				t.Fatalf("no token to look for:\n%s", got)
			}
			args := []string{"exec", p.name}
			want := "TOKCTL_ACCESS_TOKEN"
			if name != "" {
				args = append(args, "--env", name)
				want = name
			}
			r := h.startExec(env, append(args, "--", "execchild", "wait-stdin")...)
			child := r.ready()
			tokctl := r.cmd.Process.Pid

			if ppid := parentOf(t, child); ppid != tokctl {
				t.Fatalf("the child %d has parent %d, not tokctl %d", child, ppid, tokctl)
			}
			for _, pid := range []int{tokctl, child} {
				if argv := procStrings(t, pid, "cmdline"); len(argv) == 0 {
					t.Fatalf("could not read the argv of %d", pid)
				}
			}
			// Every argv on the machine, and the token's last 16 characters
			// alone (the signature of a JWT), so that no part of it leaks.
			tail := token[len(token)-16:]
			for pid, argv := range allArgv(t) {
				if strings.Contains(argv, tail) {
					t.Errorf("process %d has the token in its argv: %q", pid, argv)
				}
			}
			for _, kv := range procStrings(t, tokctl, "environ") {
				if strings.Contains(kv, tail) {
					t.Errorf("tokctl's own environment holds the token (%s=…)", strings.SplitN(kv, "=", 2)[0])
				}
			}
			var holders []string
			for _, kv := range procStrings(t, child, "environ") {
				if strings.Contains(kv, tail) {
					holders = append(holders, kv)
				}
			}
			if len(holders) != 1 || holders[0] != want+"="+token {
				names := make([]string, len(holders))
				for i, kv := range holders {
					names[i] = strings.SplitN(kv, "=", 2)[0]
				}
				t.Errorf("the token is in the child's environment as %v, want exactly [%s] with the token `token get` prints", names, want)
			}

			if err := r.stdin.Close(); err != nil {
				t.Fatal(err)
			}
			if code := r.exit(); code != 0 {
				t.Errorf("exit %d; stderr: %s", code, r.stderr)
			}
		})
	}
}

// procStrings reads /proc/PID/FILE, a list of NUL-terminated strings.
func procStrings(t *testing.T, pid int, file string) []string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}

// allArgv is the argv of every process this user can see, by pid.
func allArgv(t *testing.T) map[int]string {
	t.Helper()
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(d))
		if b, err := os.ReadFile(filepath.Join(d, "cmdline")); err == nil {
			out[pid] = string(bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
		}
	}
	if len(out) < 3 {
		t.Fatalf("read the argv of only %d processes", len(out))
	}
	return out
}

// parentOf is a process's parent pid, from /proc/PID/stat.
func parentOf(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// "pid (comm) state ppid …"; comm may hold spaces and parentheses.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		t.Fatal(err)
	}
	return ppid
}

// TestExecCtrlCReachesChildOnce: tokctl on a terminal, as a user runs it; a
// Ctrl-C typed there reaches CMD exactly once (the terminal sends SIGINT to
// the whole foreground process group, CMD included; passing it on as well
// would make it twice, and many programs abort at a second Ctrl-C). A
// SIGTERM sent to tokctl afterwards is still passed on: the child reports
// how many SIGINTs it had when it gets it. tokctl forwards the SIGINT it
// handled (if it did) before that SIGTERM, so the count is final.
func TestExecCtrlCReachesChildOnce(t *testing.T) {
	h := newHarness(t)
	p := provider("tilia")
	master, slave := openPTY(t)
	cmd := exec.Command("tokctl", "exec", p.name, "--", "execchild", "count-interrupts")
	cmd.Env = append(append([]string{}, h.env...), p.env(h.fake.URL())...)
	cmd.Dir = h.home
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	// A session of its own with the terminal as its controlling terminal:
	// tokctl and CMD are its foreground process group, as in a shell.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	slave.Close()
	done := make(chan error, 1)
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(master)
		for sc.Scan() {
			lines <- strings.TrimRight(sc.Text(), "\r")
		}
		close(lines)
		done <- cmd.Wait()
	}()
	waitFor := func(prefix string) string {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the terminal closed before %q", prefix)
				}
				if i := strings.Index(l, prefix); i >= 0 { // after an echoed ^C
					return l[i:]
				}
			case <-timeout:
				t.Fatalf("no %q within 30s", prefix)
			}
		}
	}
	waitFor("ready ")
	if _, err := master.Write([]byte{3}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	waitFor("interrupt 1")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if l := waitFor("interrupts "); l != "interrupts 1" {
		t.Errorf("the child says %q after one Ctrl-C, want %q", l, "interrupts 1")
	}
	for range lines {
	}
	if err := <-done; err != nil {
		t.Errorf("tokctl: %v", err)
	}
}

// openPTY opens a pseudo-terminal pair.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return master, slave
}
