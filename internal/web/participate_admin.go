package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/participate"
)

// The back office of 公众参与:
//
//	/admin/participate                         solicitations in scope (tabs by stage)
//	/admin/participate/new, POST /admin/participate
//	/admin/participate/{id}                    a solicitation: facts, files, actions, counts
//	/admin/participate/{id}/edit, POST /admin/participate/{id}
//	POST …/{id}/publish | extend | discard | files | files/{hash}/delete
//	/admin/participate/queue                   the moderation queue (?s=, ?status=)
//	POST /admin/participate/moderate           approve or reject the ticked comments
//	/admin/participate/{id}/comments/{cid}     one comment, with the moderator's forms
//	/admin/participate/{id}/report             the adoption report editor; POST …/report/{op}
//	/admin/participate/{id}/export             Excel (both tables) or CSV (?what=comments|report)
//	/admin/participate/settings                moderation rules and reason templates (district admins)
//	/admin/decisions                           the 重大行政决策事项目录 (?year=)
//	/admin/decisions/new, /admin/decisions/{id}[/edit], POST …/list | remove | stages/{kind}
func (s *Server) participateAdminRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/participate", s.admin(s.paList))
	m.HandleFunc("GET /admin/participate/new", s.admin(s.paNew))
	m.HandleFunc("POST /admin/participate", s.admin(s.paCreate))
	m.HandleFunc("GET /admin/participate/queue", s.admin(s.paQueue))
	m.HandleFunc("POST /admin/participate/moderate", s.admin(s.paModerate))
	m.HandleFunc("GET /admin/participate/settings", s.admin(s.paSettings))
	m.HandleFunc("POST /admin/participate/settings", s.admin(s.paSettingsSave))
	m.HandleFunc("GET /admin/participate/{id}", s.admin(s.paShow))
	m.HandleFunc("GET /admin/participate/{id}/edit", s.admin(s.paEdit))
	m.HandleFunc("POST /admin/participate/{id}", s.admin(s.paUpdate))
	m.HandleFunc("POST /admin/participate/{id}/publish", s.admin(s.paAction("publish")))
	m.HandleFunc("POST /admin/participate/{id}/extend", s.admin(s.paAction("extend")))
	m.HandleFunc("POST /admin/participate/{id}/discard", s.admin(s.paAction("discard")))
	m.HandleFunc("POST /admin/participate/{id}/files", s.admin(s.paUpload))
	m.HandleFunc("POST /admin/participate/{id}/files/{hash}/delete", s.admin(s.paAction("detach")))
	m.HandleFunc("GET /admin/participate/{id}/files/{hash}", s.admin(s.paDownload))
	m.HandleFunc("GET /admin/participate/{id}/comments/{cid}", s.admin(s.paComment))
	m.HandleFunc("GET /admin/participate/{id}/report", s.admin(s.paReport))
	m.HandleFunc("POST /admin/participate/{id}/report/{op}", s.admin(s.paReportPost))
	m.HandleFunc("GET /admin/participate/{id}/export", s.admin(s.paExport))
	m.HandleFunc("GET /admin/decisions", s.admin(s.dcList))
	m.HandleFunc("GET /admin/decisions/new", s.admin(s.dcNew))
	m.HandleFunc("POST /admin/decisions", s.admin(s.dcCreate))
	m.HandleFunc("GET /admin/decisions/{id}", s.admin(s.dcShow))
	m.HandleFunc("GET /admin/decisions/{id}/edit", s.admin(s.dcEdit))
	m.HandleFunc("POST /admin/decisions/{id}", s.admin(s.dcUpdate))
	m.HandleFunc("POST /admin/decisions/{id}/list", s.admin(s.dcStatus(true)))
	m.HandleFunc("POST /admin/decisions/{id}/remove", s.admin(s.dcStatus(false)))
	m.HandleFunc("POST /admin/decisions/{id}/stages/{kind}", s.admin(s.dcStage))
}

var paTabs = []struct{ Stage, Label string }{
	{"", "全部"}, {participate.StageDraft, "草稿"}, {participate.StageUpcoming, "即将开始"}, {participate.StageOpen, "意见征集中"},
	{participate.StageProcessing, "意见处理中"}, {participate.StageReported, "采纳情况已公布"},
}

func (s *Server) paList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if !p.CanAny(org.PermParticipateView) {
		return apperr.New(apperr.Forbidden, "您没有查看公众参与的权限")
	}
	stage := r.URL.Query().Get("zt")
	type tab struct {
		Label, Href string
		Current     bool
	}
	var tabs []tab
	known := false
	for _, t := range paTabs {
		href := "/admin/participate"
		if t.Stage != "" {
			href += "?zt=" + t.Stage
		}
		tabs = append(tabs, tab{t.Label, href, t.Stage == stage})
		known = known || t.Stage == stage
	}
	if !known {
		stage = ""
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	const size = 30
	rows, total, err := s.Participate.List(ctx, p, participate.Filter{Stage: stage, Limit: size, Offset: (page - 1) * size})
	if err != nil {
		return err
	}
	_, pending, err := s.Participate.Comments(ctx, p, participate.CommentFilter{Status: participate.CommentPending, Limit: 1})
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	base := "/admin/participate?"
	if stage != "" {
		base += "zt=" + stage + "&"
	}
	pd := &pageData{Title: "公众参与", Section: "participate", Data: map[string]any{"Rows": rows, "Names": names, "Tabs": tabs,
		"Pager": newPager(page, size, total, base+"page="), "Today": s.Participate.Today(), "Labels": participate.StageLabels,
		"Pending": pending, "CanEdit": p.CanAny(org.PermParticipateEdit), "CanModerate": p.CanAny(org.PermParticipateModerate)}}
	pd.Breadcrumb = []crumb{{"公众参与", ""}}
	s.render(w, r, http.StatusOK, "admin/pa_list.html", pd)
	return nil
}

