//go:build tools

// Package tools pins the LedisDB server as a module dependency so that
// `go build github.com/ledisdb/ledisdb/cmd/ledis-server` builds it from the
// Go module proxy at the version recorded in go.mod.
package tools

import _ "github.com/ledisdb/ledisdb/cmd/ledis-server"
