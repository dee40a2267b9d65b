package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
)

// The back office of 留言 and 政策问答:
//
//	/admin/board                 the inbox: tabs 待办 (overdue first) / 逾期 / 待审核 / 待公开 /
//	                             已办结 / 已公开, ?org= one org of the scope, ?page=
//	/admin/board/veto            messages unanswered for more than three months (the veto)
//	/admin/board/{id}            a message: facts, clock, history and the forms its state allows
//	POST /admin/board/{id}/{op}  accept | transfer | reply | redirect | release | reject | publish | unpublish
//	/admin/board/qa              Q&A entries; /admin/board/qa/new; POST /admin/board/qa
//	/admin/board/qa/{id}         edit form and actions; POST …/qa/{id}; POST …/qa/{id}/publish | withdraw
//	/admin/board/settings        limits per category, escalation, other channels (district administrators)
func (s *Server) boardAdminRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/board", s.admin(s.bdList))
	m.HandleFunc("GET /admin/board/veto", s.admin(s.bdVeto))
	m.HandleFunc("GET /admin/board/settings", s.admin(s.bdSettings))
	m.HandleFunc("POST /admin/board/settings", s.admin(s.bdSettingsSave))
	m.HandleFunc("GET /admin/board/qa", s.admin(s.bdQAList))
	m.HandleFunc("GET /admin/board/qa/new", s.admin(s.bdQANew))
	m.HandleFunc("POST /admin/board/qa", s.admin(s.bdQACreate))
	m.HandleFunc("GET /admin/board/qa/{id}", s.admin(s.bdQAShow))
	m.HandleFunc("POST /admin/board/qa/{id}", s.admin(s.bdQAUpdate))
	m.HandleFunc("POST /admin/board/qa/{id}/{op}", s.admin(s.bdQAAction))
	m.HandleFunc("GET /admin/board/{id}", s.admin(s.bdShow))
	m.HandleFunc("POST /admin/board/{id}/{op}", s.admin(s.bdAction))
}

func needBoard(p *org.Principal) error {
	if !p.CanAny(org.PermBoardView) {
		return apperr.New(apperr.Forbidden, "您没有查看留言的权限")
	}
	return nil
}

var bdTabs = []struct{ Tab, Label string }{
	{board.TabOpen, "待办"}, {board.TabOverdue, "逾期"}, {board.TabHeld, "待审核"}, {board.TabToPublish, "待公开"},
	{board.TabDone, "已办结"}, {board.TabPublished, "已公开"},
}

func (s *Server) bdList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := needBoard(p); err != nil {
		return err
	}
	q := r.URL.Query()
	tab := q.Get("tab")
	known := false
	for _, t := range bdTabs {
		known = known || t.Tab == tab
	}
	if !known {
		tab = board.TabOpen
	}
	orgs, err := s.scopedOrgs(ctx, p, org.PermBoardView)
	if err != nil {
		return err
	}
	orgID := q.Get("org")
	inScope := false
	for _, o := range orgs {
		inScope = inScope || o.ID == orgID
	}
	if !inScope {
		orgID = ""
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	const size = 30
	rows, total, err := s.Board.List(ctx, p, board.Filter{Tab: tab, OrgID: orgID, Limit: size, Offset: (page - 1) * size})
	if err != nil {
		return err
	}
	counts, err := s.Board.Counts(ctx, p)
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	badge := map[string]int{board.TabOpen: counts.Open, board.TabOverdue: counts.Overdue, board.TabHeld: counts.Held,
		board.TabToPublish: counts.ToPublish}
	type tabLink struct {
		Label, Href string
		Count       int
		Current     bool
	}
	var tabs []tabLink
	for _, t := range bdTabs {
		v := url.Values{"tab": {t.Tab}}
		if orgID != "" {
			v.Set("org", orgID)
		}
		tabs = append(tabs, tabLink{t.Label, "/admin/board?" + v.Encode(), badge[t.Tab], t.Tab == tab})
	}
	base := url.Values{"tab": {tab}}
	if orgID != "" {
		base.Set("org", orgID)
	}
	pd := &pageData{Title: "留言办理", Section: "board", Form: map[string]string{"org": orgID}, Data: map[string]any{
		"Rows": rows, "Tabs": tabs, "Tab": tab, "Orgs": orgs, "Names": names, "Counts": counts,
		"Pager": newPager(page, size, total, "/admin/board?"+base.Encode()+"&page="), "CanSettings": s.settingsAllowed(ctx, p) == nil}}
	pd.Breadcrumb = []crumb{{"留言办理", ""}}
	s.render(w, r, http.StatusOK, "admin/board_list.html", pd)
	return nil
}

