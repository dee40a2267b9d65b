package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/site"
)

const sessionCookie = "gk_session"

func (s *Server) adminRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/login", s.page(s.loginForm))
	m.HandleFunc("POST /admin/login", s.page(s.login))
	m.HandleFunc("POST /admin/logout", s.admin(s.logout))
	m.HandleFunc("GET /admin/{$}", s.admin(s.dashboard))
	m.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusMovedPermanently)
	})
	m.HandleFunc("GET /admin/orgs", s.admin(s.orgList))
	m.HandleFunc("GET /admin/orgs/new", s.admin(s.orgNew))
	m.HandleFunc("POST /admin/orgs", s.admin(s.orgCreate))
	m.HandleFunc("GET /admin/orgs/{id}", s.admin(s.orgShow))
	m.HandleFunc("GET /admin/orgs/{id}/edit", s.admin(s.orgEdit))
	m.HandleFunc("POST /admin/orgs/{id}", s.admin(s.orgUpdate))
	m.HandleFunc("POST /admin/orgs/{id}/review-flow", s.admin(s.orgReviewFlow))
	m.HandleFunc("GET /admin/users", s.admin(s.userList))
	m.HandleFunc("GET /admin/users/new", s.admin(s.userNew))
	m.HandleFunc("POST /admin/users", s.admin(s.userCreate))
	m.HandleFunc("GET /admin/users/{id}", s.admin(s.userShow))
	m.HandleFunc("POST /admin/users/{id}", s.admin(s.userUpdate))
	m.HandleFunc("POST /admin/users/{id}/disable", s.admin(s.userSetDisabled(true)))
	m.HandleFunc("POST /admin/users/{id}/enable", s.admin(s.userSetDisabled(false)))
	m.HandleFunc("POST /admin/users/{id}/password", s.admin(s.userResetPassword))
	m.HandleFunc("GET /admin/account", s.admin(s.account))
	m.HandleFunc("POST /admin/account/password", s.admin(s.accountPassword))
	m.HandleFunc("GET /admin/audit", s.admin(s.auditList))
	m.HandleFunc("GET /admin/settings", s.admin(s.settingsForm))
	m.HandleFunc("POST /admin/settings", s.admin(s.settingsSave))
}

// admin wraps a back-office handler: it requires a session, puts the
// principal in the context, sends users who must change their password to
// do so first, and renders errors as back-office pages.
func (s *Server) admin(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie(sessionCookie)
		token := ""
		if c != nil {
			token = c.Value
		}
		sess, p, err := s.Orgs.Authenticate(r.Context(), token)
		if err != nil {
			if apperr.Is(err, apperr.Unauthenticated) {
				s.clearSession(w)
				q := url.Values{}
				next := r.URL.RequestURI()
				if r.Method != http.MethodGet {
					next = "/admin/"
				}
				q.Set("next", next)
				if token != "" && errors.Is(err, org.ErrSessionExpired) {
					q.Set("expired", "1")
				}
				http.Redirect(w, r, "/admin/login?"+q.Encode(), http.StatusSeeOther)
				return
			}
			s.errorPage(w, r, err)
			return
		}
		if p.User.MustChangePassword && r.URL.Path != "/admin/account" && r.URL.Path != "/admin/account/password" &&
			r.URL.Path != "/admin/logout" {
			http.Redirect(w, r, "/admin/account?must=1", http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(context.WithValue(r.Context(), principalKey, p), sessionKey, sess)
		r = r.WithContext(ctx)
		if err := h(w, r); err != nil {
			s.errorPage(w, r, err)
		}
	}
}

func (s *Server) setSession(w http.ResponseWriter, sess org.Session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.SecureCookies, Expires: sess.ExpiresAt})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.SecureCookies})
}

// authorize answers 404 when the org is not even visible to p (so its
// existence is not revealed) and 403 when it is visible but the action is
// not permitted.
func (s *Server) authorize(ctx context.Context, p *org.Principal, perm org.Permission, orgID string) error {
	ok, err := s.Orgs.Allowed(ctx, p, perm, orgID)
	if err != nil || ok {
		return err
	}
	visible, err := s.Orgs.Allowed(ctx, p, org.PermOrgView, orgID)
	if err != nil {
		return err
	}
	if visible {
		return apperr.New(apperr.Forbidden, "您没有此操作的权限")
	}
	return apperr.NotFoundf("页面不存在或您无权查看")
}

