package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
