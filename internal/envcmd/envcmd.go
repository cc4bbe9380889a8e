// Package envcmd is what the commands that act on one deployed environment
// (preflight, verify) share: the environment named on the command line
// before or after the flags, and a report that is written as a table or as
// JSON and decides the exit code.
package envcmd

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// ParseArgs parses args into flags, with one environment before or after
// the flags ("ENV [flags]" or "[flags] ENV"). On a usage error it has said
// so on the flag set's output and returns false.
func ParseArgs(flags *flag.FlagSet, args []string) (env string, ok bool) {
	if err := flags.Parse(args); err != nil {
		return "", false
	}
	if flags.NArg() > 0 {
		env = flags.Arg(0)
		if err := flags.Parse(flags.Args()[1:]); err != nil {
			return "", false
		}
	}
	if env == "" || flags.NArg() != 0 {
		fmt.Fprintf(flags.Output(), "%s: name one environment, e.g. ./scripts/%s dev\n", flags.Name(), flags.Name())
		return "", false
	}
	return env, true
}

// Report is what a command found.
type Report interface {
	// WriteTable writes the report for a reader.
	WriteTable(w io.Writer) error
	// WriteJSON writes the report for a program.
	WriteJSON(w io.Writer) error
}

// Finish writes the report of command name to stdout, as JSON when asJSON
// is set, and returns the exit code: 0 when the report passed; 1 when it
// did not, or when err says the command could not run or the report could
// not be written, which is then one line on stderr.
func Finish(name string, report Report, passed bool, err error, asJSON bool, stdout, stderr io.Writer) int {
	if err == nil {
		write := report.WriteTable
		if asJSON {
			write = report.WriteJSON
		}
		err = write(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", name, FirstLine(err))
		return 1
	}
	if !passed {
		return 1
	}
	return 0
}

// FirstLine is the first line of err's message: what a one-line report
// shows of an error whose message goes on (such as the AWS SDK's).
func FirstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}
