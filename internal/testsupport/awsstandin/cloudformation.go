package awsstandin

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Stack is a stack as DescribeStacks lists it (Stack, AWS CloudFormation API
// reference, version 2010-05-15).
type Stack struct {
	StackName    string
	StackID      string `xml:"StackId"`
	CreationTime string
	StackStatus  string
	Outputs      []Output `xml:"Outputs>member,omitempty"`
}

// Output is one output of a stack (Output, AWS CloudFormation API reference).
type Output struct {
	OutputKey   string
	OutputValue string
	ExportName  string `xml:",omitempty"`
}

// CloudFormation is a stand-in of AWS CloudFormation's API, version
// 2010-05-15 (Query protocol), answering DescribeStacks from the stacks it
// holds.
type CloudFormation struct {
	QueryService
	// Region and Account make the ARNs of stacks.
	Region, Account string

	mu     sync.Mutex
	stacks map[string]Stack
}

// NewCloudFormation returns a stand-in holding no stack.
func NewCloudFormation(region, account string) *CloudFormation {
	c := &CloudFormation{Region: region, Account: account, stacks: map[string]Stack{}}
	c.QueryService = QueryService{
		SigningName: "cloudformation",
		IAMPrefix:   "cloudformation",
		Version:     "2010-05-15",
		Namespace:   "http://cloudformation.amazonaws.com/doc/2010-05-15/",
		Actions: map[string]*Action{
			// DescribeStacks, AWS CloudFormation API reference; authorized on
			// the stack's ARN (Service Authorization Reference, resource type
			// stack), "*" when it lists every stack.
			"DescribeStacks": {
				Params:   []Param{{Name: "StackName"}, {Name: "NextToken"}},
				Answer:   c.describeStacks,
				Resource: c.stackArn,
			},
		},
	}
	return c
}

// PutStack makes the stand-in know a stack, or replaces the one of its
// name; the stand-in fills its id and creation time.
func (c *CloudFormation) PutStack(s Stack) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.StackID = fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/00000000-0000-4000-8000-000000000000", c.Region, c.Account, s.StackName)
	s.CreationTime = "2026-01-01T00:00:00Z"
	c.stacks[s.StackName] = s
}

func (c *CloudFormation) stackArn(call Call) string {
	name := call.Params.Get("StackName")
	if name == "" {
		return "*"
	}
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/*", c.Region, c.Account, name)
}

func (c *CloudFormation) describeStacks(call Call) (any, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var found []Stack
	if name := call.Params.Get("StackName"); name != "" {
		s, ok := c.stacks[name]
		if !ok {
			// The answer for a stack that does not exist (DescribeStacks,
			// "Errors": a ValidationError naming the stack's id).
			return nil, &Error{Status: http.StatusBadRequest, Code: "ValidationError", Message: fmt.Sprintf("Stack with id %s does not exist", name)}
		}
		found = append(found, s)
	} else {
		for _, name := range slices.Sorted(maps.Keys(c.stacks)) {
			found = append(found, c.stacks[name])
		}
	}
	return struct {
		Stacks []Stack `xml:"Stacks>member"`
	}{found}, nil
}
