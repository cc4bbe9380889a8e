package preflight

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"privatebackend/internal/cloudassembly"
)

// Assembly is what preflight reads from an environment's synthesized cloud
// assembly: what the stacks require of the bootstrap, the role the CDK
// uses for lookups, and the stacks' templates.
type Assembly struct {
	// Dir is the environment's (nested) assembly directory.
	Dir string
	// Bootstrap is the highest bootstrap version each SSM parameter must
	// hold, by parameter name (normally one: /cdk-bootstrap/hnb659fds/version).
	Bootstrap map[string]int
	// LookupRoleArn is the ARN of the bootstrap's lookup role, with the
	// CloudFormation pseudo parameters ${AWS::Partition}, ${AWS::AccountId}
	// and ${AWS::Region} left in when the environment is not pinned.
	LookupRoleArn string
	// Stacks are the environment's stacks by CloudFormation stack name.
	Stacks map[string]Template
}

// Template is a CloudFormation template's resources by logical id.
type Template map[string]Resource

// Resource is one resource of a template.
type Resource struct {
	// Type is the resource type, e.g. AWS::EC2::Subnet.
	Type string `json:"Type"`
	// Properties are the resource's properties, as JSON values.
	Properties map[string]any `json:"Properties"`
}

// defaultBootstrapParameter is where a stack without its own parameter
// name finds the bootstrap version: the default qualifier's
// (DefaultStackSynthesizer, "Bootstrapping your environment").
const defaultBootstrapParameter = "/cdk-bootstrap/hnb659fds/version"

// ReadAssembly reads environment env from the cloud assembly in dir: the
// nested assembly of the Stage named env (cdk.out/assembly-ENV), or dir
// itself when it is that nested assembly.
func ReadAssembly(dir, env string) (*Assembly, error) {
	root, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	m := root
	for _, a := range root.Artifacts {
		if a.Type == cloudassembly.NestedAssembly && a.Properties.DisplayName == env {
			if m, err = readManifest(root.Path(a.Properties.DirectoryName)); err != nil {
				return nil, err
			}
		}
	}
	asm := &Assembly{Dir: m.Dir, Bootstrap: map[string]int{}, Stacks: map[string]Template{}}
	for _, a := range m.Artifacts {
		props := a.Properties
		if (a.Type != cloudassembly.Stack && a.Type != cloudassembly.AssetManifest) || (a.Type == cloudassembly.Stack && !strings.HasPrefix(a.DisplayName, env+"/")) {
			continue
		}
		if props.RequiresBootstrapStackVersion > 0 {
			param := props.BootstrapStackVersionSsmParameter
			if param == "" {
				param = defaultBootstrapParameter
			}
			asm.Bootstrap[param] = max(asm.Bootstrap[param], props.RequiresBootstrapStackVersion)
		}
		if a.Type != cloudassembly.Stack {
			continue
		}
		if props.LookupRole != nil {
			asm.LookupRoleArn = props.LookupRole.Arn
		}
		tpl, err := readTemplate(m.Path(props.TemplateFile))
		if err != nil {
			return nil, err
		}
		asm.Stacks[props.StackName] = tpl
	}
	if len(asm.Stacks) == 0 {
		return nil, fmt.Errorf("the cloud assembly in %s has no stacks of environment %s; synthesize it with ./scripts/synth -c env=%s", dir, env, env)
	}
	return asm, nil
}

// readManifest reads the manifest in dir, saying how to get one when there
// is none.
func readManifest(dir string) (*cloudassembly.Manifest, error) {
	m, err := cloudassembly.Read(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a cloud assembly (no manifest.json); synthesize one with ./scripts/synth", dir)
	}
	return m, err
}

func readTemplate(path string) (Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tpl struct {
		Resources Template `json:"Resources"`
	}
	if err := json.Unmarshal(data, &tpl); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tpl.Resources, nil
}

// StackNames returns the environment's stack names, sorted.
func (a *Assembly) StackNames() []string {
	names := make([]string, 0, len(a.Stacks))
	for name := range a.Stacks {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Resources returns every resource of the given type across the stacks,
// in a stable order (by stack, then logical id).
func (a *Assembly) Resources(resourceType string) []Resource {
	var out []Resource
	for _, stack := range a.StackNames() {
		tpl := a.Stacks[stack]
		ids := make([]string, 0, len(tpl))
		for id := range tpl {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if tpl[id].Type == resourceType {
				out = append(out, tpl[id])
			}
		}
	}
	return out
}

// ofType returns the template's resources of one type.
func (t Template) ofType(resourceType string) []Resource {
	var out []Resource
	for _, res := range t {
		if res.Type == resourceType {
			out = append(out, res)
		}
	}
	return out
}

// optionValue returns the literal value of an Elastic Beanstalk
// environment's option setting, or "" when it is missing or not a literal.
func optionValue(env Resource, namespace, option string) string {
	settings, _ := env.Properties["OptionSettings"].([]any)
	for _, s := range settings {
		o, _ := s.(map[string]any)
		if o["Namespace"] == namespace && o["OptionName"] == option {
			value, _ := o["Value"].(string)
			return value
		}
	}
	return ""
}