// --- login ---

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, _, err := s.Orgs.Authenticate(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, "/admin/", http.StatusSeeOther)
			return nil
		}
	}
	p := &pageData{Title: "登录", Form: map[string]string{"next": r.URL.Query().Get("next")}}
	if r.URL.Query().Get("expired") == "1" {
		p.Error = "登录已过期，请重新登录。"
	}
	s.render(w, r, http.StatusOK, "admin/login.html", p)
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := &pageData{Title: "登录", Form: formValues(r)}
	sess, pr, err := s.Orgs.Login(r.Context(), r.PostForm.Get("username"), r.PostForm.Get("password"), clientIP(r), r.UserAgent())
	if err != nil {
		if e := formErrors(err, p); e == nil {
			s.render(w, r, http.StatusBadRequest, "admin/login.html", p)
			return nil
		}
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		p.Error = e.Message
		s.render(w, r, statusOf(e.Kind), "admin/login.html", p)
		return nil
	}
	s.setSession(w, sess)
	next := safeNext(r.PostForm.Get("next"), "/admin/")
	if !strings.HasPrefix(next, "/admin") {
		next = "/admin/"
	}
	if pr.User.MustChangePassword {
		next = "/admin/account?must=1"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.Orgs.Logout(r.Context(), principalFrom(r.Context()), sessionFrom(r.Context()).Token, clientIP(r)); err != nil {
		return err
	}
	s.clearSession(w)
	http.Redirect(w, r, "/admin/login?ok=loggedout", http.StatusSeeOther)
	return nil
}

// --- dashboard ---

type grantView struct {
	Role    org.Role
	OrgName string
	OrgID   string
}

func (s *Server) grantViews(ctx context.Context, grants []org.Grant) []grantView {
	out := make([]grantView, 0, len(grants))
	for _, g := range grants {
		name := "（已删除的机构）"
		if o, err := s.Orgs.GetOrg(ctx, g.OrgID); err == nil {
			name = o.Name
		}
		out = append(out, grantView{Role: g.Role, OrgName: name, OrgID: g.OrgID})
	}
	return out
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	data := map[string]any{"Grants": s.grantViews(ctx, p.Grants)}
	orgScope, err := s.Orgs.Scope(ctx, p, org.PermOrgView)
	if err != nil {
		return err
	}
	data["OrgCount"] = len(orgScope)
	if p.CanAny(org.PermUserView) {
		scope, err := s.Orgs.Scope(ctx, p, org.PermUserView)
		if err != nil {
			return err
		}
		users, err := s.Orgs.ListUsers(ctx, scope)
		if err != nil {
			return err
		}
		data["UserCount"] = len(users)
		data["CanUsers"] = true
	}
	if p.CanAny(org.PermAuditView) {
		events, err := s.scopedAudit(ctx, p, audit.Filter{Limit: 8})
		if err != nil {
			return err
		}
		data["Events"] = events
	}
	if v, err := s.DB.SchemaVersion(ctx); err == nil {
		data["SchemaVersion"] = v
	}
	data["Engine"] = string(s.DB.Engine)
	if data["ApplyRemind"], err = s.applyRemindPanel(ctx, p); err != nil {
		return err
	}
	if data["BoardRemind"], err = s.boardRemindPanel(ctx, p); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin/dashboard.html", &pageData{Title: "工作台", Section: "dashboard", Data: data})
	return nil
}

func (s *Server) scopedAudit(ctx context.Context, p *org.Principal, f audit.Filter) ([]audit.Record, error) {
	scope, err := s.Orgs.Scope(ctx, p, org.PermAuditView)
	if err != nil {
		return nil, err
	}
	// Site-wide events (no org) belong to whoever oversees the root.
	orgs, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if o.ParentID == "" {
			for _, id := range scope {
				if id == o.ID {
					scope = append(scope, "")
					break
				}
			}
		}
	}
	f.OrgIDs = scope
	if f.OrgIDs == nil {
		f.OrgIDs = []string{}
	}
	return audit.List(ctx, s.DB.R, f)
}

