#!/usr/bin/env bash
# Trains every learning recipe from scratch for its time budget, evaluates the
# last checkpoint on the held-out test puzzles, prints a table, and draws the
# curves to docs/img/recipes.png.
#
#   scripts/recipes.sh                    all recipes (about 3.5 hours on 2 cores)
#   scripts/recipes.sh sudoku4-hrm        only the named ones
#   MINUTES_SCALE=0.1 scripts/recipes.sh  a quick smoke run
#
# ARC, one task at a time: the arc-task preset on every task of a list, from
# scratch, in the background, resuming where it stopped (docs/recipes.md):
#
#   scripts/recipes.sh arc-list scripts/arc-lists/train-6x6.txt [-steps N | -minutes M] [-size S] [-out DIR] [-fg]
#   scripts/recipes.sh arc-list scripts/arc-lists/train-6x6.txt -stop   stops it (the task under way is redone on resuming)
set -euo pipefail
cd "$(dirname "$0")/.."

field() { # FILE NAME: the value of a top-level number field in a one-line JSON file, or -
  sed -nE 's/.*"'"$2"'":([-0-9.e+]+).*/\1/p' "$1" | grep . || echo -
}

from_caller() { # a path as given on the command line, absolute
  case $1 in /*) echo "$1" ;; *) echo "$OLDPWD/$1" ;; esac
}

# arc_list LIST [-steps N | -minutes M] [-size S] [-out DIR] [-fg | -stop]: trains the
# arc-task preset on every task of LIST (lines "training/<id>" or
# "evaluation/<id>" under $ARC_DATA; a "# canvas N" line gives the canvas),
# one after another from scratch, in the background unless -fg. Each task adds
# a line to DIR/results.tsv and rewrites DIR/summary.txt; a task with a line is
# skipped, so running the same command again resumes. -stop ends a background runner
# (its process group); a task whose training was interrupted is not recorded.
arc_list() {
  local list=${1:-} budget=() train_budget=() size="" dir="" fg="" stop="" budget_text="the preset's 2 minutes"
  [ -f "$(from_caller "$list")" ] || { echo "recipes.sh arc-list: want a list file, got '${list}'" >&2; exit 2; }
  list=$(from_caller "$list")
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      -steps) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "arc-list: -steps wants a positive integer" >&2; exit 2; }
        budget=(-steps "$2"); train_budget=(-steps "$2" -minutes 0); budget_text="$2 steps"; shift 2 ;;
      -minutes) [[ "${2:-}" =~ ^[0-9]*\.?[0-9]+$ ]] && awk -v m="$2" 'BEGIN{exit !(m > 0)}' ||
          { echo "arc-list: -minutes wants a positive number" >&2; exit 2; }
        budget=(-minutes "$2"); train_budget=(-minutes "$2"); budget_text="$2 minutes"; shift 2 ;;
      -size) [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "arc-list: -size wants a canvas side" >&2; exit 2; }
        size=$2; shift 2 ;;
      -out) dir=$(from_caller "${2:?arc-list: -out wants a folder}"); shift 2 ;;
      -fg) fg=1; shift ;;
      -stop) stop=1; shift ;;
      *) echo "arc-list: unknown option '$1' (want -steps N, -minutes M, -size S, -out DIR, -fg, -stop)" >&2; exit 2 ;;
    esac
  done
  [ -n "$size" ] || size=$(sed -nE 's/^# canvas ([0-9]+)$/\1/p' "$list")
  [ -n "$size" ] || { echo "arc-list: $list has no '# canvas N' line; give -size" >&2; exit 2; }
  local data
  data=$(from_caller "${ARC_DATA:-$PWD/../shared/data/arc-agi-1}")
  local ids=() line
  while read -r line; do
    [ -z "$line" ] || [ "${line:0:1}" = "#" ] && continue
    [ -f "$data/$line.json" ] || { echo "arc-list: $list: no task file $data/$line.json (set ARC_DATA)" >&2; exit 2; }
    ids+=("$line")
  done < "$list"
  [ ${#ids[@]} -gt 0 ] || { echo "arc-list: $list lists no task" >&2; exit 2; }
  dir=${dir:-runs/arc-lists/$(basename "$list" .txt)}
  if [ -n "$stop" ]; then
    if [ -f "$dir/runner.pid" ] && kill -0 "$(cat "$dir/runner.pid")" 2>/dev/null; then
      kill -- "-$(cat "$dir/runner.pid")" && echo "arc-list: stopped the runner in $dir; the same command without -stop resumes"
    else
      echo "arc-list: no runner is running in $dir" >&2
    fi
    return
  fi
  mkdir -p "$dir"
  if [ -z "$fg" ]; then
    if [ -f "$dir/runner.pid" ] && kill -0 "$(cat "$dir/runner.pid")" 2>/dev/null; then
      echo "arc-list: already running in $dir (pid $(cat "$dir/runner.pid"))" >&2; exit 2
    fi
    ARC_DATA=$data setsid nohup scripts/recipes.sh arc-list "$list" "${budget[@]}" -size "$size" -out "$dir" -fg >> "$dir/runner.log" 2>&1 &
    echo "$!" > "$dir/runner.pid"
    echo "arc-list: ${#ids[@]} tasks of $list in the background (pid $!): results $dir/results.tsv, summary $dir/summary.txt, log $dir/runner.log; run the same command again to resume"
    return
  fi
  # The binary and the resolved preset are this runner's: a rebuild elsewhere
  # does not change a list half-way, and resuming with another preset or
  # budget is refused.
  go build -tags "$(scripts/blas.sh)" -o "$dir/hrmlab" .
  local bin=$dir/hrmlab setup
  setup=$(printf 'budget: %s\ncanvas: %s\n' "$budget_text" "$size"; "$bin" config -preset arc-task -set task.size="$size" | grep -v '^ *data = ')
  if [ -f "$dir/setup.txt" ]; then
    setup_matches "$dir/setup.txt" <(echo "$setup") ||
      { echo "arc-list: $dir holds results of another budget or preset (see $dir/setup.txt); use -out for a new folder" >&2; exit 2; }
  else
    echo "$setup" > "$dir/setup.txt"
  fi
  local results=$dir/results.tsv
  [ -f "$results" ] || printf 'task\tpass@1\tpass@2\texact\ttoken\tsteps\ttrain_s\twall_s\tload\n' > "$results"
  local t id t0 load e
  for t in "${ids[@]}"; do
    id=${t##*/}
    grep -q "^$id"$'\t' "$results" && continue
    rm -rf "${dir:?}/$id"
    load=$(cut -d' ' -f1 /proc/loadavg)
    t0=$(date +%s)
    echo "$(date -u +%FT%TZ) $id: training (load $load)"
    "$bin" train -preset arc-task -set task.data="$data/$t.json" -set task.size="$size" "${train_budget[@]}" \
      -out "$dir" -set run.name="$id" -json > "$dir/$id.train.jsonl"
    if grep -q '"text":"session interrupted"' "$dir/$id.train.jsonl"; then
      echo "$(date -u +%FT%TZ) $id: training interrupted; not recorded (the same command resumes and redoes it)"
      exit 1
    fi
    e=$dir/$id.eval.json
    "$bin" eval -checkpoint "$dir/$id" -json > "$e"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$(field "$e" pass_at_1)" "$(field "$e" pass_at_2)" \
      "$(field "$e" exact_accuracy)" "$(field "$e" token_accuracy)" "$(field "$e" step)" \
      "$(field <(grep '"kind":"train"' "$dir/$id.train.jsonl" | tail -n 1) elapsed_seconds)" "$(($(date +%s) - t0))" "$load" >> "$results"
    arc_summary "$list" "${#ids[@]}" "$dir" > "$dir/summary.txt"
    echo "$(date -u +%FT%TZ) $id: $(tail -n 1 "$results")"
  done
  cat "$dir/summary.txt"
}

