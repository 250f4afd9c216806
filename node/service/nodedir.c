/* node/service/nodedir.c: the node directory: key, configuration and store on disk. Says
 * what it has to say through the caller's node_env (nodedir.h) and prints nothing. */
#include "node/service/nodedir.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/service/datefmt.h"
#include "node/service/file.h"
#include "node/service/trust.h"
#include "proto/error.h"
#include "proto/member.h"

const char *node_tr(const node_env *env, const char *fmt)
{
	return env && env->tr ? env->tr(fmt) : fmt;
}

void node_say(const node_env *env, int level, const char *fmt, ...)
{
	if (!env || !env->say)
		return;
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, node_tr(env, fmt), ap);
	va_end(ap);
	env->say(env->ctx, level, buf);
}

int node_dir_resolve(const char *dir_opt, char *ret, size_t cap, const node_env *env)
{
	const char *home_env = getenv("MAILLE_HOME");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;
	if (dir_opt && *dir_opt)
		n = snprintf(ret, cap, "%s", dir_opt);
	else if (home_env && *home_env)
		n = snprintf(ret, cap, "%s", home_env);
	else if (xdg && *xdg == '/')
		n = snprintf(ret, cap, "%s/maille", xdg);
	else if (home && *home)
		n = snprintf(ret, cap, "%s/.local/share/maille", home);
	else {
		node_say(env, NODE_SAY_ERROR,
		         "no node directory: give --dir DIR or set MAILLE_HOME");
		return MAILLE_EINVAL;
	}
	if (n < 0 || (size_t)n >= cap) {
		node_say(env, NODE_SAY_ERROR, "node directory path too long");
		return MAILLE_EINVAL;
	}
	/* no trailing slash, so that messages and joined paths read well */
	size_t len = strlen(ret);
	while (len > 1 && ret[len - 1] == '/')
		ret[--len] = '\0';
	return 0;
}

int node_path_join(char *ret, size_t cap, const char *dir, const char *file)
{
	int n = snprintf(ret, cap, "%s/%s", dir, file);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* mkdir -p with mode for the last component */
static int mkdirs(const char *path, mode_t mode)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return -1;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* An unsigned decimal number in [min, max], with a unit suffix when units: K, M, G (powers of
 * 1024, an optional "iB" or "B" after them). */
static bool conf_uint(const char *v, uint64_t min, uint64_t max, bool units, uint64_t *ret)
{
	if (*v < '0' || *v > '9')
		return false;
	uint64_t x = 0;
	for (; *v >= '0' && *v <= '9'; v++) {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*v - '0');
	}
	if (units && *v) {
		unsigned shift = *v == 'K' ? 10 : *v == 'M' ? 20 : *v == 'G' ? 30 : 0;
		if (!shift)
			return false;
		v++;
		if (strcmp(v, "iB") == 0 || strcmp(v, "B") == 0)
			v += strlen(v);
		if (x > (UINT64_MAX >> shift))
			return false;
		x <<= shift;
	}
	if (*v || x < min || x > max)
		return false;
	*ret = x;
	return true;
}

/* "FILE, line N: " and the message, said as an error; returns 1. */
static int conf_bad(const node_env *env, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int conf_bad(const node_env *env, const char *file, unsigned line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, node_tr(env, fmt), ap);
	va_end(ap);
	node_say(env, NODE_SAY_ERROR, "%s, line %u: %s", file, line, msg);
	return 1;
}

/* The quarantine's settings in maille.conf (PROTOCOL.md §4.6): a number of entries from 1 to
 * UINT32_MAX, or a size (example: good values, for the message) up to 1 TiB. */
typedef struct quota_setting {
	const char *key;
	size_t offset; /* of its uint64_t in node_dir */
	const char *example;
} quota_setting;

