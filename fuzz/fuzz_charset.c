/* Fuzz target: charset detection and decoding. The first byte chooses the
 * declared charset (none, or one of the labels mail and HTML use). */
#include "fuzz.h"

#include "civ/buf.h"
#include "civ/charset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const labels[] = { NULL, "utf-8", "iso-8859-1", "windows-1252",
                                          "shift_jis", "koi8-r", "utf-16", "x-unknown" };
    const char *declared = NULL;
    if (size > 0) {
        declared = labels[data[0] % (sizeof labels / sizeof labels[0])];
        data++, size--;
    }
    civ_buf out = CIV_BUF_INIT;
    civ_text_info info;
    civ_text_is_binary((const char *)data, size);
    civ_text_decode(&out, (const char *)data, size, declared, &info, NULL);
    civ_buf_free(&out);
    return 0;
}
