package board_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

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
	svc *board.Service
	clk *clock
	ctx context.Context
	ips int
}

func start(t *testing.T, now string) *fixture {
	t.Helper()
	clk := &clock{t: day(now)}
	env := apptest.Start(t, apptest.Options{Now: clk.Now})
	return &fixture{env: env, svc: env.App.Board, clk: clk, ctx: context.Background()}
}

func (f *fixture) at(s string) { f.clk.Set(day(s)) }

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

// user creates an account holding roles in the org named short.
func (f *fixture) user(t *testing.T, username, short string, roles ...org.Role) *org.Principal {
	t.Helper()
	id := f.org(t, short)
	var gs []org.Grant
	for _, r := range roles {
		gs = append(gs, org.Grant{OrgID: id, Role: r})
	}
	if _, err := f.env.App.Orgs.CreateUser(f.ctx, audit.System("test", "测试"), org.UserInput{Username: username,
		DisplayName: username, OrgID: id, Password: demo.Password, Grants: gs}); err != nil {
		t.Fatal(err)
	}
	return f.login(t, username)
}

// submit leaves a message from a fresh address.
func (f *fixture) submit(t *testing.T, orgShort, category, title string) board.Message {
	t.Helper()
	f.ips++
	m, err := f.svc.Submit(f.ctx, fmt.Sprintf("192.0.2.%d", f.ips), "", board.Input{OrgID: f.org(t, orgShort), Category: category,
		Title: title, Body: title + "，请予答复。", Name: "测试人", Contact: fmt.Sprintf("1380000%04d", f.ips), Consent: true})
	if err != nil {
		t.Fatalf("submit %s: %v", title, err)
	}
	return m
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

// must(f())(t) is f's value, failing the test on f's error.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// Routing: a message goes to the org chosen, only that org sees and handles
// it; a transfer moves it with the reason in the history; afterwards the
// former org is refused clearly and the new one answers in its own name.
func TestRoutingAndTransfer(t *testing.T) {
	f := start(t, "2026-09-28")
	ctx := f.ctx
	jyj, mzj, gkb, jyjRev := f.login(t, "jyj.editor"), f.login(t, "mzj.editor"), f.login(t, "gkb"), f.login(t, "jyj.reviewer")

	// Orgs that do not take messages are refused with the field named.
	_, err := f.svc.Submit(ctx, "192.0.2.200", "", board.Input{OrgID: f.org(t, "湖滨社区"), Category: board.CatConsult,
		Title: "咨询", Body: "咨询内容"})
	if fieldOf(err) != "org_id" || !strings.Contains(err.Error(), "街道") {
		t.Errorf("community as target: %v", err)
	}
	if _, err := f.svc.Submit(ctx, "192.0.2.201", "", board.Input{OrgID: f.org(t, "区教育局"), Category: "petition", Title: "x",
		Body: "y"}); fieldOf(err) != "category" {
		t.Errorf("unknown category: %v", err)
	}

	m := f.submit(t, "区教育局", board.CatConsult, "孩子上幼儿园能申请低保家庭补助吗")
	if m.Status != board.StatusReceived || m.OrgID != f.org(t, "区教育局") || !strings.HasPrefix(m.TrackingNo, "LY-2026-") ||
		m.LimitDays != 5 || m.ReceivedOn != "2026-09-28" {
		t.Fatalf("submitted: %+v", m)
	}
	// Other orgs do not see it; supervisors see it but do not handle it.
	if _, err := f.svc.Get(ctx, mzj, m.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another org sees it: %v", err)
	}
	if _, err := f.svc.Reply(ctx, mzj, "127.0.0.1", m.ID, "答复"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another org replied: %v", err)
	}
	must(f.svc.Get(ctx, gkb, m.ID))(t)
	if _, err := f.svc.Reply(ctx, gkb, "127.0.0.1", m.ID, "答复"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("supervisor replied: %v", err)
	}
	if _, err := f.svc.Accept(ctx, jyjRev, "127.0.0.1", m.ID); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("reviewer accepted: %v", err)
	}
	must(f.svc.Accept(ctx, jyj, "127.0.0.1", m.ID))(t)

	// Transfer: every bad input names its field.
	for _, tc := range []struct{ to, reason, field string }{
		{f.org(t, "区民政局"), "", "reason"},
		{f.org(t, "区民政局"), strings.Repeat("因", 501), "reason"},
		{"", "职责", "to_org"},
		{f.org(t, "区教育局"), "职责", "to_org"},
		{f.org(t, "莲花社区"), "职责", "to_org"},
	} {
		if _, err := f.svc.Transfer(ctx, jyj, "127.0.0.1", m.ID, tc.to, tc.reason); fieldOf(err) != tc.field {
			t.Errorf("transfer to %q with %d-rune reason: %v, want field %s", tc.to, len([]rune(tc.reason)), err, tc.field)
		}
	}
	f.at("2026-09-29")
	const reason = "低保家庭的认定属区民政局职责"
	moved := must(f.svc.Transfer(ctx, jyj, "127.0.0.1", m.ID, f.org(t, "区民政局"), reason))(t)
	if moved.OrgID != f.org(t, "区民政局") || moved.FirstOrgID != f.org(t, "区教育局") || moved.Status != board.StatusReceived ||
		moved.AcceptedOn != "2026-09-28" || moved.ReceivedOn != "2026-09-28" {
		t.Errorf("after transfer: %+v", moved)
	}
	// The former org is told where it went, clearly, for every action.
	for name, act := range map[string]func() error{
		"reply":  func() error { _, err := f.svc.Reply(ctx, jyj, "127.0.0.1", m.ID, "答复"); return err },
		"accept": func() error { _, err := f.svc.Accept(ctx, jyj, "127.0.0.1", m.ID); return err },
		"transfer": func() error {
			_, err := f.svc.Transfer(ctx, jyj, "127.0.0.1", m.ID, f.org(t, "区政府办"), "再转")
			return err
		},
	} {
		err := act()
		if !apperr.Is(err, apperr.Forbidden) || !strings.Contains(err.Error(), "已转交示范区民政局办理") {
			t.Errorf("%s by the former org: %v", name, err)
		}
	}
	// A third org still sees nothing.
	if _, err := f.svc.Get(ctx, f.login(t, "editor"), m.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unrelated org: %v", err)
	}
	f.at("2026-09-30")
	must(f.svc.Accept(ctx, mzj, "127.0.0.1", m.ID))(t)
	replied := must(f.svc.Reply(ctx, mzj, "127.0.0.1", m.ID, "低保家庭的幼儿可享受学前教育资助。"))(t)
	if replied.Status != board.StatusReplied || replied.ReplyOrgID != f.org(t, "区民政局") || replied.RespondedOn != "2026-09-30" ||
		replied.AcceptedOn != "2026-09-28" {
		t.Errorf("replied: %+v", replied)
	}
	if _, err := f.svc.Reply(ctx, mzj, "127.0.0.1", m.ID, "再答复"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second reply: %v", err)
	}
	// The history keeps every hop with its reason; the evidence chain has
	// the transfer for both orgs.
	v := must(f.svc.View(ctx, mzj, m.ID))(t)
	var kinds []string
	for _, st := range v.Steps {
		kinds = append(kinds, st.Kind)
		if st.Kind == board.HistTransfer && (st.Note != reason || st.FromOrgID != f.org(t, "区教育局") || st.ToOrgID != f.org(t, "区民政局")) {
			t.Errorf("transfer step: %+v", st)
		}
	}
	if got := strings.Join(kinds, ","); got != "receive,accept,transfer,accept,reply" {
		t.Errorf("history %s", got)
	}
	evs := must(audit.List(ctx, f.env.App.DB.R, audit.Filter{Limit: 50}))(t)
	orgsSeen := map[string]bool{}
	for _, ev := range evs {
		if ev.Action == "board.transfer" && ev.ObjectID == m.ID {
			orgsSeen[ev.OrgID] = true
		}
	}
	if !orgsSeen[f.org(t, "区教育局")] || !orgsSeen[f.org(t, "区民政局")] {
		t.Errorf("transfer events for %v", orgsSeen)
	}
	// The writer's tracking page names the new org but not the reason.
	tr := must(f.svc.Track(ctx, strings.ToLower(m.TrackingNo)))(t)
	text := ""
	for _, st := range tr.Steps {
		text += st.PublicNote + ";"
	}
	if !strings.Contains(text, "转示范区民政局办理") || strings.Contains(text, reason) || tr.ReplyOrgName != "示范区民政局" {
		t.Errorf("tracking: %s %+v", text, tr)
	}
	if _, err := f.svc.Track(ctx, "LY-2026-AAAAAA-AAAAAA"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown tracking number: %v", err)
	}

	// Referral to another channel closes the message with a notice.
	other := f.submit(t, "区教育局", board.CatComplaint, "举报某校收受礼金")
	if _, err := f.svc.Redirect(ctx, jyj, "127.0.0.1", other.ID, "不存在的渠道", ""); fieldOf(err) != "channel" {
		t.Errorf("unknown channel: %v", err)
	}
	red := must(f.svc.Redirect(ctx, jyj, "127.0.0.1", other.ID, "检举控告（纪检监察）", ""))(t)
	if red.Status != board.StatusRedirected || red.RespondedOn != "2026-09-30" || !strings.Contains(red.Reply, "12388") {
		t.Errorf("redirected: %+v", red)
	}
	if tr := must(f.svc.Track(ctx, other.TrackingNo))(t); !strings.Contains(tr.HowTo, "12388") || tr.CanRate {
		t.Errorf("referral tracking: %+v", tr)
	}
}

