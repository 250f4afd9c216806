/* Fuzz target: `maille import publiccode`'s reader (node/formats/import_publiccode.c): a
 * publiccode.yml into a software component draft. Properties: fuzz_import.h's. */
#include "fuzz_import.h"

FUZZ_IMPORT("publiccode")
