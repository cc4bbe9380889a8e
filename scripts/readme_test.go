package scripts_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	// Defines -update, which ./scripts/test -update passes to every package.
	_ "privatebackend/internal/testsupport/golden"
)

// root is the project's root, relative to this package.
const root = ".."

// maxReadmeLines is how long the README may be: a newcomer reads it in ten
// minutes, and the rest lives in docs/ (issue #28).
const maxReadmeLines = 200

// docPages are the pages the tests read: the README, CONTRIBUTING.md and
// every page of docs/, relative to root.
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md", "CONTRIBUTING.md"}
	for _, p := range pages {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rel)
	}
	return out
}

// command is one command a page shows.
type command struct {
	page string
	line int
	text string
	// output is what an output example shows the command printing (the
	// lines after "$ COMMAND" up to the next one or the block's end); nil
	// for a command of a shell block.
	output []string
}

func (c command) String() string { return fmt.Sprintf("%s:%d: %q", c.page, c.line, c.text) }

// shellBlock is the info string of a fenced block whose every line is a
// command.
var shellBlock = regexp.MustCompile(`^(sh|bash|shell)$`)

// markdown is a page split into what the tests read: the commands of its
// fenced blocks, and its prose (every line outside a fence).
type markdown struct {
	commands []command
	prose    []string
}

