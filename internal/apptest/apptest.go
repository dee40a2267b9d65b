// Package apptest starts a whole gongkai App on 127.0.0.1:0 for end-to-end
// tests, on the engine dbtest selects, with the demo district seeded, and
// offers an HTTP client that logs in like a browser and HTML selectors.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"gongkai.dev/gongkai/internal/app"
	"gongkai.dev/gongkai/internal/dbtest"
)

// Env is a running App.
type Env struct {
	App *app.App
	URL string
}

// Options adjust Start.
type Options struct {
	NoDemo bool
	Now    func() time.Time
}

// Start runs an App until the test ends.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	dbURL, dir := dbtest.URL(t)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, app.Config{Addr: "127.0.0.1:0", DataDir: dir, DBURL: dbURL, Now: opts.Now, Index: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		cancel()
		t.Fatalf("apptest: open: %v", err)
	}
	if !opts.NoDemo {
		if _, err := a.SeedDemo(ctx); err != nil {
			cancel()
			a.Close()
			t.Fatalf("apptest: demo: %v", err)
		}
	}
	if err := a.Listen(); err != nil {
		cancel()
		a.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("apptest: serve: %v", err)
		}
		a.Close()
	})
	return &Env{App: a, URL: a.URL()}
}

// Client is a cookie-keeping HTTP client that does not follow redirects,
// so tests see every 303.
type Client struct {
	*http.Client
	Base string
	t    testing.TB
}

// Client returns a new anonymous client.
func (e *Env) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: e.URL, t: t, Client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Response is a read response.
type Response struct {
	*http.Response
	Body string
}

// Location is the redirect target's path and query.
func (r *Response) Location() string {
	u, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		return ""
	}
	return u.RequestURI()
}

// Do sends a request and reads the body.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	resp, err := c.Client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &Response{Response: resp, Body: string(b)}
}

// Get fetches a path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Base+path, nil)
	return c.Do(req)
}

// Post submits a form the way a same-origin browser does.
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.Base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

// Login signs in and fails the test unless it redirects into /admin.
func (c *Client) Login(username, password string) {
	c.t.Helper()
	r := c.Post("/admin/login", url.Values{"username": {username}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/admin") {
		c.t.Fatalf("login %s: %d %s\n%s", username, r.StatusCode, r.Location(), Text(r.Body))
	}
}

// --- HTML helpers ---

// Node is a parsed HTML node.
type Node = html.Node

// Parse parses a page; a parse failure fails the test.
func Parse(t testing.TB, body string) *Node {
	t.Helper()
	n, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return n
}

// Attr returns an attribute's value.
func Attr(n *Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// matches supports the selectors tests need: tag, #id, .class, [attr] and
// [attr=value], combined without spaces (e.g. a[aria-current=page]).
func matches(n *Node, sel string) bool {
	if n.Type != html.ElementNode {
		return false
	}
	i := strings.IndexAny(sel, "#.[")
	if i < 0 {
		i = len(sel)
	}
	if tag := sel[:i]; tag != "" && tag != n.Data {
		return false
	}
	for rest := sel[i:]; rest != ""; {
		switch rest[0] {
		case '#', '.':
			end := strings.IndexAny(rest[1:], "#.[")
			if end < 0 {
				end = len(rest) - 1
			}
			val := rest[1 : end+1]
			if rest[0] == '#' && Attr(n, "id") != val || rest[0] == '.' && !hasClass(n, val) {
				return false
			}
			rest = rest[end+1:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return false
			}
			k, v, hasV := strings.Cut(rest[1:end], "=")
			v = strings.Trim(v, `"'`)
			found := false
			for _, a := range n.Attr {
				if a.Key == k && (!hasV || a.Val == v) {
					found = true
				}
			}
			if !found {
				return false
			}
			rest = rest[end+1:]
		default:
			return false
		}
	}
	return true
}

func hasClass(n *Node, c string) bool {
	for _, f := range strings.Fields(Attr(n, "class")) {
		if f == c {
			return true
		}
	}
	return false
}

// All returns every node under root matching a selector; a space separates
// descendant steps ("nav.side-nav a[aria-current=page]").
func All(root *Node, selector string) []*Node {
	steps := strings.Fields(selector)
	current := []*Node{root}
	for _, step := range steps {
		var next []*Node
		seen := map[*Node]bool{}
		for _, c := range current {
			var walk func(*Node)
			walk = func(n *Node) {
				for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
					if matches(ch, step) && !seen[ch] {
						seen[ch] = true
						next = append(next, ch)
					}
					walk(ch)
				}
			}
			walk(c)
		}
		current = next
	}
	return current
}

// First returns the first match or nil.
func First(root *Node, selector string) *Node {
	if all := All(root, selector); len(all) > 0 {
		return all[0]
	}
	return nil
}

// TextOf is the text content of n with whitespace collapsed.
func TextOf(n *Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*Node)
	walk = func(n *Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// Text is the visible text of a whole page (for failure messages).
func Text(body string) string {
	n, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return body
	}
	s := TextOf(n)
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return s
}
