#!/usr/bin/env bash
# Installs the Debian packages seqcast needs, only those missing; works as root or through sudo.
# Open MPI (libopenmpi-dev, openmpi-bin) is for `mpirun -n N seqcast …` (README "Running on a cluster");
# python3 runs the folder check of `make test` and `make accuracy`.
set -euo pipefail
packages=(libhdf5-dev libopenblas-dev gnuplot-nox pkg-config libopenmpi-dev openmpi-bin python3)
missing=()
for p in "${packages[@]}"; do
  # gnuplot-nox or any other gnuplot flavour will do for plotting.
  if [ "$p" = gnuplot-nox ] && command -v gnuplot >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; fi
  echo "setup: installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "setup: the Swift 6 toolchain is not on PATH (install it from swift.org; it is not a Debian package)" >&2
  exit 1
fi
for lib in hdf5 openblas ompi-c; do
  pkg-config --exists "$lib" || { echo "setup: pkg-config cannot find '$lib' after installing" >&2; exit 1; }
done
