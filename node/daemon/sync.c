/* node/daemon/sync.c: reconciliation, entry transfer and the ingest pipeline of a session
 * (PROTOCOL.md §3.5), on top of conn.c's secure channel.
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
 * Batches commit in the order they were received, so "every entry received before a MARK is
 * processed" is a counter comparison (rx_seq, done_seq). A connection stops being read while
 * SYNC_PIPE_HIGH entries are in the pipeline: with the write-queue rule of conn.c, the bytes
 * peers can make us hold are bounded.
 *
 * Reconciliation. Each connection may run one reconciliation as initiator (ours) and one as
 * responder (the peer's) at a time, over a snapshot of the live set (node_set) shared by
 * every session that reconciles while the set does not change. The snapshot is rebuilt from
 * the store (store_items) when the set changed and a reconciliation starts. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/idset.h"
#include "internal.h"
#include "node/service/log.h"
#include "node/service/trust.h"
#include "proto/invite.h"
#include "proto/member.h"

static void sync_session_begin(node_conn *c);
static void on_redeem(node_conn *c, const proto_sync_msg *m);
static void on_redeemed(node_conn *c, uint64_t result);
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

typedef struct sendq_item {
	uint8_t id[PROTO_ID_LEN];
	uint8_t kind; /* SQ_HAVE, SQ_WANTED, SQ_PUSH */
} sendq_item;

enum { SQ_HAVE, SQ_WANTED, SQ_PUSH };

