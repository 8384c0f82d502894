//go:build race

package tasks

// raceEnabled scales down the heaviest tests under the race detector (about 10x slower).
const raceEnabled = true
