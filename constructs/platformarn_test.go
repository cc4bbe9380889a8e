//go:build heavy

package constructs_test

import (
	"strings"
	"testing"

	"privatebackend/constructs"
)

func TestPlatformArnAcceptsOnlyABranch(t *testing.T) {
	msg := panicOf(func() {
		constructs.NewPlatformArn(newStack(), "Platform", &constructs.PlatformArnProps{Branch: "arn:aws:elasticbeanstalk:eu-west-1::platform/X/1.0.0"})
	})
	if !strings.Contains(msg, "is not a platform branch name") {
		t.Errorf("panic %q", msg)
	}
}
