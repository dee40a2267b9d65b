package report

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apply"
)

// balanced is a consistent set of tables made by hand: 自然人 3 new + 1
// carried = 2 disclosed + 1 withheld (国家秘密) + 1 carried forward;
// 商业企业 2 new = 1 partial + 1 lapsed (逾期不补正); one review maintained,
// one direct suit pending.
func balanced() Tables {
	var t Tables
	t.T2.Normative.Made, t.T2.Normative.InForce, t.T2.Licensing, t.T2.FeeYuan = 2, 7, 15, 123456
	set := func(row string, col, n int) { t.T3[RowIndex(row)][col] = n }
	set("new", 0, 3)
	set("carried", 0, 1)
	set("（一）", 0, 2)
	set("（三）1", 0, 1)
	set("forward", 0, 1)
	set("new", 1, 2)
	set("（二）", 1, 1)
	set("（六）1", 1, 1)
	for _, c := range []int{0, 1} {
		t.T3[RowTotal][c] = map[int]int{0: 3, 1: 2}[c]
	}
	for r := range t.T3 {
		t.T3[r][ColTotal] = t.T3[r][0] + t.T3[r][1]
	}
	t.T4[0] = [5]int{1, 0, 0, 0, 1}
	t.T4[1] = [5]int{0, 0, 0, 1, 1}
	return t
}

func TestValidateBalanced(t *testing.T) {
	if ps := Validate(balanced()); len(ps) != 0 {
		t.Fatalf("hand-made consistent tables fail: %v", ps)
	}
	if ps := Validate(Tables{}); len(ps) != 0 {
		t.Fatalf("all-zero tables fail: %v", ps)
	}
}

func TestValidateFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(*Tables)
		want   []string // every message, in order
		cells  []string // cells the first problem names
	}{
		{"one more new application than handled", func(t *Tables) {
			t.T3[RowNew][0]++ // 自然人 new 4, but the total column and （七） unchanged
		}, []string{"表三 自然人列：一+二=5，三（七）+四=4",
			"表三 一、本年新收政府信息公开申请数量 行：总计列=5，六类申请人之和=6"},
			[]string{"t3-r0-c0", "t3-r1-c0", "t3-r23-c0", "t3-r24-c0"}},
		{"（七） is not the sum of its rows", func(t *Tables) {
			t.T3[RowTotal][1], t.T3[RowForward][1] = 1, 1 // balanced 一+二 but （七）=1 while (二)+(六)1 = 2
			t.T3[RowTotal][ColTotal], t.T3[RowForward][ColTotal] = 4, 2
		}, []string{"表三 商业企业列：三（七）总计=1，（一）至（六）各项之和=2",
			"表三 总计列：三（七）总计=4，（一）至（六）各项之和=5"}, []string{"t3-r23-c1"}},
		{"total column wrong", func(t *Tables) {
			t.T3[RowIndex("（二）")][ColTotal] = 2
			t.T3[RowTotal][ColTotal] = 6
			t.T3[RowForward][ColTotal] = 0
		}, []string{"表三 （二）部分公开（区分处理的，只计这一情形，不计其他情形） 行：总计列=2，六类申请人之和=1",
			"表三 （七）总计 行：总计列=6，六类申请人之和=5", "表三 四、结转下年度继续办理 行：总计列=0，六类申请人之和=1"},
			[]string{"t3-r3-c6"}},
		{"table 四 total", func(t *Tables) { t.T4[2] = [5]int{1, 1, 0, 0, 3} },
			[]string{"表四 行政诉讼（复议后起诉）：总计=3，结果维持、结果纠正、其他结果、尚未审结之和=2"}, []string{"t4-r2-c4"}},
		{"negative figures", func(t *Tables) {
			t.T2.Penalty, t.T2.FeeYuan, t.T4[0][1] = -1, -5, -1
			t.T4[0][4] = 0
		}, []string{"表二 行政处罚 本年处理决定数量为 -1，不能为负数", "表二 行政事业性收费 本年收费金额为 -0.0005 万元，不能为负数",
			"表四 行政复议 结果纠正为 -1，不能为负数"}, []string{"t2-r3-c0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tables := balanced()
			tc.break_(&tables)
			ps := Validate(tables)
			var got []string
			for _, p := range ps {
				got = append(got, p.Message)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("problems:\n got %q\nwant %q", got, tc.want)
			}
			var cells []string
			for _, c := range ps[0].Cells[:len(tc.cells)] {
				cells = append(cells, c.ID())
			}
			if !slices.Equal(cells, tc.cells) {
				t.Errorf("cells %v, want %v", cells, tc.cells)
			}
			if f := Failing(ps); !f[tc.cells[0]] {
				t.Errorf("Failing misses %s", tc.cells[0])
			}
		})
	}
}