// --- create and edit ---

type paFormView struct {
	Orgs      []orgRow
	Decisions []participate.DecisionEntry
	Editing   *participate.Solicitation
}

func (s *Server) renderPaForm(w http.ResponseWriter, r *http.Request, status int, pd *pageData, editing *participate.Solicitation) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	orgs, err := s.scopedOrgs(ctx, p, org.PermParticipateEdit)
	if err != nil {
		return err
	}
	year := s.Participate.Today().Year
	var ds []participate.DecisionEntry
	for _, y := range []int{year, year - 1, year + 1} {
		list, err := s.Participate.Decisions(ctx, p, y)
		if err != nil {
			return err
		}
		ds = append(ds, list...)
	}
	pd.Section = "participate"
	pd.Data = paFormView{Orgs: orgs, Decisions: ds, Editing: editing}
	s.render(w, r, status, "admin/pa_form.html", pd)
	return nil
}

func (s *Server) paNew(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if !p.CanAny(org.PermParticipateEdit) {
		return apperr.New(apperr.Forbidden, "您没有新建征求意见的权限")
	}
	today := s.Participate.Today()
	pd := &pageData{Title: "新建征求意见", Form: map[string]string{"org_id": p.User.OrgID, "start_on": today.String(),
		"end_on": today.AddDays(participate.MajorMinDays - 1).String(), "decision_id": r.URL.Query().Get("decision")}}
	if pd.Form["decision_id"] != "" {
		pd.Form["major"] = "1"
	}
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {"新建征求意见", ""}}
	return s.renderPaForm(w, r, http.StatusOK, pd, nil)
}

func paInput(r *http.Request) participate.SolicitationInput {
	f := r.PostForm.Get
	return participate.SolicitationInput{OrgID: f("org_id"), DecisionID: f("decision_id"), Title: f("title"), Draft: f("draft"),
		Explanation: f("explanation"), HowTo: f("how_to"), StartOn: f("start_on"), EndOn: f("end_on"), Major: f("major") == "1",
		ShortenReason: f("shorten_reason")}
}

// paForm limits staff forms carrying a whole draft (a long regulation
// pasted from Word is a few hundred KB of HTML).
func paForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.New(apperr.Invalid, "提交的内容超过 4 MB，请把附图等作为附件上传")
		}
		return err
	}
	return nil
}

func (s *Server) paCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := paForm(w, r); err != nil {
		return err
	}
	c, err := s.Participate.Create(ctx, p, clientIP(r), paInput(r))
	if err != nil {
		pd := &pageData{Title: "新建征求意见", Form: formValues(r)}
		pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {"新建征求意见", ""}}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderPaForm(w, r, http.StatusBadRequest, pd, nil)
	}
	http.Redirect(w, r, "/admin/participate/"+c.ID+"?ok=created", http.StatusSeeOther)
	return nil
}

func paFormValues(c participate.Solicitation) map[string]string {
	m := map[string]string{"org_id": c.OrgID, "decision_id": c.DecisionID, "title": c.Title, "draft": c.Draft,
		"explanation": c.Explanation, "how_to": c.HowTo, "start_on": c.StartOn, "end_on": c.EndOn, "shorten_reason": c.ShortenReason}
	if c.Major {
		m["major"] = "1"
	}
	return m
}

func (s *Server) paEdit(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Participate.Get(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	pd := &pageData{Title: "修改征求意见稿", Form: paFormValues(c)}
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {c.Title, "/admin/participate/" + c.ID}, {"修改", ""}}
	return s.renderPaForm(w, r, http.StatusOK, pd, &c)
}

func (s *Server) paUpdate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := paForm(w, r); err != nil {
		return err
	}
	c, err := s.Participate.Get(ctx, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := s.Participate.Update(ctx, p, clientIP(r), c.ID, paInput(r)); err != nil {
		pd := &pageData{Title: "修改征求意见稿", Form: formValues(r)}
		pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {c.Title, "/admin/participate/" + c.ID}, {"修改", ""}}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderPaForm(w, r, http.StatusBadRequest, pd, &c)
	}
	http.Redirect(w, r, "/admin/participate/"+c.ID+"?ok=saved", http.StatusSeeOther)
	return nil
}

// --- the solicitation page ---

