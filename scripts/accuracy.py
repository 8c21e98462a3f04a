#!/usr/bin/env python3
"""Accuracy benchmark: backtests the series of Benchmarks/accuracy/benchmark.json one at a time with the
protocol of Benchmarks/accuracy/REFERENCE.md (origins n-3h, n-2h, n-h, refit at each, MASE with season m),
and compares the geometric-mean MASE with the seasonal-naive and naive baselines and with REFERENCE.md's
AutoETS and seqcast-default figures; with prediction intervals (summary.json's `intervals`), also their mean
empirical coverage per level (with its spread per frequency group) and the geometric-mean MSIS of the model
and of seasonal naive. Appends one JSON line per series to Benchmarks/accuracy-runs/accuracy-LABEL-DATE.jsonl
and rewrites the LABEL section of ACCURACY.md (between <!-- accuracy:LABEL:begin --> and
<!-- accuracy:LABEL:end -->). Exits 1 if any backtest failed (the others still run), 2 on bad usage.

    python3 scripts/accuracy.py [options] [-- flags for every `seqcast backtest`]    (--help lists the options)
"""
import argparse, csv, datetime, json, math, os, re, shlex, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "Benchmarks", "accuracy")
GROUPS = ["yearly", "quarterly", "monthly", "weekly", "daily", "half-hourly", "other"]
LONG_NAME = "visnights_long"


def gmean(xs):
    xs = [x for x in xs if x is not None]
    if not xs or any(not (x > 0 and math.isfinite(x)) for x in xs):
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def fmt(x, nd=3):
    return "–" if x is None else f"{x:.{nd}f}"


def number(cell):
    try:
        return float(cell)
    except ValueError:
        return None  # "–": not run


def parse_reference(path, names):
    """REFERENCE.md: its per-series table (by header name) and the visnights_long paragraph."""
    text = open(path, encoding="utf-8").read()
    rows, header = {}, None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif cells[0] in names:
            r = dict(zip(header, cells))
            rows[cells[0]] = {"group": r.get("group"), "n": r.get("n"), "m": r.get("m"), "h": r.get("h"),
                              "snaive": number(r.get("seasonal naive", "")), "naive": number(r.get("naive", "")),
                              "ets": number(r.get("AutoETS", "")), "ref": number(r.get("seqcast default", ""))}
    long = {}
    para = next((p for p in text.split("\n\n") if "visnights_long" in p), "")
    for key, pattern in [("snaive", r"seasonal naive ([0-9.]+)"), ("naive", r"(?<!seasonal )naive ([0-9.]+)"),
                         ("ets", r"AutoETS ([0-9.]+)"), ("ref", r"seqcast default[^:]*: ([0-9.]+)")]:
        m = re.search(pattern, para, re.S)
        long[key] = float(m.group(1).rstrip(".")) if m else None
    return rows, long


def data_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for row in csv.reader(f) if row) - 1


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def git_commit():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "Sources", "Package.swift"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("+dirty" if dirty else "") if head else None
    except OSError:
        return None


def shown(path):
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def names_list(values):
    return [x.strip() for v in values or [] for x in v.split(",") if x.strip()]


def per_series_mase(metrics_csv):
    """Long format: per-series MASE = mean of that series' window rows (as summary.json's overall MASE
    is the mean over all windows of all series)."""
    acc = {}
    with open(metrics_csv, newline="") as f:
        for r in csv.DictReader(f):
            if r["scope"] == "window":
                acc.setdefault(r["series"], {}).setdefault(r["method"], []).append(float(r["mase"]))
    return {s: {meth: sum(v) / len(v) for meth, v in by.items()} for s, by in acc.items()}


def interval_fields(summary):
    """Coverage, MSIS, width and pinball loss of the model's and seasonal naive's intervals, by level."""
    iv = summary.get("intervals")
    if not iv:
        return {}
    out = {"levels": [str(int(l)) if float(l).is_integer() else str(l) for l in iv["levels"]], "interval_method": iv["method"]}
    for key, who in (("model", "model"), ("snaive", "seasonal_naive")):
        score = iv.get(who) or {}
        for metric in ("coverage", "msis", "width"):
            out[f"{key}_{metric}"] = score.get(metric)
        out[f"{key}_pinball"] = score.get("pinball")
    return out


