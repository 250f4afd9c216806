/* tools/cli/i18n.c: see i18n.h. */
#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maille_config.h"
#include "proto/error.h"

static bool french;

/* The directory of the catalogues: the build tree's (tools/po/fr/LC_MESSAGES/maille.mo, where
 * meson's i18n module builds it) when this executable is the build tree's, so that tests and
 * tools/demo speak French without an install; else the installed one (share/locale). */
static const char *locale_dir(void)
{
	char exe[PATH_MAX], build[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0 || !realpath(MAILLE_BUILD_BINDIR, build))
		return MAILLE_LOCALEDIR;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return MAILLE_LOCALEDIR;
	*slash = '\0';
	return strcmp(exe, build) == 0 ? MAILLE_BUILD_LOCALEDIR : MAILLE_LOCALEDIR;
}

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
	bindtextdomain("maille", locale_dir());
	/* the catalogue is UTF-8 and so is what the CLI prints, whatever LC_CTYPE says (main
	 * leaves every category in the C locale, whose charset is ASCII: without this, gettext
	 * would turn "é" into "?"); the same for the C library's own messages (strerror) */
	bind_textdomain_codeset("maille", "UTF-8");
	bind_textdomain_codeset("libc", "UTF-8");
	textdomain("maille");
	if (!french)
		return; /* LC_MESSAGES stays "C": gettext returns the English msgids */
	/* French whether or not a French locale is generated on this machine. gettext looks the
	 * catalogue up by the language LANGUAGE names, except when LC_MESSAGES is the "C" locale,
	 * where glibc ignores LANGUAGE and translates nothing; and setlocale(LC_MESSAGES,
	 * "fr_FR.UTF-8") fails when that locale is not generated. So LC_MESSAGES is set to
	 * C.UTF-8, a locale that is not named "C" and needs no generation (built into glibc since
	 * 2.35, Debian 12's is 2.36; "C.utf8" is how older Debian releases ship it), and LANGUAGE
	 * to "fr": gettext then reads fr/LC_MESSAGES/maille.mo. Only LC_MESSAGES changes: numbers
	 * and dates keep the C locale's formats. Without a C.UTF-8, the user's own locale is tried
	 * (it works when it is generated). */
	if (!setlocale(LC_MESSAGES, "C.UTF-8") && !setlocale(LC_MESSAGES, "C.utf8"))
		setlocale(LC_MESSAGES, "");
	setenv("LANGUAGE", "fr", 1);
}

bool cli_french(void)
{
	return french;
}

const char *cli_tr(const char *fmt)
{
	return _(fmt);
}

const char *cli_strerror(int code)
{
	return _(maille_strerror(code));
}