func (s *Server) paShowData(r *http.Request, c participate.Solicitation) (map[string]any, error) {
	ctx := r.Context()
	p := principalFrom(ctx)
	row, err := s.Participate.Counts(ctx, c)
	if err != nil {
		return nil, err
	}
	files, err := s.Participate.Files(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	o, err := s.Orgs.GetOrg(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	canEdit, _ := s.Orgs.Allowed(ctx, p, org.PermParticipateEdit, c.OrgID)
	canMod, _ := s.Orgs.Allowed(ctx, p, org.PermParticipateModerate, c.OrgID)
	today := s.Participate.Today()
	data := map[string]any{"S": c, "Row": row, "Org": o, "Files": files, "Stage": c.Stage(today),
		"StageLabel": participate.StageLabels[c.Stage(today)], "CanEdit": canEdit, "CanModerate": canMod,
		"Steps": stageSteps(c, today), "FileTypes": strings.Join(participate.FileTypes, "、"), "Today": today}
	if c.DecisionID != "" {
		if d, err := s.Participate.GetDecision(ctx, p, c.DecisionID); err == nil {
			data["Decision"] = d
		}
	}
	return data, nil
}

func (s *Server) paShow(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Participate.Get(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderPaShow(w, r, http.StatusOK, &pageData{}, c)
}

func (s *Server) renderPaShow(w http.ResponseWriter, r *http.Request, status int, pd *pageData, c participate.Solicitation) error {
	data, err := s.paShowData(r, c)
	if err != nil {
		return err
	}
	pd.Title, pd.Section, pd.Data = c.Title, "participate", data
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {c.Title, ""}}
	s.render(w, r, status, "admin/pa_show.html", pd)
	return nil
}

// paAction runs a state change on a solicitation and returns to its page;
// a refusal re-renders the page with the message next to the form.
func (s *Server) paAction(action string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		p := principalFrom(ctx)
		if err := parseForm(w, r); err != nil {
			return err
		}
		c, err := s.Participate.Get(ctx, p, r.PathValue("id"))
		if err != nil {
			return err
		}
		ip := clientIP(r)
		flash := "saved"
		switch action {
		case "publish":
			flash = "published"
			_, err = s.Participate.Publish(ctx, p, ip, c.ID)
		case "extend":
			flash = "extended"
			_, err = s.Participate.Extend(ctx, p, ip, c.ID, r.PostForm.Get("end_on"), r.PostForm.Get("extend_reason"))
		case "discard":
			if err = s.Participate.Discard(ctx, p, ip, c.ID); err == nil {
				http.Redirect(w, r, "/admin/participate?ok=discarded", http.StatusSeeOther)
				return nil
			}
		case "detach":
			flash = "deleted"
			err = s.Participate.RemoveFile(ctx, p, ip, c.ID, r.PathValue("hash"))
		}
		if err != nil {
			pd := &pageData{Form: formValues(r)}
			if e := formErrors(err, pd); e != nil {
				if ae, ok := apperr.As(e); ok && ae.Kind == apperr.Conflict {
					pd.Error = ae.Message
					return s.renderPaShow(w, r, http.StatusConflict, pd, c)
				}
				return e
			}
			return s.renderPaShow(w, r, http.StatusBadRequest, pd, c)
		}
		http.Redirect(w, r, "/admin/participate/"+c.ID+"?ok="+flash, http.StatusSeeOther)
		return nil
	}
}

func (s *Server) paUpload(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	c, err := s.Participate.Get(ctx, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, info.MaxAttachment+1<<20)
	fail := func(msg string) error {
		pd := &pageData{Errors: map[string]string{"file": msg}, Error: msg}
		return s.renderPaShow(w, r, http.StatusBadRequest, pd, c)
	}
	if err := r.ParseMultipartForm(4 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fail(fmt.Sprintf("附件不能超过 %d MB", info.MaxAttachment>>20))
		}
		return fail("请选择要上传的文件")
	}
	defer r.MultipartForm.RemoveAll()
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return fail("请选择要上传的文件")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, info.MaxAttachment+1))
	if err != nil {
		return err
	}
	if _, err := s.Participate.AddFile(ctx, p, clientIP(r), c.ID, hdr.Filename, data); err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid && len(e.Fields) > 0 {
			return fail(e.Fields[0].Message)
		}
		return err
	}
	http.Redirect(w, r, "/admin/participate/"+c.ID+"?ok=saved#files", http.StatusSeeOther)
	return nil
}

