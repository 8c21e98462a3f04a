#!/usr/bin/env python3
"""L1's training step against the packed kernel's 2-core ceiling, measured in one run (issue 13's
"L1-lstm and L1-gru at ≥ 75% of the packed kernel's measured 2-core ceiling").

Usage: python3 scripts/ceiling.py [--config L1-lstm] [--rounds 2] [--threads 2] [--out FILE]
       (SEQCAST_BIN: the binary, default .build/release/seqcast)

1. `seqcast bench --phases --only CONFIG` once: the GEMM FLOPs of each phase of one training step
   (input projection, recurrent forward and backward, input gradients, weight gradients).
2. Then, back to back: kernels, CONFIG, kernels, CONFIG, …, kernels (`seqcast bench --kernels
   --kernel-threads THREADS`: the aggregate GFLOP/s of the packed kernel and OpenBLAS on L1's shapes;
   `seqcast bench --only CONFIG --no-inference`: training seq/s).
3. The ceiling of each kernels run: the step's GEMM FLOPs divided by the time they take at the
   kernel test's speeds, phase by phase (harmonic, weighted by FLOPs): "packed" with the packed
   kernel for every product, "as run" with OpenBLAS for the weight gradients when the step runs
   them there. Each CONFIG measurement is divided by the ceilings measured just before and after it.
The kernel shapes are LSTM's (4H gate columns); for a GRU (3H) the same shapes stand in. Writes JSON
lines (every run, then the summary) to FILE (default Benchmarks/ceiling-DATE.jsonl). Stdlib only."""
import argparse, datetime, json, os, platform, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SEQCAST_BIN", os.path.join(ROOT, ".build/release/seqcast"))

# Phase of the step -> the kernel-test shape(s) that stand for it, with their weights.
# Weight gradients: dWh of both layers (H = 256 rows each), dWx of layer 2 (256 rows), of layer 1 (D = 16).
PHASES = {
    "input projection": [("L1 input projection chunk x·Wx", 1)],
    "recurrent products h·Wh": [("L1 per-step h·Wh", 1)],
    "recurrent products ∂ra": [("L1 per-step ∂ra·Whᵀ", 1)],
    "input gradients": [("L1 input gradient chunk ∂pre·Wxᵀ", 1)],
    "weight gradients": [("L1 weight gradient chunk dWh += hᵀ·∂ra", 512),
                         ("L1 weight gradient chunk dWx += xᵀ·∂pre (layer 2)", 256),
                         ("L1 weight gradient chunk dWx += xᵀ·∂pre (layer 1, D 16)", 16)],
}


def run(args):
    out = subprocess.run([BIN] + args, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"ceiling: seqcast {' '.join(args)} failed: {out.stderr.strip()}")
    return [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]


def phase_flops(config, threads):
    line = run(["bench", "--phases", "--only", config, "--threads", str(threads), "--steps", "10"])[-1]
    flops, batch_seq = {}, None
    for p in line["phases"]:
        for key in PHASES:
            if p["phase"].startswith(key) and "gflops" in p:
                flops[key] = p["gflops"] * p["ms_per_step"] / 1000   # GFLOP per step
    missing = [k for k in PHASES if k not in flops]
    if missing:
        sys.exit(f"ceiling: the phase profile of {config} has no {missing}")
    per_seq = sum(flops.values()) / (line["seq_per_s"] * line["wall_ms_per_step"] / 1000)
    return flops, per_seq, line


def ceiling(kernels, flops, blas_weights):
    by_name = {k["kernel"]: k for k in kernels}
    out = {}
    for mode in ("packed", "as run"):
        seconds = 0.0
        for phase, shapes in PHASES.items():
            use_blas = mode == "as run" and phase == "weight gradients" and blas_weights
            field = "openblas_gflops" if use_blas else "packed_gflops"
            total = sum(w for _, w in shapes)
            speed = total / sum(w / by_name[s][field] for s, w in shapes)   # harmonic, by FLOP weight
            seconds += flops[phase] / speed
        out[mode] = sum(flops.values()) / seconds
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="L1-lstm")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out")
    a = ap.parse_args()
    date = datetime.date.today().isoformat()
    path = a.out or os.path.join(ROOT, f"Benchmarks/ceiling-{date}.jsonl")
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    lines = [{"who": "run", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "cpu": cpu, "cpus": os.cpu_count(), "commit": commit, "config": a.config, "threads": a.threads}]
    flops, per_seq, profile = phase_flops(a.config, a.threads)
    lines.append({"who": "phases", "gflop_per_step": flops, "gflop_per_seq": per_seq, "profile": profile})
    ceilings, results = [], []
    blas_weights = None
    for r in range(a.rounds + 1):
        k = run(["bench", "--kernels", "--kernel-threads", str(a.threads)])
        blas_weights = k[0].get("weight_gradients") == "blas"
        c = ceiling(k, flops, blas_weights)
        ceilings.append(c)
        lines.append({"who": "kernels", "round": r, "ceiling_gflops": c, "kernels": k})
        print(f"kernels {r}: ceiling {c['packed']:.1f} GFLOP/s packed, {c['as run']:.1f} as run", flush=True)
        if r == a.rounds:
            break
        b = [d for d in run(["bench", "--only", a.config, "--threads", str(a.threads), "--repeats", "3",
                            "--steps", "10", "--no-inference"]) if d.get("mode", "train") == "train"][0]
        g = b["seq_per_s"] * per_seq
        results.append((b["seq_per_s"], g))
        lines.append({"who": "step", "round": r, "seq_per_s": b["seq_per_s"], "gflops": g, "bench": b})
        print(f"{a.config} {r}: {b['seq_per_s']:.1f} seq/s = {g:.1f} GFLOP/s", flush=True)
    print(f"\n{a.config}, {a.threads} threads, {cpu}, commit {commit}; {per_seq:.3f} GFLOP per sequence")
    print("round  seq/s  GFLOP/s  ceiling before / after (packed)  share   ceiling before / after (as run)  share")
    summary = []
    for i, (s, g) in enumerate(results):
        pb, pa = ceilings[i]["packed"], ceilings[i + 1]["packed"]
        rb, ra = ceilings[i]["as run"], ceilings[i + 1]["as run"]
        summary.append({"round": i, "seq_per_s": s, "gflops": g, "share_packed": [g / pb, g / pa], "share_as_run": [g / rb, g / ra]})
        print(f"{i:5d} {s:6.1f} {g:8.1f}   {pb:6.1f} / {pa:6.1f}          {g/pb:4.0%} / {g/pa:4.0%}"
              f"   {rb:6.1f} / {ra:6.1f}            {g/rb:4.0%} / {g/ra:4.0%}")
    lines.append({"who": "summary", "rounds": summary})
    with open(path, "a") as f:
        for l in lines:
            f.write(json.dumps(l, ensure_ascii=False) + "\n")
    print(f"raw: {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
