package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/textsearch"
)

// Request is a search as the portal and the API take it: every filter is a
// list of accepted values (OR within a filter, AND across filters). Orgs
// are given by code, as in portal URLs.
type Request struct {
	Q        string
	Kind     []string // policy, interp, info, catalog
	Org      []string // org codes (发文机关/发布机构)
	Genre    []string // 体裁
	Year     []string // YYYY
	Validity []string // current, amended, abolished, expired
	Topic    []string // 主题分类
	Domain   []string // catalog domain id (领域)
	DocKind  []string // 文种
	Sort     string   // "relevance" (default) or "date"
	Page     int      // 1-based
	Size     int      // 1–50, default 20
}

// MaxQueryBytes bounds what is read of a query at all; the engine bounds
// what it searches for (and says so in the notice).
const MaxQueryBytes = 4096

// Normalize validates a request. Malformed values are errors naming the
// field; well-formed values that match nothing just find nothing.
func (s *Service) Normalize(ctx context.Context, r *Request) error {
	var fs apperr.Fields
	if len(r.Q) > MaxQueryBytes {
		r.Q = r.Q[:MaxQueryBytes]
		for !utf8.ValidString(r.Q) {
			r.Q = r.Q[:len(r.Q)-1]
		}
	}
	switch r.Sort {
	case "", "relevance", "date":
	default:
		fs.Add("sort", "排序方式只能是 relevance（相关度）或 date（发布时间）")
	}
	if r.Page == 0 {
		r.Page = 1
	}
	if r.Page < 1 || r.Page > 500 {
		fs.Add("page", "页码应在 1–500 之间")
	}
	if r.Size == 0 {
		r.Size = 20
	}
	if r.Size < 1 || r.Size > 50 {
		fs.Add("size", "每页条数应在 1–50 之间")
	}
	check := func(field, label string, vs []string, ok func(string) bool) {
		if len(vs) > 50 {
			fs.Add(field, label+"最多选择 50 个")
			return
		}
		for _, v := range vs {
			if !ok(v) {
				fs.Add(field, fmt.Sprintf("%s“%s”无效", label, clip(v, 20)))
				return
			}
		}
	}
	check("kind", "类别", r.Kind, func(v string) bool { return KindLabels[v] != "" })
	check("genre", "体裁", r.Genre, func(v string) bool { return slices.Contains(info.Genres, v) })
	check("year", "年份", r.Year, func(v string) bool {
		y, err := strconv.Atoi(v)
		return err == nil && len(v) == 4 && y >= 1949 && y <= 2100
	})
	check("validity", "有效性", r.Validity, func(v string) bool { return info.ValidityLabel(v) != "" })
	check("topic", "主题分类", r.Topic, func(v string) bool { return slices.Contains(info.Topics, v) })
	check("doc_kind", "文种", r.DocKind, func(v string) bool { return slices.Contains(info.DocKinds, v) })
	check("domain", "领域", r.Domain, func(v string) bool { return len(v) <= 40 })
	check("org", "机构代码", r.Org, func(v string) bool { return len(v) <= 40 })
	return fs.Err()
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Facet is one value of a filter with its count in the current result.
type Facet struct {
	Value, Label string
	Count        int
	Selected     bool
}

// Hit is one search result ready to show.
type Hit struct {
	Kind      string
	KindLabel string
	URL       string
	Title     []textsearch.Span
	Snippet   []textsearch.Span
	OrgName   string
	DocNo     string
	IndexNo   string
	Date      string // 发布日期 (YYYY-MM-DD)
	WrittenOn string
	Genre     string
	Validity  string // code; "" for catalog items
	Record    *info.Record
	Item      *catalog.Item
	// Interps are a policy's published interpretations; Policy is an
	// interpretation's policy (双向关联, shown in lists as well).
	Interps []Link
	Policy  *Link
}

// Link is a related record.
type Link struct {
	Title, URL string
	Form       string // an interpretation's 解读形式
}

func linkTo(r info.Record, byID map[string]org.Org) Link {
	return Link{Title: r.Title, URL: "/zfxxgk/" + byID[r.OrgID].Code + "/xxgk/" + r.ID, Form: r.InterpForm}
}

// Result is a page of hits with exact totals and facet counts.
type Result struct {
	Total  int
	Hits   []Hit
	Facets map[string][]Facet
	Notice string
	Page   int
	Pages  int
	Query  string // the normalised query, for "you searched for"
}

// FacetNames are the facets counted on every search.
var FacetNames = []string{"kind", "org", "genre", "year", "validity", "topic", "domain", "doc_kind"}

// Search runs a normalised request.
func (s *Service) Search(ctx context.Context, r Request) (Result, error) {
	if err := s.Normalize(ctx, &r); err != nil {
		return Result{}, err
	}
	orgs, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return Result{}, err
	}
	byCode := map[string]org.Org{}
	byID := map[string]org.Org{}
	for _, o := range orgs {
		byCode[o.Code], byID[o.ID] = o, o
	}
	filters := map[string][]string{}
	add := func(facet string, vs []string) {
		if len(vs) > 0 {
			filters[facet] = vs
		}
	}
	var orgIDs []string
	for _, c := range r.Org {
		if o, ok := byCode[c]; ok {
			orgIDs = append(orgIDs, o.ID)
		} else {
			orgIDs = append(orgIDs, "?"+c) // matches nothing, as asked
		}
	}
	add("kind", r.Kind)
	add("org", orgIDs)
	add("genre", r.Genre)
	add("year", r.Year)
	add("validity", r.Validity)
	add("topic", r.Topic)
	add("domain", r.Domain)
	add("doc_kind", r.DocKind)
	sort := textsearch.ByRelevance
	if r.Sort == "date" {
		sort = textsearch.ByDate
	}
	s.life.RLock()
	ix := s.ix.Load()
	if ix == nil {
		s.life.RUnlock()
		return Result{}, errors.New("search: index closed")
	}
	res, err := ix.Search(textsearch.Request{Query: r.Q, Filters: filters, Sort: sort, Offset: (r.Page - 1) * r.Size,
		Limit: r.Size, Facets: FacetNames})
	s.life.RUnlock()
	if err != nil {
		return Result{}, err
	}
	out := Result{Total: res.Total, Notice: res.Notice, Page: r.Page, Pages: (res.Total + r.Size - 1) / r.Size,
		Facets: map[string][]Facet{}}
	if res.Query != nil {
		out.Query = res.Query.String()
	}
	domains, err := s.Catalog.DomainNames(ctx)
	if err != nil {
		return Result{}, err
	}
	selected := map[string][]string{"kind": r.Kind, "org": orgIDs, "genre": r.Genre, "year": r.Year, "validity": r.Validity,
		"topic": r.Topic, "domain": r.Domain, "doc_kind": r.DocKind}
	for name, counts := range res.Facets {
		for _, c := range counts {
			f := Facet{Value: c.Value, Label: c.Value, Count: c.Count, Selected: slices.Contains(selected[name], c.Value)}
			switch name {
			case "kind":
				f.Label = KindLabels[c.Value]
			case "org":
				o, ok := byID[c.Value]
				if !ok {
					continue
				}
				f.Value, f.Label = o.Code, o.Name
				f.Selected = slices.Contains(r.Org, o.Code)
			case "validity":
				f.Label = info.ValidityLabel(c.Value)
			case "domain":
				f.Label = domains[c.Value]
			}
			out.Facets[name] = append(out.Facets[name], f)
		}
	}
	if name := "year"; len(out.Facets[name]) > 0 {
		slices.SortStableFunc(out.Facets[name], func(a, b Facet) int { return strings.Compare(b.Value, a.Value) })
	}
	out.Hits, err = s.hydrate(ctx, res, byID, domains)
	return out, err
}

