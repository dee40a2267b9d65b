package apply

import (
	"fmt"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/workday"
)

// Applicant types are the columns of annual report table 三 (国办公开办函
// 〔2021〕30号), in the table's order.
const (
	ApplicantPerson    = "person"    // 自然人
	ApplicantBusiness  = "business"  // 商业企业
	ApplicantResearch  = "research"  // 科研机构
	ApplicantNonprofit = "nonprofit" // 社会公益组织
	ApplicantLegal     = "legal"     // 法律服务机构
	ApplicantOtherOrg  = "other"     // 其他
)

// ApplicantTypes lists the columns with their labels.
var ApplicantTypes = []struct{ Code, Label string }{
	{ApplicantPerson, "自然人"}, {ApplicantBusiness, "商业企业"}, {ApplicantResearch, "科研机构"},
	{ApplicantNonprofit, "社会公益组织"}, {ApplicantLegal, "法律服务机构"}, {ApplicantOtherOrg, "其他"},
}

// Channels by which an application arrives, and how each fixes the day it
// counts as received (条例第三十一条).
const (
	ChannelInPerson       = "in_person"       // 当面提交：提交之日
	ChannelRegisteredMail = "registered_mail" // 邮寄（需签收）：签收之日
	ChannelOrdinaryLetter = "ordinary_letter" // 平常信函：与申请人确认之日
	ChannelOnline         = "online"          // 互联网：双方确认之日
	ChannelFax            = "fax"             // 传真：双方确认之日
	ChannelPhoneAssisted  = "phone_assisted"  // 口头提出、工作机构代为填写（第二十九条）：双方确认之日
)

// Channels lists the channels with their labels and receipt rule.
var Channels = []struct{ Code, Label, Rule string }{
	{ChannelInPerson, "当面提交", "以提交之日为收到申请之日"},
	{ChannelRegisteredMail, "邮寄（需签收）", "以行政机关签收之日为收到申请之日"},
	{ChannelOrdinaryLetter, "平常信函", "以与申请人确认之日为收到申请之日"},
	{ChannelOnline, "互联网", "以双方确认之日为收到申请之日"},
	{ChannelFax, "传真", "以双方确认之日为收到申请之日"},
	{ChannelPhoneAssisted, "口头提出（工作人员代填）", "以双方确认之日为收到申请之日"},
}

// ReceiptDate is the day an application counts as received (第三十一条):
// the submission day in person, the signing day for mail that is signed
// for, and the confirmation day otherwise. The date the rule needs must be
// given; the error names it.
func ReceiptDate(channel string, submitted, signed, confirmed workday.Date) (workday.Date, error) {
	var need workday.Date
	var field, label string
	switch channel {
	case ChannelInPerson:
		need, field, label = submitted, "submitted_on", "提交日期"
	case ChannelRegisteredMail:
		need, field, label = signed, "signed_on", "签收日期"
	case ChannelOrdinaryLetter, ChannelOnline, ChannelFax, ChannelPhoneAssisted:
		need, field, label = confirmed, "confirmed_on", "确认日期"
	default:
		return workday.Date{}, apperr.Field("channel", fmt.Sprintf("未知的申请渠道 %q", channel))
	}
	if need == (workday.Date{}) {
		return workday.Date{}, apperr.Field(field, "按第三十一条，该渠道以"+label+"为收到申请之日，请填写"+label)
	}
	return need, nil
}

// An Outcome is a final handling result. Each is exactly one leaf row of
// annual report table 三, so the report is a count per outcome and column.
type Outcome struct {
	Code  string
	Row   string // the table's row number, e.g. "（三）4"
	Label string // the row label, verbatim
	Group string // the 第三十六条-style kind the reply letter is written as
	Basis string // the article the reply cites
}

// Outcome groups (reply letter kinds).
const (
	GroupDisclose   = "disclose"   // 予以公开（第三十六条第一、二项）
	GroupPartial    = "partial"    // 部分公开（第三十七条）
	GroupWithhold   = "withhold"   // 不予公开（第三十六条第三项）
	GroupUnable     = "unable"     // 无法提供（第三十六条第四、五项，第三十八条）
	GroupNotHandled = "nothandled" // 不予处理（第三十五条、第三十六条第六项、第三十九条）
	GroupOther      = "other"      // 其他处理
)

