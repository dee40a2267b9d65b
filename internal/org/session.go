package org

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
)

// Login throttling. Failures are counted per username and per client
// address; after the limit the key is locked for 15 minutes, doubling with
// each further failure (capped at a day). Counts reset a day after the last
// failure, and a username's count resets on a successful login.
const (
	userFailureLimit = 5
	ipFailureLimit   = 50
	baseLock         = 15 * time.Minute
	maxLock          = 24 * time.Hour
	failureMemory    = 24 * time.Hour
	touchEvery       = time.Minute
)

// Session is a signed-in back-office session. Token goes to the browser; the
// database keeps only ID, its SHA-256.
type Session struct {
	ID        string
	Token     string
	UserID    string
	ExpiresAt time.Time
}

func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

var cst = time.FixedZone("CST", 8*3600)

// Login checks a username and password and opens a session.
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (Session, *Principal, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	var fs apperr.Fields
	if username == "" {
		fs.Add("username", "请输入用户名")
	}
	if password == "" {
		fs.Add("password", "请输入密码")
	}
	if err := fs.Err(); err != nil {
		return Session{}, nil, err
	}
	now := s.Now()
	for _, key := range []string{"u:" + username, "ip:" + ip} {
		until, err := s.lockedUntil(ctx, key, now)
		if err != nil {
			return Session{}, nil, err
		}
		if !until.IsZero() {
			return Session{}, nil, lockedErr(until)
		}
	}
	u, hash, err := s.getUser(ctx, s.DB.R, "username", username)
	known := err == nil
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Session{}, nil, err
	}
	if !known {
		hash = dummyHash
	}
	if !CheckPassword(hash, password) || !known {
		until, err := s.recordFailure(ctx, u, known, username, ip, now)
		if err != nil {
			return Session{}, nil, err
		}
		if !until.IsZero() {
			return Session{}, nil, lockedErr(until)
		}
		return Session{}, nil, &apperr.Error{Kind: apperr.Unauthenticated, Message: "用户名或密码错误"}
	}
	if u.Disabled {
		return Session{}, nil, &apperr.Error{Kind: apperr.Forbidden, Message: "账号已停用，请联系系统管理员"}
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	sess := Session{Token: base64.RawURLEncoding.EncodeToString(raw), UserID: u.ID, ExpiresAt: now.Add(s.SessionMax)}
	sess.ID = sessionID(sess.Token)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2",
			db.Time(now), db.Time(now.Add(-s.SessionIdle))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES ($1, $2, $3, $3, $4, $5, $6)`, sess.ID, u.ID, db.Time(now), db.Time(sess.ExpiresAt), ip, truncate(userAgent, 200)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_throttle WHERE key = $1", "u:"+username); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET last_login_at = $1 WHERE id = $2", db.Time(now), u.ID); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: audit.Actor{ID: u.ID, Name: u.DisplayName + "（" + u.Username + "）", IP: ip},
			OrgID: u.OrgID, Action: "auth.login", ObjectType: "user", ObjectID: u.ID, Summary: "登录"})
		return err
	})
	if err != nil {
		return Session{}, nil, err
	}
	u.LastLoginAt = now
	grants, err := s.Grants(ctx, u.ID)
	if err != nil {
		return Session{}, nil, err
	}
	return sess, &Principal{User: u, Grants: grants}, nil
}

func lockedErr(until time.Time) error {
	return &apperr.Error{Kind: apperr.TooMany,
		Message: fmt.Sprintf("登录失败次数过多，已暂时锁定，请于 %s 后再试", until.In(cst).Format("1月2日 15:04"))}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

func (s *Service) lockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error) {
	var locked string
	err := s.DB.R.QueryRowContext(ctx, "SELECT locked_until FROM login_throttle WHERE key = $1", key).Scan(&locked)
	if errors.Is(err, sql.ErrNoRows) || locked == "" {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	t, err := db.ParseTime(locked)
	if err != nil || !t.After(now) {
		return time.Time{}, err
	}
	return t, nil
}

// recordFailure counts a failed login for the username and the address and
// returns the lock time if the username is now locked.
func (s *Service) recordFailure(ctx context.Context, u User, known bool, username, ip string, now time.Time) (time.Time, error) {
	var userLock time.Time
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range []struct {
			key   string
			limit int
		}{{"u:" + username, userFailureLimit}, {"ip:" + ip, ipFailureLimit}} {
			var failures int
			var last string
			err := tx.QueryRowContext(ctx, "SELECT failures, last_failure_at FROM login_throttle WHERE key = $1", k.key).Scan(&failures, &last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if lt, _ := db.ParseTime(last); !lt.IsZero() && now.Sub(lt) > failureMemory {
				failures = 0
			}
			failures++
			locked := ""
			if failures >= k.limit {
				d := baseLock << min(failures-k.limit, 10)
				until := now.Add(min(d, maxLock))
				locked = db.Time(until)
				if k.key[0] == 'u' {
					userLock = until
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_throttle (key, failures, last_failure_at, locked_until)
				VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET failures = $2, last_failure_at = $3, locked_until = $4`,
				k.key, failures, db.Time(now), locked); err != nil {
				return err
			}
		}
		if !known {
			return nil // unknown names are throttled but not put in the evidence chain
		}
		summary, action := "登录失败（密码错误）", "auth.login_failed"
		if !userLock.IsZero() {
			summary, action = "登录失败次数过多，账号锁定至 "+userLock.In(cst).Format("2006-01-02 15:04"), "auth.locked"
		}
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: audit.Actor{ID: u.ID, Name: u.DisplayName + "（" + u.Username + "）", IP: ip},
			OrgID: u.OrgID, Action: action, ObjectType: "user", ObjectID: u.ID, Summary: summary})
		return err
	})
	return userLock, err
}

