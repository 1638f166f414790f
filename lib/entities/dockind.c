/* The document classifier: opinion, transcript, filing, FOIA request, FOIA
 * response, press release. It reads the title and the first CLASSIFY_MAX
 * bytes (lower-cased once into a workspace), scores the cues of each kind
 * and takes the best above a threshold; a tie or a weak score is NONE.
 * Cost is bounded by CLASSIFY_MAX whatever the document's size. */
#include "entities_int.h"

#include <string.h>

#define CLASSIFY_MAX 32768
#define THRESHOLD 4

typedef struct cue {
    const char *text;     /* lower-case */
    int weight;
} cue;

static const cue opinion_cues[] = {
    { "delivered the opinion of the court", 6 }, { "syllabus", 2 }, { "per curiam", 4 },
    { "opinion of the court", 3 }, { "it is so ordered", 3 }, { "memorandum opinion", 5 },
    { "opinion and order", 5 }, { "memorandum and order", 4 }, { "dissenting", 1 },
    { "concurring", 1 }, { "we affirm", 2 }, { "we reverse", 2 }, { "affirmed", 1 },
    { "reversed and remanded", 2 }, { "certiorari to the", 2 }, { "circuit judges", 2 },
    { "circuit judge:", 3 }, { "opinion by", 2 }, { "district judge", 1 },
    { "for the reasons stated", 1 }, { "the court holds", 2 }, { "we hold", 2 },
    { NULL, 0 },
};
static const cue transcript_cues[] = {
    { "oral argument", 2 }, { "transcript", 2 }, { "proceedings", 1 }, { "(whereupon", 3 },
    { "the court reporter", 2 }, { "chief justice", 1 }, { "may it please the court", 3 },
    { "(pause", 2 }, { "(laughter", 2 }, { NULL, 0 },
};
static const cue filing_cues[] = {
    { "memorandum in support", 6 }, { "memorandum of law", 5 }, { "motion to ", 2 },
    { "plaintiff", 1 }, { "defendant", 1 }, { "civil action no", 3 }, { "case no", 2 },
    { "respectfully submitted", 4 }, { "complaint for", 4 }, { "prayer for relief", 4 },
    { "certificate of service", 3 }, { "brief for", 3 }, { "brief of amic", 4 },
    { "jury trial demanded", 3 }, { "petition for", 1 }, { "attorneys for", 2 },
    { "counsel for", 1 }, { "in the united states district court", 2 },
    { "comes now", 3 }, { "hereby moves", 4 }, { "wherefore", 2 }, { "docket no", 1 },
    { "statement of facts", 1 }, { "argument", 1 }, { NULL, 0 },
};
static const cue request_cues[] = {
    { "this is a request under", 5 }, { "request under the freedom of information act", 4 },
    { "pursuant to the freedom of information act", 2 }, { "i request", 3 },
    { "we request", 3 }, { "hereby request", 4 }, { "i am requesting", 3 },
    { "request for records", 3 }, { "records requested", 3 }, { "fee waiver", 2 },
    { "expedited processing", 2 }, { "foia officer", 2 }, { "i ask that", 1 },
    { "please provide", 1 }, { "requester", 1 }, { "we are requesting", 3 },
    { "i would like to request", 3 }, { NULL, 0 },
};
static const cue response_cues[] = {
    { "in response to your", 4 }, { "your request", 2 }, { "your foia request", 2 },
    { "we have processed", 3 }, { "has been processed", 3 }, { "pages were reviewed", 4 },
    { "pages are being released", 4 }, { "released in full", 3 }, { "released in part", 3 },
    { "withheld in full", 3 }, { "withheld in part", 3 }, { "you may appeal", 3 },
    { "right to appeal", 2 }, { "office of government information services", 2 },
    { "final response", 3 }, { "interim response", 3 }, { "enclosed", 1 },
    { "we are releasing", 3 }, { "no records responsive", 4 }, { "were located", 1 },
    { "this letter is in response", 4 }, { "responsive records", 2 }, { NULL, 0 },
};
static const cue press_cues[] = {
    { "for immediate release", 6 }, { "press release", 4 }, { "news release", 4 },
    { "media contact", 3 }, { "press contact", 3 }, { "###", 2 }, { "today announced", 2 },
    { "announced today", 2 }, { "contact:", 1 }, { "for more information", 1 },
    { NULL, 0 },
};

