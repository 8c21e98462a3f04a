#!/usr/bin/env python3
# Offline check of two combination rules (ACCURACY.md, "Weights from the previous window; a Theta
# member"), from the default run's forecasts (runs/accuracy/default, `make accuracy`) and the
# network-only forecasts of a 4-origin backtest (n-4h … n-h, `--baseline-weight 0`, the default run's
# look-back, so each fit's network is the default's). Each fit's auto weight w is recovered from
# default = (1-w)·net + w·baseline. Rules scored on the standard 3 origins, 35 series (no elecdemand).
# Usage: scripts/offline-combinations.py run     (≈ 2 min on 2 cores; BIN= the binary)
#        scripts/offline-combinations.py score
import json, csv, math, os, sys, subprocess, collections
import numpy as np
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = {s["name"]: s for s in json.load(open(f"{ROOT}/Benchmarks/accuracy/benchmark.json"))["series"]}
NET = f"{ROOT}/runs/accuracy/net4"
def acf(x,k):
    x=np.asarray(x,float); m=x.mean(); d=x-m; den=(d*d).sum()
    return (d[k:]*d[:-k]).sum()/den if den>0 else 0.0
def seasonal_test(y,m):
    n=len(y)
    if m<=1 or n<3*m: return False
    r=[acf(y,i) for i in range(1,m+1)]
    lim=1.645*math.sqrt((1+2*sum(v*v for v in r[:-1]))/n)
    return abs(r[-1])>lim
def decompose_mult(y,m):
    y=np.asarray(y,float); n=len(y)
    if m%2==0:
        w=np.r_[0.5,np.ones(m-1),0.5]/m
    else: w=np.ones(m)/m
    tr=np.convolve(y,w,mode='valid'); off=(len(w)-1)//2
    ratio=np.full(n,np.nan); ratio[off:off+len(tr)]=y[off:off+len(tr)]/tr
    if LAST: ratio[:max(0,n-off-LAST*m)]=np.nan
    idx=np.array([np.nanmean(ratio[i::m]) for i in range(m)])
    idx=idx/idx.mean()
    return idx  # index for position i mod m (position 0 = first obs)
def ses_fit(y):
    best=None
    for a in np.linspace(0.01,0.99,99):
        l=y[0]; sse=0.0
        for t in range(1,len(y)):
            e=y[t]-l; sse+=e*e; l=l+a*e
        if best is None or sse<best[0]: best=(sse,a,l)
    return best[1],best[2]
LAST = 5   # seasonal indices from the last 5 seasons (as the deseasonalised variant)
def decompose_add(y,m):
    y=np.asarray(y,float); n=len(y)
    w=np.r_[0.5,np.ones(m-1),0.5]/m if m%2==0 else np.ones(m)/m
    tr=np.convolve(y,w,mode='valid'); off=(len(w)-1)//2
    d=np.full(n,np.nan); d[off:off+len(tr)]=y[off:off+len(tr)]-tr
    if LAST: d[:max(0,n-off-LAST*m)]=np.nan
    idx=np.array([np.nanmean(d[i::m]) for i in range(m)]); return idx-idx.mean()
def theta(y,m,h,seasonal=None):
    y=np.asarray(y,float); n=len(y); add=False
    if seasonal is None: seasonal=(m>1 and seasonal_test(y,m))
    if seasonal and not (y>0).all(): add=True
    if seasonal and add:
        idx=decompose_add(y,m); yd=y-np.array([idx[t%m] for t in range(n)])
    elif seasonal:
        idx=decompose_mult(y,m); s=np.array([idx[t%m] for t in range(n)]); yd=y/s
    else: yd=y
    a,l=ses_fit(yd)
    t=np.arange(n); b=np.polyfit(t,yd,1)[0]
    hs=np.arange(1,h+1)
    f=l+ b/2*((hs-1)+1/a-((1-a)**n)/a)
    if seasonal and add: f=f+np.array([idx[(n+k-1)%m] for k in hs])
    elif seasonal: f=f*np.array([idx[(n+k-1)%m] for k in hs])
    return f

