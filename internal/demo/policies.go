package demo

import (
	"context"
	"fmt"
	"strings"

	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// seedPolicies fills the policy library: district 规章-level and normative
// documents issued by 区政府办 over several years, two from 区教育局, each
// interpreted (文字、图解、问答、视频、新闻发布会) through the same review as
// the policy (三同步); one abolished and replaced, one amended, one with a
// recorded reason for no interpretation. Everything is published today
// (the evidence chain stays in order); older 成文日期 place them in their
// years, and the publication lag of back-filled documents shows as late,
// as it would for a real 应入尽入 back-fill.
func seedPolicies(ctx context.Context, orgs *org.Service, svc *info.Service, ids map[string]string) error {
	ps := map[string]*org.Principal{}
	for _, n := range []string{"zfb.editor", "zfb.reviewer", "zfb.leader", "jyj.editor", "jyj.reviewer", "jyj.leader"} {
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
	today := workday.DateOf(svc.Now())
	ago := func(days int) string { return today.AddDays(-days).String() }
	paras := func(ps ...string) string { return "<p>" + strings.Join(ps, "</p><p>") + "</p>" }
	const ip = "127.0.0.1"
	publish := func(team string, orgID string, f info.Fields) (info.Record, error) {
		f.Attribute = info.Proactive
		r, err := svc.Create(ctx, ps[team+".editor"], ip, orgID, f)
		if err != nil {
			return r, fmt.Errorf("%s: %w", f.Title, err)
		}
		if _, err := svc.Submit(ctx, ps[team+".editor"], ip, r.ID, "请审核"); err != nil {
			return r, fmt.Errorf("%s: %w", f.Title, err)
		}
		if _, err := svc.Approve(ctx, ps[team+".reviewer"], ip, r.ID, info.Decision{SecrecyConfirmed: true, Comment: "经保密审查，同意"}); err != nil {
			return r, err
		}
		return svc.Approve(ctx, ps[team+".leader"], ip, r.ID, info.Decision{SecrecyConfirmed: true, Comment: "同意发布"})
	}
	zfb, jyj := ids["区政府办"], ids["区教育局"]
	interp := func(team, orgID, orgName, dept, phone string, policy info.Record, form, title string, body ...string) error {
		_, err := publish(team, orgID, info.Fields{Title: title, Genre: info.GenreInterpretation, Topic: policy.Topic,
			FormedOn: policy.FormedOn, InterpretsID: policy.ID, InterpForm: form, InterpOrg: orgName, InterpDept: dept,
			InterpContact: phone, Summary: "解读《" + shortTitle(policy.Title) + "》的背景、主要内容和适用范围。",
			Body: paras(body...)})
		return err
	}
	type policy struct {
		f       info.Fields
		interps [][]string // form, title, paragraphs…
	}
	district := []policy{
		{info.Fields{Title: "示范区人民政府关于印发《示范区进一步优化营商环境若干措施》的通知", DocNo: "示政发〔2024〕5号",
			Genre: "行政规范性文件", Topic: "市场监管、安全生产监管", WrittenOn: "2024-03-18", FormedOn: "2024-03-18",
			Keywords: "营商环境 企业开办 政务服务", InterpPlan: "区政府办会同区市场监管局以文字和图解两种形式解读，与文件同步发布。",
			Summary: "从企业开办、工程建设项目审批、政务服务、要素保障和权益保护五个方面提出二十条措施。",
			Body: paras("各街道办事处、乡镇人民政府，区政府各部门：",
				"《示范区进一步优化营商环境若干措施》已经区政府常务会议研究同意，现印发给你们，请认真贯彻执行。",
				"一、企业开办。推行企业开办“一网通办”，营业执照、公章刻制、发票申领、社保登记一日办结，全程免费。",
				"二、工程建设项目审批。社会投资简易低风险项目从立项到不动产登记全流程审批时间压缩至15个工作日以内。",
				"三、政务服务。推行“一件事一次办”，高频政务服务事项实现“跨省通办”，企业群众办事“最多跑一次”。",
				"四、要素保障。设立中小微企业应急转贷资金，转贷费率不高于年化1%。",
				"五、权益保护。建立涉企行政检查备案制度，推行“综合查一次”，无事不扰。",
				"本措施自印发之日起施行，有效期五年。")},
			[][]string{{"文字", "《示范区进一步优化营商环境若干措施》政策解读",
				"一、出台背景：为贯彻落实国务院《优化营商环境条例》，对标先进地区做法，区政府制定了本措施。",
				"二、主要内容：措施共二十条，分为企业开办、工程建设项目审批、政务服务、要素保障和权益保护五个部分。",
				"三、新旧政策差异：企业开办时间由3个工作日压缩至1个工作日；新增中小微企业应急转贷资金。",
				"四、适用范围：在本区依法登记注册的各类市场主体。"},
				{"图解", "一图读懂：示范区优化营商环境二十条措施",
					"图解以五张图展示二十条措施的主要内容、办理渠道和咨询电话。企业开办一日办结，全程免费。"}}},
		{info.Fields{Title: "示范区人民政府办公室关于印发《示范区城乡居民最低生活保障实施办法》的通知", DocNo: "示政办发〔2023〕12号",
			Genre: "行政规范性文件", Topic: "民政、扶贫、救灾", WrittenOn: "2023-06-02", FormedOn: "2023-06-02", DomainID: "d12",
			Keywords: "最低生活保障 低保 社会救助", InterpPlan: "区民政局以问答形式解读申请条件、保障标准和办理流程。",
			Summary: "规定城乡居民最低生活保障的对象范围、申请条件、家庭经济状况核查、审核确认和动态管理。",
			Body: paras("各街道办事处、乡镇人民政府，区政府各部门：",
				"《示范区城乡居民最低生活保障实施办法》已经区政府同意，现印发给你们，请认真贯彻执行。",
				"第一条 为规范城乡居民最低生活保障工作，保障困难群众基本生活，根据《社会救助暂行办法》，制定本办法。",
				"第二条 共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合财产状况规定的家庭，可以申请最低生活保障。",
				"第三条 城乡居民最低生活保障标准由区人民政府确定并向社会公布，根据经济社会发展水平适时调整。",
				"第四条 申请人向户籍所在地街道办事处、乡镇人民政府提出书面申请，也可以通过政务服务平台在线申请。",
				"第五条 本办法自2023年7月1日起施行，《示范区城乡居民最低生活保障实施办法（2019年版）》同时废止。")},
			[][]string{{"问答", "《示范区城乡居民最低生活保障实施办法》问答",
				"问：哪些家庭可以申请低保？答：共同生活的家庭成员人均收入低于当地低保标准，且家庭财产符合规定的，可以申请。",
				"问：到哪里申请？答：向户籍所在地街道办事处或乡镇人民政府申请，也可以在政务服务平台在线申请。",
				"问：多长时间办结？答：自受理之日起30个工作日内办结，特殊情况可以延长至45个工作日。"}}},
		{info.Fields{Title: "示范区人民政府关于支持乡村振兴产业发展的实施意见", DocNo: "示政发〔2025〕3号",
			Genre: "行政规范性文件", Topic: "农业、林业、水利", WrittenOn: "2025-02-20", FormedOn: "2025-02-20", DomainID: "d15",
			Keywords: "乡村振兴 产业发展 农业", InterpPlan: "召开新闻发布会解读，区农业农村局负责人出席。",
			Summary: "提出发展特色种养、农产品加工、乡村旅游等产业的扶持措施和资金保障。",
			Body: paras("为全面推进乡村振兴，促进农业高质高效、乡村宜居宜业、农民富裕富足，现就支持乡村振兴产业发展提出如下意见。",
				"一、发展特色种养业。对新建设施农业基地给予每亩不超过2000元的补助。",
				"二、支持农产品加工。对农产品加工企业新增设备投资给予10%的补助，单个企业不超过100万元。",
				"三、发展乡村旅游。对评为省级乡村旅游重点村的给予一次性奖励50万元。",
				"四、强化资金保障。区财政每年安排乡村振兴产业发展资金不少于5000万元。")},
			[][]string{{"新闻发布会", "示范区支持乡村振兴产业发展实施意见新闻发布会",
				"区农业农村局局长介绍了实施意见的出台背景和主要内容，并回答了记者提问。",
				"实施意见聚焦特色种养、农产品加工、乡村旅游三大产业，区财政每年安排产业发展资金不少于5000万元。"}}},
		{info.Fields{Title: "示范区政府投资项目管理办法", DocNo: "示政办发〔2022〕20号",
			Genre: "行政规范性文件", Topic: "国民经济管理、国有资产监管", WrittenOn: "2022-09-09", FormedOn: "2022-09-09",
			Keywords: "政府投资 项目管理", InterpPlan: "区发展改革局撰写文字解读。",
			Summary: "规范政府投资项目的决策、实施和监督管理。",
			Body: paras("第一条 为规范政府投资行为，提高政府投资效益，根据《政府投资条例》，制定本办法。",
				"第二条 本办法所称政府投资，是指在本区使用预算安排的资金进行的固定资产投资建设活动。",
				"第三条 政府投资项目实行审批制，项目单位应当编制项目建议书、可行性研究报告和初步设计。",
				"第四条 本办法自2022年10月1日起施行。")},
			[][]string{{"文字", "《示范区政府投资项目管理办法》解读",
				"一、制定依据：《政府投资条例》。二、主要内容：明确政府投资项目的审批程序、年度计划、实施管理和监督。",
				"三、适用范围：在本区使用预算安排的资金进行的固定资产投资建设活动。"}}},
		{info.Fields{Title: "示范区人民政府办公室关于印发《示范区促进就业创业若干政策》的通知", DocNo: "示政办发〔2021〕15号",
			Genre: "行政规范性文件", Topic: "劳动、人事、监察", WrittenOn: "2021-05-10", FormedOn: "2021-05-10", DomainID: "d22",
			Keywords: "就业 创业 补贴", InterpPlan: "区人力社保局以文字形式解读。",
			Summary: "对创业担保贷款、一次性创业补贴、吸纳就业补贴等作出规定。",
			Body: paras("一、创业担保贷款。个人创业担保贷款最高额度为30万元，财政给予贴息。",
				"二、一次性创业补贴。首次创办小微企业并正常经营1年以上的，给予一次性创业补贴5000元。",
				"三、吸纳就业补贴。小微企业吸纳高校毕业生就业并缴纳社会保险的，按每人1000元给予补贴。")},
			[][]string{{"文字", "《示范区促进就业创业若干政策》解读",
				"本政策主要包括创业担保贷款、一次性创业补贴和吸纳就业补贴三项内容。符合条件的可向区人力社保局申请。"}}},
		{info.Fields{Title: "示范区人民政府关于印发《示范区国民经济和社会发展第十五个五年规划纲要》的通知", DocNo: "示政发〔2026〕1号",
			Genre: "政策文件", Topic: "国民经济管理、国有资产监管", WrittenOn: ago(40), FormedOn: ago(12),
			Keywords: "十五五 规划纲要", InterpPlan: "制作解读视频，在网站和政务新媒体同步发布。",
			Summary: "明确“十五五”时期全区经济社会发展的主要目标、重点任务和保障措施。",
			Body: paras("《示范区国民经济和社会发展第十五个五年规划纲要》已经区人民代表大会审议批准，现印发给你们，请认真组织实施。",
				"纲要提出，到2030年，全区地区生产总值年均增长5.5%左右，城乡居民人均可支配收入增长与经济增长基本同步。")},
			[][]string{{"视频", "视频解读：示范区“十五五”规划纲要",
				"视频时长6分钟，介绍“十五五”规划纲要的主要目标和重点任务。视频下方附文字实录。"}}},
		{info.Fields{Title: "示范区人民政府办公室关于做好2026年春节期间安全生产工作的通知", DocNo: "示政办发〔2026〕2号",
			Genre: "政策文件", Topic: "市场监管、安全生产监管", WrittenOn: ago(8), FormedOn: ago(8), DomainID: "d05",
			NoInterpReason: "阶段性工作部署类通知，不涉及公众权利义务，不作解读。",
			Summary:        "部署春节期间安全生产检查、值班值守和应急准备工作。",
			Body: paras("各街道办事处、乡镇人民政府，区政府各部门：", "春节将至，为切实做好节日期间安全生产工作，现就有关事项通知如下。",
				"一、开展安全生产大检查。二、严格落实值班值守制度。三、做好应急准备。")}, nil},
	}
	var min2023 info.Record
	for _, p := range district {
		r, err := publish("zfb", zfb, p.f)
		if err != nil {
			return err
		}
		if p.f.DocNo == "示政办发〔2023〕12号" {
			min2023 = r
		}
		if p.f.DocNo == "示政办发〔2021〕15号" {
			if err := svc.SetValidity(ctx, ps["zfb.editor"], ip, r.ID, info.ValidAmended, "2024-01-01", ""); err != nil {
				return err
			}
		}
		for _, x := range p.interps {
			if err := interp("zfb", zfb, "示范区人民政府办公室", "政务公开科", "0000-88880001", r, x[0], x[1], x[2:]...); err != nil {
				return err
			}
		}
	}
	// The 2019 measure that the 2023 one replaced: findable, marked, ranked last.
	old, err := publish("zfb", zfb, info.Fields{Title: "示范区城乡居民最低生活保障实施办法（2019年版）", DocNo: "示政办发[2019]8号",
		Genre: "行政规范性文件", Topic: "民政、扶贫、救灾", WrittenOn: "2019-04-15", FormedOn: "2019-04-15", DomainID: "d12",
		Keywords: "最低生活保障 低保", NoInterpReason: "已废止文件补录，原解读材料未留存。",
		Summary: "2019年制定的城乡居民最低生活保障实施办法，已被2023年办法替代。",
		Body:    paras("第一条 为规范城乡居民最低生活保障工作，制定本办法。", "第二条 最低生活保障标准由区人民政府确定。")})
	if err != nil {
		return err
	}
	if err := svc.SetValidity(ctx, ps["zfb.editor"], ip, old.ID, info.ValidAbolished, "2023-07-01", min2023.ID); err != nil {
		return err
	}
	education := []policy{
		{info.Fields{Title: "示范区教育局关于做好2026年义务教育阶段招生入学工作的通知", DocNo: "示教发〔2026〕4号",
			Genre: "政策文件", Topic: "科技、教育", WrittenOn: ago(30), FormedOn: ago(9), DomainID: "d16",
			Keywords: "招生入学 义务教育 学区", InterpPlan: "区教育局基础教育科以问答形式解读。",
			Summary: "明确2026年小学、初中招生的对象、时间安排、学区划分和报名材料。",
			Body: paras("各中小学校：", "为做好2026年义务教育阶段招生入学工作，现将有关事项通知如下。",
				"一、招生对象：具有本区户籍或持有本区居住证的适龄儿童少年。", "二、报名时间：小学一年级6月10日至6月20日，初中一年级7月1日至7月10日。",
				"三、报名材料：户口簿、房产证明或居住证、预防接种证明。")},
			[][]string{{"问答", "2026年义务教育招生入学政策问答",
				"问：随迁子女如何报名？答：持本区居住证满一年的，可在居住地学区报名。",
				"问：学区在哪里查？答：可登录区教育局网站查询各校学区划分。"}}},
		{info.Fields{Title: "示范区学前教育资助实施办法", DocNo: "示教发〔2024〕11号",
			Genre: "行政规范性文件", Topic: "科技、教育", WrittenOn: "2024-08-26", FormedOn: "2024-08-26", DomainID: "d16",
			Keywords: "学前教育 资助 幼儿园", InterpPlan: "区教育局制作图解。",
			Summary: "对家庭经济困难幼儿、孤儿和残疾儿童接受学前教育给予资助。",
			Body: paras("第一条 为保障家庭经济困难幼儿接受学前教育，制定本办法。", "第二条 资助标准为每生每年1500元。",
				"第三条 幼儿园每学期开学后一个月内受理资助申请。")},
			[][]string{{"图解", "图解《示范区学前教育资助实施办法》",
				"一图看懂资助对象、资助标准（每生每年1500元）和申请流程。"}}},
	}
	for _, p := range education {
		r, err := publish("jyj", jyj, p.f)
		if err != nil {
			return err
		}
		for _, x := range p.interps {
			if err := interp("jyj", jyj, "示范区教育局", "基础教育科", "0000-88880203", r, x[0], x[1], x[2:]...); err != nil {
				return err
			}
		}
	}
	return nil
}

// shortTitle is what an interpretation calls its policy: the document a
// 印发 notice issues (the text inside its 《》), else the title without
// a trailing 的通知, so summaries never nest 《《…》》.
func shortTitle(t string) string {
	if i := strings.Index(t, "《"); i >= 0 {
		if j := strings.LastIndex(t, "》"); j > i {
			return t[i+len("《") : j]
		}
	}
	return strings.TrimSuffix(t, "的通知")
}
