// Command preflight checks, read-only, that an environment can be deployed
// to its account and region before "cdk deploy" spends minutes finding out.
// Run it as ./scripts/preflight ENV; -h lists the flags.
package main

import (
	"context"
	"os"
	"os/signal"

	"privatebackend/preflight"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := preflight.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
