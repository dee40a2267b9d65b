package report

import (
	"strconv"
	"strings"
)

// The printed layout of the three tables, exactly as the format draws
// them (rules.md §3.1–3.3), shared by the HTML, DOCX and XLSX outputs so
// the three cannot drift apart.

// GridCell is one cell as printed. Spans follow the HTML convention: the
// top-left cell of a merged area carries them and the cells it covers are
// left out. Row and Col place the cell on the grid (for spreadsheets).
type GridCell struct {
	Text             string
	Header           bool   // a heading cell (th)
	Note             bool   // table 三's corner note
	Scope            string // th scope when it is unambiguous: col, colgroup or row
	ID               string // header cells: id that data cells' Headers name; data cells: the Cell ID
	Headers          string // data cells: the ids of their heading cells (for screen readers)
	ColSpan, RowSpan int
	Row, Col         int
	Value            bool // a figure
	Num              float64
	Fail             bool // named by a failing 勾稽 rule
}

// Grid is one table as printed.
type Grid struct {
	Number     int // 2, 3 or 4
	Caption    string
	Cols       int
	HeaderRows int       // leading rows repeated on each printed page
	Widths     []float64 // column widths in millimetres for A4 portrait (156 mm of text)
	Rows       [][]GridCell
}

type gridBuilder struct {
	g   Grid
	row int
	col int
	cur []GridCell
}

func (b *gridBuilder) cell(c GridCell) {
	if c.ColSpan == 0 {
		c.ColSpan = 1
	}
	if c.RowSpan == 0 {
		c.RowSpan = 1
	}
	c.Row, c.Col = b.row, b.col
	b.cur = append(b.cur, c)
	b.col += c.ColSpan
}

// skip moves past columns covered by a cell spanning rows from above.
func (b *gridBuilder) skip(n int) { b.col += n }

func (b *gridBuilder) end() {
	b.g.Rows = append(b.g.Rows, b.cur)
	b.cur, b.row, b.col = nil, b.row+1, 0
}

func (b *gridBuilder) head(id, text string, scope string, colspan, rowspan int) {
	b.cell(GridCell{Text: text, Header: true, Scope: scope, ID: id, ColSpan: colspan, RowSpan: rowspan})
}

func (b *gridBuilder) value(c Cell, text string, num float64, fails map[string]bool, colspan int, headers ...string) {
	b.cell(GridCell{Text: text, Value: true, Num: num, ID: c.ID(), Headers: strings.Join(headers, " "),
		ColSpan: colspan, Fail: fails[c.ID()]})
}

func count(n int) (string, float64) { return strconv.Itoa(n), float64(n) }

// Grid2 lays out table 二.
func Grid2(t Table2, fails map[string]bool) Grid {
	b := &gridBuilder{g: Grid{Number: 2, Caption: "主动公开政府信息情况", Cols: 4, Widths: []float64{54, 34, 34, 34}}}
	group := func(id, text string) {
		b.head(id, text, "colgroup", 4, 1)
		b.end()
	}
	group("t2-g1", "第二十条第（一）项")
	b.head("t2-g1-item", "信息内容", "col", 1, 1)
	for i, c := range Cols2 {
		b.head("t2-g1-c"+strconv.Itoa(i), c, "col", 1, 1)
	}
	b.end()
	for r, pc := range []struct{ made, abol, inforce int }{{t.Rules.Made, t.Rules.Abolished, t.Rules.InForce},
		{t.Normative.Made, t.Normative.Abolished, t.Normative.InForce}} {
		rid := "t2-r" + strconv.Itoa(r)
		b.head(rid, Rows2[r], "row", 1, 1)
		for c, v := range []int{pc.made, pc.abol, pc.inforce} {
			s, n := count(v)
			b.value(Cell{2, r, c}, s, n, fails, 1, "t2-g1", "t2-g1-c"+strconv.Itoa(c), rid)
		}
		b.end()
	}
	single := func(gid, gtext, col string, rows []int, vals []GridCell) {
		group(gid, gtext)
		b.head(gid+"-item", "信息内容", "col", 1, 1)
		b.head(gid+"-c0", col, "col", 3, 1)
		b.end()
		for i, r := range rows {
			rid := "t2-r" + strconv.Itoa(r)
			b.head(rid, Rows2[r], "row", 1, 1)
			b.value(Cell{2, r, 0}, vals[i].Text, vals[i].Num, fails, 3, gid, gid+"-c0", rid)
			b.end()
		}
	}
	c := func(n int) GridCell { s, f := count(n); return GridCell{Text: s, Num: f} }
	single("t2-g5", "第二十条第（五）项", "本年处理决定数量", []int{2}, []GridCell{c(t.Licensing)})
	single("t2-g6", "第二十条第（六）项", "本年处理决定数量", []int{3, 4}, []GridCell{c(t.Penalty), c(t.Enforcement)})
	single("t2-g8", "第二十条第（八）项", "本年收费金额（单位：万元）", []int{5},
		[]GridCell{{Text: FormatWan(t.FeeYuan), Num: float64(t.FeeYuan) / 10000}})
	return b.g
}

// CornerNote is table 三's top-left cell, verbatim.
const CornerNote = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

