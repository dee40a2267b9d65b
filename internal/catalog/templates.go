package catalog

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
)

// template is a starting item for a domain. Its content follows the
// national domain guidelines' usual wording; it is a starting point that
// each org edits, not a verified national text. "{org}" in Subject becomes
// the org's name.
type template struct {
	Domain string
	ItemFields
}

const std20 = "信息形成或者变更之日起20个工作日内"

func tpl(domain, l1, l2, content, basis, limit string, channels []string, specific bool, method []string, levels ...string) template {
	aud := []string{"全社会"}
	if specific {
		aud = []string{"特定群体"}
	}
	return template{Domain: domain, ItemFields: ItemFields{Level1: l1, Level2: l2, Content: content, Basis: basis,
		TimeLimit: TimeLimit{Text: limit}, Subject: "{org}", Channels: channels, Audience: aud, Method: method, Levels: levels}}
}

var (
	web      = []string{"政府网站"}
	webBoard = []string{"政府网站", "公开查阅点", "社区/企事业单位/村公示栏（电子屏）"}
	service  = []string{"政府网站", "政务服务中心", "便民服务站"}
	active   = []string{"主动"}
)

var templates = []template{
	tpl("社会救助", "最低生活保障", "政策法规文件", "最低生活保障相关法律法规、规章和规范性文件", "《社会救助暂行办法》《政府信息公开条例》", std20, web, false, active, "县级", "乡级"),
	tpl("社会救助", "最低生活保障", "办事指南", "申请条件、所需材料、办理流程、办理时限、咨询电话", "《社会救助暂行办法》", std20, service, false, active, "县级", "乡级"),
	tpl("社会救助", "最低生活保障", "救助对象公示", "救助对象姓名（脱敏）、家庭人口、保障金额（不含身份证号等个人隐私）", "《社会救助暂行办法》第十一条", "信息形成之日起7个工作日内", webBoard, false, active, "乡级", "村级"),
	tpl("社会救助", "临时救助", "办事指南", "申请条件、救助标准、所需材料、办理流程、办理时限", "《社会救助暂行办法》第四十七条", std20, service, false, active, "县级", "乡级", "村级"),
	tpl("养老服务", "养老服务补贴", "补贴政策及标准", "高龄津贴、养老服务补贴的对象、标准和申领方式", "《中华人民共和国老年人权益保障法》", std20, web, false, active, "县级", "乡级"),
	tpl("养老服务", "养老服务补贴", "发放情况", "补贴对象、发放金额、发放时间", "《中华人民共和国老年人权益保障法》", std20, webBoard, false, active, "乡级", "村级"),
	tpl("义务教育", "招生入学", "招生政策", "义务教育阶段招生入学政策、划片范围、报名时间和方式", "《中华人民共和国义务教育法》", "每年6月30日前", []string{"政府网站", "两微一端", "纸质媒体"}, false, active, "县级"),
	tpl("义务教育", "学生资助", "资助政策及名单", "资助项目、资助标准、受助学生名单（脱敏）", "《学生资助资金管理办法》", std20, webBoard, false, active, "县级", "乡级"),
	tpl("财政预决算", "部门预算", "部门预算及说明", "部门收支预算总表、财政拨款收支表、“三公”经费预算及说明", "《中华人民共和国预算法》第十四条", "批复后20日内", web, false, active, "县级", "乡级"),
	tpl("财政预决算", "部门决算", "部门决算及说明", "部门收支决算总表、财政拨款收支决算表、“三公”经费决算及说明", "《中华人民共和国预算法》第十四条", "批复后20日内", web, false, active, "县级", "乡级"),
	tpl("就业", "就业创业服务", "招聘信息", "岗位名称、招聘人数、任职条件、联系方式", "《中华人民共和国就业促进法》", "实时", []string{"政府网站", "两微一端", "便民服务站"}, false, active, "县级", "乡级", "村级"),
	tpl("就业", "就业创业服务", "就业困难人员认定", "认定条件、所需材料、办理流程", "《就业服务与就业管理规定》", std20, service, false, active, "县级", "乡级"),
	tpl("社会保险", "城乡居民基本养老保险", "参保登记", "参保范围、缴费档次、所需材料、办理地点", "《中华人民共和国社会保险法》", std20, service, false, active, "县级", "乡级", "村级"),
	tpl("医疗卫生", "基本公共卫生服务", "服务项目", "免费提供的基本公共卫生服务项目、服务对象和服务机构", "《中华人民共和国基本医疗卫生与健康促进法》", std20, []string{"政府网站", "公开查阅点"}, false, active, "县级", "乡级", "村级"),
	tpl("公共文化服务", "公共文化设施", "开放信息", "公共文化设施名称、地址、开放时间、免费服务项目", "《中华人民共和国公共文化服务保障法》", "及时", []string{"政府网站", "两微一端", "社区/企事业单位/村公示栏（电子屏）"}, false, active, "县级", "乡级", "村级"),
	tpl("户籍管理", "户口登记", "办事指南", "出生、死亡、迁入迁出登记的条件、材料、流程和时限", "《中华人民共和国户口登记条例》", std20, service, false, active, "县级", "乡级"),
	tpl("涉农补贴", "耕地地力保护补贴", "补贴发放", "补贴对象、补贴面积、补贴标准、补贴金额", "《农业相关转移支付资金管理办法》", "信息形成之日起5个工作日内", webBoard, false, active, "乡级", "村级"),
}

