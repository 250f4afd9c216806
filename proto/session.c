/* proto/session.c: see session.h. The rules cited are those of PROTOCOL.md §3.5 (sync) and
 * §4.5 (redemption). */
#include "session.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "entry.h"
#include "error.h"

enum { SQ_HAVE, SQ_WANTED, SQ_PUSH };

static void emit(proto_session *s, proto_session_event *ev)
{
	s->host.event(s->host.ctx, ev);
}

/* The session ends, as ev says (its kind is set here): nothing more is sent, every later call
 * does nothing; reported once. */
static void end_ev(proto_session *s, proto_session_event ev)
{
	if (s->ended)
		return;
	s->ended = true;
	ev.kind = PROTO_SESSION_EV_CLOSE;
	emit(s, &ev);
}

/* The session ends with BYE reason (text). */
static void end(proto_session *s, int why, uint32_t reason, const char *text, const char *what,
                int err)
{
	end_ev(s, (proto_session_event){
		.end = why, .bye = true, .bye_reason = reason, .bye_text = text, .what = what, .err = err});
}

/* The peer broke a rule: BYE protocol. */
static void fail_proto(proto_session *s, const char *what, int err)
{
	end(s, PROTO_SESSION_END_PROTOCOL, PROTO_BYE_PROTOCOL, what, what, err);
}

/* Our own failure: the peer is told we cannot serve the session now, and tries again later. */
static void fail_local(proto_session *s, const char *text, const char *what, int err)
{
	end(s, PROTO_SESSION_END_LOCAL, PROTO_BYE_OVERLOADED, text, what, err);
}

/* Hands one message to the host; a failure ends the session without BYE (the channel may
 * refuse to seal anything more). 0 or -1. */
static int send_msg(proto_session *s, const uint8_t *msg, size_t len)
{
	int r = s->host.send(s->host.ctx, msg, len);
	if (!r)
		return 0;
	end_ev(s, (proto_session_event){.end = PROTO_SESSION_END_LOCAL, .what = "cannot send", .err = r});
	return -1;
}

static int send_mark(proto_session *s, uint32_t type, uint64_t n)
{
	uint8_t buf[32];
	size_t len;
	int r = proto_sync_encode_mark(type, n, buf, sizeof buf, &len);
	if (r) {
		fail_local(s, "internal error", "cannot encode a MARK", r);
		return -1;
	}
	return send_msg(s, buf, len);
}

static int send_recon(proto_session *s, uint32_t kind, const uint8_t *data, size_t len)
{
	size_t cap = len + 16;
	uint8_t *buf = malloc(cap);
	size_t out;
	int r = buf ? proto_sync_encode_recon(kind, data, len, buf, cap, &out) : MAILLE_ENOMEM;
	if (r) {
		free(buf);
		fail_local(s, "out of memory", "cannot encode a reconciliation message", r);
		return -1;
	}
	r = send_msg(s, buf, out);
	free(buf);
	return r;
}

/* ---- init, end ----------------------------------------------------------------------------- */

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void proto_session_init(proto_session *s, const proto_session_cfg *cfg,
                        const proto_session_host *host)
{
	memset(s, 0, sizeof *s);
	s->host = *host;
	s->cfg = *cfg;
	if (cfg->peer_key)
		memcpy(s->peer_key, cfg->peer_key, PROTO_KEY_LEN);
	const proto_hello *ours = cfg->ours, *peer = cfg->peer;
	s->equal = ours && peer && ours->has_fp && peer->has_fp && ours->count == peer->count &&
	           memcmp(ours->fp, peer->fp, RBSR_FP_LEN) == 0;
	if (cfg->redeem_secret) {
		s->redeem = true;
		memcpy(s->redeem_secret, cfg->redeem_secret, PROTO_REDEEM_SECRET_LEN);
		s->inviter = !cfg->redeem_inviter ||
		             memcmp(cfg->redeem_inviter, s->peer_key, PROTO_KEY_LEN) == 0;
	}
	s->cfg.peer_key = NULL;
	s->cfg.ours = s->cfg.peer = NULL;
	s->cfg.redeem_inviter = s->cfg.redeem_secret = NULL;
	s->last_rx_ms = s->last_tx_ms = cfg->now_ms;
	s->wanted.seed = mix(cfg->seed + 1);
	s->queued.seed = mix(cfg->seed + 2);
	s->sent_ids.seed = mix(cfg->seed + 3);
	s->rx_ids.seed = mix(cfg->seed + 4);
}

