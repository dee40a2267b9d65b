// Package org owns organisations (the district's tree), user accounts, roles
// held per organisation, passwords, sessions and login throttling, and
// answers the one question every other capability asks: may this principal
// do this in that organisation?
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/db"
)

// Kind is the type of an organisation; it fixes where it may sit in the tree.
type Kind string

const (
	KindDistrict   Kind = "district"   // 区/县人民政府
	KindStreet     Kind = "street"     // 街道办事处
	KindTown       Kind = "town"       // 乡镇人民政府
	KindCommunity  Kind = "community"  // 社区居民委员会
	KindVillage    Kind = "village"    // 村民委员会
	KindDepartment Kind = "department" // 区直部门
)

// Kinds lists the kinds in display order with Chinese labels.
var Kinds = []struct {
	Kind  Kind
	Label string
}{
	{KindDistrict, "区（县）"}, {KindDepartment, "区直部门"}, {KindStreet, "街道"}, {KindTown, "乡镇"},
	{KindCommunity, "社区"}, {KindVillage, "村"},
}

// Label is the Chinese name of k.
func (k Kind) Label() string {
	for _, x := range Kinds {
		if x.Kind == k {
			return x.Label
		}
	}
	return string(k)
}

// allowedParent says which kind of parent each kind needs ("" = root).
func (k Kind) allowedParent(parent Kind) bool {
	switch k {
	case KindDistrict:
		return parent == ""
	case KindStreet, KindTown, KindDepartment:
		return parent == KindDistrict
	case KindCommunity, KindVillage:
		return parent == KindStreet || parent == KindTown
	}
	return false
}

// Org is an organisation: a government, a department, a street or town
// office, or a community or village committee. Contact fields feed the
// 政府信息公开指南 (条例第十二条) and page footers.
type Org struct {
	ID string
	OrgInput
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DisplayName is the short name when set.
func (o Org) DisplayName() string {
	if o.ShortName != "" {
		return o.ShortName
	}
	return o.Name
}

// OrgInput is an org's editable fields: what a form or command gives to
// create or edit one.
type OrgInput struct {
	ParentID    string
	Kind        Kind
	Name        string
	ShortName   string
	Code        string // 组织机构代码 or 统一社会信用代码, used in 索引号
	Address     string
	Postcode    string
	Phone       string
	Fax         string
	Email       string
	OfficeHours string
	Sort        int
}

func (in *OrgInput) validate() error {
	var fs apperr.Fields
	in.Name = strings.TrimSpace(in.Name)
	in.ShortName = strings.TrimSpace(in.ShortName)
	checkLen := func(field, label, v string, max int) {
		if utf8.RuneCountInString(v) > max {
			fs.Add(field, fmt.Sprintf("%s不能超过 %d 个字", label, max))
		}
	}
	if in.Name == "" {
		fs.Add("name", "机构名称不能为空")
	}
	checkLen("name", "机构名称", in.Name, 60)
	checkLen("short_name", "简称", in.ShortName, 20)
	checkLen("address", "办公地址", in.Address, 120)
	checkLen("office_hours", "办公时间", in.OfficeHours, 120)
	checkLen("phone", "联系电话", in.Phone, 40)
	checkLen("fax", "传真", in.Fax, 40)
	if _, ok := kindOK(in.Kind); !ok {
		fs.Add("kind", "请选择机构类型")
	}
	if code, err := ValidateCode(in.Code); err != nil {
		e, _ := apperr.As(err)
		fs = append(fs, e.Fields...)
	} else {
		in.Code = code
	}
	in.Postcode = strings.TrimSpace(in.Postcode)
	if in.Postcode != "" && !allDigits(in.Postcode, 6) {
		fs.Add("postcode", "邮政编码应为 6 位数字")
	}
	in.Email = strings.TrimSpace(in.Email)
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			fs.Add("email", "电子邮箱格式不正确")
		}
	}
	return fs.Err()
}

func kindOK(k Kind) (string, bool) {
	for _, x := range Kinds {
		if x.Kind == k {
			return x.Label, true
		}
	}
	return "", false
}

func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Service is the org capability.
type Service struct {
	DB  *db.DB
	Now func() time.Time
	// SessionIdle and SessionMax bound a back-office session.
	SessionIdle time.Duration
	SessionMax  time.Duration
}

// New returns a Service with default session limits.
func New(d *db.DB) *Service {
	return &Service{DB: d, Now: time.Now, SessionIdle: 2 * time.Hour, SessionMax: 12 * time.Hour}
}

const orgCols = `id, COALESCE(parent_id, ''), kind, name, short_name, code, address, postcode, phone, fax, email,
	office_hours, sort, created_at, updated_at`

