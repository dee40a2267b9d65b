package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/report"
)

// The back office of the annual report: the list of units with the
// deadline reminders, and one report's workspace (figures, supplement,
// sections, 勾稽 status, preview, publication, downloads).
func (s *Server) reportAdminRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/report", s.admin(s.reportList))
	m.HandleFunc("GET /admin/report/open", s.admin(s.reportOpen))
	m.HandleFunc("GET /admin/report/{org}/{year}", s.admin(s.reportShow))
	m.HandleFunc("GET /admin/report/{org}/{year}/preview", s.admin(s.reportPreview))
	m.HandleFunc("GET /admin/report/{org}/{year}/export", s.admin(s.reportExport))
	for _, a := range []string{"figures", "supplement", "sections", "import", "publish"} {
		m.HandleFunc("POST /admin/report/{org}/{year}/"+a, s.admin(s.reportAction(a)))
	}
}

type reportListRow struct {
	Org         org.Org
	Depth       int
	Prev, Cur   *report.Summary
	Older       []report.Summary
	Government  bool
	PrevOverdue bool
}

func (s *Server) reportList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	rows, err := s.Report.List(ctx, p)
	if err != nil {
		return err
	}
	today := s.Report.Today()
	var ids []string
	for _, row := range rows {
		ids = append(ids, row.Org.ID)
	}
	reminders, err := s.Report.Reminders(ctx, ids, today)
	if err != nil {
		return err
	}
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return err
	}
	depth := org.Depth(all)
	var view []reportListRow
	for _, row := range rows {
		v := reportListRow{Org: row.Org, Depth: depth[row.Org.ID], Government: report.Government(row.Org)}
		for _, x := range row.Reports {
			x := x
			switch x.Year {
			case today.Year - 1:
				v.Prev = &x
			case today.Year:
				v.Cur = &x
			default:
				v.Older = append(v.Older, x)
			}
		}
		view = append(view, v)
	}
	pd := &pageData{Title: "年度报告", Section: "report", Breadcrumb: []crumb{{"年度报告", ""}}}
	pd.Data = map[string]any{"Rows": view, "Reminders": reminders, "PrevYear": today.Year - 1, "CurYear": today.Year,
		"Format": report.Format, "FirstYear": report.FirstYear}
	s.render(w, r, http.StatusOK, "admin/report_list.html", pd)
	return nil
}

// reportOpen sends the "open another year" form to the report's page.
func (s *Server) reportOpen(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	year, err := strconv.Atoi(strings.TrimSpace(q.Get("year")))
	if err != nil || q.Get("org") == "" {
		return apperr.Field("year", "请选择机构并填写四位数的年度")
	}
	http.Redirect(w, r, "/admin/report/"+url.PathEscape(q.Get("org"))+"/"+strconv.Itoa(year), http.StatusSeeOther)
	return nil
}

func reportYear(r *http.Request) (int, error) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 1000 || year > 9999 {
		return 0, apperr.NotFoundf("页面不存在或您无权查看")
	}
	return year, nil
}

func (s *Server) reportView(r *http.Request) (report.View, error) {
	year, err := reportYear(r)
	if err != nil {
		return report.View{}, err
	}
	return s.Report.View(r.Context(), principalFrom(r.Context()), r.PathValue("org"), year)
}

func (s *Server) reportShow(w http.ResponseWriter, r *http.Request) error {
	v, err := s.reportView(r)
	if err != nil {
		return err
	}
	pd := &pageData{Form: map[string]string{}}
	if r.URL.Query().Get("draft") == "1" && v.CanEdit {
		pd.Form["overview"] = report.DraftOverview(v.Doc)
		pd.Form["other"] = report.DraftOther(v.Doc)
		if v.Report.Sections.Problems == "" {
			pd.Form["problems"] = report.DraftProblems(v.Doc)
		}
		pd.Flash = "已按本年数据生成正文草稿（尚未保存）：请核对，补写“" + report.Placeholder + "……】”处后保存。"
	}
	return s.renderReport(w, r, http.StatusOK, pd, v, reportProblems{})
}

// publishError is one reason publication was refused, linked to the cell
// it names when it names one.
type publishError struct{ Message, Href string }