// The limit is in working days, the receipt day not counted, across the
// 2026 National Day holiday and its Saturday make-up day; a changed limit
// applies to messages received later only.
func TestLimitsAcrossHoliday(t *testing.T) {
	f := start(t, "2026-09-26") // a Saturday
	ctx := f.ctx
	sat := f.submit(t, "东湖街道", board.CatConsult, "周六留言")
	f.at("2026-09-29")
	tue := f.submit(t, "东湖街道", board.CatConsult, "节前留言")
	sug := f.submit(t, "东湖街道", board.CatSuggest, "节前建议")
	cor := f.submit(t, "东湖街道", board.CatCorrection, "网站纠错")
	editor := f.login(t, "editor")
	due := func(m board.Message) string {
		t.Helper()
		v := must(f.svc.View(ctx, editor, m.ID))(t)
		if v.ClockErr != "" {
			t.Fatal(v.ClockErr)
		}
		return v.Clock.Due.String()
	}
	// 29 Sep + 5: 30 Sep, [1–7 Oct holiday, 3–4 weekend], 8, 9, 10 (make-up Saturday), 12 Oct.
	for m, want := range map[*board.Message]string{&sat: "2026-10-09", &tue: "2026-10-12", &cor: "2026-10-09",
		&sug: "2026-10-26"} {
		if got := due(*m); got != want {
			t.Errorf("%s (%s, received %s): due %s, want %s", m.Title, m.Category, m.ReceivedOn, got, want)
		}
	}

	admin := f.login(t, "admin")
	vals := board.Defaults().Values()
	vals[board.KeyLimitPrefix+board.CatConsult] = "3"
	vals[board.KeyLimitPrefix+board.CatSuggest] = "0"
	if _, err := f.svc.SaveConfig(ctx, admin.Actor("127.0.0.1"), vals); fieldOf(err) != board.KeyLimitPrefix+board.CatSuggest {
		t.Errorf("limit 0: %v", err)
	}
	vals[board.KeyLimitPrefix+board.CatSuggest] = "15"
	must(f.svc.SaveConfig(ctx, admin.Actor("127.0.0.1"), vals))(t)
	later := f.submit(t, "东湖街道", board.CatConsult, "改限后留言")
	if later.LimitDays != 3 || due(later) != "2026-10-09" || due(tue) != "2026-10-12" {
		t.Errorf("after the change: later %d days due %s; earlier due %s", later.LimitDays, due(later), due(tue))
	}
}

