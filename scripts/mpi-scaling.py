#!/usr/bin/env python3
"""The communication figures and strong-scaling model of BENCHMARKS.md "Running on a cluster" (issue 17).

Data-parallel training gathers every shard's gradient record (4·P bytes of Float32 gradients + 8 bytes
of loss) on every rank and sums the S records in shard order (Trainer.swift), so that weights are
bit-identical to one process. Per training step:
  bytes gathered      = S · (4P + 8)                       (every rank ends up holding all of them)
  bytes per rank      ≈ (S − S_r) · (4P + 8) received, S_r · (4P + 8) sent per peer hop (ring)
The model (stated assumptions, no overlap of communication with computation — the code has none):
  ranks = nodes · cores (one single-threaded rank per core, `mpirun` maps by core), one shard per rank:
  S = ranks, shard size s = B / S.
  T_comp  = s / R1                   R1 = one core's training seq/s (measured, BENCHMARKS.md)
  T_comm  = α · (ranks − 1) + S · (4P + 8) / β      ring allgather; every record crosses each node's link
  T_sum   = S · 12P / M              each rank adds S gradient records (read g, read + write the sum)
  T(1)    = B / R1 + S · 12P / M     one process computing the same S shards (same bits)
  efficiency E = T(1) / (ranks · (T_comp + T_comm + T_sum))
  communication dominates when T_comm > T_comp, i.e. B < S² · (4P + 8) · R1 / β (+ latency)
Run: python3 scripts/mpi-scaling.py
"""
params = {  # seqcast train prints these ("N parameters"); seq2vec/seq2seq/encoder–decoder as configs.json
    "S1-lstm": 4385, "S1-lstm-h12": 4748, "S1-lstm-encdec": 8737, "M1-lstm": 205872, "M1-gru": 156720,
    "M1-lstm-encdec": 399876, "M1-lstm-bi": 542768, "L1-lstm": 808976, "L1-gru": 609296,
}
batch = {"S1-lstm": 32, "S1-lstm-h12": 32, "S1-lstm-encdec": 32, "M1-lstm": 64, "M1-gru": 64, "M1-lstm-encdec": 64,
         "M1-lstm-bi": 64, "L1-lstm": 128, "L1-gru": 128}
# One core's training seq/s: BENCHMARKS.md, `make bench-peers` 2026-11-30 (1 thread, seqcast eb75f22).
r1 = {"S1-lstm": 64689, "M1-lstm": 975, "M1-gru": 1477, "L1-lstm": 144, "L1-gru": 172}
CORES, B = 8, 1024               # cores per node; global mini-batch of the strong-scaling table
M = 10e9                         # bytes/s one core streams through the shard-order sum
LINKS = {"10 Gbit/s": (10e9 / 8, 30e-6), "100 Gbit/s": (100e9 / 8, 3e-6)}   # bytes/s, latency per ring step

def record(p): return 4 * p + 8

print("bytes per training step, default shards (2 per batch: max(8, ⌈batch/2⌉) sequences each)")
print("| config | parameters P | batch | shards S | record 4P+8 (B) | gathered per step S·(4P+8) | received per rank, 2 ranks |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, p in params.items():
    s = 2
    print(f"| {name} | {p:,} | {batch[name]} | {s} | {record(p):,} | {s * record(p):,} | {record(p):,} |")

print(f"\nstrong scaling, global batch B = {B}, {CORES} single-threaded ranks per node, one shard per rank")
print("| config | link | nodes | ranks = shards | shard size | T_comp ms | T_comm ms | T_sum ms | efficiency | B where comm = compute |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for name in r1:
    p = params[name]
    for link, (beta, alpha) in LINKS.items():
        for nodes in (8, 32, 128):
            ranks = nodes * CORES
            S = ranks
            shard = B / S
            t_comp = shard / r1[name]
            t_comm = alpha * (ranks - 1) + S * record(p) / beta
            t_sum = S * 12 * p / M
            t1 = B / r1[name] + t_sum
            eff = t1 / (ranks * (t_comp + t_comm + t_sum))
            b_star = S * S * record(p) * r1[name] / beta
            print(f"| {name} | {link} | {nodes} | {ranks} | {shard:g} | {t_comp*1e3:.3g} | {t_comm*1e3:.3g} | {t_sum*1e3:.3g} | {eff:.1%} | {b_star:,.0f} |")
