package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/docx"
	"gongkai.dev/gongkai/internal/org"
)

// Letters, files and the steps after the reply: the case page's second
// half. Letters are served as a print-ready page (browsers print it or save
// it as PDF) and as DOCX for editing in WPS or Word, to staff of the
// handling org and, for letters addressed to the applicant, to whoever
// holds the tracking number.
func (s *Server) applyLetterRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/apply/{id}/letters/{no}", s.admin(s.applyLetter))
	m.HandleFunc("GET /admin/apply/{id}/letters/{no}/edit", s.admin(s.applyLetterEdit))
	m.HandleFunc("POST /admin/apply/{id}/letters/{no}/reissue", s.admin(s.applyLetterReissue))
	m.HandleFunc("POST /admin/apply/{id}/reply/preview", s.admin(s.applyReplyPreview))
	m.HandleFunc("GET /admin/apply/{id}/files/{fid}", s.admin(s.applyFile))
	m.HandleFunc("POST /admin/apply/{id}/files", s.admin(s.applyFileUpload))
	m.HandleFunc("GET /admin/apply-templates", s.admin(s.applyTemplates))
	m.HandleFunc("GET /admin/apply-templates/{kind}", s.admin(s.applyTemplateForm))
	m.HandleFunc("POST /admin/apply-templates/{kind}", s.admin(s.applyTemplateSave))
	m.HandleFunc("GET /ysqgk/cx/ws", s.page(s.applyTrackedLetter))
	m.HandleFunc("GET /admin/apply/export", s.admin(s.applyExport))
}

