package supervise_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/supervise"
	"gongkai.dev/gongkai/internal/workday"
)

var (
	op  = audit.System("test", "测试")
	cst = time.FixedZone("CST", 8*3600)
)

// fixture: a district with two streets (甲 with a full team and a
// community, 乙 with an editor), a department without staff, the district
// 政务公开办, and one clock shared by every service, moved by at().
type fixture struct {
	t                                    *testing.T
	d                                    *db.DB
	now                                  time.Time
	orgs                                 *org.Service
	cat                                  *catalog.Service
	inf                                  *info.Service
	ap                                   *apply.Service
	sup                                  *supervise.Service
	root, street, other, community, dept org.Org
	ps                                   map[string]*org.Principal
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, d: dbtest.Open(t), ps: map[string]*org.Principal{}}
	f.at("2026-11-20")
	ctx := context.Background()
	clock := func() time.Time { return f.now }
	f.orgs = org.New(f.d)
	f.orgs.Now = clock
	mk := func(parent string, kind org.Kind, name, code string) org.Org {
		o, err := f.orgs.CreateOrg(ctx, op, org.OrgInput{ParentID: parent, Kind: kind, Name: name, Code: org.MakeOrgCode(code)})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	f.root = mk("", org.KindDistrict, "测试区", "50000001")
	f.street = mk(f.root.ID, org.KindStreet, "甲街道", "50000002")
	f.other = mk(f.root.ID, org.KindStreet, "乙街道", "50000003")
	f.community = mk(f.street.ID, org.KindCommunity, "甲社区", "50000004")
	f.dept = mk(f.root.ID, org.KindDepartment, "丙局", "50000005")
	for _, u := range []struct {
		name string
		o    org.Org
		r    org.Role
	}{{"gkb", f.root, org.RoleSupervisor}, {"ed", f.street, org.RoleEditor}, {"rv", f.street, org.RoleReviewer},
		{"ld", f.street, org.RoleLeader}, {"hd", f.street, org.RoleHandler}, {"ed2", f.other, org.RoleEditor},
		{"comm", f.community, org.RoleEditor}} {
		g := []org.Grant{{OrgID: u.o.ID, Role: u.r}}
		usr, err := f.orgs.CreateUser(ctx, op, org.UserInput{Username: "u." + u.name, DisplayName: u.name, OrgID: u.o.ID, Password: "Test@2026", Grants: g})
		if err != nil {
			t.Fatal(err)
		}
		f.ps[u.name] = &org.Principal{User: usr, Grants: g}
	}
	cal := &workday.Store{DB: f.d, Now: clock}
	f.cat = &catalog.Service{DB: f.d, Orgs: f.orgs, Now: clock}
	f.inf = &info.Service{DB: f.d, Orgs: f.orgs, Catalog: f.cat, Calendar: cal.Calendar, Now: clock}
	f.ap = &apply.Service{DB: f.d, Orgs: f.orgs, Calendar: cal.Calendar, Now: clock}
	f.sup = &supervise.Service{DB: f.d, Orgs: f.orgs, Catalog: f.cat, Info: f.inf, Apply: f.ap, Calendar: cal.Calendar, Now: clock}
	return f
}

// at moves the shared clock to 10:00 on a day.
func (f *fixture) at(day string) {
	d, err := workday.ParseDate(day)
	if err != nil {
		f.t.Fatal(err)
	}
	f.now = time.Date(d.Year, d.Month, d.Day, 10, 0, 0, 0, cst)
}

