package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/workday"
)

func (s *Server) infoAdminRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/info", s.admin(s.infoHome))
	m.HandleFunc("GET /admin/info/new", s.admin(s.infoNew))
	m.HandleFunc("POST /admin/info", s.admin(s.infoCreate))
	m.HandleFunc("GET /admin/info/{id}", s.admin(s.infoShow))
	m.HandleFunc("GET /admin/info/{id}/edit", s.admin(s.infoEdit))
	m.HandleFunc("POST /admin/info/{id}", s.admin(s.infoUpdate))
	m.HandleFunc("POST /admin/info/{id}/delete", s.admin(s.infoAction("delete")))
	m.HandleFunc("POST /admin/info/{id}/submit", s.admin(s.infoAction("submit")))
	m.HandleFunc("POST /admin/info/{id}/approve", s.admin(s.infoAction("approve")))
	m.HandleFunc("POST /admin/info/{id}/reject", s.admin(s.infoAction("reject")))
	m.HandleFunc("POST /admin/info/{id}/validity", s.admin(s.infoAction("validity")))
	m.HandleFunc("POST /admin/info/{id}/withdraw", s.admin(s.infoAction("withdraw")))
	m.HandleFunc("POST /admin/info/{id}/mask", s.admin(s.infoAction("mask")))
	m.HandleFunc("POST /admin/info/{id}/attachments", s.admin(s.infoAttach))
	m.HandleFunc("POST /admin/info/{id}/attachments/{hash}/delete", s.admin(s.infoAction("detach")))
	m.HandleFunc("GET /admin/info/{id}/attachments/{hash}", s.admin(s.infoDownload))
	m.HandleFunc("GET /admin/calendar", s.admin(s.calendarPage))
	m.HandleFunc("POST /admin/calendar", s.admin(s.calendarSave))
}

// infoFor loads a record the principal may see (404 otherwise, the record's
// existence included) and checks perm on its org (403 when visible).
func (s *Server) infoFor(r *http.Request, perm org.Permission) (info.Record, *org.Principal, error) {
	ctx := r.Context()
	p := principalFrom(ctx)
	rec, err := s.Info.Get(ctx, r.PathValue("id"))
	if err != nil {
		return rec, p, err
	}
	if ok, err := s.Orgs.Allowed(ctx, p, org.PermInfoView, rec.OrgID); err != nil || !ok {
		if err == nil {
			err = apperr.NotFoundf("信息不存在或您无权查看")
		}
		return rec, p, err
	}
	if perm != org.PermInfoView {
		if ok, err := s.Orgs.Allowed(ctx, p, perm, rec.OrgID); err != nil || !ok {
			if err == nil {
				err = apperr.New(apperr.Forbidden, "您没有此操作的权限")
			}
			return rec, p, err
		}
	}
	return rec, p, nil
}

type infoRow struct {
	info.Record
	OrgName string
}

func (s *Server) infoRows(ctx context.Context, recs []info.Record) ([]infoRow, error) {
	names, err := s.orgNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]infoRow, len(recs))
	for i, r := range recs {
		out[i] = infoRow{r, names[r.OrgID]}
	}
	return out, nil
}

