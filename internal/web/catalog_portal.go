package web

import (
	"context"
	"fmt"
	"net/http"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/org"
)

// The portal shows published catalog versions only; drafts are absent.

func (s *Server) catalogPortalRoutes() {
	m := s.mux
	m.HandleFunc("GET /zfxxgk/{code}/bzml", s.page(s.portalCatalog))
	m.HandleFunc("GET /zfxxgk/{code}/bzml/v/{n}", s.page(s.portalCatalog))
	m.HandleFunc("GET /zfxxgk/{code}/bzml/ly/{domain}", s.page(s.portalCatalogDomain))
	m.HandleFunc("GET /zfxxgk/{code}/bzml/sx/{key}", s.page(s.portalCatalogItem))
	m.HandleFunc("GET /api/v1/catalog-domains", s.api(s.apiCatalogDomains))
	m.HandleFunc("GET /api/v1/catalogs", s.api(s.apiCatalogs))
	m.HandleFunc("GET /api/v1/catalogs/{code}", s.api(s.apiCatalog))
	m.HandleFunc("GET /api/v1/catalogs/{code}/versions", s.api(s.apiCatalogVersions))
	m.HandleFunc("GET /api/v1/catalogs/{code}/versions/{n}", s.api(s.apiCatalog))
	m.HandleFunc("GET /api/v1/catalogs/{code}/items/{key}", s.api(s.apiCatalogItem))
}

// publishedVersion resolves the version a public URL asks for: number n
// when given (drafts answer 404), else the current one.
func (s *Server) publishedVersion(ctx context.Context, o org.Org, n string) (catalog.Version, error) {
	if n == "" {
		return s.Catalog.Current(ctx, o.ID)
	}
	v, err := s.versionFor(ctx, o, n)
	if err != nil || v.Draft() {
		return catalog.Version{}, apperr.NotFoundf("目录版本不存在")
	}
	return v, nil
}

func (s *Server) portalCatalog(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.orgPage(r, "基层政务公开标准目录")
	if err != nil {
		return err
	}
	cacheTags(r, "org:"+o.ID)
	ctx := r.Context()
	versions, err := s.Catalog.Versions(ctx, o.ID)
	if err != nil {
		return err
	}
	var published []catalog.Version
	for _, v := range versions {
		if !v.Draft() {
			published = append(published, v)
		}
	}
	data := map[string]any{"Org": o, "Versions": published}
	if len(published) > 0 {
		v, err := s.publishedVersion(ctx, o, r.PathValue("n"))
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
		data["Version"], data["Groups"], data["Old"] = v, groups, v.ID != published[0].ID
	} else if r.PathValue("n") != "" {
		return apperr.NotFoundf("目录版本不存在")
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "portal/catalog.html", p)
	return nil
}

func (s *Server) portalCatalogDomain(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.orgPage(r, "基层政务公开标准目录")
	if err != nil {
		return err
	}
	cacheTags(r, "org:"+o.ID)
	ctx := r.Context()
	v, err := s.Catalog.Current(ctx, o.ID)
	if err != nil {
		return err
	}
	d, err := s.Catalog.Domain(ctx, r.PathValue("domain"))
	if err != nil {
		return err
	}
	items, err := s.Catalog.Items(ctx, v.ID)
	if err != nil {
		return err
	}
	var mine []catalog.Item
	for _, it := range items {
		if it.DomainID == d.ID {
			mine = append(mine, it)
		}
	}
	if len(mine) == 0 {
		return apperr.NotFoundf("本目录没有“%s”领域的事项", d.Name)
	}
	p.Title = d.Name + "领域 - " + p.Title
	p.Breadcrumb[len(p.Breadcrumb)-1].Href = "/zfxxgk/" + o.Code + "/bzml"
	p.Breadcrumb = append(p.Breadcrumb, crumb{d.Name, ""})
	p.Data = map[string]any{"Org": o, "Version": v, "Domain": d, "Items": mine}
	s.render(w, r, http.StatusOK, "portal/catalog_domain.html", p)
	return nil
}

