package config

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"privatebackend/constructs/settings"
	"privatebackend/internal/model"
)

// The service a backend runs: its source, release label, environment
// variables, secrets and scaling trigger. Each AWS rule used here names its
// source; the file-system checks of a local source are in sourcefiles.go.

// DefaultSource is the source of a backend that names none: the sample
// application, relative to the project root.
const DefaultSource = "backend/app"

// SourceKind is where a backend's source bundle comes from.
type SourceKind string

// Kinds of source.
const (
	// SourceDirectory is a directory of the project, zipped as an asset.
	SourceDirectory SourceKind = "directory"
	// SourceZip is a .zip file of the project, uploaded as an asset.
	SourceZip SourceKind = "zip"
	// SourceS3 is an object a service's own pipeline uploaded to S3.
	SourceS3 SourceKind = "s3"
)

// Source is a backend's parsed source.
type Source struct {
	// Kind says which of the other fields are set.
	Kind SourceKind
	// Path is a directory or .zip file relative to the project root, in
	// slash form (SourceDirectory, SourceZip).
	Path string
	// Bucket and Key name the S3 object (SourceS3).
	Bucket, Key string
}

// "Bucket naming rules" (Amazon S3 user guide): 3 to 63 lowercase letters,
// digits, dots and hyphens, starting and ending with a letter or digit.
var s3BucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// The forms of the service keys, registered for their tags.
var (
	// The form of a source; ParseSource says what is wrong with one, and
	// whether a path exists only the file system can say.
	_ = model.NewPattern(model.Pattern{Name: "service.source", Expr: `^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+|[^:]+)$`,
		Check: func(s string) error { _, err := ParseSource(s); return err }})
	// The form of a release label: it is also an environment property value
	// of the sample (BACKEND_VERSION), so it keeps to characters Beanstalk
	// allows there, and to the 100 characters of an application version
	// label (CreateApplicationVersion, VersionLabel).
	_ = model.NewPattern(model.Pattern{Name: "service.version", Expr: `^[A-Za-z0-9][A-Za-z0-9._+:@/-]{0,99}$`,
		What: "a release label", Want: `1 to 100 letters, digits or . _ + : @ / -, starting with a letter or digit, e.g. "1.5.0"`})
	// An environment property name Beanstalk accepts (limits below).
	_ = model.NewPattern(model.Pattern{Name: "service.variable", Expr: `^[A-Za-z0-9_.:/+\\@-]{1,128}$`,
		What: "an environment property name Beanstalk accepts", Want: `up to 128 letters, digits or _ . : / + \\ - @ (for every platform, [A-Z_][A-Z0-9_]*)`})
	// propertyValue is an environment property value Beanstalk accepts.
	propertyValue = regexp.MustCompile(`^[A-Za-z0-9 _.:/=+\\@'"-]*$`)
	_             = model.NewPattern(model.Pattern{Name: "service.healthPath", Expr: `^/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$`,
		What: "a URL path", Want: `"/" followed by a path without a query, e.g. "/health"`})
	_ = model.NewPattern(model.Pattern{Name: "service.kmsKey", Expr: settings.KmsKeyArnPattern.String(),
		What: "a KMS key ARN", Want: "arn:aws:kms:REGION:ACCOUNT:key/KEY_ID (an alias cannot be granted)"})
)