// infoHome is the editor's and reviewer's desk: my drafts, my review
// queue, what was published, and what needs cleaning up.
func (s *Server) infoHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	tab := r.URL.Query().Get("tab")
	viewScope, err := s.Orgs.Scope(ctx, p, org.PermInfoView)
	if err != nil {
		return err
	}
	if viewScope == nil {
		viewScope = []string{}
	}
	data := map[string]any{"Tab": tab, "CanCreate": p.CanAny(org.PermInfoEdit)}
	var recs []info.Record
	switch tab {
	case "queue":
		inReview, _, err := s.Info.List(ctx, info.Filter{OrgIDs: viewScope, Statuses: []string{info.StatusReview}, Limit: 200})
		if err != nil {
			return err
		}
		for _, rec := range inReview {
			if ok, _, err := s.Info.CanDecide(ctx, p, rec); err != nil {
				return err
			} else if ok {
				recs = append(recs, rec)
			}
		}
	case "published":
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		var total int
		recs, total, err = s.Info.List(ctx, info.Filter{OrgIDs: viewScope, Statuses: []string{info.StatusPublished, info.StatusWithdrawn},
			Limit: 50, Offset: (page - 1) * 50})
		if err != nil {
			return err
		}
		data["Pager"] = newPager(page, 50, total, "/admin/info?tab=published&page=")
	case "sweep":
		items, err := s.Info.Sweep(ctx, viewScope)
		if err != nil {
			return err
		}
		names, err := s.orgNames(ctx)
		if err != nil {
			return err
		}
		data["Sweep"], data["OrgNames"] = items, names
	default:
		tab = "drafts"
		editScope, err := s.Orgs.Scope(ctx, p, org.PermInfoEdit)
		if err != nil {
			return err
		}
		if editScope == nil {
			editScope = []string{}
		}
		recs, _, err = s.Info.List(ctx, info.Filter{OrgIDs: editScope, Statuses: []string{info.StatusDraft, info.StatusReview}, Limit: 200})
		if err != nil {
			return err
		}
	}
	rows, err := s.infoRows(ctx, recs)
	if err != nil {
		return err
	}
	data["Tab"], data["Rows"] = tab, rows
	s.render(w, r, http.StatusOK, "admin/info_home.html", &pageData{Title: "信息发布", Section: "info", Data: data})
	return nil
}

func infoFieldsFrom(f url.Values) info.Fields {
	return info.Fields{Title: f.Get("title"), DocNo: f.Get("doc_no"), Summary: f.Get("summary"), Keywords: f.Get("keywords"),
		Topic: f.Get("topic"), Genre: f.Get("genre"), WrittenOn: f.Get("written_on"), FormedOn: f.Get("formed_on"),
		CatalogKey: f.Get("catalog_key"), Attribute: f.Get("attribute"), WithheldReason: f.Get("withheld_reason"),
		Body: f.Get("body"), ValidUntil: f.Get("valid_until"), DocKind: f.Get("doc_kind"), DomainID: f.Get("domain_id"),
		InterpretsID: f.Get("interprets_id"), InterpForm: f.Get("interp_form"), InterpOrg: f.Get("interp_org"),
		InterpDept: f.Get("interp_dept"), InterpContact: f.Get("interp_contact"), InterpPlan: f.Get("interp_plan"),
		NoInterpReason: f.Get("no_interp_reason")}
}

func infoFormValues(f info.Fields) map[string]string {
	return map[string]string{"title": f.Title, "doc_no": f.DocNo, "summary": f.Summary, "keywords": f.Keywords, "topic": f.Topic,
		"genre": f.Genre, "written_on": f.WrittenOn, "formed_on": f.FormedOn, "catalog_key": f.CatalogKey, "attribute": f.Attribute,
		"withheld_reason": f.WithheldReason, "body": f.Body, "valid_until": f.ValidUntil, "doc_kind": f.DocKind,
		"domain_id": f.DomainID, "interprets_id": f.InterpretsID, "interp_form": f.InterpForm, "interp_org": f.InterpOrg,
		"interp_dept": f.InterpDept, "interp_contact": f.InterpContact, "interp_plan": f.InterpPlan,
		"no_interp_reason": f.NoInterpReason}
}

// policyChoices lists what an interpretation may explain: the org's own
// policies in any state but withdrawn (三同步: drafted and reviewed
// together), and published policies of every org (谁起草谁解读 may make
// another org the interpreter).
func (s *Server) policyChoices(ctx context.Context, orgID string) ([]catalogChoice, error) {
	own, _, err := s.Info.List(ctx, info.Filter{OrgIDs: []string{orgID}, Genres: info.PolicyGenres,
		Statuses: []string{info.StatusDraft, info.StatusReview, info.StatusPublished}, Limit: 200})
	if err != nil {
		return nil, err
	}
	pub, _, err := s.Info.List(ctx, info.Filter{Genres: info.PolicyGenres, Statuses: []string{info.StatusPublished},
		Attribute: info.Proactive, Limit: 200})
	if err != nil {
		return nil, err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []catalogChoice
	for _, r := range append(own, pub...) {
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		label := r.Title
		if r.DocNo != "" {
			label += "（" + r.DocNo + "）"
		}
		label += " — " + names[r.OrgID]
		if r.Status != info.StatusPublished {
			label += "，" + r.StatusLabel()
		}
		out = append(out, catalogChoice{r.ID, label})
	}
	return out, nil
}

type domainChoice struct{ ID, Name string }

func (s *Server) domainChoices(ctx context.Context) ([]domainChoice, error) {
	ds, err := s.Catalog.Domains(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domainChoice, len(ds))
	for i, d := range ds {
		out[i] = domainChoice{d.ID, d.Name}
	}
	return out, nil
}

type catalogChoice struct {
	Key, Label string
}

// catalogChoices lists the items of the org's current catalog for the form.
func (s *Server) catalogChoices(ctx context.Context, orgID string) ([]catalogChoice, error) {
	items, err := s.Catalog.CurrentItems(ctx, orgID)
	if err != nil {
		return nil, err
	}
	names, err := s.Catalog.DomainNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]catalogChoice, len(items))
	for i, it := range items {
		out[i] = catalogChoice{it.Key, names[it.DomainID] + " › " + it.Title()}
	}
	return out, nil
}