// applyExport downloads the cases p may view for a period, as CSV (for
// Excel and WPS) or JSON, without the applicants' personal data.
func (s *Server) applyExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	from, to, err := apply.ParsePeriod(q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	scope, err := s.Orgs.Scope(ctx, principalFrom(ctx), org.PermApplyView)
	if err != nil {
		return err
	}
	if len(scope) == 0 {
		return apperr.New(apperr.Forbidden, "没有查看依申请公开案件的权限")
	}
	rows, err := s.Apply.Export(ctx, scope, from, to)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("依申请公开案件_%s_%s", from, to)
	if q.Get("format") == "json" {
		attachmentHeaders(w, name+".json", "application/json; charset=utf-8")
		return apply.WriteJSON(w, rows, from, to)
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	attachmentHeaders(w, name+".csv", "text/csv; charset=utf-8")
	return apply.WriteCSV(w, rows, func(id string) string { return names[id] })
}

// letterDocx lays a letter out as a 公文-style DOCX.
func letterDocx(l apply.Letter) ([]byte, error) {
	d := docx.New()
	d.Title = l.Title
	d.Heading(l.Title)
	d.Add(docx.Para{Runs: []docx.Run{{Text: l.Ref}}, Align: docx.AlignCenter, SpaceAfter: 14})
	for _, p := range l.Paras() {
		switch p.Align {
		case "left":
			d.Add(docx.Para{Runs: []docx.Run{{Text: p.Text}}})
		case "right":
			d.Add(docx.Para{Runs: []docx.Run{{Text: p.Text}}, Align: docx.AlignRight})
		default:
			d.Add(docx.P(p.Text))
		}
	}
	return d.Bytes()
}

func attachmentHeaders(w http.ResponseWriter, name, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
}

// serveLetter answers a letter as the print page or, with ?format=docx, as
// DOCX. Letters carry personal data: never cached.
func (s *Server) serveLetter(w http.ResponseWriter, r *http.Request, l apply.Letter, back, docxURL string, preview bool) error {
	if r.URL.Query().Get("format") == "docx" {
		b, err := letterDocx(l)
		if err != nil {
			return err
		}
		attachmentHeaders(w, l.Title+"-"+l.Ref+".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
		_, err = w.Write(b)
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	pd := &pageData{Title: l.Title + " " + l.Ref, Data: map[string]any{"Letter": l, "Back": back, "Docx": docxURL, "Preview": preview}}
	s.render(w, r, http.StatusOK, "print/letter.html", pd)
	return nil
}

func letterNo(r *http.Request, key string) (int, error) {
	n, err := strconv.Atoi(r.PathValue(key))
	if key == "" || err != nil {
		n, err = strconv.Atoi(r.URL.Query().Get("n"))
	}
	if err != nil || n <= 0 {
		return 0, apperr.NotFoundf("文书不存在")
	}
	return n, nil
}

func (s *Server) applyLetter(w http.ResponseWriter, r *http.Request) error {
	no, err := letterNo(r, "no")
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	_, l, err := s.Apply.CaseLetter(r.Context(), principalFrom(r.Context()), id, no)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("/admin/apply/%s/letters/%d", url.PathEscape(id), no)
	return s.serveLetter(w, r, l, "/admin/apply/"+url.PathEscape(id)+"#h-letters", base+"?format=docx", false)
}

// applyTrackedLetter is a letter for the applicant, by tracking number.
func (s *Server) applyTrackedLetter(w http.ResponseWriter, r *http.Request) error {
	no, err := letterNo(r, "")
	if err != nil {
		return err
	}
	trk := r.URL.Query().Get("no")
	l, err := s.Apply.TrackedLetter(r.Context(), trk, no)
	if err != nil {
		return err
	}
	q := url.Values{"no": {trk}, "n": {strconv.Itoa(no)}}
	back := "/ysqgk/cx?" + url.Values{"no": {trk}}.Encode()
	return s.serveLetter(w, r, l, back, "/ysqgk/cx/ws?"+q.Encode()+"&format=docx", false)
}

func (s *Server) applyReplyPreview(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取")
	}
	ctx := r.Context()
	p := principalFrom(ctx)
	id := r.PathValue("id")
	l, err := s.Apply.PreviewReply(ctx, p, id, replyInput(r))
	if err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		c, gerr := s.Apply.Get(ctx, p, id)
		if gerr != nil {
			return gerr
		}
		return s.renderApplyShow(w, r, http.StatusBadRequest, pd, c)
	}
	return s.serveLetter(w, r, l, "", "", true)
}

func replyInput(r *http.Request) apply.ReplyInput {
	f := r.PostForm.Get
	return apply.ReplyInput{Outcome: f("outcome"), On: f("reply_on"), Reason: f("reason"), Basis: f("basis"), Obtain: f("obtain")}
}

func (s *Server) applyLetterEdit(w http.ResponseWriter, r *http.Request) error {
	no, err := letterNo(r, "no")
	if err != nil {
		return err
	}
	c, l, err := s.Apply.CaseLetter(r.Context(), principalFrom(r.Context()), r.PathValue("id"), no)
	if err != nil {
		return err
	}
	return s.renderLetterEdit(w, r, http.StatusOK, &pageData{Form: map[string]string{"title": l.Title, "body": l.Body}}, c, l)
}

func (s *Server) renderLetterEdit(w http.ResponseWriter, r *http.Request, status int, pd *pageData, c apply.Case, l apply.Letter) error {
	pd.Title, pd.Section = "更正文书 "+l.Ref, "apply"
	pd.Breadcrumb = []crumb{{"依申请公开", "/admin/apply"}, {c.TrackingNo, "/admin/apply/" + c.ID}, {"更正文书", ""}}
	pd.Data = map[string]any{"Case": c, "Letter": l}
	s.render(w, r, status, "admin/apply_letter_edit.html", pd)
	return nil
}

func (s *Server) applyLetterReissue(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取")
	}
	no, err := letterNo(r, "no")
	if err != nil {
		return err
	}
	ctx := r.Context()
	p := principalFrom(ctx)
	id := r.PathValue("id")
	nl, err := s.Apply.ReissueLetter(ctx, p, clientIP(r), id, no, r.PostForm.Get("title"), r.PostForm.Get("body"))
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/admin/apply/%s/letters/%d", url.PathEscape(id), nl.No), http.StatusSeeOther)
		return nil
	}
	pd := &pageData{Form: formValues(r)}
	if e := formErrors(err, pd); e != nil {
		return e
	}
	c, l, gerr := s.Apply.CaseLetter(ctx, p, id, no)
	if gerr != nil {
		return gerr
	}
	return s.renderLetterEdit(w, r, http.StatusBadRequest, pd, c, l)
}

