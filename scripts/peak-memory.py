#!/usr/bin/env python3
# Peak memory of one command, split the way the kernel splits it (BENCHMARKS.md, "Peak memory"):
# runs COMMAND, samples /proc/PID/status every INTERVAL seconds while it runs and prints one JSON
# line with the peaks of
#   max_rss_mib   the kernel's high-water mark of the resident set (ru_maxrss from wait4, what
#                 `/usr/bin/time -v` calls "Maximum resident set size"; exact, not sampled)
#   rss_anon_mib  RssAnon: the process's own data (heap, stacks, anonymous maps), sampled
#   rss_file_mib  RssFile: pages of mapped files — the binary and its shared libraries' code,
#                 shared with every other process using them and dropped by the kernel at will
# Sampled peaks can miss a spike shorter than the interval; VmHWM cannot.
# Usage: scripts/peak-memory.py [--interval 0.02] [--label NAME] -- COMMAND [ARGS…]
import json, os, subprocess, sys, time

def status(pid):
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "RssAnon", "RssFile"): fields[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return fields

def main(argv):
    interval, label = 0.02, None
    while argv and argv[0] != "--":
        flag = argv.pop(0)
        if flag == "--interval": interval = float(argv.pop(0))
        elif flag == "--label": label = argv.pop(0)
        else: sys.exit(f"peak-memory.py: unknown flag {flag}")
    if not argv[1:]: sys.exit("usage: peak-memory.py [--interval S] [--label NAME] -- COMMAND [ARGS…]")
    command = argv[1:]
    start = time.time()
    p = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = {"VmHWM": 0, "RssAnon": 0, "RssFile": 0}
    # seqcast re-executes itself once (to pin OpenBLAS's core): the PID stays, so sampling continues.
    while True:
        pid, wait, usage = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid: break
        for key, value in status(p.pid).items(): peak[key] = max(peak[key], value)
        time.sleep(interval)
    code = os.waitstatus_to_exitcode(wait)
    mib = lambda kib: round(kib / 1024, 1)
    print(json.dumps({"label": label, "command": command, "exit": code, "seconds": round(time.time() - start, 1),
                      "interval_s": interval, "max_rss_mib": mib(usage.ru_maxrss), "rss_anon_mib": mib(peak["RssAnon"]),
                      "rss_file_mib": mib(peak["RssFile"])}))
    return code

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
