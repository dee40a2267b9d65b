package web

import (
	"net/http"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/org"
)

// statutoryColumn is a second-level column of 法定主动公开内容 (条例第二十条,
// 第二十一条; portal.md §1.4). Labels are suggestions there, so this list is
// the seed a later issue will move into editable data.
type statutoryColumn struct {
	Slug, Label, Basis string
}

var statutoryColumns = []statutoryColumn{
	{"zcwj", "政策文件", "第二十条（一）行政法规、规章和规范性文件"},
	{"jgzn", "机构职能", "第二十条（二）机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名"},
	{"ghxx", "规划信息", "第二十条（三）国民经济和社会发展规划、专项规划、区域规划及相关政策"},
	{"tjxx", "统计信息", "第二十条（四）国民经济和社会发展统计信息"},
	{"xzxk", "行政许可", "第二十条（五）办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果"},
	{"xzcf", "行政处罚、行政强制", "第二十条（六）实施行政处罚、行政强制的依据、条件、程序以及具有一定社会影响的行政处罚决定"},
	{"czyjs", "财政预决算", "第二十条（七）财政预算、决算信息"},
	{"xzsf", "行政事业性收费", "第二十条（八）行政事业性收费项目及其依据、标准"},
	{"zfcg", "政府采购", "第二十条（九）政府集中采购项目的目录、标准及实施情况"},
	{"zdjsxm", "重大建设项目", "第二十条（十）重大建设项目的批准和实施情况"},
	{"msbz", "民生保障", "第二十条（十一）扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况"},
	{"yjgl", "应急管理", "第二十条（十二）突发公共事件的应急预案、预警信息及应对情况"},
	{"jdjc", "监督检查", "第二十条（十三）环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况"},
	{"gwykl", "公务员招考", "第二十条（十四）公务员招考的职位、名额、报考条件等事项以及录用结果"},
	{"qtfdnr", "其他法定公开内容", "第二十条（十五）法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息"},
}

// townColumns are the extra 第二十一条 columns for towns (乡镇).
var townColumns = []statutoryColumn{
	{"nync", "农业农村政策", "第二十一条 贯彻落实农业农村政策"},
	{"ntsl", "农田水利工程建设运营", "第二十一条"},
	{"tdcb", "农村土地承包经营权流转", "第二十一条"},
	{"zjd", "宅基地使用情况审核", "第二十一条"},
	{"tdzs", "土地征收、房屋征收", "第二十一条"},
	{"cztl", "筹资筹劳", "第二十一条"},
	{"shjz", "社会救助", "第二十一条"},
}

func (s *Server) portalRoutes() {
	m := s.mux
	m.HandleFunc("GET /{$}", s.page(s.home))
	m.HandleFunc("GET /zfxxgk/{$}", s.page(s.columnIndex))
	m.HandleFunc("GET /zfxxgk/{code}/{$}", s.page(s.orgColumn))
	m.HandleFunc("GET /zfxxgk/{code}/xxgkzn", s.page(s.guide))
	m.HandleFunc("GET /zfxxgk/{code}/xxgkzd", s.page(s.emptyColumn("xxgkzd")))
	m.HandleFunc("GET /zfxxgk/{code}/fdzdgknr", s.page(s.statutory))
	m.HandleFunc("GET /zfxxgk/{code}/xxgknb", s.page(s.annualList))
	m.HandleFunc("GET /ysqgk", s.page(s.applyEntry))
	m.HandleFunc("GET /hdjl", s.page(s.interactEntry))
	m.HandleFunc("GET /elder", s.toggleElder)
	m.HandleFunc("/", s.page(func(w http.ResponseWriter, r *http.Request) error {
		return apperr.NotFoundf("您访问的页面不存在或已被移除")
	}))
}

// orgGroups is the org tree shaped for navigation.
type orgGroups struct {
	Root        *org.Org
	Departments []org.Org
	Towns       []townGroup // streets and towns with their communities and villages
}

type townGroup struct {
	Org         org.Org
	Communities []org.Org
}

func (s *Server) orgGroups(r *http.Request) (orgGroups, error) {
	all, err := s.Orgs.ListOrgs(r.Context())
	if err != nil {
		return orgGroups{}, err
	}
	var g orgGroups
	idx := map[string]int{}
	for i := range all {
		o := all[i]
		switch o.Kind {
		case org.KindDistrict:
			g.Root = &all[i]
		case org.KindDepartment:
			g.Departments = append(g.Departments, o)
		case org.KindStreet, org.KindTown:
			idx[o.ID] = len(g.Towns)
			g.Towns = append(g.Towns, townGroup{Org: o})
		}
	}
	for _, o := range all {
		if o.Kind == org.KindCommunity || o.Kind == org.KindVillage {
			if i, ok := idx[o.ParentID]; ok {
				g.Towns[i].Communities = append(g.Towns[i].Communities, o)
			}
		}
	}
	return g, nil
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	cacheTags(r, tagOrgs) // the org tree; add tagAll with any cross-org "latest" list
	g, err := s.orgGroups(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "portal/home.html", &pageData{Section: "home", Data: g})
	return nil
}

