package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/participate"
	"gongkai.dev/gongkai/internal/ratelimit"
	"gongkai.dev/gongkai/internal/workday"
)

// The portal side of 公众参与, under 互动交流 (/hdjl):
//
//	/hdjl/zjyj                 意见征集 list (?zt=open|processing|reported)
//	/hdjl/zjyj/{id}            a solicitation: draft with paragraph anchors, files,
//	                           published comments, adoption report
//	/hdjl/zjyj/{id}/yj         the comment form (?duan=N anchors it to paragraph N)
//	/hdjl/zjyj/{id}/fj/{hash}  an attachment
//	/hdjl/zjyj/cx              a comment's status by its receipt number
//	/hdjl/gz                   the moderation policy (shared with the message board)
//	/hdjl/zdjc                 重大行政决策事项目录 years; /hdjl/zdjc/{year} a year's
//	                           catalog; /hdjl/zdjc/{year}/{id} one decision's stages
//
// None of these pages is in the page cache: a solicitation's stage changes
// with the date (意见征集中 becomes 意见处理中 the day after its end) with no
// change-log entry to invalidate on, and comment counts change with every
// moderation decision. They are a few indexed queries each.
func (s *Server) participatePortalRoutes() {
	m := s.mux
	m.HandleFunc("GET /hdjl/zjyj", s.page(s.zjyjList))
	m.HandleFunc("GET /hdjl/zjyj/cx", s.page(s.zjyjLookup))
	m.HandleFunc("GET /hdjl/zjyj/{id}", s.page(s.zjyjDetail))
	m.HandleFunc("GET /hdjl/zjyj/{id}/yj", s.page(s.zjyjForm))
	m.HandleFunc("POST /hdjl/zjyj/{id}/yj", s.page(s.zjyjSubmit))
	m.HandleFunc("GET /hdjl/zjyj/{id}/fj/{hash}", s.page(s.zjyjFile))
	m.HandleFunc("GET /hdjl/gz", s.page(s.hdjlRules))
	m.HandleFunc("GET /hdjl/zdjc", s.page(s.zdjcIndex))
	m.HandleFunc("GET /hdjl/zdjc/{year}", s.page(s.zdjcYear))
	m.HandleFunc("GET /hdjl/zdjc/{year}/{id}", s.page(s.zdjcDecision))
}

// stageStep is one step of the 意见征集中 → 意见处理中 → 采纳情况已公布 line.
type stageStep struct {
	Label, When string
	Done        bool
	Current     bool
}

func stageSteps(c participate.Solicitation, today workday.Date) []stageStep {
	stage := c.Stage(today)
	d := func(s string) string {
		if t, err := workday.ParseDate(s); err == nil {
			return t.Chinese()
		}
		return ""
	}
	endNext := ""
	if end, err := workday.ParseDate(c.EndOn); err == nil {
		endNext = end.AddDays(1).Chinese()
	}
	steps := []stageStep{
		{Label: "意见征集中", When: d(c.StartOn) + "至" + d(c.EndOn)},
		{Label: "意见处理中", When: "自" + endNext + "起"},
		{Label: "采纳情况已公布", When: "待公布"},
	}
	switch stage {
	case participate.StageUpcoming:
		steps[0].Label = "意见征集（即将开始）"
		steps[0].Current = true
	case participate.StageOpen:
		steps[0].Current = true
	case participate.StageProcessing:
		steps[0].Done, steps[1].Current = true, true
	case participate.StageReported:
		steps[0].Done, steps[1].Done, steps[2].Done, steps[2].Current = true, true, true, true
		steps[1].When = d(participate.NextDay(c.EndOn)) + "至" + d(c.ReportedOn)
		steps[2].When = d(c.ReportedOn)
	}
	return steps
}

var zjyjTabs = []struct{ Stage, Label string }{
	{"", "全部"}, {participate.StageOpen, "意见征集中"}, {participate.StageProcessing, "意见处理中"},
	{participate.StageReported, "采纳情况已公布"},
}

func (s *Server) zjyjList(w http.ResponseWriter, r *http.Request) error {
	stage := r.URL.Query().Get("zt")
	known := false
	for _, t := range zjyjTabs {
		known = known || t.Stage == stage
	}
	if !known {
		stage = ""
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	const size = 20
	rows, total, err := s.Participate.PublicList(r.Context(), participate.Filter{Stage: stage, Limit: size, Offset: (page - 1) * size})
	if err != nil {
		return err
	}
	names, err := s.orgNames(r.Context())
	if err != nil {
		return err
	}
	type tab struct {
		Label, Href string
		Current     bool
	}
	var tabs []tab
	for _, t := range zjyjTabs {
		href := "/hdjl/zjyj"
		if t.Stage != "" {
			href += "?zt=" + t.Stage
		}
		tabs = append(tabs, tab{t.Label, href, t.Stage == stage})
	}
	base := "/hdjl/zjyj?"
	if stage != "" {
		base += "zt=" + stage + "&"
	}
	today := s.Participate.Today()
	p := &pageData{Title: "意见征集 - 互动交流", Section: "hdjl", Data: map[string]any{"Rows": rows, "Names": names, "Tabs": tabs,
		"Pager": newPager(page, size, total, base+"page="), "Today": today, "Labels": participate.StageLabels}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"意见征集", ""}}
	s.render(w, r, http.StatusOK, "portal/zjyj_list.html", p)
	return nil
}

