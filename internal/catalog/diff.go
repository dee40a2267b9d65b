package catalog

import (
	"context"
	"strings"
)

// FieldChange is one element that differs between two versions of an item.
type FieldChange struct {
	Label, Before, After string
}

// ItemChange is an item present in both versions with different elements.
type ItemChange struct {
	Before, After Item
	Fields        []FieldChange
}

// Diff is what changed from one version to another, matched by item key.
type Diff struct {
	From, To Version
	Added    []Item
	Removed  []Item
	Changed  []ItemChange
}

// Empty reports whether the versions hold the same items.
func (d Diff) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Changed) == 0 }

// Compare diffs two versions (normally of one org).
func (s *Service) Compare(ctx context.Context, from, to Version) (Diff, error) {
	a, err := s.Items(ctx, from.ID)
	if err != nil {
		return Diff{}, err
	}
	b, err := s.Items(ctx, to.ID)
	if err != nil {
		return Diff{}, err
	}
	names, err := s.DomainNames(ctx)
	if err != nil {
		return Diff{}, err
	}
	d := Diff{From: from, To: to}
	before := map[string]Item{}
	for _, it := range a {
		before[it.Key] = it
	}
	seen := map[string]bool{}
	for _, it := range b {
		old, ok := before[it.Key]
		if !ok {
			d.Added = append(d.Added, it)
			continue
		}
		seen[it.Key] = true
		if fs := fieldChanges(old, it, names); len(fs) > 0 {
			d.Changed = append(d.Changed, ItemChange{Before: old, After: it, Fields: fs})
		}
	}
	for _, it := range a {
		if !seen[it.Key] {
			d.Removed = append(d.Removed, it)
		}
	}
	return d, nil
}

func fieldChanges(a, b Item, domainNames map[string]string) []FieldChange {
	var out []FieldChange
	cmp := func(label, x, y string) {
		if x != y {
			out = append(out, FieldChange{label, x, y})
		}
	}
	j := func(v []string) string { return strings.Join(v, "、") }
	cmp("领域", domainNames[a.DomainID], domainNames[b.DomainID])
	cmp("一级事项", a.Level1, b.Level1)
	cmp("二级事项", a.Level2, b.Level2)
	cmp("公开内容（要素）", a.Content, b.Content)
	cmp("公开依据", a.Basis, b.Basis)
	cmp("公开时限", a.TimeLimit.Text, b.TimeLimit.Text)
	cmp("公开主体", a.Subject, b.Subject)
	cmp("公开渠道和载体", j(a.Channels), j(b.Channels))
	cmp("其他渠道", a.ChannelOther, b.ChannelOther)
	cmp("公开对象", j(a.Audience), j(b.Audience))
	cmp("公开方式", j(a.Method), j(b.Method))
	cmp("公开层级", j(a.Levels), j(b.Levels))
	cmp("五公开", a.FiveTag, b.FiveTag)
	return out
}
