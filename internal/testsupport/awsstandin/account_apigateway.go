package awsstandin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// DeployedStage is a REST API stage as deployed: its stage variables and,
// when it has a canary, the canary's overrides of them.
type DeployedStage struct {
	Variables, CanaryOverrides map[string]string
}

// apiGatewayAction names an API Gateway call by its path (REST API
// reference): GET /vpclinks is GetVpcLinks, /vpclinks/ID GetVpcLink,
// /account GetAccount, /restapis/ID/stages/NAME GetStage; "" for any other.
func apiGatewayAction(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case path == "/vpclinks":
		return "GetVpcLinks"
	case path == "/account":
		return "GetAccount"
	case len(parts) == 2 && parts[0] == "vpclinks" && parts[1] != "":
		return "GetVpcLink"
	case len(parts) == 4 && parts[0] == "restapis" && parts[2] == "stages" && parts[3] != "":
		return "GetStage"
	}
	return ""
}

// apiGateway serves API Gateway's REST-JSON API (REST API reference:
// GetVpcLinks, GetVpcLink, GetAccount, GetStage): GET /vpclinks?limit&position
// answers {"item": [VpcLink]}; GET /vpclinks/ID a VpcLink; GET /account the
// Account resource; GET /restapis/ID/stages/NAME a Stage with its variables
// and canarySettings; an error is a status with X-Amzn-ErrorType and
// {"message"}.
func (a *Account) apiGateway(w http.ResponseWriter, r *http.Request, action string, denied *Error) {
	w.Header().Set("Content-Type", "application/json")
	fail := func(status int, code, message string) {
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
	}
	switch {
	case r.Method != http.MethodGet || action == "":
		fail(http.StatusNotFound, "NotFoundException", fmt.Sprintf("stand-in: %s %s", r.Method, r.URL.Path))
		return
	case denied != nil && denied.Code == "AccessDenied":
		fail(http.StatusForbidden, "AccessDeniedException", fmt.Sprintf("User: arn:aws:iam::%s:user/preflight is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:%s::%s", a.Account, a.Region, r.URL.Path))
		return
	case denied != nil:
		fail(denied.Status, denied.Code, denied.Message)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch action {
	case "GetVpcLink":
		targets, ok := a.VpcLinkTargets[parts[1]]
		if !ok {
			fail(http.StatusNotFound, "NotFoundException", "Invalid VPC link identifier specified")
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": parts[1], "name": parts[1], "targetArns": targets, "status": "AVAILABLE"})
		return
	case "GetStage":
		stage, ok := a.DeployedStages[parts[3]]
		if !ok || (a.RestAPIID != "" && parts[1] != a.RestAPIID) {
			fail(http.StatusNotFound, "NotFoundException", "Invalid stage identifier specified")
			return
		}
		answer := map[string]any{"stageName": parts[3], "deploymentId": "d1", "variables": stage.Variables}
		if stage.CanaryOverrides != nil {
			answer["canarySettings"] = map[string]any{"percentTraffic": 10, "deploymentId": "d2", "stageVariableOverrides": stage.CanaryOverrides}
		}
		_ = json.NewEncoder(w).Encode(answer)
		return
	}
	if action == "GetAccount" {
		account := map[string]any{"throttleSettings": map[string]any{"burstLimit": 5000, "rateLimit": 10000}, "features": []string{"UsagePlans"}, "apiKeyVersion": "4"}
		if a.CloudWatchRoleArn != "" {
			account["cloudwatchRoleArn"] = a.CloudWatchRoleArn
		}
		_ = json.NewEncoder(w).Encode(account)
		return
	}
	for key := range r.URL.Query() {
		if key != "limit" && key != "position" {
			fail(http.StatusBadRequest, "BadRequestException", "stand-in: GetVpcLinks takes no query parameter "+key)
			return
		}
	}
	var items []map[string]any
	for i, tags := range a.VpcLinks {
		items = append(items, map[string]any{"id": fmt.Sprintf("link%d", i), "name": fmt.Sprintf("link%d", i), "targetArns": []string{"arn:aws:elasticloadbalancing:" + a.Region + ":" + a.Account + ":loadbalancer/net/n/1"}, "status": "AVAILABLE", "tags": tags})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"item": items})
}