// draftBlock is a paragraph of the draft as the detail page renders it.
type draftBlock struct {
	N       int
	HTML    template.HTML
	Heading bool
}

// renderBlocks wraps each block's sanitized content in its own element
// (from a fixed list, so no tag name comes from stored text).
func renderBlocks(safe string) []draftBlock {
	tags := map[string]string{"p": "p", "h2": "h2", "h3": "h3", "h4": "h4", "ul": "ul", "ol": "ol", "table": "table",
		"blockquote": "blockquote"}
	var out []draftBlock
	for _, b := range participate.Blocks(safe) {
		tag, ok := tags[b.Tag]
		if !ok {
			tag = "p"
		}
		out = append(out, draftBlock{N: b.N, Heading: b.Heading,
			// The content was sanitized on save (info.Sanitize).
			HTML: template.HTML("<" + tag + ">" + b.Inner + "</" + tag + ">")})
	}
	return out
}

func (s *Server) zjyjDetail(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.Participate.Public(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	today := s.Participate.Today()
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	const size = 20
	ops, total, approved, err := s.Participate.Opinions(ctx, c.ID, page, size)
	if err != nil {
		return err
	}
	files, err := s.Participate.Files(ctx, c.ID)
	if err != nil {
		return err
	}
	o, err := s.Orgs.GetOrg(ctx, c.OrgID)
	if err != nil {
		return err
	}
	data := map[string]any{"S": c, "Org": o, "Stage": c.Stage(today), "StageLabel": participate.StageLabels[c.Stage(today)],
		"Steps": stageSteps(c, today), "Blocks": renderBlocks(c.Draft), "Files": files, "Opinions": ops, "Approved": approved,
		"Pager": newPager(page, size, total, "/hdjl/zjyj/"+c.ID+"?page="), "Open": c.Stage(today) == participate.StageOpen,
		"Decisions": participate.DecisionLabels}
	if c.Status == participate.StatusReported {
		rep, err := s.Participate.Report(ctx, c)
		if err != nil {
			return err
		}
		data["Report"] = rep
	}
	if c.DecisionID != "" {
		if d, err := s.Participate.PublicDecision(ctx, c.DecisionID); err == nil {
			data["Decision"] = d
		}
	}
	p := &pageData{Title: c.Title + " - 意见征集", Section: "hdjl", Data: data}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"意见征集", "/hdjl/zjyj"}, {c.Title, ""}}
	s.render(w, r, http.StatusOK, "portal/zjyj_detail.html", p)
	return nil
}

