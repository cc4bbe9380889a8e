package preflight

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func (r *runner) vpcPermissions() []string {
	if r.plan.VpcID != "" {
		return []string{"ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeSubnets", "ec2:DescribeRouteTables", "ec2:DescribeVpcEndpoints"}
	}
	perms := []string{"ec2:DescribeVpcs", "cloudformation:DescribeStacks"}
	if r.plan.NatEgress {
		perms = append(perms, "ec2:DescribeAddresses")
	}
	return append(perms, quotaPermissions...)
}

// vpc checks the network the environment deploys into: an existing VPC
// (network.vpcId) must be usable as it is; a VPC the Network stack creates
// must fit the region's quotas.
func (r *runner) vpc(ctx context.Context) Result {
	if r.plan.VpcID != "" {
		return r.existingVpc(ctx)
	}
	return r.newVpcQuotas(ctx)
}

// newVpcQuotas checks that one more VPC fits the VPCs-per-Region quota and,
// with NAT gateways, that their Elastic IPs fit the Elastic IP quota (each
// NAT gateway the CDK creates allocates one, AWS::EC2::EIP). Once the
// Network stack exists, its VPC and addresses are already counted.
func (r *runner) newVpcQuotas(ctx context.Context) Result {
	const name = "vpc"
	exists, err := r.deployed(ctx, r.plan.NetworkStack)
	if err != nil {
		return r.failed(ctx, name, "cloudformation:DescribeStacks "+r.plan.NetworkStack, err)
	}
	if exists {
		return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s exists, so its VPC and addresses are in place", r.plan.NetworkStack)}
	}
	vpcs := 0
	pages := ec2.NewDescribeVpcsPaginator(r.ec2, &ec2.DescribeVpcsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return r.failed(ctx, name, "ec2:DescribeVpcs", err)
		}
		vpcs += len(page.Vpcs)
	}
	q, err := vpcQuota.read(ctx, r.quotas)
	if err != nil {
		return r.failed(ctx, name, "servicequotas:GetServiceQuota", err)
	}
	if vpcs+1 > q.value {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s has %d VPCs and the quota is %d (%s), so the new VPC does not fit: delete an unused VPC, request more (Service Quotas vpc L-F678F1CE), or use an existing one (environments.%s.network.vpcId)", r.region, vpcs, q.value, q.source, r.plan.Environment)}
	}
	detail := fmt.Sprintf("VPCs: %d + 1 new = %d, within the quota of %d (%s)", vpcs, vpcs+1, q.value, q.source)
	if !r.plan.NatEgress {
		return Result{Check: name, Result: Pass, Detail: detail}
	}
	addresses, err := r.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{
		Filters: []types.Filter{{Name: aws.String("domain"), Values: []string{"vpc"}}},
	})
	if err != nil {
		return r.failed(ctx, name, "ec2:DescribeAddresses", err)
	}
	need := len(r.asm.Stacks[r.plan.NetworkStack].ofType("AWS::EC2::EIP"))
	eq, err := elasticIPQuota.read(ctx, r.quotas)
	if err != nil {
		return r.failed(ctx, name, "servicequotas:GetServiceQuota", err)
	}
	used := len(addresses.Addresses)
	if used+need > eq.value {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("the %d NAT gateways need %d Elastic IPs, but %s has %d of %d in use (%s): release unused addresses, request more (Service Quotas ec2 L-0263D0A3), or lower environments.%s.network.natGateways", need, need, r.region, used, eq.value, eq.source, r.plan.Environment)}
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s; Elastic IPs: %d + %d for NAT = %d, within the quota of %d (%s)", detail, used, need, used+need, eq.value, eq.source)}
}

// existingVpc checks an existing VPC: it exists; it resolves DNS, and with
// interface endpoints also gives DNS hostnames (their private DNS: "To use
// a private hosted zone, you must set the following VPC attributes to true:
// enableDnsHostnames and enableDnsSupport", CreateVpcEndpoint API
// reference, PrivateDnsEnabled); the backends'
// subnets are private (no route to an Internet gateway) and span at least
// two zones, which a highly available environment needs; and the egress
// the configuration declares is there: a default route that is not an
// Internet gateway (NAT), or the endpoints the Network stack would create
// for a VPC of its own.
func (r *runner) existingVpc(ctx context.Context) Result {
	const name = "vpc"
	id, at := r.plan.VpcID, fmt.Sprintf("environments.%s.network", r.plan.Environment)
	vpcs, err := r.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	if errorCode(err) == "InvalidVpcID.NotFound" {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s does not exist in account %s, %s: correct %s.vpcId", id, r.account, r.region, at)}
	}
	if err != nil {
		return r.failed(ctx, name, "ec2:DescribeVpcs", err)
	}
	if len(vpcs.Vpcs) != 1 || vpcs.Vpcs[0].State != types.VpcStateAvailable {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s is not available: correct %s.vpcId", id, at)}
	}
	var problems []string
	for _, attr := range []types.VpcAttributeName{types.VpcAttributeNameEnableDnsSupport, types.VpcAttributeNameEnableDnsHostnames} {
		if attr == types.VpcAttributeNameEnableDnsHostnames && r.plan.NatEgress {
			continue
		}
		out, err := r.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(id), Attribute: attr})
		if err != nil {
			return r.failed(ctx, name, "ec2:DescribeVpcAttribute", err)
		}
		on := out.EnableDnsSupport
		if attr == types.VpcAttributeNameEnableDnsHostnames {
			on = out.EnableDnsHostnames
		}
		if on == nil || !aws.ToBool(on.Value) {
			flag := map[types.VpcAttributeName]string{types.VpcAttributeNameEnableDnsSupport: "--enable-dns-support", types.VpcAttributeNameEnableDnsHostnames: "--enable-dns-hostnames"}[attr]
			problems = append(problems, fmt.Sprintf("%s is off (aws ec2 modify-vpc-attribute --vpc-id %s %s)", attr, id, flag))
		}
	}
	subnets, tables, err := r.backendSubnets(ctx)
	if err != nil {
		return r.failed(ctx, name, "ec2:DescribeSubnets/DescribeRouteTables", err)
	}
	zones := map[string]bool{}
	for _, s := range subnets {
		zones[aws.ToString(s.AvailabilityZone)] = true
		routes := tables[aws.ToString(s.SubnetId)].Routes
		if target := defaultRoute(routes); strings.HasPrefix(target, "igw-") {
			problems = append(problems, fmt.Sprintf("subnet %s is public (its default route is %s)", aws.ToString(s.SubnetId), target))
		} else if r.plan.NatEgress && target == "" {
			problems = append(problems, fmt.Sprintf("subnet %s has no default route, but egress is \"nat\"", aws.ToString(s.SubnetId)))
		}
	}
	if len(zones) < 2 {
		problems = append(problems, fmt.Sprintf("the backends' subnets are in %d availability zone(s), not the 2 a highly available backend needs", len(zones)))
	}
	if !r.plan.NatEgress {
		missing, err := r.missingEndpoints(ctx, id, subnets, tables)
		if err != nil {
			return r.failed(ctx, name, "ec2:DescribeVpcEndpoints", err)
		}
		problems = append(problems, missing...)
	}
	if len(problems) > 0 {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s: %s; fix the VPC or choose another in %s.vpcId", id, strings.Join(problems, "; "), at)}
	}
	egress := "interface endpoints for " + strings.Join(r.plan.InterfaceEndpointServices, ", ") + " and an S3 gateway endpoint"
	if r.plan.NatEgress {
		egress = "a default route through NAT"
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s resolves DNS; %d private subnets in %s with %s", id, len(subnets), strings.Join(slices.Sorted(maps.Keys(zones)), ", "), egress)}
}

