/* proto/session.h: the decisions of one synchronisation session (PROTOCOL.md §3.5, §4.5), as a
 * state machine without I/O: when to reconcile, what to send and ask for and in which window,
 * the MARK barrier, the redemption of an invitation, and when the session ends and why.
 *
 * The session owns no socket, no clock, no thread and no store. Its host (the daemon,
 * node/daemon/sync.c, or a test) feeds it the session messages received (proto_session_feed),
 * tells it when it may send (proto_session_pump), what the ingest pipeline did with the entries
 * it handed over (proto_session_processed), what the store answered to a REDEEM
 * (proto_session_redeem_answer), when the peer took bytes of ours (proto_session_written), and
 * ticks it (proto_session_tick) at the keepalive interval. Times are the host's monotonic
 * milliseconds, given with each call that needs them. The session calls back into the host,
 * synchronously, to:
 *   send      seal one encoded session message for the peer;
 *   set_*     borrow the live set to reconcile over (a snapshot the host keeps unchanged until
 *             released), and give it back;
 *   has       say whether an id need not be asked for (stored, in the pipeline, or refused
 *             for a reason that still holds);
 *   fetch     read the bytes of an entry to send (absent: superseded since, skipped);
 *   ingest    take one received entry (not yet verified) for the pipeline, or say that it is
 *             a duplicate or refused at once;
 *   event     hear of what the session decided (below), the end of the session included.
 * A callback never calls back into the session, except event, which may call
 * proto_session_redeem_answer (for PROTO_SESSION_EV_REDEEM) and proto_session_push: the
 * session's state is settled when it emits an event.
 *
 * Memory. Every set and queue is bounded by a limit below, except two that grow with the sets
 * reconciled: the send queue's haves (at most our live set, each id once) and the needs of our
 * reconciliation (wanted, and the ids not yet asked for: 32 bytes, plus the set's slot, for
 * each id the peer announces that we lack, each kept once until its WANT is answered). The
 * latter is as large as the peer's set is; no limit is put on it, since a large catalogue is
 * legitimate. Each reconciliation message we build takes one buffer of
 * PROTO_SESSION_FRAME_LIMIT bytes for the duration of the call.
 *
 * Not thread-safe: one owner at a time. Every byte from the peer is untrusted: a malformed
 * message or a broken rule ends the session with BYE protocol (PROTO_SESSION_END_PROTOCOL),
 * never an assert. */
#ifndef MAILLE_PROTO_SESSION_H
#define MAILLE_PROTO_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "idset.h"
#include "rbsr.h"
#include "sync.h"

/* Limits (PROTOCOL.md §3.5). */
#define PROTO_SESSION_FRAME_LIMIT 500000u /* bytes of the Negentropy messages we send */
#define PROTO_SESSION_WANTS_IN_FLIGHT 4u  /* WANTs sent whose MARK_ACK has not arrived */
#define PROTO_SESSION_MARKS_MAX 16u       /* MARKs of the peer waiting for their ACK */
/* Ids the peer asked for (WANT) that we have not sent yet: a peer that keeps to its
 * PROTO_SESSION_WANTS_IN_FLIGHT unanswered WANTs of PROTO_WANT_IDS_MAX distinct ids never has
 * more; beyond, the session ends (BYE protocol). */
#define PROTO_SESSION_PEER_WANTS_MAX (PROTO_SESSION_WANTS_IN_FLIGHT * PROTO_WANT_IDS_MAX)
/* Ids sent to the peer in the current round (since either side last opened a reconciliation)
 * that we remember, so that a WANT asking again for one is not served twice; beyond, the
 * memory starts again empty (~1 MB a session at most). */
#define PROTO_SESSION_SENT_MAX 16384u
/* Ids received from the peer that we remember, so that the live push does not send them back;
 * beyond, the memory starts again empty (~1 MB a session at most). */
#define PROTO_SESSION_RX_IDS_MAX 16384u
#define PROTO_SESSION_PUSH_QUEUE_MAX 65536u /* pushed ids waiting on one session: beyond, dropped */
#define PROTO_SESSION_ENTRIES_MSG_BYTES (256u * 1024u) /* ENTRIES we build stop growing here */

/* What ingest says of a received entry. */
enum proto_session_rx {
	PROTO_SESSION_RX_TAKEN = 0, /* in the pipeline: proto_session_processed follows */
	PROTO_SESSION_RX_DUP = 1,   /* here already (stored, or in the pipeline) */
	PROTO_SESSION_RX_REFUSED = 2, /* refused at once (a quota still reached) */
};

