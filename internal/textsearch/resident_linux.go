//go:build linux

package textsearch

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// releaseMapped drops the process's page-table entries for a read-only file mapping; the
// pages stay in the OS page cache and are mapped again on the next access.
func releaseMapped(data []byte) {
	if len(data) > 0 {
		syscall.Madvise(data, syscall.MADV_DONTNEED)
	}
}

// residentFileBytes returns the process's resident file-backed memory (RssFile), or -1.
func residentFileBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	i := bytes.Index(b, []byte("RssFile:"))
	if i < 0 {
		return -1
	}
	line := b[i+len("RssFile:"):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	f := bytes.Fields(line)
	if len(f) == 0 {
		return -1
	}
	kb, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil {
		return -1
	}
	return kb << 10
}
