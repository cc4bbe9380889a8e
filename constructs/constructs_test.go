//go:build heavy

package constructs_test

// The reusable constructs' tests, beside them: each builds its construct on
// a fresh stack of a fresh App and asserts on that stack's template, in the
// shape of aws-cdk's aws-apigateway/test/vpc-link.test.ts.

import (
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
)

// afterTests are what the test binary's groups leave running or on disk,
// ended after the tests and before the jsii kernel.
var afterTests []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, end := range afterTests {
		end()
	}
	// Stops the jsii kernel and removes the runtime it unpacked.
	jsii.Close()
	os.Exit(code)
}

// newStack returns a fresh stack of a fresh App, environment-agnostic, with
// no CloudFormation validation: the app's tests run the gates.
func newStack() awscdk.Stack {
	app := awscdk.NewApp(&awscdk.AppProps{BuiltinCloudFormationValidation: jsii.Bool(false)})
	return awscdk.NewStack(app, jsii.String("Stack"), nil)
}

// templateOf synthesizes the stack's template.
func templateOf(stack awscdk.Stack) assertions.Template {
	return assertions.Template_FromStack(stack, nil)
}

// testVpc adds a VPC with two isolated subnets to stack.
func testVpc(stack awscdk.Stack) awsec2.Vpc {
	return awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("Private"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}},
	})
}

// panicOf returns what f panics with, or "" when it returns.
func panicOf(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// ptr returns a pointer to a copy of v, for optional settings.
func ptr[T any](v T) *T { return &v }
