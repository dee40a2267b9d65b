package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/org"
)

// Service is the catalog capability.
type Service struct {
	DB   *db.DB
	Orgs *org.Service
	Now  func() time.Time
}

// Domain is a 领域 (one of the 26 pilot domains, or a local one).
type Domain struct {
	ID      string
	Name    string
	Builtin bool
	Sort    int
}

// Version statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// Version is one edition of an org's catalog.
type Version struct {
	ID          string
	OrgID       string
	Number      int
	Year        int
	Status      string
	BasedOn     string
	Note        string
	CreatedAt   time.Time
	CreatedBy   string
	PublishedAt time.Time
	PublishedBy string
	Items       int
}

// Draft reports whether the version can still be edited.
func (v Version) Draft() bool { return v.Status == StatusDraft }

// StatusLabel is the status in Chinese.
func (v Version) StatusLabel() string {
	if v.Draft() {
		return "草稿"
	}
	return "已发布"
}

// Item is a catalog item in one version. Key is stable across versions.
type Item struct {
	ID        string
	VersionID string
	Key       string
	DomainID  string
	Seq       int
	ItemFields
	UpdatedAt time.Time
}

// Title is 一级事项 / 二级事项 for lists.
func (it Item) Title() string {
	if it.Level2 == "" {
		return it.Level1
	}
	return it.Level1 + " / " + it.Level2
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// --- domains ---

// Domains lists every domain in display order.
func (s *Service) Domains(ctx context.Context) ([]Domain, error) {
	return s.domains(ctx, s.DB.R)
}

func (s *Service) domains(ctx context.Context, q db.Querier) ([]Domain, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, name, builtin, sort FROM catalog_domains ORDER BY sort, name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Domain
	for rows.Next() {
		var d Domain
		if err := rows.Scan(&d.ID, &d.Name, &d.Builtin, &d.Sort); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DomainNames maps domain ids to names.
func (s *Service) DomainNames(ctx context.Context) (map[string]string, error) {
	doms, err := s.Domains(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(doms))
	for _, d := range doms {
		names[d.ID] = d.Name
	}
	return names, nil
}

// Domain returns one domain or NotFound.
func (s *Service) Domain(ctx context.Context, id string) (Domain, error) {
	var d Domain
	err := s.DB.R.QueryRowContext(ctx, "SELECT id, name, builtin, sort FROM catalog_domains WHERE id = $1", id).
		Scan(&d.ID, &d.Name, &d.Builtin, &d.Sort)
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.NotFoundf("领域不存在")
	}
	return d, err
}

func checkDomainName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", apperr.Field("name", "领域名称不能为空")
	case utf8.RuneCountInString(name) > 30:
		return "", apperr.Field("name", "领域名称不能超过 30 个字")
	case strings.ContainsAny(name, `:\/?*[]`):
		return "", apperr.Field("name", "领域名称不能包含 : \\ / ? * [ ]（Excel 工作表名不允许）")
	}
	return name, nil
}

// AddDomain adds a local domain (the "+1+n" beyond the 26).
func (s *Service) AddDomain(ctx context.Context, actor audit.Actor, name string) (Domain, error) {
	name, err := checkDomainName(name)
	if err != nil {
		return Domain{}, err
	}
	var d Domain
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var maxSort sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT MAX(sort) FROM catalog_domains").Scan(&maxSort); err != nil {
			return err
		}
		now := s.now()
		d = Domain{ID: db.NewID(), Name: name, Sort: int(maxSort.Int64) + 10}
		_, err := tx.ExecContext(ctx, "INSERT INTO catalog_domains (id, name, builtin, sort, created_at, updated_at) VALUES ($1, $2, FALSE, $3, $4, $4)",
			d.ID, d.Name, d.Sort, db.Time(now))
		if db.IsUniqueViolation(err) {
			return apperr.Field("name", "已有同名领域")
		}
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, Action: "catalog.domain_add", ObjectType: "catalog_domain",
			ObjectID: d.ID, Summary: "新增目录领域 " + name, After: map[string]string{"name": name}})
		return err
	})
	return d, err
}

