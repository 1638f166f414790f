#!/usr/bin/env python3
"""Runs a command and samples the memory of its whole process tree (the
command, and civindex's sandbox helpers and their children) every 50 ms:
the peak of the summed RSS (pages shared between processes counted in
each) and of the summed PSS (shared pages divided among their sharers: the
memory the tree really takes).

    treemem.py OUT -- CMD ARG...

Writes "wall_s peak_rss_kb peak_pss_kb peak_processes" to OUT; the
command's stdout and stderr pass through; exits with its status.
"""
import os
import subprocess
import sys
import time


def children_map():
    kids = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(pid))
    return kids


def field_kb(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    out = sys.argv[1]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd)
    peak_rss = peak_pss = peak_n = 0
    while p.poll() is None:
        kids = children_map()
        tree, todo = [], [p.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += kids.get(pid, [])
        rss = sum(field_kb("/proc/%d/status" % q, "VmRSS:") for q in tree)
        pss = sum(field_kb("/proc/%d/smaps_rollup" % q, "Pss:") for q in tree)
        peak_rss, peak_pss, peak_n = max(peak_rss, rss), max(peak_pss, pss), max(peak_n, len(tree))
        time.sleep(0.05)
    wall = time.monotonic() - t0
    with open(out, "w") as f:
        f.write("%.2f %d %d %d\n" % (wall, peak_rss, peak_pss, peak_n))
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()
