// Package golden says whether the tests compare their golden files (the
// snapshots, the generated schema and key tables, the Control Tower
// outcomes) or rewrite them. It defines the -update flag of the test
// binaries that import it; ./scripts/test -update asks every package at
// once through Env. It imports nothing of the project, so a package's tests
// can take the flag without linking the rest of the test machinery.
package golden

import (
	"flag"
	"os"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ (and the generated files) instead of comparing")

// Env is the environment variable that asks for -update in every package
// at once: ./scripts/test -update sets it, since go test ./... would refuse
// the flag in the packages that do not import this one.
const Env = "PRIVATEBACKEND_UPDATE"

// Updating reports whether the tests run with -update (or Env set to 1):
// golden files are to be rewritten, not compared.
func Updating() bool { return *update || os.Getenv(Env) == "1" }