static void ri_end(proto_session *s)
{
	if (!s->ri_active)
		return;
	rbsr_session_done(&s->ri);
	s->host.set_release(s->host.ctx, s->ri_ref);
	s->ri_ref = NULL;
	s->ri_active = false;
}

static void rr_end(proto_session *s)
{
	if (!s->rr_active)
		return;
	rbsr_session_done(&s->rr);
	s->host.set_release(s->host.ctx, s->rr_ref);
	s->rr_ref = NULL;
	s->rr_active = false;
}

void proto_session_done(proto_session *s)
{
	ri_end(s);
	rr_end(s);
	proto_idset_done(&s->wanted);
	proto_idset_done(&s->queued);
	proto_idset_done(&s->sent_ids);
	proto_idset_done(&s->rx_ids);
	free(s->want);
	free(s->sq);
	sodium_memzero(s->redeem_secret, sizeof s->redeem_secret);
	s->want = NULL;
	s->sq = NULL;
	s->want_len = s->want_cap = s->sq_len = s->sq_cap = s->sq_head = 0;
	s->ended = true;
}

bool proto_session_ended(const proto_session *s)
{
	return s->ended;
}

bool proto_session_reconciling(const proto_session *s)
{
	return s->ri_active;
}

bool proto_session_sending(const proto_session *s)
{
	return s->sq_len > 0;
}

void proto_session_stats_get(const proto_session *s, proto_session_stats *ret)
{
	ret->sent = s->sent;
	ret->received = s->received;
	ret->dups = s->dups;
	ret->refused = s->refused;
}

/* ---- the send queue ------------------------------------------------------------------------ */

/* Queues id for sending, unless it is queued already (it goes out once). 0, or
 * MAILLE_ENOMEM. */
static int sq_push(proto_session *s, const uint8_t id[PROTO_ID_LEN], uint8_t kind)
{
	int added = proto_idset_add(&s->queued, id);
	if (added <= 0)
		return added;
	if (s->sq_head + s->sq_len == s->sq_cap) {
		/* compact, then grow */
		if (s->sq_head) {
			memmove(s->sq, s->sq + s->sq_head, s->sq_len * sizeof *s->sq);
			s->sq_head = 0;
		}
		if (s->sq_len == s->sq_cap) {
			proto_session_sendq *p = proto_array_grow(s->sq, &s->sq_cap, 256, sizeof *p);
			if (!p) {
				proto_idset_del(&s->queued, id);
				return MAILLE_ENOMEM;
			}
			s->sq = p;
		}
	}
	proto_session_sendq *it = &s->sq[s->sq_head + s->sq_len++];
	memcpy(it->id, id, PROTO_ID_LEN);
	it->kind = kind;
	s->sq_enq++;
	if (kind == SQ_PUSH)
		s->n_push++;
	else if (kind == SQ_WANTED)
		s->n_wanted++;
	return 0;
}

/* Takes the head of the queue off. */
static void sq_pop(proto_session *s)
{
	proto_session_sendq *it = &s->sq[s->sq_head];
	if (it->kind == SQ_PUSH)
		s->n_push--;
	else if (it->kind == SQ_WANTED)
		s->n_wanted--;
	proto_idset_del(&s->queued, it->id);
	s->sq_head++;
	s->sq_len--;
	s->sq_done++;
	if (s->sq_len == 0)
		s->sq_head = 0;
}

void proto_session_push(proto_session *s, const uint8_t id[PROTO_ID_LEN], const uint8_t *from_key)
{
	if (s->ended || s->cfg.oneshot || s->cfg.no_sync)
		return;
	/* not to the node it came from (on any of its sessions: a daemon and a `maille sync` of
	 * one node share its key), nor to a peer known to hold it: it sent it to us, announced
	 * it in our reconciliation (a need), or got it from us in this round */
	if (from_key && memcmp(from_key, s->peer_key, PROTO_KEY_LEN) == 0)
		return;
	if (proto_idset_has(&s->rx_ids, id) || proto_idset_has(&s->wanted, id) ||
	    proto_idset_has(&s->sent_ids, id))
		return;
	/* a peer that does not keep up (or out of memory) loses pushes: anti-entropy repairs
	 * what push missed */
	if (s->n_push < PROTO_SESSION_PUSH_QUEUE_MAX)
		(void)sq_push(s, id, SQ_PUSH);
}