// --- organisations ---

type orgRow struct {
	org.Org
	Depth int
}

func (s *Server) orgList(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	rows, err := s.scopedOrgs(r.Context(), p, org.PermOrgView)
	if err != nil {
		return err
	}
	data := map[string]any{"Orgs": rows, "CanManage": p.CanAny(org.PermOrgManage)}
	s.render(w, r, http.StatusOK, "admin/orgs.html", &pageData{Title: "机构管理", Section: "orgs", Data: data})
	return nil
}

func (s *Server) orgShow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	id := r.PathValue("id")
	if err := s.authorize(ctx, p, org.PermOrgView, id); err != nil {
		return err
	}
	o, err := s.Orgs.GetOrg(ctx, id)
	if err != nil {
		return err
	}
	data := map[string]any{"Org": o}
	if o.ParentID != "" {
		if po, err := s.Orgs.GetOrg(ctx, o.ParentID); err == nil {
			data["Parent"] = po
		}
	}
	children, err := s.Orgs.Children(ctx, id)
	if err != nil {
		return err
	}
	data["Children"] = children
	if ok, _ := s.Orgs.Allowed(ctx, p, org.PermOrgManage, id); ok {
		data["CanManage"] = true
	}
	if ok, _ := s.Orgs.Allowed(ctx, p, org.PermUserView, id); ok {
		users, err := s.Orgs.ListUsers(ctx, []string{id})
		if err != nil {
			return err
		}
		data["Users"] = users
	}
	if ok, _ := s.Orgs.Allowed(ctx, p, org.PermAuditView, id); ok {
		events, err := audit.List(ctx, s.DB.R, audit.Filter{OrgIDs: []string{id}, Limit: 10})
		if err != nil {
			return err
		}
		data["Events"] = events
	}
	flow, err := s.Info.Flow(ctx, id)
	if err != nil {
		return err
	}
	data["Flow"] = flow
	pd := &pageData{Title: o.Name, Section: "orgs", Data: data}
	pd.Breadcrumb = []crumb{{"机构管理", "/admin/orgs"}, {o.Name, ""}}
	s.render(w, r, http.StatusOK, "admin/org_show.html", pd)
	return nil
}

// scopedOrgs lists the orgs where p has perm, in tree order with depths,
// for lists and selects.
func (s *Server) scopedOrgs(ctx context.Context, p *org.Principal, perm org.Permission) ([]orgRow, error) {
	scope, err := s.Orgs.Scope(ctx, p, perm)
	if err != nil {
		return nil, err
	}
	in := map[string]bool{}
	for _, id := range scope {
		in[id] = true
	}
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	depth := org.Depth(all)
	var out []orgRow
	for _, o := range all {
		if in[o.ID] {
			out = append(out, orgRow{o, depth[o.ID]})
		}
	}
	return out, nil
}

func (s *Server) renderOrgForm(w http.ResponseWriter, r *http.Request, status int, pd *pageData, editing *org.Org) error {
	parents, err := s.scopedOrgs(r.Context(), principalFrom(r.Context()), org.PermOrgManage)
	if err != nil {
		return err
	}
	pd.Section = "orgs"
	pd.Data = map[string]any{"Parents": parents, "Kinds": org.Kinds, "Editing": editing}
	s.render(w, r, status, "admin/org_form.html", pd)
	return nil
}

func orgFormValues(o org.OrgInput) map[string]string {
	return map[string]string{"parent_id": o.ParentID, "kind": string(o.Kind), "name": o.Name, "short_name": o.ShortName,
		"code": o.Code, "address": o.Address, "postcode": o.Postcode, "phone": o.Phone, "fax": o.Fax, "email": o.Email,
		"office_hours": o.OfficeHours, "sort": strconv.Itoa(o.Sort)}
}

func orgInputFrom(r *http.Request) (org.OrgInput, error) {
	f := r.PostForm
	in := org.OrgInput{ParentID: f.Get("parent_id"), Kind: org.Kind(f.Get("kind")), Name: f.Get("name"),
		ShortName: f.Get("short_name"), Code: f.Get("code"), Address: f.Get("address"), Postcode: f.Get("postcode"),
		Phone: f.Get("phone"), Fax: f.Get("fax"), Email: f.Get("email"), OfficeHours: f.Get("office_hours")}
	if v := strings.TrimSpace(f.Get("sort")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 9999 {
			return in, apperr.Field("sort", "排序应为 0–9999 的整数")
		}
		in.Sort = n
	}
	return in, nil
}

