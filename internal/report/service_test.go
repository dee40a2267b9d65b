package report_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/report"
	"gongkai.dev/gongkai/internal/site"
	"gongkai.dev/gongkai/internal/workday"
)

var cst = time.FixedZone("CST", 8*3600)

type env struct {
	t    *testing.T
	d    *db.DB
	orgs *org.Service
	inf  *info.Service
	ap   *apply.Service
	rep  *report.Service
	now  time.Time
	ids  map[string]string // short name → org id
}

const ip = "127.0.0.1"

// start seeds the demo district on the engine the run selects, with the
// clock at 15 December 2026.
func start(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, d: dbtest.Open(t), now: time.Date(2026, 12, 15, 10, 0, 0, 0, cst), ids: map[string]string{}}
	now := func() time.Time { return e.now }
	e.orgs = org.New(e.d)
	e.orgs.Now = now
	st := &site.Service{DB: e.d, Now: now}
	cat := &catalog.Service{DB: e.d, Orgs: e.orgs, Now: now}
	cal := &workday.Store{DB: e.d, Now: now}
	e.inf = &info.Service{DB: e.d, Orgs: e.orgs, Catalog: cat, Calendar: cal.Calendar, Now: now}
	e.ap = &apply.Service{DB: e.d, Orgs: e.orgs, Calendar: cal.Calendar, Now: now}
	e.rep = &report.Service{DB: e.d, Orgs: e.orgs, Apply: e.ap, Info: e.inf, Calendar: cal.Calendar, Now: now}
	if _, err := demo.Seed(context.Background(), demo.Services{Orgs: e.orgs, Site: st, Catalog: cat, Info: e.inf, Apply: e.ap, Report: e.rep}); err != nil {
		t.Fatal(err)
	}
	all, err := e.orgs.ListOrgs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		e.ids[o.ShortName] = o.ID
	}
	return e
}

// user creates an account holding role in the org (short name) and returns it.
func (e *env) user(name, short string, role org.Role) *org.Principal {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.orgs.CreateUser(ctx, audit.System("test", "测试"), org.UserInput{Username: name, DisplayName: name, OrgID: e.ids[short],
		Password: demo.Password, Grants: []org.Grant{{OrgID: e.ids[short], Role: role}}})
	if err != nil {
		e.t.Fatal(err)
	}
	g, _ := e.orgs.Grants(ctx, u.ID)
	return &org.Principal{User: u, Grants: g}
}

