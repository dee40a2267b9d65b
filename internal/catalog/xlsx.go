package catalog

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"gongkai.dev/gongkai/internal/apperr"
)

// Sheet is one domain's items, in order.
type Sheet struct {
	Domain string // domain name, e.g. "社会救助"; becomes the sheet name
	Items  []ItemFields
}

// ImportedSheet is one worksheet's items as read, in row order.
type ImportedSheet struct {
	Name  string
	Items []ImportedItem
}

// ImportedItem is an item read from a workbook with where it came from.
type ImportedItem struct {
	Sheet  string
	Row    int // 1-based Excel row
	Fields ItemFields
}

// Problem is one thing wrong with an uploaded workbook; Message is Chinese.
type Problem struct {
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row,omitempty"`
	Col     string `json:"col,omitempty"` // Excel column letter, e.g. "D"
	Message string `json:"message"`
}

// String places the message the way staff find it in Excel:
// 工作表「社会救助」第 5 行 D 列：公开内容不能为空.
func (p Problem) String() string {
	var b strings.Builder
	if p.Sheet != "" {
		b.WriteString("工作表「" + p.Sheet + "」")
	}
	if p.Row > 0 {
		fmt.Fprintf(&b, "第 %d 行", p.Row)
	}
	if p.Col != "" {
		if p.Row > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.Col + " 列")
	}
	if b.Len() == 0 {
		return p.Message
	}
	return b.String() + "：" + p.Message
}

// Messages that callers and tests match on.
const (
	msgXLSXInvalid    = "文件不是有效的 Excel（.xlsx）文件"
	msgXLSXLegacy     = "文件是旧版 .xls 格式或已加密，请在 Excel 中另存为 .xlsx（不设密码）后再上传"
	msgXLSXNoItems    = "未找到任何目录事项"
	msgXLSXBadTick    = "勾选栏只能填 √ 或 ■，或留空"
	msgXLSXUnreadable = "工作表无法读取，文件可能已损坏"
)

// Limits on untrusted uploads. A real catalog has a few hundred rows, about
// 16 columns and a few hundred merged ranges; anything far beyond is either a
// mistake or an attack on the server's memory and time.
const (
	xlsxMaxUpload     = 64 << 20
	xlsxUnzipLimit    = 64 << 20
	xlsxUnzipXMLLimit = 16 << 20
	xlsxMaxRows       = 5000
	xlsxMaxCols       = 64
	xlsxMaxMerges     = 20000
	xlsxMaxCellRunes  = 2000
	xlsxHeaderScan    = 10
)

// xlsxColumn is one column of the layout WriteXLSX produces.
type xlsxColumn struct {
	top, sub string // header rows 2 and 3; sub "" means merged over both
	width    float64
	center   bool
}

var xlsxLayout = []xlsxColumn{
	{"序号", "", 6, true},
	{"公开事项", "一级事项", 14, false},
	{"公开事项", "二级事项", 16, false},
	{"公开内容（要素）", "", 32, false},
	{"公开依据", "", 30, false},
	{"公开时限", "", 18, false},
	{"公开主体", "", 14, false},
	{"公开渠道和载体", "", 24, false},
	{"公开对象", "全社会", 7, true},
	{"公开对象", "特定群体", 7, true},
	{"公开方式", "主动", 7, true},
	{"公开方式", "依申请", 7, true},
	{"公开层级", "县级", 7, true},
	{"公开层级", "乡级", 7, true},
	{"公开层级", "村级", 7, true},
	{"五公开", "", 10, true},
}

