package ebplatform

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseTellsBranchesFromArns(t *testing.T) {
	for in, want := range map[string]Platform{
		DefaultBranch: {Branch: DefaultBranch},
		"Tomcat 10 with Corretto 21 running on 64bit Amazon Linux 2023": {Branch: "Tomcat 10 with Corretto 21 running on 64bit Amazon Linux 2023"},
		".NET 8 running on 64bit Amazon Linux 2023":                     {Branch: ".NET 8 running on 64bit Amazon Linux 2023"},
		"arn:aws:elasticbeanstalk:eu-west-1::platform/Node.js 24 running on 64bit Amazon Linux 2023/6.11.0": {
			Arn: "arn:aws:elasticbeanstalk:eu-west-1::platform/Node.js 24 running on 64bit Amazon Linux 2023/6.11.0", Region: "eu-west-1"},
		"arn:aws:elasticbeanstalk:us-east-2:123456789012:platform/MyPlatform/1.0": {
			Arn: "arn:aws:elasticbeanstalk:us-east-2:123456789012:platform/MyPlatform/1.0", Region: "us-east-2"},
	} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
}

func TestParseExplainsWhatIsWrong(t *testing.T) {
	for in, want := range map[string]string{
		"": "is empty",
		"64bit Amazon Linux 2023 v6.10.0 running Node.js 24":        "is a solution stack name",
		"arn:aws:elasticbeanstalk:eu-west-1::platform/Node.js 24":   "is not a platform version ARN",
		"arn:aws:elasticbeanstalk:eu-west-1::solutionstack/64bit x": "is not a platform version ARN",
		"Node.js 24": "is not a platform branch name",
		"Node.js 24 running on 64bit Amazon Linux 2023 ":          "is not a platform branch name",
		"Node.js 24  running on 64bit Amazon Linux 2023":          "is not a platform branch name",
		"Node.js 24 running on 64bit Amazon Linux 2023; rm -rf /": "is not a platform branch name",
	} {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error = %v; want it to say %q", in, err, want)
		}
	}
}

func TestRecommendedVersionFiltersNameTheBranchAndTheRecommendedVersion(t *testing.T) {
	got := RecommendedVersionFilters(DefaultBranch)
	want := []Filter{
		{Type: "PlatformBranchName", Operator: "=", Values: []string{DefaultBranch}},
		{Type: "PlatformLifecycleState", Operator: "=", Values: []string{"recommended"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("filters %+v, want %+v", got, want)
	}
}

func TestArnRegionTellsAnArnFromABranch(t *testing.T) {
	if region, ok := ArnRegion("arn:aws:elasticbeanstalk:eu-west-1::platform/" + DefaultBranch + "/6.11.0"); !ok || region != "eu-west-1" {
		t.Errorf("ArnRegion of an ARN = %q, %t", region, ok)
	}
	if _, ok := ArnRegion(DefaultBranch); ok {
		t.Error("a branch is an ARN")
	}
}
