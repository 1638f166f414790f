/* Fuzz target: the search page's configuration file. */
#include "fuzz.h"

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    civ_config *c = NULL;
    if (civ_config_parse(&c, (const char *)data, size, "fuzz.conf", NULL) == CIV_OK)
        civ_config_free(c);
    return 0;
}
