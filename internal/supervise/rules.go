package supervise

import "slices"

// Severity ranks a finding for people; scoring uses the indicator table,
// not the severity.
type Severity string

const (
	SevVeto   Severity = "veto"   // 单项否决: one is enough to fail the assessment
	SevHigh   Severity = "high"   // 严重
	SevMedium Severity = "medium" // 一般
	SevLow    Severity = "low"    // 提示
)

// Label is the severity in Chinese.
func (s Severity) Label() string {
	switch s {
	case SevVeto:
		return "单项否决"
	case SevHigh:
		return "严重"
	case SevMedium:
		return "一般"
	case SevLow:
		return "提示"
	}
	return string(s)
}

// Severities in order, most serious first.
var Severities = []Severity{SevVeto, SevHigh, SevMedium, SevLow}

// Rule groups.
const (
	GroupColumns = "columns"
	GroupCatalog = "catalog"
	GroupPublish = "publish"
	GroupApply   = "apply"
	GroupBoard   = "board"
)

// Groups name the rule groups in Chinese, in display order.
var Groups = []struct{ Code, Label string }{
	{GroupColumns, "网站栏目更新"}, {GroupCatalog, "标准目录"}, {GroupPublish, "信息发布"}, {GroupApply, "依申请公开"},
	{GroupBoard, "互动回应"},
}

// GroupLabel is a group's Chinese name.
func GroupLabel(code string) string {
	for _, g := range Groups {
		if g.Code == code {
			return g.Label
		}
	}
	return code
}

// Rule codes. They are stable identifiers: findings, run counts and the
// indicator table refer to them.
const (
	RuleNewsStale      = "column.news_stale"
	RuleNoticeStale    = "column.notice_stale"
	RuleLongStale      = "column.long_stale"
	RuleEmptyColumn    = "column.empty"
	RuleHomeStale      = "column.home_stale"
	RuleVetoNotUpdated = "column.veto_not_updated"
	RuleVetoLongStale  = "column.veto_long_stale"
	RuleVetoEmpty      = "column.veto_empty"

	RuleCatalogMissing     = "catalog.missing"
	RuleCatalogElements    = "catalog.elements"
	RuleCatalogConsistency = "catalog.consistency"
	RuleCatalogOverdue     = "catalog.overdue"

	RulePublishLate   = "publish.late"
	RuleInterpMissing = "publish.interp_missing"
	RuleInterpLate    = "publish.interp_late"
	RuleExpired       = "publish.expired"
	RulePrivacy       = "publish.privacy"
	RuleSecrecy       = "publish.secrecy"

	RuleApplyOverdue        = "apply.overdue"
	RuleApplyNear           = "apply.near"
	RuleApplyCorrectionLate = "apply.correction_late"
	RuleApplyNoBasis        = "apply.no_basis"

	RuleBoardUnanswered = "board.unanswered_3m"
	RuleBoardOverdue    = "board.overdue"
)

// CountTicketEscalated is what the indicator table may count beside rules:
// the unit's rectification tickets escalated (逾期未整改) in the period.
const CountTicketEscalated = "ticket.escalated"

// Rule is a named, documented check. Params are the keys of the thresholds
// (Config) it reads.
type Rule struct {
	Code        string
	Name        string
	Group       string
	Severity    Severity
	Description string // what triggers it, precisely
	Source      string // the legal or indicator source
	Params      []string
}

