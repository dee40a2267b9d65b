package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/org"
)

func (s *Server) catalogAdminRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/catalog", s.admin(s.catalogList))
	m.HandleFunc("GET /admin/catalog-domains", s.admin(s.catalogDomains))
	m.HandleFunc("POST /admin/catalog-domains", s.admin(s.catalogDomainAdd))
	m.HandleFunc("POST /admin/catalog-domains/{id}", s.admin(s.catalogDomainRename))
	m.HandleFunc("GET /admin/catalog/{org}", s.admin(s.catalogOrg))
	m.HandleFunc("POST /admin/catalog/{org}/draft", s.admin(s.catalogStartDraft))
	m.HandleFunc("POST /admin/catalog/{org}/draft/discard", s.admin(s.catalogDiscard))
	m.HandleFunc("POST /admin/catalog/{org}/publish", s.admin(s.catalogPublish))
	m.HandleFunc("GET /admin/catalog/{org}/v/{n}", s.admin(s.catalogVersion))
	m.HandleFunc("GET /admin/catalog/{org}/diff", s.admin(s.catalogDiff))
	m.HandleFunc("GET /admin/catalog/{org}/export", s.admin(s.catalogExport))
	m.HandleFunc("POST /admin/catalog/{org}/import", s.admin(s.catalogImport))
	m.HandleFunc("GET /admin/catalog/{org}/items/new", s.admin(s.catalogItemNew))
	m.HandleFunc("POST /admin/catalog/{org}/items", s.admin(s.catalogItemSave))
	m.HandleFunc("GET /admin/catalog/{org}/items/{id}/edit", s.admin(s.catalogItemEdit))
	m.HandleFunc("POST /admin/catalog/{org}/items/{id}", s.admin(s.catalogItemSave))
	m.HandleFunc("POST /admin/catalog/{org}/items/{id}/delete", s.admin(s.catalogItemDelete))
}

// catalogOrgFor loads the org in the URL after checking perm on it.
func (s *Server) catalogOrgFor(r *http.Request, perm org.Permission) (org.Org, *org.Principal, error) {
	ctx := r.Context()
	p := principalFrom(ctx)
	id := r.PathValue("org")
	if err := s.authorize(ctx, p, perm, id); err != nil {
		return org.Org{}, p, err
	}
	o, err := s.Orgs.GetOrg(ctx, id)
	return o, p, err
}

// catalogDraftFor is catalogOrgFor plus the org's draft (NotFound if none).
func (s *Server) catalogDraftFor(r *http.Request, perm org.Permission) (org.Org, *org.Principal, catalog.Version, error) {
	o, p, err := s.catalogOrgFor(r, perm)
	if err != nil {
		return o, p, catalog.Version{}, err
	}
	d, err := s.Catalog.DraftOf(r.Context(), o.ID)
	return o, p, d, err
}

// templateDomainSet is the names of domains that have template items.
func templateDomainSet() map[string]bool {
	set := map[string]bool{}
	for _, n := range catalog.TemplateDomains() {
		set[n] = true
	}
	return set
}

type catalogRow struct {
	Org     orgRow
	Current *catalog.Version
	Draft   *catalog.Version
	Report  catalog.Report
}

func (s *Server) catalogList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	orgs, err := s.scopedOrgs(ctx, p, org.PermCatalogView)
	if err != nil {
		return err
	}
	rows := make([]catalogRow, 0, len(orgs))
	for _, o := range orgs {
		row := catalogRow{Org: o}
		if v, err := s.Catalog.Current(ctx, o.ID); err == nil {
			row.Current = &v
		}
		if v, err := s.Catalog.DraftOf(ctx, o.ID); err == nil {
			row.Draft = &v
		}
		if row.Report, err = s.Catalog.Check(ctx, o.ID); err != nil {
			return err
		}
		rows = append(rows, row)
	}
	s.render(w, r, http.StatusOK, "admin/catalog_list.html", &pageData{Title: "标准目录", Section: "catalog",
		Data: map[string]any{"Rows": rows, "CanDomains": s.settingsAllowed(ctx, p) == nil}})
	return nil
}

