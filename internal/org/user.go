package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
)

// User is a back-office account. OrgID is the unit the person works in.
type User struct {
	ID                 string
	Username           string
	DisplayName        string
	OrgID              string
	Phone              string
	Email              string // for reminders (daily digest of 依申请公开 cases); optional
	Disabled           bool
	MustChangePassword bool
	PasswordChangedAt  time.Time
	LastLoginAt        time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Grant is a role held in an organisation.
type Grant struct {
	OrgID string
	Role  Role
}

// Principal is a signed-in user with the roles they hold.
type Principal struct {
	User   User
	Grants []Grant
}

// Actor is the principal as the evidence chain records it.
func (p *Principal) Actor(ip string) audit.Actor {
	return audit.Actor{ID: p.User.ID, Name: p.User.DisplayName + "（" + p.User.Username + "）", IP: ip}
}

// HasRole reports whether the principal holds r anywhere.
func (p *Principal) HasRole(r Role) bool {
	for _, g := range p.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

// UserInput creates or edits an account.
type UserInput struct {
	Username    string
	DisplayName string
	OrgID       string
	Phone       string
	Email       string // optional; reminders are e-mailed here
	Password    string // only on create; empty on edit
	Grants      []Grant
	// MustChangePassword makes the user set their own password on first login
	// (accounts created by an administrator with an initial password).
	MustChangePassword bool
}

func (in *UserInput) validate(creating bool) error {
	var fs apperr.Fields
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Phone = strings.TrimSpace(in.Phone)
	if creating && !usernameRE.MatchString(in.Username) {
		fs.Add("username", "用户名为 3–32 位小写字母、数字或 . _ -，以字母或数字开头")
	}
	if in.DisplayName == "" {
		fs.Add("display_name", "姓名不能为空")
	} else if utf8.RuneCountInString(in.DisplayName) > 30 {
		fs.Add("display_name", "姓名不能超过 30 个字")
	}
	if in.OrgID == "" {
		fs.Add("org_id", "请选择所属机构")
	}
	if utf8.RuneCountInString(in.Phone) > 30 {
		fs.Add("phone", "联系电话不能超过 30 位")
	}
	in.Email = strings.TrimSpace(in.Email)
	if in.Email != "" {
		// A bare address only: a display name or a second address would
		// change where reminders go.
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
			fs.Add("email", "电子邮箱格式不正确")
		}
	}
	if creating {
		if err := CheckPolicy("password", in.Password); err != nil {
			e, _ := apperr.As(err)
			fs = append(fs, e.Fields...)
		}
	}
	seen := map[Grant]bool{}
	var grants []Grant
	for _, g := range in.Grants {
		if _, ok := LookupRole(g.Role); !ok {
			fs.Add("roles", fmt.Sprintf("未知角色 %q", g.Role))
			continue
		}
		if g.OrgID == "" {
			g.OrgID = in.OrgID
		}
		if !seen[g] {
			seen[g] = true
			grants = append(grants, g)
		}
	}
	in.Grants = grants
	return fs.Err()
}

const userCols = `id, username, display_name, org_id, phone, email, disabled, must_change_password, password_changed_at,
	last_login_at, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (User, string, error) {
	var u User
	var changed, last, created, updated string
	var hash string
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.OrgID, &u.Phone, &u.Email, &u.Disabled, &u.MustChangePassword,
		&changed, &last, &created, &updated, &hash)
	if err != nil {
		return u, "", err
	}
	u.PasswordChangedAt, u.LastLoginAt = db.MustTime(changed), db.MustTime(last)
	u.CreatedAt, u.UpdatedAt = db.MustTime(created), db.MustTime(updated)
	return u, hash, nil
}

// CreateUser adds an account with its roles. The caller has checked that the
// actor may manage users in the user's org and every org of the grants.
func (s *Service) CreateUser(ctx context.Context, actor audit.Actor, in UserInput) (User, error) {
	if err := in.validate(true); err != nil {
		return User{}, err
	}
	hash := HashPassword(in.Password) // slow: outside the write transaction
	var u User
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.CreateUserTx(ctx, tx, actor, in, hash)
		return err
	})
	return u, err
}

// CreateUserTx is CreateUser inside the caller's transaction, with the
// password already hashed (hashing is slow; keep it out of transactions).
func (s *Service) CreateUserTx(ctx context.Context, tx *sql.Tx, actor audit.Actor, in UserInput, hash string) (User, error) {
	if err := in.validate(true); err != nil {
		return User{}, err
	}
	if err := s.checkOrgsExist(ctx, tx, in); err != nil {
		return User{}, err
	}
	now := s.Now()
	u := User{ID: db.NewID(), Username: in.Username, DisplayName: in.DisplayName, OrgID: in.OrgID, Phone: in.Phone,
		Email: in.Email, MustChangePassword: in.MustChangePassword, PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, org_id, phone, email, password_hash,
		must_change_password, password_changed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		u.ID, u.Username, u.DisplayName, u.OrgID, u.Phone, u.Email, hash, u.MustChangePassword, db.Time(now), db.Time(now), db.Time(now))
	if db.IsUniqueViolation(err) {
		return User{}, apperr.Field("username", "用户名已被使用")
	}
	if err != nil {
		return User{}, err
	}
	if err := s.writeGrants(ctx, tx, u.ID, in.Grants, now); err != nil {
		return User{}, err
	}
	_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: u.OrgID, Action: "user.create",
		ObjectType: "user", ObjectID: u.ID, Summary: "新建账号 " + u.Username, After: userSummary(u, in.Grants)})
	return u, err
}

func (s *Service) checkOrgsExist(ctx context.Context, q db.Querier, in UserInput) error {
	if _, err := s.getOrg(ctx, q, in.OrgID); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("org_id", "所属机构不存在")
		}
		return err
	}
	for _, g := range in.Grants {
		if _, err := s.getOrg(ctx, q, g.OrgID); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.Field("roles", "角色所在机构不存在")
			}
			return err
		}
	}
	return nil
}

func (s *Service) writeGrants(ctx context.Context, tx *sql.Tx, userID string, grants []Grant, now time.Time) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM user_roles WHERE user_id = $1", userID); err != nil {
		return err
	}
	for _, g := range grants {
		if _, err := tx.ExecContext(ctx, "INSERT INTO user_roles (user_id, org_id, role, created_at) VALUES ($1, $2, $3, $4)",
			userID, g.OrgID, g.Role, db.Time(now)); err != nil {
			return err
		}
	}
	return nil
}

func userSummary(u User, grants []Grant) map[string]any {
	gs := make([]string, len(grants))
	for i, g := range grants {
		gs[i] = g.OrgID + ":" + string(g.Role)
	}
	return map[string]any{"username": u.Username, "display_name": u.DisplayName, "org_id": u.OrgID,
		"phone": u.Phone, "email": u.Email, "disabled": u.Disabled, "roles": gs}
}

// UpdateUser changes name, org, phone, e-mail and roles (not the username).
func (s *Service) UpdateUser(ctx context.Context, actor audit.Actor, id string, in UserInput) (User, error) {
	if err := in.validate(false); err != nil {
		return User{}, err
	}
	var u User
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, _, err := s.getUser(ctx, tx, "id", id)
		if err != nil {
			return err
		}
		beforeGrants, err := s.grants(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.checkOrgsExist(ctx, tx, in); err != nil {
			return err
		}
		now := s.Now()
		u = before
		u.DisplayName, u.OrgID, u.Phone, u.Email, u.UpdatedAt = in.DisplayName, in.OrgID, in.Phone, in.Email, now
		if _, err := tx.ExecContext(ctx, "UPDATE users SET display_name = $1, org_id = $2, phone = $3, email = $4, updated_at = $5 WHERE id = $6",
			u.DisplayName, u.OrgID, u.Phone, u.Email, db.Time(now), id); err != nil {
			return err
		}
		if err := s.writeGrants(ctx, tx, id, in.Grants, now); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: u.OrgID, Action: "user.update",
			ObjectType: "user", ObjectID: id, Summary: "修改账号 " + u.Username,
			Before: userSummary(before, beforeGrants), After: userSummary(u, in.Grants)})
		return err
	})
	return u, err
}

// SetDisabled disables or re-enables an account; disabling ends its sessions.
func (s *Service) SetDisabled(ctx context.Context, actor audit.Actor, id string, disabled bool) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		u, _, err := s.getUser(ctx, tx, "id", id)
		if err != nil {
			return err
		}
		if u.Disabled == disabled {
			return nil
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3", disabled, db.Time(now), id); err != nil {
			return err
		}
		action, summary := "user.enable", "启用账号 "+u.Username
		if disabled {
			action, summary = "user.disable", "停用账号 "+u.Username
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", id); err != nil {
				return err
			}
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: u.OrgID, Action: action,
			ObjectType: "user", ObjectID: id, Summary: summary,
			Before: map[string]bool{"disabled": u.Disabled}, After: map[string]bool{"disabled": disabled}})
		return err
	})
}

// SetPassword sets a new password. When an administrator resets it
// (byAdmin), the user must change it at the next login; either way every
// other session of the user ends, keepSession excepted.
func (s *Service) SetPassword(ctx context.Context, actor audit.Actor, id, pw string, byAdmin bool, keepSession string) error {
	if err := CheckPolicy("new_password", pw); err != nil {
		return err
	}
	hash := HashPassword(pw)
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		u, _, err := s.getUser(ctx, tx, "id", id)
		if err != nil {
			return err
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = $2,
			password_changed_at = $3, updated_at = $3 WHERE id = $4`, hash, byAdmin, db.Time(now), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1 AND id <> $2", id, keepSession); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_throttle WHERE key = $1", "u:"+u.Username); err != nil {
			return err
		}
		summary := "修改密码 " + u.Username
		if byAdmin {
			summary = "重置密码 " + u.Username
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: u.OrgID, Action: "user.password",
			ObjectType: "user", ObjectID: id, Summary: summary})
		return err
	})
}

