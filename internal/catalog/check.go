package catalog

import (
	"context"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/org"
)

// Check rules, named so that supervision can count and cite them.
const (
	RuleCompleteness = "catalog.completeness" // an element is missing
	RuleTimeLimit    = "catalog.time_limit"   // 公开时限 not understood
	RuleConsistency  = "catalog.consistency"  // differs from the same item one level up
	RuleNoCatalog    = "catalog.missing"      // the org has published no catalog
)

// FieldProblem is one missing or unusable element of an item.
type FieldProblem struct {
	Rule    string
	Field   string
	Message string
}

// Completeness lists what an item lacks before it may be published: every
// element of the national template, a 公开时限 the system understands, at
// least one channel, audience, method and level.
func Completeness(f ItemFields) []FieldProblem {
	var out []FieldProblem
	need := func(field, label, v string) {
		if strings.TrimSpace(v) == "" {
			out = append(out, FieldProblem{RuleCompleteness, field, "缺少" + label})
		}
	}
	need("level1", "一级事项", f.Level1)
	need("content", "公开内容（要素）", f.Content)
	need("basis", "公开依据", f.Basis)
	need("subject", "公开主体", f.Subject)
	switch {
	case strings.TrimSpace(f.TimeLimit.Text) == "":
		out = append(out, FieldProblem{RuleCompleteness, "time_limit", "缺少公开时限"})
	case !f.TimeLimit.Parsed():
		out = append(out, FieldProblem{RuleTimeLimit, "time_limit", "公开时限“" + f.TimeLimit.Text + "”未能识别，请写成如“信息形成或变更之日起20个工作日内”“每年1月31日前”“实时”“及时”"})
	}
	if len(f.Channels) == 0 && strings.TrimSpace(f.ChannelOther) == "" {
		out = append(out, FieldProblem{RuleCompleteness, "channels", "未选择公开渠道和载体"})
	}
	if len(f.Audience) == 0 {
		out = append(out, FieldProblem{RuleCompleteness, "audience", "未选择公开对象"})
	}
	if len(f.Method) == 0 {
		out = append(out, FieldProblem{RuleCompleteness, "method", "未选择公开方式"})
	}
	if len(f.Levels) == 0 {
		out = append(out, FieldProblem{RuleCompleteness, "levels", "未选择公开层级"})
	}
	return out
}

// Finding is one check result, with enough context to link to the item.
type Finding struct {
	Rule      string
	OrgID     string
	VersionID string
	ItemKey   string // "" for findings about the whole catalog
	ItemTitle string
	Field     string
	Message   string
	// For consistency findings: the org compared with and both texts.
	OtherOrgID string
	Mine       string
	Theirs     string
}

// Report is the result of checking one org's catalog.
type Report struct {
	OrgID    string
	Version  Version // the version checked: the draft if any, else the current
	Items    int
	Findings []Finding
}

// Counts by rule, for summaries.
func (r Report) Count(rule string) int {
	n := 0
	for _, f := range r.Findings {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

// Check checks an org's working catalog: its draft when it has one (what
// the editor is preparing), otherwise the current published version.
func (s *Service) Check(ctx context.Context, orgID string) (Report, error) {
	v, err := s.DraftOf(ctx, orgID)
	if apperr.Is(err, apperr.NotFound) {
		v, err = s.Current(ctx, orgID)
	}
	if apperr.Is(err, apperr.NotFound) {
		return Report{OrgID: orgID, Findings: []Finding{{Rule: RuleNoCatalog, OrgID: orgID, Message: "尚未编制标准目录"}}}, nil
	}
	if err != nil {
		return Report{}, err
	}
	return s.CheckVersion(ctx, v)
}

// CheckVersion runs completeness on every item, and for community and
// village catalogs, consistency with the parent street or town: the same
// item (domain, 一级事项, 二级事项) must have the same 公开内容 ("相同事项的
// 公开内容要对应一致"). The parent's draft is ignored; its current
// published version is the reference.
func (s *Service) CheckVersion(ctx context.Context, v Version) (Report, error) {
	items, err := s.Items(ctx, v.ID)
	if err != nil {
		return Report{}, err
	}
	rep := Report{OrgID: v.OrgID, Version: v, Items: len(items)}
	for _, it := range items {
		for _, p := range Completeness(it.ItemFields) {
			rep.Findings = append(rep.Findings, Finding{Rule: p.Rule, OrgID: v.OrgID, VersionID: v.ID, ItemKey: it.Key,
				ItemTitle: it.Title(), Field: p.Field, Message: p.Message})
		}
	}
	o, err := s.Orgs.GetOrg(ctx, v.OrgID)
	if err != nil {
		return rep, err
	}
	if (o.Kind == org.KindCommunity || o.Kind == org.KindVillage) && o.ParentID != "" {
		parentV, err := s.Current(ctx, o.ParentID)
		if err == nil {
			theirs, err := s.Items(ctx, parentV.ID)
			if err != nil {
				return rep, err
			}
			rep.Findings = append(rep.Findings, consistency(v, items, o.ParentID, theirs)...)
		} else if !apperr.Is(err, apperr.NotFound) {
			return rep, err
		}
	}
	return rep, nil
}

// normText compares content ignoring whitespace and punctuation width.
func normText(s string) string {
	r := strings.NewReplacer(" ", "", "\u3000", "", "\n", "", "\r", "", "\t", "", "，", ",", "；", ";", "、", ",", "。", ".",
		"（", "(", "）", ")", "：", ":")
	return r.Replace(strings.TrimSpace(s))
}

func consistency(v Version, mine []Item, otherOrg string, theirs []Item) []Finding {
	ref := map[[3]string]Item{}
	for _, it := range theirs {
		ref[[3]string{it.DomainID, normText(it.Level1), normText(it.Level2)}] = it
	}
	var out []Finding
	for _, it := range mine {
		t, ok := ref[[3]string{it.DomainID, normText(it.Level1), normText(it.Level2)}]
		if !ok || normText(t.Content) == normText(it.Content) {
			continue
		}
		out = append(out, Finding{Rule: RuleConsistency, OrgID: v.OrgID, VersionID: v.ID, ItemKey: it.Key, ItemTitle: it.Title(),
			Field: "content", Message: "与上级目录中同一事项的公开内容不一致", OtherOrgID: otherOrg, Mine: it.Content, Theirs: t.Content})
	}
	return out
}

// CheckAll checks the catalog of every org (for supervision), in tree order.
func (s *Service) CheckAll(ctx context.Context) ([]Report, error) {
	orgs, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Report, 0, len(orgs))
	for _, o := range orgs {
		rep, err := s.Check(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, rep)
	}
	return out, nil
}