func scanOrg(row interface{ Scan(...any) error }) (Org, error) {
	var o Org
	var created, updated string
	err := row.Scan(&o.ID, &o.ParentID, &o.Kind, &o.Name, &o.ShortName, &o.Code, &o.Address, &o.Postcode, &o.Phone,
		&o.Fax, &o.Email, &o.OfficeHours, &o.Sort, &created, &updated)
	if err != nil {
		return o, err
	}
	o.CreatedAt, o.UpdatedAt = db.MustTime(created), db.MustTime(updated)
	return o, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateOrg adds an organisation. The caller has checked permission on the
// parent (or is an operator at the command line).
func (s *Service) CreateOrg(ctx context.Context, actor audit.Actor, in OrgInput) (Org, error) {
	var created Org
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		created, err = s.CreateOrgTx(ctx, tx, actor, in)
		return err
	})
	return created, err
}

// CreateOrgTx is CreateOrg inside the caller's transaction (imports, demo).
func (s *Service) CreateOrgTx(ctx context.Context, tx *sql.Tx, actor audit.Actor, in OrgInput) (Org, error) {
	if err := in.validate(); err != nil {
		return Org{}, err
	}
	if err := s.checkParent(ctx, tx, in, ""); err != nil {
		return Org{}, err
	}
	now := s.Now()
	o := Org{ID: db.NewID(), OrgInput: in, CreatedAt: now, UpdatedAt: now}
	_, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, parent_id, kind, name, short_name, code, address, postcode,
		phone, fax, email, office_hours, sort, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		o.ID, nullable(o.ParentID), o.Kind, o.Name, o.ShortName, o.Code, o.Address, o.Postcode, o.Phone, o.Fax,
		o.Email, o.OfficeHours, o.Sort, db.Time(now), db.Time(now))
	if err != nil {
		return Org{}, orgConflict(err)
	}
	if _, err := changes.Append(ctx, tx, now, changes.Org, o.ID, o.ID); err != nil {
		return Org{}, err
	}
	_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: o.ID, Action: "org.create",
		ObjectType: "org", ObjectID: o.ID, Summary: "新建机构 " + o.Name, After: orgSummary(o)})
	return o, err
}

func orgConflict(err error) error {
	if db.IsUniqueViolation(err) {
		msg := err.Error()
		if strings.Contains(msg, "code") {
			return apperr.Field("code", "该机构代码已被其他机构使用")
		}
		return apperr.Field("name", "同一上级下已有同名机构")
	}
	return err
}

func (s *Service) checkParent(ctx context.Context, q db.Querier, in OrgInput, selfID string) error {
	var parentKind Kind
	if in.ParentID != "" {
		p, err := s.getOrg(ctx, q, in.ParentID)
		if err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.Field("parent_id", "上级机构不存在")
			}
			return err
		}
		parentKind = p.Kind
		if selfID != "" {
			anc, err := s.ancestors(ctx, q, in.ParentID)
			if err != nil {
				return err
			}
			for _, a := range anc {
				if a == selfID {
					return apperr.Field("parent_id", "上级机构不能是本机构或其下级")
				}
			}
		}
	}
	if !in.Kind.allowedParent(parentKind) {
		if parentKind == "" {
			return apperr.Field("parent_id", fmt.Sprintf("%s必须有上级机构", in.Kind.Label()))
		}
		return apperr.Field("parent_id", fmt.Sprintf("%s不能设在%s之下", in.Kind.Label(), parentKind.Label()))
	}
	if parentKind == "" && selfID == "" {
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM orgs WHERE parent_id IS NULL").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Field("kind", "已有区（县）级机构；一个部署只服务一个区（县）")
		}
	}
	return nil
}

