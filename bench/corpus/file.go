package corpus

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// The corpus file (corpus.bin) holds the documents in feed order:
//
//	magic "GKCORPUS" 0x01, uvarint seed, uvarint n,
//	then per document: uvarint index, varint date, uvarint year, 4 bytes (issuer, genre,
//	validity, traditional), then title, docno, body as uvarint length + UTF-8 bytes.
const fileMagic = "GKCORPUS\x01"

// FileWriter writes a corpus file.
type FileWriter struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
}

// CreateFile creates a corpus file for n documents of the given seed.
func CreateFile(path string, seed uint64, n int) (*FileWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	fw := &FileWriter{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	fw.buf = append(fw.buf, fileMagic...)
	fw.buf = binary.AppendUvarint(fw.buf, seed)
	fw.buf = binary.AppendUvarint(fw.buf, uint64(n))
	_, err = fw.w.Write(fw.buf)
	return fw, err
}

// Write appends one document.
func (fw *FileWriter) Write(d *Doc) error {
	b := fw.buf[:0]
	b = binary.AppendUvarint(b, uint64(d.Index))
	b = binary.AppendVarint(b, d.Date)
	b = binary.AppendUvarint(b, uint64(d.Year))
	trad := byte(0)
	if d.Traditional {
		trad = 1
	}
	b = append(b, byte(d.Issuer), byte(d.Genre), byte(d.Validity), trad)
	for _, s := range [3]string{d.Title, d.DocNo, d.Body} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	fw.buf = b
	_, err := fw.w.Write(b)
	return err
}

// Close flushes and closes the file.
func (fw *FileWriter) Close() error {
	if err := fw.w.Flush(); err != nil {
		fw.f.Close()
		return err
	}
	return fw.f.Close()
}

// FileReader reads a corpus file.
type FileReader struct {
	f    *os.File
	r    *bufio.Reader
	Seed uint64
	N    int
	read int
}

// OpenFile opens a corpus file.
func OpenFile(path string) (*FileReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fr := &FileReader{f: f, r: bufio.NewReaderSize(f, 1<<20)}
	magic := make([]byte, len(fileMagic))
	if _, err := io.ReadFull(fr.r, magic); err != nil || string(magic) != fileMagic {
		f.Close()
		return nil, fmt.Errorf("%s: not a corpus file", path)
	}
	seed, err1 := binary.ReadUvarint(fr.r)
	n, err2 := binary.ReadUvarint(fr.r)
	if err := errors.Join(err1, err2); err != nil {
		f.Close()
		return nil, err
	}
	fr.Seed, fr.N = seed, int(n)
	return fr, nil
}

// Next returns the next document, or io.EOF after the last one.
func (fr *FileReader) Next() (Doc, error) {
	var d Doc
	if fr.read >= fr.N {
		return d, io.EOF
	}
	idx, err := binary.ReadUvarint(fr.r)
	if err != nil {
		return d, err
	}
	date, err := binary.ReadVarint(fr.r)
	if err != nil {
		return d, err
	}
	year, err := binary.ReadUvarint(fr.r)
	if err != nil {
		return d, err
	}
	var meta [4]byte
	if _, err := io.ReadFull(fr.r, meta[:]); err != nil {
		return d, err
	}
	var s [3]string
	for k := range s {
		l, err := binary.ReadUvarint(fr.r)
		if err != nil {
			return d, err
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(fr.r, b); err != nil {
			return d, err
		}
		s[k] = string(b)
	}
	fr.read++
	return Doc{
		Index: int(idx), Key: Key(int(idx)), Title: s[0], DocNo: s[1], Body: s[2],
		Date: date, Year: int(year), Issuer: int(meta[0]), Genre: int(meta[1]),
		Validity: int(meta[2]), Traditional: meta[3] == 1,
	}, nil
}

// Close closes the file.
func (fr *FileReader) Close() error { return fr.f.Close() }

// Source yields the documents of a corpus in feed order, either generated on the fly or read
// from a corpus file.
type Source interface {
	N() int
	Next() (Doc, error) // io.EOF at the end
	Close() error
}

type genSource struct {
	w     *Worker
	order []int32
	pos   int
}

// Generated returns the documents of g in publication order, generated on the fly.
func Generated(g *Generator) Source {
	return &genSource{w: g.Worker(), order: g.Order()}
}

// GeneratedInIndexOrder returns the documents of g in generation order (dates unordered).
func GeneratedInIndexOrder(g *Generator) Source {
	order := make([]int32, g.n)
	for i := range order {
		order[i] = int32(i)
	}
	return &genSource{w: g.Worker(), order: order}
}

func (s *genSource) N() int { return len(s.order) }
func (s *genSource) Next() (Doc, error) {
	if s.pos >= len(s.order) {
		return Doc{}, io.EOF
	}
	d := s.w.Doc(int(s.order[s.pos]), false)
	s.pos++
	return d, nil
}
func (s *genSource) Close() error { return nil }

type fileSource struct{ *FileReader }

func (s fileSource) N() int { return s.FileReader.N }

// FromFile returns the documents of a corpus file.
func FromFile(path string) (Source, uint64, error) {
	fr, err := OpenFile(path)
	if err != nil {
		return nil, 0, err
	}
	return fileSource{fr}, fr.Seed, nil
}
