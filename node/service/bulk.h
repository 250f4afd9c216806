/* node/service/bulk.h: many records of this node's territory signed and stored at once
 * (`maille import`): BULK_BATCH records a store transaction, so that a folder of ten thousand
 * records is not ten thousand transactions, with the rule of publish.h (an edit always wins)
 * for each. Prints nothing: progress goes to a callback. */
#ifndef MAILLE_NODE_BULK_H
#define MAILLE_NODE_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/service/nodedir.h"
#include "proto/entry.h"

#define BULK_BATCH 2000u
/* Signing threads at most (threads 0: one per online core, up to this). */
#define BULK_THREADS_MAX 64u

typedef struct bulk_item {
	const char *path;     /* the record's path */
	const uint8_t *body;  /* its canonical body (publish_encode_body) */
	size_t body_len;
	int result;           /* set: 0, or this record's error (MAILLE_EDENIED...) */
	bool updated;         /* set: a live version was replaced */
	bool unchanged;       /* set: the live version's body is byte-identical: nothing signed,
	                       * result 0, id the live version's */
	uint8_t id[PROTO_ID_LEN]; /* set: the new version's id */
} bulk_item;

/* Called after each batch is committed: done of total records. */
typedef void (*bulk_progress_fn)(void *ctx, size_t done, size_t total);

/* Signs items[0..n) as documents for nd's territory (its key, or a member node's with its
 * capability) and stores them, a transaction every BULK_BATCH; a record whose live body is
 * byte-identical is left as it is (unchanged). The paths are distinct (the timestamps of a
 * batch are decided before any of it is stored). threads: signing threads (0: one per online
 * core); the calling thread alone touches the store, storing a batch while the next is signed. Returns 0 when the store took every batch (an item it refused alone has its
 * result set: the others are kept), else the store's error (the failing batch rolled back,
 * earlier ones kept; results of the items not stored are that error). */
int bulk_publish(node_dir *nd, bulk_item *items, size_t n, unsigned threads, uint64_t now_us,
                 bulk_progress_fn progress, void *ctx);

#endif
