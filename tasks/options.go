package tasks

// Difficulty holds the difficulty knobs of generated tasks; a sampler's difficulty can change
// between batches. Zero fields take the preset of Level.
type Difficulty struct {
	Level      string  // "easy" | "medium" | "hard"; "" means "medium"
	MinGivens  int     // sudoku: fewest givens
	MaxGivens  int     // sudoku: most givens
	MinGuesses int     // sudoku: fewest solver guesses (SolveStats.Guesses)
	MaxGuesses int     // sudoku: most solver guesses; -1 = no limit
	MinPathLen int     // maze: fewest steps on the shortest S-G path
	Loops      float64 // maze: fraction of inner walls knocked down to make loops; negative = none (a perfect maze)
}
