# Shared by the scoring scripts (scripts/sudoku-givens.sh, scripts/maze-carvers.sh):
# evaluate a checkpoint on a puzzle file and print one markdown table row.
# Source it after setting $ck (the checkpoint). It sets from the environment: $hrmlab (HRMLAB,
# default ./hrmlab), $n (N, puzzles per set, default 256) and $ks (SAMPLES, the test-time
# sample counts of the extra columns); EVAL_FLAGS adds flags to every eval (for example
# "-halt-threshold 0.9").

hrmlab=${HRMLAB:-./hrmlab}
n=${N:-256}
read -r -a ks <<<"${SAMPLES:-}"

field() { # NAME JSON: a top-level number field of hrmlab's one-line JSON
  sed -nE 's/.*"'"$1"'":([-0-9.e+]+).*/\1/p' <<<"$2"
}

pct() { awk -v x="$1" 'BEGIN{printf "%.1f%%", 100*x}'; }

# score FILE [SAMPLES...] -- LABEL...: one row "| LABEL... | n | exact, all segments | exact at
# halt | valid | mean halt step | exact with K samples | the same by votes alone... |"; the
# sample columns come from `eval -samples K`: the chosen answer (valid answers first, then votes,
# then q_halt) and the answer most samples gave without the rule check (exact_by_votes).
score() {
  local file=$1 out row ks=()
  shift
  while [ "$1" != -- ]; do ks+=("$1"); shift; done
  shift
  local extra
  read -r -a extra <<<"${EVAL_FLAGS:-}"
  out=$("$hrmlab" eval -checkpoint "$ck" -data "$file" -n "$n" "${extra[@]}" -json)
  row=$(printf '| %s ' "$@")
  row+=$(printf '| %s | %s | %s | %s | %s ' "$(field n "$out")" "$(pct "$(field exact_accuracy "$out")")" \
    "$(pct "$(field exact_at_halt "$out")")" "$(pct "$(field valid_accuracy "$out")")" "$(field mean_halt_step "$out")")
  local k
  for k in "${ks[@]}"; do
    out=$("$hrmlab" eval -checkpoint "$ck" -data "$file" -n "$n" -samples "$k" "${extra[@]}" -json)
    row+=$(printf '| %s | %s ' "$(pct "$(field exact_accuracy "$out")")" "$(pct "$(field exact_by_votes "$out")")")
  done
  echo "$row|"
}

# header LABEL... -- K...: the table's two header lines for score's rows.
header() {
  local labels=() k
  while [ "$1" != -- ]; do labels+=("$1"); shift; done
  shift
  local cols=("${labels[@]}" n "exact, all segments" "exact at halt" valid "mean halt step")
  for k in "$@"; do cols+=("exact, $k samples" "$k samples, votes alone"); done
  printf '| %s ' "${cols[@]}"; echo '|'
  printf '| --- %.0s' "${cols[@]}"; echo '|'
}
