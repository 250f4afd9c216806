/* tools/cli/cmd_key.c: key backup — `maille key export FILE` and `maille init --restore FILE`.
 *
 * A node's identity is its territory key: every record it ever signed names it, and peers
 * know the node by it. Losing DIR/node.key means a new territory. `key export` writes the
 * seed, the territory's name and the federation (name + network key) into one file encrypted
 * with a passphrase; `init --restore` makes a new node directory from it, with the same key
 * and federation and an EMPTY store: the node's own records are already on its peers and
 * come back at its first sync (publishing a new territory record here would only race them).
 *
 * The file format (and why it is strict) is documented at the top of node/service/keybackup.c,
 * which holds the parser and the plaintext codec so that the fuzz target can call them alone.
 *
 * The passphrase is read from the terminal (/dev/tty, echo off; twice on export) or from the
 * first line of --passphrase-file F; never from an argument (visible in ps and in the shell's
 * history) nor from the environment (inherited by every child, readable in /proc). Every
 * secret lives in sodium_malloc() memory and is wiped when done. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "node/daemon/node.h"
#include "node/service/file.h"
#include "node/service/keybackup.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/channel.h"
#include "proto/error.h"
#include "render.h"

_Static_assert(KEYBACKUP_NETKEY_LEN == PROTO_NETKEY_LEN, "the backup holds one network key");
_Static_assert(KEYBACKUP_FED_NAME_MAX == FEDERATION_NAME_MAX, "same federation names");
_Static_assert(KEYBACKUP_NAME_MAX < sizeof(((node_dir *)0)->name), "the name fits node_dir");

#define PASS_MIN_CHARS 10u /* characters (code points) of a new passphrase */
#define PASS_MAX 1024u     /* bytes of a passphrase */

/* The files of a node directory are named by node/service/nodedir.h and federation.h: a
 * restore refuses a directory holding any of them, and removes those it made if it fails. */

/* ---- passphrases ------------------------------------------------------------------------ */

/* The terminal whose echo is off, and its settings before, for the signal handler. */
static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_saved;

/* Ctrl-C (or a kill) at the prompt must not leave the user's terminal without echo. */
static void tty_restore_and_die(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	/* SA_RESETHAND restored the default action and SA_NODEFER leaves sig unblocked: raising
	 * it again ends the process as the signal would have */
	raise(sig);
}

static const int tty_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/* One line from the terminal with echo off, into buf (cap bytes, NUL-terminated). Returns 0,
 * or EXIT_FAIL (printed). */
static int read_tty_line(int fd, const char *prompt, char *buf, size_t cap, size_t *ret_len)
{
	struct termios noecho;
	if (tcgetattr(fd, &tty_saved) != 0) {
		cli_error(_("cannot ask for the passphrase: /dev/tty: %s; give --passphrase-file F"),
		          strerror(errno));
		return EXIT_FAIL;
	}
	struct sigaction sa, old[sizeof tty_signals / sizeof tty_signals[0]];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tty_restore_and_die;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	/* a signal the caller ignores (nohup, a background job) stays ignored */
	for (size_t i = 0; i < sizeof tty_signals / sizeof tty_signals[0]; i++)
		if (sigaction(tty_signals[i], NULL, &old[i]) == 0 && old[i].sa_handler != SIG_IGN)
			sigaction(tty_signals[i], &sa, NULL);
	noecho = tty_saved;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	noecho.c_lflag |= ECHONL; /* the Enter still moves to the next line */
	tty_fd = fd;
	tcsetattr(fd, TCSAFLUSH, &noecho);
	if (write(fd, prompt, strlen(prompt)) < 0) {
		/* nothing to do: the read below still works, the prompt is a courtesy */
	}
	size_t len = 0;
	bool too_long = false, got_newline = false;
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (c == '\n') {
			got_newline = true;
			break;
		}
		if (len + 1 < cap)
			buf[len++] = c;
		else
			too_long = true;
	}
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_fd = -1;
	for (size_t i = 0; i < sizeof tty_signals / sizeof tty_signals[0]; i++)
		sigaction(tty_signals[i], &old[i], NULL);
	buf[len] = '\0';
	if (!got_newline) {
		if (write(fd, "\n", 1) < 0) {
			/* as above */
		}
		cli_error(_("no passphrase given (end of input at the prompt)"));
		return EXIT_FAIL;
	}
	if (too_long) {
		cli_error(_("the passphrase is longer than %u bytes"), PASS_MAX - 1);
		return EXIT_FAIL;
	}
	*ret_len = len;
	return 0;
}