// ChangeOwnPassword checks the current password before setting a new one.
func (s *Service) ChangeOwnPassword(ctx context.Context, p *Principal, ip, current, next, sessionID string) error {
	_, hash, err := s.getUser(ctx, s.DB.R, "id", p.User.ID)
	if err != nil {
		return err
	}
	if !CheckPassword(hash, current) {
		return apperr.Field("current_password", "当前密码不正确")
	}
	if current == next {
		return apperr.Field("new_password", "新密码不能与当前密码相同")
	}
	return s.SetPassword(ctx, p.Actor(ip), p.User.ID, next, false, sessionID)
}

// GetUser returns an account or NotFound.
func (s *Service) GetUser(ctx context.Context, id string) (User, error) {
	u, _, err := s.getUser(ctx, s.DB.R, "id", id)
	return u, err
}

// GetUserByName finds an account by username.
func (s *Service) GetUserByName(ctx context.Context, username string) (User, error) {
	u, _, err := s.getUser(ctx, s.DB.R, "username", strings.ToLower(strings.TrimSpace(username)))
	return u, err
}

func (s *Service) getUser(ctx context.Context, q db.Querier, col, v string) (User, string, error) {
	u, hash, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userCols+", password_hash FROM users WHERE "+col+" = $1", v))
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", apperr.NotFoundf("账号不存在")
	}
	return u, hash, err
}

