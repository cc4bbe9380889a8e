package awsstandin

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// ec2Filter are the filter parameters of the EC2 reads.
var ec2Filter = []Param{{Name: "Filter.N.Name"}, {Name: "Filter.N.Value.N"}, {Name: "MaxResults"}, {Name: "NextToken"}, {Name: "DryRun"}}

// ec2Read is an EC2 read with its own parameters and the filters.
func ec2Read(answer func(Call) (any, *Error), params ...string) *Action {
	a := &Action{Answer: answer}
	for _, p := range params {
		a.Params = append(a.Params, Param{Name: p})
	}
	a.Params = append(a.Params, ec2Filter...)
	return a
}

// ec2Answer is an EC2 answer: the request id, then the action's elements.
func ec2Answer(inner string) rawXML {
	return raw("<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>" + inner)
}

// filters returns EC2 filters by name: Filter.N.Name, Filter.N.Value.M.
func filters(call Call) map[string][]string {
	out := map[string][]string{}
	for i := 1; call.Params.Has(fmt.Sprintf("Filter.%d.Name", i)); i++ {
		out[call.Params.Get(fmt.Sprintf("Filter.%d.Name", i))] = members(call.Params, fmt.Sprintf("Filter.%d.Value", i))
	}
	return out
}

// selected reports whether value passes the filter name, if it is given.
func selected(f map[string][]string, name, value string) bool {
	values, ok := f[name]
	return !ok || slices.Contains(values, value)
}

func notFound(code, message string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: message}
}

// addEC2Reads adds to the EC2 stand-in the reads preflight makes, answered
// from the account's state as the Amazon EC2 API reference shows them
// (lowercase element names, lists as item elements in ...Set), with the
// filters each documents that preflight uses applied.
func (a *Account) addEC2Reads() {
	actions := a.EC2.Actions
	actions["DescribeAvailabilityZones"] = ec2Read(a.describeAvailabilityZones, "ZoneName.N", "ZoneId.N", "AllAvailabilityZones")
	actions["DescribeSubnets"] = ec2Read(a.describeSubnets, "SubnetId.N")
	actions["DescribeVpcEndpointServices"] = ec2Read(a.describeVpcEndpointServices, "ServiceName.N", "ServiceRegion.N")
	actions["DescribeInstanceTypeOfferings"] = ec2Read(a.describeInstanceTypeOfferings)
	actions["DescribeInstanceTypeOfferings"].Params = append(actions["DescribeInstanceTypeOfferings"].Params, Param{Name: "LocationType", Values: []string{"region", "availability-zone", "availability-zone-id", "outpost"}})
	actions["DescribeInstanceTypes"] = ec2Read(a.describeInstanceTypes, "InstanceType.N")
	actions["DescribeInstances"] = ec2Read(a.describeInstances, "InstanceId.N")
	actions["DescribeVpcs"] = ec2Read(a.describeVpcs, "VpcId.N")
	actions["DescribeVpcAttribute"] = &Action{Answer: a.describeVpcAttribute, Params: []Param{{Name: "VpcId", Required: true}, {Name: "DryRun"},
		{Name: "Attribute", Required: true, Values: []string{"enableDnsSupport", "enableDnsHostnames", "enableNetworkAddressUsageMetrics"}}}}
	actions["DescribeRouteTables"] = ec2Read(a.describeRouteTables, "RouteTableId.N")
	actions["DescribeVpcEndpoints"] = ec2Read(a.describeVpcEndpoints, "VpcEndpointId.N")
	actions["DescribeAddresses"] = &Action{Answer: a.describeAddresses, Params: []Param{{Name: "Filter.N.Name"}, {Name: "Filter.N.Value.N"}, {Name: "PublicIp.N"}, {Name: "AllocationId.N"}, {Name: "DryRun"}}}
}