func (s *Server) paDownload(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Participate.Get(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.sendParticipateFile(w, r, c.ID)
}

// --- moderation ---

var queueTabs = []struct{ Status, Label string }{
	{participate.CommentPending, "待审核"}, {participate.CommentApproved, "已公开"}, {participate.CommentRejected, "不予公开"}, {"all", "全部"},
}

func (s *Server) paQueue(w http.ResponseWriter, r *http.Request) error {
	pd := &pageData{}
	if f := r.URL.Query().Get("n"); f != "" {
		if n, err := strconv.Atoi(f); err == nil {
			pd.Flash = fmt.Sprintf("已处理 %d 条意见。", n)
		}
	}
	return s.renderPaQueue(w, r, http.StatusOK, pd)
}

func (s *Server) renderPaQueue(w http.ResponseWriter, r *http.Request, code int, pd *pageData) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if !p.CanAny(org.PermParticipateView) {
		return apperr.New(apperr.Forbidden, "您没有查看公众参与的权限")
	}
	q := r.URL.Query()
	status := q.Get("status")
	known := false
	for _, t := range queueTabs {
		known = known || t.Status == status
	}
	if !known {
		status = participate.CommentPending
	}
	solID := q.Get("s")
	var sol *participate.Solicitation
	if solID != "" {
		c, err := s.Participate.Get(ctx, p, solID)
		if err != nil {
			return err
		}
		sol = &c
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	const size = 50
	filter := participate.CommentFilter{SolicitationID: solID, Status: status, Limit: size, Offset: (page - 1) * size}
	if status == "all" {
		filter.Status = ""
	}
	rows, total, err := s.Participate.Comments(ctx, p, filter)
	if err != nil {
		return err
	}
	cfg, err := moderation.Load(ctx, s.DB.R)
	if err != nil {
		return err
	}
	type tab struct {
		Label, Href string
		Current     bool
	}
	qs := func(st string) string {
		v := url.Values{"status": {st}}
		if solID != "" {
			v.Set("s", solID)
		}
		return "/admin/participate/queue?" + v.Encode()
	}
	var tabs []tab
	for _, t := range queueTabs {
		tabs = append(tabs, tab{t.Label, qs(t.Status), t.Status == status})
	}
	canMod := map[string]bool{}
	for _, row := range rows {
		if _, seen := canMod[row.OrgID]; !seen {
			canMod[row.OrgID], _ = s.Orgs.Allowed(ctx, p, org.PermParticipateModerate, row.OrgID)
		}
	}
	next := qs(status)
	if page > 1 {
		next += "&page=" + strconv.Itoa(page)
	}
	pd.Title, pd.Section = "意见审核", "participate"
	pd.Data = map[string]any{"Rows": rows, "Tabs": tabs, "Status": status,
		"Sol": sol, "Reasons": cfg.RejectReasons, "Labels": participate.CommentStatusLabels, "CanModerate": canMod,
		"AnyModerate": p.CanAny(org.PermParticipateModerate), "Pager": newPager(page, size, total, qs(status)+"&page="),
		"Next": next, "Total": total}
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {"意见审核", ""}}
	if sol != nil {
		pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {sol.Title, "/admin/participate/" + sol.ID}, {"意见审核", ""}}
	}
	s.render(w, r, code, "admin/pa_queue.html", pd)
	return nil
}

// paModerate approves or rejects the ticked comments (the queue) or one
// comment (its page); errors come back on the page the form was on.
func (s *Server) paModerate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	next := safeNext(f.Get("next"), "/admin/participate/queue")
	if !strings.HasPrefix(next, "/admin/participate") {
		next = "/admin/participate/queue"
	}
	d := participate.Decision{Approve: f.Get("action") == "approve", Reason: f.Get("reason"), Note: f.Get("note")}
	if f.Get("action") == "approve" && f.Get("public_body") != f.Get("public_body_orig") {
		d.PublicText = f.Get("public_body")
	}
	if f.Get("action") != "approve" && f.Get("action") != "reject" {
		return apperr.New(apperr.Invalid, "请选择“通过”或“不予公开”")
	}
	n, err := s.Participate.Moderate(ctx, p, clientIP(r), f["id"], d)
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Kind == apperr.NotFound {
			return err
		}
		// Back to the form's page with the message: a redirect cannot
		// carry it, so that page is rendered here.
		u, _ := url.Parse(next)
		pd := &pageData{Form: formValues(r)}
		if e.Kind == apperr.Invalid {
			formErrors(err, pd)
		} else {
			pd.Error = e.Message
		}
		if parts := strings.Split(u.Path, "/"); len(parts) == 6 && parts[4] == "comments" {
			return s.renderPaComment(w, r, statusOf(e.Kind), pd, parts[3], parts[5])
		}
		msgs := []string{e.Message}
		if e.Kind == apperr.Invalid && len(e.Fields) > 0 {
			msgs = msgs[:0]
			for _, fe := range e.Fields {
				msgs = append(msgs, fe.Message)
			}
		}
		pd.Error = "未处理：" + strings.Join(msgs, "；")
		r2 := r.Clone(ctx)
		r2.URL = u
		return s.renderPaQueue(w, r2, statusOf(e.Kind), pd)
	}
	sep := "?"
	if strings.Contains(next, "?") {
		sep = "&"
	}
	if strings.Contains(next, "/comments/") {
		http.Redirect(w, r, next+sep+"ok=saved", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, next+sep+"n="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}

func (s *Server) paComment(w http.ResponseWriter, r *http.Request) error {
	return s.renderPaComment(w, r, http.StatusOK, &pageData{}, r.PathValue("id"), r.PathValue("cid"))
}

func (s *Server) renderPaComment(w http.ResponseWriter, r *http.Request, status int, pd *pageData, solID, cid string) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	c, sol, err := s.Participate.GetComment(ctx, p, cid)
	if err != nil || sol.ID != solID {
		return apperr.NotFoundf("意见不存在或无权查看")
	}
	cfg, err := moderation.Load(ctx, s.DB.R)
	if err != nil {
		return err
	}
	canMod, _ := s.Orgs.Allowed(ctx, p, org.PermParticipateModerate, sol.OrgID)
	var dup *participate.Comment
	if c.DupOf != "" {
		if d, _, err := s.Participate.GetComment(ctx, p, c.DupOf); err == nil {
			dup = &d
		}
	}
	if pd.Form == nil {
		pd.Form = map[string]string{"public_body": c.PublicBody}
	}
	pd.Title, pd.Section = fmt.Sprintf("第 %d 条意见 - %s", c.Seq, sol.Title), "participate"
	pd.Data = map[string]any{"C": c, "S": sol, "Dup": dup, "CanModerate": canMod && sol.Status != participate.StatusReported,
		"Reasons": cfg.RejectReasons, "Labels": participate.CommentStatusLabels, "Decisions": participate.DecisionLabels,
		"ParaText": paraText(sol.Draft, c.Para), "Masked": c.PublicBody != c.Body}
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {sol.Title, "/admin/participate/" + sol.ID},
		{"意见审核", "/admin/participate/queue?s=" + sol.ID}, {fmt.Sprintf("第 %d 条意见", c.Seq), ""}}
	s.render(w, r, status, "admin/pa_comment.html", pd)
	return nil
}

