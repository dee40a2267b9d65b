// Package apiclient owns the API clients: integrations such as a provincial
// 政府信息公开申请平台 (一网通办) that push 依申请公开 applications into one
// org and read their status with a bearer token. A client is bound to one
// org; the token is shown once when the client is created and only its
// SHA-256 is stored, as for back-office sessions. Creating and revoking a
// client are evidence-chain events.
package apiclient

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
)

// TokenPrefix starts every token, so a leaked one is recognisable (secret
// scanners, logs) and a session cookie pasted by mistake fails fast.
const TokenPrefix = "gk_"

// tokenBytes of randomness: 256 bits, 43 base64url characters.
const tokenBytes = 32

// MaxName is the longest client name, in characters.
const MaxName = 64

// touchEvery bounds last_used_at writes to one a minute per client.
const touchEvery = time.Minute

// Client is an API client. RevokedAt and LastUsedAt are zero when not.
type Client struct {
	ID         string
	Name       string
	OrgID      string
	CreatedAt  time.Time
	CreatedBy  string
	RevokedAt  time.Time
	LastUsedAt time.Time
}

// Revoked reports whether the client's token no longer works.
func (c Client) Revoked() bool { return !c.RevokedAt.IsZero() }

// Service manages API clients.
type Service struct {
	DB  *db.DB
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Create registers a client for orgID and returns its token. The token is
// not stored and cannot be shown again.
func (s *Service) Create(ctx context.Context, actor audit.Actor, name, orgID string) (Client, string, error) {
	name = strings.TrimSpace(name)
	var fs apperr.Fields
	switch {
	case name == "":
		fs.Add("name", "请填写接口客户端名称（如“省政府信息公开申请平台”）")
	case utf8.RuneCountInString(name) > MaxName:
		fs.Add("name", "名称最多 64 个字")
	case strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		fs.Add("name", "名称不能含控制字符")
	}
	var orgName, kind string
	err := s.DB.R.QueryRowContext(ctx, "SELECT name, kind FROM orgs WHERE id = $1", orgID).Scan(&orgName, &kind)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		fs.Add("org", "机构不存在")
	case err != nil:
		return Client{}, "", err
	case org.Kind(kind) == org.KindCommunity || org.Kind(kind) == org.KindVillage:
		// 条例第二十七条: applications go to administrative agencies.
		fs.Add("org", "社区（村）不是行政机关，不受理政府信息公开申请")
	}
	if err := fs.Err(); err != nil {
		return Client{}, "", err
	}
	raw := make([]byte, tokenBytes)
	rand.Read(raw)
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	c := Client{ID: db.NewID(), Name: name, OrgID: orgID, CreatedAt: now.UTC().Truncate(time.Millisecond), CreatedBy: actor.Name}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_clients (id, name, org_id, token_hash, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.Name, c.OrgID, tokenHash(token), db.Time(now), c.CreatedBy); err != nil {
			return err
		}
		// Neither the token nor its hash goes into the evidence chain.
		_, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: orgID, Action: "apiclient.create",
			ObjectType: "api_client", ObjectID: c.ID, Summary: "创建接口客户端“" + name + "”（向" + orgName + "推送依申请公开申请、查询办理进度）",
			After: map[string]string{"name": name, "org_id": orgID}})
		return err
	})
	if err != nil {
		return Client{}, "", err
	}
	return c, token, nil
}

// errUnauthenticated answers every bad token alike: missing, malformed,
// unknown or revoked.
var errUnauthenticated = &apperr.Error{Kind: apperr.Unauthenticated, Message: "接口密钥无效或已吊销"}

// Authenticate resolves a bearer token to its client. The token is looked
// up by its hash, so no comparison of secret bytes leaks timing about the
// stored tokens.
func (s *Service) Authenticate(ctx context.Context, token string) (Client, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 100 {
		return Client{}, errUnauthenticated
	}
	c, err := s.get(ctx, "token_hash", tokenHash(token))
	if apperr.Is(err, apperr.NotFound) {
		return Client{}, errUnauthenticated
	}
	if err != nil {
		return Client{}, err
	}
	if c.Revoked() {
		return Client{}, errUnauthenticated
	}
	if now := s.now(); now.Sub(c.LastUsedAt) > touchEvery {
		// Informational only: a failed write must not refuse an
		// application the platform is pushing, so its error is dropped.
		if _, err := s.DB.W.ExecContext(ctx, "UPDATE api_clients SET last_used_at = $2 WHERE id = $1", c.ID, db.Time(now)); err == nil {
			c.LastUsedAt = now.UTC().Truncate(time.Millisecond)
		}
	}
	return c, nil
}

// Get returns a client by id.
func (s *Service) Get(ctx context.Context, id string) (Client, error) {
	return s.get(ctx, "id", strings.TrimSpace(id))
}

const columns = "id, name, org_id, created_at, created_by, revoked_at, last_used_at"

func scan(row interface{ Scan(...any) error }) (Client, error) {
	var c Client
	var created, revoked, used string
	if err := row.Scan(&c.ID, &c.Name, &c.OrgID, &created, &c.CreatedBy, &revoked, &used); err != nil {
		return Client{}, err
	}
	c.CreatedAt, c.RevokedAt, c.LastUsedAt = db.MustTime(created), db.MustTime(revoked), db.MustTime(used)
	return c, nil
}

// get looks a client up by id or token_hash (column is never user input).
func (s *Service) get(ctx context.Context, column, value string) (Client, error) {
	c, err := scan(s.DB.R.QueryRowContext(ctx, "SELECT "+columns+" FROM api_clients WHERE "+column+" = $1", value))
	if errors.Is(err, sql.ErrNoRows) {
		return Client{}, apperr.NotFoundf("接口客户端 %s 不存在", value)
	}
	return c, err
}

// Revoke ends a client's access at once; its row and history stay.
func (s *Service) Revoke(ctx context.Context, actor audit.Actor, id string) (Client, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Client{}, err
	}
	if c.Revoked() {
		return Client{}, apperr.New(apperr.Conflict, "接口客户端“"+c.Name+"”已于 "+db.Time(c.RevokedAt)+" 吊销")
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE api_clients SET revoked_at = $2 WHERE id = $1 AND revoked_at = ''", c.ID, db.Time(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "接口客户端“"+c.Name+"”已吊销")
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: c.OrgID, Action: "apiclient.revoke",
			ObjectType: "api_client", ObjectID: c.ID, Summary: "吊销接口客户端“" + c.Name + "”的密钥"})
		return err
	})
	if err != nil {
		return Client{}, err
	}
	c.RevokedAt = now.UTC().Truncate(time.Millisecond)
	return c, nil
}

// List returns every client, revoked ones included, oldest first.
func (s *Service) List(ctx context.Context) ([]Client, error) {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+columns+" FROM api_clients ORDER BY created_at, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Client
	for rows.Next() {
		c, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
