// Package site owns the portal's site-wide settings: the site's name, the
// disclosure column's labels and the footer facts (主办单位, 政府网站标识码,
// ICP and public-security filing numbers). portal.md marks these as local
// practice, so they are data, not code.
package site

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/db"
)

// Settings is the site configuration as pages use it.
type Settings struct {
	Name           string // 网站名称, e.g. 示范区人民政府
	ColumnName     string // 政府信息公开
	AnnualLabel    string // 政府信息公开年报 / 政府信息公开工作年度报告
	HostOrg        string // 主办单位
	Address        string
	Phone          string
	GovSiteCode    string // 政府网站标识码
	ICP            string // ICP备案号
	PoliceRecord   string // 公网安备号
	ServiceHotline string
	IndexTemplate  string // 索引号模板, e.g. {code}/{YYYY}-{NNNNN}
	BaseURL        string // 网站地址 for absolute links in feeds and the sitemap
	InterpGrace    string // 政策解读发布宽限：working days after the policy (default 0 = 同步发布)
}

// InterpGraceDays is the grace as a number (0 when unset or unreadable,
// which Set never lets through).
func (s Settings) InterpGraceDays() int {
	n, err := strconv.Atoi(s.InterpGrace)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Field describes one setting for forms and the CLI.
type Field struct {
	Key, Label string
	get        func(*Settings) *string
}

// Fields lists every setting.
var Fields = []Field{
	{"site.name", "网站名称", func(s *Settings) *string { return &s.Name }},
	{"site.base_url", "网站地址（如 https://www.example.gov.cn，用于订阅和网站地图中的链接）", func(s *Settings) *string { return &s.BaseURL }},
	{"site.column_name", "专栏名称", func(s *Settings) *string { return &s.ColumnName }},
	{"site.annual_label", "年报栏目名称", func(s *Settings) *string { return &s.AnnualLabel }},
	{"site.host_org", "主办单位", func(s *Settings) *string { return &s.HostOrg }},
	{"site.address", "地址", func(s *Settings) *string { return &s.Address }},
	{"site.phone", "联系电话", func(s *Settings) *string { return &s.Phone }},
	{"site.hotline", "政务服务热线", func(s *Settings) *string { return &s.ServiceHotline }},
	{"site.gov_site_code", "政府网站标识码", func(s *Settings) *string { return &s.GovSiteCode }},
	{"site.icp", "ICP备案号", func(s *Settings) *string { return &s.ICP }},
	{"site.police_record", "公网安备号", func(s *Settings) *string { return &s.PoliceRecord }},
	{"site.index_template", "索引号模板（{code} 机构代码、{YYYY} 年、{MM} 月、{NNNNN} 序号）", func(s *Settings) *string { return &s.IndexTemplate }},
	{"site.interp_grace", "政策解读发布宽限（工作日；0 表示须与政策文件同步发布，部分地方规定 3 个工作日）", func(s *Settings) *string { return &s.InterpGrace }},
}

// Defaults are used for settings never set.
func Defaults() Settings {
	return Settings{Name: "政务公开平台", ColumnName: "政府信息公开", AnnualLabel: "政府信息公开年报", ServiceHotline: "12345",
		IndexTemplate: "{code}/{YYYY}-{NNNNN}", InterpGrace: "0"}
}

// Service reads and writes settings.
type Service struct {
	DB  *db.DB
	Now func() time.Time
}

// Get returns the settings with defaults filled in.
func (s *Service) Get(ctx context.Context) (Settings, error) {
	out := Defaults()
	rows, err := s.DB.R.QueryContext(ctx, "SELECT key, value FROM settings WHERE key LIKE 'site.%'")
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return out, err
		}
		for _, f := range Fields {
			if f.Key == k && v != "" {
				*f.get(&out) = v
			}
		}
	}
	return out, rows.Err()
}

// Set changes settings (key → value) in one transaction.
func (s *Service) Set(ctx context.Context, actor audit.Actor, values map[string]string) error {
	var fs apperr.Fields
	for k, v := range values {
		known := k == "demo.seeded" // written by the demo seed, never shown
		if known {
			continue
		}
		for _, f := range Fields {
			if f.Key == k {
				known = true
				if utf8.RuneCountInString(v) > 200 {
					fs.Add(k, f.Label+"不能超过 200 个字")
				}
				if k == "site.interp_grace" && strings.TrimSpace(v) != "" {
					if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n < 0 || n > 30 {
						fs.Add(k, "政策解读发布宽限应为 0–30 之间的整数（工作日）")
					}
				}
			}
		}
		if !known {
			fs.Add(k, fmt.Sprintf("未知设置项 %q", k))
		}
	}
	if err := fs.Err(); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.SetTx(ctx, tx, actor, values) })
}

// SetTx is Set inside the caller's transaction; values are trusted (the
// demo seed), so it does not validate them.
func (s *Service) SetTx(ctx context.Context, tx *sql.Tx, actor audit.Actor, values map[string]string) error {
	now := s.Now()
	for k, v := range values {
		v = strings.TrimSpace(v)
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3`, k, v, db.Time(now)); err != nil {
			return err
		}
	}
	if _, err := changes.Append(ctx, tx, now, changes.Site, "site", ""); err != nil {
		return err
	}
	_, err := audit.Append(ctx, tx, now, audit.Event{Actor: actor, Action: "site.update", ObjectType: "site",
		ObjectID: "site", Summary: "修改网站设置", After: values})
	return err
}

// Value returns the field's value in st.
func (f Field) Value(st *Settings) string { return *f.get(st) }
