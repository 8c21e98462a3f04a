#!/usr/bin/env bash
# Backtests the default configuration on every shipped dataset (≥ 3 origins each) and prints the
# README table: dataset, model MASE, seasonal-naive MASE, seconds. Extra flags go to every run,
# e.g. scripts/backtest-all.sh --cell gru
set -euo pipefail
bin=${BIN:-.build/release/seqcast}
out=${OUT:-runs/backtests}
mkdir -p "$out"
run() {  # name, flags...
  local name=$1; shift
  "$bin" backtest "$@" "${extra[@]}" --out "$out/$name" --quiet > "$out/$name.txt"
  python3 - "$out/$name/summary.json" "$name" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
m, b = s["metrics"]["mase"], s["baselines"]["seasonal_naive"]["mase"]
print(f"| {sys.argv[2]} | {s['windows']} | {s['season']} | {m:.3f} | {b:.3f} | {'yes' if m < b else 'no'} | {s['seconds']:.1f} |")
PY
}
extra=("$@")
echo "| dataset | windows | season | model MASE | seasonal naive MASE | beats it | seconds |"
echo "|---|---:|---:|---:|---:|---|---:|"
run airline    --data datasets/airline.csv    --horizon 12 --start 0.7
run sunspots   --data datasets/sunspots.csv   --horizon 11 --start 0.8
run co2_weekly --data datasets/co2_weekly.csv --horizon 52 --start 0.9
run uschange   --data datasets/uschange.csv   --horizon 4  --start 0.8
