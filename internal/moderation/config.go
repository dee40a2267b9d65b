// Package moderation is the abuse resistance shared by the public forms
// whose text the portal publishes (comments on drafts, and later messages):
// per-field size limits, a limit on links, a word list that holds a text for
// a moderator, a block list (words, contacts, client addresses) that refuses
// it, the honeypot, exact and near-duplicate detection, and per-address and
// per-contact rate limits on top of internal/ratelimit. It works offline and
// without JavaScript: there is no third-party CAPTCHA.
//
// The configuration lives in the settings table under moderation.* and is
// edited by district administrators; Load fills in defaults for keys never
// set, Save validates every key and records the change in the evidence chain.
package moderation

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/ratelimit"
)

// Moderation modes.
const (
	// ModePre holds every text until a moderator approves it (先审后发),
	// the default.
	ModePre = "pre"
	// ModePost publishes a text at once unless the word list holds it; a
	// moderator can still take it down with a reason (先发后审).
	ModePost = "post"
)

// Config is the moderation policy. It is also what the public policy page
// states, so a citizen can read the limits that apply to them.
type Config struct {
	Mode          string
	MaxBody       int            // runes in a long text (a comment, a message)
	MaxShort      int            // runes in a short field (name, contact, title)
	MaxLinks      int            // web addresses in one submission
	ReviewWords   []string       // hold for a moderator (not a refusal)
	BlockWords    []string       // refuse
	BlockContacts []string       // refuse submissions naming these contacts
	BlockIPs      []netip.Prefix // refuse submissions from these addresses
	IPRate        string         // ratelimit rules per client address
	ContactRate   string         // ratelimit rules per contact (phone or e-mail)
	// NearDup is the Jaccard similarity of character 3-shingles at or above
	// which two texts count as the same opinion (see dup.go).
	NearDup       float64
	RejectReasons []string // the reasons a moderator chooses from
}

// DefaultNearDup: on campaign-style copies of 35–50-character comments (a
// place name changed, a greeting added, two or three words swapped for
// synonyms) the similarity measured 0.55–0.80, while independent comments
// on the same subject — even on the same article of a draft with a
// different figure — measured 0.31 or less; 0.5 groups the first and keeps
// a margin from the second (dup_test.go and moderation_test.go hold these
// cases). A group is only ever shown folded, never hidden: the portal lists
// a near copy's own words under the first one.
const DefaultNearDup = 0.5

// Defaults is the policy before an administrator changes anything.
func Defaults() Config {
	return Config{
		Mode: ModePre, MaxBody: 3000, MaxShort: 60, MaxLinks: 2,
		ReviewWords: []string{"加微信", "加V", "代办", "投诉举报", "上访"},
		IPRate:      "5/10m,30/24h", ContactRate: "3/10m,10/24h", NearDup: DefaultNearDup,
		RejectReasons: []string{
			"含有违反法律法规、危害国家安全或者公共秩序的内容",
			"含有侮辱、诽谤他人或者人身攻击的内容",
			"含有商业广告、推销或者与本事项无关的链接",
			"与本次征求意见（留言）事项无关",
			"含有他人的个人隐私，无法遮盖后公开",
			"内容无实际意义或者无法辨认",
			"其他（见说明）",
		},
	}
}

// Key names a setting.
const (
	KeyMode          = "moderation.mode"
	KeyMaxBody       = "moderation.max_body"
	KeyMaxShort      = "moderation.max_short"
	KeyMaxLinks      = "moderation.max_links"
	KeyReviewWords   = "moderation.review_words"
	KeyBlockWords    = "moderation.block_words"
	KeyBlockContacts = "moderation.block_contacts"
	KeyBlockIPs      = "moderation.block_ips"
	KeyIPRate        = "moderation.ip_rate"
	KeyContactRate   = "moderation.contact_rate"
	KeyNearDup       = "moderation.near_dup"
	KeyRejectReasons = "moderation.reject_reasons"
)

// Keys lists every setting in form order.
var Keys = []string{KeyMode, KeyMaxBody, KeyMaxShort, KeyMaxLinks, KeyReviewWords, KeyBlockWords, KeyBlockContacts,
	KeyBlockIPs, KeyIPRate, KeyContactRate, KeyNearDup, KeyRejectReasons}

// Values is the config as setting values (lists one item a line).
func (c Config) Values() map[string]string {
	ips := make([]string, len(c.BlockIPs))
	for i, p := range c.BlockIPs {
		if p.Bits() == p.Addr().BitLen() {
			ips[i] = p.Addr().String()
		} else {
			ips[i] = p.String()
		}
	}
	return map[string]string{
		KeyMode: c.Mode, KeyMaxBody: strconv.Itoa(c.MaxBody), KeyMaxShort: strconv.Itoa(c.MaxShort),
		KeyMaxLinks: strconv.Itoa(c.MaxLinks), KeyReviewWords: strings.Join(c.ReviewWords, "\n"),
		KeyBlockWords: strings.Join(c.BlockWords, "\n"), KeyBlockContacts: strings.Join(c.BlockContacts, "\n"),
		KeyBlockIPs: strings.Join(ips, "\n"), KeyIPRate: c.IPRate, KeyContactRate: c.ContactRate,
		KeyNearDup: strconv.FormatFloat(c.NearDup, 'f', -1, 64), KeyRejectReasons: strings.Join(c.RejectReasons, "\n"),
	}
}

// Load reads the config; keys never set keep their defaults.
func Load(ctx context.Context, q db.Querier) (Config, error) {
	rows, err := q.QueryContext(ctx, "SELECT key, value FROM settings WHERE key LIKE 'moderation.%'")
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
	c, err := Parse(values)
	if err != nil {
		// Save never stores an invalid value; a hand-edited database
		// falls back to the defaults rather than taking the forms down.
		return Defaults(), nil
	}
	return c, nil
}

