package participate

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"gongkai.dev/gongkai/internal/org"
)

// Export is everything a solicitation's export holds. It is a staff
// working file: it has every comment as submitted (with the moderation
// outcome) but never the commenter's name, contact or address.
type Export struct {
	Solicitation Solicitation
	OrgName      string
	Comments     []Comment
	Report       Report
	groups       map[string]string // id → summary
	seqOf        map[string]int    // comment id → number
}

// ExportData gathers a solicitation's comments and adoption report for
// staff who may see it.
func (s *Service) ExportData(ctx context.Context, p *org.Principal, solID string) (Export, error) {
	sol, err := s.Get(ctx, p, solID)
	if err != nil {
		return Export{}, err
	}
	e := Export{Solicitation: sol, groups: map[string]string{}, seqOf: map[string]int{}}
	if o, err := s.Orgs.GetOrg(ctx, sol.OrgID); err == nil {
		e.OrgName = o.Name
	}
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+commentCols+" FROM participate_comments WHERE solicitation_id = $1 ORDER BY seq", solID)
	if err != nil {
		return Export{}, err
	}
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			rows.Close()
			return Export{}, err
		}
		e.Comments = append(e.Comments, c)
		e.seqOf[c.ID] = c.Seq
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Export{}, err
	}
	groups, err := s.Groups(ctx, solID)
	if err != nil {
		return Export{}, err
	}
	for _, g := range groups {
		e.groups[g.ID] = g.Summary
	}
	if e.Report, err = s.Report(ctx, sol); err != nil {
		return Export{}, err
	}
	return e, nil
}

// CommentHeader is the comments table's header (Excel sheet and CSV).
var CommentHeader = []string{"序号", "意见编号", "提交时间", "针对段落", "引用原文", "意见内容（提交原文）", "公开文本（已遮盖个人信息）",
	"审核状态", "不予公开理由", "审核说明", "审核人", "审核时间", "相同或相近意见", "意见组", "采纳情况", "采纳理由"}

// ReportHeader is the adoption report table's header.
var ReportHeader = []string{"序号", "意见概要或内容", "意见条数", "意见序号", "采纳情况", "理由"}

func (e Export) commentRows() [][]string {
	var out [][]string
	for _, c := range e.Comments {
		para := "全文"
		if c.Para > 0 {
			para = fmt.Sprintf("第 %d 段", c.Para)
		}
		dup := ""
		if c.DupOf != "" {
			kind := "相近"
			if c.DupKind == "exact" {
				kind = "相同"
			}
			dup = fmt.Sprintf("与第 %d 条%s（相似度 %d%%）", e.seqOf[c.DupOf], kind, c.DupScore)
		}
		modAt := ""
		if !c.ModeratedAt.IsZero() {
			modAt = c.ModeratedAt.In(cst).Format("2006-01-02 15:04")
		}
		decision := ""
		if c.Status == CommentApproved {
			decision = DecisionLabels[c.Decision]
		}
		out = append(out, []string{fmt.Sprint(c.Seq), c.ReceiptNo, c.CreatedAt.In(cst).Format("2006-01-02 15:04"), para, c.Passage,
			c.Body, c.PublicBody, CommentStatusLabels[c.Status], c.RejectReason, c.RejectNote, c.ModeratedBy, modAt, dup,
			e.groups[c.GroupID], decision, c.Reason})
	}
	return out
}

func (e Export) reportRows() [][]string {
	var out [][]string
	for i, it := range e.Report.Items {
		text := it.Summary
		if text == "" {
			text = it.Comments[0].Text
		}
		decision, reason := DecisionLabels[it.Decision], it.Reason
		if it.Mixed {
			var parts []string
			for _, c := range it.Comments {
				r := DecisionLabels[c.Decision]
				if c.Reason != "" {
					r += "：" + c.Reason
				}
				parts = append(parts, fmt.Sprintf("第 %d 条%s", c.Seq, r))
			}
			decision, reason = "分别处理", strings.Join(parts, "；")
		}
		out = append(out, []string{fmt.Sprint(i + 1), text, fmt.Sprint(len(it.Comments)), it.Seqs(), decision, reason})
	}
	return out
}

// reportCounts is the line under the report's title.
func (e Export) reportCounts() string {
	r := e.Report
	s := fmt.Sprintf("共收到意见 %d 条，公开 %d 条：采纳 %d 条、部分采纳 %d 条、不予采纳 %d 条", len(e.Comments), r.Total,
		r.ByDecision[Adopted], r.ByDecision[PartlyAdopted], r.ByDecision[NotAdopted])
	if n := r.ByDecision[""]; n > 0 {
		s += fmt.Sprintf("、尚未答复 %d 条", n)
	}
	if r.RejectedTotal > 0 {
		var parts []string
		for _, rc := range r.Rejected {
			parts = append(parts, fmt.Sprintf("%s %d 条", rc.Reason, rc.N))
		}
		s += fmt.Sprintf("；不予公开 %d 条（%s）", r.RejectedTotal, strings.Join(parts, "，"))
	}
	if r.Pending > 0 {
		s += fmt.Sprintf("；待审核 %d 条", r.Pending)
	}
	return s + "。"
}