// Overdue and escalation: past the due day a message is overdue (level 1:
// the org's handlers and 审核员 are reminded, the supervisor is not); five
// working days further it is escalated (level 2: the supervisor too).
func TestOverdueAndEscalation(t *testing.T) {
	f := start(t, "2026-09-28") // (the demo's applications need a start day in step with their story)
	f.at("2026-09-29")
	ctx := f.ctx
	m := f.submit(t, "东湖街道", board.CatConsult, "路灯不亮") // due 12 Oct
	ontime := f.submit(t, "东湖街道", board.CatSuggest, "增设座椅")
	editor, reviewer, gkb, jyj := f.login(t, "editor"), f.login(t, "reviewer"), f.login(t, "gkb"), f.login(t, "jyj.editor")
	has := func(rows []board.Row, id string) (board.Row, bool) {
		for _, r := range rows {
			if r.ID == id {
				return r, true
			}
		}
		return board.Row{}, false
	}
	f.at("2026-10-12")
	if r, _ := has(must(f.svc.Overdue(ctx, nil))(t), m.ID); r.ID != "" {
		t.Errorf("overdue on its due day: %+v", r.Clock)
	}
	f.at("2026-10-16") // 4 working days over
	for _, tc := range []struct {
		who  *org.Principal
		name string
		want bool
	}{{editor, "editor", true}, {reviewer, "reviewer", true}, {gkb, "supervisor", false}, {jyj, "other org", false}} {
		rs := must(f.svc.Remind(ctx, tc.who))(t)
		r, ok := has(rs, m.ID)
		if ok != tc.want || ok && (r.Level() != 1 || r.Clock.DaysOver != 4) {
			t.Errorf("16 Oct, %s reminded %v (%+v)", tc.name, ok, r.Clock)
		}
	}
	f.at("2026-10-19") // 5 working days over: escalated
	rs := must(f.svc.Remind(ctx, gkb))(t)
	if r, ok := has(rs, m.ID); !ok || r.Level() != 2 || !strings.Contains(r.DueText(), "升级督办") {
		t.Errorf("19 Oct, supervisor: %v %+v", ok, r.Clock)
	}
	if _, ok := has(rs, ontime.ID); ok {
		t.Error("a message within its limit was escalated")
	}
	// The inbox puts it first; the counts say so.
	rows, _ := must2(t)(f.svc.List(ctx, editor, board.Filter{Tab: board.TabOpen}))
	pos := map[string]int{}
	for i, r := range rows {
		pos[r.ID] = i
		if i > 0 && r.Level() > rows[i-1].Level() {
			t.Errorf("inbox order: %v", ids(rows))
		}
	}
	if pos[m.ID] > pos[ontime.ID] || rows[pos[m.ID]].Level() != 2 {
		t.Errorf("inbox order: %v", ids(rows))
	}
	c := must(f.svc.Counts(ctx, gkb))(t)
	if c.Overdue < 1 || c.Escalated < 1 {
		t.Errorf("counts %+v", c)
	}
	// Answered late: no longer overdue, counted late.
	must(f.svc.Reply(ctx, editor, "127.0.0.1", m.ID, "已报修，路灯已恢复。"))(t)
	if _, ok := has(must(f.svc.Overdue(ctx, nil))(t), m.ID); ok {
		t.Error("answered message still overdue")
	}
	v := must(f.svc.View(ctx, editor, m.ID))(t)
	if !v.Clock.Responded || v.Clock.OnTime || v.Clock.DaysOver != 5 || v.Clock.Taken != 10 {
		t.Errorf("late answer: %+v", v.Clock)
	}
}

