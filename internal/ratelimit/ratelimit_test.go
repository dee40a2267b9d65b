package ratelimit

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func mustParse(t testing.TB, spec string, maxKeys int) *Limiter {
	t.Helper()
	l, err := Parse(spec, maxKeys)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParseRules(t *testing.T) {
	for spec, want := range map[string]string{
		"5/10m,20/24h":        "5/10m,20/24h",
		" 5 / 10m , 20/1d ":   "5/10m,20/24h",
		"100/7d":              "100/168h",
		"3/90s,1/1h30m,2/1ms": "3/1m30s,1/1h30m,2/1ms",
		"+2/1h":               "2/1h",
		"10000/1s":            "10000/1s",
	} {
		rs, err := ParseRules(spec)
		if err != nil {
			t.Errorf("%q: %v", spec, err)
			continue
		}
		if rs.String() != want {
			t.Errorf("%q → %q, want %q", spec, rs.String(), want)
		}
		if again, err := ParseRules(rs.String()); err != nil || again.String() != want {
			t.Errorf("%q does not round-trip: %v %v", want, again, err)
		}
	}
	for _, c := range []struct {
		spec  string
		index int
		part  string
		says  string
	}{
		{"", 0, "", "没有任何规则"},
		{"   ", 0, "", "没有任何规则"},
		{"5", 1, "5", "缺少“/”"},
		{"0/10m", 1, "0/10m", "次数必须大于 0"},
		{"-1/10m", 1, "-1/10m", "次数必须大于 0"},
		{"-99999999999999999999/10m", 1, "-99999999999999999999/10m", "次数必须大于 0"},
		{"x/10m", 1, "x/10m", "不是整数"},
		{"2.5/10m", 1, "2.5/10m", "不是整数"},
		{"/10m", 1, "/10m", "缺少次数"},
		{"5/", 1, "5/", "缺少时长"},
		{"5/0s", 1, "5/0s", "时长必须大于 0"},
		{"5/0", 1, "5/0", "时长必须大于 0"},
		{"5/-10m", 1, "5/-10m", "时长必须大于 0"},
		{"5/-1d", 1, "5/-1d", "时长必须大于 0"},
		{"5/10", 1, "5/10", "无法识别"},
		{"5/abc", 1, "5/abc", "无法识别"},
		{"5/10m/3", 1, "5/10m/3", "无法识别"},
		{"5/999999999999d", 1, "5/999999999999d", "无法识别"},
		{"10001/1h", 1, "10001/1h", "太大"},
		{"99999999999999999999/1h", 1, "99999999999999999999/1h", "太大"},
		{"5/10m,", 2, "", "为空"},
		{"5/10m,,3/1h", 2, "", "为空"},
		{"5/10m, 20/24x", 2, "20/24x", "无法识别"},
		{"5/10m,20/24h,0/1h", 3, "0/1h", "次数必须大于 0"},
	} {
		_, err := ParseRules(c.spec)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: got %v, want a ParseError", c.spec, err)
			continue
		}
		if pe.Index != c.index || pe.Part != c.part || !strings.Contains(pe.Reason, c.says) {
			t.Errorf("%q: index %d part %q reason %q; want %d %q %q", c.spec, pe.Index, pe.Part, pe.Reason, c.index, c.part, c.says)
		}
		if msg := err.Error(); c.part != "" && !strings.Contains(msg, strconv.Quote(c.part)) || !strings.Contains(msg, c.says) {
			t.Errorf("%q: message %q does not name the bad part", c.spec, msg)
		}
	}
	if _, err := New(nil, 0); err == nil {
		t.Error("New without rules")
	}
	if _, err := New(Rules{{Limit: 1, Window: 0}}, 0); err == nil {
		t.Error("New with a zero window")
	}
	if _, err := New(Rules{{Limit: 0, Window: time.Minute}}, 0); err == nil {
		t.Error("New with a zero count")
	}
}

// The N-th attempt in a window passes, the N+1-th does not; an attempt
// stops counting exactly one window after it was made.
func TestEdges(t *testing.T) {
	l := mustParse(t, "3/10m", 0)
	for i, at := range []time.Duration{0, time.Minute, 2 * time.Minute} {
		if ok, wait := l.Allow("a", t0.Add(at)); !ok || wait != 0 {
			t.Fatalf("attempt %d: %v %v", i+1, ok, wait)
		}
	}
	if ok, wait := l.Allow("a", t0.Add(2*time.Minute)); ok || wait != 8*time.Minute {
		t.Errorf("4th attempt: %v, wait %v; want refused, 8m", ok, wait)
	}
	if ok, wait := l.Allow("a", t0.Add(10*time.Minute-time.Nanosecond)); ok || wait != time.Nanosecond {
		t.Errorf("1ns before the first attempt expires: %v %v", ok, wait)
	}
	if ok, _ := l.Allow("a", t0.Add(10*time.Minute)); !ok {
		t.Error("exactly one window after the first attempt: refused")
	}
	// Now t0+1m, t0+2m, t0+10m are in the log.
	if ok, wait := l.Allow("a", t0.Add(10*time.Minute)); ok || wait != time.Minute {
		t.Errorf("right after: %v %v; want refused for 1m", ok, wait)
	}
	if ok, _ := l.Allow("b", t0.Add(10*time.Minute)); !ok {
		t.Error("another key is limited too")
	}
}

