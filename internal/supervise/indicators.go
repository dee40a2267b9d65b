package supervise

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/org"
)

// Points are tenths of a point, so 0.5-point deductions add up exactly
// (97.5 points = 975).
type Points int

// String writes 97.5 or 98.
func (p Points) String() string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	if p%10 == 0 {
		return sign + strconv.Itoa(int(p/10))
	}
	return fmt.Sprintf("%s%d.%d", sign, p/10, p%10)
}

// Float is the points as a number (for charts).
func (p Points) Float() float64 { return float64(p) / 10 }

// ParsePoints reads "2", "2.5" or "0.5" (at most one decimal, not negative).
func ParsePoints(s string) (Points, bool) {
	s = strings.TrimSpace(s)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 4 || hasFrac && len(frac) != 1 {
		return 0, false
	}
	w, err := strconv.Atoi(whole)
	if err != nil || w < 0 || strings.ContainsAny(whole, "+-") {
		return 0, false
	}
	f := 0
	if hasFrac {
		if f, err = strconv.Atoi(frac); err != nil || strings.ContainsAny(frac, "+-") {
			return 0, false
		}
	}
	return Points(w*10 + f), true
}

// Indicator kinds.
const (
	KindDeduct = "deduct" // 扣分指标
	KindVeto   = "veto"   // 单项否决
)

// Indicator is one row of the assessment table.
type Indicator struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Rules     []string `json:"rules"`               // rule codes (and CountTicketEscalated) whose findings count
	Per       Points   `json:"per,omitempty"`       // deduct: points per finding
	Weight    Points   `json:"weight,omitempty"`    // deduct: the indicator's points, the cap of its deductions
	Threshold int      `json:"threshold,omitempty"` // veto: this many findings fail the assessment
	Basis     string   `json:"basis,omitempty"`     // where the indicator comes from
}

// Table is the assessment table: indicators, grades and bonus rules.
type Table struct {
	Indicators     []Indicator `json:"indicators"`
	PassScore      Points      `json:"pass_score"`      // below: 不合格
	GoodScore      Points      `json:"good_score"`      // from: 良好
	ExcellentScore Points      `json:"excellent_score"` // from: 优秀
	BonusThreshold Points      `json:"bonus_threshold"` // bonus counts only above this base score
	BonusMax       Points      `json:"bonus_max"`
	// PerformanceWeight is the percentage the openness score carries in the
	// unit's overall performance assessment (固原: 政务公开纳入效能考核，占比超过4%).
	PerformanceWeight int        `json:"performance_weight"`
	ScoredKinds       []org.Kind `json:"scored_kinds"`
}

// Base is the full score of the deduction indicators.
const Base Points = 1000

