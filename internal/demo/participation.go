package demo

import (
	"context"
	"fmt"
	"time"

	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/participate"
)

// seedParticipation tells the story of the last few months of 公众参与 in
// 示范区, through the same service calls staff and citizens make:
//
//   - the 2026 重大行政决策事项目录 of 示范区人民政府, one entry finished
//     with every stage recorded (hearing, legality review, meeting, decision),
//     one in progress, one not started and one taken out of the catalog;
//   - 区政府办's draft parking rules, a major decision open for comments, with
//     approved, pending (one held by the review word list, one with a phone
//     number masked) and rejected comments, including identical and
//     near-identical copies;
//   - 区教育局's admission rules, closed, with the adoption report published
//     (grouped comments, reasons for what was not adopted);
//   - an unpublished draft.
//
// Each step runs on a copy of the service whose clock reads the day the step
// happened, so periods, comment times and the report fall where the story
// puts them; those events carry these dates in the evidence chain too.
func seedParticipation(ctx context.Context, orgs *org.Service, svc *participate.Service, ids map[string]string) error {
	ps := map[string]*org.Principal{}
	for _, n := range []string{"admin", "zfb.editor", "zfb.reviewer", "jyj.editor", "jyj.reviewer"} {
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
	now := svc.Clock()
	today := svc.Today()
	// at is the service as it was days ago (negative: ahead), at hour:00.
	at := func(days, hour int) *participate.Service {
		c := *svc
		t := today.AddDays(-days).Time().Add(time.Duration(hour) * time.Hour)
		if t.After(now) {
			t = now
		}
		c.Now = func() time.Time { return t }
		c.Guard = &moderation.Guard{} // the story's citizens are not today's visitors
		return &c
	}
	day := func(days int) string { return today.AddDays(-days).String() }
	const ip = "127.0.0.1"
	// The catalog is the one of the year the story starts in (2026 when the
	// demo is started in 2026).
	year := today.AddDays(-170).Year
	root, zfb, jyj := ids["示范区"], ids["区政府办"], ids["区教育局"]

	// --- the catalog ---
	admin := ps["admin"]
	type entry struct {
		title, undertaker, basis, planned string
		stages                            []participate.Stage
		removed                           string
	}
	entries := []entry{
		{title: "制定《示范区城市社区停车设施建设和管理办法》", undertaker: "区政府办", planned: fmt.Sprintf("%d年第四季度", year),
			basis: "老旧小区停车位缺口大、电动自行车充电设施不足，群众反映集中；依据《中华人民共和国道路交通安全法》和省、市有关停车设施管理的规定，规范停车设施建设、管理和收费。",
			stages: []participate.Stage{
				{Kind: participate.StageKindDraft, On: day(14), Note: "区政府办公室会同区住建局、区发改局起草征求意见稿。"},
				{Kind: participate.StageKindBackground, Note: "2025年全区群众来信来电中涉及小区停车的占 23%；区人大代表建议第 18 号。"},
			}},
		{title: "《示范区国土空间总体规划（2021—2035年）》实施方案", undertaker: "区自然资源局", planned: fmt.Sprintf("%d年第二季度", year),
			basis: "落实市级国土空间总体规划，明确示范区城镇开发边界、永久基本农田和生态保护红线内的管控措施。",
			stages: []participate.Stage{
				{Kind: participate.StageKindDraft, On: day(150), Note: "区自然资源局委托规划编制单位形成草案。"},
				{Kind: participate.StageKindBackground, Note: "依据《中华人民共和国土地管理法》《中华人民共和国城乡规划法》及市级国土空间总体规划。"},
				{Kind: participate.StageKindSolicitation, On: day(140), Note: fmt.Sprintf("%s 至 %s 在区政府网站公开征求意见（31 日），收到意见 46 条。", day(140), day(110))},
				{Kind: participate.StageKindHearing, On: day(92), ListOn: day(105), MaterialsOn: day(100),
					Participants: "人大代表：王某某、李某某\n政协委员：赵某某\n专家：示范大学城市规划学院 孙某某\n居民代表：东湖街道湖滨社区 周某某、青石镇柳树村 陈某某\n企业代表：示范区某建设集团有限公司 吴某某",
					Note:         "听证会在区政府第一会议室举行，听证报告已报送决策机关。"},
				{Kind: participate.StageKindLegality, On: day(80), EndOn: day(68), Note: "区司法局出具合法性审查意见，认为草案符合法律法规规定，建议完善第五章表述。"},
				{Kind: participate.StageKindMeeting, On: day(60), Note: "区政府第 12 次常务会议审议通过。"},
				{Kind: participate.StageKindDecision, On: day(55), URL: "/zfxxgk/", Note: "以区政府文件印发，在政府网站和政府公报公布。"},
				{Kind: participate.StageKindReport, On: day(55), Note: "收到意见 46 条，采纳 19 条、部分采纳 8 条、不予采纳 19 条，随决策一并公布并作说明。"},
			}},
		{title: "《示范区养老服务设施布局专项规划》", undertaker: "区民政局", planned: fmt.Sprintf("%d年第四季度", year),
			basis: "落实《“十四五”国家老龄事业发展和养老服务体系规划》，补齐社区养老服务设施短板。"},
		{title: "调整示范区公共停车场收费标准", undertaker: "区发改局", planned: fmt.Sprintf("%d年第三季度", year),
			basis: "按照价格主管部门成本监审结果调整。", removed: "经研究，与第 1 项《示范区城市社区停车设施建设和管理办法》一并决策，不再单独列项。"},
	}
	cat := at(170, 9)
	var decisionIDs []string
	for _, e := range entries {
		d, err := cat.CreateDecision(ctx, admin, ip, participate.DecisionInput{OrgID: root, Year: year, Title: e.title,
			UndertakerID: ids[e.undertaker], Basis: e.basis, Planned: e.planned})
		if err != nil {
			return fmt.Errorf("%s: %w", e.title, err)
		}
		if err := cat.ListDecision(ctx, admin, ip, d.ID); err != nil {
			return err
		}
		for _, st := range e.stages {
			if _, err := at(0, 0).SetStage(ctx, admin, ip, d.ID, st); err != nil {
				return fmt.Errorf("%s %s: %w", e.title, st.Kind, err)
			}
		}
		if e.removed != "" {
			if err := at(100, 10).RemoveDecision(ctx, admin, ip, d.ID, e.removed); err != nil {
				return err
			}
		}
		decisionIDs = append(decisionIDs, d.ID)
	}

	// --- an open solicitation (a major decision) with comments in every state ---
	draft := []string{
		"第一章 总则",
		"第一条 为加强城市社区停车设施的规划、建设和管理，缓解停车难问题，改善人居环境，根据有关法律法规，结合本区实际，制定本办法。",
		"第二条 本办法适用于本区城市社区范围内公共停车设施和小区内部停车设施的建设、使用和管理。",
		"第三条 区住房和城乡建设部门负责停车设施建设的指导和监督；街道办事处负责统筹辖区内老旧小区停车设施的改造和管理。",
		"第二章 建设和改造",
		"第四条 老旧小区改造时，应当结合小区实际，利用边角地、闲置地增设停车泊位。",
		"第五条 鼓励机关、企事业单位的停车场在夜间和节假日向周边居民错时开放。",
		"第六条 新建住宅小区应当按照规划条件配建停车泊位，并同步建设电动汽车充电设施或者预留建设安装条件。",
		"第七条 电动自行车集中停放和充电设施由物业服务企业负责建设和维护。",
		"第三章 管理和收费",
		"第八条 小区内部停车泊位的收费标准由业主大会决定；未成立业主大会的，由街道办事处会同社区居民委员会组织业主协商确定。",
		"第九条 公共停车设施收费实行政府指导价，具体标准由区发展和改革部门另行制定。",
		"第四章 附则",
		"第十条 本办法自印发之日起施行。",
	}
	zfbEditor, zfbReviewer := ps["zfb.editor"], ps["zfb.reviewer"]
	open := at(13, 9)
	a, err := open.Create(ctx, zfbEditor, ip, participate.SolicitationInput{OrgID: zfb, DecisionID: decisionIDs[0],
		Title:       "关于《示范区城市社区停车设施建设和管理办法（征求意见稿）》公开征求意见的公告",
		Draft:       join(draft),
		Explanation: join([]string{"一、起草背景。近年来本区机动车保有量快速增长，老旧小区停车位缺口较大，电动自行车充电设施不足，群众反映集中。", "二、起草依据。《中华人民共和国道路交通安全法》及省、市停车设施管理有关规定。", "三、主要内容。办法共四章十条，明确部门职责，规定老旧小区增设泊位、错时开放、新建小区配建和充电设施建设的要求，以及收费标准的确定方式。"}),
		HowTo:       "书面意见请寄至示范区人民大道 1 号示范区人民政府办公室（邮编 999901），信封注明“停车办法征求意见”；电子邮件请发送至 gk02@example.gov.cn。",
		StartOn:     day(12), EndOn: day(-20)})
	if err != nil {
		return fmt.Errorf("征求意见稿: %w", err)
	}
	if _, err := open.Publish(ctx, zfbReviewer, ip, a.ID); err != nil {
		return err
	}
	type comment struct {
		days, hour int
		in         participate.CommentInput
		ip         string
		approve    bool
		reject     string
		note       string
	}
	const parkingIdea = "建议在老旧小区周边利用边角地增设公共停车位，缓解居民夜间停车难问题。"
	comments := []comment{
		{days: 11, hour: 20, ip: "198.51.100.11", approve: true, in: participate.CommentInput{Body: parkingIdea, Name: "陈建国"}},
		{days: 10, hour: 9, ip: "198.51.100.12", approve: true, in: participate.CommentInput{Para: 9,
			Passage: "电动自行车集中停放和充电设施由物业服务企业负责建设和维护。",
			Body:    "没有物业的老旧小区怎么办？建议明确无物业小区由街道统筹建设充电设施，费用纳入老旧小区改造资金。", Contact: "13800000011"}},
		{days: 9, hour: 21, ip: "198.51.100.13", approve: true, in: participate.CommentInput{
			Body: "建议在老旧小区周边利用边角空地增设公共停车位，缓解居民晚上停车难的问题。"}},
		{days: 8, hour: 19, ip: "198.51.100.14", in: participate.CommentInput{Body: parkingIdea}}, // same words: approved automatically
		{days: 7, hour: 10, ip: "198.51.100.15", approve: true, in: participate.CommentInput{Para: 7,
			Body: "建议把第五条的“鼓励”改为具体措施，明确机关单位停车场错时开放的时段和管理责任。"}},
		{days: 5, hour: 14, ip: "198.51.100.16", in: participate.CommentInput{Para: 12,
			Body: "第九条的收费标准另行制定，建议公开停车收费的成本构成并组织听证。我的电话13812345678，欢迎联系。", Name: "刘洋"}},
		{days: 4, hour: 22, ip: "198.51.100.17", in: participate.CommentInput{
			Body: "小区停车问题多次反映一直没有解决，再不解决就去上访。希望这次办法出台后真正落实。"}},
		{days: 3, hour: 8, ip: "198.51.100.18", reject: "含有商业广告、推销或者与本事项无关的链接", in: participate.CommentInput{
			Body: "专业代办车位产权登记，价格优惠，详情见 www.example-parking.com"}},
		{days: 2, hour: 12, ip: "198.51.100.19", in: participate.CommentInput{Para: 9,
			Body: "没有物业的老旧小区怎么办？建议明确由街道统筹建设充电设施，费用纳入老旧小区改造资金。"}},
	}
	for i, c := range comments {
		svcAt := at(c.days, c.hour)
		got, err := svcAt.Submit(ctx, c.ip, a.ID, fmt.Sprintf("demo-a-%02d", i), c.in)
		if err != nil {
			return fmt.Errorf("意见 %d: %w", i+1, err)
		}
		mod := at(c.days, c.hour+1)
		switch {
		case c.approve:
			_, err = mod.Moderate(ctx, zfbReviewer, ip, []string{got.ID}, participate.Decision{Approve: true})
		case c.reject != "":
			_, err = mod.Moderate(ctx, zfbReviewer, ip, []string{got.ID}, participate.Decision{Reason: c.reject, Note: c.note})
		}
		if err != nil {
			return fmt.Errorf("审核意见 %d: %w", i+1, err)
		}
	}

	// --- a closed solicitation with its adoption report ---
	jyjEditor, jyjReviewer := ps["jyj.editor"], ps["jyj.reviewer"]
	closed := at(62, 9)
	b, err := closed.Create(ctx, jyjEditor, ip, participate.SolicitationInput{OrgID: jyj,
		Title: "关于《示范区义务教育阶段学校招生入学工作实施细则（征求意见稿）》公开征求意见的公告",
		Draft: join([]string{
			"第一条 为做好义务教育阶段学校招生入学工作，保障适龄儿童少年平等接受义务教育的权利，制定本细则。",
			"第二条 公办小学、初中实行划片招生、免试就近入学。",
			"第三条 适龄儿童入学需提供户口簿、不动产权证书或者经备案的住房租赁合同。",
			"第四条 随迁子女入学按照积分办法安排学位。",
			"第五条 学校招生简章和划片范围应当在招生开始前20日向社会公布。",
		}),
		Explanation: join([]string{"为落实《中华人民共和国义务教育法》和省教育厅关于义务教育招生入学工作的要求，区教育局起草了本细则。"}),
		StartOn:     day(60), EndOn: day(41)})
	if err != nil {
		return fmt.Errorf("招生细则: %w", err)
	}
	if _, err := closed.Publish(ctx, jyjReviewer, ip, b.ID); err != nil {
		return err
	}
	const materials = "建议减少入学证明材料，户口簿和不动产权证书可通过部门数据共享核验，不要求家长提交复印件。"
	bComments := []struct {
		days   int
		body   string
		para   int
		reject string
	}{
		{58, materials, 3, ""},
		{57, "建议减少入学证明材料，户口簿、不动产权证书可以通过数据共享核验，不再要求家长提交复印件。", 3, ""},
		{55, materials, 3, ""},
		{52, "建议把划片范围公布时间提前到招生前30日，方便家长安排。", 5, ""},
		{49, "随迁子女积分办法中的社保缴费年限要求过高，建议降低到一年。", 4, ""},
		{45, "学校门口接送孩子的车太多，建议交警加强管理。", 0, "与本次征求意见（留言）事项无关"},
	}
	var bIDs []string
	for i, c := range bComments {
		got, err := at(c.days, 19).Submit(ctx, fmt.Sprintf("203.0.113.%d", 20+i), b.ID, fmt.Sprintf("demo-b-%02d", i),
			participate.CommentInput{Body: c.body, Para: c.para})
		if err != nil {
			return fmt.Errorf("招生细则意见 %d: %w", i+1, err)
		}
		d := participate.Decision{Approve: c.reject == "", Reason: c.reject}
		if _, err := at(c.days-1, 9).Moderate(ctx, jyjReviewer, ip, []string{got.ID}, d); err != nil {
			return err
		}
		bIDs = append(bIDs, got.ID)
	}
	work := at(35, 10)
	if _, err := work.AutoGroup(ctx, jyjEditor, ip, b.ID); err != nil {
		return err
	}
	groups, err := work.Groups(ctx, b.ID)
	if err != nil || len(groups) == 0 {
		return fmt.Errorf("招生细则意见分组: %v", err)
	}
	if err := work.RenameGroup(ctx, jyjEditor, ip, b.ID, groups[0].ID, "减少入学证明材料，通过数据共享核验"); err != nil {
		return err
	}
	decide := func(ids []string, decision, reason string) error {
		_, err := work.SetDecisions(ctx, jyjEditor, ip, b.ID, ids, decision, reason)
		return err
	}
	if err := decide(bIDs[:3], participate.Adopted, "已采纳。第三条修改为：户口簿、不动产权证书通过部门数据共享核验，家长无需提交复印件。"); err != nil {
		return err
	}
	if err := decide(bIDs[3:4], participate.PartlyAdopted, "部分采纳。公布时间调整为招生开始前25日，兼顾学位测算需要。"); err != nil {
		return err
	}
	if err := decide(bIDs[4:5], participate.NotAdopted, "随迁子女积分办法由市教育局统一制定，不属于本细则规范的范围，已转交市教育局研究。"); err != nil {
		return err
	}
	if err := work.SaveSummary(ctx, jyjEditor, ip, b.ID, "征求意见期间共收到意见 6 条，其中 1 条与本细则无关，未予公开。"+
		"经归纳整理、研究论证，采纳 3 条（内容相同，合并答复），部分采纳 1 条，不予采纳 1 条，并据此修改了细则第三条、第五条。"); err != nil {
		return err
	}
	if _, err := at(33, 15).PublishReport(ctx, jyjReviewer, ip, b.ID); err != nil {
		return fmt.Errorf("公布采纳情况: %w", err)
	}

	// --- a draft not yet published ---
	_, err = at(1, 16).Create(ctx, zfbEditor, ip, participate.SolicitationInput{OrgID: zfb,
		Title:       "关于《示范区政务公开工作考核办法（修订征求意见稿）》公开征求意见的公告",
		Draft:       join([]string{"第一条 为推进政务公开工作，制定本办法。", "第二条 考核对象为区政府各部门和各街道、镇。"}),
		Explanation: "根据国务院办公厅关于政务公开工作的最新要求修订。",
		StartOn:     day(-3), EndOn: day(-33)})
	return err
}

func join(paras []string) string {
	out := ""
	for _, p := range paras {
		out += "<p>" + p + "</p>\n"
	}
	return out
}
