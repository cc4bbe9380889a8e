package scripts_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeCommandsLeaveTheUsersShellAlone reads every shell block of the
// README: no command may be sourced or change the shell's options, working
// directory or environment, and every script it names must exist and be
// executable, so each runs in a process of its own.
func TestReadmeCommandsLeaveTheUsersShellAlone(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	if len(blocks) == 0 {
		t.Fatal("the README has no shell blocks")
	}
	shellChanging := regexp.MustCompile(`^(source|\.|cd|set|export|shopt|pushd|popd)\s`)
	script := regexp.MustCompile(`\./scripts/[a-z]+`)
	for _, b := range blocks {
		for _, line := range strings.Split(b[1], "\n") {
			command := strings.TrimSpace(line)
			if shellChanging.MatchString(command) {
				t.Errorf("README command %q changes the user's shell", command)
			}
			for _, s := range script.FindAllString(command, -1) {
				info, err := os.Stat("../" + s)
				if err != nil || info.Mode()&0o111 == 0 {
					t.Errorf("README command %q names %s, which is not an executable script", command, s)
				}
			}
		}
	}
}