func (s *Server) zjyjFile(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Participate.Public(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.sendParticipateFile(w, r, c.ID)
}

func (s *Server) sendParticipateFile(w http.ResponseWriter, r *http.Request, id string) error {
	a, data, err := s.Participate.FileData(r.Context(), id, r.PathValue("hash"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(a.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
	return nil
}

// zjyjFormView is the comment form and, once accepted, its thank-you page.
type zjyjFormView struct {
	S         participate.Solicitation
	OrgName   string
	Open      bool
	Closed    string // why comments are not taken, when so
	Para      int
	ParaText  string
	SubmitKey string
	Accepted  *participate.Comment
	Rules     moderation.Config
}

func newSubmitKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) zjyjFormData(r *http.Request, para int) (*pageData, *zjyjFormView, error) {
	ctx := r.Context()
	c, err := s.Participate.Public(ctx, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	cfg, err := moderation.Load(ctx, s.DB.R)
	if err != nil {
		return nil, nil, err
	}
	v := &zjyjFormView{S: c, SubmitKey: newSubmitKey(), Rules: cfg}
	if o, err := s.Orgs.GetOrg(ctx, c.OrgID); err == nil {
		v.OrgName = o.Name
	}
	if err := participate.OpenForComments(c, s.Participate.Today()); err != nil {
		e, _ := apperr.As(err)
		v.Closed = e.Message
	} else {
		v.Open = true
	}
	for _, b := range participate.Blocks(c.Draft) {
		if b.N == para {
			v.Para, v.ParaText = b.N, b.Text
		}
	}
	p := &pageData{Title: "提出意见 - " + c.Title, Section: "hdjl", Data: v, Form: map[string]string{}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"意见征集", "/hdjl/zjyj"}, {c.Title, "/hdjl/zjyj/" + c.ID}, {"提出意见", ""}}
	return p, v, nil
}

func (s *Server) zjyjForm(w http.ResponseWriter, r *http.Request) error {
	para, _ := strconv.Atoi(r.URL.Query().Get("duan"))
	p, v, err := s.zjyjFormData(r, para)
	if err != nil {
		return err
	}
	if v.Para > 0 {
		p.Form["passage"] = v.ParaText
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "portal/zjyj_form.html", p)
	return nil
}

// maxCommentForm bounds the comment form's body: the text fields only.
const maxCommentForm = 256 << 10

func (s *Server) zjyjSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.New(apperr.Invalid, "提交的内容过长，请精简后分条提出")
		}
		return apperr.New(apperr.Invalid, "表单无法读取，请重新填写")
	}
	f := r.PostForm.Get
	para, _ := strconv.Atoi(f("duan"))
	p, v, err := s.zjyjFormData(r, para)
	if err != nil {
		return err
	}
	p.Form = formValues(r)
	w.Header().Set("Cache-Control", "no-store")
	key := f("submit_key")
	if len(key) != 32 || strings.Trim(key, "0123456789abcdef") != "" {
		key = "" // a tampered key only loses replay protection
	} else {
		v.SubmitKey = key // a corrected resubmission is still the same form
	}
	in := participate.CommentInput{Body: f("body"), Name: f("name"), Contact: f("contact"), Para: para, Passage: f("passage"),
		Honeypot: f("website")}
	c, err := s.Participate.Submit(r.Context(), clientIP(r), v.S.ID, key, in)
	if err == nil {
		v.Accepted = &c
		p.Title = "意见已提交 - " + v.S.Title
		p.Form = nil
		s.render(w, r, http.StatusOK, "portal/zjyj_form.html", p)
		return nil
	}
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	status := statusOf(e.Kind)
	switch e.Kind {
	case apperr.Invalid:
		formErrors(err, p)
	case apperr.TooMany:
		var le *moderation.LimitError
		if errors.As(err, &le) {
			w.Header().Set("Retry-After", strconv.FormatInt(int64((le.Wait+999999999)/1e9), 10))
		}
		p.Error = e.Message + "；您填写的内容已保留。"
	case apperr.Conflict:
		// Closed meanwhile: say so, and keep what was typed readable so
		// it is not lost to the person who wrote it.
		v.Open, v.Closed = false, e.Message
	case apperr.Forbidden:
		p.Error = e.Message
	default:
		return err
	}
	s.render(w, r, status, "portal/zjyj_form.html", p)
	return nil
}

func (s *Server) zjyjLookup(w http.ResponseWriter, r *http.Request) error {
	no := strings.TrimSpace(r.URL.Query().Get("no"))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	data := map[string]any{"No": no}
	status := http.StatusOK
	if no != "" {
		rc, err := s.Participate.Lookup(r.Context(), no)
		switch {
		case err == nil:
			data["Receipt"] = rc
		case apperr.Is(err, apperr.NotFound):
			data["NotFound"] = true
			status = http.StatusNotFound
		default:
			return err
		}
	}
	data["Decisions"] = participate.DecisionLabels
	p := &pageData{Title: "意见办理情况查询 - 意见征集", Section: "hdjl", Data: data}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"意见征集", "/hdjl/zjyj"}, {"意见查询", ""}}
	s.render(w, r, status, "portal/zjyj_lookup.html", p)
	return nil
}

func (s *Server) hdjlRules(w http.ResponseWriter, r *http.Request) error {
	cfg, err := moderation.Load(r.Context(), s.DB.R)
	if err != nil {
		return err
	}
	ipRules, _ := ratelimitText(cfg.IPRate)
	contactRules, _ := ratelimitText(cfg.ContactRate)
	p := &pageData{Title: "互动交流规则", Section: "hdjl", Data: map[string]any{"Rules": cfg, "IPRules": ipRules,
		"ContactRules": contactRules, "NearDupPercent": int(cfg.NearDup*100 + 0.5)}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"互动交流规则", ""}}
	s.render(w, r, http.StatusOK, "portal/hdjl_rules.html", p)
	return nil
}

// --- 重大行政决策事项目录 ---

func (s *Server) zdjcIndex(w http.ResponseWriter, r *http.Request) error {
	years, err := s.Participate.CatalogYears(r.Context())
	if err != nil {
		return err
	}
	p := &pageData{Title: "重大行政决策事项目录 - 互动交流", Section: "hdjl", Data: map[string]any{"Years": years}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"重大行政决策事项目录", ""}}
	s.render(w, r, http.StatusOK, "portal/zdjc_index.html", p)
	return nil
}

