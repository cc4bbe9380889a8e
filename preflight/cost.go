package preflight

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pricing/types"
)

// hoursPerMonth is the month AWS's own estimates use: "the AWS Pricing
// Calculator assumes 730 hours in a month" (AWS Pricing Calculator User Guide).
const hoursPerMonth = 730

// Estimate is the environment's fixed monthly cost at list prices.
type Estimate struct {
	// Region is the region whose prices are used.
	Region string `json:"region"`
	// Items are the priced resources.
	Items []EstimateItem `json:"items"`
	// MonthlyUSD is the sum of the priced items.
	MonthlyUSD float64 `json:"monthlyUSD"`
	// Complete is false when some item has no price.
	Complete bool `json:"complete"`
	// Note says what the estimate leaves out.
	Note string `json:"note"`
}

// EstimateItem is one priced resource.
type EstimateItem struct {
	// Item names the resource.
	Item string `json:"item"`
	// Quantity is how many the environment has.
	Quantity int `json:"quantity"`
	// UnitUSD is the list price of one, per Unit.
	UnitUSD float64 `json:"unitUSD"`
	// Unit is "hour" or "month".
	Unit string `json:"unit"`
	// MonthlyUSD is the item's cost per month.
	MonthlyUSD float64 `json:"monthlyUSD"`
	// Problem says why the item has no price; empty when it has one.
	Problem string `json:"problem,omitempty"`
}

const estimateNote = "an estimate at list prices before free tiers and discounts: fixed charges only, not traffic, requests, data processing, load balancer capacity units, storage or logs"

// priceQuery finds one product in the Price List API: the service code,
// exact attribute values, and the usage type, which carries a region
// prefix (e.g. EU-NatGateway-Hours) except in us-east-1.
type priceQuery struct {
	service   string
	regional  bool
	attrs     map[string]string
	usageType string
}

// costItem is a quantity of something priced by one query.
type costItem struct {
	item     string
	quantity int
	query    priceQuery
}

// costItems lists what the environment pays for by the hour or the month,
// counted from the synthesized templates, or from the plan for what
// Beanstalk creates (a Network Load Balancer per backend, the minimum
// instances). Product attributes and usage types as the Price List API
// names them ("Using the AWS Price List Query API"; each service's price
// list file, e.g. /offers/v1.0/aws/AmazonEC2/current/index.json).
func (r *runner) costItems() []costItem {
	endpointZones, webACLRules, alarmMetrics := 0, 0, 0
	for _, e := range r.asm.Resources("AWS::EC2::VPCEndpoint") {
		if e.Properties["VpcEndpointType"] == "Interface" {
			subnets, _ := e.Properties["SubnetIds"].([]any)
			endpointZones += len(subnets)
		}
	}
	for _, acl := range r.asm.Resources("AWS::WAFv2::WebACL") {
		rules, _ := acl.Properties["Rules"].([]any)
		webACLRules += len(rules)
	}
	// An alarm is charged per metric it evaluates, each metric of a metric
	// math expression included ("Amazon CloudWatch Pricing"); the alarms
	// here all have periods of a minute or more, standard resolution.
	for _, alarm := range r.asm.Resources("AWS::CloudWatch::Alarm") {
		if alarm.Properties["MetricName"] != nil {
			alarmMetrics++
		}
		metrics, _ := alarm.Properties["Metrics"].([]any)
		for _, m := range metrics {
			if stat, _ := m.(map[string]any); stat["MetricStat"] != nil {
				alarmMetrics++
			}
		}
	}
	count := func(t string) int { return len(r.asm.Resources(t)) }
	items := []costItem{
		{"interface endpoints (per zone)", endpointZones, priceQuery{service: "AmazonVPC", regional: true, usageType: "VpcEndpoint-Hours"}},
		{"NAT gateways", count("AWS::EC2::NatGateway"), priceQuery{service: "AmazonEC2", regional: true, attrs: map[string]string{"productFamily": "NAT Gateway"}, usageType: "NatGateway-Hours"}},
		{"public IPv4 addresses (NAT)", count("AWS::EC2::EIP"), priceQuery{service: "AmazonVPC", regional: true, usageType: "PublicIPv4:InUseAddress"}},
		{"Network Load Balancers", len(r.plan.Backends), priceQuery{service: "AWSELB", regional: true, attrs: map[string]string{"productFamily": "Load Balancer-Network"}, usageType: "LoadBalancerUsage"}},
	}
	instances := map[string]int{}
	for _, b := range r.plan.Backends {
		instances[b.InstanceType] += b.MinInstances
	}
	for _, t := range slices.Sorted(maps.Keys(instances)) {
		items = append(items, costItem{t + " instances (Linux, on demand)", instances[t], priceQuery{service: "AmazonEC2", regional: true, attrs: map[string]string{
			"productFamily": "Compute Instance", "instanceType": t, "operatingSystem": "Linux", "tenancy": "Shared",
			"preInstalledSw": "NA", "capacitystatus": "Used", "licenseModel": "No License required",
		}, usageType: "BoxUsage:" + t}})
	}
	return append(items,
		costItem{"WAF web ACLs", count("AWS::WAFv2::WebACL"), priceQuery{service: "awswaf", regional: true, usageType: "WebACLV2"}},
		costItem{"WAF rules", webACLRules, priceQuery{service: "awswaf", regional: true, usageType: "RuleV2"}},
		costItem{"KMS keys", count("AWS::KMS::Key"), priceQuery{service: "awskms", regional: true, usageType: "KMS-Keys"}},
		costItem{"alarm metrics", alarmMetrics, priceQuery{service: "AmazonCloudWatch", regional: true, usageType: "CW:AlarmMonitorUsage"}},
		costItem{"dashboards", count("AWS::CloudWatch::Dashboard"), priceQuery{service: "AmazonCloudWatch", usageType: "DashboardsUsageHour"}},
	)
}

