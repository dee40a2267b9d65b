package changes

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gongkai.dev/gongkai/internal/db"
)

// A View is derived from the database and kept current from the log.
type View interface {
	// Seq is the last sequence number the view reflects.
	Seq() int64
	// Apply brings the view up to date with cs (oldest first, all after
	// Seq) and advances Seq to the last of them. Applying reads the
	// current state of each object, so applying an entry twice is harmless.
	Apply(ctx context.Context, cs []Change) error
}

// Follower feeds the log to views. Sync runs right after each commit (so a
// change is visible before the request that made it returns) and on a timer
// (for changes committed by another replica).
type Follower struct {
	DB     *db.DB
	Views  []View
	Logger *slog.Logger
	mu     sync.Mutex
}

// batch bounds how many entries one read takes, so catching up after a long
// outage streams instead of loading the whole log.
const batch = 500

// Sync applies every committed change the views have not seen yet.
func (f *Follower) Sync(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	last, err := Last(ctx, f.DB.R)
	if err != nil {
		return err
	}
	for {
		from := last
		for _, v := range f.Views {
			from = min(from, v.Seq())
		}
		if from >= last {
			return nil
		}
		cs, err := Since(ctx, f.DB.R, from, batch)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return nil
		}
		for _, v := range f.Views {
			var todo []Change
			for _, c := range cs {
				if c.Seq > v.Seq() {
					todo = append(todo, c)
				}
			}
			if len(todo) > 0 {
				if err := v.Apply(ctx, todo); err != nil {
					return err
				}
			}
		}
	}
}

// Run syncs every interval until ctx ends, logging failures (a failed sync
// is retried on the next tick; the log keeps every change meanwhile).
func (f *Follower) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := f.Sync(ctx); err != nil && ctx.Err() == nil && f.Logger != nil {
				f.Logger.Error("change log sync failed", "err", err)
			}
		}
	}
}