def interval_summary(results):
    """Terminal lines and ACCURACY.md rows for the intervals: mean coverage per level (min–max over series),
    per group, and the geometric-mean MSIS, model against seasonal naive."""
    rs = [r for r in results if r.get("levels") and r.get("model_coverage")]
    if not rs:
        return [], []
    levels = rs[0]["levels"]
    method = rs[0].get("interval_method", "?")

    def cov(group, key, level):
        v = [r[f"{key}_coverage"][level] for r in group if r.get(f"{key}_coverage") and r[f"{key}_coverage"].get(level) is not None]
        if not v:
            return "–"
        return f"{100 * sum(v) / len(v):.1f} ({100 * min(v):.0f}–{100 * max(v):.0f})"

    def msis(group, key, level):
        return fmt(gmean([(r.get(f"{key}_msis") or {}).get(level) for r in group]))

    text = [f"intervals ({method}): mean coverage % (min–max over series) and geometric-mean MSIS, model / seasonal naive:"]
    md = ["", f"Prediction intervals ({method}): mean empirical coverage in % over the series (min–max in brackets) and "
              "geometric-mean MSIS (lower is better), model and seasonal naive (Gaussian, from its in-sample seasonal residuals).", "",
          "| group | " + " | ".join(f"model cover {l}% | s.naive cover {l}%" for l in levels) + " | "
          + " | ".join(f"model MSIS {l}% | s.naive MSIS {l}%" for l in levels) + " |",
          "|---|" + "---:|" * (4 * len(levels))]
    for g in ["all"] + GROUPS:
        group = rs if g == "all" else [r for r in rs if r["group"] == g]
        if not group:
            continue
        name = f"**all {len(group)}**" if g == "all" else f"{g} ({len(group)})"
        cells = [c for l in levels for c in (cov(group, "model", l), cov(group, "snaive", l))]
        cells += [c for l in levels for c in (msis(group, "model", l), msis(group, "snaive", l))]
        md.append(f"| {name} | " + " | ".join(cells) + " |")
        text.append(f"  {g + ' (' + str(len(group)) + ')':<17} " + "   ".join(
            f"{l}%: cover {cov(group, 'model', l)} / {cov(group, 'snaive', l)}, MSIS {msis(group, 'model', l)} / {msis(group, 'snaive', l)}"
            for l in levels))
    return text, md


