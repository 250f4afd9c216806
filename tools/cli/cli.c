/* tools/cli/cli.c: argument parsing and messages shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "node/service/file.h"
#include "node/service/term.h"
#include "proto/error.h"
#include "proto/value.h"

cli_args cli_global;

/* A message on stderr after prefix, on one line. Messages quote what the user typed, files,
 * records and peers, so the whole message goes through the terminal sanitiser
 * (node/service/term.h): a quoted control character or line break is shown escaped, and no
 * line of a message can pass for another "maille: error:" line or for the tool's output. A
 * message of several lines prints the others with cli_error_line. */
static void cli_vmessage(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void cli_vmessage(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048], *msg = buf;
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n >= (int)sizeof buf && (msg = malloc((size_t)n + 1)) != NULL)
		vsnprintf(msg, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	if (!msg) {
		msg = buf; /* out of memory: the message cut short */
		n = (int)sizeof buf - 1;
	}
	fputs(prefix, stderr);
	if (n > 0)
		node_term_put(stderr, msg, (size_t)n);
	fputc('\n', stderr);
	if (msg != buf)
		free(msg);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vmessage(_("maille: error: "), fmt, ap);
	va_end(ap);
}

void cli_error_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vmessage("  ", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vmessage(_("maille: warning: "), fmt, ap);
	va_end(ap);
}

int cli_error_conf(const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(_("maille: error: "), stderr);
	node_term_put(stderr, file, strlen(file));
	fprintf(stderr, _(", line %u: "), line);
	cli_vmessage("", fmt, ap);
	va_end(ap);
	return 1;
}

void cli_usage_line(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, _("maille %s: "), cmd);
	cli_vmessage("", fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, _("maille %s: "), cmd);
	cli_vmessage("", fmt, ap);
	fprintf(stderr, _("See 'maille %s --help'.\n"), cmd);
	va_end(ap);
	return EXIT_USAGE;
}

int cli_name_check(const char *cmd, const char *opt, const char *name, size_t max)
{
	size_t len = strlen(name);
	uint32_t cp = 0;
	int r = proto_text_check(name, len, false, &cp);
	if (len == 0)
		return cli_usage_error(cmd, "%s : nom vide refusé (%s: empty name)", opt, opt);
	if (r == MAILLE_EUTF8)
		return cli_usage_error(cmd, "%s « %s » : texte UTF-8 invalide refusé (%s: not valid "
		                            "UTF-8)",
		                       opt, name, opt);
	if (r)
		return cli_usage_error(cmd,
		                       "%s « %s » : caractère de contrôle U+%04" PRIX32 " refusé, un "
		                       "nom tient sur une ligne de texte (%s: control character U+%04" PRIX32
		                       " not allowed; a name is one line of text)",
		                       opt, name, cp, opt, cp);
	if (len > max)
		return cli_usage_error(cmd, "%s : nom de %zu octets refusé, au plus %zu (%s: %zu bytes, "
		                            "at most %zu)",
		                       opt, len, max, opt, len, max);
	return 0;
}