func (s *Server) orgNew(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if !p.CanAny(org.PermOrgManage) {
		return apperr.New(apperr.Forbidden, "您没有新建机构的权限")
	}
	parent := r.URL.Query().Get("parent")
	if parent != "" {
		if err := s.authorize(r.Context(), p, org.PermOrgManage, parent); err != nil {
			return err
		}
	}
	pd := &pageData{Title: "新建机构", Form: map[string]string{"parent_id": parent}}
	pd.Breadcrumb = []crumb{{"机构管理", "/admin/orgs"}, {"新建机构", ""}}
	return s.renderOrgForm(w, r, http.StatusOK, pd, nil)
}

func (s *Server) orgCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	if !p.CanAny(org.PermOrgManage) {
		return apperr.New(apperr.Forbidden, "您没有新建机构的权限")
	}
	pd := &pageData{Title: "新建机构", Form: formValues(r)}
	pd.Breadcrumb = []crumb{{"机构管理", "/admin/orgs"}, {"新建机构", ""}}
	in, err := orgInputFrom(r)
	if err == nil {
		if in.ParentID == "" {
			err = apperr.Field("parent_id", "请选择上级机构")
		} else if err = s.authorize(ctx, p, org.PermOrgManage, in.ParentID); err == nil {
			var o org.Org
			if o, err = s.Orgs.CreateOrg(ctx, p.Actor(clientIP(r)), in); err == nil {
				http.Redirect(w, r, "/admin/orgs/"+o.ID+"?ok=created", http.StatusSeeOther)
				return nil
			}
		}
	}
	if e := formErrors(err, pd); e != nil {
		return e
	}
	return s.renderOrgForm(w, r, http.StatusBadRequest, pd, nil)
}

func (s *Server) orgEdit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	if err := s.authorize(ctx, principalFrom(ctx), org.PermOrgManage, id); err != nil {
		return err
	}
	o, err := s.Orgs.GetOrg(ctx, id)
	if err != nil {
		return err
	}
	pd := &pageData{Title: "编辑机构", Form: orgFormValues(o.OrgInput)}
	pd.Breadcrumb = []crumb{{"机构管理", "/admin/orgs"}, {o.Name, "/admin/orgs/" + o.ID}, {"编辑", ""}}
	return s.renderOrgForm(w, r, http.StatusOK, pd, &o)
}

func (s *Server) orgUpdate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	id := r.PathValue("id")
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.authorize(ctx, p, org.PermOrgManage, id); err != nil {
		return err
	}
	o, err := s.Orgs.GetOrg(ctx, id)
	if err != nil {
		return err
	}
	pd := &pageData{Title: "编辑机构", Form: formValues(r)}
	pd.Breadcrumb = []crumb{{"机构管理", "/admin/orgs"}, {o.Name, "/admin/orgs/" + o.ID}, {"编辑", ""}}
	in, err := orgInputFrom(r)
	if err == nil {
		if in.ParentID != o.ParentID && in.ParentID != "" {
			err = s.authorize(ctx, p, org.PermOrgManage, in.ParentID)
		} else if in.ParentID == "" && o.ParentID != "" {
			err = apperr.Field("parent_id", "请选择上级机构")
		}
		if err == nil {
			if _, err = s.Orgs.UpdateOrg(ctx, p.Actor(clientIP(r)), id, in); err == nil {
				http.Redirect(w, r, "/admin/orgs/"+id+"?ok=saved", http.StatusSeeOther)
				return nil
			}
		}
	}
	if e := formErrors(err, pd); e != nil {
		return e
	}
	return s.renderOrgForm(w, r, http.StatusBadRequest, pd, &o)
}

// --- users ---

