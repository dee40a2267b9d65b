package report

import (
	"fmt"
	"strings"
)

// Cell is one data cell of a table: Table 2, 3 or 4 and its row and column
// in that table's data (table 二: rows 规章, 行政规范性文件, 行政许可,
// 行政处罚, 行政强制, 行政事业性收费 and columns 本年制发, 本年废止, 现行有效;
// the four single-figure rows use column 0; table 四: row = group).
type Cell struct {
	Table, Row, Col int
}

// ID is the cell's identifier in pages and forms, e.g. t3-r0-c6.
func (c Cell) ID() string { return fmt.Sprintf("t%d-r%d-c%d", c.Table, c.Row, c.Col) }

// Problem is a broken 勾稽 rule or an impossible figure, with the cells it
// concerns. Message names them as staff read the printed table.
type Problem struct {
	Message string `json:"message"`
	Cells   []Cell `json:"cells"`
}

// Failing is the set of cell IDs some problem names.
func Failing(ps []Problem) map[string]bool {
	m := map[string]bool{}
	for _, p := range ps {
		for _, c := range p.Cells {
			m[c.ID()] = true
		}
	}
	return m
}

// Rows2 are table 二's data rows.
var Rows2 = []string{"规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费"}

// Cols2 are the columns of table 二's first group.
var Cols2 = []string{"本年制发件数", "本年废止件数", "现行有效件数"}

func col3Name(c int) string { return Cols3Info()[c].Label + "列" }

// Validate checks every 勾稽 rule of the format on t, as given (no cell is
// recomputed first):
//
//   - every figure is non-negative (integers by type);
//   - table 三, each column: 一 + 二 = 三（七）总计 + 四;
//   - table 三, each column: （七）总计 = the sum of (一) to (六)'s rows;
//   - table 三, each row: the 总计 column = the sum of the six applicant columns;
//   - table 四, each group: 总计 = the sum of its four results.
//
// Tables built from the platform's records pass by construction; entered,
// imported and stored (snapshot) figures are what this guards.
func Validate(t Tables) []Problem {
	var ps []Problem
	add := func(msg string, cells ...Cell) { ps = append(ps, Problem{Message: msg, Cells: cells}) }

	t2 := [][]int{
		{t.T2.Rules.Made, t.T2.Rules.Abolished, t.T2.Rules.InForce},
		{t.T2.Normative.Made, t.T2.Normative.Abolished, t.T2.Normative.InForce},
		{t.T2.Licensing}, {t.T2.Penalty}, {t.T2.Enforcement},
	}
	for r, vals := range t2 {
		for c, v := range vals {
			if v < 0 {
				col := "本年处理决定数量"
				if r < 2 {
					col = Cols2[c]
				}
				add(fmt.Sprintf("表二 %s %s为 %d，不能为负数", Rows2[r], col, v), Cell{2, r, c})
			}
		}
	}
	if t.T2.FeeYuan < 0 {
		add(fmt.Sprintf("表二 行政事业性收费 本年收费金额为 %s 万元，不能为负数", FormatWan(t.T2.FeeYuan)), Cell{2, 5, 0})
	}

	for r := range t.T3 {
		for c := range t.T3[r] {
			if t.T3[r][c] < 0 {
				add(fmt.Sprintf("表三 %s %s为 %d，不能为负数", rows3[r].Name(), col3Name(c), t.T3[r][c]), Cell{3, r, c})
			}
		}
	}
	for c := 0; c < Cols3; c++ {
		in := t.T3[RowNew][c] + t.T3[RowCarried][c]
		out := t.T3[RowTotal][c] + t.T3[RowForward][c]
		if in != out {
			add(fmt.Sprintf("表三 %s：一+二=%d，三（七）+四=%d", col3Name(c), in, out),
				Cell{3, RowNew, c}, Cell{3, RowCarried, c}, Cell{3, RowTotal, c}, Cell{3, RowForward, c})
		}
		sum := 0
		var cells []Cell
		for r := rowFirstOutcome; r < RowTotal; r++ {
			sum += t.T3[r][c]
			cells = append(cells, Cell{3, r, c})
		}
		if sum != t.T3[RowTotal][c] {
			add(fmt.Sprintf("表三 %s：三（七）总计=%d，（一）至（六）各项之和=%d", col3Name(c), t.T3[RowTotal][c], sum),
				append([]Cell{{3, RowTotal, c}}, cells...)...)
		}
	}
	for r := range t.T3 {
		sum := 0
		for c := 0; c < ColTotal; c++ {
			sum += t.T3[r][c]
		}
		if sum != t.T3[r][ColTotal] {
			cells := []Cell{{3, r, ColTotal}}
			for c := 0; c < ColTotal; c++ {
				cells = append(cells, Cell{3, r, c})
			}
			add(fmt.Sprintf("表三 %s 行：总计列=%d，六类申请人之和=%d", rows3[r].Name(), t.T3[r][ColTotal], sum), cells...)
		}
	}

	for g := range t.T4 {
		for r := range t.T4[g] {
			if t.T4[g][r] < 0 {
				add(fmt.Sprintf("表四 %s %s为 %d，不能为负数", Groups4[g], Results4[r], t.T4[g][r]), Cell{4, g, r})
			}
		}
		sum := t.T4[g][0] + t.T4[g][1] + t.T4[g][2] + t.T4[g][3]
		if sum != t.T4[g][4] {
			add(fmt.Sprintf("表四 %s：总计=%d，结果维持、结果纠正、其他结果、尚未审结之和=%d", Groups4[g], t.T4[g][4], sum),
				Cell{4, g, 4}, Cell{4, g, 0}, Cell{4, g, 1}, Cell{4, g, 2}, Cell{4, g, 3})
		}
	}
	return ps
}

// Messages joins problems for one line of text.
func Messages(ps []Problem) string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "；")
}
