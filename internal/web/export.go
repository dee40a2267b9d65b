package web

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
)

// The static export: every public URL rendered in-process through the same
// handler chain the server uses (so the files hold the bytes the server
// sends) and written in a layout nginx or a CDN serves with the generated
// nginx.conf.example:
//
//	/                          → index.html
//	/zfxxgk/C/                 → zfxxgk/C/index.html
//	/zfxxgk/C/xxgk             → zfxxgk/C/xxgk.html       (a page without extension)
//	/zfxxgk/C/xxgk/ID          → zfxxgk/C/xxgk/ID.html
//	/zfxxgk/C/feed.atom        → zfxxgk/C/feed.atom       (files keep their name)
//	/zfxxgk/C/xxgk/ID/fj/HASH  → zfxxgk/C/xxgk/ID/fj/HASH (type and name in the nginx config)
//	/P?QUERY                   → _q/P/QUERY.html, or _q/P/QUERY.atom for P = …/feed.atom
//	a withdrawn record (410)   → _gone/zfxxgk/C/xxgk/ID.html
//	the 404 page               → 404.html (what GET /404.html answers)
//
// Query strings (filters and pagination: ?tc=政策文件&page=2) are stored
// under their raw form, spelled as the portal's own links spell them;
// nginx looks up "/_q$uri/$args" first. Templates write percent-escapes in
// lower case and url.QueryEscape in upper case, so a filter page linked
// both ways is exported under both spellings.

// ExportOptions configure Export.
type ExportOptions struct {
	// Dir receives the mirror. It is built in a temporary sibling and
	// renamed into place at the end, replacing Dir if it exists, so a
	// failed export leaves no half mirror.
	Dir string
	// BaseURL (scheme://host) is the origin the pages are rendered for;
	// feeds and the sitemap print it when the 网站地址 setting is empty.
	// Default: the setting, else http://localhost.
	BaseURL string
	// Upstream is the gongkai address the nginx example proxies dynamic
	// routes (/admin, /api, /elder, search, 长者模式 pages) to; default
	// 127.0.0.1:8080.
	Upstream string
	// Progress, when set, is called after each URL.
	Progress func(done, total int)
}

// ExportStats summarise an export.
type ExportStats struct {
	Files       int   // files written (pages, feeds, assets, attachments, config)
	Bytes       int64 // bytes written
	Pages       int   // HTML pages (including 410 notices and the 404 page)
	Attachments int
	Duration    time.Duration
}

// ExportSite writes a static mirror of the public portal into dir with the
// default options.
func (s *Server) ExportSite(ctx context.Context, dir string, progress func(done, total int)) (ExportStats, error) {
	return s.Export(ctx, ExportOptions{Dir: dir, Progress: progress})
}

// exportItem is one URL to render and the status it must answer.
type exportItem struct {
	uri    string
	status int
}

// exported is what rendering an item produced.
type exported struct {
	item        exportItem
	file        string // relative, slash-separated
	contentType string
	disposition string
	size        int
}

