/* Fuzz target: legal entity extraction over text, and the normalisation
 * of a cite: query. */
#include "fuzz.h"

#include "civ/buf.h"
#include "civ/entities.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static civ_entities *ents;
    static civ_entity_list *list;
    if (!ents && (civ_entities_new(&ents, NULL) != CIV_OK || civ_entity_list_new(&list, NULL) != CIV_OK))
        return 0;
    civ_entity_scan_opts o = CIV_ENTITY_SCAN_OPTS_INIT;
    civ_buf out = CIV_BUF_INIT;
    if (civ_entities_scan(list, ents, (const char *)data, size, &o, NULL) == CIV_OK)
        civ_entity_list_format(&out, list, CIV_ENTITY_ALL_MASK, NULL);
    if (size < 512 && civ_entities_normalise(list, ents, (const char *)data, size, NULL) == CIV_OK)
        civ_entity_list_format(&out, list, CIV_ENTITY_ALL_MASK, NULL);
    civ_buf_free(&out);
    return 0;
}
