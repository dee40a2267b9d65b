package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/privacy"
)

// letter builds a 答复书-like document exercising escaping, breaks and a
// table with both kinds of merge.
func letter() *Doc {
	d := New()
	d.Title = "政府信息公开申请答复书"
	d.Creator = "某某市人民政府办公室"
	d.Created = time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("CST", 8*3600))
	d.Heading("政府信息公开申请答复书")
	d.Add(
		Para{Runs: []Run{{Text: "张三："}}},
		P("你单位于2025年3月1日提出的政府信息公开申请收悉。"),
		P(`特殊字符<script>&"'`+"\x01结束"),
		Para{Runs: []Run{{Text: "第一行\n第二行\t制表"}, {Text: "  前后空格  ", Bold: true}}},
		Table{
			Widths:     []float64{40, 40, 60},
			HeaderRows: 1,
			Rows: [][]Cell{
				{{Text: "项目", Bold: true}, {Text: "数量", Bold: true}, {Text: "备注", Bold: true}},
				{{Text: "依申请", RowSpan: 2}, {Text: "10"}, {Text: "甲"}},
				{{Text: "5"}, {Text: "乙"}},
				{{Text: "合计", ColSpan: 2, Align: AlignCenter}, {Text: "15"}},
			},
		},
		Para{Runs: []Run{{Text: "某某市人民政府办公室"}}, Align: AlignRight, SpaceBefore: 28},
	)
	return d
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = b
	}
	return files
}

// checkPackage verifies what Word needs before it will open a file: every
// part well-formed, typed in [Content_Types].xml, and every relationship
// pointing at a part that exists.
func checkPackage(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	files := unzip(t, data)
	for _, name := range []string{
		"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels",
		"word/styles.xml", "word/settings.xml", "word/footer1.xml", "docProps/core.xml", "docProps/app.xml",
	} {
		if _, ok := files[name]; !ok {
			t.Errorf("missing part %s", name)
		}
	}
	for name, b := range files {
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s is not well-formed: %v", name, err)
				break
			}
		}
	}

	var ct struct {
		Defaults []struct {
			Extension string `xml:",attr"`
		} `xml:"Default"`
		Overrides []struct {
			PartName string `xml:",attr"`
		} `xml:"Override"`
	}
	if err := xml.Unmarshal(files["[Content_Types].xml"], &ct); err != nil {
		t.Fatal(err)
	}
	exts, overrides := map[string]bool{}, map[string]bool{}
	for _, d := range ct.Defaults {
		exts[d.Extension] = true
	}
	for _, o := range ct.Overrides {
		overrides[o.PartName] = true
		if _, ok := files[strings.TrimPrefix(o.PartName, "/")]; !ok {
			t.Errorf("content type override for missing part %s", o.PartName)
		}
	}
	for name := range files {
		if name == "[Content_Types].xml" {
			continue
		}
		if !overrides["/"+name] && !exts[strings.TrimPrefix(path.Ext(name), ".")] {
			t.Errorf("part %s has no content type", name)
		}
	}
	for _, main := range []string{"word/document.xml", "word/styles.xml", "word/footer1.xml", "docProps/core.xml"} {
		if !overrides["/"+main] {
			t.Errorf("%s has only the generic xml content type", main)
		}
	}

	for rels, base := range map[string]string{"_rels/.rels": "", "word/_rels/document.xml.rels": "word"} {
		var r struct {
			Rels []struct {
				ID     string `xml:"Id,attr"`
				Target string `xml:",attr"`
			} `xml:"Relationship"`
		}
		if err := xml.Unmarshal(files[rels], &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Rels) == 0 {
			t.Errorf("%s is empty", rels)
		}
		for _, rel := range r.Rels {
			if _, ok := files[path.Join(base, rel.Target)]; !ok {
				t.Errorf("%s: %s targets missing part %s", rels, rel.ID, rel.Target)
			}
		}
	}
	return files
}

