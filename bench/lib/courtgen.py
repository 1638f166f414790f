"""A synthetic court archive for the long-document benchmarks: short case
summaries beside long oral-argument transcripts and opinions, with
relevance judgments made by construction.

Every word is drawn here, from word lists written for this generator
and Debian's English word list: no text of any real case or document.

Topics are invented doctrines, each named after an invented case
("Harrowgate v. Ostrander") and a few words of its own ("custodial
warnings"). A query names a topic the way people do: the case's name and
the doctrine's words. For each topic:
  - its landmark summary (a short document about it): grade 3;
  - two to four other summaries of cases that apply it: grade 2;
  - long documents (transcripts, opinions) whose subject it is: grade 2;
  - long documents with one passage about it, otherwise about another
    topic: grade 1;
and not relevant, though they contain its words:
  - summaries of other topics that cite it once or twice;
  - long documents that mention it again and again in passing, a few
    words at a time, scattered over their length (the failure the
    passage model is for).
The same seed and sizes give the same documents on any machine.
"""
import bisect
import html
import itertools
import os
import random

WORDLIST = "/usr/share/dict/words"

# Function words, most frequent first: the top of the Zipf ranks.
COMMON = """the of and to a in is that for it as was with be by on not he this are or his
from at which but have an had they you were their one all we can her has there been if more
when will would who so no she other its may these what them than some him time into only do
out our any two about first new also could must under such made those between without where
because over after should then did does here very well just whether upon""".split()

# Words of courts and cases, drawn often in every document.
LEGAL = """court justice counsel petitioner respondent appellant appellee statute
jurisdiction remand reverse affirm holding dissent concurrence opinion record trial
judgment verdict jury evidence testimony witness defendant plaintiff prosecution
amendment constitutional clause precedent argument brief question answer honor
officer state federal district circuit appeal motion suppress claim rule standard
review discretion error harmless prejudice habeas conviction sentence custody
procedure process due equal protection liberty property search seizure warrant
probable cause reasonable suspicion arrest detention interrogation confession
counsel waiver right remedy damages injunction relief agency regulation congress
legislature enactment provision section subsection paragraph footnote citation
majority plurality concur join vacate decree order mandate certiorari docket
argument rebuttal submission minutes clerk bench bar party parties""".split()

# Invented surnames for the cases of topics, and for the people who speak.
SURNAMES = """Harrowgate Ostrander Pellworth Quillane Marsdale Tennick Aldermoor Brackwith
Corvane Dunmere Ellacott Fairholm Gastrell Hollisby Ingleby Jessamine Kettering Lindqvist
Mallory Northcott Oakenshaw Penhallow Quarrington Redmayne Sallowby Thistlewood Umberleigh
Vanstone Wexcombe Yarrowby Ashdown Bellerby Crossthwaite Davenhill Eastwick Fenwright
Gildersleeve Hartopp Ivesley Jorrocks Kinnersley Loveridge Merriwether Nettlefold Orpington
Prestwich Rushbrooke Stanway Tregarthen Underhill Vellacott Whitlock Yelverton Ambridge
Blackmore Chalcroft Dimbleby Eversleigh Froggatt Greatorex Hazeldine Illingworth""".split()

# Doctrine words: a topic takes an adjective and a noun for its name, and
# more of them as its own vocabulary.
DOCTRINE_ADJ = """custodial exclusionary peremptory incidental warrantless sovereign qualified
retaliatory selective derivative inevitable attenuated curtilage vicarious prophylactic
establishment compelled testimonial anticipatory administrative inventory plain knock
lingering protective structural facial overbroad vagueness commercial disparate dormant
unenumerated substantive procedural equitable""".split()
DOCTRINE_NOUN = """warnings challenge arrest immunity exception doctrine seizure standing
discovery taint privilege search prayer speech tolling abstention preemption estoppel
forfeiture doctrine balancing scrutiny nexus exigency consent sweep frisk canvass
entrapment recusal severance joinder""".split()
TOPIC_WORDS = """interrogation silence lawyer coercion voluntariness stationhouse juror
strike pretext vehicle compartment passenger dwelling perimeter garage classroom recitation
chaplain liability officials clearly established violation motorist checkpoint canine sniff
thermal imaging pole camera cellular location tower records subscriber employer union
picket leaflet newspaper broadcaster libel malice candidate ballot district apportionment
tribe treaty reservation fishery tariff commerce interstate shipment carrier railroad
bankruptcy creditor trustee debtor patent claim inventor copyright fair parody trademark
dilution zoning easement covenant landlord tenant eviction asylum removal alien refugee
custody parental visitation adoption guardian prisoner solitary lethal injection execution
clemency parole probation restitution fine forfeiture militia firearm license permit
sidewalk parade assembly petition grievance clergy sanctuary vaccine quarantine""".split()

GRADES = {"landmark": 3, "summary": 2, "long": 2, "passage": 1}


