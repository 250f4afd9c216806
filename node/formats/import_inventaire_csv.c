/* node/formats/import_inventaire_csv.c: not written yet. */
#include "import.h"

#include "proto/error.h"

int import_read_inventaire_csv(import_set *set, const import_src *src)
{
	return import_file_fail(set, src, MAILLE_EINVAL, 0, 0, "",
	                        "ce format n'est pas encore pris en charge",
	                        "this format is not supported yet");
}