# The damped trend (Sources/SeqCast/Preprocessing/DampedTrend.swift), vectorised over its grid:
# the reference its tests compare with.
_DA, _DB, _DP = [x.ravel() for x in np.meshgrid([.05, .1, .2, .3, .4, .5, .6, .7, .8, .9, .99], [.01, .05, .1, .2, .3],
                                                 [.8, .85, .9, .95, .98, 1.0], indexing="ij")]
_DA, _DB, _DP = _DA[_DB <= _DA], _DB[_DB <= _DA], _DP[_DB <= _DA]
def holt_damped(x, h):
    l = np.full(_DA.shape, x[0]); b = np.full(_DA.shape, x[1] - x[0]); sse = np.zeros(_DA.shape)
    for t in range(1, len(x)):
        f = l + _DP * b; e = x[t] - f; sse += e * e; l = f + _DA * e; b = _DP * b + _DB * e
    i = np.argmin(sse); return l[i] + np.cumsum(_DP[i] ** np.arange(1, h + 1)) * b[i]
def damped(y, m, h):
    y = np.asarray(y, float); n = len(y)
    if n < 3 or not (y > 0).all(): return None
    if m > 1 and seasonal_test(y, m):
        idx = decompose_mult(y, m); s = np.array([idx[t % m] for t in range(n)])
        return holt_damped(y / s, h) * np.array([idx[(n + k - 1) % m] for k in range(1, h + 1)])
    return holt_damped(y, h)

def run():
    binary = os.environ.get("BIN", f"{ROOT}/.build/release/seqcast")
    for name, s in BENCH.items():
        if name == "elecdemand": continue
        n, m, h = s["n"], s["m"], s["h"]
        L = json.load(open(f"{ROOT}/runs/accuracy/default/{name}/summary.json"))["config"]["lookback"]
        out = f"{NET}/{name}"; os.makedirs(out, exist_ok=True)
        p = subprocess.run([binary, "backtest", "--data", f"Benchmarks/accuracy/{s['file']}", "--target", s["column"],
                            "--horizon", str(h), "--origin-stride", str(h), "--start", str(n - 4 * h), "--season", str(m),
                            "--retrain", "always", "--lookback", str(L), "--baseline-weight", "0", "--out", out, "--quiet"],
                           capture_output=True, text=True, cwd=ROOT)
        print(name, "ok" if p.returncode == 0 else "no 4th origin: " + p.stderr.strip()[:120], flush=True)

def series(s):
    y = np.array([float(r[s["column"]]) if r[s["column"]] not in ("", "NA") else np.nan
                  for r in csv.DictReader(open(f"{ROOT}/Benchmarks/accuracy/{s['file']}"))])
    if np.isnan(y).any():
        i = np.arange(len(y)); ok = ~np.isnan(y); y = np.interp(i, i[ok], y[ok])
    return y

def load_fc(path):
    by = collections.OrderedDict()
    for r in csv.DictReader(open(path)): by.setdefault(r["origin"], []).append(r)
    return by