class Topic:
    def __init__(self, i, rng, used):
        while True:
            a, b = rng.sample(SURNAMES, 2)
            if a not in used:
                break
        used.add(a)
        self.n = i
        self.name = a                      # the case's name, as people search it
        self.other = b
        self.adj = DOCTRINE_ADJ[i % len(DOCTRINE_ADJ)]
        self.noun = DOCTRINE_NOUN[(i * 7) % len(DOCTRINE_NOUN)]
        self.words = rng.sample(TOPIC_WORDS, 6)
        self.case = "%s v. %s" % (a, b)

    def query(self):
        return "%s %s" % (self.name.lower(), self.noun)

    def pick(self, rng):
        """A word of the topic, its name and doctrine words most often."""
        r = rng.random()
        if r < 0.25:
            return self.name
        if r < 0.45:
            return self.adj
        if r < 0.65:
            return self.noun
        return rng.choice(self.words)


class Words:
    """Background words with Zipf frequencies: COMMON first, LEGAL words
    among the first few hundred ranks, then the word list."""

    def __init__(self, rng):
        extra = []
        if os.path.exists(WORDLIST):
            with open(WORDLIST, encoding="utf-8", errors="replace") as f:
                for w in f:
                    w = w.strip()
                    if w.isalpha() and w.islower() and w.isascii() and 3 <= len(w) <= 12:
                        extra.append(w)
        rng2 = random.Random(rng.random())
        rng2.shuffle(extra)
        extra.sort(key=lambda w: len(w) + rng2.random() * 4)  # shorter words rank higher
        ranked = list(COMMON)
        legal = list(LEGAL)
        rng2.shuffle(legal)
        for i, w in enumerate(extra[:30000]):
            if legal and i % 3 == 0 and i < 3 * len(LEGAL):
                ranked.append(legal.pop())
            ranked.append(w)
        self.ranked = ranked
        self.cum = list(itertools.accumulate(1.0 / (r + 1) ** 1.05 for r in range(len(ranked))))

    def draw(self, rng, k):
        return rng.choices(self.ranked, cum_weights=self.cum, k=k)