/* What the pipeline did with an entry it took (proto_session_processed). */
enum proto_session_outcome {
	PROTO_SESSION_STORED = 0,  /* new in the live set */
	PROTO_SESSION_OLD = 1,     /* a duplicate, or superseded (§1.5) */
	PROTO_SESSION_REFUSED = 2, /* refused by this node's own state (§3.5: not the peer's fault) */
	PROTO_SESSION_DROPPED = 3, /* not stored for another reason (the peer's fault, the store) */
};

enum proto_session_event_kind {
	/* The session ends (then nothing more is sent, every call is a no-op): the host says BYE
	 * bye_reason (enum proto_bye_reason) with bye_text, or closes without BYE when !bye. end
	 * says why (enum proto_session_end); what and err describe a PROTOCOL or LOCAL end. */
	PROTO_SESSION_EV_CLOSE = 1,
	/* The session began to sync (at once, or after REDEEMED 0): equal says whether both HELLOs
	 * announce the same set, so that neither side reconciles (§3.5). */
	PROTO_SESSION_EV_BEGIN,
	/* We opened a reconciliation over n_items (err 0), or could not (err: the session goes on
	 * without it). */
	PROTO_SESSION_EV_RECON_START,
	/* Our reconciliation is over: rounds, haves (entries to send), wants (ids to ask for). */
	PROTO_SESSION_EV_RECONCILED,
	/* The peer's reconciliation is over (its CLOSE). */
	PROTO_SESSION_EV_PEER_RECONCILED,
	/* `maille join`: REDEEM sent. */
	PROTO_SESSION_EV_REDEEM_SENT,
	/* The inviter's side: the peer redeems secret with flags. The host looks the invitation
	 * up and answers with proto_session_redeem_answer (now or later). */
	PROTO_SESSION_EV_REDEEM,
	/* `maille join`: the inviter's answer (result, enum proto_redeem_result or newer). On 0 the
	 * session then begins (EV_BEGIN); otherwise it ends (EV_CLOSE, END_REFUSED). */
	PROTO_SESSION_EV_REDEEMED,
};

enum proto_session_end {
	PROTO_SESSION_END_DONE = 1,    /* one-shot: reconciled, transferred, MARK acknowledged */
	PROTO_SESSION_END_PROTOCOL,    /* the peer broke the protocol (BYE protocol) */
	PROTO_SESSION_END_LOCAL,       /* our failure: memory, the live set, a send (BYE overloaded,
	                                * or no BYE when sending failed) */
	PROTO_SESSION_END_NOT_INVITER, /* `maille join`: the peer is not the token's inviter */
	PROTO_SESSION_END_REFUSED,     /* `maille join`: the inviter refused (result) */
	PROTO_SESSION_END_IDLE,        /* nothing heard (or taken) for idle_ms (BYE idle) */
	PROTO_SESSION_END_INVALID,     /* the peer sent an entry no node accepts (BYE protocol) */
};

typedef struct proto_session_event {
	int kind; /* enum proto_session_event_kind */
	/* CLOSE */
	int end;  /* enum proto_session_end */
	bool bye; /* say BYE bye_reason, bye_text first */
	uint32_t bye_reason;
	const char *bye_text;
	const char *what; /* PROTOCOL, LOCAL: what went wrong, in English */
	int err;          /* PROTOCOL, LOCAL, RECON_START: a code of proto/error.h */
	/* BEGIN */
	bool equal;
	/* RECON_START, RECONCILED */
	size_t n_items;
	uint64_t rounds, haves, wants;
	/* CLOSE END_IDLE: the milliseconds since the peer was last heard from (or took bytes) */
	uint64_t idle_ms;
	/* REDEEM: the secret (PROTO_REDEEM_SECRET_LEN bytes, valid during the call) and flags;
	 * REDEEMED, CLOSE END_REFUSED: result */
	const uint8_t *secret;
	uint64_t flags;
	uint64_t result;
} proto_session_event;

