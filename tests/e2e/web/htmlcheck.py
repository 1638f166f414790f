#!/usr/bin/env python3
"""Checks that a page of the search page can do nothing but be read.

  htmlcheck.py check FILE   exit 1 (with reasons) unless the HTML uses only
                            the elements and attributes the page is made
                            of: no script, no event handler, no external or
                            javascript: link, no resource to load.
  htmlcheck.py links FILE   prints CONTEXT<TAB>TEXT<TAB>HREF for every link;
                            CONTEXT is the id (else the class) of the
                            nearest enclosing section, nav, aside, ol or ul.
"""
import sys
from html.parser import HTMLParser

ALLOWED = {
    "html": {"lang"}, "head": set(), "body": set(), "title": set(), "style": set(),
    "meta": {"charset", "name", "content"},
    "a": {"href", "class", "rel", "aria-label", "aria-current", "dir", "title"},
    "header": {"class"}, "footer": set(), "main": {"id", "class"}, "aside": {"aria-label"},
    "nav": {"class", "aria-label"}, "section": {"class", "aria-labelledby"},
    "article": {"lang"}, "div": {"class", "dir"},
    "form": {"class", "role", "method"},
    "label": {"class", "for"},
    "input": {"id", "name", "type", "maxlength", "autocomplete", "spellcheck", "placeholder",
              "value", "inputmode", "pattern"},
    "select": {"name"}, "option": {"value", "selected"},
    "button": {"type"},
    "h1": {"dir"}, "h2": {"id", "class", "dir"},
    "p": {"class", "role", "dir", "id"}, "mark": {"id"},
    "ol": {"class", "start"}, "ul": {"class", "aria-label"}, "li": {"class", "lang"},
    "span": {"class", "aria-hidden", "aria-current", "dir", "id"},
    "time": {"datetime"}, "q": {"dir"}, "code": set(), "b": set(),
    "dl": {"class"}, "dt": set(), "dd": {"dir"},
}
META_NAMES = {"viewport", "referrer", "robots"}
INPUT_TYPES = {"search", "hidden", None}
VOID = {"meta", "input", "br"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.stack = []
        self.links = []
        self.link = None
        self.styles = 0

    def context(self):
        for tag, attrs in reversed(self.stack):
            if tag in ("section", "nav", "aside", "ol", "ul"):
                name = attrs.get("aria-labelledby") or attrs.get("id") or attrs.get("class")
                if name:
                    return name
        return ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        where = f"<{tag}> at line {self.getpos()[0]}"
        if tag not in ALLOWED:
            self.problems.append(f"element not allowed: {where}")
        else:
            for name, value in attrs:
                if name.startswith("on"):
                    self.problems.append(f"event handler {name} on {where}")
                elif name not in ALLOWED[tag]:
                    self.problems.append(f"attribute {name} not allowed on {where}")
        href = a.get("href")
        if href is not None and not (href.startswith("?") or href.startswith("#")):
            self.problems.append(f"link leaves the page: {href!r} on {where}")
        if tag == "meta" and "name" in a and a["name"] not in META_NAMES:
            self.problems.append(f"meta name {a['name']!r}")
        if tag == "input" and a.get("type") not in INPUT_TYPES:
            self.problems.append(f"input type {a.get('type')!r}")
        if tag == "style":
            self.styles += 1
        if tag == "a":
            self.link = [self.context(), "", href or ""]
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag == "a" and self.link is not None:
            self.link[1] = " ".join(self.link[1].split())
            self.links.append(self.link)
            self.link = None
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.link is not None:
            self.link[1] += data
        if self.stack and self.stack[-1][0] == "style":
            for bad in ("url(", "@import", "expression("):
                if bad in data:
                    self.problems.append(f"style sheet loads something: {bad}")

    def handle_pi(self, data):
        self.problems.append("processing instruction")


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    page = Page()
    page.feed(text)
    page.close()
    if mode == "links":
        for c, t, h in page.links:
            print(f"{c}\t{t}\t{h}")
        return 0
    if not text.startswith("<!DOCTYPE html>"):
        page.problems.append("no <!DOCTYPE html>")
    if page.styles != 1:
        page.problems.append(f"{page.styles} style elements (want 1)")
    for p in page.problems:
        print(p)
    return 1 if page.problems else 0


if __name__ == "__main__":
    sys.exit(main())
