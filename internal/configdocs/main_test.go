package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"privatebackend/internal/testsupport/golden"
)

// TestGeneratedFilesAreCurrent regenerates the JSON Schema and the tables
// of keys from the declaration: the committed files must match (refresh
// with go generate ./..., or ./scripts/test -update).
func TestGeneratedFilesAreCurrent(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if golden.Updating() {
		if err := write(root, files); err != nil {
			t.Fatal(err)
		}
		return
	}
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: the configuration's declaration says otherwise (run go generate ./..., then review):\n%s",
				path, cmp.Diff(string(got), string(want)))
		}
	}
}

// sample is a declaration for TestADeclarationMistakeIsAnError.
type sample struct {
	Size *int `json:"size" default:"2"`
}

// TestADeclarationMistakeIsAnError checks that the generator refuses a key
// whose meaning is missing, or whose default is stated twice (in the tag
// and in the doc comment, which could disagree).
func TestADeclarationMistakeIsAnError(t *testing.T) {
	for doc, want := range map[string]string{
		"":                              "has no doc comment",
		"Size is the size. Default: 3.": `says "Default: 3" beside a default tag`,
	} {
		typ := reflect.TypeFor[sample]()
		g := &generator{docs: map[reflect.Type]typeDocs{typ: {fields: map[string]string{"Size": doc}}}, types: map[string]reflect.Type{}}
		if _, err := g.object(typ); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("doc comment %q: error %v, want it to say %q", doc, err, want)
		}
	}
	typ := reflect.TypeFor[sample]()
	g := &generator{docs: map[reflect.Type]typeDocs{typ: {fields: map[string]string{"Size": "Size is the size."}}}, types: map[string]reflect.Type{}}
	s, err := g.object(typ)
	if err != nil {
		t.Fatal(err)
	}
	if prop, _ := s.Properties.Get("size"); prop.Description != "The size." || prop.Default != 2.0 {
		t.Errorf("size: %+v", prop)
	}
}