type userRow struct {
	org.User
	OrgName string
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if !p.CanAny(org.PermUserView) {
		return apperr.New(apperr.Forbidden, "您没有查看账号的权限")
	}
	scope, err := s.Orgs.Scope(ctx, p, org.PermUserView)
	if err != nil {
		return err
	}
	users, err := s.Orgs.ListUsers(ctx, scope)
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	rows := make([]userRow, len(users))
	for i, u := range users {
		rows[i] = userRow{u, names[u.OrgID]}
	}
	data := map[string]any{"Users": rows, "CanManage": p.CanAny(org.PermUserManage)}
	s.render(w, r, http.StatusOK, "admin/users.html", &pageData{Title: "账号管理", Section: "users", Data: data})
	return nil
}

func (s *Server) orgNames(ctx context.Context) (map[string]string, error) {
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, o := range all {
		m[o.ID] = o.Name
	}
	return m, nil
}

const extraGrantRows = 3

var extraGrantRowIdx = []int{0, 1, 2} // for ranging in templates

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, status int, pd *pageData, editing *org.User) error {
	orgs, err := s.scopedOrgs(r.Context(), principalFrom(r.Context()), org.PermUserManage)
	if err != nil {
		return err
	}
	pd.Section = "users"
	checked := map[string]bool{}
	for _, role := range r.PostForm["role"] {
		checked[role] = true
	}
	pd.Data = map[string]any{"Orgs": orgs, "Roles": org.Roles, "Editing": editing, "ExtraRows": extraGrantRowIdx, "Checked": checked}
	s.render(w, r, status, "admin/user_form.html", pd)
	return nil
}

// userInputFrom reads the user form: role checkboxes apply to the user's own
// org; extra rows grant a role in another org.
func userInputFrom(r *http.Request) org.UserInput {
	f := r.PostForm
	in := org.UserInput{Username: f.Get("username"), DisplayName: f.Get("display_name"), OrgID: f.Get("org_id"),
		Phone: f.Get("phone"), Email: f.Get("email"), Password: f.Get("password"), MustChangePassword: true}
	for _, role := range f["role"] {
		in.Grants = append(in.Grants, org.Grant{OrgID: in.OrgID, Role: org.Role(role)})
	}
	for i := 0; i < extraGrantRows; i++ {
		role, o := f.Get("extra_role_"+strconv.Itoa(i)), f.Get("extra_org_"+strconv.Itoa(i))
		if role != "" && o != "" {
			in.Grants = append(in.Grants, org.Grant{OrgID: o, Role: org.Role(role)})
		}
	}
	return in
}

// userFormValues refills the form from a stored user and grants.
func userFormValues(u org.User, grants []org.Grant) (map[string]string, map[string]bool) {
	f := map[string]string{"username": u.Username, "display_name": u.DisplayName, "org_id": u.OrgID, "phone": u.Phone,
		"email": u.Email}
	checked := map[string]bool{}
	i := 0
	for _, g := range grants {
		if g.OrgID == u.OrgID {
			checked[string(g.Role)] = true
		} else if i < extraGrantRows {
			f["extra_role_"+strconv.Itoa(i)], f["extra_org_"+strconv.Itoa(i)] = string(g.Role), g.OrgID
			i++
		}
	}
	return f, checked
}

