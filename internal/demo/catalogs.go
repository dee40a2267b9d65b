package demo

import (
	"context"
	"fmt"

	"gongkai.dev/gongkai/internal/audit"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/org"
)

// seedCatalogs gives the demo district catalogs in every state: published
// ones from the domain templates, a street with a published 2025 version
// and a 2026 revision draft (edited, added and removed items, one 公开时限
// the system cannot read), and a community whose item differs from the
// street's, so the consistency check has something to show.
func seedCatalogs(ctx context.Context, orgs *org.Service, cat *catalog.Service, ids map[string]string) error {
	doms, err := cat.Domains(ctx)
	if err != nil {
		return err
	}
	byName := map[string]string{}
	for _, d := range doms {
		byName[d.Name] = d.ID
	}
	pick := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, byName[n])
		}
		return out
	}
	editor := audit.Actor{ID: "system:demo", Name: "系统（写入演示数据）"}
	publish := func(short string, year int, domains ...string) (catalog.Version, error) {
		v, err := cat.StartDraft(ctx, editor, ids[short], year, pick(domains...))
		if err != nil {
			return v, fmt.Errorf("%s: %w", short, err)
		}
		if err := cat.Publish(ctx, editor, v.ID); err != nil {
			return v, fmt.Errorf("%s: %w", short, err)
		}
		return v, nil
	}
	all := []string{"社会救助", "养老服务", "义务教育", "财政预决算", "就业", "社会保险", "医疗卫生", "公共文化服务", "户籍管理", "涉农补贴"}
	if _, err := publish("示范区", 2026, all...); err != nil {
		return err
	}
	if _, err := publish("区民政局", 2026, "社会救助", "养老服务"); err != nil {
		return err
	}
	if _, err := publish("青石镇", 2026, all...); err != nil {
		return err
	}
	if _, err := publish("东湖街道", 2025, all...); err != nil {
		return err
	}
	community, err := cat.StartDraft(ctx, editor, ids["湖滨社区"], 2026, pick("社会救助", "养老服务", "就业", "公共文化服务"))
	if err != nil {
		return err
	}
	items, err := cat.Items(ctx, community.ID)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Level1 == "临时救助" {
			// Differs from 东湖街道's content: the check lists it.
			it.Content = "申请条件、救助标准、办理流程"
			if _, err := cat.SaveItem(ctx, editor, community.ID, it.ID, it.DomainID, it.ItemFields); err != nil {
				return err
			}
		}
	}
	if err := cat.Publish(ctx, editor, community.ID); err != nil {
		return fmt.Errorf("湖滨社区: %w", err)
	}

	// 东湖街道's 2026 revision, in progress.
	draft, err := cat.StartDraft(ctx, editor, ids["东湖街道"], 2026, nil)
	if err != nil {
		return err
	}
	items, err = cat.Items(ctx, draft.ID)
	if err != nil {
		return err
	}
	for _, it := range items {
		switch {
		case it.Level1 == "最低生活保障" && it.Level2 == "办事指南":
			it.Content += "、线上申请入口"
			it.Channels = append(it.Channels, "两微一端")
		case it.Level1 == "养老服务补贴" && it.Level2 == "发放情况":
			it.TimeLimit = catalog.TimeLimit{Text: "每季度更新"}
		case it.Level1 == "耕地地力保护补贴":
			if err := cat.DeleteItem(ctx, editor, draft.ID, it.ID); err != nil {
				return err
			}
			continue
		default:
			continue
		}
		if _, err := cat.SaveItem(ctx, editor, draft.ID, it.ID, it.DomainID, it.ItemFields); err != nil {
			return err
		}
	}
	_, err = cat.SaveItem(ctx, editor, draft.ID, "", byName["养老服务"], catalog.ItemFields{
		Level1: "老年助餐服务", Level2: "助餐点信息", Content: "社区长者食堂和助餐点名称、地址、供餐时间、收费标准",
		Basis: "《中华人民共和国老年人权益保障法》", TimeLimit: catalog.TimeLimit{Text: "信息形成或者变更之日起20个工作日内"},
		Subject: "示范区东湖街道办事处", Channels: []string{"政府网站", "两微一端", "社区/企事业单位/村公示栏（电子屏）"},
		Audience: []string{"全社会"}, Method: []string{"主动"}, Levels: []string{"乡级"}, FiveTag: "服务公开"})
	return err
}
