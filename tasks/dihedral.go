package tasks

// Dihedral transforms of a grid, numbered as the reference (numpy conventions): 0 identity,
// 1 rot90 (counter-clockwise), 2 rot180, 3 rot270, 4 left-right flip, 5 up-down flip,
// 6 transpose, 7 anti-transpose (left-right flip of rot90).

// DihedralInverse maps a transform id to the id that undoes it.
var DihedralInverse = [8]int{0, 3, 2, 1, 4, 5, 6, 7}

// dihedralIndex returns the shape of an h x w grid after transform t and, for every output
// cell (row-major), the index of the input cell it copies.
func dihedralIndex(t, h, w int) (oh, ow int, src []int) {
	oh, ow = h, w
	if t == 1 || t == 3 || t == 6 || t == 7 {
		oh, ow = w, h
	}
	src = make([]int, oh*ow)
	for r := range oh {
		for c := range ow {
			var sr, sc int
			switch t {
			case 0:
				sr, sc = r, c
			case 1:
				sr, sc = c, w-1-r
			case 2:
				sr, sc = h-1-r, w-1-c
			case 3:
				sr, sc = h-1-c, r
			case 4:
				sr, sc = r, w-1-c
			case 5:
				sr, sc = h-1-r, c
			case 6:
				sr, sc = c, r
			default:
				sr, sc = h-1-c, w-1-r
			}
			src[r*ow+c] = sr*w + sc
		}
	}
	return oh, ow, src
}

// dihedral applies transform t to the h x w row-major grid g and returns the new grid and shape.
func dihedral[T any](t int, g []T, h, w int) ([]T, int, int) {
	oh, ow, src := dihedralIndex(t, h, w)
	out := make([]T, len(src))
	for i, j := range src {
		out[i] = g[j]
	}
	return out, oh, ow
}