// publish drives a record of 甲街道 through its review.
func (f *fixture) publish(x info.Fields) info.Record {
	f.t.Helper()
	ctx := context.Background()
	if x.Attribute == "" {
		x.Attribute = info.Proactive
	}
	if x.FormedOn == "" {
		x.FormedOn = workday.DateOf(f.now).String()
	}
	if x.Body == "" {
		x.Body = "正文。"
	}
	r, err := f.inf.Create(ctx, f.ps["ed"], "", f.street.ID, x)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.inf.Submit(ctx, f.ps["ed"], "", r.ID, ""); err != nil {
		f.t.Fatal(err)
	}
	d := info.Decision{SecrecyConfirmed: true, PrivacyGround: "依据某办法第十条公示（测试）"}
	if _, err := f.inf.Approve(ctx, f.ps["rv"], "", r.ID, d); err != nil {
		f.t.Fatal(err)
	}
	r, err = f.inf.Approve(ctx, f.ps["ld"], "", r.ID, d)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) run() supervise.RunResult {
	f.t.Helper()
	res, err := f.sup.Run(context.Background(), op, supervise.RunOptions{Kind: supervise.RunCLI})
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// find returns the open finding of rule whose object id is objectID.
func find(res supervise.RunResult, rule, objectID string) *supervise.Finding {
	for i, x := range res.Findings {
		if x.Rule == rule && x.ObjectID == objectID {
			return &res.Findings[i]
		}
	}
	return nil
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

func TestColumnRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rec := func(day, genre, title string) info.Record {
		f.at(day)
		x := info.Fields{Title: title, Genre: genre}
		if info.IsPolicy(genre) {
			x.NoInterpReason = "工作部署类文件，不作解读"
		}
		return f.publish(x)
	}
	rec("2025-10-20", "人事信息", "2025年公开招聘工作人员公告")
	rec("2026-04-20", "通知公告", "关于开展春季爱国卫生运动的通知")
	rec("2026-11-02", "动态要闻", "街道召开安全生产工作会议")
	rec("2026-11-18", "政策文件", "关于做好冬季防火工作的通知")

	// As of 2026-11-10 the policy column is still empty (its record came
	// later) and the news column is 8 days old: fresh.
	f.at("2026-11-10")
	early := f.run()
	s := f.street.ID
	if find(early, supervise.RuleEmptyColumn, s+"/政策文件") == nil {
		t.Errorf("2026-11-10: 政策文件 should be empty as of that day")
	}
	if find(early, supervise.RuleNewsStale, s+"/动态要闻") != nil || find(early, supervise.RuleHomeStale, s) != nil {
		t.Errorf("2026-11-10: news published 8 days ago is fresh")
	}

	f.at("2026-11-22")
	res := f.run()
	for _, want := range []struct{ rule, obj, evidence string }{
		{supervise.RuleNewsStale, s + "/动态要闻", "已 20 天未更新"},
		{supervise.RuleNoticeStale, s + "/通知公告", "2026年4月20日"},
		{supervise.RuleLongStale, s + "/人事信息", "12 个月以上"},
		{supervise.RuleEmptyColumn, s + "/规划计划", "暂无内容"},
		{supervise.RuleVetoEmpty, s, "空白栏目 5 个"},
		{supervise.RuleVetoEmpty, f.dept.ID, "空白栏目 9 个"},
		{supervise.RuleHomeStale, f.dept.ID, "从未发布"},
	} {
		x := find(res, want.rule, want.obj)
		if x == nil {
			t.Errorf("missing %s on %s", want.rule, want.obj)
			continue
		}
		if !strings.Contains(x.Evidence, want.evidence) {
			t.Errorf("%s %s: evidence %q lacks %q", want.rule, want.obj, x.Evidence, want.evidence)
		}
	}
	for _, not := range []struct{ rule, obj string }{
		{supervise.RuleNoticeStale, s + "/政策文件"},              // 4 days old
		{supervise.RuleEmptyColumn, s + "/政策文件"},              // no longer empty
		{supervise.RuleHomeStale, s},                          // updated 4 days ago
		{supervise.RuleVetoNotUpdated, s},                     // 2 columns, threshold 5
		{supervise.RuleEmptyColumn, s + "/规章"},                // not a checked column by default
		{supervise.RuleLongStale, s + "/通知公告"},                // has its own, stricter rule
		{supervise.RuleEmptyColumn, f.community.ID + "/规划计划"}, // communities have no website columns
	} {
		if find(res, not.rule, not.obj) != nil {
			t.Errorf("unexpected %s on %s", not.rule, not.obj)
		}
	}
	if res.Run.Resolved != 1 {
		t.Errorf("the 政策文件 empty finding should be resolved by the second run: %+v", res.Run)
	}
	// Lowering the veto threshold to 2 makes the two stale columns a veto.
	cfg, _ := f.sup.Config(ctx)
	cfg.Values["veto_not_updated"] = 2
	if err := f.sup.SaveConfig(ctx, f.ps["ed"], "", cfg); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a unit's editor changed thresholds: %v", err)
	}
	if err := f.sup.SaveConfig(ctx, f.ps["gkb"], "", cfg); err != nil {
		t.Fatal(err)
	}
	res = f.run()
	if x := find(res, supervise.RuleVetoNotUpdated, s); x == nil || !strings.Contains(x.Evidence, "动态要闻、通知公告") {
		t.Errorf("veto_not_updated at threshold 2: %+v", x)
	}
	// A re-run updates findings instead of duplicating them.
	var n int
	f.d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM supervise_findings WHERE rule = $1 AND object_id = $2", supervise.RuleNewsStale, s+"/动态要闻").Scan(&n)
	if x := find(res, supervise.RuleNewsStale, s+"/动态要闻"); n != 1 || x.TimesSeen != 2 {
		t.Errorf("re-run: %d rows, %+v", n, x)
	}
}

func TestCatalogRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	doms, _ := f.cat.Domains(ctx)
	dom := doms[0].ID
	item := func(v catalog.Version, l1, l2, content, limit string) catalog.Item {
		t.Helper()
		it, err := f.cat.SaveItem(ctx, op, v.ID, "", dom, catalog.ItemFields{Level1: l1, Level2: l2, Content: content, Basis: "某条例",
			TimeLimit: catalog.ParseTimeLimit(limit), Subject: "本机关", Channels: []string{"政府网站"}, Audience: []string{"全社会"},
			Method: []string{"主动"}, Levels: []string{"乡级"}})
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	f.at("2026-03-01")
	v, _ := f.cat.StartDraft(ctx, op, f.street.ID, 2026, nil)
	budget := item(v, "部门预算", "预算公开", "部门预算及说明", "每年3月31日前")
	annual := item(v, "年度报告", "工作年报", "政府信息公开工作年度报告", "每年1月31日前")
	item(v, "临时救助", "办事指南", "申请条件、救助标准、办理流程", "信息形成或者变更之日起20个工作日内")
	if err := f.cat.Publish(ctx, op, v.ID); err != nil {
		t.Fatal(err)
	}
	f.at("2026-03-20")
	f.publish(info.Fields{Title: "2026年部门预算", Genre: "财政预决算", CatalogKey: budget.Key})

	cv, _ := f.cat.StartDraft(ctx, op, f.community.ID, 2026, nil)
	item(cv, "临时救助", "办事指南", "申请条件、所需材料", "信息形成或者变更之日起20个工作日内")
	if err := f.cat.Publish(ctx, op, cv.ID); err != nil {
		t.Fatal(err)
	}
	ov, _ := f.cat.StartDraft(ctx, op, f.other.ID, 2026, nil)
	unread := item(ov, "养老服务补贴", "发放情况", "补贴对象、金额", "每季度更新")

	f.at("2026-11-20")
	res := f.run()
	s := f.street.ID
	if find(res, supervise.RuleCatalogOverdue, s+"/"+budget.Key) != nil {
		t.Errorf("budget published 2026-03-20 for the 03-31 deadline is on time")
	}
	if x := find(res, supervise.RuleCatalogOverdue, s+"/"+annual.Key); x == nil || !strings.Contains(x.Evidence, "2026年1月31日") ||
		!strings.Contains(x.Evidence, "从未发布") {
		t.Errorf("annual report item: %+v", x)
	}
	var consistent *supervise.Finding
	for i, x := range res.Findings {
		if x.Rule == supervise.RuleCatalogConsistency && x.OrgID == f.community.ID {
			consistent = &res.Findings[i]
		}
	}
	if consistent == nil || !strings.Contains(consistent.Evidence, "申请条件、所需材料") || !strings.Contains(consistent.Evidence, "甲街道") {
		t.Errorf("community inconsistency: %+v", consistent)
	}
	if x := find(res, supervise.RuleCatalogMissing, f.other.ID); x == nil || !strings.Contains(x.Evidence, "草稿") {
		t.Errorf("draft-only catalog: %+v", x)
	}
	if x := find(res, supervise.RuleCatalogElements, f.other.ID+"/"+unread.Key); x == nil || !strings.Contains(x.Evidence, "每季度更新") {
		t.Errorf("unreadable time limit: %+v", x)
	}
	if find(res, supervise.RuleCatalogMissing, f.dept.ID) == nil || find(res, supervise.RuleCatalogMissing, s) != nil {
		t.Errorf("catalog.missing: dept should, street should not")
	}
	// A late publication clears the overdue item (the finding is about
	// information still missing).
	f.publish(info.Fields{Title: "2025年政府信息公开工作年度报告", Genre: "其他", CatalogKey: annual.Key})
	res = f.run()
	if find(res, supervise.RuleCatalogOverdue, s+"/"+annual.Key) != nil {
		t.Errorf("annual report published: still overdue")
	}
}

