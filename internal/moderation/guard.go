package moderation

import (
	"fmt"
	"sync"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/ratelimit"
)

// Guard holds the rate limiters of the public forms. Limits are in memory
// (per process, as for the online application form); the rules come from
// the config, and a limiter is rebuilt only when its rules change, so
// editing an unrelated setting does not forget who has been submitting.
//
// One Guard serves every form: keys carry a scope ("zjyj" for comments,
// the message board its own), so a person commenting on a draft is not
// counted against the message board.
type Guard struct {
	mu                    sync.Mutex
	ipSpec, contactSpec   string
	ipLimit, contactLimit *ratelimit.Limiter
}

// LimitError is a refusal by rate limit; Wait is how long until a new
// attempt would be accepted (for Retry-After).
type LimitError struct{ Wait time.Duration }

func (e *LimitError) Error() string { return fmt.Sprintf("rate limited for %s", e.Wait) }

func (g *Guard) limiters(c Config) (ip, contact *ratelimit.Limiter, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ipLimit == nil || g.ipSpec != c.IPRate {
		l, err := ratelimit.Parse(c.IPRate, 0)
		if err != nil {
			return nil, nil, err
		}
		g.ipLimit, g.ipSpec = l, c.IPRate
	}
	if g.contactLimit == nil || g.contactSpec != c.ContactRate {
		l, err := ratelimit.Parse(c.ContactRate, 0)
		if err != nil {
			return nil, nil, err
		}
		g.contactLimit, g.contactSpec = l, c.ContactRate
	}
	return g.ipLimit, g.contactLimit, nil
}

// Allow counts one submission in scope from ip (and contact, when given)
// and refuses it with a TooMany error wrapping *LimitError when either
// limit is reached. Callers count every attempt that reaches validation —
// a flood of junk costs as much as a flood of comments — but not the replay
// of a form already accepted.
func (g *Guard) Allow(c Config, scope, ip, contact string, now time.Time) error {
	ipl, cl, err := g.limiters(c)
	if err != nil {
		return err
	}
	wait := time.Duration(0)
	if ok, w := ipl.Allow(scope+"|"+ratelimit.AddressKey(ip), now); !ok {
		wait = w
	}
	if nc := NormalizeContact(contact); nc != "" && wait == 0 {
		if ok, w := cl.Allow(scope+"|"+nc, now); !ok {
			wait = w
		}
	}
	if wait == 0 {
		return nil
	}
	return &apperr.Error{Kind: apperr.TooMany, Message: "提交过于频繁，请在 " + WaitText(wait) + "后再提交",
		Err: &LimitError{Wait: wait}}
}

// WaitText is a wait as a person reads it, rounded up to whole minutes:
// "3 分钟", "2 小时 5 分钟", "1 小时".
func WaitText(d time.Duration) string {
	m := int64((d + time.Minute - 1) / time.Minute)
	if m < 1 {
		m = 1
	}
	switch h, m := m/60, m%60; {
	case h == 0:
		return fmt.Sprintf("%d 分钟", m)
	case m == 0:
		return fmt.Sprintf("%d 小时", h)
	default:
		return fmt.Sprintf("%d 小时 %d 分钟", h, m)
	}
}
