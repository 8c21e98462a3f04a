#!/usr/bin/env bash
# Bit-identity check for refactors: runs two seqcast binaries (BEFORE and AFTER) on the shipped
# datasets with the same seed and compares what they produce, byte for byte — every member's
# current and best weights and optimizer moments in model.h5 (raw float32 via h5dump -b),
# history.csv, forecast CSVs, and backtest forecasts.csv / metrics.csv. Both binaries must run
# on the same machine (OpenBLAS kernels differ between CPUs).
# Usage: scripts/check-identical.sh BEFORE_BIN AFTER_BIN   (needs h5dump: apt-get install hdf5-tools)
# Flags that were renamed between the two are given per binary: BEFORE_STRIDE/AFTER_STRIDE name the
# backtest origin-stride flag (default --origin-stride for both); BEFORE_OUTPUT/AFTER_OUTPUT are extra
# forecast/backtest flags, e.g. AFTER_OUTPUT="--interval-method none" when BEFORE has no intervals.
set -uo pipefail
BEFORE=$1; AFTER=$2
command -v h5dump >/dev/null || { echo "check-identical: needs h5dump (apt-get install hdf5-tools)"; exit 2; }
DATA=$(cd "$(dirname "$0")/../datasets" && pwd)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
BS=${BEFORE_STRIDE:---origin-stride}; AS=${AFTER_STRIDE:---origin-stride}
BO=${BEFORE_OUTPUT:-}; AO=${AFTER_OUTPUT:-}
fail=0
run() {  # run NAME BIN STRIDEFLAG OUTPUTFLAGS
  local d=$WORK/$1 bin=$2 sf=$3 of=$4; mkdir -p "$d"
  "$bin" train --data "$DATA/airline.csv" --horizon 6 --hidden 8 --epochs 4 --ensemble 3 --threads 2 --out "$d/airline" --quiet >/dev/null
  "$bin" train --data "$DATA/uschange.csv" --horizon 4 --hidden 8 --epochs 3 --ensemble 2 --threads 1 --out "$d/uschange" --quiet >/dev/null
  "$bin" train --data "$DATA/sunspots.h5" --horizon 5 --hidden 8 --layers 2 --layer-norm --dropout 0.1 --epochs 3 --ensemble 1 --out "$d/sunspots" --quiet >/dev/null
  "$bin" train --data "$DATA/co2_weekly.csv" --horizon 8 --cell gru --hidden 8 --epochs 2 --ensemble 2 --baseline none --transform none --out "$d/co2" --quiet >/dev/null
  for m in airline uschange co2; do
    local src=$DATA/$m.csv; [ $m = co2 ] && src=$DATA/co2_weekly.csv
    "$bin" forecast --model "$d/$m" --data "$src" --out "$d/$m-forecast.csv" $of >/dev/null
  done
  "$bin" forecast --model "$d/sunspots" --data "$DATA/sunspots.h5" --out "$d/sunspots-forecast.csv" $of >/dev/null
  "$bin" backtest --data "$DATA/airline.csv" --horizon 6 --hidden 8 --epochs 3 --ensemble 2 --start 0.8 "$sf" 6 $of --out "$d/bt" --quiet >/dev/null
}
run before "$BEFORE" "$BS" "$BO" || { echo "check-identical: the BEFORE binary failed"; exit 1; }
run after "$AFTER" "$AS" "$AO" || { echo "check-identical: the AFTER binary failed"; exit 1; }
compare() { if cmp -s "$1" "$2"; then echo "identical  $3"; else echo "DIFFERENT  $3"; fail=1; fi; }
for m in airline uschange sunspots co2; do
  for ds in $(h5dump -n "$WORK/before/$m/model.h5" | awk '$1 == "dataset" { print $2 }'); do
    h5dump -d "$ds" -b LE -o "$WORK/b.bin" "$WORK/before/$m/model.h5" >/dev/null
    h5dump -d "$ds" -b LE -o "$WORK/a.bin" "$WORK/after/$m/model.h5" >/dev/null 2>&1 || : > "$WORK/a.bin"
    compare "$WORK/b.bin" "$WORK/a.bin" "$m model.h5 $ds"
  done
  cut -d, -f1-3,5 "$WORK/before/$m/history.csv" > "$WORK/b.csv"; cut -d, -f1-3,5 "$WORK/after/$m/history.csv" > "$WORK/a.csv"
  compare "$WORK/b.csv" "$WORK/a.csv" "$m history.csv (losses; the seconds column left out)"
  compare "$WORK/before/$m-forecast.csv" "$WORK/after/$m-forecast.csv" "$m forecast.csv"
done
# Models written by BEFORE still load in AFTER and forecast the same values.
"$AFTER" forecast --model "$WORK/before/airline" --data "$DATA/airline.csv" --out "$WORK/old-model.csv" $AO >/dev/null
compare "$WORK/before/airline-forecast.csv" "$WORK/old-model.csv" "BEFORE's airline model.h5 forecast by AFTER"
"$AFTER" forecast --model "$WORK/before/sunspots" --data "$DATA/sunspots.h5" --out "$WORK/old-model2.csv" $AO >/dev/null
compare "$WORK/before/sunspots-forecast.csv" "$WORK/old-model2.csv" "BEFORE's sunspots model.h5 forecast by AFTER"
compare "$WORK/before/bt/forecasts.csv" "$WORK/after/bt/forecasts.csv" "backtest forecasts.csv"
compare "$WORK/before/bt/metrics.csv" "$WORK/after/bt/metrics.csv" "backtest metrics.csv"
[ $fail = 0 ] && echo "check-identical: all identical" || echo "check-identical: differences found"
exit $fail
