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
#include "node/service/file.h"
#include "node/web/web.h"
#include "proto/error.h"

typedef struct sink_ctx {
	const char *out;  /* NULL: standard output */
	bool folder;      /* out is a folder: each file goes into it by its name */
	/* the file being written: a temporary file beside its place, renamed over it at the end */
	int fd;
	char path[4400], tmp[4420];
	char name[256]; /* the file being written, as the writer names it, for the progress */
	bool shown;     /* a progress line is on the terminal */
} sink_ctx;

/* "catalog.ttl: 2000 / 100000 records" on the terminal, rewritten in place. */
static void export_progress(void *vctx, size_t done, size_t total)
{
	sink_ctx *c = vctx;
	fputc('\r', stderr);
	fprintf(stderr, _("%s: %zu / %zu records"), c->name, done, total);
	c->shown = true;
	if (done == total) {
		fputc('\n', stderr);
		c->shown = false;
	}
	fflush(stderr);
}

static int sink_begin(void *vctx, const char *name)
{
	sink_ctx *c = vctx;
	c->fd = -1;
	/* the file as the user named it (--out FILE), else as the writer names it */
	snprintf(c->name, sizeof c->name, "%s", c->out && !c->folder ? c->out : name);
	if (!c->out)
		return 0;
	if (c->folder)
		snprintf(c->path, sizeof c->path, "%s/%s", c->out, name);
	else
		snprintf(c->path, sizeof c->path, "%s", c->out);
	/* a file of a folder export may be in a folder of its own (site: use_case/x.html) */
	for (char *p = c->folder ? c->path + strlen(c->out) + 1 : NULL; p && (p = strchr(p, '/'));
	     p++) {
		*p = '\0';
		int m = mkdir(c->path, 0755);
		*p = '/';
		if (m != 0 && errno != EEXIST) {
			cli_error("%s: %s", c->path, strerror(errno));
			return MAILLE_EIO;
		}
	}
	snprintf(c->tmp, sizeof c->tmp, "%s.tmp-XXXXXX", c->path);
	c->fd = mkstemp(c->tmp);
	if (c->fd < 0 || fchmod(c->fd, 0644) != 0) {
		cli_error("%s: %s", c->path, strerror(errno));
		if (c->fd >= 0) {
			close(c->fd);
			unlink(c->tmp);
			c->fd = -1;
		}
		return MAILLE_EIO;
	}
	return 0;
}

static int sink_write(void *vctx, const char *data, size_t len)
{
	sink_ctx *c = vctx;
	if (!c->out)
		return fwrite(data, 1, len, stdout) == len ? 0 : MAILLE_EIO;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(c->fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			cli_error("%s: %s", c->path, strerror(w < 0 ? errno : EIO));
			return MAILLE_EIO;
		}
		off += (size_t)w;
	}
	return 0;
}

/* The file whole at its place (synced, then renamed over the old one), or nothing of it. A
 * folder's files (a site's thousands of pages) are synced at once at the end (folder_sync). */
static int sink_end(void *vctx, bool ok)
{
	sink_ctx *c = vctx;
	if (!c->out)
		return fflush(stdout) == 0 ? 0 : MAILLE_EIO;
	if (c->fd < 0)
		return MAILLE_EIO;
	bool done = ok && (c->folder || fsync(c->fd) == 0);
	int saved = errno;
	if (close(c->fd) != 0 && done) {
		done = false;
		saved = errno;
	}
	c->fd = -1;
	if (done && rename(c->tmp, c->path) == 0)
		return 0;
	if (ok) {
		if (done)
			saved = errno;
		cli_error("%s: %s", c->path, strerror(saved));
	}
	unlink(c->tmp);
	return MAILLE_EIO;
}

/* Every file written into the folder out on disk, at once. */
static int folder_sync(const char *out)
{
	int r = node_file_sync_fs(out);
	if (r)
		cli_error("%s: %s", out, strerror(errno));
	return r;
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
	/* a flavour by --out's extension (catalog.ttl), else a folder of every flavour */
	const char *variant = site || ef->one_file ? NULL : export_format_variant(ef, out);
	sink_ctx sc = { .out = out, .folder = out && !variant && !(ef && ef->one_file), .fd = -1 };
	/* a format of one record type (an inventory holds use cases, publiccode components) */
	if (ef && ef->type) {
		if (f->type && strcmp(f->type, ef->type) != 0)
			return cli_usage_error("export",
			                       _("--format %s holds records of type %s only, not \"%s\""),
			                       format, ef->type, f->type);
		f->type = ef->type;
	}
	if (sc.folder && mkdir(out, 0755) != 0 && errno != EEXIST) {
		cli_error("%s: %s", out, strerror(errno));
		return EXIT_FAIL;
	}
	/* standard output takes one file: a format's first flavour */
	if (!out && ef)
		variant = ef->variants[0];
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
	if (isatty(STDERR_FILENO)) {
		s.progress = export_progress;
		s.progress_ctx = &sc;
	}
	export_sink o = { .begin = sink_begin, .write = sink_write, .end = sink_end, .ctx = &sc };
	int ret = EXIT_FAIL;
	int r = export_set_load(&s, nd->st, f);
	if (r) {
		cli_error(_("export: %s"), cli_strerror(r));
		goto out;
	}
	/* a public page of a French territory: French, whatever the shell's language */
	r = site ? web_site_export(nd->st, &s, nd->timezone, false, &o)
	         : ef->write(&s, &o, variant);
	if (!r && sc.folder)
		r = folder_sync(out);
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
		                 "%zu records exported (%s), %zu left out\n", o.n_records),
		        o.n_records, format, o.n_skips);
	ret = EXIT_OK;
out:
	if (sc.shown) /* a writer that stopped before the end of its records */
		fputc('\n', stderr);
	free(o.skips);
	export_set_done(&s);
	return ret;
}
