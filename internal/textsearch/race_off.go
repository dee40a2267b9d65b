//go:build !race

package textsearch

const raceEnabled = false