// Grid3 lays out table 三.
func Grid3(t Table3, fails map[string]bool) Grid {
	b := &gridBuilder{g: Grid{Number: 3, Caption: "收到和处理政府信息公开申请情况", Cols: 10, HeaderRows: 3,
		Widths: []float64{10, 14, 48, 12, 12, 12, 12, 12, 12, 12}}}
	cols := Cols3Info()
	colID := func(c int) string { return "t3-c" + strconv.Itoa(c) }
	colHeaders := func(c int) []string {
		switch {
		case c == 0 || c == ColTotal:
			return []string{"t3-applicant", colID(c)}
		}
		return []string{"t3-applicant", "t3-org", colID(c)}
	}
	b.cell(GridCell{Text: CornerNote, Note: true, ColSpan: 3, RowSpan: 3})
	b.head("t3-applicant", "申请人情况", "colgroup", 7, 1)
	b.end()
	b.skip(3)
	b.head(colID(0), cols[0].Label, "col", 1, 2)
	b.head("t3-org", "法人或其他组织", "colgroup", 5, 1)
	b.head(colID(ColTotal), cols[ColTotal].Label, "col", 1, 2)
	b.end()
	b.skip(4)
	for c := 1; c < ColTotal; c++ {
		b.head(colID(c), cols[c].Label, "col", 1, 1)
	}
	b.end()

	values := func(r int, rowHeaders ...string) {
		for c := 0; c < Cols3; c++ {
			s, n := count(t[r][c])
			b.value(Cell{3, r, c}, s, n, fails, 1, append(colHeaders(c), rowHeaders...)...)
		}
		b.end()
	}
	rid := func(r int) string { return "t3-r" + strconv.Itoa(r) }
	for _, r := range []int{RowNew, RowCarried} {
		b.head(rid(r), rows3[r].Label, "row", 3, 1)
		values(r, rid(r))
	}
	groupRows := map[string]int{}
	for r := rowFirstOutcome; r < RowTotal; r++ {
		if rows3[r].Group != "" {
			groupRows[rows3[r].Group]++
		}
	}
	for r := rowFirstOutcome; r <= RowTotal; r++ {
		ri := rows3[r]
		if r == rowFirstOutcome {
			b.head("t3-result", "三、本年度办理结果", "", 1, NumOutcomeRows+1)
		} else {
			b.skip(1)
		}
		hdrs := []string{"t3-result"}
		switch {
		case ri.Group == "":
			b.head(rid(r), ri.Label, "", 2, 1)
		case r == rowFirstOutcome || rows3[r-1].Group != ri.Group:
			gid := "t3-g" + strconv.Itoa(r)
			b.head(gid, ri.Group, "", 1, groupRows[ri.Group])
			b.head(rid(r), ri.Label, "", 1, 1)
			hdrs = append(hdrs, gid)
		default:
			b.skip(1)
			// The group heading started on the group's first row.
			first := r
			for first > rowFirstOutcome && rows3[first-1].Group == ri.Group {
				first--
			}
			b.head(rid(r), ri.Label, "", 1, 1)
			hdrs = append(hdrs, "t3-g"+strconv.Itoa(first))
		}
		values(r, append(hdrs, rid(r))...)
	}
	b.head(rid(RowForward), rows3[RowForward].Label, "row", 3, 1)
	values(RowForward, rid(RowForward))
	return b.g
}

// Grid4 lays out table 四.
func Grid4(t Table4, fails map[string]bool) Grid {
	b := &gridBuilder{g: Grid{Number: 4, Caption: "政府信息公开行政复议、行政诉讼情况", Cols: 15, HeaderRows: 3}}
	for i := 0; i < 15; i++ {
		b.g.Widths = append(b.g.Widths, 10.4)
	}
	b.head("t4-review", "行政复议", "colgroup", 5, 1)
	b.head("t4-suit", "行政诉讼", "colgroup", 10, 1)
	b.end()
	for r := 0; r < 5; r++ {
		b.head("t4-g0-c"+strconv.Itoa(r), Results4[r], "col", 1, 2)
	}
	b.head("t4-g1", "未经复议直接起诉", "colgroup", 5, 1)
	b.head("t4-g2", "复议后起诉", "colgroup", 5, 1)
	b.end()
	b.skip(5)
	for g := 1; g < 3; g++ {
		for r := 0; r < 5; r++ {
			b.head("t4-g"+strconv.Itoa(g)+"-c"+strconv.Itoa(r), Results4[r], "col", 1, 1)
		}
	}
	b.end()
	for g := 0; g < 3; g++ {
		for r := 0; r < 5; r++ {
			hdrs := []string{"t4-review"}
			if g > 0 {
				hdrs = []string{"t4-suit", "t4-g" + strconv.Itoa(g)}
			}
			s, n := count(t[g][r])
			b.value(Cell{4, g, r}, s, n, fails, 1, append(hdrs, "t4-g"+strconv.Itoa(g)+"-c"+strconv.Itoa(r))...)
		}
	}
	b.end()
	return b.g
}

// Grids are the document's three tables with failing cells marked.
func (d Document) Grids(fails map[string]bool) []Grid {
	return []Grid{Grid2(d.Table2, fails), Grid3(d.Table3, fails), Grid4(d.Table4, fails)}
}
