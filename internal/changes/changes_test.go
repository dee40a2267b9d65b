package changes_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/dbtest"
)

// Concurrent writers, some of which roll back, leave a log whose sequence
// numbers are exactly 1..N for the committed ones: no gaps, no duplicates.
// A gap would make a follower that has seen N wait forever or skip entries.
func TestAppendIsGaplessUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	const writers, each = 6, 15
	errRollback := errors.New("rollback")
	var wg sync.WaitGroup
	var mu sync.Mutex
	committed := 0
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := d.Tx(ctx, func(tx *sql.Tx) error {
					if _, err := changes.Append(ctx, tx, time.Now(), changes.Info, fmt.Sprintf("r%d-%d", w, i), "o1"); err != nil {
						return err
					}
					if i%3 == 0 {
						return errRollback
					}
					return nil
				})
				switch {
				case err == nil:
					mu.Lock()
					committed++
					mu.Unlock()
				case !errors.Is(err, errRollback):
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	last, err := changes.Last(ctx, d.R)
	if err != nil {
		t.Fatal(err)
	}
	if last != int64(committed) {
		t.Fatalf("Last = %d, committed %d", last, committed)
	}
	cs, err := changes.Since(ctx, d.R, 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != committed {
		t.Fatalf("Since(0) = %d entries, committed %d", len(cs), committed)
	}
	for i, c := range cs {
		if c.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, c.Seq)
		}
	}
}

type recView struct {
	seq  int64
	seen []string
	fail error
}

func (v *recView) Seq() int64 { return v.seq }
func (v *recView) Apply(_ context.Context, cs []changes.Change) error {
	if v.fail != nil {
		return v.fail
	}
	for _, c := range cs {
		if c.Seq <= v.seq {
			return fmt.Errorf("entry %d re-applied after %d", c.Seq, v.seq)
		}
		v.seen = append(v.seen, c.ObjectID)
		v.seq = c.Seq
	}
	return nil
}

// The follower feeds each view exactly the entries after its own position,
// in batches, from an after-commit hook; a failing view keeps its position
// and catches up on the next sync.
func TestFollowerCatchesUpEachView(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	add := func(n int, prefix string) {
		for i := range n {
			if err := d.Tx(ctx, func(tx *sql.Tx) error {
				_, err := changes.Append(ctx, tx, time.Now(), changes.Info, fmt.Sprintf("%s%d", prefix, i), "")
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(700, "a") // more than one batch
	fresh := &recView{}
	behind := &recView{seq: 650}
	f := &changes.Follower{DB: d, Views: []changes.View{fresh, behind}}
	if err := f.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if fresh.seq != 700 || len(fresh.seen) != 700 || fresh.seen[0] != "a0" || fresh.seen[699] != "a699" {
		t.Fatalf("fresh view: seq %d, %d entries", fresh.seq, len(fresh.seen))
	}
	if behind.seq != 700 || len(behind.seen) != 50 || behind.seen[0] != "a650" {
		t.Fatalf("behind view: seq %d, %d entries", behind.seq, len(behind.seen))
	}

	// After-commit hook: the change is applied before Tx returns.
	d.AfterCommit(func(ctx context.Context) { f.Sync(ctx) })
	add(1, "b")
	if fresh.seq != 701 || fresh.seen[700] != "b0" {
		t.Fatalf("after commit: seq %d", fresh.seq)
	}

	// A view that fails keeps its place and catches up later.
	behind.fail = errors.New("disk full")
	add(2, "c")
	if behind.seq != 701 {
		t.Fatalf("failing view advanced to %d", behind.seq)
	}
	behind.fail = nil
	if err := f.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if behind.seq != 703 || behind.seen[len(behind.seen)-1] != "c1" {
		t.Fatalf("failing view did not catch up: seq %d", behind.seq)
	}
}