// ErrSessionExpired is returned by Authenticate for a session that timed out.
var ErrSessionExpired = &apperr.Error{Kind: apperr.Unauthenticated, Message: "登录已过期，请重新登录"}

// Authenticate resolves a session token to its principal. A missing token
// is Unauthenticated; a timed-out one ErrSessionExpired.
func (s *Service) Authenticate(ctx context.Context, token string) (Session, *Principal, error) {
	noSession := &apperr.Error{Kind: apperr.Unauthenticated, Message: "请先登录"}
	if token == "" || len(token) > 100 {
		return Session{}, nil, noSession
	}
	id := sessionID(token)
	var userID, lastSeen, expires string
	err := s.DB.R.QueryRowContext(ctx, "SELECT user_id, last_seen_at, expires_at FROM sessions WHERE id = $1", id).
		Scan(&userID, &lastSeen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, nil, ErrSessionExpired
	}
	if err != nil {
		return Session{}, nil, err
	}
	now := s.Now()
	seen, exp := db.MustTime(lastSeen), db.MustTime(expires)
	if !now.Before(exp) || now.Sub(seen) >= s.SessionIdle {
		s.DB.W.ExecContext(ctx, "DELETE FROM sessions WHERE id = $1", id)
		return Session{}, nil, ErrSessionExpired
	}
	u, _, err := s.getUser(ctx, s.DB.R, "id", userID)
	if err != nil {
		return Session{}, nil, err
	}
	if u.Disabled {
		return Session{}, nil, ErrSessionExpired
	}
	if now.Sub(seen) > touchEvery { // at most one write a minute per session
		if _, err := s.DB.W.ExecContext(ctx, "UPDATE sessions SET last_seen_at = $1 WHERE id = $2", db.Time(now), id); err != nil {
			return Session{}, nil, err
		}
	}
	grants, err := s.Grants(ctx, u.ID)
	if err != nil {
		return Session{}, nil, err
	}
	return Session{ID: id, Token: token, UserID: u.ID, ExpiresAt: exp}, &Principal{User: u, Grants: grants}, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, p *Principal, token, ip string) error {
	id := sessionID(token)
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id = $1", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || p == nil {
			return nil
		}
		_, err = audit.Append(ctx, tx, s.Now(), audit.Event{Actor: p.Actor(ip), OrgID: p.User.OrgID, Action: "auth.logout",
			ObjectType: "user", ObjectID: p.User.ID, Summary: "退出登录"})
		return err
	})
}