/* One ENTRIES message from the head of the queue: 0 sent (or nothing to send), -1 ended;
 * *ret_len the bytes sent. */
static int send_entries(proto_session *s, size_t *ret_len)
{
	uint8_t *raws[PROTO_ENTRIES_MAX];
	size_t lens[PROTO_ENTRIES_MAX];
	size_t k = 0, bytes = PROTO_ENTRIES_OVERHEAD;
	*ret_len = 0;
	while (s->sq_len && k < PROTO_ENTRIES_MAX && bytes < PROTO_SESSION_ENTRIES_MSG_BYTES) {
		const proto_session_sendq *it = &s->sq[s->sq_head];
		uint8_t id[PROTO_ID_LEN];
		uint8_t *raw = NULL;
		size_t len = 0;
		memcpy(id, it->id, PROTO_ID_LEN);
		int r = s->host.fetch(s->host.ctx, id, &raw, &len);
		if (r == 0 && bytes + proto_sync_entry_size(len) > PROTO_SESSION_MSG_MAX) {
			free(raw);
			break; /* the next message takes it */
		}
		sq_pop(s);
		if (r)
			continue; /* superseded since: the peer gets the newer one by push */
		if (s->sent_ids.n >= PROTO_SESSION_SENT_MAX)
			proto_idset_clear(&s->sent_ids);
		(void)proto_idset_add(&s->sent_ids, id); /* ENOMEM: a WANT of it is served again */
		raws[k] = raw;
		lens[k] = len;
		bytes += proto_sync_entry_size(len);
		k++;
	}
	if (k == 0)
		return 0;
	int ret;
	uint8_t *msg = malloc(bytes);
	size_t len = 0;
	int r = msg ? proto_sync_encode_entries((const uint8_t *const *)raws, lens, k, msg, bytes, &len)
	            : MAILLE_ENOMEM;
	if (r) {
		fail_local(s, "out of memory", "cannot encode entries", r);
		ret = -1;
	} else {
		ret = send_msg(s, msg, len);
		s->sent += k;
		*ret_len = len;
	}
	free(msg);
	for (size_t i = 0; i < k; i++)
		free(raws[i]);
	return ret;
}

/* WANTs while the window allows, each followed by its MARK. */
static int send_wants(proto_session *s)
{
	while (s->want_len && s->wants_out < PROTO_SESSION_WANTS_IN_FLIGHT) {
		size_t k = s->want_len < PROTO_WANT_IDS_MAX ? s->want_len : PROTO_WANT_IDS_MAX;
		uint8_t buf[16 + PROTO_WANT_IDS_MAX * RBSR_ID_LEN];
		size_t len;
		/* from the end: the order of requests does not matter, and nothing moves */
		const uint8_t *ids = s->want + (s->want_len - k) * RBSR_ID_LEN;
		int r = proto_sync_encode_want(ids, k, buf, sizeof buf, &len);
		if (r) {
			fail_local(s, "internal error", "cannot encode a WANT", r);
			return -1;
		}
		if (send_msg(s, buf, len))
			return -1;
		s->want_len -= k;
		uint64_t m = ++s->next_mark;
		if (send_mark(s, PROTO_SESS_MARK, m))
			return -1;
		s->want_marks[s->wants_out++] = m;
	}
	return 0;
}

/* MARKs of the peer whose condition holds get their ACK, in order: every entry received
 * before the MARK processed, every entry asked before it sent (or skipped). */
static int send_acks(proto_session *s)
{
	size_t i = 0;
	while (i < s->n_marks && s->done_seq >= s->marks[i].seq && s->sq_done >= s->marks[i].qpos) {
		if (send_mark(s, PROTO_SESS_MARK_ACK, s->marks[i].n))
			return -1;
		i++;
	}
	if (i) {
		memmove(s->marks, s->marks + i, (s->n_marks - i) * sizeof s->marks[0]);
		s->n_marks -= i;
	}
	return 0;
}

