package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// measurement is one run of a command.
type measurement struct {
	wall    time.Duration
	peakRSS int64
}

// measure runs a command (args[0] with the rest as its arguments) and
// samples the resident memory of its whole process tree from /proc until it
// exits.
func measure(dir string, env []string, args ...string) (measurement, error) {
	m, _, err := measureOutput(dir, env, args...)
	return m, err
}

// measureOutput is measure that also returns what the command wrote to
// stdout.
func measureOutput(dir string, env []string, args ...string) (measurement, []byte, error) {
	name := args[0]
	cmd := exec.Command(name, args[1:]...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return measurement{}, nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var peak int64
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			m := measurement{wall: time.Since(start), peakRSS: peak}
			if err != nil {
				return m, nil, fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args[1:], " "), err, stdout.Bytes(), stderr.Bytes())
			}
			return m, stdout.Bytes(), nil
		case <-tick.C:
			peak = max(peak, treeRSS(cmd.Process.Pid))
		}
	}
}

// treeRSS sums the resident memory of pid and all its descendants.
func treeRSS(pid int) int64 {
	children := map[int][]int{}
	rss := map[int]int64{}
	entries, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, e := range entries {
		data, err := os.ReadFile(e)
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses.
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 22 {
			continue
		}
		p, _ := strconv.Atoi(filepath.Base(filepath.Dir(e)))
		ppid, _ := strconv.Atoi(fields[1])
		pages, _ := strconv.ParseInt(fields[21], 10, 64)
		children[ppid] = append(children[ppid], p)
		rss[p] = pages * int64(os.Getpagesize())
	}
	var total int64
	stack := []int{pid}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		total += rss[p]
		stack = append(stack, children[p]...)
	}
	return total
}

// runQuiet runs a command, showing its output only when it fails.
func runQuiet(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}
