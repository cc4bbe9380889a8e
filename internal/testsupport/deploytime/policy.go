package deploytime

import (
	"fmt"
	"path"
	"strings"
)

// Policy is what a Lambda function's execution role allows: the inline
// policies of the role and every AWS::IAM::Policy attached to it.
type Policy struct {
	// Role is the logical id of the role.
	Role string
	// Policies are the logical ids of the AWS::IAM::Policy resources
	// attached to it.
	Policies []string
	// Statements are the resolved statements of all of them.
	Statements []Statement
}

// Statement is a resolved IAM policy statement.
type Statement struct {
	Effect    string
	Actions   []string
	Resources []string
}

// Allows evaluates the policy as IAM does for one action on one resource:
// allowed when an Allow statement matches and no Deny statement does
// ("Policy evaluation logic", IAM user guide). Conditions are not modeled;
// the app's lookup policies use none.
func (p Policy) Allows(action, resource string) bool {
	allowed := false
	for _, s := range p.Statements {
		if !s.matches(action, resource) {
			continue
		}
		if s.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

func (s Statement) matches(action, resource string) bool {
	actionMatches, resourceMatches := false, false
	for _, a := range s.Actions {
		// Action names are case-insensitive ("IAM JSON policy elements: Action").
		if ok, _ := path.Match(strings.ToLower(a), strings.ToLower(action)); ok {
			actionMatches = true
		}
	}
	for _, r := range s.Resources {
		if wildcardMatch(r, resource) {
			resourceMatches = true
		}
	}
	return actionMatches && resourceMatches
}

// wildcardMatch matches an IAM resource pattern, where * matches any run of
// characters (slashes included) and ? any one character.
func wildcardMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcardMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcardMatch(pattern[1:], s[1:])
	default:
		return s != "" && s[0] == pattern[0] && wildcardMatch(pattern[1:], s[1:])
	}
}

// rolePolicy collects what the function's role allows when it runs: the
// role's inline policies and the AWS::IAM::Policy resources attached to it
// that CloudFormation has created so far. A policy created later, say one
// that waits for a resource this very call precedes, is not in force yet.
func (d *Deployment) rolePolicy(s *deploying, fn *resource) (Policy, error) {
	roleAtt, _ := fn.definition["Properties"].(map[string]any)["Role"].(map[string]any)["Fn::GetAtt"].([]any)
	if len(roleAtt) != 2 {
		return Policy{}, fmt.Errorf("its Role is not a role of the stack")
	}
	p := Policy{Role: fmt.Sprint(roleAtt[0])}
	resources := s.Template["Resources"].(map[string]any)
	role := resources[p.Role].(map[string]any)
	var documents []any
	inline, _ := role["Properties"].(map[string]any)["Policies"].([]any)
	for _, pol := range inline {
		documents = append(documents, pol.(map[string]any)["PolicyDocument"])
	}
	for id, r := range resources {
		def := r.(map[string]any)
		if _, created := s.resources[id]; def["Type"] != "AWS::IAM::Policy" || !created {
			continue
		}
		props := def["Properties"].(map[string]any)
		roles, _ := props["Roles"].([]any)
		for _, ref := range roles {
			if m, ok := ref.(map[string]any); ok && m["Ref"] == p.Role {
				p.Policies = append(p.Policies, id)
				documents = append(documents, props["PolicyDocument"])
			}
		}
	}
	for _, doc := range documents {
		resolved, err := d.resolve(s, doc)
		if err != nil {
			return Policy{}, err
		}
		statements, _ := resolved.(map[string]any)["Statement"].([]any)
		for _, st := range statements {
			m := st.(map[string]any)
			p.Statements = append(p.Statements, Statement{
				Effect:    fmt.Sprint(m["Effect"]),
				Actions:   strings1(m["Action"]),
				Resources: strings1(m["Resource"]),
			})
		}
	}
	return p, nil
}

// strings1 reads a policy element that is one string or a list of them.
func strings1(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, len(x))
		for i, item := range x {
			out[i] = fmt.Sprint(item)
		}
		return out
	}
	return nil
}