// --- domains ---

func (s *Server) catalogDomains(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := s.settingsAllowed(ctx, principalFrom(ctx)); err != nil {
		return err
	}
	return s.renderDomains(w, r, http.StatusOK, &pageData{})
}

func (s *Server) renderDomains(w http.ResponseWriter, r *http.Request, status int, pd *pageData) error {
	doms, err := s.Catalog.Domains(r.Context())
	if err != nil {
		return err
	}
	pd.Title, pd.Section = "目录领域", "catalog"
	pd.Breadcrumb = []crumb{{"标准目录", "/admin/catalog"}, {"目录领域", ""}}
	pd.Data = map[string]any{"Domains": doms, "Templates": templateDomainSet()}
	s.render(w, r, status, "admin/catalog_domains.html", pd)
	return nil
}

func (s *Server) catalogDomainAdd(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.settingsAllowed(ctx, p); err != nil {
		return err
	}
	if _, err := s.Catalog.AddDomain(ctx, p.Actor(clientIP(r)), r.PostForm.Get("name")); err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderDomains(w, r, http.StatusBadRequest, pd)
	}
	http.Redirect(w, r, "/admin/catalog-domains?ok=created", http.StatusSeeOther)
	return nil
}

func (s *Server) catalogDomainRename(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.settingsAllowed(ctx, p); err != nil {
		return err
	}
	if err := s.Catalog.RenameDomain(ctx, p.Actor(clientIP(r)), r.PathValue("id"), r.PostForm.Get("name")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/catalog-domains?ok=saved", http.StatusSeeOther)
	return nil
}

// --- one org's catalog ---

func (s *Server) catalogOrg(w http.ResponseWriter, r *http.Request) error {
	o, p, err := s.catalogOrgFor(r, org.PermCatalogView)
	if err != nil {
		return err
	}
	return s.renderCatalogOrg(w, r, http.StatusOK, &pageData{}, o, p)
}

func (s *Server) renderCatalogOrg(w http.ResponseWriter, r *http.Request, status int, pd *pageData, o org.Org, p *org.Principal) error {
	ctx := r.Context()
	versions, err := s.Catalog.Versions(ctx, o.ID)
	if err != nil {
		return err
	}
	report, err := s.Catalog.Check(ctx, o.ID)
	if err != nil {
		return err
	}
	doms, err := s.Catalog.Domains(ctx)
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	var draft *catalog.Version
	for i := range versions {
		if versions[i].Draft() {
			draft = &versions[i]
		}
	}
	canEdit, _ := s.Orgs.Allowed(ctx, p, org.PermCatalogEdit, o.ID)
	canPublish, _ := s.Orgs.Allowed(ctx, p, org.PermCatalogPublish, o.ID)
	if pd.Form == nil {
		pd.Form = map[string]string{"year": strconv.Itoa(time.Now().In(cst).Year() + 1)}
	}
	pd.Title, pd.Section = o.Name+" 标准目录", "catalog"
	pd.Breadcrumb = []crumb{{"标准目录", "/admin/catalog"}, {o.Name, ""}}
	pd.Data = map[string]any{"Org": o, "Versions": versions, "Draft": draft, "Report": report, "Domains": doms,
		"TemplateDomains": templateDomainSet(), "CanEdit": canEdit, "CanPublish": canPublish, "OrgNames": names}
	s.render(w, r, status, "admin/catalog_org.html", pd)
	return nil
}

func (s *Server) catalogStartDraft(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	o, p, err := s.catalogOrgFor(r, org.PermCatalogEdit)
	if err != nil {
		return err
	}
	year, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("year")))
	if err != nil {
		err = apperr.Field("year", "年度应为四位数字，如 2027")
	} else {
		_, err = s.Catalog.StartDraft(r.Context(), p.Actor(clientIP(r)), o.ID, year, r.PostForm["template"])
	}
	if err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		return s.renderCatalogOrg(w, r, http.StatusBadRequest, pd, o, p)
	}
	http.Redirect(w, r, "/admin/catalog/"+o.ID+"?ok=created", http.StatusSeeOther)
	return nil
}

