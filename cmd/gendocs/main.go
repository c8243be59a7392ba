// Command gendocs writes tokctl's shell completions (completions/) and its
// man pages and Markdown reference (docs/man, docs/reference) from the Cobra
// command tree, so they never drift from the code. Run: go run ./cmd/gendocs
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/tokctl/tokctl/internal/cli"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/reference"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	if err := generate(root); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// generate writes every generated file below root.
func generate(root string) error {
	cmd := docsRoot()
	dirs := []string{"completions", "docs/man", "docs/reference"}
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	if err := writeCompletions(cmd, filepath.Join(root, "completions")); err != nil {
		return err
	}
	// A fixed date keeps the pages reproducible (and the staleness test stable).
	date := time.Date(2026, time.November, 24, 0, 0, 0, 0, time.UTC)
	header := &doc.GenManHeader{Title: "TOKCTL", Section: "1", Source: "tokctl", Manual: "tokctl manual", Date: &date}
	if err := doc.GenManTree(cmd, header, filepath.Join(root, "docs/man")); err != nil {
		return err
	}
	if err := addManSections(filepath.Join(root, "docs/man")); err != nil {
		return err
	}
	return doc.GenMarkdownTree(cmd, filepath.Join(root, "docs/reference"))
}

// addManSections gives every man page the EXIT STATUS, ENVIRONMENT and
// FILES sections that Cobra does not generate, from the words of `tokctl
// help exit-codes` and `tokctl help environment`, before the examples (or
// SEE ALSO), where man-pages(7) puts them.
func addManSections(dir string) error {
	var b strings.Builder
	for _, r := range reference.All() {
		b.WriteString(manSection(r))
	}
	sections := b.String()
	pages, err := filepath.Glob(filepath.Join(dir, "*.1"))
	if err != nil {
		return err
	}
	for _, page := range pages {
		raw, err := os.ReadFile(page)
		if err != nil {
			return err
		}
		text := string(raw)
		at := strings.Index(text, "\n.SH EXAMPLE\n")
		if at < 0 {
			at = strings.Index(text, "\n.SH SEE ALSO\n")
		}
		if at < 0 {
			return fmt.Errorf("%s: no EXAMPLE or SEE ALSO section to put the reference before", page)
		}
		text = text[:at+1] + sections + text[at+1:]
		if err := os.WriteFile(page, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// manSection renders a reference as a roff section: paragraphs and a
// tagged list.
func manSection(r reference.Reference) string {
	var b strings.Builder
	b.WriteString(".SH " + r.Section + "\n")
	if r.Intro != "" {
		b.WriteString(".PP\n" + roff(r.Intro) + "\n")
	}
	for _, e := range r.Entries {
		b.WriteString(".TP\n\\fB" + roff(e.Term) + "\\fP\n" + roff(e.Text) + "\n")
	}
	if r.Outro != "" {
		b.WriteString(".PP\n" + roff(r.Outro) + "\n")
	}
	return b.String() + "\n\n"
}

// roff escapes text for a roff line and sets `code` in bold.
func roff(s string) string {
	s = strings.ReplaceAll(s, "\\", "\\e")
	s = strings.ReplaceAll(s, "-", "\\-")
	parts := strings.Split(s, "`")
	for i := 1; i < len(parts); i += 2 {
		parts[i] = "\\fB" + parts[i] + "\\fP"
	}
	s = strings.Join(parts, "")
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = "\\&" + s
	}
	return s
}

// docsRoot builds the command tree as users see it, without dates or
// machine-specific defaults in the output.
func docsRoot() *cobra.Command {
	f := &cli.Factory{IO: iostreams.Test(nil, &bytes.Buffer{}, &bytes.Buffer{}), Build: cli.BuildInfo{Version: "dev"}}
	cmd := cli.NewCmdRoot(f)
	cmd.DisableAutoGenTag = true
	cmd.InitDefaultCompletionCmd()
	return cmd
}

func writeCompletions(cmd *cobra.Command, dir string) error {
	gens := map[string]func(*bytes.Buffer) error{
		"tokctl.bash": func(b *bytes.Buffer) error { return cmd.GenBashCompletionV2(b, true) },
		"_tokctl":     func(b *bytes.Buffer) error { return cmd.GenZshCompletion(b) },
		"tokctl.fish": func(b *bytes.Buffer) error { return cmd.GenFishCompletion(b, true) },
		"tokctl.ps1":  func(b *bytes.Buffer) error { return cmd.GenPowerShellCompletionWithDesc(b) },
	}
	for name, gen := range gens {
		var b bytes.Buffer
		if err := gen(&b); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// files lists the generated files below root, relative to it.
func files(root string) ([]string, error) {
	var out []string
	for _, d := range []string{"completions", "docs/man", "docs/reference"} {
		entries, err := os.ReadDir(filepath.Join(root, d))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
	}
	return out, nil
}
