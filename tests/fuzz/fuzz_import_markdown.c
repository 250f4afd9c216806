/* Fuzz target: `maille import markdown`'s reader (node/formats/import_markdown.c): a file of
 * Maille's own format into a draft. Properties: fuzz_import.h's. */
#include "fuzz_import.h"

FUZZ_IMPORT("markdown")