func must2(t *testing.T) func([]board.Row, int, error) ([]board.Row, int) {
	return func(r []board.Row, n int, err error) ([]board.Row, int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r, n
	}
}

func ids(rows []board.Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Title)
	}
	return out
}

func TestThreeMonthsAfter(t *testing.T) {
	for from, want := range map[string]string{"2026-01-15": "2026-04-15", "2026-11-30": "2027-02-28", "2027-11-30": "2028-02-29",
		"2026-01-31": "2026-04-30", "2026-10-31": "2027-01-31", "2026-12-01": "2027-03-01"} {
		if got := board.ThreeMonthsAfter(must(workday.ParseDate(from))(t)).String(); got != want {
			t.Errorf("ThreeMonthsAfter(%s) = %s, want %s", from, got, want)
		}
	}
}

// The three-month veto: valid messages of the last year left without a
// response for more than three months, answered late or not at all;
// acceptance is not a response, invalid messages never count.
func TestUnanswered(t *testing.T) {
	f := start(t, "2026-01-05")
	ctx := f.ctx
	// 区财政局 has no demo messages: every item below is the test's.
	editor := f.user(t, "czj.editor", "区财政局", org.RoleEditor)
	reviewer := f.user(t, "czj.reviewer", "区财政局", org.RoleReviewer)
	scope := []string{f.org(t, "区财政局")}
	old := f.submit(t, "区财政局", board.CatSuggest, "一年多以前的留言")
	f.at("2026-03-02")
	open := f.submit(t, "区财政局", board.CatSuggest, "一直没有回应")
	must(f.svc.Accept(ctx, editor, "127.0.0.1", open.ID))(t)
	onLimit := f.submit(t, "区财政局", board.CatSuggest, "最后一天回应")
	late := f.submit(t, "区财政局", board.CatSuggest, "超过三个月才回应")
	junk := f.submit(t, "区财政局", board.CatSuggest, "广告")
	must(f.svc.Reject(ctx, reviewer, "127.0.0.1", junk.ID, "内容无实际意义或者无法辨认", ""))(t)
	f.at("2026-06-02") // three months after 2 March: the last day
	must(f.svc.Reply(ctx, editor, "127.0.0.1", onLimit.ID, "答复"))(t)
	f.at("2026-06-03")
	must(f.svc.Reply(ctx, editor, "127.0.0.1", late.ID, "答复"))(t)
	_ = old

	got := func(asOf string, orgs []string) map[string]board.Unanswered {
		t.Helper()
		us := must(f.svc.Unanswered(ctx, orgs, must(workday.ParseDate(asOf))(t)))(t)
		m := map[string]board.Unanswered{}
		for _, u := range us {
			m[u.MessageID] = u
			if u.TrackingNo == "" || u.Link == "" || u.Evidence == "" {
				t.Errorf("incomplete item %+v", u)
			}
		}
		return m
	}
	// On 2 June nothing is over three months yet, except old (January,
	// still open and within the year); nil scope means every org.
	if g := got("2026-06-02", scope); len(g) != 1 || g[old.ID].LimitOn != "2026-04-05" {
		t.Errorf("2 June: %+v", g)
	}
	g := got("2026-06-10", scope)
	if len(g) != 3 || g[open.ID].RespondedOn != "" || g[late.ID].RespondedOn != "2026-06-03" || g[late.ID].Days != 93 {
		t.Errorf("10 June: %+v", g)
	}
	if _, ok := g[onLimit.ID]; ok {
		t.Error("answered on the last day counted")
	}
	if _, ok := g[junk.ID]; ok {
		t.Error("invalid message counted")
	}
	// As of a day before the late reply, it was still unanswered.
	if g := got("2026-06-02", scope); g[late.ID].MessageID != "" {
		t.Errorf("late counted before its limit: %+v", g[late.ID])
	}
	// A year later the old ones drop out of the look-back; scoped by org.
	if g := got("2027-01-06", scope); len(g) != 2 || g[old.ID].MessageID != "" {
		t.Errorf("a year later: %+v", g)
	}
	if g := got("2026-06-10", []string{f.org(t, "区人社局")}); len(g) != 0 {
		t.Errorf("other org: %+v", g)
	}
	if all := got("2026-06-10", nil); len(all) < 3 || all[open.ID].MessageID == "" {
		t.Errorf("nil scope: %d items", len(all))
	}
	if g := must(f.svc.Unanswered(ctx, []string{}, must(workday.ParseDate("2026-06-10"))(t)))(t); len(g) != 0 {
		t.Errorf("empty scope: %+v", g)
	}
}

