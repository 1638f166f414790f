/* The document classifier: opinion, transcript, filing, FOIA request, FOIA
 * response, press release. The scan marks the cues it meets in the first
 * CIV_ENT_CLASSIFY_MAX bytes (each cue starts with a word of the scanner's
 * dictionary, or with punctuation), the title is searched for every cue,
 * and the kinds' scores are the weights of the cues seen; the best score
 * above a threshold wins, a tie or a weak score is NONE. */
#include "entities_int.h"

#include <string.h>

#define THRESHOLD 4

/* Cues: phrases (lower-case) that suggest a kind, with a weight. Each
 * counts once a document. */
#define CUE(t, k, w) { t, k, w, sizeof(t) - 1 }
const civ_ent_cue civ_ent_cues[] = {
    CUE("delivered the opinion of the court", CIV_DOC_KIND_OPINION, 6),
    CUE("syllabus", CIV_DOC_KIND_OPINION, 2),
    CUE("per curiam", CIV_DOC_KIND_OPINION, 4),
    CUE("opinion of the court", CIV_DOC_KIND_OPINION, 3),
    CUE("it is so ordered", CIV_DOC_KIND_OPINION, 3),
    /* A ruling on a motion: the court's order, not a party's filing. */
    CUE("so ordered.", CIV_DOC_KIND_OPINION, 2),
    CUE("the motion is granted", CIV_DOC_KIND_OPINION, 3),
    CUE("the motion is denied", CIV_DOC_KIND_OPINION, 3),
    CUE("memorandum opinion", CIV_DOC_KIND_OPINION, 5),
    CUE("opinion and order", CIV_DOC_KIND_OPINION, 5),
    CUE("memorandum and order", CIV_DOC_KIND_OPINION, 4),
    CUE("dissenting", CIV_DOC_KIND_OPINION, 1),
    CUE("concurring", CIV_DOC_KIND_OPINION, 1),
    CUE("we affirm", CIV_DOC_KIND_OPINION, 2),
    CUE("we reverse", CIV_DOC_KIND_OPINION, 2),
    CUE("affirmed", CIV_DOC_KIND_OPINION, 1),
    CUE("reversed and remanded", CIV_DOC_KIND_OPINION, 2),
    CUE("certiorari to the", CIV_DOC_KIND_OPINION, 2),
    CUE("circuit judges", CIV_DOC_KIND_OPINION, 2),
    CUE("circuit judge:", CIV_DOC_KIND_OPINION, 3),
    CUE("opinion by", CIV_DOC_KIND_OPINION, 2),
    CUE("district judge", CIV_DOC_KIND_OPINION, 1),
    CUE("for the reasons stated", CIV_DOC_KIND_OPINION, 1),
    CUE("the court holds", CIV_DOC_KIND_OPINION, 2),
    CUE("we hold", CIV_DOC_KIND_OPINION, 2),
    CUE("oral argument", CIV_DOC_KIND_TRANSCRIPT, 2),
    CUE("transcript", CIV_DOC_KIND_TRANSCRIPT, 2),
    CUE("proceedings", CIV_DOC_KIND_TRANSCRIPT, 1),
    CUE("(whereupon", CIV_DOC_KIND_TRANSCRIPT, 3),
    CUE("the court reporter", CIV_DOC_KIND_TRANSCRIPT, 2),
    CUE("chief justice", CIV_DOC_KIND_TRANSCRIPT, 1),
    CUE("may it please the court", CIV_DOC_KIND_TRANSCRIPT, 3),
    CUE("(pause", CIV_DOC_KIND_TRANSCRIPT, 2),
    CUE("(laughter", CIV_DOC_KIND_TRANSCRIPT, 2),
    CUE("memorandum in support", CIV_DOC_KIND_FILING, 6),
    CUE("memorandum of law", CIV_DOC_KIND_FILING, 5),
    CUE("motion to ", CIV_DOC_KIND_FILING, 2),
    CUE("plaintiff", CIV_DOC_KIND_FILING, 1),
    CUE("defendant", CIV_DOC_KIND_FILING, 1),
    CUE("civil action no", CIV_DOC_KIND_FILING, 3),
    CUE("case no", CIV_DOC_KIND_FILING, 2),
    CUE("respectfully submitted", CIV_DOC_KIND_FILING, 2),
    CUE("complaint for", CIV_DOC_KIND_FILING, 4),
    CUE("prayer for relief", CIV_DOC_KIND_FILING, 4),
    CUE("certificate of service", CIV_DOC_KIND_FILING, 3),
    CUE("brief for", CIV_DOC_KIND_FILING, 3),
    CUE("brief of amic", CIV_DOC_KIND_FILING, 4),
    CUE("jury trial demanded", CIV_DOC_KIND_FILING, 3),
    CUE("petition for", CIV_DOC_KIND_FILING, 1),
    CUE("attorneys for", CIV_DOC_KIND_FILING, 2),
    CUE("counsel for", CIV_DOC_KIND_FILING, 1),
    CUE("in the united states district court", CIV_DOC_KIND_FILING, 2),
    CUE("comes now", CIV_DOC_KIND_FILING, 3),
    CUE("hereby moves", CIV_DOC_KIND_FILING, 4),
    CUE("wherefore", CIV_DOC_KIND_FILING, 2),
    CUE("docket no", CIV_DOC_KIND_FILING, 1),
    CUE("statement of facts", CIV_DOC_KIND_FILING, 1),
    CUE("argument", CIV_DOC_KIND_FILING, 1),
    CUE("this is a request under", CIV_DOC_KIND_FOIA_REQUEST, 5),
    CUE("request under the freedom of information act", CIV_DOC_KIND_FOIA_REQUEST, 4),
    CUE("pursuant to the freedom of information act", CIV_DOC_KIND_FOIA_REQUEST, 2),
    CUE("i request", CIV_DOC_KIND_FOIA_REQUEST, 3),
    CUE("we request", CIV_DOC_KIND_FOIA_REQUEST, 3),
    CUE("hereby request", CIV_DOC_KIND_FOIA_REQUEST, 4),
    CUE("i am requesting", CIV_DOC_KIND_FOIA_REQUEST, 3),
    CUE("request for records", CIV_DOC_KIND_FOIA_REQUEST, 3),
    CUE("records requested", CIV_DOC_KIND_FOIA_REQUEST, 3),
    CUE("fee waiver", CIV_DOC_KIND_FOIA_REQUEST, 2),
    CUE("expedited processing", CIV_DOC_KIND_FOIA_REQUEST, 2),
    CUE("foia officer", CIV_DOC_KIND_FOIA_REQUEST, 2),
    CUE("i ask that", CIV_DOC_KIND_FOIA_REQUEST, 1),
    CUE("please provide", CIV_DOC_KIND_FOIA_REQUEST, 1),
    CUE("requester", CIV_DOC_KIND_FOIA_REQUEST, 1),
    CUE("we are requesting", CIV_DOC_KIND_FOIA_REQUEST, 3),
    CUE("i would like to request", CIV_DOC_KIND_FOIA_REQUEST, 3),
    CUE("in response to your", CIV_DOC_KIND_FOIA_RESPONSE, 4),
    CUE("your request", CIV_DOC_KIND_FOIA_RESPONSE, 2),
    CUE("your foia request", CIV_DOC_KIND_FOIA_RESPONSE, 2),
    CUE("we have processed", CIV_DOC_KIND_FOIA_RESPONSE, 3),
    CUE("has been processed", CIV_DOC_KIND_FOIA_RESPONSE, 3),
    CUE("pages were reviewed", CIV_DOC_KIND_FOIA_RESPONSE, 4),
    CUE("pages are being released", CIV_DOC_KIND_FOIA_RESPONSE, 4),
    CUE("released in full", CIV_DOC_KIND_FOIA_RESPONSE, 3),
    CUE("released in part", CIV_DOC_KIND_FOIA_RESPONSE, 3),
    CUE("withheld in full", CIV_DOC_KIND_FOIA_RESPONSE, 3),
    CUE("withheld in part", CIV_DOC_KIND_FOIA_RESPONSE, 3),
    CUE("you may appeal", CIV_DOC_KIND_FOIA_RESPONSE, 3),
    CUE("right to appeal", CIV_DOC_KIND_FOIA_RESPONSE, 2),
    CUE("office of government information services", CIV_DOC_KIND_FOIA_RESPONSE, 2),
    CUE("final response", CIV_DOC_KIND_FOIA_RESPONSE, 3),
    CUE("interim response", CIV_DOC_KIND_FOIA_RESPONSE, 3),
    CUE("enclosed", CIV_DOC_KIND_FOIA_RESPONSE, 1),
    CUE("we are releasing", CIV_DOC_KIND_FOIA_RESPONSE, 3),
    CUE("no records responsive", CIV_DOC_KIND_FOIA_RESPONSE, 4),
    CUE("were located", CIV_DOC_KIND_FOIA_RESPONSE, 1),
    CUE("this letter is in response", CIV_DOC_KIND_FOIA_RESPONSE, 4),
    CUE("responsive records", CIV_DOC_KIND_FOIA_RESPONSE, 2),
    CUE("for immediate release", CIV_DOC_KIND_PRESS_RELEASE, 6),
    CUE("press release", CIV_DOC_KIND_PRESS_RELEASE, 4),
    CUE("news release", CIV_DOC_KIND_PRESS_RELEASE, 4),
    CUE("media contact", CIV_DOC_KIND_PRESS_RELEASE, 3),
    CUE("press contact", CIV_DOC_KIND_PRESS_RELEASE, 3),
    CUE("###", CIV_DOC_KIND_PRESS_RELEASE, 2),
    CUE("today announced", CIV_DOC_KIND_PRESS_RELEASE, 2),
    CUE("announced today", CIV_DOC_KIND_PRESS_RELEASE, 2),
    CUE("contact:", CIV_DOC_KIND_PRESS_RELEASE, 1),
    CUE("for more information", CIV_DOC_KIND_PRESS_RELEASE, 1),
    CUE("freedom of information", CIV_DOC_KIND_NONE, 0), CUE("foia", CIV_DOC_KIND_NONE, 0),
    CUE("privacy act", CIV_DOC_KIND_NONE, 0),
};
const size_t civ_ent_ncues = sizeof civ_ent_cues / sizeof civ_ent_cues[0];