def main():
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[:argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                 usage="%(prog)s [options] [-- seqcast backtest flags]",
                                 epilog="Everything after -- is passed to every `seqcast backtest` call, e.g.\n"
                                        "  %(prog)s --group yearly --no-write\n"
                                        "  %(prog)s --skip elecdemand --long --label gru -- --cell gru --ensemble 3\n"
                                        "ACCURACY.md is rewritten only after all 36 series ran without failure, unless\n"
                                        "--write-partial. BIN (environment) is the binary (default .build/release/seqcast).")
    ap.add_argument("--group", action="append", help=f"comma list of: {', '.join(GROUPS)}; repeatable")
    ap.add_argument("--series", action="append", help="comma list of series names; repeatable")
    ap.add_argument("--skip", action="append", help="comma list of series to leave out; repeatable")
    ap.add_argument("--long", action="store_true", help=f"also run {LONG_NAME}.csv (long format, global model)")
    ap.add_argument("--label", default="default", help="name of this run (default: %(default)s)")
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "runs", "accuracy"),
                    help="backtest outputs go to OUT_DIR/LABEL/SERIES (default: runs/accuracy)")
    ap.add_argument("--jsonl", help="JSON lines, appended (default: Benchmarks/accuracy-runs/accuracy-LABEL-DATE.jsonl)")
    ap.add_argument("--md", default=os.path.join(ROOT, "ACCURACY.md"), help="results file (default: ACCURACY.md)")
    ap.add_argument("--no-write", action="store_true", help="do not rewrite ACCURACY.md")
    ap.add_argument("--write-partial", action="store_true", help="rewrite ACCURACY.md even for a subset")
    args = ap.parse_args(own)

    if not re.fullmatch(r"[A-Za-z0-9._-]+", args.label):
        ap.error("--label: letters, digits, '.', '_' and '-' only")
    bench = json.load(open(os.path.join(BENCH, "benchmark.json")))
    series = bench["series"]
    names = [s["name"] for s in series]
    ref, ref_long = parse_reference(os.path.join(BENCH, "REFERENCE.md"), set(names))
    for s in series:
        r = ref.get(s["name"])
        if r is None:
            print(f"warning: REFERENCE.md has no row for {s['name']}; group 'other', no reference", file=sys.stderr)
            ref[s["name"]] = r = {"group": "other", "snaive": None, "naive": None, "ets": None, "ref": None}
        elif (r["n"], r["m"], r["h"]) != (str(s["n"]), str(s["m"]), str(s["h"])):
            print(f"warning: {s['name']}: REFERENCE.md n/m/h {r['n']}/{r['m']}/{r['h']} differ from benchmark.json",
                  file=sys.stderr)
        s["group"] = r["group"]

    groups, wanted, skip = names_list(args.group), names_list(args.series), set(names_list(args.skip))
    for g in groups:
        if g not in GROUPS:
            ap.error(f"--group {g}: not one of {', '.join(GROUPS)}")
    for n in wanted + sorted(skip):
        if n not in names and n != LONG_NAME:
            ap.error(f"no series {n!r}; series are: {', '.join(names)}, {LONG_NAME}")
    selected = [s for s in series if (not groups or s["group"] in groups)
                and (not wanted or s["name"] in wanted) and s["name"] not in skip]
    run_long = (args.long or LONG_NAME in wanted) and LONG_NAME not in skip
    if not selected and not run_long:
        ap.error("no series selected")

    binary = os.path.abspath(os.environ.get("BIN") or os.path.join(ROOT, ".build", "release", "seqcast"))
    if not os.access(binary, os.X_OK):
        sys.exit(f"error: no seqcast binary at {binary} (run `make build`, or set BIN)")
    started = datetime.datetime.now(datetime.timezone.utc)
    out_root = os.path.join(os.path.abspath(args.out_dir), args.label)
    jsonl = args.jsonl or os.path.join(ROOT, "Benchmarks", "accuracy-runs", f"accuracy-{args.label}-{started:%Y-%m-%d}.jsonl")
    os.makedirs(out_root, exist_ok=True)
    os.makedirs(os.path.dirname(os.path.abspath(jsonl)), exist_ok=True)
    commit = git_commit()
    command = "python3 scripts/accuracy.py" + (" " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "")
    print(f"accuracy run '{args.label}': {len(selected)}/{len(series)} series"
          + (f" + {LONG_NAME}" if run_long else "") + f", {binary}" + (f" {shlex.join(extra)}" if extra else "")
          + f", commit {commit}")

    def backtest(name, data, target, m, h, start, more=()):
        """Runs one backtest; returns (summary, out_dir) or (None, message)."""
        out = os.path.join(out_root, name)
        os.makedirs(out, exist_ok=True)
        stale = os.path.join(out, "summary.json")
        if os.path.exists(stale):
            os.remove(stale)
        cmd = [binary, "backtest", "--data", data, "--target", target, "--horizon", str(h),
               "--origin-stride", str(h), "--start", str(start), "--season", str(m), "--retrain", "always",
               *more, "--out", out, "--quiet", *extra]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        except OSError as e:
            return None, f"cannot run {binary}: {e}"
        with open(os.path.join(out_root, name + ".log"), "w") as log:
            log.write(shlex.join(cmd) + "\n" + p.stdout + p.stderr)
        if p.returncode != 0:
            return None, f"exit {p.returncode}: {shlex.join(cmd)}\n{p.stderr.strip() or p.stdout.strip()}"
        try:
            return json.load(open(stale)), out
        except (OSError, ValueError) as e:
            return None, f"no readable summary.json in {out}: {e}"

    results, failures, long_result, odd_baselines = [], [], None, []
    head = f"{'series':<15} {'group':<11} {'model':>7} {'snaive':>7} {'naive':>7} {'beats':>5} {'s':>7}   {'AutoETS':>7} {'ref':>7}"
    print(head)

    def record(row):
        with open(jsonl, "a") as f:
            f.write(json.dumps(row) + "\n")

    try:
        for s in selected:
            name, m, h = s["name"], s["m"], s["h"]
            data = os.path.join("Benchmarks", "accuracy", s["file"])  # relative to ROOT, the backtests' directory
            n = data_rows(os.path.join(ROOT, data))
            if n != s["n"]:
                failures.append(name)
                print(f"{name:<15} FAILED: {s['file']} has {n} data rows, benchmark.json says n = {s['n']}")
                continue
            summary, out = backtest(name, data, s["column"], m, h, n - 3 * h)
            if summary is None:
                failures.append(name)
                print(f"{name:<15} {s['group']:<11} FAILED\n" + "\n".join("    " + l for l in out.splitlines()), flush=True)
                continue
            row = {"name": name, "group": s["group"], "n": n, "m": m, "h": h,
                   "model_mase": summary["metrics"]["mase"],
                   "snaive_mase": summary["baselines"]["seasonal_naive"]["mase"],
                   "naive_mase": summary["baselines"]["naive"]["mase"],
                   **interval_fields(summary),
                   "seconds": summary["seconds"], "windows": summary.get("windows"), "config": summary.get("config"),
                   "label": args.label, "extra_args": extra, "commit": commit, "run": started.isoformat(timespec="seconds")}
            record(row)
            results.append(row)
            r = ref[name]
            # The baselines are deterministic: a seasonal-naive MASE unlike REFERENCE.md's means the protocol differs.
            odd = r["snaive"] is not None and abs(row["snaive_mase"] - r["snaive"]) > 0.0015 + 0.001 * r["snaive"]
            if odd:
                odd_baselines.append(name)
            print(f"{name:<15} {s['group']:<11} {row['model_mase']:7.3f} {row['snaive_mase']:7.3f} {row['naive_mase']:7.3f} "
                  f"{'yes' if row['model_mase'] < row['snaive_mase'] else 'no':>5} {row['seconds']:7.1f}   "
                  f"{fmt(r['ets']):>7} {fmt(r['ref']):>7}" + (f"   (REFERENCE.md seasonal naive {r['snaive']:.3f}!)" if odd else ""),
                  flush=True)
        if run_long:
            mb = bench["many_series"]
            data = os.path.join("Benchmarks", "accuracy", mb["file"])
            with open(os.path.join(ROOT, data), newline="") as f:
                counts = {}
                for r in csv.DictReader(f):
                    counts[r[mb["id_column"]]] = counts.get(r[mb["id_column"]], 0) + 1
            lengths = set(counts.values())
            if len(counts) != mb["series"] or len(lengths) != 1:
                failures.append(LONG_NAME)
                print(f"{LONG_NAME:<15} FAILED: {len(counts)} series of lengths {sorted(lengths)}; "
                      f"benchmark.json says {mb['series']} of equal length")
            else:
                n, m, h = lengths.pop(), mb["m"], mb["h"]
                summary, out = backtest(LONG_NAME, data, mb["target"], m, h, n - 3 * h,
                                        ["--id-column", mb["id_column"]])
                if summary is None:
                    failures.append(LONG_NAME)
                    print(f"{LONG_NAME:<15} {'quarterly':<11} FAILED\n" + "\n".join("    " + l for l in out.splitlines()))
                else:
                    per = per_series_mase(os.path.join(out, "metrics.csv"))
                    col = lambda meth: [v.get(meth) for v in per.values()]
                    long_result = {"name": LONG_NAME, "group": "quarterly", "series": len(per), "n": n, "m": m, "h": h,
                                   "model_mase": gmean(col("model")), "snaive_mase": gmean(col("seasonal_naive")),
                                   "naive_mase": gmean(col("naive")),
                                   "beats": sum(v["model"] < v["seasonal_naive"] for v in per.values()),
                                   "window_mean_mase": {"model": summary["metrics"]["mase"],
                                                        "seasonal_naive": summary["baselines"]["seasonal_naive"]["mase"],
                                                        "naive": summary["baselines"]["naive"]["mase"]},
                                   "per_series": per, "seconds": summary["seconds"], "windows": summary.get("windows"),
                                   "config": summary.get("config"), "label": args.label, "extra_args": extra,
                                   "commit": commit, "run": started.isoformat(timespec="seconds")}
                    record(long_result)
                    lr = long_result
                    print(f"{LONG_NAME:<15} {'quarterly':<11} {fmt(lr['model_mase']):>7} {fmt(lr['snaive_mase']):>7} "
                          f"{fmt(lr['naive_mase']):>7} {lr['beats']:>2}/{lr['series']:<2} {lr['seconds']:7.1f}   "
                          f"{fmt(ref_long['ets']):>7} {fmt(ref_long['ref']):>7}   (geometric mean over {lr['series']} series)")
    except KeyboardInterrupt:
        print("\ninterrupted; summary of the series that ran:")
        failures.append("(interrupted)")

    wall = (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()
    lines = summarise(results, ref, long_result, ref_long)
    print()
    print("\n".join(lines["text"]) if lines["text"] else "no series completed")
    print(f"total: {sum(r['seconds'] for r in results) + (long_result['seconds'] if long_result else 0):.1f} s of "
          f"backtests, {wall:.0f} s wall; JSON lines appended to {shown(jsonl)}")
    if odd_baselines:
        print(f"warning: seasonal-naive MASE differs from REFERENCE.md (a different protocol?) for {', '.join(odd_baselines)}")
    if failures:
        print(f"{len(failures)} FAILED: {', '.join(failures)}")

    complete = len(results) == len(series) and not failures
    if args.no_write:
        pass
    elif not results:
        print(f"{shown(args.md)} not written: no series ran")
    elif complete or args.write_partial:
        write_md(args.md, args.label, lines["md"], command, started, commit, binary, extra,
                 len(results), len(series), failures, lines["intervals_md"])
        print(f"wrote section '{args.label}' of {shown(args.md)}")
    else:
        why = f"{len(failures)} failed" if failures else f"only {len(results)} of {len(series)} series ran"
        print(f"{shown(args.md)} not written ({why}); --write-partial writes it anyway")
    sys.exit(1 if failures else 0)


def summarise(results, ref, long_result, ref_long):
    """Summary lines for the terminal and the markdown rows of ACCURACY.md."""
    text, md = [], []
    k = len(results)
    if k:
        model, snaive, naive = (gmean([r[key] for r in results]) for key in ("model_mase", "snaive_mase", "naive_mase"))
        ets = gmean([ref[r["name"]]["ets"] for r in results])
        refd = gmean([ref[r["name"]]["ref"] for r in results])
        beats = sum(r["model_mase"] < r["snaive_mase"] for r in results)
        near = sum(r["model_mase"] <= 1.1 * r["snaive_mase"] for r in results)
        secs = sum(r["seconds"] for r in results)
        text += [f"geometric-mean MASE over {k} series: model {fmt(model)}, seasonal naive {fmt(snaive)}, naive {fmt(naive)}",
                 f"  REFERENCE.md over the same series: AutoETS {fmt(ets)}, seqcast default {fmt(refd)}",
                 f"  model beats seasonal naive on {beats}/{k}; within 10% of it (≤ 1.1×) on {near}/{k}",
                 "per group (model / seasonal naive / naive / AutoETS / seqcast default ref):"]
        md += [f"| **geometric mean, {k}** | | **{fmt(model)}** | {fmt(snaive)} | {fmt(naive)} | {fmt(ets)} | | {secs:.1f} total |",
               f"| seqcast default (REFERENCE.md), same {k} | | {fmt(refd)} | | | | | |",
               f"| beats seasonal naive | | {beats}/{k} | | | {sum(ref[r['name']]['ets'] < ref[r['name']]['snaive'] for r in results if None not in (ref[r['name']]['ets'], ref[r['name']]['snaive']))}/{k} | | |",
               f"| within 10% of seasonal naive | | {near}/{k} | | | | | |"]
        for g in GROUPS:
            rs = [r for r in results if r["group"] == g]
            if not rs:
                continue
            vals = [gmean([r[key] for r in rs]) for key in ("model_mase", "snaive_mase", "naive_mase")]
            e, d = gmean([ref[r["name"]]["ets"] for r in rs]), gmean([ref[r["name"]]["ref"] for r in rs])
            b = sum(r["model_mase"] < r["snaive_mase"] for r in rs)
            text.append(f"  {g + ' (' + str(len(rs)) + ')':<17} {' / '.join(fmt(v) for v in vals)} / {fmt(e)} / {fmt(d)}"
                        f"   beats {b}/{len(rs)}")
            md.append(f"| {g} ({len(rs)}) | | {fmt(vals[0])} | {fmt(vals[1])} | {fmt(vals[2])} | {fmt(e)} | {b}/{len(rs)} | "
                      f"{sum(r['seconds'] for r in rs):.1f} |")
    if long_result:
        lr = long_result
        text.append(f"{LONG_NAME} (geometric mean over {lr['series']} series): model {fmt(lr['model_mase'])}, seasonal naive "
                    f"{fmt(lr['snaive_mase'])}, naive {fmt(lr['naive_mase'])}, beats {lr['beats']}/{lr['series']}; "
                    f"REFERENCE.md AutoETS {fmt(ref_long['ets'])}, seqcast default {fmt(ref_long['ref'])}")
        md.append(f"| {LONG_NAME} (geometric mean, {lr['series']}) | quarterly | {fmt(lr['model_mase'])} | {fmt(lr['snaive_mase'])} | "
                  f"{fmt(lr['naive_mase'])} | {fmt(ref_long['ets'])} | {lr['beats']}/{lr['series']} | {lr['seconds']:.1f} |")
    rows = [f"| {r['name']} | {r['group']} | {r['model_mase']:.3f} | {r['snaive_mase']:.3f} | {r['naive_mase']:.3f} | "
            f"{fmt(ref[r['name']]['ets'])} | {'yes' if r['model_mase'] < r['snaive_mase'] else 'no'} | {r['seconds']:.1f} |"
            for r in results]
    itext, imd = interval_summary(results)
    return {"text": text + itext, "md": rows + md, "intervals_md": imd}


def write_md(path, label, rows, command, started, commit, binary, extra, k, total, failures, interval_rows=()):
    begin, end = f"<!-- accuracy:{label}:begin -->", f"<!-- accuracy:{label}:end -->"
    scope = "all {} series".format(total) if k == total and not failures else \
        f"partial: {k} of {total} series" + (f", failed: {', '.join(failures)}" if failures else "")
    section = "\n".join([
        begin,
        f"### {label}",
        "",
        f"`{command}`" + (f" (BIN={binary})" if os.environ.get("BIN") else ""),
        "",
        f"{started:%Y-%m-%d %H:%M} UTC, {cpu_model()}, {os.cpu_count()} CPUs, commit {commit or 'unknown'}; "
        f"{scope}; extra flags: {('`' + shlex.join(extra) + '`') if extra else 'none'}.",
        "",
        "| series | group | model | seasonal naive | naive | AutoETS (ref) | beats | s |",
        "|---|---|---:|---:|---:|---:|---|---:|",
        *rows,
        *interval_rows,
        end])
    if os.path.exists(path):
        text = open(path, encoding="utf-8").read()
    else:
        text = ("# Accuracy\n\n"
                "Results of `make accuracy` (`scripts/accuracy.py`) on the development benchmark in\n"
                "[Benchmarks/accuracy](Benchmarks/accuracy/README.md): MASE per series (lower is better), averaged\n"
                "over 3 rolling origins, and geometric means over series; AutoETS from\n"
                "[REFERENCE.md](Benchmarks/accuracy/REFERENCE.md). One section per run label, rewritten by each run.\n")
    i, j = text.find(begin), text.find(end)
    if i >= 0 and j > i:
        text = text[:i] + section + text[j + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
