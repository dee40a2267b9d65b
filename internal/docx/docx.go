package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Fonts used in 公文. The _GB2312 faces are what templates name; the font
// table maps each to the face Windows ships (仿宋, 楷体, 宋体) as a fallback.
const (
	FontFangSong     = "仿宋_GB2312"
	FontKai          = "楷体_GB2312"
	FontHei          = "黑体"
	FontXiaoBiaoSong = "方正小标宋简体"
	FontSong         = "宋体"
)

// latinFont is used for digits and Latin letters in body text, the usual
// pairing for 仿宋 in 公文 templates.
const latinFont = "Times New Roman"

// fallbacks become w:altName in the font table. Word and WPS consult it when
// the named face is missing; without it a 公文 font missing on the
// reader's machine can fall back to a Latin face with ugly CJK glyphs.
var fallbacks = map[string]string{
	FontFangSong:     "仿宋",
	FontKai:          "楷体",
	FontXiaoBiaoSong: "宋体",
	"方正仿宋_GBK":       "仿宋",
	"方正楷体_GBK":       "楷体",
	"方正黑体_GBK":       "黑体",
	"仿宋":             "FangSong",
	"楷体":             "KaiTi",
	"黑体":             "SimHei",
	"宋体":             "SimSun",
}

// Page geometry from GB/T 9704-2012 §5.2.
const (
	pageW, pageH = 210.0, 297.0 // mm
	marginTop    = 37.0
	marginBottom = 35.0
	marginLeft   = 28.0
	marginRight  = 26.0
	// The standard puts the page number's 一字线 7 mm below the text
	// block; with a 四号 line under it the footer ends about 22 mm above
	// the paper edge.
	footerDist = 22.0
	headerDist = 15.0
)

const (
	defaultSize        = 16 // pt, 三号
	defaultLineSpacing = 28 // pt; 22 lines fit the 225 mm text block
	headingSize        = 22 // pt, 二号
	pageNumberSize     = 14 // pt, 四号
)

// Align is a paragraph's horizontal alignment.
type Align int

const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
	AlignJustify
)

// Run is a stretch of text with one formatting. "\n" in Text becomes a line
// break and "\t" a tab; characters XML cannot hold are dropped.
type Run struct {
	Text string
	Bold bool
	Font string  // East Asian font; "" = the document's
	Size float64 // points; 0 = the document's
}

// Para is a paragraph. A Para with no runs is an empty line.
type Para struct {
	Runs            []Run
	Align           Align
	Indent          float64 // first-line indent in characters, e.g. 2
	KeepNext        bool
	PageBreakBefore bool
	SpaceBefore     float64 // points
	SpaceAfter      float64 // points
}

// P returns a body paragraph: justified with the 2-character first-line
// indent of 公文 正文.
func P(text string) Para {
	return Para{Runs: []Run{{Text: text}}, Align: AlignJustify, Indent: 2}
}

// Cell is a table cell.
//
// Merged cells follow the HTML convention: the top-left cell of a merged
// area carries ColSpan and RowSpan, and the cells it covers are left out
// of Rows — to its right in its own row, and at its columns in the rows
// below. Spans are clipped at the table's last row.
type Cell struct {
	Text    string
	Bold    bool
	Align   Align
	ColSpan int // 0 or 1 = one column
	RowSpan int // 0 or 1 = one row
}

// Table is a bordered table, centred on the page.
type Table struct {
	// Widths are the column widths in millimetres; the table is as wide as
	// their sum. Empty divides the text width evenly among the columns
	// the rows use.
	Widths     []float64
	Rows       [][]Cell
	HeaderRows int     // leading rows repeated at the top of each page
	Size       float64 // cell text in points; 0 = the document's
}

// Doc is a document under construction. Zero fields take the 公文
// defaults New describes, so a zero Doc is usable too.
type Doc struct {
	Title   string    // docProps title, shown in Word's file properties
	Creator string    // docProps author, e.g. the 机关 name
	Created time.Time // docProps dates; zero omits them
	Font    string    // body East Asian font; "" = 仿宋_GB2312
	Size    float64   // body size in points; 0 = 16 (三号)
	// LineSpacing is the fixed line pitch in points; 0 = 28. Fixed, not
	// "multiple", so that the page holds GB/T 9704's 22 lines whatever
	// fonts the reader has.
	LineSpacing float64

	blocks []any // Para or *Table
}