/* A one-shot session is done when our reconciliation is over, every WANT answered, the queue
 * sent, and the final MARK acknowledged with everything we received processed. */
static void oneshot_check(proto_session *s)
{
	if (!s->cfg.oneshot || s->ended || s->ri_active || !s->ri_done_once)
		return;
	if (s->want_len || s->wants_out || s->sq_len)
		return;
	if (!s->final_sent) {
		s->final_mark = ++s->next_mark;
		s->final_sent = true;
		send_mark(s, PROTO_SESS_MARK, s->final_mark);
		return;
	}
	if (!s->final_acked || s->done_seq != s->rx_seq)
		return;
	end(s, PROTO_SESSION_END_DONE, PROTO_BYE_DONE, "sync done", NULL, 0);
}

void proto_session_pump(proto_session *s, size_t room)
{
	size_t used = 0;
	while (!s->ended && s->sq_len && used < room) {
		size_t len;
		if (send_entries(s, &len))
			return;
		used += len;
	}
	if (s->ended || send_acks(s) || send_wants(s))
		return;
	oneshot_check(s);
}

void proto_session_processed(proto_session *s, int outcome)
{
	s->done_seq++;
	if (outcome == PROTO_SESSION_STORED)
		s->received++;
	else if (outcome == PROTO_SESSION_OLD)
		s->dups++;
	else if (outcome == PROTO_SESSION_REFUSED)
		s->refused++;
}

bool proto_session_peer_fault(int err)
{
	/* A capability's window or a quota depend on what this node has and trusts, not on the
	 * peer (§4.4, §4.6): such an entry is refused, the peer is not blamed. */
	return err != 0 && err != MAILLE_EFUTURE && err != MAILLE_ENOMEM && err != MAILLE_EIO &&
	       err != MAILLE_EBUSY && err != MAILLE_EDENIED && err != MAILLE_EQUOTA;
}

void proto_session_entry_invalid(proto_session *s, int err, const char *why)
{
	/* a valid entry never fails these checks, whoever relays it (§3.5) */
	end(s, PROTO_SESSION_END_INVALID, PROTO_BYE_PROTOCOL, "invalid entry", why, err);
}

/* ---- reconciliation ------------------------------------------------------------------------ */

static int on_have(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	proto_session *s = ctx;
	s->ri_haves++;
	return sq_push(s, id, SQ_HAVE);
}

static int on_need(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	proto_session *s = ctx;
	int r = proto_idset_add(&s->wanted, id);
	if (r <= 0)
		return r; /* asked already in this reconciliation (or ENOMEM) */
	s->ri_needs++;
	if (s->host.has(s->host.ctx, id))
		return 0;
	if (s->want_len == s->want_cap) {
		uint8_t *p = proto_array_grow(s->want, &s->want_cap, 1024, RBSR_ID_LEN);
		if (!p)
			return MAILLE_ENOMEM;
		s->want = p;
	}
	memcpy(s->want + s->want_len * RBSR_ID_LEN, id, RBSR_ID_LEN);
	s->want_len++;
	return 0;
}

void proto_session_reconcile(proto_session *s)
{
	if (s->ended || s->ri_active || s->cfg.no_sync)
		return;
	proto_session_event ev = {.kind = PROTO_SESSION_EV_RECON_START};
	void *ref = NULL;
	const rbsr_set *set = s->host.set_acquire(s->host.ctx, &ref);
	if (!set) {
		ev.err = MAILLE_EIO;
		emit(s, &ev);
		return;
	}
	uint8_t *out = malloc(PROTO_SESSION_FRAME_LIMIT);
	size_t len = 0;
	int r = out ? rbsr_session_init(&s->ri, set, RBSR_INITIATOR, PROTO_SESSION_FRAME_LIMIT)
	            : MAILLE_ENOMEM;
	if (!r) {
		r = rbsr_initiate(&s->ri, out, PROTO_SESSION_FRAME_LIMIT, &len);
		if (r)
			rbsr_session_done(&s->ri);
	}
	if (r) {
		free(out);
		s->host.set_release(s->host.ctx, ref);
		ev.err = r;
		emit(s, &ev);
		return;
	}
	s->ri_ref = ref;
	s->ri_active = true;
	s->ri_rounds = 1;
	s->ri_haves = s->ri_needs = 0;
	proto_idset_clear(&s->sent_ids); /* a new round */
	/* The needs still asked for, or still to ask for, stay in wanted: a WANT never names an
	 * id twice, nor one a WANT of ours still waits for */
	if (!s->want_len && !s->wants_out)
		proto_idset_clear(&s->wanted);
	ev.n_items = set->n;
	emit(s, &ev);
	send_recon(s, PROTO_RECON_OPEN, out, len);
	free(out);
}