// backendSubnets describes the subnets the backends use and returns each
// one's route table: its explicit association, else the VPC's main table
// ("Subnet route tables", Amazon VPC User Guide).
func (r *runner) backendSubnets(ctx context.Context) ([]types.Subnet, map[string]types.RouteTable, error) {
	ids, err := r.backendSubnetIDs()
	if err != nil {
		return nil, nil, err
	}
	out, err := r.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: ids})
	if err != nil {
		return nil, nil, err
	}
	var main types.RouteTable
	explicit := map[string]types.RouteTable{}
	pages := ec2.NewDescribeRouteTablesPaginator(r.ec2, &ec2.DescribeRouteTablesInput{
		Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{r.plan.VpcID}}},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range page.RouteTables {
			for _, a := range t.Associations {
				if aws.ToBool(a.Main) {
					main = t
				}
				if a.SubnetId != nil {
					explicit[*a.SubnetId] = t
				}
			}
		}
	}
	tables := map[string]types.RouteTable{}
	for _, s := range out.Subnets {
		t, ok := explicit[aws.ToString(s.SubnetId)]
		if !ok {
			t = main
		}
		tables[aws.ToString(s.SubnetId)] = t
	}
	return out.Subnets, tables, nil
}

// defaultRoute returns the target of an active 0.0.0.0/0 route, or "".
func defaultRoute(routes []types.Route) string {
	for _, route := range routes {
		if aws.ToString(route.DestinationCidrBlock) != "0.0.0.0/0" || route.State == types.RouteStateBlackhole {
			continue
		}
		for _, target := range []*string{route.GatewayId, route.NatGatewayId, route.TransitGatewayId, route.InstanceId, route.NetworkInterfaceId, route.VpcPeeringConnectionId} {
			if target != nil {
				return *target
			}
		}
	}
	return ""
}

// missingEndpoints lists what the VPC lacks of the endpoints isolated
// subnets need: an available interface endpoint with private DNS for each
// interface service, and a gateway endpoint for each gateway service on the
// backends' route tables.
func (r *runner) missingEndpoints(ctx context.Context, vpcID string, subnets []types.Subnet, tables map[string]types.RouteTable) ([]string, error) {
	byService := map[string][]types.VpcEndpoint{}
	pages := ec2.NewDescribeVpcEndpointsPaginator(r.ec2, &ec2.DescribeVpcEndpointsInput{
		Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range page.VpcEndpoints {
			if strings.EqualFold(string(e.State), string(types.StateAvailable)) {
				byService[aws.ToString(e.ServiceName)] = append(byService[aws.ToString(e.ServiceName)], e)
			}
		}
	}
	var missing []string
	for _, service := range r.plan.InterfaceEndpointServices {
		ok := false
		for _, e := range byService[r.endpointServiceName(service)] {
			ok = ok || (e.VpcEndpointType == types.VpcEndpointTypeInterface && aws.ToBool(e.PrivateDnsEnabled))
		}
		if !ok {
			missing = append(missing, fmt.Sprintf("no available interface endpoint with private DNS for %s", r.endpointServiceName(service)))
		}
	}
	for _, service := range r.plan.GatewayEndpointServices {
		routeTables := map[string]bool{}
		for _, e := range byService[r.endpointServiceName(service)] {
			if e.VpcEndpointType == types.VpcEndpointTypeGateway {
				for _, t := range e.RouteTableIds {
					routeTables[t] = true
				}
			}
		}
		for _, s := range subnets {
			if table := aws.ToString(tables[aws.ToString(s.SubnetId)].RouteTableId); !routeTables[table] {
				missing = append(missing, fmt.Sprintf("no %s gateway endpoint on route table %s of subnet %s", service, table, aws.ToString(s.SubnetId)))
			}
		}
	}
	return missing, nil
}
