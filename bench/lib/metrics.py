"""Ranking measures, computed here (no external scorer): average precision
(MAP over queries), nDCG@k with graded gains, and precision@k.

rel: {docno: gain}; a gain >= min_gain counts as relevant for the binary
measures (AP, P@k); nDCG uses the gains as they are.
"""
import math


def judged_queries(rel, min_gain):
    """Queries with at least one relevant document: only these are scored
    (AP is undefined without one), the same set for every system."""
    return sorted(q for q, r in rel.items() if any(g >= min_gain for g in r.values()))


def average_precision(ranking, rel, min_gain):
    nrel = sum(1 for g in rel.values() if g >= min_gain)
    if nrel == 0:
        return 0.0
    hits = 0
    total = 0.0
    seen = set()
    for i, d in enumerate(ranking, 1):
        if d in seen:
            continue
        seen.add(d)
        if rel.get(d, 0) >= min_gain:
            hits += 1
            total += hits / i
    return total / nrel


def ndcg(ranking, rel, k=10):
    dcg = 0.0
    for i, d in enumerate(ranking[:k], 1):
        g = rel.get(d, 0)
        if g > 0:
            dcg += g / math.log2(i + 1)
    ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return dcg / idcg if idcg > 0 else 0.0


def precision(ranking, rel, min_gain, k=10):
    return sum(1 for d in ranking[:k] if rel.get(d, 0) >= min_gain) / k


def evaluate(runs, coll):
    """runs: {qno: [docno, ...] best first}. Returns (MAP, nDCG@10, P@10, n)."""
    qs = judged_queries(coll.rel, coll.binary_min_gain)
    if not qs:
        return (0.0, 0.0, 0.0, 0)
    m = n = p = 0.0
    for q in qs:
        r = runs.get(q, [])
        rel = coll.rel[q]
        m += average_precision(r, rel, coll.binary_min_gain)
        n += ndcg(r, rel, 10)
        p += precision(r, rel, coll.binary_min_gain, 10)
    k = len(qs)
    return (m / k, n / k, p / k, k)


def per_query_ap(runs, coll):
    return {q: average_precision(runs.get(q, []), coll.rel[q], coll.binary_min_gain)
            for q in judged_queries(coll.rel, coll.binary_min_gain)}