/* The peer's reconciliation: OPEN (a new responder session, and a new round), NEXT, CLOSE. */
static void on_recon_responder(proto_session *s, const proto_sync_msg *m)
{
	if (m->recon_kind == PROTO_RECON_CLOSE) {
		rr_end(s);
		proto_session_event ev = {.kind = PROTO_SESSION_EV_PEER_RECONCILED};
		emit(s, &ev);
		return;
	}
	if (m->recon_kind == PROTO_RECON_OPEN) {
		rr_end(s);
		proto_idset_clear(&s->sent_ids); /* a new round */
		void *ref = NULL;
		const rbsr_set *set = s->host.set_acquire(s->host.ctx, &ref);
		int r = set ? rbsr_session_init(&s->rr, set, RBSR_RESPONDER, PROTO_SESSION_FRAME_LIMIT)
		            : MAILLE_EIO;
		if (r) {
			/* our fault: the peer's reconciliation would wait for a REPLY forever, so the
			 * session ends and the peer tries again later */
			if (set)
				s->host.set_release(s->host.ctx, ref);
			fail_local(s, "cannot reconcile now", "cannot answer a reconciliation", r);
			return;
		}
		s->rr_ref = ref;
		s->rr_active = true;
	}
	if (!s->rr_active) {
		fail_proto(s, "reconciliation message without OPEN", MAILLE_ESTATE);
		return;
	}
	uint8_t *out = malloc(PROTO_SESSION_FRAME_LIMIT);
	size_t len = 0;
	if (!out) {
		fail_local(s, "out of memory", "cannot answer a reconciliation", MAILLE_ENOMEM);
		return;
	}
	int r = rbsr_reconcile(&s->rr, m->data, m->data_len, NULL, NULL, NULL, out,
	                       PROTO_SESSION_FRAME_LIMIT, &len);
	if (r)
		fail_proto(s, "malformed reconciliation message", r);
	else
		send_recon(s, PROTO_RECON_REPLY, out, len);
	free(out);
}

/* Our reconciliation: a REPLY gives haves (queued for sending) and needs (to ask for), and
 * either the next message or the end (CLOSE). */
static void on_recon_reply(proto_session *s, const proto_sync_msg *m)
{
	if (!s->ri_active) {
		fail_proto(s, "reconciliation reply without a reconciliation", MAILLE_ESTATE);
		return;
	}
	uint8_t *out = malloc(PROTO_SESSION_FRAME_LIMIT);
	size_t len = 0;
	if (!out) {
		fail_local(s, "out of memory", "cannot go on reconciling", MAILLE_ENOMEM);
		return;
	}
	int r = rbsr_reconcile(&s->ri, m->data, m->data_len, on_have, on_need, s, out,
	                       PROTO_SESSION_FRAME_LIMIT, &len);
	if (r) {
		free(out);
		ri_end(s);
		if (r == MAILLE_ENOMEM)
			fail_local(s, "out of memory", "cannot go on reconciling", r);
		else
			fail_proto(s, "malformed reconciliation reply", r);
		return;
	}
	if (len) {
		s->ri_rounds++;
		send_recon(s, PROTO_RECON_NEXT, out, len);
		free(out);
		return;
	}
	free(out);
	ri_end(s);
	s->ri_done_once = true;
	proto_session_event ev = {.kind = PROTO_SESSION_EV_RECONCILED,
	                          .rounds = s->ri_rounds,
	                          .haves = s->ri_haves,
	                          .wants = s->want_len};
	emit(s, &ev);
	send_recon(s, PROTO_RECON_CLOSE, NULL, 0);
}

/* ---- the peer's messages ------------------------------------------------------------------- */