// New returns an empty document with the 公文 defaults: A4, GB/T 9704
// margins, 仿宋_GB2312 16 pt on a fixed 28 pt line, page numbers "— 1 —".
func New() *Doc {
	return &Doc{Font: FontFangSong, Size: defaultSize, LineSpacing: defaultLineSpacing}
}

// Add appends paragraphs and tables: Para, *Para, Table or *Table. A
// *Table is read when the document is written, not when added. Any other
// type panics: blocks are built by code, not from input, so a wrong type
// is a programming error best caught at the first run.
func (d *Doc) Add(blocks ...any) {
	for _, b := range blocks {
		switch b := b.(type) {
		case Para:
			d.blocks = append(d.blocks, b)
		case *Para:
			d.blocks = append(d.blocks, *b)
		case Table:
			d.blocks = append(d.blocks, &b)
		case *Table:
			if b == nil {
				panic("docx: Add(nil *Table)")
			}
			d.blocks = append(d.blocks, b)
		default:
			panic(fmt.Sprintf("docx: Add(%T): want Para or Table", b))
		}
	}
}

// Heading adds a centred 方正小标宋简体 二号 title followed by the blank
// line that separates a 公文 title from the 主送机关. "\n" breaks the
// title into lines.
func (d *Doc) Heading(text string) {
	d.Add(Para{
		Runs:       []Run{{Text: text, Font: FontXiaoBiaoSong, Size: headingSize}},
		Align:      AlignCenter,
		KeepNext:   true,
		SpaceAfter: d.lineSpacing(),
	})
}

// Bytes returns the .docx file.
func (d *Doc) Bytes() ([]byte, error) {
	var b bytes.Buffer
	_, err := d.WriteTo(&b)
	return b.Bytes(), err
}

// WriteTo writes the .docx file to w. It fails without writing anything
// if a table's cells do not fit its grid.
func (d *Doc) WriteTo(w io.Writer) (int64, error) {
	parts, err := d.parts()
	if err != nil {
		return 0, err
	}
	cw := &countWriter{w: w}
	zw := zip.NewWriter(cw)
	for _, p := range parts {
		// A fixed time keeps output deterministic; 1980 is the earliest a
		// zip's MS-DOS date can hold.
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: zipEpoch})
		if err != nil {
			return cw.n, err
		}
		if _, err := f.Write(p.data); err != nil {
			return cw.n, err
		}
	}
	err = zw.Close()
	return cw.n, err
}

var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type part struct {
	name string
	data []byte
}