// Export writes a static mirror of the public portal.
func (s *Server) Export(ctx context.Context, opt ExportOptions) (ExportStats, error) {
	start := time.Now()
	var st ExportStats
	if opt.Dir == "" {
		return st, errors.New("export: no directory")
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return st, err
	}
	base, err := s.exportBase(ctx, opt.BaseURL)
	if err != nil {
		return st, err
	}
	items, err := s.exportItems(ctx)
	if err != nil {
		return st, err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return st, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".export-")
	if err != nil {
		return st, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return st, err
	}

	results := make([]exported, len(items))
	var (
		mu    sync.Mutex
		done  int
		first error
	)
	work := make(chan int)
	var wg sync.WaitGroup
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				res, n, err := s.exportOne(ectx, base, tmp, items[i])
				mu.Lock()
				if err != nil && first == nil {
					first = err
					cancel()
				}
				results[i] = res
				st.Files += n
				st.Bytes += int64(res.size)
				done++
				if opt.Progress != nil {
					opt.Progress(done, len(items))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range items {
		select {
		case work <- i:
		case <-ectx.Done():
		}
		if ectx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if first != nil {
		return st, first
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	for _, r := range results {
		switch {
		case strings.HasPrefix(r.contentType, "text/html"):
			st.Pages++
		case r.disposition != "":
			st.Attachments++
		}
	}
	conf := nginxExample(dir, opt.Upstream, results)
	if err := os.WriteFile(filepath.Join(tmp, "nginx.conf.example"), conf, 0o644); err != nil {
		return st, err
	}
	st.Files++
	st.Bytes += int64(len(conf))
	if err := replaceDir(tmp, dir); err != nil {
		return st, err
	}
	ok = true
	st.Duration = time.Since(start)
	return st, nil
}

// exportBase is the origin requests are made for.
func (s *Server) exportBase(ctx context.Context, raw string) (*url.URL, error) {
	if raw == "" {
		if st, err := s.Site.Get(ctx); err == nil && st.BaseURL != "" {
			raw = st.BaseURL
		} else {
			raw = "http://localhost"
		}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, apperr.Field("base_url", "网站地址应为 http(s)://域名 的形式")
	}
	return u, nil
}

// replaceDir moves the finished mirror into place, swapping out an
// existing directory.
func replaceDir(tmp, dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}

// exportItems enumerates every public URL from the services (not by
// crawling, so a page nothing links to yet is still exported).
func (s *Server) exportItems(ctx context.Context) ([]exportItem, error) {
	var items []exportItem
	add := func(status int, uris ...string) {
		for _, u := range uris {
			items = append(items, exportItem{u, status})
		}
	}
	// 互动交流 (/hdjl) is not mirrored: its pages take comments and change
	// with the date; the nginx example proxies them.
	add(http.StatusOK, "/", "/zfxxgk/", "/ysqgk", "/sitemap.xml")
	add(http.StatusNotFound, "/404.html")
	err := fs.WalkDir(assets, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			add(http.StatusOK, "/"+p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	orgs, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		more, err := s.exportOrg(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("%s：%w", o.Name, err)
		}
		items = append(items, more...)
	}
	return items, nil
}

func (s *Server) exportOrg(ctx context.Context, o org.Org) ([]exportItem, error) {
	var items []exportItem
	add := func(status int, uris ...string) {
		for _, u := range uris {
			items = append(items, exportItem{u, status})
		}
	}
	c := "/zfxxgk/" + o.Code
	add(http.StatusOK, c+"/", c+"/xxgkzn", c+"/xxgkzd", c+"/fdzdgknr", c+"/xxgknb", c+"/bzml")
	reports, err := s.Report.PublishedList(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	for _, rp := range reports {
		y := c + "/xxgknb/" + strconv.Itoa(rp.Year)
		add(http.StatusOK, y, y+".docx", y+".xlsx", y+".json")
	}

	// Catalog: every published version, the current one's domains, and
	// every item key any published version had (old item URLs answer).
	versions, err := s.Catalog.Versions(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	var keys []string
	seenKey := map[string]bool{}
	current := ""
	if cur, err := s.Catalog.Current(ctx, o.ID); err == nil {
		current = cur.ID
	} else if !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	for _, v := range versions {
		if v.Draft() {
			continue
		}
		add(http.StatusOK, c+"/bzml/v/"+strconv.Itoa(v.Number))
		its, err := s.Catalog.Items(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		if v.ID == current {
			seenDomain := map[string]bool{}
			for _, it := range its {
				if !seenDomain[it.DomainID] {
					seenDomain[it.DomainID] = true
					add(http.StatusOK, c+"/bzml/ly/"+it.DomainID)
				}
			}
		}
		for _, it := range its {
			if !seenKey[it.Key] {
				seenKey[it.Key] = true
				keys = append(keys, it.Key)
			}
		}
	}
	for _, k := range keys {
		add(http.StatusOK, c+"/bzml/sx/"+k)
	}

	// Lists with their pages and feeds: all records, each 体裁, each item.
	type filter struct{ genre, key string }
	filters := []filter{{}}
	for _, g := range info.Genres {
		filters = append(filters, filter{genre: g})
	}
	for _, k := range keys {
		filters = append(filters, filter{key: k})
	}
	for _, f := range filters {
		_, total, err := s.publicRecords(ctx, o.ID, f.genre, f.key, 1, 0)
		if err != nil {
			return nil, err
		}
		q := ""
		switch {
		case f.genre != "":
			q = "tc=" + url.QueryEscape(f.genre)
		case f.key != "":
			q = "sx=" + url.QueryEscape(f.key)
		}
		first, feedQ, pageBase := c+"/xxgk", "", c+"/xxgk?"
		if q != "" {
			first, feedQ, pageBase = first+"?"+q, "?"+q, pageBase+q+"&"
		}
		add(http.StatusOK, first, c+"/feed.atom"+feedQ, c+"/feed.json"+feedQ)
		for p := 2; p <= (total+pageSize-1)/pageSize; p++ {
			add(http.StatusOK, pageBase+"page="+strconv.Itoa(p))
		}
		// Templates write escapes in lower case (?tc=%e6…), url.QueryEscape
		// in upper case; the pages differ (their 长者模式 link repeats the
		// URL), so each spelling is rendered.
		if lower := escapesCase(first, false); lower != first {
			add(http.StatusOK, lower)
		}
	}

	// Records: published ones with their attachments; withdrawn ones keep
	// their notice (410).
	for _, status := range []string{info.StatusPublished, info.StatusWithdrawn} {
		for offset := 0; ; offset += 200 {
			recs, _, err := s.Info.List(ctx, info.Filter{OrgIDs: []string{o.ID}, Statuses: []string{status},
				Attribute: info.Proactive, Limit: 200, Offset: offset})
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				u := c + "/xxgk/" + rec.ID
				if status == info.StatusWithdrawn {
					add(http.StatusGone, u)
					continue
				}
				add(http.StatusOK, u)
				atts, err := s.Info.Attachments(ctx, rec.ID)
				if err != nil {
					return nil, err
				}
				for _, a := range atts {
					add(http.StatusOK, u+"/fj/"+a.Hash)
				}
			}
			if len(recs) < 200 {
				break
			}
		}
	}
	return items, nil
}

// exportOne renders one URL and writes its file. It returns the result and
// the number of files written.
func (s *Server) exportOne(ctx context.Context, base *url.URL, root string, it exportItem) (exported, int, error) {
	res := exported{item: it}
	if err := ctx.Err(); err != nil {
		return res, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.Scheme+"://"+base.Host+it.uri, nil)
	if err != nil {
		return res, 0, fmt.Errorf("导出 %s：%w", it.uri, err)
	}
	req.RequestURI = it.uri
	req.RemoteAddr = "127.0.0.1:0"
	if base.Scheme == "https" {
		req.TLS = &tls.ConnectionState{}
	}
	rec := &exportRecorder{header: http.Header{}}
	s.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status != it.status {
		return res, 0, fmt.Errorf("导出 %s：服务器返回 %d（应为 %d）", it.uri, rec.status, it.status)
	}
	res.contentType = rec.header.Get("Content-Type")
	res.disposition = rec.header.Get("Content-Disposition")
	res.file = exportFile(it.uri, it.status, res.contentType)
	res.size = rec.body.Len()
	full := filepath.Join(root, filepath.FromSlash(res.file))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return res, 0, err
	}
	if err := os.WriteFile(full, rec.body.Bytes(), 0o644); err != nil {
		return res, 0, err
	}
	return res, 1, nil
}

// exportFile is where a URL's response goes in the mirror.
func exportFile(uri string, status int, contentType string) string {
	p, q, _ := strings.Cut(uri, "?")
	if status == http.StatusNotFound {
		return "404.html"
	}
	page := strings.HasPrefix(contentType, "text/html")
	ext := path.Ext(p)
	if q != "" {
		if ext == "" {
			ext = ".html"
		}
		return "_q" + p + "/" + q + ext
	}
	rel := strings.TrimPrefix(p, "/")
	switch {
	case strings.HasSuffix(p, "/"):
		rel += "index.html"
	case page && ext == "":
		rel += ".html"
	}
	if status == http.StatusGone {
		rel = "_gone/" + rel
	}
	return rel
}

// escapesCase rewrites the hex digits of percent-escapes to one case.
func escapesCase(s string, upper bool) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] != '%' {
			continue
		}
		for j := i + 1; j <= i+2; j++ {
			if upper && b[j] >= 'a' && b[j] <= 'f' {
				b[j] -= 'a' - 'A'
			} else if !upper && b[j] >= 'A' && b[j] <= 'F' {
				b[j] += 'a' - 'A'
			}
		}
	}
	return string(b)
}

// exportRecorder captures a response in memory.
type exportRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *exportRecorder) Header() http.Header { return r.header }
func (r *exportRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *exportRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// nginxHeaders are the security headers secureHeaders sends.
var nginxHeaders = [][2]string{
	{"Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "same-origin"},
	{"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
}

// nginxQuote makes s a double-quoted nginx string; "$" cannot be escaped
// there, so it is written as the percent-escape browsers decode anyway.
func nginxQuote(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", "%24", "\n", " ", "\r", " ").Replace(s)
	return `"` + s + `"`
}

// nginxExample is the server configuration for the mirror at root, meant
// to be included in nginx's http block.
func nginxExample(root, upstream string, results []exported) []byte {
	if upstream == "" {
		upstream = "127.0.0.1:8080"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `# nginx configuration for the gongkai static mirror in %s
# (written by "gongkai site export"). Include it inside the http { } block:
#
#     http { include %s; }
#
# and set "listen" and "server_name" below. Layout of the mirror:
#   /path/         → path/index.html
#   /path          → path.html, or the file itself when it has an extension
#   /path?query    → _q/path/query.html (or .atom/.json for feeds), the raw
#                    query as the portal's links spell it (?tc=…&page=2)
#   withdrawn record pages answer 410 with _gone/path.html; others 404.html
# Dynamic routes (back office, API, search, the application form and
# tracking page, 互动交流 (comments on drafts), the 长者模式 switch) and every
# request of a visitor in 长者模式 (cookie gk_elder=1: pages differ) go to the
# gongkai upstream.

upstream gongkai {
    server %s;
    keepalive 16;
}

# A query is looked up as a file only when it cannot leave the _q tree.
map $args $gk_q {
    default "/_q/-";
    "~^[A-Za-z0-9%%=&._~+-]+$" "/_q$uri/$args";
}

`, root, filepath.Join(root, "nginx.conf.example"), upstream)
	// headers writes the response headers gongkai sends with every public
	// response; add_header in a location replaces the server's, so a
	// location with its own repeats them.
	headers := func(indent, cacheControl string) {
		fmt.Fprintf(&b, "%sadd_header Cache-Control %s always;\n", indent, nginxQuote(cacheControl))
		for _, h := range nginxHeaders {
			fmt.Fprintf(&b, "%sadd_header %s %s always;\n", indent, h[0], nginxQuote(h[1]))
		}
	}
	b.WriteString("server {\n    listen 8080;\n    server_name _;\n")
	fmt.Fprintf(&b, "    root %s;\n", nginxQuote(root))
	b.WriteString(`    index index.html;
    charset utf-8;
    charset_types text/css application/xml application/atom+xml application/feed+json;
    types {
        text/html html;
        text/css css;
        image/svg+xml svg;
        application/xml xml;
        application/atom+xml atom;
        application/feed+json json;
    }
    default_type application/octet-stream;
    etag on;
`)
	headers("    ", "no-cache")
	b.WriteString(`
    error_page 404 /404.html;
    error_page 418 = @gongkai;
    if ($cookie_gk_elder = "1") {
        return 418;
    }

    location / {
        try_files $gk_q.html $uri $uri.html $uri/index.html =404;
    }
    location ~ \.(?<gk_ext>atom|json)$ {
        try_files $gk_q.$gk_ext $uri =404;
    }
    location ~ ^/zfxxgk/[^/]+/xxgk/[^/]+$ {
        try_files $uri.html @gone;
    }
    location @gone {
        error_page 404 /404.html;
        error_page 410 /_gone$uri.html;
        if (-f $document_root/_gone$uri.html) {
            return 410;
        }
        return 404;
    }
    location ^~ /static/ {
`)
	headers("        ", "public, max-age=3600")
	b.WriteString(`    }
    location = /favicon.ico {
        return 301 /static/favicon.svg;
    }
    location = /404.html {
        internal;
    }
    location ^~ /_q/ {
        internal;
    }
    location ^~ /_gone/ {
        internal;
    }
    location = /nginx.conf.example {
        return 404;
    }
`)
	for _, loc := range []string{"^~ /admin", "^~ /api/", "= /elder", "= /search", "= /zcwjk", "= /ysqgk/sq", "^~ /ysqgk/cx", "^~ /hdjl", "= /healthz", "@gongkai"} {
		fmt.Fprintf(&b, "    location %s {\n        proxy_pass http://gongkai;\n        proxy_http_version 1.1;\n"+
			"        proxy_set_header Connection \"\";\n        proxy_set_header Host $host;\n"+
			"        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n        proxy_set_header X-Forwarded-Proto $scheme;\n    }\n", loc)
	}
	// Attachments: their files have no extension; each gets its type and
	// download name in an exact location.
	var atts []exported
	for _, r := range results {
		if r.disposition != "" {
			atts = append(atts, r)
		}
	}
	sort.Slice(atts, func(i, j int) bool { return atts[i].item.uri < atts[j].item.uri })
	for _, a := range atts {
		fmt.Fprintf(&b, "    location = %s {\n        types { }\n        default_type %s;\n"+
			"        add_header Content-Disposition %s;\n", nginxQuote(a.item.uri),
			nginxQuote(strings.SplitN(a.contentType, ";", 2)[0]), nginxQuote(a.disposition))
		headers("        ", "no-cache")
		b.WriteString("    }\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}
