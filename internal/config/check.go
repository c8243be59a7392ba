package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// topKeys are the settings at the top of the config file. Adding one is
// adding its name here (and reading it through viper).
var topKeys = []string{"store", "refresh_ahead", "providers"}

// Schema is what a provider's entry (providers.NAME) may hold.
type Schema struct {
	// ProviderKeys are the settings providers.NAME.KEY; anything else is a
	// typo. Each takes a single value (string, number or boolean).
	ProviderKeys []string
	// ListKeys among them may also be a YAML list of single values.
	ListKeys []string
	// KindKeys, when set, are the keys a provider of kind reads (nil for a
	// kind it does not know): a key that the entry's kind does not read
	// (`url:` of Tiki under a Tilia entry) is an error, not silently unused.
	KindKeys func(kind string) []string
	// KindEnv is the environment variable that sets providers.NAME.kind,
	// which wins over the file's `kind:`.
	KindEnv func(name string) string
}

// FileError is a mistake in the config file, at a line when one is known.
type FileError struct {
	File string
	// Line is 1-based; 0 when unknown.
	Line int
	// Provider is the entry the mistake is in; empty at the top level.
	Provider string
	Msg      string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config file %s, line %d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("config file %s: %s", e.File, e.Msg)
}

// Check reports the first unknown key or value of the wrong type in the
// config file, with its line and the nearest valid key. Keys are matched
// as viper matches them, without regard to case. The environment is not
// checked: a TOKCTL_NAME_KEY variable that tokctl does not read is left
// alone, as it always was.
func (c *Config) Check(s Schema) error {
	if c.v == nil {
		return nil
	}
	// AllKeys holds the keys with a value, flattened ("providers.tilia.kind");
	// Get("providers") the mapping as written, empty values included.
	seen := map[string]bool{}
	for _, k := range c.v.AllKeys() {
		key, _, _ := strings.Cut(k, ".")
		seen[key] = true
	}
	for _, key := range sortedKeys(seen) {
		if !slices.Contains(topKeys, key) {
			return c.fileError([]string{key}, "", unknownKey(key, "", topKeys))
		}
	}
	if v := c.v.Get("store"); !isScalar(v) {
		return c.fileError([]string{"store"}, "", wrongType("store", v, "a single value (keyring, file or none)"))
	}
	if s := c.v.GetString("store"); !slices.Contains([]string{"", "keyring", "file", "none"}, s) {
		return c.fileError([]string{"store"}, "", fmt.Sprintf("unknown store `%s`; use keyring, file or none", s))
	}
	if v := c.v.Get("refresh_ahead"); v != nil && !isBool(v) {
		return c.fileError([]string{"refresh_ahead"}, "", wrongType("refresh_ahead", v, "true or false"))
	}
	providers := c.v.Get("providers")
	if providers == nil {
		return nil
	}
	entries, ok := providers.(map[string]any)
	if !ok {
		return c.fileError([]string{"providers"}, "", wrongType("providers", providers, "a mapping of provider names to their settings"))
	}
	for _, name := range sortedKeys(entries) {
		if err := c.checkProvider(s, name, entries[name]); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) checkProvider(s Schema, name string, entry any) error {
	if entry == nil {
		return nil
	}
	settings, ok := entry.(map[string]any)
	if !ok {
		return c.fileError([]string{"providers", name}, name, wrongType("providers."+name, entry, "a mapping of settings (kind, client_id, token_url, …)"))
	}
	for _, key := range sortedKeys(settings) {
		path := []string{"providers", name, key}
		v := settings[key]
		switch {
		case !slices.Contains(s.ProviderKeys, key):
			return c.fileError(path, name, unknownKey(key, "providers."+name, s.ProviderKeys))
		case isScalar(v):
		case slices.Contains(s.ListKeys, key) && isScalarList(v):
		case slices.Contains(s.ListKeys, key):
			return c.fileError(path, name, wrongType(key, v, "a list of values or a single value"))
		default:
			return c.fileError(path, name, wrongType(key, v, "a single value"))
		}
	}
	return c.checkKindKeys(s, name, settings)
}

// checkKindKeys reports the first key of the entry that its kind does not
// read. The kind is the one tokctl will build: the environment's, else the
// file's, else the entry's name (a built-in provider). An unknown kind is
// left to the provider's own error.
func (c *Config) checkKindKeys(s Schema, name string, settings map[string]any) error {
	if s.KindKeys == nil || s.KindEnv == nil {
		return nil
	}
	kind := name
	if v, _ := c.Lookup(name, "kind", s.KindEnv(name)); v != "" {
		kind = v
	}
	valid := s.KindKeys(kind)
	if valid == nil {
		return nil
	}
	for _, key := range sortedKeys(settings) {
		if !slices.Contains(valid, key) {
			msg := fmt.Sprintf("`%s` is not a setting of kind %s (providers.%s)", key, kind, name)
			return c.fileError([]string{"providers", name, key}, name, msg+"; its keys: "+strings.Join(valid, ", "))
		}
	}
	return nil
}

// fileError is a FileError at the key path, with the line found in the file.
func (c *Config) fileError(path []string, provider, msg string) error {
	return &FileError{File: c.path, Line: keyLine(c.path, path), Provider: provider, Msg: msg}
}

func unknownKey(key, under string, valid []string) string {
	where := ""
	if under != "" {
		where = " under " + under
	}
	msg := fmt.Sprintf("unknown key `%s`%s", key, where)
	if near := Nearest(key, valid); near != "" {
		return msg + fmt.Sprintf("; did you mean `%s`?", near)
	}
	return msg + "; valid keys: " + strings.Join(valid, ", ")
}

func wrongType(key string, v any, want string) string {
	return fmt.Sprintf("`%s` must be %s, not %s", key, want, describe(v))
}

// describe names the YAML type of a value viper decoded.
func describe(v any) string {
	switch v := v.(type) {
	case []any:
		for _, item := range v {
			if item == nil || !isScalar(item) {
				return "a list holding " + describe(item)
			}
		}
		return "a list"
	case map[string]any, map[any]any:
		return "a mapping"
	case nil:
		return "an empty value"
	}
	return "a " + fmt.Sprintf("%T", v)
}

func isScalar(v any) bool {
	switch v.(type) {
	case nil, string, bool, int, int64, uint64, float64:
		return true
	}
	return false
}

func isScalarList(v any) bool {
	list, ok := v.([]any)
	if !ok {
		return false
	}
	for _, item := range list {
		if item == nil || !isScalar(item) {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// keyLine finds the line of the key at path (matched without regard to
// case, as viper does) in the file; 0 when it cannot. It reads the file
// again: only a mistake costs this.
func keyLine(file string, path []string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	node, line := doc.Content[0], 0
	for _, key := range path {
		if node.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(node.Content); i += 2 {
			if strings.EqualFold(node.Content[i].Value, key) {
				line, next = node.Content[i].Line, node.Content[i+1]
			}
		}
		if next == nil {
			return line
		}
		node = next
	}
	return line
}

// syntaxError turns viper's error about data into one that names the line
// where the YAML goes wrong. yaml.v3 reports the line where the enclosing
// block began (off by one, and "line 1" for a mistake on line 4 of a
// nested block), so the line is found again: it is the shortest run of
// whole lines from the top that fails to parse with the same complaint.
func syntaxError(file string, data []byte, viperErr error) error {
	var full yaml.Node
	err := yaml.Unmarshal(data, &full)
	if err == nil {
		// Well-formed YAML that viper cannot take as a mapping of settings.
		if len(full.Content) > 0 && full.Content[0].Kind != yaml.MappingNode {
			return &FileError{File: file, Line: full.Content[0].Line, Msg: "the file must be a mapping of settings (store:, providers:), not " + kindName(full.Content[0])}
		}
		var te *yaml.TypeError
		if err := full.Decode(&map[string]any{}); errors.As(err, &te) && len(te.Errors) > 0 {
			line, msg := splitLine(te.Errors[0])
			return &FileError{File: file, Line: line, Msg: msg}
		}
		return &FileError{File: file, Msg: strings.TrimPrefix(viperErr.Error(), "While parsing config: ")}
	}
	complaint := yamlComplaint(err)
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) > maxScanLines {
		return &FileError{File: file, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	first := 0
	for n := 1; n <= len(lines); n++ {
		perr := yaml.Unmarshal([]byte(strings.Join(lines[:n], "")), &yaml.Node{})
		if perr == nil {
			continue
		}
		if first == 0 {
			first = n
		}
		if yamlComplaint(perr) == complaint {
			return &FileError{File: file, Line: n, Msg: "invalid YAML: " + complaint}
		}
	}
	return &FileError{File: file, Line: first, Msg: "invalid YAML: " + complaint}
}

// maxScanLines bounds the search for a syntax error's line (quadratic in
// the file's length); a longer file gets yaml's own message.
const maxScanLines = 1000

// yamlComplaint is a yaml.v3 error without its "yaml: line N: " prefix.
func yamlComplaint(err error) string {
	_, msg := splitLine(strings.TrimPrefix(err.Error(), "yaml: "))
	return msg
}

// splitLine splits yaml.v3's "line N: message" into N and the message.
func splitLine(s string) (int, string) {
	if rest, ok := strings.CutPrefix(s, "line "); ok {
		if n, msg, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil {
				return line, msg
			}
		}
	}
	return 0, s
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "something else"
}

// Nearest returns the candidate closest to word in edit distance (ignoring
// case), when it is close enough to be a likely typo: at most a third of
// the word's length, and at most 3 edits; else "". Ties go to the first.
func Nearest(word string, candidates []string) string {
	best, bestDist := "", 0
	w := strings.ToLower(word)
	limit := min(3, max(1, len(w)/3))
	for _, c := range candidates {
		d := distance(w, strings.ToLower(c))
		if d <= limit && (best == "" || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// isBool reports whether v is a YAML boolean, or a string that reads as one.
func isBool(v any) bool {
	switch v := v.(type) {
	case bool:
		return true
	case string:
		_, err := strconv.ParseBool(v)
		return err == nil
	}
	return false
}
