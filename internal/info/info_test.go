package info_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

var op = audit.System("test", "测试")

type fixture struct {
	svc   *info.Service
	orgs  *org.Service
	cat   *catalog.Service
	unit  org.Org
	other org.Org
	ps    map[string]*org.Principal
	now   time.Time
}

// newFixture: one street with an editor, a reviewer, a leader, a person
// holding both review roles, and an editor who is also a reviewer.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	orgs := org.New(d)
	orgs.Now = func() time.Time { return now }
	root, err := orgs.CreateOrg(ctx, op, org.OrgInput{Kind: org.KindDistrict, Name: "测试区", Code: org.MakeOrgCode("40000001")})
	if err != nil {
		t.Fatal(err)
	}
	unit, _ := orgs.CreateOrg(ctx, op, org.OrgInput{ParentID: root.ID, Kind: org.KindStreet, Name: "甲街道", Code: org.MakeOrgCode("40000002")})
	other, _ := orgs.CreateOrg(ctx, op, org.OrgInput{ParentID: root.ID, Kind: org.KindStreet, Name: "乙街道", Code: org.MakeOrgCode("40000003")})
	cat := &catalog.Service{DB: d, Orgs: orgs, Now: orgs.Now}
	cal := &workday.Store{DB: d, Now: orgs.Now}
	f := &fixture{orgs: orgs, cat: cat, unit: unit, other: other, ps: map[string]*org.Principal{}, now: now,
		svc: &info.Service{DB: d, Orgs: orgs, Catalog: cat, Calendar: cal.Calendar, Now: orgs.Now}}
	for name, roles := range map[string][]org.Role{
		"editor": {org.RoleEditor}, "reviewer": {org.RoleReviewer}, "leader": {org.RoleLeader},
		"both": {org.RoleReviewer, org.RoleLeader}, "editrev": {org.RoleEditor, org.RoleReviewer},
	} {
		var grants []org.Grant
		for _, r := range roles {
			grants = append(grants, org.Grant{OrgID: unit.ID, Role: r})
		}
		u, err := orgs.CreateUser(ctx, op, org.UserInput{Username: name, DisplayName: name, OrgID: unit.ID, Password: "Test@2026", Grants: grants})
		if err != nil {
			t.Fatal(err)
		}
		f.ps[name] = &org.Principal{User: u, Grants: grants}
	}
	return f
}

func fields(title string) info.Fields {
	return info.Fields{Title: title, Genre: "通知公告", FormedOn: "2026-11-16", Attribute: info.Proactive, Body: "正文内容"}
}

var ok = info.Decision{SecrecyConfirmed: true, Comment: "同意"}

func kind(err error) apperr.Kind { return apperr.KindOf(err) }

