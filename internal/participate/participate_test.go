package participate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/participate"
	"gongkai.dev/gongkai/internal/workday"
)

var cst = time.FixedZone("CST", 8*3600)

// clock is a test's settable "now".
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// day is a date at 10:00 CST.
func day(s string) time.Time {
	d, err := workday.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d.Time().Add(10 * time.Hour)
}

type fixture struct {
	env *apptest.Env
	svc *participate.Service
	clk *clock
	ctx context.Context
}

func start(t *testing.T, now string) *fixture {
	t.Helper()
	clk := &clock{t: day(now)}
	env := apptest.Start(t, apptest.Options{Now: clk.Now})
	return &fixture{env: env, svc: env.App.Participate, clk: clk, ctx: context.Background()}
}

func (f *fixture) login(t *testing.T, user string) *org.Principal {
	t.Helper()
	_, p, err := f.env.App.Orgs.Login(f.ctx, user, demo.Password, "127.0.0.1", "test")
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return p
}

func (f *fixture) org(t *testing.T, short string) string {
	t.Helper()
	orgs, err := f.env.App.Orgs.ListOrgs(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.ShortName == short {
			return o.ID
		}
	}
	t.Fatalf("no org %s", short)
	return ""
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

const draft = "第一条 为了规范社区停车管理，制定本办法。\n第二条 本办法适用于本区城市社区。\n第三条 老旧小区改造时，应当利用边角地增设停车泊位。"

func input(orgID, startOn, endOn string) participate.SolicitationInput {
	return participate.SolicitationInput{OrgID: orgID, Title: "关于《社区停车管理办法（征求意见稿）》公开征求意见的公告", Draft: draft,
		Explanation: "起草说明：为缓解停车难，起草本办法。", StartOn: startOn, EndOn: endOn}
}

// published creates and publishes a solicitation of 区政府办 from today
// for days days.
func (f *fixture) published(t *testing.T, days int, major bool) participate.Solicitation {
	t.Helper()
	today := f.svc.Today()
	in := input(f.org(t, "区政府办"), today.String(), today.AddDays(days-1).String())
	in.Major = major
	if major && days < participate.MajorMinDays {
		in.ShortenReason = "上级要求年底前出台"
	}
	c, err := f.svc.Create(f.ctx, f.login(t, "zfb.editor"), "127.0.0.1", in)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = f.svc.Publish(f.ctx, f.login(t, "zfb.reviewer"), "127.0.0.1", c.ID); err != nil {
		t.Fatal(err)
	}
	return c
}

// A solicitation from draft to published adoption report: the 30-day
// rule, who may do what, the period, and closing only with a complete
// report.
func TestSolicitationLifecycle(t *testing.T) {
	f := start(t, "2026-03-02")
	ctx, svc := f.ctx, f.svc
	editor, reviewer, admin := f.login(t, "zfb.editor"), f.login(t, "zfb.reviewer"), f.login(t, "admin")
	otherEditor := f.login(t, "editor") // 东湖街道
	zfb := f.org(t, "区政府办")
	const ip = "10.0.0.1"

	// The 30-day rule: calendar days, both ends counted.
	in := input(zfb, "2026-03-02", "2026-03-30")
	in.Major = true
	if _, err := svc.Create(ctx, editor, ip, in); fieldOf(err) != "end_on" || !strings.Contains(err.Error(), "不少于30日") ||
		!strings.Contains(err.Error(), "现为 29 日") {
		t.Fatalf("29-day major solicitation: %v", err)
	}
	in.EndOn = "2026-03-31"
	c, err := svc.Create(ctx, editor, ip, in)
	if err != nil || c.Days() != 30 || c.Shortened() || c.Status != participate.StatusDraft {
		t.Fatalf("30-day major solicitation: %+v %v", c, err)
	}
	short := input(zfb, "2026-03-02", "2026-03-16")
	short.Major, short.ShortenReason = true, "防汛设施建设须在汛期前完成，时间紧急"
	if s, err := svc.Create(ctx, editor, ip, short); err != nil || !s.Shortened() || s.Days() != 15 {
		t.Errorf("shortened with a reason: %+v %v", s, err)
	}
	// Not major: any period from a day; the end cannot come first.
	if _, err := svc.Create(ctx, editor, ip, input(zfb, "2026-03-02", "2026-03-01")); fieldOf(err) != "end_on" {
		t.Errorf("end before start: %v", err)
	}
	bad := participate.SolicitationInput{OrgID: zfb, StartOn: "2026-3-2", Draft: "<script>alert(1)</script>"}
	e, _ := apperr.As(func() error { _, err := svc.Create(ctx, editor, ip, bad); return err }())
	got := map[string]bool{}
	for _, fe := range e.Fields {
		got[fe.Field] = true
	}
	for _, k := range []string{"title", "draft", "explanation", "start_on", "end_on"} {
		if !got[k] {
			t.Errorf("empty form: no error for %s (%v)", k, e)
		}
	}

	// Who sees and who may act: another org's staff see nothing, the
	// public sees no draft, an editor does not publish.
	if _, err := svc.Get(ctx, otherEditor, c.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("other org's editor: %v", err)
	}
	if _, err := svc.Create(ctx, otherEditor, ip, input(zfb, "2026-03-02", "2026-03-31")); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("other org's editor creating for 区政府办: %v", err)
	}
	if _, err := svc.Create(ctx, reviewer, ip, input(zfb, "2026-03-02", "2026-03-31")); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("reviewer drafting: %v", err)
	}
	if _, err := svc.Public(ctx, c.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("public sees a draft: %v", err)
	}
	if _, err := svc.Publish(ctx, editor, ip, c.ID); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("editor publishing: %v", err)
	}
	// The draft text is sanitized on save.
	x := in
	x.Draft = `<p onclick="alert(1)">第一条<script>alert(2)</script></p><img src=x onerror=alert(3)>`
	if c, err = svc.Update(ctx, editor, ip, c.ID, x); err != nil || strings.ContainsAny(c.Draft, "<>") && strings.Contains(c.Draft, "alert") {
		t.Fatalf("sanitized draft: %q %v", c.Draft, err)
	}
	if c, err = svc.Update(ctx, editor, ip, c.ID, in); err != nil {
		t.Fatal(err)
	}

	// A period that has begun before publication is refused.
	f.clk.Set(day("2026-03-03"))
	if _, err := svc.Publish(ctx, reviewer, ip, c.ID); fieldOf(err) != "start_on" {
		t.Fatalf("publishing after the start day: %v", err)
	}
	f.clk.Set(day("2026-03-02"))
	if c, err = svc.Publish(ctx, reviewer, ip, c.ID); err != nil || c.PublishedOn != "2026-03-02" || c.Stage(svc.Today()) != participate.StageOpen {
		t.Fatalf("publish: %+v %v", c, err)
	}
	if _, err := svc.Update(ctx, editor, ip, c.ID, in); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("editing a published draft: %v", err)
	}
	if _, err := svc.Publish(ctx, reviewer, ip, c.ID); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second publish: %v", err)
	}

	// Comments while open; the report cannot be published yet.
	c1, err := svc.Submit(ctx, "198.51.100.1", c.ID, "k1", participate.CommentInput{Body: "建议增加停车位。"})
	if err != nil || c1.Status != participate.CommentPending || c1.Seq != 1 {
		t.Fatalf("comment: %+v %v", c1, err)
	}
	c2, err := svc.Submit(ctx, "198.51.100.2", c.ID, "k2", participate.CommentInput{Body: "第二条的适用范围应当包括农村社区。", Para: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PublishReport(ctx, reviewer, ip, c.ID); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "结束后") {
		t.Errorf("report while open: %v", err)
	}

	// Extension: later than the old end, with a reason, by a reviewer.
	if _, err := svc.Extend(ctx, reviewer, ip, c.ID, "2026-04-10", ""); fieldOf(err) != "extend_reason" {
		t.Errorf("extension without reason: %v", err)
	}
	if _, err := svc.Extend(ctx, reviewer, ip, c.ID, "2026-03-20", "意见较多"); fieldOf(err) != "end_on" {
		t.Errorf("extension to an earlier day: %v", err)
	}
	if _, err := svc.Extend(ctx, editor, ip, c.ID, "2026-04-10", "意见较多"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("editor extending: %v", err)
	}
	if c, err = svc.Extend(ctx, reviewer, ip, c.ID, "2026-04-10", "社区反映居民意见较多，延长征集期限"); err != nil || c.EndOn != "2026-04-10" {
		t.Fatalf("extension: %+v %v", c, err)
	}

	// After the end day: 意见处理中, comments refused with the date.
	f.clk.Set(day("2026-04-10"))
	if c.Stage(svc.Today()) != participate.StageOpen {
		t.Error("the end day is still open")
	}
	f.clk.Set(day("2026-04-11"))
	if st := c.Stage(svc.Today()); st != participate.StageProcessing {
		t.Errorf("day after the end: %s", st)
	}
	if _, err := svc.Submit(ctx, "198.51.100.3", c.ID, "k3", participate.CommentInput{Body: "晚到的意见"}); !apperr.Is(err, apperr.Conflict) ||
		!strings.Contains(err.Error(), "2026年4月10日结束") {
		t.Errorf("comment after the end: %v", err)
	}
	// A replay of a form accepted before the end still answers with its comment.
	if again, err := svc.Submit(ctx, "198.51.100.1", c.ID, "k1", participate.CommentInput{Body: "建议增加停车位。"}); err != nil || again.ID != c1.ID {
		t.Errorf("replay after the end: %v %s", err, again.ID)
	}

	// The report: every problem named, then published.
	report := func() error { _, err := svc.PublishReport(ctx, reviewer, ip, c.ID); return err }
	if err := report(); !strings.Contains(err.Error(), "2 条意见待审核") || !strings.Contains(err.Error(), "总体说明") {
		t.Errorf("report with pending comments: %v", err)
	}
	if _, err := svc.Moderate(ctx, reviewer, ip, []string{c1.ID, c2.ID}, participate.Decision{Approve: true}); err != nil {
		t.Fatal(err)
	}
	if err := report(); !strings.Contains(err.Error(), "2 条已公开的意见尚未写明") || !strings.Contains(err.Error(), "第 1、2 条") {
		t.Errorf("report without decisions: %v", err)
	}
	if _, err := svc.SetDecisions(ctx, editor, ip, c.ID, []string{c2.ID}, participate.NotAdopted, ""); fieldOf(err) != "reason" {
		t.Errorf("not adopted without a reason: %v", err)
	}
	if _, err := svc.SetDecisions(ctx, editor, ip, c.ID, []string{c2.ID}, "maybe", "x"); fieldOf(err) != "decision" {
		t.Errorf("unknown decision: %v", err)
	}
	if _, err := svc.SetDecisions(ctx, otherEditor, ip, c.ID, []string{c2.ID}, participate.Adopted, ""); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("other org's editor deciding: %v", err)
	}
	if n, err := svc.SetDecisions(ctx, editor, ip, c.ID, []string{c1.ID}, participate.Adopted, ""); err != nil || n != 1 {
		t.Fatalf("adopt: %d %v", n, err)
	}
	if _, err := svc.SetDecisions(ctx, editor, ip, c.ID, []string{c2.ID}, participate.NotAdopted, "农村社区停车问题另行规定"); err != nil {
		t.Fatal(err)
	}
	if err := report(); !strings.Contains(err.Error(), "总体说明") || strings.Contains(err.Error(), "尚未写明") {
		t.Errorf("report without summary: %v", err)
	}
	if err := svc.SaveSummary(ctx, editor, ip, c.ID, "共收到意见 2 条，采纳 1 条，不予采纳 1 条。"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PublishReport(ctx, editor, ip, c.ID); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("editor publishing the report: %v", err)
	}
	f.clk.Set(day("2026-04-20"))
	if c, err = svc.PublishReport(ctx, reviewer, ip, c.ID); err != nil || c.Status != participate.StatusReported || c.ReportedOn != "2026-04-20" {
		t.Fatalf("publish report: %+v %v", c, err)
	}
	if st := c.Stage(svc.Today()); st != participate.StageReported {
		t.Errorf("stage after the report: %s", st)
	}
	// Closed for good: no comments, no moderation, no decisions.
	if _, err := svc.Submit(ctx, "198.51.100.4", c.ID, "", participate.CommentInput{Body: "还有意见"}); !apperr.Is(err, apperr.Conflict) ||
		!strings.Contains(err.Error(), "采纳情况已公布") {
		t.Errorf("comment after the report: %v", err)
	}
	if _, err := svc.Moderate(ctx, reviewer, ip, []string{c1.ID}, participate.Decision{Reason: "其他（见说明）", Note: "x"}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("moderating after the report: %v", err)
	}
	if _, err := svc.SetDecisions(ctx, editor, ip, c.ID, []string{c1.ID}, participate.NotAdopted, "改主意了"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("deciding after the report: %v", err)
	}
	rep, err := svc.Report(ctx, c)
	if err != nil || rep.Total != 2 || rep.ByDecision[participate.Adopted] != 1 || len(rep.Items) != 2 {
		t.Errorf("published report: %+v %v", rep, err)
	}

	// Every step is in the evidence chain, and the chain verifies.
	evs, err := audit.List(ctx, f.env.App.DB.R, audit.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ev := range evs {
		if ev.ObjectID == c.ID || ev.ObjectID == c1.ID {
			seen[ev.Action] = true
		}
		if ev.Action == "participate.comment" && strings.Contains(ev.AfterJSON+ev.Summary, "198.51.100") {
			t.Errorf("comment event names the address in its data: %+v", ev)
		}
	}
	for _, a := range []string{"participate.create", "participate.update", "participate.publish", "participate.extend",
		"participate.comment", "participate.approve", "participate.decide", "participate.report_summary", "participate.report_publish"} {
		if !seen[a] {
			t.Errorf("no %s event", a)
		}
	}
	if res, err := audit.Verify(ctx, f.env.App.DB.R); err != nil || !res.OK() {
		t.Errorf("evidence chain: %+v %v", res, err)
	}
	_ = admin
}

