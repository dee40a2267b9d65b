package privacy

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const (
	testID     = "110105199003071239"
	testMobile = "13800138000"
)

// ---- PDF construction ----

// pdfFile assembles numbered objects (object i+1 is objs[i]) with a valid
// cross-reference table and trailer.
func pdfFile(objs []string, trailerExtra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailerExtra, xref)
	return b.Bytes()
}

func pdfStreamObj(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

func deflate(data []byte) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// simplePDF is one page in Helvetica showing content.
func simplePDF(content []byte, compressed bool) []byte {
	stream := pdfStreamObj("", content)
	if compressed {
		stream = pdfStreamObj("/Filter /FlateDecode", deflate(content))
	}
	return pdfFile([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		stream,
	}, "")
}

func utf16Hex(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// cjkPDF uses a Type0 font with Identity-H codes that mean nothing without
// its ToUnicode CMap, as PDFs exported from Chinese office software do. The
// font and page objects sit in a compressed object stream.
func cjkPDF(text string) []byte {
	cids := map[rune]int{}
	var order []rune
	var codes strings.Builder
	for _, r := range text {
		if r >= '0' && r <= '9' {
			fmt.Fprintf(&codes, "%04X", 0x100+int(r-'0'))
			continue
		}
		if _, ok := cids[r]; !ok {
			cids[r] = len(cids) + 1
			order = append(order, r)
		}
		fmt.Fprintf(&codes, "%04X", cids[r])
	}
	var cm strings.Builder
	cm.WriteString("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n")
	cm.WriteString("/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n")
	fmt.Fprintf(&cm, "%d beginbfchar\n", len(order))
	for _, r := range order {
		fmt.Fprintf(&cm, "<%04X> <%s>\n", cids[r], utf16Hex(string(r)))
	}
	cm.WriteString("endbfchar\n1 beginbfrange\n<0100> <0109> <0030>\nendbfrange\nendcmap CMapName currentdict /CMap defineresource pop end end\n")
	content := fmt.Sprintf("BT /F1 10.5 Tf 1 0 0 1 72 760 Tm <%s> Tj ET\n", codes.String())

	// Objects 3 (page) and 4 (font) go into object stream 8.
	page := "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
	font := "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>"
	hdr := fmt.Sprintf("3 0 4 %d ", len(page)+1)
	objstm := hdr + page + "\n" + font
	return pdfFile([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"null",
		"null",
		pdfStreamObj("/Filter /FlateDecode", deflate([]byte(content))),
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W [256 [500 500 500 500 500 500 500 500 500 500]] >>",
		pdfStreamObj("/Filter /FlateDecode", deflate([]byte(cm.String()))),
		pdfStreamObj(fmt.Sprintf("/Type /ObjStm /N 2 /First %d /Filter /FlateDecode", len(hdr)), deflate([]byte(objstm))),
	}, "")
}

func TestExtractPDF(t *testing.T) {
	plain := simplePDF([]byte("BT /F1 12 Tf 72 720 Td (ID: "+testID+") Tj 0 -14 Td (Tel: "+testMobile+") Tj ET"), false)
	cases := []struct {
		name string
		pdf  []byte
		want []string
	}{
		{"uncompressed", plain, []string{"ID: " + testID, "Tel: " + testMobile}},
		{"flate", simplePDF([]byte("BT /F1 12 Tf 72 720 Td ("+testID+") Tj T* [(138) -12 (0013) 8 (8000)] TJ ET"), true),
			[]string{testID, testMobile}},
		{"glyph by glyph", simplePDF([]byte(glyphByGlyph(testMobile)), true), []string{testMobile}},
		{"table cells apart", simplePDF([]byte("BT /F1 10 Tf 72 700 Td ("+testMobile+") Tj 150 0 Td (2024) Tj ET"), true),
			[]string{testMobile + " 2024"}},
		{"big TJ gap is a space", simplePDF([]byte("BT /F1 10 Tf 72 700 Td [(Name) -2000 (Value)] TJ ET"), false),
			[]string{"Name Value"}},
		{"ToUnicode CJK in object stream", cjkPDF("联系电话：" + testMobile + "，机密★5年"), []string{"联系电话：" + testMobile + "，机密★5年"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text, err := ExtractText("report.pdf", tc.pdf)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("text %q lacks %q", text, w)
				}
			}
		})
	}

	fs, err := ScanFile("通知.pdf", cjkPDF("联系电话："+testMobile+"，机密★5年"))
	if err != nil || len(fs) != 2 || fs[0].Kind != KindMobile || fs[1].Kind != KindSecretMarking {
		t.Errorf("ScanFile: %+v, %v", fs, err)
	}
	fs, err = ScanFile("a.pdf", plain)
	if err != nil || len(fs) != 2 || fs[0].Kind != KindIDCard || fs[1].Kind != KindMobile {
		t.Errorf("ScanFile: %+v, %v", fs, err)
	}
}

