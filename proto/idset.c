/* proto/idset.c: see idset.h. */
#include "idset.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

static size_t idset_hash(const proto_idset *s, const uint8_t id[PROTO_ID_LEN])
{
	uint64_t h;
	memcpy(&h, id, sizeof h);
	h ^= s->seed;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 17) & (s->cap - 1);
}

bool proto_idset_has(const proto_idset *s, const uint8_t id[PROTO_ID_LEN])
{
	if (!s->n)
		return false;
	for (size_t i = idset_hash(s, id);; i = (i + 1) & (s->cap - 1)) {
		if (!s->used[i])
			return false;
		if (memcmp(s->slot[i], id, PROTO_ID_LEN) == 0)
			return true;
	}
}

static int idset_grow(proto_idset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 256;
	proto_idset t = {calloc(cap, PROTO_ID_LEN), calloc(cap, 1), cap, 0, s->seed};
	if (!t.slot || !t.used) {
		free(t.slot);
		free(t.used);
		return MAILLE_ENOMEM;
	}
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->used[i])
			continue;
		size_t j = idset_hash(&t, s->slot[i]);
		while (t.used[j])
			j = (j + 1) & (cap - 1);
		memcpy(t.slot[j], s->slot[i], PROTO_ID_LEN);
		t.used[j] = 1;
		t.n++;
	}
	free(s->slot);
	free(s->used);
	*s = t;
	return 0;
}

int proto_idset_add(proto_idset *s, const uint8_t id[PROTO_ID_LEN])
{
	if (proto_idset_has(s, id))
		return 0;
	if ((s->n + 1) * 2 > s->cap && idset_grow(s))
		return MAILLE_ENOMEM;
	size_t i = idset_hash(s, id);
	while (s->used[i])
		i = (i + 1) & (s->cap - 1);
	memcpy(s->slot[i], id, PROTO_ID_LEN);
	s->used[i] = 1;
	s->n++;
	return 1;
}

/* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
void proto_idset_del(proto_idset *s, const uint8_t id[PROTO_ID_LEN])
{
	if (!s->n)
		return;
	size_t i = idset_hash(s, id);
	for (;; i = (i + 1) & (s->cap - 1)) {
		if (!s->used[i])
			return;
		if (memcmp(s->slot[i], id, PROTO_ID_LEN) == 0)
			break;
	}
	s->used[i] = 0;
	s->n--;
	for (size_t j = (i + 1) & (s->cap - 1); s->used[j]; j = (j + 1) & (s->cap - 1)) {
		size_t h = idset_hash(s, s->slot[j]);
		/* move j back to the hole i unless its home h lies cyclically in (i, j] */
		bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
		if (stays)
			continue;
		memcpy(s->slot[i], s->slot[j], PROTO_ID_LEN);
		s->used[i] = 1;
		s->used[j] = 0;
		i = j;
	}
}

void proto_idset_clear(proto_idset *s)
{
	if (s->n && s->used)
		memset(s->used, 0, s->cap);
	s->n = 0;
	/* a big table from a large reconciliation is not kept for the session's life */
	if (s->cap > 65536) {
		free(s->slot);
		free(s->used);
		s->slot = NULL;
		s->used = NULL;
		s->cap = 0;
	}
}

void proto_idset_done(proto_idset *s)
{
	free(s->slot);
	free(s->used);
	memset(s, 0, sizeof *s);
}
