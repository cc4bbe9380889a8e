package awsstandin

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiGateway serves API Gateway's REST-JSON API (REST API reference:
// GetVpcLinks, GetAccount): GET /vpclinks?limit&position answers {"item":
// [VpcLink]}; GET /account answers the Account resource; an error is a
// status with X-Amzn-ErrorType and {"message"}.
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
