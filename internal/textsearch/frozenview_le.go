//go:build 386 || amd64 || arm || arm64 || ppc64le || mipsle || mips64le || mips64p32le || wasm

package textsearch

import "github.com/RoaringBitmap/roaring/v2"

// roaring reads frozen bitmaps in place on little-endian machines only.
const haveFrozenView = true

func frozenView(buf []byte) (*roaring.Bitmap, error) {
	bm := new(roaring.Bitmap)
	if err := bm.FrozenView(buf); err != nil {
		return nil, err
	}
	return bm, nil
}