# setup_settings FILE: a setup.txt as "section.key = value" lines (and the budget and canvas lines).
setup_settings() {
  awk '/^\[/ { sec = substr($0, 2, length($0) - 2); next }
    /^ +[a-z_]+ = / { key = $1; sub(/^ +[a-z_]+ = /, ""); print sec "." key " = " $0; next }
    /^[a-z]+: / { key = $1; sub(/:$/, "", key); sub(/^[a-z]+: /, ""); print key " = " $0 }' "$1"
}

# setup_matches OLD NEW: succeeds when every setting both setups name has the
# same value. A key only one of them names (the lab gained or dropped it since
# the list started) is reported and accepted: a key is added with a default that
# keeps what the lab did before.
setup_matches() {
  awk -F ' = ' 'FNR == NR { old[$1] = $2; next }
    { if ($1 in old) { if (old[$1] != $2) { print "arc-list: " $1 " was " old[$1] ", is " $2 > "/dev/stderr"; bad = 1 }
        delete old[$1] }
      else print "arc-list: " $1 " is new since the list started (accepted: " $2 ")" > "/dev/stderr" }
    END { for (k in old) print "arc-list: " k " is no longer a setting (accepted)" > "/dev/stderr"; exit bad }' \
    <(setup_settings "$1") <(setup_settings "$2")
}

