#!/usr/bin/env python3
"""Turns `seqcast bench` JSON lines (stdin) into the BENCHMARKS.md tables, beside the peer figures
of Benchmarks/REFERENCE.md (best peer, 2 threads)."""
import json, sys

best_peer = {"S1-lstm": 11333, "M1-lstm": 955, "M1-gru": 769, "L1-lstm": 181, "L1-gru": 164}
rows = [json.loads(l) for l in sys.stdin if l.startswith("{")]
train = [r for r in rows if r["mode"] == "train" and r["variant"] == "plain"]
print("| config | threads | seqcast seq/s (median) | min–max | GFLOP/s | best peer (2 threads) | ratio |")
print("|---|---:|---:|---:|---:|---:|---:|")
for r in train:
    peer = best_peer[r["name"]]
    print(f"| {r['name']} | {r['threads']} | {r['seq_per_s']:.0f} | {r['min']:.0f}–{r['max']:.0f} | {r['gflops']:.1f} | {peer} | {r['seq_per_s'] / peer:.2f}× |")
print()
print("| config | threads | plain | layer norm | cost | dropout 0.2 | cost | inference seq/s |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
by = {(r["name"], r["threads"], r["mode"], r["variant"]): r["seq_per_s"] for r in rows}
for r in train:
    k = (r["name"], r["threads"])
    plain = r["seq_per_s"]
    ln = by.get(k + ("train", "layer-norm")); dr = by.get(k + ("train", "dropout 0.2")); inf = by.get(k + ("infer", "plain"))
    cost = lambda v: f"{(plain / v - 1) * 100:+.0f}%" if v else "-"
    print(f"| {r['name']} | {r['threads']} | {plain:.0f} | {ln or 0:.0f} | {cost(ln)} | {dr or 0:.0f} | {cost(dr)} | {inf or 0:.0f} |")
