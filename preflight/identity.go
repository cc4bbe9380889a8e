package preflight

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// GetCallerIdentity needs no permission: "No permissions are required to
// perform this operation" (STS API reference, GetCallerIdentity).
var identityPermissions = []string{"sts:GetCallerIdentity"}

// identity checks that the credentials resolve and, for a pinned
// environment, that they are for its account; it also learns the account
// an environment-agnostic one would deploy to. sameAccount is false when
// the other checks would read another account than the environment's.
func (r *runner) identity(ctx context.Context) (res Result, sameAccount bool) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	out, err := r.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		res = r.failed(ctx, "identity", "sts:GetCallerIdentity", err)
		res.Permissions = identityPermissions
		return res, true
	}
	caller, arn := aws.ToString(out.Account), aws.ToString(out.Arn)
	res = Result{Check: "identity", Permissions: identityPermissions}
	if r.plan.Pinned() && caller != r.plan.Account {
		res.Result = Fail
		res.Detail = fmt.Sprintf("the credentials are %s in account %s, but environment %s deploys to account %s: use credentials for %s (e.g. AWS_PROFILE) or change environments.%s.account",
			arn, caller, r.plan.Environment, r.plan.Account, r.plan.Account, r.plan.Environment)
		return res, false
	}
	r.account = caller
	res.Result = Pass
	res.Detail = fmt.Sprintf("%s in account %s, region %s", arn, caller, r.region)
	return res, true
}
