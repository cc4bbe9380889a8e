package config

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// tree is a source bundle's top level: files with their content, and dirs.
func tree(files map[string]string, dirs ...string) sourceTree {
	t := sourceTree{dirs: dirs, read: func(name string) ([]byte, error) {
		if c, ok := files[name]; ok {
			return []byte(c), nil
		}
		return nil, fs.ErrNotExist
	}}
	for name := range files {
		t.files = append(t.files, name)
	}
	return t
}

const (
	nodeBranch   = "Node.js 24 running on 64bit Amazon Linux 2023"
	pythonBranch = "Python 3.13 running on 64bit Amazon Linux 2023"
	dockerBranch = "Docker running on 64bit Amazon Linux 2023"
	goBranch     = "Go 1 running on 64bit Amazon Linux 2023"
	javaBranch   = "Corretto 21 running on 64bit Amazon Linux 2023"
)

func TestInspectSourceKnowsWhatEachPlatformRuns(t *testing.T) {
	ecrRun := `{"AWSEBDockerrunVersion": "1", "Image": {"Name": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/catalog:7"}}`
	for _, c := range []struct {
		name     string
		tree     sourceTree
		platform string
		isolated bool
		want     string // a part of the one problem, or "" for none
	}{
		{"node procfile", tree(map[string]string{"Procfile": "web: node a.js"}), nodeBranch, true, ""},
		{"node server.js", tree(map[string]string{"server.js": ""}), nodeBranch, true, ""},
		{"node nothing", tree(map[string]string{"index.js": ""}), nodeBranch, false, "nothing to start"},
		{"node deps isolated", tree(map[string]string{"package.json": `{"dependencies": {"express": "5"}}`}), nodeBranch, true, "npm install"},
		{"node deps vendored", tree(map[string]string{"package.json": `{"dependencies": {"express": "5"}}`}, "node_modules"), nodeBranch, true, ""},
		{"node deps with nat", tree(map[string]string{"package.json": `{"dependencies": {"express": "5"}}`}), nodeBranch, false, ""},
		{"python application.py", tree(map[string]string{"application.py": ""}), pythonBranch, true, ""},
		{"python nothing", tree(map[string]string{"main.py": ""}), pythonBranch, false, "neither a Procfile nor application.py"},
		{"python requirements isolated", tree(map[string]string{"application.py": "", "requirements.txt": "# pinned\nflask==3\n"}), pythonBranch, true, "pip installs"},
		{"python empty requirements", tree(map[string]string{"application.py": "", "requirements.txt": "# nothing\n"}), pythonBranch, true, ""},
		{"dockerfile on python", tree(map[string]string{"Dockerfile": "FROM x"}), pythonBranch, false, "is a Docker source"},
		{"docker nothing", tree(map[string]string{"app.py": ""}), dockerBranch, false, "nothing to run"},
		{"docker public isolated", tree(map[string]string{"Dockerfile": "FROM python:3.13 AS build\nFROM build\n"}), dockerBranch, true, `"python:3.13" from a registry outside the VPC`},
		{"docker public with nat", tree(map[string]string{"Dockerfile": "FROM python:3.13"}), dockerBranch, false, ""},
		{"docker ecr isolated", tree(map[string]string{"Dockerrun.aws.json": ecrRun}), dockerBranch, true, ""},
		{"dockerrun v2 on docker", tree(map[string]string{"Dockerrun.aws.json": `{"AWSEBDockerrunVersion": 2}`}), dockerBranch, false, "version 2 is for the ECS platform"},
		{"compose public isolated", tree(map[string]string{"docker-compose.yml": "services:\n  web:\n    image: \"nginx:1\"\n"}), dockerBranch, true, `"nginx:1"`},
		{"go application.go", tree(map[string]string{"application.go": ""}), goBranch, true, ""},
		{"go modules isolated", tree(map[string]string{"application.go": "", "go.mod": "module x\nrequire y v1\n"}), goBranch, true, "go mod vendor"},
		{"go modules vendored", tree(map[string]string{"application.go": "", "go.mod": "module x\nrequire y v1\n"}, "vendor"), goBranch, true, ""},
		{"go nothing", tree(map[string]string{"main.go": ""}), goBranch, false, "nothing to build or run"},
		{"java one jar", tree(map[string]string{"app.jar": ""}), javaBranch, false, ""},
		{"java two jars", tree(map[string]string{"a.jar": "", "b.jar": ""}), javaBranch, false, "2 JAR files"},
		{"java nothing", tree(map[string]string{"App.java": ""}), javaBranch, false, "nothing to run"},
		{"zipped folder", tree(nil, "myapp"), nodeBranch, false, "zip the files and folders inside it"},
		{"platform version arn", tree(map[string]string{"Dockerfile": "FROM x"}), "arn:aws:elasticbeanstalk:eu-west-1::platform/Python 3.13 running on 64bit Amazon Linux 2023/4.5.0", false, "is a Docker source"},
	} {
		found := inspectSource(c.tree, c.platform, c.isolated)
		switch {
		case c.want == "" && len(found.problems) > 0:
			t.Errorf("%s: problems %v, want none", c.name, found.problems)
		case c.want != "" && (len(found.problems) != 1 || !strings.Contains(found.problems[0], c.want)):
			t.Errorf("%s: problems %v, want one saying %q", c.name, found.problems, c.want)
		}
	}
	found := inspectSource(tree(map[string]string{"Dockerrun.aws.json": ecrRun}), dockerBranch, true)
	want := ECRRepository{Account: "111111111111", Region: "eu-west-1", Name: "team/catalog"}
	if !slices.Equal(found.images, []ECRRepository{want}) || want.Arn() != "arn:aws:ecr:eu-west-1:111111111111:repository/team/catalog" {
		t.Errorf("images %+v (%s), want %+v", found.images, want.Arn(), want)
	}
}

func TestBackendServicesAddTheirEndpoints(t *testing.T) {
	envs, err := Load(map[string]any{"qa": map[string]any{
		"backends": map[string]any{
			"orders":  map[string]any{"secrets": map[string]any{"TOKEN": "arn:aws:ssm:eu-west-1:111111111111:parameter/t"}},
			"catalog": map[string]any{"platform": dockerBranch, "source": "testdata/services/docker-ecr"},
		},
		"api": map[string]any{"stages": map[string]any{"live": map[string]any{"backend": "orders"}}},
	}}, "")
	if err == nil {
		err = CheckSources(envs, "..")
	}
	if err != nil {
		t.Fatal(err)
	}
	got := envs[0].InterfaceEndpointServices()
	want := append(envs[0].Network.InterfaceEndpointServices(), "ssm", "ecr.api", "ecr.dkr")
	if !slices.Equal(got, want) {
		t.Errorf("endpoints %v, want %v", got, want)
	}
	envs[0].Network.Egress = EgressNat
	if got := envs[0].InterfaceEndpointServices(); got != nil {
		t.Errorf("with NAT, endpoints %v, want none", got)
	}
}
