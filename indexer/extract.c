/* The extractor registry: which extractor reads which input. */
#include "extract.h"

#include <string.h>
#include <strings.h>

const civ_extractor *const civ_extractors[] = {
    &civ_extractor_html,
    &civ_extractor_xml,
    &civ_extractor_mail,
    &civ_extractor_mbox,
    &civ_extractor_pdf,
    &civ_extractor_docx,
    &civ_extractor_odt,
    &civ_extractor_rtf,
    &civ_extractor_doc,
    &civ_extractor_zip,
    &civ_extractor_tar,
    &civ_extractor_image,
    &civ_extractor_text,
    NULL,
};

const civ_extractor *civ_extractor_for_name(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return NULL;
    for (size_t i = 0; civ_extractors[i]; i++)
        for (const char *const *e = civ_extractors[i]->extensions; e && *e; e++)
            if (strcasecmp(dot + 1, *e) == 0)
                return civ_extractors[i];
    return NULL;
}

/* 1 when the declared type t[0..n) matches `pattern`: the same type, or
 * any subtype for a pattern ending in "/" and "*". */
static int type_matches(const char *t, size_t n, const char *pattern)
{
    size_t pl = strlen(pattern);
    if (pl >= 2 && pattern[pl - 1] == '*')
        return n > pl - 1 && strncasecmp(t, pattern, pl - 1) == 0;
    return n == pl && strncasecmp(t, pattern, n) == 0;
}

const civ_extractor *civ_extractor_for_media_type(const char *type)
{
    while (*type == ' ')
        type++;
    size_t n = strcspn(type, "; \t");
    if (n == 0)
        return NULL;
    /* An exact type wins over a pattern (text/html over any text). */
    for (int exact = 1; exact >= 0; exact--)
        for (size_t i = 0; civ_extractors[i]; i++)
            for (const char *const *m = civ_extractors[i]->media_types; m && *m; m++)
                if ((strchr(*m, '*') == NULL) == exact && type_matches(type, n, *m))
                    return civ_extractors[i];
    return NULL;
}

const civ_extractor *civ_extractor_by_name(const char *name)
{
    for (size_t i = 0; civ_extractors[i]; i++)
        if (strcmp(civ_extractors[i]->name, name) == 0)
            return civ_extractors[i];
    return NULL;
}

const civ_extractor *civ_extractor_sniff(const unsigned char *bytes, size_t len)
{
    const civ_extractor *best = NULL;
    int score = 0;
    for (size_t i = 0; civ_extractors[i]; i++) {
        if (!civ_extractors[i]->sniff)
            continue;
        int s = civ_extractors[i]->sniff(bytes, len);
        if (s > score) {
            score = s;
            best = civ_extractors[i];
        }
    }
    return score >= 50 ? best : NULL;
}
