/* tools/cli/i18n.c: see i18n.h. */
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

static bool french;

void cli_i18n_init(void)
{
	const char *names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};

	french = false;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = getenv(names[i]);
		if (v && *v) {
			french = strncmp(v, "fr", 2) == 0;
			break;
		}
	}
}

bool cli_french(void)
{
	return french;
}
