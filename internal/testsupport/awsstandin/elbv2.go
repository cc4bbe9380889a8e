package awsstandin

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// TargetGroup is a target group as DescribeTargetGroups lists it
// (TargetGroup, Elastic Load Balancing API reference, version 2015-12-01).
type TargetGroup struct {
	TargetGroupArn             string
	TargetGroupName            string
	Protocol                   string
	Port                       int
	VpcID                      string `xml:"VpcId"`
	HealthCheckProtocol        string
	HealthCheckPort            string
	HealthCheckEnabled         bool
	HealthCheckIntervalSeconds int
	HealthyThresholdCount      int
	UnhealthyThresholdCount    int
	LoadBalancerArns           []string `xml:"LoadBalancerArns>member"`
	TargetType                 string
	IPAddressType              string `xml:"IpAddressType"`
}

// LoadBalancing is a stand-in of Elastic Load Balancing's API, version
// 2015-12-01 (Query protocol), answering DescribeTargetGroups from the
// target groups it holds.
type LoadBalancing struct {
	QueryService

	mu           sync.Mutex
	targetGroups []TargetGroup
}

// NewLoadBalancing returns an empty stand-in.
func NewLoadBalancing() *LoadBalancing {
	l := &LoadBalancing{}
	l.QueryService = QueryService{
		SigningName: "elasticloadbalancing",
		IAMPrefix:   "elasticloadbalancing",
		Version:     "2015-12-01",
		Namespace:   "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
		Actions: map[string]*Action{
			// DescribeTargetGroups, Elastic Load Balancing API reference; the
			// action supports no resource-level permissions (Service
			// Authorization Reference), so it is authorized against "*".
			"DescribeTargetGroups": {
				Params: []Param{
					{Name: "LoadBalancerArn"},
					{Name: "TargetGroupArns.member.N"},
					{Name: "Names.member.N"},
					{Name: "Marker"},
					{Name: "PageSize"},
				},
				Answer: l.describeTargetGroups,
			},
		},
	}
	return l
}

// AddTargetGroup makes the stand-in know a target group.
func (l *LoadBalancing) AddTargetGroup(tg TargetGroup) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.targetGroups = append(l.targetGroups, tg)
}

func (l *LoadBalancing) describeTargetGroups(call Call) (any, *Error) {
	lb := call.Params.Get("LoadBalancerArn")
	if lb != "" && (call.Params.Has("TargetGroupArns.member.1") || call.Params.Has("Names.member.1")) {
		// "You can specify only one of LoadBalancerArn, TargetGroupArns or Names" (API reference).
		return nil, &Error{Status: http.StatusBadRequest, Code: "ValidationError", Message: "stand-in: LoadBalancerArn with TargetGroupArns or Names"}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var found []TargetGroup
	known := false
	for _, tg := range l.targetGroups {
		for _, arn := range tg.LoadBalancerArns {
			if arn == lb {
				found, known = append(found, tg), true
			}
		}
	}
	if lb != "" && !known && !strings.Contains(lb, ":loadbalancer/") {
		return nil, &Error{Status: http.StatusBadRequest, Code: "ValidationError", Message: fmt.Sprintf("'%s' is not a valid load balancer ARN", lb)}
	}
	if lb != "" && !known {
		return nil, &Error{Status: http.StatusBadRequest, Code: "LoadBalancerNotFound", Message: "One or more load balancers not found"}
	}
	return struct {
		TargetGroups []TargetGroup `xml:"TargetGroups>member"`
	}{found}, nil
}