// RenameDomain corrects a domain's name (the national list is not verified
// word for word).
func (s *Service) RenameDomain(ctx context.Context, actor audit.Actor, id, name string) error {
	name, err := checkDomainName(name)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var old string
		if err := tx.QueryRowContext(ctx, "SELECT name FROM catalog_domains WHERE id = $1", id).Scan(&old); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFoundf("领域不存在")
			}
			return err
		}
		now := s.now()
		_, err := tx.ExecContext(ctx, "UPDATE catalog_domains SET name = $1, updated_at = $2 WHERE id = $3", name, db.Time(now), id)
		if db.IsUniqueViolation(err) {
			return apperr.Field("name", "已有同名领域")
		}
		if err != nil {
			return err
		}
		if _, err := changes.Append(ctx, tx, now, changes.Site, "domain:"+id, ""); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, Action: "catalog.domain_rename", ObjectType: "catalog_domain",
			ObjectID: id, Summary: "目录领域 " + old + " 更名为 " + name, Before: map[string]string{"name": old},
			After: map[string]string{"name": name}})
		return err
	})
}

// --- versions ---

const versionCols = `v.id, v.org_id, v.number, v.year, v.status, COALESCE(v.based_on, ''), v.note, v.created_at, v.created_by,
	v.published_at, v.published_by, (SELECT COUNT(*) FROM catalog_items i WHERE i.version_id = v.id)`

func scanVersion(row interface{ Scan(...any) error }) (Version, error) {
	var v Version
	var created, published string
	err := row.Scan(&v.ID, &v.OrgID, &v.Number, &v.Year, &v.Status, &v.BasedOn, &v.Note, &created, &v.CreatedBy,
		&published, &v.PublishedBy, &v.Items)
	if err != nil {
		return v, err
	}
	v.CreatedAt, v.PublishedAt = db.MustTime(created), db.MustTime(published)
	return v, nil
}

// Versions lists an org's versions, newest first.
func (s *Service) Versions(ctx context.Context, orgID string) ([]Version, error) {
	rows, err := s.DB.R.QueryContext(ctx, "SELECT "+versionCols+" FROM catalog_versions v WHERE v.org_id = $1 ORDER BY v.number DESC", orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Service) version(ctx context.Context, q db.Querier, where string, args ...any) (Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, "SELECT "+versionCols+" FROM catalog_versions v WHERE "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.NotFoundf("目录版本不存在")
	}
	return v, err
}

// Version returns a version by id.
func (s *Service) Version(ctx context.Context, id string) (Version, error) {
	return s.version(ctx, s.DB.R, "v.id = $1", id)
}

// VersionByNumber returns an org's version by its number.
func (s *Service) VersionByNumber(ctx context.Context, orgID string, n int) (Version, error) {
	return s.version(ctx, s.DB.R, "v.org_id = $1 AND v.number = $2", orgID, n)
}

// Current is the org's latest published version (what the portal shows).
func (s *Service) Current(ctx context.Context, orgID string) (Version, error) {
	v, err := s.version(ctx, s.DB.R, "v.org_id = $1 AND v.status = 'published' ORDER BY v.number DESC LIMIT 1", orgID)
	if apperr.Is(err, apperr.NotFound) {
		return v, apperr.NotFoundf("该机构尚未发布标准目录")
	}
	return v, err
}