func paraText(draft string, n int) string {
	for _, b := range participate.Blocks(draft) {
		if b.N == n {
			return b.Text
		}
	}
	return ""
}

// --- adoption report ---

func (s *Server) paReport(w http.ResponseWriter, r *http.Request) error {
	return s.renderPaReport(w, r, http.StatusOK, &pageData{})
}

func (s *Server) renderPaReport(w http.ResponseWriter, r *http.Request, status int, pd *pageData) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	c, err := s.Participate.Get(ctx, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	rep, err := s.Participate.Report(ctx, c)
	if err != nil {
		return err
	}
	rows, _, err := s.Participate.Comments(ctx, p, participate.CommentFilter{SolicitationID: c.ID, Status: participate.CommentApproved, Limit: 500})
	if err != nil {
		return err
	}
	groups, err := s.Participate.Groups(ctx, c.ID)
	if err != nil {
		return err
	}
	templates, err := s.Participate.ReasonTemplates(ctx)
	if err != nil {
		return err
	}
	groupNames := map[string]string{}
	for _, g := range groups {
		groupNames[g.ID] = g.Summary
	}
	canEdit, _ := s.Orgs.Allowed(ctx, p, org.PermParticipateEdit, c.OrgID)
	canMod, _ := s.Orgs.Allowed(ctx, p, org.PermParticipateModerate, c.OrgID)
	today := s.Participate.Today()
	editable := c.Status == participate.StatusPublished
	if pd.Form == nil {
		pd.Form = map[string]string{"report_summary": c.ReportSummary}
	} else if _, ok := pd.Form["report_summary"]; !ok {
		pd.Form["report_summary"] = c.ReportSummary
	}
	if pd.Flash == "" {
		pd.Flash = reportFlashes[r.URL.Query().Get("done")]
	}
	// Each group's form starts from its summary and common answer.
	for _, it := range rep.Items {
		if it.GroupID == "" {
			continue
		}
		for k, v := range map[string]string{"summary_": groupNames[it.GroupID], "decision_": it.Decision, "reason_": it.Reason} {
			if _, ok := pd.Form[k+it.GroupID]; !ok {
				pd.Form[k+it.GroupID] = v
			}
		}
	}
	var decisionNames []string
	for _, d := range participate.Decisions {
		decisionNames = append(decisionNames, participate.DecisionLabels[d])
	}
	pd.Title, pd.Section = "采纳情况 - "+c.Title, "participate"
	pd.Data = map[string]any{"S": c, "Rep": rep, "Rows": rows, "Groups": groups, "GroupNames": groupNames, "Templates": templates,
		"Decisions": participate.Decisions, "DecisionLabels": participate.DecisionLabels, "DecisionNames": decisionNames,
		"CanEdit": canEdit && editable, "CanPublish": canMod && editable && c.Stage(today) == participate.StageProcessing,
		"Stage": c.Stage(today), "StageLabel": participate.StageLabels[c.Stage(today)]}
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {c.Title, "/admin/participate/" + c.ID}, {"采纳情况", ""}}
	s.render(w, r, status, "admin/pa_report.html", pd)
	return nil
}

var reportFlashes = map[string]string{"decide": "已记录所选意见的采纳情况。", "group": "已归入分组。", "ungroup": "已移出分组。",
	"autogroup": "已把相同或相近的意见自动分组。", "rename": "已保存分组。", "summary": "已保存总体说明。"}

