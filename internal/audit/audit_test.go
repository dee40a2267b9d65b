package audit_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/dbtest"
)

// mustChain appends n events and returns the database.
func mustChain(t *testing.T, n int) *db.DB {
	t.Helper()
	d := dbtest.Open(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := audit.Append(ctx, tx, at.Add(time.Duration(i)*time.Minute), audit.Event{
				Actor: audit.Actor{ID: "u1", Name: "张三", IP: "10.0.0.1"}, OrgID: "o1", Action: "test.step",
				ObjectType: "thing", ObjectID: "t1", Summary: "第几步", Before: map[string]int{"n": i - 1}, After: map[string]int{"n": i}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func mustVerify(t *testing.T, d *db.DB) audit.Result {
	t.Helper()
	res, err := audit.Verify(context.Background(), d.R)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestChainVerifies(t *testing.T) {
	d := mustChain(t, 5)
	res := mustVerify(t, d)
	if !res.OK() || res.Events != 5 || res.HeadSeq != 5 || len(res.HeadHash) != 64 {
		t.Fatalf("intact chain: %+v", res)
	}
	recs, err := audit.List(context.Background(), d.R, audit.Filter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Seq != 5 || recs[1].Seq != 4 || recs[0].PrevHash != recs[1].Hash {
		t.Fatalf("List newest first, linked: %+v", recs)
	}
	if recs[0].AfterJSON != `{"n":5}` || recs[0].IP != "10.0.0.1" {
		t.Fatalf("stored fields: %+v", recs[0])
	}
}

func TestEmptyChainVerifies(t *testing.T) {
	res := mustVerify(t, dbtest.Open(t))
	if !res.OK() || res.Events != 0 {
		t.Fatalf("empty chain: %+v", res)
	}
}

// Each kind of tampering is detected and the first bad event named.
func TestTamperingDetected(t *testing.T) {
	tests := []struct {
		name    string
		sql     []string
		wantSeq int64
		wantMsg string
	}{
		{"altered summary", []string{"UPDATE audit_events SET summary = '改过' WHERE seq = 3"}, 3, "内容与其哈希不符"},
		{"altered time", []string{"UPDATE audit_events SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 2"}, 2, "内容与其哈希不符"},
		{"altered after", []string{`UPDATE audit_events SET after_json = '{"n":99}' WHERE seq = 4`}, 4, "内容与其哈希不符"},
		{"removed middle", []string{"DELETE FROM audit_events WHERE seq = 3"}, 3, "缺失"},
		{"removed tail", []string{"DELETE FROM audit_events WHERE seq = 5"}, 5, "链尾"},
		{"removed first", []string{"DELETE FROM audit_events WHERE seq = 1"}, 1, "缺失"},
		{"renumbered after removal", []string{"DELETE FROM audit_events WHERE seq = 3",
			"UPDATE audit_events SET seq = seq - 1 WHERE seq > 3"}, 3, "前序哈希"},
		{"reordered", []string{"UPDATE audit_events SET seq = 100 WHERE seq = 2",
			"UPDATE audit_events SET seq = 2 WHERE seq = 3", "UPDATE audit_events SET seq = 3 WHERE seq = 100"}, 2, "前序哈希"},
		{"rehashed one event", []string{"UPDATE audit_events SET summary = 'x', hash = 'ab' WHERE seq = 2"}, 2, "内容与其哈希不符"},
		{"head moved back", []string{"UPDATE audit_head SET seq = 4"}, 6, "链头"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustChain(t, 5)
			for _, q := range tt.sql {
				if _, err := d.W.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			res := mustVerify(t, d)
			if res.OK() || res.BadSeq != tt.wantSeq || !strings.Contains(res.Problem, tt.wantMsg) {
				t.Fatalf("got %+v; want bad seq %d with %q", res, tt.wantSeq, tt.wantMsg)
			}
		})
	}
}

// A transaction that rolls back leaves neither the change nor its event.
func TestAppendRollsBackWithChange(t *testing.T) {
	d := mustChain(t, 2)
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := audit.Append(ctx, tx, time.Now(), audit.Event{Action: "x"}); err != nil {
			return err
		}
		return context.Canceled // the change failed after its event was written
	})
	if err == nil {
		t.Fatal("want error")
	}
	res := mustVerify(t, d)
	if !res.OK() || res.Events != 2 {
		t.Fatalf("after rollback: %+v", res)
	}
}

// Concurrent appends (many goroutines, each in its own transaction) still
// produce one gapless chain: the head-row update serialises them.
func TestConcurrentAppends(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	const workers, each = 8, 10
	errc := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func() {
			for i := 0; i < each; i++ {
				if err := d.Tx(ctx, func(tx *sql.Tx) error {
					_, err := audit.Append(ctx, tx, time.Now(), audit.Event{Action: "c", Summary: "并发"})
					return err
				}); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	for w := 0; w < workers; w++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	res := mustVerify(t, d)
	if !res.OK() || res.Events != workers*each {
		t.Fatalf("concurrent chain: %+v", res)
	}
}
