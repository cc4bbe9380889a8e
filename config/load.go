package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// Load decodes and validates the "environments" context value (raw, as the
// CDK returns it) and returns the environments to build, sorted by name:
// all of them, or only the one named by selected when it is not empty.
// Nothing is returned unless the whole configuration is valid.
func Load(raw any, selected string) ([]*Environment, error) {
	p := &problems{}
	envs := decodeEnvironments(raw, p)
	for _, e := range envs {
		e.validate(p)
	}
	validateVpcLinkQuota(envs, p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return selectEnvironment(envs, selected)
}

// selectEnvironment returns all of envs when selected is empty, else the
// one named selected, or an error listing the defined environments.
func selectEnvironment(envs []*Environment, selected string) ([]*Environment, error) {
	if selected == "" {
		return envs, nil
	}
	for _, e := range envs {
		if e.Name == selected {
			return []*Environment{e}, nil
		}
	}
	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = e.Name
	}
	return nil, &Error{Problems: []string{fmt.Sprintf(
		"-c env=%s: no environment %q in cdk.json; defined environments: %s",
		selected, selected, strings.Join(names, ", "))}}
}

func decodeEnvironments(raw any, p *problems) []*Environment {
	const path = "environments"
	obj, ok := raw.(map[string]any)
	switch {
	case raw == nil:
		p.add(path, "is missing; add an \"environments\" object to the context in cdk.json, e.g. {\"dev\": {\"backends\": {...}, \"api\": {...}}}")
		return nil
	case !ok:
		p.add(path, "is %s; want an object of environments by name", describe(raw))
		return nil
	case len(obj) == 0:
		p.add(path, "is empty; define at least one environment")
		return nil
	}
	var envs []*Environment
	for _, name := range slices.Sorted(maps.Keys(obj)) {
		if _, isObject := obj[name].(map[string]any); !isObject {
			p.add(path+"."+name, "is %s; want an object with the environment's settings", describe(obj[name]))
			continue
		}
		e := &Environment{Name: name}
		e.setDefaults()
		decode(obj[name], reflect.ValueOf(e).Elem(), path+"."+name, p)
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
		envs = append(envs, e)
	}
	return envs
}
