package report

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai.dev/gongkai/internal/privacy"
)

func sampleDoc() Document {
	tb := balanced()
	return Document{Format: Format, Org: OrgRef{Name: "示范区民政局", Code: "X"}, Year: 2025, Title: Title("示范区民政局", 2025),
		Status: StatusPublished, PublishedAt: "2026-01-20T10:00:00+08:00",
		Sections: Sections{Overview: "2025年，示范区民政局认真贯彻落实条例。\n（一）主动公开。全年主动公开政府信息12条。", Problems: "（一）存在的主要问题。无。",
			Other: "（一）信息处理费收取情况。本年度未收取信息处理费。"},
		Table2: tb.T2, Table3: tb.T3, Table4: tb.T4, Notes: []string{"表三含纸质台账登记的申请。"}}
}

func TestDOCX(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDOCX(&b, sampleDoc()); err != nil {
		t.Fatal(err)
	}
	text, err := privacy.ExtractText("report.docx", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"示范区民政局2025年政府信息公开工作年度报告", "一、总体情况", "全年主动公开政府信息12条",
		"二、主动公开政府信息情况", "第二十条第（一）项", "本年收费金额（单位：万元）", "12.3456", CornerNote,
		"一、本年新收政府信息公开申请数量", "三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "（七）总计",
		"四、结转下年度继续办理", "未经复议直接起诉", "复议后起诉", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
		"本年度未收取信息处理费", "2026年1月20日"} {
		if !strings.Contains(text, want) {
			t.Errorf("docx text lacks %q", want)
		}
	}
	// The merged cells reach Word as spans: table 三's "三、本年度办理结果"
	// covers 22 rows, so 21 continuation cells follow its first one.
	xml := docxXML(t, b.Bytes())
	if n := strings.Count(xml, `<w:vMerge/>`); n < 21 {
		t.Errorf("only %d vertical merge continuations", n)
	}
	if !strings.Contains(xml, `<w:gridSpan w:val="10"/>`) && !strings.Contains(xml, `<w:gridSpan w:val="7"/>`) {
		t.Errorf("no horizontal spans in the tables")
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	d := sampleDoc()
	var b bytes.Buffer
	if err := WriteXLSX(&b, d); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); !slices.Equal(got, SheetNames) {
		t.Fatalf("sheets %v", got)
	}
	merged := func(sheet string) []string {
		ms, err := f.GetMergeCells(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.GetStartAxis()+":"+m.GetEndAxis())
		}
		return out
	}
	cell := func(sheet, axis string) string { v, _ := f.GetCellValue(sheet, axis); return v }
	t3 := SheetNames[1]
	for _, want := range []string{"A3:C5", "D3:J3", "D4:D5", "E4:I4", "J4:J5", "A6:C6", "A8:A29", "B8:C8", "B10:B17", "B29:C29", "A30:C30"} {
		if !slices.Contains(merged(t3), want) {
			t.Errorf("table 三 lacks merged %s (has %v)", want, merged(t3))
		}
	}
	if cell(t3, "A3") != CornerNote || cell(t3, "D6") != "3" || cell(t3, "J6") != "5" || cell(t3, "A8") != "三、本年度办理结果" ||
		cell(t3, "C10") != "1.属于国家秘密" || cell(t3, "D10") != "1" || cell(t3, "B29") != "（七）总计" {
		t.Errorf("table 三 cells: A3 %q D6 %q J6 %q A8 %q C10 %q D10 %q B29 %q", cell(t3, "A3"), cell(t3, "D6"), cell(t3, "J6"),
			cell(t3, "A8"), cell(t3, "C10"), cell(t3, "D10"), cell(t3, "B29"))
	}
	t4 := SheetNames[2]
	for _, want := range []string{"A3:E3", "F3:O3", "A4:A5", "F4:J4", "K4:O4"} {
		if !slices.Contains(merged(t4), want) {
			t.Errorf("table 四 lacks merged %s (has %v)", want, merged(t4))
		}
	}
	if cell(t4, "A6") != "1" || cell(t4, "E6") != "1" || cell(t4, "I6") != "1" || cell(t4, "K5") != "结果维持" {
		t.Errorf("table 四 values: %q %q %q %q", cell(t4, "A6"), cell(t4, "E6"), cell(t4, "I6"), cell(t4, "K5"))
	}
	t2 := SheetNames[0]
	if cell(t2, "A9") != "行政许可" || cell(t2, "B9") != "15" || cell(t2, "B16") != "12.3456" || !slices.Contains(merged(t2), "B9:D9") {
		t.Errorf("table 二: A9 %q B9 %q B16 %q", cell(t2, "A9"), cell(t2, "B9"), cell(t2, "B16"))
	}
	f.Close()

	// What was written reads back as the same entered figures.
	m, problems := ReadManualXLSX(b.Bytes())
	if len(problems) > 0 || m != d.Table2.Manual {
		t.Fatalf("read back %+v %v, want %+v", m, problems, d.Table2.Manual)
	}

	edit := func(fn func(f *excelize.File)) []byte {
		f, _ := excelize.OpenReader(bytes.NewReader(b.Bytes()))
		defer f.Close()
		fn(f)
		var out bytes.Buffer
		f.Write(&out)
		return out.Bytes()
	}
	for _, tc := range []struct {
		name string
		fn   func(f *excelize.File)
		want []string
	}{
		{"non-numeric count", func(f *excelize.File) { f.SetCellStr(t2, "B9", "十二") },
			[]string{"工作表「二、主动公开政府信息情况」第 9 行 B 列：“行政许可”的本年处理决定数量“十二”不是数字"}},
		{"negative and fractional", func(f *excelize.File) {
			f.SetCellInt(t2, "B12", -3)
			f.SetCellFloat(t2, "B13", 2.5, 1, 64)
		}, []string{"第 12 行 B 列：“行政处罚”的本年处理决定数量不能为负数（填了 -3）", "第 13 行 B 列：“行政强制”的本年处理决定数量“2.5”不是整数"}},
		{"fee with 5 decimals", func(f *excelize.File) { f.SetCellFloat(t2, "B16", 1.23456, 5, 64) },
			[]string{"第 16 行 B 列：“行政事业性收费”的本年收费金额（万元）“1.23456”超过 4 位小数"}},
		{"row missing", func(f *excelize.File) { f.SetCellStr(t2, "A12", "处罚") }, []string{"未找到“行政处罚”所在的行"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, problems := ReadManualXLSX(edit(tc.fn))
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			joined := strings.Join(got, "\n")
			for _, w := range tc.want {
				if !strings.Contains(joined, w) {
					t.Errorf("problems %q lack %q", got, w)
				}
			}
			if m != (Manual{}) {
				t.Errorf("figures returned despite problems: %+v", m)
			}
		})
	}
	// A blank figure is 0; Excel's binary noise in a fee is not a 5th decimal.
	m, problems = ReadManualXLSX(edit(func(f *excelize.File) {
		f.SetCellValue(t2, "B9", nil)
		f.SetCellFloat(t2, "B16", 0.1+0.2, -1, 64)
	}))
	if len(problems) > 0 || m.Licensing != 0 || m.FeeYuan != 3000 {
		t.Errorf("blank and float noise: %+v %v", m, problems)
	}
	for _, junk := range [][]byte{nil, []byte("not a workbook"), {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0}} {
		if _, problems := ReadManualXLSX(junk); len(problems) != 1 {
			t.Errorf("junk accepted: %v", problems)
		}
	}
}

