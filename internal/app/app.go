// Package app wires gongkai together: it opens the database, migrates it,
// builds the capability services and the HTTP server, and runs it with a
// graceful shutdown. Tests start a whole App on 127.0.0.1:0.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"gongkai.dev/gongkai/internal/apiclient"
	"gongkai.dev/gongkai/internal/apply"
	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/moderation"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/participate"
	"gongkai.dev/gongkai/internal/report"
	"gongkai.dev/gongkai/internal/search"
	"gongkai.dev/gongkai/internal/site"
	"gongkai.dev/gongkai/internal/supervise"
	"gongkai.dev/gongkai/internal/web"
	"gongkai.dev/gongkai/internal/workday"
)

// Version is set at build time with -ldflags "-X gongkai.dev/gongkai/internal/app.Version=…".
var Version = "dev"

// Config is how to run an App.
type Config struct {
	Addr          string // listen address; "127.0.0.1:0" picks a free port
	DataDir       string
	DBURL         string
	SecureCookies bool
	Logger        *slog.Logger
	Now           func() time.Time // for tests; nil = time.Now
	// Index opens the search index (DataDir/search, or memory without a
	// DataDir) and follows the change log; serve sets it. Commands that
	// only change data leave it off: the serving processes catch up from
	// the log.
	Index bool
	// SMTP is the outgoing mail server (smtp://…, see package mail) for the
	// daily reminder digests; empty: reminders stay in the back office.
	SMTP string
	// TrustedProxies lists the reverse proxies whose X-Forwarded-For is
	// believed ("127.0.0.1,10.0.0.0/8"); ApplyRateLimit overrides the online
	// application form's limits (web.DefaultApplyRateLimit).
	TrustedProxies string
	ApplyRateLimit string
}

// App is a running gongkai.
type App struct {
	Cfg     Config
	DB      *db.DB
	Orgs    *org.Service
	Site    *site.Service
	Catalog *catalog.Service
	Info    *info.Service
	Apply   *apply.Service
	// Participate is 征求意见 and the 重大行政决策事项目录; its Guard holds
	// the public forms' rate limiters (the message board shares it).
	Participate *participate.Service
	// Board is 留言 and the 政策问答 knowledge base; it shares Participate's Guard.
	Board    *board.Service
	Report   *report.Service
	Calendar *workday.Store
	Search   *search.Service
	Follower *changes.Follower
	Web      *web.Server
	// APIClients are the integrations pushing applications (gongkai apikey).
	APIClients *apiclient.Service
	// Supervise is 监督考核: checks, findings, rectification tickets, scores.
	Supervise *supervise.Service
	// Mailer sends the reminder digests (Config.SMTP); nil = none.
	Mailer apply.Mailer
	// Migrated lists the migrations this start applied.
	Migrated []db.Migration

	ln  net.Listener
	srv *http.Server

	// jobs are the background jobs Serve started (reminders); Close waits
	// for them to stop, so none writes to a closed database.
	jobs sync.WaitGroup
}

// Open connects to the database, applies pending migrations and builds the
// services. It does not listen yet.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	mailer, err := openMailer(cfg)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, db.Config{URL: cfg.DBURL, DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, DB: d, Mailer: mailer}
	if a.Migrated, err = d.Migrate(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("数据库迁移失败：%w", err)
	}
	a.Orgs = org.New(d)
	a.Orgs.Now = cfg.Now
	a.Site = &site.Service{DB: d, Now: cfg.Now}
	a.Catalog = &catalog.Service{DB: d, Orgs: a.Orgs, Now: cfg.Now}
	a.Calendar = &workday.Store{DB: d, Now: cfg.Now}
	a.Info = &info.Service{DB: d, Orgs: a.Orgs, Catalog: a.Catalog, Calendar: a.Calendar.Calendar, Now: cfg.Now,
		IndexTemplate: func(ctx context.Context) string {
			st, err := a.Site.Get(ctx)
			if err != nil {
				return ""
			}
			return st.IndexTemplate
		}}
	a.Apply = &apply.Service{DB: d, Orgs: a.Orgs, Calendar: a.Calendar.Calendar, Now: cfg.Now}
	a.Report = &report.Service{DB: d, Orgs: a.Orgs, Apply: a.Apply, Info: a.Info, Calendar: a.Calendar.Calendar, Now: cfg.Now}
	a.Participate = &participate.Service{DB: d, Orgs: a.Orgs, Calendar: a.Calendar.Calendar, Guard: &moderation.Guard{}, Now: cfg.Now}
	a.Board = &board.Service{DB: d, Orgs: a.Orgs, Info: a.Info, Calendar: a.Calendar.Calendar, Guard: a.Participate.Guard, Now: cfg.Now}
	a.Supervise = &supervise.Service{DB: d, Orgs: a.Orgs, Catalog: a.Catalog, Info: a.Info, Apply: a.Apply, Board: a.Board,
		Calendar: a.Calendar.Calendar, Now: cfg.Now, InterpGrace: func(ctx context.Context) int {
			st, err := a.Site.Get(ctx)
			if err != nil {
				return 0
			}
			return st.InterpGraceDays()
		}}
	a.APIClients = &apiclient.Service{DB: d, Now: cfg.Now}
	a.Search = &search.Service{DB: d, Orgs: a.Orgs, Info: a.Info, Catalog: a.Catalog, Logger: cfg.Logger}
	if cfg.DataDir != "" {
		a.Search.Dir = filepath.Join(cfg.DataDir, "search")
	}
	proxies, err := web.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		d.Close()
		return nil, err
	}
	a.Web, err = web.New(web.Deps{DB: d, Orgs: a.Orgs, Site: a.Site, Catalog: a.Catalog, Info: a.Info, Apply: a.Apply, Report: a.Report, Participate: a.Participate, APIClients: a.APIClients, Supervise: a.Supervise, Board: a.Board,
		Calendar: a.Calendar, Search: a.Search, Logger: cfg.Logger, SecureCookies: cfg.SecureCookies, Version: Version,
		TrustedProxies: proxies, ApplyRateLimit: cfg.ApplyRateLimit})
	if err != nil {
		d.Close()
		return nil, err
	}
	if cfg.Index {
		if err := a.openIndex(ctx); err != nil {
			d.Close()
			return nil, err
		}
	}
	return a, nil
}

