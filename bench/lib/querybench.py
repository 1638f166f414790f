"""bench/query: time per query, one process per query as a user runs it,
for civsearch (with full-text snippets), omega (the CGI binary run
directly, stock template), quest, swish-e and sqlite3 FTS5 (with
snippet()), on the same files, and the reference programs FLOORS. Prints
median and p95 per query class."""
import argparse
import calendar
import json
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import peers  # noqa: E402
import speedcorpus  # noqa: E402

SYSTEMS = ["civsearch", "omega", "quest", "swish-e", "fts5"]
# Reference programs, asked for by name (--systems ...,floor-page,floor-50):
# quest plus the positions of the query's words in the page's 10 best
# matches, or in the 50 civsearch weighs again by their passages.
FLOORS = ["floor-page", "floor-50"]
# With --baseline BUILD: "baseline", another civsearch build (an earlier
# commit) on its own index of the same files, timed in the same run.
CLASSES = ["single", "and", "phrase", "field", "date", "wildcard", "long"]


def load_mix(path):
    mix = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            mix.append((parts[0], parts[1:]))
    return mix


def words(text):
    return [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]


def epoch(year, end=False):
    return calendar.timegm((year + 1, 1, 1, 0, 0, 0) if end else (year, 1, 1, 0, 0, 0)) - (1 if end else 0)


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