/* Each entry asked (not yet queued, not sent in this round) is queued once; a repetition is
 * dropped, not a protocol error (earlier versions could repeat an id), so that a WANT of
 * 32 KiB costs at most its 1024 distinct entries. */
static void on_want(proto_session *s, const proto_sync_msg *m)
{
	for (size_t i = 0; i < m->n_ids; i++) {
		const uint8_t *id = m->ids + i * RBSR_ID_LEN;
		if (proto_idset_has(&s->sent_ids, id))
			continue;
		if (sq_push(s, id, SQ_WANTED)) {
			fail_local(s, "out of memory", "cannot queue entries asked for", MAILLE_ENOMEM);
			return;
		}
	}
	if (s->n_wanted > PROTO_SESSION_PEER_WANTS_MAX)
		fail_proto(s, "too many entries asked for at once", MAILLE_ETOOBIG);
}

static void on_entries(proto_session *s, const proto_sync_msg *m)
{
	const uint8_t *it = NULL, *raw;
	size_t len;
	while (proto_sync_entries_next(m, &it, &raw, &len)) {
		uint8_t id[PROTO_ID_LEN];
		proto_entry_id(raw, len, id);
		if (s->rx_ids.n >= PROTO_SESSION_RX_IDS_MAX)
			proto_idset_clear(&s->rx_ids);
		(void)proto_idset_add(&s->rx_ids, id); /* ENOMEM: it may be pushed back, no harm */
		/* an id we asked for in this reconciliation was not here then (on_need looked) */
		int r = s->host.ingest(s->host.ctx, id, raw, len, proto_idset_has(&s->wanted, id));
		if (r == PROTO_SESSION_RX_TAKEN)
			s->rx_seq++;
		else if (r == PROTO_SESSION_RX_DUP)
			s->dups++;
		else if (r == PROTO_SESSION_RX_REFUSED)
			s->refused++;
		else
			break; /* the host's failure: the rest comes again */
	}
}

static void on_mark(proto_session *s, const proto_sync_msg *m)
{
	if (s->n_marks == PROTO_SESSION_MARKS_MAX) {
		fail_proto(s, "too many MARKs unanswered", MAILLE_ETOOBIG);
		return;
	}
	s->marks[s->n_marks].n = m->mark;
	s->marks[s->n_marks].seq = s->rx_seq;
	s->marks[s->n_marks].qpos = s->sq_enq;
	s->n_marks++;
}

static void on_mark_ack(proto_session *s, const proto_sync_msg *m)
{
	for (unsigned i = 0; i < s->wants_out; i++) {
		if (s->want_marks[i] == m->mark) {
			s->want_marks[i] = s->want_marks[--s->wants_out];
			break;
		}
	}
	if (s->final_sent && m->mark == s->final_mark)
		s->final_acked = true;
}

/* ---- invitations (§4.5) -------------------------------------------------------------------- */

/* Equal fingerprints: nothing to reconcile; otherwise the dialer opens (§3.5). */
static void begin(proto_session *s)
{
	proto_session_event ev = {.kind = PROTO_SESSION_EV_BEGIN, .equal = s->equal};
	if (s->equal)
		s->ri_done_once = true;
	emit(s, &ev);
	if (!s->equal && s->cfg.dialer)
		proto_session_reconcile(s);
}

void proto_session_start(proto_session *s)
{
	if (s->ended || s->cfg.no_sync)
		return;
	if (!s->redeem) {
		begin(s);
		return;
	}
	/* `maille join`: nothing is sent to a node that is not the inviter (§4.5) */
	if (!s->inviter) {
		end(s, PROTO_SESSION_END_NOT_INVITER, PROTO_BYE_DONE, "not the inviter", NULL, 0);
		return;
	}
	uint8_t msg[64];
	size_t len = 0;
	int r = proto_sync_encode_redeem(s->redeem_secret, s->cfg.redeem_flags, msg, sizeof msg, &len);
	if (r)
		fail_local(s, "internal error", "cannot encode REDEEM", r);
	else if (send_msg(s, msg, len) == 0) {
		s->redeem_wait = true;
		proto_session_event ev = {.kind = PROTO_SESSION_EV_REDEEM_SENT};
		emit(s, &ev);
	}
	sodium_memzero(msg, sizeof msg);
}

