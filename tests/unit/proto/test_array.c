/* tests/unit/proto/test_array.c: growing arrays and buffers (proto/array.h): doubling from the
 * first size, the elements kept, and a size that would not fit in a size_t refused with the
 * array and its capacity untouched (a caller then still frees what it had). */
#include "check.h"
#include "proto/array.h"

#include <stdint.h>
#include <stdlib.h>

static void test_grow_doubles_and_keeps(void)
{
	uint32_t *v = NULL;
	size_t cap = 0, n = 0;
	for (uint32_t i = 0; i < 1000; i++) {
		if (n == cap) {
			size_t before = cap;
			uint32_t *nv = proto_array_grow(v, &cap, 16, sizeof *v);
			CHECK(nv != NULL);
			if (!nv)
				break;
			CHECK_EQ_INT(cap, before ? 2 * before : 16);
			v = nv;
		}
		v[n++] = i * 7u;
	}
	CHECK_EQ_INT(n, 1000);
	CHECK_EQ_INT(cap, 1024);
	for (uint32_t i = 0; i < n; i++)
		CHECK_EQ_INT(v[i], i * 7u);
	free(v);
}

static void test_grow_refuses_overflow(void)
{
	uint8_t *v = malloc(8);
	CHECK(v != NULL);
	size_t cap = SIZE_MAX / 2 + 1; /* doubling it does not fit */
	CHECK(proto_array_grow(v, &cap, 16, 1) == NULL);
	CHECK_EQ_INT(cap, SIZE_MAX / 2 + 1);
	cap = SIZE_MAX / 16; /* cap elements of 32 bytes do not fit either */
	CHECK(proto_array_grow(v, &cap, 16, 32) == NULL);
	CHECK_EQ_INT(cap, SIZE_MAX / 16);
	free(v);
}

static void test_grow_to(void)
{
	char *b = NULL;
	size_t cap = 0;
	char *nb = proto_array_grow_to(b, &cap, 100, 64);
	CHECK(nb != NULL);
	CHECK_EQ_INT(cap, 128); /* 64 doubled once */
	b = nb;
	memset(b, 'x', 100);
	nb = proto_array_grow_to(b, &cap, 1000, 64);
	CHECK(nb != NULL);
	CHECK_EQ_INT(cap, 1024);
	b = nb;
	CHECK(b[0] == 'x' && b[99] == 'x');
	size_t before = cap;
	CHECK(proto_array_grow_to(b, &cap, SIZE_MAX, 64) == NULL);
	CHECK_EQ_INT(cap, before);
	free(b);
}

CHECK_MAIN(test_grow_doubles_and_keeps, test_grow_refuses_overflow, test_grow_to)
