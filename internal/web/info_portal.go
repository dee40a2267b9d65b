package web

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
)

// The portal shows published, 主动公开 records only.

func (s *Server) infoPortalRoutes() {
	m := s.mux
	m.HandleFunc("GET /zfxxgk/{code}/xxgk", s.page(s.portalInfoList))
	m.HandleFunc("GET /zfxxgk/{code}/xxgk/{id}", s.page(s.portalInfoDetail))
	m.HandleFunc("GET /zfxxgk/{code}/xxgk/{id}/fj/{hash}", s.page(s.portalAttachment))
	m.HandleFunc("GET /zfxxgk/{code}/feed.atom", s.page(s.feed("atom")))
	m.HandleFunc("GET /zfxxgk/{code}/feed.json", s.page(s.feed("json")))
	m.HandleFunc("GET /sitemap.xml", s.page(s.sitemap))
}

// publicRecords lists what the portal may show for an org and column.
func (s *Server) publicRecords(ctx context.Context, orgID, genre, catalogKey string, limit, offset int) ([]info.Record, int, error) {
	recs, total, err := s.Info.List(ctx, info.Filter{OrgIDs: []string{orgID}, Statuses: []string{info.StatusPublished},
		Genre: genre, CatalogKey: catalogKey, Limit: limit, Offset: offset, Attribute: info.Proactive})
	return recs, total, err
}

type genreColumn struct {
	Genre  string
	Total  int
	Latest []info.Record
}

type domainColumn struct {
	ID, Name string
	Items    []domainItem
}

type domainItem struct {
	Key, Title string
	Total      int
	Last       string
}

// statutoryData is the 法定主动公开内容 page: records by 体裁 and by the
// org's catalog domains, next to the Article 20/21 column reference.
func (s *Server) statutoryData(ctx context.Context, o org.Org) ([]genreColumn, []domainColumn, error) {
	var genres []genreColumn
	for _, g := range info.Genres {
		recs, total, err := s.publicRecords(ctx, o.ID, g, "", 5, 0)
		if err != nil {
			return nil, nil, err
		}
		genres = append(genres, genreColumn{g, total, recs})
	}
	items, err := s.Catalog.CurrentItems(ctx, o.ID)
	if err != nil {
		return nil, nil, err
	}
	groups, err := s.groupByDomain(ctx, items)
	if err != nil {
		return nil, nil, err
	}
	stats, err := s.Info.CatalogStats(ctx, o.ID)
	if err != nil {
		return nil, nil, err
	}
	var domains []domainColumn
	for _, g := range groups {
		dc := domainColumn{ID: g.Domain.ID, Name: g.Domain.Name}
		for _, it := range g.Items {
			st := stats[it.Key]
			dc.Items = append(dc.Items, domainItem{Key: it.Key, Title: it.Title(), Total: st.Total, Last: st.Last})
		}
		domains = append(domains, dc)
	}
	return genres, domains, nil
}

const pageSize = 20

func (s *Server) portalInfoList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	genre, key := q.Get("tc"), q.Get("sx")
	title := "信息公开目录"
	if genre != "" {
		title = genre
	}
	p, o, err := s.orgPage(r, title)
	if err != nil {
		return err
	}
	cacheTags(r, "org:"+o.ID) // its records and (for ?sx=) its catalog
	ctx := r.Context()
	if key != "" {
		it, _, err := s.findPublishedItem(ctx, o, key)
		if err != nil {
			return err
		}
		title = it.Title()
		p.Title = title + " - " + o.Name
		p.Breadcrumb[len(p.Breadcrumb)-1].Label = title
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	recs, total, err := s.publicRecords(ctx, o.ID, genre, key, pageSize, (page-1)*pageSize)
	if err != nil {
		return err
	}
	if page > 1 && len(recs) == 0 {
		return apperr.NotFoundf("没有这一页")
	}
	base := "/zfxxgk/" + o.Code + "/xxgk?"
	feedQ := ""
	if genre != "" {
		base += "tc=" + url.QueryEscape(genre) + "&"
		feedQ = "?tc=" + url.QueryEscape(genre)
	}
	if key != "" {
		base += "sx=" + url.QueryEscape(key) + "&"
		feedQ = "?sx=" + url.QueryEscape(key)
	}
	p.Data = map[string]any{"Org": o, "Heading": title, "Records": recs, "Pager": newPager(page, pageSize, total, base+"page="),
		"Offset": (page - 1) * pageSize, "FeedQuery": feedQ}
	s.render(w, r, http.StatusOK, "portal/info_list.html", p)
	return nil
}

