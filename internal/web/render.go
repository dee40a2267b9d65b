package web

import (
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/site"
	"gongkai.dev/gongkai/internal/workday"
)

// pageData is what every page template receives.
type pageData struct {
	Title      string
	Section    string // active navigation entry
	Site       site.Settings
	User       *org.Principal
	Elder      bool
	Path       string
	Flash      string
	Error      string            // a message for the whole form
	Errors     map[string]string // field → message
	Form       map[string]string // submitted values, to refill forms
	Breadcrumb []crumb
	Data       any
	// CanSettings shows the site-settings menu entry (district-level admins).
	CanSettings bool
}

type crumb struct{ Label, Href string }

var cst = time.FixedZone("CST", 8*3600)

var funcs = template.FuncMap{
	"neg": func(n int) int { return -n },
	// cnday writes a stored day (YYYY-MM-DD) as 2026年11月27日; other text as is.
	"cnday": func(s string) string {
		if d, err := workday.ParseDate(s); err == nil {
			return d.Chinese()
		}
		return s
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(cst).Format("2006年1月2日")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(cst).Format("2006年1月2日 15:04")
	},
	"isodate":       func(t time.Time) string { return t.In(cst).Format("2006-01-02") },
	"roleLabel":     func(r org.Role) string { return r.Label() },
	"kindLabel":     func(k org.Kind) string { return k.Label() },
	"indent":        func(n int) string { return strings.Repeat("　", n) },
	"query":         func(k, v string) string { return url.QueryEscape(v) },
	"add":           func(a, b int) int { return a + b },
	"list":          func(v ...string) []string { return v },
	"attrLabel":     info.AttributeLabel,
	"validityLabel": info.ValidityLabel,
	"remedyKind":    apply.RemedyKindLabel,
	"remedyResult":  apply.RemedyResultLabel,
	// safeHTML marks record bodies as HTML; they were sanitized on save
	// (info.Sanitize), never at render time from raw input.
	"safeHTML": func(s string) template.HTML { return template.HTML(s) },
	"filesize": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d B", n)
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
}

// parseTemplates builds one template set per page: its section's layout,
// the shared partials and the page itself.
func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	for _, section := range []string{"portal", "admin", "print"} {
		files, err := fs.Glob(assets, "templates/"+section+"/*.html")
		if err != nil {
			return err
		}
		for _, f := range files {
			base := path.Base(f)
			if strings.HasPrefix(base, "_") {
				continue
			}
			t, err := template.New(base).Funcs(funcs).ParseFS(assets,
				"templates/partials.html", "templates/"+section+"/_layout.html", f)
			if err != nil {
				return fmt.Errorf("template %s: %w", f, err)
			}
			s.pages[section+"/"+base] = t
		}
	}
	return nil
}

type ctxKey int

const (
	principalKey ctxKey = iota
	sessionKey
)

func principalFrom(ctx context.Context) *org.Principal {
	p, _ := ctx.Value(principalKey).(*org.Principal)
	return p
}

func sessionFrom(ctx context.Context) org.Session {
	s, _ := ctx.Value(sessionKey).(org.Session)
	return s
}

const elderCookie = "gk_elder"

func (s *Server) fillPage(r *http.Request, p *pageData) {
	if st, err := s.Site.Get(r.Context()); err == nil {
		p.Site = st
	} else {
		p.Site = site.Defaults()
	}
	if c, err := r.Cookie(elderCookie); err == nil && c.Value == "1" {
		p.Elder = true
	}
	if p.User == nil {
		p.User = principalFrom(r.Context())
	}
	if p.User != nil && strings.HasPrefix(r.URL.Path, "/admin") {
		p.CanSettings = s.settingsAllowed(r.Context(), p.User) == nil
	}
	p.Path = r.URL.RequestURI()
	if p.Flash == "" {
		p.Flash = flashes[r.URL.Query().Get("ok")]
	}
}