func (s *Server) renderInfoForm(w http.ResponseWriter, r *http.Request, status int, pd *pageData, orgID string, rec *info.Record) error {
	ctx := r.Context()
	orgs, err := s.scopedOrgs(ctx, principalFrom(ctx), org.PermInfoEdit)
	if err != nil {
		return err
	}
	choices, err := s.catalogChoices(ctx, orgID)
	if err != nil {
		return err
	}
	policies, err := s.policyChoices(ctx, orgID)
	if err != nil {
		return err
	}
	domains, err := s.domainChoices(ctx)
	if err != nil {
		return err
	}
	title := "起草信息"
	if rec != nil {
		title = "修改信息"
	}
	pd.Title, pd.Section = title, "info"
	pd.Breadcrumb = []crumb{{"信息发布", "/admin/info"}, {title, ""}}
	pd.Data = map[string]any{"Record": rec, "Orgs": orgs, "OrgID": orgID, "Catalog": choices, "Genres": info.Genres,
		"Topics": info.Topics, "Reasons": info.WithheldReasons, "DocKinds": info.DocKinds, "InterpForms": info.InterpForms,
		"Policies": policies, "Domains": domains}
	s.render(w, r, status, "admin/info_form.html", pd)
	return nil
}

func (s *Server) infoNew(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	orgID := r.URL.Query().Get("org")
	if orgID == "" {
		scope, err := s.Orgs.Scope(ctx, p, org.PermInfoEdit)
		if err != nil {
			return err
		}
		if len(scope) == 0 {
			return apperr.New(apperr.Forbidden, "您没有起草信息的权限")
		}
		orgID = p.User.OrgID
		if ok, _ := s.Orgs.Allowed(ctx, p, org.PermInfoEdit, orgID); !ok {
			orgID = scope[0]
		}
	}
	if err := s.authorize(ctx, p, org.PermInfoEdit, orgID); err != nil {
		return err
	}
	form := map[string]string{"attribute": info.Proactive, "formed_on": workday.DateOf(s.Info.Now()).String()}
	return s.renderInfoForm(w, r, http.StatusOK, &pageData{Form: form}, orgID, nil)
}

func (s *Server) infoCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	orgID := r.PostForm.Get("org_id")
	if err := s.authorize(ctx, p, org.PermInfoEdit, orgID); err != nil {
		return err
	}
	rec, err := s.Info.Create(ctx, p, clientIP(r), orgID, infoFieldsFrom(r.PostForm))
	if err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderInfoForm(w, r, http.StatusBadRequest, pd, orgID, nil)
	}
	http.Redirect(w, r, "/admin/info/"+rec.ID+"?ok=created", http.StatusSeeOther)
	return nil
}

func (s *Server) infoEdit(w http.ResponseWriter, r *http.Request) error {
	rec, _, err := s.infoFor(r, org.PermInfoEdit)
	if err != nil {
		return err
	}
	if rec.Status != info.StatusDraft {
		return apperr.New(apperr.Conflict, "只有草稿可以修改")
	}
	return s.renderInfoForm(w, r, http.StatusOK, &pageData{Form: infoFormValues(rec.Fields)}, rec.OrgID, &rec)
}

