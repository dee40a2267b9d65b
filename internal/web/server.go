// Package web is the HTTP adapter: the public portal (/), the back office
// (/admin), the JSON API (/api/v1), health and metrics. Handlers return
// errors; errorPage and apiError are the one place that turns error kinds
// into statuses and messages, so internal error text never reaches a user.
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gongkai.dev/gongkai/internal/apiclient"
	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/participate"
	"gongkai.dev/gongkai/internal/ratelimit"
	"gongkai.dev/gongkai/internal/report"
	"gongkai.dev/gongkai/internal/search"
	"gongkai.dev/gongkai/internal/site"
	"gongkai.dev/gongkai/internal/supervise"
	"gongkai.dev/gongkai/internal/workday"
)

//go:embed all:templates static
var assets embed.FS

// Deps are the capabilities the web layer adapts.
type Deps struct {
	DB      *db.DB
	Orgs    *org.Service
	Site    *site.Service
	Catalog *catalog.Service
	Info    *info.Service
	Apply   *apply.Service
	// Participate is 征求意见 and the 重大行政决策事项目录 (/hdjl, /admin/participate).
	Participate *participate.Service
	Report      *report.Service
	Calendar    *workday.Store
	Search      *search.Service
	Logger      *slog.Logger
	// APIClients authenticates the bearer tokens of /api/v1/apply/cases.
	APIClients *apiclient.Service
	// Supervise is 监督考核 (/admin/supervise).
	Supervise *supervise.Service
	// Board is 留言 and 政策问答 (/hdjl/ly, /hdjl/wd, /admin/board).
	Board *board.Service
	// SecureCookies marks cookies Secure; set it when served over HTTPS
	// (directly or behind a TLS-terminating proxy).
	SecureCookies bool
	Version       string
	// PageCacheBytes bounds the public page cache (0 = 256 MB, negative = off).
	PageCacheBytes int64
	// ApplyRateLimit limits online applications (POST /ysqgk/sq) per client
	// address, as ratelimit rules ("5/10m,20/24h"); empty means
	// DefaultApplyRateLimit. A malformed value makes New fail.
	ApplyRateLimit string
	// TrustedProxies are the reverse proxies (nginx in front of gongkai)
	// whose X-Forwarded-For is believed. Without them every client behind
	// a proxy has the proxy's address, and the public forms' limits would
	// be shared by everyone.
	TrustedProxies []netip.Prefix
}

// DefaultApplyRateLimit lets one address file 5 applications in any 10
// minutes and 20 in any day: a real applicant or a law firm files a handful
// a day; a flood is stopped after a few.
const DefaultApplyRateLimit = "5/10m,20/24h"

// Server holds the routes and rendered templates.
type Server struct {
	Deps
	pages   map[string]*template.Template
	mux     *http.ServeMux
	handler http.Handler
	reqs    *prometheus.CounterVec
	latency *prometheus.HistogramVec
	pcache  *pageCache // nil when disabled
	// applyLimit limits POST /ysqgk/sq per client address (ApplyRateLimit).
	applyLimit *ratelimit.Limiter
	// Registry is the Prometheus registry served at /metrics.
	Registry *prometheus.Registry
}

// New builds the HTTP handler.
func New(d Deps) (*Server, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.ApplyRateLimit == "" {
		d.ApplyRateLimit = DefaultApplyRateLimit
	}
	applyLimit, err := ratelimit.Parse(d.ApplyRateLimit, 0)
	if err != nil {
		return nil, fmt.Errorf("在线申请限流设置（ApplyRateLimit）：%w", err)
	}
	s := &Server{Deps: d, mux: http.NewServeMux(), applyLimit: applyLimit}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.initMetrics()
	s.routes()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := apperr.New(apperr.Forbidden, "请求来源校验失败：请从本站页面提交表单（跨站请求已被拒绝）")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			s.apiError(w, r, err)
			return
		}
		s.errorPage(w, r, err)
	}))
	s.handler = s.withClientIP(s.observe(s.initPageCache(secureHeaders(cop.Handler(s.mux)))))
	return s, nil
}

type clientIPKey struct{}

// withClientIP resolves the client's address once per request. When the
// connection comes from a trusted proxy, X-Forwarded-For is read from the
// right (the entries a client cannot forge are those the proxies added),
// skipping trusted proxies; the first other address is the client.
func (s *Server) withClientIP(next http.Handler) http.Handler {
	if len(s.TrustedProxies) == 0 {
		return next
	}
	trusted := func(a netip.Addr) bool {
		for _, p := range s.TrustedProxies {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := remoteIP(r)
		if a, err := netip.ParseAddr(ip); err == nil && trusted(a) {
			hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
			for i := len(hops) - 1; i >= 0; i-- {
				h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
				if err != nil {
					break // garbage: keep the last address we could trust
				}
				ip = h.Unmap().String()
				if !trusted(h) {
					break
				}
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip)))
	})
}