// WriteXLSX writes one worksheet per domain in the layout staff exchange.
// title heads every sheet with the sheet's domain worked in: an
// organisation name alone ("示范区东湖街道办事处") becomes
// "示范区东湖街道办事处 社会救助领域基层政务公开标准目录", and a full heading
// ("…基层政务公开标准目录（2025年度，第1版）") gets "社会救助领域" inserted
// before 基层政务公开标准目录. With no sheets the workbook holds one empty
// catalog sheet, which serves as a blank template.
func WriteXLSX(w io.Writer, title string, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := xlsxNewStyles(f)
	if err != nil {
		return err
	}
	if len(sheets) == 0 {
		sheets = []Sheet{{}}
	}
	used := map[string]bool{}
	for i, s := range sheets {
		name := xlsxSheetName(s.Domain, used)
		if i == 0 {
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("xlsx: sheet %q: %w", name, err)
		}
		if err := xlsxWriteSheet(f, st, name, xlsxHeading(title, s.Domain), s.Items); err != nil {
			return fmt.Errorf("xlsx: sheet %q: %w", name, err)
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

type xlsxStyles struct{ title, header, text, center int }

func xlsxNewStyles(f *excelize.File) (xlsxStyles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	var st xlsxStyles
	var err error
	for _, s := range []struct {
		id    *int
		style excelize.Style
	}{
		{&st.title, excelize.Style{
			Font:      &excelize.Font{Bold: true, Size: 18, Family: "宋体"},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		}},
		{&st.header, excelize.Style{
			Border:    border,
			Font:      &excelize.Font{Bold: true, Size: 11, Family: "宋体"},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		}},
		// Text format (49, "@") keeps what staff type later, e.g. "12345",
		// from turning into a number.
		{&st.text, excelize.Style{
			Border:    border,
			Font:      &excelize.Font{Size: 10, Family: "宋体"},
			Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true},
			NumFmt:    49,
		}},
		{&st.center, excelize.Style{
			Border:    border,
			Font:      &excelize.Font{Size: 10, Family: "宋体"},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
			NumFmt:    49,
		}},
	} {
		if *s.id, err = f.NewStyle(&s.style); err != nil {
			return st, err
		}
	}
	return st, nil
}

func xlsxHeading(title, domain string) string {
	const catalog = "基层政务公开标准目录"
	title = strings.TrimSpace(title)
	domain = strings.TrimSuffix(strings.TrimSpace(domain), "领域")
	named := catalog
	if domain != "" {
		named = domain + "领域" + catalog
	}
	i := strings.Index(title, catalog)
	switch {
	case i >= 0 && domain != "" && !strings.Contains(title, named):
		org := strings.TrimSpace(title[:i])
		if org != "" {
			org += " "
		}
		return org + named + title[i+len(catalog):]
	case i >= 0 || strings.Contains(title, "目录"):
		return title
	}
	return strings.TrimSpace(title + " " + named)
}

// xlsxSheetName makes a name Excel accepts: domain names are checked when
// created, but a workbook that Excel refuses to open is worse than a
// slightly altered sheet name, so the rules are enforced here too.
func xlsxSheetName(domain string, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`:\/?*[]`, r):
			return '_'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, strings.TrimSpace(domain))
	clean := func(s string, units int) string {
		return strings.Trim(xlsxTruncUTF16(strings.Trim(s, "'"), units), "'")
	}
	base := clean(name, 31)
	if base == "" {
		base = "标准目录"
	}
	cand := base
	for i := 2; used[strings.ToLower(cand)]; i++ {
		suffix := fmt.Sprintf("（%d）", i)
		cand = clean(base, 31-len(utf16.Encode([]rune(suffix)))) + suffix
	}
	used[strings.ToLower(cand)] = true
	return cand
}

// xlsxTruncUTF16 cuts s to at most units UTF-16 code units, which is how
// Excel counts the 31-character sheet name limit.
func xlsxTruncUTF16(s string, units int) string {
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > units {
			return s[:i]
		}
	}
	return s
}

func xlsxCell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func xlsxColName(col int) string {
	c, _ := excelize.ColumnNumberToName(col)
	return c
}

func xlsxWriteSheet(f *excelize.File, st xlsxStyles, name, heading string, items []ItemFields) error {
	last := xlsxColName(len(xlsxLayout))
	set := func(cell string, v string) error { return f.SetCellStr(name, cell, v) }
	if err := set("A1", heading); err != nil {
		return err
	}
	if err := f.MergeCell(name, "A1", last+"1"); err != nil {
		return err
	}
	for c := 1; c <= len(xlsxLayout); c++ {
		col := xlsxLayout[c-1]
		if err := f.SetColWidth(name, xlsxColName(c), xlsxColName(c), col.width); err != nil {
			return err
		}
		if col.sub == "" {
			if err := set(xlsxCell(c, 2), col.top); err != nil {
				return err
			}
			if err := f.MergeCell(name, xlsxCell(c, 2), xlsxCell(c, 3)); err != nil {
				return err
			}
			continue
		}
		if err := set(xlsxCell(c, 3), col.sub); err != nil {
			return err
		}
		if c > 1 && xlsxLayout[c-2].top == col.top {
			continue
		}
		end := c
		for end < len(xlsxLayout) && xlsxLayout[end].top == col.top {
			end++
		}
		if err := set(xlsxCell(c, 2), col.top); err != nil {
			return err
		}
		if err := f.MergeCell(name, xlsxCell(c, 2), xlsxCell(end, 2)); err != nil {
			return err
		}
	}
	for i, it := range items {
		row := i + 4
		vals := xlsxRowValues(it)
		if err := f.SetCellInt(name, xlsxCell(1, row), int64(i+1)); err != nil {
			return err
		}
		for c, v := range vals {
			if c == 0 {
				continue
			}
			// excelize would silently cut the text; a truncated catalog
			// item must not look like a successful export.
			if len(utf16.Encode([]rune(v))) > excelize.TotalCellChars {
				return fmt.Errorf("item %d column %s: text longer than Excel allows", i+1, xlsxColName(c+1))
			}
			if v == "" {
				continue
			}
			if err := set(xlsxCell(c+1, row), v); err != nil {
				return err
			}
		}
		if err := f.SetRowHeight(name, row, xlsxRowHeight(vals)); err != nil {
			return err
		}
	}
	lastRow := len(items) + 3
	steps := []error{
		f.SetRowHeight(name, 1, 40),
		f.SetRowHeight(name, 2, 24),
		f.SetRowHeight(name, 3, 30),
		f.SetCellStyle(name, "A1", last+"1", st.title),
		f.SetCellStyle(name, "A2", last+"3", st.header),
	}
	if len(items) > 0 {
		for c, col := range xlsxLayout {
			s := st.text
			if col.center {
				s = st.center
			}
			steps = append(steps, f.SetCellStyle(name, xlsxCell(c+1, 4), xlsxCell(c+1, lastRow), s))
		}
	}
	landscape, a4, one, zero, yes := "landscape", 9, 1, 0, true
	steps = append(steps,
		f.SetPanes(name, &excelize.Panes{
			Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A4", ActiveCell: "A4", Pane: "bottomLeft"}},
		}),
		f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}),
		f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &yes}),
		// Printed catalogs run to many pages; each page repeats the header.
		f.SetDefinedName(&excelize.DefinedName{
			Name: "_xlnm.Print_Titles", RefersTo: "'" + strings.ReplaceAll(name, "'", "''") + "'!$2:$3", Scope: name,
		}),
	)
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	return nil
}

