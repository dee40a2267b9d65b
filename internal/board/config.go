package board

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
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/moderation"
)

// Config is the board's handling policy: response limits per category,
// when an overdue message escalates to the supervisor, and the channels a
// message may be referred to. District administrators edit it; the portal
// states the limits next to the form.
type Config struct {
	Limits       map[string]int // category → working days
	EscalateDays int            // working days past the due day before escalation to the supervisor
	Channels     []Channel
}

// Channel is a channel outside the board that certain matters belong to
// (信访, 12345, 纪检监察 …) and how to use it.
type Channel struct {
	Name, HowTo string
}

// Defaults: 5 working days for consultations (simple consultations within
// 5 working days, rules.md §4.4), 3 for website corrections (我为政府网站
// 找错, §4.5), 15 for suggestions and complaints (a common local rule; not
// national, hence configurable); escalation after 5 further working days.
func Defaults() Config {
	return Config{
		Limits:       map[string]int{CatConsult: 5, CatSuggest: 15, CatComplaint: 15, CatCorrection: 3},
		EscalateDays: 5,
		Channels: []Channel{
			{"信访事项", "请依照《信访工作条例》向有权处理的机关或者信访工作机构提出，也可以通过网上信访平台提出。"},
			{"政务服务便民热线", "请拨打 12345 政务服务便民热线（全天 24 小时受理）反映诉求、投诉和求助。"},
			{"检举控告（纪检监察）", "请向纪检监察机关反映，或者拨打 12388 纪检监察举报电话。"},
			{"违法犯罪、紧急求助", "请立即拨打 110 报警（火警 119，医疗急救 120）。"},
			{"诉讼、仲裁、行政复议", "请依法向人民法院、仲裁机构或者行政复议机关提出。"},
		},
	}
}

// Setting keys.
const (
	KeyLimitPrefix = "board.limit."
	KeyEscalate    = "board.escalate_days"
	KeyChannels    = "board.channels"
)

// Keys lists every setting in form order.
func Keys() []string {
	var ks []string
	for _, c := range Categories {
		ks = append(ks, KeyLimitPrefix+c.Code)
	}
	return append(ks, KeyEscalate, KeyChannels)
}

// Values is the config as setting values (channels one a line, "名称：说明").
func (c Config) Values() map[string]string {
	m := map[string]string{KeyEscalate: strconv.Itoa(c.EscalateDays)}
	for _, cat := range Categories {
		m[KeyLimitPrefix+cat.Code] = strconv.Itoa(c.Limits[cat.Code])
	}
	lines := make([]string, len(c.Channels))
	for i, ch := range c.Channels {
		lines[i] = ch.Name + "：" + ch.HowTo
	}
	m[KeyChannels] = strings.Join(lines, "\n")
	return m
}

// Limit is the working days a category allows.
func (c Config) Limit(category string) int {
	if n, ok := c.Limits[category]; ok && n > 0 {
		return n
	}
	return Defaults().Limits[category]
}

// Channel finds a channel by name.
func (c Config) Channel(name string) (Channel, bool) {
	for _, ch := range c.Channels {
		if ch.Name == name {
			return ch, true
		}
	}
	return Channel{}, false
}

// LoadConfig reads the config; keys never set keep their defaults.
func LoadConfig(ctx context.Context, q db.Querier) (Config, error) {
	rows, err := q.QueryContext(ctx, "SELECT key, value FROM settings WHERE key LIKE 'board.%'")
	if err != nil {
		return Config{}, err
	}
	defer rows.Close()
	values := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return Config{}, err
		}
		values[k] = v
	}
	if err := rows.Err(); err != nil {
		return Config{}, err
	}
	c, err := ParseConfig(values)
	if err != nil {
		// SaveConfig never stores an invalid value; a hand-edited database
		// falls back to the defaults rather than stopping the clock.
		return Defaults(), nil
	}
	return c, nil
}