func (s *Server) portalRecord(r *http.Request) (*pageData, org.Org, info.Record, error) {
	p, o, err := s.orgPage(r, "信息公开")
	if err != nil {
		return nil, o, info.Record{}, err
	}
	rec, err := s.Info.Get(r.Context(), r.PathValue("id"))
	if err != nil || rec.OrgID != o.ID || rec.Attribute != info.Proactive ||
		(rec.Status != info.StatusPublished && rec.Status != info.StatusWithdrawn) {
		return nil, o, rec, apperr.NotFoundf("信息不存在")
	}
	return p, o, rec, nil
}

func (s *Server) portalInfoDetail(w http.ResponseWriter, r *http.Request) error {
	p, o, rec, err := s.portalRecord(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cacheTags(r, "info:"+rec.ID, tagOrgs) // the publisher's name; org:O only for a catalog item, below
	p.Title = rec.Title + " - " + o.Name
	p.Breadcrumb[len(p.Breadcrumb)-1] = crumb{rec.Genre, "/zfxxgk/" + o.Code + "/xxgk?tc=" + url.QueryEscape(rec.Genre)}
	p.Breadcrumb = append(p.Breadcrumb, crumb{"正文", ""})
	if rec.Status == info.StatusWithdrawn {
		p.Data = map[string]any{"Org": o, "Record": rec}
		s.render(w, r, http.StatusGone, "portal/info_withdrawn.html", p)
		return nil
	}
	atts, err := s.Info.Attachments(ctx, rec.ID)
	if err != nil {
		return err
	}
	data := map[string]any{"Org": o, "Record": rec, "Attachments": atts}
	if err := s.policyLinks(ctx, rec, data); err != nil {
		return err
	}
	if rec.ReplacedBy != "" {
		cacheTags(r, "info:"+rec.ReplacedBy)
		if x, err := s.Info.Get(ctx, rec.ReplacedBy); err == nil && x.Status == info.StatusPublished && x.OrgID == o.ID &&
			x.Attribute == info.Proactive {
			data["Replacement"] = x
		}
	}
	if rec.CatalogKey != "" {
		cacheTags(r, "org:"+o.ID)
		if it, _, err := s.findPublishedItem(ctx, o, rec.CatalogKey); err == nil {
			data["Item"] = it
		}
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "portal/info_detail.html", p)
	return nil
}

func (s *Server) portalAttachment(w http.ResponseWriter, r *http.Request) error {
	_, _, rec, err := s.portalRecord(r)
	if err != nil || rec.Status != info.StatusPublished {
		return apperr.NotFoundf("附件不存在")
	}
	if s.attachmentNotModified(w, r, rec.ID, r.PathValue("hash")) {
		return nil
	}
	return s.sendAttachment(w, r, rec.ID, r.PathValue("hash"))
}

// siteBase is the absolute base URL for feeds and the sitemap: the
// configured 网站地址, else (for a fresh install) the request's host. Set the
// setting in production so a forged Host header cannot end up in cached
// feeds.
func (s *Server) siteBase(r *http.Request) string {
	if st, err := s.Site.Get(r.Context()); err == nil && st.BaseURL != "" {
		return strings.TrimRight(st.BaseURL, "/")
	}
	cacheNoStore(r) // the page would vary with the Host header
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Link    []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}
type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}
type atomAuthor struct {
	Name string `xml:"name"`
}
type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Link    atomLink `xml:"link"`
	Updated string   `xml:"updated"`
	Summary string   `xml:"summary"`
}