func (s *Server) paReportPost(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	c, err := s.Participate.Get(ctx, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := r.PostForm
	ip := clientIP(r)
	op := r.PathValue("op")
	if op == "bulk" {
		op = f.Get("op") // the bulk form's buttons name the operation
	}
	switch op {
	case "decide":
		_, err = s.Participate.SetDecisions(ctx, p, ip, c.ID, f["id"], f.Get("decision"), f.Get("reason"))
	case "group":
		_, err = s.Participate.GroupComments(ctx, p, ip, c.ID, f["id"], f.Get("group_id"), f.Get("summary"))
	case "ungroup":
		_, err = s.Participate.Ungroup(ctx, p, ip, c.ID, f["id"])
	case "autogroup":
		_, err = s.Participate.AutoGroup(ctx, p, ip, c.ID)
	case "rename":
		// A group's own form: its summary and, optionally, one answer for
		// all its comments.
		gid := f.Get("group")
		err = s.Participate.RenameGroup(ctx, p, ip, c.ID, gid, f.Get("summary_"+gid))
		if err == nil && f.Get("decision_"+gid) != "" {
			var ids []string
			rows, _, lerr := s.Participate.Comments(ctx, p, participate.CommentFilter{SolicitationID: c.ID, Status: participate.CommentApproved, Limit: 500})
			if lerr != nil {
				return lerr
			}
			for _, row := range rows {
				if row.GroupID == gid {
					ids = append(ids, row.ID)
				}
			}
			_, err = s.Participate.SetDecisions(ctx, p, ip, c.ID, ids, f.Get("decision_"+gid), f.Get("reason_"+gid))
			if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid {
				for i := range e.Fields {
					e.Fields[i].Field += "_" + gid
				}
			}
		}
	case "summary":
		err = s.Participate.SaveSummary(ctx, p, ip, c.ID, f.Get("report_summary"))
	case "publish":
		if _, err = s.Participate.PublishReport(ctx, p, ip, c.ID); err == nil {
			http.Redirect(w, r, "/admin/participate/"+c.ID+"?ok=reported", http.StatusSeeOther)
			return nil
		}
	default:
		return apperr.NotFoundf("页面不存在")
	}
	if err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			ae, ok := apperr.As(e)
			if !ok || ae.Kind == apperr.NotFound {
				return e
			}
			pd.Error = ae.Message
			return s.renderPaReport(w, r, statusOf(ae.Kind), pd)
		}
		if op == "publish" {
			e, _ := apperr.As(err)
			pd.Error = e.Message
		}
		return s.renderPaReport(w, r, http.StatusBadRequest, pd)
	}
	http.Redirect(w, r, "/admin/participate/"+c.ID+"/report?done="+op, http.StatusSeeOther)
	return nil
}

func (s *Server) paExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := s.Participate.ExportData(ctx, principalFrom(ctx), r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var buf bytes.Buffer
	name := e.Solicitation.Title
	switch q.Get("format") {
	case "csv":
		if q.Get("what") == "report" {
			err, name = participate.WriteReportCSV(&buf, e), name+"-采纳情况.csv"
		} else {
			err, name = participate.WriteCommentsCSV(&buf, e), name+"-意见.csv"
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	default:
		err, name = participate.WriteXLSX(&buf, e), name+"-意见及采纳情况.xlsx"
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
	return nil
}

// --- settings ---

// moderationFields describes the moderation settings form.
var moderationFields = []struct {
	Key, Label, Hint string
	List             bool
}{
	{moderation.KeyMode, "审核方式", "先审后发：意见经审核后才公开（默认）；先发后审：未命中审核词的意见立即公开，审核员可随时撤下并说明理由。", false},
	{moderation.KeyMaxBody, "意见正文字数上限", "100–20000 字。", false},
	{moderation.KeyMaxShort, "姓名等短字段字数上限", "10–200 字。", false},
	{moderation.KeyMaxLinks, "网址个数上限", "一条意见中最多可包含的网址个数，0 表示不允许网址。", false},
	{moderation.KeyReviewWords, "审核词（转人工审核）", "每行一个。命中的意见不会被拒绝，而是等待审核员审核（先发后审时也不自动公开）。", true},
	{moderation.KeyBlockWords, "禁止词（拒绝提交）", "每行一个。命中时提交被拒绝，并提示修改。", true},
	{moderation.KeyBlockContacts, "屏蔽的联系方式", "每行一个电话号码或电子邮箱；使用或在正文中出现这些联系方式的提交被拒绝。", true},
	{moderation.KeyBlockIPs, "屏蔽的 IP 地址或网段", "每行一个，如 203.0.113.7 或 203.0.113.0/24。", true},
	{moderation.KeyIPRate, "每个 IP 地址的提交频率", "格式“次数/时长”，多条用逗号分隔，如 5/10m,30/24h（m 分钟，h 小时）。IPv6 按 /64 网段计。", false},
	{moderation.KeyContactRate, "每个联系方式的提交频率", "同上；电话号码不论写法按同一号码计。", false},
	{moderation.KeyNearDup, "相近意见的相似度阈值", "0.3–1。两条意见按字符三元组计算的相似度达到该值即视为相近意见，合并显示并计数；1 表示只合并完全相同的意见。默认 0.5。", false},
	{moderation.KeyRejectReasons, "不予公开的理由", "每行一条，审核员从中选择；以“其他”开头的理由须另写说明。将在互动交流规则页面公布。", true},
}

func (s *Server) paSettingsData(r *http.Request, pd *pageData) error {
	ctx := r.Context()
	cfg, err := moderation.Load(ctx, s.DB.R)
	if err != nil {
		return err
	}
	templates, err := s.Participate.ReasonTemplates(ctx)
	if err != nil {
		return err
	}
	if pd.Form == nil {
		pd.Form = cfg.Values()
		pd.Form[participate.KeyReasonTemplates] = strings.Join(templates, "\n")
	}
	pd.Title, pd.Section = "互动交流设置", "participate"
	pd.Data = map[string]any{"Fields": moderationFields, "ReasonKey": participate.KeyReasonTemplates}
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {"互动交流设置", ""}}
	return nil
}

func (s *Server) paSettings(w http.ResponseWriter, r *http.Request) error {
	if err := s.settingsAllowed(r.Context(), principalFrom(r.Context())); err != nil {
		return err
	}
	pd := &pageData{}
	if err := s.paSettingsData(r, pd); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin/pa_settings.html", pd)
	return nil
}

func (s *Server) paSettingsSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.settingsAllowed(ctx, p); err != nil {
		return err
	}
	var err error
	if r.PostForm.Get("form") == "reasons" {
		_, err = s.Participate.SaveReasonTemplates(ctx, p.Actor(clientIP(r)), r.PostForm.Get(participate.KeyReasonTemplates))
	} else {
		values := map[string]string{}
		for _, k := range moderation.Keys {
			values[k] = r.PostForm.Get(k)
		}
		_, err = moderation.Save(ctx, s.DB, p.Actor(clientIP(r)), s.Participate.Clock(), values)
	}
	if err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		if err := s.paSettingsData(r, pd); err != nil {
			return err
		}
		s.render(w, r, http.StatusBadRequest, "admin/pa_settings.html", pd)
		return nil
	}
	http.Redirect(w, r, "/admin/participate/settings?ok=saved", http.StatusSeeOther)
	return nil
}