/* The first line of path, without its line ending ("\n" or "\r\n"). */
static int read_passphrase_file(const char *path, char *buf, size_t cap, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("%s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077))
		cli_warn(_("%s is readable by other users (mode %03o) and holds a passphrase; run: "
		           "chmod 600 %s"),
		         path, (unsigned)(sb.st_mode & 0777), path);
	/* reads one byte at a time up to the newline: nothing past the first line is read, so
	 * a pipe or a large file costs nothing and no more of it sits in memory */
	size_t len = 0;
	bool newline = false, too_long = false;
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("%s: %s", path, strerror(errno));
			close(fd);
			return EXIT_FAIL;
		}
		if (n == 0)
			break;
		if (c == '\n') {
			newline = true;
			break;
		}
		if (len + 1 >= cap) {
			too_long = true;
			break;
		}
		buf[len++] = c;
	}
	close(fd);
	if (newline && len && buf[len - 1] == '\r')
		len--; /* a file written on Windows; a terminal cannot type a CR anyway */
	buf[len] = '\0';
	if (too_long) {
		cli_error(_("%s: the passphrase (its first line) is longer than %u bytes"), path,
		          PASS_MAX - 1);
		return EXIT_FAIL;
	}
	if (memchr(buf, '\0', len)) {
		cli_error(_("%s: the first line holds a NUL byte: not a passphrase"), path);
		return EXIT_FAIL;
	}
	*ret_len = len;
	return 0;
}

/* Characters of a passphrase: code points when it is UTF-8, else bytes. */
static size_t pass_chars(const char *p, size_t len)
{
	return proto_utf8_valid((const uint8_t *)p, len) ? proto_utf8_len(p, len) : len;
}

/* The passphrase into pass (PASS_MAX bytes of sodium memory). A new one (export) is asked
 * twice on the terminal and must be long enough; an existing one (restore) is asked once. */
static int get_passphrase(const char *passfile, bool new_one, const char *prompt, char *pass,
                          size_t *ret_len)
{
	size_t len = 0;
	if (passfile) {
		if (read_passphrase_file(passfile, pass, PASS_MAX, &len))
			return EXIT_FAIL;
	} else {
		int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			cli_error(_("cannot ask for the passphrase: no terminal (/dev/tty: %s); give "
			            "--passphrase-file F"),
			          strerror(errno));
			return EXIT_FAIL;
		}
		int r = read_tty_line(fd, prompt, pass, PASS_MAX, &len);
		if (!r && new_one && pass_chars(pass, len) >= PASS_MIN_CHARS) {
			char *again = sodium_malloc(PASS_MAX);
			size_t len2 = 0;
			if (!again) {
				cli_error(_("out of memory"));
				r = EXIT_FAIL;
			} else if (!(r = read_tty_line(fd, _("Same passphrase again: "), again,
			                               PASS_MAX, &len2)) &&
			           (len2 != len || sodium_memcmp(again, pass, len) != 0)) {
				cli_error(_("the two passphrases differ; nothing was written"));
				r = EXIT_FAIL;
			}
			if (again)
				sodium_free(again);
		}
		close(fd);
		if (r)
			return r;
	}
	if (new_one && pass_chars(pass, len) < PASS_MIN_CHARS) {
		cli_error(_("the passphrase is too short: %zu characters, at least %u are needed (a "
		            "few words are easier to remember and to type than symbols)"),
		          pass_chars(pass, len), PASS_MIN_CHARS);
		return EXIT_FAIL;
	}
	if (!new_one && len == 0) {
		cli_error(_("empty passphrase"));
		return EXIT_FAIL;
	}
	*ret_len = len;
	return 0;
}