func xlsxRowValues(it ItemFields) []string {
	tick := func(vs []string, v string) string {
		if slices.Contains(vs, v) {
			return "√"
		}
		return ""
	}
	return []string{
		"", it.Level1, it.Level2, it.Content, it.Basis, it.TimeLimit.Text, it.Subject, xlsxChannelsText(it),
		tick(it.Audience, "全社会"), tick(it.Audience, "特定群体"),
		tick(it.Method, "主动"), tick(it.Method, "依申请"),
		tick(it.Levels, "县级"), tick(it.Levels, "乡级"), tick(it.Levels, "村级"),
		it.FiveTag,
	}
}

func xlsxChannelsText(it ItemFields) string {
	parts := ordered(it.Channels, Channels)
	if it.ChannelOther != "" {
		parts = append(parts, "其他："+it.ChannelOther)
	}
	return strings.Join(parts, "、")
}

// xlsxRowHeight estimates the wrapped height, because Excel keeps the
// default single-line height for wrapped text it did not lay out itself, and
// a catalog whose 公开依据 shows one line in twenty is unreadable.
func xlsxRowHeight(vals []string) float64 {
	lines := 1
	for c, v := range vals {
		perLine := math.Max(1, xlsxLayout[c].width-1)
		n := 0
		for _, line := range strings.Split(v, "\n") {
			units := 0
			for _, r := range line {
				if r < 0x80 {
					units++
				} else {
					units += 2
				}
			}
			n += max(1, int(math.Ceil(float64(units)/perLine)))
		}
		lines = max(lines, n)
	}
	return math.Min(409, math.Max(20, float64(lines)*13.5+6))
}

// ReadXLSX reads a workbook written by WriteXLSX or by staff in the common
// real-world variants (rules.md §5.1). It returns the items by sheet in order
// and every problem found; callers import nothing when problems is
// non-empty. Only items without problems are returned; sheets without items
// (instructions, blank templates) are left out.
func ReadXLSX(r io.Reader) (sheets []ImportedSheet, problems []Problem) {
	// excelize parses attacker-controlled XML; whatever slips past its checks
	// must become a rejected upload, not a crashed server.
	defer func() {
		if recover() != nil {
			sheets, problems = nil, []Problem{{Message: msgXLSXInvalid}}
		}
	}()
	data, err := io.ReadAll(io.LimitReader(r, xlsxMaxUpload+1))
	if err != nil {
		return nil, []Problem{{Message: msgXLSXInvalid}}
	}
	if len(data) > xlsxMaxUpload {
		return nil, []Problem{{Message: fmt.Sprintf("文件超过 %d MB", xlsxMaxUpload>>20)}}
	}
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		return nil, []Problem{{Message: msgXLSXLegacy}}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxUnzipXMLLimit,
	})
	if err != nil {
		return nil, []Problem{{Message: msgXLSXInvalid}}
	}
	defer f.Close()
	names := f.GetSheetList()
	if len(names) == 0 {
		// Any zip opens, a .docx included; a workbook has sheets.
		return nil, []Problem{{Message: msgXLSXInvalid}}
	}
	parts := xlsxSheetParts(data)
	for _, name := range names {
		sr := xlsxSheetReader{f: f, name: name, part: parts[name]}
		items := sr.read()
		problems = append(problems, sr.problems...)
		if len(items) > 0 {
			sheets = append(sheets, ImportedSheet{Name: name, Items: items})
		}
	}
	if len(sheets) == 0 && len(problems) == 0 {
		problems = append(problems, Problem{Message: msgXLSXNoItems})
	}
	return sheets, problems
}