func (s *Server) catalogDiscard(w http.ResponseWriter, r *http.Request) error {
	o, p, d, err := s.catalogDraftFor(r, org.PermCatalogEdit)
	if err != nil {
		return err
	}
	if err := s.Catalog.DiscardDraft(r.Context(), p.Actor(clientIP(r)), d.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/catalog/"+o.ID+"?ok=discarded", http.StatusSeeOther)
	return nil
}

func (s *Server) catalogPublish(w http.ResponseWriter, r *http.Request) error {
	o, p, d, err := s.catalogDraftFor(r, org.PermCatalogPublish)
	if err != nil {
		return err
	}
	if err := s.Catalog.Publish(r.Context(), p.Actor(clientIP(r)), d.ID); err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid {
			return err
		}
		pd := &pageData{Error: e.Message + "。请按下方“检查结果”逐项补全。"}
		return s.renderCatalogOrg(w, r, http.StatusBadRequest, pd, o, p)
	}
	http.Redirect(w, r, "/admin/catalog/"+o.ID+"?ok=published", http.StatusSeeOther)
	return nil
}

// versionFor loads version n of the org.
func (s *Server) versionFor(ctx context.Context, o org.Org, raw string) (catalog.Version, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		return catalog.Version{}, apperr.NotFoundf("目录版本不存在")
	}
	return s.Catalog.VersionByNumber(ctx, o.ID, n)
}

type domainGroup struct {
	Domain catalog.Domain
	Items  []catalog.Item
}

func (s *Server) groupByDomain(ctx context.Context, items []catalog.Item) ([]domainGroup, error) {
	doms, err := s.Catalog.Domains(ctx)
	if err != nil {
		return nil, err
	}
	var out []domainGroup
	for _, d := range doms {
		g := domainGroup{Domain: d}
		for _, it := range items {
			if it.DomainID == d.ID {
				g.Items = append(g.Items, it)
			}
		}
		if len(g.Items) > 0 {
			out = append(out, g)
		}
	}
	return out, nil
}

func (s *Server) catalogVersion(w http.ResponseWriter, r *http.Request) error {
	o, p, err := s.catalogOrgFor(r, org.PermCatalogView)
	if err != nil {
		return err
	}
	ctx := r.Context()
	v, err := s.versionFor(ctx, o, r.PathValue("n"))
	if err != nil {
		return err
	}
	items, err := s.Catalog.Items(ctx, v.ID)
	if err != nil {
		return err
	}
	groups, err := s.groupByDomain(ctx, items)
	if err != nil {
		return err
	}
	report, err := s.Catalog.CheckVersion(ctx, v)
	if err != nil {
		return err
	}
	problems := map[string][]catalog.Finding{}
	for _, f := range report.Findings {
		problems[f.ItemKey] = append(problems[f.ItemKey], f)
	}
	canEdit, _ := s.Orgs.Allowed(ctx, p, org.PermCatalogEdit, o.ID)
	pd := &pageData{Title: fmt.Sprintf("%s 标准目录 第 %d 版", o.Name, v.Number), Section: "catalog"}
	pd.Breadcrumb = []crumb{{"标准目录", "/admin/catalog"}, {o.Name, "/admin/catalog/" + o.ID}, {fmt.Sprintf("第 %d 版", v.Number), ""}}
	pd.Data = map[string]any{"Org": o, "Version": v, "Groups": groups, "Problems": problems, "CanEdit": canEdit && v.Draft()}
	s.render(w, r, http.StatusOK, "admin/catalog_version.html", pd)
	return nil
}

