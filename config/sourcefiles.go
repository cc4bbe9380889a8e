package config

import (
	"archive/zip"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"privatebackend/internal/model"
)

// maxSourceBundle is the largest source bundle Beanstalk takes: "Not
// exceed 512 MB" ("Create an application source bundle", Beanstalk
// developer guide).
const maxSourceBundle = 512 << 20

// CheckSources checks the local source of every backend of envs against
// the project at root: a directory or a .zip file that exists, a zip that
// is a zip Beanstalk can take, holding what its platform runs and nothing
// that needs the Internet at deploy time when egress is "endpoints"
// (sourceinspect.go). It records the ECR repositories each source's images
// come from (Backend.ECRRepositories). It returns one error listing every
// problem, each under its key path, before anything is synthesized. An S3
// source is preflight's to check, which can see the account; its content
// is not inspected.
func CheckSources(envs []*Environment, root string) error {
	var ps model.Problems
	for _, e := range envs {
		for _, name := range e.BackendNames() {
			b := e.Backends[name]
			at := "environments." + e.Name + ".backends." + name + ".source"
			src := b.ParsedSource()
			if src.Kind == SourceS3 {
				continue
			}
			file := filepath.Join(root, filepath.FromSlash(src.Path))
			if err := checkLocalSource(file, src.Kind); err != nil {
				ps.Add(at, "%q %v", b.Source, err)
				continue
			}
			tree, err := dirTree(file)
			if src.Kind == SourceZip {
				tree, err = zipTree(file)
			}
			if err != nil {
				ps.Add(at, "%q cannot be read: %v", b.Source, err)
				continue
			}
			found := inspectSource(tree, b.WithDefaults().Platform, e.Network.Egress == EgressEndpoints)
			for _, problem := range found.problems {
				ps.Add(at, "%q %s", b.Source, problem)
			}
			b.ecr = found.images
			// An interface endpoint reaches its own region's registry only.
			for _, r := range found.images {
				if e.Network.Egress == EgressEndpoints && e.Pinned() && r.Region != e.Region {
					ps.Add(at, "%q uses an image in ECR in %s, but this environment deploys to %s and egress is \"endpoints\"; replicate the repository to %s", b.Source, r.Region, e.Region, e.Region)
				}
			}
		}
	}
	return toError(ps)
}

func checkLocalSource(file string, kind SourceKind) error {
	info, err := os.Stat(file)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return errors.New("does not exist in the project; name a directory or .zip file relative to the project root (the directory of cdk.json)")
	case err != nil:
		return fmt.Errorf("cannot be read: %v", err)
	case kind == SourceDirectory && !info.IsDir():
		return errors.New("is a file but not a .zip file; name a directory, or a source bundle ending in .zip")
	case kind == SourceZip && info.IsDir():
		return errors.New("is a directory whose name ends in .zip; rename it, or name the .zip file")
	case kind == SourceZip && info.Size() > maxSourceBundle:
		return fmt.Errorf("is %d MB; Beanstalk takes source bundles up to 512 MB", info.Size()>>20)
	case kind == SourceZip:
		r, err := zip.OpenReader(file)
		if err != nil {
			return fmt.Errorf("is not a zip file (%v); build it with e.g. \"zip -r ../app.zip .\" inside the application's directory", err)
		}
		return r.Close()
	}
	return nil
}