func (s *Server) bdVeto(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := needBoard(p); err != nil {
		return err
	}
	scope, err := s.Orgs.Scope(ctx, p, org.PermBoardView)
	if err != nil {
		return err
	}
	today := s.Board.Today()
	items, err := s.Board.Unanswered(ctx, scope, today)
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	pd := &pageData{Title: "超过三个月未回应的留言", Section: "board", Data: map[string]any{"Items": items, "Names": names,
		"Today": today}}
	pd.Breadcrumb = []crumb{{"留言办理", "/admin/board"}, {"超过三个月未回应", ""}}
	s.render(w, r, http.StatusOK, "admin/board_veto.html", pd)
	return nil
}

// bdShowView is the message page's data.
type bdShowView struct {
	board.View
	Names     map[string]string
	Targets   targetGroups
	Channels  []board.Channel
	Reasons   []string
	DueText   string
	Publicity string
}

func (s *Server) renderBdShow(w http.ResponseWriter, r *http.Request, status int, pd *pageData, id string) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	v, err := s.Board.View(ctx, p, id)
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	targets, err := s.boardTargets(r)
	if err != nil {
		return err
	}
	cfg, err := board.LoadConfig(ctx, s.DB.R)
	if err != nil {
		return err
	}
	mcfg, err := moderation.Load(ctx, s.DB.R)
	if err != nil {
		return err
	}
	row := board.Row{Message: v.Message, Clock: v.Clock, ClockErr: v.ClockErr}
	if pd.Form == nil {
		pd.Form = map[string]string{}
	}
	// The publication form starts from the masked draft.
	for k, val := range map[string]string{"public_title": v.Draft.Title, "public_body": v.Draft.Body, "public_reply": v.Draft.Reply} {
		if _, ok := pd.Form[k]; !ok {
			pd.Form[k] = val
		}
	}
	pd.Title, pd.Section = v.Title+" - 留言办理", "board"
	pd.Data = bdShowView{View: v, Names: names, Targets: targets, Channels: cfg.Channels, Reasons: mcfg.RejectReasons,
		DueText: row.DueText()}
	pd.Breadcrumb = []crumb{{"留言办理", "/admin/board"}, {v.TrackingNo, ""}}
	s.render(w, r, status, "admin/board_show.html", pd)
	return nil
}

func (s *Server) bdShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderBdShow(w, r, http.StatusOK, &pageData{}, r.PathValue("id"))
}

// bdFieldNames maps a service's field names to the form's, per action:
// several forms on the message page have a reason or a note.
var bdFieldNames = map[string]map[string]string{
	"transfer":  {"reason": "transfer_reason"},
	"reject":    {"reason": "reject_reason", "note": "reject_note"},
	"redirect":  {"note": "redirect_note"},
	"unpublish": {"reason": "unpublish_reason"},
}