// UpdateOrg changes an organisation's fields.
func (s *Service) UpdateOrg(ctx context.Context, actor audit.Actor, id string, in OrgInput) (Org, error) {
	if err := in.validate(); err != nil {
		return Org{}, err
	}
	var updated Org
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.getOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Kind != in.Kind || before.ParentID != in.ParentID {
			if err := s.checkParent(ctx, tx, in, id); err != nil {
				return err
			}
			if before.Kind != in.Kind {
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM orgs WHERE parent_id = $1", id).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					return apperr.Field("kind", "该机构有下级机构，不能更改类型")
				}
			}
		}
		now := s.Now()
		o := before
		o.OrgInput, o.UpdatedAt = in, now
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET parent_id = $1, kind = $2, name = $3, short_name = $4, code = $5,
			address = $6, postcode = $7, phone = $8, fax = $9, email = $10, office_hours = $11, sort = $12, updated_at = $13
			WHERE id = $14`, nullable(o.ParentID), o.Kind, o.Name, o.ShortName, o.Code, o.Address, o.Postcode, o.Phone,
			o.Fax, o.Email, o.OfficeHours, o.Sort, db.Time(now), id); err != nil {
			return orgConflict(err)
		}
		updated = o
		if _, err := changes.Append(ctx, tx, now, changes.Org, id, id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: id, Action: "org.update",
			ObjectType: "org", ObjectID: id, Summary: "修改机构 " + o.Name, Before: orgSummary(before), After: orgSummary(o)})
		return err
	})
	return updated, err
}

func orgSummary(o Org) map[string]any {
	return map[string]any{"name": o.Name, "short_name": o.ShortName, "kind": o.Kind, "code": o.Code,
		"parent_id": o.ParentID, "address": o.Address, "phone": o.Phone, "email": o.Email}
}

// GetOrg returns an organisation or NotFound.
func (s *Service) GetOrg(ctx context.Context, id string) (Org, error) {
	return s.getOrg(ctx, s.DB.R, id)
}

func (s *Service) getOrg(ctx context.Context, q db.Querier, id string) (Org, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, "SELECT "+orgCols+" FROM orgs WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.NotFoundf("机构不存在")
	}
	return o, err
}

// GetOrgByCode finds an organisation by its (normalized) code.
func (s *Service) GetOrgByCode(ctx context.Context, code string) (Org, error) {
	o, err := scanOrg(s.DB.R.QueryRowContext(ctx, "SELECT "+orgCols+" FROM orgs WHERE code = $1", NormalizeCode(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.NotFoundf("机构代码 %s 不存在", code)
	}
	return o, err
}

// ListOrgs returns every organisation in tree order (parents before
// children, siblings by sort then name). The tree is small (hundreds).
func (s *Service) ListOrgs(ctx context.Context) ([]Org, error) {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+orgCols+" FROM orgs ORDER BY sort, name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		all = append(all, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return treeOrder(all), nil
}

// treeOrder sorts orgs depth-first from the roots; kinds group siblings so
// departments list apart from streets and towns.
func treeOrder(all []Org) []Org {
	children := map[string][]Org{}
	for _, o := range all {
		children[o.ParentID] = append(children[o.ParentID], o)
	}
	out := make([]Org, 0, len(all))
	var walk func(id string)
	walk = func(id string) {
		for _, k := range Kinds {
			for _, c := range children[id] {
				if c.Kind == k.Kind {
					out = append(out, c)
					walk(c.ID)
				}
			}
		}
	}
	walk("")
	return out
}

// Depth returns how deep each org sits (root = 0), for indenting lists.
func Depth(orgs []Org) map[string]int {
	parent := map[string]string{}
	for _, o := range orgs {
		parent[o.ID] = o.ParentID
	}
	d := map[string]int{}
	for _, o := range orgs {
		n := 0
		for p := parent[o.ID]; p != "" && n < 64; p = parent[p] {
			n++
		}
		d[o.ID] = n
	}
	return d
}

// Children lists the direct children of an org in tree order.
func (s *Service) Children(ctx context.Context, id string) ([]Org, error) {
	all, err := s.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	var out []Org
	for _, o := range all {
		if o.ParentID == id {
			out = append(out, o)
		}
	}
	return out, nil
}

// ancestors returns id and all its ancestors, nearest first.
func (s *Service) ancestors(ctx context.Context, q db.Querier, id string) ([]string, error) {
	return db.QueryStrings(ctx, q, `WITH RECURSIVE up(id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM orgs WHERE id = $1
			UNION ALL
			SELECT o.id, o.parent_id, up.depth + 1 FROM orgs o JOIN up ON o.id = up.parent_id WHERE up.depth < 32
		) SELECT id FROM up ORDER BY depth`, id)
}

// Subtree returns id and every org below it.
func (s *Service) Subtree(ctx context.Context, id string) ([]string, error) {
	return db.QueryStrings(ctx, s.DB.R, `WITH RECURSIVE down(id, depth) AS (
			SELECT id, 0 FROM orgs WHERE id = $1
			UNION ALL
			SELECT o.id, down.depth + 1 FROM orgs o JOIN down ON o.parent_id = down.id WHERE down.depth < 32
		) SELECT id FROM down`, id)
}

// CountOrgs returns how many organisations exist (0 = a fresh database).
func (s *Service) CountOrgs(ctx context.Context) (int, error) {
	var n int
	err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM orgs").Scan(&n)
	return n, err
}
