/* lib/xapian/spelling.cc — the spelling dictionary: counting words as
 * documents are written, adding them, and looking a query's words up. */
#include "writer.hh"

#include <algorithm>
#include <cctype>
#include <unordered_map>

extern "C" {
#include "civ/hash.h"
}

using namespace civx;

namespace {

/* How often a word must be in the dictionary to count as spelt right. */
const Xapian::doccount SPELL_KNOWN = 3;

/* Counts are added in large batches: a common word is then updated once
 * per batch, not once per commit. */
const unsigned SPELL_BATCH_DOCS = 5000;
const size_t SPELL_BATCH_WORDS = 300000;

uint64_t hash_of(const char *w, size_t n)
{
    return civ_hash64(w, n, 0) | 1; /* 0 marks a free slot */
}

} // namespace

void WordCounts::grow()
{
    std::vector<Slot> old(slots_.empty() ? 1024 : slots_.size() * 2, Slot{ 0, 0, 0, 0 });
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (const Slot &o : old) {
        if (!o.hash)
            continue;
        size_t i = o.hash & mask;
        while (slots_[i].hash)
            i = (i + 1) & mask;
        slots_[i] = o;
    }
}

void WordCounts::add(const char *w, size_t n, uint32_t inc)
{
    if ((used_ + 1) * 2 > slots_.size())
        grow();
    uint64_t h = hash_of(w, n);
    size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    while (slots_[i].hash) {
        Slot &sl = slots_[i];
        if (sl.hash == h && sl.len == n && memcmp(bytes_.data() + sl.off, w, n) == 0) {
            sl.count += inc;
            return;
        }
        i = (i + 1) & mask;
    }
    slots_[i] = Slot{ h, static_cast<uint32_t>(bytes_.size()), static_cast<uint32_t>(n), inc };
    bytes_.append(w, n);
    used_++;
}

void WordCounts::clear()
{
    std::vector<Slot>().swap(slots_);
    std::string().swap(bytes_);
    used_ = 0;
}

void civx::add_spelling_sorted(Xapian::WritableDatabase &db,
                               std::vector<std::pair<std::string, Xapian::termcount>> &words)
{
    std::sort(words.begin(), words.end());
    for (auto &wc : words)
        db.add_spelling(wc.first, wc.second);
    if (!words.empty())
        db.set_metadata(META_SPELLING, "1");
}

std::string civx::stemmer_code(const std::string &lang)
{
    static const char *const map[][2] = {
        { "english", "en" }, { "french", "fr" }, { "german", "de" }, { "spanish", "es" },
        { "italian", "it" }, { "portuguese", "pt" }, { "dutch", "nl" }, { "swedish", "sv" },
    };
    if (lang.size() == 2)
        return lang;
    for (auto &m : map)
        if (lang == m[0])
            return m[1];
    return "";
}

void civx::spell_words_of(civ_writer *w, const char *t, size_t n)
{
    each_dictionary_word(t, n, [w](const char *word, size_t len) { w->spell_words.add(word, len); });
}

/* The spelling dictionary gets every title word (CIV_FIELD_SPELL, counted
 * by civ_writer_put), and the words of documents in the index's language
 * or of undetermined language (their first 64 KB): counted here and added
 * a batch at a time, this costs a fraction of feeding every occurrence
 * through the term generator (bench/README.md, "bench/spelling"). */
void civx::count_spelling(civ_writer *w, const civ_doc *doc, const Xapian::Document &xd)
{
    if (!w->spell_lang.empty()) {
        const char *lang = civ_doc_get(doc, "lang");
        if (lang && *lang && w->spell_lang != lang && strcmp(lang, "und") != 0)
            return;
    }
    w->spell_docs++;
    w->spell_taken++;
    if (w->stem_all) {
        /* The terms are stems: read the words from the text itself. */
        size_t n;
        const char *t = civ_doc_text(doc, &n);
        spell_words_of(w, t, n < 65536 ? n : 65536);
        return;
    }
    for (Xapian::TermIterator t = xd.termlist_begin(); t != xd.termlist_end(); ++t) {
        const std::string &term = *t;
        if (term.size() < SPELL_MIN_BYTES || term.size() > SPELL_MAX_BYTES || (term[0] >= 'A' && term[0] <= 'Z'))
            continue;
        bool ok = true;
        for (unsigned char c : term)
            if ((c >= '0' && c <= '9') || c >= 0xE0) {
                ok = false;
                break;
            }
        if (ok)
            w->spell_words.add(term.data(), term.size());
    }
}

bool civx::spelling_batch_due(const civ_writer *w)
{
    return w->spelling == CIV_SPELL_FEED &&
           (w->spell_docs >= SPELL_BATCH_DOCS || w->spell_words.size() >= SPELL_BATCH_WORDS);
}

void civx::flush_spelling(civ_writer *w)
{
    if (w->spelling != CIV_SPELL_FEED)
        return; /* counts wait for civ_writer_take_spelling */
    std::vector<std::pair<std::string, Xapian::termcount>> add;
    add.reserve(w->spell_words.size());
    w->spell_words.each([&add](const char *word, size_t len, uint32_t n) {
        add.emplace_back(std::string(word, len), n);
    });
    w->spell_words.clear();
    add_spelling_sorted(w->db, add);
    w->spell_docs = 0;
}