// Rules is every check, in display order.
var Rules = []Rule{
	{RuleNewsStale, "动态要闻类栏目未按期更新", GroupColumns, SevMedium,
		"检查日前若干天内（默认 14 天，即“监测 2 周”）动态、要闻类栏目没有发布任何信息。栏目按体裁划分：每个机构每种体裁一个栏目（门户“法定主动公开内容—按体裁”）。没有任何信息的栏目只计为空白栏目。",
		"国办秘函〔2019〕19号 政府网站单项否决指标第4项“栏目不更新”：监测时间点前2周内的动态、要闻类栏目", []string{"news_days"}},
	{RuleNoticeStale, "通知公告、政策文件类栏目未按期更新", GroupColumns, SevMedium,
		"检查日前若干个月内（默认 6 个月）通知公告、政策文件类栏目没有发布任何信息。",
		"国办秘函〔2019〕19号 单项否决第4项：监测时间点前6个月内的通知公告、政策文件类一级栏目；扣分指标“政策文件类一级栏目未更新，扣5分”（被检单位自查报告）",
		[]string{"notice_months"}},
	{RuleLongStale, "栏目长期未更新", GroupColumns, SevLow,
		"除动态要闻、通知公告、政策文件类以外的栏目，检查日前若干个月内（默认 12 个月）没有发布任何信息。",
		"国办秘函〔2019〕19号 单项否决第4项“应更新但长期未更新的栏目”；全国政府网站普查考察点“前1年人事、规划计划类信息”",
		[]string{"long_months"}},
	{RuleEmptyColumn, "空白栏目", GroupColumns, SevMedium,
		"纳入检查的栏目中没有任何已公开的信息（门户显示“暂无内容”）。",
		"国办秘函〔2019〕19号 单项否决第4项“空白栏目”；《政府网站发展指引》（国办发〔2017〕47号）：对无力持续更新或维护的栏目要进行优化调整", nil},
	{RuleHomeStale, "首页不更新", GroupColumns, SevVeto,
		"检查日前若干天内（默认 14 天）本机构在门户上没有发布任何信息，其政府信息公开首页（/zfxxgk/机构代码/）和订阅源均无更新。",
		"国办秘函〔2019〕19号 单项否决第3项“首页不更新：监测2周，首页无信息更新的，即单项否决”", []string{"home_days"}},
	{RuleVetoNotUpdated, "栏目不更新（单项否决）", GroupColumns, SevVeto,
		"同一机构“动态要闻类栏目未按期更新”与“通知公告、政策文件类栏目未按期更新”合计达到阈值（默认 5 个）。",
		"国办秘函〔2019〕19号 单项否决第4项第1目：累计超过（含）5个未更新", []string{"veto_not_updated"}},
	{RuleVetoLongStale, "长期未更新栏目过多（单项否决）", GroupColumns, SevVeto,
		"同一机构“栏目长期未更新”达到阈值（默认 10 个）。",
		"国办秘函〔2019〕19号 单项否决第4项第2目：应更新但长期未更新的栏目数量超过（含）10个", []string{"veto_long_stale"}},
	{RuleVetoEmpty, "空白栏目过多（单项否决）", GroupColumns, SevVeto,
		"同一机构“空白栏目”达到阈值（默认 5 个）。",
		"国办秘函〔2019〕19号 单项否决第4项第3目：空白栏目数量超过（含）5个", []string{"veto_empty"}},

	{RuleCatalogMissing, "未发布标准目录", GroupCatalog, SevHigh,
		"机构没有已发布的基层政务公开标准目录（没有目录，或只有编制中的草稿）。",
		"《国务院办公厅关于全面推进基层政务公开标准化规范化工作的指导意见》（国办发〔2019〕54号）：编制公开事项标准目录", nil},
	{RuleCatalogElements, "目录事项要素不全", GroupCatalog, SevMedium,
		"目录（有草稿时查草稿，否则查现行版本）中的事项缺少公开内容、依据、时限、主体、渠道、对象、方式、层级等要素，或公开时限无法识别。每个事项一条。",
		"国办发〔2019〕54号；各地标准目录“至少明确名称、内容、依据、时限、主体、方式、渠道、公开对象等要素”（如鼓楼区实施方案）", nil},
	{RuleCatalogConsistency, "社区（村）目录与街道（乡镇）不一致", GroupCatalog, SevMedium,
		"社区、村的目录中与上级街道、乡镇现行目录同一领域、同一事项的公开内容不一致（忽略空白和全半角标点）。",
		"基层政务公开标准目录编制要求：上下级相同事项的公开内容要对应一致", nil},
	{RuleCatalogOverdue, "目录事项未在时限内公开", GroupCatalog, SevMedium,
		"现行目录中公开时限为每年固定日期（如“每年6月30日前”）的事项，最近一个已过的截止日前一年内没有发布任何关联该事项的信息。按工作日或自然日计算的时限从形成或变更之日起算，系统无从得知何时形成，这类事项由“信息发布超期”和栏目规则覆盖。",
		"《政府信息公开条例》第二十六条；目录“公开时限”列", nil},

	{RulePublishLate, "信息发布超期", GroupPublish, SevMedium,
		"检查日前若干天内（默认 365 天）发布的信息，自形成日期至发布日的工作日数超过目录事项的时限，未关联事项的超过 20 个工作日（发布时计算并保存）。",
		"《政府信息公开条例》第二十六条：自该政府信息形成或者变更之日起20个工作日内及时公开", []string{"publish_lookback_days"}},
	{RuleInterpMissing, "政策文件未解读", GroupPublish, SevMedium,
		"已发布的规章、行政规范性文件和政策文件，过了宽限期仍没有已发布的政策解读，且没有记录不解读的理由。宽限期取网站设置“政策解读发布宽限”。",
		"《〈关于全面推进政务公开工作的意见〉实施细则》（国办发〔2016〕80号）“三同步”；解读与文件同步发布", nil},
	{RuleInterpLate, "政策解读发布滞后", GroupPublish, SevLow,
		"政策文件的第一篇解读晚于文件发布日加宽限期发布。",
		"国办发〔2016〕80号“三同步”：同步组织、同步审签、同步部署（部分地方规定最迟3个工作日）", nil},
	{RuleExpired, "超过有效期仍标注现行有效", GroupPublish, SevMedium,
		"已发布信息的有效期已过，有效性仍为“现行有效”。",
		"《政府网站发展指引》（国办发〔2017〕47号）：文件资料发生修改、废止、失效等情况，应及时公开，并在已发布的原文件上作出明确标注", nil},
	{RulePrivacy, "已公开信息含个人信息", GroupPublish, SevHigh,
		"已发布信息的标题、文号、概述、正文或附件中含有身份证号码、银行卡号、手机号码、电子邮箱等个人信息（按严重程度下限，默认“中”：不计机关的固定电话）。",
		"《政府信息公开条例》第十五条；《个人信息保护法》；敏感信息专项整治", []string{"privacy_min_severity"}},
	{RuleSecrecy, "已公开信息含密级标识", GroupPublish, SevVeto,
		"已发布信息中出现“秘密★”“机密”“内部资料”等密级或内部标识。",
		"国办秘函〔2019〕19号 单项否决第1项“安全、泄密事故等严重问题：泄露国家秘密”；《保守国家秘密法》", nil},

	{RuleApplyOverdue, "依申请公开超期未答复", GroupApply, SevHigh,
		"办理中的申请已过答复期限（第三十三条 20 个工作日，含延期；征求意见期间不计）。",
		"《政府信息公开条例》第三十三条", nil},
	{RuleApplyNear, "依申请公开临近答复期限", GroupApply, SevLow,
		"办理中的申请距答复期限不足 3 个工作日（提示，不扣分）。",
		"《政府信息公开条例》第三十三条", nil},
	{RuleApplyCorrectionLate, "补正告知超过7个工作日", GroupApply, SevMedium,
		"检查日前若干天内（默认 365 天）收到的申请，补正告知晚于收到申请之日起 7 个工作日发出。",
		"《政府信息公开条例》第三十条：自收到申请之日起7个工作日内一次性告知申请人作出补正", []string{"apply_lookback_days"}},
	{RuleApplyNoBasis, "答复未载明法律依据", GroupApply, SevMedium,
		"检查日前若干天内（默认 365 天）收到并已办结的申请，答复没有记录所依据的法律条款。",
		"《政府信息公开条例》第三十六条、第三十七条；答复书应载明依据和理由", []string{"apply_lookback_days"}},

	{RuleBoardUnanswered, "留言超过3个月未回应", GroupBoard, SevVeto,
		"检查日前一年内收到的有效留言，自收到之日起3个月内未答复或转由相应渠道办理（仍未回应的，或回应晚于3个月的）。每条留言一条。",
		"国办秘函〔2019〕19号 单项否决第5项“互动回应差”：监测时间点前1年内，对网民留言应及时答复处理的政务咨询类栏目存在超过3个月未回应有效留言的现象", nil},
	{RuleBoardOverdue, "留言超过答复时限", GroupBoard, SevMedium,
		"办理中的留言已超过其类别的答复时限（按工作日计，咨询默认5个工作日）。只能按当天计算。",
		"湖南等地通报“针对简单常见咨询问题答复时间超过5个工作日”；《政府网站发展指引》互动交流受理反馈", nil},
}

// RuleByCode finds a rule.
func RuleByCode(code string) (Rule, bool) {
	i := slices.IndexFunc(Rules, func(r Rule) bool { return r.Code == code })
	if i < 0 {
		return Rule{}, false
	}
	return Rules[i], true
}

// RuleName is a rule's Chinese name (the code for unknown ones, e.g.
// findings of a rule a later version removed).
func RuleName(code string) string {
	if code == CountTicketEscalated {
		return "整改逾期（督办）"
	}
	if r, ok := RuleByCode(code); ok {
		return r.Name
	}
	return code
}

// RulesOf lists a group's rules.
func RulesOf(group string) []Rule {
	var out []Rule
	for _, r := range Rules {
		if r.Group == group {
			out = append(out, r)
		}
	}
	return out
}