// estimate prices every item the environment has at least one of.
func (r *runner) estimate(ctx context.Context) *Estimate {
	e := &Estimate{Region: r.region, Complete: true, Note: estimateNote}
	for _, c := range r.costItems() {
		if c.quantity == 0 {
			continue
		}
		item := EstimateItem{Item: c.item, Quantity: c.quantity}
		price, unit, err := r.price(ctx, c.query)
		switch {
		case err != nil:
			item.Problem = r.failed(ctx, "", "pricing:GetProducts "+c.query.service, err).Detail
		case unit == "":
			item.Problem = fmt.Sprintf("the Price List API has no %s product with usage type %s in %s", c.query.service, c.query.usageType, r.region)
		default:
			item.UnitUSD, item.Unit = price, unit
			item.MonthlyUSD = float64(c.quantity) * price
			if unit == "hour" {
				item.MonthlyUSD *= hoursPerMonth
			}
		}
		if item.Problem != "" {
			e.Complete = false
		}
		e.MonthlyUSD += item.MonthlyUSD
		e.Items = append(e.Items, item)
	}
	return e
}

// product is the part of a Price List API product (one PriceList entry,
// a JSON document) read here: its attributes and its on-demand prices.
type product struct {
	Product struct {
		Attributes map[string]string `json:"attributes"`
	} `json:"product"`
	Terms struct {
		OnDemand map[string]struct {
			PriceDimensions map[string]struct {
				Unit         string            `json:"unit"`
				PricePerUnit map[string]string `json:"pricePerUnit"`
			} `json:"priceDimensions"`
		} `json:"OnDemand"`
	} `json:"terms"`
}

// hourlyUnits are the units of prices per hour; other units ("Alarms",
// "Keys", "Dashboards", "ACL", "Rule") are monthly prices.
var hourlyUnits = []string{"hrs", "hours", "hour"}

// price returns the USD price of the product q finds and its unit, "hour"
// or "month"; unit is "" when no product matches. Of tiered prices it
// takes the highest: the price after any free tier is used up.
func (r *runner) price(ctx context.Context, q priceQuery) (float64, string, error) {
	filters := []ptypes.Filter{{Type: ptypes.FilterTypeContains, Field: aws.String("usagetype"), Value: aws.String(q.usageType)}}
	if q.regional {
		filters = append(filters, ptypes.Filter{Type: ptypes.FilterTypeEquals, Field: aws.String("regionCode"), Value: aws.String(r.region)})
	}
	for _, field := range slices.Sorted(maps.Keys(q.attrs)) {
		filters = append(filters, ptypes.Filter{Type: ptypes.FilterTypeEquals, Field: aws.String(field), Value: aws.String(q.attrs[field])})
	}
	// The usage type is the suffix after an optional region prefix, so that
	// e.g. a ShieldProtected- or a Outposts usage type does not match.
	usage := regexp.MustCompile(`^([A-Z0-9]+-)?` + regexp.QuoteMeta(q.usageType) + `$`)
	pages := pricing.NewGetProductsPaginator(r.pricing, &pricing.GetProductsInput{
		ServiceCode: aws.String(q.service), Filters: filters, FormatVersion: aws.String("aws_v1"), MaxResults: aws.Int32(100),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return 0, "", err
		}
		for _, doc := range page.PriceList {
			var p product
			if err := json.Unmarshal([]byte(doc), &p); err != nil {
				return 0, "", fmt.Errorf("a %s price list entry is not JSON: %w", q.service, err)
			}
			if !usage.MatchString(p.Product.Attributes["usagetype"]) {
				continue
			}
			best, unit := -1.0, ""
			for _, term := range p.Terms.OnDemand {
				for _, d := range term.PriceDimensions {
					usd, err := strconv.ParseFloat(d.PricePerUnit["USD"], 64)
					if err == nil && usd > best {
						best, unit = usd, "month"
						if slices.Contains(hourlyUnits, strings.ToLower(d.Unit)) {
							unit = "hour"
						}
					}
				}
			}
			if unit != "" {
				return best, unit, nil
			}
		}
	}
	return 0, "", nil
}

func (e *Estimate) writeTable(w io.Writer) error {
	fmt.Fprintf(w, "ESTIMATE: fixed monthly cost in %s, USD (%s, %d hours a month)\n", e.Region, e.Note, hoursPerMonth)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tQUANTITY\tUNIT PRICE\tMONTHLY")
	for _, i := range e.Items {
		if i.Problem != "" {
			fmt.Fprintf(tw, "%s\t%d\t-\t? (%s)\n", i.Item, i.Quantity, i.Problem)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t$%.4f/%s\t$%.2f\n", i.Item, i.Quantity, i.UnitUSD, i.Unit, i.MonthlyUSD)
	}
	total := fmt.Sprintf("$%.2f", e.MonthlyUSD)
	if !e.Complete {
		total = "at least " + total
	}
	fmt.Fprintf(tw, "total\t\t\t%s\n", total)
	return tw.Flush()
}
