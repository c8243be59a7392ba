//go:build unix

package privdir

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Every directory and file is opened relative to its checked parent (openat),
// with O_NOFOLLOW, and checked with fstat on the descriptor that is then
// used: nothing is looked up by path twice, so nothing can be swapped between
// the check and the use. O_NONBLOCK keeps a planted FIFO from blocking open.
const (
	dirFlags  = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	fileFlags = unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NONBLOCK
)

// ReadFile returns the content of root/rel.
// A missing directory or file is an error for which errors.Is(err,
// fs.ErrNotExist) holds; one that breaks the rules is an *UnsafeError.
func ReadFile(root, rel string) ([]byte, error) {
	dirs, name, err := split(rel)
	if err != nil {
		return nil, err
	}
	dfd, dir, err := walk(root, dirs, false)
	if err != nil {
		return nil, err
	}
	defer unix.Close(dfd)
	fd, st, err := openChecked(dfd, name, join(dir, name), false, fileFlags)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, st.Size+1)
	for {
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: join(dir, name), Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// WriteFile replaces root/rel with data atomically (a temp file in the same
// directory, fsync, rename, fsync of the directory): readers see the old or
// the new content, never a mix, even across a crash. Missing directories,
// root included, are created 0700 and the file is 0600.
func WriteFile(root, rel string, data []byte) (err error) {
	dirs, name, err := split(rel)
	if err != nil {
		return err
	}
	dfd, dir, err := walk(root, dirs, true)
	if err != nil {
		return err
	}
	defer unix.Close(dfd)
	fd, tmp, err := createTemp(dfd, dir)
	if err != nil {
		return err
	}
	defer func() {
		if fd >= 0 {
			unix.Close(fd)
		}
		if err != nil {
			_ = unix.Unlinkat(dfd, tmp, 0)
		}
	}()
	for rest := data; len(rest) > 0; {
		n, werr := unix.Write(fd, rest)
		if werr == unix.EINTR {
			continue
		}
		if werr != nil {
			return &fs.PathError{Op: "write", Path: join(dir, tmp), Err: werr}
		}
		rest = rest[n:]
	}
	if err := unix.Fsync(fd); err != nil {
		return &fs.PathError{Op: "sync", Path: join(dir, tmp), Err: err}
	}
	cerr := unix.Close(fd)
	fd = -1
	if cerr != nil {
		return &fs.PathError{Op: "close", Path: join(dir, tmp), Err: cerr}
	}
	if err := unix.Renameat(dfd, tmp, dfd, name); err != nil {
		return &fs.PathError{Op: "rename", Path: join(dir, name), Err: err}
	}
	return syncDir(dfd, dir)
}

// Remove removes root/rel (a link is removed, not followed). A missing file
// or directory is an error for which errors.Is(err, fs.ErrNotExist) holds.
func Remove(root, rel string) error {
	dirs, name, err := split(rel)
	if err != nil {
		return err
	}
	dfd, dir, err := walk(root, dirs, false)
	if err != nil {
		return err
	}
	defer unix.Close(dfd)
	if err := unix.Unlinkat(dfd, name, 0); err != nil {
		return &fs.PathError{Op: "remove", Path: join(dir, name), Err: err}
	}
	return syncDir(dfd, dir)
}

// OpenLock opens root/rel for locking, creating it 0600 (and its missing
// directories 0700) when needed.
func OpenLock(root, rel string) (*os.File, error) {
	dirs, name, err := split(rel)
	if err != nil {
		return nil, err
	}
	dfd, dir, err := walk(root, dirs, true)
	if err != nil {
		return nil, err
	}
	defer unix.Close(dfd)
	path := join(dir, name)
	const flags = unix.O_RDWR | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NONBLOCK
	fd, err := openat(dfd, name, flags|unix.O_CREAT|unix.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := unix.Fchmod(fd, 0o600); err != nil { // ours: undo a umask
			unix.Close(fd)
			return nil, &fs.PathError{Op: "chmod", Path: path, Err: err}
		}
	case err == unix.EEXIST:
		if fd, _, err = openChecked(dfd, name, path, false, flags); err != nil {
			return nil, err
		}
	default:
		return nil, classify(dfd, name, path, false, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// RemoveTemps removes the temp files WriteFile left in root/reldir ("" is
// root itself) when a write was killed, those older than age (all with 0).
// A missing directory holds none.
func RemoveTemps(root, reldir string, age time.Duration) error {
	var dirs []string
	if reldir != "" {
		d, name, err := split(reldir)
		if err != nil {
			return err
		}
		dirs = append(d, name)
	}
	dfd, dir, err := walk(root, dirs, false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// ReadDir needs an *os.File; give it its own descriptor to close.
	lfd, err := unix.Dup(dfd)
	if err != nil {
		unix.Close(dfd)
		return &fs.PathError{Op: "dup", Path: dir, Err: err}
	}
	d := os.NewFile(uintptr(lfd), dir)
	entries, err := d.ReadDir(-1)
	d.Close()
	defer unix.Close(dfd)
	if err != nil {
		return err
	}
	now := time.Now()
	removed := false
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), TempPrefix) || e.IsDir() {
			continue
		}
		var st unix.Stat_t
		if unix.Fstatat(dfd, e.Name(), &st, unix.AT_SYMLINK_NOFOLLOW) != nil {
			continue
		}
		if age > 0 && now.Sub(time.Unix(st.Mtim.Unix())) <= age {
			continue
		}
		if unix.Unlinkat(dfd, e.Name(), 0) == nil {
			removed = true
		}
	}
	if removed {
		return syncDir(dfd, dir)
	}
	return nil
}

// walk opens root and then each of dirs below it, checking each; create
// makes the missing ones 0700. It returns the last directory's descriptor
// and path.
func walk(root string, dirs []string, create bool) (int, string, error) {
	if !filepath.IsAbs(root) {
		return -1, root, errors.New("privdir: the directory " + root + " is not an absolute path")
	}
	root = filepath.Clean(root)
	fd, _, err := openChecked(unix.AT_FDCWD, root, root, true, dirFlags)
	if create && errors.Is(err, fs.ErrNotExist) {
		// The parents ($XDG_STATE_HOME, ~/.cache) are the user's, not
		// tokctl's: made as MkdirAll would, and not checked.
		if err := os.MkdirAll(filepath.Dir(root), 0o700); err != nil {
			return -1, root, err
		}
		fd, err = mkdirChecked(unix.AT_FDCWD, root, root)
	}
	if err != nil {
		return -1, root, err
	}
	path := root
	for _, d := range dirs {
		path = join(path, d)
		next, _, err := openChecked(fd, d, path, true, dirFlags)
		if create && errors.Is(err, fs.ErrNotExist) {
			next, err = mkdirChecked(fd, d, path)
		}
		unix.Close(fd)
		if err != nil {
			return -1, path, err
		}
		fd = next
	}
	return fd, path, nil
}

// mkdirChecked makes directory name in dirfd 0700 (or finds one made at the
// same moment by another tokctl) and opens it, checked.
func mkdirChecked(dirfd int, name, path string) (int, error) {
	err := unix.Mkdirat(dirfd, name, 0o700)
	if err != nil && err != unix.EEXIST {
		return -1, &fs.PathError{Op: "mkdir", Path: path, Err: err}
	}
	created := err == nil
	fd, st, err := openChecked(dirfd, name, path, !created, dirFlags)
	if err != nil {
		return -1, err
	}
	if created && st.Mode&0o777 != 0o700 { // ours: undo a umask
		if err := unix.Fchmod(fd, 0o700); err != nil {
			unix.Close(fd)
			return -1, &fs.PathError{Op: "chmod", Path: path, Err: err}
		}
	}
	return fd, nil
}

// openChecked opens name in dirfd without following a link and checks what
// it opened: a directory (dir) or a regular file, the user's own, not
// writable by group or others. A directory tokctl has just made
// (check false) is only checked for being a directory.
func openChecked(dirfd int, name, path string, check bool, flags int) (int, *unix.Stat_t, error) {
	isDir := flags&unix.O_DIRECTORY != 0
	fd, err := openat(dirfd, name, flags, 0)
	if err != nil {
		return -1, nil, classify(dirfd, name, path, isDir, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if err := checkStat(&st, path, isDir, check || !isDir); err != nil {
		unix.Close(fd)
		return -1, nil, err
	}
	return fd, &st, nil
}

func checkStat(st *unix.Stat_t, path string, isDir, owner bool) error {
	mode := uint32(st.Mode)
	switch {
	case isDir && mode&unix.S_IFMT != unix.S_IFDIR:
		return kindError(path, "directory")
	case !isDir && mode&unix.S_IFMT != unix.S_IFREG:
		return kindError(path, "regular file")
	case !owner:
		return nil
	case int(st.Uid) != unix.Geteuid():
		return notOwnedError(path, int(st.Uid), unix.Geteuid())
	case mode&0o022 != 0:
		return writableError(path, mode&0o7777)
	}
	return nil
}

// classify turns a failed open into the error to report: a link or a file
// of the wrong kind is unsafe, anything else (a missing file) is passed on.
func classify(dirfd int, name, path string, isDir bool, err error) error {
	if err == unix.ELOOP || err == unix.EMLINK || err == unix.ENOTDIR || err == unix.ENXIO || err == unix.EISDIR {
		var st unix.Stat_t
		if unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
			if uint32(st.Mode)&unix.S_IFMT == unix.S_IFLNK {
				return symlinkError(path, isDir)
			}
			if isDir {
				return kindError(path, "directory")
			}
			return kindError(path, "regular file")
		}
	}
	return &fs.PathError{Op: "open", Path: path, Err: err}
}

func openat(dirfd int, name string, flags int, mode uint32) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, mode)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// createTemp makes a new 0600 temp file in dirfd.
func createTemp(dirfd int, dir string) (int, string, error) {
	const flags = unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL | unix.O_NOFOLLOW | unix.O_CLOEXEC
	for range 100 {
		name := TempPrefix + strconv.FormatUint(rand.Uint64(), 36)
		fd, err := openat(dirfd, name, flags, 0o600)
		if err == unix.EEXIST {
			continue
		}
		if err != nil {
			return -1, "", &fs.PathError{Op: "create", Path: join(dir, name), Err: err}
		}
		if err := unix.Fchmod(fd, 0o600); err != nil { // ours: undo a umask
			unix.Close(fd)
			_ = unix.Unlinkat(dirfd, name, 0)
			return -1, "", &fs.PathError{Op: "chmod", Path: join(dir, name), Err: err}
		}
		return fd, name, nil
	}
	return -1, "", &fs.PathError{Op: "create", Path: join(dir, TempPrefix+"*"), Err: fs.ErrExist}
}

// syncDir makes a rename or removal in the directory durable.
func syncDir(dfd int, dir string) error {
	if err := unix.Fsync(dfd); err != nil && err != unix.EINVAL {
		return &fs.PathError{Op: "sync", Path: dir, Err: err}
	}
	return nil
}

func join(dir, name string) string { return dir + string(filepath.Separator) + name }
