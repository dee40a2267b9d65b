package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/report"
	"gongkai.dev/gongkai/internal/workday"
)

// seedReports writes the annual reports: 区政府办's 2025 report, published,
// counted from a year of applications (received and closed through 2025,
// two carried into 2026, a fee paid, a review and a lawsuit) plus a paper
// ledger of January before the platform went live; and 区教育局's 2026
// report, a draft in progress. Applications carry fixed 2025 dates; any
// step dated after "today" (a clock set early in a test) is left out, and
// the 2025 report is published only once 2025 is over.
func seedReports(ctx context.Context, orgs *org.Service, ap *apply.Service, rep *report.Service, ids map[string]string) error {
	if rep == nil {
		return nil
	}
	ps := map[string]*org.Principal{}
	for _, n := range []string{"handler", "zfb.editor", "zfb.leader", "jyj.editor"} {
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
	if err := seed2025Cases(ctx, ap, ps["handler"], ids["区政府办"]); err != nil {
		return err
	}
	const ip = "127.0.0.1"
	today := rep.Today()
	zfb, jyj := ids["区政府办"], ids["区教育局"]

	// 区政府办 2025: a government office decides no licences, penalties or
	// enforcement and levies no fees; its figures are zeros, entered as such.
	if today.Year > 2025 {
		if _, err := rep.SaveFigures(ctx, ps["zfb.editor"], ip, zfb, 2025, report.Manual{}, ""); err != nil {
			return err
		}
		sup := report.Supplement{Note: "2025年1月平台上线前以纸质台账登记的申请（含2024年结转2件）"}
		sup.T3[report.RowCarried][0], sup.T3[report.RowCarried][1] = 1, 1 // 自然人、商业企业
		sup.T3[report.RowNew][0] = 1
		sup.T3[report.RowIndex("（一）")][0] = 2
		sup.T3[report.RowIndex("（四）1")][1] = 1
		sup.Complete()
		if _, err := rep.SaveSupplement(ctx, ps["zfb.editor"], ip, zfb, 2025, sup); err != nil {
			return err
		}
		doc, err := rep.Current(ctx, zfb, 2025)
		if err != nil {
			return err
		}
		sec := report.Sections{
			Overview: fill(report.DraftOverview(doc), map[string]string{
				"（三）": "（三）政府信息管理。严格落实政府信息公开属性源头认定和“先审后发”保密审查制度，拟公开信息经审核员和分管领导两级审核后发布；" +
					"组织开展行政规范性文件清理，对已修改、废止的文件及时标注有效性，政策文件与解读材料同步起草、同步审签、同步发布。",
				"（四）": "（四）政府信息公开平台建设。依托区政府门户网站政府信息公开专栏集中发布政府信息，按照基层政务公开标准目录设置栏目，开通长者模式和站内检索；" +
					"在区政务服务中心设置政府信息查阅点，为群众现场查阅提供便利。",
				"（五）": "",
			}) + "将政务公开工作纳入年度绩效考核，开展政务公开工作社会评议；本年度未发生因政府信息公开工作引发的责任追究情况。",
			Problems: "（一）存在的主要问题。一是部分政策文件解读形式较为单一，图解、视频等解读占比不高；二是依申请公开办理中个别答复书说理不够充分。\n" +
				"（二）改进情况。一是推动以图解、问答、视频等多种形式开展政策解读，增强解读的针对性和可读性；二是加强答复书审核把关，规范说理和救济途径告知。",
			Other: fill(report.DraftOther(doc), map[string]string{
				"（二）": "（二）其他事项。本年度认真落实上级年度政务公开工作要点，人大代表建议和政协提案办理结果均已按规定公开。",
			}),
		}
		if _, err := rep.SaveSections(ctx, ps["zfb.editor"], ip, zfb, 2025, sec); err != nil {
			return err
		}
		if _, err := rep.Publish(ctx, ps["zfb.leader"], ip, zfb, 2025); err != nil {
			return fmt.Errorf("发布区政府办 2025 年度报告：%w", err)
		}
	}

	// 区教育局 2026: a draft being written — figures entered, the generated
	// overview still to be completed.
	if today.Year >= 2026 {
		m := report.Manual{Licensing: 36, Penalty: 4}
		if _, err := rep.SaveFigures(ctx, ps["jyj.editor"], ip, jyj, 2026, m, ""); err != nil {
			return err
		}
		doc, err := rep.Current(ctx, jyj, 2026)
		if err != nil {
			return err
		}
		sec := report.Sections{Overview: report.DraftOverview(doc),
			Problems: "（一）存在的主要问题。招生入学、学生资助等政策的解读发布不够及时，部分解读在政策文件发布数日后才上线。\n" +
				"（二）改进情况。" + report.Placeholder + "：针对上述问题已经和将要采取的改进措施】",
			Other: report.DraftOther(doc)}
		if _, err := rep.SaveSections(ctx, ps["jyj.editor"], ip, jyj, 2026, sec); err != nil {
			return err
		}
	}
	return nil
}

// fill replaces the lines of a generated draft that start with a key
// (their placeholders) by the text written for them; "" keeps the line
// but cuts it at the placeholder.
func fill(draft string, lines map[string]string) string {
	out := strings.Split(draft, "\n")
	for i, l := range out {
		for k, v := range lines {
			if !strings.HasPrefix(l, k) {
				continue
			}
			if v != "" {
				out[i] = v
			} else if j := strings.Index(l, report.Placeholder); j >= 0 {
				out[i] = l[:j]
			}
		}
	}
	return strings.Join(out, "\n")
}

// seed2025Cases registers 区政府办's applications of 2025.
func seed2025Cases(ctx context.Context, svc *apply.Service, h *org.Principal, zfb string) error {
	const ip = "127.0.0.1"
	today := svc.Today()
	type demoCase struct {
		typ, name, desc      string
		received             string
		outcome, replied     string
		reason, obtain       string
		correction           string // correction notice date (its deadline 15 days later)
		fee, feePaid         string
		remedy               *apply.Remedy
		remedyFiled, decided string
	}
	cases := []demoCase{
		{typ: apply.ApplicantPerson, name: "孙丽华", desc: "示范区2025年城乡居民医疗保险缴费标准的文件", received: "2025-02-17",
			outcome: "disclosed_public", replied: "2025-03-10",
			obtain: "该信息已在示范区人民政府门户网站“政府信息公开—政策文件”栏目主动公开，可检索标题查阅、下载。"},
		{typ: apply.ApplicantBusiness, name: "示范区某某置业有限公司", desc: "城东片区控制性详细规划的批复文件", received: "2025-03-03",
			outcome: "disclosed", replied: "2025-03-21", obtain: "批复文件复印件已于答复之日邮寄至贵公司登记地址。"},
		{typ: apply.ApplicantPerson, name: "李建军", desc: "某小区加装电梯项目的审批材料", received: "2025-04-07",
			outcome: "partial", replied: "2025-04-25", reason: "审批材料中涉及其他业主个人信息的部分经区分处理后不予公开（第三十七条）",
			obtain:      "可以公开的审批材料已于答复之日当面交付。",
			remedy:      &apply.Remedy{Kind: apply.RemedyReview, Result: apply.ResultMaintained, Note: "复议机关维持原答复"},
			remedyFiled: "2025-05-20", decided: "2025-07-15"},
		{typ: apply.ApplicantResearch, name: "示范大学城市规划研究院", desc: "2015年以来全区各街道人口和用地的逐年统计分析", received: "2025-05-12",
			outcome: "unable_must_create", replied: "2025-06-04", reason: "所申请信息需要对现有数据进行加工、分析后另行制作（第三十八条）"},
		{typ: apply.ApplicantNonprofit, name: "示范区社区发展促进会", desc: "2024年度社区服务类政府购买服务项目清单", received: "2025-06-09",
			outcome: "disclosed", replied: "2025-06-30", obtain: "项目清单已于答复之日发送至贵会电子邮箱。"},
		{typ: apply.ApplicantLegal, name: "示范律师事务所", desc: "某企业土地出让合同及补充协议", received: "2025-07-01",
			outcome: "withhold_third_party", replied: "2025-07-22", reason: "所申请信息涉及第三方商业秘密，经书面征求第三方意见，第三方不同意公开且理由合理（第十五条、第三十二条）",
			remedy: &apply.Remedy{Kind: apply.RemedySuitDirect, Result: apply.ResultPending, Note: "已应诉，法院尚未判决"}, remedyFiled: "2025-09-10"},
		{typ: apply.ApplicantPerson, name: "张伟", desc: "反映邻居违章搭建问题，要求区政府查处并书面告知结果", received: "2025-08-04",
			outcome: "nothandled_petition", replied: "2025-08-06", reason: "申请内容属于投诉举报，已告知通过12345热线或信访渠道反映（第三十九条第一款）"},
		{typ: apply.ApplicantOtherOrg, name: "示范区青石镇柳树村股份经济合作社", desc: "1998年柳树村土地承包经营权确权原始登记表", received: "2025-09-01",
			outcome: "unable_not_held", replied: "2025-09-19", reason: "经检索，本机关未制作或者获取该政府信息"},
		{typ: apply.ApplicantPerson, name: "赵敏", desc: "2025年1月至9月区政府常务会议纪要中涉及教育的议题（分3件）", received: "2025-10-13",
			fee: "2025-10-20", feePaid: "2025-10-27", outcome: "disclosed", replied: "2025-11-07",
			obtain: "会议纪要相关议题摘录已于答复之日发送至申请人电子邮箱。"},
		{typ: apply.ApplicantPerson, name: "陈晓", desc: "关于那个项目的文件", received: "2025-11-03", correction: "2025-11-05",
			outcome: "other_no_correction", replied: "2025-12-01", reason: "申请人在补正期限内未补正，视为放弃申请"},
		{typ: apply.ApplicantBusiness, name: "示范区某某物流有限公司", desc: "2025年区级冷链物流补贴资金分配结果", received: "2025-12-22",
			outcome: "disclosed", replied: "2026-01-12", obtain: "分配结果已于答复之日发送至贵公司电子邮箱。"},
		{typ: apply.ApplicantPerson, name: "王强", desc: "区政府研究某地块收储的请示和会议讨论记录", received: "2025-12-29",
			outcome: "withhold_process", replied: "2026-01-16", reason: "所申请信息属于讨论记录、请示报告等过程性信息（第十六条第二款）"},
	}
	d := func(s string) workday.Date { x, _ := workday.ParseDate(s); return x }
	for i, dc := range cases {
		if d(dc.received).After(today) {
			continue
		}
		a := apply.Application{ApplicantType: dc.typ, ApplicantName: dc.name, ContactPhone: fmt.Sprintf("1390000%04d", 2025+i),
			Description: dc.desc, Form: "电子", Delivery: "电子邮件", ContactEmail: "demo@example.com", Channel: apply.ChannelInPerson,
			SubmittedOn: dc.received}
		if dc.typ == apply.ApplicantPerson {
			a.IDDocType = "居民身份证"
		}
		c, err := svc.Register(ctx, h, ip, zfb, a)
		if errors.Is(err, workday.ErrNoCalendar) {
			continue
		}
		if err != nil {
			return fmt.Errorf("2025 年申请 %d：%w", i+1, err)
		}
		step := func(on string, fn func() error) error {
			if on == "" || d(on).After(today) || err != nil {
				return err
			}
			return fn()
		}
		err = step(dc.correction, func() error {
			_, err := svc.Record(ctx, h, ip, c.ID, apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: d(dc.correction),
				Until: d(dc.correction).AddDays(15)}, "请写明所需文件的名称、文号或者项目名称")
			return err
		})
		err = step(dc.fee, func() error {
			_, err := svc.NoticeFee(ctx, h, ip, c.ID, apply.FeeInput{On: dc.fee, Method: apply.FeePerItem, Prior: 12, Units: 3})
			return err
		})
		err = step(dc.feePaid, func() error {
			_, err := svc.Record(ctx, h, ip, c.ID, apply.ClockEvent{Kind: apply.EvFeePaid, On: d(dc.feePaid)}, "申请人已按收费通知缴费")
			return err
		})
		err = step(dc.replied, func() error {
			_, err := svc.Reply(ctx, h, ip, c.ID, apply.ReplyInput{Outcome: dc.outcome, On: dc.replied, Reason: dc.reason, Obtain: dc.obtain})
			return err
		})
		if dc.remedy != nil {
			err = step(dc.remedyFiled, func() error {
				r := *dc.remedy
				r.FiledOn, r.DecidedOn = dc.remedyFiled, dc.decided
				if dc.decided != "" && d(dc.decided).After(today) {
					r.Result, r.DecidedOn = apply.ResultPending, ""
				}
				_, err := svc.SaveRemedy(ctx, h, ip, c.ID, r)
				return err
			})
		}
		if err != nil && !errors.Is(err, workday.ErrNoCalendar) {
			return fmt.Errorf("2025 年申请 %d（%s）：%w", i+1, dc.name, err)
		}
	}
	return nil
}