struct conn_sync {
	/* our reconciliation */
	rbsr_session ri;
	node_set *ri_set;
	bool ri_active, ri_done_once;
	uint64_t ri_rounds, ri_haves, ri_needs;
	uint64_t ri_t0_ns;
	proto_idset wanted;              /* needs seen in the current reconciliation */
	uint8_t *want;             /* ids to ask for, not yet in a WANT */
	size_t want_len, want_cap; /* in ids */
	unsigned wants_out;
	uint64_t want_marks[SYNC_WANTS_IN_FLIGHT];
	uint64_t next_mark;
	uint64_t final_mark;
	bool final_sent, final_acked, finished;
	/* the peer's reconciliation */
	rbsr_session rr;
	node_set *rr_set;
	bool rr_active;
	/* what we send, in order; queued: the ids in sq (one entry goes out once per queue);
	 * sent_ids: the ids sent in this round (PROTOCOL.md §3.5: a WANT of one of them is not
	 * served again), forgotten when either side opens a reconciliation */
	sendq_item *sq;
	proto_idset queued, sent_ids;
	/* ids the peer sent us lately (at most SYNC_RX_IDS_MAX, then forgotten): it holds them,
	 * the live push skips them (PROTOCOL.md §3.5) */
	proto_idset rx_ids;
	size_t sq_head, sq_len, sq_cap;
	uint64_t sq_enq, sq_done; /* items ever queued / taken off */
	size_t n_push, n_wanted;  /* queued items of these kinds */
	struct {
		uint64_t n, seq, qpos;
	} marks[SYNC_MARKS_MAX];
	size_t n_marks;
	/* the pipeline */
	uint64_t rx_seq, done_seq;
	/* counters */
	uint64_t sent, received, dups, refused, last_sync_us;
	/* invitations (PROTOCOL.md §4.5): the dialer of `maille join` waits for REDEEMED */
	bool redeem_wait;
	bool redeemed; /* the inviter: this session sent a REDEEM already (one a session) */
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

/* Whether an error of an entry is the sender's fault (PROTOCOL.md §3.5): anything but our
 * own clock. */
static bool peer_fault(int err)
{
	/* A capability's window or a quota depend on what this node has and trusts, not on the
	 * peer (PROTOCOL.md §4.4, §4.6): such an entry is refused, the peer is not blamed. */
	return err != 0 && err != MAILLE_EFUTURE && err != MAILLE_ENOMEM && err != MAILLE_EIO &&
	       err != MAILLE_EBUSY && err != MAILLE_EDENIED && err != MAILLE_EQUOTA;
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
	if (c->oneshot_sync)
		node_sync_finish(c->owner, MAILLE_EPROTO, "the peer sent an invalid entry (%s)", why);
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
		if (!peer_fault(x->err) || x->err == MAILLE_ESTATE)
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
			struct conn_sync *cs = c ? c->sync : NULL;
			int err = x->err ? x->err : sy->commit_err ? sy->commit_err : x->put_err;
			if (x->skip) {
				/* its connection is gone */
			} else if (err == 0 && x->put == STORE_PUT_LIVE) {
				sy->accepted++;
				if (sy->commit_index_later && x->e.kind == PROTO_KIND_DOCUMENT)
					sy->unindexed++;
				changed = true;
				if (cs)
					cs->received++;
				if (is_node_entry(&x->e))
					peers_learn(n, &x->e);
				if (is_fed_entry(&x->e))
					cap_changed = true; /* a vouch or a capability: trust, held entries */
				sync_push(n, x->id, c);
			} else if (err == 0) {
				sy->dups++;
				if (cs)
					cs->dups++;
			} else if (!peer_fault(err)) {
				sy->refused++;
				if (cs)
					cs->refused++;
				char hex[17];
				proto_hex(x->id, 8, hex);
				if (err == MAILLE_EQUOTA) {
					sy->quota_refused++; /* one line per commit, not one per entry */
					if (sy->over_quota.n >= SYNC_OVER_QUOTA_MAX)
						proto_idset_clear(&sy->over_quota);
					proto_idset_add(&sy->over_quota, x->id); /* ENOMEM: asked again, no harm */
				}
				else
					LOG_INFO("SYNC-REFUSE", "entry %s not stored: %s", hex,
					         sync_err_text(err));
			} else if (x->err == 0 && (err == MAILLE_EPROTO || err == MAILLE_EAUTH)) {
				/* decoded and verified, but the store refused it: a malformed body, or a
				 * capability reference no node accepts (PROTOCOL.md §4.4, checked before
				 * the commit too) */
				conn_refuse_entry(c, x, err);
			} else if (x->err == 0) {
				char hex[17];
				proto_hex(x->id, 8, hex);
				LOG_WARN("SYNC-STORE", "entry %s not stored: %s", hex, maille_strerror(err));
			}
			proto_idset_del(&sy->inflight, x->id);
			sy->in_pipe--;
			if (cs) {
				cs->done_seq++;
			}
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

/* One received entry into the pipeline. */
static int ingest_add(node_conn *c, const uint8_t *raw, size_t len)
{
	node *n = c->owner;
	struct node_sync_state *sy = n->sy;
	struct conn_sync *cs = c->sync;
	uint8_t id[PROTO_ID_LEN];
	proto_entry_id(raw, len, id);
	if (cs->rx_ids.n >= SYNC_RX_IDS_MAX)
		proto_idset_clear(&cs->rx_ids);
	(void)proto_idset_add(&cs->rx_ids, id); /* ENOMEM: it may be pushed back, no harm */
	/* an id we asked for in this reconciliation was not here then (on_need looked): the
	 * store lookup is skipped for it (a bulk sync is nearly all such entries) */
	if (proto_idset_has(&sy->inflight, id) ||
	    (!proto_idset_has(&cs->wanted, id) && store_has(n->st, id) == 0)) {
		cs->dups++;
		sy->dups++;
		return 0;
	}
	if (proto_idset_has(&sy->over_quota, id)) {
		cs->refused++; /* refused a moment ago: the quota is still reached */
		sy->refused++;
		return 0;
	}
	ingest_batch *b = sy->tail;
	if (!b || b->stage != BATCH_OPEN) {
		b = calloc(1, sizeof *b);
		if (!b)
			return MAILLE_ENOMEM;
		b->n = n;
		b->stage = BATCH_OPEN;
		if (sy->tail)
			sy->tail->next = b;
		else
			sy->head = b;
		sy->tail = b;
	}
	if (b->len == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		ingest_entry *v = realloc(b->v, cap * sizeof *v);
		if (!v)
			return MAILLE_ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	ingest_entry *x = &b->v[b->len];
	memset(x, 0, sizeof *x);
	x->raw = malloc(len);
	if (!x->raw || proto_idset_add(&sy->inflight, id) < 0) {
		free(x->raw);
		return MAILLE_ENOMEM;
	}
	memcpy(x->raw, raw, len);
	x->len = len;
	x->conn_id = c->id;
	memcpy(x->id, id, PROTO_ID_LEN);
	b->len++;
	cs->rx_seq++;
	if (b->len >= SYNC_BATCH_ENTRIES)
		batch_submit(n, b);
	sy->in_pipe++;
	if (!c->ingest_paused && sy->in_pipe >= SYNC_PIPE_HIGH) {
		c->ingest_paused = true;
		conn_update_reading(c);
	}
	return 0;
}

/* ---- sending ------------------------------------------------------------------------------- */

/* Queues id for sending, unless it is queued already. 0, or MAILLE_ENOMEM. */
static int sq_push(struct conn_sync *cs, const uint8_t id[PROTO_ID_LEN], uint8_t kind)
{
	int added = proto_idset_add(&cs->queued, id);
	if (added <= 0)
		return added; /* queued already (it goes out once), or ENOMEM */
	if (cs->sq_len == cs->sq_cap || cs->sq_head + cs->sq_len == cs->sq_cap) {
		/* compact, then grow */
		if (cs->sq_head) {
			memmove(cs->sq, cs->sq + cs->sq_head, cs->sq_len * sizeof *cs->sq);
			cs->sq_head = 0;
		}
		if (cs->sq_len == cs->sq_cap) {
			size_t cap = cs->sq_cap ? cs->sq_cap * 2 : 256;
			sendq_item *p = realloc(cs->sq, cap * sizeof *p);
			if (!p) {
				proto_idset_del(&cs->queued, id);
				return MAILLE_ENOMEM;
			}
			cs->sq = p;
			cs->sq_cap = cap;
		}
	}
	sendq_item *it = &cs->sq[cs->sq_head + cs->sq_len++];
	memcpy(it->id, id, PROTO_ID_LEN);
	it->kind = kind;
	cs->sq_enq++;
	if (kind == SQ_PUSH)
		cs->n_push++;
	else if (kind == SQ_WANTED)
		cs->n_wanted++;
	return 0;
}

void sync_push(node *n, const uint8_t id[PROTO_ID_LEN], const node_conn *except)
{
	for (node_conn *c = n->head; c; c = c->next) {
		if (c == except || c->state != CONN_OPEN || !c->sync || c->oneshot_sync)
			continue;
		struct conn_sync *cs = c->sync;
		/* PROTOCOL.md §3.5: not to the node it came from (on any of its sessions: a daemon
		 * and a `maille sync` of one node share its key), nor to a peer known to hold it:
		 * it sent it to us, announced it in our reconciliation (a need), or got it from us
		 * in this round */
		if (except && memcmp(c->peer_key, except->peer_key, PROTO_KEY_LEN) == 0)
			continue;
		if (proto_idset_has(&cs->rx_ids, id) || proto_idset_has(&cs->wanted, id) ||
		    proto_idset_has(&cs->sent_ids, id))
			continue;
		/* a peer that does not keep up (or out of memory) loses pushes: anti-entropy
		 * repairs what push missed */
		if (cs->n_push < SYNC_PUSH_QUEUE_MAX)
			(void)sq_push(cs, id, SQ_PUSH);
	}
}

bool sync_inflight(const node *n, const uint8_t id[PROTO_ID_LEN])
{
	return n->sy && proto_idset_has(&n->sy->inflight, id);
}

static int send_msg(node_conn *c, const uint8_t *msg, size_t len)
{
	int r = conn_send_raw(c, msg, len);
	if (r) {
		LOG_ERROR("SYNC-ERROR", "#%llu %s: cannot send: %s", (unsigned long long)c->id,
		          c->peer_addr, maille_strerror(r));
		conn_close_now(c);
		return -1;
	}
	return 0;
}

static int send_mark(node_conn *c, uint32_t type, uint64_t m)
{
	uint8_t buf[32];
	size_t len;
	if (proto_sync_encode_mark(type, m, buf, sizeof buf, &len))
		return -1;
	return send_msg(c, buf, len);
}

/* One ENTRIES message from the head of the queue. 0 sent (or nothing to send), -1 closed. */
static int send_entries(node_conn *c)
{
	struct conn_sync *cs = c->sync;
	node *n = c->owner;
	uint8_t *raws[PROTO_ENTRIES_MAX];
	size_t lens[PROTO_ENTRIES_MAX];
	size_t k = 0, bytes = PROTO_ENTRIES_OVERHEAD;
	while (cs->sq_len && k < PROTO_ENTRIES_MAX && bytes < SYNC_ENTRIES_MSG_BYTES) {
		sendq_item *it = &cs->sq[cs->sq_head];
		uint8_t *raw;
		size_t len;
		int r = store_raw_get(n->st, it->id, &raw, &len);
		if (r == 0 && bytes + proto_sync_entry_size(len) > PROTO_SESSION_MSG_MAX) {
			free(raw);
			break; /* the next message takes it */
		}
		cs->sq_head++;
		cs->sq_len--;
		cs->sq_done++;
		if (it->kind == SQ_PUSH)
			cs->n_push--;
		else if (it->kind == SQ_WANTED)
			cs->n_wanted--;
		proto_idset_del(&cs->queued, it->id);
		if (cs->sq_len == 0)
			cs->sq_head = 0;
		if (r)
			continue; /* superseded since: the peer gets the newer one by push */
		if (cs->sent_ids.n >= SYNC_SENT_MAX)
			proto_idset_clear(&cs->sent_ids);
		(void)proto_idset_add(&cs->sent_ids, it->id); /* ENOMEM: a WANT of it is served again */
		raws[k] = raw;
		lens[k] = len;
		bytes += proto_sync_entry_size(len);
		k++;
	}
	if (k == 0)
		return 0;
	int ret = 0;
	uint8_t *msg = malloc(bytes);
	size_t len = 0;
	int r = msg ? proto_sync_encode_entries((const uint8_t *const *)raws, lens, k, msg, bytes, &len)
	            : MAILLE_ENOMEM;
	if (r) {
		LOG_ERROR("SYNC-ERROR", "#%llu: cannot encode entries: %s", (unsigned long long)c->id,
		          maille_strerror(r));
		conn_close_now(c);
		ret = -1;
	} else {
		ret = send_msg(c, msg, len);
		cs->sent += k;
	}
	free(msg);
	for (size_t i = 0; i < k; i++)
		free(raws[i]);
	return ret;
}

static int send_wants(node_conn *c)
{
	struct conn_sync *cs = c->sync;
	while (cs->want_len && cs->wants_out < SYNC_WANTS_IN_FLIGHT) {
		size_t k = cs->want_len < PROTO_WANT_IDS_MAX ? cs->want_len : PROTO_WANT_IDS_MAX;
		uint8_t buf[16 + PROTO_WANT_IDS_MAX * RBSR_ID_LEN];
		size_t len;
		/* from the end: the order of requests does not matter, and nothing moves */
		const uint8_t *ids = cs->want + (cs->want_len - k) * RBSR_ID_LEN;
		int r = proto_sync_encode_want(ids, k, buf, sizeof buf, &len);
		if (r || send_msg(c, buf, len))
			return -1;
		cs->want_len -= k;
		uint64_t m = ++cs->next_mark;
		if (send_mark(c, PROTO_SESS_MARK, m))
			return -1;
		cs->want_marks[cs->wants_out++] = m;
	}
	return 0;
}

/* MARKs of the peer whose condition holds get their ACK, in order. */
static int send_acks(node_conn *c)
{
	struct conn_sync *cs = c->sync;
	size_t i = 0;
	while (i < cs->n_marks && cs->done_seq >= cs->marks[i].seq && cs->sq_done >= cs->marks[i].qpos) {
		if (send_mark(c, PROTO_SESS_MARK_ACK, cs->marks[i].n))
			return -1;
		i++;
	}
	if (i) {
		memmove(cs->marks, cs->marks + i, (cs->n_marks - i) * sizeof cs->marks[0]);
		cs->n_marks -= i;
	}
	return 0;
}

/* node_sync(): done when our reconciliation is over, every WANT answered, the queue sent,
 * and the final MARK acknowledged with everything we received processed. */
static void oneshot_check(node_conn *c)
{
	struct conn_sync *cs = c->sync;
	if (!c->oneshot_sync || cs->finished || cs->ri_active || !cs->ri_done_once)
		return;
	if (cs->want_len || cs->wants_out || cs->sq_len)
		return;
	if (!cs->final_sent) {
		cs->final_mark = ++cs->next_mark;
		cs->final_sent = true;
		send_mark(c, PROTO_SESS_MARK, cs->final_mark);
		return;
	}
	if (!cs->final_acked || cs->done_seq != cs->rx_seq)
		return;
	cs->finished = true;
	node_sync_finish(c->owner, 0, "done");
	conn_close_bye(c, PROTO_BYE_DONE, "sync done");
}

bool sync_sending(const node_conn *c)
{
	return c->sync && c->sync->sq_len > 0;
}

void sync_pump(node_conn *c)
{
	struct conn_sync *cs = c->sync;
	if (!cs || c->state != CONN_OPEN)
		return;
	while (cs->sq_len && conn_write_backlog(c) < SYNC_PUMP_BACKLOG_MAX) {
		if (send_entries(c))
			return;
	}
	if (send_acks(c) || send_wants(c))
		return;
	oneshot_check(c);
	if (c->state == CONN_OPEN)
		conn_flush(c);
}

/* ---- reconciliation ------------------------------------------------------------------------ */

static int on_have(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	node_conn *c = ctx;
	c->sync->ri_haves++;
	return sq_push(c->sync, id, SQ_HAVE);
}

static int on_need(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	node_conn *c = ctx;
	struct conn_sync *cs = c->sync;
	node *n = c->owner;
	int r = proto_idset_add(&cs->wanted, id);
	if (r <= 0)
		return r; /* asked already in this reconciliation (or ENOMEM) */
	cs->ri_needs++;
	if (proto_idset_has(&n->sy->inflight, id) || proto_idset_has(&n->sy->over_quota, id) ||
	    store_has(n->st, id) == 0)
		return 0;
	if (cs->want_len == cs->want_cap) {
		size_t cap = cs->want_cap ? cs->want_cap * 2 : 1024;
		uint8_t *p = realloc(cs->want, cap * RBSR_ID_LEN);
		if (!p)
			return MAILLE_ENOMEM;
		cs->want = p;
		cs->want_cap = cap;
	}
	memcpy(cs->want + cs->want_len * RBSR_ID_LEN, id, RBSR_ID_LEN);
	cs->want_len++;
	return 0;
}

static int send_recon(node_conn *c, uint32_t kind, const uint8_t *data, size_t len)
{
	size_t cap = len + 16;
	uint8_t *buf = malloc(cap);
	size_t out;
	int r = buf ? proto_sync_encode_recon(kind, data, len, buf, cap, &out) : MAILLE_ENOMEM;
	if (r) {
		free(buf);
		LOG_ERROR("SYNC-ERROR", "#%llu: cannot encode a reconciliation message: %s",
		          (unsigned long long)c->id, maille_strerror(r));
		conn_close_now(c);
		return -1;
	}
	r = send_msg(c, buf, out);
	free(buf);
	return r;
}

void sync_start_recon(node_conn *c)
{
	struct conn_sync *cs = c->sync;
	node *n = c->owner;
	if (!cs || c->state != CONN_OPEN || cs->ri_active)
		return;
	node_set *s = node_set_get(n);
	if (!s)
		return;
	uint8_t *out = malloc(SYNC_FRAME_LIMIT);
	size_t len = 0;
	int r = out ? rbsr_session_init(&cs->ri, &s->set, RBSR_INITIATOR, SYNC_FRAME_LIMIT)
	            : MAILLE_ENOMEM;
	if (!r) {
		r = rbsr_initiate(&cs->ri, out, SYNC_FRAME_LIMIT, &len);
		if (r)
			rbsr_session_done(&cs->ri);
	}
	if (r) {
		LOG_ERROR("SYNC-ERROR", "#%llu: cannot start a reconciliation: %s",
		          (unsigned long long)c->id, maille_strerror(r));
		free(out);
		node_set_release(s);
		return;
	}
	cs->ri_set = s;
	cs->ri_active = true;
	cs->ri_rounds = 1;
	cs->ri_haves = cs->ri_needs = 0;
	cs->ri_t0_ns = uv_hrtime();
	proto_idset_clear(&cs->sent_ids); /* a new round (PROTOCOL.md §3.5) */
	/* The needs still asked for, or still to ask for, stay in wanted: a WANT never names an
	 * id twice, nor one a WANT of ours still waits for (PROTOCOL.md §3.5) */
	if (!cs->want_len && !cs->wants_out)
		proto_idset_clear(&cs->wanted);
	LOG_DEBUG("SYNC-RECON", "#%llu %s %s: reconciling (%zu items here)", (unsigned long long)c->id,
	          c->peer_addr, c->peer_fp, s->set.n);
	send_recon(c, PROTO_RECON_OPEN, out, len);
	free(out);
	if (c->state == CONN_OPEN)
		conn_flush(c);
}

static void ri_end(struct conn_sync *cs)
{
	if (!cs->ri_active)
		return;
	rbsr_session_done(&cs->ri);
	node_set_release(cs->ri_set);
	cs->ri_set = NULL;
	cs->ri_active = false;
}

static void rr_end(struct conn_sync *cs)
{
	if (!cs->rr_active)
		return;
	rbsr_session_done(&cs->rr);
	node_set_release(cs->rr_set);
	cs->rr_set = NULL;
	cs->rr_active = false;
}

static int proto_fail(node_conn *c, const char *what, int err)
{
	LOG_WARN("SYNC-PROTO", "#%llu %s %s: %s (%s): closing", (unsigned long long)c->id,
	         c->peer_addr, c->peer_fp, what, maille_strerror(err));
	if (c->oneshot_sync || c->oneshot_ping)
		node_ping_fail(c->owner, MAILLE_EPROTO, false, "the peer broke the protocol: %s (%s)",
		               what, maille_strerror(err));
	conn_close_bye(c, PROTO_BYE_PROTOCOL, what);
	return -1;
}

static int on_recon(node_conn *c, const proto_sync_msg *m)
{
	struct conn_sync *cs = c->sync;
	node *n = c->owner;
	uint8_t *out = NULL;
	size_t len = 0;
	int r;
	switch (m->recon_kind) {
	case PROTO_RECON_OPEN:
		rr_end(cs);
		proto_idset_clear(&cs->sent_ids); /* a new round (PROTOCOL.md §3.5) */
		cs->rr_set = node_set_get(n);
		r = cs->rr_set ? rbsr_session_init(&cs->rr, &cs->rr_set->set, RBSR_RESPONDER,
		                                   SYNC_FRAME_LIMIT)
		               : MAILLE_EIO;
		if (r) {
			/* our fault (logged): the peer's reconciliation would wait for a REPLY forever,
			 * so the session ends and the peer tries again later */
			node_set_release(cs->rr_set);
			cs->rr_set = NULL;
			conn_close_bye(c, PROTO_BYE_OVERLOADED, "cannot reconcile now");
			return -1;
		}
		cs->rr_active = true;
		/* fall through */
	case PROTO_RECON_NEXT:
		if (!cs->rr_active)
			return proto_fail(c, "reconciliation message without OPEN", MAILLE_ESTATE);
		out = malloc(SYNC_FRAME_LIMIT);
		if (!out) {
			conn_close_bye(c, PROTO_BYE_OVERLOADED, "out of memory");
			return -1;
		}
		r = rbsr_reconcile(&cs->rr, m->data, m->data_len, NULL, NULL, NULL, out,
		                   SYNC_FRAME_LIMIT, &len);
		if (r) {
			free(out);
			return proto_fail(c, "malformed reconciliation message", r);
		}
		r = send_recon(c, PROTO_RECON_REPLY, out, len);
		free(out);
		return r;
	case PROTO_RECON_CLOSE:
		rr_end(cs);
		cs->last_sync_us = node_now_us();
		return 0;
	case PROTO_RECON_REPLY:
		if (!cs->ri_active)
			return proto_fail(c, "reconciliation reply without a reconciliation",
			                  MAILLE_ESTATE);
		out = malloc(SYNC_FRAME_LIMIT);
		if (!out) {
			conn_close_bye(c, PROTO_BYE_OVERLOADED, "out of memory");
			return -1;
		}
		r = rbsr_reconcile(&cs->ri, m->data, m->data_len, on_have, on_need, c, out,
		                   SYNC_FRAME_LIMIT, &len);
		if (r) {
			free(out);
			ri_end(cs);
			return proto_fail(c, "malformed reconciliation reply", r);
		}
		if (len) {
			cs->ri_rounds++;
			r = send_recon(c, PROTO_RECON_NEXT, out, len);
			free(out);
			return r;
		}
		free(out);
		ri_end(cs);
		cs->ri_done_once = true;
		cs->last_sync_us = node_now_us();
		LOG_INFO("SYNC-RECON", "#%llu %s %s: reconciled in %llu round%s, %.1f ms: %llu to send, "
		                       "%llu to fetch",
		         (unsigned long long)c->id, c->peer_addr, c->peer_fp,
		         (unsigned long long)cs->ri_rounds, cs->ri_rounds == 1 ? "" : "s",
		         (double)(uv_hrtime() - cs->ri_t0_ns) / 1e6, (unsigned long long)cs->ri_haves,
		         (unsigned long long)cs->want_len);
		if (n->sync_res)
			n->sync_res->rounds = cs->ri_rounds;
		return send_recon(c, PROTO_RECON_CLOSE, NULL, 0);
	default:
		return proto_fail(c, "unknown reconciliation message", MAILLE_EPROTO);
	}
}

int sync_on_msg(node_conn *c, const uint8_t *msg, size_t len)
{
	struct conn_sync *cs = c->sync;
	proto_sync_msg m;
	int r = proto_sync_decode(msg, len, &m);
	if (r == MAILLE_EINVAL)
		return r; /* not a sync message */
	if (r)
		return proto_fail(c, "malformed session message", r);
	if (!cs)
		return 0;
	switch (m.type) {
	case PROTO_SESS_RECON:
		r = on_recon(c, &m);
		break;
	case PROTO_SESS_WANT:
		/* PROTOCOL.md §3.5: an id repeated in the WANT, queued already, or sent in this
		 * round is not served (again): each entry goes out at most once a round, so a WANT
		 * of 32 KiB costs at most its 1024 distinct entries. Earlier versions could repeat
		 * an id, so a repetition is dropped, not a protocol error. */
		for (size_t i = 0; i < m.n_ids; i++) {
			const uint8_t *id = m.ids + i * RBSR_ID_LEN;
			if (proto_idset_has(&cs->sent_ids, id))
				continue;
			if (sq_push(cs, id, SQ_WANTED))
				return proto_fail(c, "out of memory", MAILLE_ENOMEM);
		}
		if (cs->n_wanted > SYNC_PEER_WANTS_MAX)
			return proto_fail(c, "too many entries asked for at once", MAILLE_ETOOBIG);
		r = 0;
		break;
	case PROTO_SESS_ENTRIES: {
		const uint8_t *it = NULL, *raw;
		size_t rlen;
		while (proto_sync_entries_next(&m, &it, &raw, &rlen)) {
			if ((r = ingest_add(c, raw, rlen))) {
				LOG_ERROR("SYNC-ERROR", "#%llu: %s", (unsigned long long)c->id,
				          maille_strerror(r));
				break;
			}
		}
		if (c->owner->sy->tail && c->owner->sy->tail->stage == BATCH_OPEN &&
		    c->owner->sy->tail->len >= SYNC_BATCH_ENTRIES / 2)
			sync_ingest_kick(c->owner);
		r = 0;
		break;
	}
	case PROTO_SESS_MARK:
		if (cs->n_marks == SYNC_MARKS_MAX)
			return proto_fail(c, "too many MARKs unanswered", MAILLE_ETOOBIG);
		cs->marks[cs->n_marks].n = m.mark;
		cs->marks[cs->n_marks].seq = cs->rx_seq;
		cs->marks[cs->n_marks].qpos = cs->sq_enq;
		cs->n_marks++;
		r = 0;
		break;
	case PROTO_SESS_REDEEM:
		on_redeem(c, &m);
		r = 0;
		break;
	case PROTO_SESS_REDEEMED:
		on_redeemed(c, m.result);
		r = 0;
		break;
	case PROTO_SESS_MARK_ACK:
		for (unsigned i = 0; i < cs->wants_out; i++) {
			if (cs->want_marks[i] == m.mark) {
				cs->want_marks[i] = cs->want_marks[--cs->wants_out];
				break;
			}
		}
		if (cs->final_sent && m.mark == cs->final_mark)
			cs->final_acked = true;
		r = 0;
		break;
	default:
		r = 0;
		break;
	}
	if (r || c->state != CONN_OPEN)
		return -1;
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

/* `maille join`: checks that the peer is the inviter of the token, sends REDEEM and holds
 * the session (no reconciliation) until REDEEMED. */
static int redeem_send(node_conn *c)
{
	node *n = c->owner;
	if (n->cfg.redeem_inviter && memcmp(c->peer_key, n->cfg.redeem_inviter, PROTO_KEY_LEN) != 0) {
		if (n->sync_res)
			n->sync_res->not_inviter = true;
		node_sync_finish(n, MAILLE_EAUTH, "the node there is not the inviter (its key is %s…)",
		                 c->peer_fp);
		conn_close_bye(c, PROTO_BYE_DONE, "not the inviter");
		return 0;
	}
	uint8_t msg[64];
	size_t len = 0;
	int r = proto_sync_encode_redeem(n->cfg.redeem_secret,
	                                 n->cfg.redeem_member ? PROTO_REDEEM_MEMBER : 0, msg,
	                                 sizeof msg, &len);
	if (!r)
		r = conn_send_raw(c, msg, len);
	sodium_memzero(msg, sizeof msg);
	if (r)
		return r;
	c->sync->redeem_wait = true;
	LOG_DEBUG("INVITE", "#%llu %s %s: invitation sent", (unsigned long long)c->id, c->peer_addr,
	          c->peer_fp);
	return 0;
}

static void on_redeemed(node_conn *c, uint64_t result)
{
	node *n = c->owner;
	struct conn_sync *cs = c->sync;
	if (!cs->redeem_wait)
		return; /* not asked: ignored, like an unknown message */
	cs->redeem_wait = false;
	if (n->sync_res)
		n->sync_res->redeem_result = result > PROTO_REDEEM_FAILED ? (int)PROTO_REDEEM_FAILED
		                                                          : (int)result;
	if (result != PROTO_REDEEM_OK) {
		LOG_WARN("INVITE", "#%llu %s %s: the inviter refused the invitation: %s",
		         (unsigned long long)c->id, c->peer_addr, c->peer_fp, redeem_text(result));
		node_sync_finish(n, MAILLE_EAUTH, "the inviter refused the invitation: %s",
		                 redeem_text(result));
		conn_close_bye(c, PROTO_BYE_DONE, "invitation refused");
		return;
	}
	LOG_INFO("INVITE", "#%llu %s %s: invitation redeemed; syncing", (unsigned long long)c->id,
	         c->peer_addr, c->peer_fp);
	sync_session_begin(c);
}

/* The inviter's side: one redemption per session; the vouch for a territory, never for a
 * member's node (it writes in another territory's name). */
static void on_redeem(node_conn *c, const proto_sync_msg *m)
{
	node *n = c->owner;
	uint64_t result = PROTO_REDEEM_FAILED;
	uint8_t hash[PROTO_INVITE_SECRET_LEN];
	bool member = (m->flags & PROTO_REDEEM_MEMBER) != 0;
	int sr = STORE_INVITE_UNKNOWN;
	proto_invite_secret_hash(m->secret, hash);
	if (c->sync->redeemed) {
		/* each REDEEM is a store transaction on the event loop: a peer does not get to
		 * repeat them (PROTOCOL.md §4.5) */
		proto_fail(c, "a second REDEEM on one session", MAILLE_EPROTO);
		return;
	}
	c->sync->redeemed = true;
	if (c->oneshot_sync) {
		result = PROTO_REDEEM_UNKNOWN; /* a client holds no invitation */
	} else if (store_invite_redeem(n->st, hash, node_now_us(), c->peer_key, &sr) != 0) {
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
	uint8_t msg[16];
	size_t len = 0;
	if (proto_sync_encode_redeemed(result, msg, sizeof msg, &len) == 0)
		conn_send_raw(c, msg, len);
}

/* ---- sessions ------------------------------------------------------------------------------ */

int sync_conn_open(node_conn *c)
{
	node *n = c->owner;
	if (!n->sy)
		return 0; /* node_ping(): no store, no sync */
	c->sync = calloc(1, sizeof *c->sync);
	if (!c->sync)
		return MAILLE_ENOMEM;
	randombytes_buf(&c->sync->wanted.seed, sizeof c->sync->wanted.seed);
	randombytes_buf(&c->sync->queued.seed, sizeof c->sync->queued.seed);
	randombytes_buf(&c->sync->sent_ids.seed, sizeof c->sync->sent_ids.seed);
	randombytes_buf(&c->sync->rx_ids.seed, sizeof c->sync->rx_ids.seed);
	if (c->oneshot_sync && n->cfg.redeem_secret)
		return redeem_send(c);
	sync_session_begin(c);
	return 0;
}

/* PROTOCOL.md §3.5: equal fingerprints, nothing to reconcile; otherwise the dialer opens. */
static void sync_session_begin(node_conn *c)
{
	node *n = c->owner;
	bool equal = c->peer_hello.has_fp && n->hello.has_fp && c->peer_hello.count == n->hello.count &&
	             memcmp(c->peer_hello.fp, n->hello.fp, RBSR_FP_LEN) == 0;
	if (c->oneshot_sync && n->sync_res)
		n->sync_res->equal = equal;
	if (equal) {
		c->sync->ri_done_once = true;
		c->sync->last_sync_us = node_now_us();
		LOG_DEBUG("SYNC-RECON", "#%llu %s %s: same set (%llu entries): nothing to reconcile",
		          (unsigned long long)c->id, c->peer_addr, c->peer_fp,
		          (unsigned long long)n->hello.count);
	} else if (!c->inbound) {
		sync_start_recon(c);
	}
	sync_pump(c);
}

void sync_conn_free(node_conn *c)
{
	struct conn_sync *cs = c->sync;
	if (!cs)
		return;
	node_sync_result *res = c->owner->sync_res;
	if (c->oneshot_sync && res) {
		res->sent = cs->sent;
		res->received = cs->received;
		res->duplicates = cs->dups;
		res->refused = cs->refused;
		res->bytes_sent = c->n_tx_bytes;
		res->bytes_received = c->n_rx_bytes;
	}
	ri_end(cs);
	rr_end(cs);
	proto_idset_done(&cs->wanted);
	proto_idset_done(&cs->queued);
	proto_idset_done(&cs->sent_ids);
	proto_idset_done(&cs->rx_ids);
	free(cs->want);
	free(cs->sq);
	free(cs);
	c->sync = NULL;
}

void sync_conn_stats(const node_conn *c, uint64_t *sent, uint64_t *received, uint64_t *dups,
                     uint64_t *refused, uint64_t *last_sync_us)
{
	const struct conn_sync *cs = c->sync;
	*sent = cs ? cs->sent : 0;
	*received = cs ? cs->received : 0;
	*dups = cs ? cs->dups : 0;
	*refused = cs ? cs->refused : 0;
	*last_sync_us = cs ? cs->last_sync_us : 0;
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
		k += c->state == CONN_OPEN && c->sync && !c->sync->ri_active;
	if (!k)
		return;
	unsigned pick = randombytes_uniform(k);
	for (node_conn *c = n->head; c; c = c->next) {
		if (c->state != CONN_OPEN || !c->sync || c->sync->ri_active)
			continue;
		if (pick-- == 0) {
			LOG_DEBUG("SYNC-AE", "anti-entropy with #%llu %s", (unsigned long long)c->id,
			          c->peer_addr);
			sync_start_recon(c);
			return;
		}
	}
}
