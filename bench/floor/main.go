// Command floor is the smallest Go CDK app: one stack holding one SQS
// queue, on this module's go.mod (the same aws-cdk-go, jsii runtime and
// kernel as the app), with the CDK's defaults (the CloudFormation validator
// on, no cdk-nag). The benchmark builds it with "go build" and runs it with
// the app's CLI, flags and cdk.json context, so what the app costs beyond it
// is the app's own. Its steps are timed like the app's (internal/synthtiming).
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/synthtiming"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	done := synthtiming.Part("Floor")
	newFloorStack(app)
	done()
	done = synthtiming.Synth()
	app.Synth(nil)
	done()
}

// newFloorStack adds the one stack, timed from main like each part of the
// app.
func newFloorStack(app awscdk.App) {
	stack := awscdk.NewStack(app, jsii.String("Floor"), &awscdk.StackProps{Description: jsii.String("The benchmark's floor: one queue")})
	awssqs.NewQueue(stack, jsii.String("Queue"), nil)
}
