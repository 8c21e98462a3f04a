#!/usr/bin/env bash
# fuzz.sh (`make fuzz`): builds the libFuzzer targets in Tests/Fuzz (FuzzCSV, FuzzHDF5) against a
# copy of SeqCast instrumented for coverage and AddressSanitizer in .build/fuzz (the normal build
# and Package.swift are untouched), then runs each target for FUZZ_SECONDS seconds from the seed
# corpus in Tests/Fuzz/corpus/<target>. A crash is recorded (input in .build/fuzz/artifacts-<target>,
# top seqcast/libhdf5 frames printed) and fuzzing resumes until the time is spent.
# Usage: scripts/fuzz.sh [csv] [hdf5]      scripts/fuzz.sh --seeds  (rewrite the HDF5 seed corpus)
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CPU_FLAGS=${CPU_FLAGS:-}
B=.build/fuzz/release
export SWIFT_BACKTRACE=enable=no SEQCAST_BLAS_REEXEC=0 ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
# seqcast's memory budget well below libFuzzer's 2 GB RSS limit: a read it allows (at most half the
# budget) then stays far from an out-of-memory stop, so a stop points at memory no check counted.
# (libFuzzer's `rss:` and its limit are the process's peak: once one input peaks near 2 GB, every
# later one stops, and so does each restart that re-runs that input from the corpus.)
export SEQCAST_MEMORY_LIMIT=${SEQCAST_MEMORY_LIMIT:-1G}

probe=$(mktemp -d)
echo '@_cdecl("LLVMFuzzerTestOneInput") public func f(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { 0 }' > "$probe/p.swift"
if ! swiftc -sanitize=fuzzer,address -parse-as-library "$probe/p.swift" -o "$probe/p" >/dev/null 2>&1; then
  echo "fuzz: this swiftc cannot build with -sanitize=fuzzer (libFuzzer); nothing run" >&2; rm -rf "$probe"; exit 1
fi
rm -rf "$probe"

echo "fuzz: building SeqCast with -sanitize=fuzzer,address in .build/fuzz"
swift build -c release --build-path .build/fuzz --target SeqCast $CPU_FLAGS --sanitize fuzzer --sanitize address 2>&1 \
  | grep -vE '^\[[0-9]+/[0-9]+\]|Cannot export local symbol' || true
[ -f $B/Modules/SeqCast.swiftmodule ] || { echo "fuzz: the instrumented build failed" >&2; exit 1; }

link() {   # link TARGET SOURCES...: one fuzz executable $B/fuzz-TARGET
  local target=$1; shift
  swiftc -O $(echo $CPU_FLAGS | sed 's/-Xswiftc //g') -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz$target" \
    -I $B/Modules -I Sources/CHDF5 -I Sources/CBLAS -I Sources/CMPI -Xcc -fmodule-map-file=$B/CKernels.build/module.modulemap \
    $(pkg-config --cflags-only-I hdf5 openblas ompi-c | sed 's/-I/-Xcc -I/g') \
    "$@" $B/SeqCast.build/*.o $B/CKernels.build/*.o $(pkg-config --libs hdf5 openblas ompi-c) -o "$B/fuzz-$target" 2>&1 \
    | grep -v 'Cannot export local symbol' || true
  [ -x "$B/fuzz-$target" ] || { echo "fuzz: linking fuzz-$target failed" >&2; exit 1; }
}
rm -f $B/fuzz-csv $B/fuzz-hdf5
link csv Tests/Fuzz/FuzzSupport.swift Tests/Fuzz/FuzzCSV.swift
link hdf5 Tests/Fuzz/FuzzSupport.swift Tests/Fuzz/FuzzHDF5.swift Tests/Fuzz/FuzzSeeds.swift

if [ "${1:-}" = --seeds ]; then
  rm -f Tests/Fuzz/corpus/hdf5/*.h5
  SEQCAST_FUZZ_MAKE_SEEDS="$PWD/Tests/Fuzz/corpus/hdf5" $B/fuzz-hdf5 && ls -l Tests/Fuzz/corpus/hdf5; exit
fi

# The targets' scratch files (deleted after each input; a crash leaves its last one) stay in .build/fuzz.
export TMPDIR=$PWD/.build/fuzz/tmp
rm -rf "$TMPDIR"; mkdir -p "$TMPDIR"

run() {   # run TARGET: fuzz for FUZZ_SECONDS, restarting after each crash; prints one summary line
  local t=$1 work=.build/fuzz/corpus-$1 art=.build/fuzz/artifacts-$1 log=.build/fuzz/$1.log
  local extra=(); [ $t = csv ] && extra=(-dict=Tests/Fuzz/csv.dict -max_len=4096) || extra=(-max_len=8192)
  mkdir -p "$work" "$art"; : > "$log"; : > .build/fuzz/$t.seen
  local start=$SECONDS execs=0 crashes=0 hdf5crashes=0 runs=0
  while :; do
    local left=$((FUZZ_SECONDS - (SECONDS - start)))
    [ $left -gt 0 ] && [ $runs -lt 100 ] || break
    runs=$((runs + 1))
    $B/fuzz-$t -max_total_time=$left -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$art/" \
      "${extra[@]}" "$work" Tests/Fuzz/corpus/$t > .build/fuzz/$t.last 2>&1
    local status=$?
    cat .build/fuzz/$t.last >> "$log"
    local n=$(grep -oE 'stat::number_of_executed_units: [0-9]+' .build/fuzz/$t.last | grep -oE '[0-9]+$' | tail -1)
    execs=$((execs + ${n:-0}))
    if [ $status -ne 0 ]; then
      crashes=$((crashes + 1))
      local what=$(grep -m1 -E '==ERROR:|deadly signal|out-of-memory|timeout after|Fatal error' .build/fuzz/$t.last)
      local input=$(grep -oE "Test unit written to [^ ]+" .build/fuzz/$t.last | tail -1 | sed 's/Test unit written to //')
      # Where it happened: the first frame outside the sanitizer, libFuzzer and libc.
      local frames=$(grep -E '^ +#[0-9]+ ' .build/fuzz/$t.last | grep -vE 'libclang_rt|compiler-rt|fuzzer::|libc\.so|sysdeps|__sanitizer|in malloc|in calloc|in realloc|in memcpy|in strlen')
      local top=$(echo "$frames" | head -1) place=other
      case "$top" in *libhdf5*) place=libhdf5; hdf5crashes=$((hdf5crashes + 1));; *SeqCast*|*Fuzz*|*"Swift runtime failure"*) place=seqcast;; esac
      echo "fuzz $t: crash $crashes [in $place]: ${what:-exit $status} (input: ${input:-?})"
      echo "$frames" | head -4 | sed -E 's/ \(BuildId: [0-9a-f]+\)//; s/^ +/    /' | cut -c1-160
      if [ -n "$input" ] && grep -qxF "$input" .build/fuzz/$t.seen 2>/dev/null; then
        echo "fuzz $t: the same input crashed again (a seed?); stopping this target"; break
      fi
      echo "$input" >> .build/fuzz/$t.seen
    fi
  done
  echo "fuzz $t: $execs executions in $((SECONDS - start)) s, $crashes crashes ($hdf5crashes inside libhdf5) (log .build/fuzz/$t.log)"
}

targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(csv hdf5)
for t in "${targets[@]}"; do run "$t"; done
