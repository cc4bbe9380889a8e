package deploytime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"privatebackend/internal/testsupport/awsstandin"
)

// Stack is a synthesized template to deploy.
type Stack struct {
	// Name is the CloudFormation stack name.
	Name string
	// Template is the template.
	Template map[string]any
	// AssemblyDir is the cloud assembly directory holding the template's
	// assets.
	AssemblyDir string
}

// Deployment deploys stacks into one simulated account and region the way
// CloudFormation does: resources in dependency order, every intrinsic
// function resolved, exports passed to importing stacks, and each custom
// resource's handler run with the event CloudFormation sends it.
type Deployment struct {
	// Account and Region are where the stacks deploy.
	Account, Region string
	// Runtime runs the Lambda handlers.
	Runtime *Runtime
	// Endpoints are the stand-ins' URLs, by the suffix of the SDK's
	// AWS_ENDPOINT_URL_<SERVICE> variable, e.g. "ELASTIC_BEANSTALK".
	Endpoints map[string]string
	// Services are the stand-ins; each is given the calling function's
	// policies before each invocation.
	Services []*awsstandin.QueryService
	// Beanstalk and LoadBalancing learn about each environment and its load
	// balancer when the environment is created, as AWS would.
	Beanstalk     *awsstandin.Beanstalk
	LoadBalancing *awsstandin.LoadBalancing
	// EC2 learns about each VPC's default security group.
	EC2 *awsstandin.EC2
	// Responses receives the handlers' answers to CloudFormation.
	Responses *ResponseBucket
	// Denied, when set, denies what it returns true for whatever the
	// functions' policies allow, as a service control policy or a
	// permissions boundary does.
	Denied func(action, resource string) bool

	// Runs are the custom resources run so far, in creation order.
	Runs []*CustomResourceRun

	exports   map[string]any
	functions map[string]*function
	created   int
	dir       string
}

// function is a Lambda function created so far, by its ARN.
type function struct {
	stack    *deploying
	resource *resource
}

// CustomResourceRun is one custom resource as CloudFormation created it.
type CustomResourceRun struct {
	// Stack and LogicalID name the resource; Type is its resource type.
	Stack, LogicalID, Type string
	// Function is the Lambda function behind it, as STACK/LOGICAL-ID.
	Function string
	// Policy is what the function's role allows when the call runs.
	Policy Policy
	// Create and Update are its Create event, and an Update event with the
	// same properties as CloudFormation sends after a change elsewhere in
	// the resource's properties.
	Create, Update *HandlerRun
	// PhysicalID, Attributes and Properties are the resource as
	// CloudFormation holds it after the events sent so far.
	PhysicalID string
	Attributes map[string]any
	Properties map[string]any

	invocation Invocation
	event      map[string]any
	requests   int
}

// HandlerRun is one event sent to a custom resource's handler.
type HandlerRun struct {
	// Event is the event sent.
	Event map[string]any
	// Result is what the handler did.
	Result *Result
	// Response is the answer CloudFormation accepted, nil when none reached
	// it, and Size its size in bytes.
	Response *Response
	Size     int
	// Puts are the requests the response URL received, accepted or not.
	Puts []Put
	// Calls are the AWS API calls the handler made.
	Calls []awsstandin.Call
}

// Response is a custom resource's answer to CloudFormation ("Custom
// resource response objects", CloudFormation user guide).
type Response struct {
	Status             string
	Reason             string
	PhysicalResourceID string `json:"PhysicalResourceId"`
	StackID            string `json:"StackId"`
	RequestID          string `json:"RequestId"`
	LogicalResourceID  string `json:"LogicalResourceId"`
	NoEcho             bool
	Data               map[string]any
}