// CurrentItems lists the items of the org's current catalog; an org that has
// not published a catalog yet has none (no error).
func (s *Service) CurrentItems(ctx context.Context, orgID string) ([]Item, error) {
	v, err := s.Current(ctx, orgID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.Items(ctx, v.ID)
}

// DraftOf is the org's draft, or NotFound.
func (s *Service) DraftOf(ctx context.Context, orgID string) (Version, error) {
	v, err := s.version(ctx, s.DB.R, "v.org_id = $1 AND v.status = 'draft'", orgID)
	if apperr.Is(err, apperr.NotFound) {
		return v, apperr.NotFoundf("该机构没有目录草稿")
	}
	return v, err
}

// StartDraft opens the next version of an org's catalog. With a published
// version it is the annual revision: the items (and their keys) are copied
// from the latest published version. Without one, the draft starts empty,
// or from the domain templates for the org's level when templates is set.
func (s *Service) StartDraft(ctx context.Context, actor audit.Actor, orgID string, year int, templates []string) (Version, error) {
	o, err := s.Orgs.GetOrg(ctx, orgID)
	if err != nil {
		return Version{}, err
	}
	if year < 2000 || year > 2100 {
		return Version{}, apperr.Field("year", "年度应为 2000–2100 之间的年份")
	}
	var v Version
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM catalog_versions WHERE org_id = $1 AND status = 'draft'", orgID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "该机构已有目录草稿，请先发布或放弃它")
		}
		var maxNum sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT MAX(number) FROM catalog_versions WHERE org_id = $1", orgID).Scan(&maxNum); err != nil {
			return err
		}
		prev, err := s.version(ctx, tx, "v.org_id = $1 AND v.status = 'published' ORDER BY v.number DESC LIMIT 1", orgID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		now := s.now()
		v = Version{ID: db.NewID(), OrgID: orgID, Number: int(maxNum.Int64) + 1, Year: year, Status: StatusDraft,
			BasedOn: prev.ID, CreatedAt: now, CreatedBy: actor.Name}
		if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_versions (id, org_id, number, year, status, based_on, created_at, created_by)
			VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7)`, v.ID, orgID, v.Number, year, nullable(prev.ID), db.Time(now), actor.Name); err != nil {
			return err
		}
		summary := fmt.Sprintf("新建 %d 年度标准目录草稿（第 %d 版）", year, v.Number)
		if prev.ID != "" {
			items, err := s.items(ctx, tx, prev.ID)
			if err != nil {
				return err
			}
			for _, it := range items {
				it.ID, it.VersionID = db.NewID(), v.ID
				if err := insertItem(ctx, tx, it, now); err != nil {
					return err
				}
			}
			v.Items = len(items)
			summary = fmt.Sprintf("以第 %d 版为基础修订 %d 年度标准目录（第 %d 版）", prev.Number, year, v.Number)
		} else if len(templates) > 0 {
			added, err := s.addTemplates(ctx, tx, v.ID, o.Kind, templates, now)
			if err != nil {
				return err
			}
			v.Items = added
			summary += fmt.Sprintf("，从领域模板带入 %d 项", added)
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: orgID, Action: "catalog.draft",
			ObjectType: "catalog_version", ObjectID: v.ID, Summary: summary})
		return err
	})
	return v, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// DiscardDraft deletes a draft and its items.
func (s *Service) DiscardDraft(ctx context.Context, actor audit.Actor, versionID string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		v, err := s.draftFor(ctx, tx, versionID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM catalog_versions WHERE id = $1", versionID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, s.now(), audit.Event{Actor: actor, OrgID: v.OrgID, Action: "catalog.discard",
			ObjectType: "catalog_version", ObjectID: v.ID, Summary: fmt.Sprintf("放弃标准目录草稿（第 %d 版，%d 项）", v.Number, v.Items)})
		return err
	})
}

// draftFor loads a version for a change and refuses published ones: a
// published catalog is a public record and never changes.
func (s *Service) draftFor(ctx context.Context, q db.Querier, versionID string) (Version, error) {
	v, err := s.version(ctx, q, "v.id = $1", versionID)
	if err != nil {
		return v, err
	}
	if !v.Draft() {
		return v, apperr.New(apperr.Conflict, fmt.Sprintf("第 %d 版已发布，不能修改；请新建修订草稿", v.Number))
	}
	return v, nil
}

// Publish makes a draft the current catalog. Every item must be complete.
func (s *Service) Publish(ctx context.Context, actor audit.Actor, versionID string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		v, err := s.draftFor(ctx, tx, versionID)
		if err != nil {
			return err
		}
		items, err := s.items(ctx, tx, versionID)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return apperr.New(apperr.Invalid, "目录中没有任何事项，不能发布")
		}
		var fs apperr.Fields
		for _, it := range items {
			for _, f := range Completeness(it.ItemFields) {
				fs.Add(it.Key+"."+f.Field, it.Title()+"："+f.Message)
			}
		}
		if len(fs) > 0 {
			return &apperr.Error{Kind: apperr.Invalid, Fields: fs,
				Message: fmt.Sprintf("有 %d 处要素不完整，补全后才能发布", len(fs))}
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE catalog_versions SET status = 'published', published_at = $1, published_by = $2 WHERE id = $3",
			db.Time(now), actor.Name, versionID); err != nil {
			return err
		}
		if _, err := changes.Append(ctx, tx, now, changes.Catalog, v.OrgID, v.OrgID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: v.OrgID, Action: "catalog.publish",
			ObjectType: "catalog_version", ObjectID: v.ID,
			Summary: fmt.Sprintf("发布 %d 年度标准目录（第 %d 版，%d 项）", v.Year, v.Number, len(items))})
		return err
	})
}

// --- items ---

const itemCols = `i.id, i.version_id, i.item_key, i.domain_id, i.seq, i.level1, i.level2, i.content, i.basis, i.time_limit,
	i.subject, i.channels, i.channel_other, i.audience, i.method, i.levels, i.five_tag, i.updated_at`

func scanItem(row interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var tl, channels, audience, method, levels, updated string
	err := row.Scan(&it.ID, &it.VersionID, &it.Key, &it.DomainID, &it.Seq, &it.Level1, &it.Level2, &it.Content, &it.Basis,
		&tl, &it.Subject, &channels, &it.ChannelOther, &audience, &method, &levels, &it.FiveTag, &updated)
	if err != nil {
		return it, err
	}
	for _, x := range []struct {
		src string
		dst any
	}{{tl, &it.TimeLimit}, {channels, &it.Channels}, {audience, &it.Audience}, {method, &it.Method}, {levels, &it.Levels}} {
		if err := json.Unmarshal([]byte(x.src), x.dst); err != nil {
			return it, fmt.Errorf("catalog item %s: %w", it.ID, err)
		}
	}
	it.UpdatedAt = db.MustTime(updated)
	return it, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func insertItem(ctx context.Context, tx db.Querier, it Item, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO catalog_items (id, version_id, item_key, domain_id, seq, level1, level2, content,
		basis, time_limit, subject, channels, channel_other, audience, method, levels, five_tag, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		it.ID, it.VersionID, it.Key, it.DomainID, it.Seq, it.Level1, it.Level2, it.Content, it.Basis, mustJSON(it.TimeLimit),
		it.Subject, mustJSON(nonNil(it.Channels)), it.ChannelOther, mustJSON(nonNil(it.Audience)), mustJSON(nonNil(it.Method)),
		mustJSON(nonNil(it.Levels)), it.FiveTag, db.Time(now))
	return err
}

// Items lists a version's items by domain order then sequence.
func (s *Service) Items(ctx context.Context, versionID string) ([]Item, error) {
	return s.items(ctx, s.DB.R, versionID)
}

func (s *Service) items(ctx context.Context, q db.Querier, versionID string) ([]Item, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+itemCols+` FROM catalog_items i JOIN catalog_domains d ON d.id = i.domain_id
		WHERE i.version_id = $1 ORDER BY d.sort, d.name, i.seq`, versionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Item returns one item by id.
func (s *Service) Item(ctx context.Context, id string) (Item, error) {
	it, err := scanItem(s.DB.R.QueryRowContext(ctx, "SELECT "+itemCols+" FROM catalog_items i WHERE i.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, apperr.NotFoundf("目录事项不存在")
	}
	return it, err
}

// ItemByKey returns the item with a stable key in a given version.
func (s *Service) ItemByKey(ctx context.Context, versionID, key string) (Item, error) {
	it, err := scanItem(s.DB.R.QueryRowContext(ctx, "SELECT "+itemCols+" FROM catalog_items i WHERE i.version_id = $1 AND i.item_key = $2", versionID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return it, apperr.NotFoundf("目录事项不存在")
	}
	return it, err
}

// Normalize trims the fields and orders multi-values as their lists do.
func Normalize(f *ItemFields) {
	for _, p := range []*string{&f.Level1, &f.Level2, &f.Content, &f.Basis, &f.Subject, &f.ChannelOther, &f.FiveTag} {
		*p = strings.TrimSpace(*p)
	}
	f.TimeLimit.Text = strings.TrimSpace(f.TimeLimit.Text)
	f.Channels = ordered(f.Channels, Channels)
	f.Audience = ordered(f.Audience, Audiences)
	f.Method = ordered(f.Method, Methods)
	f.Levels = ordered(f.Levels, Levels)
}

// ordered keeps the values of vs that are in list, in list order, once;
// unknown values are kept at the end so validation can name them.
func ordered(vs, list []string) []string {
	var out []string
	for _, l := range list {
		if slices.Contains(vs, l) {
			out = append(out, l)
		}
	}
	for _, v := range vs {
		if !slices.Contains(list, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Validate checks what a draft item must satisfy even before it is
// complete: known values, lengths, an 一级事项 to name it by.
func Validate(f ItemFields) error {
	var fs apperr.Fields
	if f.Level1 == "" {
		fs.Add("level1", "一级事项不能为空")
	}
	for _, x := range []struct {
		field, label, v string
		max             int
	}{{"level1", "一级事项", f.Level1, 100}, {"level2", "二级事项", f.Level2, 100}, {"content", "公开内容（要素）", f.Content, 2000},
		{"basis", "公开依据", f.Basis, 2000}, {"time_limit", "公开时限", f.TimeLimit.Text, 200}, {"subject", "公开主体", f.Subject, 200},
		{"channel_other", "其他渠道", f.ChannelOther, 200}} {
		if utf8.RuneCountInString(x.v) > x.max {
			fs.Add(x.field, fmt.Sprintf("%s不能超过 %d 个字", x.label, x.max))
		}
	}
	for _, x := range []struct {
		field, label string
		vs, list     []string
	}{{"channels", "公开渠道和载体", f.Channels, Channels}, {"audience", "公开对象", f.Audience, Audiences},
		{"method", "公开方式", f.Method, Methods}, {"levels", "公开层级", f.Levels, Levels}} {
		for _, v := range x.vs {
			if !slices.Contains(x.list, v) {
				fs.Add(x.field, fmt.Sprintf("%s中没有“%s”这一项", x.label, v))
			}
		}
	}
	if f.FiveTag != "" && !slices.Contains(FiveTags, f.FiveTag) {
		fs.Add("five_tag", "五公开只能是 "+strings.Join(FiveTags, "、")+" 之一")
	}
	return fs.Err()
}

// SaveItem creates (itemID "") or updates an item of a draft.
func (s *Service) SaveItem(ctx context.Context, actor audit.Actor, versionID, itemID, domainID string, f ItemFields) (Item, error) {
	Normalize(&f)
	f.TimeLimit = ParseTimeLimit(f.TimeLimit.Text)
	if err := Validate(f); err != nil || domainID == "" {
		// Report every problem at once, the missing domain included.
		var fs apperr.Fields
		if domainID == "" {
			fs.Add("domain_id", "请选择领域")
		}
		if e, ok := apperr.As(err); ok {
			fs = append(fs, e.Fields...)
		}
		return Item{}, fs.Err()
	}
	var saved Item
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		v, err := s.draftFor(ctx, tx, versionID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM catalog_domains WHERE id = $1", domainID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.Field("domain_id", "请选择领域")
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM catalog_items WHERE version_id = $1 AND domain_id = $2
			AND level1 = $3 AND level2 = $4 AND id <> $5`, versionID, domainID, f.Level1, f.Level2, itemID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Field("level2", "本领域已有相同的一级事项和二级事项")
		}
		now := s.now()
		if itemID == "" {
			var maxSeq sql.NullInt64
			if err := tx.QueryRowContext(ctx, "SELECT MAX(seq) FROM catalog_items WHERE version_id = $1 AND domain_id = $2",
				versionID, domainID).Scan(&maxSeq); err != nil {
				return err
			}
			saved = Item{ID: db.NewID(), VersionID: versionID, Key: db.NewID(), DomainID: domainID, Seq: int(maxSeq.Int64) + 1, ItemFields: f}
			if err := insertItem(ctx, tx, saved, now); err != nil {
				return err
			}
			_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: v.OrgID, Action: "catalog.item_add",
				ObjectType: "catalog_item", ObjectID: saved.Key, Summary: "目录草稿新增事项 " + saved.Title(), After: f})
			return err
		}
		before, err := scanItem(tx.QueryRowContext(ctx, "SELECT "+itemCols+" FROM catalog_items i WHERE i.id = $1 AND i.version_id = $2", itemID, versionID))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("目录事项不存在")
		}
		if err != nil {
			return err
		}
		saved = before
		saved.ItemFields = f
		if before.DomainID != domainID {
			var maxSeq sql.NullInt64
			if err := tx.QueryRowContext(ctx, "SELECT MAX(seq) FROM catalog_items WHERE version_id = $1 AND domain_id = $2",
				versionID, domainID).Scan(&maxSeq); err != nil {
				return err
			}
			saved.DomainID, saved.Seq = domainID, int(maxSeq.Int64)+1
		}
		if _, err := tx.ExecContext(ctx, `UPDATE catalog_items SET domain_id = $1, seq = $2, level1 = $3, level2 = $4, content = $5,
			basis = $6, time_limit = $7, subject = $8, channels = $9, channel_other = $10, audience = $11, method = $12, levels = $13,
			five_tag = $14, updated_at = $15 WHERE id = $16`, saved.DomainID, saved.Seq, f.Level1, f.Level2, f.Content, f.Basis,
			mustJSON(f.TimeLimit), f.Subject, mustJSON(nonNil(f.Channels)), f.ChannelOther, mustJSON(nonNil(f.Audience)),
			mustJSON(nonNil(f.Method)), mustJSON(nonNil(f.Levels)), f.FiveTag, db.Time(now), itemID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, OrgID: v.OrgID, Action: "catalog.item_edit",
			ObjectType: "catalog_item", ObjectID: saved.Key, Summary: "目录草稿修改事项 " + saved.Title(),
			Before: before.ItemFields, After: f})
		return err
	})
	return saved, err
}

