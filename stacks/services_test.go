//go:build heavy

package stacks

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// The "services" environment: a team's own services instead of the sample.
// Orders runs on Python, blue from a directory and green from a zip, with
// variables, secrets and a CPU trigger; catalog runs an ECR image on
// Docker; legacy runs a bundle its own pipeline uploaded to S3.
const (
	servicesSecret    = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders/db-AbCdEf"
	servicesParameter = "arn:aws:ssm:eu-west-1:111111111111:parameter/orders/token"
	servicesKey       = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	pythonPlatform    = "Python 3.13 running on 64bit Amazon Linux 2023"
)

const servicesEnvironment = `{
	"backends": {
		"orders-blue": {"platform": "` + pythonPlatform + `", "source": "testdata/services/python", "version": "1.4.0",
			"environment": {"LOG_LEVEL": "info", "ORDERS_TABLE": "orders"},
			"secrets": {"DB_PASSWORD": "` + servicesSecret + `:password", "API_TOKEN": "` + servicesParameter + `"},
			"secretsKmsKeys": ["` + servicesKey + `"],
			"scaling": {"metric": "CPUUtilization", "upper": 70, "lower": 30}},
		"orders-green": {"platform": "` + pythonPlatform + `", "source": "testdata/services/python.zip", "version": "1.5.0"},
		"catalog": {"platform": "Docker running on 64bit Amazon Linux 2023", "source": "testdata/services/docker-ecr", "version": "7"},
		"legacy": {"source": "s3://my-builds/legacy/2.0.0.zip", "version": "2.0.0"},
		"gateway": {"platform": "Go 1 running on 64bit Amazon Linux 2023", "source": "testdata/services/go"},
		"billing": {"platform": "Corretto 21 running on 64bit Amazon Linux 2023", "source": "testdata/services/java"}
	},
	"api": {"stages": {"live": {"backend": "orders-blue"}, "preview": {"backend": "orders-green"}, "catalog": {"backend": "catalog"}}}}`

// "servicesnat" builds catalog from its Dockerfile, whose base image comes
// from a public registry: allowed with NAT.
const servicesNatEnvironment = `{
	"network": {"egress": "nat"},
	"backends": {"catalog": {"platform": "Docker running on 64bit Amazon Linux 2023", "source": "testdata/services/docker"}},
	"api": {"stages": {"live": {"backend": "catalog"}}}}`

// buildServiceFixtures adds "services", with cdk-nag's checks (its grants
// are new policy), and "servicesnat".
func buildServiceFixtures(app awscdk.App) {
	stage := awscdk.NewStage(app, jsii.String("services"), nil)
	awscdk.Aspects_Of(stage).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	NewEnvironment(stage, loadEnvironment(servicesEnvironment), "..")
	buildEnvironment(app, "servicesnat", loadEnvironment(servicesNatEnvironment))
}

// resourcesOf returns a stack's resources of one type, by logical id.
func resourcesOf(t *testing.T, stack, resourceType string) map[string]map[string]any {
	t.Helper()
	s, ok := assembly.Stacks[stack]
	if !ok {
		t.Fatalf("no stack %s synthesized", stack)
	}
	return s.Resources(resourceType)
}

// applicationVersion returns the one application version of a backend stack.
func applicationVersion(t *testing.T, stack string) map[string]any {
	t.Helper()
	versions := resourcesOf(t, stack, "AWS::ElasticBeanstalk::ApplicationVersion")
	v, ok := versions["Version"]
	if len(versions) != 1 || !ok {
		t.Fatalf("%s: application versions %v, want one with id Version", stack, versions)
	}
	return v["Properties"].(map[string]any)
}

func TestBlueAndGreenRunDifferentCode(t *testing.T) {
	bundle := func(stack string) string {
		data, _ := json.Marshal(applicationVersion(t, stack)["SourceBundle"])
		return string(data)
	}
	blue, green := bundle("services/Backend-orders-blue"), bundle("services/Backend-orders-green")
	if blue == green {
		t.Errorf("orders-blue and orders-green deploy the same bundle %s", blue)
	}
	// The zip is uploaded as it is: its asset key keeps the .zip extension.
	if !strings.Contains(green, `.zip"`) {
		t.Errorf("orders-green's bundle %s is not the zip file", green)
	}
	if got, want := bundle("services/Backend-legacy"), `{"S3Bucket":"my-builds","S3Key":"legacy/2.0.0.zip"}`; got != want {
		t.Errorf("legacy's bundle is %s, want the S3 source %s", got, want)
	}
	if strings.Contains(bundle("services/Backend-legacy"), "cdk-") {
		t.Errorf("an S3 source must not be an asset")
	}
}

