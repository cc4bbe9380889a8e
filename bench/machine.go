package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine describes the machine the benchmark ran on.
func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		fields := strings.Fields(string(data))
		if len(fields) > 1 {
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			mem = fmt.Sprintf(", %d GiB", (kb+(1<<19))>>20)
		}
	}
	node, _ := exec.Command("node", "--version").Output()
	return fmt.Sprintf("%d cores (%s)%s, %s/%s, %s, Node.js %s", runtime.NumCPU(), cpu, mem, runtime.GOOS, runtime.GOARCH,
		runtime.Version(), strings.TrimSpace(string(node)))
}

// loadAverage is the machine's load average over the last minute, or "?"
// where /proc/loadavg cannot be read.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if fields := strings.Fields(string(data)); err == nil && len(fields) > 0 {
		return fields[0]
	}
	return "?"
}