func (e *env) demoUser(name string) *org.Principal {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.orgs.GetUserByName(ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	g, _ := e.orgs.Grants(ctx, u.ID)
	return &org.Principal{User: u, Grants: g}
}

func date(s string) workday.Date {
	d, err := workday.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// must returns v or stops the test with err (a panic, so it can wrap a
// call returning two values; the test framework still runs cleanups).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func kindOf(err error) apperr.Kind { return apperr.KindOf(err) }

// staff of 区民政局 for the tests.
type staff struct{ handler, editor, reviewer, leader *org.Principal }

func (e *env) mzStaff() staff {
	return staff{e.user("mz.handler", "区民政局", org.RoleHandler), e.user("mz.editor", "区民政局", org.RoleEditor),
		e.user("mz.reviewer", "区民政局", org.RoleReviewer), e.user("mz.leader", "区民政局", org.RoleLeader)}
}

// register files an in-person application received on day.
func (e *env) register(h *org.Principal, orgID, typ, day string) apply.Case {
	e.t.Helper()
	return must(e.ap.Register(context.Background(), h, ip, orgID, apply.Application{ApplicantType: typ, ApplicantName: "申请人" + day,
		ContactPhone: "13800000000", Description: "所需信息 " + day, Channel: apply.ChannelInPerson, SubmittedOn: day}))
}

func (e *env) reply(h *org.Principal, c apply.Case, outcome, day string) apply.Case {
	e.t.Helper()
	in := apply.ReplyInput{Outcome: outcome, On: day, Reason: "理由", Obtain: "获取方式"}
	return must(e.ap.Reply(context.Background(), h, ip, c.ID, in))
}

// cases builds 区民政局's applications: the table 三 and 四 every test
// below expects, worked out by hand in TestTablesFromCases.
func (e *env) cases(s staff) {
	ctx := context.Background()
	mz := e.ids["区民政局"]
	h := s.handler
	a := e.register(h, mz, apply.ApplicantPerson, "2025-12-22")
	e.reply(h, a, "disclosed", "2026-01-09")
	b := e.register(h, mz, apply.ApplicantBusiness, "2025-11-03")
	b = e.reply(h, b, "withhold_third_party", "2025-11-20")
	must(e.ap.SaveRemedy(ctx, h, ip, b.ID, apply.Remedy{Kind: apply.RemedySuitDirect, FiledOn: "2025-12-01", Result: apply.ResultPending}))
	c := e.register(h, mz, apply.ApplicantPerson, "2026-03-02")
	c = e.reply(h, c, "partial", "2026-03-20")
	must(e.ap.SaveRemedy(ctx, h, ip, c.ID, apply.Remedy{Kind: apply.RemedyReview, FiledOn: "2026-04-10", Result: apply.ResultMaintained,
		DecidedOn: "2026-06-01"}))
	e.register(h, mz, apply.ApplicantBusiness, "2026-12-10") // D: open at year end
	ec := e.register(h, mz, apply.ApplicantPerson, "2026-05-06")
	ec = must(e.ap.Record(ctx, h, ip, ec.ID, apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: date("2026-05-08"),
		Until: date("2026-05-25")}, "请写明所需信息的名称"))
	e.reply(h, ec, "other_no_correction", "2026-06-01") // lapsed: closed when recorded
	f := e.register(h, mz, apply.ApplicantLegal, "2026-04-01")
	e.reply(h, f, "unable_other_agency", "2026-04-20")
	g := e.register(h, mz, apply.ApplicantBusiness, "2026-04-02")
	g = e.reply(h, g, "unable_not_held", "2026-04-21")
	must(e.ap.SaveRemedy(ctx, h, ip, g.ID, apply.Remedy{Kind: apply.RemedySuitAfterReview, FiledOn: "2026-11-30", Result: apply.ResultCorrected,
		DecidedOn: "2026-12-10"}))
	// H: submitted online and never confirmed.
	must(e.ap.Submit(ctx, "10.0.0.1", mz, "", apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: "网上申请人",
		ContactPhone: "13800000001", Description: "未确认的申请"}))
	// I: received by 区人社局 and transferred to 区民政局, which replies.
	rs := e.user("rs.handler", "区人社局", org.RoleHandler)
	i := e.register(rs, e.ids["区人社局"], apply.ApplicantNonprofit, "2026-07-01")
	i = must(e.ap.Transfer(ctx, rs, ip, i.ID, mz, "属于民政部门职责"))
	e.reply(h, i, "disclosed", "2026-07-20")
	// K: a fee notice (2 items past the free 10 in the month: 200 元) paid in 2026.
	k := e.register(h, mz, apply.ApplicantPerson, "2026-08-03")
	must(e.ap.NoticeFee(ctx, h, ip, k.ID, apply.FeeInput{On: "2026-08-05", Method: apply.FeePerItem, Prior: 10, Units: 2}))
	k = must(e.ap.Record(ctx, h, ip, k.ID, apply.ClockEvent{Kind: apply.EvFeePaid, On: date("2026-08-10")}, ""))
	e.reply(h, k, "disclosed", "2026-08-20")
}

