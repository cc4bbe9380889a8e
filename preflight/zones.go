package preflight

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// zonePermissions are what the zone checks call: finding the zones, then
// the offerings of endpoint services and of instance types.
func (r *runner) zonePermissions() []string {
	perms := slices.Concat(zoneLookupPermissions, instanceTypePermissions)
	if slices.Contains(r.zoneCheckNames(), "endpoint services") {
		perms = append(perms, endpointServicePermissions...)
	}
	return perms
}

var (
	zoneLookupPermissions      = []string{"ec2:DescribeAvailabilityZones", "ec2:DescribeSubnets"}
	endpointServicePermissions = []string{"ec2:DescribeVpcEndpointServices"}
	instanceTypePermissions    = []string{"ec2:DescribeInstanceTypeOfferings"}
)

// zoneChecks checks, in each of the environment's availability zones, that
// every interface endpoint service the Network stack creates is offered
// there (an endpoint gets a network interface in each of its subnets'
// zones, "Access an AWS service using an interface VPC endpoint") and that
// each backend's instance type is (DescribeInstanceTypeOfferings with
// LocationType availability-zone).
func (r *runner) zoneChecks(ctx context.Context) []Result {
	perms := map[string][]string{
		"endpoint services": slices.Concat(zoneLookupPermissions, endpointServicePermissions),
		"instance types":    slices.Concat(zoneLookupPermissions, instanceTypePermissions),
	}
	zones, how, err := r.zones(ctx)
	var res []Result
	for _, name := range r.zoneCheckNames() {
		var row Result
		switch {
		case err != nil:
			row = r.failed(ctx, name, how, err)
		case name == "endpoint services":
			row = r.endpointServices(ctx, zones, how)
		default:
			row = r.instanceTypes(ctx, zones, how)
		}
		row.Permissions = perms[name]
		res = append(res, row)
	}
	return res
}

// zoneCheckNames are the rows zoneChecks gives: endpoint services only when
// the Network stack creates the endpoints (an existing VPC brings its own,
// which the vpc check looks for).
func (r *runner) zoneCheckNames() []string {
	if r.plan.VpcID == "" && len(r.plan.InterfaceEndpointServices) > 0 {
		return []string{"endpoint services", "instance types"}
	}
	return []string{"instance types"}
}

// zones returns the availability zones the environment's subnets are in,
// and how they were found (or, with an error, the call that failed).
func (r *runner) zones(ctx context.Context) ([]string, string, error) {
	if r.plan.VpcID != "" {
		return r.existingVpcZones(ctx)
	}
	network, ok := r.asm.Stacks[r.plan.NetworkStack]
	if !ok {
		return nil, "reading the assembly", fmt.Errorf("the assembly has no stack %s", r.plan.NetworkStack)
	}
	set := map[string]bool{}
	var regionZones []string
	for _, res := range network {
		if res.Type != "AWS::EC2::Subnet" {
			continue
		}
		switch az := res.Properties["AvailabilityZone"].(type) {
		case string:
			// A pinned environment's zones are literals, from the
			// availability-zones lookup cached in cdk.context.json.
			set[az] = true
		default:
			index, ok := getAZsIndex(az)
			if !ok {
				return nil, "reading the assembly", fmt.Errorf("subnet zone %v is neither a name nor Fn::Select of Fn::GetAZs", az)
			}
			if regionZones == nil {
				var err error
				if regionZones, err = r.getAZs(ctx); err != nil {
					return nil, "ec2:DescribeAvailabilityZones", err
				}
			}
			if index >= len(regionZones) {
				return nil, "ec2:DescribeAvailabilityZones", fmt.Errorf("the region has %d zones, the VPC uses zone %d", len(regionZones), index+1)
			}
			set[regionZones[index]] = true
		}
	}
	how := "the Network stack's subnets"
	if regionZones != nil {
		how = "Fn::GetAZs: the first zones with a default subnet, alphabetically"
	}
	return slices.Sorted(maps.Keys(set)), how, nil
}

// getAZsIndex reads {"Fn::Select": [i, {"Fn::GetAZs": ""}]}, how an
// environment-agnostic VPC names its zones.
func getAZsIndex(v any) (int, bool) {
	fn, _ := v.(map[string]any)
	sel, _ := fn["Fn::Select"].([]any)
	if len(sel) != 2 {
		return 0, false
	}
	index, isNumber := sel[0].(float64)
	list, _ := sel[1].(map[string]any)
	_, getAZs := list["Fn::GetAZs"]
	return int(index), isNumber && getAZs
}

// getAZs returns what Fn::GetAZs returns in the region: "Availability Zones
// for a specified Region in alphabetical order", and "only Availability
// Zones that have a default subnet unless none of the Availability Zones
// has a default subnet" (Fn::GetAZs, CloudFormation Template Reference).
// The same page says the order "isn't guaranteed", so for an
// environment-agnostic VPC these are the zones it most likely gets.
func (r *runner) getAZs(ctx context.Context) ([]string, error) {
	azs, err := r.ec2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{
		Filters: []types.Filter{{Name: aws.String("zone-type"), Values: []string{"availability-zone"}}},
	})
	if err != nil {
		return nil, err
	}
	all := map[string]bool{}
	for _, z := range azs.AvailabilityZones {
		if z.State == types.AvailabilityZoneStateAvailable {
			all[aws.ToString(z.ZoneName)] = true
		}
	}
	withDefault := map[string]bool{}
	pages := ec2.NewDescribeSubnetsPaginator(r.ec2, &ec2.DescribeSubnetsInput{
		Filters: []types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.Subnets {
			if all[aws.ToString(s.AvailabilityZone)] {
				withDefault[aws.ToString(s.AvailabilityZone)] = true
			}
		}
	}
	if len(withDefault) > 0 {
		all = withDefault
	}
	return slices.Sorted(maps.Keys(all)), nil
}

