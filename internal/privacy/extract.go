package privacy

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// MaxFileSize is the largest attachment ExtractText accepts.
const MaxFileSize = 20 << 20

// maxUnzipped caps what a docx may inflate to: a 20 MB file of highly
// compressible XML must not become gigabytes in memory.
const maxUnzipped = 64 << 20

var (
	// ErrUnsupported is returned (wrapped with a Chinese message) for
	// content other than xlsx, docx, pdf and text.
	ErrUnsupported = errors.New("privacy: unsupported file type")
	// ErrTooLarge is returned for files over MaxFileSize or that inflate
	// beyond the decompression caps.
	ErrTooLarge = errors.New("privacy: file too large")
	// ErrTypeMismatch is returned when a file's content is not what its
	// extension says, which is how renamed or disguised files show up.
	ErrTypeMismatch = errors.New("privacy: content does not match extension")
)

// extTypes are the extensions whose content DetectType must confirm.
var extTypes = map[string]string{
	".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".csv": "text", ".txt": "text",
}

var typeNames = map[string]string{
	"pdf": "PDF", "docx": "Word (docx)", "xlsx": "Excel (xlsx)", "text": "纯文本", "zip": "ZIP 压缩包", "unknown": "未知格式",
}

// DetectType classifies data by magic bytes and, for zip files, by the
// parts inside: "xlsx", "docx", "pdf", "zip", "text" or "unknown".
func DetectType(data []byte) string {
	if i := bytes.Index(data[:min(len(data), 1024)], []byte("%PDF-")); i >= 0 {
		return "pdf"
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06")) {
		return zipType(data)
	}
	if looksLikeText(data) {
		return "text"
	}
	return "unknown"
}

func zipType(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "zip"
	}
	var ct *zip.File
	for _, f := range zr.File {
		switch f.Name {
		case "xl/workbook.xml":
			return "xlsx"
		case "word/document.xml":
			return "docx"
		case "[Content_Types].xml":
			ct = f
		}
	}
	// Parts may be renamed; the content types list says what the main
	// part is.
	if ct != nil {
		if rc, err := ct.Open(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, 1<<20))
			rc.Close()
			switch {
			case bytes.Contains(b, []byte("spreadsheetml.sheet.main+xml")):
				return "xlsx"
			case bytes.Contains(b, []byte("wordprocessingml.document.main+xml")):
				return "docx"
			}
		}
	}
	return "zip"
}

// looksLikeText accepts UTF-8 and UTF-16 with a BOM, and otherwise text
// that is valid UTF-8 or decodes as GB18030, without NUL bytes and with
// few control characters, judged on the first 64 KB.
func looksLikeText(data []byte) bool {
	if len(data) == 0 {
		return true
	}
	if bytes.HasPrefix(data, []byte("\xFF\xFE")) || bytes.HasPrefix(data, []byte("\xFE\xFF")) {
		return true
	}
	sample := data[:min(len(data), 64<<10)]
	ctrl := 0
	for _, c := range sample {
		switch {
		case c == 0:
			return false
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1A:
			ctrl++
		}
	}
	if ctrl*100 > len(sample) {
		return false
	}
	if len(sample) < len(data) {
		// Do not let a rune cut at the sample's end count as invalid.
		for k := 0; k < utf8.UTFMax && len(sample) > 0 && !utf8.RuneStart(sample[len(sample)-1]); k++ {
			sample = sample[:len(sample)-1]
		}
		if len(sample) > 0 && sample[len(sample)-1] >= utf8.RuneSelf {
			sample = sample[:len(sample)-1]
		}
	}
	if utf8.Valid(sample) {
		return true
	}
	dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(sample)
	if err != nil {
		return false
	}
	bad := strings.Count(string(dec), "\uFFFD")
	return bad*100 <= utf8.RuneCount(dec)
}

func extOf(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return strings.ToLower(name[i:])
	}
	return ""
}