func TestPublishRules(t *testing.T) {
	f := newFixture(t)
	late := f.publish(info.Fields{Title: "迟发的通知", Genre: "通知公告", FormedOn: "2026-10-09"})
	onTime := f.publish(info.Fields{Title: "按时的通知", Genre: "通知公告", FormedOn: "2026-11-16"})
	f.at("2026-11-02")
	policy := func(title string) info.Record {
		return f.publish(info.Fields{Title: title, Genre: info.GenreNormative, DocNo: "甲街〔2026〕1号", InterpPlan: "文字解读"})
	}
	interp := func(title, id string) {
		f.publish(info.Fields{Title: title, Genre: info.GenreInterpretation, InterpretsID: id, InterpForm: "问答",
			InterpOrg: "甲街道办事处", InterpDept: "党政办", InterpContact: "0000-1234567"})
	}
	missing := policy("没有解读的办法")
	synced := policy("同步解读的办法")
	interp("同步解读", synced.ID)
	lateInterp := policy("解读迟到的办法")
	f.at("2026-10-20")
	expired := f.publish(info.Fields{Title: "有效期至11月1日的公告", Genre: "通知公告", ValidUntil: "2026-11-01"})
	f.at("2026-11-10")
	interp("迟到的解读", lateInterp.ID)
	personal := f.publish(info.Fields{Title: "救助对象公示", Genre: "通知公告",
		Body: "王某某，身份证号 11010519491231002X，联系电话 13812345678。咨询电话 0000-88881001。"})
	secret := f.publish(info.Fields{Title: "某工作方案", Genre: "其他", Body: "秘密★1年 本方案仅限内部掌握。"})
	office := f.publish(info.Fields{Title: "办公时间调整", Genre: "通知公告", Body: "咨询电话：0000-88881001。"})

	f.at("2026-11-20")
	res := f.run()
	if x := find(res, supervise.RulePublishLate, late.ID); x == nil || !strings.Contains(x.Evidence, "相隔 31 个工作日") {
		t.Errorf("late record: %+v", x)
	}
	if find(res, supervise.RulePublishLate, onTime.ID) != nil {
		t.Errorf("on-time record flagged late")
	}
	if x := find(res, supervise.RuleInterpMissing, missing.ID); x == nil || !strings.Contains(x.Evidence, "甲街〔2026〕1号") {
		t.Errorf("missing interpretation: %+v", x)
	}
	if find(res, supervise.RuleInterpMissing, synced.ID) != nil || find(res, supervise.RuleInterpLate, synced.ID) != nil {
		t.Errorf("synchronised interpretation flagged")
	}
	if x := find(res, supervise.RuleInterpLate, lateInterp.ID); x == nil || !strings.Contains(x.Evidence, "迟到的解读") {
		t.Errorf("late interpretation: %+v", x)
	}
	if x := find(res, supervise.RuleExpired, expired.ID); x == nil || !strings.Contains(x.Evidence, "2026年11月1日") {
		t.Errorf("expired: %+v", x)
	}
	x := find(res, supervise.RulePrivacy, personal.ID)
	if x == nil || !strings.Contains(x.Evidence, "身份证号码") || !strings.Contains(x.Evidence, "手机号码") {
		t.Fatalf("privacy: %+v", x)
	}
	// Evidence is stored and shown: it must not be a second copy of the data.
	if strings.Contains(x.Evidence, "11010519491231002X") || strings.Contains(x.Evidence, "13812345678") {
		t.Errorf("privacy evidence leaks personal data: %q", x.Evidence)
	}
	if x := find(res, supervise.RuleSecrecy, secret.ID); x == nil || !strings.Contains(x.Evidence, "密级标识") {
		t.Errorf("secrecy: %+v", x)
	}
	if find(res, supervise.RulePrivacy, office.ID) != nil || find(res, supervise.RuleSecrecy, personal.ID) != nil {
		t.Errorf("an office landline or personal data counted wrongly")
	}
	// Withdrawn: the public no longer sees it, the finding goes.
	if err := f.inf.Withdraw(context.Background(), f.ps["ed"], "", personal.ID, "含个人信息，撤回脱敏后重新发布"); err != nil {
		t.Fatal(err)
	}
	if res := f.run(); find(res, supervise.RulePrivacy, personal.ID) != nil || res.Run.Resolved < 1 {
		t.Errorf("withdrawn record still a privacy finding")
	}
}

func TestApplyRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	h := f.ps["hd"]
	reg := func(received, desc string) apply.Case {
		t.Helper()
		c, err := f.ap.Register(ctx, h, "", f.street.ID, apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: "张三",
			ContactPhone: "13800000001", Description: desc, Channel: apply.ChannelInPerson, SubmittedOn: received})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	overdue := reg("2026-10-20", "甲街道2025年预算执行情况")
	near := reg("2026-10-26", "甲街道2025年决算")
	correction := reg("2026-10-09", "关于小区的那个规划")
	if _, err := f.ap.Record(ctx, h, "", correction.ID, apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: mustDate(t, "2026-10-28"),
		Until: mustDate(t, "2026-11-30")}, "请写明小区名称"); err != nil {
		t.Fatal(err)
	}
	replied := reg("2026-11-02", "甲街道办公地址")
	legacy := reg("2026-11-02", "甲街道办公时间")
	for _, c := range []apply.Case{replied, legacy} {
		if _, err := f.ap.Reply(ctx, h, "", c.ID, apply.ReplyInput{Outcome: "disclosed_public", On: "2026-11-05",
			Obtain: "已在门户网站“机构职能”栏目公开"}); err != nil {
			t.Fatal(err)
		}
	}
	// A case closed before replies recorded their basis (data migrated from
	// an older system).
	if _, err := f.d.W.ExecContext(ctx, "UPDATE apply_cases SET reply_basis = '' WHERE id = $1", legacy.ID); err != nil {
		t.Fatal(err)
	}
	res := f.run()
	if x := find(res, supervise.RuleApplyOverdue, overdue.ID); x == nil || !strings.Contains(x.Evidence, "已超期") {
		t.Errorf("overdue: %+v", x)
	}
	if find(res, supervise.RuleApplyNear, near.ID) == nil || find(res, supervise.RuleApplyOverdue, near.ID) != nil {
		t.Errorf("near-due case")
	}
	if x := find(res, supervise.RuleApplyCorrectionLate, correction.ID); x == nil || !strings.Contains(x.Evidence, "2026年10月28日") {
		t.Errorf("late correction notice: %+v", x)
	}
	if find(res, supervise.RuleApplyCorrectionLate, overdue.ID) != nil {
		t.Errorf("a case without a correction notice flagged")
	}
	if x := find(res, supervise.RuleApplyNoBasis, legacy.ID); x == nil || !strings.Contains(x.Evidence, "法律依据") {
		t.Errorf("reply without basis: %+v", x)
	}
	if find(res, supervise.RuleApplyNoBasis, replied.ID) != nil {
		t.Errorf("reply with its basis flagged")
	}
	for _, x := range res.Findings {
		if strings.Contains(x.Evidence, "张三") || strings.Contains(x.Evidence, "13800000001") {
			t.Errorf("applicant data in a finding: %q", x.Evidence)
		}
	}
}