func TestTablesFromCases(t *testing.T) {
	e := start(t)
	s := e.mzStaff()
	e.cases(s)
	ctx := context.Background()
	mz := e.ids["区民政局"]
	v := must(e.rep.View(ctx, s.editor, mz, 2026))
	// By hand (columns 自然人 商业企业 科研 公益 法律服务 其他 总计):
	//   一 new: C E K (person), D G (business), I (nonprofit), F (legal)
	//   二 carried: A (received 2025-12-22, replied 2026-01-09)
	//   （一）: A K (person), I (nonprofit); （二）: C; （四）1: G (not held), F (other agency)
	//   （六）1: E (lapsed); 四: D (open on 31 December)
	// B (finished in 2025) and H (unconfirmed) are not counted.
	var want report.Table3
	want[report.RowNew] = [7]int{3, 2, 0, 1, 1, 0, 7}
	want[report.RowCarried] = [7]int{1, 0, 0, 0, 0, 0, 1}
	want[report.RowIndex("（一）")] = [7]int{2, 0, 0, 1, 0, 0, 3}
	want[report.RowIndex("（二）")] = [7]int{1, 0, 0, 0, 0, 0, 1}
	want[report.RowIndex("（四）1")] = [7]int{0, 1, 0, 0, 1, 0, 2}
	want[report.RowIndex("（六）1")] = [7]int{1, 0, 0, 0, 0, 0, 1}
	want[report.RowTotal] = [7]int{4, 1, 0, 1, 1, 0, 7}
	want[report.RowForward] = [7]int{0, 1, 0, 0, 0, 0, 1}
	if v.Doc.Table3 != want {
		for r := range want {
			if v.Doc.Table3[r] != want[r] {
				t.Errorf("2026 %s: got %v want %v", report.Rows3Info()[r].Name(), v.Doc.Table3[r], want[r])
			}
		}
	}
	// Table 四: the review of C maintained; the suit after review of G
	// corrected; B's suit was filed in 2025.
	if v.Doc.Table4 != (report.Table4{{1, 0, 0, 0, 1}, {0, 0, 0, 0, 0}, {0, 1, 0, 0, 1}}) {
		t.Errorf("2026 table 四: %v", v.Doc.Table4)
	}
	if v.Doc.Fees != (report.Fees{Cases: 1, AmountFen: 20000}) || !strings.Contains(report.DraftOther(v.Doc), "收取信息处理费，共计200元") {
		t.Errorf("fees %+v: %s", v.Doc.Fees, report.DraftOther(v.Doc))
	}
	if len(v.Problems) != 0 {
		t.Errorf("computed tables fail: %v", v.Problems)
	}

	v25 := must(e.rep.View(ctx, s.editor, mz, 2025))
	if v25.Doc.Table3[report.RowNew] != [7]int{1, 1, 0, 0, 0, 0, 2} || v25.Doc.Table3[report.RowForward] != [7]int{1, 0, 0, 0, 0, 0, 1} ||
		v25.Doc.Table3[report.RowIndex("（三）4")][1] != 1 || v25.Doc.Table4[1] != [5]int{0, 0, 0, 1, 1} {
		t.Errorf("2025: new %v forward %v table 四 %v", v25.Doc.Table3[report.RowNew], v25.Doc.Table3[report.RowForward], v25.Doc.Table4)
	}
	// The lawsuit filed in 2025 and decided in 2026 still counts as 尚未审结 in 2025.
	b := must(e.ap.List(ctx, s.handler, false, 50))
	for _, row := range b {
		if row.ReceivedOn == "2025-11-03" {
			rs := must(e.ap.Remedies(ctx, row.ID))
			rs[0].Result, rs[0].DecidedOn = apply.ResultCorrected, "2026-02-01"
			must(e.ap.SaveRemedy(ctx, s.handler, ip, row.ID, rs[0]))
		}
	}
	v25 = must(e.rep.View(ctx, s.editor, mz, 2025))
	if v25.Doc.Table4[1] != [5]int{0, 0, 0, 1, 1} {
		t.Errorf("decided after the year: %v", v25.Doc.Table4[1])
	}

	// A year with no data and no calendar: all zeros, with notes saying so.
	v24 := must(e.rep.View(ctx, s.editor, mz, 2024))
	if v24.Doc.Table3 != (report.Table3{}) || len(v24.Problems) != 0 || len(v24.Doc.Notes) != 3 ||
		!strings.Contains(strings.Join(v24.Doc.Notes, ""), "表三各项均为 0") || !strings.Contains(strings.Join(v24.Hints, ""), "没有 2024 年的工作日历") {
		t.Errorf("2024: notes %q hints %q", v24.Doc.Notes, v24.Hints)
	}
	for _, y := range []int{2020, 2027} {
		if _, err := e.rep.View(ctx, s.editor, mz, y); kindOf(err) != apperr.Invalid {
			t.Errorf("year %d: %v", y, err)
		}
	}
}

