package supervise

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
)

// Param is one numeric threshold. Defaults follow rules.md §4 where it has
// a number (2 weeks, 6 months, 5/10/5 columns); the rest are stated in
// the rule descriptions. Min and Max refuse nonsense (negative days, a
// year of 5,000 days) with the field named.
type Param struct {
	Key, Label, Unit string
	Default          int
	Min, Max         int
}

// Params lists every threshold in display order.
var Params = []Param{
	{"news_days", "动态要闻类栏目更新周期", "天", 14, 1, 366},
	{"notice_months", "通知公告、政策文件类栏目更新周期", "个月", 6, 1, 60},
	{"long_months", "其他栏目“长期未更新”界限", "个月", 12, 1, 120},
	{"home_days", "首页更新周期", "天", 14, 1, 366},
	{"veto_not_updated", "栏目不更新单项否决阈值", "个", 5, 1, 100},
	{"veto_long_stale", "长期未更新栏目单项否决阈值", "个", 10, 1, 100},
	{"veto_empty", "空白栏目单项否决阈值", "个", 5, 1, 100},
	{"publish_lookback_days", "信息发布超期的回溯期", "天", 365, 1, 3660},
	{"privacy_min_severity", "个人信息的严重程度下限（1 低、2 中、3 高）", "级", 2, 1, 3},
	{"apply_lookback_days", "依申请公开办理检查的回溯期", "天", 365, 1, 3660},
	{"ticket_days", "整改期限默认值", "个工作日", 10, 1, 60},
	{"run_hour", "每日自动检查时间（北京时间，时）", "时", 6, 0, 23},
}

// ParamByKey finds a parameter.
func ParamByKey(key string) (Param, bool) {
	i := slices.IndexFunc(Params, func(p Param) bool { return p.Key == key })
	if i < 0 {
		return Param{}, false
	}
	return Params[i], true
}

// Config is the thresholds in force: the numbers, which org kinds have
// portal columns to check, and which 体裁 columns count and how.
type Config struct {
	Values       map[string]int `json:"values"`
	ColumnKinds  []org.Kind     `json:"column_kinds"`
	ColumnGenres []string       `json:"column_genres"`
	NewsGenres   []string       `json:"news_genres"`
	NoticeGenres []string       `json:"notice_genres"`
}

// DefaultConfig is the configuration before anyone edits it. Columns are
// checked for the governments, departments, streets and towns, which run
// the website's columns; communities and villages are self-governing
// committees that publish on 公示栏 and through their street's columns,
// so for them only the catalog rules apply. 规章 is left out of the columns
// because only provincial and 设区的市 governments make 规章 (立法法第九十三
// 条): a district's 规章 column is empty by law, not by neglect.
func DefaultConfig() Config {
	c := Config{Values: map[string]int{},
		ColumnKinds: []org.Kind{org.KindDistrict, org.KindDepartment, org.KindStreet, org.KindTown},
		NewsGenres:  []string{"动态要闻"}, NoticeGenres: []string{"通知公告", "政策文件"}}
	for _, g := range info.Genres {
		if g != "规章" {
			c.ColumnGenres = append(c.ColumnGenres, g)
		}
	}
	for _, p := range Params {
		c.Values[p.Key] = p.Default
	}
	return c
}

// Get is a threshold's value (its default when unset).
func (c Config) Get(key string) int {
	if v, ok := c.Values[key]; ok {
		return v
	}
	p, _ := ParamByKey(key)
	return p.Default
}

// Validate checks every value and list; errors name the field (the
// parameter key, or column_kinds / column_genres / news_genres /
// notice_genres).
func (c *Config) Validate() error {
	var fs apperr.Fields
	if c.Values == nil {
		c.Values = map[string]int{}
	}
	for k := range c.Values {
		if _, ok := ParamByKey(k); !ok {
			fs.Add(k, "未知的阈值“"+k+"”")
		}
	}
	for _, p := range Params {
		v, ok := c.Values[p.Key]
		if !ok {
			c.Values[p.Key] = p.Default
			continue
		}
		if v < p.Min || v > p.Max {
			fs.Add(p.Key, fmt.Sprintf("%s应为 %d–%d 之间的整数（%s），不能是 %d", p.Label, p.Min, p.Max, p.Unit, v))
		}
	}
	for _, k := range c.ColumnKinds {
		if k.Label() == string(k) {
			fs.Add("column_kinds", "机构类型“"+string(k)+"”不存在")
		}
	}
	genreList := func(field, label string, gs []string, within []string) {
		seen := map[string]bool{}
		for _, g := range gs {
			switch {
			case !slices.Contains(info.Genres, g):
				fs.Add(field, label+"中的“"+g+"”不是信息体裁")
			case within != nil && !slices.Contains(within, g):
				fs.Add(field, label+"中的“"+g+"”不在纳入检查的栏目中")
			case seen[g]:
				fs.Add(field, label+"中的“"+g+"”重复")
			}
			seen[g] = true
		}
	}
	genreList("column_genres", "纳入检查的栏目", c.ColumnGenres, nil)
	genreList("news_genres", "动态要闻类栏目", c.NewsGenres, c.ColumnGenres)
	genreList("notice_genres", "通知公告、政策文件类栏目", c.NoticeGenres, c.ColumnGenres)
	for _, g := range c.NewsGenres {
		if slices.Contains(c.NoticeGenres, g) {
			fs.Add("notice_genres", "“"+g+"”不能同时属于动态要闻类和通知公告、政策文件类")
		}
	}
	return fs.Err()
}

