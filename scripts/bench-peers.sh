#!/usr/bin/env bash
# Same-run training throughput: seqcast against PyTorch (and Keras, when installed), config by config,
# interleaved (seqcast, then torch, then keras for one config before the next), for 2 and 1 threads,
# ROUNDS times, so that every ratio compares runs made under the same machine load on the same CPU.
# Follows shared/bench/sidebyside.sh: same configurations, 3 timed repeats, 20 steps per repeat
# (seqcast: 300 for S1-lstm, whose step is too short to time at 20), peers at their defaults.
# Writes JSON lines (a run header, every result, an end line) to Benchmarks/peers-DATE.jsonl and
# prints the ratio table of scripts/peers-table.py.
#
# Usage: scripts/bench-peers.sh [--install | --install-only] [--rounds N] [--threads "2 1"]
#                               [--configs "S1-lstm M1-gru"] [--repeats N] [--out FILE] [--no-keras]
#   --install       create/complete the peers' virtual environment first (PyTorch, then TensorFlow for
#                   Keras; several GB, PyPI), then run;  --install-only: only that (make bench-peers-setup).
# Environment (flags win): SEQCAST_BIN (.build/release/seqcast), PEERS_VENV
#   ($HOME/.cache/seqcast/peers-venv; must be outside the repository), ROUNDS (2), THREADS ("2 1"),
#   CONFIGS (the five of Benchmarks/configs.json), REPEATS (3), OUT, PEERS_KERAS=0 (no Keras),
#   PEERS_PYTHON (python3, the interpreter the venv is made from), PEERS_TORCH_SPEC (torch),
#   PEERS_KERAS_SPEC (tensorflow-cpu: Keras 3 and its TensorFlow backend, what peer_keras.py imports).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEQ=${SEQCAST_BIN:-$ROOT/.build/release/seqcast}
VENV=${PEERS_VENV:-$HOME/.cache/seqcast/peers-venv}
ROUNDS=${ROUNDS:-2}
THREADS=${THREADS:-2 1}
CONFIGS=${CONFIGS:-S1-lstm M1-lstm M1-gru L1-lstm L1-gru}
REPEATS=${REPEATS:-3}
OUT=${OUT:-}
KERAS=${PEERS_KERAS:-1}
BASE_PY=${PEERS_PYTHON:-python3}
TORCH_SPEC=${PEERS_TORCH_SPEC:-torch}
KERAS_SPEC=${PEERS_KERAS_SPEC:-tensorflow-cpu}
CONFIGS_JSON=$ROOT/Benchmarks/configs.json
PEERS=$ROOT/Benchmarks/peers
install=0; run=1

die() { echo "bench-peers: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --install) install=1 ;;
    --install-only) install=1; run=0 ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --threads) THREADS=${2:?}; shift ;;
    --configs) CONFIGS=${2:?}; shift ;;
    --repeats) REPEATS=${2:?}; shift ;;
    --out) OUT=${2:?}; shift ;;
    --no-keras) KERAS=0 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