// NewDeployment returns a deployment into account and region, with
// stand-ins of Elastic Beanstalk (offering platforms), Elastic Load
// Balancing and EC2 started on loopback ports. Close stops them.
func NewDeployment(runtime *Runtime, account, region string, platforms []awsstandin.PlatformSummary) *Deployment {
	d := &Deployment{
		Account: account, Region: region, Runtime: runtime,
		Beanstalk:     awsstandin.NewBeanstalk(region, account, platforms),
		LoadBalancing: awsstandin.NewLoadBalancing(),
		EC2:           awsstandin.NewEC2(region, account),
	}
	d.Services = []*awsstandin.QueryService{&d.Beanstalk.QueryService, &d.LoadBalancing.QueryService, &d.EC2.QueryService}
	for _, s := range d.Services {
		s.Credentials = awsstandin.RehearsalCredentials
	}
	var err error
	if d.Responses, err = NewResponseBucket(); err != nil {
		panic("deploytime: the response bucket's certificate: " + err.Error())
	}
	// The SDK's service-specific endpoint variables, named after each
	// service's SDK id ("Service-specific endpoints", AWS SDKs and Tools
	// reference guide).
	d.Endpoints = map[string]string{
		"ELASTIC_BEANSTALK":         d.Beanstalk.Start(),
		"ELASTIC_LOAD_BALANCING_V2": d.LoadBalancing.Start(),
		"EC2":                       d.EC2.Start(),
	}
	return d
}

// Close stops the stand-ins.
func (d *Deployment) Close() {
	for _, s := range d.Services {
		s.Close()
	}
	d.Responses.Close()
}

// DeployAll deploys stacks, each after the stacks it imports from, as
// "cdk deploy" orders them.
func (d *Deployment) DeployAll(stacks []*Stack) error {
	pending := slices.Clone(stacks)
	exported := map[string]bool{}
	for len(pending) > 0 {
		next := slices.IndexFunc(pending, func(s *Stack) bool {
			for _, name := range Imports(s.Template) {
				if !exported[name] {
					return false
				}
			}
			return true
		})
		if next < 0 {
			return fmt.Errorf("no stack can deploy next: each of %d imports what no deployed stack exports", len(pending))
		}
		s := pending[next]
		pending = slices.Delete(pending, next, next+1)
		if err := d.Deploy(s); err != nil {
			return err
		}
		outputs, _ := s.Template["Outputs"].(map[string]any)
		for _, o := range outputs {
			if export, ok := o.(map[string]any)["Export"].(map[string]any); ok {
				exported[fmt.Sprint(export["Name"])] = true
			}
		}
	}
	return nil
}

// Imports returns the export names a template imports with Fn::ImportValue.
func Imports(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if k == "Fn::ImportValue" {
				out = append(out, fmt.Sprint(child))
				continue
			}
			out = append(out, Imports(child)...)
		}
	case []any:
		for _, child := range x {
			out = append(out, Imports(child)...)
		}
	}
	return out
}

// resource is one resource of a stack being deployed.
type resource struct {
	logicalID  string
	definition map[string]any
	physicalID string
	attributes map[string]any
	order      int
}

type deploying struct {
	*Stack
	resources map[string]*resource
	inFlight  map[string]bool
}

// Deploy creates every resource of stack, after the stacks it imports from.
func (d *Deployment) Deploy(stack *Stack) error {
	if d.exports == nil {
		d.exports = map[string]any{}
	}
	s := &deploying{Stack: stack, resources: map[string]*resource{}, inFlight: map[string]bool{}}
	resources, _ := stack.Template["Resources"].(map[string]any)
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		if _, err := d.create(s, id); err != nil {
			return fmt.Errorf("%s: %w", stack.Name, err)
		}
	}
	outputs, _ := stack.Template["Outputs"].(map[string]any)
	for id, o := range outputs {
		output := o.(map[string]any)
		value, err := d.resolve(s, output["Value"])
		if err != nil {
			return fmt.Errorf("%s: output %s: %w", stack.Name, id, err)
		}
		export, ok := output["Export"].(map[string]any)
		if !ok {
			continue
		}
		name, err := d.resolve(s, export["Name"])
		if err != nil {
			return fmt.Errorf("%s: output %s: %w", stack.Name, id, err)
		}
		d.exports[fmt.Sprint(name)] = value
	}
	return nil
}

// Dependencies returns the logical ids a resource waits for: its DependsOn
// and every resource its properties refer to.
func Dependencies(definition map[string]any) []string {
	deps := map[string]bool{}
	switch on := definition["DependsOn"].(type) {
	case string:
		deps[on] = true
	case []any:
		for _, id := range on {
			deps[fmt.Sprint(id)] = true
		}
	}
	collectRefs(definition["Properties"], deps)
	return slices.Sorted(maps.Keys(deps))
}

// WaitsFor returns every resource of a template that the resource id waits
// for, directly or through others, sorted.
func WaitsFor(resources map[string]any, id string) []string {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(id string) {
		definition, ok := resources[id].(map[string]any)
		if !ok {
			return
		}
		for _, dep := range Dependencies(definition) {
			if _, isResource := resources[dep]; isResource && !seen[dep] {
				seen[dep] = true
				visit(dep)
			}
		}
	}
	visit(id)
	return slices.Sorted(maps.Keys(seen))
}