static cli_opt *find_opt(cli_opt *opts, const char *name, size_t len)
{
	for (cli_opt *o = opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

int cli_parse(const char *cmd, int argc, char **argv, cli_opt *opts, cli_args *ret)
{
	cli_args a;
	memset(&a, 0, sizeof a);
	a.dir = cli_global.dir; /* a --dir given before the subcommand */
	a.json = cli_global.json;
	bool options_done = false;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (a.n_pos == CLI_POS_MAX)
				return cli_usage_error(cmd, _("too many arguments"));
			a.pos[a.n_pos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (strcmp(arg, "-h") == 0) {
			a.help = true;
			continue;
		}
		if (arg[1] != '-')
			return cli_usage_error(cmd, _("unknown option '%s'"), arg);
		const char *name = arg + 2;
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const char *value = eq ? eq + 1 : NULL;
		bool global_arg = nlen == 3 && strncmp(name, "dir", 3) == 0;
		bool global_flag = (nlen == 4 && strncmp(name, "json", 4) == 0) ||
		                   (nlen == 4 && strncmp(name, "help", 4) == 0);
		cli_opt *o = global_arg || global_flag ? NULL : find_opt(opts, name, nlen);
		if (!global_arg && !global_flag && !o)
			return cli_usage_error(cmd, _("unknown option '--%.*s'"), (int)nlen, name);
		bool has_arg = global_arg || (o && o->has_arg);
		if (has_arg && !value) {
			if (i + 1 >= argc)
				return cli_usage_error(cmd, _("option '--%.*s' needs a value"), (int)nlen, name);
			value = argv[++i];
		} else if (!has_arg && value) {
			return cli_usage_error(cmd, _("option '--%.*s' takes no value"), (int)nlen, name);
		}
		if (global_arg)
			a.dir = value;
		else if (nlen == 4 && strncmp(name, "json", 4) == 0)
			a.json = true;
		else if (global_flag)
			a.help = true;
		else
			o->value = has_arg ? value : "";
	}
	*ret = a;
	return 0;
}

int cli_start(const char *cmd, const char *help, int argc, char **argv, cli_opt *opts,
              size_t max_pos, cli_args *ret)
{
	int r = cli_parse(cmd, argc, argv, opts, ret);
	if (r)
		return r;
	if (ret->help) {
		fputs(_(help), stdout);
		return EXIT_OK;
	}
	if (ret->n_pos > max_pos)
		return cli_usage_error(cmd, _("unexpected argument '%s'"), ret->pos[max_pos]);
	return CLI_GO;
}

const char *cli_opt_get(const cli_opt *opts, const char *name)
{
	for (const cli_opt *o = opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o->value;
	return NULL;
}

int cli_read_file(const char *path, bool dash_stdin, uint8_t *buf, size_t max, size_t *ret_len)
{
	bool dash = dash_stdin && strcmp(path, "-") == 0;
	int fd = dash ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("%s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		cli_error(_("%s: is a directory"), path);
		close(fd);
		return EXIT_FAIL;
	}
	int r = node_file_read_fd(fd, buf, max, ret_len);
	if (r && r != MAILLE_ETOOBIG) {
		cli_error("%s: %s", path, strerror(errno));
		r = EXIT_FAIL;
	}
	close(fd);
	return r;
}

int64_t cli_clock_skew_us(void)
{
	const char *v = getenv("MAILLE_TEST_CLOCK_SKEW_S");
	if (!v || !*v)
		return 0;
	char *end;
	long long s = strtoll(v, &end, 10);
	/* a year either way at most: enough for any test, far from overflowing */
	if (*end || s < -31536000ll || s > 31536000ll)
		return 0;
	return (int64_t)s * 1000000;
}

uint64_t cli_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	return (uint64_t)((int64_t)now + cli_clock_skew_us());
}

static bool takes_value(const char *arg, const char *const *value_opts)
{
	if (strcmp(arg, "--dir") == 0)
		return true;
	for (size_t i = 0; value_opts && value_opts[i]; i++)
		if (strcmp(arg, value_opts[i]) == 0)
			return true;
	return false;
}

int cli_dispatch(const char *cmd, const char *help, const cli_sub *subs, size_t n_subs,
                 const char *const *value_opts, const char *known, int argc, char **argv)
{
	int at = -1;
	bool want_help = false;
	for (int i = 0; i < argc && at < 0; i++) {
		if (takes_value(argv[i], value_opts))
			i++;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			want_help = true;
		else if (argv[i][0] != '-')
			at = i;
	}
	if (at < 0) {
		fputs(_(help), want_help ? stdout : stderr);
		return want_help ? EXIT_OK : EXIT_USAGE;
	}
	for (size_t k = 0; k < n_subs; k++) {
		if (strcmp(argv[at], subs[k].name) != 0)
			continue;
		/* the arguments without the subcommand's name, in their order */
		char *rest[CLI_POS_MAX * 4];
		int n = 0;
		for (int i = 0; i < argc; i++)
			if (i != at) {
				if (n == (int)(sizeof rest / sizeof rest[0]))
					return cli_usage_error(cmd, _("too many arguments"));
				rest[n++] = argv[i];
			}
		return subs[k].run(n, rest);
	}
	return cli_usage_error(cmd, _("unknown subcommand '%s' (%s)"), argv[at], known);
}

/* cli.h */
int cli_key_parse(const char *cmd, const char *what, const char *s, uint8_t key[PROTO_KEY_LEN])
{
	if (proto_unhex(s, key, PROTO_KEY_LEN) != 0)
		return cli_usage_error(cmd, _("'%s' is not a %s key (64 hex digits)"), s, what);
	return 0;
}


int cli_timeout_opt(const char *cmd, const cli_opt *opts, uint32_t *ret_ms)
{
	const char *ts = cli_opt_get(opts, "timeout");
	if (!ts)
		return 0;
	char *end;
	errno = 0;
	double s = strtod(ts, &end);
	if (errno || *end || !(s > 0) || s > 3600)
		return cli_usage_error(cmd, _("--timeout wants seconds, more than 0 and at most 3600"));
	*ret_ms = (uint32_t)(s * 1000.0 + 0.5);
	if (*ret_ms == 0)
		*ret_ms = 1;
	return 0;
}

/* Test-only overrides of the daemon's timeouts (milliseconds), so that tests need not wait
 * 10 s for a handshake timeout. Not documented in --help on purpose. */
uint32_t env_ms(const char *name)
{
	return (uint32_t)env_num(name, 3600000ul, "milliseconds");
}

unsigned long env_num(const char *name, unsigned long max, const char *what)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	if (*end || n == 0 || n > max) {
		cli_warn(_("%s=%s ignored (%s, 1 to %lu)"), name, v, what, max);
		return 0;
	}
	cli_warn(_("%s=%lu: a test setting"), name, n);
	return n;
}

/* Whether s is a SIREN: nine digits whose Luhn sum (every second digit from the right
 * doubled, its digits added) is a multiple of 10, as INSEE gives them. */
static bool siren_valid(const char *s)
{
	if (strlen(s) != 9 || strspn(s, "0123456789") != 9)
		return false;
	unsigned sum = 0;
	for (int i = 8, k = 0; i >= 0; i--, k++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (k % 2) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

int cli_siren_check(const char *cmd, const char *value)
{
	if (siren_valid(value))
		return 0;
	return cli_usage_error(cmd,
	                       _("--siren %s: not a SIREN (nine digits whose last one is the check "
	                         "digit of the others, by the Luhn formula); check the number on "
	                         "the INSEE directory"),
	                       value);
}