func TestReviewStateMachine(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ed, rev, lead, both := f.ps["editor"], f.ps["reviewer"], f.ps["leader"], f.ps["both"]
	r, err := f.svc.Create(ctx, ed, "", f.unit.ID, fields("关于某事的通知"))
	if err != nil || r.Status != info.StatusDraft {
		t.Fatalf("create: %+v %v", r, err)
	}
	if _, err := f.svc.Approve(ctx, rev, "", r.ID, ok); kind(err) != apperr.Forbidden {
		t.Fatalf("approve a draft: %v", err)
	}
	if err := f.svc.Reject(ctx, rev, "", r.ID, "x"); kind(err) != apperr.Forbidden {
		t.Fatalf("reject a draft: %v", err)
	}
	if _, err := f.svc.Submit(ctx, ed, "", r.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(ctx, ed, "", r.ID, ""); kind(err) != apperr.Conflict {
		t.Fatalf("submit twice: %v", err)
	}
	if _, err := f.svc.Update(ctx, ed, "", r.ID, fields("改标题")); kind(err) != apperr.Conflict {
		t.Fatalf("edit under review: %v", err)
	}
	// Step 1 is the reviewer's: the leader and the editor may not act.
	for _, p := range []*org.Principal{lead, ed} {
		if _, err := f.svc.Approve(ctx, p, "", r.ID, ok); kind(err) != apperr.Forbidden {
			t.Fatalf("%s approving step 1: %v", p.User.Username, err)
		}
	}
	if _, err := f.svc.Approve(ctx, rev, "", r.ID, info.Decision{}); kind(err) != apperr.Invalid {
		t.Fatalf("approve without 保密审查: %v", err)
	}
	if err := f.svc.Reject(ctx, rev, "", r.ID, "  "); kind(err) != apperr.Invalid {
		t.Fatalf("reject without reason: %v", err)
	}
	if err := f.svc.Reject(ctx, rev, "", r.ID, "请补充附件"); err != nil {
		t.Fatal(err)
	}
	r, _ = f.svc.Get(ctx, r.ID)
	if r.Status != info.StatusDraft || r.RejectedReason != "请补充附件" {
		t.Fatalf("after reject: %+v", r)
	}
	// Round 2: the person holding both roles approves step 1 but cannot
	// also approve step 2 (一事一审).
	if _, err := f.svc.Update(ctx, ed, "", r.ID, fields("关于某事的通知（补充）")); err != nil {
		t.Fatal(err)
	}
	f.svc.Submit(ctx, ed, "", r.ID, "已补充")
	if r, err = f.svc.Approve(ctx, both, "", r.ID, ok); err != nil || r.Step != 2 || r.Status != info.StatusReview {
		t.Fatalf("step 1: %+v %v", r, err)
	}
	if _, err := f.svc.Approve(ctx, both, "", r.ID, ok); kind(err) != apperr.Forbidden || !strings.Contains(err.Error(), "一事一审") {
		t.Fatalf("same person twice: %v", err)
	}
	if r.IndexNo != "" {
		t.Fatal("index number before publication")
	}
	if r, err = f.svc.Approve(ctx, lead, "", r.ID, ok); err != nil || r.Status != info.StatusPublished {
		t.Fatalf("final approval: %+v %v", r, err)
	}
	if r.IndexNo != f.unit.Code+"/2026-00001" || r.PublishedOn != "2026-11-20" || r.LagWorkdays != 4 || r.Late {
		t.Fatalf("published record: index %q on %s lag %d late %v", r.IndexNo, r.PublishedOn, r.LagWorkdays, r.Late)
	}
	reviews, _ := f.svc.Reviews(ctx, r.ID)
	if len(reviews) != 5 || reviews[4].Decision != "approve" || !reviews[4].SecrecyConfirmed || reviews[4].Round != 2 {
		t.Fatalf("review history: %+v", reviews)
	}
	// Published: no editing, deleting or resubmitting.
	if _, err := f.svc.Update(ctx, ed, "", r.ID, fields("x")); kind(err) != apperr.Conflict {
		t.Fatalf("edit published: %v", err)
	}
	if err := f.svc.Delete(ctx, ed, "", r.ID); kind(err) != apperr.Conflict {
		t.Fatalf("delete published: %v", err)
	}
	// Validity and withdrawal.
	r2, _ := f.svc.Create(ctx, ed, "", f.unit.ID, fields("新通知"))
	f.svc.Submit(ctx, ed, "", r2.ID, "")
	f.svc.Approve(ctx, rev, "", r2.ID, ok)
	r2, _ = f.svc.Approve(ctx, lead, "", r2.ID, ok)
	if r2.IndexNo != f.unit.Code+"/2026-00002" {
		t.Fatalf("second index number %q", r2.IndexNo)
	}
	if err := f.svc.SetValidity(ctx, ed, "", r.ID, info.ValidAbolished, "", ""); kind(err) != apperr.Invalid {
		t.Fatalf("abolish without date: %v", err)
	}
	if err := f.svc.SetValidity(ctx, ed, "", r.ID, info.ValidAbolished, "2026-11-20", r.ID); kind(err) != apperr.Invalid {
		t.Fatalf("replaced by itself: %v", err)
	}
	// The replacement must be this org's, public in the same way.
	od, _ := f.svc.Create(ctx, ed, "", f.unit.ID, info.Fields{Title: "依申请", Genre: "其他", FormedOn: "2026-11-16", Attribute: info.OnRequest})
	f.svc.Submit(ctx, ed, "", od.ID, "")
	f.svc.Approve(ctx, rev, "", od.ID, ok)
	f.svc.Approve(ctx, lead, "", od.ID, ok)
	if err := f.svc.SetValidity(ctx, ed, "", r.ID, info.ValidAbolished, "2026-11-20", od.ID); kind(err) != apperr.Invalid {
		t.Fatalf("replaced by a non-public record: %v", err)
	}
	if err := f.svc.SetValidity(ctx, ed, "", r.ID, info.ValidAbolished, "2026-11-20", r2.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Withdraw(ctx, ed, "", r2.ID, ""); kind(err) != apperr.Invalid {
		t.Fatalf("withdraw without reason: %v", err)
	}
	if err := f.svc.Withdraw(ctx, ed, "", r2.ID, "重复发布"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Withdraw(ctx, ed, "", r2.ID, "again"); kind(err) != apperr.Conflict {
		t.Fatalf("withdraw twice: %v", err)
	}
	// Whoever submitted a colleague's draft may not approve it either.
	col, _ := f.svc.Create(ctx, ed, "", f.unit.ID, fields("同事起草"))
	f.svc.Submit(ctx, f.ps["editrev"], "", col.ID, "")
	if _, err := f.svc.Approve(ctx, f.ps["editrev"], "", col.ID, ok); kind(err) != apperr.Forbidden || !strings.Contains(err.Error(), "自己提交") {
		t.Fatalf("submitter approving: %v", err)
	}
	// An author may not review their own record even holding the role.
	er := f.ps["editrev"]
	r3, _ := f.svc.Create(ctx, er, "", f.unit.ID, fields("自己起草"))
	f.svc.Submit(ctx, er, "", r3.ID, "")
	if _, err := f.svc.Approve(ctx, er, "", r3.ID, ok); kind(err) != apperr.Forbidden || !strings.Contains(err.Error(), "自己起草") {
		t.Fatalf("self approval: %v", err)
	}
	res, err := audit.Verify(ctx, f.svc.DB.R)
	if err != nil || !res.OK() {
		t.Fatalf("chain: %+v %v", res, err)
	}
}

func TestConfigurableFlow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.svc.SetFlow(ctx, op, f.unit.ID, []org.Role{org.RoleReviewer, org.RoleReviewer}); kind(err) != apperr.Invalid {
		t.Fatalf("repeated role: %v", err)
	}
	if err := f.svc.SetFlow(ctx, op, f.unit.ID, []org.Role{org.RoleEditor}); kind(err) != apperr.Invalid {
		t.Fatalf("editor as reviewer: %v", err)
	}
	if err := f.svc.SetFlow(ctx, op, f.unit.ID, []org.Role{org.RoleLeader}); err != nil {
		t.Fatal(err)
	}
	r, _ := f.svc.Create(ctx, f.ps["editor"], "", f.unit.ID, fields("一步审核"))
	f.svc.Submit(ctx, f.ps["editor"], "", r.ID, "")
	if _, err := f.svc.Approve(ctx, f.ps["reviewer"], "", r.ID, ok); kind(err) != apperr.Forbidden {
		t.Fatalf("reviewer in a leader-only flow: %v", err)
	}
	if r, err := f.svc.Approve(ctx, f.ps["leader"], "", r.ID, ok); err != nil || r.Status != info.StatusPublished {
		t.Fatalf("one-step flow: %+v %v", r, err)
	}
}

func TestValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bad := info.Fields{Title: "", Genre: "随笔", FormedOn: "2026-13-01", WrittenOn: "2026-11-30", Attribute: "secret"}
	_, err := f.svc.Create(ctx, f.ps["editor"], "", f.unit.ID, bad)
	e, isErr := apperr.As(err)
	if !isErr || e.Kind != apperr.Invalid {
		t.Fatalf("bad fields: %v", err)
	}
	got := map[string]bool{}
	for _, fe := range e.Fields {
		got[fe.Field] = true
	}
	for _, want := range []string{"title", "genre", "formed_on", "attribute"} {
		if !got[want] {
			t.Errorf("no error on %s: %v", want, e.Fields)
		}
	}
	w := fields("不予公开")
	w.Attribute = info.Withheld
	if _, err := f.svc.Create(ctx, f.ps["editor"], "", f.unit.ID, w); kind(err) != apperr.Invalid {
		t.Fatalf("withheld without reason: %v", err)
	}
	w.WithheldReason = info.WithheldReasons[4]
	if _, err := f.svc.Create(ctx, f.ps["editor"], "", f.unit.ID, w); err != nil {
		t.Fatal(err)
	}
	k := fields("目录")
	k.CatalogKey = "nosuchkey"
	if _, err := f.svc.Create(ctx, f.ps["editor"], "", f.unit.ID, k); kind(err) != apperr.Invalid {
		t.Fatalf("unknown catalog key: %v", err)
	}
}

// publish drives a record through both steps.
func (f *fixture) publish(t *testing.T, fs info.Fields) info.Record {
	t.Helper()
	ctx := context.Background()
	r, err := f.svc.Create(ctx, f.ps["editor"], "", f.unit.ID, fs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(ctx, f.ps["editor"], "", r.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, f.ps["reviewer"], "", r.ID, ok); err != nil {
		t.Fatal(err)
	}
	r, err = f.svc.Approve(ctx, f.ps["leader"], "", r.ID, ok)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLagAgainstLimits(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Published 2026-11-20. 2026-10-09 → 2026-11-20 crosses the 10-10
	// make-up Saturday: 31 working days, late against 20.
	late := fields("迟发")
	late.FormedOn = "2026-10-09"
	if r := f.publish(t, late); r.LagWorkdays != 31 || !r.Late || !strings.Contains(r.LimitText, "20 个工作日") {
		t.Fatalf("late: lag %d late %v %q", r.LagWorkdays, r.Late, r.LimitText)
	}
	// A catalog item's own, stricter limit applies.
	v, _ := f.cat.StartDraft(ctx, op, f.unit.ID, 2026, nil)
	doms, _ := f.cat.Domains(ctx)
	it, err := f.cat.SaveItem(ctx, op, v.ID, "", doms[0].ID, catalog.ItemFields{Level1: "公示", Content: "名单", Basis: "某办法",
		TimeLimit: catalog.TimeLimit{Text: "信息形成之日起3个工作日内"}, Subject: "甲街道", Channels: []string{"政府网站"},
		Audience: []string{"全社会"}, Method: []string{"主动"}, Levels: []string{"乡级"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cat.Publish(ctx, op, v.ID); err != nil {
		t.Fatal(err)
	}
	strict := fields("目录时限")
	strict.CatalogKey = it.Key
	if r := f.publish(t, strict); r.LagWorkdays != 4 || !r.Late || !strings.Contains(r.LimitText, "3 个工作日") {
		t.Fatalf("catalog limit: lag %d late %v %q", r.LagWorkdays, r.Late, r.LimitText)
	}
	// A year without calendar data: no guess, the lag is unknown and said so.
	old := fields("旧信息")
	old.FormedOn = "2024-12-02"
	if r := f.publish(t, old); r.LagWorkdays != -1 || r.Late || !strings.Contains(r.LimitText, "2024") {
		t.Fatalf("no calendar: lag %d late %v %q", r.LagWorkdays, r.Late, r.LimitText)
	}
}

// Concurrent final approvals in one org get consecutive, unique numbers.
func TestIndexNumbersUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const n = 12
	ids := make([]string, n)
	for i := range ids {
		r, err := f.svc.Create(ctx, f.ps["editor"], "", f.unit.ID, fields(fmt.Sprintf("并发 %d", i)))
		if err != nil {
			t.Fatal(err)
		}
		f.svc.Submit(ctx, f.ps["editor"], "", r.ID, "")
		if _, err := f.svc.Approve(ctx, f.ps["reviewer"], "", r.ID, ok); err != nil {
			t.Fatal(err)
		}
		ids[i] = r.ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Approve(ctx, f.ps["leader"], "", id, ok)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	recs, total, _ := f.svc.List(ctx, info.Filter{OrgIDs: []string{f.unit.ID}, Statuses: []string{info.StatusPublished}, Limit: 100})
	if total != n {
		t.Fatalf("published %d", total)
	}
	var nos []string
	for _, r := range recs {
		nos = append(nos, r.IndexNo)
	}
	sort.Strings(nos)
	for i, no := range nos {
		if want := fmt.Sprintf("%s/2026-%05d", f.unit.Code, i+1); no != want {
			t.Fatalf("index numbers not gapless and unique: %v", nos)
		}
	}
}

func TestPrivacyBlocksApproval(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fs := fields("公示")
	fs.Body = "对象：张某，身份证号 11010519491231002X，电话 13812345678。"
	r, _ := f.svc.Create(ctx, f.ps["editor"], "", f.unit.ID, fs)
	found, err := f.svc.Submit(ctx, f.ps["editor"], "", r.ID, "")
	if err != nil || len(found) != 2 || info.HighCount(found) != 1 || found[0].Where != "正文" {
		t.Fatalf("screening on submit: %+v %v", found, err)
	}
	_, err = f.svc.Approve(ctx, f.ps["reviewer"], "", r.ID, ok)
	if e, isErr := apperr.As(err); !isErr || e.Fields[0].Field != "privacy_ground" {
		t.Fatalf("approval with an ID number: %v", err)
	}
	d := ok
	d.PrivacyGround = "依据某办法第十条进行公示"
	if r, err = f.svc.Approve(ctx, f.ps["reviewer"], "", r.ID, d); err != nil || r.Step != 2 {
		t.Fatalf("approval with ground: %v", err)
	}
	reviews, _ := f.svc.Reviews(ctx, r.ID)
	if reviews[len(reviews)-1].PrivacyGround != d.PrivacyGround {
		t.Fatal("ground not recorded")
	}
}

func TestAttachments(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ed := f.ps["editor"]
	r, _ := f.svc.Create(ctx, ed, "", f.unit.ID, fields("附件"))
	for name, data := range map[string][]byte{
		"假的.pdf":  []byte("这不是 PDF"),
		"表格.xlsx": []byte("PK\x03\x04 not really"),
		"程序.exe":  []byte("MZ"),
		"空.txt":   nil,
	} {
		if _, err := f.svc.AddAttachment(ctx, ed, "", r.ID, name, data); kind(err) != apperr.Invalid {
			t.Errorf("%s accepted: %v", name, err)
		}
	}
	if _, err := f.svc.AddAttachment(ctx, ed, "", r.ID, "大.txt", make([]byte, info.MaxAttachment+1)); kind(err) != apperr.Invalid {
		t.Errorf("oversized accepted: %v", err)
	}
	csv := []byte("姓名,电话\n李某,13912345678\n")
	a, err := f.svc.AddAttachment(ctx, ed, "", r.ID, "..\\..\\名单.csv", csv)
	if err != nil || a.Name != "名单.csv" || len(a.Hash) != 64 {
		t.Fatalf("csv: %+v %v", a, err)
	}
	if _, err := f.svc.AddAttachment(ctx, ed, "", r.ID, "名单2.csv", csv); kind(err) != apperr.Invalid {
		t.Fatalf("same content twice: %v", err)
	}
	got, data, err := f.svc.AttachmentData(ctx, r.ID, a.Hash)
	if err != nil || string(data) != string(csv) || got.ContentType != "text/csv; charset=utf-8" {
		t.Fatalf("read back: %v", err)
	}
	rec, _ := f.svc.Get(ctx, r.ID)
	found, _ := f.svc.Screen(ctx, rec)
	if len(found) != 1 || found[0].Where != "附件「名单.csv」" {
		t.Fatalf("attachment not screened: %+v", found)
	}
	if err := f.svc.RemoveAttachment(ctx, ed, "", r.ID, a.Hash); err != nil {
		t.Fatal(err)
	}
	if atts, _ := f.svc.Attachments(ctx, r.ID); len(atts) != 0 {
		t.Fatal("attachment not removed")
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"第一段\n\n第二段 a < b":                                       "<p>第一段</p>\n<p>第二段 a &lt; b</p>",
		"第一段\n第二段<script>alert(1)</script>":                      "<p>第一段</p>\n<p>第二段</p>",
		`<p onclick="x()">好<script>alert(1)</script></p>`:        "<p>好</p>",
		`<a href="javascript:alert(1)">链接</a>`:                   "<p><a>链接</a></p>",
		`<a href="https://gov.cn/a">链接</a>`:                      `<p><a href="https://gov.cn/a" rel="noopener noreferrer">链接</a></p>`,
		`<div><span style="color:red">文字</span></div>`:           "<p>文字</p>",
		`<table><tr><td colspan="2" style="x">格</td></tr>`:       `<table><tr><td colspan="2">格</td></tr></table>`,
		`<p>未闭合<strong>粗`:                                        "<p>未闭合<strong>粗</strong></p>",
		`<iframe src="x"><p>内</p></iframe><img src=x onerror=y>`: "",
	} {
		if got := info.Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatIndexNo(t *testing.T) {
	d := workday.Date{Year: 2026, Month: 3, Day: 5}
	for tmpl, want := range map[string]string{
		"":                          "CODE/2026-00042",
		"{code}-{YYYY}-{NNNNNN}":    "CODE-2026-000042",
		"{code}/{YYYY}{MM}-{NNNNN}": "CODE/202603-00042",
	} {
		if got := info.FormatIndexNo(tmpl, "CODE", d, 42); got != want {
			t.Errorf("%q: %s, want %s", tmpl, got, want)
		}
	}
	if info.ValidateIndexTemplate("{code}/{YYYY}") == nil {
		t.Error("template without serial accepted")
	}
}

func TestMaskPersonalDataAndTemplate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fs := fields("公示")
	fs.Body = "<p>张某，身份证 11010519491231002X，电话 13812345678，机密★1年</p>"
	r, _ := f.svc.Create(ctx, f.ps["editor"], "", f.unit.ID, fs)
	n, err := f.svc.MaskPersonalData(ctx, f.ps["editor"], "", r.ID)
	if err != nil || n != 2 {
		t.Fatalf("masked %d: %v", n, err)
	}
	r, _ = f.svc.Get(ctx, r.ID)
	if !strings.Contains(r.Body, "110105********002X") || !strings.Contains(r.Body, "138****5678") || !strings.Contains(r.Body, "机密★1年") {
		t.Fatalf("masked body: %s", r.Body)
	}
	found, _ := f.svc.Screen(ctx, r)
	if len(found) != 1 || found[0].Kind != "secret_marking" {
		t.Fatalf("after masking: %+v", found)
	}
	// The index-number template in force applies at publication.
	f.svc.IndexTemplate = func(context.Context) string { return "{code}-{YYYY}{MM}-{NNNN}" }
	p := f.publish(t, fields("模板"))
	if p.IndexNo != f.unit.Code+"-202611-0001" {
		t.Fatalf("templated index number %q", p.IndexNo)
	}
}