// reportProblems are what a refused action reports beyond field errors:
// every reason publication was refused, every problem of an import.
type reportProblems struct {
	Publish []publishError
	Import  []string
}

func (s *Server) renderReport(w http.ResponseWriter, r *http.Request, status int, pd *pageData, v report.View, x reportProblems) error {
	// Stored values first; what was just submitted (pd.Form) wins.
	form := map[string]string{
		"licensing": strconv.Itoa(v.Report.Manual.Licensing), "penalty": strconv.Itoa(v.Report.Manual.Penalty),
		"enforcement": strconv.Itoa(v.Report.Manual.Enforcement), "fee": report.FormatWan(v.Report.Manual.FeeYuan),
		"overview": v.Report.Sections.Overview, "problems": v.Report.Sections.Problems, "other": v.Report.Sections.Other,
		"supplement_note": v.Report.Supplement.Note,
	}
	if !v.Report.FiguresSaved {
		for _, k := range []string{"licensing", "penalty", "enforcement", "fee"} {
			form[k] = ""
		}
	}
	sup := v.Report.Supplement
	for _, row := range report.SupplementRows3() {
		for c := 0; c < report.ColTotal; c++ {
			form[report.SupplementField(3, row, c)] = strconv.Itoa(sup.T3[row][c])
		}
	}
	for g := range sup.T4 {
		for c := 0; c < 4; c++ {
			form[report.SupplementField(4, g, c)] = strconv.Itoa(sup.T4[g][c])
		}
	}
	for k, val := range pd.Form {
		form[k] = val
	}
	pd.Form = form
	grids, err := annualGrids(v.Doc, report.Failing(v.Problems))
	if err != nil {
		return err
	}
	type suppCell struct{ Field, Label, Value, Error string }
	type suppRow struct {
		Name  string
		Cells []suppCell
	}
	cols := report.Cols3Info()
	var supp3, supp4 []suppRow
	rows3 := report.Rows3Info()
	for _, row := range report.SupplementRows3() {
		sr := suppRow{Name: rows3[row].Name()}
		for c := 0; c < report.ColTotal; c++ {
			f := report.SupplementField(3, row, c)
			sr.Cells = append(sr.Cells, suppCell{f, sr.Name + " · " + cols[c].Label, form[f], pd.Errors[f]})
		}
		supp3 = append(supp3, sr)
	}
	for g, name := range report.Groups4 {
		sr := suppRow{Name: name}
		for c := 0; c < 4; c++ {
			f := report.SupplementField(4, g, c)
			sr.Cells = append(sr.Cells, suppCell{f, name + " · " + report.Results4[c], form[f], pd.Errors[f]})
		}
		supp4 = append(supp4, sr)
	}
	suppOpen := !sup.Empty()
	for k := range pd.Errors {
		if strings.HasPrefix(k, "s3-") || strings.HasPrefix(k, "s4-") || k == "supplement_note" {
			suppOpen = true
		}
	}
	var cols3 []string
	for _, c := range cols[:report.ColTotal] {
		cols3 = append(cols3, c.Label)
	}
	pd.Title, pd.Section = v.Doc.Title, "report"
	pd.Breadcrumb = []crumb{{"年度报告", "/admin/report"}, {v.Org.Name + " " + strconv.Itoa(v.Year) + "年", ""}}
	base := "/admin/report/" + v.Org.ID + "/" + strconv.Itoa(v.Year)
	pd.Data = map[string]any{"View": v, "Grids": grids, "Base": base, "PublishErrors": x.Publish, "ImportErrors": x.Import,
		"Supp3": supp3, "Supp4": supp4, "SuppCols": cols3, "SuppResults": report.Results4[:4], "SuppOpen": suppOpen,
		"Manual": report.ManualFields, "StatusLabel": report.StatusLabel(v.Report.Status), "Exists": v.Exists,
		"Paras": map[string][]string{"overview": report.Paragraphs(v.Report.Sections.Overview),
			"problems": report.Paragraphs(v.Report.Sections.Problems), "other": report.Paragraphs(v.Report.Sections.Other)},
		"Portal": "/zfxxgk/" + v.Org.Code + "/xxgknb/" + strconv.Itoa(v.Year)}
	s.render(w, r, status, "admin/report_show.html", pd)
	return nil
}

