/* Fuzz target: `maille import inventaire-csv`'s reader (node/formats/import_inventaire_csv.c):
 * the inventory of public algorithms as CSV into use case drafts. Properties: fuzz_import.h's. */
#include "fuzz_import.h"

FUZZ_IMPORT("inventaire-csv")
