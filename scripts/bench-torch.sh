#!/usr/bin/env bash
# Times hrmlab against PyTorch (tools/torchref/bench.py, Debian's python3-torch)
# on the same models, side by side: each round times PyTorch on the model of
# an `hrmlab bench -json`, then hrmlab again with -compare, so every ratio
# comes from two runs made one after the other. Prints one line per round and
# the median ratios per size.
#
#   scripts/bench-torch.sh                   default, lab and reference sizes, 3 rounds
#   ROUNDS=5 scripts/bench-torch.sh default  one size
#   TORCH_THREADS=1 scripts/bench-torch.sh   PyTorch on one thread (hrmlab keeps its own)
#
# PyTorch runs Debian's OpenBLAS too: where that library falls back to SSE
# kernels on this CPU, OPENBLAS_CORETYPE is set for it to the core hrmlab
# chose, so both sides run the same kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
threads=${TORCH_THREADS:-2}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(default lab reference)
declare -A config=([default]="" [lab]="-config scripts/bench/lab.toml" [reference]="-config scripts/bench/reference.toml")
declare -A steps=([default]=60 [lab]=10 [reference]=4)
py=/usr/bin/python3
tags=$(scripts/blas.sh)
go build -tags "$tags" -o hrmlab .
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
num() { sed -nE 's/.*"'"$1"'":([-0-9.e+]+).*/\1/p' "$2"; }
./hrmlab env
for size in "${sizes[@]}"; do
  n=${steps[$size]}
  # shellcheck disable=SC2086 # config holds flags
  ./hrmlab bench ${config[$size]} -steps "$n" -json > "$dir/go.json"
  core=$(sed -nE 's/.*"blas_core":"([^"]*)".*/\1/p' "$dir/go.json")
  for r in $(seq "$rounds"); do
    OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-$core} $py tools/torchref/bench.py --like "$dir/go.json" \
      --threads "$threads" --steps "$n" > "$dir/torch.json"
    # shellcheck disable=SC2086
    ./hrmlab bench ${config[$size]} -steps "$n" -compare "$dir/torch.json" -json > "$dir/cmp.json"
    printf '%-9s round %d: torch median %s s, fastest %s s; hrmlab median %s s, fastest %s s; ratio %.2fx (fastest %.2fx)\n' \
      "$size" "$r" "$(num torch_median_step_seconds "$dir/cmp.json")" "$(num torch_min_step_seconds "$dir/cmp.json")" \
      "$(num step_seconds "$dir/cmp.json")" "$(num min_step_seconds "$dir/cmp.json")" \
      "$(num ratio "$dir/cmp.json")" "$(num ratio_min "$dir/cmp.json")" | tee -a "$dir/$size.txt"
  done
  sed -nE 's/.*; ratio ([0-9.]+)x \(fastest ([0-9.]+)x\)/\1 \2/p' "$dir/$size.txt" | sort -n |
    awk -v s="$size" '{r[NR]=$1; f[NR]=$2} END {print s ": median ratio " r[int((NR+1)/2)] "x over " NR " rounds"}'
done