// --- 重大行政决策事项目录 ---

func (s *Server) dcYear(r *http.Request) int {
	if y, ok := parseYear(r.URL.Query().Get("year")); ok {
		return y
	}
	return s.Participate.Today().Year
}

func (s *Server) dcList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if !p.CanAny(org.PermParticipateView) {
		return apperr.New(apperr.Forbidden, "您没有查看公众参与的权限")
	}
	year := s.dcYear(r)
	ds, err := s.Participate.Decisions(ctx, p, year)
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	this := s.Participate.Today().Year
	pd := &pageData{Title: fmt.Sprintf("%d 年度重大行政决策事项目录", year), Section: "participate",
		Data: map[string]any{"Year": year, "Rows": ds, "Names": names, "Statuses": participate.DecisionStatusLabels,
			"Years": []int{this + 1, this, this - 1, this - 2}, "Kinds": participate.StageKinds, "CanEdit": p.CanAny(org.PermParticipateEdit)}}
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {"重大行政决策事项目录", ""}}
	s.render(w, r, http.StatusOK, "admin/dc_list.html", pd)
	return nil
}

func (s *Server) renderDcForm(w http.ResponseWriter, r *http.Request, status int, pd *pageData, editing *participate.DecisionEntry) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	orgs, err := s.scopedOrgs(ctx, p, org.PermParticipateEdit)
	if err != nil {
		return err
	}
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return err
	}
	depth := org.Depth(all)
	var undertakers []orgRow
	for _, o := range all {
		if o.Kind != org.KindCommunity && o.Kind != org.KindVillage {
			undertakers = append(undertakers, orgRow{o, depth[o.ID]})
		}
	}
	pd.Section = "participate"
	pd.Data = map[string]any{"Orgs": orgs, "Undertakers": undertakers, "Editing": editing}
	s.render(w, r, status, "admin/dc_form.html", pd)
	return nil
}

func (s *Server) dcNew(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if !p.CanAny(org.PermParticipateEdit) {
		return apperr.New(apperr.Forbidden, "您没有编辑决策事项目录的权限")
	}
	pd := &pageData{Title: "新增重大行政决策事项", Form: map[string]string{"org_id": p.User.OrgID, "year": strconv.Itoa(s.dcYear(r))}}
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {"重大行政决策事项目录", "/admin/decisions"}, {"新增事项", ""}}
	return s.renderDcForm(w, r, http.StatusOK, pd, nil)
}

// dcInput reads the entry form; numbers that do not parse become values
// the service refuses, so every problem is reported at once.
func dcInput(r *http.Request) participate.DecisionInput {
	f := r.PostForm.Get
	in := participate.DecisionInput{OrgID: f("org_id"), Title: f("title"), UndertakerID: f("undertaker_id"), Basis: f("basis"),
		Planned: f("planned")}
	if y, err := strconv.Atoi(strings.TrimSpace(f("year"))); err == nil {
		in.Year = y
	}
	if v := strings.TrimSpace(f("seq")); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			in.Seq = n
		} else {
			in.Seq = -1
		}
	}
	return in
}

func (s *Server) dcCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	d, err := s.Participate.CreateDecision(ctx, p, clientIP(r), dcInput(r))
	if err != nil {
		pd := &pageData{Title: "新增重大行政决策事项", Form: formValues(r)}
		pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {"重大行政决策事项目录", "/admin/decisions"}, {"新增事项", ""}}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderDcForm(w, r, http.StatusBadRequest, pd, nil)
	}
	http.Redirect(w, r, "/admin/decisions/"+d.ID+"?ok=created", http.StatusSeeOther)
	return nil
}

