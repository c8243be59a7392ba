package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A keyring item has a size limit on some of the OSes tokctl ships for:
// Windows Credential Manager takes at most 2,560 bytes per secret, and
// go-keyring on macOS refuses a `security` command line over 4,096 bytes,
// which holds the base64 of the secret (about 3 KB of value). An OpenID
// Connect record (JWT access, refresh and ID tokens) is larger than either.
//
// Such a value is split into chunks, stored under keys of their own that
// carry a generation, random for every write. The item under the key itself,
// the head, is written last and names the generation, the number of chunks,
// the length and the SHA-256 of the whole value. The chunks of a generation
// are never rewritten, so a reader that follows the head it read gets the old
// value or the new one, never a mix; the old generation's chunks are deleted
// once the head names the new one (a reader that then finds a chunk gone reads
// the head again). A value that fits in one item is stored as is: reading it
// is one keyring call, as before.
//
// A chunked write that is killed leaves chunks no head names: the new
// generation's when it died before the head, the old one's when it died
// between the head and their removal. So before its first chunk a writer
// records its intent, the new generation and the head it replaces, under a
// key of its own, and removes the intent once it is done. The next write or
// delete of the key that finds an intent removes the generation the head
// does not name, then the intent. Writers of a key hold the provider's lock
// (tokens.Manager), so an intent found is never one still being carried out.

// chunkMagic starts a head. A value that itself starts with it is stored in
// chunks, however small, so a head is never mistaken for a value.
const chunkMagic = "tokctl-chunked:v1 "

// maxChunks bounds a value at about 64 times an item's limit (128 KB on
// Windows): far more than any token record.
const maxChunks = 64

// manifest is what a head says.
type manifest struct {
	gen  string
	n    int
	size int
	sum  string
}

func (m manifest) String() string {
	return fmt.Sprintf("%sgen=%s n=%d len=%d sha256=%s", chunkMagic, m.gen, m.n, m.size, m.sum)
}

func isChunked(v string) bool { return strings.HasPrefix(v, chunkMagic) }

// parseManifest reads a head.
func parseManifest(v string) (manifest, bool) {
	rest, ok := strings.CutPrefix(v, chunkMagic)
	if !ok {
		return manifest{}, false
	}
	fields := strings.Split(rest, " ")
	if len(fields) != 4 {
		return manifest{}, false
	}
	var m manifest
	var ok1, ok2, ok3, ok4 bool
	m.gen, ok1 = hexField(fields[0], "gen=", 16)
	m.sum, ok4 = hexField(fields[3], "sha256=", 64)
	m.n, ok2 = intField(fields[1], "n=")
	m.size, ok3 = intField(fields[2], "len=")
	if !ok1 || !ok2 || !ok3 || !ok4 || m.n < 1 || m.n > maxChunks {
		return manifest{}, false
	}
	return m, true
}

func hexField(f, name string, size int) (string, bool) {
	v, ok := strings.CutPrefix(f, name)
	if !ok || len(v) != size {
		return "", false
	}
	_, err := hex.DecodeString(v)
	return v, err == nil && strings.ToLower(v) == v
}

func intField(f, name string) (int, bool) {
	v, ok := strings.CutPrefix(f, name)
	if !ok || len(v) == 0 || len(v) > 9 || len(v) > 1 && v[0] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && v[0] != '+' && v[0] != '-'
}

// chunkKey is where chunk i of generation gen of key is kept. Keys are
// provider names and suffixes of letters, digits, '.', '-' and '_': none
// holds a ':'.
func chunkKey(key, gen string, i int) string {
	return key + ":chunk:" + gen + ":" + strconv.Itoa(i)
}

