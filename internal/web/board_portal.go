package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

// The portal side of 留言 and 政策问答, under 互动交流 (/hdjl):
//
//	/hdjl/ly              published messages and replies (?org=, ?lb= category, ?page=)
//	/hdjl/ly/new          the message form (?org= preselects); POST submits, or with
//	                      op=suggest only looks up matching answers (the no-script path)
//	/hdjl/ly/{id}         one published message with its reply
//	/hdjl/ly/cx           tracking by the writer's number (?no=); POST …/cx/pj rates the reply
//	/hdjl/ly/tj           monthly statistics (?year=, ?month=)
//	/hdjl/wd              the 政策问答 (?q= searches); /hdjl/wd/{id} one entry
//	/hdjl/wd/suggest      JSON: answers matching ?q= (the form's script)
//
// None of these pages is in the page cache: the lists and statistics change
// with every reply and rating, without a change-log entry to invalidate on.
func (s *Server) boardPortalRoutes() {
	m := s.mux
	m.HandleFunc("GET /hdjl/ly", s.page(s.lyList))
	m.HandleFunc("GET /hdjl/ly/new", s.page(s.lyForm))
	m.HandleFunc("POST /hdjl/ly/new", s.page(s.lySubmit))
	m.HandleFunc("GET /hdjl/ly/cx", s.page(s.lyTrack))
	m.HandleFunc("POST /hdjl/ly/cx/pj", s.page(s.lyRate))
	m.HandleFunc("GET /hdjl/ly/tj", s.page(s.lyStats))
	m.HandleFunc("GET /hdjl/ly/{id}", s.page(s.lyDetail))
	m.HandleFunc("GET /hdjl/wd", s.page(s.wdList))
	m.HandleFunc("GET /hdjl/wd/suggest", s.wdSuggest)
	m.HandleFunc("GET /hdjl/wd/{id}", s.page(s.wdDetail))
}

// targetGroups splits the orgs taking messages for a select's optgroups.
type targetGroups struct {
	Government, Departments, Towns []org.Org
}

func (s *Server) boardTargets(r *http.Request) (targetGroups, error) {
	var g targetGroups
	ts, err := s.Board.Targets(r.Context())
	if err != nil {
		return g, err
	}
	for _, o := range ts {
		switch o.Kind {
		case org.KindDistrict:
			g.Government = append(g.Government, o)
		case org.KindDepartment:
			g.Departments = append(g.Departments, o)
		default:
			g.Towns = append(g.Towns, o)
		}
	}
	return g, nil
}

func (s *Server) lyList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := board.PublicFilter{OrgID: q.Get("org"), Category: q.Get("lb")}
	if f.Category != "" && board.CategoryLabel(f.Category) == f.Category {
		f.Category = "" // unknown: show everything rather than an error page
	}
	targets, err := s.boardTargets(r)
	if err != nil {
		return err
	}
	known := false
	for _, grp := range [][]org.Org{targets.Government, targets.Departments, targets.Towns} {
		for _, o := range grp {
			known = known || o.ID == f.OrgID
		}
	}
	if !known {
		f.OrgID = ""
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	const size = 20
	f.Limit, f.Offset = size, (page-1)*size
	rows, total, err := s.Board.PublicList(ctx, f)
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	base := url.Values{}
	if f.OrgID != "" {
		base.Set("org", f.OrgID)
	}
	if f.Category != "" {
		base.Set("lb", f.Category)
	}
	p := &pageData{Title: "留言选登 - 互动交流", Section: "hdjl", Form: map[string]string{"org": f.OrgID, "lb": f.Category},
		Data: map[string]any{"Rows": rows, "Total": total, "Names": names, "Targets": targets, "Categories": board.Categories,
			"Pager": newPager(page, size, total, "/hdjl/ly?"+withAmp(base.Encode())+"page=")}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"留言选登", ""}}
	s.render(w, r, http.StatusOK, "portal/ly_list.html", p)
	return nil
}

func withAmp(q string) string {
	if q == "" {
		return ""
	}
	return q + "&"
}

func (s *Server) lyDetail(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	m, err := s.Board.PublicMessage(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	p := &pageData{Title: m.Title + " - 留言选登", Section: "hdjl", Data: map[string]any{"M": m, "Names": names}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"留言选登", "/hdjl/ly"}, {m.Title, ""}}
	s.render(w, r, http.StatusOK, "portal/ly_detail.html", p)
	return nil
}

// lyFormView is the message form and, once accepted, its confirmation.
type lyFormView struct {
	Targets     targetGroups
	Categories  []board.Category
	Config      board.Config
	Rules       moderation.Config
	SubmitKey   string
	Accepted    *board.Message
	OrgName     string
	Suggested   bool // the no-script lookup ran
	Suggestions []board.Suggestion
}