// LookupTypes are the resource types of the app's deploy-time lookups.
var LookupTypes = []string{"Custom::PlatformVersion", "Custom::EnvironmentLoadBalancer", "Custom::LoadBalancerTargetGroup"}

// Lookup is a lookup custom resource of a template.
type Lookup struct {
	// LogicalID is the custom resource's logical id.
	LogicalID string
	// ServiceToken is its ServiceToken property as the template writes it:
	// an Fn::GetAtt of a function of the template, or an Fn::ImportValue.
	ServiceToken any
}

// Lookups returns the lookup custom resources of a template's resources.
func Lookups(resources map[string]any) []Lookup {
	var out []Lookup
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		definition := resources[id].(map[string]any)
		if slices.Contains(LookupTypes, fmt.Sprint(definition["Type"])) {
			out = append(out, Lookup{LogicalID: id, ServiceToken: definition["Properties"].(map[string]any)["ServiceToken"]})
		}
	}
	return out
}

// FunctionPermissions returns the role of a template's Lambda function and
// the AWS::IAM::Policy resources attached to that role.
func FunctionPermissions(resources map[string]any, function string) (role string, policies []string) {
	fn, ok := resources[function].(map[string]any)
	if !ok {
		return "", nil
	}
	role = GetAttTarget(fn["Properties"].(map[string]any)["Role"])
	for id, p := range resources {
		policy := p.(map[string]any)
		if policy["Type"] != "AWS::IAM::Policy" {
			continue
		}
		roles, _ := policy["Properties"].(map[string]any)["Roles"].([]any)
		for _, r := range roles {
			if ref, ok := r.(map[string]any); ok && ref["Ref"] == role {
				policies = append(policies, id)
			}
		}
	}
	slices.Sort(policies)
	return role, policies
}

// GetAttTarget returns the logical id in {"Fn::GetAtt": [id, attribute]},
// or "" when v is none.
func GetAttTarget(v any) string {
	m, _ := v.(map[string]any)
	att, _ := m["Fn::GetAtt"].([]any)
	if len(att) != 2 {
		return ""
	}
	return fmt.Sprint(att[0])
}

var subVariable = regexp.MustCompile(`\$\{([A-Za-z0-9:.]+)\}`)

func collectRefs(v any, deps map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && !strings.HasPrefix(ref, "AWS::") {
			deps[ref] = true
		}
		if att, ok := x["Fn::GetAtt"].([]any); ok {
			deps[fmt.Sprint(att[0])] = true
		}
		if sub, ok := x["Fn::Sub"].(string); ok {
			for _, m := range subVariable.FindAllStringSubmatch(sub, -1) {
				if name, _, _ := strings.Cut(m[1], "."); !strings.HasPrefix(name, "AWS::") {
					deps[name] = true
				}
			}
		}
		for _, child := range x {
			collectRefs(child, deps)
		}
	case []any:
		for _, child := range x {
			collectRefs(child, deps)
		}
	}
}

func (d *Deployment) create(s *deploying, id string) (*resource, error) {
	if r, ok := s.resources[id]; ok {
		return r, nil
	}
	resources := s.Template["Resources"].(map[string]any)
	definition, ok := resources[id].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no resource %s", id)
	}
	if s.inFlight[id] {
		return nil, fmt.Errorf("circular dependency through %s", id)
	}
	s.inFlight[id] = true
	for _, dep := range Dependencies(definition) {
		if _, isParameter := s.parameter(dep); isParameter {
			continue
		}
		if _, err := d.create(s, dep); err != nil {
			return nil, err
		}
	}
	d.created++
	r := &resource{logicalID: id, definition: definition, order: d.created}
	resourceType := fmt.Sprint(definition["Type"])
	props, err := d.resolve(s, definition["Properties"])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	properties, _ := props.(map[string]any)
	if resourceType == "AWS::CloudFormation::CustomResource" || strings.HasPrefix(resourceType, "Custom::") {
		err = d.runCustomResource(s, r, resourceType, properties)
	} else {
		err = d.createAWSResource(s, r, resourceType, properties)
	}
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", id, resourceType, err)
	}
	s.resources[id] = r
	return r, nil
}

