#include "civ/query.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civ/db.h"
#include "civ/legal.h"
#include "civ/schema.h"
#include "civ/utf8.h"

const char *const civ_stopwords_english[] = {
    "a", "about", "an", "and", "are", "as", "at", "be", "been", "but", "by",
    "can", "could", "did", "do", "does", "for", "from", "had", "has", "have",
    "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "may", "me", "more", "most", "my", "no", "nor", "not", "of", "on", "or",
    "our", "shall", "she", "should", "so", "such", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "to",
    "too", "under", "upon", "us", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "you", "your", NULL
};

const char *const civ_stopwords_question[] = {
    "above", "after", "again", "against", "all", "also", "am", "any", "anybody",
    "anyone", "anything", "because", "before", "being", "below", "between",
    "both", "cannot", "concerning", "describe", "described", "describes",
    "discuss", "discussed", "doing", "down", "during", "each", "etc", "few",
    "further", "give", "given", "having", "here", "hers", "herself", "him",
    "himself", "interested", "itself", "just", "know", "known", "looking",
    "might", "mine", "must", "myself", "off", "once", "only", "ought", "ours",
    "ourselves", "out", "over", "own", "please", "regarding", "same", "some",
    "somebody", "someone", "something", "theirs", "themselves", "through",
    "until", "up", "want", "wanted", "wish", "yours", "yourself", "yourselves",
    NULL
};

typedef enum { T_WORD, T_BINOP, T_NOT, T_OPEN, T_CLOSE } tok_kind;

static int is_binop(const char *w, size_t n)
{
    if ((n == 3 && memcmp(w, "AND", 3) == 0) || (n == 2 && memcmp(w, "OR", 2) == 0) ||
        (n == 3 && memcmp(w, "XOR", 3) == 0))
        return 1;
    if ((n >= 4 && memcmp(w, "NEAR", 4) == 0) || (n >= 3 && memcmp(w, "ADJ", 3) == 0)) {
        size_t k = w[0] == 'N' ? 4 : 3;
        if (n == k)
            return 1;
        if (w[k] != '/' || n == k + 1)
            return 0;
        for (size_t i = k + 1; i < n; i++)
            if (!isdigit((unsigned char)w[i]))
                return 0;
        return 1;
    }
    return 0;
}

civ_status civ_query_check(const char *q, size_t len, civ_error *err)
{
    if (len > CIV_QUERY_MAX)
        return civ_error_set(err, CIV_EQUERY, "query is too long (%zu bytes; at most %d)",
                             len, CIV_QUERY_MAX);
    if (!civ_utf8_valid(q, len))
        return civ_error_set(err, CIV_EQUERY, "query is not valid UTF-8");
    int depth = 0, inquote = 0, nonblank = 0;
    tok_kind prev = T_OPEN; /* the start acts like an opening parenthesis */
    const char *prevword = "";
    size_t prevlen = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)q[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
            continue;
        }
        nonblank = 1;
        if (inquote) {
            if (c == '"')
                inquote = 0;
            i++;
            prev = T_WORD;
            continue;
        }
        if (c == '"') {
            inquote = 1;
            i++;
            prev = T_WORD;
            continue;
        }
        if (c == '(') {
            depth++;
            prev = T_OPEN;
            i++;
            continue;
        }
        if (c == ')') {
            if (depth == 0)
                return civ_error_set(err, CIV_EQUERY, "unbalanced parentheses: ')' without '('");
            if (prev == T_BINOP || prev == T_NOT)
                return civ_error_set(err, CIV_EQUERY, "%.*s needs a term after it",
                                     (int)prevlen, prevword);
            if (prev == T_OPEN)
                return civ_error_set(err, CIV_EQUERY, "empty parentheses");
            depth--;
            prev = T_CLOSE;
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && q[j] != ' ' && q[j] != '\t' && q[j] != '\n' && q[j] != '\r' &&
               q[j] != '(' && q[j] != ')' && q[j] != '"')
            j++;
        /* A field prefix followed by a quote ("title:\"...\"") is a word. */
        const char *w = q + i;
        size_t n = j - i;
        if (is_binop(w, n)) {
            if (prev == T_OPEN || prev == T_BINOP || prev == T_NOT)
                return civ_error_set(err, CIV_EQUERY, "%.*s needs a term on each side", (int)n, w);
            prev = T_BINOP;
            prevword = w;
            prevlen = n;
        } else if (n == 3 && memcmp(w, "NOT", 3) == 0) {
            if (prev == T_NOT)
                return civ_error_set(err, CIV_EQUERY, "NOT NOT is not a query");
            prev = T_NOT;
            prevword = w;
            prevlen = n;
        } else {
            prev = T_WORD;
        }
        i = j;
    }
    if (!nonblank)
        return civ_error_set(err, CIV_EQUERY, "empty query (use * to match every document)");
    if (depth > 0)
        return civ_error_set(err, CIV_EQUERY, "unbalanced parentheses: '(' without ')'");
    if (prev == T_BINOP)
        return civ_error_set(err, CIV_EQUERY, "%.*s needs a term on each side", (int)prevlen, prevword);
    if (prev == T_NOT)
        return civ_error_set(err, CIV_EQUERY, "NOT needs a term after it");
    return CIV_OK;
}