func (s *Server) dcEdit(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Participate.GetDecision(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	pd := &pageData{Title: "修改重大行政决策事项", Form: map[string]string{"org_id": d.OrgID, "year": strconv.Itoa(d.Year),
		"seq": strconv.Itoa(d.Seq), "title": d.Title, "undertaker_id": d.UndertakerID, "basis": d.Basis, "planned": d.Planned}}
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {"重大行政决策事项目录", "/admin/decisions?year=" + strconv.Itoa(d.Year)},
		{d.Title, "/admin/decisions/" + d.ID}, {"修改", ""}}
	return s.renderDcForm(w, r, http.StatusOK, pd, &d)
}

func (s *Server) dcUpdate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	d, err := s.Participate.GetDecision(ctx, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := s.Participate.UpdateDecision(ctx, p, clientIP(r), d.ID, dcInput(r)); err != nil {
		pd := &pageData{Title: "修改重大行政决策事项", Form: formValues(r)}
		pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {"重大行政决策事项目录", "/admin/decisions?year=" + strconv.Itoa(d.Year)},
			{d.Title, "/admin/decisions/" + d.ID}, {"修改", ""}}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderDcForm(w, r, http.StatusBadRequest, pd, &d)
	}
	http.Redirect(w, r, "/admin/decisions/"+d.ID+"?ok=saved", http.StatusSeeOther)
	return nil
}

func (s *Server) dcShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderDcShow(w, r, http.StatusOK, &pageData{})
}

// stageForm is a stage as the decision page's forms show it; field
// names carry the kind so the page's forms keep distinct ids.
type stageForm struct {
	participate.StageKind
	Stage participate.Stage
}

func (s *Server) renderDcShow(w http.ResponseWriter, r *http.Request, status int, pd *pageData) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	d, err := s.Participate.GetDecision(ctx, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	canOrg, _ := s.Orgs.Allowed(ctx, p, org.PermParticipateEdit, d.OrgID)
	canUnd, _ := s.Orgs.Allowed(ctx, p, org.PermParticipateEdit, d.UndertakerID)
	canMod, _ := s.Orgs.Allowed(ctx, p, org.PermParticipateModerate, d.OrgID)
	var stages []stageForm
	if pd.Form == nil {
		pd.Form = map[string]string{}
	}
	for _, k := range participate.StageKinds {
		st := d.Stages[k.Kind]
		stages = append(stages, stageForm{k, st})
		if _, posted := pd.Form[k.Kind+"_posted"]; posted {
			continue
		}
		for name, v := range map[string]string{"on": st.On, "end_on": st.EndOn, "list_on": st.ListOn, "materials_on": st.MaterialsOn,
			"participants": st.Participants, "url": st.URL, "note": st.Note} {
			pd.Form[k.Kind+"_"+name] = v
		}
	}
	pd.Title, pd.Section = d.Title, "participate"
	pd.Data = map[string]any{"D": d, "Names": names, "Stages": stages, "CanEdit": canOrg, "CanStage": canOrg || canUnd,
		"CanModerate": canMod, "Statuses": participate.DecisionStatusLabels, "Labels": participate.StageLabels,
		"Today": s.Participate.Today()}
	pd.Breadcrumb = []crumb{{"公众参与", "/admin/participate"}, {"重大行政决策事项目录", "/admin/decisions?year=" + strconv.Itoa(d.Year)}, {d.Title, ""}}
	s.render(w, r, status, "admin/dc_show.html", pd)
	return nil
}

func (s *Server) dcStatus(list bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		p := principalFrom(ctx)
		if err := parseForm(w, r); err != nil {
			return err
		}
		id := r.PathValue("id")
		var err error
		flash := "listed"
		if list {
			err = s.Participate.ListDecision(ctx, p, clientIP(r), id)
		} else {
			flash = "removed"
			err = s.Participate.RemoveDecision(ctx, p, clientIP(r), id, r.PostForm.Get("removed_reason"))
		}
		if err != nil {
			pd := &pageData{Form: formValues(r)}
			if e := formErrors(err, pd); e != nil {
				ae, ok := apperr.As(e)
				if !ok || ae.Kind != apperr.Conflict {
					return e
				}
				pd.Error = ae.Message
				return s.renderDcShow(w, r, http.StatusConflict, pd)
			}
			return s.renderDcShow(w, r, http.StatusBadRequest, pd)
		}
		http.Redirect(w, r, "/admin/decisions/"+id+"?ok="+flash, http.StatusSeeOther)
		return nil
	}
}

func (s *Server) dcStage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	kind := r.PathValue("kind")
	f := func(name string) string { return r.PostForm.Get(kind + "_" + name) }
	st := participate.Stage{Kind: kind, On: f("on"), EndOn: f("end_on"), ListOn: f("list_on"), MaterialsOn: f("materials_on"),
		Participants: f("participants"), URL: f("url"), Note: f("note")}
	if _, err := s.Participate.SetStage(ctx, p, clientIP(r), r.PathValue("id"), st); err != nil {
		pd := &pageData{Form: formValues(r)}
		pd.Form[kind+"_posted"] = "1"
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid {
			for i := range e.Fields {
				e.Fields[i].Field = kind + "_" + e.Fields[i].Field
			}
		}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderDcShow(w, r, http.StatusBadRequest, pd)
	}
	http.Redirect(w, r, "/admin/decisions/"+r.PathValue("id")+"?ok=saved#stage-"+kind, http.StatusSeeOther)
	return nil
}