// Table 二 from the policy library: 制发 by 成文日期, 废止 by the marked date
// or the day after 有效期至, 现行有效 at year end; withdrawn, draft and
// other genres are not counted.
func TestTable2FromRecords(t *testing.T) {
	e := start(t)
	s := e.mzStaff()
	ctx := context.Background()
	mz := e.ids["区民政局"]
	publish := func(title, genre, written, validUntil string) info.Record {
		t.Helper()
		r := must(e.inf.Create(ctx, s.editor, ip, mz, info.Fields{Title: title, Genre: genre, WrittenOn: written, FormedOn: written,
			Attribute: info.Proactive, ValidUntil: validUntil, InterpPlan: "以文字形式解读"}))
		must(e.inf.Submit(ctx, s.editor, ip, r.ID, ""))
		must(e.inf.Approve(ctx, s.reviewer, ip, r.ID, info.Decision{SecrecyConfirmed: true}))
		return must(e.inf.Approve(ctx, s.leader, ip, r.ID, info.Decision{SecrecyConfirmed: true}))
	}
	publish("R1 2026年制发", "行政规范性文件", "2026-02-01", "")
	r2 := publish("R2 2024年制发、2026年废止", "行政规范性文件", "2024-05-01", "")
	if err := e.inf.SetValidity(ctx, s.editor, ip, r2.ID, info.ValidAbolished, "2026-05-01", ""); err != nil {
		t.Fatal(err)
	}
	publish("R3 规章", "规章", "2025-03-01", "")
	publish("R4 有效期至2026年6月30日", "行政规范性文件", "2023-01-01", "2026-06-30")
	r5 := publish("R5 撤回", "行政规范性文件", "2026-03-01", "")
	if err := e.inf.Withdraw(ctx, s.editor, ip, r5.ID, "误发"); err != nil {
		t.Fatal(err)
	}
	publish("R6 政策文件", "政策文件", "2026-04-01", "")
	r7 := publish("R7 2025年制发、2026年修改", "行政规范性文件", "2025-06-01", "")
	if err := e.inf.SetValidity(ctx, s.editor, ip, r7.ID, info.ValidAmended, "2026-03-01", ""); err != nil {
		t.Fatal(err)
	}
	must(e.inf.Create(ctx, s.editor, ip, mz, info.Fields{Title: "R8 草稿", Genre: "行政规范性文件", FormedOn: "2026-01-05", Attribute: info.Proactive}))

	for _, tc := range []struct {
		year             int
		rules, normative info.PolicyCounts
	}{
		{2026, info.PolicyCounts{Made: 0, Abolished: 0, InForce: 1}, info.PolicyCounts{Made: 1, Abolished: 2, InForce: 2}},
		{2025, info.PolicyCounts{Made: 1, Abolished: 0, InForce: 1}, info.PolicyCounts{Made: 1, Abolished: 0, InForce: 3}},
	} {
		v := must(e.rep.View(ctx, s.editor, mz, tc.year))
		if v.Doc.Table2.Rules != tc.rules || v.Doc.Table2.Normative != tc.normative {
			t.Errorf("%d: 规章 %+v 行政规范性文件 %+v, want %+v %+v", tc.year, v.Doc.Table2.Rules, v.Doc.Table2.Normative, tc.rules, tc.normative)
		}
	}
	v := must(e.rep.View(ctx, s.editor, mz, 2026))
	if v.Doc.Proactive["行政规范性文件"] != 4 || v.Doc.Proactive["规章"] != 1 || v.Doc.Proactive["政策文件"] != 1 {
		t.Errorf("proactive counts %v", v.Doc.Proactive)
	}
	if d := report.DraftOverview(v.Doc); !strings.Contains(d, "主动公开政府信息6条") || !strings.Contains(d, "本年制发行政规范性文件1件、废止2件，现行有效2件") {
		t.Errorf("overview draft:\n%s", d)
	}
}