func (s *Server) portalCatalogItem(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.orgPage(r, "基层政务公开标准目录")
	if err != nil {
		return err
	}
	cacheTags(r, "org:"+o.ID)
	ctx := r.Context()
	it, v, err := s.findPublishedItem(ctx, o, r.PathValue("key"))
	if err != nil {
		return err
	}
	cur, err := s.Catalog.Current(ctx, o.ID)
	if err != nil {
		return err
	}
	d, err := s.Catalog.Domain(ctx, it.DomainID)
	if err != nil {
		return err
	}
	p.Title = it.Title() + " - " + o.Name + "标准目录"
	p.Breadcrumb[len(p.Breadcrumb)-1].Href = "/zfxxgk/" + o.Code + "/bzml"
	p.Breadcrumb = append(p.Breadcrumb, crumb{d.Name, "/zfxxgk/" + o.Code + "/bzml/ly/" + d.ID}, crumb{it.Title(), ""})
	recs, total, err := s.publicRecords(ctx, o.ID, "", it.Key, 10, 0)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Org": o, "Version": v, "Item": it, "Domain": d, "Removed": v.ID != cur.ID, "Records": recs, "RecordTotal": total}
	s.render(w, r, http.StatusOK, "portal/catalog_item.html", p)
	return nil
}

// findPublishedItem finds an item by key in the current version, or in the
// newest earlier published version that had it (so old links still answer).
func (s *Server) findPublishedItem(ctx context.Context, o org.Org, key string) (catalog.Item, catalog.Version, error) {
	versions, err := s.Catalog.Versions(ctx, o.ID)
	if err != nil {
		return catalog.Item{}, catalog.Version{}, err
	}
	for _, v := range versions {
		if v.Draft() {
			continue
		}
		it, err := s.Catalog.ItemByKey(ctx, v.ID, key)
		if err == nil {
			return it, v, nil
		}
		if !apperr.Is(err, apperr.NotFound) {
			return it, v, err
		}
	}
	return catalog.Item{}, catalog.Version{}, apperr.NotFoundf("目录事项不存在")
}

// --- API ---

func (s *Server) apiCatalogDomains(w http.ResponseWriter, r *http.Request) error {
	doms, err := s.Catalog.Domains(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(doms))
	for i, d := range doms {
		out[i] = map[string]any{"id": d.ID, "name": d.Name, "builtin": d.Builtin}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": len(out)})
	return nil
}

func (s *Server) apiCatalogs(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	orgs, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return err
	}
	var out []map[string]any
	for _, o := range orgs {
		v, err := s.Catalog.Current(ctx, o.ID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return err
		}
		out = append(out, map[string]any{"org": map[string]string{"code": o.Code, "name": o.Name}, "number": v.Number,
			"year": v.Year, "items": v.Items, "published_at": v.PublishedAt.UTC().Format("2006-01-02T15:04:05Z"),
			"url": "/api/v1/catalogs/" + o.Code})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": len(out)})
	return nil
}

func (s *Server) apiOrgByCode(r *http.Request) (org.Org, error) {
	o, err := s.Orgs.GetOrgByCode(r.Context(), r.PathValue("code"))
	if apperr.Is(err, apperr.NotFound) {
		return o, apperr.NotFoundf("机构代码 %s 不存在", r.PathValue("code"))
	}
	return o, err
}

func (s *Server) apiCatalog(w http.ResponseWriter, r *http.Request) error {
	o, err := s.apiOrgByCode(r)
	if err != nil {
		return err
	}
	v, err := s.publishedVersion(r.Context(), o, r.PathValue("n"))
	if err != nil {
		return err
	}
	j, err := s.Catalog.ToJSON(r.Context(), v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

func (s *Server) apiCatalogVersions(w http.ResponseWriter, r *http.Request) error {
	o, err := s.apiOrgByCode(r)
	if err != nil {
		return err
	}
	versions, err := s.Catalog.Versions(r.Context(), o.ID)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, v := range versions {
		if v.Draft() {
			continue
		}
		out = append(out, map[string]any{"number": v.Number, "year": v.Year, "items": v.Items,
			"published_at": v.PublishedAt.UTC().Format("2006-01-02T15:04:05Z"),
			"url":          fmt.Sprintf("/api/v1/catalogs/%s/versions/%d", o.Code, v.Number)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": len(out)})
	return nil
}

func (s *Server) apiCatalogItem(w http.ResponseWriter, r *http.Request) error {
	o, err := s.apiOrgByCode(r)
	if err != nil {
		return err
	}
	it, v, err := s.findPublishedItem(r.Context(), o, r.PathValue("key"))
	if err != nil {
		return err
	}
	j, err := s.Catalog.ToJSON(r.Context(), v)
	if err != nil {
		return err
	}
	for _, x := range j.Items {
		if x.Key == it.Key {
			writeJSON(w, http.StatusOK, map[string]any{"version": v.Number, "item": x})
			return nil
		}
	}
	return apperr.NotFoundf("目录事项不存在")
}
