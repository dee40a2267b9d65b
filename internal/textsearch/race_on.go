//go:build race

package textsearch

// Under the race detector, Go's pointer checks (checkptr) reject roaring's FrozenView for
// bitmaps without array containers (an empty slice at the end of its internal arena); such
// builds decode frozen bitmaps by copying instead.
const raceEnabled = true