func (s *Server) infoUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	rec, p, err := s.infoFor(r, org.PermInfoEdit)
	if err != nil {
		return err
	}
	if _, err := s.Info.Update(r.Context(), p, clientIP(r), rec.ID, infoFieldsFrom(r.PostForm)); err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderInfoForm(w, r, http.StatusBadRequest, pd, rec.OrgID, &rec)
	}
	http.Redirect(w, r, "/admin/info/"+rec.ID+"?ok=saved", http.StatusSeeOther)
	return nil
}

func (s *Server) infoShow(w http.ResponseWriter, r *http.Request) error {
	rec, _, err := s.infoFor(r, org.PermInfoView)
	if err != nil {
		return err
	}
	return s.renderInfoShow(w, r, http.StatusOK, &pageData{}, rec)
}

func (s *Server) renderInfoShow(w http.ResponseWriter, r *http.Request, status int, pd *pageData, rec info.Record) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	o, err := s.Orgs.GetOrg(ctx, rec.OrgID)
	if err != nil {
		return err
	}
	atts, err := s.Info.Attachments(ctx, rec.ID)
	if err != nil {
		return err
	}
	reviews, err := s.Info.Reviews(ctx, rec.ID)
	if err != nil {
		return err
	}
	findings, err := s.Info.Screen(ctx, rec)
	if err != nil {
		return err
	}
	flow, err := s.Info.Flow(ctx, rec.OrgID)
	if err != nil {
		return err
	}
	canEdit, _ := s.Orgs.Allowed(ctx, p, org.PermInfoEdit, rec.OrgID)
	canDecide, why, err := s.Info.CanDecide(ctx, p, rec)
	if err != nil {
		return err
	}
	var item *catalog.Item
	if rec.CatalogKey != "" {
		if v, err := s.Catalog.Current(ctx, rec.OrgID); err == nil {
			if it, err := s.Catalog.ItemByKey(ctx, v.ID, rec.CatalogKey); err == nil {
				item = &it
			}
		}
	}
	var replacement *info.Record
	if rec.ReplacedBy != "" {
		if x, err := s.Info.Get(ctx, rec.ReplacedBy); err == nil {
			if ok, _ := s.Orgs.Allowed(ctx, p, org.PermInfoView, x.OrgID); ok {
				replacement = &x
			}
		}
	}
	var policy *info.Record
	if rec.InterpretsID != "" {
		if x, err := s.Info.Get(ctx, rec.InterpretsID); err == nil {
			if ok, _ := s.Orgs.Allowed(ctx, p, org.PermInfoView, x.OrgID); ok || x.Status == info.StatusPublished {
				policy = &x
			}
		}
	}
	domainName := ""
	if rec.DomainID != "" {
		if d, err := s.Catalog.Domain(ctx, rec.DomainID); err == nil {
			domainName = d.Name
		}
	}
	pd.Title, pd.Section = rec.Title, "info"
	pd.Breadcrumb = []crumb{{"信息发布", "/admin/info"}, {rec.Title, ""}}
	pd.Data = map[string]any{"Record": rec, "Org": o, "Attachments": atts, "Reviews": reviews, "Findings": findings,
		"High": info.HighCount(findings), "Flow": flow, "CanEdit": canEdit, "CanDecide": canDecide, "Why": why,
		"Item": item, "Replacement": replacement, "Policy": policy, "DomainName": domainName}
	s.render(w, r, status, "admin/info_show.html", pd)
	return nil
}

