package widgets

import (
	"math"
	"strings"
)

// sparkRunes are the eight bar heights of a sparkline.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as one line of bar heights, scaled between their
// smallest and largest finite value; NaN values are blanks. It is written
// by hand because neither bubbles nor asciigraph draws a one-line chart.
func Sparkline(values []float64) string {
	lo, hi, ok := finiteRange(values)
	var b strings.Builder
	for _, v := range values {
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			b.WriteByte(' ')
			continue
		}
		level := len(sparkRunes) - 1
		if hi > lo {
			level = int((v - lo) / (hi - lo) * float64(len(sparkRunes)-1))
		}
		b.WriteRune(sparkRunes[level])
	}
	return b.String()
}