func (s *deploying) parameter(name string) (map[string]any, bool) {
	params, _ := s.Template["Parameters"].(map[string]any)
	p, ok := params[name].(map[string]any)
	return p, ok
}

// createAWSResource gives a resource the physical id and attributes AWS
// would ("Return values" of each resource type's CloudFormation reference),
// and tells the stand-ins about the environments Beanstalk creates.
func (d *Deployment) createAWSResource(s *deploying, r *resource, resourceType string, props map[string]any) error {
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, d.Region, d.Account, resource)
	}
	generated := fmt.Sprintf("%s-%s-%06d", s.Name, r.logicalID, r.order)
	r.physicalID = generated
	r.attributes = map[string]any{}
	switch resourceType {
	case "AWS::IAM::Role":
		r.attributes["Arn"] = fmt.Sprintf("arn:aws:iam::%s:role/%s", d.Account, generated)
	case "AWS::Lambda::Function":
		r.attributes["Arn"] = arn("lambda", "function:"+generated)
		if d.functions == nil {
			d.functions = map[string]*function{}
		}
		d.functions[r.attributes["Arn"].(string)] = &function{stack: s, resource: r}
	case "AWS::Logs::LogGroup":
		r.attributes["Arn"] = arn("logs", "log-group:"+generated+":*")
	case "AWS::EC2::VPC":
		r.physicalID = fmt.Sprintf("vpc-%017x", r.order)
		group := fmt.Sprintf("sg-%017x", r.order)
		r.attributes["DefaultSecurityGroup"] = group
		r.attributes["CidrBlock"] = props["CidrBlock"]
		if d.EC2 != nil {
			d.EC2.AddDefaultSecurityGroup(group)
		}
	case "AWS::ElasticBeanstalk::Application":
		if name, ok := props["ApplicationName"].(string); ok {
			r.physicalID = name
		}
	case "AWS::ElasticBeanstalk::Environment":
		if arn, ok := props["PlatformArn"].(string); ok && d.Beanstalk != nil && !d.Beanstalk.Recommended(arn) {
			// "You can always create an environment based on the recommended
			// platform version in a supported platform branch" ("About
			// Elastic Beanstalk platforms"); an older one only if the account
			// used it lately, which a fresh account has not.
			return fmt.Errorf("PlatformArn %s is not the recommended version of a supported branch: a fresh account cannot create an environment on it", arn)
		}
		id := fmt.Sprintf("e-%010d", r.order)
		lb := fmt.Sprintf("awseb-%s-%06d", id, r.order)
		lbArn := arn("elasticloadbalancing", "loadbalancer/net/"+lb+"/0123456789abcdef")
		r.physicalID = fmt.Sprintf("%.4s-%.5s-%012d", s.Name, r.logicalID, r.order)
		r.attributes["EndpointURL"] = lb + "-0123456789abcdef.elb." + d.Region + ".amazonaws.com"
		if d.Beanstalk != nil {
			d.Beanstalk.AddEnvironment(awsstandin.BeanstalkEnvironment{
				Name: r.physicalID, ID: id, Application: fmt.Sprint(props["ApplicationName"]), LoadBalancerArn: lbArn,
			})
		}
		if d.LoadBalancing != nil {
			d.LoadBalancing.AddTargetGroup(awsstandin.TargetGroup{
				TargetGroupArn: arn("elasticloadbalancing", "targetgroup/awseb-"+id+"-default/0123456789abcdef"), TargetGroupName: "awseb-" + id + "-default",
				Protocol: "TCP", Port: 80, VpcID: "vpc-0123456789abcdef0", HealthCheckProtocol: "TCP", HealthCheckPort: "traffic-port",
				HealthCheckEnabled: true, HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 3, UnhealthyThresholdCount: 3,
				LoadBalancerArns: []string{lbArn}, TargetType: "instance", IPAddressType: "ipv4",
			})
		}
	}
	return nil
}