// describeAvailabilityZones lists the region's zones and, unless the
// zone-type filter asks for availability zones only, a Local Zone too.
func (a *Account) describeAvailabilityZones(call Call) (any, *Error) {
	f := filters(call)
	var items strings.Builder
	for i, z := range a.Zones {
		if selected(f, "zone-type", "availability-zone") {
			fmt.Fprintf(&items, `<item><zoneName>%s</zoneName><zoneState>available</zoneState><regionName>%s</regionName><zoneId>az%d</zoneId><zoneType>availability-zone</zoneType><optInStatus>opt-in-not-required</optInStatus><messageSet/></item>`, z, a.Region, i+1)
		}
	}
	if selected(f, "zone-type", "local-zone") {
		fmt.Fprintf(&items, `<item><zoneName>%s-lz-1a</zoneName><zoneState>available</zoneState><regionName>%s</regionName><zoneId>lz1</zoneId><zoneType>local-zone</zoneType><optInStatus>opted-in</optInStatus><messageSet/></item>`, a.Region, a.Region)
	}
	return ec2Answer("<availabilityZoneInfo>" + items.String() + "</availabilityZoneInfo>"), nil
}

// describeSubnets lists the subnets named, or the default subnets and the
// existing VPC's, through the default-for-az filter.
func (a *Account) describeSubnets(call Call) (any, *Error) {
	var items strings.Builder
	subnet := func(id, vpc, zone string, isDefault bool) {
		fmt.Fprintf(&items, `<item><subnetId>%s</subnetId><state>available</state><vpcId>%s</vpcId><cidrBlock>10.0.0.0/24</cidrBlock><availableIpAddressCount>250</availableIpAddressCount><availabilityZone>%s</availabilityZone><defaultForAz>%t</defaultForAz><mapPublicIpOnLaunch>false</mapPublicIpOnLaunch></item>`, id, vpc, zone, isDefault)
	}
	if ids := members(call.Params, "SubnetId"); len(ids) > 0 {
		for _, id := range ids {
			var s [2]string
			ok := a.Existing != nil
			if ok {
				s, ok = a.Existing.Subnets[id]
			}
			if !ok {
				return nil, notFound("InvalidSubnetID.NotFound", "The subnet ID '"+id+"' does not exist")
			}
			subnet(id, a.Existing.ID, s[0], false)
		}
		return ec2Answer("<subnetSet>" + items.String() + "</subnetSet>"), nil
	}
	f := filters(call)
	if selected(f, "default-for-az", "true") {
		for i, z := range a.DefaultSubnets {
			subnet(fmt.Sprintf("subnet-default%d", i), "vpc-default", z, true)
		}
	}
	if a.Existing != nil && selected(f, "default-for-az", "false") {
		for _, id := range sortedKeys(a.Existing.Subnets) {
			subnet(id, a.Existing.ID, a.Existing.Subnets[id][0], false)
		}
	}
	return ec2Answer("<subnetSet>" + items.String() + "</subnetSet>"), nil
}

func (a *Account) describeVpcEndpointServices(call Call) (any, *Error) {
	var names, details strings.Builder
	for _, name := range members(call.Params, "ServiceName") {
		zones, ok := a.EndpointServices[name]
		if !ok {
			return nil, notFound("InvalidServiceName", "The Vpc Endpoint Service '"+name+"' does not exist")
		}
		var azs strings.Builder
		for _, z := range zones {
			azs.WriteString("<item>" + z + "</item>")
		}
		names.WriteString("<item>" + name + "</item>")
		fmt.Fprintf(&details, `<item><serviceName>%s</serviceName><serviceType><item><serviceType>Interface</serviceType></item></serviceType><availabilityZoneSet>%s</availabilityZoneSet><owner>amazon</owner><baseEndpointDnsNameSet><item>%s.amazonaws.com</item></baseEndpointDnsNameSet><vpcEndpointPolicySupported>true</vpcEndpointPolicySupported><acceptanceRequired>false</acceptanceRequired><managesVpcEndpoints>false</managesVpcEndpoints></item>`, name, azs.String(), name)
	}
	return ec2Answer("<serviceNameSet>" + names.String() + "</serviceNameSet><serviceDetailSet>" + details.String() + "</serviceDetailSet>"), nil
}