// DefaultTable is the table before anyone edits it. The structure follows
// 国办秘函〔2019〕19号 (veto items fail outright; deductions from 100; bonus
// only above 80); the weights are this project's proposal for grassroots
// units and are meant to be edited to the local assessment scheme.
func DefaultTable() Table {
	pts := func(f float64) Points { return Points(f * 10) }
	return Table{
		Indicators: []Indicator{
			{"V1", "首页不更新", KindVeto, []string{RuleHomeStale}, 0, 0, 1, "国办秘函〔2019〕19号 单项否决第3项"},
			{"V2", "栏目不更新", KindVeto, []string{RuleVetoNotUpdated, RuleVetoLongStale, RuleVetoEmpty}, 0, 0, 1, "国办秘函〔2019〕19号 单项否决第4项"},
			{"V3", "泄露国家秘密", KindVeto, []string{RuleSecrecy}, 0, 0, 1, "国办秘函〔2019〕19号 单项否决第1项"},
			{"V4", "互动回应差", KindVeto, []string{RuleBoardUnanswered}, 0, 0, 1, "国办秘函〔2019〕19号 单项否决第5项"},
			{"D01", "动态要闻更新", KindDeduct, []string{RuleNewsStale}, pts(3), pts(6), 0, "动态、要闻类栏目2周内更新"},
			{"D02", "通知公告、政策文件更新", KindDeduct, []string{RuleNoticeStale}, pts(5), pts(10), 0, "政策文件类一级栏目6个月未更新扣5分"},
			{"D03", "栏目长期未更新", KindDeduct, []string{RuleLongStale}, pts(2), pts(4), 0, "应更新但长期未更新的栏目"},
			{"D04", "空白栏目", KindDeduct, []string{RuleEmptyColumn}, pts(2), pts(8), 0, "空白栏目"},
			{"D05", "标准目录编制发布", KindDeduct, []string{RuleCatalogMissing}, pts(10), pts(10), 0, "国办发〔2019〕54号"},
			{"D06", "目录要素与上下级一致", KindDeduct, []string{RuleCatalogElements, RuleCatalogConsistency}, pts(1), pts(6), 0, "目录要素齐全、相同事项内容一致"},
			{"D07", "目录事项按时公开", KindDeduct, []string{RuleCatalogOverdue}, pts(2), pts(6), 0, "目录“公开时限”"},
			{"D08", "信息发布时效", KindDeduct, []string{RulePublishLate}, pts(1), pts(10), 0, "条例第二十六条：20个工作日"},
			{"D09", "政策解读", KindDeduct, []string{RuleInterpMissing, RuleInterpLate}, pts(2), pts(8), 0, "国办发〔2016〕80号 三同步"},
			{"D10", "文件有效性标注", KindDeduct, []string{RuleExpired}, pts(1), pts(4), 0, "《政府网站发展指引》"},
			{"D11", "个人信息保护", KindDeduct, []string{RulePrivacy}, pts(3), pts(8), 0, "条例第十五条、个人信息保护法"},
			{"D12", "依申请公开办理", KindDeduct, []string{RuleApplyOverdue, RuleApplyCorrectionLate, RuleApplyNoBasis}, pts(3), pts(10), 0, "条例第三十条、第三十三条、第三十六条"},
			{"D13", "整改落实", KindDeduct, []string{CountTicketEscalated}, pts(2), pts(8), 0, "整改单逾期未反馈（督办）"},
			{"D14", "留言按时答复", KindDeduct, []string{RuleBoardOverdue}, pts(1), pts(2), 0, "咨询类留言5个工作日内答复（按类别设定时限）"},
		},
		PassScore: pts(60), GoodScore: pts(80), ExcellentScore: pts(90), BonusThreshold: pts(80), BonusMax: pts(10),
		PerformanceWeight: 4,
		ScoredKinds:       []org.Kind{org.KindDepartment, org.KindStreet, org.KindTown, org.KindCommunity, org.KindVillage},
	}
}

// Grade is the result for a base score and veto.
func (t Table) Grade(final Points, vetoed bool) string {
	switch {
	case vetoed || final < t.PassScore:
		return "不合格"
	case final >= t.ExcellentScore:
		return "优秀"
	case final >= t.GoodScore:
		return "良好"
	}
	return "合格"
}

// Grades lists the grades best first.
var Grades = []string{"优秀", "良好", "合格", "不合格"}