func TestPublish(t *testing.T) {
	e := start(t)
	s := e.mzStaff()
	e.cases(s)
	ctx := context.Background()
	mz := e.ids["区民政局"]
	other := e.demoUser("jyj.editor")
	gkb := e.demoUser("gkb")

	// Who may do what.
	if _, err := e.rep.View(ctx, other, mz, 2025); kindOf(err) != apperr.NotFound {
		t.Errorf("another unit's editor sees the draft: %v", err)
	}
	if _, err := e.rep.SaveFigures(ctx, other, ip, mz, 2025, report.Manual{}, ""); kindOf(err) != apperr.NotFound {
		t.Errorf("another unit's editor edits: %v", err)
	}
	if v, err := e.rep.View(ctx, gkb, mz, 2025); err != nil || v.CanEdit || v.CanPublish {
		t.Errorf("supervisor view: %v edit %v publish %v", err, v.CanEdit, v.CanPublish)
	}
	if _, err := e.rep.SaveFigures(ctx, s.reviewer, ip, mz, 2025, report.Manual{}, ""); kindOf(err) != apperr.Forbidden {
		t.Errorf("reviewer edits figures: %v", err)
	}
	if _, err := e.rep.View(ctx, s.editor, e.ids["湖滨社区"], 2025); kindOf(err) != apperr.NotFound && kindOf(err) != apperr.Invalid {
		t.Errorf("community report: %v", err)
	}

	// Nothing entered yet: refused, every reason named.
	_, err := e.rep.Publish(ctx, s.leader, ip, mz, 2025)
	if kindOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "尚未填报") || !strings.Contains(err.Error(), "“一、总体情况”尚未填写") {
		t.Fatalf("publish with nothing entered: %v", err)
	}
	if _, err := e.rep.Publish(ctx, s.editor, ip, mz, 2025); kindOf(err) != apperr.Forbidden {
		t.Errorf("editor publishes: %v", err)
	}
	if _, err := e.rep.SaveFigures(ctx, s.editor, ip, mz, 2025, report.Manual{Licensing: -1}, ""); kindOf(err) != apperr.Invalid {
		t.Errorf("negative figure saved: %v", err)
	}
	must(e.rep.SaveFigures(ctx, s.editor, ip, mz, 2025, report.Manual{Licensing: 120, Penalty: 3, FeeYuan: 25000}, ""))

	// An unbalanced supplement (a new application with no outcome) is
	// stored, shown failing, and blocks publication naming the cells.
	var sup report.Supplement
	sup.T3[report.RowNew][0], sup.Note = 1, "纸质台账"
	sup.Complete()
	must(e.rep.SaveSupplement(ctx, s.editor, ip, mz, 2025, sup))
	v := must(e.rep.View(ctx, s.editor, mz, 2025))
	if len(v.Problems) != 2 || v.Problems[0].Message != "表三 自然人列：一+二=2，三（七）+四=1" ||
		v.Problems[1].Message != "表三 总计列：一+二=3，三（七）+四=2" || !report.Failing(v.Problems)["t3-r0-c0"] {
		t.Fatalf("unbalanced supplement: %v", v.Problems)
	}
	must(e.rep.SaveSections(ctx, s.editor, ip, mz, 2025, report.Sections{Overview: report.DraftOverview(v.Doc),
		Problems: "（一）存在的主要问题。无。", Other: "本年度未收取信息处理费。"}))
	_, err = e.rep.Publish(ctx, s.leader, ip, mz, 2025)
	ae, _ := apperr.As(err)
	if ae == nil || len(ae.Fields) != 3 || ae.Fields[0].Message != "“一、总体情况”中还有“【请补充……】”标记的待补充内容" ||
		ae.Fields[1].Field != "t3-r0-c0" || ae.Fields[1].Message != "表三 自然人列：一+二=2，三（七）+四=1" {
		t.Fatalf("publish refused with: %#v", ae)
	}

	// Balanced and complete: published, frozen, evidenced.
	sup.T3[report.RowIndex("（一）")][0] = 1
	sup.Complete()
	must(e.rep.SaveSupplement(ctx, s.editor, ip, mz, 2025, sup))
	must(e.rep.SaveSections(ctx, s.editor, ip, mz, 2025, report.Sections{Overview: "2025年，区民政局……", Problems: "无。",
		Other: "本年度未收取信息处理费。"}))
	seqBefore := must(changes.Last(ctx, e.d.R))
	doc, err := e.rep.Publish(ctx, s.leader, ip, mz, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != report.StatusPublished || doc.PublishedDate() != "2026年12月15日" || doc.Table2.Licensing != 120 ||
		doc.Table3[report.RowNew][0] != 2 || doc.Supplement != "纸质台账" {
		t.Errorf("published document: %+v", doc)
	}
	if seq := must(changes.Last(ctx, e.d.R)); seq != seqBefore+1 {
		t.Errorf("publication appended %d changes", seq-seqBefore)
	}
	v = must(e.rep.View(ctx, s.editor, mz, 2025))
	sum := sha256.Sum256(v.Report.Snapshot)
	if v.CanEdit || v.CanPublish || v.Report.PublishedByName != "mz.leader" || hex.EncodeToString(sum[:]) != v.Report.SnapshotSHA256 ||
		len(v.Blockers) != 0 {
		t.Errorf("published view: %+v", v.Report)
	}
	evs, err := audit.List(ctx, e.d.R, audit.Filter{OrgIDs: []string{mz}, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, ev := range evs {
		actions[ev.Action]++
		if ev.Action == "report.publish" && !strings.Contains(ev.AfterJSON, v.Report.SnapshotSHA256) {
			t.Errorf("publish event lacks the snapshot hash: %s", ev.AfterJSON)
		}
	}
	if actions["report.figures"] != 1 || actions["report.supplement"] != 2 || actions["report.sections"] != 2 || actions["report.publish"] != 1 {
		t.Errorf("evidence chain: %v", actions)
	}
	if res, err := audit.Verify(ctx, e.d.R); err != nil || !res.OK() {
		t.Errorf("audit verify: %+v %v", res, err)
	}

	// Publishing twice, editing afterwards, and later cases change nothing.
	if _, err := e.rep.Publish(ctx, s.leader, ip, mz, 2025); kindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "不能重复发布") {
		t.Errorf("second publication: %v", err)
	}
	if _, err := e.rep.SaveSections(ctx, s.editor, ip, mz, 2025, report.Sections{}); kindOf(err) != apperr.Conflict {
		t.Errorf("edit after publication: %v", err)
	}
	late := e.register(s.handler, mz, apply.ApplicantResearch, "2025-12-30")
	_ = late
	pub := must(e.rep.Published(ctx, mz, 2025))
	if pub.Table3 != doc.Table3 {
		t.Errorf("snapshot changed after a late registration")
	}
	if cur := must(e.rep.Current(ctx, mz, 2025)); cur.Table3 != doc.Table3 {
		t.Errorf("Current of a published report is not its snapshot")
	}
	list := must(e.rep.PublishedList(ctx, mz))
	if len(list) != 1 || list[0].Title != "示范区民政局2025年政府信息公开工作年度报告" {
		t.Errorf("published list %+v", list)
	}
	if _, err := e.rep.Published(ctx, mz, 2026); kindOf(err) != apperr.NotFound {
		t.Errorf("unpublished year is public: %v", err)
	}

	// The current year cannot be published.
	must(e.rep.SaveFigures(ctx, s.editor, ip, mz, 2026, report.Manual{}, ""))
	must(e.rep.SaveSections(ctx, s.editor, ip, mz, 2026, report.Sections{Overview: "x", Problems: "y", Other: "信息处理费 z"}))
	if _, err := e.rep.Publish(ctx, s.leader, ip, mz, 2026); kindOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "2026 年尚未结束") {
		t.Errorf("publishing the current year: %v", err)
	}
}