// feed serves the latest 50 records of an org (optionally one 体裁 or one
// catalog item) as Atom or JSON Feed 1.1.
func (s *Server) feed(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		o, err := s.Orgs.GetOrgByCode(ctx, r.PathValue("code"))
		if err != nil {
			return err
		}
		cacheTags(r, "org:"+o.ID)
		genre, key := r.URL.Query().Get("tc"), r.URL.Query().Get("sx")
		recs, _, err := s.publicRecords(ctx, o.ID, genre, key, 50, 0)
		if err != nil {
			return err
		}
		base := s.siteBase(r)
		title := o.Name + " 政府信息公开"
		if genre != "" {
			title += " · " + genre
		}
		updated := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, rec := range recs {
			if rec.PublishedAt.After(updated) {
				updated = rec.PublishedAt
			}
		}
		var buf bytes.Buffer
		if format == "json" {
			type item struct {
				ID            string `json:"id"`
				URL           string `json:"url"`
				Title         string `json:"title"`
				Summary       string `json:"summary,omitempty"`
				DatePublished string `json:"date_published"`
				IndexNo       string `json:"_index_no"`
				DocNo         string `json:"_doc_no,omitempty"`
				Genre         string `json:"_genre"`
			}
			items := []item{}
			for _, rec := range recs {
				link := base + "/zfxxgk/" + o.Code + "/xxgk/" + rec.ID
				items = append(items, item{link, link, rec.Title, rec.Summary, rec.PublishedAt.UTC().Format(time.RFC3339), rec.IndexNo, rec.DocNo, rec.Genre})
			}
			json.NewEncoder(&buf).Encode(map[string]any{"version": "https://jsonfeed.org/version/1.1", "title": title,
				"home_page_url": base + "/zfxxgk/" + o.Code + "/", "feed_url": base + r.URL.RequestURI(), "language": "zh-CN", "items": items})
			w.Header().Set("Content-Type", "application/feed+json; charset=utf-8")
		} else {
			f := atomFeed{Title: title, ID: base + r.URL.RequestURI(), Updated: updated.UTC().Format(time.RFC3339),
				Link:   []atomLink{{Href: base + r.URL.RequestURI(), Rel: "self"}, {Href: base + "/zfxxgk/" + o.Code + "/"}},
				Author: atomAuthor{o.Name}}
			for _, rec := range recs {
				link := base + "/zfxxgk/" + o.Code + "/xxgk/" + rec.ID
				f.Entries = append(f.Entries, atomEntry{Title: rec.Title, ID: link, Link: atomLink{Href: link},
					Updated: rec.PublishedAt.UTC().Format(time.RFC3339), Summary: rec.Summary})
			}
			buf.WriteString(xml.Header)
			enc := xml.NewEncoder(&buf)
			enc.Indent("", "  ")
			if err := enc.Encode(f); err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
		}
		w.Write(buf.Bytes())
		return nil
	}
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemap lists the org columns, catalogs, catalog items and every public
// record, for search engines and the provincial platform's crawler.
func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cacheTags(r, tagAll, tagOrgs)
	base := s.siteBase(r)
	urls := []sitemapURL{{Loc: base + "/"}, {Loc: base + "/zfxxgk/"}}
	orgs, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return err
	}
	code := map[string]string{}
	for _, o := range orgs {
		code[o.ID] = o.Code
		urls = append(urls, sitemapURL{Loc: base + "/zfxxgk/" + o.Code + "/"}, sitemapURL{Loc: base + "/zfxxgk/" + o.Code + "/xxgkzn"})
		if v, err := s.Catalog.Current(ctx, o.ID); err == nil {
			urls = append(urls, sitemapURL{Loc: base + "/zfxxgk/" + o.Code + "/bzml", LastMod: v.PublishedAt.UTC().Format("2006-01-02")})
			items, err := s.Catalog.Items(ctx, v.ID)
			if err != nil {
				return err
			}
			for _, it := range items {
				urls = append(urls, sitemapURL{Loc: base + "/zfxxgk/" + o.Code + "/bzml/sx/" + it.Key})
			}
		}
	}
	for offset := 0; ; offset += 200 {
		recs, _, err := s.Info.List(ctx, info.Filter{Statuses: []string{info.StatusPublished}, Attribute: info.Proactive, Limit: 200, Offset: offset})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			urls = append(urls, sitemapURL{Loc: base + "/zfxxgk/" + code[rec.OrgID] + "/xxgk/" + rec.ID, LastMod: rec.UpdatedAt.UTC().Format("2006-01-02")})
		}
		if len(recs) < 200 {
			break
		}
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	fmt.Fprintln(&buf, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	enc := xml.NewEncoder(&buf)
	for _, u := range urls {
		if err := enc.EncodeElement(u, xml.StartElement{Name: xml.Name{Local: "url"}}); err != nil {
			return err
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("</urlset>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write(buf.Bytes())
	return nil
}