// glyphByGlyph places every character with its own Td, as some PDF printers
// do; the digits must still come out as one number.
func glyphByGlyph(s string) string {
	var b strings.Builder
	b.WriteString("BT /F1 12 Tf 72 700 Td ")
	for i, c := range s {
		if i > 0 {
			b.WriteString("6.672 0 Td ")
		}
		fmt.Fprintf(&b, "(%c) Tj ", c)
	}
	b.WriteString("ET")
	return b.String()
}

func TestExtractPDFWithoutTextLayer(t *testing.T) {
	scan := pdfFile([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
		pdfStreamObj("/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", []byte("\xff\xd8\xff\xe0junk")),
		pdfStreamObj("", []byte("q 595 0 0 842 0 0 cm /Im1 Do Q")),
	}, "")
	text, err := ExtractText("scan.pdf", scan)
	if err != nil || text != "" {
		t.Errorf("got %q, %v; want empty text and no error", text, err)
	}
}

func TestExtractPDFEncrypted(t *testing.T) {
	enc := pdfFile([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [] /Count 0 >>",
		"<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>",
	}, "/Encrypt 3 0 R ")
	if _, err := ExtractText("x.pdf", enc); err == nil || !strings.Contains(err.Error(), "加密") {
		t.Errorf("encrypted PDF: %v", err)
	}
}

func TestExtractPDFHostile(t *testing.T) {
	// A page tree that points at itself and claims a huge page count.
	loop := pdfFile([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1000000000000 >>",
		"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> /XObject << /X 6 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		pdfStreamObj("", []byte("BT /F1 12 Tf (ok) Tj ET /X Do")),
		pdfStreamObj("/Type /XObject /Subtype /Form /Resources << /XObject << /X 6 0 R >> >>", []byte("/X Do /X Do")),
	}, "")
	text, err := ExtractText("loop.pdf", loop)
	if err != nil || text != "ok" {
		t.Errorf("got %q, %v", text, err)
	}

	// Nesting deep enough to overflow the stack of a recursive parser, in
	// an object and in a content stream.
	deep := "%PDF-1.4\n1 0 obj " + strings.Repeat("[<<", 1<<20) + " endobj"
	if _, err := ExtractText("deep.pdf", []byte(deep)); err != nil {
		t.Errorf("deep nesting: %v", err)
	}
	deepContent := simplePDF([]byte("BT "+strings.Repeat("[", 1<<20)+" ET"), true)
	if _, err := ExtractText("deep.pdf", deepContent); err != nil {
		t.Errorf("deep nesting in content: %v", err)
	}

	// A stream that inflates beyond the budget.
	old := decodeBudget
	decodeBudget = 1 << 20
	defer func() { decodeBudget = old }()
	bomb := simplePDF(bytes.Repeat([]byte("BT ET "), 1<<20), true)
	if _, err := ExtractText("bomb.pdf", bomb); !errors.Is(err, ErrTooLarge) {
		t.Errorf("decompression bomb: %v", err)
	}
}

