package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/privacy"
)

// orgCode finds an org's code in "org list" by a word of its name.
func orgCode(t *testing.T, flags []string, name string) string {
	t.Helper()
	r := run(t, flags, "", "org", "list")
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.Contains(line, name) {
			for _, f := range strings.Fields(line) {
				if len(f) == 18 {
					return f
				}
			}
		}
	}
	t.Fatalf("no code for %s in:\n%s", name, r.stdout)
	return ""
}

func TestReportAnnual(t *testing.T) {
	flags := dbFlags(t)
	if r := run(t, flags, "", "demo"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	zfb := orgCode(t, flags, "示范区人民政府办公室")
	r := run(t, flags, "", "report", "annual", "--org", zfb, "--year", "2025")
	var doc struct {
		Title  string `json:"title"`
		Status string `json:"status"`
		Table3 struct {
			Rows []struct {
				Key    string `json:"key"`
				Values []int  `json:"values"`
			} `json:"rows"`
		} `json:"table3"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("json: %v %+v", err, r)
	}
	if doc.Title != "示范区人民政府办公室2025年政府信息公开工作年度报告" || doc.Status != "published" || len(doc.Table3.Rows) != 25 ||
		doc.Table3.Rows[0].Key != "new" || doc.Table3.Rows[0].Values[6] == 0 || r.stderr != "" {
		t.Errorf("published report: %+v stderr %q", doc, r.stderr)
	}

	out := filepath.Join(t.TempDir(), "nb.docx")
	r = run(t, flags, "", "report", "annual", "--org", zfb, "--year", "2025", "--format", "docx", "-o", out)
	data, _ := os.ReadFile(out)
	text, err := privacy.ExtractText("nb.docx", data)
	if r.code != 0 || err != nil || !strings.Contains(text, "三、收到和处理政府信息公开申请情况") || !strings.Contains(r.stderr, "已输出") {
		t.Errorf("docx: %+v %v", r, err)
	}
	r = run(t, flags, "", "report", "annual", "--org", zfb, "--year", "2025", "--format", "html")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "<!doctype html>") || !strings.Contains(r.stdout, `rowspan="22"`) {
		t.Errorf("html: %d %.200s", r.code, r.stdout)
	}
	out = filepath.Join(t.TempDir(), "nb.xlsx")
	if r = run(t, flags, "", "report", "annual", "--org", zfb, "--year", "2025", "--format", "xlsx", "-o", out); r.code != 0 {
		t.Errorf("xlsx: %+v", r)
	}
	if b, _ := os.ReadFile(out); len(b) < 4 || string(b[:2]) != "PK" {
		t.Errorf("xlsx file is not a zip")
	}

	// A draft says it is one.
	jyj := orgCode(t, flags, "示范区教育局")
	r = run(t, flags, "", "report", "annual", "--org", jyj, "--year", "2026")
	if r.code != 0 || !strings.Contains(r.stderr, "尚未发布，输出的是按当前数据生成的草稿") || !strings.Contains(r.stdout, `"status": "draft"`) {
		t.Errorf("draft: %+v", r)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report"}, 2, "缺少子命令"},
		{[]string{"report", "annual", "--year", "2025"}, 2, "需要 --org"},
		{[]string{"report", "annual", "--org", zfb, "--format", "pdf"}, 2, "--format 只能是"},
		{[]string{"report", "annual", "--org", zfb, "--year", "25"}, 2, "不是四位数的年度"},
		{[]string{"report", "annual", "--org", "91999901MA00000000", "--year", "2025"}, 2, "没有机构代码"},
		{[]string{"report", "annual", "--org", zfb, "--year", "2019"}, 1, "旧版格式"},
		{[]string{"report", "annual", "--org", orgCode(t, flags, "湖滨社区"), "--year", "2025"}, 1, "不编制政府信息公开工作年度报告"},
	} {
		r := run(t, flags, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: %d %q", tc.args, r.code, r.stderr)
		}
	}
}