static const quota_setting *quota_setting_find(const char *key)
{
	static const quota_setting settings[] = {
		{ "quarantine.entries", offsetof(node_dir, quota_entries), NULL },
		{ "quarantine.bytes", offsetof(node_dir, quota_bytes),
		  "268435456, 256MiB or 1GiB" },
		{ "quarantine.total_entries", offsetof(node_dir, quota_total_entries), NULL },
		/* not the quarantine's, but a size read the same way (PROTOCOL.md §6) */
		{ "attachments.budget", offsetof(node_dir, blob_budget), "2147483648, 2048MiB or 2GiB" },
		{ "quarantine.total_bytes", offsetof(node_dir, quota_total_bytes),
		  "1073741824, 1024MiB or 1GiB" },
	};
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
		if (strcmp(key, settings[i].key) == 0)
			return &settings[i];
	return NULL;
}

/* DIR/maille.conf: "key = value" lines, '#' comments. A key this version does not know is
 * ignored with a warning (a newer version may have written it); a known key with a bad value
 * is an error: a node must not run on a setting it misread. */
static int read_conf(node_dir *nd, const node_env *env)
{
	char p[4200];
	if (node_path_join(p, sizeof p, nd->path, NODE_CONF_FILE))
		return -1;
	FILE *f = fopen(p, "r");
	if (!f)
		return -1;
	char line[1024];
	unsigned lineno = 0;
	int bad = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *eq = strchr(line, '=');
		if (line[0] == '#' || !eq)
			continue;
		char *k = line, *v = eq + 1;
		*eq = '\0';
		while (*k == ' ' || *k == '\t')
			k++;
		for (char *e = eq - 1; e >= k && (*e == ' ' || *e == '\t'); e--)
			*e = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\r\n")] = '\0';
		uint64_t x = 0;
		const quota_setting *q;
		if (strcmp(k, "name") == 0) {
			snprintf(nd->name, sizeof nd->name, "%s", v);
		} else if (strcmp(k, "trust.hops") == 0) {
			if (conf_uint(v, 1, TRUST_HOPS_MAX, false, &x))
				nd->trust_hops = (unsigned)x;
			else
				bad = conf_bad(env, p, lineno,
				               "trust.hops must be a number from 1 to %u",
				               TRUST_HOPS_MAX);
		} else if ((q = quota_setting_find(k)) != NULL) {
			bool size = q->example != NULL;
			if (conf_uint(v, 1, size ? UINT64_C(1) << 40 : UINT32_MAX, size, &x))
				*(uint64_t *)((char *)nd + q->offset) = x;
			else if (size)
				bad = conf_bad(env, p, lineno,
				               "%s must be a size such as %s (at most 1024GiB)", k,
				               q->example);
			else
				bad = conf_bad(env, p, lineno,
				               "%s must be a number of entries from 1 to %u", k,
				               UINT32_MAX);
		} else if (strcmp(k, "web.hosts") == 0) {
			if (!env || !env->web_hosts_valid || env->web_hosts_valid(v))
				snprintf(nd->web_hosts, sizeof nd->web_hosts, "%s", v);
			else
				bad = conf_bad(env, p, lineno,
				               "web.hosts must be up to %u host names, "
				               "each with an optional port, separated by "
				               "commas (such as catalogue.exemple.fr, "
				               "192.0.2.10, catalogue.exemple.fr:443)",
				               env->web_hosts_max);
		} else if (strcmp(k, "timezone") == 0) {
			if (datefmt_zone_find(v)) {
				snprintf(nd->timezone, sizeof nd->timezone, "%s", v);
			} else {
				char zones[1024];
				datefmt_zone_list(zones, sizeof zones);
				bad = conf_bad(env, p, lineno,
				               "timezone '%.64s' is not known; the French territories' "
				               "zones are: %s",
				               v, zones);
			}
		} else if (strcmp(k, "member") == 0) {
			if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0)
				nd->member = strcmp(v, "yes") == 0;
			else
				bad = conf_bad(env, p, lineno, "member must be yes or no");
		} else {
			node_say(env, NODE_SAY_WARN, "%s, line %u: unknown setting '%s' ignored", p,
			         lineno, k);
		}
	}
	fclose(f);
	return bad;
}

