// Package info owns 政府信息 records for proactive disclosure: their
// metadata and 公开属性, the review flow (先审后发, 一事一审: an editor submits,
// then each configured role approves with a 保密审查 confirmation), gapless
// 索引号 assigned at publication, the publication lag in working days,
// 有效性 afterwards (修改/废止/失效, 谁公开谁清理), withdrawal, and
// attachments stored by content hash.
package info

import (
	"slices"
	"strings"
	"time"

	"gongkai.dev/gongkai/internal/org"
)

// Status of a record.
const (
	StatusDraft     = "draft"
	StatusReview    = "review"
	StatusPublished = "published"
	StatusWithdrawn = "withdrawn"
)

// Genres (体裁) every org has. The first three are the policy library's
// (政策文件库, "应入尽入"); 政策解读 records interpret one of them.
var Genres = []string{"规章", "行政规范性文件", "政策文件", "政策解读", "通知公告", "动态要闻", "人事信息", "规划计划", "财政预决算", "其他"}

// PolicyGenres are the genres gathered in the policy library.
var PolicyGenres = []string{"规章", "行政规范性文件", "政策文件"}

// GenreInterpretation is the genre of a 政策解读.
const GenreInterpretation = "政策解读"

// GenreNormative is the genre whose submission requires an interpretation
// plan or a recorded reason for none (三同步).
const GenreNormative = "行政规范性文件"

// IsPolicy reports whether a genre belongs to the policy library.
func IsPolicy(genre string) bool { return slices.Contains(PolicyGenres, genre) }

// DocKinds (文种) after 《党政机关公文处理工作条例》 第八条 (15 kinds), plus the
// names 规章 and 规范性文件 commonly carry.
var DocKinds = []string{"决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示", "批复",
	"议案", "函", "纪要", "办法", "规定", "细则", "规则", "方案", "规划", "其他"}

// GuessDocKind reads the 文种 off a title (…的通知, …管理办法, …实施细则);
// "" when the title names none.
func GuessDocKind(title string) string {
	t := strings.TrimSpace(title)
	// A trailing parenthetical (（试行）, （2019年版）, (修订)) is not the kind.
	for _, p := range [][2]string{{"（", "）"}, {"(", ")"}} {
		if strings.HasSuffix(t, p[1]) {
			if i := strings.LastIndex(t, p[0]); i > 0 {
				t = strings.TrimSpace(t[:i])
			}
		}
	}
	best := ""
	for _, k := range DocKinds {
		if k == "其他" || k == "函" {
			continue
		}
		if strings.HasSuffix(t, k) && len(k) > len(best) {
			best = k
		}
	}
	if best == "" && strings.HasSuffix(t, "函") {
		best = "函"
	}
	return best
}

// InterpForms are the forms of an interpretation (解读形式).
var InterpForms = []string{"文字", "图解", "视频", "问答", "新闻发布会"}

// Topics (主题分类) after the State Council's classification, top level.
var Topics = []string{"综合政务", "国民经济管理、国有资产监管", "财政、金融、审计", "国土资源、能源", "农业、林业、水利",
	"工业、交通", "商贸、海关、旅游", "市场监管、安全生产监管", "城乡建设、环境保护", "科技、教育", "文化、广电、新闻出版",
	"卫生、体育", "人口与计划生育、妇女儿童工作", "劳动、人事、监察", "公安、安全、司法", "民政、扶贫、救灾", "其他"}

// Attributes (公开属性), decided at the source.
const (
	Proactive = "proactive"  // 主动公开
	OnRequest = "on_request" // 依申请公开
	Withheld  = "withheld"   // 不予公开
)

// AttributeLabel is the Chinese name of an attribute.
func AttributeLabel(a string) string {
	return map[string]string{Proactive: "主动公开", OnRequest: "依申请公开", Withheld: "不予公开"}[a]
}

// WithheldReasons are the 不予公开 categories of the annual report
// (rules.md §3.2, (三) 1–8); a withheld record must name one.
var WithheldReasons = []string{
	"属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
	"属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项",
}

// Validity (有效性).
const (
	ValidCurrent   = "current"   // 现行有效
	ValidAmended   = "amended"   // 已修改
	ValidAbolished = "abolished" // 已废止
	ValidExpired   = "expired"   // 已失效
)

// ValidityLabel is the Chinese name of a validity.
func ValidityLabel(v string) string {
	return map[string]string{ValidCurrent: "现行有效", ValidAmended: "已修改", ValidAbolished: "已废止", ValidExpired: "已失效"}[v]
}

// Fields are what an editor fills in.
type Fields struct {
	Title          string
	DocNo          string // 文号
	Summary        string // 内容概述
	Keywords       string // 主题词
	Topic          string // 主题分类
	Genre          string // 体裁
	WrittenOn      string // 成文日期, YYYY-MM-DD or ""
	FormedOn       string // 形成日期, YYYY-MM-DD (the 20-working-day clock starts here)
	CatalogKey     string // the catalog item this record fulfils
	Attribute      string
	WithheldReason string
	Body           string // sanitized HTML
	ValidUntil     string // 有效期至, YYYY-MM-DD or "" (the sweep lists records past it)
	DocKind        string // 文种; guessed from the title when empty
	DomainID       string // 领域 (catalog domain); taken from the catalog item when empty

	// Interpretations (genre 政策解读): the policy explained and who answers for it.
	InterpretsID  string
	InterpForm    string // 解读形式
	InterpOrg     string // 解读机关
	InterpDept    string // 解读科室
	InterpContact string // 联系方式

	// Policies: the 解读方案 or the reason there will be none (三同步).
	InterpPlan     string
	NoInterpReason string
}

// Record is a 政府信息 record.
type Record struct {
	ID     string
	OrgID  string
	Status string
	Step   int // during review: the 1-based approval step awaiting a decision
	Fields
	Validity        string
	ValidityOn      string // date of the change
	ReplacedBy      string // record id of the replacing record
	IndexNo         string
	PublishedAt     time.Time
	PublishedOn     string
	LagWorkdays     int // -1 when it could not be computed (no calendar for a year)
	LimitText       string
	Late            bool
	WithdrawnReason string
	RejectedReason  string
	AuthorID        string
	AuthorName      string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// StatusLabel is the status in Chinese.
func (r Record) StatusLabel() string {
	switch r.Status {
	case StatusDraft:
		if r.RejectedReason != "" {
			return "已退回"
		}
		return "草稿"
	case StatusReview:
		return "审核中"
	case StatusPublished:
		return "已发布"
	case StatusWithdrawn:
		return "已撤回"
	}
	return r.Status
}

// Review is one decision in a review round.
type Review struct {
	Round            int
	Step             int
	Role             org.Role
	Decision         string // submit, approve, reject
	ActorID          string
	ActorName        string
	SecrecyConfirmed bool
	PrivacyGround    string
	Comment          string
	At               time.Time
}

// Attachment is a file of a record, stored once by its SHA-256.
type Attachment struct {
	Hash        string
	Name        string
	Size        int64
	ContentType string
}
