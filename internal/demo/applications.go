package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"

	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// seedApplications puts applications to 区政府办 in every state, dated
// back from today: unconfirmed, running, near-due, overdue, paused for a
// consultation, awaiting correction, extended, lapsed, and replied in
// several ways. A year the calendar does not know (a demo started in a
// year whose holiday table is not entered) skips the cases that need it:
// the rest of the demo stands.
func seedApplications(ctx context.Context, orgs *org.Service, svc *apply.Service, ids map[string]string) error {
	ps := map[string]*org.Principal{}
	for _, n := range []string{"handler", "zfb.reviewer"} {
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
	h, head := ps["handler"], ps["zfb.reviewer"]
	zfb := ids["区政府办"]
	today := svc.Today()
	ago := func(days int) workday.Date { return today.AddDays(-days) }
	const ip = "127.0.0.1"

	type step struct {
		e    apply.ClockEvent
		note string
		by   *org.Principal
	}
	type demoCase struct {
		a           apply.Application
		receivedAgo int
		steps       []step
		outcome     string
		replyAgo    int
		reason      string
		obtain      string
		fee         *apply.FeeInput // a fee notice, On as days ago
		feeAgo      int
		deliverAgo  int // delivered this many days ago (0: not recorded)
		archive     string
		remedy      *apply.Remedy
		identity    bool // an identity document scan came with it
	}
	person := func(name, phone, desc string) apply.Application {
		return apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: name, IDDocType: "居民身份证",
			ContactPhone: phone, Description: desc, Form: "电子", Delivery: "电子邮件", ContactEmail: "demo@example.com"}
	}
	cases := []demoCase{
		{a: person("陈建国", "13800000001", "东湖街道2025年老旧小区改造项目的资金安排和施工单位"), receivedAgo: 3},
		{a: person("林秀英", "13800000002", "示范区2025年城乡居民最低生活保障标准调整的文件"), receivedAgo: 24},
		{a: apply.Application{ApplicantType: apply.ApplicantBusiness, ApplicantName: "示范区某某建材有限公司", ContactPhone: "0000-88881234",
			Description: "2025年区级政府采购项目中建材类项目的中标公告", Form: "纸质", Delivery: "邮寄"}, receivedAgo: 35},
		{a: apply.Application{ApplicantType: apply.ApplicantLegal, ApplicantName: "示范律师事务所", ContactPhone: "0000-88885678",
			Description: "某地块征收补偿方案及其批准文件", Form: "纸质", Delivery: "当面领取"}, receivedAgo: 12,
			steps: []step{{apply.ClockEvent{Kind: apply.EvConsultSent, On: ago(6), Party: apply.PartyThird, Ref: "示范区某地块国有土地上房屋被征收人"}, "涉及被征收人的个人信息，书面征求其意见", h}}},
		{a: person("黄志强", "13800000003", "关于我们小区的那个规划"), receivedAgo: 9,
			steps: []step{{apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: ago(7), Until: today.AddDays(8)}, "请写明小区名称和所需规划文件的名称或者文号", h}}},
		{a: apply.Application{ApplicantType: apply.ApplicantResearch, ApplicantName: "示范大学公共管理学院", ContactEmail: "research@example.edu",
			Description: "2021—2025年示范区政府信息公开工作年度报告所依据的统计台账", Form: "电子", Delivery: "电子邮件"}, receivedAgo: 30,
			steps: []step{{apply.ClockEvent{Kind: apply.EvExtension, On: ago(4), Days: 15}, "所需台账跨越五个年度，需逐年调档核对", head}}},
		{a: person("吴丽", "13800000004", "东湖街道某社区2024年度低保评议会议记录"), receivedAgo: 60,
			steps:   []step{{apply.ClockEvent{Kind: apply.EvCorrectionNotice, On: ago(58), Until: ago(45)}, "请说明所需会议记录的具体社区和日期", h}},
			outcome: "other_no_correction", replyAgo: 40, reason: "申请人在补正期限内未补正，视为放弃申请"},
		{a: person("周强", "13800000005", "示范区进一步优化营商环境若干措施的全文"), receivedAgo: 50,
			outcome: "disclosed_public", replyAgo: 47, reason: "", obtain: "该信息已于2025年3月在示范区人民政府门户网站“政府信息公开—政策文件”栏目主动公开，您可在该栏目检索标题查阅、下载。",
			deliverAgo: 46, archive: "YSQ-2026-0008", identity: true},
		{a: apply.Application{ApplicantType: apply.ApplicantNonprofit, ApplicantName: "示范区环保志愿者协会", ContactEmail: "ngo@example.org",
			Description: "某污水处理厂2025年在线监测数据和执法检查记录", Form: "电子", Delivery: "电子邮件"}, receivedAgo: 45,
			outcome: "partial", replyAgo: 30, reason: "监测数据予以公开；执法检查记录中涉及企业商业秘密的部分经区分处理后不予公开（第三十七条）",
			obtain: "可以公开的监测数据和执法检查记录（已作区分处理）以电子文件形式于答复之日发送至您预留的电子邮箱。", deliverAgo: 30},
		{a: person("郑华", "13800000006", "区政府常务会议讨论某项目的会议纪要和请示报告"), receivedAgo: 44,
			outcome: "withhold_process", replyAgo: 28, reason: "所申请信息属于行政机关在履行职责过程中形成的讨论记录、请示报告等过程性信息（第十六条第二款）",
			deliverAgo: 26, remedy: &apply.Remedy{Kind: apply.RemedyReview, Result: apply.ResultPending}},
		{a: person("王芳", "13800000007", "1985年示范县土地详查的原始图纸"), receivedAgo: 42,
			outcome: "unable_not_held", replyAgo: 25, reason: "经检索，本机关未制作或者获取该政府信息"},
		{a: apply.Application{ApplicantType: apply.ApplicantBusiness, ApplicantName: "示范区某某信息咨询有限公司", ContactPhone: "0000-88886666",
			Description: "2025年1月至12月示范区各街道的行政处罚决定书（共5件，分件列明）", Form: "电子", Delivery: "电子邮件"}, receivedAgo: 8,
			fee: &apply.FeeInput{Method: apply.FeePerItem, Prior: 12, Units: 5}, feeAgo: 5},
		{a: person("周强", "13800000005", "示范区进一步优化营商环境若干措施的全文"), receivedAgo: 40,
			outcome: "nothandled_repeat", replyAgo: 38, reason: "本机关已就申请人提出的相同政府信息公开申请作出答复，不予重复处理"},
	}
	for i, dc := range cases {
		a := dc.a
		a.Channel, a.SubmittedOn = apply.ChannelInPerson, ago(dc.receivedAgo).String()
		if i%3 == 1 {
			a.Channel, a.SignedOn = apply.ChannelRegisteredMail, a.SubmittedOn
		}
		c, err := svc.Register(ctx, h, ip, zfb, a)
		if errors.Is(err, workday.ErrNoCalendar) {
			continue
		}
		if err != nil {
			return fmt.Errorf("申请 %d：%w", i+1, err)
		}
		for _, st := range dc.steps {
			if c, err = svc.Record(ctx, st.by, ip, c.ID, st.e, st.note); err != nil {
				break
			}
		}
		if err == nil && dc.identity {
			_, err = svc.AddFile(ctx, h, ip, c.ID, apply.FileIdentity, apply.Upload{Name: "身份证复印件（演示）.png", Data: demoScan()})
		}
		if err == nil && dc.fee != nil {
			in := *dc.fee
			in.On = ago(dc.feeAgo).String()
			_, err = svc.NoticeFee(ctx, h, ip, c.ID, in)
		}
		if err == nil && dc.outcome != "" {
			_, err = svc.Reply(ctx, h, ip, c.ID, apply.ReplyInput{Outcome: dc.outcome, On: ago(dc.replyAgo).String(),
				Reason: dc.reason, Obtain: dc.obtain})
		}
		if err == nil && dc.deliverAgo > 0 {
			_, err = svc.RecordDelivery(ctx, h, ip, c.ID, apply.DeliveryRecord{On: ago(dc.deliverAgo).String(),
				Method: apply.DeliveryMethods[1], Note: "发送至申请人预留邮箱"})
		}
		if err == nil && dc.archive != "" {
			_, err = svc.Archive(ctx, h, ip, c.ID, dc.archive)
		}
		if err == nil && dc.remedy != nil {
			r := *dc.remedy
			r.FiledOn = ago(dc.replyAgo - 10).String()
			_, err = svc.SaveRemedy(ctx, h, ip, c.ID, r)
		}
		if err != nil && !errors.Is(err, workday.ErrNoCalendar) {
			return fmt.Errorf("申请 %d：%w", i+1, err)
		}
	}
	// One submitted online today, waiting for staff to confirm it.
	_, err := svc.Submit(ctx, "203.0.113.7", zfb, "", apply.Application{ApplicantType: apply.ApplicantPerson, ApplicantName: "李娜",
		ContactPhone: "13800000008", Description: "示范区2026年义务教育阶段学校招生划片范围", Form: "电子", Delivery: "网上获取"})
	return err
}

// demoScan is a small grey PNG standing in for an identity document scan.
func demoScan() []byte {
	img := image.NewGray(image.Rect(0, 0, 86, 54))
	for i := range img.Pix {
		img.Pix[i] = 0xd8
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
