/* node/service/bulk.c: records signed and stored in batches (bulk.h).
 *
 * A batch goes through three steps. On the calling thread, each record's live version is read:
 * a byte-identical body is left alone ("unchanged"), and the new version's timestamp is
 * decided (publish_timestamp's rule: after the live one, so that an edit always wins,
 * PROTOCOL.md §1.5). Then worker threads encode and sign the batch (Ed25519 is most of a
 * record's cost, and each signature is independent of the others). Last, the calling thread,
 * the store's only writer, stores the signed entries in one transaction
 * (store_entry_put_verified: signed here, they need no second verification). The workers sign
 * the next batch while the calling thread stores the current one, and the next batch's live
 * versions are read inside the current one's transaction (a read on its own would take and
 * release the file's locks once a record). */
#include "bulk.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/service/publish.h"
#include "proto/error.h"
#include "store/store.h"

/* One record of a batch, as the workers leave it. */
typedef struct bulk_signed {
	uint64_t timestamp; /* decided on the calling thread */
	bool sign;          /* false: unchanged, or refused before signing */
	int r;              /* the workers' error (proto_entry_encode's) */
	uint8_t *raw;       /* the signed entry, malloc'd */
	size_t len;
	proto_entry e;      /* decoded from raw (borrows it) */
	uint8_t id[PROTO_ID_LEN];
	store_prepared *prep; /* what the store would compute before writing it, computed by the
	                       * worker; kept from batch to batch */
	bool prepared;        /* prep holds this entry's (otherwise the store does the work) */
} bulk_signed;

/* A batch being signed: items[start..end) into slots[0..end-start). */
typedef struct bulk_job {
	const node_dir *nd;
	const char *capref;
	bulk_item *items;
	bulk_signed *slots;
	size_t start, end;
	atomic_size_t next;
	pthread_t threads[BULK_THREADS_MAX];
	unsigned n_threads;
} bulk_job;

static void sign_one(const bulk_job *job, size_t i, store_preparer *pr)
{
	const bulk_item *it = &job->items[i];
	bulk_signed *s = &job->slots[i - job->start];
	proto_entry e;
	memset(&e, 0, sizeof e);
	memcpy(e.territory, job->nd->territory, PROTO_KEY_LEN);
	memcpy(e.signer, job->nd->sk + PROTO_SECRET_KEY_LEN - PROTO_KEY_LEN, PROTO_KEY_LEN);
	if (job->capref) {
		e.capref = job->capref;
		e.capref_len = strlen(job->capref);
	}
	e.path = it->path;
	e.path_len = strlen(it->path);
	e.timestamp = s->timestamp;
	e.kind = PROTO_KIND_DOCUMENT;
	e.body = it->body;
	e.body_len = it->body_len;
	s->r = proto_entry_encode(&e, job->nd->sk, &s->raw, &s->len);
	if (!s->r)
		s->r = proto_entry_decode(s->raw, s->len, &s->e);
	if (!s->r)
		proto_entry_id(s->raw, s->len, s->id);
	/* the body decoded, its full-text and words cut, here rather than on the thread that
	 * stores (a failure leaves that to the store, which gives the error) */
	if (!s->r && pr && (s->prep || store_prepared_new(&s->prep) == 0))
		s->prepared = store_doc_prepare(pr, &s->e, s->prep) == 0;
}

static void *sign_worker(void *arg)
{
	bulk_job *job = arg;
	store_preparer *pr = NULL;
	bool tried = false;
	for (;;) {
		size_t i = atomic_fetch_add(&job->next, 1);
		if (i >= job->end)
			break;
		if (!job->slots[i - job->start].sign)
			continue;
		/* one preparer a thread (its stemmer is the thread's), made once there is work */
		if (!tried && store_preparer_new(&pr) != 0)
			pr = NULL;
		tried = true;
		sign_one(job, i, pr);
	}
	store_preparer_free(pr);
	return NULL;
}

/* Starts signing job's batch on n threads (0 or a failure to start one: the rest is signed
 * by sign_wait on the calling thread). */
static void sign_start(bulk_job *job, unsigned n)
{
	atomic_init(&job->next, job->start);
	job->n_threads = 0;
	for (unsigned t = 0; t < n && t < BULK_THREADS_MAX; t++) {
		if (pthread_create(&job->threads[t], NULL, sign_worker, job) != 0)
			break;
		job->n_threads++;
	}
}

static void sign_wait(bulk_job *job)
{
	sign_worker(job); /* whatever no thread took */
	for (unsigned t = 0; t < job->n_threads; t++)
		pthread_join(job->threads[t], NULL);
	job->n_threads = 0;
}

static void slots_free(bulk_signed *slots, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(slots[i].raw);
		slots[i].raw = NULL;
	}
}

/* Step one of items[start..end) (bulk.c's head): unchanged ones set aside, timestamps
 * decided. */