func (s *Server) columnIndex(w http.ResponseWriter, r *http.Request) error {
	cacheTags(r, tagOrgs)
	g, err := s.orgGroups(r)
	if err != nil {
		return err
	}
	p := &pageData{Title: "政府信息公开", Section: "zfxxgk", Data: g}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"政府信息公开", ""}}
	s.render(w, r, http.StatusOK, "portal/column_index.html", p)
	return nil
}

// orgPage loads the org named in the URL for the org's column pages.
func (s *Server) orgPage(r *http.Request, title string) (*pageData, org.Org, error) {
	o, err := s.Orgs.GetOrgByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, o, apperr.NotFoundf("该机构不存在")
		}
		return nil, o, err
	}
	p := &pageData{Title: title, Section: "zfxxgk"}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"政府信息公开", "/zfxxgk/"}, {o.Name, "/zfxxgk/" + o.Code + "/"}}
	if title != o.Name {
		p.Breadcrumb = append(p.Breadcrumb, crumb{title, ""})
		p.Title = title + " - " + o.Name
	} else {
		p.Breadcrumb[len(p.Breadcrumb)-1].Href = ""
	}
	return p, o, nil
}

func (s *Server) orgColumn(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.orgPage(r, "")
	if err != nil {
		return err
	}
	p.Title = o.Name + " 政府信息公开"
	p.Breadcrumb[len(p.Breadcrumb)-1].Href = ""
	cacheTags(r, "org:"+o.ID, tagOrgs) // parent and children are named
	children, err := s.Orgs.Children(r.Context(), o.ID)
	if err != nil {
		return err
	}
	var parent *org.Org
	if o.ParentID != "" {
		if po, err := s.Orgs.GetOrg(r.Context(), o.ParentID); err == nil {
			parent = &po
		}
	}
	p.Data = map[string]any{"Org": o, "Children": children, "Parent": parent}
	s.render(w, r, http.StatusOK, "portal/org_column.html", p)
	return nil
}

func (s *Server) guide(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.orgPage(r, "政府信息公开指南")
	if err != nil {
		return err
	}
	cacheTags(r, "org:"+o.ID)
	p.Data = map[string]any{"Org": o}
	s.render(w, r, http.StatusOK, "portal/guide.html", p)
	return nil
}

func (s *Server) emptyColumn(slug string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		title := "政府信息公开制度"
		p, o, err := s.orgPage(r, title)
		if err != nil {
			return err
		}
		cacheTags(r, "org:"+o.ID)
		p.Data = map[string]any{"Org": o, "Slug": slug, "Heading": title}
		s.render(w, r, http.StatusOK, "portal/empty_column.html", p)
		return nil
	}
}

func (s *Server) statutory(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.orgPage(r, "法定主动公开内容")
	if err != nil {
		return err
	}
	cacheTags(r, "org:"+o.ID)
	cols := statutoryColumns
	if o.Kind == org.KindTown {
		cols = append(append([]statutoryColumn{}, cols...), townColumns...)
	}
	genres, domains, err := s.statutoryData(r.Context(), o)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Org": o, "Columns": cols, "Genres": genres, "Domains": domains}
	s.render(w, r, http.StatusOK, "portal/statutory.html", p)
	return nil
}

func (s *Server) applyEntry(w http.ResponseWriter, r *http.Request) error {
	cacheTags(r, tagOrgs)
	g, err := s.orgGroups(r)
	if err != nil {
		return err
	}
	p := &pageData{Title: "依申请公开", Section: "ysqgk", Data: g}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"依申请公开", ""}}
	s.render(w, r, http.StatusOK, "portal/apply.html", p)
	return nil
}

func (s *Server) interactEntry(w http.ResponseWriter, r *http.Request) error {
	// Not cached: the solicitations taking comments change with the date
	// (see participatePortalRoutes).
	data, err := s.interactData(r)
	if err != nil {
		return err
	}
	if err := s.boardInteract(r, data); err != nil {
		return err
	}
	p := &pageData{Title: "互动交流", Section: "hdjl", Data: data}
	p.Breadcrumb = []crumb{{"首页", "/"}, {"互动交流", ""}}
	s.render(w, r, http.StatusOK, "portal/interact.html", p)
	return nil
}

// toggleElder switches 长者模式 with a cookie and a plain link, so it works
// without JavaScript.
func (s *Server) toggleElder(w http.ResponseWriter, r *http.Request) {
	on := r.URL.Query().Get("on") == "1"
	c := &http.Cookie{Name: elderCookie, Value: "1", Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.SecureCookies}
	if !on {
		c.Value, c.MaxAge = "", -1
	}
	http.SetCookie(w, c)
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
}
