/* node/daemon/sync.c: the host of each session's sync (PROTOCOL.md §3.5), on top of conn.c's
 * secure channel, and the node's ingest pipeline, live-set snapshots, trust view and indexing.
 *
 * Sessions. What a session decides (when to reconcile, what to send and ask for, the WANT
 * window, the MARK barrier, redemption, why it ends) is proto/session.h's state machine; this
 * file gives it its I/O: the messages it sends go to conn.c, its questions go to the store and
 * the pipeline (host_*), and what it decides becomes logs, BYEs and the one-shot's outcome
 * (host_event). It drives it with the messages received (sync_on_msg), the write queue's room
 * (sync_pump), the pipeline's results (commit_done) and the keepalive timer (sync_tick).
 *
 * Ingest. Entries received from peers go through a pipeline whose slow steps run on libuv's
 * thread pool, so that Ed25519 verification (~45 µs an entry, the bound of a sync) is spread
 * over the cores and the event loop stays free to read, decrypt and answer:
 *   1. loop: ENTRIES arrives; each entry's id is computed and looked up (in the store and
 *      among the entries in flight): a duplicate is dropped before it costs a verification;
 *      the others are copied into the open batch;
 *   2. pool, several batches at once: decode, limits, signature, id, clock;
 *   3. loop: a peer that sent an entry failing 2 for a reason of its own is disconnected
 *      (a timestamp from the future is our clock's business, not the peer's fault);
 *   4. pool, one job at a time: verified batches, in arrival order, are stored in one
 *      transaction (the live-set rule) through a second store handle;
 *   5. loop: counters, pushes of the new entries to the other peers, MARK_ACKs.
 * Batches commit in the order they were received, and each entry's session hears of it in
 * that order (proto_session_processed), so "every entry received before a MARK is processed"
 * is a counter comparison in the session. A connection stops being read while
 * SYNC_PIPE_HIGH entries are in the pipeline: with the write-queue rule of conn.c, the bytes
 * peers can make us hold are bounded.
 *
 * Reconciliation. Each session may run one reconciliation as initiator (ours) and one as
 * responder (the peer's) at a time, over a snapshot of the live set (node_set) lent to it and
 * shared by every session that reconciles while the set does not change. The snapshot is rebuilt from
 * the store (store_items) when the set changed and a reconciliation starts. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/array.h"
#include "proto/idset.h"
#include "internal.h"
#include "node/service/log.h"
#include "node/service/trust.h"
#include "proto/invite.h"
#include "proto/member.h"

#include "proto/error.h"

/* ---- snapshots of the live set ------------------------------------------------------------- */

typedef struct node_set {
	rbsr_item *items;
	rbsr_set set;
	unsigned refs;
} node_set;

static void node_set_release(node_set *s)
{
	if (s && --s->refs == 0) {
		rbsr_set_done(&s->set);
		free(s->items);
		free(s);
	}
}

/* ---- the ingest pipeline ------------------------------------------------------------------- */

typedef struct ingest_entry {
	uint64_t conn_id;
	uint8_t *raw;
	size_t len;
	uint8_t id[PROTO_ID_LEN];
	proto_entry e;
	int err;    /* decode, limits, signature, capref, clock: 0 or a maille code */
	bool bad_capref; /* err is MAILLE_EAUTH for the capability reference, not the signature */
	int put;    /* enum store_put_result */
	int put_err;
	bool skip;  /* its connection failed before the commit: not stored */
} ingest_entry;

/* OPEN: being filled; READY: full, waiting for a verification slot; then VERIFYING,
 * VERIFIED, COMMITTING. */
enum batch_stage { BATCH_OPEN, BATCH_READY, BATCH_VERIFYING, BATCH_VERIFIED, BATCH_COMMITTING };

typedef struct ingest_batch {
	uv_work_t work;
	node *n;
	ingest_entry *v;
	size_t len, cap;
	int stage;
	uint64_t now_us;
	uint64_t job_ns; /* the verification's duration */
	struct ingest_batch *next;
} ingest_batch;

struct node_sync_state {
	ingest_batch *head, *tail; /* FIFO, oldest first; tail may be BATCH_OPEN */
	proto_idset inflight;            /* ids of the entries in the pipeline */
	/* the commit job */
	uv_work_t commit_work;
	bool committing;
	/* the job's batches: this many from the head. Counted, never delimited by a pointer:
	 * the event loop links new batches after the last one while the job runs */
	size_t commit_batches;
	int commit_err;
	uint64_t commit_rid_lo, commit_rid_hi; /* rids the job's transaction gave */
	/* the live-set snapshot */
	node_set *set;
	bool set_dirty;
	uint64_t set_dv; /* the store's data_version when set was read */
	uint64_t anti_entropy_ms;
	uint64_t next_ae_ms;
	/* totals, for logs */
	uint64_t accepted, refused, dups;
	uint64_t verify_ns, commit_ns; /* time spent in the jobs (thread pool) */
	size_t in_pipe;                /* entries in the pipeline, all connections */
	/* Full-text indexing later (store_set_index_later on wst): documents stored by the
	 * commits wait for an index job, run when no entry waits for a commit; beyond
	 * SYNC_INDEX_LAG_MAX waiting, commits index at once again, so the lag stays bounded. */
	uint64_t unindexed;
	bool indexing; /* the job on wst is an index job */
	bool commit_index_later; /* the commit job stores for later indexing */
	uint64_t index_ns;
	unsigned verifying;            /* verification jobs queued on the thread pool */
	/* The trust view (node/service/trust.h) the quota spares (PROTOCOL.md §4.6): computed on
	 * the loop's handle, handed to wst between two jobs (a job may be using it). */
	uint8_t *trust_keys;
	size_t trust_n;
	bool trust_pending;  /* trust_keys not yet given to wst */
	uint64_t trust_gen;  /* counts the views computed that differ from the one before */
	/* the job on wst hands it a view (trust_apply): a copy of trust_keys of generation
	 * trust_job_gen (the loop may compute the next one meanwhile) */
	bool trust_job;
	uint8_t *trust_job_keys;
	size_t trust_job_n;
	uint64_t trust_job_gen;
	uint64_t trust_retry_ms; /* a failed job is tried again from then on (loop clock) */
	bool trust_stale;    /* the store changed since the last computation */
	uint64_t trust_ms;   /* when it was computed (loop clock) */
	uint64_t quota_refused; /* refused for the quota since the last log line */
	uint64_t corrupt_log_ms; /* the last STORE-CORRUPT line (loop clock) */
	uint64_t quota_evicted; /* evicted for lower entries since the last log line */
	/* Ids refused for the quota (PROTOCOL.md §4.6): not asked for, nor verified, again
	 * until the trust view changes, so that a large untrusted territory does not cost a
	 * download and a verification of each of its refused entries at every reconciliation.
	 * At most SYNC_OVER_QUOTA_MAX ids (then forgotten all at once: they are asked again). */
	proto_idset over_quota;
};

