// Package ratelimit is an in-memory, keyed limiter for the public forms (the
// online application form; later the message board and comments). A key is
// usually a client address. A limiter has one or more rules, written like
// "5/10m,20/24h": a key may make at most 5 attempts in any 10 minutes AND
// at most 20 in any 24 hours.
//
// # Algorithm: exact sliding-window log
//
// Each key keeps the times of its most recent accepted attempts in a ring,
// as many as the largest count among the rules (20 for "5/10m,20/24h"). One
// ring serves every rule, since all rules count the same attempts. A rule
// N/W refuses when the N-th most recent accepted attempt is less than W
// old; an attempt stops counting exactly W after it was made, so the wait
// reported by Allow is the time until that attempt is W old, and a call
// made then is accepted. With several violated rules the longest wait wins.
// Refused attempts are not recorded: a client that keeps hammering stays
// refused only until its window frees, and a person who waits the reported
// time gets through. Unlike a token bucket, "5/10m" never lets more than 5
// through in any 10-minute span.
//
// # Memory bound and eviction
//
// A limiter tracks at most MaxKeys keys (DefaultMaxKeys, 100 000, unless
// set). Each costs its key string, 8 bytes per ring slot and about 100 bytes
// of bookkeeping and map overhead; ParseRules caps a count at MaxLimit, so
// the worst case is known up front. Measured under "5/10m,20/24h" with IPv6
// /64 keys: about 330 bytes a key, 33 MB at the default cap, and no growth
// beyond it however many distinct keys arrive.
// Keys are spread over up to 64 shards by hash, each with its own lock, map
// and least-recently-used list, and a fixed share of MaxKeys. Two kinds of
// entries leave a shard:
//
//   - expired ones first: on every call up to two entries at the LRU end
//     whose newest attempt is older than the longest window are dropped
//     (they hold nothing a rule could use, so forgetting them is lossless),
//     which shrinks memory again after a burst without a background goroutine;
//   - when a new key arrives at a full shard, the least recently used entry
//     is evicted (and its ring reused), expired or not. Losing a live entry
//     happens only when more than MaxKeys keys were active within the
//     longest window — a distributed flood — and then the one seen longest
//     ago is forgotten. LRU is exact per shard and approximate overall.
//
// A Limiter is safe for concurrent use. Times come from the caller (Allow's
// now), so tests inject a clock; times that go backwards are treated as no
// time having passed.
package ratelimit

import (
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultMaxKeys is the number of keys a limiter tracks when New is
	// given 0.
	DefaultMaxKeys = 100_000
	// MaxLimit is the largest count a rule may have; it bounds the memory
	// of a key.
	MaxLimit  = 10_000
	maxShards = 64
)

// Rule allows Limit attempts in any Window.
type Rule struct {
	Limit  int
	Window time.Duration
}

// String is the rule as ParseRules reads it ("5/10m0s" style durations are
// shortened: "5/10m", "20/24h").
func (r Rule) String() string { return strconv.Itoa(r.Limit) + "/" + shortDuration(r.Window) }

func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// Rules is a rule set; every rule must allow an attempt.
type Rules []Rule

func (rs Rules) String() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// ParseError names the rule of a spec that could not be read.
type ParseError struct {
	Spec   string // the whole setting
	Index  int    // 1-based position of the bad rule; 0 when the spec itself is bad
	Part   string // the bad rule as written
	Reason string
}

func (e *ParseError) Error() string {
	if e.Index == 0 {
		return fmt.Sprintf("限流规则 %q 有误：%s", e.Spec, e.Reason)
	}
	return fmt.Sprintf("限流规则 %q 第 %d 项 %q 有误：%s（格式为“次数/时长”，如 5/10m、20/24h、100/7d，多项用逗号分隔）",
		e.Spec, e.Index, e.Part, e.Reason)
}

// ParseRules reads "count/window[,count/window…]". A count is a whole number
// from 1 to MaxLimit; a window is a Go duration ("90s", "10m", "24h",
// "1h30m") or a whole number of days ("7d"), and must be positive. Spaces
// around parts are ignored.
func ParseRules(spec string) (Rules, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, &ParseError{Spec: spec, Reason: "没有任何规则"}
	}
	var rs Rules
	for i, part := range strings.Split(spec, ",") {
		bad := func(format string, a ...any) error {
			return &ParseError{Spec: spec, Index: i + 1, Part: strings.TrimSpace(part), Reason: fmt.Sprintf(format, a...)}
		}
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, bad("为空（多了一个逗号？）")
		}
		count, window, ok := strings.Cut(part, "/")
		if !ok {
			return nil, bad("缺少“/”")
		}
		count, window = strings.TrimSpace(count), strings.TrimSpace(window)
		n, err := strconv.Atoi(count)
		switch {
		case err != nil && count == "":
			return nil, bad("缺少次数")
		case err != nil && strings.HasPrefix(count, "-") && isInteger(count):
			return nil, bad("次数必须大于 0（写的是 %s）", count)
		case err != nil && isInteger(count):
			return nil, bad("次数 %s 太大（最多 %d）", count, MaxLimit)
		case err != nil:
			return nil, bad("次数 %q 不是整数", count)
		case n <= 0:
			return nil, bad("次数必须大于 0（写的是 %d）", n)
		case n > MaxLimit:
			return nil, bad("次数 %d 太大（最多 %d）", n, MaxLimit)
		}
		w, err := parseWindow(window)
		switch {
		case window == "":
			return nil, bad("缺少时长")
		case err != nil:
			return nil, bad("时长 %q 无法识别（可用 s、m、h、d，如 10m、24h、7d）", window)
		case w <= 0:
			return nil, bad("时长必须大于 0（写的是 %s）", window)
		}
		rs = append(rs, Rule{Limit: n, Window: w})
	}
	return rs, nil
}