// Column roles found in a header.
type xlsxRole int

const (
	xlsxNone xlsxRole = iota
	xlsxSeq
	xlsxLevel1
	xlsxLevel2
	xlsxContent
	xlsxBasis
	xlsxTime
	xlsxSubject
	xlsxChannels
	xlsxFive
	xlsxAudience
	xlsxMethod
	xlsxLevels
)

// xlsxTickLabels are the sub-header spellings seen in real catalogs for the
// tick columns, normalised by xlsxNormLabel.
var xlsxTickLabels = map[string]struct {
	role   xlsxRole
	values []string
}{}

func init() {
	add := func(role xlsxRole, values []string, labels ...string) {
		for _, l := range labels {
			xlsxTickLabels[xlsxNormLabel(l)] = struct {
				role   xlsxRole
				values []string
			}{role, values}
		}
	}
	add(xlsxAudience, []string{"全社会"}, "全社会")
	add(xlsxAudience, []string{"特定群体"}, "特定群体", "特定群众", "特定主体", "特定对象")
	add(xlsxMethod, []string{"主动"}, "主动", "主动公开")
	add(xlsxMethod, []string{"依申请"}, "依申请", "依申请公开")
	add(xlsxLevels, []string{"县级"}, "县级", "区级", "县（区）级", "县(区)级", "市级", "县（市、区）级", "县（市）级", "县区级")
	add(xlsxLevels, []string{"乡级"}, "乡级", "镇级", "乡镇级", "街道级", "镇街乡", "乡（镇）级", "乡镇（街道）级", "镇（街道）级", "镇街级")
	add(xlsxLevels, []string{"村级"}, "村级", "村(居)级", "村（居）级", "社区级", "村", "村（社区）级")
	add(xlsxLevels, []string{"乡级", "村级"}, "乡、村级", "乡村级", "镇、村级", "乡（镇）、村级")
}

