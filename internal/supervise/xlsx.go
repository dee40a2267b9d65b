package supervise

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"gongkai.dev/gongkai/internal/workday"
)

// Excel exports in the layout staff exchange (as the catalog's): a merged
// title row, one header row, borders, 宋体, the header frozen and repeated
// on every printed page, landscape A4 fitted to the width.

// Column is one column of an exported sheet.
type Column struct {
	Header string
	Width  float64
	Center bool
}

// Sheet is one worksheet: a title, columns and rows of text.
type Sheet struct {
	Name    string
	Title   string
	Columns []Column
	Rows    [][]string
}

// WriteXLSX writes the sheets as one workbook.
func WriteXLSX(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Family: "宋体"},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Size: 11, Family: "宋体"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F3F5F8"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	// Text format keeps codes and numbers as typed.
	text, err := f.NewStyle(&excelize.Style{Border: border, Font: &excelize.Font{Size: 10, Family: "宋体"}, NumFmt: 49,
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	center, err := f.NewStyle(&excelize.Style{Border: border, Font: &excelize.Font{Size: 10, Family: "宋体"}, NumFmt: 49,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	for i, sh := range sheets {
		name := sheetName(sh.Name)
		if i == 0 {
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("xlsx: sheet %q: %w", name, err)
		}
		last, _ := excelize.ColumnNumberToName(len(sh.Columns))
		cell := func(c, r int) string { s, _ := excelize.CoordinatesToCellName(c, r); return s }
		steps := []error{f.SetCellStr(name, "A1", sh.Title), f.MergeCell(name, "A1", last+"1"), f.SetRowHeight(name, 1, 36),
			f.SetCellStyle(name, "A1", last+"1", title), f.SetRowHeight(name, 2, 28)}
		for c, col := range sh.Columns {
			cn, _ := excelize.ColumnNumberToName(c + 1)
			steps = append(steps, f.SetColWidth(name, cn, cn, col.Width), f.SetCellStr(name, cell(c+1, 2), col.Header))
		}
		steps = append(steps, f.SetCellStyle(name, "A2", last+"2", header))
		for r, row := range sh.Rows {
			for c, v := range row {
				if c >= len(sh.Columns) {
					break
				}
				// excelize would cut longer text silently.
				if len(utf16.Encode([]rune(v))) > excelize.TotalCellChars {
					v = string([]rune(v)[:excelize.TotalCellChars/2]) + "…（已截断）"
				}
				steps = append(steps, f.SetCellStr(name, cell(c+1, r+3), v))
			}
		}
		if n := len(sh.Rows); n > 0 {
			for c, col := range sh.Columns {
				st := text
				if col.Center {
					st = center
				}
				steps = append(steps, f.SetCellStyle(name, cell(c+1, 3), cell(c+1, n+2), st))
			}
		}
		landscape, a4, one, zero, yes := "landscape", 9, 1, 0, true
		steps = append(steps,
			f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft",
				Selection: []excelize.Selection{{SQRef: "A3", ActiveCell: "A3", Pane: "bottomLeft"}}}),
			f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}),
			f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &yes}),
			f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
				RefersTo: "'" + strings.ReplaceAll(name, "'", "''") + "'!$2:$2", Scope: name}),
		)
		for _, err := range steps {
			if err != nil {
				return fmt.Errorf("xlsx: sheet %q: %w", name, err)
			}
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}

// FindingsSheet lays out findings; names maps org ids to names.
func FindingsSheet(title string, fs []Finding, names map[string]string) Sheet {
	sh := Sheet{Name: "检查发现的问题", Title: title, Columns: []Column{{"序号", 6, true}, {"单位", 18, false}, {"类别", 12, true},
		{"检查规则", 20, false}, {"严重程度", 9, true}, {"对象", 24, false}, {"问题情况", 60, false}, {"首次发现", 12, true},
		{"最近发现", 12, true}, {"状态", 8, true}, {"整改单", 16, true}}}
	for i, f := range fs {
		ticket := ""
		if f.TicketNo != "" {
			ticket = f.TicketNo + "（" + TicketStatusLabel(f.TicketStatus, f.TicketResolution) + "）"
		}
		sh.Rows = append(sh.Rows, []string{fmt.Sprint(i + 1), names[f.OrgID], GroupLabel(f.Group()), f.RuleName(),
			f.Severity.Label(), f.ObjectLabel, f.Evidence, isoDay(f.FirstSeen), isoDay(f.LastSeen), f.StatusLabel(), ticket})
	}
	return sh
}