func isInteger(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// parseWindow is time.ParseDuration plus whole days ("7d").
func parseWindow(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok && isInteger(days) {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n > int64(1<<63-1)/int64(24*time.Hour) || n < -int64(1<<63-1)/int64(24*time.Hour) {
			return 0, fmt.Errorf("days out of range")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// Limiter limits attempts per key. The zero value is not usable; call New.
type Limiter struct {
	rules     Rules
	slots     int   // ring size: the largest Limit
	maxWindow int64 // longest window, ns
	seed      maphash.Seed
	shards    []shard
}

// New builds a limiter for rules tracking at most maxKeys keys (0 or less:
// DefaultMaxKeys).
func New(rules Rules, maxKeys int) (*Limiter, error) {
	if len(rules) == 0 {
		return nil, fmt.Errorf("ratelimit: no rules")
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	l := &Limiter{rules: append(Rules(nil), rules...), seed: maphash.MakeSeed()}
	for _, r := range rules {
		if r.Limit <= 0 || r.Limit > MaxLimit || r.Window <= 0 {
			return nil, fmt.Errorf("ratelimit: invalid rule %d/%s", r.Limit, r.Window)
		}
		l.slots = max(l.slots, r.Limit)
		l.maxWindow = max(l.maxWindow, int64(r.Window))
	}
	n := min(maxShards, maxKeys)
	l.shards = make([]shard, n)
	for i := range l.shards {
		sh := &l.shards[i]
		sh.capacity = maxKeys / n
		if i < maxKeys%n {
			sh.capacity++
		}
		sh.m = make(map[string]*entry)
		sh.lru.prev, sh.lru.next = &sh.lru, &sh.lru
	}
	return l, nil
}

// Parse is ParseRules then New.
func Parse(spec string, maxKeys int) (*Limiter, error) {
	rs, err := ParseRules(spec)
	if err != nil {
		return nil, err
	}
	return New(rs, maxKeys)
}

// Rules returns the limiter's rules.
func (l *Limiter) Rules() Rules { return append(Rules(nil), l.rules...) }

// Allow records an attempt by key at now if every rule allows it. When one
// does not, nothing is recorded and retryAfter is how long until an attempt
// would be accepted (if no other attempt is accepted meanwhile).
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	t := now.UnixNano()
	sh := l.shardOf(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.m[key]
	if e == nil {
		e = sh.add(key, l.slots)
	} else {
		sh.unlink(e)
		sh.pushFront(e)
	}
	var wait int64
	for _, r := range l.rules {
		if e.n < r.Limit {
			continue
		}
		at := min(e.nth(r.Limit), t) // a clock that went back: no time passed
		if w := at + int64(r.Window) - t; w > wait {
			wait = w
		}
	}
	if wait == 0 {
		e.push(t)
	}
	sh.sweep(t, l.maxWindow, e)
	return wait == 0, time.Duration(wait)
}

func (l *Limiter) shardOf(key string) *shard {
	return &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
}

// Len is the number of keys tracked.
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

type shard struct {
	mu       sync.Mutex
	m        map[string]*entry
	lru      entry // sentinel: lru.next is the most, lru.prev the least recently used
	capacity int
}

type entry struct {
	key        string
	prev, next *entry
	times      []int64 // ring of accepted attempts, unix ns
	head, n    int     // next slot to write; slots in use
}

// nth is the k-th most recent accepted attempt (1 ≤ k ≤ n).
func (e *entry) nth(k int) int64 {
	i := e.head - k
	if i < 0 {
		i += len(e.times)
	}
	return e.times[i]
}

func (e *entry) push(t int64) {
	e.times[e.head] = t
	e.head++
	if e.head == len(e.times) {
		e.head = 0
	}
	if e.n < len(e.times) {
		e.n++
	}
}

func (sh *shard) unlink(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (sh *shard) pushFront(e *entry) {
	e.prev, e.next = &sh.lru, sh.lru.next
	sh.lru.next.prev = e
	sh.lru.next = e
}

// add makes an entry for key at the front, evicting the least recently used
// entry (and reusing its ring) when the shard is full.
func (sh *shard) add(key string, slots int) *entry {
	var e *entry
	if len(sh.m) >= sh.capacity {
		e = sh.lru.prev
		sh.unlink(e)
		delete(sh.m, e.key)
		e.head, e.n = 0, 0
	} else {
		e = &entry{times: make([]int64, slots)}
	}
	e.key = key
	sh.m[key] = e
	sh.pushFront(e)
	return e
}

// sweep drops up to two expired entries from the LRU end, never keep.
func (sh *shard) sweep(t, maxWindow int64, keep *entry) {
	for range 2 {
		e := sh.lru.prev
		if e == &sh.lru || e == keep || e.n > 0 && e.nth(1)+maxWindow > t {
			return
		}
		sh.unlink(e)
		delete(sh.m, e.key)
	}
}