// allowedAll reports whether p has perm in every one of the orgs ("" ids
// are skipped).
func (s *Server) allowedAll(ctx context.Context, p *org.Principal, perm org.Permission, orgIDs ...string) (bool, error) {
	for _, id := range orgIDs {
		if id == "" {
			continue
		}
		if ok, err := s.Orgs.Allowed(ctx, p, perm, id); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// checkGrantScope requires user.manage on every org an edit touches.
func (s *Server) checkGrantScope(ctx context.Context, p *org.Principal, orgIDs ...string) error {
	ok, err := s.allowedAll(ctx, p, org.PermUserManage, orgIDs...)
	if err == nil && !ok {
		err = apperr.Field("roles", "不能在您管理范围以外的机构中设置账号或角色")
	}
	return err
}

func (s *Server) userNew(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if !p.CanAny(org.PermUserManage) {
		return apperr.New(apperr.Forbidden, "您没有新建账号的权限")
	}
	pd := &pageData{Title: "新建账号", Form: map[string]string{"org_id": r.URL.Query().Get("org")}}
	pd.Breadcrumb = []crumb{{"账号管理", "/admin/users"}, {"新建账号", ""}}
	return s.renderUserForm(w, r, http.StatusOK, pd, nil)
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	if !p.CanAny(org.PermUserManage) {
		return apperr.New(apperr.Forbidden, "您没有新建账号的权限")
	}
	in := userInputFrom(r)
	pd := &pageData{Title: "新建账号", Form: formValues(r), Data: nil}
	pd.Breadcrumb = []crumb{{"账号管理", "/admin/users"}, {"新建账号", ""}}
	touched := []string{in.OrgID}
	for _, g := range in.Grants {
		touched = append(touched, g.OrgID)
	}
	err := s.checkGrantScope(ctx, p, touched...)
	if err == nil {
		var u org.User
		if u, err = s.Orgs.CreateUser(ctx, p.Actor(clientIP(r)), in); err == nil {
			http.Redirect(w, r, "/admin/users/"+u.ID+"?ok=created", http.StatusSeeOther)
			return nil
		}
	}
	if e := formErrors(err, pd); e != nil {
		return e
	}
	return s.renderUserForm(w, r, http.StatusBadRequest, pd, nil)
}

func (s *Server) loadUserFor(ctx context.Context, p *org.Principal, id string, perm org.Permission) (org.User, error) {
	u, err := s.Orgs.GetUser(ctx, id)
	if err != nil {
		return u, err
	}
	ok, err := s.Orgs.Allowed(ctx, p, org.PermUserView, u.OrgID)
	if err != nil {
		return u, err
	}
	if !ok {
		return u, apperr.NotFoundf("账号不存在或您无权查看")
	}
	if perm != org.PermUserView {
		// Managing an account means managing every role it holds: a street
		// administrator must not reset the password of someone who is also
		// an administrator of the district.
		orgIDs := []string{u.OrgID}
		grants, err := s.Orgs.Grants(ctx, u.ID)
		if err != nil {
			return u, err
		}
		for _, g := range grants {
			orgIDs = append(orgIDs, g.OrgID)
		}
		ok, err := s.allowedAll(ctx, p, perm, orgIDs...)
		if err == nil && !ok {
			err = apperr.New(apperr.Forbidden, "您没有管理该账号的权限：该账号在您管理范围以外的机构中担任角色")
		}
		if err != nil {
			return u, err
		}
	}
	return u, nil
}

func (s *Server) userShow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, err := s.loadUserFor(ctx, principalFrom(ctx), r.PathValue("id"), org.PermUserView)
	if err != nil {
		return err
	}
	grants, err := s.Orgs.Grants(ctx, u.ID)
	if err != nil {
		return err
	}
	form, checked := userFormValues(u, grants)
	return s.renderUserShow(w, r, http.StatusOK, &pageData{Form: form}, u, grants, checked)
}

// renderUserShow renders the account page; pd carries the edit form's
// values and errors (stored values, or what was just submitted).
func (s *Server) renderUserShow(w http.ResponseWriter, r *http.Request, status int, pd *pageData, u org.User,
	grants []org.Grant, checked map[string]bool) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	canManage, err := s.Orgs.Allowed(ctx, p, org.PermUserManage, u.OrgID)
	if err != nil {
		return err
	}
	orgName := ""
	if o, err := s.Orgs.GetOrg(ctx, u.OrgID); err == nil {
		orgName = o.Name
	}
	var events []audit.Record
	if ok, _ := s.Orgs.Allowed(ctx, p, org.PermAuditView, u.OrgID); ok {
		if events, err = audit.List(ctx, s.DB.R, audit.Filter{ObjectType: "user", ObjectID: u.ID, Limit: 20}); err != nil {
			return err
		}
	}
	orgs, err := s.scopedOrgs(ctx, p, org.PermUserManage)
	if err != nil {
		return err
	}
	pd.Title, pd.Section = u.DisplayName, "users"
	pd.Breadcrumb = []crumb{{"账号管理", "/admin/users"}, {u.DisplayName, ""}}
	pd.Data = map[string]any{"User": u, "OrgName": orgName, "Grants": s.grantViews(ctx, grants), "CanManage": canManage,
		"Checked": checked, "Orgs": orgs, "Roles": org.Roles, "ExtraRows": extraGrantRowIdx, "Events": events,
		"Self": u.ID == p.User.ID}
	s.render(w, r, status, "admin/user_show.html", pd)
	return nil
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	u, err := s.loadUserFor(ctx, p, r.PathValue("id"), org.PermUserManage)
	if err != nil {
		return err
	}
	old, err := s.Orgs.Grants(ctx, u.ID)
	if err != nil {
		return err
	}
	in := userInputFrom(r)
	in.Username = u.Username
	// loadUserFor already required user.manage on the home org and on every
	// org where the user holds a role now; what is left is the new home
	// org and the orgs of roles being added.
	touched := []string{in.OrgID}
	for _, g := range in.Grants {
		if !slices.Contains(old, g) {
			touched = append(touched, g.OrgID)
		}
	}
	err = s.checkGrantScope(ctx, p, touched...)
	if err == nil {
		if _, err = s.Orgs.UpdateUser(ctx, p.Actor(clientIP(r)), u.ID, in); err == nil {
			http.Redirect(w, r, "/admin/users/"+u.ID+"?ok=saved", http.StatusSeeOther)
			return nil
		}
	}
	pd := &pageData{Form: formValues(r)}
	if e := formErrors(err, pd); e != nil {
		return e
	}
	checked := map[string]bool{}
	for _, role := range r.PostForm["role"] {
		checked[role] = true
	}
	return s.renderUserShow(w, r, http.StatusBadRequest, pd, u, old, checked)
}