func (s *Server) catalogDiff(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.catalogOrgFor(r, org.PermCatalogView)
	if err != nil {
		return err
	}
	ctx := r.Context()
	from, err := s.versionFor(ctx, o, r.URL.Query().Get("from"))
	if err != nil {
		return err
	}
	to, err := s.versionFor(ctx, o, r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	d, err := s.Catalog.Compare(ctx, from, to)
	if err != nil {
		return err
	}
	pd := &pageData{Title: fmt.Sprintf("第 %d 版与第 %d 版对比", from.Number, to.Number), Section: "catalog", Data: map[string]any{"Org": o, "Diff": d}}
	pd.Breadcrumb = []crumb{{"标准目录", "/admin/catalog"}, {o.Name, "/admin/catalog/" + o.ID}, {"版本对比", ""}}
	s.render(w, r, http.StatusOK, "admin/catalog_diff.html", pd)
	return nil
}

func (s *Server) catalogExport(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.catalogOrgFor(r, org.PermCatalogView)
	if err != nil {
		return err
	}
	ctx := r.Context()
	v, err := s.versionFor(ctx, o, r.URL.Query().Get("v"))
	if err != nil {
		return err
	}
	return s.writeCatalogFile(w, r, o, v, r.URL.Query().Get("format"))
}

// writeCatalogFile sends a version as an .xlsx or .json download.
func (s *Server) writeCatalogFile(w http.ResponseWriter, r *http.Request, o org.Org, v catalog.Version, format string) error {
	ctx := r.Context()
	var buf bytes.Buffer
	name := fmt.Sprintf("%s-标准目录-%d年度-第%d版", o.DisplayName(), v.Year, v.Number)
	switch format {
	case "json":
		if err := s.Catalog.ExportJSON(ctx, &buf, v); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		name += ".json"
	case "xlsx", "":
		if err := s.Catalog.ExportXLSX(ctx, &buf, v); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		name += ".xlsx"
	default:
		return apperr.Field("format", "格式只能是 xlsx 或 json")
	}
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Write(buf.Bytes())
	return nil
}

func (s *Server) catalogImport(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, catalog.MaxUpload+1<<20)
	o, p, err := s.catalogOrgFor(r, org.PermCatalogEdit)
	if err != nil {
		return err
	}
	if err := r.ParseMultipartForm(2 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Field("file", "文件超过 10 MB")
		}
		return apperr.Field("file", "请选择要导入的 Excel 文件")
	}
	defer r.MultipartForm.RemoveAll()
	f, hdr, err := r.FormFile("file")
	if err != nil {
		pd := &pageData{Errors: map[string]string{"file": "请选择要导入的 Excel（.xlsx）文件"}, Error: "请选择要导入的 Excel（.xlsx）文件。"}
		return s.renderCatalogOrg(w, r, http.StatusBadRequest, pd, o, p)
	}
	defer f.Close()
	if hdr.Size > catalog.MaxUpload {
		pd := &pageData{Errors: map[string]string{"file": "文件超过 10 MB"}, Error: "文件超过 10 MB。"}
		return s.renderCatalogOrg(w, r, http.StatusBadRequest, pd, o, p)
	}
	dry := r.FormValue("dry_run") == "1"
	res, err := s.Catalog.Import(r.Context(), p.Actor(clientIP(r)), o.ID, f, 0, dry)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(res.Problems) > 0 {
		status = http.StatusBadRequest
	}
	pd := &pageData{Title: "导入结果", Section: "catalog", Data: map[string]any{"Org": o, "Result": res, "File": hdr.Filename}}
	pd.Breadcrumb = []crumb{{"标准目录", "/admin/catalog"}, {o.Name, "/admin/catalog/" + o.ID}, {"导入结果", ""}}
	s.render(w, r, status, "admin/catalog_import.html", pd)
	return nil
}

// --- items ---

func (s *Server) catalogItemNew(w http.ResponseWriter, r *http.Request) error {
	o, _, d, err := s.catalogDraftFor(r, org.PermCatalogEdit)
	if err != nil {
		return err
	}
	pd := &pageData{Form: map[string]string{"domain_id": r.URL.Query().Get("domain"), "subject": o.Name}}
	return s.renderItemForm(w, r, http.StatusOK, pd, o, d, nil, map[string]bool{})
}

