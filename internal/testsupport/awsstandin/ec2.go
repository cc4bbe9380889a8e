package awsstandin

import (
	"fmt"
	"net/http"
	"regexp"
	"sync"
)

// EC2 is a stand-in of Amazon EC2's API, version 2016-11-15 (the EC2 Query
// protocol), answering what the CDK's handler that strips a VPC's default
// security group of its rules calls.
type EC2 struct {
	QueryService
	// Region and Account make the ARNs of security groups.
	Region, Account string

	mu sync.Mutex
	// rules are the rules each security group has, by group id; a group
	// starts with the two rules AWS gives every default security group.
	rules map[string]map[string]bool
}

// The rules of a new VPC's default security group: inbound from the group
// itself, outbound to anywhere ("Default security groups for your VPCs").
const (
	ingressFromSelf   = "ingress -1 from the group itself"
	egressToAnywhere  = "egress -1 to 0.0.0.0/0"
	securityGroupID   = `^sg-[0-9a-f]{8}([0-9a-f]{9})?$`
	ec2APIReferenceNS = "http://ec2.amazonaws.com/doc/2016-11-15/"
)

var groupID = regexp.MustCompile(securityGroupID)

// NewEC2 returns an empty stand-in.
func NewEC2(region, account string) *EC2 {
	e := &EC2{Region: region, Account: account, rules: map[string]map[string]bool{}}
	// IpPermission as the EC2 protocol flattens it: UserIdGroupPairs are
	// "Groups" and IpRanges are "IpRanges" (RevokeSecurityGroupIngress and
	// RevokeSecurityGroupEgress, Amazon EC2 API reference).
	permissions := []Param{
		{Name: "GroupId", Required: true},
		{Name: "IpPermissions.N.IpProtocol"},
		{Name: "IpPermissions.N.FromPort"},
		{Name: "IpPermissions.N.ToPort"},
		{Name: "IpPermissions.N.IpRanges.N.CidrIp"},
		{Name: "IpPermissions.N.IpRanges.N.Description"},
		{Name: "IpPermissions.N.Groups.N.GroupId"},
		{Name: "IpPermissions.N.Groups.N.UserId"},
		{Name: "DryRun"},
	}
	e.QueryService = QueryService{
		SigningName: "ec2",
		IAMPrefix:   "ec2",
		Version:     "2016-11-15",
		Namespace:   ec2APIReferenceNS,
		EC2:         true,
		Actions: map[string]*Action{
			"RevokeSecurityGroupIngress": {Params: permissions, Answer: e.revoke("ingress"), Resource: e.groupArn},
			"RevokeSecurityGroupEgress":  {Params: permissions, Answer: e.revoke("egress"), Resource: e.groupArn},
		},
	}
	return e
}

// AddDefaultSecurityGroup makes the stand-in know a VPC's default group.
func (e *EC2) AddDefaultSecurityGroup(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules[id] = map[string]bool{ingressFromSelf: true, egressToAnywhere: true}
}

// Groups returns the ids of the security groups the stand-in knows.
func (e *EC2) Groups() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for id := range e.rules {
		out = append(out, id)
	}
	return out
}

// Rules returns the rules a security group has left.
func (e *EC2) Rules(id string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for r := range e.rules[id] {
		out = append(out, r)
	}
	return out
}

func (e *EC2) groupArn(call Call) string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", e.Region, e.Account, call.Params.Get("GroupId"))
}

// revoke removes the one rule a call names, answering as RevokeSecurityGroup*
// does: <return>true</return>, or InvalidGroup.NotFound and
// InvalidPermission.NotFound ("Error codes for the Amazon EC2 API").
func (e *EC2) revoke(direction string) func(Call) (any, *Error) {
	return func(call Call) (any, *Error) {
		id := call.Params.Get("GroupId")
		if !groupID.MatchString(id) {
			return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidGroupId.Malformed", Message: fmt.Sprintf("Invalid id: %q", id)}
		}
		var rule string
		p := call.Params
		switch {
		case p.Get("IpPermissions.1.IpProtocol") == "-1" && p.Get("IpPermissions.1.IpRanges.1.CidrIp") == "0.0.0.0/0":
			rule = direction + " -1 to 0.0.0.0/0"
		case p.Get("IpPermissions.1.IpProtocol") == "-1" && p.Get("IpPermissions.1.Groups.1.GroupId") == id:
			rule = direction + " -1 from the group itself"
		default:
			return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameterValue", Message: "stand-in: this rule is not modeled"}
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		rules, ok := e.rules[id]
		if !ok {
			return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidGroup.NotFound", Message: fmt.Sprintf("The security group '%s' does not exist", id)}
		}
		if !rules[rule] {
			return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidPermission.NotFound", Message: "The specified rule does not exist in this security group."}
		}
		delete(rules, rule)
		return struct {
			RequestID string `xml:"requestId"`
			Return    bool   `xml:"return"`
		}{requestID, true}, nil
	}
}
