package textsearch

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
)

// A reproducible synthetic corpus of government-style Chinese documents: words drawn from a
// Zipf distribution over a large vocabulary (real words at the top ranks, generated ones in
// the tail), ~1,000 characters per body, issuer (50), year (2000–2026), kind (8) and
// validity (3) facets. Used by the benchmark (bench_test.go) and the property tests.

const realWords = "工作 发展 建设 管理 服务 推进 加强 单位 政府 部门 国家 经济 社会 规定 实施 落实 企业 项目 资金 财政 " +
	"预算 改革 政策 制度 安全 组织 责任 检查 监督 重点 有关 办法 通知 文件 人员 标准 情况 要求 相关 机制 " +
	"体系 质量 保障 教育 卫生 环境 生态 保护 民生 群众 基层 乡村 振兴 城乡 公共 信息 公开 政务 审批 行政 " +
	"执法 法律 法规 条例 措施 方案 计划 目标 任务 考核 评估 报告 统计 数据 系统 平台 建立 完善 健全 提高 " +
	"提升 促进 推动 开展 做好 确保 按照 根据 结合 全面 深入 持续 稳定 创新 协调 绿色 开放 共享 改善 优化 " +
	"营商 市场 主体 产业 农业 工业 科技 人才 就业 社保 医疗 养老 住房 交通 水利 能源 应急 防控 消防 生产 " +
	"食品 药品 税收 收入 支出 补助 专项 债券 审计 采购 招标 合同 资产 国有 土地 规划 自然 资源 文化 旅游 " +
	"体育 民政 救助 残疾 儿童 妇女 老年 退役 军人 街道 社区 乡镇 村民 居民 委员会 办公室 人民 代表 会议 决定 " +
	"意见 通报 批复 公告 年度 季度 总结 进一步 高质量 现代化 治理 能力 水平 党委 领导 干部 作风 廉政 纪律 " +
	"宣传 培训 指导 协作 联动 网格 台账 整改 问题 风险 隐患 排查 专题 调研 督查 通知如下 各单位 认真 贯彻 执行"

const commonChars = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"

var (
	genKinds    = []string{"通知", "意见", "办法", "批复", "报告", "决定", "通报", "规划"}
	genValidity = []string{"现行有效", "已修改", "已废止"}
	genAbbr     = []string{"闽", "榕", "厦", "泉", "漳", "莆", "宁", "龙", "三", "南"}
)

type corpus struct {
	vocab []string
	cdf   []float64
	rng   *rand.Rand
	words int
	// statistics for choosing queries
	df      []int32
	lastDoc []int32
	triples []string
	n       int
}

func newCorpus(seed uint64, vocabSize int) *corpus {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	c := &corpus{rng: rng}
	seen := map[string]bool{}
	for _, w := range strings.Fields(realWords) {
		if !seen[w] {
			seen[w] = true
			c.vocab = append(c.vocab, w)
		}
	}
	chars := []rune(commonChars)
	pick := func() rune { // skewed towards the front of the list
		return chars[int(math.Pow(rng.Float64(), 1.8)*float64(len(chars)))]
	}
	for len(c.vocab) < vocabSize {
		n := 2
		switch x := rng.IntN(10); {
		case x >= 9:
			n = 4
		case x >= 7:
			n = 3
		}
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = pick()
		}
		w := string(rs)
		if !seen[w] {
			seen[w] = true
			c.vocab = append(c.vocab, w)
		}
	}
	c.cdf = make([]float64, len(c.vocab))
	sum := 0.0
	for i := range c.vocab {
		sum += 1 / float64(i+1)
		c.cdf[i] = sum
	}
	for i := range c.cdf {
		c.cdf[i] /= sum
	}
	c.df = make([]int32, len(c.vocab))
	c.lastDoc = make([]int32, len(c.vocab))
	for i := range c.lastDoc {
		c.lastDoc[i] = -1
	}
	return c
}

func (c *corpus) word() int {
	x := c.rng.Float64()
	i, _ := slices.BinarySearch(c.cdf, x)
	return min(i, len(c.vocab)-1)
}

// doc generates document number i.
func (c *corpus) doc(i int, bodyRunes int) Doc {
	rng := c.rng
	var b strings.Builder
	runes := 0
	clause := 0
	var prev [2]int
	for runes < bodyRunes {
		w := c.word()
		if c.lastDoc[w] != int32(i) {
			c.lastDoc[w] = int32(i)
			c.df[w]++
		}
		b.WriteString(c.vocab[w])
		runes += len([]rune(c.vocab[w]))
		clause++
		if clause >= 3 && i%50 == 0 && len(c.triples) < 5000 && rng.IntN(40) == 0 {
			c.triples = append(c.triples, c.vocab[prev[0]]+c.vocab[prev[1]]+c.vocab[w])
		}
		prev[0], prev[1] = prev[1], w
		if clause >= 3 && rng.IntN(5) == 0 {
			if rng.IntN(3) == 0 {
				b.WriteString("。")
			} else {
				b.WriteString("，")
			}
			runes++
			clause = 0
		}
	}
	b.WriteString("。")
	org := rng.IntN(50)
	year := 2000 + rng.IntN(27)
	kind := rng.IntN(8)
	val := 0
	if x := rng.IntN(10); x == 9 {
		val = 2
	} else if x == 8 {
		val = 1
	}
	title := "关于" + c.vocab[c.word()] + c.vocab[c.word()] + c.vocab[c.word()] + "的" + genKinds[kind]
	docNo := fmt.Sprintf("%s政办〔%d〕%d号", genAbbr[org%len(genAbbr)], year, 1+rng.IntN(200))
	date := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC).Unix() + int64(rng.IntN(365*86400))
	tier := 0
	if val == 2 {
		tier = 1
	}
	c.n = max(c.n, i+1)
	return Doc{
		Key:   fmt.Sprintf("info/%08d", i),
		Title: title,
		DocNo: docNo,
		Body:  b.String(),
		Date:  date,
		Tier:  tier,
		Facets: map[string][]string{
			"org":      {fmt.Sprintf("org%02d", org+1)},
			"year":     {fmt.Sprint(year)},
			"kind":     {genKinds[kind]},
			"validity": {genValidity[val]},
		},
	}
}

// wordsByDF returns vocabulary words whose document frequency lies in [lo, hi] (fractions
// of the documents generated), closest to the middle first.
func (c *corpus) wordsByDF(lo, hi float64, runes int) []string {
	type wd struct {
		w string
		d float64
	}
	var ws []wd
	mid := (lo + hi) / 2
	for i, w := range c.vocab {
		f := float64(c.df[i]) / float64(c.n)
		if f >= lo && f <= hi && (runes == 0 || len([]rune(w)) == runes) {
			ws = append(ws, wd{w, math.Abs(f - mid)})
		}
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].d < ws[j].d })
	out := make([]string, len(ws))
	for i := range ws {
		out[i] = ws[i].w
	}
	return out
}
