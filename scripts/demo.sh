#!/usr/bin/env bash
# The demo job: inspect the airline passengers series, train an LSTM, forecast the next 12 months,
# backtest it against the naive baselines, and draw the plots.
set -euo pipefail
bin=${1:-.build/release/seqcast}
out=runs/demo
mkdir -p runs
echo "== inspect datasets/airline.csv"
"$bin" inspect datasets/airline.csv
echo
echo "== train (LSTM, 12-month horizon)"
"$bin" train --data datasets/airline.csv --horizon 12 --out "$out" --plot
echo
echo "== forecast"
"$bin" forecast --model "$out" --data datasets/airline.csv --out "$out/forecast.csv" --plot
column -s, -t < "$out/forecast.csv" 2>/dev/null || cat "$out/forecast.csv"
echo
echo "== backtest (3 origins, 12 months each, refit at every origin)"
"$bin" backtest --data datasets/airline.csv --horizon 12 --start 0.7 --out "$out/backtest" --quiet --plot
echo
echo "plots:"
for f in "$out/training.png" "$out/forecast.png" "$out/backtest/backtest.png"; do echo "  $PWD/$f"; done
