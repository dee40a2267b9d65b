package web

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/report"
)

// The 政府信息公开工作年度报告 column of each org: the list of published
// reports and each report in the format's layout, with Word, Excel and
// JSON downloads. Only published snapshots are shown; drafts are absent.

func (s *Server) reportRoutes() {
	m := s.mux
	m.HandleFunc("GET /zfxxgk/{code}/xxgknb/{year}", s.page(s.annualReport))
	s.reportAdminRoutes()
}

// annualLabel is the column's label (a site setting: 政府信息公开年报 or
// 政府信息公开工作年度报告).
func (s *Server) annualLabel(r *http.Request) string {
	st, err := s.Site.Get(r.Context())
	if err != nil || st.AnnualLabel == "" {
		return "政府信息公开年报"
	}
	return st.AnnualLabel
}

func (s *Server) annualList(w http.ResponseWriter, r *http.Request) error {
	label := s.annualLabel(r)
	p, o, err := s.orgPage(r, label)
	if err != nil {
		return err
	}
	cacheTags(r, "org:"+o.ID)
	list, err := s.Report.PublishedList(r.Context(), o.ID)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Org": o, "Heading": label, "Reports": list, "Reportable": report.Reportable(o.Kind)}
	s.render(w, r, http.StatusOK, "portal/annual_list.html", p)
	return nil
}

// annualFormats are the downloads a report page offers, by extension.
var annualFormats = map[string]string{
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"json": "application/json; charset=utf-8",
	"html": "text/html; charset=utf-8",
}

// writeAnnual writes a report in one of annualFormats, as a download
// named after the report's title.
func writeAnnual(w http.ResponseWriter, d report.Document, format string) error {
	var b bytes.Buffer
	var err error
	switch format {
	case "docx":
		err = report.WriteDOCX(&b, d)
	case "xlsx":
		err = report.WriteXLSX(&b, d)
	case "json":
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		err = enc.Encode(d)
	case "html":
		err = report.WriteHTML(&b, d)
	default:
		return apperr.NotFoundf("不支持的格式")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", annualFormats[format])
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(d.Title+"."+format))
	w.Write(b.Bytes())
	return nil
}

// parseYearSegment reads "2025" or "2025.docx".
func parseYearSegment(seg string) (int, string, bool) {
	y, ext, _ := strings.Cut(seg, ".")
	if len(y) != 4 {
		return 0, "", false
	}
	year, err := strconv.Atoi(y)
	if err != nil || year < 1000 {
		return 0, "", false
	}
	if ext != "" && ext != "docx" && ext != "xlsx" && ext != "json" {
		return 0, "", false
	}
	return year, ext, true
}

func (s *Server) annualReport(w http.ResponseWriter, r *http.Request) error {
	year, ext, ok := parseYearSegment(r.PathValue("year"))
	if !ok {
		return apperr.NotFoundf("您访问的页面不存在或已被移除")
	}
	label := s.annualLabel(r)
	p, o, err := s.orgPage(r, label)
	if err != nil {
		return err
	}
	cacheTags(r, "org:"+o.ID)
	d, err := s.Report.Published(r.Context(), o.ID, year)
	if err != nil {
		return err
	}
	if ext != "" {
		return writeAnnual(w, d, ext)
	}
	p.Breadcrumb[len(p.Breadcrumb)-1].Href = "/zfxxgk/" + o.Code + "/xxgknb"
	p.Breadcrumb = append(p.Breadcrumb, crumb{strconv.Itoa(year) + "年", ""})
	p.Title = d.Title
	return s.renderAnnual(w, r, p, d, nil, false)
}

func (s *Server) renderAnnual(w http.ResponseWriter, r *http.Request, p *pageData, d report.Document, fails map[string]bool, preview bool) error {
	body, err := report.BodyHTML(d, fails)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Doc": d, "Body": body, "Preview": preview, "Base": "/zfxxgk/" + d.Org.Code + "/xxgknb/" + strconv.Itoa(d.Year)}
	s.render(w, r, http.StatusOK, "portal/annual_report.html", p)
	return nil
}

// annualGrids renders the three tables for the back office.
func annualGrids(d report.Document, fails map[string]bool) ([]template.HTML, error) {
	var out []template.HTML
	for _, g := range d.Grids(fails) {
		h, err := report.GridHTML(g)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}
