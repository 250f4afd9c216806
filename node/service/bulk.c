/* node/service/bulk.c: records signed and stored in batches (bulk.h). */
#include "bulk.h"

#include "node/service/publish.h"
#include "proto/error.h"
#include "store/store.h"

int bulk_publish(node_dir *nd, bulk_item *items, size_t n, unsigned threads, uint64_t now_us,
                 bulk_progress_fn progress, void *ctx)
{
	(void)threads;
	for (size_t start = 0; start < n; start += BULK_BATCH) {
		size_t end = n - start > BULK_BATCH ? start + BULK_BATCH : n;
		int r = store_begin(nd->st);
		for (size_t i = start; i < end && !r; i++) {
			bulk_item *it = &items[i];
			store_row row;
			it->updated = false;
			if (store_entry_get(nd->st, nd->territory, it->path, &row) == 0) {
				it->updated = row.entry.kind == PROTO_KIND_DOCUMENT;
				store_row_done(&row);
			}
			it->result = publish_node_dir(nd, it->path, PROTO_KIND_DOCUMENT, it->body,
			                              it->body_len, now_us, it->id);
			if (it->result == MAILLE_EIO || it->result == MAILLE_ECORRUPT ||
			    it->result == MAILLE_ENOMEM)
				r = it->result;
		}
		if (!r)
			r = store_commit(nd->st);
		else if (r != MAILLE_ESTATE)
			store_rollback(nd->st); /* the batch begin opened */
		if (r) {
			for (size_t i = start; i < n; i++)
				items[i].result = r;
			return r;
		}
		if (progress)
			progress(ctx, end, n);
	}
	return 0;
}