// runCustomResource sends the resource's Create event to its handler, and
// then an Update event with the same properties.
func (d *Deployment) runCustomResource(s *deploying, r *resource, resourceType string, props map[string]any) error {
	// The function may be in another stack, deployed before, whose export
	// names it.
	fn := d.functions[fmt.Sprint(props["ServiceToken"])]
	if fn == nil {
		return fmt.Errorf("its ServiceToken %v is no Lambda function created so far", props["ServiceToken"])
	}
	fnID := fn.stack.Name + "/" + fn.resource.logicalID
	inv, err := d.invocation(fn.stack, fn.resource)
	if err != nil {
		return fmt.Errorf("function %s: %w", fnID, err)
	}
	policy, err := d.rolePolicy(fn.stack, fn.resource)
	if err != nil {
		return fmt.Errorf("function %s: %w", fnID, err)
	}
	run := &CustomResourceRun{Stack: s.Name, LogicalID: r.logicalID, Type: resourceType, Function: fnID, Policy: policy, invocation: inv}
	d.Runs = append(d.Runs, run)
	event := map[string]any{
		"RequestType":        "Create",
		"ServiceToken":       props["ServiceToken"],
		"ResponseURL":        fmt.Sprintf("https://cloudformation-custom-resource-response-%s.s3.amazonaws.com/%s", strings.ReplaceAll(d.Region, "-", ""), r.logicalID),
		"StackId":            fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/00000000-0000-4000-8000-000000000000", d.Region, d.Account, s.Name),
		"RequestId":          fmt.Sprintf("00000000-0000-4000-8000-%012d", r.order),
		"ResourceType":       resourceType,
		"LogicalResourceId":  r.logicalID,
		"ResourceProperties": stringify(props),
	}
	run.event = event
	if run.Create, err = d.send(run, event); err != nil {
		return err
	}
	if run.Create.Response == nil {
		return fmt.Errorf("the handler's answer to Create never reached CloudFormation: %s", run.Create.explainPuts())
	}
	if run.Create.Response.Status != "SUCCESS" {
		return &FailedError{Run: run, Reason: run.Create.Response.Reason}
	}
	r.physicalID = run.Create.Response.PhysicalResourceID
	r.attributes = run.Create.Response.Data
	run.PhysicalID, run.Attributes, run.Properties = r.physicalID, r.attributes, event["ResourceProperties"].(map[string]any)
	update := maps.Clone(event)
	update["RequestType"] = "Update"
	update["PhysicalResourceId"] = r.physicalID
	update["OldResourceProperties"] = event["ResourceProperties"]
	if run.Update, err = d.send(run, update); err != nil {
		return err
	}
	if run.Update.Response == nil {
		return fmt.Errorf("the handler's answer to Update never reached CloudFormation: %s", run.Update.explainPuts())
	}
	if run.Update.Response.Status != "SUCCESS" {
		return &FailedError{Run: run, Reason: "on update: " + run.Update.Response.Reason}
	}
	return nil
}

// The events CloudFormation sends a custom resource after its Create, and
// what it keeps of the answers ("Custom resource request objects" and
// "Custom resource response objects", CloudFormation user guide): an Update
// names the resource's physical id, its new ResourceProperties and the
// previous ones as OldResourceProperties; a SUCCESS answering the same id is
// an update in place, another id a replacement, whose old resource
// CloudFormation deletes once the stack update completes. A FAILED answer
// keeps the resource as it was and rolls the stack back.

// Update sends an Update with new properties, and on SUCCESS keeps the
// answer as the resource's. The old resource of a replacement is not
// deleted here: that is the end of the stack update, or UpdateRolledBack's.
func (d *Deployment) Update(run *CustomResourceRun, properties map[string]any) (*HandlerRun, error) {
	event := d.event(run, "Update")
	event["ResourceProperties"] = stringify(properties)
	event["OldResourceProperties"] = run.Properties
	h, err := d.send(run, event)
	if err != nil || h.Response == nil || h.Response.Status != "SUCCESS" {
		return h, err
	}
	run.PhysicalID, run.Attributes, run.Properties = h.Response.PhysicalResourceID, h.Response.Data, event["ResourceProperties"].(map[string]any)
	return h, nil
}

