//go:build !unix

package privdir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Where there are no Unix owners and modes (Windows: access is decided by
// ACLs, and the user profile is private by default), the checks are that
// nothing on the way is a link (or junction) and that each entry is of the
// expected kind.

// ReadFile returns the content of root/rel.
func ReadFile(root, rel string) ([]byte, error) {
	path, err := checkPath(root, rel, false)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// WriteFile replaces root/rel with data atomically (temp file + rename).
func WriteFile(root, rel string, data []byte) (err error) {
	path, err := checkPath(root, rel, true)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), TempPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Remove removes root/rel.
func Remove(root, rel string) error {
	path, err := checkPath(root, rel, false)
	if err != nil {
		return err
	}
	return os.Remove(path)
}

// OpenLock opens root/rel for locking, creating it when needed.
func OpenLock(root, rel string) (*os.File, error) {
	path, err := checkPath(root, rel, true)
	if err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}

// RemoveTemps removes the temp files WriteFile left in root/reldir older
// than age (all with 0).
func RemoveTemps(root, reldir string, age time.Duration) error {
	dir := filepath.Clean(root)
	if reldir != "" {
		dir = filepath.Join(dir, filepath.FromSlash(reldir))
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), TempPrefix) || e.IsDir() {
			continue
		}
		fi, err := e.Info()
		if err != nil || age > 0 && time.Since(fi.ModTime()) <= age {
			continue
		}
		_ = os.Remove(filepath.Join(dir, e.Name()))
	}
	return nil
}

// checkPath refuses a link or an entry of the wrong kind on the way to
// root/rel; create makes missing directories.
func checkPath(root, rel string, create bool) (string, error) {
	dirs, name, err := split(rel)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(root) {
		return "", errors.New("privdir: the directory " + root + " is not an absolute path")
	}
	path := filepath.Clean(root)
	if create {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return "", err
		}
	}
	for i, d := range append([]string{""}, dirs...) {
		if i > 0 {
			path = filepath.Join(path, d)
		}
		fi, err := os.Lstat(path)
		if create && errors.Is(err, fs.ErrNotExist) {
			if err := os.Mkdir(path, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
				return "", err
			}
			fi, err = os.Lstat(path)
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink != 0 || fi.Mode()&fs.ModeIrregular != 0 {
			return "", symlinkError(path, true)
		}
		if !fi.IsDir() {
			return "", kindError(path, "directory")
		}
	}
	path = filepath.Join(path, name)
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSymlink != 0 {
			return "", symlinkError(path, false)
		}
		if !fi.Mode().IsRegular() {
			return "", kindError(path, "regular file")
		}
	}
	return path, nil
}