// ExtractText returns the plain text of a file by its content (not its
// name), for xlsx, docx, pdf (text layer), csv and txt (UTF-8, UTF-16 with
// BOM, or GB18030 if not valid UTF-8). It returns ErrUnsupported (wrapped
// with a Chinese message) for other types and ErrTypeMismatch for a file
// whose content does not match a known extension, e.g. a text file named
// .pdf. A PDF without a text layer (a scan) yields "" and no error.
func ExtractText(name string, data []byte) (text string, err error) {
	if len(data) > MaxFileSize {
		return "", fmt.Errorf("附件 %s 超过 %d MB 上限：%w", name, MaxFileSize>>20, ErrTooLarge)
	}
	typ := DetectType(data)
	if want, ok := extTypes[extOf(name)]; ok && want != typ {
		hint := ""
		if bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")) {
			hint = "（可能是加密文档或旧版 Office 格式）"
		}
		return "", fmt.Errorf("附件 %s 的内容是%s，与扩展名不符%s：%w", name, typeNames[typ], hint, ErrTypeMismatch)
	}
	// The parsers below run on untrusted uploads; a panic in one of them
	// (ours or excelize's) must become an error for this file, not take the
	// server down.
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("附件 %s 解析失败：%v", name, r)
		}
	}()
	switch typ {
	case "text":
		return decodeText(data)
	case "docx":
		text, err = extractDOCX(data)
	case "xlsx":
		text, err = extractXLSX(data)
	case "pdf":
		text, err = extractPDF(data)
	default:
		msg := "仅支持 docx、xlsx、pdf、csv、txt"
		if bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")) {
			msg = "旧版 Office 文件（doc/xls）或加密文档，请另存为 docx/xlsx 后上传"
		}
		return "", fmt.Errorf("附件 %s 的格式（%s）不支持审查，%s：%w", name, typeNames[typ], msg, ErrUnsupported)
	}
	if err != nil {
		if errors.Is(err, ErrTooLarge) || errors.Is(err, errPDFTooLarge) {
			return "", fmt.Errorf("附件 %s 解压后内容过大：%w", name, ErrTooLarge)
		}
		return "", fmt.Errorf("附件 %s（%s）解析失败：%w", name, typeNames[typ], err)
	}
	return text, nil
}

// ScanFile extracts an attachment's text and scans it.
func ScanFile(name string, data []byte) ([]Finding, error) {
	text, err := ExtractText(name, data)
	if err != nil {
		return nil, err
	}
	return Scan(text), nil
}

func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		data = data[3:]
	case bytes.HasPrefix(data, []byte("\xFF\xFE")), bytes.HasPrefix(data, []byte("\xFE\xFF")):
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		return string(b), err
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	b, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	return string(b), err
}

// budgetReader fails once more than n bytes have been read through it.
type budgetReader struct {
	r io.Reader
	n *int64
}

func (b budgetReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	*b.n -= int64(n)
	if *b.n < 0 {
		return n, ErrTooLarge
	}
	return n, err
}

// extractDOCX reads the body, then headers, footers, footnotes, endnotes
// and comments, all of which are published with the document. Text in
// every namespace's <t> (w:t, a:t in shapes, m:t in equations) and tracked
// deletions (w:delText, still in the file) is kept; paragraphs end lines.
func extractDOCX(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", err
	}
	var parts []*zip.File
	rank := func(name string) int {
		switch {
		case name == "word/document.xml":
			return 0
		case strings.HasPrefix(name, "word/header"):
			return 1
		case strings.HasPrefix(name, "word/footer"):
			return 2
		case name == "word/footnotes.xml", name == "word/endnotes.xml", name == "word/comments.xml":
			return 3
		}
		return -1
	}
	for _, f := range zr.File {
		if rank(f.Name) >= 0 && strings.HasSuffix(f.Name, ".xml") {
			parts = append(parts, f)
		}
	}
	sort.SliceStable(parts, func(i, j int) bool {
		ri, rj := rank(parts[i].Name), rank(parts[j].Name)
		if ri != rj {
			return ri < rj
		}
		return parts[i].Name < parts[j].Name
	})
	budget := int64(maxUnzipped)
	var b strings.Builder
	for _, f := range parts {
		if f.UncompressedSize64 > uint64(budget) {
			return "", ErrTooLarge
		}
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		err = wordText(&b, budgetReader{rc, &budget})
		rc.Close()
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSpace(b.String()), nil
}

func wordText(b *strings.Builder, r io.Reader) error {
	dec := xml.NewDecoder(r)
	inText := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t", "delText":
				inText++
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t", "delText":
				inText = max(0, inText-1)
			case "p":
				b.WriteByte('\n')
			case "tc":
				// Table cells are separated so digits in adjacent cells
				// do not run together.
				b.WriteByte('\t')
			}
		case xml.CharData:
			if inText > 0 {
				b.Write(t)
			}
		}
	}
}

// extractXLSX writes every sheet, hidden ones included, as its name on a
// line and then one line per row with cells separated by tabs. Raw cell
// values are used so a number format cannot hide digits (an ID formatted
// as text, a phone number with a custom format).
func extractXLSX(data []byte) (string, error) {
	opts := excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20, RawCellValue: true}
	f, err := excelize.OpenReader(bytes.NewReader(data), opts)
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return "", ErrTooLarge
		}
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return "", err
		}
		b.WriteString(sheet)
		b.WriteByte('\n')
		for _, row := range rows {
			b.WriteString(strings.Join(row, "\t"))
			b.WriteByte('\n')
		}
		if b.Len() > maxUnzipped {
			return "", ErrTooLarge
		}
	}
	return strings.TrimSpace(b.String()), nil
}