const (
	nsW   = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRel = "http://schemas.openxmlformats.org/package/2006/relationships"
	ctW   = "application/vnd.openxmlformats-officedocument.wordprocessingml."
	xmlHd = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

func (d *Doc) parts() ([]part, error) {
	body, err := d.document()
	if err != nil {
		return nil, err
	}
	// [Content_Types].xml goes first: some readers sniff it at the start
	// of the archive.
	return []part{
		{"[Content_Types].xml", []byte(xmlHd + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="` + ctW + `document.main+xml"/>` +
			`<Override PartName="/word/styles.xml" ContentType="` + ctW + `styles+xml"/>` +
			`<Override PartName="/word/settings.xml" ContentType="` + ctW + `settings+xml"/>` +
			`<Override PartName="/word/fontTable.xml" ContentType="` + ctW + `fontTable+xml"/>` +
			`<Override PartName="/word/footer1.xml" ContentType="` + ctW + `footer+xml"/>` +
			`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
			`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
			`</Types>`)},
		{"_rels/.rels", []byte(xmlHd + `<Relationships xmlns="` + nsRel + `">` +
			`<Relationship Id="rId1" Type="` + nsR + `/officeDocument" Target="word/document.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
			`<Relationship Id="rId3" Type="` + nsR + `/extended-properties" Target="docProps/app.xml"/>` +
			`</Relationships>`)},
		{"word/document.xml", body},
		{"word/_rels/document.xml.rels", []byte(xmlHd + `<Relationships xmlns="` + nsRel + `">` +
			`<Relationship Id="rId1" Type="` + nsR + `/styles" Target="styles.xml"/>` +
			`<Relationship Id="rId2" Type="` + nsR + `/settings" Target="settings.xml"/>` +
			`<Relationship Id="rId3" Type="` + nsR + `/fontTable" Target="fontTable.xml"/>` +
			`<Relationship Id="rId4" Type="` + nsR + `/footer" Target="footer1.xml"/>` +
			`</Relationships>`)},
		{"word/styles.xml", d.styles()},
		{"word/settings.xml", []byte(xmlHd + `<w:settings xmlns:w="` + nsW + `">` +
			`<w:zoom w:percent="100"/>` +
			// Every full-width punctuation mark keeps a full character's
			// width, as 公文 typesetting expects; Word's Chinese default
			// squeezes them.
			`<w:characterSpacingControl w:val="doNotCompress"/>` +
			`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
			`<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>` +
			`</w:settings>`)},
		{"word/fontTable.xml", d.fontTable()},
		{"word/footer1.xml", footer()},
		{"docProps/core.xml", d.core()},
		{"docProps/app.xml", []byte(xmlHd + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">` +
			`<Application>gongkai</Application></Properties>`)},
	}, nil
}

func (d *Doc) font() string {
	if d.Font == "" {
		return FontFangSong
	}
	return d.Font
}

func (d *Doc) size() float64 {
	if d.Size <= 0 {
		return defaultSize
	}
	return d.Size
}

func (d *Doc) lineSpacing() float64 {
	if d.LineSpacing <= 0 {
		return defaultLineSpacing
	}
	return d.LineSpacing
}

func (d *Doc) styles() []byte {
	var b bytes.Buffer
	b.WriteString(xmlHd + `<w:styles xmlns:w="` + nsW + `"><w:docDefaults><w:rPrDefault><w:rPr>`)
	b.WriteString(`<w:rFonts w:ascii="` + latinFont + `" w:hAnsi="` + latinFont + `" w:eastAsia="` + esc(d.font()) + `" w:cs="` + latinFont + `"/>`)
	hp := strconv.Itoa(halfPoints(d.size()))
	b.WriteString(`<w:sz w:val="` + hp + `"/><w:szCs w:val="` + hp + `"/>`)
	// zh-CN makes Word apply Chinese line-breaking rules (避头尾) and
	// proofing rather than those of the reader's UI language.
	b.WriteString(`<w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>`)
	// kinsoku keeps closing punctuation off a line's start; overflowPunct
	// lets it hang into the margin instead of pulling a character down;
	// autoSpace puts a little space between Chinese and Latin or digits.
	// They are Word's defaults, written out for readers whose defaults
	// differ.
	b.WriteString(`<w:pPrDefault><w:pPr><w:kinsoku/><w:overflowPunct/><w:autoSpaceDE/><w:autoSpaceDN/>`)
	b.WriteString(`<w:spacing w:before="0" w:after="0" w:line="` + strconv.Itoa(twips(d.lineSpacing())) + `" w:lineRule="exact"/>`)
	b.WriteString(`</w:pPr></w:pPrDefault></w:docDefaults>`)
	b.WriteString(`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>`)
	b.WriteString(`<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>`)
	b.WriteString(`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>` +
		`<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>`)
	b.WriteString(`</w:styles>`)
	return b.Bytes()
}

func (d *Doc) fontTable() []byte {
	names := []string{latinFont, FontSong, d.font()}
	for _, blk := range d.blocks {
		if p, ok := blk.(Para); ok {
			for _, r := range p.Runs {
				if r.Font != "" {
					names = append(names, r.Font)
				}
			}
		}
	}
	for _, n := range slices.Clone(names) {
		// Latin alternates (SimSun, FangSong) need no entry of their own:
		// one would have to guess their charset.
		if alt, ok := fallbacks[n]; ok && !isASCII(alt) {
			names = append(names, alt)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)

	var b bytes.Buffer
	b.WriteString(xmlHd + `<w:fonts xmlns:w="` + nsW + `">`)
	for _, n := range names {
		b.WriteString(`<w:font w:name="` + esc(n) + `">`)
		if alt, ok := fallbacks[n]; ok {
			b.WriteString(`<w:altName w:val="` + esc(alt) + `"/>`)
		}
		if isASCII(n) {
			b.WriteString(`<w:charset w:val="00"/><w:family w:val="roman"/>`)
		} else {
			// 86 is GB2312_CHARSET: asks for a substitute that has
			// Chinese glyphs.
			b.WriteString(`<w:charset w:val="86"/><w:family w:val="auto"/>`)
		}
		b.WriteString(`<w:pitch w:val="variable"/></w:font>`)
	}
	b.WriteString(`</w:fonts>`)
	return b.Bytes()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func footer() []byte {
	var b bytes.Buffer
	b.WriteString(xmlHd + `<w:ftr xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:p><w:pPr>`)
	// Single spacing: the body's fixed 28 pt line would push the number
	// down out of its place under the text block.
	b.WriteString(`<w:spacing w:line="240" w:lineRule="auto"/><w:jc w:val="center"/></w:pPr>`)
	// GB/T 9704 asks for 四号 半角宋体 digits between 一字线.
	rpr := `<w:rPr><w:rFonts w:ascii="` + FontSong + `" w:hAnsi="` + FontSong + `" w:eastAsia="` + FontSong + `" w:hint="eastAsia"/>` +
		`<w:sz w:val="` + strconv.Itoa(halfPoints(pageNumberSize)) + `"/><w:szCs w:val="` + strconv.Itoa(halfPoints(pageNumberSize)) + `"/></w:rPr>`
	r := func(inner string) { b.WriteString(`<w:r>` + rpr + inner + `</w:r>`) }
	r(`<w:t xml:space="preserve">— </w:t>`)
	r(`<w:fldChar w:fldCharType="begin"/>`)
	r(`<w:instrText xml:space="preserve"> PAGE </w:instrText>`)
	r(`<w:fldChar w:fldCharType="separate"/>`)
	// The cached result is what readers that do not update fields show.
	r(`<w:t>1</w:t>`)
	r(`<w:fldChar w:fldCharType="end"/>`)
	r(`<w:t xml:space="preserve"> —</w:t>`)
	b.WriteString(`</w:p></w:ftr>`)
	return b.Bytes()
}

func (d *Doc) core() []byte {
	var b bytes.Buffer
	b.WriteString(xmlHd + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	if t := clean(d.Title); t != "" {
		b.WriteString(`<dc:title>` + esc(t) + `</dc:title>`)
	}
	if c := clean(d.Creator); c != "" {
		b.WriteString(`<dc:creator>` + esc(c) + `</dc:creator>`)
	}
	if !d.Created.IsZero() {
		ts := d.Created.UTC().Format("2006-01-02T15:04:05Z")
		b.WriteString(`<dcterms:created xsi:type="dcterms:W3CDTF">` + ts + `</dcterms:created>`)
		b.WriteString(`<dcterms:modified xsi:type="dcterms:W3CDTF">` + ts + `</dcterms:modified>`)
	}
	b.WriteString(`</cp:coreProperties>`)
	return b.Bytes()
}

func (d *Doc) document() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xmlHd + `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>`)
	ntab := 0
	for i, blk := range d.blocks {
		switch blk := blk.(type) {
		case Para:
			d.para(&b, blk)
		case *Table:
			ntab++
			if err := d.table(&b, blk); err != nil {
				return nil, fmt.Errorf("docx: table %d: %w", ntab, err)
			}
			// Word glues a table to a table right after it into one, and
			// wants a paragraph after the last; an empty one keeps each
			// table the caller built separate and editable.
			if i == len(d.blocks)-1 {
				b.WriteString(`<w:p/>`)
			} else if _, ok := d.blocks[i+1].(*Table); ok {
				b.WriteString(`<w:p/>`)
			}
		}
	}
	if len(d.blocks) == 0 {
		// Word and WPS expect at least one paragraph to put the cursor in.
		b.WriteString(`<w:p/>`)
	}
	fmt.Fprintf(&b, `<w:sectPr><w:footerReference w:type="default" r:id="rId4"/>`+
		`<w:pgSz w:w="%d" w:h="%d"/>`+
		`<w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="%d" w:footer="%d" w:gutter="0"/>`+
		`<w:cols w:space="425"/></w:sectPr></w:body></w:document>`,
		mmTwips(pageW), mmTwips(pageH),
		mmTwips(marginTop), mmTwips(marginRight), mmTwips(marginBottom), mmTwips(marginLeft),
		mmTwips(headerDist), mmTwips(footerDist))
	return b.Bytes(), nil
}

func (d *Doc) para(b *bytes.Buffer, p Para) {
	var pp bytes.Buffer
	// Elements in CT_PPr's schema order: Word rejects a file with them out
	// of order.
	if p.KeepNext {
		pp.WriteString(`<w:keepNext/>`)
	}
	if p.PageBreakBefore {
		pp.WriteString(`<w:pageBreakBefore/>`)
	}
	if p.SpaceBefore > 0 || p.SpaceAfter > 0 {
		fmt.Fprintf(&pp, `<w:spacing w:before="%d" w:after="%d"/>`, twips(max(0, p.SpaceBefore)), twips(max(0, p.SpaceAfter)))
	}
	if p.Indent != 0 {
		// firstLineChars is what Word and WPS honour and keeps the indent
		// at two characters if the font size changes; firstLine is the
		// same length for readers that only know absolute indents.
		fmt.Fprintf(&pp, `<w:ind w:firstLineChars="%d" w:firstLine="%d"/>`,
			int(math.Round(p.Indent*100)), twips(p.Indent*d.size()))
	}
	writeJc(&pp, p.Align)
	b.WriteString(`<w:p>`)
	if pp.Len() > 0 {
		b.WriteString(`<w:pPr>` + pp.String() + `</w:pPr>`)
	}
	for _, r := range p.Runs {
		writeRun(b, r)
	}
	b.WriteString(`</w:p>`)
}

func writeJc(b *bytes.Buffer, a Align) {
	switch a {
	case AlignCenter:
		b.WriteString(`<w:jc w:val="center"/>`)
	case AlignRight:
		b.WriteString(`<w:jc w:val="right"/>`)
	case AlignJustify:
		b.WriteString(`<w:jc w:val="both"/>`)
	}
}

func writeRun(b *bytes.Buffer, r Run) {
	text := clean(r.Text)
	if text == "" {
		return
	}
	b.WriteString(`<w:r><w:rPr>`)
	// hint=eastAsia makes characters shared by Chinese and Latin (“”
	// ‘’ — …) take the Chinese font, so quotes are full width.
	b.WriteString(`<w:rFonts w:hint="eastAsia"`)
	if r.Font != "" {
		b.WriteString(` w:eastAsia="` + esc(r.Font) + `"`)
	}
	b.WriteString(`/>`)
	if r.Bold {
		b.WriteString(`<w:b/><w:bCs/>`)
	}
	if r.Size > 0 {
		fmt.Fprintf(b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, halfPoints(r.Size), halfPoints(r.Size))
	}
	b.WriteString(`</w:rPr>`)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	start := 0
	flush := func(end int) {
		if end > start {
			// Always preserve: Word otherwise trims spaces used for
			// alignment, e.g. blanks left for a signature.
			b.WriteString(`<w:t xml:space="preserve">` + esc(text[start:end]) + `</w:t>`)
		}
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			flush(i)
			b.WriteString(`<w:br/>`)
			start = i + 1
		case '\t':
			flush(i)
			b.WriteString(`<w:tab/>`)
			start = i + 1
		}
	}
	flush(len(text))
	b.WriteString(`</w:r>`)
}

const (
	mergeNone = iota
	mergeRestart
	mergeContinue
)

// slot is one w:tc: a caller's cell, a vMerge continuation under one, or
// an empty filler for a short row.
type slot struct {
	cell  Cell
	span  int
	merge int
}

// layout places the cells on the column grid, adding the continuation
// cells Word needs under each RowSpan and filling short rows, and returns
// the rows and the number of grid columns used.
func layout(t *Table) ([][]slot, int, error) {
	type open struct{ left, span int }
	pending := map[int]*open{} // vertical merges by their first column
	rows := make([][]slot, len(t.Rows))
	ncols := 0
	for r, cells := range t.Rows {
		c, i := 0, 0
		for {
			if p, ok := pending[c]; ok {
				rows[r] = append(rows[r], slot{span: p.span, merge: mergeContinue})
				if p.left--; p.left == 0 {
					delete(pending, c)
				}
				c += p.span
				continue
			}
			if i < len(cells) {
				cell := cells[i]
				i++
				span := max(1, cell.ColSpan)
				for k := c + 1; k < c+span; k++ {
					if _, ok := pending[k]; ok {
						return nil, 0, fmt.Errorf("row %d cell %d: ColSpan %d runs into a cell spanning rows from above", r+1, i, span)
					}
				}
				s := slot{cell: cell, span: span}
				if rs := min(max(1, cell.RowSpan), len(t.Rows)-r); rs > 1 {
					s.merge = mergeRestart
					pending[c] = &open{left: rs - 1, span: span}
				}
				rows[r] = append(rows[r], s)
				c += span
				continue
			}
			// Out of cells, but a merge from above may still cover a
			// column further right: fill the gap up to it.
			more := false
			for k := range pending {
				if k > c {
					more = true
				}
			}
			if !more {
				break
			}
			rows[r] = append(rows[r], slot{span: 1})
			c++
		}
		ncols = max(ncols, c)
	}
	if len(t.Widths) > 0 {
		if ncols > len(t.Widths) {
			return nil, 0, fmt.Errorf("cells need %d columns, Widths has %d", ncols, len(t.Widths))
		}
		ncols = len(t.Widths)
	}
	for r := range rows {
		used := 0
		for _, s := range rows[r] {
			used += s.span
		}
		for ; used < ncols; used++ {
			rows[r] = append(rows[r], slot{span: 1})
		}
	}
	return rows, ncols, nil
}

func (d *Doc) table(b *bytes.Buffer, t *Table) error {
	rows, ncols, err := layout(t)
	if err != nil {
		return err
	}
	if ncols == 0 || len(rows) == 0 {
		// Word rejects a table without rows or cells; writing nothing is
		// the honest rendering of an empty one.
		return nil
	}
	grid := make([]int, ncols)
	for i := range grid {
		if len(t.Widths) > 0 {
			grid[i] = mmTwips(max(0, t.Widths[i]))
		} else {
			grid[i] = mmTwips(pageW-marginLeft-marginRight) / ncols
		}
	}
	total := 0
	for _, g := range grid {
		total += g
	}
	b.WriteString(`<w:tbl><w:tblPr>`)
	fmt.Fprintf(b, `<w:tblW w:w="%d" w:type="dxa"/><w:jc w:val="center"/>`, total)
	b.WriteString(`<w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		b.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="auto"/>`)
	}
	b.WriteString(`</w:tblBorders>`)
	// Fixed layout keeps the caller's widths; autofit would reflow the
	// columns around the longest cell text.
	b.WriteString(`<w:tblLayout w:type="fixed"/>`)
	b.WriteString(`<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="85" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>`)
	b.WriteString(`</w:tblPr><w:tblGrid>`)
	for _, g := range grid {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, g)
	}
	b.WriteString(`</w:tblGrid>`)
	size := t.Size
	if size <= 0 {
		size = d.size()
	}
	for r, row := range rows {
		b.WriteString(`<w:tr>`)
		if r < t.HeaderRows {
			// cantSplit too: a header row torn across pages repeats
			// nothing useful.
			b.WriteString(`<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>`)
		}
		col := 0
		for _, s := range row {
			w := 0
			for k := col; k < col+s.span && k < ncols; k++ {
				w += grid[k]
			}
			col += s.span
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, w)
			if s.span > 1 {
				fmt.Fprintf(b, `<w:gridSpan w:val="%d"/>`, s.span)
			}
			switch s.merge {
			case mergeRestart:
				b.WriteString(`<w:vMerge w:val="restart"/>`)
			case mergeContinue:
				b.WriteString(`<w:vMerge/>`)
			}
			b.WriteString(`<w:vAlign w:val="center"/></w:tcPr>`)
			// Cell text is set single-spaced: the body's fixed line is
			// too tall for the smaller sizes tables use.
			b.WriteString(`<w:p><w:pPr><w:spacing w:line="240" w:lineRule="auto"/>`)
			writeJc(b, s.cell.Align)
			b.WriteString(`</w:pPr>`)
			writeRun(b, Run{Text: s.cell.Text, Bold: s.cell.Bold, Size: size})
			b.WriteString(`</w:p></w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
	return nil
}

func halfPoints(pt float64) int { return int(math.Round(pt * 2)) }
func twips(pt float64) int      { return int(math.Round(pt * 20)) }
func mmTwips(mm float64) int    { return int(math.Round(mm * 1440 / 25.4)) }

// clean drops what XML 1.0 cannot carry — control characters other than
// tab and newlines, U+FFFE/U+FFFF, surrogates and invalid UTF-8 — so that
// text pasted from anywhere never makes Word refuse the file.
func clean(s string) string {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !legal(r, n) {
			return cleanSlow(s)
		}
		i += n
	}
	return s
}

func cleanSlow(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if legal(r, n) {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func legal(r rune, n int) bool {
	if r == utf8.RuneError && n == 1 {
		return false // invalid UTF-8, including encoded surrogates
	}
	return r == '\t' || r == '\n' || r == '\r' ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// esc escapes cleaned text for element content and attribute values.
func esc(s string) string {
	var b strings.Builder
	// Writing to a strings.Builder cannot fail.
	_ = xml.EscapeText(&b, []byte(clean(s)))
	return b.String()
}
