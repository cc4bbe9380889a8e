package config

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"privatebackend/internal/ebplatform"
)

// What a backend's local source holds, read from its directory or zip at
// synth time: whether its platform can run it, and what it needs at deploy
// time that an isolated VPC (egress "endpoints") lacks. Each rule names the
// page of the Beanstalk developer guide it comes from.

// sourceTree is the top level of a source bundle.
type sourceTree struct {
	// files and dirs are the names at the root of the bundle.
	files, dirs []string
	read        func(name string) ([]byte, error)
}

func (t sourceTree) hasFile(name string) bool { return slices.Contains(t.files, name) }
func (t sourceTree) hasDir(name string) bool  { return slices.Contains(t.dirs, name) }

func dirTree(dir string) (sourceTree, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return sourceTree{}, err
	}
	t := sourceTree{read: func(name string) ([]byte, error) { return os.ReadFile(path.Join(dir, name)) }}
	for _, e := range entries {
		if e.IsDir() {
			t.dirs = append(t.dirs, e.Name())
		} else {
			t.files = append(t.files, e.Name())
		}
	}
	return t, nil
}

func zipTree(file string) (sourceTree, error) {
	r, err := zip.OpenReader(file)
	if err != nil {
		return sourceTree{}, err
	}
	byName := map[string]*zip.File{}
	t := sourceTree{}
	for _, f := range r.File {
		name := strings.TrimPrefix(f.Name, "./")
		top, rest, nested := strings.Cut(name, "/")
		switch {
		case top == "":
		case nested && !slices.Contains(t.dirs, top):
			t.dirs = append(t.dirs, top)
		case !nested && rest == "" && !f.FileInfo().IsDir():
			t.files = append(t.files, top)
			byName[top] = f
		}
	}
	t.read = func(name string) ([]byte, error) {
		f, ok := byName[name]
		if !ok {
			return nil, fs.ErrNotExist
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(io.LimitReader(rc, 1<<20))
	}
	return t, r.Close()
}

// ecrImage is an image in a private Amazon ECR registry:
// ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/REPOSITORY[:TAG|@DIGEST].
var ecrImage = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/([a-z0-9][a-z0-9._/-]*)([:@].+)?$`)

// ECRRepository is an ECR repository a backend's image comes from.
type ECRRepository struct {
	// Account, Region and Name identify the repository.
	Account, Region, Name string
	// China is true for the aws-cn partition's registry domain.
	China bool
}

// Arn is the repository's ARN.
func (r ECRRepository) Arn() string {
	partition := "aws"
	if r.China {
		partition = "aws-cn"
	}
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", partition, r.Region, r.Account, r.Name)
}

// sourceFindings are what a source's inspection found.
type sourceFindings struct {
	problems []string
	images   []ECRRepository
}

func (f *sourceFindings) add(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// platformFamily is the first word of a platform branch name, lowercased:
// "node.js", "python", "docker", "go", "corretto" (Java SE), "tomcat", ...
func platformFamily(platform string) string {
	p, err := ebplatform.Parse(platform)
	if err != nil {
		return ""
	}
	name := p.Branch
	if p.Arn != "" {
		name = ebplatform.ArnPattern.FindStringSubmatch(p.Arn)[4]
	}
	first, _, _ := strings.Cut(name, " ")
	return strings.ToLower(first)
}

// inspectSource checks a source's top level against its platform; isolated
// is true when the instances have no Internet access (egress "endpoints").
func inspectSource(t sourceTree, platform string, isolated bool) sourceFindings {
	var f sourceFindings
	// A bundle must hold the files themselves, not their folder: "make sure
	// you zip the files and subfolders themselves, rather than zipping the
	// parent folder" ("Create an application source bundle").
	if len(t.files) == 0 && len(t.dirs) == 1 {
		f.add("holds only the folder %q; zip the files and folders inside it, not the folder itself", t.dirs[0])
		return f
	}
	family := platformFamily(platform)
	docker := t.hasFile("Dockerfile") || t.hasFile("Dockerrun.aws.json") || t.hasFile("docker-compose.yml")
	if docker && family != "docker" && family != "ecs" {
		f.add("is a Docker source (Dockerfile, Dockerrun.aws.json or docker-compose.yml) but the platform is %q; use a \"Docker running on 64bit Amazon Linux 2023\" platform or remove the Docker files", platform)
		return f
	}
	switch family {
	case "node.js":
		inspectNode(t, isolated, &f)
	case "python":
		inspectPython(t, isolated, &f)
	case "go":
		inspectGo(t, isolated, &f)
	case "corretto":
		inspectJava(t, &f)
	case "docker":
		inspectDocker(t, isolated, &f)
	}
	return f
}

// "When you don't provide a Procfile, Elastic Beanstalk runs npm start if
// you provide a package.json file. If you don't provide that either, Elastic
// Beanstalk looks for the file app.js or server.js" ("Using the Elastic
// Beanstalk Node.js platform"). "When a package.json file is present,
// Elastic Beanstalk runs npm install", unless the bundle has node_modules
// ("Configuring your application's dependencies on Elastic Beanstalk",
// Node.js).
func inspectNode(t sourceTree, isolated bool, f *sourceFindings) {
	if !t.hasFile("Procfile") && !t.hasFile("package.json") && !t.hasFile("app.js") && !t.hasFile("server.js") {
		f.add("has no Procfile, package.json, app.js or server.js at its root, so the Node.js platform has nothing to start")
	}
	if isolated && t.hasFile("package.json") && !t.hasDir("node_modules") {
		var pkg struct {
			Dependencies map[string]any `json:"dependencies"`
		}
		if data, err := t.read("package.json"); err == nil && json.Unmarshal(data, &pkg) == nil && len(pkg.Dependencies) > 0 {
			f.add("has dependencies in package.json but no node_modules; Beanstalk would run npm install, which needs the Internet, and egress is \"endpoints\": ship node_modules in the bundle (npm ci --omit=dev before zipping), or use egress \"nat\"")
		}
	}
}

// Gunicorn runs the callable "application" of application.py unless a
// Procfile says otherwise (aws:elasticbeanstalk:container:python WSGIPath,
// default "application"; "Configuring the WSGI server with a Procfile").
// pip installs requirements.txt at deploy time ("Specifying dependencies
// using a requirements file").
func inspectPython(t sourceTree, isolated bool, f *sourceFindings) {
	if !t.hasFile("Procfile") && !t.hasFile("application.py") {
		f.add("has neither a Procfile nor application.py at its root; Beanstalk's Python platform runs application:application with Gunicorn unless a Procfile names another module")
	}
	for _, name := range []string{"requirements.txt", "Pipfile"} {
		if isolated && t.hasFile(name) && hasRequirements(t, name) {
			f.add("has %s, which pip installs at deploy time from the Internet, and egress is \"endpoints\": use egress \"nat\", or build an image with its dependencies in CI, push it to ECR and deploy it on the Docker platform with a Dockerrun.aws.json", name)
		}
	}
}

// hasRequirements reports whether a requirements file names a package.
func hasRequirements(t sourceTree, name string) bool {
	data, err := t.read(name)
	if err != nil {
		return true
	}
	s := bufio.NewScanner(bytes.NewReader(data))
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "[") {
			return true
		}
	}
	return false
}

// The Go platform builds application.go ("go build -o bin/application
// application.go"), or runs a Buildfile and a Procfile, or a binary with a
// Procfile ("Using the Elastic Beanstalk Go platform"); go build fetches a
// module's requirements unless they are vendored.
func inspectGo(t sourceTree, isolated bool, f *sourceFindings) {
	if !t.hasFile("application.go") && !t.hasFile("Procfile") {
		f.add("has neither application.go nor a Procfile at its root, so the Go platform has nothing to build or run")
	}
	if isolated && t.hasFile("go.mod") && !t.hasDir("vendor") {
		if data, err := t.read("go.mod"); err == nil && bytes.Contains(data, []byte("require")) {
			f.add("has a go.mod with requirements but no vendor directory; go build would download them, and egress is \"endpoints\": run go mod vendor before zipping, ship a built binary with a Procfile, or use egress \"nat\"")
		}
	}
}

// "If you have more than one JAR file in the root of your application
// source bundle, you must include a Procfile" ("Configuring the application
// process with a Procfile", Java SE).
func inspectJava(t sourceTree, f *sourceFindings) {
	if t.hasFile("Procfile") {
		return
	}
	jars := 0
	for _, name := range t.files {
		if strings.HasSuffix(name, ".jar") {
			jars++
		}
	}
	switch {
	case jars == 0 && !t.hasFile("Buildfile"):
		f.add("has no JAR, Procfile or Buildfile at its root, so the Java SE platform has nothing to run")
	case jars > 1:
		f.add("has %d JAR files at its root and no Procfile; the Java SE platform needs a Procfile to know which to run", jars)
	}
}

// The Docker platform builds a Dockerfile at deploy time or runs the image
// a Dockerrun.aws.json (v1) names, and authenticates to Amazon ECR with the
// instance profile ("Configuring Docker environments": "Using images from
// an Amazon ECR repository").
func inspectDocker(t sourceTree, isolated bool, f *sourceFindings) {
	var images []string
	switch {
	case t.hasFile("Dockerrun.aws.json"):
		var run struct {
			Version any `json:"AWSEBDockerrunVersion"`
			Image   struct {
				Name string `json:"Name"`
			} `json:"Image"`
		}
		data, err := t.read("Dockerrun.aws.json")
		if err != nil || json.Unmarshal(data, &run) != nil {
			f.add("has a Dockerrun.aws.json that is not valid JSON")
			return
		}
		switch fmt.Sprint(run.Version) {
		case "1":
			if run.Image.Name == "" && !t.hasFile("Dockerfile") {
				f.add("has a Dockerrun.aws.json (v1) with no Image.Name and no Dockerfile to build")
			}
			if run.Image.Name != "" {
				images = append(images, run.Image.Name)
			}
		case "3":
			// v3 only says how to authenticate; the images are in
			// docker-compose.yml.
			images = append(images, composeImages(t)...)
		default:
			f.add("has a Dockerrun.aws.json version %v; the Docker platform reads version 1 (or 3 with docker-compose.yml), version 2 is for the ECS platform", run.Version)
			return
		}
		if run.Image.Name == "" && t.hasFile("Dockerfile") {
			images = append(images, dockerfileImages(t)...)
		}
	case t.hasFile("docker-compose.yml"):
		images = composeImages(t)
	case t.hasFile("Dockerfile"):
		images = dockerfileImages(t)
	default:
		f.add("has no Dockerfile, Dockerrun.aws.json or docker-compose.yml at its root, so the Docker platform has nothing to run")
		return
	}
	for _, image := range images {
		m := ecrImage.FindStringSubmatch(image)
		if m == nil {
			if isolated {
				f.add("uses image %q from a registry outside the VPC, and egress is \"endpoints\": push it to Amazon ECR in the environment's region and name it there, or use egress \"nat\"", image)
			}
			continue
		}
		repo := ECRRepository{Account: m[1], Region: m[2], China: m[3] != "", Name: m[4]}
		if !slices.Contains(f.images, repo) {
			f.images = append(f.images, repo)
		}
	}
}

// dockerfileImages are the images a Dockerfile's FROM lines pull, but for
// stages it builds itself ("FROM base AS build" ... "FROM build").
func dockerfileImages(t sourceTree) []string {
	data, err := t.read("Dockerfile")
	if err != nil {
		return nil
	}
	var images, stages []string
	s := bufio.NewScanner(bytes.NewReader(data))
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 2 || !strings.EqualFold(fields[0], "FROM") {
			continue
		}
		args := fields[1:]
		for len(args) > 0 && strings.HasPrefix(args[0], "--") {
			args = args[1:]
		}
		if len(args) == 0 {
			continue
		}
		if len(args) >= 3 && strings.EqualFold(args[1], "AS") {
			stages = append(stages, args[2])
		}
		if image := args[0]; image != "scratch" && !slices.Contains(stages, image) {
			images = append(images, image)
		}
	}
	return images
}

// composeImages are the "image:" values of docker-compose.yml, read line by
// line (a service that builds instead is its Dockerfile's concern).
func composeImages(t sourceTree) []string {
	data, err := t.read("docker-compose.yml")
	if err != nil {
		return nil
	}
	var images []string
	s := bufio.NewScanner(bytes.NewReader(data))
	for s.Scan() {
		if value, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "image:"); ok {
			images = append(images, strings.Trim(strings.TrimSpace(value), `"'`))
		}
	}
	return images
}
