/*
 * civ/json.h — writing JSON that is always valid.
 *
 * Strings are repaired to valid UTF-8 (invalid bytes become U+FFFD) and
 * escaped, so documents with broken encodings never yield broken JSON.
 * Commas are placed automatically.
 */
#ifndef CIV_JSON_H
#define CIV_JSON_H

#include <stddef.h>

#include "civ/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CIV_JSON_MAX_DEPTH 32

typedef struct civ_json {
    civ_buf *out;                      /* borrowed */
    int depth;
    unsigned char first[CIV_JSON_MAX_DEPTH]; /* no element yet at this depth */
    int after_key;
} civ_json;

void civ_json_init(civ_json *j, civ_buf *out);
void civ_json_begin_object(civ_json *j);
void civ_json_end_object(civ_json *j);
void civ_json_begin_array(civ_json *j);
void civ_json_end_array(civ_json *j);
void civ_json_key(civ_json *j, const char *key);
void civ_json_string(civ_json *j, const char *s, size_t len);
void civ_json_cstr(civ_json *j, const char *s);  /* NULL writes null */
void civ_json_int(civ_json *j, long long v);
void civ_json_double(civ_json *j, double v);     /* non-finite writes null */
void civ_json_bool(civ_json *j, int v);
void civ_json_null(civ_json *j);

/* Appends s as a JSON string literal (quotes included) to out. */
void civ_json_quote(civ_buf *out, const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
