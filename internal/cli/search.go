package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/search"
)

// runSearch: search reindex | search query.
func runSearch(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"缺少子命令：reindex 或 query"}
	}
	sub, args := args[0], args[1:]
	ctx := context.Background()
	switch sub {
	case "reindex":
		f := newFlags("search reindex", true)
		a, err := f.parseOpen(ctx, args)
		if err != nil {
			return err
		}
		defer a.Close()
		if a.Search.Dir == "" {
			return usageError{"--data 不能为空：搜索索引保存在数据目录下的 search 子目录"}
		}
		a.Search.NoAutoBuild = true
		if err := a.Search.Open(ctx); err != nil {
			if errors.Is(err, search.ErrLocked) {
				return fmt.Errorf("搜索索引 %s 正被运行中的 gongkai serve 使用：请在后台“站内搜索”页重建，或停止服务后再运行本命令", a.Search.Dir)
			}
			return err
		}
		defer a.Search.Close()
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(env.Stderr), progressbar.OptionSetDescription("重建搜索索引"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		start := time.Now()
		err = a.Search.Reindex(ctx, func(done, total int) {
			bar.ChangeMax(total)
			bar.Set(done)
		})
		bar.Finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已重建搜索索引：%d 条内容，用时 %.1f 秒（%s）\n", a.Search.Len(), time.Since(start).Seconds(), a.Search.Dir)
		return nil
	case "query":
		f := newFlags("search query", true)
		kind := f.String("kind", "", "类别：policy、interp、info、catalog")
		sort := f.String("sort", "", "relevance 或 date")
		asJSON := f.Bool("json", false, "以 JSON 输出")
		if err := f.parse(args); err != nil {
			return err
		}
		if len(f.args) != 1 {
			return usageError{"用法：gongkai search query \"检索词\" [--kind policy] [--sort date] [--json]"}
		}
		a, err := f.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.Search.Open(ctx); err != nil {
			if errors.Is(err, search.ErrLocked) {
				return fmt.Errorf("搜索索引 %s 正被运行中的 gongkai serve 使用：请改用 GET /api/v1/search", a.Search.Dir)
			}
			return err
		}
		defer a.Search.Close()
		if err := a.SyncSearch(ctx); err != nil {
			return err
		}
		req := search.Request{Q: f.args[0], Sort: *sort}
		if *kind != "" {
			req.Kind = []string{*kind}
		}
		res, err := a.Search.Search(ctx, req)
		if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
			return usageError{e.Fields[0].Message}
		}
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		}
		if res.Notice != "" {
			fmt.Fprintln(env.Stdout, res.Notice)
		}
		fmt.Fprintf(env.Stdout, "共 %d 条\n", res.Total)
		for _, h := range res.Hits {
			var t strings.Builder
			for _, s := range h.Title {
				t.WriteString(s.Text)
			}
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\n", h.KindLabel, h.Date, t.String(), h.URL)
		}
		return nil
	}
	return usageError{fmt.Sprintf("未知子命令 %q：reindex 或 query", sub)}
}