/* Reads the seed (hex) into locked memory and derives the key pair. */
static int load_key(node_dir *nd, const node_env *env)
{
	char p[4200];
	if (node_path_join(p, sizeof p, nd->path, NODE_KEY_FILE))
		return MAILLE_EINVAL;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? MAILLE_ENOTNODE : MAILLE_EIO;
	struct stat sb;
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077))
		node_say(env, NODE_SAY_WARN,
		         "%s is readable by other users (mode %03o); run: chmod 600 %s", p,
		         (unsigned)(sb.st_mode & 0777), p);
	char *hex = sodium_malloc(130);
	uint8_t *seed = sodium_malloc(32);
	nd->sk = sodium_malloc(PROTO_SECRET_KEY_LEN);
	if (!hex || !seed || !nd->sk) {
		close(fd);
		return MAILLE_ENOMEM;
	}
	ssize_t n = read(fd, hex, 129);
	close(fd);
	int r = MAILLE_ECORRUPT;
	if (n >= 64) {
		hex[64] = '\0';
		if (proto_unhex(hex, seed, 32) == 0) {
			crypto_sign_seed_keypair(nd->pk, nd->sk, seed);
			r = 0;
		}
	}
	sodium_free(hex); /* sodium_free wipes */
	sodium_free(seed);
	return r;
}

