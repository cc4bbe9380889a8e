package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/config"
)

// Environment holds the stacks of one environment.
type Environment struct {
	// Network is the environment's network stack.
	Network *Network
	// Alerts is the environment's alarm topic stack.
	Alerts *Alerts
	// Backends are the backend stacks by backend name.
	Backends map[string]*Backend
	// API is the environment's API stack.
	API *API
}

// NewEnvironment adds an environment's stacks to its stage, under the
// ids config names (e.Stacks): Network and Alerts, one Backend-NAME per
// backend and Api, wired by cross-stack references. projectRoot is the
// directory that backends' local sources are relative to (the directory
// of cdk.json).
func NewEnvironment(stage awscdk.Stage, e *config.Environment, projectRoot string) *Environment {
	env := &Environment{Backends: map[string]*Backend{}}
	env.Network = NewNetwork(stage, e.Stacks.Network.ID, &NetworkProps{
		StackProps: awscdk.StackProps{Description: jsii.String(e.Name + ": VPC and private subnets")},
		Network:    e.Network,
		// The backends' secrets and images add to the network's own.
		InterfaceEndpoints: e.InterfaceEndpointServices(),
	})
	env.Alerts = NewAlerts(stage, e.Stacks.Alerts.ID, &AlertsProps{
		StackProps: awscdk.StackProps{Description: jsii.String(e.Name + ": the alarm topic")},
		Monitoring: e.Monitoring,
	})
	targets := map[string]BackendTarget{}
	for _, name := range e.BackendNames() {
		b := NewBackend(stage, e.Stacks.Backends[name].ID, &BackendProps{
			StackProps:     awscdk.StackProps{Description: jsii.String(e.Name + ": Elastic Beanstalk backend " + name)},
			Backend:        e.Backends[name],
			Vpc:            env.Network.Vpc,
			Subnets:        env.Network.PrivateSubnets,
			LookupFunction: env.Network.Lookups.Function(),
			ProjectRoot:    projectRoot,
			AlarmTopic:     env.Alerts.Topic,
			Monitoring:     e.Monitoring,
		})
		env.Backends[name] = b
		targets[name] = BackendTarget{LoadBalancer: b.Environment.LoadBalancer(), Monitoring: b.Monitoring}
	}
	env.API = NewAPI(stage, e.Stacks.API.ID, &APIProps{
		StackProps:    awscdk.StackProps{Description: jsii.String(e.Name + ": REST API, VPC links, stages and the dashboard")},
		API:           e.API,
		Backends:      targets,
		AlarmTopic:    env.Alerts.Topic,
		Monitoring:    e.Monitoring,
		DashboardName: e.DashboardName,
	})
	return env
}
