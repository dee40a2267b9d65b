package supervise

import (
	"context"
	"log/slog"
	"time"

	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/workday"
)

// Job runs the daily check from a serving process: it wakes every few
// minutes and, once the day has reached the configured hour (run_hour,
// China Standard Time), claims the day in supervise_schedule and runs the
// check over every org. The claim is inserted first, so replicas and
// restarts run it once a day; a run that fails leaves the claim and is
// logged (the next day runs again; staff may start one by hand).
type Job struct {
	Supervise *Service
	Logger    *slog.Logger
	Every     time.Duration // 0 = 5 minutes
}

// Run checks until ctx ends.
func (j *Job) Run(ctx context.Context) {
	every := j.Every
	if every <= 0 {
		every = 5 * time.Minute
	}
	// The first tick waits one period: a server (or a test) just started
	// serves requests before a check competes with them for the writer.
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := j.Tick(ctx); err != nil && ctx.Err() == nil {
			j.log().Error("每日监督检查失败", "err", err)
		}
	}
}

func (j *Job) log() *slog.Logger {
	if j.Logger == nil {
		return slog.Default()
	}
	return j.Logger
}

// Tick runs the day's check if it is due and not yet claimed; it reports
// whether it ran.
func (j *Job) Tick(ctx context.Context) (bool, error) {
	s := j.Supervise
	now := s.now()
	today := workday.DateOf(now)
	cfg, err := s.Config(ctx)
	if err != nil {
		return false, err
	}
	if now.In(today.Time().Location()).Hour() < cfg.Get("run_hour") {
		return false, nil
	}
	res, err := s.DB.W.ExecContext(ctx, `INSERT INTO supervise_schedule (day, claimed_at) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING`,
		today.String(), db.Time(now))
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	r, err := s.Run(ctx, audit.System("supervise", "系统（每日监督检查）"), RunOptions{Kind: RunSchedule})
	if err != nil {
		return true, err
	}
	j.log().Info("每日监督检查", "day", today.String(), "open", r.Run.Open, "new", r.Run.New, "resolved", r.Run.Resolved,
		"escalated", r.Run.EscalatedTickets, "rules_not_computed", len(r.Run.Errors))
	return true, nil
}