bool civx::has_rare_word(const Xapian::Database &db, const std::string &text)
{
    std::vector<std::string> words;
    each_dictionary_word(text.data(), text.size(),
                         [&words](const char *word, size_t len) { words.emplace_back(word, len); });
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    Xapian::TermIterator sp = db.spellings_begin();
    for (const std::string &word : words) {
        sp.skip_to(word);
        if (sp == db.spellings_end() || *sp != word || sp.get_termfreq() < SPELL_KNOWN)
            return true;
    }
    return false;
}

namespace {

bool operator_word(const std::string &w)
{
    static const char *const ops[] = { "AND", "OR", "NOT", "XOR", "NEAR", "ADJ", nullptr };
    for (const char *const *o = ops; *o; o++)
        if (w.compare(0, strlen(*o), *o) == 0 &&
            (w.size() == strlen(*o) || w[strlen(*o)] == '/'))
            return true;
    return false;
}

/* How often the dictionary has seen a word (0: never). */
Xapian::doccount spelling_freq(const Xapian::Database &db, const std::string &w)
{
    Xapian::TermIterator sp = db.spellings_begin();
    sp.skip_to(w);
    return sp != db.spellings_end() && *sp == w ? sp.get_termfreq() : 0;
}

} // namespace

/* A word is corrected when the dictionary has never seen it, or seen it
 * rarely while the correction is far more common (a typing error the
 * collection itself holds once) and differs in its stem (a word the
 * collection uses as written, "faciale" beside "facial", is left alone when
 * the search finds the same either way). */
const Xapian::doccount SPELL_MORE_COMMON = 5;

std::string civx::spelling_correction(const Xapian::Database &db, const Xapian::Stem &stem,
                                      const std::string &text)
{
    std::string out;
    bool changed = false;
    size_t i = 0, n = text.size();
    while (i < n) {
        /* Runs of letters (the dictionary's words) between other bytes. */
        size_t j = i;
        while (j < n && (std::isalpha(static_cast<unsigned char>(text[j])) ||
                         static_cast<unsigned char>(text[j]) >= 0x80))
            j++;
        if (j == i) {
            out += text[i++];
            continue;
        }
        std::string word = text.substr(i, j - i);
        /* Left alone: operators, field names (before ':') and field
         * values (after ':'), words joined to digits or other words by
         * '-' or '\'', wildcards. */
        bool keep = operator_word(word) || (j < n && (text[j] == ':' || text[j] == '*' ||
                                                      text[j] == '\'' || text[j] == '-' ||
                                                      std::isdigit(static_cast<unsigned char>(text[j])))) ||
                    (i > 0 && (text[i - 1] == ':' || text[i - 1] == '\'' || text[i - 1] == '-' ||
                               std::isdigit(static_cast<unsigned char>(text[i - 1]))));
        std::string lw = word;
        for (char &c : lw)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c + 32);
        Xapian::doccount freq = 0;
        if (!keep && lw.size() >= SPELL_MIN_BYTES && lw.size() <= SPELL_MAX_BYTES &&
            (freq = spelling_freq(db, lw)) < SPELL_KNOWN) {
            std::string s = db.get_spelling_suggestion(lw, 2);
            if (!s.empty() && s != lw &&
                (freq == 0 || (spelling_freq(db, s) >= freq * SPELL_MORE_COMMON && stem(s) != stem(lw)))) {
                out += s;
                changed = true;
                i = j;
                continue;
            }
        }
        out += word;
        i = j;
    }
    return changed ? out : std::string();
}

/* ---- counts held apart from any index (a build's shards) --------------- */

struct civ_spelling {
    WordCounts words;
    uint64_t docs = 0; /* documents counted, all told */
};

extern "C" civ_status civ_spelling_new(civ_spelling **out, civ_error *err)
{
    if (!out)
        return civ_error_set(err, CIV_EINVAL, "civ_spelling_new: NULL argument");
    *out = nullptr;
    CIV_TRY
    *out = new civ_spelling;
    return CIV_OK;
    CIV_CATCH(err, "spelling")
}

extern "C" void civ_spelling_free(civ_spelling *sp)
{
    delete sp;
}

extern "C" size_t civ_spelling_pending(const civ_spelling *sp)
{
    return sp ? sp->words.size() : 0;
}

extern "C" uint64_t civ_spelling_docs(const civ_spelling *sp)
{
    return sp ? sp->docs : 0;
}

extern "C" void civ_spelling_clear(civ_spelling *sp)
{
    if (sp)
        sp->words.clear();
}

extern "C" civ_status civ_writer_take_spelling(civ_spelling *sp, civ_writer *w, civ_error *err)
{
    if (!sp || !w)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_take_spelling: NULL argument");
    CIV_TRY
    w->spell_words.each([sp](const char *word, size_t len, uint32_t n) { sp->words.add(word, len, n); });
    w->spell_words.clear();
    sp->docs += w->spell_taken;
    w->spell_taken = 0;
    w->spell_docs = 0;
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_add_spelling(civ_writer *w, civ_spelling *sp, unsigned min_count,
                                              civ_error *err)
{
    if (!sp || !w)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_add_spelling: NULL argument");
    CIV_TRY
    std::vector<std::pair<std::string, Xapian::termcount>> add;
    sp->words.remove_if([&add, min_count](const char *word, size_t len, uint32_t n) {
        if (n < min_count)
            return false;
        add.emplace_back(std::string(word, len), n);
        return true;
    });
    add_spelling_sorted(w->db, add);
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}