// Publication needs the writer's consent and a reply; everything public is
// masked, also what the 审核员 types; the portal shows the required facts.
func TestPublishConsentAndMasking(t *testing.T) {
	f := start(t, "2026-09-28")
	ctx := f.ctx
	editor, reviewer := f.login(t, "editor"), f.login(t, "reviewer")
	in := board.Input{OrgID: f.org(t, "东湖街道"), Category: board.CatConsult, Title: "周建国咨询停车位",
		Body: "我是周建国，身份证 110101199003074477，手机 13912345678，请问小区停车位怎么申请？", Name: "周建国",
		Contact: "13912345678"}
	noConsent := must(f.svc.Submit(ctx, "192.0.2.50", "", in))(t)
	in.Consent = true
	m := must(f.svc.Submit(ctx, "192.0.2.51", "", in))(t)
	if _, err := f.svc.Publish(ctx, reviewer, "127.0.0.1", m.ID, board.PublicDraft(m)); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("published before the reply: %v", err)
	}
	for _, id := range []string{noConsent.ID, m.ID} {
		must(f.svc.Reply(ctx, editor, "127.0.0.1", id, "周建国您好，请到社区登记，电话 0000-88881001，或联系网格员 13712345678。"))(t)
	}
	if _, err := f.svc.Publish(ctx, reviewer, "127.0.0.1", noConsent.ID, board.PublicDraft(noConsent)); !apperr.Is(err, apperr.Conflict) ||
		!strings.Contains(err.Error(), "未同意公开") {
		t.Errorf("published without consent: %v", err)
	}
	if _, err := f.svc.Publish(ctx, editor, "127.0.0.1", m.ID, board.PublicDraft(m)); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("editor published: %v", err)
	}
	m = must(f.svc.Get(ctx, reviewer, m.ID))(t)
	draft := board.PublicDraft(m)
	for _, secret := range []string{"110101199003074477", "13912345678", "13712345678", "周建国"} {
		if strings.Contains(draft.Title+draft.Body+draft.Reply, secret) {
			t.Errorf("draft shows %s: %+v", secret, draft)
		}
	}
	if !strings.Contains(draft.Reply, "0000-88881001") || !strings.Contains(draft.Title, "周**咨询") {
		t.Errorf("draft masking: %+v", draft)
	}
	// Whatever the 审核员 types is masked again.
	draft.Body += "（补充：留言人手机 13912345678）"
	if _, err := f.svc.Publish(ctx, reviewer, "127.0.0.1", m.ID, board.PublishInput{Title: "", Body: draft.Body, Reply: draft.Reply}); fieldOf(err) != "public_title" {
		t.Errorf("empty public title: %v", err)
	}
	pubd := must(f.svc.Publish(ctx, reviewer, "127.0.0.1", m.ID, draft))(t)
	if !pubd.Published() || strings.Contains(pubd.PublicBody, "13912345678") {
		t.Errorf("published: %+v", pubd)
	}
	list, total, err := f.svc.PublicList(ctx, board.PublicFilter{OrgID: f.org(t, "东湖街道")})
	if err != nil || total == 0 || list[0].ID != m.ID || list[0].AcceptedOn != "2026-09-28" || list[0].RepliedOn != "2026-09-28" ||
		list[0].OrgID != f.org(t, "东湖街道") {
		t.Fatalf("public list: %d %+v %v", total, list, err)
	}
	if _, err := f.svc.PublicMessage(ctx, noConsent.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unpublished message public: %v", err)
	}
	if _, err := f.svc.Unpublish(ctx, reviewer, "127.0.0.1", m.ID, ""); fieldOf(err) != "reason" {
		t.Errorf("unpublish without reason: %v", err)
	}
	must(f.svc.Unpublish(ctx, reviewer, "127.0.0.1", m.ID, "留言人要求撤回"))(t)
	if _, err := f.svc.PublicMessage(ctx, m.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("withdrawn message public: %v", err)
	}
}