// UpdateRolledBack sends the events of a stack update that changes the
// resource's properties and then rolls back, because the resource's own
// answer was FAILED or another resource of the stack failed after it:
//   - the Update with the new properties;
//   - if its answer kept the physical id, or was FAILED (which keeps it),
//     an Update back to the previous properties, whose
//     OldResourceProperties are the failed update's: "the stack will
//     trigger an UPDATE with the previous Custom Resource properties"
//     (aws-powertools/powertools-lambda-java#1082; aws/aws-cdk#17040,
//     #29581);
//   - if it answered a new id, a replacement, nothing to the previous
//     resource, which CloudFormation still holds with its attributes, and
//     a Delete of the new one once the rollback completes.
//
// meanwhile, if not nil, runs between the Update and the rollback, as AWS
// may change while the stack updates. It returns the events sent, in order;
// the resource is the previous one again, as the rollback's own Update
// answered it.
func (d *Deployment) UpdateRolledBack(run *CustomResourceRun, properties map[string]any, meanwhile func()) ([]*HandlerRun, error) {
	previous := *run
	update, err := d.Update(run, properties)
	if err != nil {
		return nil, err
	}
	if meanwhile != nil {
		meanwhile()
	}
	events := []*HandlerRun{update}
	if update.Response == nil {
		return events, fmt.Errorf("the handler's answer to the Update never reached CloudFormation: %s", update.explainPuts())
	}
	if update.Response.Status == "SUCCESS" && update.Response.PhysicalResourceID != previous.PhysicalID {
		replacement := d.event(run, "Delete")
		replacement["ResourceProperties"] = run.Properties
		run.PhysicalID, run.Attributes, run.Properties = previous.PhysicalID, previous.Attributes, previous.Properties
		deleted, err := d.send(run, replacement)
		return append(events, deleted), err
	}
	// A FAILED update left the resource as it was; the rollback's Update
	// names the failed update's properties as the old ones.
	run.PhysicalID, run.Attributes, run.Properties = previous.PhysicalID, previous.Attributes, update.Event["ResourceProperties"].(map[string]any)
	back, err := d.Update(run, previous.Properties)
	return append(events, back), err
}

// Delete sends a Delete, as CloudFormation does when the stack or the
// resource is deleted.
func (d *Deployment) Delete(run *CustomResourceRun) (*HandlerRun, error) {
	return d.send(run, d.event(run, "Delete"))
}

// event is a new request to the resource as it is now.
func (d *Deployment) event(run *CustomResourceRun, requestType string) map[string]any {
	run.requests++
	event := maps.Clone(run.event)
	event["RequestType"] = requestType
	event["RequestId"] = fmt.Sprintf("%s-%04d", run.event["RequestId"], run.requests)
	event["PhysicalResourceId"] = run.PhysicalID
	event["ResourceProperties"] = run.Properties
	return event
}

func (h *HandlerRun) explainPuts() string {
	var answers []string
	for _, p := range h.Puts {
		answers = append(answers, fmt.Sprintf("%s %s: %d", p.Method, p.Path, p.Status))
	}
	return fmt.Sprintf("%d requests opened, the bucket saw %v; logs:\n  %s", h.Result.ResponseRequests, answers, strings.Join(h.Result.Logs, "\n  "))
}

// Explain describes a failed deployment: for a custom resource that
// answered FAILED, the calls its handler made and what it logged.
func Explain(err error) string {
	var failed *FailedError
	if !errors.As(err, &failed) {
		return err.Error()
	}
	run := failed.Run.Create
	if failed.Run.Update != nil {
		run = failed.Run.Update
	}
	var calls []string
	for _, c := range run.Calls {
		calls = append(calls, c.Action)
	}
	return fmt.Sprintf("%v\ncalls: %v\nhandler logs:\n  %s", err, calls, strings.Join(run.Result.Logs, "\n  "))
}

// FailedError is a custom resource whose handler answered FAILED, which
// makes CloudFormation roll the stack back.
type FailedError struct {
	Run    *CustomResourceRun
	Reason string
}

func (e *FailedError) Error() string { return "the handler answered FAILED: " + e.Reason }

