package textsearch

import (
	"encoding/binary"
	"errors"

	"github.com/RoaringBitmap/roaring/v2"
)

// frozenBitmap returns a read-only bitmap over a frozen serialization (see appendFrozen).
// Normally the view reads buf in place; buf must stay mapped while the bitmap is used.
func frozenBitmap(buf []byte) (*roaring.Bitmap, error) {
	if raceEnabled || !haveFrozenView {
		return decodeFrozen(buf)
	}
	return frozenView(buf)
}

var errFrozen = errors.New("textsearch: bad frozen bitmap")

// decodeFrozen builds an ordinary bitmap from a frozen serialization.
func decodeFrozen(buf []byte) (*roaring.Bitmap, error) {
	if len(buf) < 4 {
		return nil, errFrozen
	}
	header := binary.LittleEndian.Uint32(buf[len(buf)-4:])
	if header&0x7fff != frozenCookie {
		return nil, errFrozen
	}
	n := int(header >> 15)
	body := buf[:len(buf)-4]
	if len(body) < 5*n {
		return nil, errFrozen
	}
	types := body[len(body)-n:]
	counts := body[len(body)-3*n : len(body)-n]
	keys := body[len(body)-5*n : len(body)-3*n]
	data := body[:len(body)-5*n]
	var nb, nrun, narr int
	for i, t := range types {
		c := int(binary.LittleEndian.Uint16(counts[2*i:]))
		switch t {
		case 1:
			nb++
		case 2:
			narr += c + 1
		case 3:
			nrun += c
		default:
			return nil, errFrozen
		}
	}
	if len(data) != nb*8192+nrun*4+narr*2 {
		return nil, errFrozen
	}
	bits, runs, arrs := data[:nb*8192], data[nb*8192:nb*8192+nrun*4], data[nb*8192+nrun*4:]
	bm := roaring.New()
	var ids []uint32
	for i, t := range types {
		hi := uint32(binary.LittleEndian.Uint16(keys[2*i:])) << 16
		c := int(binary.LittleEndian.Uint16(counts[2*i:]))
		ids = ids[:0]
		switch t {
		case 1:
			for w := 0; w < 1024; w++ {
				word := binary.LittleEndian.Uint64(bits[8*w:])
				for b := uint32(0); word != 0; b++ {
					if word&1 != 0 {
						ids = append(ids, hi|uint32(w)<<6|b)
					}
					word >>= 1
				}
			}
			bits = bits[8192:]
		case 2:
			for k := 0; k <= c; k++ {
				ids = append(ids, hi|uint32(binary.LittleEndian.Uint16(arrs[2*k:])))
			}
			arrs = arrs[2*(c+1):]
		case 3:
			for k := 0; k < c; k++ {
				start := uint32(binary.LittleEndian.Uint16(runs[4*k:]))
				length := uint32(binary.LittleEndian.Uint16(runs[4*k+2:]))
				bm.AddRange(uint64(hi|start), uint64(hi|start)+uint64(length)+1)
			}
			runs = runs[4*c:]
		}
		bm.AddMany(ids)
	}
	return bm, nil
}
