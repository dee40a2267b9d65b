package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/org"
)

// The dashboard's 依申请公开提醒 panel shows a handler the overdue case they
// handle; the list filters ?mine=1 and ?due=overdue narrow the list; staff
// of another org see neither; the account page keeps an e-mail address.
func TestApplyReminderPanel(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env.App.Apply.Now = func() time.Time { return now } // sessions keep real time
	ctx := context.Background()
	zfb, jyj := orgByShort(t, env, "区政府办"), orgByShort(t, env, "区教育局")
	newUser := func(username, name, orgID string) *org.Principal {
		t.Helper()
		u, err := env.App.Orgs.CreateUser(ctx, audit.System("test", "测试"), org.UserInput{Username: username, DisplayName: name,
			OrgID: orgID, Password: pw, Grants: []org.Grant{{OrgID: orgID, Role: org.RoleHandler}}})
		if err != nil {
			t.Fatal(err)
		}
		return &org.Principal{User: u, Grants: []org.Grant{{OrgID: orgID, Role: org.RoleHandler}}}
	}
	colleague := newUser("zfb.handler2", "孙立", zfb.ID)
	newUser("jyj.handler", "何静", jyj.ID)
	_, handler, err := env.App.Orgs.Login(ctx, "handler", pw, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	register := func(p *org.Principal) apply.Case {
		t.Helper()
		c, err := env.App.Apply.Register(ctx, p, "127.0.0.1", zfb.ID, apply.Application{ApplicantType: apply.ApplicantPerson,
			ApplicantName: "钱七", ContactPhone: "13600000000", Description: "2025年区级部门预算公开情况",
			Channel: apply.ChannelInPerson, SubmittedOn: "2026-05-06"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	mine, theirs := register(handler), register(colleague) // both due 3 June, overdue on 15 June

	h := env.Client(t)
	h.Login("handler", pw)
	doc := apptest.Parse(t, h.Get("/admin/").Body)
	panel := apptest.First(doc, "section[aria-labelledby=h-remind]")
	if panel == nil {
		t.Fatalf("no reminder panel: %s", apptest.Text(h.Get("/admin/").Body))
	}
	mineRows := apptest.All(panel, "table[aria-labelledby=h-remind-mine] tbody tr")
	if len(mineRows) == 0 || !strings.Contains(apptest.TextOf(mineRows[0]), "已超期") ||
		apptest.Attr(apptest.First(mineRows[0], "a"), "href") != "/admin/apply/"+mine.ID ||
		!strings.Contains(apptest.TextOf(mineRows[0]), mine.TrackingNo) {
		t.Fatalf("my overdue case not first in 我承办的: %s", apptest.TextOf(panel))
	}
	if strings.Contains(apptest.TextOf(apptest.First(panel, "table[aria-labelledby=h-remind-mine]")), theirs.TrackingNo) {
		t.Error("a colleague's case in 我承办的")
	}
	if apptest.First(panel, "a[href=/admin/apply?due=overdue&mine=1]") == nil ||
		!strings.Contains(apptest.TextOf(panel), "已超期 1 项") {
		t.Errorf("counts: %s", apptest.TextOf(panel))
	}
	if len(apptest.All(panel, "th[scope=col]")) < 5 {
		t.Error("reminder table without column headers")
	}

	list := func(c *apptest.Client, path string) string {
		t.Helper()
		r := c.Get(path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, r.StatusCode)
		}
		return r.Body
	}
	if b := list(h, "/admin/apply"); !strings.Contains(b, mine.TrackingNo) || !strings.Contains(b, theirs.TrackingNo) || !strings.Contains(b, "孙立") {
		t.Error("unfiltered list lacks a case or its handler")
	}
	b := list(h, "/admin/apply?mine=1")
	if !strings.Contains(b, mine.TrackingNo) || strings.Contains(b, theirs.TrackingNo) {
		t.Error("?mine=1 does not filter by handler")
	}
	if apptest.First(apptest.Parse(t, b), "a[aria-current=true][href=/admin/apply?mine=1]") == nil {
		t.Error("the active filter is not marked")
	}
	b = list(h, "/admin/apply?due=overdue")
	if !strings.Contains(b, mine.TrackingNo) || !strings.Contains(b, theirs.TrackingNo) {
		t.Error("?due=overdue lacks the overdue cases")
	}
	for _, row := range apptest.All(apptest.Parse(t, b), "table.list tbody tr") {
		if !strings.Contains(apptest.TextOf(row), "超期") {
			t.Errorf("?due=overdue shows %s", apptest.TextOf(row))
		}
	}
	if b := list(h, "/admin/apply?due=near&mine=1"); strings.Contains(b, mine.TrackingNo) {
		t.Error("?due=near shows an overdue case")
	}

	// Another org's handler: a panel of their own, none of these cases.
	other := env.Client(t)
	other.Login("jyj.handler", pw)
	r := other.Get("/admin/")
	if !strings.Contains(r.Body, "依申请公开提醒") || strings.Contains(r.Body, mine.TrackingNo) {
		t.Errorf("another org's handler: %s", apptest.Text(r.Body))
	}
	if b := list(other, "/admin/apply?due=overdue"); strings.Contains(b, mine.TrackingNo) || strings.Contains(b, theirs.TrackingNo) {
		t.Error("another org's list shows the cases")
	}
	// Staff who may not view applications get no panel.
	ed := env.Client(t)
	ed.Login("editor", pw)
	if r := ed.Get("/admin/"); r.StatusCode != 200 || strings.Contains(r.Body, "依申请公开提醒") {
		t.Errorf("editor dashboard: %d", r.StatusCode)
	}

	// The e-mail reminders go to is kept on the account page.
	admin := env.Client(t)
	admin.Login("admin", pw)
	userPath := "/admin/users/" + handler.User.ID
	form := url.Values{"display_name": {"刘敏"}, "org_id": {zfb.ID}, "role": {"handler"}, "email": {"liumin@"}}
	if r := admin.Post(userPath, form); r.StatusCode != http.StatusBadRequest || apptest.First(apptest.Parse(t, r.Body), "#e-email") == nil {
		t.Errorf("bad e-mail: %d", r.StatusCode)
	}
	form.Set("email", "liumin@example.gov.cn")
	if r := admin.Post(userPath, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save e-mail: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	page := apptest.Parse(t, admin.Get(userPath).Body)
	if apptest.Attr(apptest.First(page, "input#f-email"), "value") != "liumin@example.gov.cn" ||
		!strings.Contains(apptest.TextOf(apptest.First(page, "table.meta-table")), "liumin@example.gov.cn") {
		t.Error("e-mail not shown on the account page")
	}
}
