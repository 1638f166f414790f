"""bench/relevance: ranking quality of civsearch against Xapian omega and
SQLite FTS5 on the Cranfield and CISI collections. See bench/README.md."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import evalsets  # noqa: E402
import metrics  # noqa: E402
import peers  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return 0.0
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default=os.environ.get("CIV_BUILD", "build"))
    ap.add_argument("--cache", default=None, help="where converted files and indexes go")
    ap.add_argument("--collections", default="cranfield,cisi")
    ap.add_argument("--systems", default="civsearch,omega,fts5")
    ap.add_argument("--baseline", help="another civsearch build (an earlier commit) scored beside this one, "
                    "on its own index of the same files")
    ap.add_argument("--civ-arg", action="append", default=[],
                    help="extra civsearch argument (repeatable), e.g. --civ-arg=--bm25-k1=1.0")
    ap.add_argument("--no-reindex", action="store_true", help="reuse the civsearch indexes")
    ap.add_argument("--limit", type=int, default=1000, help="ranks scored per query")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--quiet", action="store_true", help="print only the table")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    cache = os.path.abspath(a.cache or os.path.join(build, "bench-cache"))
    systems = a.systems.split(",")
    if a.baseline and "baseline" not in systems:
        systems.insert(1, "baseline")
    results = []
    latency = {}
    for name in a.collections.split(","):
        coll = evalsets.LOADERS[name]()
        base = os.path.join(cache, name if name != "court" else
                            "court-" + os.environ.get("CIV_COURT", "800,120").replace(",", "-"))
        docs = evalsets.write_html(coll, os.path.join(base, "files"))
        qs = metrics.judged_queries(coll.rel, coll.binary_min_gain)
        runs = {}
        if "civsearch" in systems:
            idx = os.path.join(base, "civ-index")
            if not (a.no_reindex and os.path.isdir(idx)):
                t = time.time()
                peers.civ_build(build, [docs], idx)
                if not a.quiet:
                    print("%s: civindex %.2f s" % (name, time.time() - t), file=sys.stderr)
            run, wall, inproc = {}, [], []
            for q in qs:
                t = time.perf_counter()
                ids, ms = peers.civ_query(build, idx, coll.queries[q], a.limit, a.civ_arg)
                wall.append((time.perf_counter() - t) * 1000)
                inproc.append(ms)
                run[q] = [evalsets.docno_from_name(i) for i in ids]
            runs["civsearch"] = run
            # Each query again as a user runs it: a page of 10 with snippets.
            page = []
            for q in qs:
                cmd = peers.civ_search_cmd(build, idx, coll.queries[q], 10, ["--or"] + a.civ_arg,
                                           snippet=200, json_out=False)
                t = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                page.append((time.perf_counter() - t) * 1000)
            latency[name] = (statistics.median(wall), pct(wall, 95), max(wall),
                             statistics.median(inproc), pct(inproc, 95), max(inproc),
                             statistics.median(page), pct(page, 95), max(page))
        if "baseline" in systems:
            bbuild = os.path.abspath(a.baseline)
            idx = os.path.join(base, "baseline-index")
            if not (a.no_reindex and os.path.isdir(idx)):
                peers.civ_build(bbuild, [docs], idx)
            runs["baseline"] = {q: [evalsets.docno_from_name(i) for i in
                                    peers.civ_query(bbuild, idx, coll.queries[q], a.limit)[0]]
                                for q in qs}
        if "omega" in systems:
            db = os.path.join(base, "omega-db")
            if not os.path.isdir(db):
                peers.omega_build(docs, db)
            om = peers.Omega(os.path.join(base, "omega-conf"), {name: db})
            runs["omega"] = {q: [evalsets.docno_from_name(u) for u in om.query(name, coll.queries[q], a.limit)]
                             for q in qs}
        if "fts5" in systems:
            fdb = os.path.join(base, "fts5.db")
            if not os.path.exists(fdb):
                peers.fts5_build(fdb, [(n, d["title"], d["body"]) for n, d in coll.docs.items()])
            f = peers.Fts5(fdb)
            runs["fts5"] = {q: f.query(coll.queries[q], a.limit) for q in qs}
        for s in systems:
            m, n, p, k = metrics.evaluate(runs[s], coll)
            results.append({"collection": name, "system": s, "map": m, "ndcg10": n, "p10": p,
                            "queries": k})
    # The table.
    ref = {(r["collection"]): r for r in results if r["system"] == "fts5"}
    print("%-10s %-10s %4s %7s %8s %6s %9s %10s" % ("collection", "system", "qs", "MAP", "nDCG@10",
                                                    "P@10", "MAP/FTS5", "nDCG/FTS5"))
    for r in results:
        f = ref.get(r["collection"])
        rm = "%9.3f" % (r["map"] / f["map"]) if f and f["map"] else "%9s" % "-"
        rn = "%10.3f" % (r["ndcg10"] / f["ndcg10"]) if f and f["ndcg10"] else "%10s" % "-"
        print("%-10s %-10s %4d %7.4f %8.4f %6.4f %s %s" % (r["collection"], r["system"], r["queries"],
                                                          r["map"], r["ndcg10"], r["p10"], rm, rn))
    if latency and not a.quiet:
        print("\ncivsearch per query, ms (median / p95 / max):")
        print("  %-10s %-22s %-22s %-22s" % ("", "top %d, process" % a.limit, "top %d, in-process" % a.limit,
                                             "page of 10 + snippets"))
        for name, l in latency.items():
            print("  %-10s %6.1f %6.1f %6.1f    %6.2f %6.2f %6.2f    %6.1f %6.1f %6.1f" % ((name,) + l))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"results": results, "latency": latency, "civ_args": a.civ_arg}, f, indent=1)


if __name__ == "__main__":
    main()