// stringify turns every scalar into a string: CloudFormation hands a custom
// resource its properties as strings ("Custom resource request objects").
func stringify(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, child := range x {
			out[k] = stringify(child)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, child := range x {
			out[i] = stringify(child)
		}
		return out
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// send runs the resource's handler with one event. The answer
// CloudFormation keeps is the first the response URL accepted (a presigned
// URL takes one PUT of the response object).
func (d *Deployment) send(cr *CustomResourceRun, event map[string]any) (*HandlerRun, error) {
	allows := cr.Policy.Allows
	if d.Denied != nil {
		allows = func(action, resource string) bool {
			return cr.Policy.Allows(action, resource) && !d.Denied(action, resource)
		}
	}
	for _, s := range d.Services {
		s.Calls()
		s.Authorize(allows)
	}
	d.Responses.Puts()
	inv := cr.invocation
	inv.Event = event
	inv.Response = d.Responses.Endpoint()
	result, err := d.Runtime.Invoke(inv)
	if err != nil {
		return nil, err
	}
	run := &HandlerRun{Event: event, Result: result, Puts: d.Responses.Puts()}
	for _, s := range d.Services {
		run.Calls = append(run.Calls, s.Calls()...)
		s.Authorize(nil)
	}
	for _, p := range run.Puts {
		if p.Status != http.StatusOK {
			continue
		}
		run.Size = len(p.Body)
		if err := json.Unmarshal([]byte(p.Body), &run.Response); err != nil {
			return nil, fmt.Errorf("the handler's response is not JSON: %v: %s", err, p.Body)
		}
		break
	}
	return run, nil
}

// invocation prepares a function's code and environment as Lambda would.
func (d *Deployment) invocation(s *deploying, fn *resource) (Invocation, error) {
	props, err := d.resolve(s, fn.definition["Properties"])
	if err != nil {
		return Invocation{}, err
	}
	p := props.(map[string]any)
	module, export, ok := strings.Cut(fmt.Sprint(p["Handler"]), ".")
	if !ok {
		return Invocation{}, fmt.Errorf("handler %v is not FILE.EXPORT", p["Handler"])
	}
	if !strings.HasPrefix(fmt.Sprint(p["Runtime"]), "nodejs") {
		return Invocation{}, fmt.Errorf("runtime %v is not Node.js", p["Runtime"])
	}
	code, _ := p["Code"].(map[string]any)
	// Each function gets its code in a directory of its own, so that it
	// gets its own module instances, as in a Lambda execution environment
	// of its own.
	if d.dir == "" {
		if d.dir, err = os.MkdirTemp(d.Runtime.Dir(), "deployment-"); err != nil {
			return Invocation{}, err
		}
	}
	dir := filepath.Join(d.dir, s.Name+"-"+fn.logicalID)
	switch {
	case code["ZipFile"] != nil:
		// CloudFormation saves inline code as index.js (Code, ZipFile).
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return Invocation{}, err
		}
		if err := os.WriteFile(filepath.Join(dir, "index.js"), []byte(fmt.Sprint(code["ZipFile"])), 0o644); err != nil {
			return Invocation{}, err
		}
	case code["S3Key"] != nil:
		hash := strings.TrimSuffix(fmt.Sprint(code["S3Key"]), ".zip")
		if err := os.CopyFS(dir, os.DirFS(filepath.Join(s.AssemblyDir, "asset."+hash))); err != nil && !errors.Is(err, fs.ErrExist) {
			return Invocation{}, fmt.Errorf("asset %s: %w", hash, err)
		}
	default:
		return Invocation{}, fmt.Errorf("code %v is neither inline nor an asset", code)
	}
	handler := filepath.Join(dir, module+".js")
	if _, err := os.Stat(handler); err != nil {
		return Invocation{}, fmt.Errorf("no handler module: %w", err)
	}
	// The variables the Lambda runtime sets ("Defined runtime environment
	// variables", Lambda developer guide), then the function's own.
	env := map[string]string{
		"AWS_REGION": d.Region, "AWS_DEFAULT_REGION": d.Region,
		"AWS_SESSION_TOKEN":        "rehearsal",
		"AWS_LAMBDA_FUNCTION_NAME": fn.physicalID, "AWS_EXECUTION_ENV": "AWS_Lambda_" + fmt.Sprint(p["Runtime"]),
	}
	// The credentials whose signatures the stand-ins recompute.
	for key, secret := range awsstandin.RehearsalCredentials {
		env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = key, secret
	}
	for service, url := range d.Endpoints {
		env["AWS_ENDPOINT_URL_"+service] = url
	}
	environment, _ := p["Environment"].(map[string]any)
	if vars, ok := environment["Variables"].(map[string]any); ok {
		for k, v := range vars {
			env[k] = fmt.Sprint(v)
		}
	}
	timeout := 3.0 // seconds, Lambda's default
	if t, ok := p["Timeout"].(float64); ok {
		timeout = t
	}
	return Invocation{Handler: handler, Export: export, Env: env, RemainingMs: int(timeout * 1000)}, nil
}

// resolve evaluates CloudFormation's intrinsic functions in v.
func (d *Deployment) resolve(s *deploying, v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, child := range x {
			r, err := d.resolve(s, child)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for fn, arg := range x {
				if strings.HasPrefix(fn, "Fn::") || fn == "Ref" {
					return d.intrinsic(s, fn, arg)
				}
			}
		}
		out := map[string]any{}
		for k, child := range x {
			r, err := d.resolve(s, child)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	default:
		return v, nil
	}
}

func (d *Deployment) intrinsic(s *deploying, fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		return d.ref(s, fmt.Sprint(arg))
	case "Fn::GetAtt":
		parts, _ := arg.([]any)
		if len(parts) != 2 {
			return nil, fmt.Errorf("Fn::GetAtt %v", arg)
		}
		return d.getAtt(s, fmt.Sprint(parts[0]), fmt.Sprint(parts[1]))
	case "Fn::Join":
		parts, _ := arg.([]any)
		if len(parts) != 2 {
			return nil, fmt.Errorf("Fn::Join %v", arg)
		}
		list, err := d.resolve(s, parts[1])
		if err != nil {
			return nil, err
		}
		items, _ := list.([]any)
		strs := make([]string, len(items))
		for i, item := range items {
			strs[i] = fmt.Sprint(item)
		}
		return strings.Join(strs, fmt.Sprint(parts[0])), nil
	case "Fn::ImportValue":
		name, err := d.resolve(s, arg)
		if err != nil {
			return nil, err
		}
		value, ok := d.exports[fmt.Sprint(name)]
		if !ok {
			return nil, fmt.Errorf("Fn::ImportValue %v: no stack deployed so far exports it", name)
		}
		return value, nil
	case "Fn::Select":
		parts, _ := arg.([]any)
		if len(parts) != 2 {
			return nil, fmt.Errorf("Fn::Select %v", arg)
		}
		index, err := d.resolve(s, parts[0])
		if err != nil {
			return nil, err
		}
		list, err := d.resolve(s, parts[1])
		if err != nil {
			return nil, err
		}
		i, _ := strconv.Atoi(fmt.Sprint(index))
		items, _ := list.([]any)
		if i < 0 || i >= len(items) {
			return nil, fmt.Errorf("Fn::Select index %d of %d items", i, len(items))
		}
		return items[i], nil
	case "Fn::Split":
		parts, _ := arg.([]any)
		if len(parts) != 2 {
			return nil, fmt.Errorf("Fn::Split %v", arg)
		}
		value, err := d.resolve(s, parts[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, item := range strings.Split(fmt.Sprint(value), fmt.Sprint(parts[0])) {
			out = append(out, item)
		}
		return out, nil
	case "Fn::GetAZs":
		return []any{d.Region + "a", d.Region + "b", d.Region + "c"}, nil
	case "Fn::Sub":
		text, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Sub with variables is not modeled: %v", arg)
		}
		var failed error
		out := subVariable.ReplaceAllStringFunc(text, func(m string) string {
			name := subVariable.FindStringSubmatch(m)[1]
			var v any
			var err error
			if logical, attribute, ok := strings.Cut(name, "."); ok {
				v, err = d.getAtt(s, logical, attribute)
			} else {
				v, err = d.ref(s, name)
			}
			if err != nil {
				failed = err
			}
			return fmt.Sprint(v)
		})
		return out, failed
	}
	return nil, fmt.Errorf("the intrinsic function %s is not modeled", fn)
}

func (d *Deployment) ref(s *deploying, name string) (any, error) {
	switch name {
	case "AWS::Region":
		return d.Region, nil
	case "AWS::AccountId":
		return d.Account, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return s.Name, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/00000000-0000-4000-8000-000000000000", d.Region, d.Account, s.Name), nil
	case "AWS::NoValue":
		return nil, nil
	}
	if p, ok := s.parameter(name); ok {
		return p["Default"], nil
	}
	r, err := d.create(s, name)
	if err != nil {
		return nil, err
	}
	return r.physicalID, nil
}

func (d *Deployment) getAtt(s *deploying, id, attribute string) (any, error) {
	r, err := d.create(s, id)
	if err != nil {
		return nil, err
	}
	if v, ok := r.attributes[attribute]; ok {
		return v, nil
	}
	if t := fmt.Sprint(r.definition["Type"]); t == "AWS::CloudFormation::CustomResource" || strings.HasPrefix(t, "Custom::") {
		return nil, fmt.Errorf("Fn::GetAtt %s.%s: the custom resource's response has no such attribute", id, attribute)
	}
	return fmt.Sprintf("%s.%s", r.physicalID, attribute), nil
}
