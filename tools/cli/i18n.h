/* tools/cli/i18n.h: the language of the CLI's messages.
 *
 * Messages are written in English in the source and marked _("...") (N_("...") where the
 * string is a constant of a table, translated where it is printed); the French comes from the
 * GNU gettext catalogue tools/po/fr.po (domain "maille"). The language is the one LC_ALL,
 * LC_MESSAGES or LANG name (the first one set, POSIX's order): French when it starts with
 * "fr", else English, whether or not that locale is generated on the machine. */
#ifndef MAILLE_TOOLS_CLI_I18N_H
#define MAILLE_TOOLS_CLI_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define _(s) gettext(s)
/* unparenthesised, so that a marked string can initialise a char array */
#define N_(s) s

/* Reads the environment, binds the catalogue; called once at the start of main. */
void cli_i18n_init(void);
/* True when the messages are in French (for the pieces that carry both languages, such as
 * proto/schema.c's reports and the record table's labels). */
bool cli_french(void);
/* maille_strerror's message for code (proto/error.h) in the CLI's language: the table's
 * English texts are msgids of the catalogue (xgettext reads them from proto/error.h). */
const char *cli_strerror(int code);
/* _(fmt) as a function, for the hooks through which node/service and node/daemon have their
 * English messages translated (node_env.tr, node_config.tr). */
const char *cli_tr(const char *fmt) __attribute__((format_arg(1)));

#endif
