// Package iostreams holds the standard streams, what they are connected to,
// and the one decision about colour.
package iostreams

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IOStreams are a command's input and outputs. stdout carries only data;
// messages go to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdoutTTY bool
	noColor   bool
	// promptTTY: stdin and stderr are both terminals, so tokctl may ask.
	promptTTY bool
	inFd      int
}

// System returns the process's streams.
func System() *IOStreams { return system(os.Stdin, os.Stdout, os.Stderr, os.Getenv) }

// system returns streams over the given files, deciding colour and prompts
// from what they are connected to and the environment getenv reads.
func system(stdin, stdout, stderr *os.File, getenv func(string) string) *IOStreams {
	noColor := getenv("NO_COLOR") != "" // no-color.org: set and not empty
	return &IOStreams{
		In: stdin, Out: stdout, ErrOut: stderr,
		stdoutTTY: term.IsTerminal(int(stdout.Fd())),
		noColor:   noColor || getenv("TERM") == "dumb",
		promptTTY: term.IsTerminal(int(stdin.Fd())) && term.IsTerminal(int(stderr.Fd())),
		inFd:      int(stdin.Fd()),
	}
}

// Test returns streams over the given reader and writers, none a terminal.
func Test(in io.Reader, out, errOut io.Writer) *IOStreams {
	return &IOStreams{In: in, Out: out, ErrOut: errOut, noColor: true}
}

// ColorEnabled reports whether output to stdout may be coloured: only on a
// terminal, and never with NO_COLOR set.
func (s *IOStreams) ColorEnabled() bool { return s.stdoutTTY && !s.noColor }

// CanPrompt reports whether tokctl may ask the user: stdin and stderr are
// terminals (never in CI, pipes or scripts).
func (s *IOStreams) CanPrompt() bool { return s.promptTTY }

// ErrNoInput is returned by the prompts when the input ends before a line.
var ErrNoInput = errors.New("no input")

// Prompt asks on stderr and reads one visible line from stdin.
func (s *IOStreams) Prompt(question string) (string, error) {
	fmt.Fprint(s.ErrOut, question)
	return ReadLine(s.In)
}

// PromptSecret asks on stderr and reads one line from the terminal without
// echoing it.
func (s *IOStreams) PromptSecret(question string) (string, error) {
	fmt.Fprint(s.ErrOut, question)
	b, err := term.ReadPassword(s.inFd)
	fmt.Fprintln(s.ErrOut)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// ReadLine reads one line from r, byte by byte so that nothing after it is
// consumed, without its line ending; it is bounded to 64 KiB.
func ReadLine(r io.Reader) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for len(line) < 64<<10 {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
			continue
		}
		if err == io.EOF {
			if len(line) == 0 {
				return "", ErrNoInput
			}
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSpace(string(line)), nil
}
