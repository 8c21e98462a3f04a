#!/usr/bin/env python3
# Offline split of the default's forecasts into the network's combination N and the statistical
# member S (ACCURACY.md, "Non-seasonal series"): for every fit of a `make accuracy` run (LABEL,
# default "default"), θ and ρ are read from its configuration line and S is recomputed with the numpy
# references of scripts/offline-combinations.py, so D = (1 − θ)·N + θ·S gives N; then rules for θ are
# scored on the 35 series without elecdemand, and each series' D, S alone and N alone are printed.
# Usage: scripts/offline-parts.py [LABEL]   (runs/accuracy/LABEL as the last `make accuracy` left it;
# the figures in ACCURACY.md are from the run before the non-seasonal rule, commit 1a42423)
import importlib.util,json,csv,re,math,numpy as np,collections,os,sys
ROOT=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec=importlib.util.spec_from_file_location("oc",f"{ROOT}/scripts/offline-combinations.py");oc=importlib.util.module_from_spec(spec);spec.loader.exec_module(oc)
B={s['name']:s for s in json.load(open(f'{ROOT}/Benchmarks/accuracy/benchmark.json'))['series']}
g=lambda xs: math.exp(sum(map(math.log,xs))/len(xs))
label=sys.argv[1] if len(sys.argv)>1 else 'default'
data={}
for name,s in B.items():
    if name=='elecdemand': continue
    d=f'{ROOT}/runs/accuracy/{label}/{name}'
    if not os.path.exists(d+'/summary.json'): continue
    summ=json.load(open(d+'/summary.json')); pipes=summ['resolved']['pipelines']
    L=summ['resolved']['lookback']
    y=oc.series(s); n,m,h=s['n'],s['m'],s['h']
    by=collections.OrderedDict()
    for r in csv.DictReader(open(d+'/forecasts.csv')): by.setdefault(r['origin'],[]).append(r)
    fits=[]
    for j,(o,rr) in enumerate(by.items()):
        end=n-3*h+j*h; hist=y[:end]
        A=np.array([float(r['actual']) for r in rr]); D=np.array([float(r['forecast']) for r in rr]); SN=np.array([float(r['seasonal_naive']) for r in rr])
        p=pipes[j] if len(pipes)==3 else pipes[0]
        mt=re.search(r'Theta weight ([0-9.]+)',p); md=re.search(r'damped-trend share ([0-9.]+)',p)
        th=float(mt.group(1)) if mt else 0.0; rho=float(md.group(1)) if md else 0.0
        sc=np.mean(np.abs(hist[m:]-hist[:-m]))
        S=None
        if th>0 and th<1 and (hist>0).all():
            hh=hist[max(0,end-max(500,6*m)):]
            T=np.array(oc.theta(hh,m,h)); H=np.array(oc.damped(hh,m,h)); S=(1-rho)*T+rho*H
            N=(D-th*S)/(1-th)
        else: N=D
        nval=round(end*0.2)
        fits.append(dict(A=A,D=D,N=N,S=S,th=th,SN=SN,sc=sc,nval=nval,h=h,L=L))
    data[name]=fits
def report(lbl,f):
    ms={k:np.mean([np.mean(np.abs(r['A']-f(r)))/r['sc'] for r in v]) for k,v in data.items()}
    sn={k:np.mean([np.mean(np.abs(r['A']-r['SN']))/r['sc'] for r in v]) for k,v in data.items()}
    bad=", ".join(f"{k} {ms[k]/sn[k]:.2f}" for k in ms if ms[k]>1.1*sn[k])
    print(f"{lbl:40s} {g(list(ms.values())):.4f} beats {sum(ms[k]<sn[k] for k in ms)} within10 {sum(ms[k]<=1.1*sn[k] for k in ms)} ({bad})")
def comb(r,t): return r['D'] if r['S'] is None else (1-t)*r['N']+t*r['S']
report('check: D',lambda r:r['D'])
report('check: recombined',lambda r:comb(r,r['th']))
for c in (0.5,1,2,4):
    report(f'shrink to 1/2, c={c} windows (nval/h)',lambda r,c=c: comb(r,(r['th']*(r['nval']/r['h'])+0.5*c)/((r['nval']/r['h'])+c)))
for c in (1,2,4):
    report(f'shrink to 1/2, c={c} (nval-h+1 windows)',lambda r,c=c: comb(r,(r['th']*max(1,r['nval']-r['h']+1)+0.5*c)/(max(1,r['nval']-r['h']+1)+c)))
for t in (0.4,0.5,0.6):
    report(f'fixed {t}',lambda r,t=t: comb(r,t))
report('at least 1/2',lambda r: comb(r,max(0.5,r['th'])))
print()
for k,v in data.items():
    d=np.mean([np.mean(np.abs(r['A']-r['D']))/r['sc'] for r in v]); st=np.mean([np.mean(np.abs(r['A']-comb(r,1)))/r['sc'] for r in v]); nn=np.mean([np.mean(np.abs(r['A']-comb(r,0)))/r['sc'] for r in v])
    print(f"{k:16s} D {d:6.3f} stat {st:6.3f} net {nn:6.3f} th {[round(r['th'],2) for r in v]}")
print()
M1={k for k in data if B[k]['m']==1}
def rule(t):
    def f_for(name):
        return lambda r: comb(r, t(r)) if name in M1 else r['D']
    return f_for
for lbl,t in [('m=1: theta=1',lambda r:1.0),('m=1: theta>=0.75',lambda r:max(.75,r['th'])),('m=1: theta>=2/3',lambda r:max(2/3,r['th']))]:
    ms={k:np.mean([np.mean(np.abs(r['A']-(comb(r,t(r)) if k in M1 else r['D'])))/r['sc'] for r in v]) for k,v in data.items()}
    sn={k:np.mean([np.mean(np.abs(r['A']-r['SN']))/r['sc'] for r in v]) for k,v in data.items()}
    bad=", ".join(f"{k} {ms[k]/sn[k]:.2f}" for k in ms if ms[k]>1.1*sn[k])
    print(f"{lbl:40s} {g(list(ms.values())):.4f} beats {sum(ms[k]<sn[k] for k in ms)} within10 {sum(ms[k]<=1.1*sn[k] for k in ms)} ({bad})", {k:round(ms[k],3) for k in M1})
