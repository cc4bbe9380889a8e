package awsstandin

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// addJSONServices makes the account's JSON 1.1 services: SSM's
// GetParameter, Service Quotas' GetServiceQuota and
// GetAWSDefaultServiceQuota, and the Price List API's GetProducts, with the
// members and answers their API references list.
func (a *Account) addJSONServices() {
	a.SSM = &JSONService{SigningName: "ssm", TargetPrefix: "AmazonSSM", Actions: map[string]*JSONAction{
		"GetParameter": {Members: []string{"Name", "WithDecryption"}, Answer: a.getParameter},
	}}
	a.ServiceQuotas = &JSONService{SigningName: "servicequotas", TargetPrefix: "ServiceQuotasV20190624", Actions: map[string]*JSONAction{
		"GetServiceQuota":           {Members: []string{"ServiceCode", "QuotaCode", "ContextId"}, Answer: func(body map[string]any) (any, *Error) { return a.quota(body, a.Quotas) }},
		"GetAWSDefaultServiceQuota": {Members: []string{"ServiceCode", "QuotaCode"}, Answer: func(body map[string]any) (any, *Error) { return a.quota(body, a.DefaultQuotas) }},
	}}
	a.Pricing = &JSONService{SigningName: "pricing", TargetPrefix: "AWSPriceListService", Actions: map[string]*JSONAction{
		"GetProducts": {Members: []string{"ServiceCode", "Filters", "FormatVersion", "NextToken", "MaxResults"}, Answer: a.getProducts},
	}}
}

// bootstrapParameter is the one SSM parameter by name the account may
// hold; the others are secrets, asked by ARN.
const bootstrapParameter = "/cdk-bootstrap/hnb659fds/version"

// getParameter answers {"Parameter": {...}}, or ParameterNotFound (SSM API
// reference).
func (a *Account) getParameter(body map[string]any) (any, *Error) {
	name, _ := body["Name"].(string)
	if strings.HasPrefix(name, "arn:") {
		return a.secretParameter(name)
	}
	if name != bootstrapParameter || a.BootstrapVersion == "" {
		return nil, &Error{Status: http.StatusBadRequest, Code: "ParameterNotFound"}
	}
	return map[string]any{"Parameter": map[string]any{
		"Name": name, "Type": "String", "Value": a.BootstrapVersion, "Version": 3, "DataType": "text",
		"LastModifiedDate": 1.767e9, "ARN": "arn:aws:ssm:" + a.Region + ":" + a.Account + ":parameter" + name,
	}}, nil
}

// quota answers {"Quota": {...}}, or NoSuchResourceException (Service
// Quotas API reference).
func (a *Account) quota(body map[string]any, values map[string]float64) (any, *Error) {
	service, _ := body["ServiceCode"].(string)
	code, _ := body["QuotaCode"].(string)
	value, ok := values[service+"/"+code]
	if !ok {
		return nil, &Error{Status: http.StatusBadRequest, Code: "NoSuchResourceException", Message: "The request failed because the specified quota does not exist."}
	}
	return map[string]any{"Quota": map[string]any{
		"ServiceCode": service, "ServiceName": service, "QuotaCode": code, "QuotaName": code, "Value": value,
		"QuotaArn": "arn:aws:servicequotas:" + a.Region + ":" + a.Account + ":" + service + "/" + code, "Unit": "None", "Adjustable": true, "GlobalQuota": false,
	}}, nil
}

// getProducts answers {"FormatVersion", "PriceList": [JSON documents]}
// (Price List API reference); each document is a product with its
// attributes and OnDemand terms, as in the service's offer file. A product
// whose usage type only contains the one asked for comes first, as a decoy.
func (a *Account) getProducts(body map[string]any) (any, *Error) {
	if body["FormatVersion"] != nil && body["FormatVersion"] != "aws_v1" {
		// "Valid values are: aws_v1" (GetProducts, FormatVersion).
		return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameterException", Message: fmt.Sprintf("stand-in: FormatVersion %v", body["FormatVersion"])}
	}
	filters := map[string]string{}
	list, _ := body["Filters"].([]any)
	for _, f := range list {
		filter, _ := f.(map[string]any)
		field, _ := filter["Field"].(string)
		value, _ := filter["Value"].(string)
		typ, _ := filter["Type"].(string)
		// Filter, Price List API reference: the types it documents.
		if !slices.Contains([]string{"TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF"}, typ) {
			return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameterException", Message: fmt.Sprintf("stand-in: filter type %q", typ)}
		}
		filters[field] = value
	}
	empty := map[string]any{"FormatVersion": "aws_v1", "PriceList": []string{}}
	if region, ok := filters["regionCode"]; ok && region != a.Region {
		return empty, nil
	}
	usage := filters["usagetype"]
	price, ok := a.Prices[usage]
	if !ok {
		return empty, nil
	}
	decoy := map[string]any{
		"product": map[string]any{"productFamily": "decoy", "attributes": map[string]string{"usagetype": "EU-ShieldProtected-" + usage, "regionCode": a.Region}, "sku": "DECOY"},
		"terms":   map[string]any{"OnDemand": map[string]any{"DECOY.JRTCKXETXF": map[string]any{"priceDimensions": map[string]any{"DECOY.JRTCKXETXF.6YS6EN2CT7": map[string]any{"unit": price.Unit, "pricePerUnit": map[string]string{"USD": "999"}}}}}},
	}
	product := map[string]any{
		"product":     map[string]any{"productFamily": "standin", "attributes": map[string]string{"usagetype": "EU-" + usage, "regionCode": a.Region, "servicecode": fmt.Sprint(body["ServiceCode"])}, "sku": "SKU1"},
		"serviceCode": body["ServiceCode"],
		"terms": map[string]any{"OnDemand": map[string]any{"SKU1.JRTCKXETXF": map[string]any{
			"offerTermCode": "JRTCKXETXF", "sku": "SKU1", "effectiveDate": "2026-01-01T00:00:00Z",
			"priceDimensions": map[string]any{
				"SKU1.JRTCKXETXF.6YS6EN2CT7": map[string]any{"unit": price.Unit, "pricePerUnit": map[string]string{"USD": price.USD}, "beginRange": "10", "endRange": "Inf", "description": "after the free tier"},
				"SKU1.JRTCKXETXF.FREE":       map[string]any{"unit": price.Unit, "pricePerUnit": map[string]string{"USD": "0.0000000000"}, "beginRange": "0", "endRange": "10", "description": "free tier"},
			},
		}}},
		"version": "20260101000000", "publicationDate": "2026-01-01T00:00:00Z",
	}
	var docs []string
	for _, p := range []any{decoy, product} {
		data, err := json.Marshal(p)
		if err != nil {
			return nil, &Error{Status: http.StatusInternalServerError, Code: "InternalErrorException", Message: err.Error()}
		}
		docs = append(docs, string(data))
	}
	return map[string]any{"FormatVersion": "aws_v1", "PriceList": docs}, nil
}
