package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/org"
)

const pw = demo.Password

func orgByShort(t *testing.T, env *apptest.Env, short string) org.Org {
	t.Helper()
	all, err := env.App.Orgs.ListOrgs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		if o.ShortName == short {
			return o
		}
	}
	t.Fatalf("no org %s", short)
	return org.Org{}
}

func TestLoginDashboardLogout(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t)

	r := c.Get("/admin/")
	if r.StatusCode != http.StatusSeeOther || r.Location() != "/admin/login?next=%2Fadmin%2F" {
		t.Fatalf("anonymous dashboard: %d %s", r.StatusCode, r.Location())
	}
	r = c.Get("/admin/login?next=%2Fadmin%2F")
	doc := apptest.Parse(t, r.Body)
	for _, sel := range []string{"label[for=f-username]", "input#f-username[autocomplete=username]",
		"input#f-password[type=password]", "a.skip-link[href=#main]", "main#main", "html[lang=zh-CN]"} {
		if sel == "html[lang=zh-CN]" {
			if !strings.Contains(r.Body, `<html lang="zh-CN">`) {
				t.Errorf("login page lacks lang")
			}
			continue
		}
		if apptest.First(doc, sel) == nil {
			t.Errorf("login page lacks %s", sel)
		}
	}

	r = c.Post("/admin/login", url.Values{"username": {"editor"}, "password": {"wrong"}})
	if r.StatusCode != http.StatusUnauthorized || !strings.Contains(apptest.TextOf(apptest.First(apptest.Parse(t, r.Body), "div.notice")), "用户名或密码错误") {
		t.Fatalf("wrong password: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = c.Post("/admin/login", url.Values{"username": {""}, "password": {""}})
	doc = apptest.Parse(t, r.Body)
	if r.StatusCode != http.StatusBadRequest || apptest.First(doc, "input#f-username[aria-invalid=true]") == nil ||
		!strings.Contains(apptest.TextOf(apptest.First(doc, "#e-username")), "请输入用户名") {
		t.Fatalf("empty login: %d %s", r.StatusCode, apptest.Text(r.Body))
	}

	c.Login("editor", pw)
	r = c.Get("/admin/")
	doc = apptest.Parse(t, r.Body)
	if r.StatusCode != 200 || apptest.TextOf(apptest.First(doc, "h1")) != "工作台" {
		t.Fatalf("dashboard: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if got := apptest.TextOf(apptest.First(doc, "section.card ul")); !strings.Contains(got, "信息发布员 · 示范区东湖街道办事处") {
		t.Errorf("dashboard roles: %q", got)
	}
	if apptest.First(doc, "nav.side-nav a[href=/admin/users]") != nil {
		t.Error("editor sees the accounts menu")
	}
	if apptest.First(doc, "nav.side-nav a[aria-current=page]") == nil {
		t.Error("no current page in navigation")
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Error("back-office page cacheable")
	}

	r = c.Post("/admin/logout", nil)
	if r.StatusCode != http.StatusSeeOther || r.Location() != "/admin/login?ok=loggedout" {
		t.Fatalf("logout: %d %s", r.StatusCode, r.Location())
	}
	if r = c.Get("/admin/"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d", r.StatusCode)
	}
}

func TestCSRFRejected(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t)
	c.Login("admin", pw)
	dh := orgByShort(t, env, "东湖街道")
	form := url.Values{"parent_id": {dh.ParentID}, "kind": {"street"}, "name": {"被篡改的街道"}, "code": {dh.Code}}

	for name, hdr := range map[string]map[string]string{
		"cross-site fetch": {"Sec-Fetch-Site": "cross-site"},
		"foreign origin":   {"Origin": "http://evil.example"},
	} {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/admin/orgs/"+dh.ID, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		r := c.Do(req)
		if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "请求来源校验失败") {
			t.Errorf("%s: %d %s", name, r.StatusCode, apptest.Text(r.Body))
		}
	}
	got, _ := env.App.Orgs.GetOrg(context.Background(), dh.ID)
	if got.Name != dh.Name {
		t.Fatalf("forged request changed the org: %s", got.Name)
	}
	// The same form from the site itself works.
	if r := c.Post("/admin/orgs/"+dh.ID, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin post: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestExpiredSessionAndLockout(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	env := apptest.Start(t, apptest.Options{Now: clk.Now})
	c := env.Client(t)
	c.Login("reviewer", pw)
	if r := c.Get("/admin/orgs"); r.StatusCode != 200 {
		t.Fatalf("orgs: %d", r.StatusCode)
	}
	clk.Advance(3 * time.Hour)
	r := c.Get("/admin/orgs")
	if r.StatusCode != http.StatusSeeOther || r.Location() != "/admin/login?expired=1&next=%2Fadmin%2Forgs" {
		t.Fatalf("expired session: %d %s", r.StatusCode, r.Location())
	}
	r = c.Get(r.Location())
	if !strings.Contains(apptest.TextOf(apptest.First(apptest.Parse(t, r.Body), "div.notice")), "登录已过期") {
		t.Fatalf("login page after expiry: %s", apptest.Text(r.Body))
	}
	// next= brings the user back where they were.
	r = c.Post("/admin/login", url.Values{"username": {"reviewer"}, "password": {pw}, "next": {"/admin/orgs"}})
	if r.Location() != "/admin/orgs" {
		t.Fatalf("next after login: %s", r.Location())
	}
	// …but never off-site.
	r = c.Post("/admin/login", url.Values{"username": {"reviewer"}, "password": {pw}, "next": {"//evil.example/"}})
	if r.Location() != "/admin/" {
		t.Fatalf("open redirect: %s", r.Location())
	}

	for i := 1; i <= 5; i++ {
		r = c.Post("/admin/login", url.Values{"username": {"leader"}, "password": {"nope"}})
	}
	if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.Body, "已暂时锁定") {
		t.Fatalf("5th failure: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r = c.Post("/admin/login", url.Values{"username": {"leader"}, "password": {pw}}); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("locked login: %d", r.StatusCode)
	}
}

func TestAccountLifecycleOverHTTP(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	admin := env.Client(t)
	admin.Login("admin", pw)
	xc := orgByShort(t, env, "西城街道")

	// A bad form keeps the input and names each field.
	r := admin.Post("/admin/users", url.Values{"username": {"X"}, "display_name": {""}, "org_id": {xc.ID}, "password": {"weak"}})
	doc := apptest.Parse(t, r.Body)
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad user form: %d", r.StatusCode)
	}
	for _, f := range []string{"username", "display_name", "password"} {
		if apptest.First(doc, "#e-"+f) == nil || apptest.First(doc, "a[href=#f-"+f+"]") == nil {
			t.Errorf("no error shown for %s: %s", f, apptest.Text(r.Body))
		}
	}
	if apptest.Attr(apptest.First(doc, "input#f-username"), "value") != "X" {
		t.Error("username input lost")
	}
	if apptest.Attr(apptest.First(doc, "input#f-password"), "value") != "" {
		t.Error("password echoed back into the page")
	}

	r = admin.Post("/admin/users", url.Values{"username": {"xc.editor"}, "display_name": {"吴迪"}, "org_id": {xc.ID},
		"password": {"Init@2026"}, "role": {"editor", "reviewer"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/admin/users/") {
		t.Fatalf("create user: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	userPath := strings.Split(r.Location(), "?")[0]

	// The new user must set a password before anything else.
	u := env.Client(t)
	r = u.Post("/admin/login", url.Values{"username": {"xc.editor"}, "password": {"Init@2026"}})
	if r.Location() != "/admin/account?must=1" {
		t.Fatalf("first login goes to %s", r.Location())
	}
	if r = u.Get("/admin/orgs"); r.Location() != "/admin/account?must=1" {
		t.Fatalf("must-change not enforced: %d %s", r.StatusCode, r.Location())
	}
	r = u.Post("/admin/account/password", url.Values{"current_password": {"Init@2026"}, "new_password": {"Mine@2026"}, "confirm_password": {"Mine@2027"}})
	if r.StatusCode != http.StatusBadRequest || apptest.First(apptest.Parse(t, r.Body), "#e-confirm_password") == nil {
		t.Fatalf("mismatched confirmation: %d", r.StatusCode)
	}
	r = u.Post("/admin/account/password", url.Values{"current_password": {"Init@2026"}, "new_password": {"Mine@2026"}, "confirm_password": {"Mine@2026"}})
	if r.Location() != "/admin/account?ok=password" {
		t.Fatalf("change password: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r = u.Get("/admin/orgs"); r.StatusCode != 200 {
		t.Fatalf("after change: %d", r.StatusCode)
	}

	// A bad edit re-renders the account page with the field named and the input kept.
	r = admin.Post(userPath, url.Values{"display_name": {""}, "org_id": {xc.ID}, "phone": {"0000-1234"}, "role": {"editor"}})
	doc = apptest.Parse(t, r.Body)
	if r.StatusCode != http.StatusBadRequest || apptest.First(doc, "#e-display_name") == nil ||
		apptest.Attr(apptest.First(doc, "input#f-phone"), "value") != "0000-1234" {
		t.Fatalf("bad edit: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = admin.Post(userPath+"/password", url.Values{"new_password": {"short"}})
	if r.StatusCode != http.StatusBadRequest || apptest.First(apptest.Parse(t, r.Body), "#e-new_password") == nil {
		t.Fatalf("weak reset: %d %s", r.StatusCode, apptest.Text(r.Body))
	}

	// Disabling ends the user's session at once.
	if r = admin.Post(userPath+"/disable", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.StatusCode)
	}
	if r = u.Get("/admin/orgs"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("disabled user still in: %d", r.StatusCode)
	}
	if r = admin.Post("/admin/users/"+mustUserID(t, env, "admin")+"/disable", nil); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("self-disable: %d", r.StatusCode)
	}
	// Every step is on the evidence chain.
	res, err := audit.Verify(context.Background(), env.App.DB.R)
	if err != nil || !res.OK() {
		t.Fatalf("chain: %+v %v", res, err)
	}
}

func mustUserID(t *testing.T, env *apptest.Env, username string) string {
	u, err := env.App.Orgs.GetUserByName(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestOrgFormValidation(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t)
	c.Login("admin", pw)
	dh := orgByShort(t, env, "东湖街道")
	r := c.Post("/admin/orgs", url.Values{"parent_id": {dh.ID}, "kind": {"community"}, "name": {"新社区"}, "code": {"11999901800001378X"}})
	doc := apptest.Parse(t, r.Body)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(apptest.TextOf(apptest.First(doc, "#e-code")), "校验位错误") ||
		apptest.Attr(apptest.First(doc, "input#f-name"), "value") != "新社区" {
		t.Fatalf("bad code: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = c.Post("/admin/orgs", url.Values{"parent_id": {dh.ID}, "kind": {"community"}, "name": {"新社区"},
		"code": {org.MakeUSCC("54999901800099991")}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	// An oversized form body is refused, not parsed.
	big := url.Values{"name": {strings.Repeat("长", 1<<20)}}
	if r := c.Post("/admin/orgs", big); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: %d", r.StatusCode)
	}
	// Script in a field is stored as text and escaped on output.
	r = c.Post("/admin/orgs/"+dh.ID, url.Values{"parent_id": {dh.ParentID}, "kind": {"street"}, "name": {dh.Name},
		"code": {dh.Code}, "address": {`<script>alert(1)</script>`}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d", r.StatusCode)
	}
	page := env.Client(t).Get("/zfxxgk/" + dh.Code + "/xxgkzn").Body
	if strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("address not escaped on the portal")
	}
}

// Every back-office route, for every role, on the user's own org and on
// others: allowed (200/303), forbidden but visible (403), or invisible (404).
func TestPermissionMatrix(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	dh, hb, xc, bgs := orgByShort(t, env, "东湖街道"), orgByShort(t, env, "湖滨社区"), orgByShort(t, env, "西城街道"), orgByShort(t, env, "区政府办")
	op := audit.System("test", "测试")
	for _, u := range []org.UserInput{
		{Username: "dh.admin", DisplayName: "东湖管理员", OrgID: dh.ID, Password: pw, Grants: []org.Grant{{Role: org.RoleAdmin}}},
		{Username: "xc.editor", DisplayName: "西城发布员", OrgID: xc.ID, Password: pw, Grants: []org.Grant{{Role: org.RoleEditor}}},
	} {
		if _, err := env.App.Orgs.CreateUser(ctx, op, u); err != nil {
			t.Fatal(err)
		}
	}
	users := []string{"admin", "dh.admin", "gkb", "editor", "reviewer", "leader", "handler"}
	clients := map[string]*apptest.Client{}
	for _, u := range users {
		clients[u] = env.Client(t)
		clients[u].Login(u, pw)
	}
	uid := func(name string) string { return mustUserID(t, env, name) }
	orgForm := func(o org.Org) url.Values {
		return url.Values{"parent_id": {o.ParentID}, "kind": {string(o.Kind)}, "name": {o.Name}, "code": {o.Code}, "phone": {o.Phone}}
	}
	// want lists statuses in the order of users above.
	type row struct {
		method, path string
		form         url.Values
		want         [7]int
	}
	A, R, F, N := 200, 303, 403, 404
	rows := []row{
		{"GET", "/admin/", nil, [7]int{A, A, A, A, A, A, A}},
		{"GET", "/admin/orgs", nil, [7]int{A, A, A, A, A, A, A}},
		{"GET", "/admin/account", nil, [7]int{A, A, A, A, A, A, A}},
		{"GET", "/admin/orgs/" + dh.ID, nil, [7]int{A, A, A, A, A, A, N}},
		{"GET", "/admin/orgs/" + hb.ID, nil, [7]int{A, A, A, N, N, N, N}},
		{"GET", "/admin/orgs/" + xc.ID, nil, [7]int{A, N, A, N, N, N, N}},
		{"GET", "/admin/orgs/" + bgs.ID, nil, [7]int{A, N, A, N, N, N, A}},
		{"GET", "/admin/orgs/" + dh.ID + "/edit", nil, [7]int{A, A, F, F, F, F, N}},
		{"GET", "/admin/orgs/" + xc.ID + "/edit", nil, [7]int{A, N, F, N, N, N, N}},
		{"GET", "/admin/orgs/" + bgs.ID + "/edit", nil, [7]int{A, N, F, N, N, N, F}},
		{"POST", "/admin/orgs/" + hb.ID, orgForm(hb), [7]int{R, R, F, N, N, N, N}},
		{"POST", "/admin/orgs/" + xc.ID, orgForm(xc), [7]int{R, N, F, N, N, N, N}},
		{"GET", "/admin/orgs/new?parent=" + dh.ID, nil, [7]int{A, A, F, F, F, F, F}},
		{"GET", "/admin/orgs/new?parent=" + xc.ID, nil, [7]int{A, N, F, F, F, F, F}},
		{"GET", "/admin/users", nil, [7]int{A, A, A, F, F, F, F}},
		{"GET", "/admin/users/new", nil, [7]int{A, A, F, F, F, F, F}},
		{"GET", "/admin/users/" + uid("leader"), nil, [7]int{A, A, A, N, N, N, N}},
		{"GET", "/admin/users/" + uid("xc.editor"), nil, [7]int{A, N, A, N, N, N, N}},
		{"POST", "/admin/users/" + uid("leader") + "/enable", nil, [7]int{R, R, F, N, N, N, N}},
		{"POST", "/admin/users/" + uid("xc.editor") + "/enable", nil, [7]int{R, N, F, N, N, N, N}},
		{"POST", "/admin/users/" + uid("xc.editor") + "/password", url.Values{"new_password": {"Reset@2026"}}, [7]int{R, N, F, N, N, N, N}},
		{"GET", "/admin/audit", nil, [7]int{A, A, A, F, F, F, F}},
		{"GET", "/admin/settings", nil, [7]int{A, N, F, N, N, N, N}},
		{"POST", "/admin/settings", url.Values{"site.name": {"示范区人民政府"}}, [7]int{R, N, F, N, N, N, N}},
	}
	for _, rw := range rows {
		for i, u := range users {
			var r *apptest.Response
			if rw.method == "GET" {
				r = clients[u].Get(rw.path)
			} else {
				r = clients[u].Post(rw.path, rw.form)
			}
			if r.StatusCode != rw.want[i] {
				t.Errorf("%s %s %s = %d, want %d (%s)", u, rw.method, rw.path, r.StatusCode, rw.want[i], apptest.Text(r.Body))
			}
		}
	}
	// An account that also holds a role above the street admin's reach
	// cannot be reset, disabled or edited by them (no takeover upward).
	root := orgByShort(t, env, "示范区")
	boss, err := env.App.Orgs.CreateUser(ctx, op, org.UserInput{Username: "dh.boss", DisplayName: "兼任区管理员", OrgID: dh.ID,
		Password: pw, Grants: []org.Grant{{OrgID: root.ID, Role: org.RoleAdmin}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/admin/users/" + boss.ID + "/password", "/admin/users/" + boss.ID + "/disable"} {
		if r := clients["dh.admin"].Post(path, url.Values{"new_password": {"Taken@2026"}}); r.StatusCode != F {
			t.Errorf("street admin %s on a district admin: %d", path, r.StatusCode)
		}
	}
	if _, _, err := env.App.Orgs.Login(ctx, "dh.boss", pw, "192.0.2.50", ""); err != nil {
		t.Fatalf("district admin's password was changed: %v", err)
	}
	// Menus offer only what the user can open.
	for u, want := range map[string]bool{"admin": true, "dh.admin": false, "gkb": false} {
		doc := apptest.Parse(t, clients[u].Get("/admin/").Body)
		if got := apptest.First(doc, "nav.side-nav a[href=/admin/settings]") != nil; got != want {
			t.Errorf("%s sees settings menu: %v, want %v", u, got, want)
		}
	}
	// Lists show only what is in scope.
	body := clients["dh.admin"].Get("/admin/orgs").Body
	if !strings.Contains(body, "湖滨社区") || strings.Contains(body, "西城街道") {
		t.Error("street admin's org list is not scoped")
	}
	body = clients["dh.admin"].Get("/admin/users").Body
	if !strings.Contains(body, "张晓梅") || strings.Contains(body, "西城发布员") || strings.Contains(body, "王建国") {
		t.Error("street admin's user list is not scoped")
	}
	body = clients["editor"].Get("/admin/orgs").Body
	if strings.Count(body, `href="/admin/orgs/`) != 1 {
		t.Error("editor sees more than their own org")
	}
	// A street admin cannot grant a role in an org outside their reach.
	r := clients["dh.admin"].Post("/admin/users", url.Values{"username": {"sneaky"}, "display_name": {"越权"}, "org_id": {dh.ID},
		"password": {"Init@2026"}, "extra_role_0": {"admin"}, "extra_org_0": {xc.ID}})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "管理范围以外") {
		t.Errorf("out-of-scope grant: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if _, err := env.App.Orgs.GetUserByName(ctx, "sneaky"); err == nil {
		t.Error("out-of-scope user was created")
	}
}

func TestPortalAPIAndOps(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t)
	root := orgByShort(t, env, "示范区")

	r := c.Get("/")
	doc := apptest.Parse(t, r.Body)
	if r.StatusCode != 200 {
		t.Fatalf("home: %d", r.StatusCode)
	}
	for _, sel := range []string{"a.skip-link", "header.site-header", "nav.main-nav", "main#main", "footer.site-footer",
		"a[href=/zfxxgk/" + root.Code + "/xxgkzn]", "a[href=/zfxxgk/" + root.Code + "/xxgkzd]",
		"a[href=/zfxxgk/" + root.Code + "/fdzdgknr]", "a[href=/zfxxgk/" + root.Code + "/xxgknb]",
		"a[href=/ysqgk]", "a[href=/hdjl]", "meta[name=SiteName][content=示范区人民政府]"} {
		if apptest.First(doc, sel) == nil {
			t.Errorf("home lacks %s", sel)
		}
	}
	if n := len(apptest.All(doc, "section.org-nav a")); n != 24 {
		t.Errorf("org navigation has %d links, want 24 (every org but the district)", n)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(r.Body, "<script") {
		t.Errorf("CSP %q or inline script", csp)
	}
	if strings.Contains(r.Body, "http://") || strings.Contains(r.Body, "https://") {
		t.Error("home page references an external resource")
	}
	for _, p := range []string{"/zfxxgk/", "/zfxxgk/" + root.Code + "/", "/zfxxgk/" + root.Code + "/xxgkzd",
		"/zfxxgk/" + root.Code + "/fdzdgknr", "/zfxxgk/" + root.Code + "/xxgknb", "/ysqgk", "/hdjl", "/static/site.css"} {
		if r := c.Get(p); r.StatusCode != 200 {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
	r = c.Get("/zfxxgk/" + root.Code + "/xxgkzn")
	if !strings.Contains(r.Body, root.Phone) || !strings.Contains(r.Body, "20 个工作日") {
		t.Errorf("guide lacks contact or deadline: %s", apptest.Text(r.Body))
	}
	town := orgByShort(t, env, "青石镇")
	if body := c.Get("/zfxxgk/" + town.Code + "/fdzdgknr").Body; !strings.Contains(body, "宅基地使用情况审核") {
		t.Error("town lacks the 第二十一条 columns")
	}
	if r := c.Get("/zfxxgk/000000000/"); r.StatusCode != 404 || !strings.Contains(r.Body, "该机构不存在") {
		t.Errorf("unknown org: %d", r.StatusCode)
	}
	// 长者模式 is a cookie set by a plain link.
	r = c.Get("/elder?on=1&next=%2Fysqgk")
	if r.StatusCode != http.StatusSeeOther || r.Location() != "/ysqgk" {
		t.Fatalf("elder: %d %s", r.StatusCode, r.Location())
	}
	if body := c.Get("/ysqgk").Body; !strings.Contains(body, `<html lang="zh-CN" class="elder">`) || !strings.Contains(body, "退出长者模式") {
		t.Error("elder mode not applied")
	}
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\t/evil.example/", "/\\/evil.example/", "/\\evil.example", "/\n/evil.example"} {
		if r := c.Get("/elder?on=1&next=" + url.QueryEscape(next)); r.Location() != "/" {
			t.Errorf("elder open redirect via %q: %s", next, r.Location())
		}
	}

	// JSON API.
	r = c.Get("/api/v1/orgs")
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"total":25`) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("api orgs: %d %.200s", r.StatusCode, r.Body)
	}
	if r := c.Get("/api/v1/orgs/" + strings.ToLower(root.Code)); r.StatusCode != 200 || !strings.Contains(r.Body, `"kind_label":"区（县）"`) {
		t.Errorf("api org: %d %s", r.StatusCode, r.Body)
	}
	if r := c.Get("/api/v1/orgs/nope"); r.StatusCode != 404 || !strings.Contains(r.Body, `"code":"not_found"`) {
		t.Errorf("api missing org: %d %s", r.StatusCode, r.Body)
	}
	if r := c.Get("/api/v1/me"); r.StatusCode != 401 || !strings.Contains(r.Body, `"code":"unauthenticated"`) {
		t.Errorf("api me anonymous: %d %s", r.StatusCode, r.Body)
	}
	c.Login("gkb", pw)
	if r := c.Get("/api/v1/me"); r.StatusCode != 200 || !strings.Contains(r.Body, `"role":"supervisor"`) {
		t.Errorf("api me: %d %s", r.StatusCode, r.Body)
	}
	if r := c.Get("/api/v1/nothing"); r.StatusCode != 404 || !strings.Contains(r.Body, `"not_found"`) {
		t.Errorf("api unknown: %d %s", r.StatusCode, r.Body)
	}

	r = c.Get("/healthz")
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"status":"ok"`) || !strings.Contains(r.Body, fmt.Sprintf(`"schema_version":%d`, env.App.DB.LatestVersion())) {
		t.Errorf("healthz: %d %s", r.StatusCode, r.Body)
	}
	r = c.Get("/metrics")
	for _, want := range []string{`gongkai_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
		"gongkai_database_up 1", "go_goroutines", "gongkai_http_request_duration_seconds_bucket"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// With the database gone, /healthz says so with 503 and pages fail cleanly.
func TestHealthzWhenDatabaseDown(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	env.App.DB.R.Close()
	c := env.Client(t)
	if r := c.Get("/healthz"); r.StatusCode != 503 || !strings.Contains(r.Body, "unavailable") {
		t.Fatalf("healthz with db down: %d %s", r.StatusCode, r.Body)
	}
	r := c.Get("/")
	if r.StatusCode != 500 || !strings.Contains(r.Body, "系统内部错误") || strings.Contains(r.Body, "sql:") {
		t.Fatalf("page with db down: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
}
