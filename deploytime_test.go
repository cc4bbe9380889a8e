//go:build heavy

package main

import (
	"fmt"
	"slices"
	"testing"

	"privatebackend/internal/testsupport/deploytime"
)

// TestDeployTimeLookupPermissionsExistBeforeTheirCalls checks every
// template of every app: each policy of a lookup's function waits only for
// what a stack creates in its first seconds (roles, the function's log
// group and keys), and the function waits for every one of them. So every permission exists
// before the function, never just before its call, as a policy naming a
// resource the call waits for would be (aws/aws-cdk#37085: the call then
// runs before IAM has propagated it).
func TestDeployTimeLookupPermissionsExistBeforeTheirCalls(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		startOfStack := []any{"AWS::IAM::Role", "AWS::Logs::LogGroup", "AWS::KMS::Key"}
		// Which stack and resource each export comes from, for functions of
		// another stack.
		type origin struct{ stack, resource string }
		exportedBy := map[string]origin{}
		for _, name := range a.stackNames() {
			outputs, _ := a.stack(t, name).Template["Outputs"].(map[string]any)
			for _, o := range outputs {
				output := o.(map[string]any)
				if export, ok := output["Export"].(map[string]any); ok {
					exportedBy[fmt.Sprint(export["Name"])] = origin{name, deploytime.GetAttTarget(output["Value"])}
				}
			}
		}
		checked := 0
		for _, name := range a.stackNames() {
			resources, _ := a.stack(t, name).Template["Resources"].(map[string]any)
			for _, lookup := range deploytime.Lookups(resources) {
				checked++
				fn := origin{name, deploytime.GetAttTarget(lookup.ServiceToken)}
				if imported, ok := lookup.ServiceToken.(map[string]any)["Fn::ImportValue"]; ok {
					fn = exportedBy[fmt.Sprint(imported)]
				}
				fnResources, _ := a.stack(t, fn.stack).Template["Resources"].(map[string]any)
				role, policies := deploytime.FunctionPermissions(fnResources, fn.resource)
				if role == "" {
					t.Errorf("%s: lookup %s is answered by %v, which is no function with a role", name, lookup.LogicalID, fn)
					continue
				}
				functionWaitsFor := deploytime.WaitsFor(fnResources, fn.resource)
				for _, policy := range append([]string{role}, policies...) {
					if !slices.Contains(functionWaitsFor, policy) {
						t.Errorf("%s: the function %s of lookup %s does not wait for its policy %s", fn.stack, fn.resource, lookup.LogicalID, policy)
					}
					for _, dep := range deploytime.WaitsFor(fnResources, policy) {
						if typ := fnResources[dep].(map[string]any)["Type"]; !slices.Contains(startOfStack, typ) {
							t.Errorf("%s: %s, a policy of lookup %s's function, waits for %s (%s)", fn.stack, policy, lookup.LogicalID, dep, typ)
						}
					}
				}
			}
		}
		if checked == 0 {
			t.Fatal("no template has a lookup")
		}
	})
}
