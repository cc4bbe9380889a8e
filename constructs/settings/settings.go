// Package settings holds the settings of the reusable constructs that a
// configuration file may set, declared once as Go structs (package
// internal/model reads their tags): the constructs apply them to their
// props, and package config, which must not load the CDK, decodes and checks
// a cdk.json against the very same declarations before any construct is
// built. A setting left unset (an empty string, a nil pointer) takes its
// default.
package settings

import "privatebackend/internal/model"

// Problem is a setting that is not valid.
type Problem = model.Problem

// Problems are the problems of one set of settings.
type Problems = model.Problems