/* The inviter's side: one redemption per session, since each costs a store transaction. */
static void on_redeem(proto_session *s, const proto_sync_msg *m)
{
	if (s->redeemed) {
		fail_proto(s, "a second REDEEM on one session", MAILLE_EPROTO);
		return;
	}
	s->redeemed = true;
	if (s->cfg.oneshot) {
		s->redeem_open = true;
		proto_session_redeem_answer(s, PROTO_REDEEM_UNKNOWN); /* a client holds none */
		return;
	}
	s->redeem_open = true;
	proto_session_event ev = {
		.kind = PROTO_SESSION_EV_REDEEM, .secret = m->secret, .flags = m->flags};
	emit(s, &ev);
}

void proto_session_redeem_answer(proto_session *s, uint64_t result)
{
	if (s->ended || !s->redeem_open)
		return;
	s->redeem_open = false;
	uint8_t msg[16];
	size_t len = 0;
	if (proto_sync_encode_redeemed(result, msg, sizeof msg, &len) == 0)
		send_msg(s, msg, len);
}

static void on_redeemed(proto_session *s, const proto_sync_msg *m)
{
	if (!s->redeem_wait)
		return; /* not asked: ignored, like an unknown message */
	s->redeem_wait = false;
	proto_session_event ev = {.kind = PROTO_SESSION_EV_REDEEMED, .result = m->result};
	emit(s, &ev);
	if (m->result != PROTO_REDEEM_OK) {
		end_ev(s, (proto_session_event){.end = PROTO_SESSION_END_REFUSED,
		                                .bye = true,
		                                .bye_reason = PROTO_BYE_DONE,
		                                .bye_text = "invitation refused",
		                                .result = m->result});
		return;
	}
	begin(s);
}

void proto_session_written(proto_session *s, uint64_t now_ms)
{
	s->last_tx_ms = now_ms;
}

bool proto_session_tick(proto_session *s, uint64_t now_ms, bool unsent)
{
	if (s->ended)
		return false;
	/* A peer busy taking a bulk transfer it asked for is not idle even if it has nothing to
	 * say; a peer that neither sends nor reads is, whatever we have queued for it; and a
	 * vanished peer with nothing queued is idle by what it sends, since the kernel takes our
	 * PINGs for it. */
	bool sending = unsent || s->sq_len > 0;
	uint64_t last = sending && s->last_tx_ms > s->last_rx_ms ? s->last_tx_ms : s->last_rx_ms;
	uint64_t idle = now_ms > last ? now_ms - last : 0;
	if (idle < s->cfg.idle_timeout_ms)
		return true;
	end_ev(s, (proto_session_event){.end = PROTO_SESSION_END_IDLE,
	                                .bye = true,
	                                .bye_reason = PROTO_BYE_IDLE,
	                                .bye_text = "idle timeout",
	                                .idle_ms = idle});
	return false;
}

int proto_session_feed(proto_session *s, uint64_t now_ms, const uint8_t *msg, size_t len,
                       uint32_t *ret_type)
{
	s->last_rx_ms = now_ms;
	proto_sync_msg m;
	int r = proto_sync_decode(msg, len, &m);
	if (r == MAILLE_EINVAL)
		return r; /* not a sync message */
	if (s->ended)
		return 0;
	if (r) {
		fail_proto(s, "malformed session message", r);
		return 0;
	}
	if (s->cfg.no_sync)
		return 0;
	if (ret_type)
		*ret_type = m.type;
	switch (m.type) {
	case PROTO_SESS_RECON:
		if (m.recon_kind == PROTO_RECON_REPLY)
			on_recon_reply(s, &m);
		else
			on_recon_responder(s, &m);
		break;
	case PROTO_SESS_WANT:
		on_want(s, &m);
		break;
	case PROTO_SESS_ENTRIES:
		on_entries(s, &m);
		break;
	case PROTO_SESS_MARK:
		on_mark(s, &m);
		break;
	case PROTO_SESS_MARK_ACK:
		on_mark_ack(s, &m);
		break;
	case PROTO_SESS_REDEEM:
		on_redeem(s, &m);
		break;
	case PROTO_SESS_REDEEMED:
		on_redeemed(s, &m);
		break;
	default:
		break;
	}
	return 0;
}
