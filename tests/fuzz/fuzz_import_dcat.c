/* Fuzz target: `maille import dcat`'s reader (node/formats/import_dcat*.c, dcat_graph.c): any
 * bytes as RDF/XML, Turtle, JSON-LD or DCAT-US JSON (the reader tells them apart by their
 * first bytes, so one target takes all four). Properties: fuzz_import.h's. */
#include "fuzz_import.h"

FUZZ_IMPORT("dcat")
