package privacy

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/ascii85"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// This is a text-layer extractor, not a PDF renderer. It finds objects by
// scanning for "N G obj" rather than trusting the cross-reference table, so
// damaged and incrementally updated files still yield their text; it follows
// the page tree with cycle checks; it decodes the filters content streams
// use; and it maps character codes to Unicode through ToUnicode CMaps, the
// predefined Unicode and GB CMaps, and simple-font encodings. Word breaks and
// line breaks are inferred from glyph positions, because a number split by a
// stray space or glued to the next table cell would be missed by Scan.
//
// Every loop is bounded by the input or by decodeBudget, and every lookup
// that could revisit an object carries a depth limit, so hostile files cost
// at most a few hundred megabytes of work and never hang.

var (
	errPDFEncrypted = errors.New("PDF 已加密，无法提取文本")
	errPDFTooLarge  = errors.New("PDF 解压后内容超过上限")
)

// decodeBudget caps the decompressed bytes of all streams in one file. It
// is a variable so that tests can exercise the cap without inflating
// hundreds of megabytes.
var decodeBudget int64 = 256 << 20

const (
	// maxPDFText caps the extracted text.
	maxPDFText = 32 << 20
	maxDepth   = 64
)

type (
	pdfName   string
	pdfString string
	pdfKW     string // a bare keyword: content operators, obj, R, ...
	pdfArray  []any
	pdfDict   map[pdfName]any
	pdfRef    struct{ num, gen int }
	pdfStream struct {
		dict pdfDict
		raw  []byte
	}
)

// ---- lexer and object parser ----

func isPDFSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isPDFDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

type pdfLexer struct {
	b   []byte
	pos int
}

func (l *pdfLexer) skipSpace() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		if isPDFSpace(c) {
			l.pos++
			continue
		}
		if c == '%' {
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
			continue
		}
		return
	}
}

func (l *pdfLexer) regular() []byte {
	start := l.pos
	for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
		l.pos++
	}
	return l.b[start:l.pos]
}

// pdfEnd marks the end of input or a stray closing delimiter.
type pdfEnd struct{}