// readPage reads a page. Every line of a sh, bash or shell block is a
// command (comments and "\" continuations aside); in any other block, a
// line starting with "$ " is a command whose output follows it.
func readPage(t *testing.T, page string) markdown {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, page))
	if err != nil {
		t.Fatal(err)
	}
	var md markdown
	inFence, shell := false, false
	var example *command
	pending, pendingLine := "", 0
	for i, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inFence = !inFence
			shell = inFence && shellBlock.MatchString(strings.TrimPrefix(trimmed, "```"))
			if example != nil {
				md.commands = append(md.commands, *example)
				example = nil
			}
			continue
		}
		if !inFence {
			md.prose = append(md.prose, line)
			continue
		}
		switch {
		case shell:
			if pending == "" {
				pendingLine = i + 1
			}
			text := stripComment(trimmed)
			if cont, ok := strings.CutSuffix(text, `\`); ok {
				pending += cont + " "
				continue
			}
			text = strings.TrimSpace(pending + text)
			pending = ""
			if text != "" {
				md.commands = append(md.commands, command{page: page, line: pendingLine, text: text})
			}
		case strings.HasPrefix(trimmed, "$ "):
			if example != nil {
				md.commands = append(md.commands, *example)
			}
			example = &command{page: page, line: i + 1, text: strings.TrimPrefix(trimmed, "$ "), output: []string{}}
		case example != nil:
			example.output = append(example.output, strings.TrimRight(line, " "))
		}
	}
	return md
}

// stripComment drops a shell comment: "#" at the start or after a space,
// outside quotes.
func stripComment(line string) string {
	quote := rune(0)
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || line[i-1] == ' '):
			return strings.TrimSpace(line[:i])
		}
	}
	return line
}

// commandClass is how the tests hold a command true: by running it, or by
// what it needs that a test cannot give it.
type commandClass struct {
	pattern *regexp.Regexp
	// run: the test runs the command from the project's root. A shell
	// block's command must succeed; an output example's must print
	// exactly the output the page shows.
	run bool
	// why names what the command needs when it is not run.
	why string
	// check holds a command that is not run to what can be checked here.
	check func(t *testing.T, c command)
}

var commandClasses = []commandClass{
	{pattern: regexp.MustCompile(`^\./scripts/validate( |$)`), run: true},
	{pattern: regexp.MustCompile(`^\./scripts/test( |$)`), why: "the suite itself: .ci/run runs it",
		check: mentionedIn(".ci/run", "./scripts/test")},
	{pattern: regexp.MustCompile(`^\./scripts/synth( |$)`), why: "a synthesis, which CI runs and the app tests run in process",
		check: mentionedIn(".github/workflows/ci.yml", "./scripts/synth")},
	{pattern: regexp.MustCompile(`^\./scripts/cdk (bootstrap|deploy)( |$)`), why: "needs an AWS account"},
	{pattern: regexp.MustCompile(`^(AWS_PROFILE=\S+ )?\./scripts/(preflight|verify)( |$)`), why: "needs an AWS account"},
	{pattern: regexp.MustCompile(`^aws `), why: "needs an AWS account"},
	{pattern: regexp.MustCompile(`^git diff( |$)`), why: "shows the reviewer what -update changed"},
	{pattern: regexp.MustCompile(`^\./bench/run( |$)`), why: "the benchmark, minutes long, run by hand on a quiet machine"},
}

// mentionedIn checks that a file the command's class relies on names it.
func mentionedIn(file, text string) func(t *testing.T, c command) {
	return func(t *testing.T, c command) {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil || !strings.Contains(string(data), text) {
			t.Errorf("%v is classified as run by %s, which does not run %s (%v)", c, file, text, err)
		}
	}
}

// shellChanging matches a command that would change the reader's shell
// if it were pasted there.
var shellChanging = regexp.MustCompile(`^(source|\.|cd|set|export|shopt|pushd|popd)\s`)

// TestDocCommandsAreRunOrClassified reads every command the README,
// CONTRIBUTING.md and docs/ show. None may change the reader's shell;
// every script it names exists and is executable; every environment and
// backend it names is one of the examples' (docExamples); and each command
// is run here or belongs to a class that says what it needs.
func TestDocCommandsAreRunOrClassified(t *testing.T) {
	defined := configuredEnvironments(t)
	ran := map[string]bool{}
	total := 0
	for _, page := range docPages(t) {
		for _, c := range readPage(t, page).commands {
			total++
			if shellChanging.MatchString(c.text) {
				t.Errorf("%v changes the reader's shell", c)
			}
			checkScripts(t, c)
			checkEnvironments(t, c, docExamples)
			i := slices.IndexFunc(commandClasses, func(k commandClass) bool { return k.pattern.MatchString(c.text) })
			if i < 0 {
				t.Errorf("%v is neither run by this test nor classified: add it to commandClasses", c)
				continue
			}
			class := commandClasses[i]
			if class.check != nil {
				class.check(t, c)
			}
			key := c.text + "\x00" + strings.Join(c.output, "\n")
			if class.run && !ran[key] {
				ran[key] = true
				if missing := undefinedEnvironment(c, defined); missing != "" {
					t.Logf("%v not run: this cdk.json, a team's own, defines no environment %q", c, missing)
					continue
				}
				runCommand(t, c)
			}
		}
	}
	if total == 0 || len(ran) == 0 {
		t.Fatalf("found %d commands, ran %d: the pages' blocks were not read", total, len(ran))
	}
}

// runCommand runs c from the project's root.
func runCommand(t *testing.T, c command) {
	t.Helper()
	cmd := exec.Command("bash", "-c", c.text)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	got := strings.TrimRight(string(out), "\n")
	if c.output == nil {
		if err != nil {
			t.Errorf("%v failed (%v):\n%s", c, err, got)
		}
		return
	}
	want := strings.TrimRight(strings.Join(c.output, "\n"), "\n")
	if got != want {
		t.Errorf("%v prints what the page does not show (exit: %v)\npage:\n%s\ncommand:\n%s", c, err, want, got)
	}
}

// script matches a script a command names.
var script = regexp.MustCompile(`\./(scripts|bench)/[a-z]+`)

func checkScripts(t *testing.T, c command) {
	t.Helper()
	for _, s := range script.FindAllString(c.text, -1) {
		info, err := os.Stat(filepath.Join(root, s))
		if err != nil || info.Mode()&0o111 == 0 {
			t.Errorf("%v names %s, which is not an executable script", c, s)
		}
	}
}

var (
	contextEnv = regexp.MustCompile(`-c env=([^\s']+)`)
	envCommand = regexp.MustCompile(`\./scripts/(preflight|verify) ([^\s-]\S*)`)
	stackPath  = regexp.MustCompile(`(?:^|\s)'?([A-Za-z][\w-]*)/([\w*-]+)'?`)
)

// docExamples are the environments of the shipped cdk.json and their
// backends, which the docs' examples name; a team's own cdk.json replaces
// them, so the docs are held to this list, and the list to cdk.json when
// it is the shipped one (TestDocExamplesAreTheShippedEnvironments).
var docExamples = map[string][]string{"dev": {"blue", "green"}, "prod": {"blue", "green"}}

// checkEnvironments checks that the environments (-c env=NAME, the ENV of
// preflight and verify, the ENV/STACK selectors of cdk) and backends
// (ENV/Backend-NAME) a command names are known ones.
func checkEnvironments(t *testing.T, c command, known map[string][]string) {
	t.Helper()
	var names []string
	for _, m := range contextEnv.FindAllStringSubmatch(c.text, -1) {
		names = append(names, m[1])
	}
	for _, m := range envCommand.FindAllStringSubmatch(c.text, -1) {
		names = append(names, m[2])
	}
	if strings.HasPrefix(c.text, "./scripts/cdk ") {
		for _, m := range stackPath.FindAllStringSubmatch(c.text, -1) {
			if strings.HasPrefix(m[1], "ApiGatewayAccount") {
				continue
			}
			names = append(names, m[1])
			if backend, ok := strings.CutPrefix(m[2], "Backend-"); ok && backend != "*" && !slices.Contains(known[m[1]], backend) {
				t.Errorf("%v names backend %q, which environment %s of the shipped cdk.json does not have", c, backend, m[1])
			}
		}
	}
	for _, name := range names {
		if _, ok := known[name]; !ok {
			t.Errorf("%v names environment %q, which the shipped cdk.json does not define", c, name)
		}
	}
}

// undefinedEnvironment returns the first environment c selects with
// -c env=NAME that cdk.json does not define, or "".
func undefinedEnvironment(c command, defined map[string][]string) string {
	for _, m := range contextEnv.FindAllStringSubmatch(c.text, -1) {
		if _, ok := defined[m[1]]; !ok {
			return m[1]
		}
	}
	return ""
}

// TestDocExamplesAreTheShippedEnvironments holds docExamples to cdk.json
// while cdk.json is the shipped example (it defines every environment the
// docs name); a team's own configuration skips it.
func TestDocExamplesAreTheShippedEnvironments(t *testing.T) {
	defined := configuredEnvironments(t)
	for name := range docExamples {
		if _, ok := defined[name]; !ok {
			t.Skipf("cdk.json defines no environment %q: it is a team's own, not the shipped example the docs describe", name)
		}
	}
	for name, backends := range docExamples {
		got := slices.Sorted(slices.Values(defined[name]))
		if !slices.Equal(got, backends) {
			t.Errorf("the docs' examples give environment %s the backends %v; cdk.json gives it %v", name, backends, got)
		}
	}
}

// configuredEnvironments returns the backends of every environment of
// cdk.json, by environment.
func configuredEnvironments(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cdkJSON struct {
		Context struct {
			Environments map[string]struct {
				Backends map[string]any `json:"backends"`
			} `json:"environments"`
		} `json:"context"`
	}
	if err := json.Unmarshal(data, &cdkJSON); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for name, e := range cdkJSON.Context.Environments {
		out[name] = []string{}
		for backend := range e.Backends {
			out[name] = append(out[name], backend)
		}
	}
	return out
}

// link matches a Markdown link's target.
var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinksResolve checks every relative link of the pages: its file
// exists and, with a #fragment into a Markdown page, that page has the
// heading.
func TestDocLinksResolve(t *testing.T) {
	anchors := map[string][]string{}
	anchorsOf := func(page string) []string {
		if a, ok := anchors[page]; ok {
			return a
		}
		anchors[page] = headingAnchors(readPage(t, page).prose)
		return anchors[page]
	}
	checked := 0
	for _, page := range docPages(t) {
		for _, line := range readPage(t, page).prose {
			for _, m := range link.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				file, fragment, _ := strings.Cut(target, "#")
				resolved := page
				if file != "" {
					resolved = filepath.Join(filepath.Dir(page), file)
					if _, err := os.Stat(filepath.Join(root, resolved)); err != nil {
						t.Errorf("%s: link %q: %s does not exist", page, target, resolved)
						continue
					}
				}
				if fragment != "" && strings.HasSuffix(resolved, ".md") && !slices.Contains(anchorsOf(resolved), fragment) {
					t.Errorf("%s: link %q: %s has no heading #%s", page, target, resolved, fragment)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no relative links found: the pages were not read")
	}
}

// headingAnchors returns the anchors GitHub gives a page's headings:
// lowercased, punctuation dropped, spaces turned into hyphens, a repeated
// anchor numbered.
func headingAnchors(prose []string) []string {
	var out []string
	seen := map[string]int{}
	for _, line := range prose {
		text, ok := strings.CutPrefix(line, "#")
		if !ok {
			continue
		}
		text = strings.TrimSpace(strings.TrimLeft(text, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		anchor := b.String()
		if n := seen[anchor]; n > 0 {
			anchor = fmt.Sprintf("%s-%d", anchor, n)
		}
		seen[b.String()]++
		out = append(out, anchor)
	}
	return out
}

// TestDocsAreShortAndLinked holds the shape issue #28 asks for: a README a
// newcomer reads in ten minutes, with every page of docs/ in its table of
// contents, and every other page ending with what to read next.
func TestDocsAreShortAndLinked(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n > maxReadmeLines {
		t.Errorf("README.md has %d lines; keep it within %d and move the rest to docs/", n, maxReadmeLines)
	}
	for _, page := range docPages(t) {
		if page == "README.md" {
			continue
		}
		if strings.HasPrefix(page, "docs"+string(filepath.Separator)) && !strings.Contains(string(data), "]("+filepath.ToSlash(page)+")") {
			t.Errorf("README.md's table of contents does not link %s", page)
		}
		prose := readPage(t, page).prose
		last := -1
		for i, line := range prose {
			if strings.HasPrefix(line, "## ") {
				last = i
			}
		}
		if last < 0 || prose[last] != "## Read next" || !link.MatchString(strings.Join(prose[last:], "\n")) {
			t.Errorf("%s does not end with a \"## Read next\" section of links", page)
		}
	}
}