// A refused attempt is not recorded: hammering does not extend the wait.
func TestRefusedNotCounted(t *testing.T) {
	l := mustParse(t, "1/1m", 0)
	l.Allow("k", t0)
	for s := 1; s < 60; s++ {
		ok, wait := l.Allow("k", t0.Add(time.Duration(s)*time.Second))
		if ok || wait != time.Duration(60-s)*time.Second {
			t.Fatalf("at %ds: %v %v", s, ok, wait)
		}
	}
	if ok, _ := l.Allow("k", t0.Add(time.Minute)); !ok {
		t.Error("refused after waiting the reported time")
	}
}

// Every rule applies; the longest wait is reported.
func TestSeveralRules(t *testing.T) {
	l := mustParse(t, "2/1m,3/1h", 0)
	step := func(at time.Duration, wantOK bool, wantWait time.Duration) {
		t.Helper()
		if ok, wait := l.Allow("k", t0.Add(at)); ok != wantOK || wait != wantWait {
			t.Errorf("at %v: %v %v; want %v %v", at, ok, wait, wantOK, wantWait)
		}
	}
	step(0, true, 0)
	step(time.Second, true, 0)
	step(2*time.Second, false, 58*time.Second)                                                  // the minute rule
	step(time.Minute, true, 0)                                                                  // t0 has left the minute
	step(time.Minute+500*time.Millisecond, false, time.Hour-(time.Minute+500*time.Millisecond)) // both; the hour is longer
	step(30*time.Minute, false, 30*time.Minute)                                                 // the hour rule alone
	step(time.Hour, true, 0)
}

// A clock that goes backwards counts as no time passing: the wait never
// exceeds the window.
func TestClockBackwards(t *testing.T) {
	l := mustParse(t, "1/10m", 0)
	l.Allow("k", t0)
	if ok, wait := l.Allow("k", t0.Add(-time.Hour)); ok || wait != 10*time.Minute {
		t.Errorf("clock back an hour: %v %v", ok, wait)
	}
}

// oracle keeps every accepted attempt and counts per rule.
type oracle struct {
	rules    Rules
	accepted []time.Time
}

func (o *oracle) allows(now time.Time) bool {
	for len(o.accepted) > 0 && now.Sub(o.accepted[0]) >= 3*time.Hour { // longer than any window here
		o.accepted = o.accepted[1:]
	}
	for _, r := range o.rules {
		n := 0
		for _, a := range o.accepted {
			if now.Sub(a) < r.Window {
				n++
			}
		}
		if n >= r.Limit {
			return false
		}
	}
	return true
}

// Random traffic against a brute-force oracle: the same decisions, and the
// reported wait is exact (accepted at now+wait, refused 1ns earlier).
func TestAgainstOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 30 {
		rs := Rules{{Limit: 1 + rng.IntN(5), Window: time.Duration(1+rng.IntN(600)) * time.Second},
			{Limit: 3 + rng.IntN(20), Window: time.Duration(1+rng.IntN(7200)) * time.Second}}
		l, err := New(rs, 0)
		if err != nil {
			t.Fatal(err)
		}
		o := &oracle{rules: rs}
		now := t0
		for i := range 2000 {
			now = now.Add(time.Duration(rng.IntN(120_000)) * time.Millisecond * time.Duration(rng.IntN(2)))
			want := o.allows(now)
			ok, wait := l.Allow("k", now)
			if ok != want {
				t.Fatalf("round %d (%v) step %d: Allow %v, oracle %v", round, rs, i, ok, want)
			}
			if ok {
				o.accepted = append(o.accepted, now)
				continue
			}
			if wait <= 0 || !o.allows(now.Add(wait)) || o.allows(now.Add(wait-time.Nanosecond)) {
				t.Fatalf("round %d (%v) step %d: wait %v is not the exact wait", round, rs, i, wait)
			}
		}
	}
}