/* Lines that are speaker turns: "MR. SMITH:", "JUSTICE KAGAN:", "THE
 * COURT:", "Q.", "A." (generic upper-case labels such as "NOTE:" are not). */
static int speaker_turns(const char *t, size_t len)
{
    static const char *const who[] = { "MR. ", "MS. ", "MRS. ", "DR. ", "JUSTICE ", "CHIEF JUSTICE ",
                                       "THE COURT:", "THE WITNESS:", "JUDGE ", "GENERAL ",
                                       "THE CLERK:", "THE MARSHAL:", "SENATOR ", "CHAIRMAN ",
                                       "CHAIRWOMAN ", "REPRESENTATIVE " };
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
        if (e - b < 2 || t[b] < 'A' || t[b] > 'Z' || !((t[b + 1] >= 'A' && t[b + 1] <= 'Z') ||
                                                       t[b + 1] == '.' || t[b + 1] == ':'))
            continue;
        if ((t[b] == 'Q' || t[b] == 'A') && (t[b + 1] == '.' || t[b + 1] == ':') &&
            (e - b == 2 || t[b + 2] == ' ')) {
            turns++;
            continue;
        }
        for (size_t w = 0; w < sizeof who / sizeof *who; w++) {
            size_t m = strlen(who[w]);
            if (e - b < m || memcmp(t + b, who[w], m) != 0)
                continue;
            if (who[w][m - 1] == ':') {
                turns++;
                break;
            }
            /* The name: upper-case words, then a colon. */
            size_t k = b + m;
            while (k < e && k - b < 48 && ((t[k] >= 'A' && t[k] <= 'Z') || t[k] == ' ' ||
                                           t[k] == '.' || t[k] == '\'' || t[k] == '-'))
                k++;
            if (k < e && t[k] == ':' && k > b + m)
                turns++;
            break;
        }
    }
    return turns;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