func (s *Server) userSetDisabled(disabled bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		p := principalFrom(ctx)
		u, err := s.loadUserFor(ctx, p, r.PathValue("id"), org.PermUserManage)
		if err != nil {
			return err
		}
		if u.ID == p.User.ID {
			return apperr.New(apperr.Invalid, "不能停用自己的账号")
		}
		if err := s.Orgs.SetDisabled(ctx, p.Actor(clientIP(r)), u.ID, disabled); err != nil {
			return err
		}
		ok := "enabled"
		if disabled {
			ok = "disabled"
		}
		http.Redirect(w, r, "/admin/users/"+u.ID+"?ok="+ok, http.StatusSeeOther)
		return nil
	}
}

func (s *Server) userResetPassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	u, err := s.loadUserFor(ctx, p, r.PathValue("id"), org.PermUserManage)
	if err != nil {
		return err
	}
	if err := s.Orgs.SetPassword(ctx, p.Actor(clientIP(r)), u.ID, r.PostForm.Get("new_password"), true, ""); err != nil {
		pd := &pageData{}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		grants, gerr := s.Orgs.Grants(ctx, u.ID)
		if gerr != nil {
			return gerr
		}
		pd.Form, _ = userFormValues(u, grants)
		_, checked := userFormValues(u, grants)
		return s.renderUserShow(w, r, http.StatusBadRequest, pd, u, grants, checked)
	}
	http.Redirect(w, r, "/admin/users/"+u.ID+"?ok=reset", http.StatusSeeOther)
	return nil
}

// --- own account ---

func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	pd := &pageData{Title: "我的账号", Section: "account"}
	if r.URL.Query().Get("must") == "1" && p.User.MustChangePassword {
		pd.Error = "为了账号安全，请先设置您自己的新密码。"
	}
	s.renderAccount(w, r, http.StatusOK, pd)
	return nil
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, pd *pageData) {
	ctx := r.Context()
	p := principalFrom(ctx)
	orgName := ""
	if o, err := s.Orgs.GetOrg(ctx, p.User.OrgID); err == nil {
		orgName = o.Name
	}
	pd.Data = map[string]any{"Grants": s.grantViews(ctx, p.Grants), "OrgName": orgName}
	s.render(w, r, status, "admin/account.html", pd)
}

func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	next, confirm := r.PostForm.Get("new_password"), r.PostForm.Get("confirm_password")
	var err error
	if next != confirm {
		err = apperr.Field("confirm_password", "两次输入的新密码不一致")
	} else {
		err = s.Orgs.ChangeOwnPassword(ctx, p, clientIP(r), r.PostForm.Get("current_password"), next, sessionFrom(ctx).ID)
	}
	if err == nil {
		http.Redirect(w, r, "/admin/account?ok=password", http.StatusSeeOther)
		return nil
	}
	pd := &pageData{Title: "我的账号", Section: "account"}
	if e := formErrors(err, pd); e != nil {
		return e
	}
	s.renderAccount(w, r, http.StatusBadRequest, pd)
	return nil
}