// infoAction runs a state change posted from the record page; bad input
// re-renders the page with the message next to the form that caused it.
func (s *Server) infoAction(action string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(w, r); err != nil {
			return err
		}
		perm := org.PermInfoEdit
		if action == "approve" || action == "reject" {
			perm = org.PermInfoView // the flow decides who approves
		}
		rec, p, err := s.infoFor(r, perm)
		if err != nil {
			return err
		}
		ctx, ip, f := r.Context(), clientIP(r), r.PostForm
		ok := "saved"
		switch action {
		case "delete":
			if err = s.Info.Delete(ctx, p, ip, rec.ID); err == nil {
				http.Redirect(w, r, "/admin/info?ok=deleted", http.StatusSeeOther)
				return nil
			}
		case "submit":
			_, err = s.Info.Submit(ctx, p, ip, rec.ID, f.Get("comment"))
			ok = "submitted"
		case "approve":
			var after info.Record
			after, err = s.Info.Approve(ctx, p, ip, rec.ID, info.Decision{SecrecyConfirmed: f.Get("secrecy_confirmed") == "1",
				PrivacyGround: f.Get("privacy_ground"), Comment: f.Get("comment")})
			ok = "approved"
			if after.Status == info.StatusPublished {
				ok = "published"
			}
		case "reject":
			err = s.Info.Reject(ctx, p, ip, rec.ID, f.Get("comment"))
			ok = "rejected"
		case "validity":
			err = s.Info.SetValidity(ctx, p, ip, rec.ID, f.Get("validity"), f.Get("validity_on"), f.Get("replaced_by"))
		case "withdraw":
			err = s.Info.Withdraw(ctx, p, ip, rec.ID, f.Get("withdrawn_reason"))
			ok = "withdrawn"
		case "mask":
			_, err = s.Info.MaskPersonalData(ctx, p, ip, rec.ID)
			ok = "masked"
		case "detach":
			err = s.Info.RemoveAttachment(ctx, p, ip, rec.ID, r.PathValue("hash"))
		}
		if err != nil {
			pd := &pageData{Form: formValues(r)}
			if e := formErrors(err, pd); e != nil {
				return e
			}
			rec, _ = s.Info.Get(ctx, rec.ID)
			return s.renderInfoShow(w, r, http.StatusBadRequest, pd, rec)
		}
		http.Redirect(w, r, "/admin/info/"+rec.ID+"?ok="+ok, http.StatusSeeOther)
		return nil
	}
}

func (s *Server) infoAttach(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, info.MaxAttachment+1<<20)
	rec, p, err := s.infoFor(r, org.PermInfoEdit)
	if err != nil {
		return err
	}
	fail := func(msg string) error {
		pd := &pageData{Errors: map[string]string{"file": msg}, Error: msg}
		return s.renderInfoShow(w, r, http.StatusBadRequest, pd, rec)
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
	if _, err := s.Info.AddAttachment(r.Context(), p, clientIP(r), rec.ID, hdr.Filename, data); err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid && len(e.Fields) > 0 {
			return fail(e.Fields[0].Message)
		}
		return err
	}
	http.Redirect(w, r, "/admin/info/"+rec.ID+"?ok=saved#attachments", http.StatusSeeOther)
	return nil
}

func (s *Server) infoDownload(w http.ResponseWriter, r *http.Request) error {
	rec, _, err := s.infoFor(r, org.PermInfoView)
	if err != nil {
		return err
	}
	return s.sendAttachment(w, r, rec.ID, r.PathValue("hash"))
}

func (s *Server) sendAttachment(w http.ResponseWriter, r *http.Request, id, hash string) error {
	a, data, err := s.Info.AttachmentData(r.Context(), id, hash)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(a.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
	return nil
}

// --- pager ---

type pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

func newPager(page, size, total int, base string) pager {
	pg := pager{Page: page, Total: total, Pages: (total + size - 1) / size}
	if page > 1 {
		pg.Prev = base + strconv.Itoa(page-1)
	}
	if page < pg.Pages {
		pg.Next = base + strconv.Itoa(page+1)
	}
	return pg
}

// --- working-day calendar ---

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCalendar(w, r, http.StatusOK, &pageData{})
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, status int, pd *pageData) error {
	ctx := r.Context()
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return err
	}
	pd.Title, pd.Section = "工作日历", "calendar"
	pd.Data = map[string]any{"Years": cal.Years(), "CanEdit": s.settingsAllowed(ctx, principalFrom(ctx)) == nil}
	s.render(w, r, status, "admin/calendar.html", pd)
	return nil
}

func (s *Server) calendarSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.settingsAllowed(ctx, p); err != nil {
		return err
	}
	y, err := s.Calendar.Import(ctx, p.Actor(clientIP(r)), strings.NewReader(r.PostForm.Get("body")))
	if err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderCalendar(w, r, http.StatusBadRequest, pd)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/calendar?ok=saved#y%d", y.Year), http.StatusSeeOther)
	return nil
}