// TicketsSheet lays out tickets.
func TicketsSheet(title string, ts []Ticket, names map[string]string, today workday.Date) Sheet {
	sh := Sheet{Name: "整改单", Title: title, Columns: []Column{{"整改单号", 14, true}, {"整改单位", 18, false}, {"检查规则", 18, false},
		{"问题", 40, false}, {"整改要求", 36, false}, {"下发日期", 11, true}, {"整改期限", 11, true}, {"状态", 14, true},
		{"督办", 11, true}, {"反馈情况", 40, false}, {"反馈日期", 11, true}, {"办结日期", 11, true}}}
	for _, t := range ts {
		esc := ""
		switch {
		case t.EscalatedOn != "":
			esc = "已督办（" + t.EscalatedOn + "）"
		case t.Overdue(today):
			esc = "已逾期"
		}
		sh.Rows = append(sh.Rows, []string{t.No, names[t.OrgID], t.Finding.RuleName(), t.Finding.ObjectLabel + "：" + t.Finding.Evidence,
			t.Request, t.OpenedOn, t.DueOn, t.StatusLabel(), esc, t.Reply, t.RepliedOn, t.ClosedOn})
	}
	return sh
}

// ScoreSheets lays out a period's results: the ranking, then every
// deduction itemised.
func ScoreSheets(sc Scores) []Sheet {
	status := "（实时计算，未存档）"
	if sc.Saved != nil {
		status = fmt.Sprintf("（第 %d 版存档，计算至 %s）", sc.Saved.Version, sc.AsOf)
	}
	rank := Sheet{Name: "得分排名", Title: sc.Period.Label() + "政务公开考核得分" + status, Columns: []Column{{"名次", 6, true},
		{"单位", 24, false}, {"扣分指标得分", 12, true}, {"扣分合计", 10, true}, {"加分", 8, true}, {"最终得分", 10, true},
		{"等次", 8, true}, {"单项否决", 24, false}, {fmt.Sprintf("折合绩效考核分（权重 %d%%）", sc.Table.PerformanceWeight), 14, true},
		{"加分说明", 30, false}}}
	detail := Sheet{Name: "扣分明细", Title: sc.Period.Label() + "扣分明细", Columns: []Column{{"单位", 20, false}, {"指标编号", 8, true},
		{"指标", 18, false}, {"类型", 8, true}, {"问题数", 8, true}, {"每处扣分", 8, true}, {"分值", 8, true}, {"扣分", 8, true},
		{"问题情况", 70, false}}}
	for _, r := range sc.Rows {
		rank.Rows = append(rank.Rows, []string{fmt.Sprint(r.Rank), r.OrgName, r.Base.String(), r.Deducted().String(), r.Bonus.String(),
			r.Final.String(), r.Grade, strings.Join(r.VetoNames(), "、"), r.Performance(sc.Table.PerformanceWeight).String(), r.BonusNote})
		for _, l := range r.Lines {
			if l.Count == 0 {
				continue
			}
			var items []string
			for _, it := range l.Items {
				items = append(items, it.Label+"："+it.Evidence)
			}
			kind, per, weight, pts := "扣分", l.Per.String(), l.Weight.String(), l.Points.String()
			if l.Kind == KindVeto {
				kind, per, weight, pts = "单项否决", "", "", ""
				if l.Vetoed {
					pts = "否决"
				}
			}
			detail.Rows = append(detail.Rows, []string{r.OrgName, l.Code, l.Name, kind, fmt.Sprint(l.Count), per, weight, pts,
				strings.Join(items, "\n")})
		}
	}
	return []Sheet{rank, detail}
}

func isoDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return workday.DateOf(t).String()
}
