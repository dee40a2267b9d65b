package web

import (
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/search"
	"gongkai.dev/gongkai/internal/textsearch"
)

// The portal's search box (/search), the policy library (/zcwjk, the same
// engine with kind=policy) and GET /api/v1/search. Every filter is a GET
// parameter, so results can be shared, bookmarked and used without script.

func (s *Server) searchRoutes() {
	m := s.mux
	m.HandleFunc("GET /search", s.page(s.searchPage))
	m.HandleFunc("GET /zcwjk", s.page(s.libraryPage))
	m.HandleFunc("GET /api/v1/search", s.api(s.apiSearch))
	m.HandleFunc("GET /api/v1/openapi.json", s.apiOpenAPI)
}

// filterParams are the multi-valued filter parameters, in display order.
var filterParams = []struct{ Param, Label string }{
	{"kind", "类别"}, {"org", "发文机关"}, {"year", "年份"}, {"doc_kind", "文种"}, {"genre", "体裁"},
	{"validity", "有效性"}, {"topic", "主题分类"}, {"domain", "领域"},
}

// scopes are the 检索范围 choices; a scope prefixes each plain term with a
// field, so "标题" searches titles only.
var scopes = []struct{ Value, Label, Prefix string }{
	{"", "全文", ""}, {"title", "标题", "标题:"}, {"body", "正文", "正文:"}, {"docno", "文号", "文号:"},
}

// searchRequest reads a search from URL parameters.
func searchRequest(q url.Values) (search.Request, error) {
	r := search.Request{Q: q.Get("q"), Kind: q["kind"], Org: q["org"], Genre: q["genre"], Year: q["year"],
		Validity: q["validity"], Topic: q["topic"], Domain: q["domain"], DocKind: q["doc_kind"], Sort: q.Get("sort")}
	var fs apperr.Fields
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &r.Page}, {"size", &r.Size}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				fs.Add(p.name, p.name+" 应为正整数")
				continue
			}
			*p.dst = n
		}
	}
	if sc := q.Get("in"); sc != "" {
		i := slices.IndexFunc(scopes, func(x struct{ Value, Label, Prefix string }) bool { return x.Value == sc })
		if i < 0 {
			fs.Add("in", "检索范围只能是 title、body 或 docno")
		} else {
			r.Q = scoped(r.Q, scopes[i].Prefix)
		}
	}
	return r, fs.Err()
}

// scoped puts a field prefix on every plain term of q (not on operators,
// exclusions' signs or terms that name a field already).
func scoped(q, prefix string) string {
	if prefix == "" {
		return q
	}
	var out []string
	inQuote := false
	for _, t := range strings.FieldsFunc(q, unicode.IsSpace) {
		switch {
		case inQuote:
		case t == "OR" || t == "|" || t == "或" || strings.ContainsAny(t, ":：") && !strings.HasPrefix(t, "\""):
		case strings.HasPrefix(t, "-"):
			t = "-" + prefix + t[1:]
		default:
			t = prefix + t
		}
		if strings.Count(t, "\"")%2 == 1 {
			inQuote = !inQuote
		}
		out = append(out, t)
	}
	return strings.Join(out, " ")
}

// searchView is what the search and library templates show.
type searchView struct {
	Base      string // page path
	Q, In     string
	Sort      string
	Result    search.Result
	Groups    []facetGroup
	Pager     pager
	Notice    string
	Ignored   []string // filters dropped because their values were malformed
	Library   bool
	Scopes    []struct{ Value, Label, Prefix string }
	ClearHref string
}

type facetGroup struct {
	Param, Label string
	Facets       []facetLink
	More         int // values beyond the ones shown
}

type facetLink struct {
	search.Facet
	Href string
}

// facetLimit bounds the values shown per filter (the most frequent; a
// selected value always shows).
const facetLimit = 12

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSearch(w, r, false)
}

func (s *Server) libraryPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSearch(w, r, true)
}