/* ---- files --------------------------------------------------------------------------------- */

/* A backup file's bytes into text (KEYBACKUP_FILE_MAX + 1 bytes): refuses larger unread. */
static int read_backup(const char *path, char *text, size_t *ret_len)
{
	int r = cli_read_file(path, false, (uint8_t *)text, KEYBACKUP_FILE_MAX, ret_len);
	if (r == MAILLE_ETOOBIG)
		cli_error(_("%s: larger than %u bytes: not a Maille key backup"), path,
		          KEYBACKUP_FILE_MAX);
	return r ? EXIT_FAIL : 0;
}

static bool exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

/* ---- key export ---------------------------------------------------------------------------- */

static const char key_help[] =
	N_("usage: maille key export FILE [--passphrase-file F] [--dir DIR] [--json]\n"
	"\n"
	"Backs up this node's identity into FILE: the territory's secret key, the territory's\n"
	"name and, when the node belongs to one, the federation's name and network key, all\n"
	"encrypted with a passphrase (Argon2id with 256 MiB and 3 passes, then\n"
	"XSalsa20-Poly1305). Nothing secret is in clear; without the passphrase the file is\n"
	"useless. FILE is created with mode 0600 and never overwritten.\n"
	"\n"
	"The passphrase is asked twice on the terminal (not echoed), or read from the first line\n"
	"of F with --passphrase-file (without its line ending; keep F mode 0600). It is never\n"
	"taken from an argument or the environment. At least 10 characters: a few words are\n"
	"easier to remember than symbols.\n"
	"\n"
	"  --passphrase-file F   read the passphrase from F instead of the terminal\n"
	"\n"
	"To restore, on any machine, into a new node directory:\n"
	"  maille init --restore FILE [--passphrase-file F] [--dir DIR]\n"
	"The restored node has the same key, name and federation, and an empty store: its\n"
	"records come back from its peers at its first sync.\n"
	"\n"
	"Keep FILE and its passphrase apart: whoever has both can sign as this territory and is a\n"
	"member of its federation.\n");

/* The Argon2id limits of a new backup. MAILLE_TEST_PWHASH_MIN=1 (tests only, not in --help)
 * takes the minimum so that a test suite does not spend 256 MiB and a second per backup. */
static void export_limits(unsigned long long *ops, size_t *mem)
{
	*ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
	*mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
	const char *v = getenv("MAILLE_TEST_PWHASH_MIN");
	if (!v || !*v)
		return;
	if (strcmp(v, "1") != 0) {
		cli_warn(_("MAILLE_TEST_PWHASH_MIN=%s ignored (only 1 is understood)"), v);
		return;
	}
	cli_warn(_("MAILLE_TEST_PWHASH_MIN=1: a test setting; this backup is weakly protected"));
	*ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
	*mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
}

/* What a backup holds, for both commands' messages. */
static json_t *secret_json(const keybackup_secret *s, const uint8_t pk[PROTO_KEY_LEN],
                           const char *fp)
{
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(pk, PROTO_KEY_LEN, hex);
	json_t *o = json_object();
	json_object_set_new(o, "key", json_string(hex));
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "federation",
	                    s->has_federation ? json_pack("{s:s, s:s}", "name", s->federation_name,
	                                                  "fingerprint", fp)
	                                      : json_null());
	return o;
}

