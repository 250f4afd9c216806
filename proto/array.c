/* proto/array.c: see array.h. */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>

void *proto_array_grow(void *v, size_t *cap, size_t first, size_t elem)
{
	size_t n = *cap ? *cap : first;
	if (elem == 0 || n > SIZE_MAX / 2 / elem)
		return NULL;
	if (*cap)
		n *= 2;
	void *p = realloc(v, n * elem);
	if (p)
		*cap = n;
	return p;
}

void *proto_array_grow_to(void *v, size_t *cap, size_t need, size_t first)
{
	size_t n = *cap ? *cap : first;
	if (n == 0 || need > SIZE_MAX / 2)
		return NULL;
	while (n < need)
		n *= 2;
	void *p = realloc(v, n);
	if (p)
		*cap = n;
	return p;
}
