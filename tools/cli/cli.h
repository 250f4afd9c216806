/* tools/cli/cli.h: what every `maille` subcommand uses — exit codes, arguments, messages.
 *
 * One table of subcommands (maille.c, declared in commands.h), one file per family of
 * subcommands (cmd_*.c). Every command returns its exit code: 0 ok, 1 failure, 2 usage. Data
 * goes to stdout (one JSON document with --json), human messages and errors to stderr. The
 * other pieces have their own small headers: nodecli.h (the node directory, its federation and
 * its writes, done by node/service/ and printed here), render.h, netcmd.h. */
#ifndef MAILLE_TOOLS_CLI_H
#define MAILLE_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "i18n.h"
#include "proto/entry.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* ---- argument parsing ---------------------------------------------------------------------
 * Options may come before or after positional arguments; "--opt value" and "--opt=value";
 * "--" ends the options. The global options --dir, --json and --help are accepted by every
 * command wherever they appear. */
typedef struct cli_opt {
	const char *name;  /* without the leading "--" */
	bool has_arg;
	const char *value; /* set by cli_parse: the argument, or "" for a flag that was given */
} cli_opt;

#define CLI_POS_MAX 16

typedef struct cli_args {
	const char *dir; /* --dir */
	bool json, help;
	const char *pos[CLI_POS_MAX];
	size_t n_pos;
} cli_args;

/* Global options given before the subcommand (maille --dir D list); cli_parse starts from them. */
extern cli_args cli_global;

/* Returns 0, or prints a usage error naming the command and returns EXIT_USAGE. */
int cli_parse(const char *cmd, int argc, char **argv, cli_opt *opts, cli_args *ret);
/* What a command starts with: its arguments parsed (cli_parse), its help printed on --help
 * (help; returns EXIT_OK), and a usage error naming the first positional argument beyond
 * max_pos (0: the command takes none; CLI_POS_MAX: the command checks them itself). Returns
 * CLI_GO when the command goes on, else the exit code to return. */
#define CLI_GO (-1)
int cli_start(const char *cmd, const char *help, int argc, char **argv, cli_opt *opts,
              size_t max_pos, cli_args *ret);
/* The value of option name in opts (NULL if absent). */
const char *cli_opt_get(const cli_opt *opts, const char *name);

/* Commands with subcommands (federation, key): the subcommand is the first argument that is
 * neither an option nor the value of --dir or of one of value_opts (NULL-terminated, may be
 * NULL), so that options may come before it (maille federation --dir D show); it runs with
 * the other arguments in their order. Without one: help (exit 0 with --help, else 2). An
 * unknown one: a usage error naming the known ones (known, e.g. "new, show"). */
typedef struct cli_sub {
	const char *name;
	int (*run)(int argc, char **argv);
} cli_sub;
int cli_dispatch(const char *cmd, const char *help, const cli_sub *subs, size_t n_subs,
                 const char *const *value_opts, const char *known, int argc, char **argv);

/* Error and warning output, on stderr, prefixed "maille: error: " / "maille: warning: ", on
 * one line: what the message quotes is shown through the terminal sanitiser
 * (node/service/term.h), line breaks included. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One more line of the message just printed, indented by two spaces, sanitised the same way. */
void cli_error_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "maille: error: FILE, line N: ..." on stderr; returns 1. */
int cli_error_conf(const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* --siren's value: nine digits whose last is the Luhn check digit of the others, as INSEE
 * gives them. 0, or a usage error naming cmd and EXIT_USAGE. */
int cli_siren_check(const char *cmd, const char *value);
/* Prints a usage error ("maille CMD: ...; see 'maille CMD --help'") and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One usage error line ("maille CMD: ...") without the pointer to --help: the errors before the
 * last of several, which cli_usage_error ends. */
void cli_usage_line(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A name given on the command line (init --name, federation new --name): it goes into a file
 * of the node directory and into records, so it is one line of text, proto_text_check's rule
 * for a one-line text (valid UTF-8, no C0, DEL or C1 control character), of 1 to max bytes.
 * 0, or a usage error naming cmd, opt and what is wrong, French first, and EXIT_USAGE. */
int cli_name_check(const char *cmd, const char *opt, const char *name, size_t max);

/* A key given on the command line (64 hex digits) into key; EXIT_USAGE (printed) otherwise,
 * naming it a "<what> key". */
int cli_key_parse(const char *cmd, const char *what, const char *s, uint8_t key[PROTO_KEY_LEN]);
/* --timeout SECONDS into *ret_ms (left alone without the option); EXIT_USAGE if invalid. */
int cli_timeout_opt(const char *cmd, const cli_opt *opts, uint32_t *ret_ms);

/* Reads the whole file at path ("-": standard input, when dash_stdin) into buf, which holds
 * max + 1 bytes. 0 with *ret_len; MAILLE_ETOOBIG for a file over max bytes, not printed (the
 * caller says what the file should be); EXIT_FAIL with the error printed (no such file, a
 * directory, a read error). */
int cli_read_file(const char *path, bool dash_stdin, uint8_t *buf, size_t max, size_t *ret_len);

/* Microseconds since the epoch, plus the test clock's skew (cli_clock_skew_us). */
uint64_t cli_now_us(void);
/* MAILLE_TEST_CLOCK_SKEW_S (seconds, may be negative): a test's injected clock, added to the
 * time entries are stamped with and checked against (never to the handshake's clock, which
 * must stay the machine's). 0 when unset. */
int64_t cli_clock_skew_us(void);

/* A test-only millisecond setting from the environment, 0 when unset (warns when used). */
uint32_t env_ms(const char *name);
/* The same for any test-only number from 1 to max (what: its unit, for the warning that a bad
 * value is ignored). */
unsigned long env_num(const char *name, unsigned long max, const char *what);

#endif
