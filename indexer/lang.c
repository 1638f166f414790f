/* Language guessing: the script first, then the most common words. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "enrich.h"
#include "civ/utf8.h"

typedef struct lang_words {
    const char *code;
    const char *const words[32];
} lang_words;

/* Very frequent function words, chosen to differ between the languages. */
static const lang_words latin[] = {
    { "en", { "the", "and", "of", "to", "is", "that", "for", "with", "this", "are", "be", "by", "which", "have", "we", "on", "it", "was", "were", "our", "they", "their", "from", "not", "or", "at", "you", "has", "will", "an", NULL } },
    { "fr", { "le", "les", "des", "est", "une", "dans", "pour", "que", "qui", "sur", "par", "pas", "au", "sont", NULL } },
    { "de", { "der", "die", "und", "das", "ist", "nicht", "mit", "den", "sich", "des", "auf", "für", "eine", "dem", NULL } },
    { "es", { "el", "los", "las", "del", "que", "por", "una", "para", "con", "se", "su", "al", "es", "como", NULL } },
    { "it", { "il", "della", "che", "di", "per", "una", "sono", "nel", "alla", "gli", "del", "non", "con", "le", NULL } },
    { "pt", { "os", "das", "que", "não", "uma", "para", "com", "dos", "ao", "por", "se", "na", "do", "são", NULL } },
    { "nl", { "de", "het", "een", "van", "en", "niet", "dat", "zijn", "op", "voor", "met", "is", "aan", "ook", NULL } },
    { "sv", { "och", "att", "det", "som", "är", "för", "på", "med", "till", "av", "den", "har", "inte", "om", NULL } },
    { "pl", { "nie", "się", "jest", "na", "do", "że", "w", "z", "to", "jak", "ale", "przez", "oraz", "dla", NULL } },
};

/* The words of latin[] by their first byte, built once: a word is compared
 * only with the few that start like it. */
typedef struct word_ref {
    const char *word;
    unsigned char lang;
} word_ref;

static word_ref by_first[256][48]; /* 21 at most today */
static unsigned char n_first[256];
static pthread_once_t by_first_once = PTHREAD_ONCE_INIT;

static void build_by_first(void)
{
    for (size_t l = 0; l < sizeof latin / sizeof latin[0]; l++)
        for (const char *const *x = latin[l].words; *x; x++) {
            unsigned char c = (unsigned char)**x;
            if (n_first[c] < sizeof by_first[c] / sizeof by_first[c][0]) {
                by_first[c][n_first[c]].word = *x;
                by_first[c][n_first[c]].lang = (unsigned char)l;
                n_first[c]++;
            }
        }
}

static int is_word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'';
}

const char *civ_lang_guess(const char *text, size_t len)
{
    size_t lim = civ_utf8_clip(text, len, 16384);
    const unsigned char *p = (const unsigned char *)text;
    size_t latin_n = 0, cyr = 0, arab = 0, hebr = 0, greek = 0, han = 0, kana = 0, hangul = 0,
           deva = 0, thai = 0;
    for (size_t i = 0; i < lim;) {
        uint32_t cp;
        size_t n = civ_utf8_decode(&cp, p + i, lim - i);
        if (!n) {
            i++;
            continue;
        }
        i += n;
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0x24F))
            latin_n++;
        else if (cp >= 0x400 && cp <= 0x4FF)
            cyr++;
        else if (cp >= 0x600 && cp <= 0x6FF)
            arab++;
        else if (cp >= 0x590 && cp <= 0x5FF)
            hebr++;
        else if (cp >= 0x370 && cp <= 0x3FF)
            greek++;
        else if (cp >= 0x4E00 && cp <= 0x9FFF)
            han++;
        else if (cp >= 0x3040 && cp <= 0x30FF)
            kana++;
        else if (cp >= 0xAC00 && cp <= 0xD7AF)
            hangul++;
        else if (cp >= 0x900 && cp <= 0x97F)
            deva++;
        else if (cp >= 0xE00 && cp <= 0xE7F)
            thai++;
    }
    size_t total = latin_n + cyr + arab + hebr + greek + han + kana + hangul + deva + thai;
    if (total < 20)
        return "und";
    if (kana * 10 > total)
        return "ja";
    if (hangul * 3 > total)
        return "ko";
    if (han * 3 > total)
        return "zh";
    if (cyr * 2 > total)
        return "ru";
    if (arab * 2 > total)
        return "ar";
    if (hebr * 2 > total)
        return "he";
    if (greek * 2 > total)
        return "el";
    if (deva * 2 > total)
        return "hi";
    if (thai * 2 > total)
        return "th";
    if (latin_n * 2 < total)
        return "und";
    /* Count common words of each Latin-script language. */
    pthread_once(&by_first_once, build_by_first);
    size_t score[sizeof latin / sizeof latin[0]] = { 0 };
    size_t words = 0;
    for (size_t i = 0; i < lim;) {
        while (i < lim && !is_word_byte(p[i]))
            i++;
        size_t s = i;
        while (i < lim && is_word_byte(p[i]))
            i++;
        size_t n = i - s;
        if (n == 0 || n > 12)
            continue;
        char w[16];
        for (size_t k = 0; k < n; k++)
            w[k] = (char)(p[s + k] >= 'A' && p[s + k] <= 'Z' ? p[s + k] + 32 : p[s + k]);
        w[n] = '\0';
        words++;
        unsigned char c = (unsigned char)w[0];
        for (unsigned k = 0; k < n_first[c]; k++)
            if (strcmp(by_first[c][k].word, w) == 0)
                score[by_first[c][k].lang]++;
    }
    size_t best = 0, second = 0, bi = 0;
    for (size_t l = 0; l < sizeof latin / sizeof latin[0]; l++) {
        if (score[l] > best) {
            second = best;
            best = score[l];
            bi = l;
        } else if (score[l] > second) {
            second = score[l];
        }
    }
    /* Sure enough: common words are frequent and one language leads. */
    if (best >= 2 && best * 100 >= words * 8 && best >= second * 3 / 2)
        return latin[bi].code;
    return "und";
}
