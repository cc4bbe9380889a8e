package config

import (
	"maps"
	"slices"
	"strings"

	"privatebackend/constructs/settings"
)

// The API as a team's front door (issue 27): several services behind one
// API. Its keys live in this file until the configuration model declares
// each key once.

// validateFrontDoor checks what the API's services, domain, authorizers and
// usage plans say together with the rest of the environment.
func (a *API) validateFrontDoor(at string, e *Environment, p *problems) {
	a.validateServices(at, e, p)
}

// validateServices checks that every stage serves every service the routes
// name, with backends of this environment, and its canary overrides only
// those services. The VPC link quota needs nothing more: a link is made per
// backend, however many services and stages use it.
func (a *API) validateServices(at string, e *Environment, p *problems) {
	// A service name that is not valid is reported with its route, once.
	services := slices.DeleteFunc(settings.Services(a.Routes), func(s string) bool { return !settings.ServiceNamePattern.MatchString(s) })
	known := strings.Join(services, ", ")
	if known == "" {
		known = "none (no route names a service)"
	}
	example := "blue"
	if names := e.BackendNames(); len(names) > 0 {
		example = names[0]
	}
	for _, name := range e.StageNames() {
		s := a.Stages[name]
		sat := at + ".stages." + name
		for _, service := range services {
			if _, ok := s.Backends[service]; !ok {
				p.add(sat+".backends", "has no backend for service %q; a stage serves every service the routes name (%s), e.g. {%q: %q}", service, known, service, example)
			}
		}
		check := func(key string, backends map[string]string) {
			for _, service := range slices.Sorted(maps.Keys(backends)) {
				if !slices.Contains(services, service) {
					p.add(key+"."+service, "no route names service %q; services: %s", service, known)
					continue
				}
				validateBackendRef(key+"."+service, backends[service], e, p)
			}
		}
		check(sat+".backends", s.Backends)
		if s.Canary != nil {
			check(sat+".canary.backends", s.Canary.Backends)
		}
	}
}
