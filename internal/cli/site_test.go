package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSiteExport(t *testing.T) {
	flags := dbFlags(t)
	if r := run(t, flags, "", "demo"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	dir := filepath.Join(t.TempDir(), "mirror")

	// Without a 网站地址 the feeds would carry a guessed host.
	if r := run(t, flags, "", "site", "export", dir); r.code != 2 || !strings.Contains(r.stderr, "--base-url") {
		t.Fatalf("no base url: %+v", r)
	}
	r := run(t, flags, "", "site", "export", dir, "--base-url", "https://www.example.gov.cn")
	if r.code != 0 || !strings.Contains(r.stdout, "已导出到 "+dir) || !strings.Contains(r.stdout, "个文件") ||
		!strings.Contains(r.stderr, "正在导出") {
		t.Fatalf("export: %+v", r)
	}
	home, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil || !strings.Contains(string(home), "<!doctype html>") {
		t.Fatalf("index.html: %v", err)
	}
	sitemap, err := os.ReadFile(filepath.Join(dir, "sitemap.xml"))
	if err != nil || !strings.Contains(string(sitemap), "<loc>https://www.example.gov.cn/zfxxgk/") {
		t.Fatalf("sitemap does not use --base-url: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nginx.conf.example")); err != nil {
		t.Fatal(err)
	}

	// A non-empty target is refused unless --force.
	r = run(t, flags, "", "site", "export", dir, "--base-url", "https://www.example.gov.cn")
	if r.code != 2 || !strings.Contains(r.stderr, dir) || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("non-empty dir: %+v", r)
	}
	if err := os.WriteFile(filepath.Join(dir, "old.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, flags, "", "site", "export", dir, "--force", "--base-url", "https://www.example.gov.cn")
	if r.code != 0 {
		t.Fatalf("--force: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "old.txt")); err == nil {
		t.Error("--force kept the old content")
	}
	// An empty existing directory is fine.
	empty := t.TempDir()
	if r := run(t, flags, "", "site", "export", empty, "--base-url", "https://www.example.gov.cn"); r.code != 0 {
		t.Fatalf("empty dir: %+v", r)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"site"}, "export"},
		{[]string{"site", "import"}, "export"},
		{[]string{"site", "export"}, "缺少导出目录"},
		{[]string{"site", "export", "a", "b"}, "多余的参数"},
	} {
		if r := run(t, flags, "", c.args...); r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: %+v", c.args, r)
		}
	}
}