class Bench:
    def __init__(self, a, cache):
        self.a = a
        self.build = os.path.abspath(a.build)
        self.cache = cache
        self.civ_index = os.path.join(cache, "civ-index")
        self.omega_db = os.path.join(cache, "omega-db")
        self.swish_index = os.path.join(cache, "index.swish-e")
        self.fts5_db = os.path.join(cache, "fts5.db")
        self.baseline = os.path.abspath(a.baseline) if a.baseline else None
        self.base_index = os.path.join(cache, "baseline-index")

    def prepare(self, corpora):
        root = speedcorpus.assemble(self.cache, corpora)
        self.root = root
        t = time.time()
        peers.civ_build(self.build, [root], self.civ_index)
        log("civindex: %.1f s" % (time.time() - t))
        if self.baseline:
            t = time.time()
            peers.civ_build(self.baseline, [root], self.base_index)
            log("civindex (baseline): %.1f s" % (time.time() - t))
        if self.a.rebuild_peers or not os.path.isdir(self.omega_db):
            t = time.time()
            peers.omega_build(root, self.omega_db)
            log("omindex: %.1f s" % (time.time() - t))
        self.omega = peers.Omega(os.path.join(self.cache, "omega-conf"), {"speed": self.omega_db})
        systems = self.a.systems.split(",")
        if "swish-e" in systems and (self.a.rebuild_peers or not os.path.exists(self.swish_index)):
            t = time.time()
            speedcorpus.build_swish(root, self.swish_index, os.path.join(self.cache, "swish.conf"))
            log("swish-e -i: %.1f s" % (time.time() - t))
        if "fts5" in systems and (self.a.rebuild_peers or not os.path.exists(self.fts5_db)):
            t = time.time()
            speedcorpus.build_fts5(root, self.fts5_db)
            log("fts5 build: %.1f s" % (time.time() - t))

    # Each returns (argv, env) or None when the system has no such query.
    def civsearch(self, cls, args, build=None, index=None):
        cmd = [os.path.join(build or self.build, "civsearch"), "-i", index or self.civ_index,
               "-n", "10", "--color", "never"]
        if cls == "single" or cls == "and" or cls == "wildcard":
            q = args[0] + ("*" if cls == "wildcard" else "")
        elif cls == "phrase":
            q = '"%s"' % args[0]
        elif cls == "field":
            q = "%s:%s" % (args[0], args[1])
        elif cls == "date":
            q = "%s date:%s..%s" % (args[0], args[1], args[2])
        else:
            cmd.append("--or")
            q = args[0]
        return cmd + ["--", q], None

    def omega_cmd(self, cls, args):
        p = {"DB": "speed", "DEFAULTOP": "and"}
        if cls in ("single", "and"):
            p["P"] = args[0]
        elif cls == "wildcard":
            p.update({"P": args[0] + "*", "FMT": "querywild"})
        elif cls == "phrase":
            p["P"] = '"%s"' % args[0]
        elif cls == "field":
            p["P"] = "%s:%s" % (args[0], args[1])
        elif cls == "date":
            p.update({"P": args[0], "START": "%s0101" % args[1], "END": "%s1231" % args[2]})
        else:
            p.update({"P": args[0], "DEFAULTOP": "or"})
        return [peers.OMEGA_CGI], self.omega.env(p)

    def quest(self, cls, args):
        cmd = ["quest", "-d", self.omega_db, "-m", "10"]
        if cls == "single":
            q = args[0]
        elif cls == "and":
            cmd += ["-o", "and"]
            q = args[0]
        elif cls == "wildcard":
            cmd += ["-f", "default,wildcard"]
            q = args[0] + "*"
        elif cls == "phrase":
            q = '"%s"' % args[0]
        elif cls == "field":
            cmd += ["-p", "title:S"]
            q = "%s:%s" % (args[0], args[1])
        elif cls == "date":
            return None  # quest has no date filter
        else:
            q = args[0]
        return cmd + [q], None

    def floor(self, cls, args, depth):
        """quest's query, plus reading the positions of its words in the
        depth best matches (bench/lib/floor-passages.cc): the least a
        passage pass through Xapian's positional index reads."""
        c = self.quest(cls, args)
        if not c:
            return None
        return [os.path.join(self.build, "floor-passages"), "-D", str(depth)] + c[0][1:], None

    def swish(self, cls, args):
        cmd = ["swish-e", "-f", self.swish_index, "-m", "10", "-H", "0", "-x",
               "<swishrank> <swishdocpath> <swishtitle>\\n<swishdescription>\\n"]
        if cls == "single":
            q = args[0]
        elif cls == "and":
            q = " and ".join(args[0].split())
        elif cls == "wildcard":
            q = args[0] + "*"
        elif cls == "phrase":
            q = '"%s"' % args[0]
        elif cls == "field":
            q = "swishtitle=%s" % args[1]
        elif cls == "date":
            q = " and ".join(args[0].split())
            cmd += ["-L", "swishlastmodified", " %d" % epoch(int(args[1])),
                    " %d" % epoch(int(args[2]), True)]
        else:
            q = " or ".join(w for w in dict.fromkeys(words(args[0]))
                            if w not in ("and", "or", "not", "near"))
        return cmd + ["-w", q], None

    def fts5(self, cls, args):
        where = ""
        if cls in ("single", "and"):
            m = args[0]
        elif cls == "wildcard":
            m = args[0] + "*"
        elif cls == "phrase":
            m = '"%s"' % args[0]
        elif cls == "field":
            m = "%s:%s" % (args[0], args[1])
        elif cls == "date":
            m = args[0]
            where = " AND date BETWEEN '%s' AND '%s-12-31'" % (args[1], args[2])
        else:
            m = peers.fts5_or_query(args[0])
        sql = ("SELECT path, title, snippet(t, 2, '<b>', '</b>', '…', 24) FROM t WHERE t MATCH %s%s "
               "ORDER BY rank LIMIT 10;" % (sql_str(m), where))
        return ["sqlite3", "-batch", "-noheader", self.fts5_db, sql], None

    def base(self, cls, args):
        return self.civsearch(cls, args, self.baseline, self.base_index)

    def command(self, system, cls, args):
        return {"civsearch": self.civsearch, "omega": self.omega_cmd, "quest": self.quest,
                "swish-e": self.swish, "fts5": self.fts5, "baseline": self.base,
                "floor-page": lambda c, a: self.floor(c, a, 10),
                "floor-50": lambda c, a: self.floor(c, a, 50)}[system](cls, args)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def time_once(argv, env):
    t = time.perf_counter()
    p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1000.0, p.returncode


