// Package info owns 政府信息 records for proactive disclosure: their
// metadata and 公开属性, the review flow (先审后发, 一事一审: an editor submits,
// then each configured role approves with a 保密审查 confirmation), gapless
// 索引号 assigned at publication, the publication lag in working days,
// 有效性 afterwards (修改/废止/失效, 谁公开谁清理), withdrawal, and
// attachments stored by content hash.
package info

import (
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

// Genres (体裁) every org has; the list is the minimum.
var Genres = []string{"政策文件", "行政规范性文件", "通知公告", "动态要闻", "人事信息", "规划计划", "财政预决算", "其他"}

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