func TestTheReleaseLabelIsInTheConsoleAndTheOutputs(t *testing.T) {
	stack := "services/Backend-orders-green"
	if got := applicationVersion(t, stack)["Description"]; got != "Backend orders-green version 1.5.0" {
		t.Errorf("%s: application version description %v", stack, got)
	}
	outputs, _ := assembly.Stacks[stack].Template["Outputs"].(map[string]any)
	release, _ := outputs["Release"].(map[string]any)
	label, _ := outputs["VersionLabel"].(map[string]any)
	if release["Value"] != "1.5.0" {
		t.Errorf("%s: output Release = %v, want 1.5.0", stack, release["Value"])
	}
	if data, _ := json.Marshal(label["Value"]); string(data) != `{"Ref":"Version"}` {
		t.Errorf("%s: output VersionLabel = %s, want the application version's label", stack, data)
	}
	if got := optionSettingsOf(t, stack)["aws:elasticbeanstalk:application:environment/BACKEND_VERSION"]; got != "1.5.0" {
		t.Errorf("%s: BACKEND_VERSION = %v, want 1.5.0", stack, got)
	}
}

func TestApplicationVersionsDoNotPileUp(t *testing.T) {
	apps := resourcesOf(t, "services/Backend-legacy", "AWS::ElasticBeanstalk::Application")
	data, _ := json.Marshal(apps["Application"]["Properties"].(map[string]any)["ResourceLifecycleConfig"])
	for _, want := range []string{`"MaxCount":20`, `"Enabled":true`, `"DeleteSourceFromS3":false`, `"ServiceRole":{"Fn::GetAtt":["EnvironmentServiceRole`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("lifecycle %s does not have %s", data, want)
		}
	}
}

func TestVariablesSecretsAndScalingReachTheEnvironment(t *testing.T) {
	got := optionSettingsOf(t, "services/Backend-orders-blue")
	for key, want := range map[string]any{
		"aws:elasticbeanstalk:application:environment/LOG_LEVEL":               "info",
		"aws:elasticbeanstalk:application:environment/ORDERS_TABLE":            "orders",
		"aws:elasticbeanstalk:application:environment/BACKEND_NAME":            "orders-blue",
		"aws:elasticbeanstalk:application:environmentsecrets/DB_PASSWORD":      servicesSecret + ":password",
		"aws:elasticbeanstalk:application:environmentsecrets/API_TOKEN":        servicesParameter,
		"aws:autoscaling:trigger/MeasureName":                                  "CPUUtilization",
		"aws:autoscaling:trigger/Statistic":                                    "Average",
		"aws:autoscaling:trigger/Unit":                                         "Percent",
		"aws:autoscaling:trigger/UpperThreshold":                               "70",
		"aws:autoscaling:trigger/LowerThreshold":                               "30",
		"aws:elasticbeanstalk:environment:process:default/Protocol":            "TCP",
		"aws:elasticbeanstalk:application:environment/BACKEND_VERSION":         "1.4.0",
		"aws:elasticbeanstalk:environment:process:default/HealthCheckInterval": "10",
	} {
		if got[key] != want {
			t.Errorf("option %s = %v, want %v", key, got[key], want)
		}
	}
	for key := range optionSettingsOf(t, "services/Backend-orders-green") {
		if strings.HasPrefix(key, "aws:autoscaling:trigger/") || strings.HasPrefix(key, "aws:elasticbeanstalk:application:environmentsecrets/") {
			t.Errorf("orders-green sets %s without scaling or secrets", key)
		}
	}
}

// instanceStatements returns the statements of the policies attached to a
// backend's instance role.
func instanceStatements(t *testing.T, stack string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, p := range resourcesOf(t, stack, "AWS::IAM::Policy") {
		props := p["Properties"].(map[string]any)
		roles, _ := json.Marshal(props["Roles"])
		if !strings.Contains(string(roles), "EnvironmentInstanceRole") {
			continue
		}
		for _, s := range props["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			out = append(out, s.(map[string]any))
		}
	}
	return out
}