def pct(xs, p):
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(-(-p * len(xs) // 100)) - 1))
    return xs[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default=os.environ.get("CIV_BUILD", "build"))
    ap.add_argument("--cache", default=None)
    ap.add_argument("--mix", default=os.path.join(os.path.dirname(__file__), "..", "query-mix.txt"))
    ap.add_argument("--corpora", default="udhr,cranfield,cisi")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--runs", type=int, default=10, help="timed runs per query and system")
    ap.add_argument("--rebuild-peers", action="store_true")
    ap.add_argument("--json", help="also write every measurement to this file")
    ap.add_argument("--baseline", help="another civsearch build to time beside this one")
    ap.add_argument("--show", action="store_true", help="print each query's output once and exit")
    a = ap.parse_args()
    cache = os.path.abspath(a.cache or os.path.join(os.path.abspath(a.build), "bench-cache", "speed"))
    b = Bench(a, cache)
    b.prepare(a.corpora.split(","))
    mix = load_mix(a.mix)
    systems = a.systems.split(",")
    if a.baseline and "baseline" not in systems:
        systems.append("baseline")
    if a.show:
        for cls, args in mix:
            for s in systems:
                c = b.command(s, cls, args)
                if not c:
                    continue
                p = subprocess.run(c[0], env=c[1], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                print("==== %s %s %r rc=%d\n%s" % (s, cls, args, p.returncode,
                                                  p.stdout.decode(errors="replace")[:1500]))
        return
    times = {s: {c: [] for c in CLASSES} for s in systems}
    bad = []
    floor = [time_once(["/bin/true"], None)[0] for _ in range(20)]
    for cls, args in mix:
        cmds = {s: b.command(s, cls, args) for s in systems}
        for s, c in cmds.items():  # warm the page cache, check it runs
            if c:
                _, rc = time_once(*c)
                if rc not in (0, 1):
                    bad.append((s, cls, args, rc))
        for _ in range(a.runs):
            for s, c in cmds.items():
                if c:
                    ms, _ = time_once(*c)
                    times[s][cls].append(ms)
    # The table.
    print("ms per query (one process each; %d runs x each query of the class; "
          "spawning /bin/true: %.2f ms median)" % (a.runs, statistics.median(floor)))
    hdr = "%-9s" % "class"
    for s in systems:
        hdr += " %17s" % (s + " med/p95")
    if "civsearch" in systems:
        hdr += "  civ/omega civ/quest" + (" civ/base" if "baseline" in systems else "")
        hdr += "".join(" %s/quest" % f for f in FLOORS if f in systems)
    print(hdr)
    allt = {s: [] for s in systems}
    for cls in CLASSES + ["all"]:
        row = "%-9s" % cls
        meds = {}
        for s in systems:
            xs = times[s][cls] if cls != "all" else allt[s]
            if cls != "all":
                allt[s] += xs
            if xs:
                meds[s] = statistics.median(xs)
                row += " %8.1f %8.1f" % (meds[s], pct(xs, 95))
            else:
                row += " %17s" % "n/a"
        if "civsearch" in meds:
            for peer in ("omega", "quest") + (("baseline",) if "baseline" in systems else ()):
                row += " %9s" % ("%.2f" % (meds["civsearch"] / meds[peer]) if peer in meds else "-")
            for f in FLOORS:
                if f in systems:
                    row += " %*s" % (len(f) + 6, "%.2f" % (meds[f] / meds["quest"])
                                     if f in meds and "quest" in meds else "-")
        print(row)
    for s, cls, args, rc in bad:
        print("warning: %s exited %d on %s %r" % (s, rc, cls, args))
    busy = os.getloadavg()
    print("load average after the run: %.2f %.2f %.2f" % busy)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"times": times, "floor": floor, "load": busy}, f)


if __name__ == "__main__":
    main()
