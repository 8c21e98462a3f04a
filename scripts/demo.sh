#!/usr/bin/env bash
# The demo job: train an LSTM on the airline passengers series, forecast the next 12 months.
set -euo pipefail
bin=${1:-.build/release/seqcast}
out=runs/demo
mkdir -p runs
echo "== inspect datasets/airline.csv"
"$bin" inspect datasets/airline.csv
echo
echo "== train (LSTM, 12-month horizon)"
"$bin" train --data datasets/airline.csv --horizon 12 --out "$out"
echo
echo "== forecast"
"$bin" forecast --model "$out" --data datasets/airline.csv --out "$out/forecast.csv"
column -s, -t < "$out/forecast.csv" 2>/dev/null || cat "$out/forecast.csv"
