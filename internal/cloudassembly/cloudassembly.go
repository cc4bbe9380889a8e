// Package cloudassembly reads the manifests of a synthesized cloud assembly
// (cdk.out) and of the assemblies nested in it, one per Stage, as the cloud
// assembly schema defines them (@aws-cdk/cloud-assembly-schema:
// AssemblyManifest, ArtifactManifest, AwsCloudFormationStackProperties,
// NestedCloudAssemblyProperties, BootstrapRole). It reads the parts the
// app's tools and tests use, and no template.
package cloudassembly

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// The artifact types read here.
const (
	// NestedAssembly is a nested cloud assembly, one per Stage.
	NestedAssembly = "cdk:cloud-assembly"
	// Stack is a CloudFormation stack.
	Stack = "aws:cloudformation:stack"
	// AssetManifest lists the assets of a stack.
	AssetManifest = "cdk:asset-manifest"
)

// Manifest is one assembly's manifest.json.
type Manifest struct {
	// Dir is the assembly's directory, which the artifacts' files are
	// relative to.
	Dir string `json:"-"`
	// Artifacts are the assembly's artifacts by id.
	Artifacts map[string]Artifact `json:"artifacts"`
}

// Artifact is one artifact of a manifest.
type Artifact struct {
	// Type is the artifact type, e.g. Stack.
	Type string `json:"type"`
	// DisplayName is a stack's path in the app, e.g. "dev/Network".
	DisplayName string `json:"displayName"`
	// Properties depend on the type.
	Properties Properties `json:"properties"`
	// Metadata are the construct metadata by construct path.
	Metadata Metadata `json:"metadata"`
	// AdditionalMetadataFile holds more metadata, relative to Dir.
	AdditionalMetadataFile string `json:"additionalMetadataFile"`
	// Dependencies are the ids of the artifacts this one deploys after.
	Dependencies []string `json:"dependencies"`
}

// Properties are the properties of a stack, an asset manifest or a nested
// assembly.
type Properties struct {
	// DirectoryName is a nested assembly's directory, relative to Dir.
	DirectoryName string `json:"directoryName"`
	// DisplayName is a nested assembly's Stage name.
	DisplayName string `json:"displayName"`
	// StackName is a stack's CloudFormation name, given when it is not
	// the artifact's id.
	StackName string `json:"stackName"`
	// TemplateFile is a stack's template, relative to Dir.
	TemplateFile string `json:"templateFile"`
	// RequiresBootstrapStackVersion is the bootstrap version the artifact
	// needs.
	RequiresBootstrapStackVersion int `json:"requiresBootstrapStackVersion"`
	// BootstrapStackVersionSsmParameter is where that version is read.
	BootstrapStackVersionSsmParameter string `json:"bootstrapStackVersionSsmParameter"`
	// LookupRole is the bootstrap role the CDK uses for lookups.
	LookupRole *struct {
		Arn string `json:"arn"`
	} `json:"lookupRole"`
}

// Metadata are construct metadata entries by construct path.
type Metadata map[string][]struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// Read reads the manifest of the assembly in dir. A missing manifest is an
// error that wraps fs.ErrNotExist.
func Read(dir string) (*Manifest, error) {
	path := filepath.Join(dir, "manifest.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Dir: dir}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ReadAll reads the manifest of the assembly in dir and those of every
// assembly nested in it, at any depth.
func ReadAll(dir string) ([]*Manifest, error) {
	m, err := Read(dir)
	if err != nil {
		return nil, err
	}
	all := []*Manifest{m}
	for _, art := range m.Artifacts {
		if art.Type != NestedAssembly {
			continue
		}
		nested, err := ReadAll(filepath.Join(dir, art.Properties.DirectoryName))
		if err != nil {
			return nil, err
		}
		all = append(all, nested...)
	}
	return all, nil
}

// Path returns the path of a file the manifest names, such as a stack's
// TemplateFile.
func (m *Manifest) Path(name string) string { return filepath.Join(m.Dir, name) }