// Comments: anchoring, masking, the moderation policy, the stated reason
// of every rejection, the receipt and replays.
func TestCommentsModerationAndMasking(t *testing.T) {
	f := start(t, "2026-05-06")
	ctx, svc := f.ctx, f.svc
	reviewer := f.login(t, "zfb.reviewer")
	c := f.published(t, 10, false)
	const ip = "198.51.100.7"
	// One address sends everything here: its limit is raised first.
	cfg := moderation.Defaults()
	vals := cfg.Values()
	vals[moderation.KeyIPRate] = "1000/1h"
	if _, err := moderation.Save(ctx, f.env.App.DB, audit.Actor{Name: "test"}, time.Now(), vals); err != nil {
		t.Fatal(err)
	}
	submit := func(key string, in participate.CommentInput) (participate.Comment, error) {
		return svc.Submit(ctx, ip, c.ID, key, in)
	}

	// Personal information is masked in the text that can be shown; the
	// name and contact given are masked wherever the text repeats them.
	in := participate.CommentInput{Name: "张三丰", Contact: "zsf@example.com",
		Body: "我是张三丰，身份证11010519491231002X，电话13800138000，邮箱zsf@example.com。建议第三条增加充电桩。"}
	cm, err := submit("a", in)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"11010519491231002X", "13800138000", "zsf@example.com", "张三丰"} {
		if strings.Contains(cm.PublicBody, secret) {
			t.Errorf("public text shows %s: %s", secret, cm.PublicBody)
		}
		if !strings.Contains(cm.Body, secret) {
			t.Errorf("submitted text lost %s", secret)
		}
	}
	if !strings.Contains(cm.PublicBody, "建议第三条增加充电桩") || !strings.Contains(cm.PublicBody, "张**") {
		t.Errorf("masked text: %s", cm.PublicBody)
	}
	if pub := cm.Public(); pub.Text != cm.PublicBody {
		t.Errorf("public view: %+v", pub)
	}

	// Anchoring: a quote must come from its paragraph; without a paragraph
	// it is found; the offsets are those of the quote.
	an, err := submit("b", participate.CommentInput{Para: 3, Passage: "利用边角地增设停车泊位", Body: "边角地不够，建议挖潜地下空间。"})
	if err != nil || an.Para != 3 || an.Passage != "利用边角地增设停车泊位" {
		t.Fatalf("anchored comment: %+v %v", an, err)
	}
	text := []rune(participate.Blocks(c.Draft)[2].Text)
	if string(text[an.PassageStart:an.PassageEnd]) != an.Passage {
		t.Errorf("offsets %d–%d select %q", an.PassageStart, an.PassageEnd, string(text[an.PassageStart:an.PassageEnd]))
	}
	if whole, err := submit("b2", participate.CommentInput{Para: 2, Body: "同意"}); err != nil || whole.Passage != participate.Blocks(c.Draft)[1].Text {
		t.Errorf("paragraph without a quote takes the whole paragraph: %+v %v", whole, err)
	}
	if found, err := submit("b3", participate.CommentInput{Passage: "适用于本区城市社区", Body: "应包括农村"}); err != nil || found.Para != 2 {
		t.Errorf("quote without paragraph: %+v %v", found, err)
	}
	for name, bad := range map[string]participate.CommentInput{
		"rewritten quote":   {Para: 3, Passage: "利用空地增设停车泊位", Body: "x"},
		"no such paragraph": {Para: 9, Body: "x"},
		"quote not in text": {Passage: "第九十九条", Body: "x"},
	} {
		if _, err := submit("", bad); fieldOf(err) != "passage" {
			t.Errorf("%s: %v", name, err)
		}
	}

	// The policy: size, links, block words, honeypot, review words.
	vals[moderation.KeyMaxBody] = "100"
	vals[moderation.KeyBlockWords] = "代开发票"
	if _, err := moderation.Save(ctx, f.env.App.DB, audit.Actor{Name: "test"}, time.Now(), vals); err != nil {
		t.Fatal(err)
	}
	for name, x := range map[string]struct {
		in    participate.CommentInput
		field string
		kind  apperr.Kind
	}{
		"empty":        {participate.CommentInput{Body: "  \n "}, "body", apperr.Invalid},
		"punctuation":  {participate.CommentInput{Body: "。。。！！"}, "body", apperr.Invalid},
		"100 KB":       {participate.CommentInput{Body: strings.Repeat("长", 100_000)}, "body", apperr.Invalid},
		"links":        {participate.CommentInput{Body: "见 http://a.cn http://b.cn http://c.cn"}, "body", apperr.Invalid},
		"block word":   {participate.CommentInput{Body: "可以代开发票"}, "body", apperr.Invalid},
		"contact":      {participate.CommentInput{Body: "好", Contact: "<script>"}, "contact", apperr.Invalid},
		"long name":    {participate.CommentInput{Body: "好", Name: strings.Repeat("名", 61)}, "name", apperr.Invalid},
		"honeypot":     {participate.CommentInput{Body: "好", Honeypot: "http://spam"}, "", apperr.Invalid},
		"no such page": {participate.CommentInput{Body: "好"}, "", apperr.NotFound},
	} {
		id := c.ID
		if name == "no such page" {
			id = "nope"
		}
		_, err := svc.Submit(ctx, ip, id, "", x.in)
		if !apperr.Is(err, x.kind) || fieldOf(err) != x.field {
			t.Errorf("%s: %v", name, err)
		}
	}
	held, err := submit("c", participate.CommentInput{Body: "再不解决就去上访"})
	if err != nil || held.Status != participate.CommentPending || held.Flags != "上访" {
		t.Errorf("review word: %+v %v", held, err)
	}
	// Post-moderation publishes at once, except what the word list holds.
	vals[moderation.KeyMode] = moderation.ModePost
	if _, err := moderation.Save(ctx, f.env.App.DB, audit.Actor{Name: "test"}, time.Now(), vals); err != nil {
		t.Fatal(err)
	}
	if p, err := submit("d", participate.CommentInput{Body: "支持尽快出台"}); err != nil || p.Status != participate.CommentApproved {
		t.Errorf("post-moderation: %+v %v", p, err)
	}
	if p, err := submit("e", participate.CommentInput{Body: "准备上访反映"}); err != nil || p.Status != participate.CommentPending {
		t.Errorf("post-moderation with a review word: %+v %v", p, err)
	}

	// Rejection needs a listed reason, and a note for 其他.
	if _, err := svc.Moderate(ctx, reviewer, ip, []string{held.ID}, participate.Decision{}); fieldOf(err) != "reason" {
		t.Errorf("reject without reason: %v", err)
	}
	if _, err := svc.Moderate(ctx, reviewer, ip, []string{held.ID}, participate.Decision{Reason: "我不喜欢"}); fieldOf(err) != "reason" {
		t.Errorf("reject with an unlisted reason: %v", err)
	}
	if _, err := svc.Moderate(ctx, reviewer, ip, []string{held.ID}, participate.Decision{Reason: "其他（见说明）"}); fieldOf(err) != "note" {
		t.Errorf("其他 without a note: %v", err)
	}
	if _, err := svc.Moderate(ctx, reviewer, ip, nil, participate.Decision{Approve: true}); fieldOf(err) != "ids" {
		t.Errorf("nothing ticked: %v", err)
	}
	if _, err := svc.Moderate(ctx, f.login(t, "zfb.editor"), ip, []string{held.ID}, participate.Decision{Approve: true}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("editor moderating: %v", err)
	}
	if _, err := svc.Moderate(ctx, f.login(t, "reviewer"), ip, []string{held.ID}, participate.Decision{Approve: true}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another org's reviewer: %v", err)
	}
	if n, err := svc.Moderate(ctx, reviewer, ip, []string{held.ID}, participate.Decision{Reason: "其他（见说明）", Note: "内容与征求意见稿无关"}); err != nil || n != 1 {
		t.Fatalf("reject: %d %v", n, err)
	}
	rc, err := svc.Lookup(ctx, strings.ToLower(held.ReceiptNo))
	if err != nil || rc.Status != participate.CommentRejected || rc.RejectReason != "其他（见说明）" || rc.RejectNote != "内容与征求意见稿无关" {
		t.Errorf("receipt of a rejected comment: %+v %v", rc, err)
	}
	for _, no := range []string{"YJ-2026-AAAAAA-AAAAAA", "", strings.Repeat("Y", 500), "' OR 1=1 --"} {
		if _, err := svc.Lookup(ctx, no); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Lookup(%.20q) = %v", no, err)
		}
	}
	// Approving with an edited public text masks it again.
	n, err := svc.Moderate(ctx, reviewer, ip, []string{cm.ID}, participate.Decision{Approve: true,
		PublicText: "我是张三丰，住在湖滨社区某栋。建议第三条增加充电桩。电话13800138000"})
	if err != nil || n != 1 {
		t.Fatal(err)
	}
	cm, _, _ = svc.GetComment(ctx, reviewer, cm.ID)
	if cm.Status != participate.CommentApproved || strings.Contains(cm.PublicBody, "13800138000") || strings.Contains(cm.PublicBody, "张三丰") ||
		!strings.Contains(cm.PublicBody, "湖滨社区某栋") {
		t.Errorf("edited public text: %+v", cm)
	}
	if _, err := svc.Moderate(ctx, reviewer, ip, []string{cm.ID, an.ID}, participate.Decision{Approve: true, PublicText: "x"}); fieldOf(err) != "public_body" {
		t.Errorf("editing the text of several: %v", err)
	}
	// Bulk approval; a comment already approved is left alone.
	if n, err := svc.Moderate(ctx, reviewer, ip, []string{cm.ID, an.ID}, participate.Decision{Approve: true}); err != nil || n != 1 {
		t.Errorf("bulk approve: %d %v", n, err)
	}
	ops, total, approved, err := svc.Opinions(ctx, c.ID, 1, 20)
	if err != nil || approved < 3 || total != len(ops) {
		t.Fatalf("opinions: %d/%d %v", total, approved, err)
	}
	for _, op := range ops {
		if strings.Contains(op.Text, "13800138000") {
			t.Errorf("portal shows a phone: %+v", op)
		}
	}
	// A replayed form is the same comment, not a second one.
	again, err := submit("a", in)
	if err != nil || again.ID != cm.ID {
		t.Errorf("replay: %v %s", err, again.ID)
	}
	if ok, _ := svc.Submitted(ctx, "a"); !ok {
		t.Error("Submitted(a) = false")
	}
}