// ParseConfig builds a config from setting values over the defaults; every
// bad value is a field error named by its key.
func ParseConfig(values map[string]string) (Config, error) {
	c := Defaults()
	c.Limits = map[string]int{}
	for k, v := range Defaults().Limits {
		c.Limits[k] = v
	}
	var fs apperr.Fields
	known := map[string]bool{}
	for _, k := range Keys() {
		known[k] = true
	}
	for k := range values {
		if !known[k] {
			fs.Add(k, fmt.Sprintf("未知设置项 %q", k))
		}
	}
	for _, cat := range Categories {
		k := KeyLimitPrefix + cat.Code
		v, ok := values[k]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 60 {
			fs.Add(k, fmt.Sprintf("“%s”类留言的答复时限应为 1–60 之间的工作日数", cat.Label))
			continue
		}
		c.Limits[cat.Code] = n
	}
	if v, ok := values[KeyEscalate]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > 60 {
			fs.Add(KeyEscalate, "升级督办的逾期工作日数应为 0–60 之间的整数（0 表示一逾期即升级）")
		} else {
			c.EscalateDays = n
		}
	}
	if v, ok := values[KeyChannels]; ok {
		c.Channels = nil
		seen := map[string]bool{}
		for i, line := range moderation.SplitList(v) {
			name, how, ok := cutChannel(line)
			switch {
			case !ok:
				fs.Add(KeyChannels, fmt.Sprintf("第 %d 行应写成“渠道名称：办理方式”", i+1))
			case utf8.RuneCountInString(name) > 20:
				fs.Add(KeyChannels, fmt.Sprintf("第 %d 行的渠道名称最多 20 字", i+1))
			case utf8.RuneCountInString(how) > 200:
				fs.Add(KeyChannels, fmt.Sprintf("第 %d 行的办理方式最多 200 字", i+1))
			case seen[name]:
				fs.Add(KeyChannels, fmt.Sprintf("渠道“%s”重复", name))
			default:
				seen[name] = true
				c.Channels = append(c.Channels, Channel{Name: name, HowTo: how})
			}
		}
		if len(c.Channels) > 20 {
			fs.Add(KeyChannels, "其他渠道最多 20 个")
		}
	}
	return c, fs.Err()
}

// cutChannel splits "名称：说明" at the first full- or half-width colon.
func cutChannel(line string) (name, how string, ok bool) {
	i := strings.IndexAny(line, ":：")
	if i < 0 {
		return "", "", false
	}
	_, size := utf8.DecodeRuneInString(line[i:])
	name, how = strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+size:])
	return name, how, name != "" && how != ""
}

// SaveConfig validates values (every key of Keys the form sends) and
// stores them with an evidence-chain event naming what changed. Limits
// apply to messages received from then on; open messages keep the limit
// they arrived under.
func (s *Service) SaveConfig(ctx context.Context, actor audit.Actor, values map[string]string) (Config, error) {
	c, err := ParseConfig(values)
	if err != nil {
		return Config{}, err
	}
	norm := c.Values()
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := LoadConfig(ctx, tx)
		if err != nil {
			return err
		}
		old := before.Values()
		changed, was := map[string]string{}, map[string]string{}
		for k := range values {
			if old[k] != norm[k] {
				changed[k], was[k] = norm[k], old[k]
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3`, k, norm[k], db.Time(now)); err != nil {
				return err
			}
		}
		if len(changed) == 0 {
			return nil
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, Action: "board.settings", ObjectType: "settings",
			ObjectID: "board", Summary: fmt.Sprintf("修改留言办理规则（%d 项）", len(changed)), Before: was, After: changed})
		return err
	})
	if err != nil {
		return Config{}, err
	}
	return c, nil
}

// WithNow returns a copy of the service whose clock reads t (the demo
// tells its story day by day; tests pin days).
func (s *Service) WithNow(t time.Time) *Service {
	return &Service{DB: s.DB, Orgs: s.Orgs, Info: s.Info, Calendar: s.Calendar, Guard: s.Guard, Now: func() time.Time { return t }}
}