// ---- docx ----

func docxFile(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, body := range parts {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const wordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`

func testDocx(t testing.TB) []byte {
	return docxFile(t, map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + wordNS + `><w:body>` +
			`<w:p><w:r><w:t>关于公示的通知</w:t></w:r></w:p>` +
			`<w:p><w:r><w:t xml:space="preserve">联系人：张三，身份证号：</w:t></w:r><w:r><w:t>1101051990</w:t></w:r><w:r><w:t>03071239</w:t></w:r></w:p>` +
			`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>手机</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>` + testMobile + `</w:t></w:r></w:p></w:tc></w:tr></w:tbl>` +
			`<w:p><w:del><w:r><w:delText>邮箱 zhangsan@example.com</w:delText></w:r></w:del></w:p>` +
			`</w:body></w:document>`,
		"word/header1.xml": `<w:hdr ` + wordNS + `><w:p><w:r><w:t>秘密★1年</w:t></w:r></w:p></w:hdr>`,
		"word/footer1.xml": `<w:ftr ` + wordNS + `><w:p><w:r><w:t>第1页</w:t></w:r></w:p></w:ftr>`,
	})
}

func TestExtractDOCX(t *testing.T) {
	text, err := ExtractText("公示.docx", testDocx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"关于公示的通知\n", "身份证号：" + testID, "手机", testMobile, "zhangsan@example.com", "秘密★1年", "第1页"} {
		if !strings.Contains(text, w) {
			t.Errorf("text %q lacks %q", text, w)
		}
	}
	fs, err := ScanFile("公示.docx", testDocx(t))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]bool{}
	for _, f := range fs {
		kinds[f.Kind] = true
	}
	for _, k := range []Kind{KindIDCard, KindMobile, KindEmail, KindSecretMarking} {
		if !kinds[k] {
			t.Errorf("no %s in %+v", k, fs)
		}
	}
}

func TestExtractDOCXBomb(t *testing.T) {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create("word/document.xml")
	w.Write([]byte(`<w:document ` + wordNS + `><w:body><w:p><w:r><w:t>`))
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range (maxUnzipped >> 20) + 2 {
		w.Write(chunk)
	}
	z.Close()
	if b.Len() > MaxFileSize {
		t.Fatalf("bomb is %d bytes", b.Len())
	}
	if _, err := ExtractText("bomb.docx", b.Bytes()); !errors.Is(err, ErrTooLarge) {
		t.Errorf("zip bomb: %v", err)
	}
}

// ---- xlsx ----

func testXlsx(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetCellValue("Sheet1", "A1", "姓名")
	f.SetCellValue("Sheet1", "B1", "身份证号")
	f.SetCellValue("Sheet1", "C1", "手机")
	f.SetCellValue("Sheet1", "A2", "张三")
	f.SetCellValue("Sheet1", "B2", testID)
	f.SetCellValue("Sheet1", "C2", 13800138000) // a number, as Excel stores it
	f.NewSheet("隐藏表")
	f.SetCellValue("隐藏表", "D4", "6222021234567890128")
	f.SetSheetVisible("隐藏表", false)
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestExtractXLSX(t *testing.T) {
	text, err := ExtractText("名单.xlsx", testXlsx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"姓名\t身份证号\t手机", "张三\t" + testID + "\t" + testMobile, "隐藏表", "6222021234567890128"} {
		if !strings.Contains(text, w) {
			t.Errorf("text %q lacks %q", text, w)
		}
	}
	fs, err := ScanFile("名单.xlsx", testXlsx(t))
	if err != nil || len(fs) != 3 {
		t.Errorf("ScanFile: %+v, %v", fs, err)
	}
}

// ---- text ----

func TestExtractText(t *testing.T) {
	utf8Text := "姓名,身份证号,手机\n张三," + testID + "," + testMobile + "\n"
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(utf8Text)
	if err != nil {
		t.Fatal(err)
	}
	var u16 []byte
	u16 = append(u16, 0xFF, 0xFE)
	for _, u := range utf16.Encode([]rune(utf8Text)) {
		u16 = append(u16, byte(u), byte(u>>8))
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"名单.csv", []byte(utf8Text)},
		{"名单.txt", append([]byte("\xEF\xBB\xBF"), utf8Text...)},
		{"名单-gbk.csv", []byte(gbk)},
		{"导出.txt", u16},
		{"无扩展名", []byte(utf8Text)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if typ := DetectType(tc.data); typ != "text" {
				t.Errorf("DetectType = %q", typ)
			}
			text, err := ExtractText(tc.name, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if text != utf8Text {
				t.Errorf("got %q", text)
			}
		})
	}
}

func TestDetectType(t *testing.T) {
	plainZip := docxFile(t, map[string]string{"readme.txt": "hello"})
	renamed := docxFile(t, map[string]string{
		"[Content_Types].xml": `<Types><Override PartName="/xl/book.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`,
	})
	cases := []struct {
		data []byte
		want string
	}{
		{simplePDF([]byte("BT ET"), false), "pdf"},
		{testDocx(t), "docx"},
		{testXlsx(t), "xlsx"},
		{plainZip, "zip"},
		{renamed, "xlsx"},
		{[]byte("PK\x03\x04junk"), "zip"},
		{[]byte("纯文本内容"), "text"},
		{[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "unknown"},
		{[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), "unknown"},
		{bytes.Repeat([]byte{1, 2, 3, 4}, 100), "unknown"},
	}
	for _, tc := range cases {
		if got := DetectType(tc.data); got != tc.want {
			t.Errorf("DetectType(%.20q) = %q, want %q", tc.data, got, tc.want)
		}
	}
}