func (s *Server) renderSearch(w http.ResponseWriter, r *http.Request, library bool) error {
	if s.Search == nil {
		return apperr.New(apperr.Conflict, "站内搜索未启用")
	}
	q := r.URL.Query()
	v := searchView{Base: r.URL.Path, Q: q.Get("q"), In: q.Get("in"), Sort: q.Get("sort"), Library: library, Scopes: scopes}
	req, err := searchRequest(q)
	for {
		if err == nil {
			if library {
				req.Kind = []string{search.KindPolicy}
			}
			if req.Sort == "" && strings.TrimSpace(req.Q) == "" {
				req.Sort = "date" // nothing to rank by: newest first
			}
			err = s.Search.Normalize(r.Context(), &req)
		}
		e, ok := apperr.As(err)
		if err == nil || !ok || len(e.Fields) == 0 {
			break
		}
		// A hand-edited or stale link with a bad filter still gets results:
		// the bad parameters are dropped and named.
		for _, f := range e.Fields {
			v.Ignored = append(v.Ignored, f.Message)
			q.Del(f.Field)
		}
		req, err = searchRequest(q)
	}
	if err != nil {
		return err
	}
	res, err := s.Search.Search(r.Context(), req)
	if err != nil {
		return err
	}
	if strings.TrimSpace(req.Q) == "" && len(v.Ignored) == 0 {
		// Browsing (the library's landing page and its filter links) is a
		// bounded set of pages worth caching; typed queries are not.
		cacheTags(r, tagAll, tagOrgs)
	}
	if v.Sort == "" {
		v.Sort = req.Sort
	}
	v.Result, v.Notice = res, res.Notice
	keep := url.Values{}
	for k, vs := range q {
		if k != "page" {
			keep[k] = vs
		}
	}
	v.Pager = newPager(res.Page, req.Size, min(res.Total, 500*req.Size), v.Base+"?"+withPage(keep))
	for _, fp := range filterParams {
		if library && fp.Param == "kind" {
			continue
		}
		g := facetGroup{Param: fp.Param, Label: fp.Label}
		for i, f := range res.Facets[fp.Param] {
			if i >= facetLimit && !f.Selected {
				g.More++
				continue
			}
			g.Facets = append(g.Facets, facetLink{Facet: f, Href: v.Base + "?" + toggle(keep, fp.Param, f.Value).Encode()})
		}
		if len(g.Facets) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	clear := url.Values{}
	if v.Q != "" {
		clear.Set("q", v.Q)
	}
	v.ClearHref = v.Base
	if len(clear) > 0 {
		v.ClearHref += "?" + clear.Encode()
	}
	title := "站内搜索"
	if library {
		title = "政策文件库"
	}
	p := &pageData{Title: title, Section: map[bool]string{true: "zcwjk", false: "search"}[library], Data: v}
	if v.Q != "" {
		p.Title = v.Q + " - " + title
	}
	p.Breadcrumb = []crumb{{"首页", "/"}, {title, ""}}
	w.Header().Set("X-Robots-Tag", "noindex") // result pages are not for search engines to crawl
	s.render(w, r, http.StatusOK, "portal/search.html", p)
	return nil
}

func withPage(keep url.Values) string {
	e := keep.Encode()
	if e != "" {
		e += "&"
	}
	return e + "page="
}

// toggle returns the parameters with one filter value added, or removed
// when present; the page resets.
func toggle(keep url.Values, param, value string) url.Values {
	out := url.Values{}
	for k, vs := range keep {
		out[k] = slices.Clone(vs)
	}
	if i := slices.Index(out[param], value); i >= 0 {
		out[param] = slices.Delete(out[param], i, i+1)
	} else {
		out[param] = append(out[param], value)
	}
	return out
}

// --- API ---

type apiSpan struct {
	Text string `json:"text"`
	Hit  bool   `json:"hit,omitempty"`
}

func spans(ss []textsearch.Span) []apiSpan {
	out := make([]apiSpan, len(ss))
	for i, s := range ss {
		out[i] = apiSpan{s.Text, s.Hit}
	}
	return out
}

func plain(ss []textsearch.Span) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.Text)
	}
	return b.String()
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	if s.Search == nil {
		return apperr.New(apperr.Conflict, "站内搜索未启用")
	}
	req, err := searchRequest(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := s.Search.Search(r.Context(), req)
	if err != nil {
		return err
	}
	base := s.siteBase(r)
	type link struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	}
	hits := make([]map[string]any, 0, len(res.Hits))
	for _, h := range res.Hits {
		m := map[string]any{"kind": h.Kind, "title": plain(h.Title), "title_spans": spans(h.Title),
			"snippet_spans": spans(h.Snippet), "url": base + h.URL, "org": h.OrgName, "date": h.Date}
		if h.Record != nil {
			m["doc_no"], m["index_no"], m["genre"], m["written_on"] = h.DocNo, h.IndexNo, h.Genre, h.WrittenOn
			m["validity"], m["validity_label"] = h.Validity, info.ValidityLabel(h.Validity)
		}
		if h.Kind == search.KindPolicy {
			ls := []link{}
			for _, x := range h.Interps {
				ls = append(ls, link{x.Title, base + x.URL})
			}
			m["interpretations"] = ls
		}
		if h.Policy != nil {
			m["policy"] = link{h.Policy.Title, base + h.Policy.URL}
		}
		hits = append(hits, m)
	}
	facets := map[string][]map[string]any{}
	for name, fs := range res.Facets {
		for _, f := range fs {
			facets[name] = append(facets[name], map[string]any{"value": f.Value, "label": f.Label, "count": f.Count})
		}
	}
	out := map[string]any{"total": res.Total, "page": res.Page, "pages": res.Pages, "hits": hits, "facets": facets,
		"query": res.Query}
	if res.Notice != "" {
		out["notice"] = res.Notice
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func init() {
	// spans renders highlighted text: matches in <mark>, all text escaped.
	funcs["spans"] = func(ss []textsearch.Span) template.HTML {
		var b strings.Builder
		for _, s := range ss {
			t := template.HTMLEscapeString(s.Text)
			if s.Hit {
				b.WriteString("<mark>" + t + "</mark>")
			} else {
				b.WriteString(t)
			}
		}
		return template.HTML(b.String())
	}
}

//go:embed openapi.json
var openAPI []byte

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(openAPI)
}
