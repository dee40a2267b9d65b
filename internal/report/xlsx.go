package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"gongkai.dev/gongkai/internal/catalog"
)

// SheetNames are the worksheets of the workbook, one per table, named by
// the report section the table belongs to.
var SheetNames = []string{SectionHeadings[1], SectionHeadings[2], SectionHeadings[3]}

// WriteXLSX writes the three tables, one worksheet each, in the format's
// layout: the same merged header cells as the printed tables, figures as
// numbers (the fee in 万元 with 4 decimals), the report's title on top.
func WriteXLSX(w io.Writer, d Document) error {
	f := excelize.NewFile()
	defer f.Close()
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	newStyle := func(s excelize.Style) int {
		id, err := f.NewStyle(&s)
		if err != nil {
			panic(err) // the styles are constants; a failure is a bug
		}
		return id
	}
	title := newStyle(excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Family: "宋体"}, Alignment: center})
	sub := newStyle(excelize.Style{Font: &excelize.Font{Bold: true, Size: 11, Family: "黑体"},
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}})
	head := newStyle(excelize.Style{Border: border, Font: &excelize.Font{Size: 10, Family: "宋体"}, Alignment: center})
	note := newStyle(excelize.Style{Border: border, Font: &excelize.Font{Size: 9, Family: "宋体"},
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}})
	num := newStyle(excelize.Style{Border: border, Font: &excelize.Font{Size: 10, Family: "宋体"}, Alignment: center, NumFmt: 1})
	custom := "0.0000"
	wan := newStyle(excelize.Style{Border: border, Font: &excelize.Font{Size: 10, Family: "宋体"}, Alignment: center, CustomNumFmt: &custom})

	for i, g := range d.Grids(nil) {
		name := SheetNames[i]
		var err error
		if i == 0 {
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return err
		}
		cell := func(row, col int) string { c, _ := excelize.CoordinatesToCellName(col+1, row+1); return c }
		last := cell(0, g.Cols-1)
		if err := f.SetCellStr(name, "A1", d.Title); err != nil {
			return err
		}
		if err := f.MergeCell(name, "A1", last); err != nil {
			return err
		}
		f.SetCellStyle(name, "A1", last, title)
		f.SetRowHeight(name, 1, 30)
		f.SetCellStr(name, "A2", name)
		f.SetCellStyle(name, "A2", "A2", sub)
		const top = 2 // grid rows start on the third sheet row
		for c, mm := range g.Widths {
			col, _ := excelize.ColumnNumberToName(c + 1)
			f.SetColWidth(name, col, col, mm/2)
		}
		for _, row := range g.Rows {
			for _, c := range row {
				from, to := cell(top+c.Row, c.Col), cell(top+c.Row+c.RowSpan-1, c.Col+c.ColSpan-1)
				style := head
				switch {
				case c.Note:
					style = note
				case c.Value && g.Number == 2 && c.ID == (Cell{2, 5, 0}).ID():
					style = wan
					err = f.SetCellFloat(name, from, c.Num, 4, 64)
				case c.Value:
					style = num
					err = f.SetCellInt(name, from, int64(c.Num))
				}
				if !c.Value {
					err = f.SetCellStr(name, from, c.Text)
				}
				if err != nil {
					return err
				}
				if from != to {
					if err := f.MergeCell(name, from, to); err != nil {
						return err
					}
				}
				f.SetCellStyle(name, from, to, style)
			}
		}
		if g.Number == 3 {
			// The corner note and the long row labels need room.
			for r := top; r < top+3; r++ {
				f.SetRowHeight(name, r+1, 24)
			}
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// Limits on an uploaded workbook: table 二 is a dozen rows.
const (
	maxUpload   = 10 << 20
	maxScanRows = 200
	maxScanCols = 30
)

var manualLabels = []struct {
	label, what string
	fee         bool
}{
	{"行政许可", "本年处理决定数量", false},
	{"行政处罚", "本年处理决定数量", false},
	{"行政强制", "本年处理决定数量", false},
	{"行政事业性收费", "本年收费金额（万元）", true},
}

// ReadManualXLSX reads table 二's entered rows (行政许可, 行政处罚, 行政强制,
// 行政事业性收费) from a workbook in the format's layout — the one
// WriteXLSX writes, or the national template staff fill in: the sheet of
// table 二 (named 二、主动公开政府信息情况 or 表二, else the first with a
// 行政许可 row), each label's figure in the first filled cell to its right.
// A blank figure is 0. The 规章 and 行政规范性文件 rows are computed from
// the policy library and not read. Every problem names sheet, row and cell.
func ReadManualXLSX(data []byte) (m Manual, problems []catalog.Problem) {
	defer func() {
		// excelize parses untrusted XML; whatever slips through its own
		// checks is a rejected upload, not a crashed server.
		if recover() != nil {
			m, problems = Manual{}, []catalog.Problem{{Message: "文件不是有效的 Excel（.xlsx）文件"}}
		}
	}()
	if len(data) > maxUpload {
		return m, []catalog.Problem{{Message: fmt.Sprintf("文件超过 %d MB", maxUpload>>20)}}
	}
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		return m, []catalog.Problem{{Message: "文件是旧版 .xls 格式或已加密，请在 Excel 中另存为 .xlsx（不设密码）后再上传"}}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return m, []catalog.Problem{{Message: "文件不是有效的 Excel（.xlsx）文件"}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return m, []catalog.Problem{{Message: "文件不是有效的 Excel（.xlsx）文件"}}
	}
	var grids = map[string][][]string{}
	read := func(name string) [][]string {
		if g, ok := grids[name]; ok {
			return g
		}
		var g [][]string
		rows, err := f.Rows(name)
		if err == nil {
			for len(g) < maxScanRows && rows.Next() {
				cols, err := rows.Columns(excelize.Options{RawCellValue: true})
				if err != nil {
					break
				}
				if len(cols) > maxScanCols {
					cols = cols[:maxScanCols]
				}
				g = append(g, cols)
			}
			rows.Close()
		}
		grids[name] = g
		return g
	}
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == ' ' || r == '\u3000' || r == '\n' || r == '\r' || r == '\t' {
				return -1
			}
			return r
		}, s)
	}
	hasLicensing := func(g [][]string) bool {
		for _, row := range g {
			for _, c := range row {
				if norm(c) == "行政许可" {
					return true
				}
			}
		}
		return false
	}
	sheet := ""
	for _, name := range sheets {
		if strings.Contains(name, "主动公开") || strings.HasPrefix(name, "表二") {
			sheet = name
			break
		}
	}
	if sheet == "" {
		for _, name := range sheets {
			if hasLicensing(read(name)) {
				sheet = name
				break
			}
		}
	}
	if sheet == "" {
		return m, []catalog.Problem{{Message: "未找到表二（主动公开政府信息情况）：请使用本系统导出的年度报告 Excel，或在工作表中保留“行政许可”等行标题"}}
	}
	g := read(sheet)
	type found struct {
		row, col int
		value    string
	}
	at := map[string][]found{}
	for r, row := range g {
		for c, v := range row {
			label := norm(v)
			for _, ml := range manualLabels {
				if label != ml.label {
					continue
				}
				f := found{row: r, col: -1}
				for k := c + 1; k < len(row); k++ {
					if strings.TrimSpace(row[k]) != "" {
						f.col, f.value = k, strings.TrimSpace(row[k])
						break
					}
				}
				at[ml.label] = append(at[ml.label], f)
			}
		}
	}
	prob := func(row, col int, msg string) {
		p := catalog.Problem{Sheet: sheet, Row: row + 1, Message: msg}
		if col >= 0 {
			p.Col, _ = excelize.ColumnNumberToName(col + 1)
		}
		problems = append(problems, p)
	}
	counts := []*int{&m.Licensing, &m.Penalty, &m.Enforcement}
	for i, ml := range manualLabels {
		fs := at[ml.label]
		switch {
		case len(fs) == 0:
			prob(-1, -1, "未找到“"+ml.label+"”所在的行")
			continue
		case len(fs) > 1:
			prob(fs[1].row, -1, "“"+ml.label+"”出现了不止一次（第 "+strconv.Itoa(fs[0].row+1)+" 行已有），请只保留一行")
			continue
		}
		x := fs[0]
		if x.col < 0 { // blank: nothing to report, the format asks for 0
			continue
		}
		if ml.fee {
			yuan, err := parseWanCell(x.value)
			if err != nil {
				prob(x.row, x.col, "“"+ml.label+"”的"+ml.what+err.Error())
				continue
			}
			m.FeeYuan = yuan
			continue
		}
		n, err := parseCountCell(x.value)
		if err != nil {
			prob(x.row, x.col, "“"+ml.label+"”的"+ml.what+err.Error())
			continue
		}
		*counts[i] = n
	}
	if problems != nil {
		return Manual{}, problems
	}
	return m, nil
}

// parseCountCell reads a count from a cell's raw value, which Excel may
// store as 12, 12.0 or 1.2E1.
func parseCountCell(s string) (int, error) {
	s = normalizeNumber(s)
	if strings.ContainsAny(s, "eE") {
		if v, err := strconv.ParseFloat(s, 64); err == nil && v == math.Trunc(v) && math.Abs(v) <= MaxCount {
			s = strconv.FormatInt(int64(v), 10)
		}
	}
	return ParseCount(s)
}

// parseWanCell reads an amount in 万元 from a cell's raw value. Excel keeps
// binary floating point, so 12.3456 may be stored as 12.345600000000001: a
// value within a millionth of a 元 of a whole 元 is taken as that 元.
func parseWanCell(s string) (int64, error) {
	y, err := ParseWan(s)
	if err == nil {
		return y, nil
	}
	v, ferr := strconv.ParseFloat(normalizeNumber(s), 64)
	switch {
	case ferr != nil || v < 0:
		return 0, err
	case v >= maxWanInt:
		return 0, fmt.Errorf("“%s”超出合理范围", s)
	}
	yuan := math.Round(v * 10000)
	if math.Abs(v*10000-yuan) > 1e-6 {
		return 0, err
	}
	return int64(yuan), nil
}
