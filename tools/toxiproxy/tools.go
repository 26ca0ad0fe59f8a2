//go:build tools

// Package tools pins Toxiproxy (the fault-injecting TCP proxy the fault tests
// and the soak run put between the driver and LedisDB) as a module
// dependency, so that `go build github.com/Shopify/toxiproxy/v2/cmd/server`
// builds it from the Go module proxy at the version recorded in go.mod.
package tools

import _ "github.com/Shopify/toxiproxy/v2/cmd/server"
