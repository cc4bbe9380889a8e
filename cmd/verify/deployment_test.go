package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The deployment of dev's backend blue, as its stack's outputs say.
const (
	blueLoadBalancer = "arn:aws:elasticbeanstalk:eu-west-1:111111111111:loadbalancer/net/awseb-AWSEB-1/0123456789abcdef"
	blueHost         = "awseb-AWSEB-1-0123456789.elb.eu-west-1.amazonaws.com"
	blueLabel        = "dev-backend-blue-version-1a2b3c"
)

// stacksByName stands in for DescribeStacks with outputs per stack.
func stacksByName(t *testing.T, stacks map[string]map[string]string) *httptest.Server {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "DescribeStacks" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		outputs, ok := stacks[r.Form.Get("StackName")]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id %s does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>`, r.Form.Get("StackName"))
			return
		}
		var members strings.Builder
		for key, value := range outputs {
			fmt.Fprintf(&members, "<member><OutputKey>%s</OutputKey><OutputValue>%s</OutputValue></member>", key, value)
		}
		fmt.Fprintf(w, `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>%s</StackName><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>%s</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
			r.Form.Get("StackName"), members.String())
	}))
	t.Cleanup(server.Close)
	return server
}

// apiGateway stands in for API Gateway's GetStage (GET
// /restapis/ID/stages/NAME: stageName, variables) and GetVpcLink (GET
// /vpclinks/ID: id, targetArns, status), as the REST API reference shapes
// them.
func apiGateway(t *testing.T, variables map[string]map[string]string, links map[string][]string) *httptest.Server {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth := r.Header.Get("Authorization"); !strings.Contains(auth, "/apigateway/aws4_request") {
			t.Errorf("%s not signed for API Gateway: %q", r.URL.Path, auth)
		}
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && len(parts) == 4 && parts[0] == "restapis" && parts[2] == "stages":
			vars, ok := variables[parts[3]]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprint(w, `{"message":"Invalid stage identifier specified"}`)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"stageName": parts[3], "deploymentId": "d1", "variables": vars})
		case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "vpclinks":
			_ = json.NewEncoder(w).Encode(map[string]any{"id": parts[1], "name": "link", "targetArns": links[parts[1]], "status": "AVAILABLE"})
		default:
			http.Error(w, `{"message":"unexpected request"}`, http.StatusBadRequest)
		}
	}))
	t.Cleanup(server.Close)
	return server
}

// beanstalk stands in for DescribeEnvironments and
// DescribeApplicationVersions (query protocol, Beanstalk API reference).
func beanstalk(t *testing.T, running, description string) *httptest.Server {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		const ns = `xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"`
		switch r.Form.Get("Action") {
		case "DescribeEnvironments":
			name := r.Form.Get("EnvironmentNames.member.1")
			fmt.Fprintf(w, `<DescribeEnvironmentsResponse %s><DescribeEnvironmentsResult><Environments><member><EnvironmentName>%s</EnvironmentName><ApplicationName>dev-backend-blue-app</ApplicationName><VersionLabel>%s</VersionLabel><Status>Ready</Status><Health>Green</Health></member></Environments></DescribeEnvironmentsResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeEnvironmentsResponse>`, ns, name, running)
		case "DescribeApplicationVersions":
			fmt.Fprintf(w, `<DescribeApplicationVersionsResponse %s><DescribeApplicationVersionsResult><ApplicationVersions><member><ApplicationName>%s</ApplicationName><VersionLabel>%s</VersionLabel><Description>%s</Description><Status>PROCESSED</Status></member></ApplicationVersions></DescribeApplicationVersionsResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeApplicationVersionsResponse>`,
				ns, r.Form.Get("ApplicationName"), r.Form.Get("VersionLabels.member.1"), description)
		default:
			http.Error(w, "unexpected action", http.StatusBadRequest)
		}
	}))
	t.Cleanup(server.Close)
	return server
}

// deployed sets up dev as deployed: its stages, their variables, blue's
// stack, link and environment, with preview's variables and blue's
// running version given.
func deployed(t *testing.T, previewHost, running string) string {
	stages := stage(t, map[string]string{"live": "blue", "preview": "blue"})
	cfn := stacksByName(t, map[string]map[string]string{
		"dev-Api": {"Urllive": stages.URL + "/live/", "Urlpreview": stages.URL + "/preview/"},
		"dev-Backend-blue": {"LoadBalancerArn": blueLoadBalancer, "LoadBalancerDnsName": blueHost,
			"EnvironmentName": "e-blue", "Release": "1", "VersionLabel": blueLabel},
	})
	path := project(t, cfn.URL)
	t.Setenv("AWS_ENDPOINT_URL_API_GATEWAY", apiGateway(t, map[string]map[string]string{
		"live":    {"vpcLinkId": "link1", "backendHost": blueHost},
		"preview": {"vpcLinkId": "link1", "backendHost": previewHost},
	}, map[string][]string{"link1": {blueLoadBalancer}}).URL)
	t.Setenv("AWS_ENDPOINT_URL_ELASTIC_BEANSTALK", beanstalk(t, running, "Backend blue version 1").URL)
	return path
}

func TestVerifyProvesTheDeploymentBehindEachStage(t *testing.T) {
	path := deployed(t, blueHost, blueLabel)
	code, stdout, stderr := runVerify(t, "-config", path, "-samples", "2", "dev")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestVerifyFailsWhenTheDeploymentIsNotTheConfiguredOne(t *testing.T) {
	path := deployed(t, "other.elb.eu-west-1.amazonaws.com", "dev-backend-blue-version-old")
	code, stdout, _ := runVerify(t, "-config", path, "-samples", "2", "dev")
	for _, want := range []string{
		`stage preview: its variables set backendHost "other.elb.eu-west-1.amazonaws.com", not backend blue's "` + blueHost + `"`,
		"backend blue: environment e-blue runs application version dev-backend-blue-version-old, but its stack deployed " + blueLabel,
	} {
		if code != 1 || !strings.Contains(stdout, want) {
			t.Errorf("exit %d; the report does not say %q:\n%s", code, want, stdout)
		}
	}
}