// The government's report: itself plus its departments, each department
// by its published snapshot or its live draft; compiled by the 政务公开办.
func TestGovernmentReport(t *testing.T) {
	e := start(t)
	s := e.mzStaff()
	e.cases(s)
	ctx := context.Background()
	gkb := e.demoUser("gkb")
	district := e.ids["示范区"]
	v := must(e.rep.View(ctx, gkb, district, 2025))
	if !v.CanEdit || !v.CanPublish || !v.Government() {
		t.Fatalf("supervisor cannot compile the government report: %+v", v)
	}
	var sum report.Tables
	covered := map[string]bool{}
	for _, c := range v.Doc.Coverage {
		covered[c.Name] = true
		if c.Self {
			continue
		}
		d := must(e.rep.Current(ctx, c.OrgID, 2025))
		sum.T3 = addT3(sum.T3, d.Table3)
		if c.Name == "示范区人民政府办公室" && !c.Published {
			t.Errorf("the demo's published 区政府办 report is not used")
		}
	}
	if !covered["示范区人民政府办公室"] || !covered["示范区民政局"] || covered["示范区东湖街道办事处"] || len(v.Doc.Coverage) != 11 {
		t.Errorf("coverage: %v", covered)
	}
	if v.Doc.Table3 != sum.T3 || v.Doc.Table3[report.RowNew][report.ColTotal] == 0 || len(v.Problems) != 0 {
		t.Errorf("government table 三 %v is not the sum of its departments %v", v.Doc.Table3[report.RowNew], sum.T3[report.RowNew])
	}
	if !strings.Contains(strings.Join(v.Hints, ""), "示范区民政局") || !strings.Contains(strings.Join(v.Doc.Notes, ""), "本级及其10个工作部门") {
		t.Errorf("hints %q notes %q", v.Hints, v.Doc.Notes)
	}
	// The 政务公开办 compiles the government's report, not a department's.
	must(e.rep.SaveFigures(ctx, gkb, ip, district, 2025, report.Manual{Licensing: 2}, ""))
	if _, err := e.rep.SaveFigures(ctx, gkb, ip, e.ids["区民政局"], 2025, report.Manual{}, ""); kindOf(err) != apperr.Forbidden {
		t.Errorf("supervisor edits a department's report: %v", err)
	}
	// A department's entered figures flow into the government's table 二.
	must(e.rep.SaveFigures(ctx, s.editor, ip, e.ids["区民政局"], 2025, report.Manual{Licensing: 40, FeeYuan: 10}, ""))
	v = must(e.rep.View(ctx, gkb, district, 2025))
	if v.Doc.Table2.Licensing != 42 || v.Doc.Table2.FeeYuan != 10 {
		t.Errorf("government table 二: %+v", v.Doc.Table2.Manual)
	}
	if d := report.Deadline(org.KindDistrict, 2025); d != date("2026-03-31") || v.Deadline != d || v.DaysLeft != -259 {
		t.Errorf("government deadline %s, %d days", v.Deadline, v.DaysLeft)
	}
}

