/* node/service/federation.c: the federation file, DIR/federation.
 *
 *   # Maille federation: this file holds the network key; keep it secret (mode 0600).
 *   name = Réseau des territoires
 *   key = <64 hex digits>
 *
 * The key is the psk of the handshake (PROTOCOL.md §2): whoever holds it is a member. It is
 * read into sodium_malloc() memory, wiped after use, never printed and never logged. */
#include "node/service/federation.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/service/file.h"
#include "node/service/keybackup.h"
#include "node/service/nodedir.h"
#include "proto/channel.h"
#include "proto/error.h"
#include "proto/value.h"

/* a key backup holds any federation's name (keybackup.h) */
_Static_assert(KEYBACKUP_FED_NAME_MAX == FEDERATION_NAME_MAX, "the two limits differ");

/* The rule of the file, for what it already holds and what an invitation brings (the token's
 * own rule, PROTOCOL.md §4.1, plus no blank at either end): no C0 control character or DEL, so
 * that a name is one line. A name typed for a new federation is held to more
 * (tools/cli's cli_name_check: no C1 control either); a file or a token of an older version may
 * hold one, and refusing it here would cut that node or its newcomers off their federation. */
bool federation_name_valid(const char *name)
{
	/* one line of the file: no control character, no surrounding blanks to lose */
	return keybackup_federation_name_valid(name, strlen(name));
}

int federation_path(const char *dir, char *ret, size_t cap)
{
	int n = snprintf(ret, cap, "%s/%s", dir, FEDERATION_FILE);
	return n < 0 || (size_t)n >= cap ? MAILLE_EINVAL : 0;
}

void federation_done(federation *f)
{
	if (f->key)
		sodium_free(f->key); /* wipes */
	f->key = NULL;
}

int federation_generate(const char *name, federation *ret)
{
	if (!federation_name_valid(name))
		return MAILLE_EINVAL;
	uint8_t *key = sodium_malloc(PROTO_NETKEY_LEN);
	if (!key)
		return MAILLE_ENOMEM;
	randombytes_buf(key, PROTO_NETKEY_LEN);
	memset(ret, 0, sizeof *ret);
	snprintf(ret->name, sizeof ret->name, "%s", name);
	ret->key = key;
	return 0;
}

