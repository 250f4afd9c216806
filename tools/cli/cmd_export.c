/* tools/cli/cmd_export.c: maille export --format F for the formats others read
 * (node/formats/export.h): the records the filter keeps, written by the format's writer into
 * --out (a file, or a folder for a format of several files) or onto standard output. Files are
 * replaced whole or not at all (a temporary file renamed over the old one), so that a harvester
 * reading a published export never sees half of one. json and markdown stay cmd_query.c's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "node/formats/export.h"
#include "node/web/web.h"
#include "proto/error.h"

typedef struct sink_ctx {
	const char *out;  /* NULL: standard output */
	bool folder;      /* out is a folder: each file goes into it by its name */
	int err_errno;
} sink_ctx;

/* data[0..len) as path: a temporary file beside it, synced, renamed over it. */
static int write_replace(const char *path, const char *data, size_t len)
{
	char tmp[4200];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= sizeof tmp)
		return MAILLE_EINVAL;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return MAILLE_EIO;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	int saved = errno;
	bool ok = off == len && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
	if (!ok)
		saved = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (!ok || rename(tmp, path) != 0) {
		if (ok)
			saved = errno;
		unlink(tmp);
		errno = saved;
		return MAILLE_EIO;
	}
	return 0;
}

static int sink_put(void *vctx, const char *name, const char *data, size_t len)
{
	sink_ctx *c = vctx;
	if (!c->out)
		return fwrite(data, 1, len, stdout) == len ? 0 : MAILLE_EIO;
	char path[4400];
	if (c->folder)
		snprintf(path, sizeof path, "%s/%s", c->out, name);
	else
		snprintf(path, sizeof path, "%s", c->out);
	/* a file of a folder export may be in a folder of its own (site: use_case/x.html) */
	for (char *p = c->folder ? path + strlen(c->out) + 1 : NULL; p && (p = strchr(p, '/')); p++) {
		*p = '\0';
		int m = mkdir(path, 0755);
		*p = '/';
		if (m != 0 && errno != EEXIST) {
			cli_error("%s: %s", path, strerror(errno));
			return MAILLE_EIO;
		}
	}
	int r = write_replace(path, data, len);
	if (r) {
		cli_error("%s: %s", path, strerror(errno));
		return r;
	}
	return 0;
}

/* The name's extension when it is one a format chooses its flavour by (".ttl", ".jsonld"). */
static const char *out_variant(const char *out)
{
	const char *dot = out ? strrchr(out, '.') : NULL;
	if (dot && (strcmp(dot, ".ttl") == 0 || strcmp(dot, ".jsonld") == 0))
		return dot + 1;
	return NULL;
}

int export_run(node_dir *nd, store_filter *f, const char *format, const char *out,
               const char *base_url, bool json)
{
	bool site = strcmp(format, "site") == 0;
	const export_format *ef = export_format_find(format);
	if (!ef && !site)
		return EXIT_USAGE;
	if (site && !out)
		return cli_usage_error("export", "%s", _("--format site needs --out DIR (a folder)"));
	const char *variant = site ? NULL : out_variant(out);
	sink_ctx sc = { .out = out, .folder = out && !variant };
	if (sc.folder && mkdir(out, 0755) != 0 && errno != EEXIST) {
		cli_error("%s: %s", out, strerror(errno));
		return EXIT_FAIL;
	}
	/* standard output takes one file: a format's first flavour */
	if (!out)
		variant = strcmp(format, "dcat") == 0 ? "ttl" : NULL;
	export_set s;
	export_set_init(&s);
	char web[1100] = "";
	if (base_url)
		snprintf(web, sizeof web, "%s", base_url);
	else if (nd->web_hosts[0])
		snprintf(web, sizeof web, "https://%.*s", (int)strcspn(nd->web_hosts, " ,"), nd->web_hosts);
	s.base_url = web[0] ? web : NULL;
	s.title = nd->name;
	memcpy(s.node_key, nd->has_territory ? nd->territory : nd->pk, PROTO_KEY_LEN);
	s.now_us = cli_now_us();
	export_sink o = { .put = sink_put, .ctx = &sc };
	int ret = EXIT_FAIL;
	int r = export_set_load(&s, nd->st, f);
	if (r) {
		cli_error(_("export: %s"), cli_strerror(r));
		goto out;
	}
	/* a public page of a French territory: French, whatever the shell's language */
	r = site ? web_site_export(nd->st, &s, nd->timezone, false, &o)
	         : ef->write(&s, &o, variant);
	if (r) {
		if (r == MAILLE_ENOMEM)
			cli_error(_("out of memory"));
		goto out;
	}
	bool en = !cli_french();
	for (size_t i = 0; i < o.n_skips; i++)
		cli_warn(_("%s: not exported: %s"), o.skips[i].path, en ? o.skips[i].en : o.skips[i].fr);
	if (out || json)
		fprintf(stderr,
		        ngettext("%zu record exported (%s), %zu left out\n",
		                 "%zu records exported (%s), %zu left out\n", s.n - o.n_skips),
		        s.n - o.n_skips, format, o.n_skips);
	ret = EXIT_OK;
out:
	free(o.skips);
	export_set_done(&s);
	return ret;
}
