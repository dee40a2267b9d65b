package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gongkai.dev/gongkai/internal/web"
)

// runSite is "gongkai site export DIR": a static mirror of the public portal
// for nginx or a CDN (see web.Export for the layout).
func runSite(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "export" {
		return usageError{"可用子命令：export"}
	}
	f := newFlags("site export", true)
	baseURL := f.String("base-url", "", "网站地址，如 https://www.example.gov.cn")
	upstream := f.String("upstream", "127.0.0.1:8080", "nginx 示例配置中动态页面转发到的 gongkai 地址")
	force := f.Bool("force", false, "目录已存在且不为空时用新导出替换它")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	switch len(f.args) {
	case 0:
		return usageError{"缺少导出目录，例如：gongkai site export ./site"}
	case 1:
	default:
		return usageError{fmt.Sprintf("多余的参数 %q", f.args[1])}
	}
	dir := f.args[0]
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return usageError{fmt.Sprintf("%s 已存在且不是目录", dir)}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		if len(entries) > 0 && !*force {
			return usageError{fmt.Sprintf("目录 %s 已存在且不为空；确认要用新导出替换其全部内容时加 --force", dir)}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}

	ctx := context.Background()
	a, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := a.Site.Get(ctx)
	if err != nil {
		return err
	}
	configured := strings.TrimRight(st.BaseURL, "/")
	switch {
	case configured == "" && *baseURL == "":
		return usageError{"网站设置中没有填写网站地址：请用 --base-url https://域名 指定（订阅和网站地图中的链接要用它）"}
	case configured != "" && *baseURL != "" && strings.TrimRight(*baseURL, "/") != configured:
		fmt.Fprintf(env.Stderr, "注意：订阅和网站地图中的链接使用网站设置中的网站地址 %s，而不是 --base-url\n", configured)
	}

	var mu sync.Mutex
	last := time.Time{}
	progress := func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if done == total || time.Since(last) >= 200*time.Millisecond {
			last = time.Now()
			fmt.Fprintf(env.Stderr, "\r正在导出：%d/%d", done, total)
			if done == total {
				fmt.Fprintln(env.Stderr)
			}
		}
	}
	stats, err := a.Web.Export(ctx, web.ExportOptions{Dir: dir, BaseURL: *baseURL, Upstream: *upstream, Progress: progress})
	if err != nil {
		return fmt.Errorf("导出失败（%s 未改动）：%s", dir, message(err))
	}
	abs, _ := filepath.Abs(dir)
	fmt.Fprintf(env.Stdout, "已导出到 %s：%d 个文件（页面 %d、附件 %d），%.1f MB，用时 %.1f 秒\n",
		abs, stats.Files, stats.Pages, stats.Attachments, float64(stats.Bytes)/(1<<20), stats.Duration.Seconds())
	fmt.Fprintf(env.Stdout, "nginx 配置示例：%s\n", filepath.Join(abs, "nginx.conf.example"))
	return nil
}