func addT3(a, b report.Table3) report.Table3 {
	for r := range a {
		for c := range a[r] {
			a[r][c] += b[r][c]
		}
	}
	return a
}

func TestReminders(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	all := must(e.orgs.ListOrgs(ctx))
	var ids []string
	for _, o := range all {
		ids = append(ids, o.ID)
	}
	rs := must(e.rep.Reminders(ctx, ids, date("2026-01-20")))
	by := map[string]report.Reminder{}
	for _, r := range rs {
		by[r.OrgName] = r
	}
	if _, ok := by["示范区人民政府办公室"]; ok {
		t.Errorf("区政府办 published 2025 but is reminded")
	}
	if _, ok := by["东湖街道湖滨社区居民委员会"]; ok {
		t.Errorf("a community is reminded")
	}
	if r := by["示范区教育局"]; r.Year != 2025 || r.Deadline != date("2026-01-31") || r.DaysLeft != 11 || r.Overdue() || r.Status != "" {
		t.Errorf("department reminder %+v", r)
	}
	if r := by["示范区人民政府"]; r.Deadline != date("2026-03-31") || r.DaysLeft != 70 {
		t.Errorf("government reminder %+v", r)
	}
	if r := by["示范区青石镇人民政府"]; r.Deadline != date("2026-01-31") {
		t.Errorf("town reminder %+v", r)
	}
	if rs[0].DaysLeft > rs[len(rs)-1].DaysLeft {
		t.Errorf("not most urgent first")
	}
	rs = must(e.rep.Reminders(ctx, ids, date("2026-02-02")))
	for _, r := range rs {
		if r.OrgName == "示范区教育局" && (!r.Overdue() || r.DaysLeft != -2) {
			t.Errorf("overdue reminder %+v", r)
		}
	}
	if rs := must(e.rep.Reminders(ctx, nil, date("2026-02-02"))); len(rs) != 0 {
		t.Errorf("empty scope: %v", rs)
	}
}

// The demo's reports: 区政府办's 2025 published and consistent, 区教育局's
// 2026 a draft whose generated text still needs writing.
func TestDemoReports(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	doc := must(e.rep.Published(ctx, e.ids["区政府办"], 2025))
	if doc.Title != "示范区人民政府办公室2025年政府信息公开工作年度报告" || len(report.Validate(doc.Tables())) != 0 ||
		doc.Table3[report.RowNew][report.ColTotal] < 10 || doc.Table3[report.RowForward][report.ColTotal] < 2 || doc.Fees.Cases != 1 ||
		doc.Table4[0][0] != 1 || strings.Contains(doc.Sections.Overview, report.Placeholder) {
		t.Errorf("demo 2025 report: new %v forward %v fees %+v table 四 %v", doc.Table3[report.RowNew], doc.Table3[report.RowForward], doc.Fees, doc.Table4)
	}
	v := must(e.rep.View(ctx, e.demoUser("jyj.editor"), e.ids["区教育局"], 2026))
	if v.Report.Status != report.StatusDraft || !v.Exists || v.Doc.Table2.Licensing != 36 || len(v.Blockers) == 0 {
		t.Errorf("demo 2026 draft: %+v blockers %v", v.Report, v.Blockers)
	}
}
