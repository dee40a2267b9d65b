package web

import (
	"net/http"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/org"
)

// The JSON API: ISO 8601 dates, stable error codes (apperr.Kind.Code) with a
// Chinese message and, for bad input, the fields at fault.

func (s *Server) apiRoutes() {
	m := s.mux
	m.HandleFunc("GET /api/v1/{$}", s.api(s.apiIndex))
	m.HandleFunc("GET /api/v1/orgs", s.api(s.apiOrgs))
	m.HandleFunc("GET /api/v1/orgs/{code}", s.api(s.apiOrg))
	m.HandleFunc("GET /api/v1/me", s.api(s.apiMe))
	s.apiIntakeRoutes()
	m.HandleFunc("/api/", s.api(func(w http.ResponseWriter, r *http.Request) error {
		return apperr.NotFoundf("接口不存在：%s %s", r.Method, r.URL.Path)
	}))
}

func (s *Server) api(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.apiError(w, r, err)
		}
	}
}

func (s *Server) apiIndex(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{
		"name": "gongkai API", "version": "v1",
		"endpoints": []map[string]string{
			{"method": "GET", "path": "/api/v1/orgs", "description": "机构列表（公开信息）"},
			{"method": "GET", "path": "/api/v1/orgs/{code}", "description": "按机构代码查询机构"},
			{"method": "GET", "path": "/api/v1/catalog-domains", "description": "标准目录领域"},
			{"method": "GET", "path": "/api/v1/catalogs", "description": "已发布标准目录的机构及当前版本"},
			{"method": "GET", "path": "/api/v1/catalogs/{code}", "description": "机构当前发布的标准目录（全部事项）"},
			{"method": "GET", "path": "/api/v1/catalogs/{code}/versions", "description": "机构已发布的目录版本"},
			{"method": "GET", "path": "/api/v1/catalogs/{code}/versions/{n}", "description": "机构某一已发布版本的目录"},
			{"method": "GET", "path": "/api/v1/catalogs/{code}/items/{key}", "description": "按稳定编号查询目录事项"},
			{"method": "GET", "path": "/zfxxgk/{code}/feed.atom, /zfxxgk/{code}/feed.json", "description": "主动公开信息订阅（可加 ?tc=体裁 或 ?sx=目录事项）"},
			{"method": "GET", "path": "/api/v1/apply/{tracking_no}", "description": "依申请公开办理进度（凭查询号，不含个人信息）"},
			{"method": "GET", "path": "/api/v1/me", "description": "当前登录账号（需后台登录会话）"},
			{"method": "POST", "path": "/api/v1/apply/cases", "description": "接入平台推送依申请公开申请（需接口密钥 Authorization: Bearer；按 ref 幂等）"},
			{"method": "GET", "path": "/api/v1/apply/cases/{tracking_no}", "description": "接入平台查询本机关申请的办理进度（需接口密钥）"},
		},
	})
	return nil
}

type apiOrgJSON struct {
	ID          string `json:"id"`
	ParentID    string `json:"parent_id,omitempty"`
	Kind        string `json:"kind"`
	KindLabel   string `json:"kind_label"`
	Name        string `json:"name"`
	ShortName   string `json:"short_name,omitempty"`
	Code        string `json:"code"`
	Address     string `json:"address,omitempty"`
	Postcode    string `json:"postcode,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Fax         string `json:"fax,omitempty"`
	Email       string `json:"email,omitempty"`
	OfficeHours string `json:"office_hours,omitempty"`
	UpdatedAt   string `json:"updated_at"`
}

func orgJSON(o org.Org) apiOrgJSON {
	return apiOrgJSON{ID: o.ID, ParentID: o.ParentID, Kind: string(o.Kind), KindLabel: o.Kind.Label(), Name: o.Name,
		ShortName: o.ShortName, Code: o.Code, Address: o.Address, Postcode: o.Postcode, Phone: o.Phone, Fax: o.Fax,
		Email: o.Email, OfficeHours: o.OfficeHours, UpdatedAt: o.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")}
}

// Organisations and their contact details are public (条例第十二条 requires
// them in the disclosure guide), so these need no login.
func (s *Server) apiOrgs(w http.ResponseWriter, r *http.Request) error {
	all, err := s.Orgs.ListOrgs(r.Context())
	if err != nil {
		return err
	}
	out := make([]apiOrgJSON, len(all))
	for i, o := range all {
		out[i] = orgJSON(o)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": len(out)})
	return nil
}

func (s *Server) apiOrg(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Orgs.GetOrgByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, orgJSON(o))
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(sessionCookie)
	token := ""
	if err == nil {
		token = c.Value
	}
	_, p, err := s.Orgs.Authenticate(r.Context(), token)
	if err != nil {
		return err
	}
	grants := make([]map[string]string, len(p.Grants))
	for i, g := range p.Grants {
		grants[i] = map[string]string{"org_id": g.OrgID, "role": string(g.Role), "role_label": g.Role.Label()}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": p.User.ID, "username": p.User.Username,
		"display_name": p.User.DisplayName, "org_id": p.User.OrgID, "roles": grants})
	return nil
}