def fits():
    """Per series, per standard origin: actuals, scale, default, seasonal naive, and (where the 4-origin run
    has the fit) network-only forecasts, the combination baseline, the recovered w, the previous window."""
    res = {}
    for name, s in BENCH.items():
        if name == "elecdemand": continue
        n, m, h = s["n"], s["m"], s["h"]; y = series(s)
        dflt = load_fc(f"{ROOT}/runs/accuracy/default/{name}/forecasts.csv")
        pipes = json.load(open(f"{ROOT}/runs/accuracy/default/{name}/summary.json"))["config"]["pipelines"]
        net = load_fc(f"{NET}/{name}/forecasts.csv") if os.path.exists(f"{NET}/{name}/forecasts.csv") else None
        rows = []
        for j, (o, dr) in enumerate(dflt.items()):
            tr = y[:n - 3 * h + j * h]
            r = dict(A=[float(x["actual"]) for x in dr], D=[float(x["forecast"]) for x in dr],
                     SN=[float(x["seasonal_naive"]) for x in dr], scale=float(np.mean(np.abs(tr[m:] - tr[:-m]))),
                     T=list(theta(tr, m, h)))
            if net:
                keys = list(net.keys()); assert keys[j + 1] == o
                col = lambda p: "seasonal_naive" if "seasonal naive" in p.split(";")[-1] else "naive"
                r["N"] = [float(x["forecast"]) for x in net[keys[j + 1]]]
                r["B"] = [float(x[col(pipes[j])]) for x in dr]
                ws = sorted((d - a) / (b - a) for d, a, b in zip(r["D"], r["N"], r["B"]) if abs(b - a) > 1e-3 * abs(b) + 1e-6)
                r["w"] = ws[len(ws) // 2] if ws else None   # None: every member untrained (net = baseline)
                prev = net[keys[j]]
                r["prev"] = ([float(x["actual"]) for x in prev], [float(x["forecast"]) for x in prev],
                             [float(x[col(pipes[max(j - 1, 0)])]) for x in prev])
            rows.append(r)
        res[name] = rows
    return res

def rmse(a, f): return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, f)) / len(a))
def inv(rho): return rho / (1 + rho)
def rho_prev(r):
    a, n, b = r["prev"]; e = rmse(a, b)
    return rmse(a, n) / e if e > 0 else 1.0
def trained(r): return r.get("w") is not None
def mix(r, w, other): return [(1 - w) * n + w * o for n, o in zip(r["N"], other)]

RULES = {
    "default (auto weight from the validation windows)": lambda r: r["D"],
    "weight from the previous window (inverse RMSE)": lambda r: mix(r, inv(rho_prev(r)), r["B"]) if trained(r) else r["D"],
    "mean of the two weights": lambda r: mix(r, (r["w"] + inv(rho_prev(r))) / 2, r["B"]) if trained(r) else r["D"],
    "larger of the two weights": lambda r: mix(r, max(r["w"], inv(rho_prev(r))), r["B"]) if trained(r) else r["D"],
    "Theta alone": lambda r: r["T"],
    "default 1/2, Theta 1/2": lambda r: [(d + t) / 2 for d, t in zip(r["D"], r["T"])],
    "default 2/3, Theta 1/3": lambda r: [(2 * d + t) / 3 for d, t in zip(r["D"], r["T"])],
    "auto weight shared by baseline and Theta": lambda r: mix(r, r["w"], [(b + t) / 2 for b, t in zip(r["B"], r["T"])]) if trained(r) else r["D"],
}

def score():
    res = fits()
    g = lambda xs: math.exp(sum(map(math.log, xs)) / len(xs))
    mase = lambda rows, f: sum(sum(abs(a - x) for a, x in zip(r["A"], f(r))) / len(r["A"]) / r["scale"] for r in rows) / len(rows)
    sn = {k: mase(v, lambda r: r["SN"]) for k, v in res.items()}
    print(f"{len(res)} series; seasonal naive {g(list(sn.values())):.4f}")
    for label, f in RULES.items():
        ms = {k: mase(v, f) for k, v in res.items()}
        bad = ", ".join(f"{k} {ms[k] / sn[k]:.2f}" for k in ms if ms[k] > 1.1 * sn[k])
        print(f"{label:50s} {g(list(ms.values())):.4f}  beats {sum(ms[k] < sn[k] for k in ms)}  "
              f"within 10% {sum(ms[k] <= 1.1 * sn[k] for k in ms)}  (over 10%: {bad})")

if __name__ == "__main__":
    {"run": run, "score": score}.get(sys.argv[1] if len(sys.argv) > 1 else "", lambda: sys.exit(__doc__ or "usage: run | score"))()