VENV_ABS=$(realpath -m "$VENV")
case "$VENV_ABS/" in "$ROOT"/*) die "PEERS_VENV ($VENV_ABS) must be outside the repository" ;; esac
PY=$VENV_ABS/bin/python

# ---- the virtual environment, only when asked -------------------------------------------------
if [ $install = 1 ]; then
  if [ ! -x "$PY" ]; then
    mkdir -p "$(dirname "$VENV_ABS")"
    if ! "$BASE_PY" -m venv "$VENV_ABS"; then
      # Debian's python3 needs python3-venv for ensurepip.
      rm -rf "$VENV_ABS"
      if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "bench-peers: installing python3-venv"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null \
          && /usr/bin/python3 -m venv "$VENV_ABS" || die "could not create the venv at $VENV_ABS"
      else
        die "could not create the venv at $VENV_ABS (on Debian: apt-get install python3-venv)"
      fi
    fi
  fi
  echo "bench-peers: installing $TORCH_SPEC into $VENV_ABS (the Linux wheel brings CUDA libraries: several GB)"
  "$PY" -m pip install --progress-bar off -q "$TORCH_SPEC" || die "pip install $TORCH_SPEC failed"
  if [ "$KERAS" = 1 ]; then
    echo "bench-peers: installing $KERAS_SPEC (Keras 3 + TensorFlow) into $VENV_ABS"
    "$PY" -m pip install --progress-bar off -q "$KERAS_SPEC" \
      || echo "bench-peers: pip install $KERAS_SPEC failed; the comparison will run with PyTorch alone" >&2
  fi
  echo "bench-peers: venv $VENV_ABS ($(du -sh "$VENV_ABS" 2>/dev/null | cut -f1))"
  [ $run = 1 ] || exit 0
fi

if ! [ -x "$PY" ] || ! "$PY" -c 'import torch' >/dev/null 2>&1; then
  echo "bench-peers: no PyTorch in $VENV_ABS; install it with 'make bench-peers-setup' (or scripts/bench-peers.sh --install; several GB, outside the repository)" >&2
  exit 2
fi
[ -x "$SEQ" ] || die "no seqcast binary at $SEQ (make build, or set SEQCAST_BIN)"
known=$("$PY" -c 'import json, sys; print(" ".join(c["name"] for c in json.load(open(sys.argv[1]))["configs"]))' "$CONFIGS_JSON")
for c in $CONFIGS; do
  case " $known " in *" $c "*) ;; *) die "unknown configuration '$c' (Benchmarks/configs.json has: $known)" ;; esac
done

keras_note=""
if [ "$KERAS" != 1 ]; then
  keras_note="skipped (--no-keras / PEERS_KERAS=0)"
elif ! "$PY" -c 'import tensorflow, keras' >/dev/null 2>&1; then
  keras_note="skipped (no tensorflow/keras in $VENV_ABS; scripts/bench-peers.sh --install adds it)"
fi
[ -n "$keras_note" ] && echo "bench-peers: Keras $keras_note"

# ---- output file ----------------------------------------------------------------------------
if [ -z "$OUT" ]; then
  OUT=$ROOT/Benchmarks/peers-$(date -u +%F).jsonl; n=2
  while [ -e "$OUT" ]; do OUT=$ROOT/Benchmarks/peers-$(date -u +%F)-$n.jsonl; n=$((n + 1)); done
fi
LOG=$(mktemp /tmp/bench-peers.XXXXXX.log)
: > "$OUT" || die "cannot write $OUT"

commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD -- Sources Package.swift 2>/dev/null || commit="$commit+changes"
start=$(date +%s)
"$PY" - "$OUT" "$SEQ" "$commit" "$VENV_ABS" "$ROUNDS" "$THREADS" "$CONFIGS" "$REPEATS" "$keras_note" <<'P' || die "could not write the run header"
import json, os, platform, re, subprocess, sys, datetime, torch
out, seq, commit, venv, rounds, threads, configs, repeats, keras_note = sys.argv[1:]
def lscpu(field):
    try:
        for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            k, _, v = l.partition(":")
            if k.strip() == field: return v.strip()
    except OSError: pass
    return None
build = re.findall(r"\b(BLAS_INFO|LAPACK_INFO|USE_MKLDNN|USE_OPENMP)=([^,\s]*)", torch.__config__.show())
h = {"who": "run", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
     "cpu": lscpu("Model name"), "cpu_family_model": [lscpu("CPU family"), lscpu("Model")],
     "cpus": os.cpu_count(), "loadavg_start": round(os.getloadavg()[0], 2), "kernel": platform.release(),
     "seqcast_bin": seq, "seqcast_commit": commit, "venv": venv,
     "torch": torch.__version__, "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
     "torch_build": ", ".join(f"{k}={v}" for k, v in build), "torch_parallel_info": torch.__config__.parallel_info(),
     "keras": keras_note or "used", "rounds": int(rounds), "threads": [int(t) for t in threads.split()],
     "configs": configs.split(), "repeats": int(repeats)}
open(out, "a").write(json.dumps(h) + "\n")
P

failures=0
# One run of one program: its JSON lines, tagged with who and round, go to OUT; stderr to LOG.
one() {
  local who=$1 c=$2 t=$3 r=$4; shift 4
  local tmp; tmp=$(mktemp)
  echo "### $who $c threads=$t round=$r: $*" >> "$LOG"
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local t0; t0=$(date +%s%3N)
  "$@" > "$tmp" 2>> "$LOG"; local rc=$?
  local ms=$(( $(date +%s%3N) - t0 )); local wall=$((ms / 1000)).$(( ms % 1000 / 100 ))
  if grep -q '"seq_per_s"' "$tmp"; then
    grep '"seq_per_s"' "$tmp" | sed "s/^{/{\"who\":\"$who\",\"round\":$r,\"wall_s\":$wall,\"load1\":$load,/" >> "$OUT"
    printf '  %-7s %-8s threads %s round %s: %s seq/s (%s s)\n' "$who" "$c" "$t" "$r" \
      "$(grep -m1 -o '"seq_per_s": *[0-9.]*' "$tmp" | grep -o '[0-9.]*$')" "$wall"
  else
    echo "bench-peers: $who printed no result for $c, threads $t (exit $rc; see $LOG)" >&2
    failures=$((failures + 1))
  fi
  rm -f "$tmp"
}

echo "bench-peers: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; rounds $ROUNDS, threads $THREADS, repeats $REPEATS; writing $OUT"
load=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$load" 'BEGIN { exit !(l > 0.5) }' && echo "bench-peers: load average $load: the machine is not idle, and other work distorts the ratios (PyTorch's 2-thread OpenMP runs most of all)" >&2
for r in $(seq 1 "$ROUNDS"); do
  for t in $THREADS; do
    for c in $CONFIGS; do
      st=20; [ "$c" = S1-lstm ] && st=300
      one seqcast "$c" "$t" "$r" "$SEQ" bench --configs "$CONFIGS_JSON" --only "$c" --threads "$t" \
        --repeats "$REPEATS" --steps "$st" --no-inference
      one torch "$c" "$t" "$r" "$PY" "$PEERS/peer_torch.py" --configs "$CONFIGS_JSON" --only "$c" \
        --threads "$t" --repeats "$REPEATS"
      [ -z "$keras_note" ] && one keras "$c" "$t" "$r" "$PY" "$PEERS/peer_keras.py" --configs "$CONFIGS_JSON" \
        --only "$c" --threads "$t" --repeats "$REPEATS"
    done
  done
done
printf '{"who":"end","seconds":%d,"loadavg_end":%s}\n' $(( $(date +%s) - start )) \
  "$(cut -d' ' -f1 /proc/loadavg)" >> "$OUT"

echo
"$PY" "$ROOT/scripts/peers-table.py" "$OUT"
echo "raw: $OUT   log: $LOG   ($(( $(date +%s) - start )) s)"
[ $failures -eq 0 ] || { echo "bench-peers: $failures run(s) printed no result" >&2; exit 1; }
