package participate_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/participate"
)

// The export opens back: Excel with both tables, CSV with a byte order
// mark; every comment is there as submitted and moderated, no name or
// contact is, and a citizen's text cannot become a formula.
func TestExports(t *testing.T) {
	f := start(t, "2026-05-06")
	ctx, svc := f.ctx, f.svc
	reviewer, editor := f.login(t, "zfb.reviewer"), f.login(t, "zfb.editor")
	c := f.published(t, 3, false)
	bodies := []string{
		"=HYPERLINK(\"http://evil.example\",\"点我\")",
		"建议第三条增加充电桩，电话13800138000。",
		"建议第三条增加充电桩，电话13800138000。",
		"与本事项无关的内容",
	}
	var ids []string
	for i, b := range bodies {
		in := participate.CommentInput{Body: b, Name: "王小明", Para: 3}
		if i < 2 {
			in.Contact = "wxm@example.com"
		}
		cm, err := svc.Submit(ctx, "198.51.100."+string(rune('1'+i)), c.ID, "", in)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cm.ID)
	}
	if _, err := svc.Moderate(ctx, reviewer, "x", ids[:3], participate.Decision{Approve: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Moderate(ctx, reviewer, "x", ids[3:], participate.Decision{Reason: "与本次征求意见（留言）事项无关"}); err != nil {
		t.Fatal(err)
	}
	f.clk.Set(day("2026-05-09"))
	if _, err := svc.GroupComments(ctx, editor, "x", c.ID, ids[1:3], "", "增加充电桩"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetDecisions(ctx, editor, "x", c.ID, ids[1:3], participate.Adopted, "已在第三条中增加"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetDecisions(ctx, editor, "x", c.ID, ids[:1], participate.NotAdopted, "与征求意见稿无关"); err != nil {
		t.Fatal(err)
	}
	if err := svc.SaveSummary(ctx, editor, "x", c.ID, "共收到意见 4 条。"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ExportData(ctx, f.login(t, "editor"), c.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another org's export: %v", err)
	}
	e, err := svc.ExportData(ctx, editor, c.ID)
	if err != nil {
		t.Fatal(err)
	}

	var xb bytes.Buffer
	if err := participate.WriteXLSX(&xb, e); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(xb.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ","); got != "意见,采纳情况" {
		t.Fatalf("sheets: %s", got)
	}
	rows, err := x.GetRows("意见")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2+len(bodies) || strings.Join(rows[1], "|") != strings.Join(participate.CommentHeader, "|") {
		t.Fatalf("comment sheet: %d rows, header %v", len(rows), rows[1])
	}
	if rows[2][5] != bodies[0] || rows[3][6] != "建议第三条增加充电桩，电话138****8000。" || rows[5][7] != "不予公开" ||
		rows[5][8] != "与本次征求意见（留言）事项无关" || rows[4][12] != "与第 2 条相同（相似度 100%）" || rows[3][13] != "增加充电桩" ||
		rows[3][14] != "采纳" || rows[4][3] != "第 3 段" {
		t.Errorf("comment rows:\n%v", rows[2:])
	}
	rrows, err := x.GetRows("采纳情况")
	if err != nil {
		t.Fatal(err)
	}
	if len(rrows) != 3+2 || !strings.Contains(rrows[1][0], "总体说明：共收到意见 4 条。") || !strings.Contains(rrows[1][0], "不予公开 1 条") ||
		rrows[3][1] != "增加充电桩" || rrows[3][2] != "2" || rrows[3][3] != "2、3" || rrows[4][4] != "不予采纳" {
		t.Errorf("report sheet:\n%v", rrows)
	}
	for _, sheet := range []string{"意见", "采纳情况"} {
		all, _ := x.GetRows(sheet)
		for _, r := range all {
			for _, v := range r {
				if strings.Contains(v, "王小明") || strings.Contains(v, "wxm@example.com") || strings.Contains(v, "198.51.100") {
					t.Errorf("%s exports personal data: %q", sheet, v)
				}
			}
		}
	}

	var cb bytes.Buffer
	if err := participate.WriteCommentsCSV(&cb, e); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(cb.Bytes(), []byte("\xEF\xBB\xBF")) {
		t.Error("comments CSV has no byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(cb.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+len(bodies) || recs[0][0] != "序号" || recs[1][5] != "'"+bodies[0] || recs[2][14] != "采纳" {
		t.Errorf("comments CSV: %v", recs)
	}
	var rb bytes.Buffer
	if err := participate.WriteReportCSV(&rb, e); err != nil {
		t.Fatal(err)
	}
	rr := csv.NewReader(bytes.NewReader(rb.Bytes()[3:]))
	rr.FieldsPerRecord = -1
	rrecs, err := rr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rrecs) != 3+2 || rrecs[0][1] != "共收到意见 4 条。" || rrecs[2][0] != "序号" || rrecs[3][1] != "增加充电桩" || rrecs[4][5] != "与征求意见稿无关" {
		t.Errorf("report CSV: %v", rrecs)
	}
}