func (s *Server) bdAction(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, op := r.PathValue("id"), r.PathValue("op")
	f := r.PostForm.Get
	ip := clientIP(r)
	var err error
	switch op {
	case "accept":
		_, err = s.Board.Accept(ctx, p, ip, id)
	case "transfer":
		_, err = s.Board.Transfer(ctx, p, ip, id, f("to_org"), f("transfer_reason"))
	case "reply":
		_, err = s.Board.Reply(ctx, p, ip, id, f("reply"))
	case "redirect":
		_, err = s.Board.Redirect(ctx, p, ip, id, f("channel"), f("redirect_note"))
	case "release":
		_, err = s.Board.Release(ctx, p, ip, id)
	case "reject":
		_, err = s.Board.Reject(ctx, p, ip, id, f("reject_reason"), f("reject_note"))
	case "publish":
		_, err = s.Board.Publish(ctx, p, ip, id, board.PublishInput{Title: f("public_title"), Body: f("public_body"),
			Reply: f("public_reply")})
	case "unpublish":
		_, err = s.Board.Unpublish(ctx, p, ip, id, f("unpublish_reason"))
	default:
		return apperr.NotFoundf("页面不存在")
	}
	if err == nil {
		next := "/admin/board/" + id + "?ok=ly_" + op
		if op == "transfer" {
			// The message is another org's now: back to the inbox.
			next = "/admin/board?ok=ly_transfer"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	pd := &pageData{Form: formValues(r)}
	e, ok := apperr.As(err)
	switch {
	case !ok || e.Kind == apperr.NotFound || e.Kind == apperr.Forbidden:
		return err
	case e.Kind == apperr.Invalid:
		formErrors(err, pd)
		for from, to := range bdFieldNames[op] {
			if msg, ok := pd.Errors[from]; ok {
				delete(pd.Errors, from)
				pd.Errors[to] = msg
			}
		}
	default:
		pd.Error = e.Message
	}
	return s.renderBdShow(w, r, statusOf(e.Kind), pd, id)
}

// --- 政策问答 ---

func (s *Server) bdQAList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := needBoard(p); err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if board.QAStatusLabels[status] == "" {
		status = ""
	}
	qs, err := s.Board.ListQA(ctx, p, status)
	if err != nil {
		return err
	}
	views, err := s.qaViews(r, qs)
	if err != nil {
		return err
	}
	pd := &pageData{Title: "政策问答", Section: "board", Data: map[string]any{"Rows": views, "Status": status,
		"Labels": board.QAStatusLabels, "CanEdit": p.CanAny(org.PermBoardQA)}}
	pd.Breadcrumb = []crumb{{"留言办理", "/admin/board"}, {"政策问答", ""}}
	s.render(w, r, http.StatusOK, "admin/board_qa_list.html", pd)
	return nil
}

type bdQAFormView struct {
	Orgs       []orgRow
	Policies   []info.Record
	Editing    *qaView
	CanEdit    bool
	CanPublish bool
}

func (s *Server) renderQAForm(w http.ResponseWriter, r *http.Request, status int, pd *pageData, editing *board.QA) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	orgs, err := s.scopedOrgs(ctx, p, org.PermBoardQA)
	if err != nil {
		return err
	}
	pols, err := s.Board.Policies(ctx, 200)
	if err != nil {
		return err
	}
	v := bdQAFormView{Orgs: orgs, Policies: pols, CanEdit: p.CanAny(org.PermBoardQA)}
	pd.Title, pd.Section = "新建政策问答", "board"
	pd.Breadcrumb = []crumb{{"留言办理", "/admin/board"}, {"政策问答", "/admin/board/qa"}, {"新建", ""}}
	if editing != nil {
		views, err := s.qaViews(r, []board.QA{*editing})
		if err != nil {
			return err
		}
		v.Editing = &views[0]
		if v.CanEdit, err = s.Orgs.Allowed(ctx, p, org.PermBoardQA, editing.OrgID); err != nil {
			return err
		}
		if v.CanPublish, err = s.Orgs.Allowed(ctx, p, org.PermBoardPublish, editing.OrgID); err != nil {
			return err
		}
		// A linked policy no longer among the latest stays selectable.
		found := editing.PolicyID == ""
		for _, pr := range pols {
			found = found || pr.ID == editing.PolicyID
		}
		if !found {
			if rec, err := s.Info.Get(ctx, editing.PolicyID); err == nil {
				v.Policies = append([]info.Record{rec}, v.Policies...)
			}
		}
		pd.Title = "政策问答：" + editing.Question
		pd.Breadcrumb[2] = crumb{editing.Question, ""}
		if pd.Form == nil {
			pd.Form = map[string]string{"question": editing.Question, "answer": editing.Answer, "keywords": editing.Keywords,
				"policy_id": editing.PolicyID, "org_id": editing.OrgID}
		}
	}
	pd.Data = v
	s.render(w, r, status, "admin/board_qa_form.html", pd)
	return nil
}

func (s *Server) bdQANew(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if !p.CanAny(org.PermBoardQA) {
		return apperr.New(apperr.Forbidden, "您没有维护政策问答的权限")
	}
	return s.renderQAForm(w, r, http.StatusOK, &pageData{Form: map[string]string{"org_id": p.User.OrgID}}, nil)
}

func qaInput(r *http.Request) board.QAInput {
	f := r.PostForm.Get
	return board.QAInput{OrgID: f("org_id"), Question: f("question"), Answer: f("answer"), Keywords: f("keywords"),
		PolicyID: f("policy_id")}
}

func (s *Server) bdQACreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	q, err := s.Board.CreateQA(ctx, p, clientIP(r), qaInput(r))
	if err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderQAForm(w, r, http.StatusBadRequest, pd, nil)
	}
	http.Redirect(w, r, "/admin/board/qa/"+q.ID+"?ok=created", http.StatusSeeOther)
	return nil
}

func (s *Server) bdQAShow(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Board.GetQA(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderQAForm(w, r, http.StatusOK, &pageData{}, &q)
}

func (s *Server) bdQAUpdate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	id := r.PathValue("id")
	_, err := s.Board.UpdateQA(ctx, p, clientIP(r), id, qaInput(r))
	if err == nil {
		http.Redirect(w, r, "/admin/board/qa/"+id+"?ok=saved", http.StatusSeeOther)
		return nil
	}
	q, gerr := s.Board.GetQA(ctx, p, id)
	if gerr != nil {
		return gerr
	}
	pd := &pageData{Form: formValues(r)}
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict {
		pd.Error = e.Message
		return s.renderQAForm(w, r, http.StatusConflict, pd, &q)
	}
	if e := formErrors(err, pd); e != nil {
		return e
	}
	return s.renderQAForm(w, r, http.StatusBadRequest, pd, &q)
}