// xlsxNormLabel makes header spellings comparable: staff break headers over
// lines, pad them with spaces, mark required columns with * and mix full-
// and half-width brackets.
func xlsxNormLabel(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '*' || r == '＊':
			continue
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func xlsxClassify(label string) (xlsxRole, []string) {
	l := xlsxNormLabel(label)
	if t, ok := xlsxTickLabels[l]; ok {
		return t.role, t.values
	}
	switch {
	case l == "":
		return xlsxNone, nil
	case l == "序号":
		return xlsxSeq, nil
	// A 公开事项 column without sub-columns holds the 一级事项 alone.
	case l == "一级事项" || l == "一级目录" || l == "公开事项":
		return xlsxLevel1, nil
	case l == "二级事项" || l == "二级目录":
		return xlsxLevel2, nil
	case strings.HasPrefix(l, "公开内容"):
		return xlsxContent, nil
	case strings.HasPrefix(l, "公开依据"):
		return xlsxBasis, nil
	case strings.HasPrefix(l, "公开时限"):
		return xlsxTime, nil
	case strings.HasPrefix(l, "公开主体"):
		return xlsxSubject, nil
	case strings.HasPrefix(l, "公开渠道"):
		return xlsxChannels, nil
	case strings.Contains(l, "五公开"):
		return xlsxFive, nil
	}
	return xlsxNone, nil
}

// xlsxRect is a merged range, 0-based and inclusive.
type xlsxRect struct{ r1, c1, r2, c2 int }

type xlsxTickCol struct {
	col    int
	role   xlsxRole
	values []string
}

type xlsxSheetReader struct {
	f        *excelize.File
	name     string
	part     *zip.File
	grid     [][]string
	merges   []xlsxRect
	vfill    map[[2]int]string // cells under a vertical merge → top-left value
	problems []Problem
	cols     map[xlsxRole]int
	ticks    []xlsxTickCol
}

func (s *xlsxSheetReader) problem(row, col int, msg string) {
	p := Problem{Sheet: s.name, Row: row + 1, Message: msg}
	if col >= 0 {
		p.Col = xlsxColName(col + 1)
	}
	s.problems = append(s.problems, p)
}

func (s *xlsxSheetReader) raw(r, c int) string {
	if r < len(s.grid) && c < len(s.grid[r]) {
		return s.grid[r][c]
	}
	return ""
}

// headerCell reads a header cell as a person sees it: a merged range shows
// its top-left value everywhere it covers.
func (s *xlsxSheetReader) headerCell(r, c int) string {
	for _, m := range s.merges {
		if r >= m.r1 && r <= m.r2 && c >= m.c1 && c <= m.c2 {
			return s.raw(m.r1, m.c1)
		}
	}
	return s.raw(r, c)
}

// dataCell fills only down a merge's first column: vertical merges of
// 一级事项 or 公开主体 mean "same as above", while a horizontal merge does
// not mean the neighbouring column repeats the value.
func (s *xlsxSheetReader) dataCell(r, c int) string {
	if v, ok := s.vfill[[2]int{r, c}]; ok {
		return v
	}
	return s.raw(r, c)
}

func (s *xlsxSheetReader) loadGrid() bool {
	rows, err := s.f.Rows(s.name)
	if err != nil {
		s.problem(-1, -1, msgXLSXUnreadable)
		return false
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		cols, err := rows.Columns()
		if err != nil {
			s.problem(-1, -1, msgXLSXUnreadable)
			return false
		}
		if n > xlsxMaxRows {
			if slices.ContainsFunc(cols, func(v string) bool { return strings.TrimSpace(v) != "" }) {
				s.problem(n-1, -1, fmt.Sprintf("工作表超过 %d 行，请拆分后再导入", xlsxMaxRows))
				return false
			}
			continue
		}
		if len(cols) > xlsxMaxCols {
			cols = slices.Clone(cols[:xlsxMaxCols])
		}
		s.grid = append(s.grid, cols)
	}
	if rows.Error() != nil {
		s.problem(-1, -1, msgXLSXUnreadable)
		return false
	}
	return true
}

func (s *xlsxSheetReader) loadMerges() bool {
	if s.part == nil {
		return true
	}
	rects, tooMany := xlsxReadMerges(s.part)
	if tooMany {
		s.problem(-1, -1, fmt.Sprintf("合并单元格超过 %d 个，无法读取", xlsxMaxMerges))
		return false
	}
	s.vfill = map[[2]int]string{}
	for _, m := range rects {
		if m.r1 >= len(s.grid) || m.c1 >= xlsxMaxCols {
			continue
		}
		m.r2, m.c2 = min(m.r2, len(s.grid)-1), min(m.c2, xlsxMaxCols-1)
		s.merges = append(s.merges, m)
		top := s.raw(m.r1, m.c1)
		for r := m.r1 + 1; r <= m.r2; r++ {
			s.vfill[[2]int{r, m.c1}] = top
		}
	}
	return true
}

// findHeader returns the header row and the first data row, or -1.
func (s *xlsxSheetReader) findHeader() (int, int) {
	for r := 0; r < min(xlsxHeaderScan, len(s.grid)); r++ {
		seq, content := -1, false
		for c := range s.grid[r] {
			l := xlsxNormLabel(s.headerCell(r, c))
			if l == "序号" && seq < 0 {
				seq = c
			}
			content = content || strings.Contains(l, "公开内容")
		}
		if seq < 0 || !content {
			continue
		}
		// Some catalogs have a one-row header; the next row then starts
		// the data, recognisable by its 序号.
		next := r + 1
		if _, err := strconv.Atoi(strings.TrimSpace(s.raw(next, seq))); err == nil {
			return r, next
		}
		for c := range s.rowWidth(next) {
			switch role, _ := xlsxClassify(s.headerCell(next, c)); role {
			case xlsxLevel1, xlsxLevel2, xlsxAudience, xlsxMethod, xlsxLevels:
				return r, next + 1
			}
		}
		return r, next
	}
	return -1, -1
}

func (s *xlsxSheetReader) rowWidth(r int) int {
	w := 0
	if r < len(s.grid) {
		w = len(s.grid[r])
	}
	if r > 0 && r-1 < len(s.grid) {
		w = max(w, len(s.grid[r-1]))
	}
	return w
}

// mapColumns reads the header by its wording, since counties reorder,
// rename and add columns. It reports whether every required column exists.
func (s *xlsxSheetReader) mapColumns(head, data int) bool {
	s.cols = map[xlsxRole]int{}
	hasSub := data == head+2
	for c := range s.rowWidth(data - 1) {
		h := s.headerCell(head, c)
		role, values := xlsxNone, []string(nil)
		if hasSub {
			if sub := s.headerCell(head+1, c); xlsxNormLabel(sub) != xlsxNormLabel(h) {
				role, values = xlsxClassify(sub)
			}
		}
		if role == xlsxNone {
			role, values = xlsxClassify(h)
		}
		switch role {
		case xlsxNone:
		case xlsxAudience, xlsxMethod, xlsxLevels:
			s.ticks = append(s.ticks, xlsxTickCol{c, role, values})
			if _, ok := s.cols[role]; !ok {
				s.cols[role] = c
			}
		default:
			if _, ok := s.cols[role]; !ok {
				s.cols[role] = c
			}
		}
	}
	ok := true
	for _, req := range []struct {
		role xlsxRole
		name string
	}{
		{xlsxLevel1, "「一级事项」"}, {xlsxContent, "「公开内容（要素）」"}, {xlsxBasis, "「公开依据」"},
		{xlsxTime, "「公开时限」"}, {xlsxSubject, "「公开主体」"}, {xlsxChannels, "「公开渠道和载体」"},
		{xlsxAudience, "「公开对象」（全社会、特定群体）"}, {xlsxMethod, "「公开方式」（主动、依申请）"},
		// Not in the brief's required list, but without it every row would
		// fail on its own; one message at the header is clearer.
		{xlsxLevels, "「公开层级」（县级、乡级、村级）"},
	} {
		if _, found := s.cols[req.role]; !found {
			s.problem(head, -1, "缺少"+req.name+"列")
			ok = false
		}
	}
	return ok
}

func (s *xlsxSheetReader) read() []ImportedItem {
	if !s.loadGrid() || !s.loadMerges() {
		return nil
	}
	head, data := s.findHeader()
	if head < 0 {
		return nil
	}
	if !s.mapColumns(head, data) {
		return nil
	}
	var (
		items    []ImportedItem
		prevTime string
		seen     = map[[2]string]int{}
	)
	col := func(role xlsxRole) int {
		if c, ok := s.cols[role]; ok {
			return c
		}
		return -1
	}
	for r := data; r < len(s.grid); r++ {
		if s.emptyRow(r) {
			continue
		}
		before := len(s.problems)
		text := func(role xlsxRole) string {
			c := col(role)
			if c < 0 {
				return ""
			}
			v := xlsxCleanText(s.dataCell(r, c))
			if utf8.RuneCountInString(v) > xlsxMaxCellRunes {
				s.problem(r, c, fmt.Sprintf("单元格内容超过 %d 个字", xlsxMaxCellRunes))
			}
			return v
		}
		var it ItemFields
		it.Level1, it.Level2 = text(xlsxLevel1), text(xlsxLevel2)
		it.Content, it.Basis = text(xlsxContent), text(xlsxBasis)
		limit := text(xlsxTime)
		it.Subject = text(xlsxSubject)
		channels := text(xlsxChannels)
		it.FiveTag = text(xlsxFive)

		for _, req := range []struct {
			role xlsxRole
			v    string
			name string
		}{
			{xlsxLevel1, it.Level1, "一级事项"}, {xlsxContent, it.Content, "公开内容"}, {xlsxBasis, it.Basis, "公开依据"},
			{xlsxTime, limit, "公开时限"}, {xlsxSubject, it.Subject, "公开主体"},
		} {
			if req.v == "" {
				s.problem(r, col(req.role), req.name+"不能为空")
			}
		}
		if limit == "同上" {
			if prevTime == "" {
				s.problem(r, col(xlsxTime), "公开时限填了“同上”，但上面没有可参照的事项")
			}
			limit = prevTime
		}
		if limit != "" {
			prevTime = limit
			it.TimeLimit = ParseTimeLimit(limit)
		}

		it.Channels, it.ChannelOther = xlsxParseChannels(channels)
		if len(it.Channels) == 0 && it.ChannelOther == "" {
			s.problem(r, col(xlsxChannels), "未填写公开渠道和载体")
		}
		picked := map[xlsxRole][]string{}
		badTick := map[xlsxRole]bool{}
		for _, t := range s.ticks {
			on, ok := xlsxTick(s.dataCell(r, t.col))
			if !ok {
				s.problem(r, t.col, msgXLSXBadTick)
				badTick[t.role] = true
			}
			if on {
				picked[t.role] = append(picked[t.role], t.values...)
			}
		}
		it.Audience = ordered(picked[xlsxAudience], Audiences)
		it.Method = ordered(picked[xlsxMethod], Methods)
		it.Levels = ordered(picked[xlsxLevels], Levels)
		for _, g := range []struct {
			role xlsxRole
			name string
		}{{xlsxAudience, "公开对象"}, {xlsxMethod, "公开方式"}, {xlsxLevels, "公开层级"}} {
			// An unreadable tick already explains the empty group.
			if len(picked[g.role]) == 0 && !badTick[g.role] {
				s.problem(r, col(g.role), "未勾选"+g.name)
			}
		}
		if it.FiveTag != "" && !slices.Contains(FiveTags, it.FiveTag) {
			s.problem(r, col(xlsxFive), "五公开只能填 "+strings.Join(FiveTags, "、")+" 之一，或留空")
		}
		if it.Level1 != "" {
			key := [2]string{it.Level1, it.Level2}
			if first, dup := seen[key]; dup {
				c := col(xlsxLevel2)
				if c < 0 {
					c = col(xlsxLevel1)
				}
				name := it.Level1
				if it.Level2 != "" {
					name += " / " + it.Level2
				}
				s.problem(r, c, fmt.Sprintf("事项「%s」与第 %d 行重复", name, first+1))
			} else {
				seen[key] = r
			}
		}
		if len(s.problems) == before {
			// The editor's own rules (lengths, known values) are checked
			// here too, so an upload fails with a row and column rather
			// than later at saving.
			s.validate(r, it)
		}
		if len(s.problems) == before {
			items = append(items, ImportedItem{Sheet: s.name, Row: r + 1, Fields: it})
		}
	}
	return items
}

// emptyRow looks only at the row's own cells: a row that merely sits under a
// vertical merge, or has nothing but a pre-filled 序号, carries no item.
func (s *xlsxSheetReader) emptyRow(r int) bool {
	for role, c := range s.cols {
		if role != xlsxSeq && strings.TrimSpace(s.raw(r, c)) != "" {
			return false
		}
	}
	for _, t := range s.ticks {
		if strings.TrimSpace(s.raw(r, t.col)) != "" {
			return false
		}
	}
	return true
}

func (s *xlsxSheetReader) validate(r int, it ItemFields) {
	err := Validate(it)
	if err == nil {
		return
	}
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) == 0 {
		s.problem(r, -1, err.Error())
		return
	}
	roles := map[string]xlsxRole{
		"level1": xlsxLevel1, "level2": xlsxLevel2, "content": xlsxContent, "basis": xlsxBasis,
		"time_limit": xlsxTime, "subject": xlsxSubject, "channels": xlsxChannels, "channel_other": xlsxChannels,
		"audience": xlsxAudience, "method": xlsxMethod, "levels": xlsxLevels, "five_tag": xlsxFive,
	}
	for _, fe := range e.Fields {
		c := -1
		if role, ok := roles[fe.Field]; ok {
			if cc, ok := s.cols[role]; ok {
				c = cc
			}
		}
		s.problem(r, c, fe.Message)
	}
}

