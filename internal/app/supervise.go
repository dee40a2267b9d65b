package app

import (
	"context"

	"gongkai.dev/gongkai/internal/supervise"
)

// superviseJob runs the daily supervision check while the server runs.
// Every replica may run it: the day is claimed in the database first, so
// the check runs once a day across replicas and restarts.
func (a *App) superviseJob(ctx context.Context) {
	job := &supervise.Job{Supervise: a.Supervise, Logger: a.Cfg.Logger}
	a.jobs.Add(1)
	go func() {
		defer a.jobs.Done()
		job.Run(ctx)
	}()
}
