/* US states, by name, slug and Bluebook abbreviation: the one table the
 * scanner reads directly (the others are built into constant data at
 * build time, build.c). Strings in arrays, not pointers: no relocation at
 * start-up. */
#include "entities_int.h"

const civ_ent_state civ_ent_states[] = {
    { "alabama", "alabama", "ala" }, { "alaska", "alaska", "alaska" },
    { "arizona", "arizona", "ariz" }, { "arkansas", "arkansas", "ark" },
    { "california", "california", "cal" }, { "colorado", "colorado", "colo" },
    { "connecticut", "connecticut", "conn" }, { "delaware", "delaware", "del" },
    { "district of columbia", "district-of-columbia", "dc" }, { "florida", "florida", "fla" },
    { "georgia", "georgia", "ga" }, { "hawaii", "hawaii", "haw" }, { "idaho", "idaho", "idaho" },
    { "illinois", "illinois", "ill" }, { "indiana", "indiana", "ind" }, { "iowa", "iowa", "iowa" },
    { "kansas", "kansas", "kan" }, { "kentucky", "kentucky", "ky" },
    { "louisiana", "louisiana", "la" }, { "maine", "maine", "me" },
    { "maryland", "maryland", "md" }, { "massachusetts", "massachusetts", "mass" },
    { "michigan", "michigan", "mich" }, { "minnesota", "minnesota", "minn" },
    { "mississippi", "mississippi", "miss" }, { "missouri", "missouri", "mo" },
    { "montana", "montana", "mont" }, { "nebraska", "nebraska", "neb" },
    { "nevada", "nevada", "nev" }, { "new hampshire", "new-hampshire", "nh" },
    { "new jersey", "new-jersey", "nj" }, { "new mexico", "new-mexico", "nm" },
    { "new york", "new-york", "ny" }, { "north carolina", "north-carolina", "nc" },
    { "north dakota", "north-dakota", "nd" }, { "ohio", "ohio", "ohio" },
    { "oklahoma", "oklahoma", "okla" }, { "oregon", "oregon", "or" },
    { "pennsylvania", "pennsylvania", "pa" }, { "rhode island", "rhode-island", "ri" },
    { "south carolina", "south-carolina", "sc" }, { "south dakota", "south-dakota", "sd" },
    { "tennessee", "tennessee", "tenn" }, { "texas", "texas", "tex" }, { "utah", "utah", "utah" },
    { "vermont", "vermont", "vt" }, { "virginia", "virginia", "va" },
    { "washington", "washington", "wash" }, { "west virginia", "west-virginia", "wva" },
    { "wisconsin", "wisconsin", "wis" }, { "wyoming", "wyoming", "wyo" },
    { "puerto rico", "puerto-rico", "pr" }, { "guam", "guam", "guam" },
};
const size_t civ_ent_nstates = sizeof civ_ent_states / sizeof civ_ent_states[0];