// xlsxCleanText trims what Excel users cannot see and unifies line breaks,
// leaving the text itself untouched.
func xlsxCleanText(v string) string {
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.ReplaceAll(v, "\r", "\n")
	return strings.TrimSpace(v)
}

// xlsxTick reads a tick cell: on, and whether the value is understood.
func xlsxTick(v string) (on, ok bool) {
	switch strings.TrimSpace(v) {
	case "√", "✓", "✔", "■", "☑", "●", "是", "Y", "y":
		return true, true
	case "", "□", "☐", "否":
		return false, true
	}
	return false, false
}

// Channel names as staff write them, normalised by xlsxNormLabel, mapped to
// the Channels vocabulary.
var xlsxChannelNames = map[string]string{}

// xlsxChannelKeep are names containing a separator ("发布会/听证会") that
// must be matched whole before the cell is split.
var xlsxChannelKeep []string

func init() {
	syn := map[string][]string{
		"政府网站": {"政府门户网站", "门户网站", "网站"},
		"两微一端": {"微信", "微博", "政务新媒体", "微信公众号", "客户端", "政务微信", "政务微博"},
		"社区/企事业单位/村公示栏（电子屏）": {"公示栏", "公开栏", "村务公开栏", "电子屏", "社区公示栏", "村公示栏"},
		"12345政务服务热线":        {"12345", "12345热线"},
		"发布会/听证会":            {"发布会", "听证会"},
		"入户/现场":              {"入户", "现场"},
	}
	for _, ch := range Channels {
		xlsxChannelNames[xlsxNormLabel(ch)] = ch
		if strings.ContainsAny(ch, "、，,；;／/ ") {
			xlsxChannelKeep = append(xlsxChannelKeep, ch, strings.NewReplacer("（", "(", "）", ")").Replace(ch),
				strings.ReplaceAll(ch, "/", "／"))
		}
		for _, s := range syn[ch] {
			xlsxChannelNames[xlsxNormLabel(s)] = ch
		}
	}
	// Longest first, so a longer name is never cut by a shorter one.
	slices.SortFunc(xlsxChannelKeep, func(a, b string) int { return len(b) - len(a) })
}