// A snapshot's tables survive JSON and are checked as read.
func TestTablesJSON(t *testing.T) {
	d := Document{Table2: balanced().T2, Table3: balanced().T3, Table4: balanced().T4, Proactive: map[string]int{"通知公告": 3}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"fee_yuan":123456`, `"fee_10k_yuan":"12.3456"`, `"key":"（三）1","label":"（三）不予公开 1.属于国家秘密"`,
		`"columns":["person","business","research","nonprofit","legal","other","total"]`, `"review":{"maintained":1,"corrected":0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
	back, err := DecodeSnapshot(b)
	if err != nil || back.Tables() != d.Tables() {
		t.Fatalf("round trip: %v\n%+v", err, back.Tables())
	}
	// A tampered snapshot reads, and Validate names the cell.
	bad := strings.Replace(string(b), `"key":"new","label":"一、本年新收政府信息公开申请数量","values":[3,`, `"key":"new","label":"x","values":[9,`, 1)
	back, err = DecodeSnapshot([]byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	if ps := Validate(back.Tables()); len(ps) == 0 || !strings.HasPrefix(ps[0].Message, "表三 自然人列：一+二=10") {
		t.Errorf("tampered snapshot: %v", ps)
	}
	for _, broken := range []string{
		strings.Replace(string(b), `"key":"carried"`, `"key":"carried_over"`, 1),
		strings.Replace(string(b), `"person"`, `"people"`, 1),
		strings.Replace(string(b), `"pending":1`, `"pending":1.5`, 1),
		strings.Replace(string(b), `"suit_direct"`, `"suit"`, 1),
	} {
		if _, err := DecodeSnapshot([]byte(broken)); err == nil {
			t.Errorf("accepted a snapshot with unknown structure")
		}
	}
}

func TestRows(t *testing.T) {
	rows := Rows3Info()
	if len(rows) != Rows3 || rows[RowTotal].Label != "（七）总计" || rows[RowForward].Label != "四、结转下年度继续办理" {
		t.Fatalf("rows: %+v", rows)
	}
	// Each apply outcome lands in exactly one row, and the two shared rows
	// are shared.
	perRow := map[string]int{}
	for _, o := range apply.Outcomes {
		if RowIndex(o.Row) < rowFirstOutcome || RowIndex(o.Row) >= RowTotal {
			t.Errorf("outcome %s: row %s not in table 三", o.Code, o.Row)
		}
		perRow[o.Row]++
	}
	if perRow["（一）"] != 2 || perRow["（四）1"] != 2 {
		t.Errorf("shared rows: %v", perRow)
	}
	if got := rows[RowIndex("（五）4")].Name(); got != "（五）不予处理 4.无正当理由大量反复申请" {
		t.Errorf("row name %q", got)
	}
}

func TestParseFigures(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"12.3456", 123456, ""}, {"０．５", 5000, ""}, {" 1,200 ", 12000000, ""}, {"", 0, ""}, {".5", 5000, ""},
		{"12.34567", 0, "超过 4 位小数"}, {"-1", 0, "不能为负数"}, {"十二", 0, "不是数字"}, {"1e3", 0, "不是数字"},
		{"100000000", 0, "超出合理范围"},
	} {
		got, err := ParseWan(tc.in)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ParseWan(%q) = %d, %v; want %d %q", tc.in, got, err, tc.want, tc.err)
		}
	}
	for _, tc := range []struct {
		in   string
		want int
		err  string
	}{{"7", 7, ""}, {"７", 7, ""}, {"3.0", 3, ""}, {"3.5", 0, "不是整数"}, {"-2", 0, "不能为负数"}, {"abc", 0, "不是数字"}} {
		got, err := ParseCount(tc.in)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ParseCount(%q) = %d, %v", tc.in, got, err)
		}
	}
	if FormatWan(123456) != "12.3456" || FormatWan(120000) != "12" || FormatWan(5) != "0.0005" || FormatWan(0) != "0" {
		t.Errorf("FormatWan: %s %s %s", FormatWan(123456), FormatWan(120000), FormatWan(5))
	}
	form := map[string]string{"licensing": "3", "penalty": "x", "enforcement": "-1", "fee": "1.23456"}
	_, err := ParseManual(func(k string) string { return form[k] })
	if err == nil || !strings.Contains(err.Error(), "行政处罚 本年处理决定数量：“x”不是数字") ||
		!strings.Contains(err.Error(), "行政强制 本年处理决定数量：不能为负数") || !strings.Contains(err.Error(), "超过 4 位小数") {
		t.Errorf("ParseManual: %v", err)
	}
}

func TestParseSupplement(t *testing.T) {
	form := map[string]string{SupplementField(3, RowNew, 0): "2", SupplementField(3, RowIndex("（一）"), 0): "1",
		SupplementField(3, RowForward, 0): "1", SupplementField(4, 0, 0): "1", "supplement_note": "纸质台账"}
	s, err := ParseSupplement(func(k string) string { return form[k] })
	if err != nil {
		t.Fatal(err)
	}
	if s.T3[RowTotal][0] != 1 || s.T3[RowNew][ColTotal] != 2 || s.T4[0][4] != 1 || len(Validate(Tables{T3: s.T3, T4: s.T4})) != 0 {
		t.Errorf("totals not derived: %v %v", s.T3[RowTotal], s.T4[0])
	}
	form[SupplementField(3, RowCarried, 5)] = "一"
	delete(form, "supplement_note")
	_, err = ParseSupplement(func(k string) string { return form[k] })
	if err == nil || !strings.Contains(err.Error(), "表三补录 二、上年结转政府信息公开申请数量 其他列：“一”不是数字") {
		t.Errorf("bad cell: %v", err)
	}
	form[SupplementField(3, RowCarried, 5)] = ""
	if _, err = ParseSupplement(func(k string) string { return form[k] }); err == nil || !strings.Contains(err.Error(), "请说明补录数据的来源") {
		t.Errorf("figures without a note: %v", err)
	}
}