// Validate checks the table; errors name the field: ind_<i>_<field> for
// indicator i (0-based, as the editor's inputs are named), or the table
// field.
func (t *Table) Validate() error {
	var fs apperr.Fields
	codes := map[string]int{}
	ruleAt := map[string]string{}
	var sum Points
	if len(t.Indicators) == 0 {
		fs.Add("indicators", "考核指标表至少要有一项指标")
	}
	if len(t.Indicators) > 60 {
		fs.Add("indicators", "考核指标最多 60 项")
	}
	for i := range t.Indicators {
		in := &t.Indicators[i]
		in.Code, in.Name, in.Basis = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.Basis)
		row := fmt.Sprintf("第 %d 项指标", i+1)
		if in.Name != "" {
			row += "「" + in.Name + "」"
		}
		key := func(f string) string { return fmt.Sprintf("ind_%d_%s", i, f) }
		switch {
		case in.Code == "":
			fs.Add(key("code"), row+"：编号不能为空")
		case utf8.RuneCountInString(in.Code) > 10:
			fs.Add(key("code"), row+"：编号最多 10 个字符")
		default:
			if j, dup := codes[in.Code]; dup {
				fs.Add(key("code"), fmt.Sprintf("%s：编号“%s”与第 %d 项重复", row, in.Code, j+1))
			}
			codes[in.Code] = i
		}
		if in.Name == "" {
			fs.Add(key("name"), row+"：名称不能为空")
		} else if utf8.RuneCountInString(in.Name) > 40 {
			fs.Add(key("name"), row+"：名称最多 40 个字")
		}
		if utf8.RuneCountInString(in.Basis) > 200 {
			fs.Add(key("basis"), row+"：依据最多 200 个字")
		}
		if len(in.Rules) == 0 {
			fs.Add(key("rules"), row+"：请选择计入该指标的检查规则")
		}
		for _, r := range in.Rules {
			if _, ok := RuleByCode(r); !ok && r != CountTicketEscalated {
				fs.Add(key("rules"), row+"：检查规则“"+r+"”不存在")
				continue
			}
			if in.Kind == KindDeduct {
				if other, dup := ruleAt[r]; dup {
					fs.Add(key("rules"), fmt.Sprintf("%s：“%s”已计入扣分指标“%s”，同一问题不能重复扣分", row, RuleName(r), other))
				}
				ruleAt[r] = in.Name
			}
		}
		switch in.Kind {
		case KindDeduct:
			in.Threshold = 0
			if in.Weight <= 0 || in.Weight > Base {
				fs.Add(key("weight"), row+"：分值应在 0.1–100 分之间")
			}
			if in.Per <= 0 || in.Per > Base {
				fs.Add(key("per"), row+"：每处扣分应在 0.1–100 分之间")
			} else if in.Weight > 0 && in.Per > in.Weight {
				fs.Add(key("per"), row+"：每处扣分不能大于该指标的分值")
			}
			sum += in.Weight
		case KindVeto:
			in.Per, in.Weight = 0, 0
			if in.Threshold < 1 || in.Threshold > 1000 {
				fs.Add(key("threshold"), row+"：否决阈值应为 1–1000 之间的整数")
			}
		default:
			fs.Add(key("kind"), row+"：请选择指标类型（扣分或单项否决）")
		}
	}
	if len(t.Indicators) > 0 && sum != Base {
		fs.Add("indicators", fmt.Sprintf("各扣分指标的分值合计应为 100 分，现为 %s 分", sum))
	}
	score := func(field, label string, v Points) {
		if v < 0 || v > Base {
			fs.Add(field, label+"应在 0–100 分之间")
		}
	}
	score("pass_score", "合格分数线", t.PassScore)
	score("good_score", "良好分数线", t.GoodScore)
	score("excellent_score", "优秀分数线", t.ExcellentScore)
	score("bonus_threshold", "加分门槛", t.BonusThreshold)
	if t.PassScore > t.GoodScore || t.GoodScore > t.ExcellentScore {
		fs.Add("good_score", "分数线应满足：合格 ≤ 良好 ≤ 优秀")
	}
	if t.BonusMax < 0 || t.BonusMax > 500 {
		fs.Add("bonus_max", "加分上限应在 0–50 分之间")
	}
	if t.PerformanceWeight < 0 || t.PerformanceWeight > 100 {
		fs.Add("performance_weight", "绩效考核权重应为 0–100 之间的整数（百分比）")
	}
	if len(t.ScoredKinds) == 0 {
		fs.Add("scored_kinds", "请选择参加考核的机构类型")
	}
	for _, k := range t.ScoredKinds {
		if k.Label() == string(k) {
			fs.Add("scored_kinds", "机构类型“"+string(k)+"”不存在")
		}
	}
	return fs.Err()
}

// Table returns the indicator table in force.
func (s *Service) Table(ctx context.Context) (Table, error) {
	var t Table
	ok, err := s.loadJSON(ctx, s.DB.R, configIndicators, &t)
	if err != nil || !ok {
		return DefaultTable(), err
	}
	return t, nil
}

// SaveTable validates and stores the indicator table (root 政务公开办 only).
// Periods already saved keep the table they were computed with.
func (s *Service) SaveTable(ctx context.Context, p *org.Principal, ip string, t Table) error {
	root, err := s.requireRoot(ctx, p)
	if err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var before Table
		if ok, err := s.loadJSON(ctx, tx, configIndicators, &before); err != nil {
			return err
		} else if !ok {
			before = DefaultTable()
		}
		if err := s.saveJSON(ctx, tx, configIndicators, t, p.Actor(ip)); err != nil {
			return err
		}
		var names []string
		for _, in := range t.Indicators {
			names = append(names, in.Code)
		}
		_, err := audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(ip), OrgID: root, Action: "supervise.indicators",
			ObjectType: "supervise_config", ObjectID: configIndicators,
			Summary: fmt.Sprintf("修改考核指标表（%d 项：%s）", len(t.Indicators), strings.Join(names, "、")), Before: before, After: t})
		return err
	})
}
