/* tools/bench/bench_channel.h: `maille-bench channel` (see bench_channel.c). */
#ifndef MAILLE_TOOLS_BENCH_CHANNEL_H
#define MAILLE_TOOLS_BENCH_CHANNEL_H

/* Prints handshake and throughput figures; returns the exit code. */
int bench_channel_run(void);

#endif