// value parses one object. Arrays and dictionaries nest at most maxDepth;
// deeper ones are skipped a byte at a time, because unbounded recursion on
// "[[[[…" would exhaust the goroutine stack, which no recover can catch.
func (l *pdfLexer) value(depth int) any {
	l.skipSpace()
	if l.pos >= len(l.b) {
		return pdfEnd{}
	}
	c := l.b[l.pos]
	if depth > maxDepth && (c == '[' || c == '<') {
		l.pos++
		return nil
	}
	switch {
	case c == '/':
		l.pos++
		return pdfName(decodeName(l.regular()))
	case c == '(':
		l.pos++
		return pdfString(l.literal())
	case c == '<' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '<':
		l.pos += 2
		d := pdfDict{}
		for {
			l.skipSpace()
			if l.pos >= len(l.b) {
				return d
			}
			if l.b[l.pos] == '>' {
				l.pos++
				if l.pos < len(l.b) && l.b[l.pos] == '>' {
					l.pos++
				}
				return d
			}
			k := l.value(depth + 1)
			if _, end := k.(pdfEnd); end {
				return d
			}
			name, ok := k.(pdfName)
			if !ok {
				continue
			}
			v := l.value(depth + 1)
			if _, end := v.(pdfEnd); end {
				return d
			}
			d[name] = v
		}
	case c == '<':
		l.pos++
		return pdfString(l.hex())
	case c == '[':
		l.pos++
		var a pdfArray
		for {
			l.skipSpace()
			if l.pos >= len(l.b) {
				return a
			}
			if l.b[l.pos] == ']' {
				l.pos++
				return a
			}
			v := l.value(depth + 1)
			if _, end := v.(pdfEnd); end {
				return a
			}
			a = append(a, v)
		}
	case c == ')' || c == '>' || c == ']' || c == '{' || c == '}':
		l.pos++
		if c == '{' || c == '}' {
			return pdfKW(string(c))
		}
		return pdfEnd{}
	}
	tok := l.regular()
	if len(tok) == 0 {
		l.pos++
		return nil
	}
	if n, ok := parseNumber(tok); ok {
		// An integer may start an indirect reference "num gen R".
		if n >= 0 && n == math.Trunc(n) && !bytes.ContainsAny(tok, ".") {
			save := l.pos
			l.skipSpace()
			gen := l.regular()
			if g, ok := parseNumber(gen); ok && len(gen) > 0 && !bytes.ContainsAny(gen, ".") {
				l.skipSpace()
				if r := l.regular(); string(r) == "R" {
					return pdfRef{int(n), int(g)}
				}
			}
			l.pos = save
		}
		return n
	}
	switch string(tok) {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	return pdfKW(tok)
}

func parseNumber(tok []byte) (float64, bool) {
	if len(tok) == 0 || len(tok) > 40 {
		return 0, false
	}
	neg := false
	i := 0
	if tok[0] == '+' || tok[0] == '-' {
		neg = tok[0] == '-'
		i++
	}
	var v, scale float64 = 0, 0
	digits := 0
	for ; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if scale == 0 {
				v = v*10 + float64(c-'0')
			} else {
				v += float64(c-'0') / scale
				scale *= 10
			}
		case c == '.' && scale == 0:
			scale = 10
		case c == '-' && digits == 0:
			// "--5" and similar appear in broken files; treat as -5.
			neg = true
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func decodeName(b []byte) string {
	if bytes.IndexByte(b, '#') < 0 {
		return string(b)
	}
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) {
			if h, ok := unhex(b[i+1], b[i+2]); ok {
				out = append(out, h)
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func unhex(a, b byte) (byte, bool) {
	x, ok1 := hexVal(a)
	y, ok2 := hexVal(b)
	return x<<4 | y, ok1 && ok2
}

// literal reads a (string) after its opening parenthesis.
func (l *pdfLexer) literal() string {
	var out []byte
	depth := 1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return string(out)
			}
		case '\\':
			if l.pos >= len(l.b) {
				return string(out)
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; k++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return string(out)
}

// hex reads a <hex string> after its '<'.
func (l *pdfLexer) hex() string {
	var out []byte
	var hi byte
	half := false
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		if c == '>' {
			break
		}
		v, ok := hexVal(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return string(out)
}

// ---- document ----

type pdfEntry struct {
	v     any
	order int
}

type pdfDoc struct {
	data     []byte
	objs     map[int]pdfEntry
	trailers []pdfDict
	budget   int64
	out      strings.Builder
	fonts    map[any]*pdfFont
	err      error
}

func extractPDF(data []byte) (text string, err error) {
	d := &pdfDoc{data: data, objs: map[int]pdfEntry{}, budget: decodeBudget, fonts: map[any]*pdfFont{}}
	d.scan()
	for _, t := range d.trailers {
		if _, ok := t["Encrypt"]; ok {
			return "", errPDFEncrypted
		}
	}
	d.expandObjectStreams()
	for _, p := range d.pages() {
		if d.err != nil {
			break
		}
		d.page(p)
		d.out.WriteString("\n")
	}
	if d.err != nil {
		return "", d.err
	}
	return strings.TrimSpace(d.out.String()), nil
}

// scan finds every "num gen obj" in file order; later definitions replace
// earlier ones as incremental updates do.
func (d *pdfDoc) scan() {
	b := d.data
	order := 0
	for i := 0; i < len(b); {
		k := bytes.Index(b[i:], []byte("obj"))
		t := bytes.Index(b[i:], []byte("trailer"))
		if t >= 0 && (k < 0 || t < k) {
			l := pdfLexer{b, i + t + len("trailer")}
			if dict, ok := l.value(0).(pdfDict); ok {
				d.trailers = append(d.trailers, dict)
			}
			i = max(l.pos, i+t+1)
			continue
		}
		if k < 0 {
			return
		}
		k += i
		i = k + 3
		if k+3 < len(b) && !isPDFSpace(b[k+3]) && !isPDFDelim(b[k+3]) {
			continue
		}
		num, ok := objHeader(b, k)
		if !ok {
			continue
		}
		l := pdfLexer{b, k + 3}
		v := l.value(0)
		l.skipSpace()
		if dict, isDict := v.(pdfDict); isDict && bytes.HasPrefix(b[l.pos:], []byte("stream")) {
			start := l.pos + len("stream")
			if start < len(b) && b[start] == '\r' {
				start++
			}
			if start < len(b) && b[start] == '\n' {
				start++
			}
			end := -1
			if n, ok := dict["Length"].(float64); ok && n >= 0 && float64(start)+n <= float64(len(b)) {
				e := start + int(n)
				rest := pdfLexer{b, e}
				rest.skipSpace()
				if bytes.HasPrefix(b[rest.pos:], []byte("endstream")) {
					end = e
				}
			}
			next := len(b)
			if end < 0 {
				if e := bytes.Index(b[start:], []byte("endstream")); e >= 0 {
					end = start + e
					next = end + len("endstream")
					for end > start && (b[end-1] == '\n' || b[end-1] == '\r') {
						end--
					}
				} else {
					end = len(b)
				}
			} else {
				next = end
			}
			v = &pdfStream{dict, b[start:end]}
			l.pos = next
			if dict["Type"] == pdfName("XRef") {
				d.trailers = append(d.trailers, dict)
			}
		}
		d.objs[num] = pdfEntry{v, order}
		order++
		i = max(l.pos, k+3)
	}
}

// objHeader checks that "obj" at k is preceded by "num gen" and returns num.
func objHeader(b []byte, k int) (int, bool) {
	// back steps over white space (at least one) and then digits (at least
	// one, at most ten) ending at j, returning the start of the digits.
	back := func(j int) (int, bool) {
		s := j
		for s > 0 && isPDFSpace(b[s-1]) {
			s--
		}
		if s == j {
			return 0, false
		}
		e := s
		for s > 0 && b[s-1] >= '0' && b[s-1] <= '9' && e-s < 10 {
			s--
		}
		return s, s < e
	}
	g, ok := back(k)
	if !ok {
		return 0, false
	}
	n, ok := back(g)
	if !ok || (n > 0 && !isPDFSpace(b[n-1]) && !isPDFDelim(b[n-1])) {
		return 0, false
	}
	num := 0
	for _, c := range b[n:] {
		if c < '0' || c > '9' {
			break
		}
		num = num*10 + int(c-'0')
	}
	return num, true
}

// expandObjectStreams adds the objects packed in /Type /ObjStm streams.
// An object defined directly after the stream (an incremental update)
// keeps precedence.
func (d *pdfDoc) expandObjectStreams() {
	type objStm struct {
		s     *pdfStream
		order int
	}
	var stms []objStm
	for _, e := range d.objs {
		if s, ok := e.v.(*pdfStream); ok && s.dict["Type"] == pdfName("ObjStm") {
			stms = append(stms, objStm{s, e.order})
		}
	}
	sort.Slice(stms, func(i, j int) bool { return stms[i].order < stms[j].order })
	for _, st := range stms {
		data, err := d.decode(st.s)
		if err != nil {
			continue
		}
		n := int(d.num(st.s.dict["N"]))
		first := int(d.num(st.s.dict["First"]))
		if first < 0 || first > len(data) {
			continue
		}
		hdr := pdfLexer{data[:first], 0}
		for k := 0; k < n; k++ {
			num, ok1 := hdr.value(0).(float64)
			off, ok2 := hdr.value(0).(float64)
			if !ok1 || !ok2 {
				break
			}
			at := first + int(off)
			if off < 0 || at >= len(data) {
				continue
			}
			if old, ok := d.objs[int(num)]; ok && old.order > st.order {
				continue
			}
			l := pdfLexer{data, at}
			d.objs[int(num)] = pdfEntry{l.value(0), st.order}
		}
	}
}

func (d *pdfDoc) resolve(v any) any {
	for i := 0; i < maxDepth; i++ {
		r, ok := v.(pdfRef)
		if !ok {
			return v
		}
		v = d.objs[r.num].v
	}
	return nil
}

func (d *pdfDoc) dict(v any) pdfDict {
	switch x := d.resolve(v).(type) {
	case pdfDict:
		return x
	case *pdfStream:
		return x.dict
	}
	return nil
}

func (d *pdfDoc) num(v any) float64 {
	f, _ := d.resolve(v).(float64)
	return f
}

func (d *pdfDoc) array(v any) pdfArray {
	a, _ := d.resolve(v).(pdfArray)
	return a
}

// pages returns the page dictionaries in order, with inherited resources
// filled in.
func (d *pdfDoc) pages() []pdfDict {
	var root pdfDict
	for i := len(d.trailers) - 1; i >= 0 && root == nil; i-- {
		root = d.dict(d.trailers[i]["Root"])
	}
	if root == nil {
		best := -1
		for _, e := range d.objs {
			if dict, ok := e.v.(pdfDict); ok && dict["Type"] == pdfName("Catalog") && e.order > best {
				root, best = dict, e.order
			}
		}
	}
	var out []pdfDict
	seen := map[int]bool{}
	var walk func(node any, res any, depth int)
	walk = func(node any, res any, depth int) {
		if r, ok := node.(pdfRef); ok {
			if seen[r.num] {
				return
			}
			seen[r.num] = true
		}
		n := d.dict(node)
		if n == nil || depth > maxDepth || len(out) > 100000 {
			return
		}
		if r, ok := n["Resources"]; ok {
			res = r
		}
		if kids, ok := d.resolve(n["Kids"]).(pdfArray); ok && n["Type"] != pdfName("Page") {
			for _, k := range kids {
				walk(k, res, depth+1)
			}
			return
		}
		p := pdfDict{"Contents": n["Contents"], "Resources": res}
		out = append(out, p)
	}
	if root != nil {
		walk(root["Pages"], nil, 0)
	}
	if len(out) == 0 {
		// No usable page tree: take every page object in number order.
		var nums []int
		for num, e := range d.objs {
			if dict, ok := e.v.(pdfDict); ok && dict["Type"] == pdfName("Page") {
				nums = append(nums, num)
			}
		}
		sort.Ints(nums)
		for _, num := range nums {
			n := d.objs[num].v.(pdfDict)
			res := n["Resources"]
			for p, k := d.dict(n["Parent"]), 0; res == nil && p != nil && k < maxDepth; p, k = d.dict(p["Parent"]), k+1 {
				res = p["Resources"]
			}
			out = append(out, pdfDict{"Contents": n["Contents"], "Resources": res})
		}
	}
	return out
}

// ---- streams ----

// decode applies a stream's filters within the document's budget.
func (d *pdfDoc) decode(s *pdfStream) ([]byte, error) {
	data := s.raw
	var filters []any
	switch f := d.resolve(s.dict["Filter"]).(type) {
	case pdfName:
		filters = []any{f}
	case pdfArray:
		filters = f
	}
	var params []any
	switch p := d.resolve(s.dict["DecodeParms"]).(type) {
	case pdfDict:
		params = []any{p}
	case pdfArray:
		params = p
	}
	for i, f := range filters {
		var parm pdfDict
		if i < len(params) {
			parm = d.dict(params[i])
		}
		var err error
		switch d.resolve(f) {
		case pdfName("FlateDecode"), pdfName("Fl"):
			data, err = d.inflate(data)
			if err == nil {
				data = unpredict(data, parm, d)
			}
		case pdfName("ASCIIHexDecode"), pdfName("AHx"):
			l := pdfLexer{data, 0}
			data = []byte(l.hex())
		case pdfName("ASCII85Decode"), pdfName("A85"):
			data = decodeA85(data)
		case pdfName("RunLengthDecode"), pdfName("RL"):
			data, err = runLength(data, d.budget)
		case pdfName("LZWDecode"), pdfName("LZW"):
			early := 1
			if v, ok := d.resolve(parm["EarlyChange"]).(float64); ok {
				early = int(v)
			}
			data, err = lzwDecode(data, early, d.budget)
			if err == nil {
				data = unpredict(data, parm, d)
			}
		default:
			return nil, fmt.Errorf("unsupported filter %v", f)
		}
		if err != nil {
			return nil, err
		}
		if int64(len(data)) > d.budget {
			d.err = errPDFTooLarge
			return nil, errPDFTooLarge
		}
	}
	d.budget -= int64(len(data))
	return data, nil
}

// inflate decompresses zlib data, tolerating a missing header and a
// truncated end: damaged streams still carry readable text.
func (d *pdfDoc) inflate(data []byte) ([]byte, error) {
	var r io.Reader
	if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
		r = zr
	} else {
		r = flate.NewReader(bytes.NewReader(data))
	}
	out, err := io.ReadAll(io.LimitReader(r, d.budget+1))
	if int64(len(out)) > d.budget {
		d.err = errPDFTooLarge
		return nil, errPDFTooLarge
	}
	if err != nil && len(out) == 0 {
		return nil, err
	}
	return out, nil
}

func unpredict(data []byte, parm pdfDict, d *pdfDoc) []byte {
	pred := int(d.num(parm["Predictor"]))
	if pred < 10 {
		return data
	}
	colors, bpc, cols := int(d.num(parm["Colors"])), int(d.num(parm["BitsPerComponent"])), int(d.num(parm["Columns"]))
	if colors <= 0 {
		colors = 1
	}
	if bpc <= 0 {
		bpc = 8
	}
	if cols <= 0 {
		cols = 1
	}
	if colors > 64 || bpc > 16 || cols > 1<<20 {
		return data
	}
	bpp := max(1, colors*bpc/8)
	rowLen := (colors*bpc*cols + 7) / 8
	prev := make([]byte, rowLen)
	var out []byte
	for len(data) > 0 {
		ft := data[0]
		n := min(rowLen, len(data)-1)
		row := append([]byte(nil), data[1:1+n]...)
		data = data[1+n:]
		for i := range row {
			var a, b, c byte
			if i >= bpp {
				a = row[i-bpp]
				c = prev[i-bpp]
			}
			b = prev[i]
			switch ft {
			case 1:
				row[i] += a
			case 2:
				row[i] += b
			case 3:
				row[i] += byte((int(a) + int(b)) / 2)
			case 4:
				p := int(a) + int(b) - int(c)
				pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
				switch {
				case pa <= pb && pa <= pc:
					row[i] += a
				case pb <= pc:
					row[i] += b
				default:
					row[i] += c
				}
			}
		}
		out = append(out, row...)
		copy(prev, row)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func decodeA85(data []byte) []byte {
	data = bytes.TrimSpace(data)
	data = bytes.TrimPrefix(data, []byte("<~"))
	if i := bytes.Index(data, []byte("~>")); i >= 0 {
		data = data[:i]
	}
	out := make([]byte, 4*len(data)/5+8)
	n, _, _ := ascii85.Decode(out, data, true)
	return out[:n]
}

func runLength(data []byte, limit int64) ([]byte, error) {
	var out []byte
	for i := 0; i < len(data); {
		n := int(data[i])
		i++
		switch {
		case n == 128:
			return out, nil
		case n < 128:
			end := min(i+n+1, len(data))
			out = append(out, data[i:end]...)
			i = end
		default:
			if i < len(data) {
				out = append(out, bytes.Repeat(data[i:i+1], 257-n)...)
			}
			i++
		}
		if int64(len(out)) > limit {
			return nil, errPDFTooLarge
		}
	}
	return out, nil
}

// lzwDecode is PDF's LZW: MSB-first codes of 9–12 bits, 256 clears, 257
// ends, and by default the code width grows one code early.
func lzwDecode(data []byte, early int, limit int64) ([]byte, error) {
	dict := make([][]byte, 258, 4096)
	for i := range 256 {
		dict[i] = []byte{byte(i)}
	}
	var out, prev []byte
	width := 9
	var buf uint32
	nbits := 0
	for _, b := range data {
		buf = buf<<8 | uint32(b)
		nbits += 8
		for nbits >= width {
			code := int(buf>>(nbits-width)) & (1<<width - 1)
			nbits -= width
			switch {
			case code == 256:
				dict, width, prev = dict[:258], 9, nil
				continue
			case code == 257:
				return out, nil
			}
			var entry []byte
			switch {
			case code < len(dict) && dict[code] != nil:
				entry = dict[code]
			case code == len(dict) && prev != nil:
				entry = append(append([]byte(nil), prev...), prev[0])
			default:
				return out, nil
			}
			out = append(out, entry...)
			if int64(len(out)) > limit {
				return nil, errPDFTooLarge
			}
			if prev != nil && len(dict) < 4096 {
				dict = append(dict, append(append([]byte(nil), prev...), entry[0]))
			}
			prev = entry
			if len(dict)+early >= 1<<width && width < 12 {
				width++
			}
		}
	}
	return out, nil
}

// ---- fonts ----

type codeRange struct {
	n      int
	lo, hi uint32
	dst    []uint16 // first destination, incremented along the range
	arr    []string // or one destination per code
}

type cmap struct {
	space  [][2][]byte // codespace ranges, lo and hi of equal length
	single map[uint64]string
	ranges []codeRange
}

type pdfFont struct {
	cid      bool
	toUni    *cmap
	space    *cmap // code lengths when there is no ToUnicode codespace
	mode     int   // 0 simple/unknown, 1 UTF-16 codes, 2 GBK codes
	enc      *[256]rune
	widths   map[uint32]float64
	defWidth float64
	wscale   float64
}

const (
	modeNone = iota
	modeUTF16
	modeGBK
)

func (d *pdfDoc) font(v any) *pdfFont {
	key := v
	if _, ok := v.(pdfRef); !ok {
		key = fmt.Sprintf("%p", d.dict(v))
	}
	if f, ok := d.fonts[key]; ok {
		return f
	}
	f := d.loadFont(d.dict(v))
	d.fonts[key] = f
	return f
}

func (d *pdfDoc) loadFont(fd pdfDict) *pdfFont {
	f := &pdfFont{wscale: 1, defWidth: -1}
	if fd == nil {
		// A font missing from the resources: most producers that get this
		// wrong write Latin-1 codes, and digits are what matter here.
		f.enc = winAnsi
		return f
	}
	if s, ok := d.resolve(fd["ToUnicode"]).(*pdfStream); ok {
		if data, err := d.decode(s); err == nil {
			f.toUni = parseCMap(data)
		}
	}
	if fd["Subtype"] == pdfName("Type0") {
		f.cid = true
		switch e := d.resolve(fd["Encoding"]).(type) {
		case pdfName:
			name := string(e)
			switch {
			case strings.HasPrefix(name, "Uni") && (strings.Contains(name, "UCS2") || strings.Contains(name, "UTF16")):
				f.mode = modeUTF16
			case strings.HasPrefix(name, "GB"):
				f.mode = modeGBK
			}
		case *pdfStream:
			if data, err := d.decode(e); err == nil {
				f.space = parseCMap(data)
			}
		}
		f.defWidth = 1000
		if desc := d.array(fd["DescendantFonts"]); len(desc) > 0 {
			dd := d.dict(desc[0])
			if w, ok := d.resolve(dd["DW"]).(float64); ok {
				f.defWidth = w
			}
			f.widths = map[uint32]float64{}
			w := d.array(dd["W"])
			for i := 0; i+1 < len(w) && len(f.widths) < 1<<16; {
				first := d.num(w[i])
				if arr, ok := d.resolve(w[i+1]).(pdfArray); ok {
					for k, x := range arr {
						f.widths[uint32(first)+uint32(k)] = d.num(x)
					}
					i += 2
					continue
				}
				if i+2 >= len(w) {
					break
				}
				last, width := d.num(w[i+1]), d.num(w[i+2])
				for c := first; c <= last && c-first < 1<<16; c++ {
					f.widths[uint32(c)] = width
				}
				i += 3
			}
		}
		return f
	}
	// Simple font.
	enc := winAnsi
	if fd["Subtype"] == pdfName("Type3") {
		if m := d.array(fd["FontMatrix"]); len(m) > 0 {
			f.wscale = d.num(m[0]) * 1000
		}
	}
	var diffs pdfArray
	switch e := d.resolve(fd["Encoding"]).(type) {
	case pdfName:
		if e == "MacRomanEncoding" {
			enc = macRoman
		}
	case pdfDict:
		if d.resolve(e["BaseEncoding"]) == pdfName("MacRomanEncoding") {
			enc = macRoman
		}
		diffs = d.array(e["Differences"])
	}
	table := *enc
	code := 0
	for _, x := range diffs {
		switch v := d.resolve(x).(type) {
		case float64:
			code = int(v)
		case pdfName:
			if code >= 0 && code < 256 {
				table[code] = glyphRune(string(v))
			}
			code++
		}
	}
	f.enc = &table
	first := int(d.num(fd["FirstChar"]))
	if ws := d.array(fd["Widths"]); len(ws) > 0 && first >= 0 {
		f.widths = map[uint32]float64{}
		for i, w := range ws {
			if i > 255 {
				break
			}
			f.widths[uint32(first+i)] = d.num(w)
		}
	}
	return f
}

var winAnsi, macRoman = encodingTable(charmap.Windows1252), encodingTable(charmap.Macintosh)

func encodingTable(cm *charmap.Charmap) *[256]rune {
	var t [256]rune
	for i := range t {
		t[i] = cm.DecodeByte(byte(i))
	}
	return &t
}

// glyphRune maps the glyph names that appear in /Differences of the fonts
// Chinese office software embeds: uniXXXX, uXXXX, single letters and the
// names of digits and ASCII punctuation.
func glyphRune(name string) rune {
	if len(name) == 1 {
		return rune(name[0])
	}
	if (strings.HasPrefix(name, "uni") && len(name) >= 7) || (strings.HasPrefix(name, "u") && len(name) >= 5 && len(name) <= 7) {
		h := strings.TrimPrefix(strings.TrimPrefix(name, "uni"), "u")
		if len(h) > 4 && strings.HasPrefix(name, "uni") {
			h = h[:4]
		}
		var r rune
		for _, c := range []byte(h) {
			v, ok := hexVal(c)
			if !ok {
				return 0
			}
			r = r<<4 | rune(v)
		}
		if utf8.ValidRune(r) {
			return r
		}
		return 0
	}
	if r, ok := glyphNames[name]; ok {
		return r
	}
	return 0
}

var glyphNames = map[string]rune{
	"zero": '0', "one": '1', "two": '2', "three": '3', "four": '4', "five": '5', "six": '6', "seven": '7',
	"eight": '8', "nine": '9', "space": ' ', "hyphen": '-', "minus": '-', "period": '.', "comma": ',',
	"at": '@', "plus": '+', "parenleft": '(', "parenright": ')', "colon": ':', "semicolon": ';',
	"underscore": '_', "percent": '%', "slash": '/', "bracketleft": '[', "bracketright": ']',
	"asterisk": '*', "numbersign": '#', "ampersand": '&', "quotesingle": '\'', "quotedbl": '"',
	"equal": '=', "less": '<', "greater": '>', "question": '?', "exclam": '!', "endash": '–', "emdash": '—',
}

// parseCMap reads codespace ranges and bfchar/bfrange mappings. Sizes are
// capped: a CMap maps at most 65536 codes to text in any real font.
func parseCMap(data []byte) *cmap {
	c := &cmap{single: map[uint64]string{}}
	l := pdfLexer{data, 0}
	var stack []any
	const limit = 1 << 16
	for {
		v := l.value(0)
		if _, end := v.(pdfEnd); end {
			if l.pos >= len(data) {
				break
			}
			continue
		}
		kw, ok := v.(pdfKW)
		if !ok {
			if len(stack) < 4096 {
				stack = append(stack, v)
			}
			continue
		}
		switch kw {
		case "begincodespacerange", "beginbfchar", "beginbfrange", "begincidrange", "begincidchar":
			stack = stack[:0]
		case "endcodespacerange":
			for i := 0; i+1 < len(stack) && len(c.space) < 64; i += 2 {
				lo, ok1 := stack[i].(pdfString)
				hi, ok2 := stack[i+1].(pdfString)
				if ok1 && ok2 && len(lo) == len(hi) && len(lo) >= 1 && len(lo) <= 4 {
					c.space = append(c.space, [2][]byte{[]byte(lo), []byte(hi)})
				}
			}
			stack = stack[:0]
		case "endbfchar":
			for i := 0; i+1 < len(stack) && len(c.single) < limit; i += 2 {
				src, ok := stack[i].(pdfString)
				if !ok || len(src) == 0 || len(src) > 4 {
					continue
				}
				switch dst := stack[i+1].(type) {
				case pdfString:
					c.single[codeKey(src)] = utf16Text(string(dst))
				case pdfName:
					if r := glyphRune(string(dst)); r != 0 {
						c.single[codeKey(src)] = string(r)
					}
				}
			}
			stack = stack[:0]
		case "endbfrange":
			for i := 0; i+2 < len(stack) && len(c.ranges) < limit; i += 3 {
				lo, ok1 := stack[i].(pdfString)
				hi, ok2 := stack[i+1].(pdfString)
				if !ok1 || !ok2 || len(lo) == 0 || len(lo) > 4 || len(lo) != len(hi) {
					continue
				}
				r := codeRange{n: len(lo), lo: codeVal(lo), hi: codeVal(hi)}
				if r.hi < r.lo {
					continue
				}
				switch dst := stack[i+2].(type) {
				case pdfString:
					r.dst = utf16Units(string(dst))
				case pdfArray:
					for _, x := range dst {
						s, _ := x.(pdfString)
						r.arr = append(r.arr, utf16Text(string(s)))
					}
				}
				if len(r.dst) > 0 || len(r.arr) > 0 {
					c.ranges = append(c.ranges, r)
				}
			}
			stack = stack[:0]
		default:
			stack = stack[:0]
		}
	}
	sort.SliceStable(c.ranges, func(i, j int) bool { return c.ranges[i].lo < c.ranges[j].lo })
	return c
}

func codeVal(s pdfString) uint32 {
	var v uint32
	for i := 0; i < len(s); i++ {
		v = v<<8 | uint32(s[i])
	}
	return v
}

func codeKey(s pdfString) uint64 { return uint64(len(s))<<32 | uint64(codeVal(s)) }

func utf16Units(s string) []uint16 {
	if len(s)%2 == 1 {
		// Some producers write one-byte destinations.
		u := make([]uint16, len(s))
		for i := 0; i < len(s); i++ {
			u[i] = uint16(s[i])
		}
		return u
	}
	u := make([]uint16, len(s)/2)
	for i := range u {
		u[i] = uint16(s[2*i])<<8 | uint16(s[2*i+1])
	}
	return u
}

func utf16Text(s string) string { return string(utf16.Decode(utf16Units(s))) }

func (c *cmap) lookup(n int, code uint32) (string, bool) {
	if s, ok := c.single[uint64(n)<<32|uint64(code)]; ok {
		return s, true
	}
	// Ranges are sorted by their low end; the one covering code is the last
	// starting at or below it, or, where producers overlap ranges, one of
	// the few before that.
	i := sort.Search(len(c.ranges), func(i int) bool { return c.ranges[i].lo > code }) - 1
	for k := 0; i >= 0 && k < 16; i, k = i-1, k+1 {
		r := c.ranges[i]
		if r.n != n || code > r.hi {
			continue
		}
		off := code - r.lo
		if r.arr != nil {
			if int(off) < len(r.arr) {
				return r.arr[off], true
			}
			return "", false
		}
		u := append([]uint16(nil), r.dst...)
		u[len(u)-1] += uint16(off)
		return string(utf16.Decode(u)), true
	}
	return "", false
}

// codeLen returns how many bytes of s form the next code.
func codeLen(c *cmap, s string, def int) int {
	if c != nil && len(c.space) > 0 {
		for n := 1; n <= 4 && n <= len(s); n++ {
			for _, sp := range c.space {
				if len(sp[0]) != n {
					continue
				}
				in := true
				for k := 0; k < n; k++ {
					if s[k] < sp[0][k] || s[k] > sp[1][k] {
						in = false
						break
					}
				}
				if in {
					return n
				}
			}
		}
	}
	return min(def, len(s))
}

type glyph struct {
	text  string
	width float64 // in thousandths of the font size
	space bool    // single-byte code 32, which word spacing applies to
}

func (f *pdfFont) glyphs(s string, out []glyph) []glyph {
	for len(s) > 0 {
		var n int
		switch {
		case f.toUni != nil && len(f.toUni.space) > 0:
			n = codeLen(f.toUni, s, 1+btoi(f.cid))
		case f.space != nil:
			n = codeLen(f.space, s, 2)
		case f.mode == modeGBK:
			n = 1
			if s[0] >= 0x81 && len(s) >= 2 {
				n = 2
				if s[1] >= 0x30 && s[1] <= 0x39 && len(s) >= 4 {
					n = 4
				}
			}
		case f.cid:
			n = min(2, len(s))
		default:
			n = 1
		}
		code := s[:n]
		s = s[n:]
		cv := codeVal(pdfString(code))
		var g glyph
		text, ok := "", false
		if f.toUni != nil {
			text, ok = f.toUni.lookup(n, cv)
		}
		if !ok {
			switch {
			case f.mode == modeUTF16:
				text = utf16Text(code)
			case f.mode == modeGBK:
				b, _ := simplifiedchinese.GB18030.NewDecoder().Bytes([]byte(code))
				text = string(b)
			case !f.cid && f.enc != nil && n == 1:
				if r := f.enc[code[0]]; r != 0 && r != utf8.RuneError {
					text = string(r)
				}
			}
		}
		g.text = text
		g.space = n == 1 && code[0] == ' '
		if w, ok := f.widths[cv]; ok && w > 0 {
			g.width = w * f.wscale
		} else if f.defWidth > 0 {
			g.width = f.defWidth
		} else {
			// No width table: half an em for Latin, a full em for CJK.
			g.width = 500
			if r, _ := utf8.DecodeRuneInString(text); r >= 0x2E80 {
				g.width = 1000
			}
		}
		out = append(out, g)
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ---- content streams ----

type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

type gstate struct {
	ctm                       matrix
	font                      *pdfFont
	size, leading, cs, ws, hs float64
}

type textRun struct {
	d        *pdfDoc
	gs       gstate
	stack    []gstate
	tm, tlm  matrix
	have     bool
	lastX    float64
	lastY    float64
	lastSize float64
	glyphs   []glyph
}

func (d *pdfDoc) page(p pdfDict) {
	var content []byte
	switch c := d.resolve(p["Contents"]).(type) {
	case *pdfStream:
		if b, err := d.decode(c); err == nil {
			content = b
		}
	case pdfArray:
		for _, x := range c {
			if s, ok := d.resolve(x).(*pdfStream); ok {
				if b, err := d.decode(s); err == nil {
					content = append(append(content, b...), '\n')
				}
			}
			if d.err != nil {
				return
			}
		}
	}
	t := &textRun{d: d, gs: gstate{ctm: identity, hs: 1}}
	t.run(content, d.dict(p["Resources"]), 0)
}

func (t *textRun) run(content []byte, res pdfDict, depth int) {
	d := t.d
	fonts := d.dict(res["Font"])
	xobjs := d.dict(res["XObject"])
	l := pdfLexer{content, 0}
	var ops []any
	for d.err == nil {
		v := l.value(0)
		if _, end := v.(pdfEnd); end {
			if l.pos >= len(content) {
				return
			}
			continue
		}
		kw, ok := v.(pdfKW)
		if !ok {
			if len(ops) < 64 {
				ops = append(ops, v)
			}
			continue
		}
		num := func(i int) float64 {
			if i < len(ops) {
				f, _ := ops[i].(float64)
				return f
			}
			return 0
		}
		switch kw {
		case "q":
			if len(t.stack) < 256 {
				t.stack = append(t.stack, t.gs)
			}
		case "Q":
			if n := len(t.stack); n > 0 {
				t.gs = t.stack[n-1]
				t.stack = t.stack[:n-1]
			}
		case "cm":
			if len(ops) >= 6 {
				t.gs.ctm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}.mul(t.gs.ctm)
			}
		case "BT":
			t.tm, t.tlm = identity, identity
		case "Tf":
			if len(ops) >= 2 {
				if name, ok := ops[0].(pdfName); ok {
					t.gs.font = d.font(fonts[name])
				}
				t.gs.size = num(1)
			}
		case "TL":
			t.gs.leading = num(0)
		case "Tc":
			t.gs.cs = num(0)
		case "Tw":
			t.gs.ws = num(0)
		case "Tz":
			t.gs.hs = num(0) / 100
		case "Td":
			t.move(num(0), num(1))
		case "TD":
			t.gs.leading = -num(1)
			t.move(num(0), num(1))
		case "T*":
			t.move(0, -t.gs.leading)
		case "Tm":
			if len(ops) >= 6 {
				t.tm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}
				t.tlm = t.tm
			}
		case "Tj":
			if len(ops) >= 1 {
				s, _ := ops[len(ops)-1].(pdfString)
				t.show(string(s))
			}
		case "'", "\"":
			if kw == "\"" && len(ops) >= 3 {
				t.gs.ws, t.gs.cs = num(0), num(1)
			}
			t.move(0, -t.gs.leading)
			if len(ops) >= 1 {
				s, _ := ops[len(ops)-1].(pdfString)
				t.show(string(s))
			}
		case "TJ":
			if len(ops) >= 1 {
				arr, _ := ops[len(ops)-1].(pdfArray)
				for _, x := range arr {
					switch e := x.(type) {
					case pdfString:
						t.show(string(e))
					case float64:
						tx := -e / 1000 * t.gs.size * t.gs.hs
						t.tm = matrix{1, 0, 0, 1, tx, 0}.mul(t.tm)
					}
				}
			}
		case "Do":
			if len(ops) >= 1 && depth < 8 {
				if name, ok := ops[0].(pdfName); ok {
					if s, ok := d.resolve(xobjs[name]).(*pdfStream); ok && s.dict["Subtype"] == pdfName("Form") {
						if body, err := d.decode(s); err == nil {
							saved, savedStack := t.gs, len(t.stack)
							if m := d.array(s.dict["Matrix"]); len(m) == 6 {
								t.gs.ctm = matrix{d.num(m[0]), d.num(m[1]), d.num(m[2]), d.num(m[3]), d.num(m[4]), d.num(m[5])}.mul(t.gs.ctm)
							}
							fres := d.dict(s.dict["Resources"])
							if fres == nil {
								fres = res
							}
							t.run(body, fres, depth+1)
							t.gs, t.stack = saved, t.stack[:min(savedStack, len(t.stack))]
						}
					}
				}
			}
		case "ID":
			// Inline image data: skip to "EI" standing alone.
			for l.pos < len(content) {
				i := bytes.Index(content[l.pos:], []byte("EI"))
				if i < 0 {
					l.pos = len(content)
					break
				}
				at := l.pos + i
				l.pos = at + 2
				if (at == 0 || isPDFSpace(content[at-1])) && (l.pos >= len(content) || isPDFSpace(content[l.pos]) || isPDFDelim(content[l.pos])) {
					break
				}
			}
		}
		ops = ops[:0]
	}
}

func (t *textRun) move(tx, ty float64) {
	t.tlm = matrix{1, 0, 0, 1, tx, ty}.mul(t.tlm)
	t.tm = t.tlm
}

// show writes a string's text, preceded by a newline or a space when its
// position says it starts a new line or follows a visible gap.
func (t *textRun) show(s string) {
	d := t.d
	f := t.gs.font
	if f == nil {
		f = &pdfFont{wscale: 1, defWidth: -1, enc: winAnsi}
		t.gs.font = f
	}
	trm := t.tm.mul(t.gs.ctm)
	x, y := trm[4], trm[5]
	scale := math.Hypot(trm[2], trm[3])
	size := math.Abs(t.gs.size) * scale
	if size == 0 || math.IsNaN(size) || math.IsInf(size, 0) {
		size = 1
	}
	t.glyphs = f.glyphs(s, t.glyphs[:0])
	if t.have {
		dy := math.Abs(y - t.lastY)
		dx := x - t.lastX
		switch {
		case dy > 0.5*math.Max(size, t.lastSize):
			d.out.WriteByte('\n')
		case dx > 0.3*size || dx < -size:
			d.out.WriteByte(' ')
		}
	}
	var adv float64
	for _, g := range t.glyphs {
		d.out.WriteString(g.text)
		a := g.width/1000*t.gs.size + t.gs.cs
		if g.space {
			a += t.gs.ws
		}
		adv += a * t.gs.hs
	}
	t.tm = matrix{1, 0, 0, 1, adv, 0}.mul(t.tm)
	end := t.tm.mul(t.gs.ctm)
	t.lastX, t.lastY, t.lastSize, t.have = end[4], end[5], size, true
	if d.out.Len() > maxPDFText {
		d.err = errPDFTooLarge
	}
}