func xlsxChannelSep(r rune) bool {
	return strings.ContainsRune("、，,；;／/", r) || unicode.IsSpace(r)
}

// xlsxParseChannels reads a 公开渠道和载体 cell, either a list of names or
// the template's checkbox form "■政府网站 □政府公报 ■其他：…". Unknown
// names are kept as other channels rather than rejected: local catalogs
// legitimately add their own.
func xlsxParseChannels(cell string) ([]string, string) {
	var found, other []string
	add := func(tok string) {
		tok = strings.Trim(tok, " _＿.。")
		if tok == "" || tok == "其他" {
			return
		}
		if ch, ok := xlsxChannelNames[xlsxNormLabel(tok)]; ok {
			found = append(found, ch)
		} else if !slices.Contains(other, tok) {
			other = append(other, tok)
		}
	}
	addOther := func(s string) {
		s = strings.Trim(strings.TrimSpace(s), "_＿")
		if s != "" && !slices.Contains(other, s) {
			other = append(other, s)
		}
	}
	cell = xlsxCleanText(cell)
	if strings.ContainsAny(cell, "■□☑☐√✓✔") {
		// Each marker starts a segment; only ticked segments count, and
		// text before the first marker is a label such as "公开渠道：".
		var seg strings.Builder
		ticked, started := false, false
		flush := func() {
			if started && ticked {
				xlsxChannelList(seg.String(), add, addOther)
			}
			seg.Reset()
		}
		for _, r := range cell {
			if strings.ContainsRune("■□☑☐√✓✔", r) {
				flush()
				started, ticked = true, r != '□' && r != '☐'
				continue
			}
			seg.WriteRune(r)
		}
		flush()
	} else {
		xlsxChannelList(cell, add, addOther)
	}
	return ordered(found, Channels), strings.Join(other, "、")
}