// describeInstanceTypeOfferings lists offerings by zone with LocationType
// availability-zone, else by region, its default (API reference).
func (a *Account) describeInstanceTypeOfferings(call Call) (any, *Error) {
	f := filters(call)
	byZone := call.Params.Get("LocationType") == "availability-zone"
	var items strings.Builder
	for _, t := range sortedKeys(a.Offerings) {
		if !selected(f, "instance-type", t) {
			continue
		}
		if !byZone {
			if len(a.Offerings[t]) > 0 && selected(f, "location", a.Region) {
				fmt.Fprintf(&items, `<item><instanceType>%s</instanceType><locationType>region</locationType><location>%s</location></item>`, t, a.Region)
			}
			continue
		}
		for _, z := range a.Offerings[t] {
			if selected(f, "location", z) {
				fmt.Fprintf(&items, `<item><instanceType>%s</instanceType><locationType>availability-zone</locationType><location>%s</location></item>`, t, z)
			}
		}
	}
	return ec2Answer("<instanceTypeOfferingSet>" + items.String() + "</instanceTypeOfferingSet>"), nil
}

func (a *Account) describeInstanceTypes(call Call) (any, *Error) {
	var items strings.Builder
	for _, t := range members(call.Params, "InstanceType") {
		fmt.Fprintf(&items, `<item><instanceType>%s</instanceType><currentGeneration>true</currentGeneration><vCpuInfo><defaultVCpus>%d</defaultVCpus><defaultCores>1</defaultCores><defaultThreadsPerCore>2</defaultThreadsPerCore></vCpuInfo></item>`, t, a.VCPUs[t])
	}
	return ec2Answer("<instanceTypeSet>" + items.String() + "</instanceTypeSet>"), nil
}

// describeInstances lists the running instances and one stopped one, which
// the instance-state-name filter leaves out.
func (a *Account) describeInstances(call Call) (any, *Error) {
	f := filters(call)
	var items strings.Builder
	instance := func(i int, t, state string, code int) {
		cores := map[string]int{"m5.large": 1}[t]
		if cores == 0 {
			cores = max(a.VCPUs[t]/2, 1)
		}
		if selected(f, "instance-state-name", state) {
			fmt.Fprintf(&items, `<item><instanceId>i-%017d</instanceId><instanceType>%s</instanceType><instanceState><code>%d</code><name>%s</name></instanceState><cpuOptions><coreCount>%d</coreCount><threadsPerCore>2</threadsPerCore></cpuOptions></item>`, i, t, code, state, cores)
		}
	}
	for i, t := range a.Running {
		instance(i, t, "running", 16)
	}
	instance(len(a.Running), "m5.24xlarge", "stopped", 80)
	return ec2Answer(`<reservationSet><item><reservationId>r-1234567890abcdef0</reservationId><ownerId>` + a.Account + `</ownerId><instancesSet>` + items.String() + `</instancesSet></item></reservationSet>`), nil
}

func (a *Account) describeVpcs(call Call) (any, *Error) {
	var items strings.Builder
	vpc := func(id string) {
		fmt.Fprintf(&items, `<item><vpcId>%s</vpcId><state>available</state><cidrBlock>10.0.0.0/16</cidrBlock><isDefault>false</isDefault></item>`, id)
	}
	if ids := members(call.Params, "VpcId"); len(ids) > 0 {
		if a.Existing == nil || ids[0] != a.Existing.ID {
			return nil, notFound("InvalidVpcID.NotFound", "The vpc ID '"+ids[0]+"' does not exist")
		}
		vpc(ids[0])
	} else {
		for i := range a.VpcCount {
			vpc(fmt.Sprintf("vpc-%017d", i))
		}
	}
	return ec2Answer("<vpcSet>" + items.String() + "</vpcSet>"), nil
}