// ParseSource reads a backend's source setting.
func ParseSource(s string) (Source, error) {
	if rest, ok := strings.CutPrefix(s, "s3://"); ok {
		bucket, key, _ := strings.Cut(rest, "/")
		switch {
		case !s3BucketName.MatchString(bucket) || strings.Contains(bucket, ".."):
			return Source{}, fmt.Errorf("%q does not name a valid S3 bucket; want \"s3://BUCKET/KEY\", e.g. \"s3://my-builds/orders/1.5.0.zip\"", s)
		// AWS::ElasticBeanstalk::ApplicationVersion SourceBundle: S3Key is
		// at most 1024 characters.
		case key == "" || len(key) > 1024:
			return Source{}, fmt.Errorf("%q has no object key (1 to 1024 characters); want \"s3://BUCKET/KEY\", e.g. \"s3://my-builds/orders/1.5.0.zip\"", s)
		}
		return Source{Kind: SourceS3, Bucket: bucket, Key: key}, nil
	}
	if strings.Contains(s, "://") {
		return Source{}, fmt.Errorf("%q is not a source; use a directory or .zip file relative to the project root, or \"s3://BUCKET/KEY\"", s)
	}
	clean := path.Clean(strings.ReplaceAll(s, `\`, "/"))
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || clean == "." {
		return Source{}, fmt.Errorf("%q is not inside the project; use a directory or .zip file relative to the project root, e.g. \"services/orders\"", s)
	}
	if strings.HasSuffix(strings.ToLower(clean), ".zip") {
		return Source{Kind: SourceZip, Path: clean}, nil
	}
	return Source{Kind: SourceDirectory, Path: clean}, nil
}

// ParsedSource is the backend's source, parsed; it is valid once the
// configuration is.
func (b *Backend) ParsedSource() Source {
	s, _ := ParseSource(b.Source)
	return s
}

// ReplacedKeys are the backend's removed keys and what replaces them.
func (b *Backend) ReplacedKeys() map[string]string {
	return map[string]string{
		"appVersion": `was removed: "version" is the release label of the backend's code and "source" the code itself; rename "appVersion" to "version"`,
	}
}

// Rules are the backend's cross-key rules: variables against the app's own
// and the size of them all, secrets against variables, KMS keys without
// secrets, and the values of the variables and secrets.
func (b *Backend) Rules() model.Problems {
	ps := b.Beanstalk.Rules()
	validateEnvironmentVariables("environment", b.Environment, b.AppVariables(), &ps)
	for _, name := range slices.Sorted(maps.Keys(b.Secrets)) {
		switch _, err := settings.ParseSecret(b.Secrets[name]); {
		case slices.Contains(reservedVariables, name):
			ps.Add("secrets."+name, "is set by the app itself (%s); choose another name", strings.Join(reservedVariables, ", "))
		case err != nil:
			ps.Add("secrets."+name, "%v", err)
		}
		if _, ok := b.Environment[name]; ok {
			ps.Add("secrets."+name, "is also set in environment; a variable is either a plain value or a secret")
		}
	}
	if len(b.SecretsKmsKeys) > 0 && len(b.Secrets) == 0 {
		ps.Add("secretsKmsKeys", "is set but the backend has no secrets; remove it or add secrets")
	}
	return ps
}

// serviceRules are the environment's rules of its backends' services:
// Beanstalk fetches secrets in the environment's region, so an ARN in
// another region is a mistake a pinned environment shows.
func (e *Environment) serviceRules() model.Problems {
	var ps model.Problems
	if !e.Pinned() {
		return ps
	}
	for _, name := range e.BackendNames() {
		b := e.Backends[name]
		for _, v := range slices.Sorted(maps.Keys(b.Secrets)) {
			if s, err := settings.ParseSecret(b.Secrets[v]); err == nil && s.Region != e.Region {
				ps.Add("backends."+name+".secrets."+v, "%q is in %s, but this environment deploys to %s; name the secret or parameter in %s", b.Secrets[v], s.Region, e.Region, e.Region)
			}
		}
	}
	return ps
}

// Environment property limits ("Environment properties and other software
// settings", Elastic Beanstalk developer guide): keys up to 128 and values up
// to 256 characters, of the characters listed there, and the combined size
// of all properties, stored as "key=value", at most 4,096 bytes (also "eb
// setenv", EB CLI reference).
const (
	maxPropertyValue = 256
	maxProperties    = 4096
)

// reservedVariables are the environment variables the app sets itself.
var reservedVariables = []string{"BACKEND_NAME", "BACKEND_VERSION"}

// propertiesSize is the combined size of environment properties as
// Beanstalk counts it: each stored as "key=value".
func propertiesSize(props map[string]string) int {
	size := 0
	for k, v := range props {
		size += len(k) + 1 + len(v)
	}
	return size
}

// AppVariables are the environment variables the app sets on a backend's
// instances itself: its name and release label, which the sample reports.
func (b *Backend) AppVariables() map[string]string {
	return map[string]string{"BACKEND_NAME": b.Name, "BACKEND_VERSION": b.Version}
}

func validateEnvironmentVariables(at string, vars, app map[string]string, p *model.Problems) {
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		value := vars[name]
		switch {
		case slices.Contains(reservedVariables, name):
			p.Add(at+"."+name, "is set by the app itself (%s); choose another name", strings.Join(reservedVariables, ", "))
		case len(value) > maxPropertyValue:
			p.Add(at+"."+name, "is %d characters; Beanstalk accepts values up to %d characters (store a longer value as a secret)", len(value), maxPropertyValue)
		case !propertyValue.MatchString(value):
			p.Add(at+"."+name, "%q has a character Beanstalk does not accept in an environment property value: use letters, digits, spaces or _ . : / = + \\ - @ ' \"", value)
		}
	}
	// The app's own variables count towards the limit too.
	all := maps.Clone(app)
	maps.Copy(all, vars)
	if size := propertiesSize(all); size > maxProperties {
		p.Add(at, "holds %d bytes as \"key=value\" with the app's own %s; Beanstalk accepts %d bytes in all: move values to secrets", size, strings.Join(reservedVariables, " and "), maxProperties)
	}
}

// ParsedSecrets are the backend's secrets by variable name; valid once the
// configuration is.
func (b *Backend) ParsedSecrets() map[string]settings.Secret {
	out := map[string]settings.Secret{}
	for name, value := range b.Secrets {
		if s, err := settings.ParseSecret(value); err == nil {
			out[name] = s
		}
	}
	return out
}

// secretServices are the services the backend's secrets are in, sorted.
func (b *Backend) secretServices() []settings.SecretService {
	var out []settings.SecretService
	for _, s := range b.ParsedSecrets() {
		if !slices.Contains(out, s.Service) {
			out = append(out, s.Service)
		}
	}
	slices.Sort(out)
	return out
}