func (s *Server) bdQAAction(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	id := r.PathValue("id")
	var err error
	switch r.PathValue("op") {
	case "publish":
		_, err = s.Board.PublishQA(ctx, p, clientIP(r), id)
	case "withdraw":
		_, err = s.Board.WithdrawQA(ctx, p, clientIP(r), id, r.PostForm.Get("reason"))
	default:
		return apperr.NotFoundf("页面不存在")
	}
	if err == nil {
		http.Redirect(w, r, "/admin/board/qa/"+id+"?ok=qa_"+r.PathValue("op"), http.StatusSeeOther)
		return nil
	}
	q, gerr := s.Board.GetQA(ctx, p, id)
	if gerr != nil {
		return gerr
	}
	pd := &pageData{}
	e, ok := apperr.As(err)
	switch {
	case !ok || e.Kind == apperr.Forbidden:
		return err
	case e.Kind == apperr.Invalid:
		formErrors(err, pd)
		pd.Form = formValues(r)
		if msg, ok := pd.Errors["reason"]; ok {
			delete(pd.Errors, "reason")
			pd.Errors["withdraw_reason"] = msg
		}
	default:
		pd.Error = e.Message
	}
	return s.renderQAForm(w, r, statusOf(e.Kind), pd, &q)
}

// --- settings ---

// bdField is one setting on the settings page.
type bdField struct {
	Key, Label, Hint string
	List             bool
}

func bdFields() []bdField {
	var out []bdField
	for _, c := range board.Categories {
		out = append(out, bdField{Key: board.KeyLimitPrefix + c.Code, Label: "“" + c.Label + "”类留言答复时限（工作日）",
			Hint: c.Hint + "。收到之日不计入；修改只影响此后收到的留言。"})
	}
	return append(out,
		bdField{Key: board.KeyEscalate, Label: "逾期多少个工作日后升级督办", Hint: "逾期留言先提醒本单位办理人员和审核员；逾期达到该工作日数的，同时列入政务公开办的督办提醒。"},
		bdField{Key: board.KeyChannels, Label: "其他办理渠道", List: true,
			Hint: "每行一个，写成“渠道名称：办理方式”。留言表单公布这些渠道；工作人员告知留言人改由其他渠道反映时从中选择。"})
}

func (s *Server) bdSettingsPage(w http.ResponseWriter, r *http.Request, status int, pd *pageData) error {
	cfg, err := board.LoadConfig(r.Context(), s.DB.R)
	if err != nil {
		return err
	}
	if pd.Form == nil {
		pd.Form = cfg.Values()
	}
	pd.Title, pd.Section = "留言办理规则", "board"
	pd.Data = map[string]any{"Fields": bdFields()}
	pd.Breadcrumb = []crumb{{"留言办理", "/admin/board"}, {"留言办理规则", ""}}
	s.render(w, r, status, "admin/board_settings.html", pd)
	return nil
}

func (s *Server) bdSettings(w http.ResponseWriter, r *http.Request) error {
	if err := s.settingsAllowed(r.Context(), principalFrom(r.Context())); err != nil {
		return err
	}
	return s.bdSettingsPage(w, r, http.StatusOK, &pageData{})
}

func (s *Server) bdSettingsSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.settingsAllowed(ctx, p); err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range board.Keys() {
		values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	if _, err := s.Board.SaveConfig(ctx, p.Actor(clientIP(r)), values); err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.bdSettingsPage(w, r, http.StatusBadRequest, pd)
	}
	http.Redirect(w, r, "/admin/board/settings?ok=saved", http.StatusSeeOther)
	return nil
}

// boardRemindPanel is the dashboard's 留言提醒: the overdue messages of the
// orgs where p handles or publishes, and the escalated ones of the orgs p
// oversees (board.Service.Remind); nil when there is nothing to say.
func (s *Server) boardRemindPanel(ctx context.Context, p *org.Principal) (map[string]any, error) {
	if !p.CanAny(org.PermBoardView) {
		return nil, nil
	}
	rows, err := s.Board.Remind(ctx, p)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return nil, err
	}
	escalated := 0
	for _, r := range rows {
		if r.Clock.Escalated {
			escalated++
		}
	}
	total := len(rows)
	if len(rows) > 10 {
		rows = rows[:10]
	}
	return map[string]any{"Rows": rows, "Names": names, "Escalated": escalated, "Total": total}, nil
}
