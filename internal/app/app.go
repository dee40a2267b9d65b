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
	"time"

	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/site"
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
}

// App is a running gongkai.
type App struct {
	Cfg      Config
	DB       *db.DB
	Orgs     *org.Service
	Site     *site.Service
	Catalog  *catalog.Service
	Info     *info.Service
	Calendar *workday.Store
	Web      *web.Server
	// Migrated lists the migrations this start applied.
	Migrated []db.Migration

	ln  net.Listener
	srv *http.Server
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
	d, err := db.Open(ctx, db.Config{URL: cfg.DBURL, DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, DB: d}
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
	a.Web, err = web.New(web.Deps{DB: d, Orgs: a.Orgs, Site: a.Site, Catalog: a.Catalog, Info: a.Info, Calendar: a.Calendar, Logger: cfg.Logger,
		SecureCookies: cfg.SecureCookies, Version: Version})
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
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

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