// WriteXLSX writes the workbook: the comments sheet and the adoption
// report sheet, headed like the catalog exchange workbook (title row,
// bold bordered header, frozen panes, A4 landscape with repeated header).
func WriteXLSX(w io.Writer, e Export) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	widths := []float64{6, 22, 16, 9, 24, 40, 40, 9, 22, 18, 10, 16, 20, 20, 10, 30}
	if err := f.SetSheetName("Sheet1", "意见"); err != nil {
		return err
	}
	if err := writeSheet(f, st, "意见", e.Solicitation.Title+" 意见汇总", "", CommentHeader, widths, e.commentRows()); err != nil {
		return err
	}
	if _, err := f.NewSheet("采纳情况"); err != nil {
		return err
	}
	note := e.reportCounts()
	if e.Report.Summary != "" {
		note = "总体说明：" + e.Report.Summary + "\n" + note
	}
	if err := writeSheet(f, st, "采纳情况", e.Solicitation.Title+" 意见采纳情况", note, ReportHeader,
		[]float64{6, 50, 9, 16, 12, 50}, e.reportRows()); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

type styles struct{ title, note, header, text int }

func newStyles(f *excelize.File) (styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	var st styles
	var err error
	for _, x := range []struct {
		id    *int
		style excelize.Style
	}{
		{&st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Family: "宋体"},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&st.note, excelize.Style{Font: &excelize.Font{Size: 10, Family: "宋体"},
			Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}}},
		{&st.header, excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Size: 11, Family: "宋体"},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		// Text format keeps numbers typed later as text (意见编号, 序号 lists).
		{&st.text, excelize.Style{Border: border, Font: &excelize.Font{Size: 10, Family: "宋体"},
			Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}, NumFmt: 49}},
	} {
		if *x.id, err = f.NewStyle(&x.style); err != nil {
			return st, err
		}
	}
	return st, nil
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func writeSheet(f *excelize.File, st styles, name, title, note string, header []string, widths []float64, rows [][]string) error {
	last := len(header)
	hr := 2 // header row
	steps := []error{f.SetCellStr(name, "A1", title), f.MergeCell(name, "A1", cell(last, 1)), f.SetRowHeight(name, 1, 32),
		f.SetCellStyle(name, "A1", cell(last, 1), st.title)}
	if note != "" {
		hr = 3
		lines := strings.Count(note, "\n") + 1 + len([]rune(note))/120
		steps = append(steps, f.SetCellStr(name, "A2", note), f.MergeCell(name, "A2", cell(last, 2)),
			f.SetRowHeight(name, 2, float64(16*min(lines, 20))), f.SetCellStyle(name, "A2", cell(last, 2), st.note))
	}
	for c, h := range header {
		steps = append(steps, f.SetCellStr(name, cell(c+1, hr), h), f.SetColWidth(name, colName(c+1), colName(c+1), widths[c]))
	}
	steps = append(steps, f.SetCellStyle(name, cell(1, hr), cell(last, hr), st.header), f.SetRowHeight(name, hr, 30))
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	for i, row := range rows {
		r := hr + 1 + i
		for c, v := range row {
			// excelize would cut a cell silently; a comment that does not
			// fit must not look exported in full.
			if len(utf16.Encode([]rune(v))) > excelize.TotalCellChars {
				v = string(utf16.Decode(utf16.Encode([]rune(v))[:excelize.TotalCellChars-20])) + "……（超长，已截断）"
			}
			if err := f.SetCellStr(name, cell(c+1, r), v); err != nil {
				return err
			}
		}
	}
	if len(rows) > 0 {
		if err := f.SetCellStyle(name, cell(1, hr+1), cell(last, hr+len(rows)), st.text); err != nil {
			return err
		}
	}
	landscape, a4, one, zero, yes := "landscape", 9, 1, 0, true
	for _, err := range []error{
		f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: hr, TopLeftCell: cell(1, hr+1), ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: cell(1, hr+1), ActiveCell: cell(1, hr+1), Pane: "bottomLeft"}}}),
		f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}),
		f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &yes}),
		f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
			RefersTo: fmt.Sprintf("'%s'!$%d:$%d", strings.ReplaceAll(name, "'", "''"), hr, hr), Scope: name}),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func colName(c int) string {
	n, _ := excelize.ColumnNumberToName(c)
	return n
}

// WriteCommentsCSV writes every comment as CSV with a UTF-8 byte order
// mark (Excel and WPS need it to read Chinese).
func WriteCommentsCSV(w io.Writer, e Export) error {
	return writeCSV(w, CommentHeader, e.commentRows())
}

// WriteReportCSV writes the adoption report as CSV (the first lines hold
// the overall statement and the counts).
func WriteReportCSV(w io.Writer, e Export) error {
	rows := [][]string{{"总体说明", e.Report.Summary}, {"统计", e.reportCounts()}}
	return writeCSV(w, nil, append(append(rows, ReportHeader), e.reportRows()...))
}

func writeCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if header != nil {
		if err := cw.Write(header); err != nil {
			return err
		}
	}
	for _, r := range rows {
		rec := make([]string, len(r))
		for i, v := range r {
			rec[i] = csvSafe(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a citizen's text as a formula
// (the same rule as the application export).
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