// applyFile serves an identity document or a delivery proof to staff of
// the handling org only, as a download (never rendered inline: a PDF or
// image from an applicant is not trusted content).
func (s *Server) applyFile(w http.ResponseWriter, r *http.Request) error {
	f, data, err := s.Apply.FileData(r.Context(), principalFrom(r.Context()), r.PathValue("id"), r.PathValue("fid"))
	if err != nil {
		return err
	}
	attachmentHeaders(w, f.Name, f.ContentType)
	_, err = w.Write(data)
	return err
}

// readUpload reads one file field of a multipart form, bounded.
func readUpload(r *http.Request, field string) (apply.Upload, error) {
	file, hdr, err := r.FormFile(field)
	if err != nil {
		return apply.Upload{}, apperr.Field(field, "请选择要上传的文件")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, apply.MaxFile+1))
	if err != nil {
		return apply.Upload{}, apperr.Field(field, "文件读取失败，请重新上传")
	}
	return apply.Upload{Name: hdr.Filename, Data: data}, nil
}

func (s *Server) applyFileUpload(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, apply.MaxFile+1<<20)
	ctx := r.Context()
	p := principalFrom(ctx)
	id := r.PathValue("id")
	var err error
	if perr := r.ParseMultipartForm(1 << 20); perr != nil {
		err = apperr.Field("file", fmt.Sprintf("文件过大或表单无法读取（单个文件不超过 %d MB）", apply.MaxFile>>20))
	} else {
		var u apply.Upload
		if u, err = readUpload(r, "file"); err == nil {
			_, err = s.Apply.AddFile(ctx, p, clientIP(r), id, r.PostForm.Get("kind"), u)
		}
	}
	if err == nil {
		http.Redirect(w, r, "/admin/apply/"+id+"?ok=saved#h-files", http.StatusSeeOther)
		return nil
	}
	return s.applyFormFailed(w, r, id, err)
}

// applyFormFailed shows the case page again with the error in view.
func (s *Server) applyFormFailed(w http.ResponseWriter, r *http.Request, id string, err error) error {
	ctx := r.Context()
	pd := &pageData{Form: formValues(r)}
	if e := formErrors(err, pd); e != nil {
		ae, ok := apperr.As(e)
		if !ok || ae.Kind != apperr.Forbidden && ae.Kind != apperr.Conflict {
			return e
		}
		pd.Error = ae.Message
	}
	c, gerr := s.Apply.Get(ctx, principalFrom(ctx), id)
	if gerr != nil {
		return gerr
	}
	return s.renderApplyShow(w, r, http.StatusBadRequest, pd, c)
}

// --- letter templates (district administrators) ---

type templateRow struct {
	apply.LetterKind
	Edited bool
}

func (s *Server) applyTemplates(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := s.settingsAllowed(ctx, principalFrom(ctx)); err != nil {
		return err
	}
	var rows []templateRow
	for _, k := range apply.LetterKinds {
		t, edited, err := s.Apply.Template(ctx, k.Code)
		if err != nil {
			return err
		}
		rows = append(rows, templateRow{t, edited})
	}
	pd := &pageData{Title: "文书模板", Section: "apply"}
	pd.Breadcrumb = []crumb{{"依申请公开", "/admin/apply"}, {"文书模板", ""}}
	pd.Data = map[string]any{"Rows": rows}
	s.render(w, r, http.StatusOK, "admin/apply_templates.html", pd)
	return nil
}