func (s *Server) reportAction(action string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		p := principalFrom(ctx)
		year, err := reportYear(r)
		if err != nil {
			return err
		}
		orgID := r.PathValue("org")
		if action == "import" {
			r.Body = http.MaxBytesReader(w, r.Body, 11<<20)
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				return apperr.Field("file", "上传的文件无法读取或超过 10 MB")
			}
		} else if err := parseForm(w, r); err != nil {
			return err
		}
		get := r.PostForm.Get
		pd := &pageData{Form: formValues(r)}
		var x reportProblems
		ok := "saved"
		switch action {
		case "figures":
			var m report.Manual
			if m, err = report.ParseManual(get); err == nil {
				_, err = s.Report.SaveFigures(ctx, p, clientIP(r), orgID, year, m, "")
			}
		case "supplement":
			var sup report.Supplement
			if sup, err = report.ParseSupplement(get); err == nil {
				_, err = s.Report.SaveSupplement(ctx, p, clientIP(r), orgID, year, sup)
			}
		case "sections":
			_, err = s.Report.SaveSections(ctx, p, clientIP(r), orgID, year, report.Sections{Overview: get("overview"),
				Problems: get("problems"), Other: get("other")})
		case "import":
			f, hdr, ferr := r.FormFile("file")
			if ferr != nil {
				err = apperr.Field("file", "请选择要导入的 Excel（.xlsx）文件")
				break
			}
			data, rerr := io.ReadAll(io.LimitReader(f, 10<<20+1))
			f.Close()
			if rerr != nil {
				return rerr
			}
			_, err = s.Report.Import(ctx, p, clientIP(r), orgID, year, hdr.Filename, data)
		case "publish":
			ok = "published"
			// Publication cannot be undone: the form asks for an explicit
			// confirmation, so a stray click publishes nothing.
			if get("confirm") != "1" {
				x.Publish = []publishError{{Message: "请先勾选“已核对报告全文和表格，确认发布”"}}
				break
			}
			_, err = s.Report.Publish(ctx, p, clientIP(r), orgID, year)
			if e, isApp := apperr.As(err); isApp && e.Kind == apperr.Invalid && len(e.Fields) > 0 {
				for _, f := range e.Fields {
					pe := publishError{Message: f.Message}
					if f.Field != "publish" {
						pe.Href = "#" + f.Field
					}
					x.Publish = append(x.Publish, pe)
				}
				err = nil
			}
		}
		if err == nil && x.Publish == nil {
			http.Redirect(w, r, "/admin/report/"+url.PathEscape(orgID)+"/"+strconv.Itoa(year)+"?ok="+ok, http.StatusSeeOther)
			return nil
		}
		if e, isApp := apperr.As(err); isApp && action == "import" {
			for _, f := range e.Fields {
				x.Import = append(x.Import, f.Message)
			}
		}
		if err != nil {
			if e := formErrors(err, pd); e != nil {
				return e
			}
		}
		if action == "publish" {
			pd.Form = map[string]string{} // nothing was typed: show what is stored
		}
		v, verr := s.Report.View(ctx, p, orgID, year)
		if verr != nil {
			return verr
		}
		return s.renderReport(w, r, http.StatusBadRequest, pd, v, x)
	}
}

func (s *Server) reportPreview(w http.ResponseWriter, r *http.Request) error {
	v, err := s.reportView(r)
	if err != nil {
		return err
	}
	p := &pageData{Title: "预览：" + v.Doc.Title, Section: "zfxxgk"}
	p.Breadcrumb = []crumb{{"年度报告", "/admin/report"}, {v.Org.Name + " " + strconv.Itoa(v.Year) + "年", "/admin/report/" + v.Org.ID + "/" + strconv.Itoa(v.Year)}, {"预览", ""}}
	return s.renderAnnual(w, r, p, v.Doc, report.Failing(v.Problems), v.Report.Status != report.StatusPublished)
}

func (s *Server) reportExport(w http.ResponseWriter, r *http.Request) error {
	v, err := s.reportView(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if _, ok := annualFormats[format]; !ok {
		return apperr.Field("format", "格式只能是 docx、xlsx、json 或 html")
	}
	return writeAnnual(w, v.Doc, format)
}
