package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// FromFile loads every environment of a cdk.json file, for tools that run
// outside the CDK app; the whole file's configuration must be valid.
func FromFile(path string) ([]*Environment, error) {
	context, err := ContextFromFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Read(context, "")
	if err != nil {
		return nil, err
	}
	return f.SortedEnvironments(), nil
}

// EnvironmentFromFile loads the environment called name from the cdk.json
// at path; an unknown name is an *UnknownEnvironmentError that lists the
// defined ones.
func EnvironmentFromFile(path, name string) (*Environment, error) {
	envs, err := FromFile(path)
	if err != nil {
		return nil, err
	}
	found, err := Select(envs, name)
	if unknown := (*UnknownEnvironmentError)(nil); errors.As(err, &unknown) {
		unknown.Path = path
	}
	if err != nil {
		return nil, err
	}
	return found[0], nil
}

// ContextFromFile returns the "context" object of a cdk.json file, as the
// CDK would hand it to the app (without cdk.context.json's cached lookups).
func ContextFromFile(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &cdkJSON); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cdkJSON.Context, nil
}

// PinnedCLIVersion reads the version of the aws-cdk package (the cdk CLI)
// that a package.json pins in its devDependencies.
func PinnedCLIVersion(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	version := pkg.DevDependencies["aws-cdk"]
	if version == "" {
		return "", fmt.Errorf("%s pins no aws-cdk version in devDependencies", path)
	}
	return version, nil
}
