package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestApplyDeadline(t *testing.T) {
	db := dbFlags(t)
	file := filepath.Join(t.TempDir(), "events.txt")
	os.WriteFile(file, []byte("# 案件事件\n2026-01-05 征求意见 party=third_party ref=A\n2026-01-14 收到意见 ref=A\n2026-01-20 延期 days=10\n"), 0o644)
	r := run(t, db, "", "apply", "deadline", "--received", "2025-12-24", "--events", file, "--today", "2026-01-21")
	if r.code != 0 || !strings.Contains(r.stdout, "答复期限：2026-02-14") || !strings.Contains(r.stdout, "共 7 个工作日不计入") {
		t.Fatalf("code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, tc := range []struct{ content, want string }{
		{"2026-01-05 phoned\n", "第1行：未知事件"},
		{"\n2026-13-05 延期 days=3\n", "第2行"},
		{"2026-01-05 延期 days=x\n", "days 应为整数"},
		{"2026-01-05 收到意见 ref=Z\n", "没有待答复的征求意见"},
	} {
		os.WriteFile(file, []byte(tc.content), 0o644)
		r := run(t, db, "", "apply", "deadline", "--received", "2025-12-24", "--events", file)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: code %d, stderr %q", tc.content, r.code, r.stderr)
		}
	}
	if r := run(t, db, "", "apply", "deadline"); r.code != 2 || !strings.Contains(r.stderr, "--received") {
		t.Errorf("missing --received: %d %q", r.code, r.stderr)
	}
}

func TestApplyExport(t *testing.T) {
	flags := dbFlags(t)
	if r := run(t, flags, "", "demo"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	r := run(t, flags, "", "org", "list")
	var code string
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.Contains(line, "区人民政府办公室") || strings.Contains(line, "区政府办") {
			for _, f := range strings.Fields(line) {
				if len(f) == 18 {
					code = f
				}
			}
		}
	}
	if code == "" {
		t.Fatalf("no code for 区政府办 in:\n%s", r.stdout)
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	from, to := today.AddDate(0, 0, -120).Format("2006-01-02"), today.Format("2006-01-02")
	out := filepath.Join(t.TempDir(), "cases.csv")
	r = run(t, flags, "", "apply", "export", "--org", code, "--from", from, "--to", to, "-o", out)
	b, _ := os.ReadFile(out)
	csv := string(b)
	if r.code != 0 || !strings.HasPrefix(csv, "\uFEFF查询号,机构,") || strings.Count(csv, "\r\n") < 10 {
		t.Fatalf("csv: %+v\n%s", r, csv)
	}
	for _, personal := range []string{"陈建国", "13800000001", "demo@example.com"} {
		if strings.Contains(csv, personal) {
			t.Errorf("export holds personal data %q", personal)
		}
	}
	if !strings.Contains(csv, "（三）6") || !strings.Contains(csv, "部分公开") {
		t.Errorf("export lacks outcomes:\n%s", csv)
	}
	r = run(t, flags, "", "apply", "export", "--org", code, "--from", from, "--to", to, "--format", "json")
	var doc struct {
		Count int `json:"count"`
		Cases []struct {
			TrackingNo string `json:"tracking_no"`
			ReportRow  string `json:"report_row"`
		} `json:"cases"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Count < 10 || doc.Count != len(doc.Cases) {
		t.Fatalf("json: %v %d %s", err, doc.Count, r.stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--org", code, "--from", to, "--to", from}, "截止日期不能早于起始日期"},
		{[]string{"--org", code, "--from", "2026/1/1", "--to", to}, "起始日期应为"},
		{[]string{"--org", "nope", "--from", from, "--to", to}, "没有机构代码为 nope"},
		{[]string{"--org", code, "--from", from, "--to", to, "--format", "xml"}, "csv 或 json"},
		{[]string{"--from", from, "--to", to}, "--org"},
	} {
		r := run(t, flags, "", append([]string{"apply", "export"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: %d %q", tc.args, r.code, r.stderr)
		}
	}
}