static void print_secret(const keybackup_secret *s, const uint8_t pk[PROTO_KEY_LEN], const char *fp)
{
	char hex[2 * PROTO_KEY_LEN + 1], name[NODE_TERM_CAP(KEYBACKUP_NAME_MAX)];
	proto_hex(pk, PROTO_KEY_LEN, hex);
	printf(_("  territory:   %s\n"), node_term_str(s->name, strlen(s->name), name, sizeof name));
	printf(_("  key:         %s\n"), hex);
	if (s->has_federation) {
		printf(_("  federation:  %s (fingerprint %s)\n"),
		       node_term_str(s->federation_name, strlen(s->federation_name), name,
		                     sizeof name),
		       fp);
	} else {
		printf(_("  federation:  none\n"));
	}
}

static int key_export(int argc, char **argv)
{
	cli_opt opts[] = {{"passphrase-file", true, NULL}, {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("key export", key_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos != 1)
		return cli_usage_error("key export",
		                       a.n_pos ? _("one FILE only") : _("FILE is required"));
	const char *file = a.pos[0];
	const char *passfile = cli_opt_get(opts, "passphrase-file");

	/* The store only names the territory: a node whose store is damaged or missing can
	 * still back up its key, and come back from the backup (cli_store_advice). */
	node_dir nd;
	if (cli_node_open_nostore(&nd, a.dir))
		return EXIT_FAIL;
	if (store_open(nd.store_path, STORE_OPEN_EXISTING, &nd.st) != 0)
		nd.st = NULL; /* territory_name falls back on the configured name */
	int ret = EXIT_FAIL;
	keybackup_secret *s = sodium_malloc(sizeof *s);
	char *pass = sodium_malloc(PASS_MAX);
	keybackup_file *kf = malloc(sizeof *kf); /* ciphertext and public parameters only */
	char *text = malloc(KEYBACKUP_FILE_MAX + 1);
	federation f = {0};
	if (!s || !pass || !kf || !text) {
		cli_error(_("out of memory"));
		goto out;
	}
	sodium_memzero(s, sizeof *s);
	crypto_sign_ed25519_sk_to_seed(s->seed, nd.sk);

	/* the territory's name as the node presents itself, else the configured one */
	territory_name(&nd, s->name, sizeof s->name);
	if (!keybackup_name_valid(s->name, strlen(s->name)))
		snprintf(s->name, sizeof s->name, "%s", nd.name);
	if (!keybackup_name_valid(s->name, strlen(s->name))) {
		cli_error(_("%s: the territory's name cannot be backed up (1 to %u bytes of text)"),
		          nd.path, KEYBACKUP_NAME_MAX);
		goto out;
	}

	/* the federation when there is one; a broken federation file is an error, not "none":
	 * a backup that silently lacks it would not rejoin */
	char fpath[4200], why[200], fp[9] = "";
	if (federation_path(nd.path, fpath, sizeof fpath)) {
		cli_error(_("node directory path too long"));
		goto out;
	}
	r = federation_read(fpath, &f, why, sizeof why, cli_env());
	if (r == 0) {
		s->has_federation = true;
		snprintf(s->federation_name, sizeof s->federation_name, "%s", f.name);
		memcpy(s->netkey, f.key, KEYBACKUP_NETKEY_LEN);
		node_netkey_fingerprint(f.key, fp);
	} else if (r != MAILLE_ENOTFOUND) {
		cli_error(_("%s: %s%s%s; fix it before backing up the node"), fpath,
		          cli_strerror(r), *why ? ": " : "", why);
		goto out;
	}

	/* before the passphrase: typing it twice for nothing would be rude */
	if (exists(file)) {
		cli_error(_("%s already exists; refusing to overwrite it (choose another FILE)"),
		          file);
		goto out;
	}
	size_t pass_len;
	if (get_passphrase(passfile, true, _("Passphrase for the key backup: "), pass, &pass_len))
		goto out;
	unsigned long long ops;
	size_t mem;
	export_limits(&ops, &mem);
	r = keybackup_seal(s, pass, pass_len, ops, mem, kf);
	size_t text_len = 0;
	if (!r)
		r = keybackup_format(kf, text, KEYBACKUP_FILE_MAX + 1, &text_len);
	if (r) {
		cli_error(_("cannot encrypt the backup: %s%s"), cli_strerror(r),
		          r == MAILLE_ENOMEM ? _(" (Argon2id needs 256 MiB)") : "");
		goto out;
	}
	r = node_file_create(file, 0600, text, text_len);
	if (r == MAILLE_EEXIST) {
		cli_error(_("%s already exists; refusing to overwrite it (choose another FILE)"),
		          file);
		goto out;
	}
	if (r) {
		cli_error(_("%s: cannot write the backup: %s"), file, strerror(errno));
		goto out;
	}
	if (a.json) {
		json_t *o = secret_json(s, nd.pk, fp);
		json_object_set_new(o, "file", json_string(file));
		ret = render_json_out(o);
	} else {
		printf(_("Exported the key backup to %s (mode 0600, encrypted with the passphrase)\n"),
		       file);
		print_secret(s, nd.pk, fp);
		printf(_("Restore it with: maille init --restore %s --dir NEW_DIR\n"), file);
		ret = EXIT_OK;
	}
	/* on stderr with --json too: the one warning that matters */
	fprintf(stderr, _("Keep %s and its passphrase apart: whoever has both can sign as this "
	                  "territory%s.\n"),
	        file, s->has_federation ? _(" and is a member of its federation") : "");
out:
	federation_done(&f);
	if (s)
		sodium_free(s); /* wipes */
	if (pass)
		sodium_free(pass);
	free(kf);
	free(text);
	node_dir_close(&nd);
	return ret;
}

int cmd_key(int argc, char **argv)
{
	static const cli_sub subs[] = {
		{"export", key_export},
	};
	static const char *const value_opts[] = {"--passphrase-file", NULL};
	return cli_dispatch("key", key_help, subs, sizeof subs / sizeof subs[0], value_opts,
	                    "export; to restore: maille init --restore FILE", argc, argv);
}

/* ---- init --restore ------------------------------------------------------------------------ */

/* Removes what a failed restore made, so that the directory can take another attempt. */
static void undo_restore(const char *dir, bool made_dir)
{
	static const char *const files[] = {NODE_KEY_FILE,          NODE_CONF_FILE,
	                                    NODE_STORE_FILE,        NODE_STORE_FILE "-wal",
	                                    NODE_STORE_FILE "-shm", FEDERATION_FILE};
	char p[4200];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (node_path_join(p, sizeof p, dir, files[i]) == 0)
			unlink(p);
	if (made_dir)
		rmdir(dir);
}

int key_restore(const char *dir_opt, const char *file, const char *passfile, bool json)
{
	char dir[4096], p[4200];
	if (node_dir_resolve(dir_opt, dir, sizeof dir, cli_env()))
		return EXIT_FAIL;
	/* refuse an existing node before asking anything */
	static const char *const node_files[] = {NODE_KEY_FILE, NODE_STORE_FILE, NODE_CONF_FILE,
	                                         FEDERATION_FILE};
	for (size_t i = 0; i < sizeof node_files / sizeof node_files[0]; i++) {
		if (node_path_join(p, sizeof p, dir, node_files[i])) {
			cli_error(_("node directory path too long"));
			return EXIT_FAIL;
		}
		if (!exists(p))
			continue;
		if (i < 2)
			cli_error(_("%s already holds a Maille node; refusing to overwrite it"), dir);
		else
			cli_error(_("%s already holds %s; restore into a new or empty node directory"),
			          dir, node_files[i]);
		return EXIT_FAIL;
	}
	struct stat sb;
	bool made_dir = stat(dir, &sb) != 0;

	int ret = EXIT_FAIL;
	char *text = malloc(KEYBACKUP_FILE_MAX + 1);
	keybackup_file *kf = malloc(sizeof *kf);
	keybackup_secret *s = sodium_malloc(sizeof *s);
	char *pass = sodium_malloc(PASS_MAX);
	uint8_t *sk = sodium_malloc(PROTO_SECRET_KEY_LEN);
	federation f = {0};
	node_dir nd;
	memset(&nd, 0, sizeof nd);
	bool created = false, restored = false;
	if (!text || !kf || !s || !pass || !sk) {
		cli_error(_("out of memory"));
		goto out;
	}

	/* the file is checked whole, hostile limits included, before the passphrase is asked
	 * and before Argon2id runs */
	size_t len = 0;
	if (read_backup(file, text, &len))
		goto out;
	char why[300];
	int r = keybackup_parse(text, len, kf, why, sizeof why);
	if (r) {
		cli_error(_("%s is not a valid Maille key backup: %s"), file, why);
		goto out;
	}
	size_t pass_len;
	if (get_passphrase(passfile, false, _("Passphrase of the key backup: "), pass, &pass_len))
		goto out;
	r = keybackup_open(kf, pass, pass_len, s, why, sizeof why);
	if (r == MAILLE_EAUTH) {
		cli_error(_("%s: wrong passphrase or damaged file; nothing was written"), file);
		goto out;
	}
	if (r) {
		cli_error(_("%s: %s; nothing was written"), file, why);
		goto out;
	}
	/* keybackup.c checks the federation's name by the same rule; federation_write's reader
	 * is the judge, so ask it too before anything is written */
	if (s->has_federation && !federation_name_valid(s->federation_name)) {
		cli_error(_("%s: the federation's name is not valid; nothing was written"), file);
		goto out;
	}
	uint8_t pk[PROTO_KEY_LEN];
	crypto_sign_seed_keypair(pk, sk, s->seed);

	/* the directory, the backup's key, a configuration with the name and an empty store */
	if (cli_node_create(&nd, dir, s->name, s->seed))
		goto out; /* printed; it removed what it made */
	created = true;
	node_dir_close(&nd);
	char fp[9] = "";
	if (s->has_federation) {
		f.key = sodium_malloc(PROTO_NETKEY_LEN);
		if (!f.key || federation_path(dir, p, sizeof p)) {
			cli_error(_("out of memory"));
			goto out;
		}
		snprintf(f.name, sizeof f.name, "%s", s->federation_name);
		memcpy(f.key, s->netkey, PROTO_NETKEY_LEN);
		if ((r = federation_write(p, &f))) {
			cli_error(_("%s: cannot write the federation: %s"), p, cli_strerror(r));
			goto out;
		}
		node_netkey_fingerprint(f.key, fp);
	}
	/* read back as every later command will: the node must open with the backup's key */
	if (cli_node_open(&nd, dir))
		goto out;
	if (sodium_memcmp(nd.pk, pk, PROTO_KEY_LEN) != 0) {
		cli_error(_("%s: the restored key does not read back; nothing kept"), dir);
		goto out;
	}
	restored = true; /* from here on, a failure to print must not undo the node */
	if (json) {
		json_t *o = secret_json(s, pk, fp);
		json_object_set_new(o, "dir", json_string(dir));
		ret = render_json_out(o);
	} else {
		printf(_("Restored the node from %s into %s\n"), file, dir);
		print_secret(s, pk, fp);
		printf(_("  store:       empty: this node's records come back from its peers\n"));
		printf(_("Next: connect it to a peer: maille peer add HOST:PORT, or maille sync "
		         "HOST:PORT%s\n"),
		       s->has_federation ? ""
		                         : _(" (after 'maille federation import FILE': the backup "
		                             "had no federation)"));
		ret = EXIT_OK;
	}
out:
	if (created && !restored)
		undo_restore(dir, made_dir);
	node_dir_close(&nd);
	federation_done(&f);
	free(text);
	free(kf);
	if (s)
		sodium_free(s);
	if (pass)
		sodium_free(pass);
	if (sk)
		sodium_free(sk);
	return ret;
}
