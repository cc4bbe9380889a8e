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
	// Backends are the backend stacks by backend name.
	Backends map[string]*Backend
	// API is the environment's API stack.
	API *API
}

// NewEnvironment adds an environment's stacks to its stage: Network, one
// Backend-NAME per backend and Api, wired by cross-stack references.
// bundlePath is the application every backend deploys.
func NewEnvironment(stage awscdk.Stage, e *config.Environment, bundlePath string) *Environment {
	env := &Environment{Backends: map[string]*Backend{}}
	env.Network = NewNetwork(stage, "Network", &NetworkProps{
		StackProps: awscdk.StackProps{Description: jsii.String(e.Name + ": VPC and private subnets")},
		Network:    e.Network,
	})
	targets := map[string]BackendTarget{}
	for _, name := range e.BackendNames() {
		b := NewBackend(stage, "Backend-"+name, &BackendProps{
			StackProps: awscdk.StackProps{Description: jsii.String(e.Name + ": Elastic Beanstalk backend " + name)},
			Backend:    e.Backends[name],
			Vpc:        env.Network.Vpc,
			Subnets:    env.Network.PrivateSubnets,
			BundlePath: bundlePath,
		})
		env.Backends[name] = b
		targets[name] = BackendTarget{LoadBalancerArn: b.LoadBalancerArn, LoadBalancerDNSName: b.LoadBalancerDNSName}
	}
	env.API = NewAPI(stage, "Api", &APIProps{
		StackProps: awscdk.StackProps{Description: jsii.String(e.Name + ": REST API, VPC links and stages")},
		API:        e.API,
		Backends:   targets,
	})
	return env
}