void civ_ent_cues_at(const civ_entities *e, const ent_wentry *we, const char *t, size_t len,
                     size_t pos, unsigned char *seen)
{
    const uint16_t *list;
    int n;
    if (we) {
        list = e->cue_order + we->cue_first;
        n = we->cue_n;
    } else {
        list = e->cue_punct;
        n = e->ncue_punct;
    }
    for (int j = 0; j < n; j++) {
        const civ_ent_cue *q = &civ_ent_cues[list[j]];
        if (seen[list[j]] || pos + q->len > len)
            continue;
        size_t k = 0;
        while (k < q->len && lower((unsigned char)t[pos + k]) == (unsigned char)q->text[k])
            k++;
        if (k == q->len)
            seen[list[j]] = 1;
    }
}

civ_doc_kind civ_ent_classify(const civ_entities *e, const char *t, size_t len, const char *title,
                              size_t tlen, unsigned char *seen)
{
    (void)e;
    size_t n = len < CIV_ENT_CLASSIFY_MAX ? len : CIV_ENT_CLASSIFY_MAX;
    /* The title: short, so every cue is looked for in it. */
    if (tlen) {
        char low[512];
        size_t m = tlen < sizeof low - 1 ? tlen : sizeof low - 1;
        for (size_t i = 0; i < m; i++)
            low[i] = (char)(title[i] ? lower((unsigned char)title[i]) : ' ');
        low[m] = '\0';
        for (size_t i = 0; i < civ_ent_ncues; i++)
            if (!seen[i] && strstr(low, civ_ent_cues[i].text))
                seen[i] = 1;
    }
    int s[CIV_DOC_KINDS] = { 0 }, foia = 0, privacy = 0;
    for (size_t i = 0; i < civ_ent_ncues; i++) {
        if (!seen[i])
            continue;
        s[civ_ent_cues[i].kind] += civ_ent_cues[i].weight;
        if (civ_ent_cues[i].weight == 0 && civ_ent_cues[i].text[0] == 'p')
            privacy = 1;
        else if (civ_ent_cues[i].weight == 0)
            foia = 1;
    }
    int turns = speaker_turns(t, n);
    if (turns >= 3)
        s[CIV_DOC_KIND_TRANSCRIPT] += 3 + (turns >= 6 ? 2 : 0);
    if (!foia)
        s[CIV_DOC_KIND_FOIA_REQUEST] = 0;
    if (!foia && !privacy)
        s[CIV_DOC_KIND_FOIA_RESPONSE] = 0;
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