// decisionOrg groups a year's catalog by the deciding body.
type decisionOrg struct {
	OrgID, OrgName string
	Entries        []participate.DecisionEntry
}

func groupDecisions(ds []participate.DecisionEntry, names map[string]string) []decisionOrg {
	var out []decisionOrg
	idx := map[string]int{}
	for _, d := range ds {
		i, ok := idx[d.OrgID]
		if !ok {
			i = len(out)
			idx[d.OrgID] = i
			out = append(out, decisionOrg{OrgID: d.OrgID, OrgName: names[d.OrgID]})
		}
		out[i].Entries = append(out[i].Entries, d)
	}
	return out
}

func parseYear(s string) (int, bool) {
	y, err := strconv.Atoi(s)
	return y, err == nil && y >= 2019 && y <= 2100 && strconv.Itoa(y) == s
}

func (s *Server) zdjcYear(w http.ResponseWriter, r *http.Request) error {
	year, ok := parseYear(r.PathValue("year"))
	if !ok {
		return apperr.NotFoundf("没有该年度的重大行政决策事项目录")
	}
	ds, err := s.Participate.PublicDecisions(r.Context(), year)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return apperr.NotFoundf("%d 年度重大行政决策事项目录尚未公布", year)
	}
	names, err := s.orgNames(r.Context())
	if err != nil {
		return err
	}
	years, err := s.Participate.CatalogYears(r.Context())
	if err != nil {
		return err
	}
	title := strconv.Itoa(year) + " 年度重大行政决策事项目录"
	p := &pageData{Title: title + " - 互动交流", Section: "hdjl", Data: map[string]any{"Year": year, "Orgs": groupDecisions(ds, names),
		"Names": names, "Years": years, "Kinds": participate.StageKinds, "Title": title, "Today": s.Participate.Today(),
		"Labels": participate.StageLabels}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"重大行政决策事项目录", "/hdjl/zdjc"}, {strconv.Itoa(year) + " 年度", ""}}
	s.render(w, r, http.StatusOK, "portal/zdjc_year.html", p)
	return nil
}

func (s *Server) zdjcDecision(w http.ResponseWriter, r *http.Request) error {
	year, ok := parseYear(r.PathValue("year"))
	if !ok {
		return apperr.NotFoundf("决策事项不存在")
	}
	d, err := s.Participate.PublicDecision(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if d.Year != year {
		http.Redirect(w, r, "/hdjl/zdjc/"+strconv.Itoa(d.Year)+"/"+d.ID, http.StatusMovedPermanently)
		return nil
	}
	names, err := s.orgNames(r.Context())
	if err != nil {
		return err
	}
	p := &pageData{Title: d.Title + " - 重大行政决策事项目录", Section: "hdjl", Data: map[string]any{"D": d, "Names": names,
		"Kinds": participate.StageKinds, "Today": s.Participate.Today(), "Labels": participate.StageLabels,
		"Statuses": participate.DecisionStatusLabels}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"重大行政决策事项目录", "/hdjl/zdjc"},
		{strconv.Itoa(year) + " 年度", "/hdjl/zdjc/" + strconv.Itoa(year)}, {d.Title, ""}}
	s.render(w, r, http.StatusOK, "portal/zdjc_decision.html", p)
	return nil
}

// interactData is what the 互动交流 entry page shows of participation:
// the solicitations taking comments now and the catalog years.
func (s *Server) interactData(r *http.Request) (map[string]any, error) {
	open, total, err := s.Participate.PublicList(r.Context(), participate.Filter{Stage: participate.StageOpen, Limit: 5})
	if err != nil {
		return nil, err
	}
	recent, _, err := s.Participate.PublicList(r.Context(), participate.Filter{Stage: participate.StageReported, Limit: 3})
	if err != nil {
		return nil, err
	}
	years, err := s.Participate.CatalogYears(r.Context())
	if err != nil {
		return nil, err
	}
	return map[string]any{"Open": open, "OpenTotal": total, "Reported": recent, "Years": years}, nil
}

// ratelimitText reads rate-limit rules as a person would: "10 分钟内最多 5 次、24 小时内最多 30 次".
func ratelimitText(spec string) (string, error) {
	rs, err := ratelimit.ParseRules(spec)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, r := range rs {
		parts = append(parts, durationText(r.Window)+"内最多 "+strconv.Itoa(r.Limit)+" 次")
	}
	return strings.Join(parts, "、"), nil
}

func durationText(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + " 天"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " 小时"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + " 分钟"
	}
	return strconv.Itoa(int(d/time.Second)) + " 秒"
}
