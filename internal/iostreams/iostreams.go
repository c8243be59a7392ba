// Package iostreams holds the standard streams, what they are connected to,
// and the one decision about colour.
package iostreams

import (
	"io"
	"os"

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
}

// System returns the process's streams.
func System() *IOStreams {
	noColor := os.Getenv("NO_COLOR") != "" // no-color.org: set and not empty
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		noColor:   noColor || os.Getenv("TERM") == "dumb",
	}
}

// Test returns streams over the given reader and writers, none a terminal.
func Test(in io.Reader, out, errOut io.Writer) *IOStreams {
	return &IOStreams{In: in, Out: out, ErrOut: errOut, noColor: true}
}

// ColorEnabled reports whether output to stdout may be coloured: only on a
// terminal, and never with NO_COLOR set.
func (s *IOStreams) ColorEnabled() bool { return s.stdoutTTY && !s.noColor }
