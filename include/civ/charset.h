/*
 * civ/charset.h — turning bytes of any encoding into clean UTF-8.
 */
#ifndef CIV_CHARSET_H
#define CIV_CHARSET_H

#include <stddef.h>

#include "civ/buf.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Converts in[0..len) from `charset` (any name iconv knows, or a common
 * alias such as "latin1", "cp1252", "utf8", "x-sjis") to UTF-8, appending
 * to out. Labels that in practice mean Windows-1252 (ISO-8859-1, US-ASCII)
 * are decoded as Windows-1252. Invalid sequences become U+FFFD and are
 * counted in *replaced (may be NULL). The result is then sanitized as by
 * civ_utf8_sanitize().
 * Returns CIV_EUNSUPPORTED (nothing appended) when the charset is unknown,
 * CIV_ENOMEM when memory runs out. */
civ_status civ_charset_to_utf8(civ_buf *out, const char *charset,
                               const char *in, size_t len, size_t *replaced,
                               civ_error *err);

/* 1 when `label` names a charset this machine can decode (an alias, a
 * Windows font charset name such as ANSI_CHARSET, or any name iconv
 * knows), else 0. */
int civ_charset_known(const char *label);

/* Copies s into out (at most outsz-1 bytes and a NUL) with A-Z lower-cased. */
void civ_ascii_lower(char *out, size_t outsz, const char *s);

/* What civ_text_decode() found. */
typedef struct civ_text_info {
    const char *charset;  /* static string: "UTF-8", "WINDOWS-1252", ... */
    size_t replaced;      /* bytes that could not be decoded (U+FFFD) */
    int mixed;            /* UTF-8 with invalid bytes mixed in */
} civ_text_info;

/* 1 when the bytes look like binary data rather than text in some 8-bit or
 * UTF-8 encoding (NUL bytes, many control characters). UTF-16 text with a
 * byte order mark is not binary. */
int civ_text_is_binary(const char *bytes, size_t len);

/* Decodes text whose encoding is unknown or only declared (declared may be
 * NULL): a UTF-8/UTF-16 byte order mark wins, then the declared charset if
 * the bytes agree with it, then UTF-8 if they are valid UTF-8, then UTF-8
 * with repairs when most non-ASCII bytes form valid sequences (info->mixed),
 * else Windows-1252 / ISO-8859-1. Appends clean UTF-8 to out.
 * Returns CIV_ENOMEM only; info may be NULL. */
civ_status civ_text_decode(civ_buf *out, const char *bytes, size_t len,
                           const char *declared, civ_text_info *info,
                           civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