typedef struct proto_session_host {
	void *ctx;
	/* Seals one encoded session message onto the connection. 0, or an error: the session
	 * then ends (END_LOCAL, no BYE). */
	int (*send)(void *ctx, const uint8_t *msg, size_t len);
	/* The live set to reconcile over, unchanged until set_release(ctx, *ret_ref); NULL if it
	 * cannot be read (the host logs why). */
	const rbsr_set *(*set_acquire)(void *ctx, void **ret_ref);
	void (*set_release)(void *ctx, void *ref);
	/* Whether the node need not ask for id: stored, in its pipeline, or refused lately. */
	bool (*has)(void *ctx, const uint8_t id[PROTO_ID_LEN]);
	/* The encoded entry id of the live set, malloc'd (the session frees it): 0, or an error
	 * (MAILLE_ENOTFOUND: superseded since): the id is skipped. */
	int (*fetch)(void *ctx, const uint8_t id[PROTO_ID_LEN], uint8_t **ret_raw, size_t *ret_len);
	/* One received entry, raw[0..len) valid during the call, its id computed from its bytes;
	 * asked: we asked for it in this reconciliation (it was not here then). Returns enum
	 * proto_session_rx, or an error (the rest of the ENTRIES message is dropped; it comes
	 * again). */
	int (*ingest)(void *ctx, const uint8_t id[PROTO_ID_LEN], const uint8_t *raw, size_t len,
	              bool asked);
	void (*event)(void *ctx, const proto_session_event *ev);
} proto_session_host;

typedef struct proto_session_cfg {
	bool dialer;  /* we dialed (the handshake's initiator): we open the first reconciliation */
	bool oneshot; /* a one-shot client: ends with MARK and BYE done, takes no push, answers
	               * REDEEM with PROTO_REDEEM_UNKNOWN (§4.5) */
	const proto_hello *ours, *peer; /* the HELLOs (read by proto_session_init only) */
	const uint8_t *peer_key;        /* PROTO_KEY_LEN bytes, copied */
	/* `maille join` (oneshot): the token's secret (PROTO_REDEEM_SECRET_LEN bytes; NULL: no
	 * redemption) and its inviter key (PROTO_KEY_LEN; NULL: any peer), copied by
	 * proto_session_init (the secret is wiped by proto_session_done) */
	const uint8_t *redeem_inviter, *redeem_secret;
	uint64_t redeem_flags;
	uint64_t seed; /* random: keys the id sets' hashes (proto/idset.h) */
	/* A one-shot ping's session (no store, no sync): sync messages are checked, then ignored;
	 * only the idle rule applies. The host may leave every callback but send and event NULL. */
	bool no_sync;
	uint64_t now_ms;          /* the session opened (the host's clock) */
	uint64_t idle_timeout_ms; /* PROTOCOL.md §2.5: a session silent this long is closed */
} proto_session_cfg;

/* Private. */
typedef struct proto_session_sendq {
	uint8_t id[PROTO_ID_LEN];
	uint8_t kind;
} proto_session_sendq;

typedef struct proto_session {
	proto_session_host host;
	proto_session_cfg cfg; /* pointers not kept but peer_key's copy */
	uint8_t peer_key[PROTO_KEY_LEN];
	bool ended;
	bool equal;   /* the HELLOs announce the same set */
	bool redeem;  /* `maille join`: REDEEM at start */
	bool inviter; /* the peer's key is the token's inviter's */
	uint8_t redeem_secret[PROTO_REDEEM_SECRET_LEN];
	/* our reconciliation */
	rbsr_session ri;
	void *ri_ref;
	bool ri_active, ri_done_once;
	uint64_t ri_rounds, ri_haves, ri_needs;
	proto_idset wanted;        /* needs seen in this reconciliation, or still asked for */
	uint8_t *want;             /* ids to ask for, not yet in a WANT */
	size_t want_len, want_cap; /* in ids */
	unsigned wants_out;
	uint64_t want_marks[PROTO_SESSION_WANTS_IN_FLIGHT];
	uint64_t next_mark, final_mark;
	bool final_sent, final_acked;
	/* the peer's reconciliation */
	rbsr_session rr;
	void *rr_ref;
	bool rr_active;
	/* what we send, in order; queued: the ids in sq (one entry goes out once per queue);
	 * sent_ids: the ids sent in this round; rx_ids: the ids the peer sent us lately */
	proto_session_sendq *sq;
	size_t sq_head, sq_len, sq_cap;
	proto_idset queued, sent_ids, rx_ids;
	uint64_t sq_enq, sq_done; /* items ever queued / taken off */
	size_t n_push, n_wanted;  /* queued items of these kinds */
	struct {
		uint64_t n, seq, qpos;
	} marks[PROTO_SESSION_MARKS_MAX];
	size_t n_marks;
	uint64_t rx_seq, done_seq; /* entries handed to the pipeline / processed by it */
	uint64_t sent, received, dups, refused;
	bool redeem_wait; /* `maille join`: REDEEM sent, REDEEMED awaited */
	bool redeemed;    /* the inviter: a REDEEM came on this session (one a session, §4.5) */
	bool redeem_open; /* the inviter: REDEEMED not answered yet */
	uint64_t last_rx_ms; /* the last session message from the peer */
	uint64_t last_tx_ms; /* the last time the peer took bytes we wrote */
} proto_session;