class Gen:
    def __init__(self, seed=1, topics=40, summaries=800, longs=120,
                 long_words=(20000, 60000), summary_words=(350, 1400)):
        self.rng = random.Random(seed)
        self.words = Words(self.rng)
        used = set()
        self.topics = [Topic(i, self.rng, used) for i in range(topics)]
        self.nsummaries, self.nlongs = summaries, longs
        self.long_words, self.summary_words = long_words, summary_words
        self.people = [s for s in SURNAMES if s not in used]

    # ---- text -------------------------------------------------------------

    def sentence(self, topic=None, density=0.0, cites=()):
        rng = self.rng
        n = rng.randint(8, 26)
        ws = self.words.draw(rng, n)
        for i in range(n):
            if topic is not None and rng.random() < density:
                ws[i] = topic.pick(rng)
        for t in cites:  # a citation: the case's name, often its doctrine's
            at = rng.randrange(n - 2)
            ws[at] = t.name
            if rng.random() < 0.4:
                ws[at + 1] = t.noun
            if rng.random() < 0.15:
                ws[at + 2] = t.adj
        s = " ".join(ws)
        return s[0].upper() + s[1:] + ("?" if rng.random() < 0.1 else ".")

    def paragraph(self, nwords, topic=None, density=0.0, cites=()):
        out, total, cites = [], 0, list(cites)
        while total < nwords or cites:
            c = [cites.pop()] if cites and self.rng.random() < 0.5 else []
            s = self.sentence(topic, density, c)
            out.append(s)
            total += s.count(" ") + 1
        return " ".join(out), total

    def passing(self, n, count):
        """Where `count` passing mentions fall among n paragraphs: mostly
        one at a time, sometimes a few together."""
        at = {}
        left = count
        while left > 0:
            k = min(left, self.rng.choice((1, 1, 1, 2)))
            p = self.rng.randrange(n)
            at.setdefault(p, 0)
            at[p] += k
            left -= k
        return at

    # ---- documents ------------------------------------------------------

    def summary(self, topic, landmark, cited):
        rng = self.rng
        n = rng.randint(*self.summary_words)
        case = topic.case if landmark else "%s v. %s" % (rng.choice(self.people), rng.choice(self.people))
        title = "%s: summary" % case
        paras, total = [], 0
        while total < n:
            cites = [rng.choice(cited)] if cited and rng.random() < 0.3 else []
            p, k = self.paragraph(rng.randint(60, 160), topic, 0.03 if landmark else 0.025, cites)
            paras.append(p)
            total += k
        return title, paras

    def long(self, topic, passing, dedicated):
        """A transcript or an opinion about `topic`, naming each topic of
        `passing` (topic, count) in passing, with one passage about
        `dedicated` (or None)."""
        rng = self.rng
        n = rng.randint(*self.long_words)
        kind = rng.choice(("transcript", "opinion"))
        nparas = max(20, n // 110)
        plan = {}
        for t, count in passing:
            for p, k in self.passing(nparas, count).items():
                plan.setdefault(p, []).extend([t] * k)
        special = rng.randrange(nparas // 4, nparas - 2) if dedicated else -1
        speakers = ["JUSTICE %s" % s.upper() for s in rng.sample(self.people, 5)] + \
                   ["MR. %s" % rng.choice(self.people).upper(), "MS. %s" % rng.choice(self.people).upper()]
        paras = []
        if kind == "transcript":
            title = "%s: transcript of oral argument" % topic.case
        else:
            title = "%s: opinion of the court, with dissents" % topic.case
            paras.append("Opinion of the Court")
        for i in range(nparas):
            if i == special:
                p, _ = self.paragraph(rng.randint(300, 380), dedicated, 0.06)
            else:
                p, _ = self.paragraph(rng.randint(60, 160), topic, 0.01, plan.get(i, []))
            if kind == "transcript":
                p = "%s: %s" % (rng.choice(speakers), p)
            elif i and i % 25 == 0:
                paras.append(rng.choice(("Dissenting opinion", "Concurring opinion", "Part %d" % (i // 25 + 1))))
            paras.append(p)
        return title, paras

    def documents(self):
        """Yields (name, title, date, paragraphs, {topic index: grade})."""
        rng = self.rng
        T = self.topics
        n = 0
        for t in T:
            n += 1
            yield ("s%05d" % n, *self.summary(t, True, []), {t.n: GRADES["landmark"]})
        per = max(2, min(4, (self.nsummaries - len(T)) // max(1, len(T)) // 6))
        for t in T:
            for _ in range(per):
                n += 1
                cited = rng.sample([u for u in T if u is not t], 2)
                yield ("s%05d" % n, *self.summary(t, False, cited), {t.n: GRADES["summary"]})
        while n < self.nsummaries:
            n += 1
            t = rng.choice(T)
            cited = rng.sample([u for u in T if u is not t], 3) * 2
            title, paras = self.summary(t, False, cited)
            yield ("s%05d" % n, title, paras, {t.n: GRADES["summary"]})
        for i in range(self.nlongs):
            t = T[i % len(T)]
            others = rng.sample([u for u in T if u is not t], rng.randint(5, 10))
            passing = [(u, rng.randint(20, 80)) for u in others]
            dedicated = None
            if rng.random() < 0.3:
                dedicated = rng.choice([u for u in T if u is not t and u not in others])
            title, paras = self.long(t, passing, dedicated)
            rel = {t.n: GRADES["long"]}
            if dedicated:
                rel[dedicated.n] = GRADES["passage"]
            yield ("l%05d" % (i + 1), title, paras, rel)

    def queries(self):
        return {t.n + 1: t.query() for t in self.topics}


def date_of(name):
    k = int(name[1:])
    return "%04d-%02d-%02d" % (1960 + k % 60, 1 + k % 12, 1 + k % 28)


def write(outdir, gen, fmt="html"):
    """Writes the documents as HTML pages (or text files with a header
    block) into outdir, and returns (queries, qrels {qno: {name: grade}})."""
    os.makedirs(outdir, exist_ok=True)
    rel = {}
    for name, title, paras, grades in gen.documents():
        date = date_of(name)
        if fmt == "html":
            body = "\n".join("<p>%s</p>" % html.escape(p) for p in paras)
            page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<title>%s</title>\n<meta name=\"date\" content=\"%s\">\n</head>\n<body>\n%s\n"
                    "</body>\n</html>\n" % (html.escape(title), date, body))
            path = os.path.join(outdir, name + ".html")
        else:
            page = "Title: %s\nDate: %s\n\n%s\n" % (title, date, "\n\n".join(paras))
            path = os.path.join(outdir, name + ".txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
        for tn, g in grades.items():
            rel.setdefault(tn + 1, {})[name] = g
    return gen.queries(), rel


def main():
    import argparse
    ap = argparse.ArgumentParser(description="Writes the synthetic court archive (bench/lib/courtgen.py).")
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--topics", type=int, default=40)
    ap.add_argument("--summaries", type=int, default=800)
    ap.add_argument("--long", type=int, default=120)
    ap.add_argument("--long-words", default="20000-60000", help="words of a long document: MIN-MAX")
    ap.add_argument("--format", choices=("html", "text"), default="html")
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.long_words.split("-"))
    gen = Gen(a.seed, a.topics, a.summaries, a.long, (lo, hi))
    queries, rel = write(os.path.join(a.outdir, "files"), gen, "html" if a.format == "html" else "text")
    with open(os.path.join(a.outdir, "queries.tsv"), "w") as f:
        for q, text in sorted(queries.items()):
            f.write("%d\t%s\n" % (q, text))
    with open(os.path.join(a.outdir, "qrels.tsv"), "w") as f:
        for q in sorted(rel):
            for d, g in sorted(rel[q].items()):
                f.write("%d\t%s\t%d\n" % (q, d, g))


if __name__ == "__main__":
    main()
