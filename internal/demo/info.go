package demo

import (
	"context"
	"fmt"

	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// seedInfo gives 东湖街道 and the district records in every state, made
// through the same review flow staff use (the demo accounts act). Dates of
// formation are in the past; publication happens now, so the evidence
// chain's times stay in order.
func seedInfo(ctx context.Context, orgs *org.Service, cat *catalog.Service, svc *info.Service, ids map[string]string) error {
	principal := func(username string) (*org.Principal, error) {
		u, err := orgs.GetUserByName(ctx, username)
		if err != nil {
			return nil, err
		}
		g, err := orgs.Grants(ctx, u.ID)
		return &org.Principal{User: u, Grants: g}, err
	}
	ps := map[string]*org.Principal{}
	for _, n := range []string{"editor", "reviewer", "leader", "admin"} {
		p, err := principal(n)
		if err != nil {
			return err
		}
		ps[n] = p
	}
	// The district's own records are drafted by the district administrator
	// account and reviewed by district reviewers created here.
	today := workday.DateOf(svc.Now())
	ago := func(days int) string { return today.AddDays(-days).String() }
	itemKey := func(orgShort, level1, level2 string) string {
		v, err := cat.Current(ctx, ids[orgShort])
		if err != nil {
			return ""
		}
		items, _ := cat.Items(ctx, v.ID)
		for _, it := range items {
			if it.Level1 == level1 && it.Level2 == level2 {
				return it.Key
			}
		}
		return ""
	}
	dh := ids["东湖街道"]
	type rec struct {
		f     info.Fields
		state string // draft, rejected, step1, step2, published
		files map[string][]byte
	}
	body := func(paras ...string) string {
		out := ""
		for _, p := range paras {
			out += "<p>" + p + "</p>"
		}
		return out
	}
	records := []rec{
		{info.Fields{Title: "东湖街道2026年部门预算公开", DocNo: "", Genre: "财政预决算", Topic: "财政、金融、审计", FormedOn: ago(12),
			WrittenOn: ago(14), CatalogKey: itemKey("东湖街道", "部门预算", "部门预算及说明"), Attribute: info.Proactive,
			Summary: "公开东湖街道办事处2026年部门收支预算总表、财政拨款收支表及“三公”经费预算说明。",
			Body: body("根据《中华人民共和国预算法》和区财政局关于部门预算公开的要求，现将东湖街道办事处2026年部门预算公开如下。",
				"一、部门收支预算总表（见附件）。", "二、“三公”经费预算：因公出国（境）费0万元，公务接待费1.2万元，公务用车运行维护费3.5万元。")},
			"published", map[string][]byte{"2026年部门预算表.csv": []byte("项目,金额（万元）\n一般公共预算收入,1860.5\n政府性基金收入,120\n")}},
		{info.Fields{Title: "关于开展2026年度临时救助政策宣传月活动的通知", DocNo: "东街〔2026〕18号", Genre: "通知公告", Topic: "民政、扶贫、救灾",
			FormedOn: ago(6), WrittenOn: ago(7), CatalogKey: itemKey("东湖街道", "临时救助", "办事指南"), Attribute: info.Proactive,
			Summary: "在辖区各社区开展临时救助政策宣传，公布申请条件、所需材料和办理流程。",
			Body:    body("各社区居民委员会：", "为做好临时救助政策宣传，街道决定于本月开展政策宣传月活动，现将有关事项通知如下。", "咨询电话：0000-88881001（工作日）。")},
			"published", nil},
		{info.Fields{Title: "东湖街道关于老旧小区改造项目进展情况的通报", Genre: "动态要闻", Topic: "城乡建设、环境保护", FormedOn: ago(70),
			Attribute: info.Proactive, Summary: "通报湖滨、莲花两个社区老旧小区改造的完成情况。",
			Body: body("截至目前，湖滨社区3个小区、莲花社区2个小区的改造工程已全部完工，惠及居民1200余户。")},
			"published", nil},
		{info.Fields{Title: "东湖街道社区养老服务补贴发放办法（试行）", DocNo: "东街〔2025〕9号", Genre: "行政规范性文件", Topic: "民政、扶贫、救灾",
			FormedOn: ago(200), WrittenOn: ago(201), ValidUntil: ago(20), Attribute: info.Proactive, DocKind: "办法",
			InterpPlan: "由街道社会事务办以问答形式解读补贴对象和申领流程，与办法同步发布。",
			Summary:    "规定社区养老服务补贴的对象、标准和发放程序。", Body: body("第一条 为规范社区养老服务补贴发放，制定本办法。", "第二条 本办法自发布之日起施行，有效期一年。")},
			"published", nil},
		{info.Fields{Title: "东湖街道社区养老服务补贴发放办法", DocNo: "东街〔2026〕21号", Genre: "行政规范性文件", Topic: "民政、扶贫、救灾",
			FormedOn: ago(10), WrittenOn: ago(11), Attribute: info.Proactive, Summary: "修订后的社区养老服务补贴发放办法，原试行办法同时废止。",
			NoInterpReason: "修订内容仅为延长有效期和调整发放时间，原解读继续适用。",
			Body:           body("第一条 为规范社区养老服务补贴发放，根据有关规定，制定本办法。")}, "published", nil},
		{info.Fields{Title: "东湖街道2025年第三季度信访工作情况", Genre: "其他", FormedOn: ago(40), Attribute: info.Proactive,
			Summary: "第三季度信访工作情况。", Body: body("第三季度共受理群众来信来访86件，办结率100%。")}, "withdrawn", nil},
		{info.Fields{Title: "关于调整东湖街道便民服务中心办公时间的公告", Genre: "通知公告", FormedOn: ago(2), Attribute: info.Proactive,
			Summary: "自下月起便民服务中心周六上午增设延时服务。", Body: body("为方便群众办事，自下月起，便民服务中心每周六上午9:00–12:00提供延时服务。")}, "step1", nil},
		{info.Fields{Title: "东湖街道2026年度重点民生实事项目计划", Genre: "规划计划", Topic: "综合政务", FormedOn: ago(4), Attribute: info.Proactive,
			Summary: "公布2026年度十项民生实事项目及责任单位。", Body: body("2026年度重点民生实事项目共十项，包括老年助餐点建设、社区卫生服务站提升等。")}, "step2", nil},
		{info.Fields{Title: "东湖街道最低生活保障对象公示（2026年11月）", Genre: "通知公告", Topic: "民政、扶贫、救灾", FormedOn: ago(1),
			CatalogKey: itemKey("东湖街道", "最低生活保障", "救助对象公示"), Attribute: info.Proactive,
			Summary: "公示本月新增最低生活保障对象。",
			Body: body("经社区评议、街道审核，拟新增以下最低生活保障对象，公示期7天：",
				"王某某，身份证号 11010519491231002X，联系电话 13812345678，保障人口2人，月保障金额1460元。",
				"如有异议，请于公示期内向街道社会事务办反映。")}, "draft", nil},
		{info.Fields{Title: "东湖街道关于征集社区议事协商议题的通知", Genre: "通知公告", FormedOn: ago(3), Attribute: info.Proactive,
			Summary: "面向辖区居民征集议事协商议题。", Body: body("请居民通过社区议事会提出议题。")}, "rejected", nil},
		{info.Fields{Title: "东湖街道内部值班安排", Genre: "其他", FormedOn: ago(5), Attribute: info.Withheld,
			WithheldReason: "属于三类内部事务信息", Body: body("节假日值班表（内部）。")}, "draft", nil},
	}
	ip := "127.0.0.1"
	var published []info.Record
	for _, r := range records {
		x, err := svc.Create(ctx, ps["editor"], ip, dh, r.f)
		if err != nil {
			return fmt.Errorf("%s: %w", r.f.Title, err)
		}
		for name, data := range r.files {
			if _, err := svc.AddAttachment(ctx, ps["editor"], ip, x.ID, name, data); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		if r.state == "draft" {
			continue
		}
		if _, err := svc.Submit(ctx, ps["editor"], ip, x.ID, "请审核"); err != nil {
			return err
		}
		ok := info.Decision{SecrecyConfirmed: true, Comment: "同意"}
		switch r.state {
		case "rejected":
			if err := svc.Reject(ctx, ps["reviewer"], ip, x.ID, "请补充征集截止时间和提交方式。"); err != nil {
				return err
			}
		case "step1":
		case "step2":
			if _, err := svc.Approve(ctx, ps["reviewer"], ip, x.ID, ok); err != nil {
				return err
			}
		case "published", "withdrawn":
			if _, err := svc.Approve(ctx, ps["reviewer"], ip, x.ID, ok); err != nil {
				return err
			}
			p, err := svc.Approve(ctx, ps["leader"], ip, x.ID, info.Decision{SecrecyConfirmed: true, Comment: "同意发布"})
			if err != nil {
				return err
			}
			published = append(published, p)
			if r.state == "withdrawn" {
				if err := svc.Withdraw(ctx, ps["editor"], ip, x.ID, "内容有误，已重新核实，将另行发布。"); err != nil {
					return err
				}
			}
		}
	}
	// The trial measure is abolished by its successor (records 4 and 5).
	if len(published) >= 5 {
		if err := svc.SetValidity(ctx, ps["editor"], ip, published[3].ID, info.ValidAbolished, today.String(), published[4].ID); err != nil {
			return err
		}
	}
	return nil
}
