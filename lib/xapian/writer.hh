/*
 * lib/xapian/writer.hh — what writer.cc and spelling.cc share: the writer
 * and its spelling-dictionary counts.
 */
#ifndef CIV_XAPIAN_WRITER_HH
#define CIV_XAPIAN_WRITER_HH

#include "internal.hh"

extern "C" {
#include "civ/compress.h"
}

namespace civx {

/* Word counts for the spelling dictionary: an open-addressing table over
 * one buffer of the words' bytes. Every word of every document passes
 * through it, at a fraction of the cost of a std::unordered_map of
 * strings (no allocation per word). */
class WordCounts {
    struct Slot {
        uint64_t hash;
        uint32_t off, len, count;
    };
    std::vector<Slot> slots_;
    std::string bytes_;
    size_t used_ = 0;
    void grow();

  public:
    void add(const char *w, size_t n, uint32_t inc = 1);
    size_t size() const { return used_; }
    bool empty() const { return used_ == 0; }
    /* Calls f(word, len, count) for every word. */
    template <class F> void each(F f) const
    {
        for (const Slot &sl : slots_)
            if (sl.hash)
                f(bytes_.data() + sl.off, static_cast<size_t>(sl.len), sl.count);
    }
    /* Removes the words f(word, len, count) says yes to, after calling it
     * for every word. */
    template <class F> void remove_if(F f)
    {
        WordCounts keep;
        each([&](const char *w, size_t n, uint32_t c) {
            if (!f(w, n, c))
                keep.add(w, n, c);
        });
        std::swap(*this, keep);
    }
    void clear();
};

/* Adds words with their counts to the dictionary in key order: words
 * already there are then looked up along the B-tree instead of all over
 * it (a third of the cost of adding a collection's words again). */
void add_spelling_sorted(Xapian::WritableDatabase &db,
                         std::vector<std::pair<std::string, Xapian::termcount>> &words);

} // namespace civx

struct civ_writer {
    Xapian::WritableDatabase db;
    Xapian::TermGenerator tg;
    Xapian::Stem stem;
    civx::ListStopper stopper{ civ_stopwords_english };
    std::string path;
    int text_level = 6;
    int spelling = 1;
    bool nosync = false;
    bool in_txn = false;
    bool stem_all = false;     /* META_STEMMING "all" */
    bool positions_noted = false; /* META_POSITIONS is "1" */
    unsigned spell_docs = 0;   /* documents counted since the last flush */
    uint64_t spell_taken = 0;  /* CIV_SPELL_COUNT: documents since the last take */
    /* Spelling dictionary: the index language's code ("en"; "" for all),
     * and the words of documents since the last flush with how many
     * documents had each. */
    std::string spell_lang;
    civx::WordCounts spell_words;
    civ_deflater *deflater = nullptr; /* passages' text, made on first use */
    ~civ_writer() { civ_deflater_free(deflater); }
};

namespace civx {

/* ISO 639-1 code of a stemming language, or "" (feed every document). */
std::string stemmer_code(const std::string &lang);

/* Counts the words of a document for the dictionary (see spelling.cc). */
void count_spelling(civ_writer *w, const civ_doc *doc, const Xapian::Document &xd);

/* Adds the words of t[0..n) to the writer's counts. */
void spell_words_of(civ_writer *w, const char *t, size_t n);

/* CIV_SPELL_FEED: adds the counted words to the writer's own dictionary
 * (pending until its next commit); true when a batch is due first. */
void flush_spelling(civ_writer *w);
bool spelling_batch_due(const civ_writer *w);

} // namespace civx

#endif
