package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"gongkai.dev/gongkai/internal/app"
	"gongkai.dev/gongkai/internal/dbtest"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
)

// A serving process is killed with SIGKILL after a change was committed and
// before the search index applied it; the next start replays the change log
// and the change is searchable. The change is committed by another process
// (this test, through the services), as a second replica or a CLI command
// would; the serving process picks it up from the log and dies applying it
// (GONGKAI_TEST_CRASH_AFTER_COMMIT).
func TestKill9BetweenCommitAndIndexUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "gongkai")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dbURL, dir := dbtest.URL(t)
	dbArgs := []string{"--data", dir}
	if dbURL != "" {
		dbArgs = append(dbArgs, "--db", dbURL)
	}
	if out, err := exec.Command(bin, append([]string{"demo"}, dbArgs...)...).CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	const q = "河湖长制巡查"
	base, cmd := startServe(t, bin, dbArgs, "GONGKAI_TEST_CRASH_AFTER_COMMIT=1")
	if n := searchTotal(t, base, q); n != 0 {
		t.Fatalf("before: %d hits", n)
	}
	publishFromOutside(t, dir, dbURL, "示范区河湖长制巡查工作办法")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("server did not die by SIGKILL: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not pick up the change within 30 s")
	}
	base, cmd = startServe(t, bin, dbArgs)
	if n := searchTotal(t, base, q); n != 1 {
		t.Fatalf("after restart: %d hits, want 1 (the change log was not replayed)", n)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
}

func startServe(t *testing.T, bin string, dbArgs []string, env ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, dbArgs...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	re := regexp.MustCompile(`门户网站：(http://127\.0\.0\.1:\d+)/`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stdout)
			return m[1], cmd
		}
	}
	t.Fatal("serve printed no address")
	return "", nil
}

func searchTotal(t *testing.T, base, q string) int {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/search?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Total int }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("search: %d %v", resp.StatusCode, err)
	}
	return out.Total
}

// publishFromOutside publishes a record through the services on the same
// database, without a search index of its own.
func publishFromOutside(t *testing.T, dir, dbURL, title string) {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir, DBURL: dbURL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	p := func(name string) *org.Principal {
		u, err := a.Orgs.GetUserByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := a.Orgs.Grants(ctx, u.ID)
		return &org.Principal{User: u, Grants: g}
	}
	ed := p("zfb.editor")
	r, err := a.Info.Create(ctx, ed, "", ed.User.OrgID, info.Fields{Title: title, Genre: "政策文件", FormedOn: time.Now().Format("2006-01-02"),
		Attribute: info.Proactive, Body: "<p>" + strings.Repeat("河湖长制巡查。", 3) + "</p>"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Info.Submit(ctx, ed, "", r.ID, ""); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"zfb.reviewer", "zfb.leader"} {
		if _, err := a.Info.Approve(ctx, p(n), "", r.ID, info.Decision{SecrecyConfirmed: true}); err != nil {
			t.Fatal(err)
		}
	}
}
