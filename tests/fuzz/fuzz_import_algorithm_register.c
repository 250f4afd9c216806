/* Fuzz target: `maille import algorithm-register`'s reader
 * (node/formats/import_algorithm_register.c): a register's JSON or CSV into use case drafts.
 * Properties: fuzz_import.h's. */
#include "fuzz_import.h"

FUZZ_IMPORT("algorithm-register")
