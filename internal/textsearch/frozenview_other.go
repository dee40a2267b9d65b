//go:build !(386 || amd64 || arm || arm64 || ppc64le || mipsle || mips64le || mips64p32le || wasm)

package textsearch

import "github.com/RoaringBitmap/roaring/v2"

const haveFrozenView = false

func frozenView(buf []byte) (*roaring.Bitmap, error) { return decodeFrozen(buf) }