// Grants returns the roles a user holds.
func (s *Service) Grants(ctx context.Context, userID string) ([]Grant, error) {
	return s.grants(ctx, s.DB.R, userID)
}

func (s *Service) grants(ctx context.Context, q db.Querier, userID string) ([]Grant, error) {
	rows, err := q.QueryContext(ctx, "SELECT org_id, role FROM user_roles WHERE user_id = $1 ORDER BY org_id, role", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Grant
	for rows.Next() {
		var g Grant
		if err := rows.Scan(&g.OrgID, &g.Role); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ListUsers returns accounts whose org is in orgIDs (nil = all), by org then name.
func (s *Service) ListUsers(ctx context.Context, orgIDs []string) ([]User, error) {
	if orgIDs != nil && len(orgIDs) == 0 {
		return nil, nil
	}
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+userCols+", '' FROM users ORDER BY org_id, username")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	in := map[string]bool{}
	for _, id := range orgIDs {
		in[id] = true
	}
	var out []User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		if orgIDs == nil || in[u.OrgID] {
			out = append(out, u)
		}
	}
	return out, rows.Err()
}

// Allowed reports whether p may use perm on orgID (see RoleInfo.Subtree).
func (s *Service) Allowed(ctx context.Context, p *Principal, perm Permission, orgID string) (bool, error) {
	if p == nil || orgID == "" {
		return false, nil
	}
	var anc []string
	for _, g := range p.Grants {
		ri, ok := LookupRole(g.Role)
		if !ok || !ri.has(perm) {
			continue
		}
		if g.OrgID == orgID {
			return true, nil
		}
		if ri.Subtree {
			if anc == nil {
				var err error
				if anc, err = s.ancestors(ctx, s.DB.R, orgID); err != nil {
					return false, err
				}
			}
			for _, a := range anc {
				if a == g.OrgID {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// Scope returns the ids of every org where p has perm (sorted), for
// filtering lists; nil if none.
func (s *Service) Scope(ctx context.Context, p *Principal, perm Permission) ([]string, error) {
	set := map[string]bool{}
	for _, g := range p.Grants {
		ri, ok := LookupRole(g.Role)
		if !ok || !ri.has(perm) {
			continue
		}
		if !ri.Subtree {
			set[g.OrgID] = true
			continue
		}
		ids, err := s.Subtree(ctx, g.OrgID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			set[id] = true
		}
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

// CanAny reports whether p has perm in at least one org (for menus).
func (p *Principal) CanAny(perm Permission) bool {
	for _, g := range p.Grants {
		if ri, ok := LookupRole(g.Role); ok && ri.has(perm) {
			return true
		}
	}
	return false
}

// CountUsers returns how many accounts exist.
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	return n, err
}