// ParseTrustedProxies reads a comma-separated list of addresses or CIDR
// prefixes ("127.0.0.1,10.0.0.0/8").
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("可信代理 %q 不是 IP 地址或网段", part)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("可信代理 %q 不是 IP 地址或网段", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) routes() {
	m := s.mux
	static, _ := fs.Sub(assets, "static")
	m.Handle("GET /static/", cacheStatic(http.StripPrefix("/static/", http.FileServerFS(static))))
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	m.HandleFunc("GET /healthz", s.healthz)
	m.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	s.portalRoutes()
	s.adminRoutes()
	s.catalogAdminRoutes()
	s.catalogPortalRoutes()
	s.infoAdminRoutes()
	s.infoPortalRoutes()
	s.searchRoutes()
	s.applyPortalRoutes()
	s.applyAdminRoutes()
	s.participatePortalRoutes()
	s.participateAdminRoutes()
	s.reportRoutes()
	s.superviseRoutes()
	s.boardPortalRoutes()
	s.boardAdminRoutes()
	s.apiRoutes()
}

// handler is an HTTP handler that returns its error for central rendering.
type handler func(w http.ResponseWriter, r *http.Request) error

// page adapts a handler whose errors render as HTML pages.
func (s *Server) page(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.errorPage(w, r, err)
		}
	}
}

func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// userMessage is the text a person may see for err.
func (s *Server) userMessage(r *http.Request, err error) (int, string) {
	if e, ok := apperr.As(err); ok {
		return statusOf(e.Kind), e.Message
	}
	if errors.Is(err, context.Canceled) {
		return 499, "请求已取消"
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge, "提交的内容过大"
	}
	s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return http.StatusInternalServerError, "系统内部错误，请稍后再试；如持续出现请联系系统管理员"
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := s.userMessage(r, err)
	if status == 499 {
		return
	}
	title := map[int]string{400: "输入有误", 401: "请先登录", 403: "无权访问", 404: "页面不存在", 413: "内容过大",
		429: "请求过于频繁", 500: "系统错误"}[status]
	if title == "" {
		title = "出错了"
	}
	layout := "portal/error.html"
	if strings.HasPrefix(r.URL.Path, "/admin") {
		layout = "admin/error.html"
	}
	s.render(w, r, status, layout, &pageData{Title: title, Data: map[string]any{"Status": status, "Message": msg}})
}

// apiError writes {"error": {"code", "message", "fields"}}.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := s.userMessage(r, err)
	if status == 499 {
		return
	}
	body := map[string]any{"code": apperr.KindOf(err).Code(), "message": msg}
	if status == http.StatusRequestEntityTooLarge {
		body["code"] = "too_large"
	}
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		body["fields"] = e.Fields
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *pageData) {
	t, ok := s.pages[name]
	if !ok {
		s.Logger.Error("missing template", "name", name)
		http.Error(w, "系统内部错误", http.StatusInternalServerError)
		return
	}
	s.fillPage(r, p)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Logger.Error("render", "template", name, "err", err)
		http.Error(w, "系统内部错误", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	status, body := http.StatusOK, map[string]any{"status": "ok", "database": string(s.DB.Engine)}
	if err := s.DB.Ping(ctx); err != nil {
		s.Logger.Error("healthz: database", "err", err)
		status, body["status"], body["error"] = http.StatusServiceUnavailable, "unavailable", "database unreachable"
	} else if v, err := s.DB.SchemaVersion(ctx); err == nil {
		body["schema_version"] = v
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, body)
}

func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if strings.HasPrefix(r.URL.Path, "/admin") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) initMetrics() {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gongkai_http_requests_total",
		Help: "HTTP requests by route pattern, method and status code."}, []string{"route", "method", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gongkai_http_request_duration_seconds",
		Help: "HTTP request latency by route pattern.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}},
		[]string{"route"})
	up := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gongkai_database_up",
		Help: "1 when the database answers a ping."}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if s.DB.Ping(ctx) != nil {
			return 0
		}
		return 1
	})
	info := prometheus.NewGauge(prometheus.GaugeOpts{Name: "gongkai_build_info", Help: "Build and engine information.",
		ConstLabels: prometheus.Labels{"version": s.Version, "engine": string(s.DB.Engine)}})
	info.Set(1)
	reg.MustRegister(s.reqs, s.latency, up, info)
	s.Registry = reg
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe counts and times requests by route pattern (not raw path, so ids
// in URLs do not explode the label set) and logs each request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		s.reqs.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
		s.latency.WithLabelValues(route).Observe(d.Seconds())
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			s.Logger.Info("http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "ms", d.Milliseconds())
		}
	})
}

// clientIP is the client's address: the connection's, or the one a
// trusted proxy forwarded (withClientIP).
func clientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	return remoteIP(r)
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
