package config

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// vpcCidrPattern matches exactly the ranges checkVpcCidr accepts for a VPC:
// an IPv4 network address written without leading zeros, with a prefix
// from widestVPCPrefix to narrowestVPCPrefix and its host bits zero. Only
// the third and fourth octets hold host bits at these lengths.
func vpcCidrPattern() string {
	octet := decimalPattern(upTo(255, 1))
	var lengths []string
	for bits := widestVPCPrefix; bits <= narrowestVPCPrefix; bits++ {
		third := decimalPattern(upTo(255, 1<<(24-bits)))
		lengths = append(lengths, fmt.Sprintf("%s\\.0/%d", third, bits))
	}
	return fmt.Sprintf(`^%s\.%s\.(%s)$`, octet, octet, strings.Join(lengths, "|"))
}

// upTo returns the multiples of step from 0 to limit.
func upTo(limit, step int) []int {
	var out []int
	for v := 0; v <= limit; v += step {
		out = append(out, v)
	}
	return out
}

// decimalPattern returns a regular expression matching exactly the decimal
// forms of values (no leading zeros), as compact as a trie of their digits
// with equal branches merged into character classes allows.
func decimalPattern(values []int) string {
	type node map[byte]node
	// One trie per length, so that no number is a prefix of another.
	byLength := map[int]node{}
	for _, v := range values {
		s := strconv.Itoa(v)
		if byLength[len(s)] == nil {
			byLength[len(s)] = node{}
		}
		n := byLength[len(s)]
		for i := range len(s) {
			if n[s[i]] == nil {
				n[s[i]] = node{}
			}
			n = n[s[i]]
		}
	}
	var alternatives func(n node) []string
	group := func(alts []string) string {
		if len(alts) == 1 {
			return alts[0]
		}
		return "(" + strings.Join(alts, "|") + ")"
	}
	alternatives = func(n node) []string {
		digitsByRest := map[string][]byte{}
		for d, child := range n {
			rest := ""
			if len(child) > 0 {
				rest = group(alternatives(child))
			}
			digitsByRest[rest] = append(digitsByRest[rest], d)
		}
		var alts []string
		for rest, digits := range digitsByRest {
			alts = append(alts, digitClass(digits)+rest)
		}
		slices.Sort(alts)
		return alts
	}
	var alts []string
	for _, length := range slices.Sorted(maps.Keys(byLength)) {
		alts = append(alts, alternatives(byLength[length])...)
	}
	return group(alts)
}

// digitClass writes a set of digits as one digit or a character class.
func digitClass(digits []byte) string {
	slices.Sort(digits)
	if len(digits) == 1 {
		return string(digits)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i := 0; i < len(digits); {
		j := i
		for j+1 < len(digits) && digits[j+1] == digits[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			fmt.Fprintf(&b, "%c-%c", digits[i], digits[j])
		case j > i:
			b.WriteByte(digits[i])
			b.WriteByte(digits[j])
		default:
			b.WriteByte(digits[i])
		}
		i = j + 1
	}
	b.WriteByte(']')
	return b.String()
}