func (s *Server) lyFormData(r *http.Request) (*pageData, *lyFormView, error) {
	ctx := r.Context()
	targets, err := s.boardTargets(r)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := board.LoadConfig(ctx, s.DB.R)
	if err != nil {
		return nil, nil, err
	}
	rules, err := moderation.Load(ctx, s.DB.R)
	if err != nil {
		return nil, nil, err
	}
	v := &lyFormView{Targets: targets, Categories: board.Categories, Config: cfg, Rules: rules, SubmitKey: newSubmitKey()}
	p := &pageData{Title: "我要留言 - 互动交流", Section: "hdjl", Data: v, Form: map[string]string{}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"我要留言", ""}}
	return p, v, nil
}

func (s *Server) lyForm(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.lyFormData(r)
	if err != nil {
		return err
	}
	p.Form["org_id"] = r.URL.Query().Get("org")
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "portal/ly_form.html", p)
	return nil
}

// maxMessageForm bounds the message form's body: text fields only, so a
// 100 KB message is still read and refused with the field named.
const maxMessageForm = 512 << 10

func (s *Server) lySubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxMessageForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.New(apperr.Invalid, "提交的内容过长（超过 512 KB），请精简后分条留言")
		}
		return apperr.New(apperr.Invalid, "表单无法读取，请重新填写")
	}
	f := r.PostForm.Get
	p, v, err := s.lyFormData(r)
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
	if f("op") == "suggest" {
		// Only a lookup: nothing is stored or counted.
		if v.Suggestions, err = s.Board.Suggest(r.Context(), f("title")+"\n"+f("body")); err != nil {
			return err
		}
		v.Suggested = true
		s.render(w, r, http.StatusOK, "portal/ly_form.html", p)
		return nil
	}
	in := board.Input{OrgID: f("org_id"), Category: f("category"), Title: f("title"), Body: f("body"), Name: f("name"),
		Contact: f("contact"), Consent: f("consent") == "1", Honeypot: f("website")}
	m, err := s.Board.Submit(r.Context(), clientIP(r), key, in)
	if err == nil {
		v.Accepted = &m
		if o, err := s.Orgs.GetOrg(r.Context(), m.OrgID); err == nil {
			v.OrgName = o.Name
		}
		p.Title = "留言已提交 - 互动交流"
		p.Form = nil
		s.render(w, r, http.StatusOK, "portal/ly_form.html", p)
		return nil
	}
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	switch e.Kind {
	case apperr.Invalid:
		formErrors(err, p)
	case apperr.TooMany:
		var le *moderation.LimitError
		if errors.As(err, &le) {
			w.Header().Set("Retry-After", strconv.FormatInt(int64((le.Wait+999999999)/1e9), 10))
		}
		p.Error = e.Message + "；您填写的内容已保留。"
	case apperr.Forbidden:
		p.Error = e.Message
	default:
		return err
	}
	s.render(w, r, statusOf(e.Kind), "portal/ly_form.html", p)
	return nil
}

type lyTrackView struct {
	No       string
	NotFound bool
	T        *board.Tracking
	Ratings  []string
	Labels   map[string]string
}

func (s *Server) lyTrackPage(w http.ResponseWriter, r *http.Request, status int, p *pageData, no string) error {
	v := &lyTrackView{No: strings.TrimSpace(no), Ratings: board.RatingOrder, Labels: board.RatingLabels}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	if v.No != "" {
		t, err := s.Board.Track(r.Context(), v.No)
		switch {
		case err == nil:
			v.T = &t
		case apperr.Is(err, apperr.NotFound):
			v.NotFound, status = true, http.StatusNotFound
		default:
			return err
		}
	}
	p.Title, p.Section, p.Data = "留言办理查询 - 互动交流", "hdjl", v
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"留言办理查询", ""}}
	s.render(w, r, status, "portal/ly_track.html", p)
	return nil
}

func (s *Server) lyTrack(w http.ResponseWriter, r *http.Request) error {
	return s.lyTrackPage(w, r, http.StatusOK, &pageData{}, r.URL.Query().Get("no"))
}

func (s *Server) lyRate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm.Get
	no := strings.TrimSpace(f("no"))
	_, err := s.Board.Rate(r.Context(), clientIP(r), no, f("rating"), f("rating_comment"))
	if err == nil {
		http.Redirect(w, r, "/hdjl/ly/cx?no="+url.QueryEscape(no)+"#h-rate", http.StatusSeeOther)
		return nil
	}
	p := &pageData{Form: formValues(r)}
	e, ok := apperr.As(err)
	switch {
	case !ok || e.Kind == apperr.NotFound:
		return err
	case e.Kind == apperr.Invalid:
		formErrors(err, p)
	default:
		p.Error = e.Message
	}
	return s.lyTrackPage(w, r, statusOf(e.Kind), p, no)
}

