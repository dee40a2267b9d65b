package catalog

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

const limit20 = "信息形成或者变更之日起20个工作日内"

func mustWriteXLSX(t *testing.T, title string, sheets []Sheet) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, title, sheets); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	return buf.Bytes()
}

func mustReadXLSX(t *testing.T, data []byte) []ImportedSheet {
	t.Helper()
	sheets, problems := ReadXLSX(bytes.NewReader(data))
	if len(problems) > 0 {
		for _, p := range problems {
			t.Errorf("problem: %s", p)
		}
		t.FailNow()
	}
	return sheets
}

func mustOpenXLSX(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// book builds workbooks cell by cell, the way staff's own files look,
// rather than through WriteXLSX.
type book struct {
	t      *testing.T
	f      *excelize.File
	sheets int
}

func newBook(t *testing.T) *book {
	t.Helper()
	return &book{t: t, f: excelize.NewFile()}
}

func (b *book) must(err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
}

// sheet adds a sheet whose rows start at row 1; "" leaves a cell empty.
func (b *book) sheet(name string, rows ...[]string) *book {
	b.t.Helper()
	if b.sheets == 0 {
		b.must(b.f.SetSheetName("Sheet1", name))
	} else {
		_, err := b.f.NewSheet(name)
		b.must(err)
	}
	b.sheets++
	for r, row := range rows {
		for c, v := range row {
			if v != "" {
				b.must(b.f.SetCellStr(name, xlsxCell(c+1, r+1), v))
			}
		}
	}
	return b
}

func (b *book) merge(sheet string, ranges ...string) *book {
	b.t.Helper()
	for _, rg := range ranges {
		from, to, _ := strings.Cut(rg, ":")
		b.must(b.f.MergeCell(sheet, from, to))
	}
	return b
}

func (b *book) set(sheet, cell, v string) *book {
	b.t.Helper()
	b.must(b.f.SetCellStr(sheet, cell, v))
	return b
}

func (b *book) bytes() []byte {
	b.t.Helper()
	var buf bytes.Buffer
	b.must(b.f.Write(&buf))
	b.must(b.f.Close())
	return buf.Bytes()
}

// Rows of the standard layout, for workbooks built by hand.
var (
	stdHead1 = []string{"序号", "公开事项", "", "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", "", "公开方式", "", "公开层级", "", "", "五公开"}
	stdHead2 = []string{"", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群体", "主动", "依申请", "县级", "乡级", "村级", ""}
)

func stdRow(n, l1, l2 string) []string {
	return []string{n, l1, l2, "救助对象名单", "《社会救助暂行办法》", limit20, "县民政局", "政府网站", "√", "", "√", "", "√", "", "", ""}
}

func with(row []string, col string, v string) []string {
	row = slices.Clone(row)
	c, err := excelize.ColumnNameToNumber(col)
	if err != nil {
		panic(err)
	}
	for len(row) < c {
		row = append(row, "")
	}
	row[c-1] = v
	return row
}

func without(row []string, col int) []string {
	return slices.Delete(slices.Clone(row), col, col+1)
}

func subsets(list []string) [][]string {
	var out [][]string
	for mask := 1; mask < 1<<len(list); mask++ {
		var s []string
		for i, v := range list {
			if mask&(1<<i) != 0 {
				s = append(s, v)
			}
		}
		out = append(out, s)
	}
	return out
}

func richSheets() []Sheet {
	social := Sheet{Domain: "社会救助", Items: []ItemFields{
		{
			Level1: "最低生活保障", Level2: "审批结果",
			Content:      "1.保障对象姓名（已脱敏）\n2.保障人数\n3.保障金额",
			Basis:        "《社会救助暂行办法》（国务院令第649号）第九条；《最低生活保障审核确认办法》（民发〔2021〕57号）",
			TimeLimit:    ParseTimeLimit(limit20),
			Subject:      "县民政局、乡镇人民政府（街道办事处）",
			Channels:     []string{"政府网站", "两微一端"},
			ChannelOther: "村民微信群、乡镇广播",
			Audience:     []string{"全社会"},
			Method:       []string{"主动"},
			Levels:       []string{"县级", "乡级", "村级"},
			FiveTag:      "结果公开",
		},
		{
			Level1: "特困人员救助供养", Level2: "",
			Content:   "申请条件、办理流程、救助标准",
			Basis:     "《社会救助暂行办法》",
			TimeLimit: ParseTimeLimit("每年1月31日前"),
			Subject:   "乡镇人民政府",
			Channels:  []string{"发布会/听证会", "入户/现场", "社区/企事业单位/村公示栏（电子屏）"},
			Audience:  []string{"特定群体"},
			Method:    []string{"依申请"},
			Levels:    []string{"村级"},
		},
		{
			Level1: "临时救助", Level2: "救助标准",
			Content:   "“急难型”临时救助标准：\t按月低保标准的 3～6 倍",
			Basis:     "国办发〔2014〕47号",
			TimeLimit: ParseTimeLimit("实时"),
			Subject:   "县民政局",
			Channels:  slices.Clone(Channels),
			Audience:  []string{"全社会", "特定群体"},
			Method:    []string{"主动", "依申请"},
			Levels:    []string{"县级", "乡级"},
			FiveTag:   "决策公开",
		},
		{
			Level1: "政策文件", Level2: "解读",
			Content:      "政策解读材料",
			Basis:        "《中华人民共和国政府信息公开条例》第二十条",
			TimeLimit:    ParseTimeLimit("随时更新"),
			Subject:      "县民政局",
			ChannelOther: "投资项目在线审批监管平台",
			Audience:     []string{"全社会"},
			Method:       []string{"主动"},
			Levels:       []string{"县级"},
			FiveTag:      "执行公开",
		},
	}}
	// Every valid combination of ticks, one item each.
	combos := Sheet{Domain: "养老服务"}
	for _, a := range subsets(Audiences) {
		for _, m := range subsets(Methods) {
			for _, l := range subsets(Levels) {
				n := len(combos.Items) + 1
				combos.Items = append(combos.Items, ItemFields{
					Level1: fmt.Sprintf("养老事项%02d", n), Level2: strings.Join(l, "+"),
					Content: "养老机构名录", Basis: "《养老机构管理办法》", TimeLimit: ParseTimeLimit(limit20),
					Subject: "县民政局", Channels: []string{"政府网站"},
					Audience: a, Method: m, Levels: l, FiveTag: FiveTags[n%len(FiveTags)],
				})
			}
		}
	}
	long := Sheet{Domain: "国有土地上房屋征收与补偿及其他非常长的自定义领域名称测试用例（第二批）", Items: []ItemFields{{
		Level1: "征收决定", Content: "征收决定公告", Basis: "《国有土地上房屋征收与补偿条例》",
		TimeLimit: ParseTimeLimit("作出房屋征收决定后及时公开"), Subject: "县人民政府",
		Channels: []string{"政府网站", "纸质媒体"}, Audience: []string{"全社会"}, Method: []string{"主动"}, Levels: []string{"县级"},
	}}}
	return []Sheet{social, combos, long}
}

func fieldsOf(s ImportedSheet) []ItemFields {
	var out []ItemFields
	for _, it := range s.Items {
		out = append(out, it.Fields)
	}
	return out
}

func TestXLSXRoundTrip(t *testing.T) {
	in := richSheets()
	got := mustReadXLSX(t, mustWriteXLSX(t, "示范区东湖街道办事处", in))
	if len(got) != len(in) {
		t.Fatalf("got %d sheets, want %d", len(got), len(in))
	}
	wantNames := []string{"社会救助", "养老服务", xlsxTruncUTF16(in[2].Domain, 31)}
	for i, s := range got {
		if s.Name != wantNames[i] {
			t.Errorf("sheet %d name = %q, want %q", i, s.Name, wantNames[i])
		}
		for j, it := range s.Items {
			if it.Sheet != s.Name || it.Row != j+4 {
				t.Errorf("sheet %q item %d at %q row %d, want row %d", s.Name, j, it.Sheet, it.Row, j+4)
			}
		}
		if !reflect.DeepEqual(fieldsOf(s), in[i].Items) {
			for j := range max(len(s.Items), len(in[i].Items)) {
				var g, w ItemFields
				if j < len(s.Items) {
					g = s.Items[j].Fields
				}
				if j < len(in[i].Items) {
					w = in[i].Items[j]
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("sheet %q item %d:\n got %#v\nwant %#v", s.Name, j, g, w)
				}
			}
		}
	}
	if n := len(got[1].Items); n != 63 {
		t.Errorf("tick combinations: got %d items, want 63", n)
	}

	// A catalog exported, re-imported and exported again must not drift.
	again := make([]Sheet, len(got))
	for i, s := range got {
		again[i] = Sheet{Domain: s.Name, Items: fieldsOf(s)}
	}
	got2 := mustReadXLSX(t, mustWriteXLSX(t, "示范区东湖街道办事处", again))
	if !reflect.DeepEqual(got2, got) {
		t.Errorf("write→read→write→read drifted")
	}
}

func TestXLSXWriteLayout(t *testing.T) {
	f := mustOpenXLSX(t, mustWriteXLSX(t, "示范区东湖街道办事处", richSheets()[:2]))
	if got, want := f.GetSheetList(), []string{"社会救助", "养老服务"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	const sh = "社会救助"
	for cell, want := range map[string]string{
		"A1": "示范区东湖街道办事处 社会救助领域基层政务公开标准目录",
		"A2": "序号", "B2": "公开事项", "B3": "一级事项", "C3": "二级事项", "D2": "公开内容（要素）",
		"E2": "公开依据", "F2": "公开时限", "G2": "公开主体", "H2": "公开渠道和载体",
		"I2": "公开对象", "I3": "全社会", "J3": "特定群体", "K2": "公开方式", "K3": "主动", "L3": "依申请",
		"M2": "公开层级", "M3": "县级", "N3": "乡级", "O3": "村级", "P2": "五公开",
		"A4": "1", "B4": "最低生活保障", "F4": limit20, "H4": "政府网站、两微一端、其他：村民微信群、乡镇广播",
		"I4": "√", "J4": "", "M4": "√", "P4": "结果公开", "A7": "4", "H7": "其他：投资项目在线审批监管平台",
	} {
		if got, err := f.GetCellValue(sh, cell); err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", cell, got, err, want)
		}
	}
	mc, err := f.GetMergeCells(sh, true)
	if err != nil {
		t.Fatal(err)
	}
	var merged []string
	for _, m := range mc {
		merged = append(merged, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	for _, want := range []string{"A1:P1", "A2:A3", "B2:C2", "D2:D3", "H2:H3", "I2:J2", "K2:L2", "M2:O2", "P2:P3"} {
		if !slices.Contains(merged, want) {
			t.Errorf("merged ranges %q lack %s", merged, want)
		}
	}
	panes, err := f.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
		t.Errorf("panes = %+v (%v), want frozen below row 3", panes, err)
	}
	if w, _ := f.GetColWidth(sh, "D"); w < 20 {
		t.Errorf("column D width = %v, want a wide text column", w)
	}
	if h, _ := f.GetRowHeight(sh, 4); h < 40 {
		t.Errorf("row 4 height = %v, want room for its three-line content", h)
	}
	for cell, bold := range map[string]bool{"A1": true, "B3": true, "D4": false} {
		id, _ := f.GetCellStyle(sh, cell)
		st, err := f.GetStyle(id)
		if err != nil || st.Font == nil || st.Font.Bold != bold {
			t.Errorf("%s bold = %v, want %v", cell, st.Font, bold)
		}
	}

	// An empty catalog still yields a usable blank template.
	f = mustOpenXLSX(t, mustWriteXLSX(t, "", nil))
	if got := f.GetSheetList(); len(got) != 1 {
		t.Errorf("blank template sheets = %q", got)
	}
}

func TestXLSXHeading(t *testing.T) {
	for _, c := range []struct{ title, domain, want string }{
		{"示范区东湖街道办事处", "社会救助", "示范区东湖街道办事处 社会救助领域基层政务公开标准目录"},
		{"示范区东湖街道办事处", "社会救助领域", "示范区东湖街道办事处 社会救助领域基层政务公开标准目录"},
		{"东湖街道基层政务公开标准目录（2025年度，第1版）", "社会救助", "东湖街道 社会救助领域基层政务公开标准目录（2025年度，第1版）"},
		{"东湖街道 社会救助领域基层政务公开标准目录", "社会救助", "东湖街道 社会救助领域基层政务公开标准目录"},
		{"东湖街道政务公开目录", "社会救助", "东湖街道政务公开目录"},
		{"", "社会救助", "社会救助领域基层政务公开标准目录"},
		{"", "", "基层政务公开标准目录"},
	} {
		if got := xlsxHeading(c.title, c.domain); got != c.want {
			t.Errorf("xlsxHeading(%q, %q) = %q, want %q", c.title, c.domain, got, c.want)
		}
	}
}

func TestXLSXSheetNames(t *testing.T) {
	used := map[string]bool{}
	for _, c := range []struct{ domain, want string }{
		{"社会救助", "社会救助"},
		{"社会救助", "社会救助（2）"},
		{"a/b:c?[d]*", "a_b_c__d__"},
		{"", "标准目录"},
		{"'引号'", "引号"},
		{strings.Repeat("长", 40), strings.Repeat("长", 31)},
		{strings.Repeat("长", 40), strings.Repeat("长", 28) + "（2）"},
	} {
		if got := xlsxSheetName(c.domain, used); got != c.want {
			t.Errorf("xlsxSheetName(%q) = %q, want %q", c.domain, got, c.want)
		}
	}
}

func TestXLSXReadVariants(t *testing.T) {
	const plan, aid = "城乡规划", "社会救助"
	b := newBook(t)
	// No title row, 特定群众, 依申请公开, two level columns, a 备注 column,
	// merged 一级事项 and 公开主体, 同上, checkbox channels and synonyms.
	b.sheet(plan,
		[]string{"序号", "公开事项", "", "公开内容(要素)", "公开依据", "公开时限", "公开主体", "公开渠道", "公开对象", "", "公开方式", "", "公开层级", "", "备注"},
		[]string{"", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群众", "主动", "依申请公开", "县级", "乡、村级", ""},
		[]string{"1", "规划编制", "总体规划", "规划批前公示", "《中华人民共和国城乡规划法》", limit20, "县自然资源局", "■政府网站 □政府公报 ■两微一端 □其他", "√", "", "√", "", "√", "", ""},
		[]string{"2", "", "详细规划", "规划批后公告", "《城乡规划法》第八条", "同上", "", "门户网站、微信公众号、公示栏", "", "✓", "是", "", "", "■", ""},
		[]string{"3", "", "乡村规划", "村庄规划\n（含图件）", "《城乡规划法》第二十二条", " 同上 ", "", "12345热线；现场；村民议事会，其他：村广播", "Y", "y", "", "☑", "●", "√", "见附件"},
		[]string{"4"},
		[]string{"5", "规划许可", "", "建设工程规划许可证", "《城乡规划法》第四十条", "实时公开", "县住建局", "发布会/听证会、入户/现场 社区/企事业单位/村公示栏（电子屏）", " √ ", "□", "√", "否", "√", "", ""},
	).merge(plan, "A1:A2", "B1:C1", "D1:D2", "E1:E2", "F1:F2", "G1:G2", "H1:H2", "I1:J1", "K1:L1", "M1:N1", "O1:O2", "B3:B5", "G3:G5")
	b.sheet("填表说明", []string{"1. 公开渠道请用 ■ 勾选"}, []string{"2. 序号连续编排"})
	// Two title rows, columns reordered, 一级目录, 特定主体, three level
	// columns in local wording and a 五公开 column.
	b.sheet(aid,
		[]string{"附件2"},
		[]string{"某县社会救助领域基层政务公开标准目录"},
		[]string{"序 号", "公开事项", "", "公开内容", "公开依据", "公开主体", "公开时限", "公开渠道和载体", "公开对象", "", "公开方式", "", "公开层级", "", "", "五公开"},
		[]string{"", "一级目录", "二级目录", "", "", "", "", "", "全社会", "特定主体", "主动", "依申请", "区级", "镇级", "社区级", ""},
		[]string{"1", "最低生活保障", "政策文件", "低保政策", "《社会救助暂行办法》", "县民政局", "每年1月31日前", "政府网站", "√", "", "√", "", "", "√", "√", "决策公开"},
	)
	got := mustReadXLSX(t, b.bytes())

	item := func(l1, l2, content, basis, limit, subject string, ch []string, other string, aud, meth, lv []string, five string) ItemFields {
		return ItemFields{Level1: l1, Level2: l2, Content: content, Basis: basis, TimeLimit: ParseTimeLimit(limit), Subject: subject,
			Channels: ch, ChannelOther: other, Audience: aud, Method: meth, Levels: lv, FiveTag: five}
	}
	want := []ImportedSheet{
		{Name: plan, Items: []ImportedItem{
			{plan, 3, item("规划编制", "总体规划", "规划批前公示", "《中华人民共和国城乡规划法》", limit20, "县自然资源局",
				[]string{"政府网站", "两微一端"}, "", []string{"全社会"}, []string{"主动"}, []string{"县级"}, "")},
			{plan, 4, item("规划编制", "详细规划", "规划批后公告", "《城乡规划法》第八条", limit20, "县自然资源局",
				[]string{"政府网站", "两微一端", "社区/企事业单位/村公示栏（电子屏）"}, "", []string{"特定群体"}, []string{"主动"}, []string{"乡级", "村级"}, "")},
			{plan, 5, item("规划编制", "乡村规划", "村庄规划\n（含图件）", "《城乡规划法》第二十二条", limit20, "县自然资源局",
				[]string{"入户/现场", "12345政务服务热线"}, "村民议事会、村广播", []string{"全社会", "特定群体"}, []string{"依申请"}, []string{"县级", "乡级", "村级"}, "")},
			{plan, 7, item("规划许可", "", "建设工程规划许可证", "《城乡规划法》第四十条", "实时公开", "县住建局",
				[]string{"发布会/听证会", "入户/现场", "社区/企事业单位/村公示栏（电子屏）"}, "", []string{"全社会"}, []string{"主动"}, []string{"县级"}, "")},
		}},
		{Name: aid, Items: []ImportedItem{
			{aid, 5, item("最低生活保障", "政策文件", "低保政策", "《社会救助暂行办法》", "每年1月31日前", "县民政局",
				[]string{"政府网站"}, "", []string{"全社会"}, []string{"主动"}, []string{"乡级", "村级"}, "决策公开")},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			var g, w ImportedSheet
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("sheet %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
	}
	if tl := got[0].Items[1].Fields.TimeLimit; tl.Kind != Workdays || tl.Days != 20 {
		t.Errorf("同上 time limit = %+v, want the 20-workday limit above it", tl)
	}
}

func TestXLSXChannels(t *testing.T) {
	for _, c := range []struct {
		cell  string
		want  []string
		other string
	}{
		{"", nil, ""},
		{"政府网站", []string{"政府网站"}, ""},
		{"两微一端、政府网站、政府网站", []string{"政府网站", "两微一端"}, ""},
		{"政府门户网站，微博;电子屏／12345", []string{"政府网站", "两微一端", "社区/企事业单位/村公示栏（电子屏）", "12345政务服务热线"}, ""},
		{"网站\n村务公开栏\n听证会 入户", []string{"政府网站", "发布会/听证会", "入户/现场", "社区/企事业单位/村公示栏（电子屏）"}, ""},
		{"社区/企事业单位/村公示栏(电子屏)、发布会/听证会", []string{"发布会/听证会", "社区/企事业单位/村公示栏（电子屏）"}, ""},
		{"政府网站、其他：村民微信群、乡镇广播", []string{"政府网站"}, "村民微信群、乡镇广播"},
		{"其他:线下宣讲", nil, "线下宣讲"},
		{"微信群、政府网站、大喇叭", []string{"政府网站"}, "微信群、大喇叭"},
		{"■政府网站 □政府公报 ■两微一端 □其他", []string{"政府网站", "两微一端"}, ""},
		{"公开渠道：☑政务服务中心☐便民服务站■其他：村民大会", []string{"政务服务中心"}, "村民大会"},
		{"√政府网站 √发布会/听证会 □入户/现场 ■其他____", []string{"政府网站", "发布会/听证会"}, ""},
		{"□政府网站 □其他：不算", nil, ""},
	} {
		ch, other := xlsxParseChannels(c.cell)
		if !reflect.DeepEqual(ch, c.want) || other != c.other {
			t.Errorf("xlsxParseChannels(%q) = %q, %q; want %q, %q", c.cell, ch, other, c.want, c.other)
		}
	}
}

func TestXLSXProblemString(t *testing.T) {
	for _, c := range []struct {
		p    Problem
		want string
	}{
		{Problem{Sheet: "社会救助", Row: 5, Col: "D", Message: "公开内容不能为空"}, "工作表「社会救助」第 5 行 D 列：公开内容不能为空"},
		{Problem{Sheet: "社会救助", Row: 2, Message: "缺少「公开依据」列"}, "工作表「社会救助」第 2 行：缺少「公开依据」列"},
		{Problem{Sheet: "社会救助", Message: "工作表无法读取"}, "工作表「社会救助」：工作表无法读取"},
		{Problem{Row: 3, Col: "B", Message: "x"}, "第 3 行 B 列：x"},
		{Problem{Message: msgXLSXInvalid}, msgXLSXInvalid},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.p, got, c.want)
		}
	}
}

// rezip copies an xlsx with part's text edited, to craft inputs excelize
// will not write.
func rezip(t *testing.T, data []byte, part string, edit func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		s := b.String()
		if zf.Name == part {
			s = edit(s)
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestXLSXProblems(t *testing.T) {
	const sh = "社会救助"
	title := []string{"东湖街道社会救助领域基层政务公开标准目录"}
	stdBook := func(rows ...[]string) []byte {
		return newBook(t).sheet(sh, append([][]string{title, stdHead1, stdHead2}, rows...)...).bytes()
	}
	junk := make([]byte, 10<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte("<document/>"))
	zw.Close()

	manyMerges := rezip(t, stdBook(stdRow("1", "低保", "申请")), "xl/worksheets/sheet1.xml", func(s string) string {
		var m strings.Builder
		fmt.Fprintf(&m, `<mergeCells count="%d">`, xlsxMaxMerges+1)
		for i := range xlsxMaxMerges + 1 {
			fmt.Fprintf(&m, `<mergeCell ref="A%d:B%d"/>`, i+10, i+10)
		}
		m.WriteString("</mergeCells>")
		return strings.Replace(s, "</sheetData>", "</sheetData>"+m.String(), 1)
	})

	for _, c := range []struct {
		name  string
		data  []byte
		want  []Problem
		items int // good items still returned
	}{
		{"missing header column", newBook(t).sheet(sh, title, without(stdHead1, 4), without(stdHead2, 4),
			without(stdRow("1", "低保", "申请"), 4)).bytes(),
			[]Problem{{Sheet: sh, Row: 2, Message: "缺少「公开依据」列"}}, 0},
		{"missing tick group", newBook(t).sheet(sh, stdHead1[:12], stdHead2[:12]).bytes(),
			[]Problem{{Sheet: sh, Row: 1, Message: "缺少「公开层级」（县级、乡级、村级）列"}}, 0},
		{"empty required cell", stdBook(stdRow("1", "低保", "申请"), with(stdRow("2", "低保", "审批"), "D", "")),
			[]Problem{{Sheet: sh, Row: 5, Col: "D", Message: "公开内容不能为空"}}, 1},
		{"empty 一级事项 and 公开主体", stdBook(with(with(stdRow("1", "", "申请"), "G", " "), "D", "内容")),
			[]Problem{{Sheet: sh, Row: 4, Col: "B", Message: "一级事项不能为空"}, {Sheet: sh, Row: 4, Col: "G", Message: "公开主体不能为空"}}, 0},
		{"wrong tick value", stdBook(stdRow("1", "低保", "申请"), with(stdRow("2", "低保", "审批"), "J", "x")),
			[]Problem{{Sheet: sh, Row: 5, Col: "J", Message: msgXLSXBadTick}}, 1},
		{"duplicate item", stdBook(stdRow("1", "低保", "申请"), stdRow("2", "低保", "审批"), stdRow("3", "低保", "申请")),
			[]Problem{{Sheet: sh, Row: 6, Col: "C", Message: "事项「低保 / 申请」与第 4 行重复"}}, 2},
		{"同上 on the first item", stdBook(with(stdRow("1", "低保", "申请"), "F", "同上")),
			[]Problem{{Sheet: sh, Row: 4, Col: "F", Message: "公开时限填了“同上”，但上面没有可参照的事项"}}, 0},
		{"nothing ticked", stdBook(with(with(with(stdRow("1", "低保", "申请"), "H", ""), "K", ""), "M", "□")),
			[]Problem{
				{Sheet: sh, Row: 4, Col: "H", Message: "未填写公开渠道和载体"},
				{Sheet: sh, Row: 4, Col: "K", Message: "未勾选公开方式"},
				{Sheet: sh, Row: 4, Col: "M", Message: "未勾选公开层级"},
			}, 0},
		{"bad 五公开", stdBook(with(stdRow("1", "低保", "申请"), "P", "结果")),
			[]Problem{{Sheet: sh, Row: 4, Col: "P", Message: "五公开只能填 决策公开、执行公开、管理公开、服务公开、结果公开 之一，或留空"}}, 0},
		{"cell too long", stdBook(with(stdRow("1", "低保", "申请"), "E", strings.Repeat("依", 2001))),
			[]Problem{{Sheet: sh, Row: 4, Col: "E", Message: "单元格内容超过 2000 个字"}}, 0},
		{"editor limits", stdBook(with(stdRow("1", "低保", "申请"), "C", strings.Repeat("项", 101))),
			[]Problem{{Sheet: sh, Row: 4, Col: "C", Message: "二级事项不能超过 100 个字"}}, 0},
		{"too many rows", newBook(t).sheet(sh, title, stdHead1, stdHead2, stdRow("1", "低保", "申请")).set(sh, "D5002", "溢出").bytes(),
			[]Problem{{Sheet: sh, Row: 5002, Message: "工作表超过 5000 行，请拆分后再导入"}}, 0},
		{"too many merged ranges", manyMerges,
			[]Problem{{Sheet: sh, Message: "合并单元格超过 20000 个，无法读取"}}, 0},
		{"every problem in every sheet", newBook(t).
			sheet(sh, title, stdHead1, stdHead2, with(stdRow("1", "低保", "申请"), "I", "x"), with(stdRow("2", "低保", "审批"), "F", "")).
			sheet("养老服务", stdHead1, stdHead2, with(stdRow("1", "养老", ""), "K", "N")).bytes(),
			[]Problem{
				{Sheet: sh, Row: 4, Col: "I", Message: msgXLSXBadTick},
				{Sheet: sh, Row: 5, Col: "F", Message: "公开时限不能为空"},
				{Sheet: "养老服务", Row: 3, Col: "K", Message: msgXLSXBadTick},
			}, 0},
		{"10 MB of random bytes", junk, []Problem{{Message: msgXLSXInvalid}}, 0},
		{"plain text file", []byte("序号,公开事项,公开内容\n1,低保,名单\n"), []Problem{{Message: msgXLSXInvalid}}, 0},
		{"empty file", nil, []Problem{{Message: msgXLSXInvalid}}, 0},
		{"zip that is no workbook", zipped.Bytes(), []Problem{{Message: msgXLSXInvalid}}, 0},
		{"legacy .xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), []Problem{{Message: msgXLSXLegacy}}, 0},
		{"empty workbook", newBook(t).bytes(), []Problem{{Message: msgXLSXNoItems}}, 0},
		{"header only", stdBook(), []Problem{{Message: msgXLSXNoItems}}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			sheets, got := ReadXLSX(bytes.NewReader(c.data))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, c.want)
			}
			n := 0
			for _, s := range sheets {
				n += len(s.Items)
			}
			if n != c.items {
				t.Errorf("got %d items, want %d", n, c.items)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// Items with problems are withheld, so a caller previewing an upload sees
// exactly what would be imported once the problems are fixed.
func TestXLSXProblemRowsWithheld(t *testing.T) {
	data := newBook(t).sheet("社会救助", stdHead1, stdHead2, stdRow("1", "低保", "申请"), with(stdRow("2", "低保", "审批"), "J", "x")).bytes()
	sheets, problems := ReadXLSX(bytes.NewReader(data))
	if len(problems) != 1 || len(sheets) != 1 || len(sheets[0].Items) != 1 || sheets[0].Items[0].Row != 3 {
		t.Errorf("got sheets %+v problems %v, want row 3 kept and one problem", sheets, problems)
	}
}

func FuzzReadXLSX(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "东湖街道", richSheets()[:1]); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		sheets, problems := ReadXLSX(bytes.NewReader(data))
		if len(sheets) == 0 && len(problems) == 0 {
			t.Fatal("no items and no problem")
		}
		for _, s := range sheets {
			for _, it := range s.Items {
				if it.Row < 1 || it.Sheet != s.Name || it.Fields.Level1 == "" {
					t.Fatalf("bad item %+v", it)
				}
			}
		}
	})
}