/* A session's sync: its decisions (proto/session.h), and what the daemon notes beside them. */
struct conn_sync {
	proto_session s;
	uint64_t ri_t0_ns;     /* uv_hrtime() when our reconciliation started */
	uint64_t last_sync_us; /* when a reconciliation of either side last ended */
};

uint64_t node_entry_now_us(const node *n)
{
	return (uint64_t)((int64_t)node_now_us() + n->cfg.clock_skew_us);
}

int sync_init(node *n)
{
	n->sy = calloc(1, sizeof *n->sy);
	if (!n->sy)
		return MAILLE_ENOMEM;
	randombytes_buf(&n->sy->inflight.seed, sizeof n->sy->inflight.seed);
	randombytes_buf(&n->sy->over_quota.seed, sizeof n->sy->over_quota.seed);
	n->sy->set_dirty = true;
	n->sy->anti_entropy_ms = n->cfg.anti_entropy_ms ? n->cfg.anti_entropy_ms : SYNC_ANTI_ENTROPY_MS;
	n->sy->next_ae_ms = uv_now(&n->loop) + n->sy->anti_entropy_ms;
	/* documents a previous run (or a `maille sync` that was killed) left unindexed */
	if (store_unindexed(n->st, &n->sy->unindexed))
		n->sy->unindexed = 0;
	/* PROTOCOL.md §4.6: written into the store with the first trust view (trust_apply) */
	const store_quota q = {
		.entries = n->cfg.quota_entries ? n->cfg.quota_entries : NODE_QUOTA_ENTRIES_DEFAULT,
		.bytes = n->cfg.quota_bytes ? n->cfg.quota_bytes : NODE_QUOTA_BYTES_DEFAULT,
		.total_entries = n->cfg.quota_total_entries ? n->cfg.quota_total_entries
		                                            : NODE_QUOTA_TOTAL_ENTRIES_DEFAULT,
		.total_bytes = n->cfg.quota_total_bytes ? n->cfg.quota_total_bytes
		                                        : NODE_QUOTA_TOTAL_BYTES_DEFAULT,
	};
	store_set_quota(n->wst, &q); /* no view yet: nothing written, cannot fail */
	n->sy->trust_stale = true;
	sync_trust_tick(n);
	return 0;
}

/* The ids wst evicted for the quarantine (PROTOCOL.md §4.6) join those refused: a peer
 * offers them again, and they would be refused again. When no job uses wst. */
static void quota_evicted(node *n)
{
	struct node_sync_state *sy = n->sy;
	uint8_t *ids = NULL;
	size_t k = 0;
	if (store_evicted_take(n->wst, &ids, &k) != 0)
		return;
	for (size_t i = 0; i < k; i++) {
		if (sy->over_quota.n >= SYNC_OVER_QUOTA_MAX)
			proto_idset_clear(&sy->over_quota);
		proto_idset_add(&sy->over_quota, ids + i * PROTO_ID_LEN); /* ENOMEM: refused again */
	}
	sy->quota_evicted += k;
	free(ids);
}

static void commit_try(node *n);

#define SYNC_CORRUPT_LOG_MS 60000u /* STORE-CORRUPT: at most a line this often */

/* Whether `maille check` found the store damaged since (node_config.corrupt_mark): then the
 * daemon writes nothing to it. A stat per job, not a scan. */
static bool sync_store_marked(const node *n)
{
	struct stat sb;
	return n->cfg.corrupt_mark && stat(n->cfg.corrupt_mark, &sb) == 0;
}

/* Hands the view to wst on the thread pool: the quarantine follows it (territories enter or
 * leave it, the bounds are enforced again, PROTOCOL.md §4.6), which at 200 000 entries is
 * one or two seconds, more when it evicts many: not for the loop to wait on. */
static void trust_work(uv_work_t *w)
{
	node *n = w->data;
	struct node_sync_state *sy = n->sy;
	if (sync_store_marked(n))
		sy->commit_err = MAILLE_ECORRUPT;
	else
		sy->commit_err = store_set_trusted(n->wst, sy->trust_job_keys, sy->trust_job_n);
}

static void trust_done(uv_work_t *w, int status)
{
	node *n = w->data;
	struct node_sync_state *sy = n->sy;
	(void)status;
	sy->committing = sy->trust_job = false;
	free(sy->trust_job_keys);
	sy->trust_job_keys = NULL;
	if (sy->commit_err) {
		LOG_WARN("TRUST",
		         "cannot apply the trust view to the quarantine now: %s (tried again)",
		         maille_strerror(sy->commit_err));
		sy->trust_retry_ms = uv_now(&n->loop) + SYNC_TRUST_MS; /* not in a loop */
	} else if (sy->trust_job_gen == sy->trust_gen) {
		sy->trust_pending = false; /* no newer view came meanwhile */
	}
	quota_evicted(n);
	if (sy->quota_evicted) {
		LOG_WARN("SYNC-QUOTA",
		         "%llu entries of untrusted territories evicted: quota reached after a "
		         "change of the trust view",
		         (unsigned long long)sy->quota_evicted);
		sy->quota_evicted = 0;
		sy->set_dirty = true;
	}
	commit_try(n); /* entries may have come meanwhile */
}

/* Gives wst the trust view computed last, when no job uses it. */
static void trust_apply(node *n)
{
	struct node_sync_state *sy = n->sy;
	if (!sy->trust_pending || sy->committing || uv_now(&n->loop) < sy->trust_retry_ms)
		return;
	sy->trust_job_keys = sy->trust_n ? malloc(sy->trust_n * PROTO_KEY_LEN) : NULL;
	if (sy->trust_n && !sy->trust_job_keys)
		return; /* tried again at the next commit or tick */
	if (sy->trust_n)
		memcpy(sy->trust_job_keys, sy->trust_keys, sy->trust_n * PROTO_KEY_LEN);
	sy->trust_job_n = sy->trust_n;
	sy->trust_job_gen = sy->trust_gen;
	sy->committing = sy->trust_job = true;
	sy->commit_work.data = n;
	int r = uv_queue_work(&n->loop, &sy->commit_work, trust_work, trust_done);
	if (r) {
		sy->committing = sy->trust_job = false;
		free(sy->trust_job_keys);
		sy->trust_job_keys = NULL;
		LOG_ERROR("SYNC-ERROR", "cannot queue a trust job: %s", uv_strerror(r));
	}
}