// Memory stays bounded: a million distinct keys never track more than
// MaxKeys, and the heap does not grow once the cap is reached.
func TestEvictionBound(t *testing.T) {
	const maxKeys, total = 100_000, 1_000_000
	l := mustParse(t, "5/10m,20/24h", maxKeys)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	var atCap uint64
	for i := range total {
		key := "2001:db8:" + strconv.Itoa(i) + "::/64"
		if ok, _ := l.Allow(key, t0.Add(time.Duration(i)*time.Millisecond)); !ok {
			t.Fatalf("new key %d refused", i)
		}
		if i%100_000 == 99_999 {
			if n := l.Len(); n > maxKeys {
				t.Fatalf("after %d keys: %d tracked, cap %d", i+1, n, maxKeys)
			}
			if i+1 == 2*maxKeys {
				atCap = heap()
			}
		}
	}
	end := heap()
	if l.Len() != maxKeys {
		t.Errorf("tracked %d keys, want the cap %d", l.Len(), maxKeys)
	}
	perKey := float64(atCap-before) / maxKeys
	t.Logf("heap: %.1f MB at the cap (%.0f B/key), %.1f MB after %d keys", float64(atCap-before)/1e6, perKey, float64(end-before)/1e6, total)
	if end > atCap+atCap/10 {
		t.Errorf("heap grew from %d to %d bytes after the cap", atCap, end)
	}
	runtime.KeepAlive(l)
}

// On a full shard the least recently used key goes, not a recently used one.
func TestEvictsLeastRecentlyUsed(t *testing.T) {
	l := mustParse(t, "1/1h", 128) // 64 shards of 2
	var same []string              // three keys of one shard
	for i := 0; len(same) < 3; i++ {
		k := "k" + strconv.Itoa(i)
		if len(same) == 0 || l.shardOf(k) == l.shardOf(same[0]) {
			same = append(same, k)
		}
	}
	a, b, c := same[0], same[1], same[2]
	l.Allow(a, t0)
	l.Allow(b, t0)
	if ok, _ := l.Allow(a, t0.Add(time.Second)); ok { // touches a; b is now least recent
		t.Fatal("a allowed twice")
	}
	l.Allow(c, t0.Add(2*time.Second))
	sh := l.shardOf(a)
	if _, ok := sh.m[b]; ok || sh.m[a] == nil || sh.m[c] == nil {
		t.Errorf("after c: a %v b %v c %v; want b evicted", sh.m[a] != nil, sh.m[b] != nil, sh.m[c] != nil)
	}
	if ok, _ := l.Allow(a, t0.Add(3*time.Second)); ok {
		t.Error("a lost its history")
	}
}

// Keys whose attempts have all left the longest window are dropped as
// traffic goes on, without waiting for the cap.
func TestExpiredSwept(t *testing.T) {
	l := mustParse(t, "1/1m,2/5m", 0)
	for i := range 1000 {
		l.Allow("old"+strconv.Itoa(i), t0)
	}
	later := t0.Add(5 * time.Minute)
	for i := range 3000 {
		l.Allow("new"+strconv.Itoa(i), later)
	}
	if n := l.Len(); n != 3000 {
		t.Errorf("%d keys tracked, want only the 3000 live ones", n)
	}
	// One window minus 1ns after: nothing is expired, nothing dropped.
	l2 := mustParse(t, "1/1m,2/5m", 0)
	for i := range 1000 {
		l2.Allow("old"+strconv.Itoa(i), t0)
	}
	for i := range 3000 {
		l2.Allow("new"+strconv.Itoa(i), later.Add(-time.Nanosecond))
	}
	if n := l2.Len(); n != 4000 {
		t.Errorf("%d keys tracked, want 4000 (none expired yet)", n)
	}
}

func TestConcurrent(t *testing.T) {
	l := mustParse(t, "50/1m,70/1h", 256)
	var accepted atomic.Int64
	var wg sync.WaitGroup
	for g := range 64 {
		wg.Go(func() {
			for i := range 200 {
				if ok, _ := l.Allow("shared", t0); ok {
					accepted.Add(1)
				}
				l.Allow("g"+strconv.Itoa(g)+"-"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Second))
				if i%50 == 0 && l.Len() > 256 {
					t.Errorf("%d keys tracked, cap 256", l.Len())
				}
			}
		})
	}
	wg.Wait()
	if accepted.Load() != 50 {
		t.Errorf("%d attempts accepted for one key at one instant, want 50", accepted.Load())
	}
	if n := l.Len(); n > 256 {
		t.Errorf("%d keys tracked, cap 256", n)
	}
}

// BenchmarkAllow: many goroutines, 10 000 client addresses, the default
// rules of the application form (most calls refused after the first few).
func BenchmarkAllow(b *testing.B) {
	l := mustParse(b, "5/10m,20/24h", 0)
	keys := make([]string, 10_000)
	for i := range keys {
		keys[i] = "10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	var seq atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(7919))
		for pb.Next() {
			i++
			l.Allow(keys[i%len(keys)], t0.Add(time.Duration(i)*time.Millisecond))
		}
	})
}

// BenchmarkAllowDistinct: every call a new key at the cap (the eviction
// path, as in a flood from many addresses).
func BenchmarkAllowDistinct(b *testing.B) {
	l := mustParse(b, "5/10m,20/24h", 10_000)
	var seq atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			l.Allow(strconv.FormatInt(i, 36), t0)
		}
	})
}