int node_dir_mark_corrupt(const node_dir *nd, const char *text)
{
	char p[4200], tmp[4220];
	if (node_path_join(p, sizeof p, nd->path, NODE_CORRUPT_FILE) ||
	    snprintf(tmp, sizeof tmp, "%s.tmp", p) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!text)
		return unlink(p) == 0 || errno == ENOENT ? 0 : -1;
	/* written whole, then renamed: a reader never sees half of it */
	unlink(tmp);
	if (node_file_create(tmp, 0644, text, strlen(text)) != 0)
		return -1;
	if (rename(tmp, p) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The settings of a node whose maille.conf does not say otherwise. */
static void conf_defaults(node_dir *nd)
{
	nd->trust_hops = TRUST_HOPS_DEFAULT;
	snprintf(nd->timezone, sizeof nd->timezone, "%s", DATEFMT_ZONE_DEFAULT);
	nd->quota_entries = NODE_QUOTA_ENTRIES_DEFAULT;
	nd->quota_bytes = NODE_QUOTA_BYTES_DEFAULT;
	nd->quota_total_entries = NODE_QUOTA_TOTAL_ENTRIES_DEFAULT;
	nd->quota_total_bytes = NODE_QUOTA_TOTAL_BYTES_DEFAULT;
	nd->blob_budget = NODE_BLOB_BUDGET_DEFAULT;
}

/* The key and maille.conf into nd (node_dir_open's first half). */
static int open_key_conf(node_dir *nd, const node_env *env)
{
	struct stat sb;
	if (stat(nd->path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		node_say(env, NODE_SAY_ERROR,
		         "%s: no such node directory; create a node with 'maille init --name NAME' "
		         "(or give --dir DIR / MAILLE_HOME)",
		         nd->path);
		return MAILLE_ENOTNODE;
	}
	int r = load_key(nd, env);
	if (r) {
		if (r == MAILLE_ENOTNODE)
			node_say(
			    env, NODE_SAY_ERROR,
			    "%s is not a Maille node (no %s); create one with 'maille init --name "
			    "NAME'",
			    nd->path, NODE_KEY_FILE);
		else
			node_say(env, NODE_SAY_ERROR, "%s/%s: cannot read the node key: %s",
			         nd->path, NODE_KEY_FILE, node_tr(env, maille_strerror(r)));
		return r;
	}
	conf_defaults(nd);
	if (read_conf(nd, env) > 0)
		return MAILLE_EINVAL;
	if (node_path_join(nd->store_path, sizeof nd->store_path, nd->path, NODE_STORE_FILE))
		return MAILLE_EINVAL;
	return 0;
}

/* The store into nd->st (node_dir_open's second half). */
static int open_store(node_dir *nd, int mode, const node_env *env)
{
	const char *sp = nd->store_path;
	struct stat sb;
	if (mode == NODE_OPEN_WRITE) {
		/* the last check found the store damaged: no write until one finds it sound (a
		 * stat, not a scan: the check is what reads everything) */
		char mp[4200];
		if (node_path_join(mp, sizeof mp, nd->path, NODE_CORRUPT_FILE) == 0 &&
		    stat(mp, &sb) == 0) {
			node_say(env, NODE_SAY_STORE,
			         "%s was found damaged by 'maille check' (the problems are in %s): "
			         "nothing was written",
			         sp, mp);
			return MAILLE_ECORRUPT;
		}
	}
	int r = store_open(sp, STORE_OPEN_EXISTING, &nd->st);
	if (!r && store_upgraded_from(nd->st) > 0)
		node_say(env, NODE_SAY_WARN,
		         "%s: the store was upgraded from schema version %d; its search index was "
		         "rebuilt for the French analysis",
		         sp, store_upgraded_from(nd->st));
	if (r) {
		char why[256] = "";
		int known = store_diagnose(sp, why, sizeof why);
		if (r == MAILLE_ENOTFOUND)
			node_say(env, NODE_SAY_STORE,
			         "%s: the store is missing; nothing was written", sp);
		else if (r == MAILLE_ECORRUPT)
			node_say(env, NODE_SAY_STORE,
			         "%s: cannot open the store: %s; nothing was written", sp,
			         known ? why : node_tr(env, "SQLite finds it damaged"));
		else
			node_say(env, NODE_SAY_ERROR, "%s: cannot open the store: %s", sp,
			         node_tr(env, maille_strerror(r)));
		return r;
	}
	memcpy(nd->territory, nd->pk, PROTO_KEY_LEN);
	nd->has_territory = !nd->member;
	if (nd->member) {
		proto_member_cap cap;
		if (trust_member_cap(nd->st, nd->pk, env ? env->now_us : 0, &cap) == 0) {
			memcpy(nd->territory, cap.territory, PROTO_KEY_LEN);
			snprintf(nd->member_name, sizeof nd->member_name, "%s", cap.name);
			nd->has_territory = true;
		}
	}
	return 0;
}

int node_dir_open(node_dir *nd, const char *dir_opt, int mode, const node_env *env)
{
	memset(nd, 0, sizeof *nd);
	int r = node_dir_resolve(dir_opt, nd->path, sizeof nd->path, env);
	if (!r)
		r = open_key_conf(nd, env);
	if (!r && mode != NODE_OPEN_NOSTORE)
		r = open_store(nd, mode, env);
	if (r)
		node_dir_close(nd);
	return r;
}

void node_dir_close(node_dir *nd)
{
	store_close(nd->st);
	nd->st = NULL;
	if (nd->sk)
		sodium_free(nd->sk);
	nd->sk = NULL;
}

int node_conf_append(char *buf, size_t cap, size_t *len, const char *key, const char *value)
{
	/* the readers (read_conf here, parse in federation.c) split lines at '\n' and end a value
	 * at '\r': a value holding either would write a setting of its own */
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return MAILLE_EINVAL;
	if (*len >= cap)
		return MAILLE_ETOOBIG;
	int n = snprintf(buf + *len, cap - *len, "%s = %s\n", key, value);
	if (n < 0 || (size_t)n >= cap - *len) {
		buf[*len] = '\0';
		return MAILLE_ETOOBIG;
	}
	*len += (size_t)n;
	return 0;
}

int node_dir_create(node_dir *nd, const char *dir_opt, const char *name, const uint8_t *seed_in,
                    const node_env *env)
{
	memset(nd, 0, sizeof *nd);
	int r = node_dir_resolve(dir_opt, nd->path, sizeof nd->path, env);
	if (r)
		return r;
	char kp[4200], cp[4200], sp[4200];
	if (node_path_join(kp, sizeof kp, nd->path, NODE_KEY_FILE) ||
	    node_path_join(cp, sizeof cp, nd->path, NODE_CONF_FILE) ||
	    node_path_join(sp, sizeof sp, nd->path, NODE_STORE_FILE)) {
		node_say(env, NODE_SAY_ERROR, "node directory path too long");
		return MAILLE_EINVAL;
	}
	struct stat sb;
	if (stat(kp, &sb) == 0 || stat(sp, &sb) == 0) {
		node_say(env, NODE_SAY_ERROR,
		         "%s already holds a Maille node; refusing to overwrite it", nd->path);
		return MAILLE_EEXIST;
	}
	/* the configuration first: a name it cannot hold leaves nothing behind */
	char conf[1024];
	size_t conf_len = (size_t)snprintf(conf, sizeof conf,
	                                   "# Maille node configuration (key = value).\n");
	r = node_conf_append(conf, sizeof conf, &conf_len, "name", name);
	if (r) {
		node_say(
		    env, NODE_SAY_ERROR,
		    "%s : nom refusé, il ne tient pas sur une ligne du fichier (the name cannot "
		    "be one line of the file: %s)",
		    cp, node_tr(env, maille_strerror(r)));
		return r;
	}
	if (mkdirs(nd->path, 0700) != 0) {
		node_say(env, NODE_SAY_ERROR, "%s: cannot create the directory: %s", nd->path,
		         strerror(errno));
		return MAILLE_EIO;
	}
	uint8_t *seed = sodium_malloc(32);
	char *hex = sodium_malloc(66);
	nd->sk = sodium_malloc(PROTO_SECRET_KEY_LEN);
	int wr = -1;
	if (seed && hex && nd->sk) {
		if (seed_in)
			memcpy(seed, seed_in, 32); /* a restored node: the key of its backup */
		else
			randombytes_buf(seed, 32);
		crypto_sign_seed_keypair(nd->pk, nd->sk, seed);
		proto_hex(seed, 32, hex);
		hex[64] = '\n';
		wr = node_file_create(kp, 0600, hex, 65);
	}
	int err = errno;
	if (seed)
		sodium_free(seed); /* wipes */
	if (hex)
		sodium_free(hex);
	if (!seed || !hex || !nd->sk) {
		node_say(env, NODE_SAY_ERROR, "out of memory");
		node_dir_close(nd);
		return MAILLE_ENOMEM;
	}
	if (wr != 0) {
		node_say(env, NODE_SAY_ERROR, "%s: cannot write the key: %s", kp, strerror(err));
		node_dir_close(nd);
		return MAILLE_EIO;
	}
	memcpy(nd->territory, nd->pk, PROTO_KEY_LEN);
	nd->has_territory = true;
	conf_defaults(nd);
	snprintf(nd->name, sizeof nd->name, "%s", name);
	if (node_file_create(cp, 0644, conf, conf_len) != 0) {
		node_say(env, NODE_SAY_ERROR, "%s: cannot write the configuration: %s", cp,
		         strerror(errno));
		unlink(kp);
		node_dir_close(nd);
		return MAILLE_EIO;
	}
	r = store_open(sp, STORE_OPEN_CREATE, &nd->st);
	if (r) {
		node_say(env, NODE_SAY_ERROR, "%s: cannot create the store: %s", sp,
		         node_tr(env, maille_strerror(r)));
		unlink(kp);
		unlink(cp);
		node_dir_close(nd);
		return r;
	}
	return 0;
}

/* The territory's name as the node presents itself (HELLO). */
void territory_name(const node_dir *nd, char *ret, size_t cap)
{
	/* no store (NODE_OPEN_NOSTORE): the configured name */
	if (!nd->st || store_territory_name(nd->st, nd->pk, ret, cap) != 0)
		snprintf(ret, cap, "%s", nd->name);
}