// setChunked stores value under key, in chunks when it does not fit in one
// item, and removes the chunks of the value it replaces.
func (k Keyring) setChunked(ctx context.Context, key string, value []byte) error {
	old, err := k.getItem(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	oldManifest, oldChunked := parseManifest(old)
	limit := k.itemLimit(key)
	chunked := (limit != 0 && len(value) > limit) || isChunked(string(value))
	if limit != 0 || oldChunked || chunked {
		// Only where values are chunked can a killed write have left some.
		if err := k.finishIntent(ctx, key, old); err != nil {
			return err
		}
	}
	if !chunked {
		if err := k.setItem(ctx, key, string(value)); err != nil {
			return err
		}
	} else if err := k.writeChunks(ctx, key, old, value); err != nil {
		return err
	}
	if oldChunked {
		if err := k.deleteChunks(ctx, key, oldManifest); err != nil {
			return err
		}
	}
	if chunked {
		return k.deleteItem(ctx, intentKey(key))
	}
	return nil
}

// intentKey is where a chunked write of key records what it is doing.
func intentKey(key string) string { return key + ":intent" }

// finishIntent completes what a killed chunked write of key left, head being
// what key holds now: of the generation it was writing and the one it
// replaced, it removes the chunks of the one head does not name, then the
// intent.
func (k Keyring) finishIntent(ctx context.Context, key, head string) error {
	intent, err := k.getItem(ctx, intentKey(key))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	newGen, replaced, _ := strings.Cut(intent, "\n")
	current, _ := parseManifest(head)
	if m, ok := parseManifest(replaced); ok && m.gen != current.gen {
		if err := k.deleteChunks(ctx, key, m); err != nil {
			return err
		}
	}
	if _, ok := hexField(newGen, "", 16); ok && newGen != current.gen {
		// How many chunks it wrote is not known: up to the first missing.
		for i := range maxChunks {
			name := chunkKey(key, newGen, i)
			if _, err := k.getItem(ctx, name); errors.Is(err, ErrNotFound) {
				break
			} else if err != nil {
				return err
			}
			if err := k.deleteItem(ctx, name); err != nil {
				return err
			}
		}
	}
	return k.deleteItem(ctx, intentKey(key))
}

// writeChunks writes value's chunks under a new generation, then the head;
// old is the head it replaces. Its intent comes first (finishIntent).
func (k Keyring) writeChunks(ctx context.Context, key, old string, value []byte) error {
	var g [8]byte
	if _, err := rand.Read(g[:]); err != nil {
		return err
	}
	sum := sha256.Sum256(value)
	m := manifest{gen: hex.EncodeToString(g[:]), size: len(value), sum: hex.EncodeToString(sum[:])}
	replaced := ""
	if isChunked(old) {
		replaced = old
	}
	if err := k.setItem(ctx, intentKey(key), m.gen+"\n"+replaced); err != nil {
		return err
	}
	// The longest chunk key gives the smallest room (macOS counts the key).
	size := k.itemLimit(chunkKey(key, m.gen, maxChunks-1))
	if size <= 0 {
		size = len(value) + 1
	}
	m.n = (len(value) + size - 1) / size
	if m.n == 0 {
		m.n = 1
	}
	if m.n > maxChunks {
		return fmt.Errorf("keyring: a value of %d bytes is more than %d items of %d bytes", len(value), maxChunks, size)
	}
	for i := range m.n {
		part := value[i*size : min((i+1)*size, len(value))]
		if err := k.setItem(ctx, chunkKey(key, m.gen, i), string(part)); err != nil {
			if k.deleteChunks(ctx, key, manifest{gen: m.gen, n: i}) == nil {
				_ = k.deleteItem(ctx, intentKey(key))
			}
			return err
		}
	}
	if err := k.setItem(ctx, key, m.String()); err != nil {
		if k.deleteChunks(ctx, key, m) == nil {
			_ = k.deleteItem(ctx, intentKey(key))
		}
		return err
	}
	return nil
}

// getChunked reassembles the value whose head is head.
func (k Keyring) getChunked(ctx context.Context, key, head string) ([]byte, error) {
	for range 3 {
		m, ok := parseManifest(head)
		if !ok {
			return nil, &CorruptError{Key: key, Err: errors.New("unreadable chunked value in the keyring")}
		}
		value, err := k.readChunks(ctx, key, m)
		if !errors.Is(err, ErrNotFound) {
			return value, err
		}
		// A writer replaced the value, and removed this generation, while
		// it was being read: read the new head.
		if head, err = k.getItem(ctx, key); err != nil {
			return nil, err
		}
		if !isChunked(head) {
			return []byte(head), nil
		}
	}
	return nil, &CorruptError{Key: key, Err: errors.New("the keyring value kept changing while it was read")}
}

// readChunks reads and checks generation m of key; ErrNotFound when a chunk
// is gone.
func (k Keyring) readChunks(ctx context.Context, key string, m manifest) ([]byte, error) {
	value := make([]byte, 0, m.size)
	for i := range m.n {
		part, err := k.getItem(ctx, chunkKey(key, m.gen, i))
		if err != nil {
			return nil, err
		}
		value = append(value, part...)
	}
	sum := sha256.Sum256(value)
	if len(value) != m.size || hex.EncodeToString(sum[:]) != m.sum {
		return nil, &CorruptError{Key: key, Err: errors.New("the keyring's chunks do not match their head")}
	}
	return value, nil
}

// deleteChunks removes the chunks of generation m of key.
func (k Keyring) deleteChunks(ctx context.Context, key string, m manifest) error {
	var first error
	for i := range m.n {
		if err := k.deleteItem(ctx, chunkKey(key, m.gen, i)); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// secretLimit is the largest value one keyring item under service and user
// takes on goos; 0 means no limit that a record could reach (the Secret
// Service).
func secretLimit(goos, service, user string) int {
	switch goos {
	case "windows":
		// CRED_MAX_CREDENTIAL_BLOB_SIZE; go-keyring refuses more.
		return 2560
	case "darwin":
		// go-keyring writes this line to `security -i` and refuses one
		// over 4,096 bytes; the base64 (4 characters per 3 bytes) is never
		// quoted, its alphabet being safe for the shell.
		fixed := len("add-generic-password -U -s  -a  -w go-keyring-base64:\n") +
			quotedLen(service) + quotedLen(user)
		return (4096 - fixed) / 4 * 3
	}
	return 0
}

// quotedLen is the length of shellescape.Quote(s), which go-keyring uses
// on macOS: a string of only [\w@%+=:,./-] stays as is, any other is put in
// single quotes, each ' in it becoming '"'"'.
func quotedLen(s string) int {
	if s == "" {
		return 2
	}
	for _, c := range []byte(s) {
		if !shellSafe(c) {
			return len(s) + 2 + 4*strings.Count(s, "'")
		}
	}
	return len(s)
}

func shellSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_@%+=:,./-", c) >= 0
}
