package iostreams

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestTestStreams(t *testing.T) {
	in, out, errOut := strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}
	s := Test(in, out, errOut)
	if s.In != in || s.Out != out || s.ErrOut != errOut {
		t.Error("Test does not use the streams given")
	}
	if s.ColorEnabled() || s.CanPrompt() {
		t.Errorf("Test streams: colour %v, prompt %v; want neither", s.ColorEnabled(), s.CanPrompt())
	}
}

func TestReadLine(t *testing.T) {
	long := strings.Repeat("x", 70<<10)
	tests := []struct {
		name     string
		in       io.Reader
		want     string
		wantErr  error
		wantRest string // what the reader still holds after the line
	}{
		{name: "one line", in: strings.NewReader("abc\n"), want: "abc"},
		{name: "the rest is not consumed", in: strings.NewReader("first\nsecond\n"), want: "first", wantRest: "second\n"},
		{name: "spaces and CR trimmed", in: strings.NewReader("  a b \r\nnext"), want: "a b", wantRest: "next"},
		{name: "last line without newline", in: strings.NewReader("abc"), want: "abc"},
		{name: "empty line", in: strings.NewReader("\nnext"), want: "", wantRest: "next"},
		{name: "no input", in: strings.NewReader(""), wantErr: ErrNoInput},
		{name: "one byte at a time", in: iotest.OneByteReader(strings.NewReader("abc\nd")), want: "abc", wantRest: "d"},
		{name: "data with EOF", in: iotest.DataErrReader(strings.NewReader("abc")), want: "abc"},
		{name: "read error", in: iotest.ErrReader(errors.New("boom")), wantErr: errors.New("boom")},
		{name: "bounded to 64 KiB", in: strings.NewReader(long + "\n"), want: long[:64<<10], wantRest: long[64<<10:] + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadLine(tt.in)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("ReadLine: %v", err)
			case tt.wantErr != nil && (err == nil || err.Error() != tt.wantErr.Error()):
				t.Fatalf("ReadLine = %q, %v; want error %v", got, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ReadLine = %q, want %q", got, tt.want)
			}
			if tt.wantErr == nil {
				rest, _ := io.ReadAll(tt.in)
				if string(rest) != tt.wantRest {
					t.Errorf("left %q unread, want %q", rest, tt.wantRest)
				}
			}
		})
	}
}

func TestPrompt(t *testing.T) {
	in := strings.NewReader("tiki\nmore")
	var out, errOut bytes.Buffer
	s := Test(in, &out, &errOut)
	got, err := s.Prompt("provider: ")
	if err != nil || got != "tiki" {
		t.Fatalf("Prompt = %q, %v; want tiki", got, err)
	}
	if errOut.String() != "provider: " || out.Len() != 0 {
		t.Errorf("stderr %q, stdout %q: want the question on stderr only", errOut.String(), out.String())
	}
	if _, err := s.Prompt("again: "); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prompt("and again: "); !errors.Is(err, ErrNoInput) {
		t.Errorf("Prompt at the end of input = %v, want ErrNoInput", err)
	}
}