func (a *Account) describeVpcAttribute(call Call) (any, *Error) {
	id := call.Params.Get("VpcId")
	if a.Existing == nil || id != a.Existing.ID {
		return nil, notFound("InvalidVpcID.NotFound", "The vpc ID '"+id+"' does not exist")
	}
	attr := call.Params.Get("Attribute")
	on := map[string]bool{"enableDnsSupport": a.Existing.DNSSupport, "enableDnsHostnames": a.Existing.DNSHostnames}[attr]
	return ec2Answer(fmt.Sprintf(`<vpcId>%s</vpcId><%s><value>%t</value></%s>`, id, attr, on, attr)), nil
}

func (a *Account) describeRouteTables(call Call) (any, *Error) {
	var items strings.Builder
	if a.Existing == nil || !selected(filters(call), "vpc-id", a.Existing.ID) {
		return ec2Answer("<routeTableSet/>"), nil
	}
	v := a.Existing
	for i, t := range v.RouteTables {
		var assoc strings.Builder
		if i == 0 {
			assoc.WriteString(`<item><routeTableAssociationId>rtbassoc-main</routeTableAssociationId><routeTableId>` + t[0] + `</routeTableId><main>true</main></item>`)
		}
		for _, id := range sortedKeys(v.Subnets) {
			if v.Subnets[id][1] == t[0] && i != 0 {
				assoc.WriteString(`<item><routeTableAssociationId>rtbassoc-` + id + `</routeTableAssociationId><routeTableId>` + t[0] + `</routeTableId><subnetId>` + id + `</subnetId><main>false</main></item>`)
			}
		}
		routes := `<item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state><origin>CreateRouteTable</origin></item>`
		switch target := t[1]; {
		case strings.HasPrefix(target, "nat-"):
			routes += `<item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><natGatewayId>` + target + `</natGatewayId><state>active</state><origin>CreateRoute</origin></item>`
		case target != "":
			routes += `<item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><gatewayId>` + target + `</gatewayId><state>active</state><origin>CreateRoute</origin></item>`
		}
		fmt.Fprintf(&items, `<item><routeTableId>%s</routeTableId><vpcId>%s</vpcId><ownerId>%s</ownerId><routeSet>%s</routeSet><associationSet>%s</associationSet></item>`, t[0], v.ID, a.Account, routes, assoc.String())
	}
	return ec2Answer("<routeTableSet>" + items.String() + "</routeTableSet>"), nil
}

func (a *Account) describeVpcEndpoints(call Call) (any, *Error) {
	var items strings.Builder
	v := a.Existing
	if v == nil || !selected(filters(call), "vpc-id", v.ID) {
		return ec2Answer("<vpcEndpointSet/>"), nil
	}
	for i, s := range v.InterfaceEndpoints {
		fmt.Fprintf(&items, `<item><vpcEndpointId>vpce-i%d</vpcEndpointId><vpcEndpointType>Interface</vpcEndpointType><vpcId>%s</vpcId><serviceName>%s</serviceName><state>available</state><privateDnsEnabled>%t</privateDnsEnabled></item>`, i, v.ID, s, v.InterfaceEndpointPrivateDNS)
	}
	if len(v.GatewayEndpointRouteTables) > 0 {
		var tables strings.Builder
		for _, t := range v.GatewayEndpointRouteTables {
			tables.WriteString("<item>" + t + "</item>")
		}
		fmt.Fprintf(&items, `<item><vpcEndpointId>vpce-s3</vpcEndpointId><vpcEndpointType>Gateway</vpcEndpointType><vpcId>%s</vpcId><serviceName>com.amazonaws.%s.s3</serviceName><state>available</state><routeTableIdSet>%s</routeTableIdSet><privateDnsEnabled>false</privateDnsEnabled></item>`, v.ID, a.Region, tables.String())
	}
	return ec2Answer("<vpcEndpointSet>" + items.String() + "</vpcEndpointSet>"), nil
}

func (a *Account) describeAddresses(Call) (any, *Error) {
	var items strings.Builder
	for i := range a.Addresses {
		fmt.Fprintf(&items, `<item><publicIp>203.0.113.%d</publicIp><allocationId>eipalloc-%d</allocationId><domain>vpc</domain></item>`, i+1, i)
	}
	return ec2Answer("<addressesSet>" + items.String() + "</addressesSet>"), nil
}
