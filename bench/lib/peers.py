"""Building and querying the peer systems on the same files: civsearch's
own civindex/civsearch, Xapian omega (omindex + the omega CGI binary, run
directly), and SQLite FTS5 (porter tokenizer, bm25())."""
import json
import os
import re
import sqlite3
import subprocess
import urllib.parse

OMEGA_CGI = "/usr/lib/cgi-bin/omega/omega"


def run(cmd, ok=(0,), **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if p.returncode not in ok:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode,
                                                   p.stderr.decode(errors="replace")[-2000:]))
    return p


# ---- civsearch -------------------------------------------------------------

def civ_build(build, src_dirs, index):
    # civindex exits 1 when some files were skipped (Cranfield has two
    # empty abstracts): that is expected here.
    run([os.path.join(build, "civindex"), "-q", "--full", "-i", index] + list(src_dirs), ok=(0, 1))


def civ_search_cmd(build, index, query, limit, extra=(), snippet=0, json_out=True):
    cmd = [os.path.join(build, "civsearch"), "-i", index, "-n", str(limit),
           "--snippet", str(snippet)]
    if json_out:
        cmd.append("--json")
    return cmd + list(extra) + ["--", query]


def civ_query(build, index, query, limit=1000, extra=()):
    """Ids (file names) best first, and civsearch's own elapsed_ms. Long
    natural-language queries run with OR semantics (--or)."""
    p = subprocess.run(civ_search_cmd(build, index, query, limit, ["--or"] + list(extra)),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        raise RuntimeError("civsearch failed on %r: %s" % (query, p.stderr.decode()))
    if p.returncode == 1 and not p.stdout.strip():
        return [], 0.0
    j = json.loads(p.stdout)
    return [h["id"] for h in j["results"]], j.get("elapsed_ms", 0.0)


# ---- omega -----------------------------------------------------------------

def omega_build(src_dir, db, url="/"):
    run(["omindex", "--db", db, "--url", url, "--empty-docs=index", "--no-delete", src_dir])


class Omega:
    """The omega CGI binary with its own omega.conf and templates: "ids"
    (url and weight per hit, for scoring) and the stock "query" page for
    timing with snippets."""

    def __init__(self, confdir, dbs):
        self.confdir = confdir
        os.makedirs(os.path.join(confdir, "db"), exist_ok=True)
        os.makedirs(os.path.join(confdir, "templates"), exist_ok=True)
        os.makedirs(os.path.join(confdir, "log"), exist_ok=True)
        for name, path in dbs.items():
            link = os.path.join(confdir, "db", name)
            if os.path.islink(link):
                os.unlink(link)
            os.symlink(os.path.abspath(path), link)
        with open(os.path.join(confdir, "omega.conf"), "w") as f:
            f.write("database_dir %s/db\ntemplate_dir %s/templates\nlog_dir %s/log\n"
                    % (confdir, confdir, confdir))
        with open(os.path.join(confdir, "templates", "ids"), "w") as f:
            # The stock "query" template's prefix map (plain words also
            # search the title), then one url per hit.
            f.write("$setmap{prefix,,$split{ S B F},title,S,author,A,topic,B}"
                    "$hitlist{$field{url}\n}")
        stock = "/var/lib/xapian-omega/templates"
        # The stock page with wildcards switched on (they are off by
        # default), for the wildcard queries.
        with open(os.path.join(stock, "query"), encoding="utf-8") as src:
            page = src.read()
        with open(os.path.join(confdir, "templates", "querywild"), "w", encoding="utf-8") as f:
            f.write("$set{flag_wildcard,1}" + page)
        for t in os.listdir(stock):
            dst = os.path.join(confdir, "templates", t)
            if not os.path.exists(dst):
                os.symlink(os.path.join(stock, t), dst)
        self.conf = os.path.join(confdir, "omega.conf")

    def env(self, params):
        e = dict(os.environ)
        e.update({"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET",
                  "OMEGA_CONFIG_FILE": self.conf,
                  "QUERY_STRING": urllib.parse.urlencode(params)})
        return e

    def query(self, db, query, limit=1000):
        params = {"DB": db, "FMT": "ids", "HITSPERPAGE": str(limit), "DEFAULTOP": "or",
                  "P": query}
        p = run([OMEGA_CGI], env=self.env(params))
        out = p.stdout.decode("utf-8", "replace")
        body = out.split("\r\n\r\n", 1)[-1] if "\r\n\r\n" in out else out.split("\n\n", 1)[-1]
        return [line.strip().lstrip("/") for line in body.splitlines() if line.strip()]


# ---- SQLite FTS5 -------------------------------------------------------------

def fts5_build(dbpath, rows):
    """rows: (rowid, title, body). A table with title and body columns,
    tokenize='porter', ranked by bm25(t) with its default weights."""
    if os.path.exists(dbpath):
        os.unlink(dbpath)
    con = sqlite3.connect(dbpath)
    con.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='porter')")
    con.executemany("INSERT INTO t(rowid, title, body) VALUES (?, ?, ?)", rows)
    con.commit()
    con.close()


WORD = re.compile(r"[A-Za-z0-9]+")


def fts5_or_query(text):
    """A natural-language text as an FTS5 OR query of its words."""
    words = [w.lower() for w in WORD.findall(text)]
    seen = []
    for w in words:
        if w not in seen:
            seen.append(w)
    return " OR ".join('"%s"' % w for w in seen)


class Fts5:
    def __init__(self, dbpath):
        self.con = sqlite3.connect(dbpath)

    def query(self, text, limit=1000):
        q = fts5_or_query(text)
        if not q:
            return []
        cur = self.con.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?",
                               (q, limit))
        return [r[0] for r in cur]