// Parse builds a config from setting values over the defaults; every bad
// value is a field error named by its key.
func Parse(values map[string]string) (Config, error) {
	c := Defaults()
	var fs apperr.Fields
	for k := range values {
		known := false
		for _, key := range Keys {
			known = known || k == key
		}
		if !known {
			fs.Add(k, fmt.Sprintf("未知设置项 %q", k))
		}
	}
	get := func(k string) (string, bool) {
		v, ok := values[k]
		return strings.TrimSpace(v), ok
	}
	intIn := func(k, label string, lo, hi int, dst *int) {
		v, ok := get(k)
		if !ok {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			fs.Add(k, fmt.Sprintf("%s应为 %d–%d 之间的整数", label, lo, hi))
			return
		}
		*dst = n
	}
	if v, ok := get(KeyMode); ok {
		if v != ModePre && v != ModePost {
			fs.Add(KeyMode, "审核方式应为“先审后发”或“先发后审”")
		} else {
			c.Mode = v
		}
	}
	intIn(KeyMaxBody, "正文字数上限", 100, 20000, &c.MaxBody)
	intIn(KeyMaxShort, "短字段字数上限", 10, 200, &c.MaxShort)
	intIn(KeyMaxLinks, "网址个数上限", 0, 20, &c.MaxLinks)
	list := func(k, label string, maxItems, maxLen int, dst *[]string) {
		v, ok := values[k]
		if !ok {
			return
		}
		items := SplitList(v)
		if len(items) > maxItems {
			fs.Add(k, fmt.Sprintf("%s最多 %d 项（现为 %d 项）", label, maxItems, len(items)))
			return
		}
		for _, it := range items {
			if utf8.RuneCountInString(it) > maxLen {
				fs.Add(k, fmt.Sprintf("%s中“%s”超过 %d 个字", label, truncate(it, 20), maxLen))
				return
			}
			if Normalize(it) == "" {
				fs.Add(k, fmt.Sprintf("%s中“%s”只有标点或空白，无法匹配", label, truncate(it, 20)))
				return
			}
		}
		*dst = items
	}
	list(KeyReviewWords, "审核词", 2000, 30, &c.ReviewWords)
	list(KeyBlockWords, "禁止词", 2000, 30, &c.BlockWords)
	list(KeyBlockContacts, "屏蔽的联系方式", 2000, 100, &c.BlockContacts)
	if v, ok := values[KeyBlockIPs]; ok {
		c.BlockIPs = nil
		for _, it := range SplitList(v) {
			p, err := parsePrefix(it)
			if err != nil {
				fs.Add(KeyBlockIPs, fmt.Sprintf("“%s”不是 IP 地址或网段（如 203.0.113.7 或 203.0.113.0/24）", truncate(it, 40)))
				break
			}
			c.BlockIPs = append(c.BlockIPs, p)
		}
	}
	for _, x := range []struct {
		key, label string
		dst        *string
	}{{KeyIPRate, "每个地址的提交频率", &c.IPRate}, {KeyContactRate, "每个联系方式的提交频率", &c.ContactRate}} {
		v, ok := get(x.key)
		if !ok {
			continue
		}
		if _, err := ratelimit.ParseRules(v); err != nil {
			fs.Add(x.key, x.label+"格式应为“次数/时长”，多条用逗号分隔，如 5/10m,30/24h（m 分钟、h 小时）")
			continue
		}
		*x.dst = v
	}
	if v, ok := get(KeyNearDup); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0.3 || f > 1 {
			fs.Add(KeyNearDup, "相近意见的相似度阈值应为 0.3–1 之间的小数（1 表示只合并完全相同的意见）")
		} else {
			c.NearDup = f
		}
	}
	if v, ok := values[KeyRejectReasons]; ok {
		items := SplitList(v)
		switch {
		case len(items) == 0:
			fs.Add(KeyRejectReasons, "至少需要一条不予公开的理由")
		case len(items) > 30:
			fs.Add(KeyRejectReasons, "不予公开的理由最多 30 条")
		default:
			c.RejectReasons = items
			for _, it := range items {
				if utf8.RuneCountInString(it) > 80 {
					fs.Add(KeyRejectReasons, fmt.Sprintf("理由“%s”超过 80 个字", truncate(it, 20)))
				}
			}
		}
	}
	return c, fs.Err()
}

// SplitList reads a list typed one item a line (blank lines and
// surrounding spaces ignored, duplicates dropped).
func SplitList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	return out
}

func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, err
	}
	return p.Masked(), nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Save validates values (every key of Keys that the form sends) and stores
// them with an evidence-chain event naming what changed.
func Save(ctx context.Context, d *db.DB, actor audit.Actor, now time.Time, values map[string]string) (Config, error) {
	c, err := Parse(values)
	if err != nil {
		return Config{}, err
	}
	norm := c.Values()
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		before, err := Load(ctx, tx)
		if err != nil {
			return err
		}
		old := before.Values()
		changed := map[string]string{}
		for k := range values {
			if old[k] != norm[k] {
				changed[k] = norm[k]
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3`, k, norm[k], db.Time(now)); err != nil {
				return err
			}
		}
		if len(changed) == 0 {
			return nil
		}
		beforeChanged := map[string]string{}
		for k := range changed {
			beforeChanged[k] = old[k]
		}
		_, err = audit.Append(ctx, tx, now, audit.Event{Actor: actor, Action: "moderation.settings", ObjectType: "settings",
			ObjectID: "moderation", Summary: fmt.Sprintf("修改互动交流审核规则（%d 项）", len(changed)),
			Before: beforeChanged, After: changed})
		return err
	})
	if err != nil {
		return Config{}, err
	}
	return c, nil
}
