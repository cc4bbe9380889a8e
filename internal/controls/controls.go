// Package controls checks CloudFormation templates against AWS Control
// Tower's proactive controls: the cfn-guard rule files, and the cfn-guard
// binary that runs them, shipped in the npm package
// @cdklabs/cdk-validator-cfnguard (pinned in package-lock.json). That
// package is a CDK plugin for JavaScript with no Go bindings, so this
// package runs its binary directly.
package controls

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// PackageDir is where npm installs @cdklabs/cdk-validator-cfnguard,
// relative to the project root.
const PackageDir = "node_modules/@cdklabs/cdk-validator-cfnguard"

// Control is one proactive control: its cfn-guard rule file and what its
// metadata file beside the rules says about it.
type Control struct {
	// ID is the control's identifier, e.g. "CT.CLOUDWATCH.PR.3".
	ID string
	// Title is the control's display name.
	Title string
	// RuleFile is the path of its cfn-guard rule file, named after the
	// control in lower case ("ct-cloudwatch-pr-3.guard").
	RuleFile string
	// RuleName is the name cfn-guard reports the rule's results under.
	RuleName string
	// ResourceTypes are the CloudFormation resource types it evaluates.
	ResourceTypes []string
}

// Guard is the cfn-guard binary with the Control Tower rule set.
type Guard struct {
	// Binary is the cfn-guard executable for this platform.
	Binary string
	// Version is the cfn-guard version the package ships.
	Version string
	// PackageVersion is the version of the npm package.
	PackageVersion string
	// Controls are every control of the rule set, in ID order.
	Controls []Control
}

// topLevelRule matches the named rules of a rule file that cfn-guard
// reports ("rule NAME when ..." or "rule NAME {"); parameterized helper
// rules ("rule check(x) {") are not reported.
var topLevelRule = regexp.MustCompile(`(?m)^rule\s+([A-Za-z0-9_]+)\s+(?:when\b|\{)`)

// Load reads the rule set and finds the binary in the npm package at dir.
// The control ID of a rule file comes from its metadata file
// (rules/control-tower/metadata/SERVICE/NAME.metadata.json, field "Id"),
// not from the file name: "ct-network-firewall-pr-1" is
// "CT.NETWORK-FIREWALL.PR.1".
func Load(dir string) (*Guard, error) {
	g := &Guard{}
	var pkg struct {
		Version string `json:"version"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		return nil, fmt.Errorf("%w (npm installs it from package-lock.json: run source scripts/setup.sh)", err)
	}
	g.PackageVersion = pkg.Version
	var guard struct {
		Version string `json:"version"`
	}
	if err := readJSON(filepath.Join(dir, "guard-version.json"), &guard); err != nil {
		return nil, err
	}
	g.Version = guard.Version
	binary, err := binaryPath(runtime.GOOS, runtime.GOARCH)
	if err != nil {
		return nil, err
	}
	g.Binary = filepath.Join(dir, binary)
	if _, err := os.Stat(g.Binary); err != nil {
		return nil, err
	}

	rulesDir := filepath.Join(dir, "rules", "control-tower", "cfn-guard")
	files, err := filepath.Glob(filepath.Join(rulesDir, "*", "*.guard"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no cfn-guard rule files under %s", rulesDir)
	}
	ids, names := map[string]string{}, map[string]string{}
	for _, file := range files {
		c, err := loadControl(dir, file)
		if err != nil {
			return nil, err
		}
		if other, ok := ids[c.ID]; ok {
			return nil, fmt.Errorf("%s and %s are both control %s", other, file, c.ID)
		}
		if other, ok := names[c.RuleName]; ok {
			return nil, fmt.Errorf("%s and %s both define rule %s", other, file, c.RuleName)
		}
		ids[c.ID], names[c.RuleName] = file, file
		g.Controls = append(g.Controls, c)
	}
	slices.SortFunc(g.Controls, func(a, b Control) int { return CompareIDs(a.ID, b.ID) })
	return g, nil
}

func loadControl(dir, ruleFile string) (Control, error) {
	service := filepath.Base(filepath.Dir(ruleFile))
	name := strings.TrimSuffix(filepath.Base(ruleFile), ".guard")
	var meta struct {
		ID                     string   `json:"Id"`
		DisplayName            string   `json:"DisplayName"`
		EvaluatedResourceTypes []string `json:"EvaluatedResourceTypes"`
	}
	metaFile := filepath.Join(dir, "rules", "control-tower", "metadata", service, name+".metadata.json")
	if err := readJSON(metaFile, &meta); err != nil {
		return Control{}, err
	}
	rules, err := os.ReadFile(ruleFile)
	if err != nil {
		return Control{}, err
	}
	var ruleNames []string
	for _, m := range topLevelRule.FindAllSubmatch(rules, -1) {
		if n := string(m[1]); !slices.Contains(ruleNames, n) {
			ruleNames = append(ruleNames, n)
		}
	}
	switch {
	case meta.ID == "" || len(meta.EvaluatedResourceTypes) == 0:
		return Control{}, fmt.Errorf("%s names no control Id or no EvaluatedResourceTypes", metaFile)
	case len(ruleNames) != 1:
		return Control{}, fmt.Errorf("%s defines the rules %v; want exactly one rule that cfn-guard reports", ruleFile, ruleNames)
	case !strings.Contains(string(rules), "["+meta.ID+"]"):
		return Control{}, fmt.Errorf("%s does not report control %s that its metadata %s names", ruleFile, meta.ID, metaFile)
	}
	return Control{
		ID:            meta.ID,
		Title:         meta.DisplayName,
		RuleFile:      ruleFile,
		RuleName:      ruleNames[0],
		ResourceTypes: meta.EvaluatedResourceTypes,
	}, nil
}

// binaryPath is where the package keeps cfn-guard for a Go platform. It
// follows the package's own choice (CfnGuardValidator.getPlatform and
// getArchitecture in lib/plugin.js): bin/ubuntu for every Linux,
// bin/macos for macOS, x86_64 or aarch64.
func binaryPath(goos, goarch string) (string, error) {
	platform := map[string]string{"linux": "ubuntu", "darwin": "macos"}[goos]
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[goarch]
	if platform == "" || arch == "" {
		return "", fmt.Errorf("the npm package ships cfn-guard for linux and darwin on amd64 and arm64, not for %s/%s", goos, goarch)
	}
	return filepath.Join("bin", platform, arch, "cfn-guard"), nil
}

// Control returns the control with the given ID.
func (g *Guard) Control(id string) (Control, bool) {
	i := slices.IndexFunc(g.Controls, func(c Control) bool { return c.ID == id })
	if i < 0 {
		return Control{}, false
	}
	return g.Controls[i], true
}

// CompareIDs orders control IDs by service, then by number:
// CT.S3.PR.2 before CT.S3.PR.10.
func CompareIDs(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, errA := strconv.Atoi(pa[i])
		nb, errB := strconv.Atoi(pb[i])
		switch {
		case errA == nil && errB == nil && na != nb:
			return na - nb
		case (errA != nil || errB != nil) && pa[i] != pb[i]:
			return strings.Compare(pa[i], pb[i])
		}
	}
	return len(pa) - len(pb)
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