// hydrate loads what the hits show from the database (a page of rows) and
// highlights them on the original text.
func (s *Service) hydrate(ctx context.Context, res textsearch.Result, byID map[string]org.Org, domains map[string]string) ([]Hit, error) {
	var ids []string
	for _, h := range res.Hits {
		if id, ok := strings.CutPrefix(h.Key, "info/"); ok {
			ids = append(ids, id)
		}
	}
	recs, err := s.records(ctx, ids)
	if err != nil {
		return nil, err
	}
	q := res.Query
	out := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		if id, ok := strings.CutPrefix(h.Key, "info/"); ok {
			r, ok := recs[id]
			if !ok || !public(r) {
				continue // changed since the search; the follower catches up
			}
			o := byID[r.OrgID]
			hit := Hit{Kind: kindOf(r), URL: "/zfxxgk/" + o.Code + "/xxgk/" + r.ID, Title: q.Highlight(r.Title),
				Snippet: q.Snippet(snippetText(r), 120), OrgName: o.Name, DocNo: r.DocNo, IndexNo: r.IndexNo, Date: r.PublishedOn,
				WrittenOn: r.WrittenOn, Genre: r.Genre, Validity: r.Validity, Record: &r}
			hit.KindLabel = KindLabels[hit.Kind]
			switch hit.Kind {
			case KindPolicy:
				interps, err := s.Info.Interpretations(ctx, r.ID)
				if err != nil {
					return nil, err
				}
				for _, x := range interps {
					if public(x) {
						hit.Interps = append(hit.Interps, linkTo(x, byID))
					}
				}
			case KindInterp:
				if p, err := s.Info.Get(ctx, r.InterpretsID); err == nil && public(p) {
					l := linkTo(p, byID)
					hit.Policy = &l
				}
			}
			out = append(out, hit)
			continue
		}
		rest, _ := strings.CutPrefix(h.Key, "item/")
		orgID, key, _ := strings.Cut(rest, "/")
		o := byID[orgID]
		v, err := s.Catalog.Current(ctx, orgID)
		if err != nil {
			continue
		}
		it, err := s.Catalog.ItemByKey(ctx, v.ID, key)
		if err != nil {
			continue
		}
		text := it.Content + "　依据：" + it.Basis + "　时限：" + it.TimeLimit.Text
		out = append(out, Hit{Kind: KindCatalog, KindLabel: KindLabels[KindCatalog] + " · " + domains[it.DomainID],
			URL: catalog.ItemURL(o.Code, it.Key), Title: q.Highlight(it.Title()), Snippet: q.Snippet(text, 120), OrgName: o.Name,
			Date: v.PublishedAt.Format("2006-01-02"), Item: &it})
	}
	return out, nil
}

// snippetText is what a record's snippet is cut from: the body, else the
// summary (matches in attachments show the start of the record).
func snippetText(r info.Record) string {
	t := info.PlainText(r.Body)
	if strings.TrimSpace(t) == "" {
		return r.Summary
	}
	return r.Summary + "　" + t
}

func (s *Service) records(ctx context.Context, ids []string) (map[string]info.Record, error) {
	out := map[string]info.Record{}
	if len(ids) == 0 {
		return out, nil
	}
	for _, id := range ids {
		r, err := s.Info.Get(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = r
	}
	return out, nil
}
