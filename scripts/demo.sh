#!/usr/bin/env bash
# The demo job: the smallest real job that exists so far.
set -euo pipefail
bin=${1:-.build/release/seqcast}
"$bin" --help