func TestHTML(t *testing.T) {
	d := sampleDoc()
	fails := map[string]bool{(Cell{3, RowNew, 0}).ID(): true}
	body, err := BodyHTML(d, fails)
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	for _, want := range []string{`<h1 class="annual-title">示范区民政局2025年政府信息公开工作年度报告</h1>`,
		`<th id="t3-applicant" scope="colgroup" colspan="7">申请人情况</th>`, `<td class="corner" colspan="3" rowspan="3">`,
		`<th id="t3-result" rowspan="22">三、本年度办理结果</th>`, `<th id="t3-g4" rowspan="8">（三）不予公开</th>`,
		`<td id="t3-r0-c0" headers="t3-applicant t3-c0 t3-r0" class="num fail">3 <strong class="fail-mark">（不符）</strong></td>`,
		`headers="t3-applicant t3-org t3-c1 t3-result t3-g4 t3-r4"`, `<th id="t4-g1" scope="colgroup" colspan="5">未经复议直接起诉</th>`,
		`<td id="t2-r2-c0" headers="t2-g5 t2-g5-c0 t2-r2" class="num" colspan="3">15</td>`, "<p>（一）主动公开。全年主动公开政府信息12条。</p>",
		"2026年1月20日"} {
		if !strings.Contains(s, want) {
			t.Errorf("html lacks %s", want)
		}
	}
	// Every row of table 三 spans the same 10 columns.
	g := Grid3(d.Table3, nil)
	width := make([]int, len(g.Rows)+30)
	for _, row := range g.Rows {
		for _, c := range row {
			for r := c.Row; r < c.Row+c.RowSpan; r++ {
				width[r] += c.ColSpan
			}
		}
	}
	for r := range g.Rows {
		if width[r] != g.Cols {
			t.Errorf("table 三 row %d spans %d columns", r, width[r])
		}
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, d); err != nil || !strings.HasPrefix(page.String(), "<!doctype html>") || !strings.Contains(page.String(), "@page") {
		t.Errorf("standalone page: %v", err)
	}
}

func docxXML(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			return string(b)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}
