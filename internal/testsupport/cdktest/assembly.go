package cdktest

import (
	"cmp"
	"fmt"
	"os"
	"strings"

	"privatebackend/internal/cloudassembly"
)

// Assembly is a synthesized cloud assembly as the tests read it: straight
// from the files in its directory, with no further call into the CDK.
type Assembly struct {
	// Stacks are the stack artifacts by display name ("dev/Network").
	Stacks map[string]*Stack
}

// Stack is one synthesized stack.
type Stack struct {
	// Name is the CloudFormation stack name.
	Name string
	// Template is the CloudFormation template.
	Template map[string]any
	// TemplateFile is the path of the template's file in the assembly.
	TemplateFile string
	// Messages are the errors and warnings annotated on the stack's constructs.
	Messages []Message
	// Dependencies are the display names of the stacks it deploys after.
	Dependencies []string
}

// Message is one error or warning annotation of a synthesized stack.
type Message struct {
	// Level is "error" or "warning".
	Level string
	// Path is the construct path the annotation is on.
	Path string
	// Text is the annotation.
	Text string
}

func (m Message) String() string { return fmt.Sprintf("%s %s: %s", m.Level, m.Path, m.Text) }

// ReadAssembly reads the cloud assembly in dir, nested assemblies (one per
// Stage) included.
func ReadAssembly(dir string) (*Assembly, error) {
	a := &Assembly{Stacks: map[string]*Stack{}}
	return a, a.read(dir)
}

func (a *Assembly) read(dir string) error {
	manifests, err := cloudassembly.ReadAll(dir)
	if err != nil {
		return err
	}
	for _, m := range manifests {
		if err := a.add(m); err != nil {
			return err
		}
	}
	return nil
}

// add reads the stacks of one manifest.
func (a *Assembly) add(m *cloudassembly.Manifest) error {
	names := map[string]string{}
	for id, art := range m.Artifacts {
		if art.Type == cloudassembly.Stack {
			names[id] = cmp.Or(art.DisplayName, id)
		}
	}
	for id, art := range m.Artifacts {
		if art.Type != cloudassembly.Stack {
			continue
		}
		// The manifest names a stack only when its name is not its id.
		s := &Stack{Name: cmp.Or(art.Properties.StackName, id), TemplateFile: m.Path(art.Properties.TemplateFile)}
		if err := readJSON(s.TemplateFile, &s.Template); err != nil {
			return err
		}
		s.collectMessages(art.Metadata)
		if art.AdditionalMetadataFile != "" {
			var more cloudassembly.Metadata
			if err := readJSON(m.Path(art.AdditionalMetadataFile), &more); err != nil {
				return err
			}
			s.collectMessages(more)
		}
		for _, dep := range art.Dependencies {
			if name, isStack := names[dep]; isStack {
				s.Dependencies = append(s.Dependencies, name)
			}
		}
		a.Stacks[names[id]] = s
	}
	return nil
}

// collectMessages keeps the error and warning annotations of meta.
func (s *Stack) collectMessages(meta cloudassembly.Metadata) {
	for path, entries := range meta {
		for _, e := range entries {
			level, ok := strings.CutPrefix(e.Type, "aws:cdk:")
			if ok && (level == "error" || level == "warning") {
				s.Messages = append(s.Messages, Message{Level: level, Path: path, Text: fmt.Sprint(e.Data)})
			}
		}
	}
}

// Resources returns the template's resources of one type by logical id.
func (s *Stack) Resources(resourceType string) map[string]map[string]any {
	out := map[string]map[string]any{}
	resources, _ := s.Template["Resources"].(map[string]any)
	for id, r := range resources {
		res, _ := r.(map[string]any)
		if res["Type"] == resourceType {
			out[id] = res
		}
	}
	return out
}

// DirEntries lists the names in dir, or nothing when it does not exist.
func DirEntries(dir string) []string {
	entries, _ := os.ReadDir(dir)
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}
