package web_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/web"
)

// exportedURI inverts the mirror's layout: the URL a file answers and the
// status the server gives it.
func exportedURI(rel string) (string, int) {
	switch {
	case rel == "404.html":
		return "/404.html", http.StatusNotFound
	case strings.HasPrefix(rel, "_gone/"):
		return "/" + strings.TrimSuffix(strings.TrimPrefix(rel, "_gone/"), ".html"), http.StatusGone
	case strings.HasPrefix(rel, "_q/"):
		dirPart, q := path.Split(strings.TrimPrefix(rel, "_q"))
		p := strings.TrimSuffix(dirPart, "/")
		ext := path.Ext(p)
		if ext == "" {
			ext = ".html"
		}
		return p + "?" + strings.TrimSuffix(q, ext), http.StatusOK
	case rel == "index.html" || strings.HasSuffix(rel, "/index.html"):
		return "/" + strings.TrimSuffix(rel, "index.html"), http.StatusOK
	case strings.HasSuffix(rel, ".html"):
		return "/" + strings.TrimSuffix(rel, ".html"), http.StatusOK
	}
	return "/" + rel, http.StatusOK
}

// resolvesInMirror follows the rules of nginx.conf.example.
func resolvesInMirror(dir string, u *url.URL) bool {
	exists := func(rel string) bool {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
		return err == nil && !fi.IsDir()
	}
	p := u.Path
	if u.RawQuery != "" {
		ext := path.Ext(p)
		if ext == "" {
			ext = ".html"
		}
		return exists("_q" + p + "/" + u.RawQuery + ext)
	}
	if strings.HasSuffix(p, "/") {
		return exists(p + "index.html")
	}
	return exists(p) || exists(p+".html") || exists("_gone"+p+".html")
}

// Routes served by gongkai itself (proxied by the nginx example).
var dynamicPrefixes = []string{"/elder", "/admin", "/api/", "/search", "/zcwjk", "/ysqgk/sq", "/ysqgk/cx", "/hdjl", "/favicon.ico"}

func TestSiteExportMatchesServer(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "site")
	calls, total := 0, 0
	st, err := env.App.Web.Export(ctx, web.ExportOptions{Dir: dir, BaseURL: env.URL,
		Progress: func(done, n int) { calls, total = done, n }})
	if err != nil {
		t.Fatal(err)
	}
	if calls != total || total == 0 || st.Pages == 0 || st.Files != total+1 || st.Bytes == 0 {
		t.Fatalf("stats %+v, progress %d/%d", st, calls, total)
	}
	if st.Attachments == 0 {
		t.Error("demo attachments not exported")
	}
	// No temporary directory is left beside the mirror.
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".site.export-*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}

	c := env.Client(t)
	files, gone, queries := 0, 0, 0
	var pages []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "nginx.conf.example" {
			return nil
		}
		files++
		uri, status := exportedURI(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		live := c.Get(uri)
		if live.StatusCode != status || live.Body != string(data) {
			t.Errorf("%s (%s): live %d, %d bytes; exported %d bytes (want status %d)", rel, uri, live.StatusCode,
				len(live.Body), len(data), status)
		}
		if status == http.StatusGone {
			gone++
		}
		if strings.Contains(uri, "?") {
			queries++
		}
		if strings.HasSuffix(rel, ".html") {
			pages = append(pages, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != total || gone == 0 || queries == 0 {
		t.Errorf("files %d (items %d), withdrawn %d, query pages %d", files, total, gone, queries)
	}

	// Every internal link of every exported page resolves in the mirror,
	// or is a route gongkai serves dynamically.
	checked := 0
	for _, p := range pages {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range apptest.All(doc, "a") {
			checkLink(t, dir, p, apptest.Attr(n, "href"), &checked)
		}
		for _, n := range apptest.All(doc, "link") {
			checkLink(t, dir, p, apptest.Attr(n, "href"), &checked)
		}
	}
	t.Logf("exported %d files (%d pages, %d attachments, %d query pages, %d withdrawn), %d links checked",
		files, st.Pages, st.Attachments, queries, gone, checked)
	if checked < 100 {
		t.Errorf("only %d links checked", checked)
	}

	conf, err := os.ReadFile(filepath.Join(dir, "nginx.conf.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"root \"" + dir + "\"", "map $args $gk_q", "Content-Security-Policy", "/fj/", "filename*=UTF-8''"} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("nginx.conf.example lacks %q", want)
		}
	}

	// A second export replaces the first in one step.
	if err := os.WriteFile(filepath.Join(dir, "stale.html"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Web.ExportSite(ctx, dir, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stale.html")); err == nil {
		t.Error("old mirror content survived a new export")
	}
}

func checkLink(t *testing.T, dir, page, href string, checked *int) {
	t.Helper()
	if href == "" || !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") {
		return
	}
	u, err := url.Parse(href)
	if err != nil {
		t.Errorf("%s: bad link %q", page, href)
		return
	}
	for _, d := range dynamicPrefixes {
		if strings.HasPrefix(u.Path, d) {
			return
		}
	}
	*checked++
	if !resolvesInMirror(dir, u) {
		rel, _ := filepath.Rel(dir, page)
		t.Errorf("%s links %s, which the mirror lacks", rel, href)
	}
}