// DeleteItem removes an item from a draft.
func (s *Service) DeleteItem(ctx context.Context, actor audit.Actor, versionID, itemID string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		v, err := s.draftFor(ctx, tx, versionID)
		if err != nil {
			return err
		}
		it, err := scanItem(tx.QueryRowContext(ctx, "SELECT "+itemCols+" FROM catalog_items i WHERE i.id = $1 AND i.version_id = $2", itemID, versionID))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("目录事项不存在")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM catalog_items WHERE id = $1", itemID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, s.now(), audit.Event{Actor: actor, OrgID: v.OrgID, Action: "catalog.item_delete",
			ObjectType: "catalog_item", ObjectID: it.Key, Summary: "目录草稿删除事项 " + it.Title(), Before: it.ItemFields})
		return err
	})
}

// NewItem is an item to place in a draft by ReplaceItems (imports).
type NewItem struct {
	DomainID string
	ItemFields
}

// replaceItems swaps a draft's items for the given ones inside tx, keeping
// the keys of items that match an existing one by domain and 事项 names, so
// re-importing a catalog does not break item URLs.
func (s *Service) replaceItems(ctx context.Context, tx *sql.Tx, versionID string, items []NewItem, now time.Time) error {
	old, err := s.items(ctx, tx, versionID)
	if err != nil {
		return err
	}
	keys := map[[3]string]string{}
	for _, it := range old {
		keys[[3]string{it.DomainID, it.Level1, it.Level2}] = it.Key
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM catalog_items WHERE version_id = $1", versionID); err != nil {
		return err
	}
	seq := map[string]int{}
	for _, ni := range items {
		seq[ni.DomainID]++
		key := keys[[3]string{ni.DomainID, ni.Level1, ni.Level2}]
		if key == "" {
			key = db.NewID()
		}
		if err := insertItem(ctx, tx, Item{ID: db.NewID(), VersionID: versionID, Key: key, DomainID: ni.DomainID,
			Seq: seq[ni.DomainID], ItemFields: ni.ItemFields}, now); err != nil {
			return err
		}
	}
	return nil
}