// The writer rates a reply once, after it.
func TestRateOnce(t *testing.T) {
	f := start(t, "2026-09-28")
	ctx := f.ctx
	m := f.submit(t, "东湖街道", board.CatConsult, "评价测试")
	if _, err := f.svc.Rate(ctx, "192.0.2.9", m.TrackingNo, board.RateSatisfied, ""); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("rated before the reply: %v", err)
	}
	must(f.svc.Reply(ctx, f.login(t, "editor"), "127.0.0.1", m.ID, "答复"))(t)
	if _, err := f.svc.Rate(ctx, "192.0.2.9", m.TrackingNo, "great", ""); fieldOf(err) != "rating" {
		t.Errorf("unknown rating: %v", err)
	}
	if _, err := f.svc.Rate(ctx, "192.0.2.9", m.TrackingNo, board.RateBasic, strings.Repeat("评", 501)); fieldOf(err) != "rating_comment" {
		t.Errorf("long comment: %v", err)
	}
	if _, err := f.svc.Rate(ctx, "192.0.2.9", "LY-2026-XXXXXX-XXXXXX", board.RateBasic, ""); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown number: %v", err)
	}
	r := must(f.svc.Rate(ctx, "192.0.2.9", m.TrackingNo, board.RateBasic, "基本解决"))(t)
	if r.Rating != board.RateBasic || r.RatingComment != "基本解决" {
		t.Errorf("rated: %+v", r)
	}
	_, err := f.svc.Rate(ctx, "192.0.2.9", m.TrackingNo, board.RateUnsatisfied, "")
	if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "只能评价一次") {
		t.Errorf("second rating: %v", err)
	}
	if tr := must(f.svc.Track(ctx, m.TrackingNo))(t); tr.CanRate || tr.Rating != board.RateBasic {
		t.Errorf("tracking after rating: %+v", tr)
	}
}

// Monthly statistics, worked by hand for 区财政局 (which has no demo
// messages); see the comment in the test for each figure.
func TestStatistics(t *testing.T) {
	f := start(t, "2026-09-28")
	f.at("2026-09-29")
	ctx := f.ctx
	czj := f.user(t, "czj.editor", "区财政局", org.RoleEditor)
	rev := f.user(t, "czj.reviewer", "区财政局", org.RoleReviewer)
	a := f.submit(t, "区财政局", board.CatConsult, "A") // due 12 Oct
	b := f.submit(t, "区财政局", board.CatSuggest, "B") // due 23 Oct
	f.at("2026-09-30")
	fm := f.submit(t, "区财政局", board.CatConsult, "F") // due 13 Oct
	f.at("2026-10-08")
	c := f.submit(t, "区财政局", board.CatConsult, "C") // due 14 Oct
	f.at("2026-10-09")
	f.submit(t, "区财政局", board.CatConsult, "D") // never answered
	e := f.submit(t, "区财政局", board.CatConsult, "E")
	must(f.svc.Reject(ctx, rev, "127.0.0.1", e.ID, "内容无实际意义或者无法辨认", ""))(t)
	must(f.svc.Redirect(ctx, czj, "127.0.0.1", fm.ID, "政务服务便民热线", ""))(t) // 2 working days, on time
	f.at("2026-10-12")
	must(f.svc.Reply(ctx, czj, "127.0.0.1", a.ID, "答复"))(t) // 5 working days, on time
	f.at("2026-10-13")
	must(f.svc.Reply(ctx, czj, "127.0.0.1", b.ID, "答复"))(t) // 6 working days, on time
	f.at("2026-10-20")
	must(f.svc.Reply(ctx, czj, "127.0.0.1", c.ID, "答复"))(t) // 9 working days, late
	for m, r := range map[string]string{a.TrackingNo: board.RateSatisfied, b.TrackingNo: board.RateBasic, c.TrackingNo: board.RateUnsatisfied} {
		must(f.svc.Rate(ctx, "192.0.2.99", m, r, ""))(t)
	}
	f.at("2026-10-30")
	months := must(f.svc.Stats(ctx, 2026))(t)
	if len(months) != 10 || months[0].Month != time.October || months[1].Month != time.September {
		t.Fatalf("months: %d", len(months))
	}
	find := func(ms board.MonthStats) board.Stat {
		for _, s := range ms.Orgs {
			if s.OrgID == f.org(t, "区财政局") {
				return s
			}
		}
		return board.Stat{}
	}
	// September: A, B, F received (E is invalid); nothing answered.
	if s := find(months[1]); s.Received != 3 || s.Replied != 0 || s.Unanswered != 0 || s.AvgDays() != "—" {
		t.Errorf("September: %+v", s)
	}
	// October: C, D received, D open; A, B, C, F answered, C late;
	// (5 + 6 + 9 + 2) / 4 = 5.5 working days; rated 满意, 基本满意, 不满意:
	// 2 of 3 satisfied = 66.7%.
	s := find(months[0])
	if s.Received != 2 || s.Unanswered != 1 || s.Replied != 4 || s.OnTime != 3 || s.AvgDays() != "5.5" || s.OnTimeRate() != "75.0%" ||
		s.Satisfied != 1 || s.Basic != 1 || s.Unsatisfied != 1 || s.SatisfactionRate() != "66.7%" {
		t.Errorf("October: %+v avg %s on time %s satisfaction %s", s, s.AvgDays(), s.OnTimeRate(), s.SatisfactionRate())
	}
	if months[0].Total.Replied < s.Replied {
		t.Errorf("total %+v below one org's %+v", months[0].Total, s)
	}
	if ms := must(f.svc.Stats(ctx, 2027))(t); ms != nil {
		t.Errorf("a year not begun: %+v", ms)
	}
}