# arc_summary LIST N DIR: pass@1 and pass@2 over the tasks of DIR/results.tsv and the solved ids.
arc_summary() {
  echo "list: $1 ($2 tasks); $(head -n 2 "$3/setup.txt" | paste -sd ';' -)"
  awk -F '\t' -v n="$2" 'NR > 1 {
      done++; p1 += ($2 == 1); if ($3 == 1) { p2++; ids = ids " " $1 }
      steps += $6; secs += $7; load += $9
    }
    END {
      if (!done) { print "no task done yet"; exit }
      printf "done: %d of %d tasks\n", done, n
      printf "pass@2: %d/%d = %.1f%% of the tasks done (pass@1 %d/%d)\n", p2, done, 100 * p2 / done, p1, done
      printf "solved (pass@2):%s\n", ids ? ids : " none"
      printf "mean steps %.0f, mean training seconds %.0f, mean load at start %.2f\n", steps / done, secs / done, load / done
    }' "$3/results.tsv"
}

if [ "${1:-}" = arc-list ]; then
  shift
  arc_list "$@"
  exit 0
fi

declare -A budget=([sudoku4-hrm]=3 [sudoku6-trm]=15 [maze-hrm]=20 [sudoku9-easy-trm]=60 [sudoku9-trm]=60 [arc-mini]=60)
# Scored beyond the held-out split: puzzles other generators made (a markdown table each).
declare -A score=([sudoku9-trm]=scripts/sudoku-givens.sh)
order=(sudoku4-hrm sudoku6-trm maze-hrm sudoku9-easy-trm sudoku9-trm arc-mini)
[ $# -gt 0 ] && order=("$@")
scale=${MINUTES_SCALE:-1}
out=${RECIPES_OUT:-runs/recipes}
tags=$(scripts/blas.sh)
go build -tags "$tags" -o hrmlab .
mkdir -p "$out" docs/img
printf '%-18s %8s %7s %9s %9s %9s %9s\n' preset minutes steps n exact valid pass@2
for p in "${order[@]}"; do
  m=$(awk -v a="${budget[$p]}" -v s="$scale" 'BEGIN{print a*s}')
  rm -rf "${out:?}/$p"
  ./hrmlab train -preset "$p" -minutes "$m" -out "$out" -set run.name="$p" -json > "$out/$p.train.jsonl"
  ck=$(ls "$out/$p/checkpoints/"step-*.safetensors | tail -n 1)
  e=$out/$p.eval.json
  ./hrmlab eval -checkpoint "$ck" -json > "$e"
  printf '%-18s %8s %7s %9s %9s %9s %9s\n' "$p" "$m" "$(field "$e" step)" "$(field "$e" n)" \
    "$(field "$e" exact_accuracy)" "$(field "$e" valid_accuracy)" "$(field "$e" pass_at_2)"
  if [ -n "${score[$p]:-}" ]; then
    "${score[$p]}" "$out/$p" > "$out/$p.scores.md"
    echo "  scored on other generators' puzzles: $out/$p.scores.md"
  fi
done
dirs=()
for p in "${order[@]}"; do dirs+=("$out/$p"); done
./hrmlab compare -png docs/img/recipes.png "${dirs[@]}"
echo "curves: docs/img/recipes.png"
