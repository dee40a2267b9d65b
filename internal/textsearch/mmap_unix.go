//go:build unix && !solaris && !aix

package textsearch

import (
	"os"
	"syscall"
)

// mapFile maps a whole file read-only. The mapping stays valid after the file is closed or
// deleted; release unmaps it.
func mapFile(f *os.File, size int64) (data []byte, release func() error, err error) {
	if size == 0 {
		return nil, func() error { return nil }, nil
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return syscall.Munmap(data) }, nil
}

// lockDir takes an exclusive advisory lock so that two processes never write one index.
func lockDir(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
