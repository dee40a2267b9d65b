package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"gongkai.dev/gongkai/internal/report"
	"gongkai.dev/gongkai/internal/workday"
)

// runReport: report annual — one org's annual report in the format asked
// for. A published report is its snapshot; a draft is computed now and
// said to be one, with any broken 勾稽 rule listed on stderr.
func runReport(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "annual" {
		return usageError{"缺少子命令：annual"}
	}
	f := newFlags("report annual", true)
	code := f.String("org", "", "机构代码（统一社会信用代码）")
	year := f.String("year", "", "年度（默认上一年）")
	format := f.String("format", "json", "json、docx、xlsx 或 html")
	out := f.String("o", "", "输出文件（默认标准输出）")
	ctx := context.Background()
	a, err := f.parseOpen(ctx, args[1:])
	if err != nil {
		return err
	}
	defer a.Close()
	if *code == "" {
		return usageError{"需要 --org 机构代码"}
	}
	y := workday.DateOf(time.Now()).Year - 1
	if *year != "" {
		if y, err = strconv.Atoi(*year); err != nil || len(*year) != 4 {
			return usageError{fmt.Sprintf("--year：%q 不是四位数的年度", *year)}
		}
	}
	switch *format {
	case "json", "docx", "xlsx", "html":
	default:
		return usageError{"--format 只能是 json、docx、xlsx 或 html"}
	}
	o, err := a.Orgs.GetOrgByCode(ctx, *code)
	if err != nil {
		return usageError{fmt.Sprintf("--org：没有机构代码为 %s 的机构", *code)}
	}
	d, err := a.Report.Current(ctx, o.ID, y)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	switch *format {
	case "json":
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		err = enc.Encode(d)
	case "docx":
		err = report.WriteDOCX(&b, d)
	case "xlsx":
		err = report.WriteXLSX(&b, d)
	case "html":
		err = report.WriteHTML(&b, d)
	}
	if err != nil {
		return err
	}
	if d.Status != report.StatusPublished {
		fmt.Fprintf(env.Stderr, "注意：%s尚未发布，输出的是按当前数据生成的草稿。\n", d.Title)
	}
	for _, p := range report.Validate(d.Tables()) {
		fmt.Fprintln(env.Stderr, "勾稽关系不符："+p.Message)
	}
	if *out == "" {
		_, err = env.Stdout.Write(b.Bytes())
		return err
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		return usageError{fmt.Sprintf("-o：%v", err)}
	}
	fmt.Fprintf(env.Stderr, "已输出《%s》到 %s\n", d.Title, *out)
	return nil
}