// Abuse resistance on the message form: size and link limits name the
// field, the honeypot and the block list refuse, the review word list holds
// the message for a 审核员, rate limits per address and per contact refuse
// floods, and a replayed form returns the message already accepted.
func TestAbuseResistance(t *testing.T) {
	f := start(t, "2026-09-28")
	ctx := f.ctx
	admin := f.login(t, "admin")
	mcfg := moderation.Defaults().Values()
	mcfg[moderation.KeyIPRate] = "3/10m"
	mcfg[moderation.KeyContactRate] = "2/1h"
	mcfg[moderation.KeyBlockWords] = "代开发票"
	mcfg[moderation.KeyBlockIPs] = "203.0.113.0/24"
	if _, err := moderation.Save(ctx, f.env.App.DB, admin.Actor("127.0.0.1"), f.clk.Now(), mcfg); err != nil {
		t.Fatal(err)
	}
	base := board.Input{OrgID: f.org(t, "东湖街道"), Category: board.CatConsult, Title: "咨询", Body: "请问社区医院的开放时间？"}
	with := func(mod func(*board.Input)) board.Input {
		in := base
		mod(&in)
		return in
	}
	ip := 0
	next := func() string { ip++; return fmt.Sprintf("198.51.100.%d", ip) }
	for _, tc := range []struct {
		name  string
		in    board.Input
		kind  apperr.Kind
		field string
	}{
		{"100 KB message", with(func(in *board.Input) { in.Body = strings.Repeat("长", 100*1024/3) }), apperr.Invalid, "body"},
		{"long title", with(func(in *board.Input) { in.Title = strings.Repeat("题", 51) }), apperr.Invalid, "title"},
		{"empty body", with(func(in *board.Input) { in.Body = " ！！ " }), apperr.Invalid, "body"},
		{"links", with(func(in *board.Input) { in.Body = "见 http://a.example.com 和 www.b.cn 以及 c.com" }), apperr.Invalid, "body"},
		{"bad contact", with(func(in *board.Input) { in.Contact = "<script>" }), apperr.Invalid, "contact"},
		{"block word", with(func(in *board.Input) { in.Body = "代 开 发 票" }), apperr.Invalid, "body"},
		{"honeypot", with(func(in *board.Input) { in.Honeypot = "http://spam" }), apperr.Invalid, ""},
	} {
		_, err := f.svc.Submit(ctx, next(), "", tc.in)
		if !apperr.Is(err, tc.kind) || fieldOf(err) != tc.field {
			t.Errorf("%s: %v (field %q)", tc.name, err, fieldOf(err))
		}
	}
	if _, err := f.svc.Submit(ctx, "203.0.113.9", "", base); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("blocked address: %v", err)
	}
	// Held by the review word list; released or rejected by a 审核员.
	held := must(f.svc.Submit(ctx, next(), "", with(func(in *board.Input) { in.Body = "再不解决就去上访" })))(t)
	if held.Status != board.StatusHeld || held.Flags != "上访" {
		t.Errorf("held: %+v", held)
	}
	if _, err := f.svc.Accept(ctx, f.login(t, "editor"), "127.0.0.1", held.ID); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("accepted a held message: %v", err)
	}
	reviewer := f.login(t, "reviewer")
	if _, err := f.svc.Reject(ctx, reviewer, "127.0.0.1", held.ID, "其他（见说明）", ""); fieldOf(err) != "note" {
		t.Errorf("reject without note: %v", err)
	}
	if m := must(f.svc.Release(ctx, reviewer, "127.0.0.1", held.ID))(t); m.Status != board.StatusReceived {
		t.Errorf("released: %+v", m)
	}

	// Per address: the fourth attempt in ten minutes is refused, junk
	// counts too; a replay of an accepted form is neither refused nor
	// counted.
	const addr = "192.0.2.77"
	first := must(f.svc.Submit(ctx, addr, "k-1", base))(t)
	if _, err := f.svc.Submit(ctx, addr, "", with(func(in *board.Input) { in.Title = "" })); fieldOf(err) != "title" {
		t.Fatal(err)
	}
	must(f.svc.Submit(ctx, addr, "k-2", base))(t)
	_, err := f.svc.Submit(ctx, addr, "k-3", base)
	var le *moderation.LimitError
	if !apperr.Is(err, apperr.TooMany) || !errors.As(err, &le) {
		t.Errorf("fourth from one address: %v", err)
	}
	if again := must(f.svc.Submit(ctx, addr, "k-1", base))(t); again.ID != first.ID {
		t.Errorf("replay made a new message")
	}
	// Per contact, across addresses, however it is written.
	for i, c := range []string{"138 0013 8000", "+86-13800138000"} {
		must(f.svc.Submit(ctx, fmt.Sprintf("192.0.2.%d", 100+i), "", with(func(in *board.Input) { in.Contact = c })))(t)
	}
	if _, err := f.svc.Submit(ctx, "192.0.2.150", "", with(func(in *board.Input) { in.Contact = "13800138000" })); !apperr.Is(err, apperr.TooMany) {
		t.Errorf("third from one contact: %v", err)
	}
	// Another form's scope is not this one's: a commenter is not counted here.
	if err := f.env.App.Participate.Guard.Allow(moderation.Defaults(), "zjyj", "192.0.2.200", "", f.clk.Now()); err != nil {
		t.Fatal(err)
	}
}