func (s *Server) catalogItemEdit(w http.ResponseWriter, r *http.Request) error {
	o, _, d, err := s.catalogDraftFor(r, org.PermCatalogEdit)
	if err != nil {
		return err
	}
	ctx := r.Context()
	it, err := s.Catalog.Item(ctx, r.PathValue("id"))
	if err != nil || it.VersionID != d.ID {
		return apperr.NotFoundf("草稿中没有这个事项")
	}
	form := map[string]string{"domain_id": it.DomainID, "level1": it.Level1, "level2": it.Level2, "content": it.Content,
		"basis": it.Basis, "time_limit": it.TimeLimit.Text, "subject": it.Subject, "channel_other": it.ChannelOther, "five_tag": it.FiveTag}
	checked := map[string]bool{}
	for _, group := range [][]string{it.Channels, it.Audience, it.Method, it.Levels} {
		for _, v := range group {
			checked[v] = true
		}
	}
	return s.renderItemForm(w, r, http.StatusOK, &pageData{Form: form}, o, d, &it, checked)
}

func (s *Server) renderItemForm(w http.ResponseWriter, r *http.Request, status int, pd *pageData, o org.Org, d catalog.Version, it *catalog.Item, checked map[string]bool) error {
	doms, err := s.Catalog.Domains(r.Context())
	if err != nil {
		return err
	}
	title := "新增目录事项"
	if it != nil {
		title = "编辑目录事项"
	}
	preview := catalog.ParseTimeLimit(pd.Form["time_limit"])
	pd.Title, pd.Section = title, "catalog"
	pd.Breadcrumb = []crumb{{"标准目录", "/admin/catalog"}, {o.Name, "/admin/catalog/" + o.ID},
		{fmt.Sprintf("第 %d 版草稿", d.Number), fmt.Sprintf("/admin/catalog/%s/v/%d", o.ID, d.Number)}, {title, ""}}
	pd.Data = map[string]any{"Org": o, "Draft": d, "Item": it, "Domains": doms, "Checked": checked, "Preview": preview,
		"Channels": catalog.Channels, "Audiences": catalog.Audiences, "Methods": catalog.Methods, "Levels": catalog.Levels,
		"FiveTags": catalog.FiveTags}
	s.render(w, r, status, "admin/catalog_item_form.html", pd)
	return nil
}

func (s *Server) catalogItemSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	o, p, d, err := s.catalogDraftFor(r, org.PermCatalogEdit)
	if err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	var existing *catalog.Item
	if id != "" {
		it, err := s.Catalog.Item(ctx, id)
		if err != nil || it.VersionID != d.ID {
			return apperr.NotFoundf("草稿中没有这个事项")
		}
		existing = &it
	}
	f := r.PostForm
	fields := catalog.ItemFields{Level1: f.Get("level1"), Level2: f.Get("level2"), Content: f.Get("content"), Basis: f.Get("basis"),
		TimeLimit: catalog.TimeLimit{Text: f.Get("time_limit")}, Subject: f.Get("subject"), Channels: f["channel"],
		ChannelOther: f.Get("channel_other"), Audience: f["audience"], Method: f["method"], Levels: f["level"], FiveTag: f.Get("five_tag")}
	it, err := s.Catalog.SaveItem(ctx, p.Actor(clientIP(r)), d.ID, id, f.Get("domain_id"), fields)
	if err != nil {
		pd := &pageData{Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		checked := map[string]bool{}
		for _, k := range []string{"channel", "audience", "method", "level"} {
			for _, v := range f[k] {
				checked[v] = true
			}
		}
		return s.renderItemForm(w, r, http.StatusBadRequest, pd, o, d, existing, checked)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/catalog/%s/v/%d?ok=saved#item-%s", o.ID, d.Number, it.Key), http.StatusSeeOther)
	return nil
}

func (s *Server) catalogItemDelete(w http.ResponseWriter, r *http.Request) error {
	o, p, d, err := s.catalogDraftFor(r, org.PermCatalogEdit)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.Catalog.DeleteItem(ctx, p.Actor(clientIP(r)), d.ID, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/catalog/%s/v/%d?ok=deleted", o.ID, d.Number), http.StatusSeeOther)
	return nil
}
