package preflight

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// manifest is the part of a cloud assembly's manifest.json read here, as the
// cloud assembly schema defines it (@aws-cdk/cloud-assembly-schema:
// AssemblyManifest, ArtifactManifest, AwsCloudFormationStackProperties,
// NestedCloudAssemblyProperties, BootstrapRole).
type manifest struct {
	Artifacts map[string]struct {
		Type        string `json:"type"`
		DisplayName string `json:"displayName"`
		Properties  struct {
			// A nested cloud assembly (cdk:cloud-assembly), one per Stage.
			DirectoryName string `json:"directoryName"`
			DisplayName   string `json:"displayName"`
			// A stack (aws:cloudformation:stack) or an asset manifest
			// (cdk:asset-manifest).
			StackName                         string `json:"stackName"`
			TemplateFile                      string `json:"templateFile"`
			RequiresBootstrapStackVersion     int    `json:"requiresBootstrapStackVersion"`
			BootstrapStackVersionSsmParameter string `json:"bootstrapStackVersionSsmParameter"`
			LookupRole                        *struct {
				Arn string `json:"arn"`
			} `json:"lookupRole"`
		} `json:"properties"`
	} `json:"artifacts"`
}

const (
	nestedAssemblyArtifact = "cdk:cloud-assembly"
	stackArtifact          = "aws:cloudformation:stack"
	assetManifestArtifact  = "cdk:asset-manifest"
	// defaultBootstrapParameter is where a stack without its own parameter
	// name finds the bootstrap version: the default qualifier's
	// (DefaultStackSynthesizer, "Bootstrapping your environment").
	defaultBootstrapParameter = "/cdk-bootstrap/hnb659fds/version"
)

// ReadAssembly reads environment env from the cloud assembly in dir: the
// nested assembly of the Stage named env (cdk.out/assembly-ENV), or dir
// itself when it is that nested assembly.
func ReadAssembly(dir, env string) (*Assembly, error) {
	root, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	nested := dir
	for _, a := range root.Artifacts {
		if a.Type == nestedAssemblyArtifact && a.Properties.DisplayName == env {
			nested = filepath.Join(dir, a.Properties.DirectoryName)
		}
	}
	m := root
	if nested != dir {
		if m, err = readManifest(nested); err != nil {
			return nil, err
		}
	}
	asm := &Assembly{Dir: nested, Bootstrap: map[string]int{}, Stacks: map[string]Template{}}
	for _, a := range m.Artifacts {
		props := a.Properties
		if (a.Type != stackArtifact && a.Type != assetManifestArtifact) || (a.Type == stackArtifact && !strings.HasPrefix(a.DisplayName, env+"/")) {
			continue
		}
		if props.RequiresBootstrapStackVersion > 0 {
			param := props.BootstrapStackVersionSsmParameter
			if param == "" {
				param = defaultBootstrapParameter
			}
			asm.Bootstrap[param] = max(asm.Bootstrap[param], props.RequiresBootstrapStackVersion)
		}
		if a.Type != stackArtifact {
			continue
		}
		if props.LookupRole != nil {
			asm.LookupRoleArn = props.LookupRole.Arn
		}
		tpl, err := readTemplate(filepath.Join(nested, props.TemplateFile))
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

func readManifest(dir string) (manifest, error) {
	var m manifest
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return m, fmt.Errorf("%s is not a cloud assembly (no manifest.json); synthesize one with ./scripts/synth", dir)
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	return m, nil
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