// Q&A: editors draft, 审核员 publish; a published entry is changed only
// after withdrawal; policies must be public ones; suggestions find
// published entries only.
func TestQA(t *testing.T) {
	f := start(t, "2026-09-28")
	ctx := f.ctx
	editor, reviewer, jyj := f.login(t, "editor"), f.login(t, "reviewer"), f.login(t, "jyj.editor")
	in := board.QAInput{OrgID: f.org(t, "东湖街道"), Question: "东湖街道的社区食堂在哪里？怎样办理老年助餐卡？",
		Answer: "东湖街道在湖滨、莲花两个社区设有社区食堂，60 周岁以上老人持身份证到社区服务站办理助餐卡。", Keywords: "助餐 老年食堂 饭卡"}
	if _, err := f.svc.CreateQA(ctx, jyj, "127.0.0.1", in); fieldOf(err) != "org_id" {
		t.Errorf("another org's editor: %v", err)
	}
	bad := in
	bad.PolicyID = "nope"
	if _, err := f.svc.CreateQA(ctx, editor, "127.0.0.1", bad); fieldOf(err) != "policy_id" {
		t.Errorf("unknown policy: %v", err)
	}
	bad = in
	bad.Answer = "  "
	if _, err := f.svc.CreateQA(ctx, editor, "127.0.0.1", bad); fieldOf(err) != "answer" {
		t.Errorf("empty answer: %v", err)
	}
	q := must(f.svc.CreateQA(ctx, editor, "127.0.0.1", in))(t)
	text := "我家老人想在社区食堂吃饭，助餐卡怎么办理"
	if sg := must(f.svc.Suggest(ctx, text))(t); len(sg) != 0 && sg[0].ID == q.ID {
		t.Error("a draft is suggested")
	}
	if _, err := f.svc.PublishQA(ctx, editor, "127.0.0.1", q.ID); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("editor published: %v", err)
	}
	must(f.svc.PublishQA(ctx, reviewer, "127.0.0.1", q.ID))(t)
	sg := must(f.svc.Suggest(ctx, text))(t)
	if len(sg) == 0 || sg[0].ID != q.ID || sg[0].URL != "/hdjl/wd/"+q.ID {
		t.Errorf("suggestions: %+v", sg)
	}
	// Unrelated text suggests nothing of it.
	for _, sg := range must(f.svc.Suggest(ctx, "建议在青石村修建灌溉水渠"))(t) {
		if sg.ID == q.ID {
			t.Error("unrelated text matched")
		}
	}
	if _, err := f.svc.UpdateQA(ctx, editor, "127.0.0.1", q.ID, in); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("edited while published: %v", err)
	}
	if _, err := f.svc.WithdrawQA(ctx, reviewer, "127.0.0.1", q.ID, ""); fieldOf(err) != "reason" {
		t.Errorf("withdraw without reason: %v", err)
	}
	must(f.svc.WithdrawQA(ctx, reviewer, "127.0.0.1", q.ID, "助餐点调整"))(t)
	for _, sg := range must(f.svc.Suggest(ctx, text))(t) {
		if sg.ID == q.ID {
			t.Error("a withdrawn entry is suggested")
		}
	}
	in.Answer += "（2026年10月起新增南山社区助餐点）"
	if q = must(f.svc.UpdateQA(ctx, editor, "127.0.0.1", q.ID, in))(t); q.Status != board.QAWithdrawn || !strings.Contains(q.Answer, "南山") {
		t.Errorf("updated: %+v", q)
	}
	// Another org's staff do not see the entry.
	if _, err := f.svc.GetQA(ctx, jyj, q.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another org: %v", err)
	}
	// The public search box finds published entries by a single word.
	qs, n, err := f.svc.PublicQAs(ctx, "低保", 10, 0)
	if err != nil || n == 0 || !strings.Contains(qs[0].Question+qs[0].Keywords, "低保") {
		t.Errorf("public search: %d %+v %v", n, qs, err)
	}
}