void sync_trust_tick(node *n)
{
	struct node_sync_state *sy = n->sy;
	uint64_t now = uv_now(&n->loop);
	/* at most once a second: a bulk sync changes the store at every commit */
	if (!sy || !sy->trust_stale || (sy->trust_ms && now - sy->trust_ms < SYNC_TRUST_MS))
		return;
	trust_view tv;
	unsigned hops = n->cfg.trust_hops ? n->cfg.trust_hops : TRUST_HOPS_DEFAULT;
	int r = trust_compute(n->st, n->cfg.sk + 32, hops, &tv);
	sy->trust_ms = now;
	if (r) {
		LOG_WARN("TRUST", "cannot compute the trusted territories: %s (tried again)",
		         maille_strerror(r));
		return;
	}
	sy->trust_stale = false;
	uint8_t *keys = tv.n ? malloc(tv.n * PROTO_KEY_LEN) : NULL;
	if (tv.n && !keys) {
		trust_view_done(&tv);
		return;
	}
	for (size_t i = 0; i < tv.n; i++)
		memcpy(keys + i * PROTO_KEY_LEN, tv.v[i].key, PROTO_KEY_LEN);
	bool changed =
		tv.n != sy->trust_n || (tv.n && memcmp(keys, sy->trust_keys, tv.n * PROTO_KEY_LEN));
	if (changed) {
		LOG_INFO("TRUST", "%zu territories trusted (%u hops at most)", tv.n, hops);
		proto_idset_clear(&sy->over_quota); /* a newly trusted territory's entries may come */
		sy->trust_gen++;
		sy->trust_pending = true; /* the same view again needs no job */
	}
	uint8_t *old = sy->trust_keys;
	size_t old_n = sy->trust_n;
	sy->trust_keys = keys;
	sy->trust_n = tv.n;
	/* discovery follows the view (PROTOCOL.md §3.6): the keys that came in or went out, by a
	 * merge of the two sorted lists */
	for (size_t i = 0, j = 0; changed && n->peers && (i < old_n || j < tv.n);) {
		int cmp = i == old_n  ? 1
		          : j == tv.n ? -1
		                      : memcmp(old + i * PROTO_KEY_LEN, keys + j * PROTO_KEY_LEN,
		                               PROTO_KEY_LEN);
		if (cmp < 0)
			peers_on_trust(n, old + i++ * PROTO_KEY_LEN, false);
		else if (cmp > 0)
			peers_on_trust(n, keys + j++ * PROTO_KEY_LEN, true);
		else
			i++, j++;
	}
	free(old);
	trust_view_done(&tv);
	trust_apply(n);
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, PROTO_KEY_LEN);
}

bool sync_trusted(const node *n, const uint8_t key[PROTO_KEY_LEN])
{
	const struct node_sync_state *sy = n->sy;
	return sy && sy->trust_n &&
	       bsearch(key, sy->trust_keys, sy->trust_n, PROTO_KEY_LEN, key_cmp) != NULL;
}

void sync_trust_stale(node *n)
{
	if (n->sy)
		n->sy->trust_stale = true;
}

static void batch_free(ingest_batch *b)
{
	for (size_t i = 0; i < b->len; i++)
		free(b->v[i].raw);
	free(b->v);
	free(b);
}

void sync_free(node *n)
{
	struct node_sync_state *sy = n->sy;
	if (!sy)
		return;
	if (sy->accepted || sy->dups || sy->refused)
		LOG_INFO("SYNC-STATS", "entries received: %llu stored, %llu already here, %llu refused; "
		                       "verification %.0f ms, commits %.0f ms, indexing %.0f ms on the "
		                       "thread pool",
		         (unsigned long long)sy->accepted, (unsigned long long)sy->dups,
		         (unsigned long long)sy->refused, (double)sy->verify_ns / 1e6,
		         (double)sy->commit_ns / 1e6, (double)sy->index_ns / 1e6);
	/* the loop has ended: no job runs any more */
	while (sy->head) {
		ingest_batch *b = sy->head;
		sy->head = b->next;
		batch_free(b);
	}
	proto_idset_done(&sy->inflight);
	proto_idset_done(&sy->over_quota);
	node_set_release(sy->set);
	free(sy->trust_keys);
	free(sy->trust_job_keys);
	free(sy);
	n->sy = NULL;
}

void sync_set_dirty(node *n)
{
	if (n->sy)
		n->sy->set_dirty = true;
}

/* The current snapshot, rebuilt if the set changed; the caller holds a reference. */
static node_set *node_set_get(node *n)
{
	struct node_sync_state *sy = n->sy;
	/* Another process's write (a `maille publish`, `member add`) is seen by the tick within
	 * 0.1 s; a reconciliation that starts sooner must not use the set of before, or a
	 * one-shot sync run right after the write would miss it. data_version costs a PRAGMA. */
	uint64_t dv;
	if (store_data_version(n->st, &dv) == 0 && dv != sy->set_dv) {
		sy->set_dv = dv;
		sy->set_dirty = true;
	}
	if (sy->set && !sy->set_dirty) {
		sy->set->refs++;
		return sy->set;
	}
	uint64_t t0 = uv_hrtime();
	node_set *s = calloc(1, sizeof *s);
	size_t count = 0;
	int r = s ? store_items(n->st, &s->items, &count) : MAILLE_ENOMEM;
	if (!r)
		r = rbsr_set_init(&s->set, s->items, count);
	if (r) {
		LOG_ERROR("SYNC-ERROR", "cannot read the live set from the store: %s", maille_strerror(r));
		if (s)
			free(s->items);
		free(s);
		return NULL;
	}
	s->refs = 2; /* the node's and the caller's */
	node_set_release(sy->set);
	sy->set = s;
	sy->set_dirty = false;
	LOG_DEBUG("SYNC-SET", "live set read: %zu items in %.1f ms", count,
	          (double)(uv_hrtime() - t0) / 1e6);
	return s;
}

