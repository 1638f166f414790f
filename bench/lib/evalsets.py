"""The relevance collections in ../shared/eval: documents, queries and
judgments, and their conversion to one HTML file per document.

Formats (see shared/eval/README.md): SMART-style files whose lines starting
with ".I n", ".T", ".A", ".B", ".W", ".X" open a record or a field.
"""
import html
import os
import re
import time

EVAL_DIR = os.environ.get("CIV_EVAL_DIR") or os.path.normpath(
    os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "eval"))


def parse_smart(path):
    """Yields (number, {field letter: text}) for each .I record."""
    recs = []
    cur = None
    field = None
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^\.([A-Z])(?:\s+(.*))?$", line)
            if m and m.group(1) in "ITABWXK":
                letter = m.group(1)
                if letter == "I":
                    cur = {"_n": int(m.group(2).strip())}
                    recs.append(cur)
                    field = None
                    continue
                field = letter
                cur.setdefault(field, [])
                if m.group(2) and m.group(2).strip():
                    cur[field].append(m.group(2).strip())
                continue
            if cur is not None and field is not None:
                cur[field].append(line)
    out = []
    for r in recs:
        fields = {k: "\n".join(v).strip() for k, v in r.items() if k != "_n"}
        out.append((r["_n"], fields))
    return out


def clean_ws(s):
    return re.sub(r"\s+", " ", s).strip()


class Collection:
    """name, docs {docno: {title, author, body, year}}, queries {qno: text},
    rel {qno: {docno: grade}} where a grade >= 1 is relevant for binary
    measures and is also the nDCG gain."""

    def __init__(self, name):
        self.name = name
        self.docs = {}
        self.queries = {}
        self.rel = {}


def load_cranfield():
    c = Collection("cranfield")
    base = os.path.join(EVAL_DIR, "cranfield")
    for n, f in parse_smart(os.path.join(base, "cran.all.1400")):
        m = re.search(r"\b(19[0-9][0-9])\b", f.get("B", ""))
        c.docs[n] = {
            "title": clean_ws(f.get("T", "")),
            "author": clean_ws(f.get("A", "")),
            "body": f.get("W", "").strip(),
            "year": int(m.group(1)) if m else None,
        }
    # Queries are numbered 1..225 by position (their .I numbers skip).
    for pos, (_, f) in enumerate(parse_smart(os.path.join(base, "cran.qry")), 1):
        c.queries[pos] = clean_ws(f.get("W", ""))
    # Grades 1 (complete answer) .. 4 (minimum interest), -1: not relevant.
    # Binary: 1-3 relevant. nDCG gain: 4,3,2,1 for grades 1,2,3,4.
    with open(os.path.join(base, "cranqrel")) as f:
        for line in f:
            p = line.split()
            if len(p) < 3:
                continue
            q, d, g = int(p[0]), int(p[1]), int(p[2])
            gain = {1: 4, 2: 3, 3: 2, 4: 1}.get(g, 0)
            c.rel.setdefault(q, {})[d] = gain
    c.binary_min_gain = 2  # grades 1-3
    return c


def load_cisi():
    c = Collection("cisi")
    base = os.path.join(EVAL_DIR, "cisi")
    for n, f in parse_smart(os.path.join(base, "CISI.ALL")):
        c.docs[n] = {
            "title": clean_ws(f.get("T", "")),
            "author": "; ".join(clean_ws(a) for a in f.get("A", "").split("\n") if a.strip()),
            "body": f.get("W", "").strip(),
            "year": None,
        }
    # The query is its .W text (some queries also carry .T/.A/.B of a paper).
    for n, f in parse_smart(os.path.join(base, "CISI.QRY")):
        c.queries[n] = clean_ws(f.get("W", ""))
    with open(os.path.join(base, "CISI.REL")) as f:
        for line in f:
            p = line.split()
            if len(p) < 2:
                continue
            c.rel.setdefault(int(p[0]), {})[int(p[1])] = 1
    c.binary_min_gain = 1
    return c


def load_court():
    """The synthetic court archive (courtgen.py): summaries are documents
    1.., long documents 100001..; a query names a topic. Its size comes
    from CIV_COURT (SUMMARIES,LONG; default 800,120)."""
    import courtgen
    ns, nl = (int(x) for x in os.environ.get("CIV_COURT", "800,120").split(","))
    gen = courtgen.Gen(1, 40, ns, nl)
    c = Collection("court")
    docno = {}
    for name, title, paras, grades in gen.documents():
        n = int(name[1:]) + (100000 if name[0] == "l" else 0)
        docno[name] = n
        c.docs[n] = {"title": title, "author": "", "body": "\n\n".join(paras),
                     "year": int(courtgen.date_of(name)[:4])}
        for t, g in grades.items():
            c.rel.setdefault(t + 1, {})[n] = g
    c.queries = gen.queries()
    c.binary_min_gain = 1
    return c


LOADERS = {"cranfield": load_cranfield, "cisi": load_cisi, "court": load_court}


def doc_filename(n):
    return "%04d.html" % n if n < 100000 else "long%06d.html" % n


def docno_from_name(name):
    """Document number from a file name or id ending in NNNN.html."""
    m = re.search(r"(\d+)\.html$", name or "")
    return int(m.group(1)) if m else None


def write_html(coll, outdir):
    """One small HTML page per document: <title>, author and date in <meta>,
    the abstract as the body. The file's mtime is set to the document's
    date (Cranfield: the year of its source; CISI has none: 1985-01-01),
    so that peers that only know file dates filter on the same dates."""
    os.makedirs(outdir, exist_ok=True)
    for n, d in coll.docs.items():
        year = d["year"] or 1985
        paras = [p for p in re.split(r"\n\s*\n|\n(?=\s)", d["body"]) if p.strip()]
        body = "\n".join("<p>%s</p>" % html.escape(clean_ws(p)) for p in paras)
        page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<title>%s</title>\n<meta name=\"author\" content=\"%s\">\n"
                "<meta name=\"date\" content=\"%04d-01-01\">\n</head>\n<body>\n%s\n</body>\n</html>\n"
                % (html.escape(d["title"]), html.escape(d["author"]), year, body))
        path = os.path.join(outdir, doc_filename(n))
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old != page:
            with open(path, "w", encoding="utf-8") as f:
                f.write(page)
        t = time.mktime((year, 1, 1, 12, 0, 0, 0, 0, -1))
        os.utime(path, (t, t))
    return outdir