func TestLetter(t *testing.T) {
	data, err := letter().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	files := checkPackage(t, data)

	text, err := privacy.ExtractText("x.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"政府信息公开申请答复书\n",
		"张三：\n",
		"你单位于2025年3月1日提出的政府信息公开申请收悉。\n",
		`特殊字符<script>&"'结束` + "\n",
		"第一行\n第二行\t制表  前后空格  \n",
		// The extractor ends each cell's paragraph with "\n" and the cell
		// with "\t".
		"项目\n\t数量\n\t备注\n\t",
		"依申请\n\t10\n\t甲\n\t",
		"\n\t5\n\t乙\n\t", // the vMerge continuation is an empty cell
		"合计\n\t15\n\t",
		"某某市人民政府办公室\n",
		"— 1 —", // footer, after the body
	}
	rest := text
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("extracted text lacks %q after the previous pieces; full text:\n%q", w, text)
		}
		rest = rest[i+len(w):]
	}

	doc := string(files["word/document.xml"])
	if strings.ContainsRune(doc, '\x01') {
		t.Error("control character reached document.xml")
	}
	if !strings.Contains(doc, "&lt;script&gt;&amp;") {
		t.Error("markup in text was not escaped")
	}
	if !strings.Contains(doc, `<w:t xml:space="preserve">  前后空格  </w:t>`) {
		t.Error("leading/trailing spaces not preserved")
	}
	if !strings.Contains(doc, `<w:ind w:firstLineChars="200" w:firstLine="640"/>`) {
		t.Error("P lacks its 2-character first-line indent")
	}
	// GB/T 9704 margins 37/26/35/28 mm in twips.
	if !strings.Contains(doc, `<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"`) {
		t.Error("page margins are not GB/T 9704's")
	}
	// Widths 40+40+60 mm.
	if !strings.Contains(doc, `<w:tblW w:w="7938" w:type="dxa"/>`) ||
		!strings.Contains(doc, `<w:gridCol w:w="2268"/><w:gridCol w:w="2268"/><w:gridCol w:w="3402"/>`) {
		t.Error("table width is not the sum of the column widths")
	}
	styles := string(files["word/styles.xml"])
	for _, s := range []string{`w:eastAsia="仿宋_GB2312"`, `w:ascii="Times New Roman"`, `<w:sz w:val="32"/>`, `w:line="560" w:lineRule="exact"`, `<w:kinsoku/>`, `w:eastAsia="zh-CN"`} {
		if !strings.Contains(styles, s) {
			t.Errorf("styles.xml lacks %s", s)
		}
	}
	fonts := string(files["word/fontTable.xml"])
	for _, s := range []string{`<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>`, `<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>`} {
		if !strings.Contains(fonts, s) {
			t.Errorf("fontTable.xml lacks %s", s)
		}
	}
	if !strings.Contains(string(files["word/footer1.xml"]), `<w:instrText xml:space="preserve"> PAGE </w:instrText>`) {
		t.Error("footer has no PAGE field")
	}
	core := string(files["docProps/core.xml"])
	for _, s := range []string{"<dc:title>政府信息公开申请答复书</dc:title>", ">2025-03-03T21:06:07Z</dcterms:created>"} {
		if !strings.Contains(core, s) {
			t.Errorf("core.xml lacks %s:\n%s", s, core)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, err := letter().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	n, err := letter().WriteTo(&b)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(b.Len()) {
		t.Errorf("WriteTo reported %d bytes, wrote %d", n, b.Len())
	}
	if !bytes.Equal(a, b.Bytes()) {
		t.Error("two builds of the same document differ")
	}
	d := letter()
	d.Created = d.Created.Add(time.Second)
	c, _ := d.Bytes()
	if bytes.Equal(a, c) {
		t.Error("Created does not reach the output")
	}
}

// The table as Word sees it.
type xTable struct {
	Rows []struct {
		Header *struct{} `xml:"trPr>tblHeader"`
		Cells  []struct {
			Span *struct {
				Val string `xml:"val,attr"`
			} `xml:"tcPr>gridSpan"`
			Merge *struct {
				Val string `xml:"val,attr"`
			} `xml:"tcPr>vMerge"`
			Width struct {
				W int `xml:"w,attr"`
			} `xml:"tcPr>tcW"`
			Text string `xml:"p>r>t"`
		} `xml:"tc"`
	} `xml:"tr"`
}

func tables(t *testing.T, d *Doc) []xTable {
	t.Helper()
	data, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tables []xTable `xml:"body>tbl"`
	}
	if err := xml.Unmarshal(checkPackage(t, data)["word/document.xml"], &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Tables
}

// cellsOf renders a table as rows of "text[:span][:merge]" for compact
// comparison: "^" starts a vertical merge, "|" continues one.
func cellsOf(tb xTable) []string {
	var out []string
	for _, r := range tb.Rows {
		var cs []string
		for _, c := range r.Cells {
			s := c.Text
			if c.Span != nil {
				s += ":" + c.Span.Val
			}
			if c.Merge != nil {
				switch c.Merge.Val {
				case "restart":
					s += "^"
				case "", "continue":
					s += "|"
				default:
					s += "?" + c.Merge.Val
				}
			}
			cs = append(cs, s)
		}
		out = append(out, strings.Join(cs, " "))
	}
	return out
}

func TestMerges(t *testing.T) {
	tb := tables(t, letter())
	if len(tb) != 1 {
		t.Fatalf("got %d tables, want 1", len(tb))
	}
	got := cellsOf(tb[0])
	want := []string{"项目 数量 备注", "依申请^ 10 甲", "| 5 乙", "合计:2 15"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("table cells:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	rows := tb[0].Rows
	if rows[0].Header == nil || rows[1].Header != nil {
		t.Error("only the first row should be a header row")
	}
	if w := rows[3].Cells[0].Width.W; w != 2*2268 {
		t.Errorf("spanning cell width %d, want %d", w, 2*2268)
	}

	// A block spanning two rows and two columns, a merge ending in the
	// middle of a short row, and Widths left to the package.
	d := New()
	d.Add(&Table{Rows: [][]Cell{
		{{Text: "a"}, {Text: "B", ColSpan: 2, RowSpan: 2}, {Text: "c", RowSpan: 3}},
		{{Text: "d"}},
		{{Text: "e"}, {Text: "f"}},
	}})
	got = cellsOf(tables(t, d)[0])
	want = []string{"a B:2^ c^", "d :2| |", "e f  |"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("table cells:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTableErrors(t *testing.T) {
	for name, tb := range map[string]Table{
		"too many cells": {Widths: []float64{20, 20}, Rows: [][]Cell{{{Text: "a"}, {Text: "b"}, {Text: "c"}}}},
		"span overlaps":  {Rows: [][]Cell{{{Text: "a"}, {Text: "b", RowSpan: 2}}, {{Text: "c", ColSpan: 2}}}},
	} {
		d := New()
		d.Add(tb)
		if _, err := d.Bytes(); err == nil || !strings.Contains(err.Error(), "table 1") {
			t.Errorf("%s: err = %v, want a table 1 error", name, err)
		}
	}
}

func TestAddPanicsOnOtherTypes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Add(string) did not panic")
		}
	}()
	New().Add("text")
}

func TestEmpty(t *testing.T) {
	for name, d := range map[string]*Doc{"New": New(), "zero Doc": {}} {
		data, err := d.Bytes()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		files := checkPackage(t, data)
		if !strings.Contains(string(files["word/document.xml"]), "<w:body><w:p/><w:sectPr>") {
			t.Errorf("%s: empty body should hold one paragraph", name)
		}
		if core := string(files["docProps/core.xml"]); strings.Contains(core, "dcterms:created") || strings.Contains(core, "dc:title") {
			t.Errorf("%s: zero Created and Title should be omitted:\n%s", name, core)
		}
		text, err := privacy.ExtractText("x.docx", data)
		if err != nil || text != "— 1 —" {
			t.Errorf("%s: text %q, %v; want only the page number", name, text, err)
		}
	}
	// A zero Doc takes New's defaults.
	a, _ := New().Bytes()
	b, _ := (&Doc{}).Bytes()
	if !bytes.Equal(a, b) {
		t.Error("zero Doc differs from New()")
	}
}

func TestClean(t *testing.T) {
	in := "a\x00b\x1fc\td\ne\rf\uFFFEg\uFFFFh\xed\xa0\x80i\xffj\U0001F600k\uFFFDl"
	want := "abc\td\ne\rfghij\U0001F600k\uFFFDl"
	if got := clean(in); got != want {
		t.Errorf("clean = %q, want %q", got, want)
	}
	d := New()
	d.Title = "t\x02"
	d.Add(P(in), Table{Rows: [][]Cell{{{Text: in}}}})
	data, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkPackage(t, data)
}
