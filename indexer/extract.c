/* The extractor registry: which extractor reads which file. */
#include "civ/extract.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "civ/buf.h"

const civ_extractor *const civ_extractors[] = {
    &civ_extractor_html,
    &civ_extractor_xml,
    &civ_extractor_mail,
    &civ_extractor_mbox,
    &civ_extractor_text,
    NULL,
};

void civ_input_warn(const civ_input *in, const char *fmt, ...)
{
    if (!in->warn)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    in->warn(in->warn_ctx, msg);
}

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