// existingVpcZones returns the zones of the subnets the backends use in an
// existing VPC: the lookup cached in cdk.context.json wrote their ids into
// each environment's aws:ec2:vpc Subnets option.
func (r *runner) existingVpcZones(ctx context.Context) ([]string, string, error) {
	ids, err := r.backendSubnetIDs()
	if err != nil {
		return nil, "reading the assembly", err
	}
	out, err := r.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: ids})
	if err != nil {
		return nil, "ec2:DescribeSubnets", err
	}
	set := map[string]bool{}
	for _, s := range out.Subnets {
		set[aws.ToString(s.AvailabilityZone)] = true
	}
	return slices.Sorted(maps.Keys(set)), "the backends' subnets in " + r.plan.VpcID, nil
}

// backendSubnetIDs returns the subnets the backends use in an existing
// VPC, from each environment's aws:ec2:vpc Subnets option.
func (r *runner) backendSubnetIDs() ([]string, error) {
	ids := map[string]bool{}
	for _, env := range r.asm.Resources("AWS::ElasticBeanstalk::Environment") {
		value := optionValue(env, "aws:ec2:vpc", "Subnets")
		if value == "" {
			return nil, errors.New("a backend's subnets (aws:ec2:vpc Subnets) are not literal subnet ids")
		}
		for _, id := range strings.Split(value, ",") {
			ids[id] = true
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("the assembly has no backend environments")
	}
	return slices.Sorted(maps.Keys(ids)), nil
}

// endpointServiceName is an AWS service's VPC endpoint service name in the
// region, com.amazonaws.REGION.SERVICE, as the CDK's
// InterfaceVpcEndpointAwsService builds it.
func (r *runner) endpointServiceName(service string) string {
	return "com.amazonaws." + r.region + "." + service
}

func (r *runner) endpointServices(ctx context.Context, zones []string, how string) Result {
	const name = "endpoint services"
	var missing []string
	for _, service := range r.plan.InterfaceEndpointServices {
		serviceName := r.endpointServiceName(service)
		out, err := r.ec2.DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{ServiceNames: []string{serviceName}})
		// A name the region does not offer is an error, InvalidServiceName
		// ("Error codes for the Amazon EC2 API").
		if errorCode(err) == "InvalidServiceName" {
			missing = append(missing, fmt.Sprintf("%s is not offered in %s", serviceName, r.region))
			continue
		}
		if err != nil {
			return r.failed(ctx, name, "ec2:DescribeVpcEndpointServices", err)
		}
		offered := map[string]bool{}
		for _, d := range out.ServiceDetails {
			if aws.ToString(d.ServiceName) == serviceName {
				for _, z := range d.AvailabilityZones {
					offered[z] = true
				}
			}
		}
		for _, z := range zones {
			if !offered[z] {
				missing = append(missing, fmt.Sprintf("%s is not offered in %s", serviceName, z))
			}
		}
	}
	if len(missing) > 0 {
		return Result{Check: name, Result: Fail, Detail: strings.Join(missing, "; ") + fmt.Sprintf(": set environments.%s.network.egress to \"nat\", or deploy to zones that offer it", r.plan.Environment)}
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s offered in %s (%s)", strings.Join(r.plan.InterfaceEndpointServices, ", "), strings.Join(zones, ", "), how)}
}

func (r *runner) instanceTypes(ctx context.Context, zones []string, how string) Result {
	const name = "instance types"
	wanted := map[string]bool{}
	for _, b := range r.plan.Backends {
		wanted[b.InstanceType] = true
	}
	offered := map[string]bool{}
	pages := ec2.NewDescribeInstanceTypeOfferingsPaginator(r.ec2, &ec2.DescribeInstanceTypeOfferingsInput{
		LocationType: types.LocationTypeAvailabilityZone,
		Filters: []types.Filter{
			{Name: aws.String("location"), Values: zones},
			{Name: aws.String("instance-type"), Values: slices.Sorted(maps.Keys(wanted))},
		},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return r.failed(ctx, name, "ec2:DescribeInstanceTypeOfferings", err)
		}
		for _, o := range page.InstanceTypeOfferings {
			offered[string(o.InstanceType)+" "+aws.ToString(o.Location)] = true
		}
	}
	var missing []string
	for _, b := range r.plan.Backends {
		at := fmt.Sprintf("environments.%s.backends.%s.instanceType", r.plan.Environment, b.Name)
		for _, z := range zones {
			if !offered[b.InstanceType+" "+z] {
				missing = append(missing, fmt.Sprintf("%s (backend %s) is not offered in %s: choose another type in %s", b.InstanceType, b.Name, z, at))
			}
		}
	}
	if len(missing) > 0 {
		return Result{Check: name, Result: Fail, Detail: strings.Join(missing, "; ")}
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s offered in %s (%s)", strings.Join(slices.Sorted(maps.Keys(wanted)), ", "), strings.Join(zones, ", "), how)}
}
