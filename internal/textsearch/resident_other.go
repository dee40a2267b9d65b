//go:build !linux

package textsearch

func residentFileBytes() int64 { return -1 }

func releaseMapped(data []byte) {}
