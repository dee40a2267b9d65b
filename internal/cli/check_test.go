package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// gongkai check runs one supervision check over the district (or one
// org's subtree), prints the findings (JSON lines with --json) and exits 1
// when anything is found, like privacy scan.
func TestCheckCommand(t *testing.T) {
	dbArgs := dbFlags(t)
	if r := run(t, dbArgs, "", "demo"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	r := run(t, dbArgs, "", "check", "--json")
	if r.code != 1 || !strings.Contains(r.stderr, "存在问题") {
		t.Fatalf("check: code %d stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	orgs := map[string]bool{}
	for _, l := range lines {
		var f map[string]any
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		if f["rule"] == "" || f["evidence"] == "" || f["org_code"] == "" || f["severity"] == "" {
			t.Fatalf("incomplete finding: %v", f)
		}
		orgs[f["org_code"].(string)] = true
	}
	if len(lines) < 20 || len(orgs) < 5 {
		t.Errorf("check found %d problems in %d orgs", len(lines), len(orgs))
	}
	// One street and its communities.
	all := run(t, dbArgs, "", "org", "list")
	code := ""
	for _, l := range strings.Split(all.stdout, "\n") {
		if strings.Contains(l, "示范区西城街道办事处") {
			for _, f := range strings.Fields(l) {
				if len(f) == 18 {
					code = f
				}
			}
		}
	}
	if code == "" {
		t.Fatalf("org list: %s", all.stdout)
	}
	r = run(t, dbArgs, "", "check", "--org", code)
	if r.code != 1 || !strings.Contains(r.stdout, "西城街道") || strings.Contains(r.stdout, "东湖街道") ||
		!strings.Contains(r.stderr, "示范区西城街道办事处及其下级") {
		t.Errorf("check --org: %+v", r)
	}
	if r := run(t, dbArgs, "", "check", "--org", "91999901NOSUCHORG"); r.code != 2 || !strings.Contains(r.stderr, "不存在") {
		t.Errorf("unknown org: %+v", r)
	}
}
