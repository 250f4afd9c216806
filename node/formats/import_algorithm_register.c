/* node/formats/import_algorithm_register.c: not written yet. */
#include "import.h"

#include "proto/error.h"

int import_read_algorithm_register(import_set *set, const import_src *src)
{
	return import_file_fail(set, src, MAILLE_EINVAL, 0, 0, "",
	                        "ce format n'est pas encore pris en charge",
	                        "this format is not supported yet");
}