func mustDate(t *testing.T, s string) workday.Date {
	d, err := workday.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The loop: 核查 → 整改单 → 反馈 → 再核查 closes it; the problem comes back
// and reopens it; unanswered past its deadline it escalates once.
func TestTicketLoop(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gkb := f.ps["gkb"]
	res := f.run()
	empty := find(res, supervise.RuleEmptyColumn, f.street.ID+"/规划计划")
	other := find(res, supervise.RuleEmptyColumn, f.street.ID+"/财政预决算")
	third := find(res, supervise.RuleEmptyColumn, f.street.ID+"/人事信息")
	if empty == nil || other == nil || third == nil {
		t.Fatal("fixture: empty columns not found")
	}
	// Only the 政务公开办 issues tickets; deadlines are validated.
	if _, _, err := f.sup.OpenTickets(ctx, f.ps["ed"], "", supervise.OpenInput{FindingIDs: []string{empty.ID}}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("editor opened a ticket: %v", err)
	}
	if _, _, err := f.sup.OpenTickets(ctx, gkb, "", supervise.OpenInput{FindingIDs: []string{empty.ID}, Days: 61}); fieldOf(err) != "days" {
		t.Errorf("61 working days: %v", err)
	}
	ts, skipped, err := f.sup.OpenTickets(ctx, gkb, "", supervise.OpenInput{FindingIDs: []string{empty.ID}, Days: 5})
	if err != nil || len(ts) != 1 || len(skipped) != 0 {
		t.Fatalf("open: %v %v %v", ts, skipped, err)
	}
	tk := ts[0]
	if tk.DueOn != "2026-11-27" || tk.OrgID != f.street.ID || !strings.HasPrefix(tk.No, "ZG-2026-") || !strings.Contains(tk.Request, "规划计划") {
		t.Errorf("ticket: %+v", tk)
	}
	// Bulk: the finding with a ticket in progress is skipped, not doubled.
	bulk, skipped, err := f.sup.OpenTickets(ctx, gkb, "", supervise.OpenInput{FindingIDs: []string{other.ID, empty.ID, third.ID}})
	if err != nil || len(bulk) != 2 || len(skipped) != 1 || skipped[0] != empty.ID || bulk[0].Days != 10 {
		t.Fatalf("bulk: %d tickets, skipped %v, %v", len(bulk), skipped, err)
	}

	// A unit cannot answer for another: 乙街道 does not even see it; the
	// supervisor sees it but may not reply for the unit.
	if _, err := f.sup.Reply(ctx, f.ps["ed2"], "", tk.ID, "已整改"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another unit's reply: %v", err)
	}
	if _, err := f.sup.Reply(ctx, gkb, "", tk.ID, "已整改"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("supervisor's reply: %v", err)
	}
	if _, err := f.sup.Reply(ctx, f.ps["ed"], "", tk.ID, "  "); fieldOf(err) != "reply" {
		t.Errorf("empty reply: %v", err)
	}
	f.at("2026-11-23")
	tk, err = f.sup.Reply(ctx, f.ps["ed"], "", tk.ID, "已发布《甲街道2026年度重点工作计划》，今后每季度更新。")
	if err != nil || tk.Status != supervise.TicketReplied || tk.RepliedBy != "ed" {
		t.Fatalf("reply: %+v %v", tk, err)
	}
	rec := f.publish(info.Fields{Title: "甲街道2026年度重点工作计划", Genre: "规划计划"})

	// 再核查: the column has content, the ticket closes itself.
	res = f.run()
	if find(res, supervise.RuleEmptyColumn, f.street.ID+"/规划计划") != nil {
		t.Fatal("column still empty after publication")
	}
	tk, _ = f.sup.Ticket(ctx, gkb, tk.ID)
	if tk.Status != supervise.TicketClosed || tk.Resolution != supervise.ResolutionFixed || res.Run.ClosedTickets != 1 {
		t.Fatalf("after re-check: %+v (run %+v)", tk, res.Run)
	}
	// The record is withdrawn: the problem is back and so is the ticket.
	if err := f.inf.Withdraw(ctx, f.ps["ed"], "", rec.ID, "内容有误"); err != nil {
		t.Fatal(err)
	}
	f.at("2026-11-24")
	res = f.run()
	back := find(res, supervise.RuleEmptyColumn, f.street.ID+"/规划计划")
	tk, _ = f.sup.Ticket(ctx, gkb, tk.ID)
	if back == nil || back.ID != empty.ID || back.Occurrences != 2 || tk.Status != supervise.TicketOpen || tk.ReopenCount != 1 ||
		tk.DueOn != "2026-12-01" || res.Run.ReopenedTickets != 1 {
		t.Fatalf("reopen: finding %+v ticket %+v", back, tk)
	}

	// Nobody answers by 2026-12-01: the next run after it escalates, once.
	f.at("2026-12-01")
	if res := f.run(); res.Run.EscalatedTickets != 0 {
		t.Errorf("escalated on the due day itself")
	}
	f.at("2026-12-02")
	res = f.run()
	tk, _ = f.sup.Ticket(ctx, gkb, tk.ID)
	// The two bulk tickets (due 2026-12-04) are not yet late.
	if res.Run.EscalatedTickets != 1 || tk.EscalatedOn != "2026-12-02" || !tk.Escalated() {
		t.Fatalf("escalation: run %+v ticket %+v", res.Run, tk)
	}
	if res := f.run(); res.Run.EscalatedTickets != 0 {
		t.Errorf("escalated twice")
	}
	counts, _ := f.sup.CountTickets(ctx, nil)
	if counts.Escalated != 1 || counts.Open != 3 || counts.Overdue != 1 || counts.Reopened != 1 {
		t.Errorf("counts: %+v", counts)
	}

	// Return and accept: the supervisor's own checks.
	b := bulk[0]
	if _, err := f.sup.Return(ctx, gkb, "", b.ID, "理由", 5); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("returned an unanswered ticket: %v", err)
	}
	if _, err := f.sup.Reply(ctx, f.ps["ed"], "", b.ID, "已安排专人负责，下周发布。"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sup.Return(ctx, gkb, "", b.ID, "", 5); fieldOf(err) != "note" {
		t.Errorf("return without a reason: %v", err)
	}
	b, err = f.sup.Return(ctx, gkb, "", b.ID, "仅有计划，尚未发布信息，请发布后再反馈。", 3)
	if err != nil || b.Status != supervise.TicketOpen || b.DueOn != "2026-12-07" {
		t.Fatalf("return: %+v %v", b, err)
	}
	if _, err := f.sup.Accept(ctx, f.ps["ed"], "", b.ID, ""); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a unit accepted its own ticket: %v", err)
	}
	b, err = f.sup.Accept(ctx, gkb, "", b.ID, "")
	if err != nil || b.Status != supervise.TicketClosed || b.Resolution != supervise.ResolutionAccepted || len(b.Events) != 4 {
		t.Fatalf("accept: %+v %v", b, err)
	}
	if _, err := f.sup.Reply(ctx, f.ps["ed"], "", b.ID, "补充"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("reply to a closed ticket: %v", err)
	}

	// Every step is in the evidence chain, which verifies.
	events, _ := audit.List(ctx, f.d.R, audit.Filter{ObjectType: "supervise_ticket", Limit: 100})
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Action] = true
	}
	for _, a := range []string{"supervise.ticket.open", "supervise.ticket.reply", "supervise.ticket.fixed", "supervise.ticket.reopen",
		"supervise.ticket.escalate", "supervise.ticket.return", "supervise.ticket.accept"} {
		if !seen[a] {
			t.Errorf("no %s event", a)
		}
	}
	if v, err := audit.Verify(ctx, f.d.R); err != nil || !v.OK() {
		t.Errorf("evidence chain: %+v %v", v, err)
	}
	// Units see their own tickets only.
	mine, _ := f.sup.Tickets(ctx, supervise.TicketFilter{OrgIDs: []string{f.other.ID}})
	if len(mine) != 0 {
		t.Errorf("乙街道 sees %d tickets", len(mine))
	}
	if _, err := f.sup.Ticket(ctx, f.ps["ed2"], tk.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("乙街道 opened 甲街道's ticket: %v", err)
	}
}

func TestThresholdValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bad := []struct {
		mod   func(*supervise.Config)
		field string
	}{
		{func(c *supervise.Config) { c.Values["news_days"] = -3 }, "news_days"},
		{func(c *supervise.Config) { c.Values["notice_months"] = 0 }, "notice_months"},
		{func(c *supervise.Config) { c.Values["veto_empty"] = 5000 }, "veto_empty"},
		{func(c *supervise.Config) { c.Values["run_hour"] = 24 }, "run_hour"},
		{func(c *supervise.Config) { c.Values["no_such"] = 1 }, "no_such"},
		{func(c *supervise.Config) { c.NewsGenres = []string{"快讯"} }, "news_genres"},
		{func(c *supervise.Config) { c.NoticeGenres = append(c.NoticeGenres, "动态要闻") }, "notice_genres"},
		{func(c *supervise.Config) { c.NewsGenres = []string{"规章"} }, "news_genres"}, // not a checked column
		{func(c *supervise.Config) { c.ColumnKinds = []org.Kind{"county"} }, "column_kinds"},
	}
	for _, b := range bad {
		c := supervise.DefaultConfig()
		b.mod(&c)
		if err := c.Validate(); fieldOf(err) != b.field || !apperr.Is(err, apperr.Invalid) {
			t.Errorf("want a %s error, got %v", b.field, err)
		}
	}
	if _, err := supervise.ParseValues(map[string]string{"news_days": "两周"}); fieldOf(err) != "news_days" ||
		!strings.Contains(err.Error(), "不是整数") {
		t.Errorf("non-numeric: %v", err)
	}
	// Nothing is stored when the input is bad.
	c := supervise.DefaultConfig()
	c.Values["home_days"] = -14
	if err := f.sup.SaveConfig(ctx, f.ps["gkb"], "", c); fieldOf(err) != "home_days" {
		t.Errorf("save: %v", err)
	}
	if got, _ := f.sup.Config(ctx); got.Get("home_days") != 14 {
		t.Errorf("bad value stored: %d", got.Get("home_days"))
	}

	tables := []struct {
		mod   func(*supervise.Table)
		field string
	}{
		{func(t *supervise.Table) { t.Indicators[4].Weight += 10 }, "indicators"},
		{func(t *supervise.Table) { t.Indicators[4].Per = t.Indicators[4].Weight + 10 }, "ind_4_per"},
		{func(t *supervise.Table) {
			t.Indicators[5].Rules = append(t.Indicators[5].Rules, supervise.RuleNewsStale)
		}, "ind_5_rules"},
		{func(t *supervise.Table) { t.Indicators[0].Threshold = 0 }, "ind_0_threshold"},
		{func(t *supervise.Table) { t.Indicators[1].Code = t.Indicators[0].Code }, "ind_1_code"},
		{func(t *supervise.Table) { t.Indicators[2].Rules = []string{"column.nonsense"} }, "ind_2_rules"},
		{func(t *supervise.Table) { t.Indicators[2].Kind = "bonus" }, "ind_2_kind"},
		{func(t *supervise.Table) { t.BonusMax = 600 }, "bonus_max"},
		{func(t *supervise.Table) { t.PassScore = 950 }, "good_score"},
		{func(t *supervise.Table) { t.PerformanceWeight = -4 }, "performance_weight"},
	}
	for i, x := range tables {
		tb := supervise.DefaultTable()
		x.mod(&tb)
		err := tb.Validate()
		found := false
		if e, ok := apperr.As(err); ok {
			for _, fe := range e.Fields {
				found = found || fe.Field == x.field
			}
		}
		if !found {
			t.Errorf("table case %d: want a %s error, got %v", i, x.field, err)
		}
	}
	if tb := supervise.DefaultTable(); tb.Validate() != nil {
		t.Errorf("default table invalid: %v", tb.Validate())
	}
	if _, err := supervise.ParsePeriod("2026-Q5"); fieldOf(err) != "period" {
		t.Errorf("2026-Q5: %v", err)
	}
	for in, want := range map[string]string{"2026-Q3": "2026年第三季度", "2026-h2": "2026年下半年", "2025": "2025年度"} {
		p, err := supervise.ParsePeriod(in)
		if err != nil || p.Label() != want {
			t.Errorf("%s: %q %v", in, p.Label(), err)
		}
	}
	if p, _ := supervise.ParsePeriod("2026-Q1"); p.Prev().Code != "2025-Q4" || p.To.String() != "2026-03-31" {
		t.Errorf("period arithmetic: %+v", p)
	}
	for in, want := range map[string]supervise.Points{"2": 20, "2.5": 25, "0.5": 5} {
		if p, ok := supervise.ParsePoints(in); !ok || p != want {
			t.Errorf("points %s: %d", in, p)
		}
	}
	for _, in := range []string{"-1", "2.55", "abc", "", ".5", "1e3"} {
		if _, ok := supervise.ParsePoints(in); ok {
			t.Errorf("points %q accepted", in)
		}
	}
}