static void batch_prepare(node_dir *nd, bulk_item *items, bulk_signed *slots, size_t start,
                          size_t end, uint64_t now_us)
{
	for (size_t i = start; i < end; i++) {
		bulk_item *it = &items[i];
		bulk_signed *s = &slots[i - start];
		store_prepared *prep = s->prep; /* kept from batch to batch */
		memset(s, 0, sizeof *s);
		s->prep = prep;
		it->updated = it->unchanged = false;
		it->result = 0;
		s->timestamp = now_us;
		s->sign = true;
		store_row row;
		if (store_entry_get(nd->st, nd->territory, it->path, &row) != 0)
			continue;
		if (row.entry.kind == PROTO_KIND_DOCUMENT) {
			it->updated = true;
			if (row.entry.body_len == it->body_len &&
			    memcmp(row.entry.body, it->body, it->body_len) == 0) {
				it->unchanged = true;
				it->updated = false;
				memcpy(it->id, row.id, PROTO_ID_LEN);
				s->sign = false;
			}
		}
		if (row.entry.timestamp >= now_us)
			s->timestamp = row.entry.timestamp + 1;
		store_row_done(&row);
	}
}

/* Step three: the signed entries of items[start..end) stored in the transaction the caller
 * began, then committed. 0, or the store's error (the batch rolled back). */
static int batch_store(node_dir *nd, bulk_item *items, bulk_signed *slots, size_t start,
                       size_t end)
{
	int r = 0;
	for (size_t i = start; i < end && !r; i++) {
		bulk_item *it = &items[i];
		bulk_signed *s = &slots[i - start];
		if (!s->sign)
			continue;
		if (s->r) {
			it->result = s->r;
			it->updated = false;
			continue;
		}
		it->result =
		    store_entry_put_prepared(nd->st, &s->e, s->raw, s->len, s->id,
		                             s->prepared ? s->prep : NULL, NULL);
		if (it->result == 0)
			memcpy(it->id, s->id, PROTO_ID_LEN);
		else
			it->updated = false;
		if (it->result == MAILLE_EIO || it->result == MAILLE_ECORRUPT ||
		    it->result == MAILLE_ENOMEM)
			r = it->result;
	}
	if (!r)
		return store_commit(nd->st);
	store_rollback(nd->st);
	return r;
}

static unsigned threads_default(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1u : n > BULK_THREADS_MAX ? BULK_THREADS_MAX : (unsigned)n;
}

int bulk_publish(node_dir *nd, bulk_item *items, size_t n, unsigned threads, uint64_t now_us,
                 bulk_progress_fn progress, void *ctx)
{
	if (nd->member && !nd->has_territory) {
		for (size_t i = 0; i < n; i++)
			items[i] = (bulk_item){ .path = items[i].path, .body = items[i].body,
				                .body_len = items[i].body_len, .result = MAILLE_ESTATE };
		return 0;
	}
	if (n == 0)
		return 0;
	char capref[PUBLISH_CAPREF_CAP];
	if (nd->member)
		publish_capref(nd->pk, capref);
	if (threads == 0)
		threads = threads_default();
	size_t per = n < BULK_BATCH ? n : BULK_BATCH;
	bulk_job jobs[2];
	for (int j = 0; j < 2; j++) {
		memset(&jobs[j], 0, sizeof jobs[j]);
		jobs[j].nd = nd;
		jobs[j].capref = nd->member ? capref : NULL;
		jobs[j].items = items;
		jobs[j].slots = calloc(per, sizeof *jobs[j].slots);
	}
	int r = jobs[0].slots && jobs[1].slots ? 0 : MAILLE_ENOMEM;
	size_t failed_from = 0;
	bulk_job *cur = &jobs[0], *nxt = &jobs[1];
	cur->start = 0;
	cur->end = per;
	for (bool first = true; !r && cur->start < n; first = false) {
		/* the live versions are read inside the write transaction: one lock for a batch
		 * rather than one for each record's read (the next batch's paths are not this
		 * one's, so what it reads is what it would read after this commit) */
		r = store_begin(nd->st);
		if (r) {
			failed_from = cur->start;
			break;
		}
		if (first) {
			batch_prepare(nd, items, cur->slots, cur->start, cur->end, now_us);
			sign_start(cur, threads);
			sign_wait(cur);
		}
		size_t end = cur->end;
		/* the next batch is read and its signing started before this one is stored: the
		 * calling thread stores while the workers sign */
		bool more = end < n;
		if (more) {
			nxt->start = end;
			nxt->end = n - end > BULK_BATCH ? end + BULK_BATCH : n;
			batch_prepare(nd, items, nxt->slots, nxt->start, nxt->end, now_us);
			sign_start(nxt, threads);
		}
		r = batch_store(nd, items, cur->slots, cur->start, cur->end);
		if (more)
			sign_wait(nxt);
		slots_free(cur->slots, cur->end - cur->start);
		if (r) {
			failed_from = cur->start;
			break;
		}
		if (progress)
			progress(ctx, end, n);
		bulk_job *t = cur;
		cur = nxt;
		nxt = t;
		if (!more)
			break;
	}
	for (int j = 0; j < 2; j++) {
		if (jobs[j].slots) {
			slots_free(jobs[j].slots, jobs[j].end - jobs[j].start);
			for (size_t i = 0; i < per; i++)
				store_prepared_free(jobs[j].slots[i].prep);
		}
		free(jobs[j].slots);
	}
	if (r) {
		for (size_t i = failed_from; i < n; i++) {
			items[i].result = r;
			items[i].updated = items[i].unchanged = false;
		}
	}
	return r;
}
