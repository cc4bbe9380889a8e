package preflight

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

var bootstrapPermissions = []string{"ssm:GetParameter"}

// bootstrap checks that the region is bootstrapped with at least the
// version the synthesized stacks require: each stack artifact names
// requiresBootstrapStackVersion and the SSM parameter that holds the
// bootstrap's version (cloud assembly schema, AwsCloudFormationStackProperties;
// "Bootstrapping your environment" in the CDK guide). The CDK CLI reads the
// same parameter before it deploys.
func (r *runner) bootstrap(ctx context.Context) Result {
	const name = "bootstrap"
	bootstrapCmd := fmt.Sprintf("npx cdk bootstrap aws://%s/%s", r.account, r.region)
	var found []string
	for _, param := range slices.Sorted(maps.Keys(r.asm.Bootstrap)) {
		need := r.asm.Bootstrap[param]
		out, err := r.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(param)})
		if errorCode(err) == "ParameterNotFound" {
			return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("account %s is not bootstrapped in %s (no SSM parameter %s): run `%s`", r.account, r.region, param, bootstrapCmd)}
		}
		if err != nil {
			return r.failed(ctx, name, "ssm:GetParameter "+param, err)
		}
		value := strings.TrimSpace(aws.ToString(out.Parameter.Value))
		have, err := strconv.Atoi(value)
		if err != nil {
			return Result{Check: name, Result: Error, Detail: fmt.Sprintf("SSM parameter %s holds %q, not a bootstrap version number", param, value)}
		}
		if have < need {
			return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("the bootstrap in %s is version %d, older than the %d the stacks require: run `%s` to update it", r.region, have, need, bootstrapCmd)}
		}
		found = append(found, fmt.Sprintf("%s is %d (the stacks require %d)", param, have, need))
	}
	return Result{Check: name, Result: Pass, Detail: strings.Join(found, "; ")}
}