// Scaling is a backend's Auto Scaling trigger (aws:autoscaling:trigger),
// in Beanstalk's names and units ("General options for all environments").
type Scaling struct {
	// Metric is the trigger's measure: Beanstalk's MeasureName values but
	// for Latency, RequestCount and TargetResponseTime, which a Network Load
	// Balancer does not publish.
	Metric string `json:"metric" required:"true" enum:"service.scalingMetric"`
	// Statistic is the statistic of the measure the thresholds apply to.
	Statistic string `json:"statistic" default:"Average" enum:"service.scalingStatistic"`
	// Unit is the measure's unit. Default: the metric's own (Percent for
	// CPUUtilization, Bytes for the network and disk bytes, Count for the
	// others).
	Unit string `json:"unit" enum:"service.scalingUnit"`
	// Upper adds an instance when the measure is above it.
	Upper *float64 `json:"upper" required:"true" min:"0" max:"20000000"`
	// Lower removes an instance when the measure is below it; below upper.
	Lower *float64 `json:"lower" required:"true" min:"0" max:"20000000"`
}

// scalingMetrics are the trigger measures a backend may use, with their
// units: Beanstalk's MeasureName values (aws:autoscaling:trigger, "General
// options for all environments") but for Latency, RequestCount and
// TargetResponseTime, which a Network Load Balancer does not publish
// ("CloudWatch metrics for your Network Load Balancer": flows and bytes, no
// requests).
var scalingMetrics = map[string]string{
	"CPUUtilization":     "Percent",
	"NetworkIn":          "Bytes",
	"NetworkOut":         "Bytes",
	"DiskReadBytes":      "Bytes",
	"DiskWriteBytes":     "Bytes",
	"DiskReadOps":        "Count",
	"DiskWriteOps":       "Count",
	"HealthyHostCount":   "Count",
	"UnhealthyHostCount": "Count",
}

// The values aws:autoscaling:trigger accepts ("General options for all
// environments"), registered for the tags.
var (
	_ = model.NewEnum("service.scalingMetric", "a metric a backend can scale on", slices.Sorted(maps.Keys(scalingMetrics))...)
	_ = model.NewEnum("service.scalingStatistic", "a statistic Beanstalk accepts", "Average", "Minimum", "Maximum", "Sum")
	_ = model.NewEnum("service.scalingUnit", "a unit Beanstalk accepts", "Seconds", "Percent", "Bytes", "Bits", "Count", "Bytes/Second", "Bits/Second", "Count/Second", "None")
)

// WithDefaults returns the trigger with its statistic and unit filled in.
func (s Scaling) WithDefaults() Scaling {
	s = model.WithDefaults(s)
	if s.Unit == "" {
		s.Unit = scalingMetrics[s.Metric]
	}
	return s
}

// Rules are the trigger's cross-key rules.
func (s *Scaling) Rules() model.Problems {
	var ps model.Problems
	if s.Upper != nil && s.Lower != nil && *s.Lower >= *s.Upper {
		ps.Add("lower", "%v is not below upper (%v); the trigger would add and remove instances at once", *s.Lower, *s.Upper)
	}
	return ps
}

// ECRRepositories are the ECR repositories the backend's images come from,
// as CheckSources found them in its source.
func (b *Backend) ECRRepositories() []ECRRepository { return b.ecr }

// InterfaceEndpointServices are the short names of the AWS services that
// the environment's instances reach through interface VPC endpoints: nil
// unless egress is "endpoints"; the network's own (Network's method), and
// what its backends' services need: Secrets Manager or SSM for environment
// secrets, which Beanstalk fetches from the instance ("Fetching secrets and
// parameters to Elastic Beanstalk environment variables"), and ecr.api and
// ecr.dkr for images in Amazon ECR, whose layers come from S3 through the
// gateway endpoint ("Amazon ECR interface VPC endpoints (AWS PrivateLink)").
func (e *Environment) InterfaceEndpointServices() []string {
	services := e.Network.InterfaceEndpointServices()
	if services == nil {
		return nil
	}
	need := map[string]bool{}
	for _, b := range e.Backends {
		for _, s := range b.secretServices() {
			need[string(s)] = true
		}
		if len(b.ECRRepositories()) > 0 {
			need["ecr.api"], need["ecr.dkr"] = true, true
		}
	}
	for _, s := range []string{"secretsmanager", "ssm", "ecr.api", "ecr.dkr"} {
		if need[s] {
			services = append(services, s)
		}
	}
	return services
}

// The outputs of a backend's stack that verify reads, by construct id
// (which is also the output key).
const (
	// ReleaseOutput is the backend's configured version.
	ReleaseOutput = "Release"
	// VersionLabelOutput is the Beanstalk application version label the stack deployed.
	VersionLabelOutput = "VersionLabel"
	// EnvironmentNameOutput is the backend's Beanstalk environment.
	EnvironmentNameOutput = "EnvironmentName"
	// LoadBalancerArnOutput is the backend's Network Load Balancer, its VPC link's target.
	LoadBalancerArnOutput = "LoadBalancerArn"
	// LoadBalancerDNSOutput is the load balancer's DNS name, the stages' backendHost.
	LoadBalancerDNSOutput = "LoadBalancerDnsName"
)