// GroupLabels name the groups as the report does.
var GroupLabels = map[string]string{
	GroupDisclose: "予以公开", GroupPartial: "部分公开", GroupWithhold: "不予公开", GroupUnable: "无法提供",
	GroupNotHandled: "不予处理", GroupOther: "其他处理",
}

// Outcomes in table order. The labels are the 2021 format's, verbatim.
var Outcomes = []Outcome{
	{"disclosed_public", "（一）", "予以公开", GroupDisclose, "《中华人民共和国政府信息公开条例》第三十六条第（一）项（已主动公开，告知获取方式和途径）"},
	{"disclosed", "（一）", "予以公开", GroupDisclose, "《中华人民共和国政府信息公开条例》第三十六条第（二）项"},
	{"partial", "（二）", "部分公开（区分处理的，只计这一情形，不计其他情形）", GroupPartial, "《中华人民共和国政府信息公开条例》第三十七条"},
	{"withhold_secret", "（三）1", "属于国家秘密", GroupWithhold, "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项"},
	{"withhold_law", "（三）2", "其他法律行政法规禁止公开", GroupWithhold, "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项"},
	{"withhold_safety", "（三）3", "危及“三安全一稳定”", GroupWithhold, "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项"},
	{"withhold_third_party", "（三）4", "保护第三方合法权益", GroupWithhold, "《中华人民共和国政府信息公开条例》第十五条、第三十六条第（三）项"},
	{"withhold_internal", "（三）5", "属于三类内部事务信息", GroupWithhold, "《中华人民共和国政府信息公开条例》第十六条第一款、第三十六条第（三）项"},
	{"withhold_process", "（三）6", "属于四类过程性信息", GroupWithhold, "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项"},
	{"withhold_enforcement", "（三）7", "属于行政执法案卷", GroupWithhold, "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项"},
	{"withhold_query", "（三）8", "属于行政查询事项", GroupWithhold, "《中华人民共和国政府信息公开条例》第三十六条第（七）项"},
	{"unable_not_held", "（四）1", "本机关不掌握相关政府信息", GroupUnable, "《中华人民共和国政府信息公开条例》第三十六条第（四）项"},
	{"unable_other_agency", "（四）1", "本机关不掌握相关政府信息", GroupUnable, "《中华人民共和国政府信息公开条例》第三十六条第（五）项（告知负责公开的行政机关）"},
	{"unable_must_create", "（四）2", "没有现成信息需要另行制作", GroupUnable, "《中华人民共和国政府信息公开条例》第三十八条"},
	{"unable_unclear", "（四）3", "补正后申请内容仍不明确", GroupUnable, "《中华人民共和国政府信息公开条例》第三十条"},
	{"nothandled_petition", "（五）1", "信访举报投诉类申请", GroupNotHandled, "《中华人民共和国政府信息公开条例》第三十九条第一款"},
	{"nothandled_repeat", "（五）2", "重复申请", GroupNotHandled, "《中华人民共和国政府信息公开条例》第三十六条第（六）项"},
	{"nothandled_publication", "（五）3", "要求提供公开出版物", GroupNotHandled, "《中华人民共和国政府信息公开条例》第三十九条第二款"},
	{"nothandled_excessive", "（五）4", "无正当理由大量反复申请", GroupNotHandled, "《中华人民共和国政府信息公开条例》第三十五条"},
	{"nothandled_confirm", "（五）5", "要求行政机关确认或重新出具已获取信息", GroupNotHandled, "《中华人民共和国政府信息公开条例》第三十九条"},
	{"other_no_correction", "（六）1", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", GroupOther, "《中华人民共和国政府信息公开条例》第三十条"},
	{"other_no_payment", "（六）2", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", GroupOther, "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"},
	{"other", "（六）3", "其他", GroupOther, ""},
}

// OutcomeByCode finds an outcome.
func OutcomeByCode(code string) (Outcome, bool) {
	for _, o := range Outcomes {
		if o.Code == code {
			return o, true
		}
	}
	return Outcome{}, false
}

// ReportRows are table 三's outcome rows in order, each once (two outcomes
// may share a row, e.g. 第三十六条第（一）项 and 第（二）项 are both 予以公开).
func ReportRows() []string {
	var rows []string
	seen := map[string]bool{}
	for _, o := range Outcomes {
		if !seen[o.Row] {
			seen[o.Row] = true
			rows = append(rows, o.Row)
		}
	}
	return rows
}
