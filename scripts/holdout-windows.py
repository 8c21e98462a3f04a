#!/usr/bin/env python3
# Held-out windows for a rule chosen on the benchmark (ACCURACY.md, "Mean-reverting series",
# "Non-seasonal series"): each named series cut at n − 3h (the benchmark's first origin, so nothing
# of its test windows is seen) and backtested at K origins every h before the cut (fewer when the
# series is too short), with the built binary; prints the run's MASE (D), the statistical member
# alone and θ ≥ ¾ (recomputed as in scripts/offline-parts.py) and seasonal naive.
# Usage: scripts/holdout-windows.py SERIES[,SERIES…] K LABEL   (runs under /tmp/ho/LABEL)
import importlib.util,json,csv,re,math,numpy as np,collections,os,sys,subprocess
ROOT=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec=importlib.util.spec_from_file_location("oc",f"{ROOT}/scripts/offline-combinations.py");oc=importlib.util.module_from_spec(spec);spec.loader.exec_module(oc)
B={s['name']:s for s in json.load(open(f'{ROOT}/Benchmarks/accuracy/benchmark.json'))['series']}
names=sys.argv[1].split(','); k=int(sys.argv[2]); label=sys.argv[3]
g=lambda xs: math.exp(sum(map(math.log,xs))/len(xs))
res={}
for name in names:
    s=B[name]; n,m,h=s['n'],s['m'],s['h']; cut=n-3*h
    y=oc.series(s)[:cut]
    lines=open(f"{ROOT}/Benchmarks/accuracy/{s['file']}").read().splitlines()
    out=f'/tmp/ho/{label}/{name}'; os.makedirs(out,exist_ok=True); f=f'/tmp/ho/{name}.csv'; open(f,'w').write('\n'.join(lines[:1+cut])+'\n')
    kk=k
    while kk>0:
        p=subprocess.run([f'{ROOT}/.build/release/seqcast','backtest','--data',f,'--target',s['column'],'--horizon',str(h),'--origin-stride',str(h),'--start',str(cut-kk*h),'--season',str(m),'--retrain','always','--out',out,'--quiet'],capture_output=True,text=True)
        if p.returncode==0: break
        kk-=1
    if kk==0: print(name,'too short'); continue
    summ=json.load(open(out+'/summary.json')); pipes=summ['resolved']['pipelines']
    by=collections.OrderedDict()
    for r in csv.DictReader(open(out+'/forecasts.csv')): by.setdefault(r['origin'],[]).append(r)
    fits=[]
    for j,(o,rr) in enumerate(by.items()):
        end=cut-kk*h+j*h; hist=y[:end]
        A=np.array([float(r['actual']) for r in rr]); D=np.array([float(r['forecast']) for r in rr]); SN=np.array([float(r['seasonal_naive']) for r in rr])
        pstr=pipes[j] if len(pipes)==len(by) else pipes[0]
        mt=re.search(r'Theta weight ([0-9.]+)',pstr); md=re.search(r'damped-trend share ([0-9.]+)',pstr)
        th=float(mt.group(1)) if mt else 0.0; rho=float(md.group(1)) if md else 0.0
        sc=np.mean(np.abs(hist[m:]-hist[:-m])); S=None; N=D
        if 0<th<1 and (hist>0).all():
            hh=hist[max(0,end-max(500,6*m)):]
            T=np.array(oc.theta(hh,m,h)); H=np.array(oc.damped(hh,m,h)); S=(1-rho)*T+rho*H; N=(D-th*S)/(1-th)
        fits.append(dict(A=A,D=D,N=N,S=S,th=th,SN=SN,sc=sc,cfg=pstr))
    res[name]=fits
def comb(r,t): return r['D'] if r['S'] is None else (1-t)*r['N']+t*r['S']
for name,v in res.items():
    d=np.mean([np.mean(np.abs(r['A']-r['D']))/r['sc'] for r in v]); st=np.mean([np.mean(np.abs(r['A']-comb(r,1)))/r['sc'] for r in v])
    t75=np.mean([np.mean(np.abs(r['A']-comb(r,max(r['th'],.75))))/r['sc'] for r in v]); sn=np.mean([np.mean(np.abs(r['A']-r['SN']))/r['sc'] for r in v])
    print(f"{name:16s} windows {len(v)} D {d:6.3f} stat {st:6.3f} th>=.75 {t75:6.3f} sn {sn:6.3f} th {[r['th'] for r in v]}")
