package demo

import (
	"context"
	"fmt"
	"time"

	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/supervise"
	"gongkai.dev/gongkai/internal/workday"
)

// seedSupervision replays a quarter and a half of 监督考核 in the demo
// district. 区民政局 and 青石镇 publish over the past year (so their columns
// have real ages: one stale, one long unattended, one policy never
// interpreted, a notice left past its validity, a list of relief recipients
// with an ID number); the daily check runs late last quarter; the
// 政务公开办 issues tickets (some in bulk); units reply, one reply is
// returned, one accepted, two tickets escalate; the quarter is scored and
// stored with bonus points; this quarter 东湖街道 and 区民政局 fill their
// empty columns, which closes their tickets, then 区民政局 withdraws a notice
// again, which reopens one; and this quarter is scored too.
//
// Every step goes through the services staff use, with the service's clock
// set to the day the step stands for, so dates, ages and deadlines are real.
// Those events therefore carry their own (earlier) times after the seed's
// other events in the evidence chain; the chain is still intact. A year the
// calendar does not know (the deadlines are in working days) skips this
// part of the demo; the rest stands.
func seedSupervision(ctx context.Context, orgs *org.Service, inf *info.Service, sup *supervise.Service, ids map[string]string) error {
	now := sup.Now()
	today := workday.DateOf(now)
	quarter := supervise.PeriodOf("quarter", today)
	p0 := quarter.From.AddDays(-25) // late last quarter: the first recorded check
	cal, err := sup.Calendar(ctx)
	if err != nil {
		return err
	}
	if !cal.Has(p0.Year) || !cal.Has(today.Year) {
		return nil
	}
	at := func(d workday.Date, hour, minute int) time.Time {
		return d.Time().Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
	}
	infoAt := func(t time.Time) *info.Service { c := *inf; c.Now = func() time.Time { return t }; return &c }
	supAt := func(t time.Time) *supervise.Service { c := *sup; c.Now = func() time.Time { return t }; return &c }
	ps := map[string]*org.Principal{}
	for _, n := range []string{"gkb", "editor", "reviewer", "leader", "mzj.editor", "mzj.reviewer", "mzj.leader",
		"qsz.editor", "qsz.reviewer", "qsz.leader"} {
		u, err := orgs.GetUserByName(ctx, n)
		if err != nil {
			return err
		}
		g, err := orgs.Grants(ctx, u.ID)
		if err != nil {
			return err
		}
		ps[n] = &org.Principal{User: u, Grants: g}
	}
	const ip = "127.0.0.1"
	team := map[string][3]string{"东湖街道": {"editor", "reviewer", "leader"}, "区民政局": {"mzj.editor", "mzj.reviewer", "mzj.leader"},
		"青石镇": {"qsz.editor", "qsz.reviewer", "qsz.leader"}}
	paras := func(ps ...string) string {
		out := ""
		for _, p := range ps {
			out += "<p>" + p + "</p>"
		}
		return out
	}
	// publish drafts, reviews and publishes a record of a unit on a day.
	publish := func(unit string, t time.Time, f info.Fields, ground string) (info.Record, error) {
		svc, tm := infoAt(t), team[unit]
		f.Attribute = info.Proactive
		if f.FormedOn == "" {
			f.FormedOn = workday.DateOf(t).String()
		}
		r, err := svc.Create(ctx, ps[tm[0]], ip, ids[unit], f)
		if err != nil {
			return r, fmt.Errorf("%s: %w", f.Title, err)
		}
		if _, err := svc.Submit(ctx, ps[tm[0]], ip, r.ID, "请审核"); err != nil {
			return r, err
		}
		d := info.Decision{SecrecyConfirmed: true, Comment: "经保密审查，同意", PrivacyGround: ground}
		if _, err := svc.Approve(ctx, ps[tm[1]], ip, r.ID, d); err != nil {
			return r, err
		}
		return svc.Approve(ctx, ps[tm[2]], ip, r.ID, d)
	}
	day := func(n int) time.Time { return at(p0.AddDays(n), 10, 0) }

	// --- the past year of two units ---
	type rec struct {
		unit   string
		offset int // days from p0
		f      info.Fields
		ground string
	}
	past := []rec{
		{"区民政局", -400, info.Fields{Title: "示范区民政事业发展“十五五”规划", Genre: "规划计划", Topic: "民政、扶贫、救灾",
			Summary: "明确“十五五”时期全区养老服务、社会救助、社区治理等民政事业发展目标和重点任务。",
			Body:    paras("规划期为2026—2030年。到2030年，全区养老服务床位达到每千名老年人40张，城乡低保实现应保尽保。")}, ""},
		{"青石镇", -400, info.Fields{Title: "青石镇2025年度村（社区）“两委”成员名单", Genre: "人事信息", Topic: "综合政务",
			Summary: "公布青石村、柳树村“两委”成员及分工。", Body: paras("青石村党支部书记、村委会主任：王某；柳树村党支部书记：李某。")}, ""},
		{"区民政局", -210, info.Fields{Title: "关于开展2026年度高龄津贴资格集中认证的通知", Genre: "通知公告", Topic: "民政、扶贫、救灾",
			Summary: "80周岁以上老年人高龄津贴资格认证的时间、方式和地点。",
			Body:    paras("认证时间为每年3月1日至4月30日，可通过“示范区民政”小程序刷脸认证，也可到社区现场认证。咨询电话：0000-88880304。")}, ""},
		{"青石镇", -200, info.Fields{Title: "青石镇2026年春季农机购置补贴申报公告", Genre: "通知公告", Topic: "农业、林业、水利",
			ValidUntil: p0.AddDays(-120).String(), Summary: "春季农机购置补贴申报条件、时间和所需材料。",
			Body: paras("申报时间自公告之日起至80日内，逾期不再受理。")}, ""},
		{"区民政局", -150, info.Fields{Title: "示范区民政局2026年部门预算公开", Genre: "财政预决算", Topic: "财政、金融、审计",
			Summary: "部门收支预算总表、财政拨款收支表和“三公”经费预算说明。", Body: paras("2026年部门收入预算合计3860.2万元。")}, ""},
		{"青石镇", -130, info.Fields{Title: "青石镇2026年部门预算", Genre: "财政预决算", Topic: "财政、金融、审计",
			Summary: "青石镇人民政府2026年部门收支预算。", Body: paras("2026年一般公共预算收入1260万元。")}, ""},
		{"区民政局", -120, info.Fields{Title: "示范区民政局2026年公开招聘事业单位工作人员拟聘用人员公示", Genre: "人事信息", Topic: "劳动、人事、监察",
			Summary: "公示拟聘用人员名单，公示期5个工作日。", Body: paras("经笔试、面试、体检和考察，拟聘用以下人员：张某、陈某。")}, ""},
		{"青石镇", -100, info.Fields{Title: "青石镇2026年度重点工作计划", Genre: "规划计划", Topic: "综合政务",
			Summary: "2026年乡村振兴、基础设施和民生保障重点工作。", Body: paras("全年实施人居环境整治项目12个，新建村级道路8公里。")}, ""},
		{"青石镇", -90, info.Fields{Title: "青石镇农村集体“三资”管理办法（试行）", DocNo: "青政发〔2026〕6号", Genre: "行政规范性文件",
			Topic: "农业、林业、水利", InterpPlan: "由镇经管站以问答形式解读，与办法同步发布。",
			Summary: "规范农村集体资金、资产、资源的管理、使用和公开。",
			Body:    paras("第一条 为加强农村集体“三资”管理，制定本办法。", "第二条 村集体经济组织应每季度公开“三资”收支情况。")}, ""},
		{"区民政局", -20, info.Fields{Title: "关于2026年第二季度城乡低保资金发放情况的公告", Genre: "通知公告", Topic: "民政、扶贫、救灾",
			FormedOn: p0.AddDays(-65).String(), Summary: "第二季度城乡低保资金发放户数和金额。",
			Body: paras("第二季度共发放城乡低保资金412.6万元，惠及2105户3380人。")}, ""},
		{"青石镇", -60, info.Fields{Title: "青石镇关于开展农村人居环境整治的通知", Genre: "通知公告", Topic: "城乡建设、环境保护",
			Summary: "部署秋季农村人居环境整治工作。", Body: paras("各村于10月底前完成垃圾清运和沟渠清淤。")}, ""},
		{"青石镇", -50, info.Fields{Title: "青石镇人民政府关于做好秋冬季森林防火工作的通知", DocNo: "青政发〔2026〕9号", Genre: "政策文件",
			Topic: "农业、林业、水利", NoInterpReason: "阶段性工作部署，不涉及群众权利义务，不作解读。",
			Summary: "部署秋冬季森林防火巡查、野外用火管理。", Body: paras("各村落实护林员巡山制度，严禁野外用火。")}, ""},
		{"区民政局", -40, info.Fields{Title: "关于进一步规范最低生活保障审核确认工作的通知", DocNo: "示民发〔2026〕12号", Genre: "政策文件",
			Topic: "民政、扶贫、救灾", NoInterpReason: "工作规范类通知，办法解读已涵盖相关内容。",
			Summary: "规范低保申请受理、家庭经济状况核查和审核确认程序。", Body: paras("各街道、乡镇应在受理申请后30个工作日内作出审核确认决定。")}, ""},
		{"区民政局", -30, info.Fields{Title: "区民政局开展养老机构安全隐患排查整治", Genre: "动态要闻", Topic: "民政、扶贫、救灾",
			Summary: "对全区14家养老机构开展消防、食品安全隐患排查。", Body: paras("排查发现隐患23处，已当场整改19处，其余限期整改。")}, ""},
		{"区民政局", -10, info.Fields{Title: "2026年8月临时救助对象公示", Genre: "通知公告", Topic: "民政、扶贫、救灾",
			Summary: "公示8月拟给予临时救助的对象。",
			Body:    paras("经审核，拟对以下对象给予临时救助，公示期5天：", "王某某，身份证号 11010519491231002X，联系电话 13812345678，救助金额2000元。")},
			"依据《社会救助暂行办法》第四十七条公示救助对象"},
		{"青石镇", -5, info.Fields{Title: "青石镇召开秋收秋种工作推进会", Genre: "动态要闻", Topic: "农业、林业、水利",
			Summary: "部署秋收秋种和农机调度工作。", Body: paras("会议要求各村做好农机调度，确保颗粒归仓。")}, ""},
	}
	var relief info.Record
	for _, r := range past {
		x, err := publish(r.unit, day(r.offset), r.f, r.ground)
		if err != nil {
			return err
		}
		if r.ground != "" {
			relief = x
		}
	}

	// --- last quarter: the check, tickets, replies, escalation, scores ---
	sys := audit.System("supervise", "系统（每日监督检查）")
	gkb := ps["gkb"]
	res, err := supAt(at(p0, 9, 30)).Run(ctx, sys, supervise.RunOptions{Kind: supervise.RunSchedule})
	if err != nil {
		return err
	}
	find := func(rs []supervise.Finding, rule, orgShort, label string) (string, error) {
		for _, f := range rs {
			if f.Rule == rule && f.OrgID == ids[orgShort] && (label == "" || f.ObjectLabel == label) {
				return f.ID, nil
			}
		}
		return "", fmt.Errorf("演示检查没有发现 %s 的 %s %s", orgShort, rule, label)
	}
	var fids = map[string]string{}
	for key, q := range map[string][3]string{
		"dh.hr":    {supervise.RuleEmptyColumn, "东湖街道", "「人事信息」栏目"},
		"dh.plan":  {supervise.RuleEmptyColumn, "东湖街道", "「规划计划」栏目"},
		"mz.other": {supervise.RuleEmptyColumn, "区民政局", "「其他」栏目"},
		"mz.priv":  {supervise.RulePrivacy, "区民政局", ""},
		"mz.news":  {supervise.RuleNewsStale, "区民政局", ""},
		"mz.late":  {supervise.RulePublishLate, "区民政局", ""},
		"qs.intp":  {supervise.RuleInterpMissing, "青石镇", ""},
	} {
		if fids[key], err = find(res.Findings, q[0], q[1], q[2]); err != nil {
			return err
		}
	}
	s1 := supAt(day(1))
	open := func(s *supervise.Service, days int, keys ...string) ([]supervise.Ticket, error) {
		var fs []string
		for _, k := range keys {
			fs = append(fs, fids[k])
		}
		ts, _, err := s.OpenTickets(ctx, gkb, ip, supervise.OpenInput{FindingIDs: fs, Days: days})
		return ts, err
	}
	dh, err := open(s1, 10, "dh.hr", "dh.plan") // one bulk issue to 东湖街道
	if err != nil {
		return err
	}
	tk := map[string]supervise.Ticket{}
	for _, k := range []struct {
		key  string
		days int
	}{{"mz.priv", 5}, {"mz.news", 5}, {"mz.late", 10}, {"qs.intp", 10}, {"mz.other", 10}} {
		ts, err := open(s1, k.days, k.key)
		if err != nil {
			return err
		}
		tk[k.key] = ts[0]
	}
	steps := []struct {
		day int
		do  func(s *supervise.Service) error
	}{
		{3, func(s *supervise.Service) error {
			// The relief list comes down the day the ticket arrives.
			if err := infoAt(day(3)).Withdraw(ctx, ps["mzj.editor"], ip, relief.ID, "公示内容含身份证号码和手机号码，撤下脱敏后重新公示"); err != nil {
				return err
			}
			_, err := s.Reply(ctx, ps["mzj.editor"], ip, tk["mz.priv"].ID, "已撤下原公示，删除身份证号码和联系电话后按规定重新公示；已组织全局信息员学习发布前保密审查和个人信息保护要求。")
			return err
		}},
		{3, func(s *supervise.Service) error {
			_, err := s.Reply(ctx, ps["mzj.editor"], ip, tk["mz.news"].ID, "已安排办公室专人负责“动态要闻”栏目，今后每周至少更新一次。")
			return err
		}},
		{4, func(s *supervise.Service) error {
			for _, t := range dh {
				if _, err := s.Reply(ctx, ps["editor"], ip, t.ID, "街道已梳理应公开的人事和规划类信息，正在履行审核程序，发布后反馈。"); err != nil {
					return err
				}
			}
			return nil
		}},
		{4, func(s *supervise.Service) error {
			_, err := s.Reply(ctx, ps["mzj.editor"], ip, tk["mz.other"].ID, "已整理本局政府信息公开工作机构的联系方式，审核后在“其他”栏目发布。")
			return err
		}},
		{5, func(s *supervise.Service) error {
			_, err := s.Reply(ctx, ps["mzj.editor"], ip, tk["mz.late"].ID, "该公告因二季度资金核对延迟，形成后未能在20个工作日内发布。已建立低保资金发放信息公开台账，今后在资金发放后10个工作日内公开。")
			return err
		}},
		{6, func(s *supervise.Service) error {
			_, err := s.Return(ctx, gkb, ip, tk["mz.news"].ID, "反馈后栏目仍未更新，请实际发布信息后再反馈。", 5)
			return err
		}},
		{8, func(s *supervise.Service) error {
			_, err := s.Accept(ctx, gkb, ip, tk["mz.late"].ID, "情况属实，已建立发布台账，予以办结；该信息超期发布计入本季度考核。")
			return err
		}},
	}
	for _, st := range steps {
		if err := st.do(supAt(at(p0.AddDays(st.day), 15, 0))); err != nil {
			return err
		}
	}
	p1 := quarter.From.AddDays(-3)
	if _, err := supAt(at(p1, 9, 30)).Run(ctx, sys, supervise.RunOptions{Kind: supervise.RunSchedule}); err != nil {
		return err
	}
	prev := quarter.Prev()
	last := supAt(at(quarter.From.AddDays(-1), 16, 0))
	for _, b := range []struct{ org, pts, why string }{
		{"湖滨社区", "3", "“阳光议事厅”居务公开做法被市政务公开办推广"},
		{"区民政局", "2", "社会救助政策“一图读懂”获市级政务公开优秀案例"},
	} {
		if _, err := last.AddBonus(ctx, gkb, ip, ids[b.org], prev.Code, b.pts, b.why); err != nil {
			return err
		}
	}
	if _, err := last.SaveScores(ctx, gkb, ip, prev.Code, prev.Label()+"季度考核"); err != nil {
		return err
	}

	// --- this quarter: the units fill their columns; 区民政局 withdraws one ---
	t0 := now.Add(-2 * time.Hour)
	if workday.DateOf(t0) != today {
		// Just after midnight: keep today's steps on today, so they fall in
		// this quarter even on its first day.
		t0 = today.Time().Add(time.Minute)
	}
	tick := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	if _, err := publish("东湖街道", tick(0), info.Fields{Title: "东湖街道2026年社区工作者招聘公告", Genre: "人事信息", Topic: "劳动、人事、监察",
		Summary: "招聘社区工作者12名，公布岗位、条件和报名方式。", Body: paras("报名时间为公告发布之日起7日内，报名地点为街道党群服务中心。")}, ""); err != nil {
		return err
	}
	if _, err := publish("东湖街道", tick(5), info.Fields{Title: "东湖街道2026年度民生实事项目实施计划", Genre: "规划计划", Topic: "综合政务",
		Summary: "十项民生实事项目的实施单位和完成时限。", Body: paras("老年助餐点建设、社区卫生服务站提升等十项民生实事，年底前全部完成。")}, ""); err != nil {
		return err
	}
	contact, err := publish("区民政局", tick(8), info.Fields{Title: "示范区民政局政府信息公开工作机构联系方式", Genre: "其他", Topic: "综合政务",
		Summary: "政府信息公开工作机构的办公地址、办公时间和联系电话。", Body: paras("办公地址：示范区和平路 8 号；联系电话：0000-88880304。")}, "")
	if err != nil {
		return err
	}
	if _, err := publish("区民政局", tick(10), info.Fields{Title: "区民政局召开冬季困难群众救助工作部署会", Genre: "动态要闻", Topic: "民政、扶贫、救灾",
		Summary: "部署冬季困难群众排查和临时救助工作。", Body: paras("会议要求各街道、乡镇在本月底前完成困难群众走访排查。")}, ""); err != nil {
		return err
	}
	if _, err := supAt(tick(20)).RunFor(ctx, gkb, ip, ""); err != nil {
		return err
	}
	if err := infoAt(tick(30)).Withdraw(ctx, ps["mzj.editor"], ip, contact.ID, "办公地址已搬迁，撤回修改后重新发布"); err != nil {
		return err
	}
	res, err = supAt(tick(40)).RunFor(ctx, gkb, ip, "")
	if err != nil {
		return err
	}
	// New tickets today: one answered at once, one just issued.
	qs := supAt(tick(50))
	var long, news string
	for _, f := range res.Findings {
		switch {
		case f.OrgID == ids["青石镇"] && f.Rule == supervise.RuleLongStale && long == "":
			long = f.ID
		case f.OrgID == ids["青石镇"] && f.Rule == supervise.RuleNewsStale:
			news = f.ID
		}
	}
	for _, fid := range []string{long, news} {
		if fid == "" {
			continue
		}
		ts, _, err := qs.OpenTickets(ctx, gkb, ip, supervise.OpenInput{FindingIDs: []string{fid}})
		if err != nil {
			return err
		}
		if fid == long {
			if _, err := supAt(tick(55)).Reply(ctx, ps["qsz.editor"], ip, ts[0].ID, "已请组织办提供最新“两委”成员名单，审核后本周内发布。"); err != nil {
				return err
			}
		}
	}
	_, err = supAt(tick(60)).SaveScores(ctx, gkb, ip, quarter.Code, "截至"+today.Chinese()+"的本季度得分")
	return err
}
