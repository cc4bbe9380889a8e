package config

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
// validating the environments once. Problems come in this order: the
// environments, the "-c env" selection, the pipeline, the controls.
func FromContext(ctx ContextReader) (*App, error) {
	environments, selectKey, pipelineKey, controlsKey := EnvironmentsKey, SelectKey, PipelineKey, ControlsKey
	selected, narrowed := "", false
	switch v := ctx.TryGetContext(&selectKey).(type) {
	case nil:
	case string:
		selected, narrowed = v, true
	default:
		return nil, &Error{Problems: []string{"-c env: " + describe(v) + " is not an environment name"}}
	}
	all, err := Load(ctx.TryGetContext(&environments), "")
	if err != nil {
		return nil, err
	}
	envs, err := selectEnvironment(all, selected)
	if err != nil {
		return nil, err
	}
	pipeline, err := LoadPipeline(ctx.TryGetContext(&pipelineKey), all)
	if err != nil {
		return nil, err
	}
	if narrowed {
		pipeline = nil
	}
	// The controls check of ./scripts/synth reads "controls" after the
	// synthesis; validating it here makes a mistake in it fail the
	// synthesis with the rest of the configuration, before anything is built.
	if _, err := LoadControls(ctx.TryGetContext(&controlsKey)); err != nil {
		return nil, err
	}
	return &App{Environments: envs, Pipeline: pipeline}, nil
}
