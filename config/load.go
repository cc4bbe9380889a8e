package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"privatebackend/internal/model"
)

// File is the part of cdk.json's context the app reads, the root of the
// configuration's declaration: each key below is a field of these types,
// its doc comment its meaning, its tags what is valid (package
// internal/model).
type File struct {
	// Environments are every deployment environment by name, at least one;
	// NAME is a letter followed by up to 19 letters or digits, and prefixes
	// the environment's stack names.
	Environments map[string]*Environment `json:"environments" required:"true" minEntries:"1" keys:"environmentName"`
	// Pipeline is the optional CDK Pipelines deployment pipeline, which
	// deploys the environments wave by wave.
	Pipeline *Pipeline `json:"pipeline"`
	// Controls is how ./scripts/synth treats AWS Control Tower's proactive
	// controls.
	Controls *Controls `json:"controls"`
}

// Keys are the context keys the app reads from cdk.json, as File declares them.
var Keys = []string{EnvironmentsKey, PipelineKey, ControlsKey}

// Read decodes and checks the context values the app reads (context is
// cdk.json's context, whose other keys, such as the CDK's feature flags,
// are left alone), with their defaults and derived names. It
// returns every problem at once, or, with selected set, those of the
// environment it names and those of no one environment (the quotas they
// share, the pipeline, the controls).
func Read(context map[string]any, selected string) (*File, error) {
	read := map[string]any{}
	for _, key := range Keys {
		if v, ok := context[key]; ok && v != nil {
			read[key] = v
		}
	}
	f := &File{}
	ps := model.Load(read, f)
	if selected != "" {
		ps = slices.DeleteFunc(ps, func(p model.Problem) bool {
			rest, ok := strings.CutPrefix(p.Key, EnvironmentsKey+".")
			return ok && rest != selected && !strings.HasPrefix(rest, selected+".")
		})
	}
	if err := toError(ps); err != nil {
		return nil, err
	}
	return f, nil
}

// Resolve gives each environment, backend and stage the name it has in
// cdk.json, and each environment the names derived from its own.
func (f *File) Resolve() {
	for name, e := range f.Environments {
		if e == nil {
			continue
		}
		e.Name = name
		e.resolveNames()
		for key, b := range e.Backends {
			if b != nil {
				b.Name = key
			}
		}
		for key, s := range e.API.Stages {
			if s != nil {
				s.Name = key
			}
		}
	}
}

// SortedEnvironments returns the environments sorted by name.
func (f *File) SortedEnvironments() []*Environment {
	var envs []*Environment
	for _, name := range slices.Sorted(maps.Keys(f.Environments)) {
		if e := f.Environments[name]; e != nil {
			envs = append(envs, e)
		}
	}
	return envs
}

// Load decodes and validates the "environments" context value (raw, as the
// CDK returns it) and returns the environments to build, sorted by name:
// all of them, or only the one named by selected when it is not empty.
// Nothing is returned unless the whole configuration is valid.
func Load(raw any, selected string) ([]*Environment, error) {
	f, err := Read(map[string]any{EnvironmentsKey: raw}, "")
	if err != nil {
		return nil, err
	}
	return Select(f.SortedEnvironments(), selected)
}

// Select returns all of envs when name is empty, else the one called
// name, or an *UnknownEnvironmentError naming the defined environments:
// the one place the app and the tools find an environment by name.
func Select(envs []*Environment, name string) ([]*Environment, error) {
	if name == "" {
		return envs, nil
	}
	names := make([]string, len(envs))
	for i, e := range envs {
		if e.Name == name {
			return []*Environment{e}, nil
		}
		names[i] = e.Name
	}
	return nil, &UnknownEnvironmentError{Name: name, Known: names, Path: "cdk.json"}
}

// UnknownEnvironmentError is a name that is none of the environments: a
// bad argument, which the commands that take one exit 2 on.
type UnknownEnvironmentError struct {
	// Name is the name asked for.
	Name string
	// Known are the defined environments' names.
	Known []string
	// Path is the file that defines them.
	Path string
}

func (e *UnknownEnvironmentError) Error() string {
	return fmt.Sprintf("no environment %q in %s; defined environments: %s", e.Name, e.Path, strings.Join(e.Known, ", "))
}