// lyMonth is a month row of the statistics page with its link.
type lyMonth struct {
	board.MonthStats
	Key  string // 2026-10
	Href string
}

func (s *Server) lyStats(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	today := s.Board.Today()
	years, err := s.Board.StatsYears(ctx)
	if err != nil {
		return err
	}
	year := today.Year
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil {
		for _, known := range years {
			if y == known {
				year = y
			}
		}
	}
	stats, err := s.Board.Stats(ctx, year)
	if err != nil {
		return err
	}
	var months []lyMonth
	var total board.Stat
	for _, m := range stats {
		key := workday.Date{Year: m.Year, Month: m.Month, Day: 1}.String()[:7]
		months = append(months, lyMonth{MonthStats: m, Key: key, Href: "/hdjl/ly/tj?year=" + strconv.Itoa(year) + "&month=" + key + "#h-orgs"})
		total.Received += m.Total.Received
		total.Replied += m.Total.Replied
		total.OnTime += m.Total.OnTime
		total.Timed += m.Total.Timed
		total.TotalDays += m.Total.TotalDays
		total.Satisfied += m.Total.Satisfied
		total.Basic += m.Total.Basic
		total.Unsatisfied += m.Total.Unsatisfied
		total.Unanswered += m.Total.Unanswered
	}
	var sel *lyMonth
	want := r.URL.Query().Get("month")
	for i := range months {
		if months[i].Key == want || sel == nil && want == "" {
			sel = &months[i]
		}
	}
	if sel == nil && len(months) > 0 {
		sel = &months[0]
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	cfg, err := board.LoadConfig(ctx, s.DB.R)
	if err != nil {
		return err
	}
	p := &pageData{Title: strconv.Itoa(year) + " 年留言办理统计 - 互动交流", Section: "hdjl", Data: map[string]any{"Year": year,
		"Years": years, "Months": months, "Total": total, "Sel": sel, "Names": names, "Config": cfg,
		"Categories": board.Categories}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"留言选登", "/hdjl/ly"}, {"办理统计", ""}}
	s.render(w, r, http.StatusOK, "portal/ly_stats.html", p)
	return nil
}

// qaView is a Q&A entry with its org and policy for pages.
type qaView struct {
	board.QA
	OrgName string
	Policy  board.PolicyRef
	Linked  bool
}

func (s *Server) qaViews(r *http.Request, qs []board.QA) ([]qaView, error) {
	names, err := s.orgNames(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]qaView, len(qs))
	for i, q := range qs {
		out[i] = qaView{QA: q, OrgName: names[q.OrgID]}
		out[i].Policy, out[i].Linked = s.Board.Policy(r.Context(), q.PolicyID)
	}
	return out, nil
}

func (s *Server) wdList(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if rs := []rune(q); len(rs) > 100 {
		q = string(rs[:100])
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	const size = 20
	qs, total, err := s.Board.PublicQAs(r.Context(), q, size, (page-1)*size)
	if err != nil {
		return err
	}
	views, err := s.qaViews(r, qs)
	if err != nil {
		return err
	}
	base := "/hdjl/wd?"
	if q != "" {
		base += "q=" + url.QueryEscape(q) + "&"
	}
	p := &pageData{Title: "政策问答 - 互动交流", Section: "hdjl", Form: map[string]string{"q": q},
		Data: map[string]any{"Rows": views, "Total": total, "Q": q, "Pager": newPager(page, size, total, base+"page=")}}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"政策问答", ""}}
	s.render(w, r, http.StatusOK, "portal/wd_list.html", p)
	return nil
}

func (s *Server) wdDetail(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Board.PublicQA(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	views, err := s.qaViews(r, []board.QA{q})
	if err != nil {
		return err
	}
	p := &pageData{Title: q.Question + " - 政策问答", Section: "hdjl", Data: views[0]}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", "/hdjl"}, {"政策问答", "/hdjl/wd"}, {q.Question, ""}}
	s.render(w, r, http.StatusOK, "portal/wd_detail.html", p)
	return nil
}

// wdSuggest answers the message form's script: {"items": [...]}.
func (s *Server) wdSuggest(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	items, err := s.Board.Suggest(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if items == nil {
		items = []board.Suggestion{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// boardInteract is what the 互动交流 entry page shows of the board.
func (s *Server) boardInteract(r *http.Request, data map[string]any) error {
	rows, total, err := s.Board.PublicList(r.Context(), board.PublicFilter{Limit: 5})
	if err != nil {
		return err
	}
	qas, qaTotal, err := s.Board.PublicQAs(r.Context(), "", 5, 0)
	if err != nil {
		return err
	}
	data["Messages"], data["MessagesTotal"], data["QAs"], data["QATotal"] = rows, total, qas, qaTotal
	return nil
}