// --- evidence chain ---

func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if !p.CanAny(org.PermAuditView) {
		return apperr.New(apperr.Forbidden, "您没有查看证据链的权限")
	}
	f := audit.Filter{Limit: 50}
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return apperr.Field("before", "分页参数无效")
		}
		f.BeforeSeq = n
	}
	events, err := s.scopedAudit(ctx, p, f)
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx)
	if err != nil {
		return err
	}
	var next int64
	if len(events) == f.Limit {
		next = events[len(events)-1].Seq
	}
	data := map[string]any{"Events": events, "OrgNames": names, "Next": next}
	s.render(w, r, http.StatusOK, "admin/audit.html", &pageData{Title: "证据链", Section: "audit", Data: data})
	return nil
}

// --- site settings ---

func (s *Server) rootOrg(ctx context.Context) (org.Org, error) {
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return org.Org{}, err
	}
	if len(all) == 0 {
		return org.Org{}, apperr.NotFoundf("尚未建立区（县）级机构")
	}
	return all[0], nil
}

func (s *Server) settingsAllowed(ctx context.Context, p *org.Principal) error {
	root, err := s.rootOrg(ctx)
	if err != nil {
		return err
	}
	return s.authorize(ctx, p, org.PermOrgManage, root.ID)
}

func (s *Server) settingsForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := s.settingsAllowed(ctx, principalFrom(ctx)); err != nil {
		return err
	}
	st, err := s.Site.Get(ctx)
	if err != nil {
		return err
	}
	pd := &pageData{Title: "网站设置", Section: "settings", Form: settingsValues(st)}
	pd.Data = map[string]any{"Fields": site.Fields}
	s.render(w, r, http.StatusOK, "admin/settings.html", pd)
	return nil
}

func settingsValues(st site.Settings) map[string]string {
	m := map[string]string{}
	for _, f := range site.Fields {
		m[f.Key] = f.Value(&st)
	}
	return m
}

func (s *Server) settingsSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.settingsAllowed(ctx, p); err != nil {
		return err
	}
	values := map[string]string{}
	for _, f := range site.Fields {
		values[f.Key] = r.PostForm.Get(f.Key)
	}
	err := info.ValidateIndexTemplate(strings.TrimSpace(values["site.index_template"]))
	if values["site.index_template"] == "" {
		err = nil
	}
	if u := strings.TrimSpace(values["site.base_url"]); err == nil && u != "" {
		if pu, perr := url.Parse(u); perr != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || pu.RawQuery != "" {
			err = apperr.Field("site.base_url", "网站地址应为 https://域名 的形式")
		}
	}
	if err == nil {
		err = s.Site.Set(ctx, p.Actor(clientIP(r)), values)
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && len(e.Fields) > 0 && e.Fields[0].Field == "index_template" {
			err = apperr.Field("site.index_template", e.Fields[0].Message)
		}
		pd := &pageData{Title: "网站设置", Section: "settings", Form: formValues(r)}
		if e := formErrors(err, pd); e != nil {
			return e
		}
		pd.Data = map[string]any{"Fields": site.Fields}
		s.render(w, r, http.StatusBadRequest, "admin/settings.html", pd)
		return nil
	}
	http.Redirect(w, r, "/admin/settings?ok=saved", http.StatusSeeOther)
	return nil
}

// orgReviewFlow sets the org's approval steps after the editor submits.
func (s *Server) orgReviewFlow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.authorize(ctx, p, org.PermOrgManage, id); err != nil {
		return err
	}
	var roles []org.Role
	for _, k := range []string{"step1", "step2", "step3"} {
		if v := r.PostForm.Get(k); v != "" {
			roles = append(roles, org.Role(v))
		}
	}
	if err := s.Info.SetFlow(ctx, p.Actor(clientIP(r)), id, roles); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/orgs/"+id+"?ok=saved#flow", http.StatusSeeOther)
	return nil
}
