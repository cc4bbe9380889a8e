// Command verify proves that a deployed environment answers through every
// API stage from the backend its configuration names. Run it as
// ./scripts/verify ENV; -h lists the flags.
package main

import (
	"context"
	"os"
	"os/signal"

	"privatebackend/verify"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := verify.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
