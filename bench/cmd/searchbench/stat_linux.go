package main

import (
	"io/fs"
	"syscall"
)

// statBlocks returns the bytes allocated on disk for a file (st_blocks × 512).
func statBlocks(info fs.FileInfo) (int64, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Blocks * 512, true
}