func (s *Server) applyTemplateForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := s.settingsAllowed(ctx, principalFrom(ctx)); err != nil {
		return err
	}
	t, edited, err := s.Apply.Template(ctx, r.PathValue("kind"))
	if err != nil {
		return err
	}
	return s.renderTemplateForm(w, r, http.StatusOK, &pageData{Form: map[string]string{"title": t.Title, "body": t.Body}}, t, edited)
}

func (s *Server) renderTemplateForm(w http.ResponseWriter, r *http.Request, status int, pd *pageData, t apply.LetterKind, edited bool) error {
	builtin, _ := apply.LetterKindByCode(t.Code)
	pd.Title, pd.Section = "文书模板："+t.Label, "apply"
	pd.Breadcrumb = []crumb{{"依申请公开", "/admin/apply"}, {"文书模板", "/admin/apply-templates"}, {t.Label, ""}}
	pd.Data = map[string]any{"Kind": t, "Edited": edited, "Builtin": builtin, "Vars": apply.LetterVars}
	s.render(w, r, status, "admin/apply_template_form.html", pd)
	return nil
}

func (s *Server) applyTemplateSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "表单无法读取")
	}
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := s.settingsAllowed(ctx, p); err != nil {
		return err
	}
	kind := r.PathValue("kind")
	reset := r.PostForm.Get("reset") != ""
	err := s.Apply.SaveTemplate(ctx, p, clientIP(r), kind, r.PostForm.Get("title"), r.PostForm.Get("body"), reset)
	if err == nil {
		http.Redirect(w, r, "/admin/apply-templates/"+url.PathEscape(kind)+"?ok=saved", http.StatusSeeOther)
		return nil
	}
	pd := &pageData{Form: formValues(r)}
	if e := formErrors(err, pd); e != nil {
		return e
	}
	t, edited, terr := s.Apply.Template(ctx, kind)
	if terr != nil {
		return terr
	}
	return s.renderTemplateForm(w, r, http.StatusBadRequest, pd, t, edited)
}

// caseExtras are the parts of the case page beyond the case row.
type caseExtras struct {
	Letters     []apply.Letter
	Files       []apply.File
	Remedies    []apply.Remedy
	Handlers    []org.User
	PriorMonth  int
	CanProact   bool
	ConsultRefs []string // open consultations, for pairing an answer
}

func (s *Server) applyExtras(r *http.Request, p *org.Principal, c apply.Case, canHandle bool) (caseExtras, error) {
	ctx := r.Context()
	var x caseExtras
	var err error
	if x.Letters, err = s.Apply.Letters(ctx, c.ID, false); err != nil {
		return x, err
	}
	if x.Files, err = s.Apply.Files(ctx, p, c.ID); err != nil {
		return x, err
	}
	if x.Remedies, err = s.Apply.Remedies(ctx, c.ID); err != nil {
		return x, err
	}
	if x.PriorMonth, err = s.Apply.PriorInMonth(ctx, c); err != nil {
		return x, err
	}
	x.CanProact = canHandle && apply.CanProactive(c)
	answered := map[string]bool{}
	for _, e := range c.Events {
		if e.Kind == apply.EvConsultAnswered {
			answered[e.Ref] = true
		}
	}
	for _, e := range c.Events {
		if e.Kind == apply.EvConsultSent && !answered[e.Ref] {
			x.ConsultRefs = append(x.ConsultRefs, e.Ref)
		}
	}
	if canHandle {
		users, err := s.Orgs.ListUsers(ctx, []string{c.OrgID})
		if err != nil {
			return x, err
		}
		for _, u := range users {
			g, err := s.Orgs.Grants(ctx, u.ID)
			if err != nil {
				return x, err
			}
			if ok, err := s.Orgs.Allowed(ctx, &org.Principal{User: u, Grants: g}, org.PermApplyHandle, c.OrgID); err == nil && ok && !u.Disabled {
				x.Handlers = append(x.Handlers, u)
			}
		}
	}
	return x, nil
}
