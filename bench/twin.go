package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"privatebackend/config"
)

// twinDir is the JavaScript twin of the app, with its own package.json and
// lock file; only the benchmark installs it.
const twinDir = "bench/twin"

// twinApp is the app command that runs the twin, for "cdk synth --app".
const twinApp = "node " + twinDir + "/app.js"

// installTwin installs the twin's pinned packages with npm ci when they are
// missing or its lock file changed.
func installTwin(root string) error {
	lock, err := os.ReadFile(filepath.Join(root, twinDir, "package-lock.json"))
	if err != nil {
		return err
	}
	stamp := filepath.Join(root, twinDir, "node_modules", ".installed-from")
	want := fmt.Sprintf("%x", sha256.Sum256(lock))
	if have, _ := os.ReadFile(stamp); string(have) == want {
		return nil
	}
	fmt.Fprintln(os.Stderr, "bench: installing the JavaScript twin (npm ci in "+twinDir+")")
	if err := runQuiet(filepath.Join(root, twinDir), nil, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"); err != nil {
		return err
	}
	return os.WriteFile(stamp, []byte(want), 0o644)
}

// twinConfig is what the twin reads instead of cdk.json's context: the
// configuration exactly as the Go app resolves it, defaults filled in.
type twinConfig struct {
	Environments []twinEnvironment `json:"environments"`
	Pipeline     *config.Pipeline  `json:"pipeline"`
	CLIVersion   string            `json:"cliVersion"`
	BundlePath   string            `json:"bundlePath"`
}

type twinEnvironment struct {
	Name        string              `json:"name"`
	Environment *config.Environment `json:"environment"`
}

// writeTwinConfig resolves the project's configuration with the app's own
// config package and writes it for the twin to path.
func writeTwinConfig(root, path string) error {
	context, err := config.ContextFromFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return err
	}
	envs, err := config.Load(context[config.EnvironmentsKey], "")
	if err != nil {
		return err
	}
	pipeline, err := config.LoadPipeline(context[config.PipelineKey], envs)
	if err != nil {
		return err
	}
	cliVersion, err := config.PinnedCLIVersion(filepath.Join(root, "package.json"))
	if err != nil {
		return err
	}
	cfg := twinConfig{Pipeline: pipeline, CLIVersion: cliVersion, BundlePath: "backend/app"}
	for _, e := range envs {
		cfg.Environments = append(cfg.Environments, twinEnvironment{Name: e.Name, Environment: e})
	}
	out, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// compareAssemblies checks that two cloud assemblies hold the same stacks
// with the same templates and the same cdk-nag reports, and returns how many
// files it compared.
func compareAssemblies(goOut, twinOut string) (int, error) {
	goFiles, err := assemblyFiles(goOut)
	if err != nil {
		return 0, err
	}
	twinFiles, err := assemblyFiles(twinOut)
	if err != nil {
		return 0, err
	}
	if !slices.Equal(goFiles, twinFiles) {
		return 0, fmt.Errorf("the apps wrote different files:\n  Go:   %s\n  twin: %s", strings.Join(goFiles, " "), strings.Join(twinFiles, " "))
	}
	var differ []string
	var details strings.Builder
	for _, f := range goFiles {
		a, err := os.ReadFile(filepath.Join(goOut, f))
		if err != nil {
			return 0, err
		}
		b, err := os.ReadFile(filepath.Join(twinOut, f))
		if err != nil {
			return 0, err
		}
		if !sameContent(f, a, b) {
			differ = append(differ, f)
			if details.Len() == 0 {
				details.WriteString(firstDifferences(a, b))
			}
		}
	}
	if len(differ) > 0 {
		return 0, fmt.Errorf("the twin is not the app's twin: these files differ: %s\nfirst differences in %s (Go, then twin):\n%s",
			strings.Join(differ, " "), differ[0], details.String())
	}
	return len(goFiles), nil
}

// assemblyFiles lists the templates and nag reports of an assembly, nested
// assemblies included, relative to dir.
func assemblyFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name := d.Name(); strings.HasSuffix(name, ".template.json") || strings.HasSuffix(name, "-NagReport.csv") {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// sameContent compares JSON by value and anything else byte for byte.
func sameContent(name string, a, b []byte) bool {
	if !strings.HasSuffix(name, ".json") {
		return bytes.Equal(a, b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// firstDifferences lists the first few JSON paths where two documents
// differ, with both values.
func firstDifferences(a, b []byte) string {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return "  (not JSON)\n"
	}
	var out []string
	var walk func(path string, x, y any)
	walk = func(path string, x, y any) {
		if len(out) >= 8 || reflect.DeepEqual(x, y) {
			return
		}
		xm, xok := x.(map[string]any)
		ym, yok := y.(map[string]any)
		if xok && yok {
			keys := slices.Sorted(maps.Keys(xm))
			for k := range ym {
				if _, ok := xm[k]; !ok {
					keys = append(keys, k)
				}
			}
			for _, k := range keys {
				walk(path+"."+k, xm[k], ym[k])
			}
			return
		}
		xs, xok := x.([]any)
		ys, yok := y.([]any)
		if xok && yok && len(xs) == len(ys) {
			for i := range xs {
				walk(fmt.Sprintf("%s[%d]", path, i), xs[i], ys[i])
			}
			return
		}
		xj, _ := json.Marshal(x)
		yj, _ := json.Marshal(y)
		out = append(out, fmt.Sprintf("  %s: %.300s\n  %s  %.300s", path, xj, strings.Repeat(" ", len(path)), yj))
	}
	walk("", x, y)
	return strings.Join(out, "\n") + "\n"
}

// twinModules are the Go modules whose JavaScript packages the twin must pin
// at the same versions, for a fair comparison.
var twinModules = map[string]string{
	"github.com/aws/aws-cdk-go/awscdk/v2":         "aws-cdk-lib",
	"github.com/aws/constructs-go/constructs/v10": "constructs",
	"github.com/cdklabs/cdk-nag-go/cdknag/v2":     "cdk-nag",
}

// checkTwinVersions returns an error naming every package the twin pins at
// another version than go.mod, in package.json or in its lock file.
func checkTwinVersions(root string) error {
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	for file, into := range map[string]any{"package.json": &pkg, "package-lock.json": &lock} {
		data, err := os.ReadFile(filepath.Join(root, twinDir, file))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, into); err != nil {
			return fmt.Errorf("%s/%s: %w", twinDir, file, err)
		}
	}
	var problems []string
	for _, module := range slices.Sorted(maps.Keys(twinModules)) {
		npmName := twinModules[module]
		want := ""
		for _, line := range strings.Split(string(goMod), "\n") {
			if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == module {
				want = strings.TrimPrefix(fields[1], "v")
			}
		}
		if want == "" {
			problems = append(problems, "go.mod requires no "+module)
			continue
		}
		if got := pkg.Dependencies[npmName]; got != want {
			problems = append(problems, fmt.Sprintf("package.json pins %s %q, go.mod has %s %s", npmName, got, module, want))
		}
		if got := lock.Packages["node_modules/"+npmName].Version; got != want {
			problems = append(problems, fmt.Sprintf("package-lock.json locks %s %q, go.mod has %s %s", npmName, got, module, want))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s is not pinned like go.mod (set the versions in %s/package.json, then run npm install there): %s",
			twinDir, twinDir, strings.Join(problems, "; "))
	}
	return nil
}