/* The end of the item starting at q[i]: a quoted phrase, a parenthesised
 * group, or a run up to a space. */
static size_t item_end(const char *q, size_t i, size_t len)
{
    if (q[i] == '"') {
        const char *e = memchr(q + i + 1, '"', len - i - 1);
        return e ? (size_t)(e - q) + 1 : len;
    }
    if (q[i] == '(') {
        int depth = 0, inquote = 0;
        for (size_t j = i; j < len; j++) {
            if (q[j] == '"')
                inquote = !inquote;
            else if (!inquote && q[j] == '(')
                depth++;
            else if (!inquote && q[j] == ')' && --depth == 0)
                return j + 1;
        }
        return len;
    }
    size_t j = i;
    int inquote = 0;
    while (j < len && (inquote || (q[j] != ' ' && q[j] != '\t' && q[j] != '\n' && q[j] != '\r'))) {
        if (q[j] == '"')
            inquote = !inquote;
        j++;
    }
    return j;
}

int civ_query_negation(const char *q, size_t len, civ_buf *out)
{
    size_t i = 0, items = 0, mark = out->len;
    while (i < len) {
        while (i < len && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r'))
            i++;
        if (i >= len)
            break;
        size_t start;
        if (q[i] == '-' && i + 1 < len && q[i + 1] != ' ') {
            start = i + 1;
        } else if (len - i > 4 && memcmp(q + i, "NOT", 3) == 0 && (q[i + 3] == ' ' || q[i + 3] == '(')) {
            start = i + 3;
            while (start < len && q[start] == ' ')
                start++;
            if (start >= len)
                goto no;
        } else {
            goto no;
        }
        size_t end = item_end(q, start, len);
        if (end <= start)
            goto no;
        if (items++)
            civ_buf_puts(out, " OR ");
        civ_buf_append(out, q + start, end - start);
        i = end;
    }
    if (items)
        return 1;
no:
    out->len = mark;
    if (out->data)
        out->data[mark] = '\0';
    return 0;
}

civ_status civ_query_check_fields(const char *q, size_t len, civ_error *err)
{
    int inquote = 0;
    for (size_t i = 0; i < len; i++) {
        if (q[i] == '"') {
            inquote = !inquote;
            continue;
        }
        if (inquote || q[i] != ':' || i == 0)
            continue;
        /* The name before the colon: letters, digits, underscores,
         * starting at a word boundary (or after + - ( of the language). */
        size_t s = i;
        while (s > 0 && (isalnum((unsigned char)q[s - 1]) || q[s - 1] == '_'))
            s--;
        if (s == i || isdigit((unsigned char)q[s]))
            continue; /* "10:30" */
        if (s > 0 && !(q[s - 1] == ' ' || q[s - 1] == '\t' || q[s - 1] == '(' || q[s - 1] == '-' ||
                       q[s - 1] == '+'))
            continue;
        /* A field has a value: "Note: this" and "http://" are no fields. */
        if (i + 1 >= len || q[i + 1] == ' ' || q[i + 1] == '\t' || q[i + 1] == '/')
            continue;
        char name[32];
        size_t n = i - s;
        if (n >= sizeof name)
            n = sizeof name - 1;
        memcpy(name, q + s, n);
        name[n] = '\0';
        if (strcmp(name, "date") == 0 || civ_schema_query_field(name))
            continue;
        /* The known ones, for the message. */
        char known[1024] = "date";
        size_t nf, kl = strlen(known);
        const civ_field_def *fs = civ_schema_fields(&nf);
        for (size_t k = 0; k < nf && kl + 40 < sizeof known; k++) {
            if (!fs[k].query_name || (fs[k].flags & CIV_FIELD_INTERNAL))
                continue;
            kl += (size_t)snprintf(known + kl, sizeof known - kl, ", %s", fs[k].query_name);
        }
        return civ_error_set(err, CIV_EQUERY, "unknown field \"%s\" (fields: %s)", name, known);
    }
    return CIV_OK;
}

int civ_query_strip_star(char *q)
{
    int removed = 0;
    size_t len = strlen(q);
    int inquote = 0;
    for (size_t i = 0; i < len; i++) {
        if (q[i] == '"')
            inquote = !inquote;
        if (inquote || q[i] != '*')
            continue;
        int left = i == 0 || q[i - 1] == ' ' || q[i - 1] == '(' || q[i - 1] == '\t';
        int right = i + 1 == len || q[i + 1] == ' ' || q[i + 1] == ')' || q[i + 1] == '\t';
        if (!left || !right)
            continue;
        q[i] = ' ';
        removed++;
        /* Drop an AND/OR right after it, or else right before it. */
        size_t k = i + 1;
        while (k < len && q[k] == ' ')
            k++;
        size_t e = k;
        while (e < len && q[e] != ' ')
            e++;
        if ((e - k == 3 && memcmp(q + k, "AND", 3) == 0) || (e - k == 2 && memcmp(q + k, "OR", 2) == 0)) {
            memset(q + k, ' ', e - k);
            continue;
        }
        size_t b = i;
        while (b > 0 && q[b - 1] == ' ')
            b--;
        size_t s = b;
        while (s > 0 && q[s - 1] != ' ' && q[s - 1] != '(')
            s--;
        if ((b - s == 3 && memcmp(q + s, "AND", 3) == 0) || (b - s == 2 && memcmp(q + s, "OR", 2) == 0))
            memset(q + s, ' ', b - s);
    }
    return removed;
}

static int is_word_char(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

int civ_query_is_plain(const char *q, size_t len, size_t *nwords)
{
    int plain = 1;
    size_t words = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)q[i];
        if (!is_word_char(c)) {
            if (c == '"' || c == '*')
                plain = 0;
            /* +word and -word at the start of a word are operators. */
            if ((c == '+' || c == '-') && i + 1 < len && is_word_char((unsigned char)q[i + 1]) &&
                (i == 0 || q[i - 1] == ' ' || q[i - 1] == '(' || q[i - 1] == '\t' || q[i - 1] == '\n'))
                plain = 0;
            i++;
            continue;
        }
        size_t j = i;
        /* A word: letters and digits, joined by - ' . inside. */
        while (j < len) {
            unsigned char d = (unsigned char)q[j];
            if (is_word_char(d)) {
                j++;
                continue;
            }
            if ((d == '-' || d == '\'' || d == '.') && j + 1 < len &&
                is_word_char((unsigned char)q[j + 1])) {
                j++;
                continue;
            }
            break;
        }
        const char *w = q + i;
        size_t n = j - i;
        words++;
        if (is_binop(w, n) || (n == 3 && memcmp(w, "NOT", 3) == 0))
            plain = 0;
        /* field:value (but not "Note: value") */
        if (j + 1 < len && q[j] == ':' && q[j + 1] != ' ' && q[j + 1] != '\t' && q[j + 1] != '\n')
            plain = 0;
        i = j;
    }
    if (nwords)
        *nwords = words;
    return plain;
}

