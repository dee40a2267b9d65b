// Command searchbench measures the gongkai search index against Bleve on a synthetic corpus of
// Chinese government documents. See bench/README.md.
//
//	searchbench gen     -n N [-seed S] -out corpus.bin
//	searchbench queries -n N [-seed S] -out queries.json
//	searchbench build   -engine gongkai|bleve -n N [-seed S] -dir DIR [-corpus corpus.bin]
//	searchbench query   -engine gongkai|bleve -dir DIR [-queries queries.json]
//	searchbench all     -n N [-seed S] [-bleve-max M] [-work DIR]
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// processStart is taken as early as the program can: the start of main's package initialisation.
var processStart = time.Now()

func usage() {
	fmt.Fprint(os.Stderr, `usage: searchbench <command> [flags]

commands:
  gen      write a corpus file (documents in publication order)
  queries  measure the corpus and write the query sets (JSON)
  build    index the corpus with one engine, save the index, report docs/s, size, peak RSS
  query    reopen a saved index in this process and run every query class
  all      queries + build + query for both engines (each step in its own process), markdown report

run "searchbench <command> -h" for the flags of a command.
`)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "gen":
		err = cmdGen(args)
	case "queries":
		err = cmdQueries(args)
	case "build":
		err = cmdBuild(args)
	case "query":
		err = cmdQuery(args)
	case "all":
		err = cmdAll(args)
	case "-h", "-help", "--help", "help":
		usage()
	default:
		fmt.Fprintf(os.Stderr, "searchbench: unknown command %q\n", cmd)
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "searchbench %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

// procStatus returns a field of /proc/self/status in bytes (VmHWM, VmRSS).
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, field+":") {
			continue
		}
		fs := strings.Fields(line[len(field)+1:])
		if len(fs) == 0 {
			return -1
		}
		kb, _ := strconv.ParseInt(fs[0], 10, 64)
		return kb * 1024
	}
	return -1
}

func peakRSS() int64 { return procStatus("VmHWM") }

// loadAvg returns the 1-minute load average (other work on this shared machine skews timings).
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	fs := strings.Fields(string(b))
	if len(fs) == 0 {
		return -1
	}
	x, _ := strconv.ParseFloat(fs[0], 64)
	return x
}
func curRSS() int64 { return procStatus("VmRSS") }

// dirSize is the disk usage of a tree (allocated blocks, like du).
func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := statBlocks(info); ok {
			total += st
		} else if !d.IsDir() {
			total += info.Size()
		}
		return nil
	})
	return total, err
}

func fmtBytes(b int64) string {
	switch {
	case b < 0:
		return "?"
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
	default:
		return fmt.Sprintf("%.0f KB", float64(b)/(1<<10))
	}
}

// fmtInt writes 1234567 as 1,234,567.
func fmtInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// percentile returns the nearest-rank percentile (p in 0..100) of sorted durations, in ms.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	k := int(p/100*float64(len(sorted))+0.999999) - 1
	k = max(0, min(len(sorted)-1, k))
	return float64(sorted[k]) / float64(time.Millisecond)
}

func sortDurations(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

func machine() string {
	return fmt.Sprintf("%s, %s/%s, %d CPUs", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
}