// openIndex opens the search index, catches it (and the page cache) up with
// the change log, and from then on syncs them after every commit.
func (a *App) openIndex(ctx context.Context) error {
	if err := a.Search.Open(ctx); err != nil {
		if errors.Is(err, search.ErrLocked) {
			return fmt.Errorf("搜索索引目录 %s 正被另一个进程使用：同一数据目录只能运行一个 gongkai serve（多副本请各用自己的 --data 目录，共享 PostgreSQL）", a.Search.Dir)
		}
		return fmt.Errorf("打开搜索索引失败：%w", err)
	}
	a.Follower = &changes.Follower{DB: a.DB, Views: []changes.View{a.Search, a.Web.PagesView()}, Logger: a.Cfg.Logger}
	if err := a.Follower.Sync(ctx); err != nil {
		a.Search.Close()
		return fmt.Errorf("搜索索引追赶变更日志失败：%w", err)
	}
	a.Search.ArmCrashHook()
	a.DB.AfterCommit(func(ctx context.Context) {
		if err := a.Follower.Sync(ctx); err != nil {
			a.Cfg.Logger.Error("change log sync after commit failed; the background sync retries", "err", err)
		}
	})
	return nil
}

// SyncSearch catches an opened search index up with the change log (for
// commands that open the index themselves).
func (a *App) SyncSearch(ctx context.Context) error {
	return (&changes.Follower{DB: a.DB, Views: []changes.View{a.Search}}).Sync(ctx)
}

// follow keeps derived views current with changes committed elsewhere
// (another replica, a CLI command) and checkpoints the index.
func (a *App) follow(ctx context.Context) {
	if a.Follower == nil {
		return
	}
	go a.Follower.Run(ctx, 2*time.Second)
	go func() {
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := a.Search.Checkpoint(); err != nil {
					a.Cfg.Logger.Error("search checkpoint failed", "err", err)
				}
			}
		}
	}()
}

// Listen binds the address; URL is valid afterwards.
func (a *App) Listen() error {
	addr := a.Cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("无法监听 %s：%v", addr, err)
	}
	a.ln = ln
	return nil
}

// URL is the base address the App serves on.
func (a *App) URL() string {
	if a.ln == nil {
		return ""
	}
	addr := a.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Serve serves until ctx is cancelled, then stops accepting, lets requests
// in flight finish (up to 15 s) and returns.
func (a *App) Serve(ctx context.Context) error {
	if a.ln == nil {
		if err := a.Listen(); err != nil {
			return err
		}
	}
	a.srv = &http.Server{
		Handler:           a.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Cfg.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- a.srv.Serve(a.ln) }()
	fctx, stopFollow := context.WithCancel(ctx)
	defer stopFollow()
	a.follow(fctx)
	a.remind(fctx)
	a.superviseJob(fctx)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := a.srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// Close checkpoints the search index and releases the database.
func (a *App) Close() error {
	a.jobs.Wait()
	var err error
	if a.Follower != nil {
		err = a.Search.Close()
	}
	if cerr := a.DB.Close(); err == nil {
		err = cerr
	}
	return err
}

// SeedDemo writes the demo district through this App's services (an empty
// database only; see demo.Seed).
func (a *App) SeedDemo(ctx context.Context) ([]demo.Account, error) {
	return demo.Seed(ctx, demo.Services{Orgs: a.Orgs, Site: a.Site, Catalog: a.Catalog, Info: a.Info, Apply: a.Apply, Report: a.Report, Participate: a.Participate,
		Supervise: a.Supervise, Board: a.Board})
}