typedef struct proto_session_stats {
	uint64_t sent, received, dups, refused;
} proto_session_stats;

/* Initialises s (the caller embeds it) with copies of cfg and host; nothing is sent yet. */
void proto_session_init(proto_session *s, const proto_session_cfg *cfg,
                        const proto_session_host *host);
/* Frees what s holds (returning the borrowed sets). Idempotent. */
void proto_session_done(proto_session *s);
/* The session opened (after HELLO, §2.3). `maille join` checks the peer's key and sends
 * REDEEM (§4.5); otherwise the session begins (§3.5): equal fingerprints, nothing to
 * reconcile; else the dialer opens a reconciliation. */
void proto_session_start(proto_session *s);
/* One session message received at now_ms (any type: it counts against the idle rule).
 * MAILLE_EINVAL (nothing else done) when it is not of a type of proto/sync.h, so that the host
 * decodes it as another session message; else 0, *ret_type (NULL allowed) set to its type
 * when it decoded. Afterwards the host calls proto_session_pump. */
int proto_session_feed(proto_session *s, uint64_t now_ms, const uint8_t *msg, size_t len,
                       uint32_t *ret_type);
/* The peer took bytes we wrote (a write completed) at now_ms. */
void proto_session_written(proto_session *s, uint64_t now_ms);
/* The keepalive tick (PROTOCOL.md §2.5). A session is idle when nothing came from the peer for
 * idle_timeout_ms or, while something of ours waits to go (unsent: bytes in the host's write
 * queue, or our send queue not empty), when the peer neither sent nor took anything for that
 * long: then it ends (END_IDLE, BYE idle) and false is returned. Otherwise true: the host
 * sends a PING. */
bool proto_session_tick(proto_session *s, uint64_t now_ms, bool unsent);
/* Sends what may go now: ENTRIES from the send queue while they fit in room bytes (the
 * write queue's room, checked before each message: the last may go over), the MARK_ACKs whose
 * condition holds (§3.5), the WANTs the window allows, each with its MARK; a one-shot's final
 * MARK, and its end once acknowledged. */
void proto_session_pump(proto_session *s, size_t room);
/* Opens a reconciliation unless one of ours runs (anti-entropy; the dialer's first is opened
 * by start). */
void proto_session_reconcile(proto_session *s);
/* An entry the pipeline took (ingest gave RX_TAKEN) was processed, in the order taken. */
void proto_session_processed(proto_session *s, int outcome);
/* Whether an entry refused with err (a code of proto/error.h: decoding, limits, signature,
 * capability reference, clock, store) is its sender's fault (PROTOCOL.md §3.5): anything but
 * what depends on the receiver's own state (its clock, the capabilities it knows, its quota)
 * or resources. */
bool proto_session_peer_fault(int err);
/* The pipeline found an entry the peer sent that fails for a reason of the peer's
 * (proto_session_peer_fault(err)); why says which, in English: the session ends (END_INVALID,
 * BYE protocol, what = why). */
void proto_session_entry_invalid(proto_session *s, int err, const char *why);
/* The live push (§3.5): queues id unless the session is a one-shot, from_key (NULL: none) is
 * the peer's key (the entry came from that node), or the peer is known to hold it (it sent
 * it, announced it in our reconciliation, or got it from us in this round). */
void proto_session_push(proto_session *s, const uint8_t id[PROTO_ID_LEN], const uint8_t *from_key);
/* The inviter's answer to PROTO_SESSION_EV_REDEEM (enum proto_redeem_result): sends
 * REDEEMED. Ignored without a REDEEM waiting for it. */
void proto_session_redeem_answer(proto_session *s, uint64_t result);
bool proto_session_ended(const proto_session *s);
bool proto_session_reconciling(const proto_session *s); /* one of ours runs */
bool proto_session_sending(const proto_session *s);     /* the send queue is not empty */
void proto_session_stats_get(const proto_session *s, proto_session_stats *ret);

#endif
