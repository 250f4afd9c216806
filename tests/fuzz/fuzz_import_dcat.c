/* Fuzz target: `maille import dcat`'s reader (node/formats/import_dcat*.c, dcat_graph.c): any
 * bytes as RDF/XML, Turtle, JSON-LD or DCAT-US JSON (the reader tells them apart by their
 * first bytes, so one target takes all four). Properties: fuzz_import.h's. */
#include "fuzz_import.h"

FUZZ_IMPORT("dcat")

/* raptor2 2.0.15's Turtle parser loses the predicate's URI when a statement breaks after it
 * (`<a> dct:title{ ...`): its own leak on a syntax error, which the file error reports; not
 * ours to count (LeakSanitizer reads this hook in the sanitizer build). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:raptor_new_uri_from_counted_string\n";
}