// TemplateDomains lists the domain names that have templates.
func TemplateDomains() []string {
	var out []string
	for _, t := range templates {
		if !slices.Contains(out, t.Domain) {
			out = append(out, t.Domain)
		}
	}
	return out
}

// levelOf is the 公开层级 an org kind works at.
func levelOf(k org.Kind) string {
	switch k {
	case org.KindStreet, org.KindTown:
		return "乡级"
	case org.KindCommunity, org.KindVillage:
		return "村级"
	}
	return "县级"
}

// addTemplates puts the template items of the given domains (by id) that
// apply at the org's level into a draft; it returns how many it added.
func (s *Service) addTemplates(ctx context.Context, tx *sql.Tx, versionID string, kind org.Kind, domainIDs []string, now time.Time) (int, error) {
	v, err := s.version(ctx, tx, "v.id = $1", versionID)
	if err != nil {
		return 0, err
	}
	o, err := s.Orgs.GetOrg(ctx, v.OrgID)
	if err != nil {
		return 0, err
	}
	doms, err := s.domains(ctx, tx)
	if err != nil {
		return 0, err
	}
	existing, err := s.items(ctx, tx, versionID)
	if err != nil {
		return 0, err
	}
	have := map[[3]string]bool{}
	seq := map[string]int{}
	for _, it := range existing {
		have[[3]string{it.DomainID, it.Level1, it.Level2}] = true
		seq[it.DomainID] = max(seq[it.DomainID], it.Seq)
	}
	level := levelOf(kind)
	added := 0
	for _, d := range doms {
		if !slices.Contains(domainIDs, d.ID) {
			continue
		}
		for _, t := range templates {
			if t.Domain != d.Name || !slices.Contains(t.Levels, level) || have[[3]string{d.ID, t.Level1, t.Level2}] {
				continue
			}
			f := t.ItemFields
			f.Subject = strings.ReplaceAll(f.Subject, "{org}", o.Name)
			f.Levels = []string{level}
			f.TimeLimit = ParseTimeLimit(f.TimeLimit.Text)
			seq[d.ID]++
			if err := insertItem(ctx, tx, Item{ID: db.NewID(), VersionID: versionID, Key: db.NewID(), DomainID: d.ID,
				Seq: seq[d.ID], ItemFields: f}, now); err != nil {
				return added, err
			}
			added++
		}
	}
	return added, nil
}