static node_conn *conn_by_id(node *n, uint64_t id)
{
	for (node_conn *c = n->head; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

/* PROTOCOL.md §4.4 rule 1: an entry signed by its territory has no capability reference; a
 * member's names its signer's capability, members/<signer in lowercase hex>. No node can
 * accept an entry that breaks it, so its sender is at fault (§3.5); checked here, before it
 * costs a store transaction (the store checks it again: MAILLE_EAUTH). */
static bool capref_names_signer(const proto_entry *e)
{
	if (memcmp(e->signer, e->territory, PROTO_KEY_LEN) == 0)
		return e->capref == NULL;
	char want[sizeof PROTO_MEMBERS_PREFIX + 2 * PROTO_KEY_LEN];
	memcpy(want, PROTO_MEMBERS_PREFIX, sizeof PROTO_MEMBERS_PREFIX - 1);
	proto_hex(e->signer, PROTO_KEY_LEN, want + sizeof PROTO_MEMBERS_PREFIX - 1);
	return e->capref && e->capref_len == strlen(want) &&
	       memcmp(e->capref, want, e->capref_len) == 0;
}

static void verify_work(uv_work_t *w)
{
	ingest_batch *b = w->data;
	uint64_t t0 = uv_hrtime();
	for (size_t i = 0; i < b->len; i++) {
		ingest_entry *x = &b->v[i];
		/* the id was computed on the loop (deduplication) from these very bytes */
		int r = proto_entry_decode(x->raw, x->len, &x->e);
		if (!r)
			r = proto_entry_verify(&x->e, x->raw, x->len);
		if (!r && !capref_names_signer(&x->e)) {
			r = MAILLE_EAUTH;
			x->bad_capref = true;
		}
		if (!r)
			r = proto_entry_check_time(&x->e, b->now_us);
		x->err = r;
	}
	b->job_ns = uv_hrtime() - t0;
}

static void commit_try(node *n);

static const char *sync_err_text(int err)
{
	switch (err) {
	case MAILLE_EAUTH:
		return "bad signature";
	case MAILLE_EFUTURE:
		return "timestamp more than 10 minutes in the future";
	case MAILLE_EDENIED:
		return "not covered by the member capability this node has";
	case MAILLE_EQUOTA:
		return "quota of an untrusted territory reached";
	default:
		return maille_strerror(err);
	}
}

static void conn_refuse_entry(node_conn *c, const ingest_entry *x, int err)
{
	if (!c || c->state != CONN_OPEN)
		return;
	char hex[17];
	proto_hex(x->id, 8, hex);
	const char *why = x->bad_capref || (x->err == 0 && err == MAILLE_EAUTH)
	                          ? "its capability reference does not name its signer"
	                          : sync_err_text(err);
	LOG_WARN("SYNC-REFUSE", "#%llu %s %s: entry %s refused (%s): disconnecting the peer",
	         (unsigned long long)c->id, c->peer_addr, c->peer_fp, hex, why);
	if (c->sync)
		proto_session_entry_invalid(&c->sync->s, err, why); /* on_session_end closes */
	else
		conn_close_bye(c, PROTO_BYE_PROTOCOL, "invalid entry");
}

static void batch_start(node *n, ingest_batch *b);

/* Starts the oldest READY batches while verification slots are free. */
static void verify_more(node *n)
{
	struct node_sync_state *sy = n->sy;
	for (ingest_batch *b = sy->head; b && sy->verifying < SYNC_VERIFY_JOBS; b = b->next)
		if (b->stage == BATCH_READY)
			batch_start(n, b);
}

static void verify_done(uv_work_t *w, int status)
{
	ingest_batch *b = w->data;
	node *n = b->n;
	b->stage = BATCH_VERIFIED;
	n->sy->verifying--;
	n->sy->verify_ns += b->job_ns;
	if (status) /* cancelled: nothing was verified */
		for (size_t i = 0; i < b->len; i++)
			b->v[i].err = MAILLE_ESTATE;
	uint64_t last = 0;
	node_conn *c = NULL;
	for (size_t i = 0; i < b->len; i++) {
		ingest_entry *x = &b->v[i];
		if (!proto_session_peer_fault(x->err) || x->err == MAILLE_ESTATE)
			continue;
		if (x->conn_id != last) {
			c = conn_by_id(n, x->conn_id);
			last = x->conn_id;
		}
		conn_refuse_entry(c, x, x->err);
	}
	commit_try(n);
	verify_more(n);
}

static void batch_start(node *n, ingest_batch *b)
{
	b->stage = BATCH_VERIFYING;
	b->now_us = node_entry_now_us(n);
	b->work.data = b;
	n->sy->verifying++;
	int r = uv_queue_work(&n->loop, &b->work, verify_work, verify_done);
	if (r) {
		/* cannot happen with a valid loop; the entries are dropped (they come again) */
		LOG_ERROR("SYNC-ERROR", "cannot queue a verification: %s", uv_strerror(r));
		verify_done(&b->work, r);
	}
}

/* A full batch goes to verification, or waits for a slot: the thread pool's queue is FIFO,
 * and a commit job queued behind a long line of verifications would hold the pipeline. */
static void batch_submit(node *n, ingest_batch *b)
{
	b->stage = BATCH_READY;
	verify_more(n);
}

void sync_ingest_kick(node *n)
{
	struct node_sync_state *sy = n->sy;
	if (sy && sy->tail && sy->tail->stage == BATCH_OPEN && sy->tail->len)
		batch_submit(n, sy->tail);
}

static void commit_work(uv_work_t *w)
{
	node *n = w->data;
	struct node_sync_state *sy = n->sy;
	uint64_t t0 = uv_hrtime();
	int r = sync_store_marked(n) ? MAILLE_ECORRUPT : store_begin(n->wst);
	if (!r)
		r = store_last_rid(n->wst, &sy->commit_rid_lo);
	/* the last batch's next pointer may be written by the loop meanwhile: not followed */
	ingest_batch *b = sy->head;
	for (size_t k = 0; !r && k < sy->commit_batches; k++) {
		if (k > 0)
			b = b->next;
		for (size_t i = 0; i < b->len; i++) {
			ingest_entry *x = &b->v[i];
			if (x->err || x->skip)
				continue;
			x->put_err = store_entry_put_verified(n->wst, &x->e, x->raw, x->len, x->id, &x->put);
		}
	}
	if (!r)
		r = store_last_rid(n->wst, &sy->commit_rid_hi);
	if (!r)
		r = store_commit(n->wst);
	else
		store_rollback(n->wst);
	sy->commit_err = r;
	sy->commit_ns += uv_hrtime() - t0;
}

static void commit_done(uv_work_t *w, int status);

/* Starts the commit job on the verified batches at the head, if none runs. */
static void commit_try(node *n)
{
	struct node_sync_state *sy = n->sy;
	trust_apply(n);
	if (sy->committing || !sy->head || sy->head->stage != BATCH_VERIFIED)
		return;
	size_t count = 0, batches = 0;
	ingest_batch *b = sy->head;
	uint64_t last = 0;
	node_conn *c = NULL;
	for (; b && b->stage == BATCH_VERIFIED && count < SYNC_COMMIT_ENTRIES; b = b->next) {
		for (size_t i = 0; i < b->len; i++) {
			ingest_entry *x = &b->v[i];
			if (x->conn_id != last) {
				c = conn_by_id(n, x->conn_id);
				last = x->conn_id;
			}
			/* a peer disconnected for an invalid entry gets nothing more stored */
			x->skip = !c || c->state != CONN_OPEN;
		}
		b->stage = BATCH_COMMITTING;
		count += b->len;
		batches++;
	}
	sy->commit_batches = batches;
	sy->committing = true;
	sy->commit_index_later = sy->unindexed < SYNC_INDEX_LAG_MAX;
	store_set_index_later(n->wst, sy->commit_index_later);
	sy->commit_work.data = n;
	int r = uv_queue_work(&n->loop, &sy->commit_work, commit_work, commit_done);
	if (r) {
		LOG_ERROR("SYNC-ERROR", "cannot queue a commit: %s", uv_strerror(r));
		sy->commit_err = node_uv_error(r);
		commit_done(&sy->commit_work, r);
	}
}

/* A capability or a vouch (PROTOCOL.md §4.2, §4.3), or their tombstones. */
static bool is_fed_entry(const proto_entry *e)
{
	return (e->path_len > 8 && memcmp(e->path, "members/", 8) == 0) ||
	       (e->path_len > 8 && memcmp(e->path, "vouches/", 8) == 0);
}

static bool is_node_entry(const proto_entry *e)
{
	return e->kind == PROTO_KIND_DOCUMENT && e->path_len > 5 && memcmp(e->path, "node/", 5) == 0;
}

/* What the commit did with one entry received on c (NULL: gone): counters, the live push,
 * discovery, the quota's memory, a peer at fault disconnected. Returns enum
 * proto_session_outcome. */
static int commit_entry(node *n, const ingest_entry *x, node_conn *c, bool *changed,
                        bool *cap_changed)
{
	struct node_sync_state *sy = n->sy;
	int err = x->err ? x->err : sy->commit_err ? sy->commit_err : x->put_err;
	char hex[17];
	proto_hex(x->id, 8, hex);
	if (x->skip)
		return PROTO_SESSION_DROPPED; /* its connection is gone */
	if (err == 0 && x->put == STORE_PUT_LIVE) {
		sy->accepted++;
		if (sy->commit_index_later && x->e.kind == PROTO_KIND_DOCUMENT)
			sy->unindexed++;
		*changed = true;
		if (is_node_entry(&x->e))
			peers_learn(n, &x->e);
		if (is_fed_entry(&x->e))
			*cap_changed = true; /* a vouch or a capability: trust, held entries */
		sync_push(n, x->id, c);
		return PROTO_SESSION_STORED;
	}
	if (err == 0) {
		sy->dups++;
		return PROTO_SESSION_OLD;
	}
	if (!proto_session_peer_fault(err)) {
		sy->refused++;
		if (err == MAILLE_EQUOTA) {
			sy->quota_refused++; /* one line per commit, not one per entry */
			if (sy->over_quota.n >= SYNC_OVER_QUOTA_MAX)
				proto_idset_clear(&sy->over_quota);
			proto_idset_add(&sy->over_quota, x->id); /* ENOMEM: asked again, no harm */
		} else {
			LOG_INFO("SYNC-REFUSE", "entry %s not stored: %s", hex, sync_err_text(err));
		}
		return PROTO_SESSION_REFUSED;
	}
	if (x->err == 0 && (err == MAILLE_EPROTO || err == MAILLE_EAUTH)) {
		/* decoded and verified, but the store refused it: a malformed body, or a capability
		 * reference no node accepts (PROTOCOL.md §4.4, checked before the commit too) */
		conn_refuse_entry(c, x, err);
	} else if (x->err == 0) {
		LOG_WARN("SYNC-STORE", "entry %s not stored: %s", hex, maille_strerror(err));
	}
	return PROTO_SESSION_DROPPED;
}

static void commit_done(uv_work_t *w, int status)
{
	node *n = w->data;
	struct node_sync_state *sy = n->sy;
	(void)status;
	sy->committing = false;
	if (sy->commit_err == MAILLE_ECORRUPT) {
		/* a line a minute at most while it lasts: every commit fails the same way */
		uint64_t now_ms = uv_now(&n->loop);
		if (!sy->corrupt_log_ms || now_ms - sy->corrupt_log_ms >= SYNC_CORRUPT_LOG_MS) {
			sy->corrupt_log_ms = now_ms;
			LOG_ERROR("STORE-CORRUPT",
			          "the store is damaged (SQLite says so, or 'maille check' found it "
			          "so): received entries not stored, nothing was written (they will "
			          "come again); stop the daemon, run 'maille check', and restore the "
			          "store from a backup or recreate the node from its key backup");
		}
	} else if (sy->commit_err) {
		LOG_ERROR("SYNC-STORE", "cannot store received entries: %s (they will come again)",
		          maille_strerror(sy->commit_err));
	} else {
		peers_own_rids(n, sy->commit_rid_lo, sy->commit_rid_hi);
	}
	uint64_t last = 0;
	node_conn *c = NULL;
	bool changed = false, cap_changed = false;
	for (size_t k = 0; k < sy->commit_batches; k++) {
		ingest_batch *b = sy->head;
		for (size_t i = 0; i < b->len; i++) {
			ingest_entry *x = &b->v[i];
			if (x->conn_id != last) {
				c = conn_by_id(n, x->conn_id);
				last = x->conn_id;
			}
			int outcome = commit_entry(n, x, c, &changed, &cap_changed);
			proto_idset_del(&sy->inflight, x->id);
			sy->in_pipe--;
			if (c && c->sync)
				proto_session_processed(&c->sync->s, outcome);
		}
		sy->head = b->next;
		if (!sy->head)
			sy->tail = NULL;
		batch_free(b);
	}
	quota_evicted(n);
	if (sy->quota_evicted)
		changed = true;
	if (changed)
		sy->set_dirty = true;
	if (cap_changed) {
		sy->trust_stale = true;
		/* a capability may have released held documents, which wait for the index */
		uint64_t u;
		if (store_unindexed(n->st, &u) == 0)
			sy->unindexed = u;
	}
	if (sy->quota_refused || sy->quota_evicted) {
		LOG_WARN("SYNC-QUOTA",
		         "%llu entries of untrusted territories refused, %llu evicted for lower "
		         "ones: quota reached (quarantine.entries, quarantine.bytes, "
		         "quarantine.total_entries, quarantine.total_bytes)",
		         (unsigned long long)sy->quota_refused,
		         (unsigned long long)sy->quota_evicted);
		sy->quota_refused = 0;
		sy->quota_evicted = 0;
	}
	/* resume readers, answer MARKs, send pushes */
	for (node_conn *o = n->head; o; o = o->next) {
		if (o->state != CONN_OPEN || !o->sync)
			continue;
		if (o->ingest_paused && sy->in_pipe <= SYNC_PIPE_LOW) {
			o->ingest_paused = false;
			conn_update_reading(o);
		}
		sync_pump(o);
	}
	commit_try(n);
}

static void index_work(uv_work_t *w)
{
	node *n = w->data;
	struct node_sync_state *sy = n->sy;
	uint64_t t0 = uv_hrtime();
	size_t done = 0;
	sy->commit_err = store_index_pending(n->wst, SYNC_INDEX_BATCH, &done);
	sy->commit_batches = done; /* reused: the number of documents indexed */
	sy->index_ns += uv_hrtime() - t0;
}

static void index_done(uv_work_t *w, int status)
{
	node *n = w->data;
	struct node_sync_state *sy = n->sy;
	(void)status;
	sy->committing = sy->indexing = false;
	if (sy->commit_err) {
		LOG_WARN("SYNC-INDEX", "cannot index stored entries now: %s (tried again later)",
		         maille_strerror(sy->commit_err));
	} else {
		size_t done = sy->commit_batches;
		sy->unindexed = done < SYNC_INDEX_BATCH ? 0 : sy->unindexed > done ? sy->unindexed - done : 0;
		LOG_DEBUG("SYNC-INDEX", "%zu entries indexed for search, about %llu waiting", done,
		          (unsigned long long)sy->unindexed);
	}
	sy->commit_batches = 0;
	commit_try(n); /* entries may have come meanwhile */
}

void sync_index_idle(node *n)
{
	struct node_sync_state *sy = n->sy;
	if (!sy || sy->committing || sy->head || !sy->unindexed)
		return;
	sy->committing = sy->indexing = true;
	sy->commit_batches = 0;
	sy->commit_work.data = n;
	int r = uv_queue_work(&n->loop, &sy->commit_work, index_work, index_done);
	if (r) {
		sy->committing = sy->indexing = false;
		LOG_ERROR("SYNC-ERROR", "cannot queue an indexing job: %s", uv_strerror(r));
	}
}

int sync_index_all(node *n, uint64_t *ret_indexed)
{
	*ret_indexed = 0;
	size_t done;
	int r;
	do {
		r = store_index_pending(n->wst, SYNC_INDEX_BATCH, &done);
		*ret_indexed += r ? 0 : done;
	} while (!r && done == SYNC_INDEX_BATCH);
	if (!r && n->sy)
		n->sy->unindexed = 0;
	return r;
}

/* ---- the session's host (proto/session.h) -------------------------------------------------- */

/* ingest: one received entry into the pipeline, unless it is here already or was refused a
 * moment ago. */
static int host_ingest(void *ctx, const uint8_t id[PROTO_ID_LEN], const uint8_t *raw, size_t len,
                       bool asked)
{
	node_conn *c = ctx;
	node *n = c->owner;
	struct node_sync_state *sy = n->sy;
	/* an id we asked for in this reconciliation was not here then: the store lookup is
	 * skipped for it (a bulk sync is nearly all such entries) */
	if (proto_idset_has(&sy->inflight, id) || (!asked && store_has(n->st, id) == 0)) {
		sy->dups++;
		return PROTO_SESSION_RX_DUP;
	}
	if (proto_idset_has(&sy->over_quota, id)) {
		sy->refused++; /* refused a moment ago: the quota is still reached */
		return PROTO_SESSION_RX_REFUSED;
	}
	ingest_batch *b = sy->tail;
	if (!b || b->stage != BATCH_OPEN) {
		b = calloc(1, sizeof *b);
		if (!b)
			goto nomem;
		b->n = n;
		b->stage = BATCH_OPEN;
		if (sy->tail)
			sy->tail->next = b;
		else
			sy->head = b;
		sy->tail = b;
	}
	if (b->len == b->cap) {
		ingest_entry *v = proto_array_grow(b->v, &b->cap, 16, sizeof *v);
		if (!v)
			goto nomem;
		b->v = v;
	}
	ingest_entry *x = &b->v[b->len];
	memset(x, 0, sizeof *x);
	x->raw = malloc(len);
	if (!x->raw || proto_idset_add(&sy->inflight, id) < 0) {
		free(x->raw);
		goto nomem;
	}
	memcpy(x->raw, raw, len);
	x->len = len;
	x->conn_id = c->id;
	memcpy(x->id, id, PROTO_ID_LEN);
	b->len++;
	if (b->len >= SYNC_BATCH_ENTRIES)
		batch_submit(n, b);
	sy->in_pipe++;
	if (!c->ingest_paused && sy->in_pipe >= SYNC_PIPE_HIGH) {
		c->ingest_paused = true;
		conn_update_reading(c);
	}
	return PROTO_SESSION_RX_TAKEN;
nomem:
	LOG_ERROR("SYNC-ERROR", "#%llu: %s", (unsigned long long)c->id,
	          maille_strerror(MAILLE_ENOMEM));
	return MAILLE_ENOMEM;
}

static int host_send(void *ctx, const uint8_t *msg, size_t len)
{
	return conn_send_raw(ctx, msg, len);
}

static const rbsr_set *host_set_acquire(void *ctx, void **ret_ref)
{
	node_conn *c = ctx;
	node_set *s = node_set_get(c->owner);
	*ret_ref = s;
	return s ? &s->set : NULL;
}

static void host_set_release(void *ctx, void *ref)
{
	(void)ctx;
	node_set_release(ref);
}

/* has: a need we do not ask for (PROTOCOL.md §3.5): stored, in the pipeline, or refused for
 * the quota lately (§4.6). */
static bool host_has(void *ctx, const uint8_t id[PROTO_ID_LEN])
{
	node_conn *c = ctx;
	node *n = c->owner;
	return proto_idset_has(&n->sy->inflight, id) || proto_idset_has(&n->sy->over_quota, id) ||
	       store_has(n->st, id) == 0;
}

static int host_fetch(void *ctx, const uint8_t id[PROTO_ID_LEN], uint8_t **ret_raw, size_t *ret_len)
{
	node_conn *c = ctx;
	return store_raw_get(c->owner->st, id, ret_raw, ret_len);
}

void sync_push(node *n, const uint8_t id[PROTO_ID_LEN], const node_conn *except)
{
	for (node_conn *c = n->head; c; c = c->next) {
		if (c == except || c->state != CONN_OPEN || !c->sync)
			continue;
		proto_session_push(&c->sync->s, id, except ? except->peer_key : NULL);
	}
}

bool sync_inflight(const node *n, const uint8_t id[PROTO_ID_LEN])
{
	return n->sy && proto_idset_has(&n->sy->inflight, id);
}

void sync_written(node_conn *c)
{
	if (c->sync)
		proto_session_written(&c->sync->s, uv_now(&c->owner->loop));
}

bool sync_tick(node_conn *c)
{
	return c->sync && proto_session_tick(&c->sync->s, uv_now(&c->owner->loop),
	                                     conn_write_backlog(c) > 0);
}

void sync_pump(node_conn *c)
{
	struct conn_sync *cs = c->sync;
	if (!cs || c->state != CONN_OPEN)
		return;
	/* the send queue fills the write queue up to SYNC_PUMP_BACKLOG_MAX only */
	size_t backlog = conn_write_backlog(c);
	proto_session_pump(&cs->s, backlog < SYNC_PUMP_BACKLOG_MAX ? SYNC_PUMP_BACKLOG_MAX - backlog
	                                                           : 0);
	if (c->state == CONN_OPEN)
		conn_flush(c);
}

void sync_start_recon(node_conn *c)
{
	if (!c->sync || c->state != CONN_OPEN)
		return;
	proto_session_reconcile(&c->sync->s);
	if (c->state == CONN_OPEN)
		conn_flush(c);
}

/* The peer broke the protocol (PROTOCOL.md §3.5): BYE protocol. */
static void sync_proto_fail(node_conn *c, const char *what, int err)
{
	LOG_WARN("SYNC-PROTO", "#%llu %s %s: %s (%s): closing", (unsigned long long)c->id,
	         c->peer_addr, c->peer_fp, what, maille_strerror(err));
	if (c->oneshot_sync || c->oneshot_ping)
		node_ping_fail(c->owner, MAILLE_EPROTO, false, "the peer broke the protocol: %s (%s)",
		               what, maille_strerror(err));
	conn_close_bye(c, PROTO_BYE_PROTOCOL, what);
}

int sync_on_msg(node_conn *c, const uint8_t *msg, size_t len)
{
	struct conn_sync *cs = c->sync;
	if (!cs)
		return MAILLE_EINVAL; /* not open yet */
	uint32_t type = 0;
	int r = proto_session_feed(&cs->s, uv_now(&c->owner->loop), msg, len, &type);
	if (r == MAILLE_EINVAL)
		return r; /* not a sync message */
	if (proto_session_ended(&cs->s) || c->state != CONN_OPEN)
		return -1;
	struct node_sync_state *sy = c->owner->sy;
	if (type == PROTO_SESS_ENTRIES && sy && sy->tail && sy->tail->stage == BATCH_OPEN &&
	    sy->tail->len >= SYNC_BATCH_ENTRIES / 2)
		sync_ingest_kick(c->owner);
	sync_pump(c);
	return c->state == CONN_OPEN ? 0 : -1;
}

/* ---- invitations (PROTOCOL.md §4.5) -------------------------------------------------------- */

static const char *redeem_text(uint64_t result)
{
	switch (result) {
	case PROTO_REDEEM_OK:
		return "redeemed";
	case PROTO_REDEEM_UNKNOWN:
		return "unknown invitation (not made by this node, or its secret was mistyped)";
	case PROTO_REDEEM_USED:
		return "invitation already used";
	case PROTO_REDEEM_EXPIRED:
		return "invitation expired";
	case PROTO_REDEEM_FAILED:
		return "the inviter could not process it now (try again)";
	default:
		return "refused for a reason this version does not know";
	}
}

/* The inviter's side of a REDEEM the session let through (one a session, never from a
 * one-shot client's session): the store spends a use, and the vouch is for a territory,
 * never for a member's node (it writes in another territory's name). */
static void redeem_serve(node_conn *c, const proto_session_event *ev)
{
	node *n = c->owner;
	uint64_t result = PROTO_REDEEM_FAILED;
	uint8_t hash[PROTO_INVITE_SECRET_LEN];
	bool member = (ev->flags & PROTO_REDEEM_MEMBER) != 0;
	int sr = STORE_INVITE_UNKNOWN;
	proto_invite_secret_hash(ev->secret, hash);
	if (store_invite_redeem(n->st, hash, node_now_us(), c->peer_key, &sr) != 0) {
		LOG_ERROR("INVITE", "#%llu %s %s: cannot look the invitation up in the store",
		          (unsigned long long)c->id, c->peer_addr, c->peer_fp);
	} else {
		result = sr == STORE_INVITE_OK       ? PROTO_REDEEM_OK
		         : sr == STORE_INVITE_USED    ? PROTO_REDEEM_USED
		         : sr == STORE_INVITE_EXPIRED ? PROTO_REDEEM_EXPIRED
		                                      : PROTO_REDEEM_UNKNOWN;
	}
	if (result == PROTO_REDEEM_OK) {
		char path[sizeof PROTO_VOUCHES_PREFIX + 2 * PROTO_KEY_LEN];
		memcpy(path, PROTO_VOUCHES_PREFIX, sizeof PROTO_VOUCHES_PREFIX - 1);
		proto_hex(c->peer_key, PROTO_KEY_LEN, path + sizeof PROTO_VOUCHES_PREFIX - 1);
		static const uint8_t vouch_body[] = {0x81, 0xa4, 't', 'y', 'p', 'e', 0xa5,
		                                     'v',  'o',  'u', 'c', 'h'};
		uint8_t id[PROTO_ID_LEN];
		int r = member ? 0 : node_publish(n, path, vouch_body, sizeof vouch_body, id);
		if (r) {
			/* the use is spent: the operator vouches by hand (maille vouch KEY) */
			LOG_ERROR("INVITE", "#%llu %s %s: invitation redeemed, but the vouch could not be "
			                    "published: %s; run: maille vouch %.64s",
			          (unsigned long long)c->id, c->peer_addr, c->peer_fp, maille_strerror(r),
			          path + sizeof PROTO_VOUCHES_PREFIX - 1);
		} else if (!member) {
			sync_push(n, id, NULL);
		}
		LOG_INFO("INVITE", "#%llu %s %s: invitation redeemed by %s %s%s",
		         (unsigned long long)c->id, c->peer_addr, c->peer_fp,
		         member ? "the member node" : "the territory", c->peer_fp,
		         member ? " (no vouch: a member writes for its territory)" : "; vouch published");
	} else {
		LOG_WARN("INVITE", "#%llu %s %s: invitation refused: %s", (unsigned long long)c->id,
		         c->peer_addr, c->peer_fp, redeem_text(result));
	}
	proto_session_redeem_answer(&c->sync->s, result);
}

/* `maille join`: the inviter's answer. */
static void on_redeemed(node_conn *c, uint64_t result)
{
	node *n = c->owner;
	if (n->sync_res)
		n->sync_res->redeem_result = result > PROTO_REDEEM_FAILED ? (int)PROTO_REDEEM_FAILED
		                                                          : (int)result;
	if (result != PROTO_REDEEM_OK)
		LOG_WARN("INVITE", "#%llu %s %s: the inviter refused the invitation: %s",
		         (unsigned long long)c->id, c->peer_addr, c->peer_fp, redeem_text(result));
	else
		LOG_INFO("INVITE", "#%llu %s %s: invitation redeemed; syncing",
		         (unsigned long long)c->id, c->peer_addr, c->peer_fp);
}

/* ---- the session's decisions --------------------------------------------------------------- */

/* The session ended (proto/session.h says why): the one-shot's outcome, then BYE. */
static void on_session_end(node_conn *c, const proto_session_event *ev)
{
	node *n = c->owner;
	switch (ev->end) {
	case PROTO_SESSION_END_PROTOCOL:
		sync_proto_fail(c, ev->what, ev->err);
		return;
	case PROTO_SESSION_END_LOCAL:
		LOG_ERROR("SYNC-ERROR", "#%llu %s: %s: %s", (unsigned long long)c->id, c->peer_addr,
		          ev->what, maille_strerror(ev->err));
		break;
	case PROTO_SESSION_END_NOT_INVITER:
		if (n->sync_res)
			n->sync_res->not_inviter = true;
		node_sync_finish(n, MAILLE_EAUTH, "the node there is not the inviter (its key is %s…)",
		                 c->peer_fp);
		break;
	case PROTO_SESSION_END_REFUSED:
		node_sync_finish(n, MAILLE_EAUTH, "the inviter refused the invitation: %s",
		                 redeem_text(ev->result));
		break;
	case PROTO_SESSION_END_DONE:
		node_sync_finish(n, 0, "done");
		break;
	case PROTO_SESSION_END_IDLE:
		conn_idle(c, ev->idle_ms);
		break;
	case PROTO_SESSION_END_INVALID:
		if (c->oneshot_sync)
			node_sync_finish(n, MAILLE_EPROTO, "the peer sent an invalid entry (%s)", ev->what);
		break;
	default:
		break;
	}
	if (ev->bye)
		conn_close_bye(c, ev->bye_reason, ev->bye_text);
	else
		conn_close_now(c);
}

static void host_event(void *ctx, const proto_session_event *ev)
{
	node_conn *c = ctx;
	node *n = c->owner;
	struct conn_sync *cs = c->sync;
	switch (ev->kind) {
	case PROTO_SESSION_EV_CLOSE:
		on_session_end(c, ev);
		break;
	case PROTO_SESSION_EV_BEGIN:
		if (c->oneshot_sync && n->sync_res)
			n->sync_res->equal = ev->equal;
		if (!ev->equal)
			break;
		cs->last_sync_us = node_now_us();
		LOG_DEBUG("SYNC-RECON", "#%llu %s %s: same set (%llu entries): nothing to reconcile",
		          (unsigned long long)c->id, c->peer_addr, c->peer_fp,
		          (unsigned long long)n->hello.count);
		break;
	case PROTO_SESSION_EV_RECON_START:
		if (ev->err) {
			LOG_ERROR("SYNC-ERROR", "#%llu: cannot start a reconciliation: %s",
			          (unsigned long long)c->id, maille_strerror(ev->err));
			break;
		}
		cs->ri_t0_ns = uv_hrtime();
		LOG_DEBUG("SYNC-RECON", "#%llu %s %s: reconciling (%zu items here)",
		          (unsigned long long)c->id, c->peer_addr, c->peer_fp, ev->n_items);
		break;
	case PROTO_SESSION_EV_RECONCILED:
		cs->last_sync_us = node_now_us();
		LOG_INFO("SYNC-RECON", "#%llu %s %s: reconciled in %llu round%s, %.1f ms: %llu to send, "
		                       "%llu to fetch",
		         (unsigned long long)c->id, c->peer_addr, c->peer_fp,
		         (unsigned long long)ev->rounds, ev->rounds == 1 ? "" : "s",
		         (double)(uv_hrtime() - cs->ri_t0_ns) / 1e6, (unsigned long long)ev->haves,
		         (unsigned long long)ev->wants);
		if (n->sync_res)
			n->sync_res->rounds = ev->rounds;
		break;
	case PROTO_SESSION_EV_PEER_RECONCILED:
		cs->last_sync_us = node_now_us();
		break;
	case PROTO_SESSION_EV_REDEEM_SENT:
		LOG_DEBUG("INVITE", "#%llu %s %s: invitation sent", (unsigned long long)c->id,
		          c->peer_addr, c->peer_fp);
		break;
	case PROTO_SESSION_EV_REDEEM:
		redeem_serve(c, ev);
		break;
	case PROTO_SESSION_EV_REDEEMED:
		on_redeemed(c, ev->result);
		break;
	default:
		break;
	}
}

/* ---- sessions ------------------------------------------------------------------------------ */

int sync_conn_open(node_conn *c)
{
	node *n = c->owner;
	c->sync = calloc(1, sizeof *c->sync);
	if (!c->sync)
		return MAILLE_ENOMEM;
	proto_session_cfg cfg = {
		.dialer = !c->inbound,
		.oneshot = c->oneshot_sync,
		.ours = &n->hello,
		.peer = &c->peer_hello,
		.peer_key = c->peer_key,
		.no_sync = !n->sy, /* node_ping(): no store, no sync */
		.now_ms = uv_now(&n->loop),
		.idle_timeout_ms = n->cfg.idle_timeout_ms,
	};
	if (c->oneshot_sync && n->cfg.redeem_secret) {
		cfg.redeem_secret = n->cfg.redeem_secret;
		cfg.redeem_inviter = n->cfg.redeem_inviter;
		cfg.redeem_flags = n->cfg.redeem_member ? PROTO_REDEEM_MEMBER : 0;
	}
	randombytes_buf(&cfg.seed, sizeof cfg.seed);
	const proto_session_host host = {
		.ctx = c,
		.send = host_send,
		.set_acquire = host_set_acquire,
		.set_release = host_set_release,
		.has = host_has,
		.fetch = host_fetch,
		.ingest = host_ingest,
		.event = host_event,
	};
	proto_session_init(&c->sync->s, &cfg, &host);
	proto_session_start(&c->sync->s);
	sync_pump(c);
	return 0;
}

void sync_conn_free(node_conn *c)
{
	struct conn_sync *cs = c->sync;
	if (!cs)
		return;
	node_sync_result *res = c->owner->sync_res;
	if (c->oneshot_sync && res) {
		proto_session_stats st;
		proto_session_stats_get(&cs->s, &st);
		res->sent = st.sent;
		res->received = st.received;
		res->duplicates = st.dups;
		res->refused = st.refused;
		res->bytes_sent = c->n_tx_bytes;
		res->bytes_received = c->n_rx_bytes;
	}
	proto_session_done(&cs->s);
	free(cs);
	c->sync = NULL;
}

void sync_conn_stats(const node_conn *c, uint64_t *sent, uint64_t *received, uint64_t *dups,
                     uint64_t *refused, uint64_t *last_sync_us)
{
	proto_session_stats st = {0};
	if (c->sync)
		proto_session_stats_get(&c->sync->s, &st);
	*sent = st.sent;
	*received = st.received;
	*dups = st.dups;
	*refused = st.refused;
	*last_sync_us = c->sync ? c->sync->last_sync_us : 0;
}

void sync_anti_entropy(node *n)
{
	struct node_sync_state *sy = n->sy;
	uint64_t now = uv_now(&n->loop);
	if (!sy || now < sy->next_ae_ms)
		return;
	sy->next_ae_ms = now + sy->anti_entropy_ms;
	unsigned k = 0;
	for (node_conn *c = n->head; c; c = c->next)
		k += c->state == CONN_OPEN && c->sync && !proto_session_reconciling(&c->sync->s);
	if (!k)
		return;
	unsigned pick = randombytes_uniform(k);
	for (node_conn *c = n->head; c; c = c->next) {
		if (c->state != CONN_OPEN || !c->sync || proto_session_reconciling(&c->sync->s))
			continue;
		if (pick-- == 0) {
			LOG_DEBUG("SYNC-AE", "anti-entropy with #%llu %s", (unsigned long long)c->id,
			          c->peer_addr);
			sync_start_recon(c);
			return;
		}
	}
}
