// Package catalog owns the standard disclosure catalog (基层政务公开标准目录):
// the pilot domains, each organisation's catalog in versions (draft →
// published, immutable once published, revised yearly), its items, the
// structured 公开时限, completeness and consistency checks, and exchange as
// Excel in the layout staff already use and as JSON.
package catalog

// Enumerated element values are stored as the Chinese labels staff read and
// exchange; they are vocabulary, not display strings.

// Channels is the national template's list of 公开渠道和载体 (rules.md §5.1),
// with the 12345 hotline that later local versions added. Anything else
// goes into ItemFields.ChannelOther.
var Channels = []string{
	"政府网站", "政府公报", "两微一端", "发布会/听证会", "广播电视", "纸质媒体", "公开查阅点",
	"政务服务中心", "便民服务站", "入户/现场", "社区/企事业单位/村公示栏（电子屏）", "精准推送", "12345政务服务热线",
}

// Audiences (公开对象), Methods (公开方式), Levels (公开层级) and FiveTags (五公开).
var (
	Audiences = []string{"全社会", "特定群体"}
	Methods   = []string{"主动", "依申请"}
	Levels    = []string{"县级", "乡级", "村级"}
	FiveTags  = []string{"决策公开", "执行公开", "管理公开", "服务公开", "结果公开"}
)

// ItemFields are the elements of a catalog item (标准目录要素).
type ItemFields struct {
	Level1       string    `json:"level1"`        // 一级事项
	Level2       string    `json:"level2"`        // 二级事项
	Content      string    `json:"content"`       // 公开内容（要素）
	Basis        string    `json:"basis"`         // 公开依据
	TimeLimit    TimeLimit `json:"time_limit"`    // 公开时限
	Subject      string    `json:"subject"`       // 公开主体
	Channels     []string  `json:"channels"`      // 公开渠道和载体, values from Channels
	ChannelOther string    `json:"channel_other"` // 其他渠道 (free text)
	Audience     []string  `json:"audience"`      // 公开对象, values from Audiences
	Method       []string  `json:"method"`        // 公开方式, values from Methods
	Levels       []string  `json:"levels"`        // 公开层级, values from Levels
	FiveTag      string    `json:"five_tag"`      // 五公开, "" or one of FiveTags
}

// TimeLimitKind is the structured form of a 公开时限.
type TimeLimitKind string

const (
	Unparsed TimeLimitKind = ""         // kept as text, flagged for the editor
	Workdays TimeLimitKind = "workdays" // {base event, N working days}
	// CalendarDays is {base event, N days}: laws such as 预算法 ("批复后二十
	// 日内") count calendar days, and catalogs copy them as written.
	CalendarDays TimeLimitKind = "calendar_days"
	FixedDate    TimeLimitKind = "fixed_date" // 每年MM月DD日前
	Realtime     TimeLimitKind = "realtime"   // 实时
	Promptly     TimeLimitKind = "promptly"   // 及时
)

// Base events of a working-day limit.
const (
	EventFormed   = "形成"
	EventChanged  = "变更"
	EventObtained = "获取"
	EventMade     = "制作"
)

// TimeLimit is a 公开时限: the original wording plus its structured reading.
type TimeLimit struct {
	Text string        `json:"text"`           // as written in the catalog
	Kind TimeLimitKind `json:"kind,omitempty"` // Unparsed when not understood
	// Workdays: the base events named (a subset of 形成/变更/获取/制作, in
	// that order; empty when the wording names none, e.g. "20工作日"), any
	// other base event as written (e.g. "作出行政处罚决定"), and N.
	Events     []string `json:"events,omitempty"`
	OtherEvent string   `json:"other_event,omitempty"`
	Days       int      `json:"days,omitempty"`
	// FixedDate: month and day of the yearly deadline.
	Month int `json:"month,omitempty"`
	Day   int `json:"day,omitempty"`
}

// Parsed reports whether the wording was understood.
func (t TimeLimit) Parsed() bool { return t.Kind != Unparsed }
