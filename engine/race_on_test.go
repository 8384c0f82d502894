//go:build race

package engine

// raceEnabled: the learning tests (minutes under the race detector, and no
// concurrency beyond what the other tests run) are skipped in -race builds.
const raceEnabled = true
