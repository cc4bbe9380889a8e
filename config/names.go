package config

// The names the app derives from the configuration, in one place: app.go
// and the stacks build with them, preflight and verify look the deployed
// stacks up by them.

// Stack names one stack of an environment.
type Stack struct {
	// ID is the stack's construct id in the environment's Stage.
	ID string
	// Name is its CloudFormation name: the CDK names a stack in a Stage
	// after the Stage and the id, joined by a dash ("dev-Network").
	Name string
}

// Stacks are the stacks of one environment.
type Stacks struct {
	// Network holds the VPC.
	Network Stack
	// Alerts holds the alarm topic.
	Alerts Stack
	// Backends are the Beanstalk backends' stacks, by backend name.
	Backends map[string]Stack
	// API holds the REST API; its outputs hold the stages' invoke URLs
	// (StageURLOutputID).
	API Stack
}

// StageURLOutputPrefix starts the id of each API stack output that holds
// a stage's invoke URL, and so its output key (the CDK drops the dash).
const StageURLOutputPrefix = "Url"

// StageURLOutputID is the construct id of the API stack's output that
// holds stage's invoke URL.
func StageURLOutputID(stage string) string { return StageURLOutputPrefix + "-" + stage }

// BackendStackID is the construct id of backend's stack.
func BackendStackID(backend string) string { return "Backend-" + backend }

// resolveNames derives the environment's names from its own.
func (e *Environment) resolveNames() {
	stack := func(id string) Stack { return Stack{ID: id, Name: e.Name + "-" + id} }
	e.Stacks = Stacks{Network: stack("Network"), Alerts: stack("Alerts"), API: stack("Api"), Backends: map[string]Stack{}}
	for name := range e.Backends {
		e.Stacks.Backends[name] = stack(BackendStackID(name))
	}
	e.DashboardName = e.Name + "-private-backends"
}
