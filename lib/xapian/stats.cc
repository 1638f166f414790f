/* lib/xapian/stats.cc — what an index holds (civsearch --stats). */
#include "internal.hh"

#include <algorithm>
#include <cstdlib>
#include <dirent.h>
#include <sys/stat.h>

#include "civ/parse.h"

using namespace civx;

namespace {

uint64_t dir_size(const std::string &path)
{
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return static_cast<uint64_t>(st.st_size);
    uint64_t total = 0;
    DIR *d = opendir(path.c_str());
    if (!d)
        return 0;
    while (struct dirent *e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        std::string p = path + "/" + e->d_name;
        if (stat(p.c_str(), &st) != 0)
            continue;
        if (S_ISREG(st.st_mode))
            total += static_cast<uint64_t>(st.st_size);
        else if (S_ISDIR(st.st_mode) && e->d_name[0] != '.')
            total += dir_size(p); /* the generation a stub points to */
    }
    closedir(d);
    return total;
}

civ_status prefix_counts(const Xapian::Database &db, const char *prefix, civ_count **out,
                         size_t *n)
{
    std::vector<std::pair<std::string, Xapian::doccount>> v;
    size_t pl = strlen(prefix);
    for (Xapian::TermIterator t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
        std::string term = *t;
        /* Skip longer prefixes sharing our first letters ("XT" vs "XTO"). */
        if (term.size() > pl && term[pl] >= 'A' && term[pl] <= 'Z')
            continue;
        v.emplace_back(term.substr(pl), t.get_termfreq());
    }
    std::sort(v.begin(), v.end(), [](const std::pair<std::string, Xapian::doccount> &a,
                                     const std::pair<std::string, Xapian::doccount> &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    *n = 0;
    *out = static_cast<civ_count *>(calloc(v.size() + 1, sizeof(civ_count)));
    if (!*out)
        return CIV_ENOMEM;
    for (auto &p : v) {
        char *s = strdup(p.first.c_str());
        if (!s)
            return CIV_ENOMEM;
        (*out)[*n].value = s;
        (*out)[*n].count = p.second;
        (*n)++;
    }
    return CIV_OK;
}

} // namespace

extern "C" void civ_stats_free(civ_stats *s)
{
    if (!s)
        return;
    civ_count *lists[] = { s->types, s->langs, s->formats };
    size_t counts[] = { s->ntypes, s->nlangs, s->nformats };
    for (int l = 0; l < 3; l++) {
        for (size_t i = 0; i < counts[l]; i++)
            free(lists[l][i].value);
        free(lists[l]);
    }
    free(s->stemmer);
    free(s);
}

extern "C" civ_status civ_db_stats(civ_stats **out, civ_db *db, const char *path, civ_error *err)
{
    if (!out || !db)
        return civ_error_set(err, CIV_EINVAL, "civ_db_stats: NULL argument");
    *out = nullptr;
    civ_stats *s = static_cast<civ_stats *>(calloc(1, sizeof *s));
    if (!s)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    try {
        s->documents = db->db.get_doccount();
        uint64_t terms = 0;
        for (Xapian::TermIterator t = db->db.allterms_begin(); t != db->db.allterms_end(); ++t)
            terms++;
        s->terms = terms;
        s->disk_bytes = path ? dir_size(path) : 0;
        std::string up = db->db.get_metadata(META_UPDATED);
        s->updated = -1; /* unless a time was stored */
        (void)civ_parse_stored(&s->updated, up.c_str());
        s->stemmer = strdup(db->stemmer_lang.c_str());
        const civ_field_def *ft = civ_schema_field("type"), *fl = civ_schema_field("lang"),
                            *ff = civ_schema_field("format");
        if (!s->stemmer || prefix_counts(db->db, ft->prefix, &s->types, &s->ntypes) != CIV_OK ||
            prefix_counts(db->db, fl->prefix, &s->langs, &s->nlangs) != CIV_OK ||
            prefix_counts(db->db, ff->prefix, &s->formats, &s->nformats) != CIV_OK) {
            civ_stats_free(s);
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
        }
    } catch (...) {
        civ_stats_free(s);
        return map_exception(err, "index");
    }
    *out = s;
    return CIV_OK;
}