// ParseValues reads the thresholds as typed in a form or on a command
// line; a value that is not a whole number is refused with its field.
func ParseValues(raw map[string]string) (map[string]int, error) {
	var fs apperr.Fields
	out := map[string]int{}
	for _, p := range Params {
		s, ok := raw[p.Key]
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		if s == "" {
			fs.Add(p.Key, p.Label+"不能为空")
			continue
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			fs.Add(p.Key, fmt.Sprintf("%s应为整数（%s），“%s”不是整数", p.Label, p.Unit, s))
			continue
		}
		out[p.Key] = v
	}
	return out, fs.Err()
}

// --- storage ---

const (
	configThresholds = "thresholds"
	configIndicators = "indicators"
)

func (s *Service) loadJSON(ctx context.Context, q db.Querier, name string, v any) (bool, error) {
	var body string
	err := q.QueryRowContext(ctx, "SELECT body FROM supervise_config WHERE name = $1", name).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		return false, fmt.Errorf("supervise config %s: %w", name, err)
	}
	return true, nil
}

func (s *Service) saveJSON(ctx context.Context, tx *sql.Tx, name string, v any, actor audit.Actor) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	now := db.Time(s.now())
	_, err = tx.ExecContext(ctx, `INSERT INTO supervise_config (name, body, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		name, string(b), now, actor.Name)
	return err
}

// Config returns the thresholds in force (the defaults until edited). A
// stored configuration missing newer parameters gets their defaults.
func (s *Service) Config(ctx context.Context) (Config, error) {
	return s.config(ctx, s.DB.R)
}

func (s *Service) config(ctx context.Context, q db.Querier) (Config, error) {
	c := DefaultConfig()
	var stored Config
	ok, err := s.loadJSON(ctx, q, configThresholds, &stored)
	if err != nil || !ok {
		return c, err
	}
	for k, v := range stored.Values {
		c.Values[k] = v
	}
	c.ColumnKinds, c.ColumnGenres, c.NewsGenres, c.NoticeGenres = stored.ColumnKinds, stored.ColumnGenres, stored.NewsGenres, stored.NoticeGenres
	return c, nil
}

// SaveConfig validates and stores the thresholds; only the 政务公开办 of the
// whole district (supervise.manage at the root) may change them, because
// they apply to every unit.
func (s *Service) SaveConfig(ctx context.Context, p *org.Principal, ip string, c Config) error {
	root, err := s.requireRoot(ctx, p)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.config(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.saveJSON(ctx, tx, configThresholds, c, p.Actor(ip)); err != nil {
			return err
		}
		var changed []string
		for _, prm := range Params {
			if before.Get(prm.Key) != c.Get(prm.Key) {
				changed = append(changed, fmt.Sprintf("%s %d→%d", prm.Label, before.Get(prm.Key), c.Get(prm.Key)))
			}
		}
		summary := "修改监督检查阈值"
		if len(changed) > 0 {
			summary += "：" + strings.Join(changed, "；")
		}
		_, err = audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(ip), OrgID: root, Action: "supervise.config",
			ObjectType: "supervise_config", ObjectID: configThresholds, Summary: summary, Before: before, After: c})
		return err
	})
}

// requireRoot checks that p holds supervise.manage over the root org and
// returns its id.
func (s *Service) requireRoot(ctx context.Context, p *org.Principal) (string, error) {
	root, err := s.rootID(ctx)
	if err != nil {
		return "", err
	}
	ok, err := s.Orgs.Allowed(ctx, p, org.PermSuperviseManage, root)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", apperr.New(apperr.Forbidden, "只有全区（县）的政务公开办可以修改检查阈值和考核指标")
	}
	return root, nil
}

func (s *Service) rootID(ctx context.Context) (string, error) {
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return "", err
	}
	for _, o := range all {
		if o.ParentID == "" {
			return o.ID, nil
		}
	}
	return "", apperr.NotFoundf("尚未建立机构")
}