func TestExtractErrors(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"公告.pdf", []byte("这其实是一个文本文件"), ErrTypeMismatch},
		{"名单.xlsx", testDocx(t), ErrTypeMismatch},
		{"名单.csv", simplePDF([]byte("BT ET"), false), ErrTypeMismatch},
		{"旧版.doc", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00"), ErrUnsupported},
		{"加密.docx", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00"), ErrTypeMismatch},
		{"图片.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrUnsupported},
		{"打包.zip", docxFile(t, map[string]string{"a.txt": "x"}), ErrUnsupported},
		{"大文件.txt", make([]byte, MaxFileSize+1), ErrTooLarge},
	}
	for _, tc := range cases {
		_, err := ExtractText(tc.name, tc.data)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.name) || !strings.ContainsFunc(msg, func(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }) {
			t.Errorf("%s: error %q should name the file in Chinese", tc.name, msg)
		}
	}
	if _, err := ScanFile("x.pdf", []byte("text")); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("ScanFile: %v", err)
	}
}

func FuzzExtractText(f *testing.F) {
	f.Add(simplePDF([]byte("BT /F1 12 Tf 72 720 Td ("+testID+") Tj ET"), false))
	f.Add(simplePDF([]byte("BT /F1 12 Tf [(138) -12 (0013) 8 (8000)] TJ ET"), true))
	f.Add(cjkPDF("联系电话：" + testMobile))
	f.Add(testDocx(f))
	f.Add(testXlsx(f))
	f.Add([]byte("姓名,手机\n张三," + testMobile))
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj 2 0 obj << /Kids [2 0 R] >> endobj"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The PDF and docx readers are called directly: ExtractText turns
		// panics into errors, which would hide them from the fuzzer.
		if text, err := extractPDF(data); err == nil && len(text) > maxPDFText+1024 {
			t.Fatalf("PDF text of %d bytes", len(text))
		}
		extractDOCX(data)
		for _, name := range []string{"a.pdf", "a.docx", "a.xlsx", "a.txt", "a"} {
			if text, err := ExtractText(name, data); err == nil {
				Scan(text)
			}
		}
	})
}