func xlsxChannelList(s string, add, addOther func(string)) {
	if i, n := xlsxOtherIndex(s); i >= 0 {
		defer addOther(s[i+n:])
		s = s[:i]
	}
	var cur strings.Builder
	for i := 0; i < len(s); {
		if cur.Len() == 0 {
			if n := xlsxKeepAt(s[i:]); n > 0 {
				add(s[i : i+n])
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if xlsxChannelSep(r) {
			add(cur.String())
			cur.Reset()
		} else {
			cur.WriteRune(r)
		}
		i += size
	}
	add(cur.String())
}

// xlsxKeepAt returns the length of a separator-containing channel name at
// the start of s, when it stands as a whole entry.
func xlsxKeepAt(s string) int {
	for _, k := range xlsxChannelKeep {
		if strings.HasPrefix(s, k) {
			rest := s[len(k):]
			if r, _ := utf8.DecodeRuneInString(rest); rest == "" || xlsxChannelSep(r) {
				return len(k)
			}
		}
	}
	return 0
}

// xlsxOtherIndex finds a "其他：" entry, whose text runs to the end of the
// cell because free text may itself contain separators.
func xlsxOtherIndex(s string) (int, int) {
	for off := 0; off < len(s); {
		i := strings.Index(s[off:], "其他")
		if i < 0 {
			return -1, 0
		}
		i += off
		rest := s[i+len("其他"):]
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		if i == 0 || xlsxChannelSep(prev) {
			switch {
			case strings.HasPrefix(rest, "："):
				return i, len("其他：")
			case strings.HasPrefix(rest, ":"):
				return i, len("其他:")
			}
		}
		off = i + len("其他")
	}
	return -1, 0
}

// xlsxSheetParts maps sheet names to their worksheet parts in the zip. It
// exists so merged ranges can be read by streaming: excelize's
// GetMergeCells is quadratic in the number of ranges, which a crafted upload
// turns into minutes of CPU.
func xlsxSheetParts(data []byte) map[string]*zip.File {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	files := map[string]*zip.File{}
	for _, zf := range zr.File {
		files[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(zf.Name, `\`, "/"), "/"))] = zf
	}
	type rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	load := func(name string, v any) bool {
		zf := files[strings.ToLower(name)]
		if zf == nil {
			return false
		}
		rc, err := zf.Open()
		if err != nil {
			return false
		}
		defer rc.Close()
		return xml.NewDecoder(io.LimitReader(rc, xlsxUnzipXMLLimit)).Decode(v) == nil
	}
	resolve := func(base, target string) string {
		if strings.HasPrefix(target, "/") {
			return strings.TrimPrefix(target, "/")
		}
		return path.Join(path.Dir(base), target)
	}
	wbPath := "xl/workbook.xml"
	var root rels
	if load("_rels/.rels", &root) {
		for _, r := range root.Rel {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = resolve("", r.Target)
			}
		}
	}
	var wb struct {
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	var wbRels rels
	if !load(wbPath, &wb) || !load(path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels"), &wbRels) {
		return nil
	}
	out := map[string]*zip.File{}
	for _, sh := range wb.Sheets {
		for _, a := range sh.Attrs {
			if a.Name.Local != "id" {
				continue
			}
			for _, r := range wbRels.Rel {
				if r.ID == a.Value {
					if zf := files[strings.ToLower(resolve(wbPath, r.Target))]; zf != nil {
						out[sh.Name] = zf
					}
				}
			}
		}
	}
	return out
}

// xlsxReadMerges streams a worksheet part for its merged ranges.
func xlsxReadMerges(zf *zip.File) (rects []xlsxRect, tooMany bool) {
	rc, err := zf.Open()
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, xlsxUnzipLimit))
	d.Strict = false
	for {
		tok, err := d.RawToken()
		if err != nil {
			return rects, false
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "mergeCell" {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local != "ref" {
				continue
			}
			from, to, ok := strings.Cut(a.Value, ":")
			if !ok {
				continue
			}
			c1, r1, err1 := excelize.CellNameToCoordinates(from)
			c2, r2, err2 := excelize.CellNameToCoordinates(to)
			if err1 != nil || err2 != nil {
				continue
			}
			if len(rects) == xlsxMaxMerges {
				return nil, true
			}
			rects = append(rects, xlsxRect{min(r1, r2) - 1, min(c1, c2) - 1, max(r1, r2) - 1, max(c1, c2) - 1})
		}
	}
}