// The daily job runs once a day from the configured hour, whichever
// replica claims the day first.
func TestDailyJob(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.now = time.Date(2026, 11, 20, 5, 30, 0, 0, cst)
	job := &supervise.Job{Supervise: f.sup}
	other := &supervise.Job{Supervise: f.sup} // another replica
	if ran, err := job.Tick(ctx); ran || err != nil {
		t.Fatalf("before 06:00: %v %v", ran, err)
	}
	f.now = time.Date(2026, 11, 20, 6, 5, 0, 0, cst)
	if ran, err := job.Tick(ctx); !ran || err != nil {
		t.Fatalf("after 06:00: %v %v", ran, err)
	}
	if ran, _ := other.Tick(ctx); ran {
		t.Errorf("the day ran twice")
	}
	runs, _ := f.sup.Runs(ctx, 10)
	if len(runs) != 1 || runs[0].Kind != supervise.RunSchedule || runs[0].AsOf != "2026-11-20" {
		t.Errorf("runs: %+v", runs)
	}
	f.now = f.now.Add(24 * time.Hour)
	if ran, _ := other.Tick(ctx); !ran {
		t.Errorf("the next day did not run")
	}
}

// A run over one street's subtree updates that subtree only: the rest of
// the district's findings are not "resolved" by not being looked at, and
// the district trend ignores the partial run.
func TestScopedRun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	all := f.run()
	res, err := f.sup.Run(ctx, op, supervise.RunOptions{ScopeOrgID: f.other.ID, Kind: supervise.RunCLI})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range res.Findings {
		if x.OrgID != f.other.ID {
			t.Fatalf("scoped run lists %s", x.OrgID)
		}
	}
	if res.Run.Resolved != 0 || res.Run.New != 0 {
		t.Errorf("scoped run changed findings: %+v", res.Run)
	}
	open, _, _ := f.sup.Findings(ctx, supervise.FindingFilter{Limit: -1})
	if len(open) != len(all.Findings) {
		t.Errorf("open findings %d after the scoped run, %d before", len(open), len(all.Findings))
	}
	trend, _ := f.sup.Trend(ctx, nil, "", 12)
	if len(trend) != 1 || trend[0].Total != len(all.Findings) {
		t.Errorf("district trend: %+v", trend)
	}
	// Someone without supervise.manage cannot start a run.
	if _, err := f.sup.RunFor(ctx, f.ps["ed"], "", ""); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("editor started a run: %v", err)
	}
}
