// Command gongkai is the whole platform in one binary; see `gongkai help`.
package main

import (
	"os"

	"gongkai.dev/gongkai/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