int civ_sort_parse(civ_sort *out, const char *name)
{
    static const civ_sort all[] = { CIV_SORT_RELEVANCE, CIV_SORT_DATE_ASC, CIV_SORT_DATE_DESC,
                                    CIV_SORT_CITED, CIV_SORT_REDACTIONS };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(name, civ_sort_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

const char *civ_sort_name(civ_sort s)
{
    return s == CIV_SORT_DATE_ASC    ? "date"
           : s == CIV_SORT_DATE_DESC ? "-date"
           : s == CIV_SORT_CITED     ? "cited"
           : s == CIV_SORT_REDACTIONS ? "redactions"
                                     : "relevance";
}

/* ---- legal entities in plain words ----------------------------------- */

/* Whether q[i] starts a field:value item ("agency:fbi", "title:\"x y\"");
 * *end receives the item's end. */
static int field_item(const char *q, size_t i, size_t len, size_t *end)
{
    size_t j = i;
    while (j < len && (isalnum((unsigned char)q[j]) || q[j] == '_'))
        j++;
    if (j == i || j + 1 >= len || q[j] != ':' || q[j + 1] == ' ' || q[j + 1] == '\t' ||
        q[j + 1] == '\n' || q[j + 1] == '/' || isdigit((unsigned char)q[i]))
        return 0;
    *end = item_end(q, j + 1, len);
    return 1;
}

/* Marks in prot[] the bytes of q that are quoted phrases or field:value
 * items: entities there are the user's own exact choice. */
static void protected_bytes(const char *q, size_t len, unsigned char *prot)
{
    size_t i = 0, end;
    while (i < len) {
        int start = i == 0 || strchr(" \t\r\n(+-", q[i - 1]) != NULL;
        if (q[i] == '"') {
            const char *e = memchr(q + i + 1, '"', len - i - 1);
            end = e ? (size_t)(e - q) + 1 : len;
        } else if (start && field_item(q, i, len, &end)) {
        } else {
            i++;
            continue;
        }
        memset(prot + i, 1, end - i);
        i = end;
    }
}

/* Whether q[s..e) names an entity the words alone should also find: whole
 * words, no operator inside, and not one of the abbreviations that are
 * ordinary words in lower case ("ice", "doe", "dot"). */
static int rewritable(const char *q, size_t len, size_t s, size_t e, const civ_entity *en,
                      const unsigned char *prot)
{
    if (e <= s || e > len || (s > 0 && is_word_char((unsigned char)q[s - 1])) ||
        (e < len && (is_word_char((unsigned char)q[e]) || q[e] == '*' || q[e] == ':')))
        return 0;
    for (size_t i = s; i < e; i++)
        if (prot[i] || q[i] == '*')
            return 0;
    for (size_t i = s; i < e;) {
        while (i < e && !is_word_char((unsigned char)q[i]))
            i++;
        size_t j = i;
        while (j < e && is_word_char((unsigned char)q[j]))
            j++;
        if (j > i && (is_binop(q + i, j - i) || (j - i == 3 && memcmp(q + i, "NOT", 3) == 0)))
            return 0;
        i = j;
    }
    if (en->kind == CIV_ENTITY_AGENCY && e - s <= 4) {
        static const char *const plain[] = { "ice", "doe", "dos", "bop", "dot", "doi", "ins", "oip", NULL };
        int upper = 1;
        for (size_t i = s; i < e; i++)
            upper &= !islower((unsigned char)q[i]);
        for (size_t k = 0; plain[k] && !upper; k++)
            if (e - s == strlen(plain[k]) && strncasecmp(q + s, plain[k], e - s) == 0)
                return 0;
    }
    return 1;
}

/* The query name under which entities of a kind are searched. */
static const char *entity_query_name(civ_entity_kind kind)
{
    if (kind == CIV_ENTITY_CASENAME)
        return "case";
    const civ_field_def *f = civ_schema_field(civ_legal_field(kind) ? civ_legal_field(kind) : "");
    return f ? f->query_name : NULL;
}

/* A legal field's value with parentheses in it, unquoted
 * ("exemption:(b)(6)", "exemption:b(7)(C)"): the query parser would read
 * them as groups. Returns the end of the value (the item ends there) and
 * sets *colon, or returns 0. */
static size_t code_value(const char *q, size_t i, size_t len, size_t *colon)
{
    size_t j = i;
    while (j < len && (isalnum((unsigned char)q[j]) || q[j] == '_'))
        j++;
    if (j == i || j + 1 >= len || q[j] != ':' || q[j + 1] == '"')
        return 0;
    char name[32];
    if (j - i >= sizeof name)
        return 0;
    memcpy(name, q + i, j - i);
    name[j - i] = '\0';
    if (civ_legal_kind(name) < 0 && strcmp(name, "cite") != 0)
        return 0;
    int depth = 0, parens = 0;
    size_t e = j + 1;
    for (; e < len && q[e] != ' ' && q[e] != '\t' && q[e] != '\n' && q[e] != '\r' && q[e] != '"'; e++) {
        if (q[e] == '(')
            depth++, parens = 1;
        else if (q[e] == ')' && depth == 0)
            break; /* the group the item is in ends */
        else if (q[e] == ')')
            depth--;
    }
    if (!parens || depth != 0)
        return 0;
    *colon = j;
    return e;
}

typedef struct region {
    size_t s, e;        /* bytes of the query */
    size_t first, n;    /* its entities: keep[first .. first + n) */
} region;

int civ_query_entities(civ_buf *out, const char *q, size_t len, const civ_entities *ents,
                       civ_entity_list *list)
{
    size_t mark = out->len, n = 0;
    const civ_entity *es = NULL;
    unsigned char *prot = calloc(len + 1, 1);
    size_t *keep = NULL;
    region *rs = NULL;
    size_t nkeep = 0, nr = 0;
    if (!prot)
        return -1;
    if (civ_entities_normalise(list, ents, q, len, NULL) == CIV_OK)
        es = civ_entity_list_items(list, &n);
    keep = malloc((n + 1) * sizeof *keep);
    rs = malloc((n + 1) * sizeof *rs);
    if (!keep || !rs) {
        free(prot);
        free(keep);
        free(rs);
        return -1;
    }
    protected_bytes(q, len, prot);
    /* The entities to add, in order of their start (the list's order); a
     * span inside a larger one (FISA in "FISA court") is the larger one's
     * part, overlapping spans make one region. */
    for (size_t i = 0; i < n; i++) {
        const civ_entity *en = &es[i];
        if ((en->flags & (CIV_ENTITY_FINE | CIV_ENTITY_REF)) || !entity_query_name(en->kind) ||
            !rewritable(q, len, en->start, en->end, en, prot) || strchr(en->value, '"'))
            continue;
        int inside = 0;
        for (size_t k = 0; k < n && !inside; k++)
            inside = k != i && es[k].start <= en->start && es[k].end >= en->end &&
                     es[k].end - es[k].start > en->end - en->start && entity_query_name(es[k].kind) &&
                     !(es[k].flags & (CIV_ENTITY_FINE | CIV_ENTITY_REF)) &&
                     rewritable(q, len, es[k].start, es[k].end, &es[k], prot);
        if (inside)
            continue;
        if (nr && en->start < rs[nr - 1].e) {
            if (en->end > rs[nr - 1].e)
                rs[nr - 1].e = en->end;
            rs[nr - 1].n++;
        } else {
            rs[nr].s = en->start;
            rs[nr].e = en->end;
            rs[nr].first = nkeep;
            rs[nr].n = 1;
            nr++;
        }
        keep[nkeep++] = i;
    }
    size_t at = 0, quoted = 0;
    for (size_t r = 0; r <= nr; r++) {
        size_t upto = r < nr ? rs[r].s : len;
        /* Codes in parentheses after legal fields, quoted on the way. */
        for (size_t i = at; i < upto; i++) {
            size_t colon, e;
            int start = i == 0 || strchr(" \t\r\n(+-", q[i - 1]) != NULL;
            if (!start || !(e = code_value(q, i, len, &colon)))
                continue;
            civ_buf_append(out, q + at, colon + 1 - at);
            civ_buf_putc(out, '"');
            civ_buf_append(out, q + colon + 1, e - colon - 1);
            civ_buf_putc(out, '"');
            at = i = e;
            quoted++;
        }
        if (r == nr)
            break;
        civ_buf_append(out, q + at, rs[r].s - at);
        civ_buf_putc(out, '(');
        for (size_t i = rs[r].s; i < rs[r].e; i++)
            civ_buf_putc(out, strchr("\"():*", q[i]) ? ' ' : q[i]);
        for (size_t k = rs[r].first; k < rs[r].first + rs[r].n; k++) {
            const civ_entity *en = &es[keep[k]];
            civ_buf_printf(out, " OR %s:\"%s\"", entity_query_name(en->kind), en->value);
        }
        civ_buf_putc(out, ')');
        at = rs[r].e;
    }
    civ_buf_append(out, q + at, len - at);
    free(prot);
    free(keep);
    free(rs);
    if (civ_buf_failed(out)) {
        out->len = mark;
        return -1;
    }
    return (int)(nr + quoted);
}
