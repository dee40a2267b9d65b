package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
)

// seedBoard tells the last few months of 留言 in 示范区 through the same
// service calls citizens and staff make, and keeps a 政策问答 base:
//
//   - about a dozen published Q&A entries of 区民政局, 区教育局, 区政府办
//     and 东湖街道, most linked to the demo policies, plus a draft and a
//     withdrawn one;
//   - messages in every state across several orgs: answered on time and
//     late, published (a phone number in the text masked) and rated 满意,
//     基本满意 and 不满意; one sent to the wrong department and transferred;
//     one waiting to be accepted; one held by the review word list and a
//     spam one rejected as invalid; a matter referred to 纪检监察; answered
//     ones without consent and one waiting for publication; an overdue one,
//     an escalated one and one left unanswered for more than three months
//     (the 互动回应差 veto supervision looks for).
//
// Steps run in date order, each on a copy of the service whose clock reads
// the day it happened, so the clock, the statistics and the evidence chain
// show the story as it unfolded.
func seedBoard(ctx context.Context, orgs *org.Service, inf *info.Service, svc *board.Service, ids map[string]string) error {
	ps := map[string]*org.Principal{}
	for _, n := range []string{"editor", "reviewer", "handler", "zfb.editor", "zfb.reviewer", "jyj.editor", "jyj.reviewer", "mzj.editor",
		"mzj.reviewer", "qsz.editor", "qsz.reviewer"} {
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
	cal, err := svc.Calendar(ctx)
	if err != nil {
		return err
	}
	// at is the service as it was days ago at hour:minute.
	at := func(days, hour, minute int) *board.Service {
		t := today.AddDays(-days).Time().Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
		if t.After(now) {
			t = now
		}
		c := svc.WithNow(t)
		c.Guard = &moderation.Guard{} // the story's writers are not today's visitors
		return c
	}
	// wdAgo is the day n working days before today.
	wdAgo := func(n int) (int, error) {
		for d := 1; d < 400; d++ {
			k, err := cal.WorkdaysBetween(today.AddDays(-d), today)
			if err != nil {
				return 0, err
			}
			if k >= n {
				return d, nil
			}
		}
		return 0, fmt.Errorf("no day %d working days back", n)
	}
	const ip = "127.0.0.1"

	// --- the Q&A base (published today: it links today's policy library) ---
	policies, err := svc.Policies(ctx, 200)
	if err != nil {
		return err
	}
	policy := func(titlePart string) string {
		for _, r := range policies {
			if strings.Contains(r.Title, titlePart) && r.Validity != info.ValidAbolished {
				return r.ID
			}
		}
		return ""
	}
	type qaEntry struct {
		team, org, question, answer, keywords, policy string
		state                                         string // "" published, draft, withdrawn
	}
	qas := []qaEntry{
		{"mzj", "区民政局", "申请城乡居民最低生活保障（低保）需要什么条件、到哪里申请？",
			"共同生活的家庭成员人均收入低于本区低保标准、家庭财产符合规定的城乡居民，可以申请低保。申请人向户籍所在地的街道办事处或者乡镇人民政府提出书面申请（也可以委托村、社区代为提交），提供身份证件、家庭成员收入和财产情况说明，并签署家庭经济状况核对授权书。街道、乡镇自受理之日起 30 日内完成审核确认。",
			"低保 最低生活保障 低保申请 低保条件", "最低生活保障实施办法", ""},
		{"mzj", "区民政局", "本区低保标准是多少？多久调整一次？",
			"现行城乡低保标准统一为每人每月 820 元，由区民政局会同区财政局根据上年度居民人均消费支出确定，原则上每年调整一次，调整后在区政府网站和政务公开栏公布。",
			"低保标准 低保金额 最低生活保障标准", "最低生活保障实施办法", ""},
		{"mzj", "区民政局", "家庭有车、有商品房，还能申请低保吗？",
			"家庭拥有机动车辆（残疾人功能性补偿代步机动车辆除外）或者拥有两套及以上商品住房的，一般不予认定为低保对象。只有一套自住住房的，不影响申请。具体以家庭经济状况核对结果为准。",
			"低保 车辆 住房 财产", "最低生活保障实施办法", ""},
		{"jyj", "区教育局", "2026年小学一年级新生入学需要准备哪些材料？",
			"适龄儿童入学需提供：户口簿、监护人身份证、房屋产权证明或者经备案的住房租赁合同。今年起户籍、不动产登记信息通过数据共享核验，能核验的不再要求提交纸质证明。报名时间和学区划分以区教育局公布的当年招生入学通知为准。",
			"入学 招生 一年级 报名材料 学区", "义务教育阶段招生入学", ""},
		{"jyj", "区教育局", "随迁子女怎样在示范区上学？",
			"进城务工人员随迁子女凭监护人在本区的居住证（或者居住登记凭证）、就业或者经营证明和住所证明，在规定时间内向居住地所在学区学校报名，由区教育局统筹安排入学。",
			"随迁子女 外地户口 借读 入学", "义务教育阶段招生入学", ""},
		{"jyj", "区教育局", "学前教育资助的对象和标准是什么？",
			"资助对象为在本区普惠性幼儿园就读的家庭经济困难儿童、孤儿和残疾儿童，标准为每生每年 1500 元，按学期发放，每学期开学后一个月内向幼儿园提出申请。",
			"幼儿园 学前 资助 补助", "学前教育资助实施办法", ""},
		{"jyj", "区教育局", "2025年义务教育招生入学的报名时间是什么时候？",
			"2025年招生报名已经结束。", "入学 报名时间", "", board.QAWithdrawn},
		{"zfb", "区政府办", "新办企业可以享受哪些优化营商环境的支持措施？",
			"新办企业可享受企业开办“一网通办”、一个工作日内办结，免费刻制首套印章，政府采购中小企业预留份额，以及首贷贴息等措施。具体见《示范区进一步优化营商环境若干措施》。",
			"营商环境 开办企业 新企业 印章 贴息", "优化营商环境若干措施", ""},
		{"zfb", "区政府办", "高校毕业生在本区创业能获得哪些补贴？",
			"毕业 5 年内的高校毕业生在本区首次创办小微企业或者从事个体经营，正常经营 6 个月以上的，可申请一次性创业补贴 5000 元；符合条件的还可申请最高 30 万元创业担保贷款及贴息。",
			"创业补贴 大学生创业 创业贷款 就业", "促进就业创业若干政策", ""},
		{"zfb", "区政府办", "政府投资项目从立项到开工要经过哪些审批？",
			"政府投资项目依次经过项目建议书、可行性研究报告、初步设计及概算审批；列入年度政府投资计划后方可开工建设。审批结果在区发改局网站公开。",
			"政府投资 立项 审批 可研", "政府投资项目管理办法", ""},
		{"zfb", "区政府办", "乡村振兴产业项目怎样申请扶持资金？",
			"村集体经济组织、农民专业合作社和农业企业可于每年 3 月向所在镇提出申报，经镇初审、区农业农村部门评审并公示后安排资金。",
			"乡村振兴 产业项目 扶持资金 合作社", "乡村振兴产业发展", ""},
		{"", "东湖街道", "老旧小区加装电梯怎么申请？",
			"由本单元业主协商一致并形成书面意见后，向东湖街道提出申请，街道会同社区组织协调、公示方案，区住建局负责技术审查。符合条件的可申请加装电梯财政补助。",
			"加装电梯 老旧小区 电梯补贴", "", ""},
		{"mzj", "区民政局", "80周岁以上老人高龄津贴怎么领取？",
			"（草稿，待核实标准）", "高龄津贴 老人补贴", "", board.QADraft},
	}
	for _, e := range qas {
		editor, reviewer := ps[e.team+".editor"], ps[e.team+".reviewer"]
		if e.team == "" {
			editor, reviewer = ps["editor"], ps["reviewer"]
		}
		qaSvc := at(0, 8, 30)
		q, err := qaSvc.CreateQA(ctx, editor, ip, board.QAInput{OrgID: ids[e.org], Question: e.question, Answer: e.answer,
			Keywords: e.keywords, PolicyID: policy(e.policy)})
		if err != nil {
			return fmt.Errorf("%s: %w", e.question, err)
		}
		if e.state == board.QADraft {
			continue
		}
		if _, err := qaSvc.PublishQA(ctx, reviewer, ip, q.ID); err != nil {
			return fmt.Errorf("%s: %w", e.question, err)
		}
		if e.state == board.QAWithdrawn {
			if _, err := at(0, 9, 0).WithdrawQA(ctx, reviewer, ip, q.ID, "已被2026年招生入学通知替代"); err != nil {
				return err
			}
		}
	}

	// --- messages ---
	type step struct {
		days, hour, minute int
		do                 func(s *board.Service) error
	}
	var steps []step
	add := func(days, hour, minute int, do func(s *board.Service) error) {
		steps = append(steps, step{days, hour, minute, do})
	}
	// msg submits a message days ago and returns a pointer filled in then.
	n := 0
	msg := func(days int, orgShort string, in board.Input) *board.Message {
		m := &board.Message{}
		n++
		in.OrgID = ids[orgShort]
		key := fmt.Sprintf("demo-ly-%02d", n)
		addr := fmt.Sprintf("198.51.100.%d", 10+n)
		add(days, 9+n%8, n%50, func(s *board.Service) error {
			got, err := s.Submit(ctx, addr, key, in)
			*m = got
			if err != nil {
				return fmt.Errorf("%s: %w", in.Title, err)
			}
			return nil
		})
		return m
	}
	accept := func(m *board.Message, who string, days int) {
		add(days, 9, 5, func(s *board.Service) error { _, err := s.Accept(ctx, ps[who], ip, m.ID); return err })
	}
	reply := func(m *board.Message, who string, days int, text string) {
		add(days, 15, 20, func(s *board.Service) error { _, err := s.Reply(ctx, ps[who], ip, m.ID, text); return err })
	}
	publish := func(m *board.Message, who string, days int) {
		add(days, 16, 40, func(s *board.Service) error {
			cur, err := s.Get(ctx, ps[who], m.ID)
			if err != nil {
				return err
			}
			_, err = s.Publish(ctx, ps[who], ip, m.ID, board.PublicDraft(cur))
			return err
		})
	}
	rate := func(m *board.Message, days int, rating, comment string) {
		add(days, 20, 10, func(s *board.Service) error {
			_, err := s.Rate(ctx, "198.51.100.200", m.TrackingNo, rating, comment)
			return err
		})
	}

	// Answered on time, published (the phone number in the text masked), 满意.
	m1 := msg(40, "东湖街道", board.Input{Category: board.CatConsult, Title: "湖滨社区新增停车位什么时候划线？",
		Body: "湖滨社区东门外的空地已经平整了两个月，听说要改成停车位，请问什么时候划线启用？收费吗？我的电话 13912345678，方便的话请回电。",
		Name: "周建华", Contact: "13912345678", Consent: true})
	accept(m1, "editor", 39)
	reply(m1, "editor", 36, "您好！湖滨社区东门外停车场已完成地面硬化，计划于本月底前完成划线和标识设置，共设 46 个泊位，启用后前 30 分钟免费，之后按区发改局核定的标准收费。具体启用时间将在社区公告栏和街道公众号公布。如有疑问，请致电东湖街道城管办 0000-88881001。")
	publish(m1, "reviewer", 35)
	rate(m1, 34, board.RateSatisfied, "回复很及时，谢谢！")

	// Answered on time by 区民政局, published, 基本满意.
	m2 := msg(30, "区民政局", board.Input{Category: board.CatConsult, Title: "低保申请需要准备哪些材料？",
		Body: "我母亲今年 68 岁，一个人生活，只有少量养老金，想申请低保，需要准备哪些材料？到哪里办理？",
		Name: "李女士", Contact: "lin.demo@example.com", Consent: true})
	accept(m2, "mzj.editor", 29)
	reply(m2, "mzj.editor", 27, "您好！请您母亲（或委托家属）携带身份证、户口簿、养老金收入证明，到户籍所在地街道（乡镇）社会救助窗口提出申请，并签署家庭经济状况核对授权书。街道自受理之日起 30 日内完成审核确认。详见本站政策问答“申请城乡居民最低生活保障需要什么条件”。")
	publish(m2, "mzj.reviewer", 26)
	rate(m2, 25, board.RateBasic, "")

	// Answered late by 区教育局, published, 不满意.
	m3 := msg(25, "区教育局", board.Input{Category: board.CatConsult, Title: "随迁子女转学到示范区怎么办手续？",
		Body: "孩子目前在外省上小学三年级，我们全家已在示范区居住一年，有居住证，想转学到附近的学校，需要办理哪些手续？",
		Name: "王先生", Contact: "13700001111", Consent: true})
	accept(m3, "jyj.editor", 24)
	reply(m3, "jyj.editor", 14, "您好！随迁子女转学，请凭居住证、就业证明和住所证明，到居住地所在学区学校提出申请，学校核实学位后办理转入手续；学位不足的，由区教育局统筹安排。咨询电话 0000-88880203。")
	publish(m3, "jyj.reviewer", 13)
	rate(m3, 12, board.RateUnsatisfied, "等了两个多星期才回复，希望提高效率。")

	// Sent to the wrong department: 区教育局 transfers it to 区民政局, which answers.
	m4 := msg(22, "区教育局", board.Input{Category: board.CatConsult, Title: "孩子上幼儿园能申请困难补助吗？家里是低保户",
		Body: "我家是低保户，孩子今年上公办幼儿园，听说低保家庭可以申请补助，是向教育局还是民政局申请？",
		Name: "陈女士", Contact: "13600002222", Consent: true})
	add(21, 10, 0, func(s *board.Service) error {
		_, err := s.Transfer(ctx, ps["jyj.editor"], ip, m4.ID, ids["区民政局"], "低保家庭的认定和临时救助属区民政局职责；学前教育资助部分由民政局答复时一并告知。")
		return err
	})
	accept(m4, "mzj.editor", 20)
	reply(m4, "mzj.editor", 18, "您好！低保家庭的幼儿可享受学前教育资助，每生每年 1500 元，请在每学期开学后一个月内向幼儿园提出申请，幼儿园汇总后报区教育局审核发放。您家的低保身份由民政部门通过数据共享提供，无需另开证明。")
	publish(m4, "mzj.reviewer", 17)
	rate(m4, 16, board.RateSatisfied, "")

	// A website correction answered within its 3 working days, published.
	m5 := msg(15, "东湖街道", board.Input{Category: board.CatCorrection, Title: "街道“政策文件”栏目有一个附件打不开",
		Body:    "东湖街道政府信息公开专栏里《关于开展老旧小区改造意见征集的通知》的附件点开显示文件不存在。",
		Consent: true})
	reply(m5, "editor", 14, "感谢您的指正！经核查，该附件因系统迁移未同步，已于今日重新上传，现已可以正常下载。")
	publish(m5, "reviewer", 14)
	rate(m5, 13, board.RateSatisfied, "")

	// Referred to the channel it belongs to.
	m6 := msg(12, "青石镇", board.Input{Category: board.CatComplaint, Title: "反映柳树村村干部优亲厚友问题",
		Body: "柳树村在评定困难户时优先照顾村干部亲属，请上级调查处理。",
		Name: "柳某", Contact: "13500003333", Consent: false})
	add(11, 10, 30, func(s *board.Service) error {
		_, err := s.Redirect(ctx, ps["qsz.editor"], ip, m6.ID, "检举控告（纪检监察）", "您也可以向青石镇纪委当面反映。")
		return err
	})

	// Answered, the writer did not consent: never published.
	m7 := msg(10, "区教育局", board.Input{Category: board.CatSuggest, Title: "建议在实验小学门口增设护学岗",
		Body: "上下学高峰期实验小学门口车辆拥堵，建议增设交警护学岗，并在路口施划斑马线。",
		Name: "家长", Contact: "13400004444", Consent: false})
	reply(m7, "jyj.editor", 6, "感谢您的建议！区教育局已商请区公安分局交警大队，自下周一起在实验小学上下学时段设置护学岗，斑马线施划已列入本月道路维护计划。")

	// Answered, consent given, waiting for the 审核员 to publish.
	m8 := msg(5, "区政府办", board.Input{Category: board.CatConsult, Title: "政府信息公开申请可以网上提交吗？",
		Body:    "我想申请公开某项目的审批文件，可以在网上提交申请吗？多久能答复？",
		Contact: "zhao.demo@example.com", Consent: true})
	reply(m8, "handler", 3, "您好！可以通过本站“依申请公开”栏目在线提交申请。行政机关收到申请后，能够当场答复的当场答复；不能当场答复的，自收到申请之日起 20 个工作日内答复，需要延长的经负责人同意可延长不超过 20 个工作日。")

	// Held by the review word list; a spam message rejected as invalid.
	msg(2, "东湖街道", board.Input{Category: board.CatComplaint, Title: "楼下烧烤店油烟扰民",
		Body: "莲花巷 6 号楼下烧烤店每天营业到凌晨两点，油烟和噪音严重，多次反映没人管，再不解决我们就集体上访。",
		Name: "莲花巷居民", Contact: "13300005555", Consent: true})
	spam := msg(4, "区政府办", board.Input{Category: board.CatSuggest, Title: "代办各类证件",
		Body:    "专业代办营业执照、资质证书，加微信详谈，价格优惠。",
		Consent: true})
	add(3, 9, 30, func(s *board.Service) error {
		_, err := s.Reject(ctx, ps["zfb.reviewer"], ip, spam.ID, "含有商业广告、推销或者与本事项无关的链接", "")
		return err
	})

	// Waiting to be accepted.
	msg(1, "青石镇", board.Input{Category: board.CatConsult, Title: "青石镇农村危房改造补助怎么申请？",
		Body: "我家老房子是上世纪八十年代建的土坯房，墙体开裂，请问能申请危房改造补助吗？", Name: "许大伯", Contact: "13200006666"})

	// Overdue (level 1): accepted, two working days past its 5 days.
	d, err := wdAgo(7)
	if err != nil {
		return err
	}
	late := msg(d, "东湖街道", board.Input{Category: board.CatConsult, Title: "社区养老服务站的开放时间是什么？",
		Body: "湖滨社区养老服务站平时几点开门？周末开放吗？老人在那里吃饭怎么收费？",
		Name: "孙阿姨", Contact: "13100007777", Consent: true})
	accept(late, "editor", d-1)

	// Escalated (level 2): a suggestion 8 working days past its 15 days.
	if d, err = wdAgo(23); err != nil {
		return err
	}
	esc := msg(d, "区政府办", board.Input{Category: board.CatSuggest, Title: "建议政府网站增加无障碍阅读功能",
		Body: "区政府网站字体偏小，老年人和视力障碍人士阅读困难，建议增加大字版、读屏适配等无障碍功能。",
		Name: "吴先生", Contact: "13000008888", Consent: true})
	accept(esc, "handler", d-1)

	// Left without a response for more than three months.
	old := msg(100, "青石镇", board.Input{Category: board.CatSuggest, Title: "建议修缮青石村至镇区的机耕路",
		Body: "青石村至镇区的机耕路坑洼严重，雨天无法通行，村民出行和农产品运输困难，建议列入今年的修缮计划。",
		Name: "青石村村民", Contact: "15900009999", Consent: true})
	accept(old, "qsz.editor", 99)

	sort.SliceStable(steps, func(i, j int) bool {
		a, b := steps[i], steps[j]
		if a.days != b.days {
			return a.days > b.days
		}
		return a.hour*60+a.minute < b.hour*60+b.minute
	})
	for _, st := range steps {
		if err := st.do(at(st.days, st.hour, st.minute)); err != nil {
			return err
		}
	}
	return nil
}