/* Parses the text of a federation file (text is NUL-terminated, in sodium memory). */
static int parse(char *text, federation *f, char *why, size_t why_cap, const node_env *env)
{
	bool have_name = false, have_key = false;
	unsigned lineno = 0;
	for (char *line = text, *next; line && *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		size_t len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		char *k = line;
		while (*k == ' ' || *k == '\t')
			k++;
		if (*k == '\0' || *k == '#')
			continue;
		char *eq = strchr(k, '=');
		if (!eq) {
			snprintf(why, why_cap, node_tr(env, "line %u is not 'key = value'"), lineno);
			return MAILLE_EPROTO;
		}
		char *v = eq + 1;
		for (char *e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		*eq = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		for (size_t vl = strlen(v); vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t');)
			v[--vl] = '\0';
		if (strcmp(k, "name") == 0) {
			if (have_name || !federation_name_valid(v)) {
				snprintf(why, why_cap, node_tr(env, "line %u: %s"), lineno,
				         have_name ? node_tr(env, "a second name")
				                   : node_tr(env, "the name must be 1 to 128 bytes of UTF-8 "
				                                  "text"));
				return MAILLE_EPROTO;
			}
			snprintf(f->name, sizeof f->name, "%s", v);
			have_name = true;
		} else if (strcmp(k, "key") == 0) {
			if (have_key || proto_unhex(v, f->key, PROTO_NETKEY_LEN) != 0) {
				snprintf(why, why_cap, node_tr(env, "line %u: %s"), lineno,
				         have_key ? node_tr(env, "a second key")
				                  : node_tr(env, "the key must be 64 hex digits"));
				return MAILLE_EPROTO;
			}
			have_key = true;
		}
		/* other keys: ignored, so that a later version may add some */
	}
	if (!have_name || !have_key) {
		snprintf(why, why_cap, node_tr(env, "no %s line"), have_name ? "'key ='" : "'name ='");
		return MAILLE_EPROTO;
	}
	return 0;
}

int federation_read(const char *path, federation *ret, char *why, size_t why_cap,
                    const node_env *env)
{
	int r = MAILLE_ENOMEM;
	federation f;
	memset(&f, 0, sizeof f);
	char *text = NULL;
	snprintf(why, why_cap, "%s", "");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, why_cap, "%s", strerror(errno));
		return errno == ENOENT ? MAILLE_ENOTFOUND : MAILLE_EIO;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077))
		node_say(env, NODE_SAY_WARN,
		         "%s is readable by other users (mode %03o) and holds the federation's "
		         "network key; run: chmod 600 %s",
		         path, (unsigned)(sb.st_mode & 0777), path);
	text = sodium_malloc(FEDERATION_FILE_MAX + 1);
	f.key = sodium_malloc(PROTO_NETKEY_LEN);
	if (!text || !f.key)
		goto out;
	size_t len = 0;
	r = node_file_read_fd(fd, (uint8_t *)text, FEDERATION_FILE_MAX, &len);
	if (r == MAILLE_ETOOBIG) {
		snprintf(why, why_cap, node_tr(env, "larger than %u bytes"), FEDERATION_FILE_MAX);
		r = MAILLE_EPROTO;
		goto out;
	}
	if (r) {
		snprintf(why, why_cap, "%s", strerror(errno));
		goto out;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		snprintf(why, why_cap, "%s", node_tr(env, "not a text file"));
		r = MAILLE_EPROTO;
		goto out;
	}
	r = parse(text, &f, why, why_cap, env);
out:
	close(fd);
	if (text)
		sodium_free(text);
	if (r) {
		federation_done(&f);
		return r;
	}
	*ret = f;
	return 0;
}

int federation_write(const char *path, const federation *f)
{
	/* the text with the key in hex lives in sodium memory too */
	char *text = sodium_malloc(FEDERATION_FILE_MAX);
	if (!text)
		return MAILLE_ENOMEM;
	char hex[2 * PROTO_NETKEY_LEN + 1];
	proto_hex(f->key, PROTO_NETKEY_LEN, hex);
	size_t n = (size_t)snprintf(text, FEDERATION_FILE_MAX,
	                            "# Maille federation. This file holds the federation's network "
	                            "key:\n# whoever has it is a member. Keep it secret (mode "
	                            "0600).\n");
	int r = node_conf_append(text, FEDERATION_FILE_MAX, &n, "name", f->name);
	if (!r)
		r = node_conf_append(text, FEDERATION_FILE_MAX, &n, "key", hex);
	sodium_memzero(hex, sizeof hex);
	/* created, never replaced, never left half written: never half a key behind */
	r = r ? MAILLE_EINVAL : node_file_create(path, 0600, text, n);
	sodium_free(text);
	return r;
}

int federation_load(const node_dir *nd, federation *ret, const node_env *env)
{
	char path[4200], why[160];
	if (federation_path(nd->path, path, sizeof path)) {
		node_say(env, NODE_SAY_ERROR, "node directory path too long");
		return MAILLE_EINVAL;
	}
	int r = federation_read(path, ret, why, sizeof why, env);
	if (r == MAILLE_ENOTFOUND)
		node_say(
		    env, NODE_SAY_ERROR,
		    "%s has no federation: create one with 'maille federation new --name NAME' "
		    "or join one with 'maille federation import FILE'",
		    nd->path);
	else if (r)
		node_say(env, NODE_SAY_ERROR, "%s: %s%s%s", path, node_tr(env, maille_strerror(r)),
		         *why ? ": " : "", why);
	return r;
}
