#!/usr/bin/env python3
# Offline check of a stationarity-gated variant (ACCURACY.md): KPSS level statistic of each benchmark
# series' first training part, and the geometric-mean MASE when the series below a critical value take
# another run's result. Usage: scripts/kpss-gate.py [LABEL] (default wrmse3; runs in Benchmarks/accuracy-runs).
import json, csv, math, sys
import numpy as np
bm=json.load(open('Benchmarks/accuracy/benchmark.json'))
def load(l):
    d={}
    for line in open(f'Benchmarks/accuracy-runs/accuracy-{l}-2026-11-30.jsonl'):
        r=json.loads(line); d[r['name']]=r
    return d
A=load('wauto'); B=load(sys.argv[1] if len(sys.argv)>1 else 'wrmse3'); O=load('old')
def kpss(y):
    y=np.asarray(y,float); n=len(y); e=y-y.mean(); S=np.cumsum(e)
    l=int(math.floor(4*(n/100)**0.25))
    s2=(e@e)/n
    for k in range(1,l+1):
        w=1-k/(l+1); s2+=2*w*(e[k:]@e[:-k])/n
    return (S@S)/(n*n*s2)
def fl(v):
    try: return float(v)
    except: return float('nan')
rows=[]
for s in bm['series']:
    nm=s['name']
    if nm not in A or nm not in B: continue
    y=[fl(r[s['column']]) for r in csv.DictReader(open('Benchmarks/accuracy/'+s['file']))]
    tr=[v for v in y[:len(y)-3*s['h']] if v==v]
    k=kpss(tr)
    rows.append((nm,k,A[nm]['model_mase'],B[nm]['model_mase'],O[nm]['model_mase'],A[nm]['snaive_mase']))
g=lambda xs: math.exp(sum(math.log(x) for x in xs)/len(xs))
for r in sorted(rows,key=lambda r:r[1]): print('%-16s kpss %.3f  default %.3f  alt %.3f  old %.3f  snaive %.3f'%r)
for crit in [0.347,0.463,0.739,1e9]:
    sel=[(r[3] if r[1]<crit else r[2]) for r in rows]
    sn=[r[5] for r in rows]
    print(crit,'geo %.3f'%g(sel),'beats',sum(a<b for a,b in zip(sel,sn)),'within',sum(a<=1.1*b for a,b in zip(sel,sn)), 'default %.3f'%g([r[2] for r in rows]))
