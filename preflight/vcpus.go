package preflight

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

var vcpuPermissions = append([]string{"ec2:DescribeInstanceTypes", "ec2:DescribeInstances", "cloudformation:DescribeStacks"}, quotaPermissions...)

// standardFamily reports whether an instance type counts against the
// Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances quota;
// DL, Inf, Trn, HPC, Mac, F, G and VT, P, X and High Memory (U) instances
// have quotas of their own (Amazon EC2 User Guide, On-Demand Instance quotas).
func standardFamily(instanceType string) bool {
	family, _, _ := strings.Cut(instanceType, ".")
	for _, own := range []string{"dl", "inf", "trn", "hpc", "mac"} {
		if strings.HasPrefix(family, own) {
			return false
		}
	}
	return family != "" && strings.ContainsRune("acdhimrtz", rune(family[0]))
}

// vcpuQuota checks that the minimum instances of the backends a deploy
// would create fit the account's On-Demand Standard vCPU quota next to the
// instances already running: On-Demand quotas count vCPUs, and a launch
// beyond them fails (VcpuLimitExceeded). Backends whose stack exists
// already run their instances, so they are counted once, as running.
func (r *runner) vcpuQuota(ctx context.Context) Result {
	const name = "vcpu quota"
	var newBackends []BackendPlan
	var other []string
	for _, b := range r.plan.Backends {
		exists, err := r.deployed(ctx, b.Stack)
		if err != nil {
			return r.failed(ctx, name, "cloudformation:DescribeStacks "+b.Stack, err)
		}
		switch {
		case exists:
		case standardFamily(b.InstanceType):
			newBackends = append(newBackends, b)
		default:
			other = append(other, fmt.Sprintf("%s (backend %s) counts against another quota, not checked", b.InstanceType, b.Name))
		}
	}
	if len(newBackends) == 0 {
		return Result{Check: name, Result: Pass, Detail: strings.Join(append([]string{"no new backend launches standard instances"}, other...), "; ")}
	}
	vcpus := map[string]int{}
	var wanted []types.InstanceType
	for _, b := range newBackends {
		if _, ok := vcpus[b.InstanceType]; !ok {
			vcpus[b.InstanceType] = 0
			wanted = append(wanted, types.InstanceType(b.InstanceType))
		}
	}
	described, err := r.ec2.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: wanted})
	if err != nil {
		return r.failed(ctx, name, "ec2:DescribeInstanceTypes", err)
	}
	for _, t := range described.InstanceTypes {
		if t.VCpuInfo != nil {
			vcpus[string(t.InstanceType)] = int(aws.ToInt32(t.VCpuInfo.DefaultVCpus))
		}
	}
	need := 0
	var parts []string
	for _, b := range newBackends {
		need += b.MinInstances * vcpus[b.InstanceType]
		parts = append(parts, fmt.Sprintf("%s %d × %s", b.Name, b.MinInstances, b.InstanceType))
	}
	used, err := r.runningStandardVCPUs(ctx)
	if err != nil {
		return r.failed(ctx, name, "ec2:DescribeInstances", err)
	}
	q, err := standardVCPUQuota.read(ctx, r.quotas)
	if err != nil {
		return r.failed(ctx, name, "servicequotas:GetServiceQuota ec2 L-1216C47A", err)
	}
	counted := fmt.Sprintf("%s need %d vCPUs; %d run already; quota %d (%s)", strings.Join(parts, ", "), need, used, q.value, q.source)
	if used+need > q.value {
		return Result{Check: name, Result: Fail, Detail: counted + ": request more (Service Quotas ec2 L-1216C47A), or lower minInstances or pick smaller instance types"}
	}
	return Result{Check: name, Result: Pass, Detail: strings.Join(append([]string{counted}, other...), "; ")}
}

// runningStandardVCPUs adds up the vCPUs of the account's pending and
// running On-Demand instances of the standard families in the region.
func (r *runner) runningStandardVCPUs(ctx context.Context) (int, error) {
	total := 0
	pages := ec2.NewDescribeInstancesPaginator(r.ec2, &ec2.DescribeInstancesInput{
		Filters: []types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"pending", "running"}}},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		for _, res := range page.Reservations {
			for _, i := range res.Instances {
				if i.InstanceLifecycle == types.InstanceLifecycleTypeSpot || !standardFamily(string(i.InstanceType)) || i.CpuOptions == nil {
					continue
				}
				total += int(aws.ToInt32(i.CpuOptions.CoreCount) * aws.ToInt32(i.CpuOptions.ThreadsPerCore))
			}
		}
	}
	return total, nil
}