// Identical and near-identical comments are detected, counted and shown
// once; near ones keep their own words; auto-grouping makes one report line.
func TestDuplicates(t *testing.T) {
	f := start(t, "2026-05-06")
	ctx, svc := f.ctx, f.svc
	reviewer, editor := f.login(t, "zfb.reviewer"), f.login(t, "zfb.editor")
	c := f.published(t, 5, false)
	const base = "建议在老旧小区周边利用边角地增设公共停车位，缓解居民夜间停车难问题。"
	texts := []string{
		base,
		"建議在老舊小區周邊利用邊角地增設公共停車位，緩解居民夜間停車難問題！", // traditional, other punctuation: identical
		"建议在老旧小区周边利用边角空地增设公共停车位，缓解居民晚上停车难的问题。",
		"第二条应当包括农村社区。",
		base,
	}
	var ids []string
	for i, tx := range texts {
		cm, err := svc.Submit(ctx, "198.51.100."+string(rune('1'+i)), c.ID, "", participate.CommentInput{Body: tx})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cm.ID)
		if i == 0 {
			if _, err := svc.Moderate(ctx, reviewer, "x", []string{cm.ID}, participate.Decision{Approve: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	get := func(i int) participate.Comment {
		cm, _, err := svc.GetComment(ctx, reviewer, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		return cm
	}
	if cm := get(1); cm.DupOf != ids[0] || cm.DupKind != "exact" || cm.Status != participate.CommentApproved ||
		!strings.Contains(cm.ModeratedBy, "相同") {
		t.Errorf("identical copy of an approved comment: %+v", cm)
	}
	if cm := get(2); cm.DupOf != ids[0] || cm.DupKind != "near" || cm.DupScore < 50 || cm.DupScore >= 100 || cm.Status != participate.CommentPending {
		t.Errorf("near copy: %+v", cm)
	}
	if cm := get(3); cm.DupOf != "" {
		t.Errorf("unrelated comment grouped: %+v", cm)
	}
	if _, err := svc.Moderate(ctx, reviewer, "x", ids[2:], participate.Decision{Approve: true}); err != nil {
		t.Fatal(err)
	}
	ops, total, approved, err := svc.Opinions(ctx, c.ID, 1, 20)
	if err != nil || approved != 5 || total != 2 {
		t.Fatalf("opinions: %d shown for %d approved (%v)", total, approved, err)
	}
	if ops[0].Seq != 1 || ops[0].Same != 2 || len(ops[0].Near) != 1 || ops[0].Near[0].Seq != 3 {
		t.Errorf("folded opinion: %+v", ops[0])
	}
	// Auto-grouping: the cluster becomes one group; the other comment stays.
	f.clk.Set(day("2026-05-11"))
	if n, err := svc.AutoGroup(ctx, editor, "x", c.ID); err != nil || n != 1 {
		t.Fatalf("auto-group: %d %v", n, err)
	}
	if n, err := svc.AutoGroup(ctx, editor, "x", c.ID); err != nil || n != 0 {
		t.Errorf("auto-group twice: %d %v", n, err)
	}
	groups, err := svc.Groups(ctx, c.ID)
	if err != nil || len(groups) != 1 {
		t.Fatalf("groups: %+v %v", groups, err)
	}
	// Manual grouping: the other comment joins; ungrouping removes an emptied group.
	if _, err := svc.GroupComments(ctx, editor, "x", c.ID, ids[3:4], groups[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GroupComments(ctx, editor, "x", c.ID, ids[3:4], "", ""); fieldOf(err) != "summary" {
		t.Errorf("new group without a summary: %v", err)
	}
	g2, err := svc.GroupComments(ctx, editor, "x", c.ID, ids[3:4], "", "关于适用范围")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := svc.Ungroup(ctx, editor, "x", c.ID, ids[3:4]); err != nil || n != 1 {
		t.Fatalf("ungroup: %d %v", n, err)
	}
	if groups, _ := svc.Groups(ctx, c.ID); len(groups) != 1 || groups[0].ID == g2.ID {
		t.Errorf("emptied group kept: %+v", groups)
	}
	// One answer for the whole group in one bulk action.
	members := []string{ids[0], ids[1], ids[2], ids[4]}
	if n, err := svc.SetDecisions(ctx, editor, "x", c.ID, members, participate.PartlyAdopted, "部分小区已无边角地"); err != nil || n != 4 {
		t.Errorf("bulk decision: %d %v", n, err)
	}
	rep, err := svc.Report(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 2 || rep.Items[0].GroupID == "" || len(rep.Items[0].Comments) != 4 || rep.Items[0].Mixed ||
		rep.Items[0].Decision != participate.PartlyAdopted || rep.Items[0].Seqs() != "1、2、3、5" {
		t.Fatalf("report: %+v", rep.Items)
	}
	if rep.Missing[0] != 4 || len(rep.Missing) != 1 {
		t.Errorf("missing: %v", rep.Missing)
	}
	// One member answered differently: the group says so.
	if _, err := svc.SetDecisions(ctx, editor, "x", c.ID, ids[4:5], participate.Adopted, ""); err != nil {
		t.Fatal(err)
	}
	rep, _ = svc.Report(ctx, c)
	if it := rep.Items[0]; !it.Mixed || it.Decision != "" {
		t.Errorf("group with different answers not marked mixed: %+v", it)
	}
}

// Per-address and per-contact limits; replays are never limited.
func TestRateLimits(t *testing.T) {
	f := start(t, "2026-05-06")
	ctx, svc := f.ctx, f.svc
	c := f.published(t, 5, false)
	vals := moderation.Defaults().Values()
	vals[moderation.KeyIPRate], vals[moderation.KeyContactRate] = "2/1h", "2/1d"
	if _, err := moderation.Save(ctx, f.env.App.DB, audit.Actor{Name: "test"}, time.Now(), vals); err != nil {
		t.Fatal(err)
	}
	sub := func(ip, key, contact string) error {
		_, err := svc.Submit(ctx, ip, c.ID, key, participate.CommentInput{Body: "意见" + key, Contact: contact})
		return err
	}
	for i, key := range []string{"r1", "r2"} {
		if err := sub("192.0.2.1", key, ""); err != nil {
			t.Fatalf("submission %d: %v", i+1, err)
		}
	}
	err := sub("192.0.2.1", "r3", "")
	var le *moderation.LimitError
	if !apperr.Is(err, apperr.TooMany) || !errors.As(err, &le) || le.Wait <= 0 || le.Wait > time.Hour {
		t.Fatalf("third from one address: %v", err)
	}
	if err := sub("192.0.2.1", "r1", ""); err != nil {
		t.Errorf("replay refused: %v", err)
	}
	if err := sub("192.0.2.2", "r4", "138 0013 8000"); err != nil {
		t.Fatal(err)
	}
	if err := sub("192.0.2.3", "r5", "+86 13800138000"); err != nil {
		t.Fatal(err)
	}
	if err := sub("192.0.2.4", "r6", "13800138000"); !apperr.Is(err, apperr.TooMany) {
		t.Errorf("third from one contact: %v", err)
	}
	// After an hour the address is welcome again.
	f.clk.Set(f.clk.Now().Add(61 * time.Minute))
	if err := sub("192.0.2.1", "r7", ""); err != nil {
		t.Errorf("after the window: %v", err)
	}
}
