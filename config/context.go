package config

import (
	"errors"

	"privatebackend/internal/model"
)

// ContextReader is the part of a construct node that reads CDK context
// (constructs.Node satisfies it).
type ContextReader interface {
	TryGetContext(key *string) any
}

// Context keys this package reads.
const (
	// EnvironmentsKey holds the configuration of every environment.
	EnvironmentsKey = "environments"
	// SelectKey ("-c env=NAME") narrows the app to one environment.
	SelectKey = "env"
)

// App is what the CDK context asks the app to build.
type App struct {
	// Environments are the environments to build: all of them, or the one
	// "-c env" selects.
	Environments []*Environment
	// Pipeline is the deployment pipeline, checked against every configured
	// environment. It is nil when the context has no "pipeline" key, or when
	// "-c env" narrows the app to one environment: the pipeline deploys them all.
	Pipeline *Pipeline
}

// FromContext loads what to build from the CDK context, reading and
// validating it once. With "-c env=NAME", only that environment's problems
// are reported, with those no one environment owns.
func FromContext(ctx ContextReader) (*App, error) {
	selectKey := SelectKey
	selected := ""
	switch v := ctx.TryGetContext(&selectKey).(type) {
	case nil:
	case string:
		selected = v
	default:
		return nil, &Error{Problems: []string{"-c env: " + model.Describe(v) + " is not an environment name"}}
	}
	context := map[string]any{}
	for _, key := range Keys {
		if v := ctx.TryGetContext(&key); v != nil {
			context[key] = v
		}
	}
	f, err := Read(context, selected)
	if err != nil {
		return nil, err
	}
	envs, err := Select(f.SortedEnvironments(), selected)
	if unknown := (*UnknownEnvironmentError)(nil); errors.As(err, &unknown) {
		return nil, &Error{Problems: []string{"-c env=" + selected + ": " + err.Error()}}
	}
	pipeline := f.Pipeline
	if selected != "" {
		pipeline = nil
	}
	return &App{Environments: envs, Pipeline: pipeline}, nil
}