static int score(const char *low, const cue *c)
{
    int s = 0;
    for (; c->text; c++)
        if (strstr(low, c->text))
            s += c->weight;
    return s;
}

/* Lines that are speaker turns: "MR. SMITH:", "JUSTICE KAGAN:", "Q.", "A.". */
static int speaker_turns(const char *t, size_t len)
{
    int turns = 0;
    size_t i = 0;
    while (i < len && turns < 10) {
        size_t b = i;
        while (i < len && t[i] != '\n')
            i++;
        size_t e = i;
        i++;
        while (b < e && (t[b] == ' ' || t[b] == '\t'))
            b++;
        if (e - b >= 2 && (t[b] == 'Q' || t[b] == 'A') && (t[b + 1] == '.' || t[b + 1] == ':') &&
            (e - b == 2 || t[b + 2] == ' ')) {
            turns++;
            continue;
        }
        size_t k = b, upper = 0;
        while (k < e && k - b < 40 && ((t[k] >= 'A' && t[k] <= 'Z') || t[k] == ' ' || t[k] == '.' ||
                                       t[k] == '\'' || t[k] == '-'))
            upper += t[k] >= 'A' && t[k] <= 'Z', k++;
        if (k < e && t[k] == ':' && upper >= 3)
            turns++;
    }
    return turns;
}

civ_doc_kind civ_ent_classify(const char *t, size_t len, const char *title, size_t tlen,
                              civ_buf *tmp)
{
    size_t n = len < CLASSIFY_MAX ? len : CLASSIFY_MAX;
    civ_buf_reset(tmp);
    if (civ_buf_reserve(tmp, n + tlen + 2) < 0)
        return CIV_DOC_KIND_NONE;
    char *low = tmp->data;
    size_t k = 0;
    for (size_t i = 0; i < tlen; i++)
        low[k++] = (char)(title[i] >= 'A' && title[i] <= 'Z' ? title[i] + 32 : title[i] ? title[i] : ' ');
    low[k++] = '\n';
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        low[k++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c ? c : ' ';
    }
    low[k] = '\0';
    tmp->len = k;
    int s[CIV_DOC_KINDS] = { 0 };
    s[CIV_DOC_KIND_OPINION] = score(low, opinion_cues);
    s[CIV_DOC_KIND_TRANSCRIPT] = score(low, transcript_cues);
    int turns = speaker_turns(t, n);
    if (turns >= 3)
        s[CIV_DOC_KIND_TRANSCRIPT] += 3 + (turns >= 6 ? 2 : 0);
    s[CIV_DOC_KIND_FILING] = score(low, filing_cues);
    int foia = strstr(low, "freedom of information") || strstr(low, "foia");
    s[CIV_DOC_KIND_FOIA_REQUEST] = foia ? score(low, request_cues) : 0;
    s[CIV_DOC_KIND_FOIA_RESPONSE] = foia || strstr(low, "privacy act") ? score(low, response_cues) : 0;
    s[CIV_DOC_KIND_PRESS_RELEASE] = score(low, press_cues);
    /* A letter answering a request quotes the request's words. */
    if (s[CIV_DOC_KIND_FOIA_RESPONSE] >= THRESHOLD)
        s[CIV_DOC_KIND_FOIA_REQUEST] /= 2;
    int best = CIV_DOC_KIND_NONE, bs = THRESHOLD - 1, tie = 0;
    for (int i = 1; i < CIV_DOC_KINDS; i++) {
        if (s[i] > bs) {
            best = i;
            bs = s[i];
            tie = 0;
        } else if (s[i] == bs && best != CIV_DOC_KIND_NONE) {
            tie = 1;
        }
    }
    return tie ? CIV_DOC_KIND_NONE : (civ_doc_kind)best;
}
