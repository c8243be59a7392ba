package iostreams

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSystem decides colour and prompting from real terminals, files and the
// environment.
func TestSystem(t *testing.T) {
	tty, _ := openPTY(t)
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()

	tests := []struct {
		name                  string
		stdin, stdout, stderr *os.File
		env                   map[string]string
		wantColour, wantAsk   bool
	}{
		{"all terminals", tty, tty, tty, map[string]string{"TERM": "xterm-256color"}, true, true},
		{"no TERM at all", tty, tty, tty, nil, true, true},
		{"NO_COLOR set", tty, tty, tty, map[string]string{"NO_COLOR": "1", "TERM": "xterm"}, false, true},
		{"NO_COLOR set to anything", tty, tty, tty, map[string]string{"NO_COLOR": "false"}, false, true},
		{"NO_COLOR empty is unset", tty, tty, tty, map[string]string{"NO_COLOR": ""}, true, true},
		{"dumb terminal", tty, tty, tty, map[string]string{"TERM": "dumb"}, false, true},
		{"stdout to a file", tty, file, tty, nil, false, true},
		{"stdout to a pipe", tty, w, tty, nil, false, true},
		{"stdin from a pipe", r, tty, tty, nil, true, false},
		{"stderr to a file", tty, tty, file, nil, true, false},
		{"nothing a terminal", r, w, file, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := system(tt.stdin, tt.stdout, tt.stderr, func(k string) string { return tt.env[k] })
			if got := s.ColorEnabled(); got != tt.wantColour {
				t.Errorf("ColorEnabled() = %v, want %v", got, tt.wantColour)
			}
			if got := s.CanPrompt(); got != tt.wantAsk {
				t.Errorf("CanPrompt() = %v, want %v", got, tt.wantAsk)
			}
			if s.In != tt.stdin || s.Out != tt.stdout || s.ErrOut != tt.stderr {
				t.Error("the streams are not the files given")
			}
		})
	}
}

// TestPromptSecret reads a line typed at a real terminal, without its line
// ending, and ends the prompt line on stderr.
func TestPromptSecret(t *testing.T) {
	tty, control := openPTY(t)
	var errOut bytes.Buffer
	s := &IOStreams{In: tty, ErrOut: &errOut, inFd: int(tty.Fd())}
	if !echoOn(t, tty) {
		t.Fatal("a new terminal does not echo")
	}
	// The terminal buffers the typed line until it is read, as a person
	// typing ahead of the prompt would.
	if _, err := control.WriteString("  s3cret value \n"); err != nil {
		t.Fatal(err)
	}
	got, err := s.PromptSecret("client secret: ")
	if err != nil {
		t.Fatal(err)
	}
	if got != "s3cret value" {
		t.Errorf("PromptSecret = %q, want %q", got, "s3cret value")
	}
	if errOut.String() != "client secret: \n" {
		t.Errorf("stderr = %q, want the question and a line ending", errOut.String())
	}
	if !echoOn(t, tty) {
		t.Error("the terminal's echo is still off after the prompt")
	}
}

func echoOn(t *testing.T, tty *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}