// flashes are the only messages a redirect may ask a page to show, so a
// crafted link cannot put arbitrary text on a government page.
var flashes = map[string]string{
	"saved":       "已保存。",
	"created":     "已创建。",
	"disabled":    "账号已停用，其所有登录会话已结束。",
	"enabled":     "账号已启用。",
	"password":    "密码已修改，其他设备上的登录已退出。",
	"reset":       "密码已重置；该用户下次登录时须修改密码。",
	"loggedout":   "您已安全退出。",
	"published":   "已发布，门户网站已显示。",
	"discarded":   "草稿已放弃。",
	"deleted":     "已删除。",
	"submitted":   "已提交审核。",
	"masked":      "已对标题、内容概述和正文中的个人信息脱敏；附件中的请替换为脱敏后的文件。",
	"approved":    "审核通过，已转下一步审核。",
	"rejected":    "已退回起草人修改。",
	"withdrawn":   "已撤回；门户网站原地址显示撤回说明。",
	"transferred": "申请已转交接收机关办理，收到申请之日和答复期限不变。",
	"checked":     "检查完成，问题清单和整改单已按本次检查结果更新。",
	"ticketed":    "整改单已下发，整改单位登录后台即可看到并反馈。",
	"replied":     "整改情况已反馈，等待政务公开办核查；下一次检查未再发现该问题时自动办结。",
	"returned":    "已退回重新整改，新的期限已通知整改单位。",
	"accepted":    "整改单已核查确认办结。",
	"scored":      "考核结果已存档。",
	"bonus":       "加分已登记。",
	"extended":    "征集期限已延长，门户网站已显示新的截止日期。",
	"reported":    "采纳情况已公布，门户网站显示“采纳情况已公布”。",
	"listed":      "已列入重大行政决策事项目录，门户网站已显示。",
	"removed":     "已调出目录；门户网站保留该事项并注明调出理由。",
	// 留言 and 政策问答 (board_admin.go).
	"ly_accept":    "已受理，答复期限从收到留言之日起计算。",
	"ly_transfer":  "留言已转交承办单位办理，办理历史和答复期限保留。",
	"ly_reply":     "已答复，留言人凭查询码可以查看答复并评价。",
	"ly_redirect":  "已告知留言人通过相应渠道反映，留言办结。",
	"ly_release":   "审核通过，留言已转入受理单位的待办。",
	"ly_reject":    "已作不予受理处理，留言人可以查看理由。",
	"ly_publish":   "留言和答复已公开（个人信息已隐去）。",
	"ly_unpublish": "已撤回公开，门户网站不再显示该留言。",
	"qa_publish":   "政策问答已公开，留言表单会向群众推荐。",
	"qa_withdraw":  "政策问答已撤下，可以修改后重新公开。",
}

// formErrors splits an Invalid error into per-field messages for a form;
// other errors are returned for the central handler.
func formErrors(err error, p *pageData) error {
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid {
		return err
	}
	p.Errors = map[string]string{}
	for _, f := range e.Fields {
		if _, dup := p.Errors[f.Field]; !dup {
			p.Errors[f.Field] = f.Message
		}
	}
	p.Error = "提交的内容有误，请按提示修改后再提交。"
	if len(e.Fields) == 0 {
		p.Error = e.Message
	}
	return nil
}

// formValues copies submitted values for refilling a form.
func formValues(r *http.Request) map[string]string {
	m := map[string]string{}
	for k, v := range r.PostForm {
		if len(v) > 0 && !strings.Contains(k, "password") {
			m[k] = v[0]
		}
	}
	return m
}

// parseForm limits a form body to 1 MiB and parses it.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	return r.ParseForm()
}

// safeNext keeps redirects on this site.
// Browsers drop tabs and newlines from URLs and treat \ as /, so
// "/\t/evil.example" would become "//evil.example": any control character
// or backslash is refused, and the result must parse as a bare path.
func safeNext(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return fallback
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return fallback
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "//") {
		return fallback
	}
	return next
}
