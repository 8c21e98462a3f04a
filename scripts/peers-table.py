#!/usr/bin/env python3
"""Ratio table of a same-run peer comparison (the JSON lines scripts/bench-peers.sh writes).
Usage: python3 scripts/peers-table.py Benchmarks/peers-DATE.jsonl [--markdown]

Per configuration and thread count: seqcast's, PyTorch's and Keras's training throughput (seq/s; each
round's figure is the median of its repeats, the table gives the median over rounds), seqcast ÷ peer,
and whether the rounds agree: the spread of the per-round ratios (largest ÷ smallest − 1), flagged
when above 10%. Then the machine, seqcast's OpenBLAS core and kernel tile, and the peers' thread
settings, all read from the same file. Standard library only."""
import json, statistics, sys

AGREE = 0.10  # per-round ratios further apart than this: the rounds do not agree
PEERS = ("torch", "keras")


def load(path):
    header, end, rows = {}, {}, []
    for line in open(path):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if d.get("who") == "run":
            header = d
        elif d.get("who") == "end":
            end = d
        elif "seq_per_s" in d and d.get("mode", "train") == "train" and d.get("variant", "plain") == "plain":
            rows.append(d)
    return header, end, rows


def distinct(values):
    out = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    markdown = "--markdown" in sys.argv
    if len(args) != 1:
        sys.exit(__doc__.splitlines()[1])
    header, end, rows = load(args[0])
    if not rows:
        sys.exit(f"{args[0]}: no results")

    # (config, threads) -> who -> round -> seq/s, in the order the run made them
    by = {}
    for d in rows:
        by.setdefault((d["name"], d["threads"]), {}).setdefault(d["who"], {})[d.get("round", 1)] = d["seq_per_s"]

    cpu = header.get("cpu") or "unknown CPU"
    fm = header.get("cpu_family_model") or [None, None]
    loads = [d["load1"] for d in rows if "load1" in d]
    print(f"CPU: {cpu} (family {fm[0]} model {fm[1]}), {header.get('cpus', '?')} CPUs; "
          f"load average {header.get('loadavg_start', '?')} at start, {end.get('loadavg_end', '?')} at end"
          + (f", {min(loads)}–{max(loads)} as each program started" if loads else "")
          + (f"; {end['seconds']} s" if "seconds" in end else "; run incomplete"))
    seq = [d for d in rows if d["who"] == "seqcast"]
    for core in distinct((d.get("blas_core"), d.get("blas_core_source"), d.get("tile"), d.get("weight_gradients")) for d in seq):
        print(f"seqcast {header.get('seqcast_commit', '')} ({seq[0].get('peer', 'seqcast')}): OpenBLAS core {core[0]} "
              f"({core[1]}), PackedGEMM tile {core[2]}, weight gradients on {core[3]}")
    torch = [d for d in rows if d["who"] == "torch"]
    if torch:
        threads = "; ".join(f"--threads {t}: intra-op {i}, inter-op {o}" for t, i, o in
                            distinct((d["threads"], d.get("intra_threads"), d.get("interop_threads")) for d in torch))
        backend = next((l.split(":", 1)[1].strip() for l in header.get("torch_parallel_info", "").splitlines()
                        if l.startswith("ATen parallel backend")), "?")
        print(f"{torch[0]['peer']}: kernels {torch[0].get('cpu_capability', '?')}, {header.get('torch_build', '')}, "
              f"parallel backend {backend}; {threads}")
    keras = [d for d in rows if d["who"] == "keras"]
    if keras:
        threads = "; ".join(f"--threads {t}: intra-op {i}, inter-op {o}" for t, i, o in
                            distinct((d["threads"], d.get("intra_threads"), d.get("interop_threads")) for d in keras))
        print(f"{keras[0]['peer']}: {threads}")
    else:
        print(f"keras: {header.get('keras', 'not run')}")
    rounds = len({d.get("round", 1) for d in rows})
    print(f"training seq/s: median over {rounds} round(s) of each round's median of "
          f"{header.get('repeats', '?')} repeats; × = seqcast ÷ peer; rounds: spread of the per-round ratios")

    cols = ["config", "threads", "seqcast", "torch", "keras", "× torch", "× keras", "rounds"]
    table = []
    for (name, t), v in by.items():
        med = {w: statistics.median(v[w].values()) for w in v}
        cells = [name, str(t)] + [f"{med[w]:.0f}" if w in med else "–" for w in ("seqcast",) + PEERS]
        spreads = []
        for p in PEERS:
            if "seqcast" in med and p in med and med[p] > 0:
                cells.append(f"{med['seqcast'] / med[p]:.2f}")
                per_round = [v["seqcast"][r] / v[p][r] for r in v["seqcast"] if r in v[p] and v[p][r] > 0]
                if len(per_round) > 1:
                    spreads.append(max(per_round) / min(per_round) - 1)
            else:
                cells.append("–")
        n = len(v.get("seqcast", {}))
        if spreads:
            s = max(spreads)
            cells.append(f"{n}, {'agree' if s <= AGREE else 'DISAGREE'} ({s:.0%})")
        else:
            cells.append(f"{n}")
        table.append(cells)

    if markdown:
        print("| " + " | ".join(cols) + " |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for c in table:
            print("| " + " | ".join(c) + " |")
    else:
        w = [max(len(r[i]) for r in table + [cols]) for i in range(len(cols))]
        for r in [cols] + table:
            print("  ".join(x.ljust(w[i]) if i in (0, 7) else x.rjust(w[i]) for i, x in enumerate(r)).rstrip())

    # Issue 13's targets: ≥ 1.5× each peer with 2 threads, ≥ 1.0× with 1 thread.
    for t, target in ((2, 1.5), (1, 1.0)):
        keys = [k for k in by if k[1] == t]
        if not keys:
            continue
        missed = []
        for k in keys:
            v = by[k]
            s = statistics.median(v["seqcast"].values()) if "seqcast" in v else 0
            for p in PEERS:
                if p in v and s < target * statistics.median(v[p].values()):
                    missed.append(f"{k[0]} vs {p}")
        peers = [p for p in PEERS if any(p in by[k] for k in keys)]
        print(f"target {target}× at {t} thread{'s' if t > 1 else ''} vs {' and '.join(peers) or 'no peer'}: "
              f"met by {len(keys) - len({m.split(' vs ')[0] for m in missed})} of {len(keys)} configs"
              + (f"; missed: {', '.join(missed)}" if missed else ""))


if __name__ == "__main__":
    main()