func TestTheInstancesReadExactlyTheirSecrets(t *testing.T) {
	statements := instanceStatements(t, "services/Backend-orders-blue")
	byAction := map[string]map[string]any{}
	for _, s := range statements {
		data, _ := json.Marshal(s["Action"])
		byAction[string(data)] = s
	}
	for action, resource := range map[string]string{
		`"secretsmanager:GetSecretValue"`:          `"` + servicesSecret + `"`,
		`["ssm:GetParameter","ssm:GetParameters"]`: `"` + servicesParameter + `"`,
		`"kms:Decrypt"`:                            `"` + servicesKey + `"`,
	} {
		s, ok := byAction[action]
		if !ok {
			t.Errorf("no statement allows %s; statements: %v", action, statements)
			continue
		}
		if data, _ := json.Marshal(s["Resource"]); string(data) != resource {
			t.Errorf("%s is allowed on %s, want exactly %s", action, data, resource)
		}
	}
	condition, _ := json.Marshal(byAction[`"kms:Decrypt"`]["Condition"])
	for _, service := range []string{"secretsmanager.${AWS::Region}.${AWS::URLSuffix}", "ssm.${AWS::Region}.${AWS::URLSuffix}"} {
		if !strings.Contains(string(condition), `"kms:ViaService"`) || !strings.Contains(string(condition), service) {
			t.Errorf("kms:Decrypt condition %s does not limit the key to %s", condition, service)
		}
	}
	if got := instanceStatements(t, "services/Backend-orders-green"); slices.ContainsFunc(got, func(s map[string]any) bool {
		data, _ := json.Marshal(s["Action"])
		return strings.Contains(string(data), "secretsmanager") || strings.Contains(string(data), "kms:")
	}) {
		t.Errorf("orders-green has no secrets but its instances may read some: %v", got)
	}
}

func TestHyphenatedBackendNamesNameTheirStacks(t *testing.T) {
	for _, name := range []string{"services/Backend-orders-blue", "services/Backend-orders-green"} {
		if _, ok := assembly.Stacks[name]; !ok {
			t.Errorf("no stack %s", name)
		}
	}
}

func TestSecretsAndImagesGetTheirEndpoints(t *testing.T) {
	endpoints := resourcesOf(t, "services/Network", "AWS::EC2::VPCEndpoint")
	for _, id := range []string{"SecretsManager", "Ssm", "EcrApi", "EcrDkr"} {
		found := false
		for logicalID, e := range endpoints {
			if strings.HasPrefix(logicalID, "Vpc"+id) && e["Properties"].(map[string]any)["VpcEndpointType"] == "Interface" {
				found = true
			}
		}
		if !found {
			t.Errorf("services/Network has no %s interface endpoint; it has %v", id, slices.Sorted(maps.Keys(endpoints)))
		}
	}
	if n := len(resourcesOf(t, "servicesnat/Network", "AWS::EC2::VPCEndpoint")); n != 0 {
		t.Errorf("servicesnat/Network has %d endpoints; with NAT it needs none", n)
	}
}

func TestTheInstancesPullOnlyTheirImages(t *testing.T) {
	var pull, token map[string]any
	for _, s := range instanceStatements(t, "services/Backend-catalog") {
		data, _ := json.Marshal(s["Action"])
		switch {
		case strings.Contains(string(data), "ecr:BatchGetImage"):
			pull = s
		case string(data) == `"ecr:GetAuthorizationToken"`:
			token = s
		}
	}
	if data, _ := json.Marshal(pull["Resource"]); string(data) != `"arn:aws:ecr:eu-west-1:111111111111:repository/catalog"` {
		t.Errorf("catalog may pull from %s, want its repository only", data)
	}
	if token == nil || token["Resource"] != "*" {
		t.Errorf("catalog cannot get an ECR token: %v", token)
	}
	for _, s := range instanceStatements(t, "services/Backend-orders-blue") {
		if data, _ := json.Marshal(s["Action"]); strings.Contains(string(data), "ecr:") {
			t.Errorf("orders-blue runs no image but may pull: %s", data)
		}
	}
}

func TestServiceGrantsPassTheNag(t *testing.T) {
	checked := 0
	for name, s := range assembly.Stacks {
		if !strings.HasPrefix(name, "services/") {
			continue
		}
		checked++
		for _, m := range s.Messages {
			t.Errorf("%s: %s", name, m)
		}
	}
	if checked == 0 {
		t.Fatal("no services stack was synthesized")
	}
}
