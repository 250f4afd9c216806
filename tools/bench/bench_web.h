/* tools/bench/bench_web.h: `maille-bench web` (bench_web.c), the web catalogue's benchmark. */
#ifndef MAILLE_TOOLS_BENCH_WEB_H
#define MAILLE_TOOLS_BENCH_WEB_H

/* argv after "web"; returns the exit code. */
int bench_web_main(int argc, char **argv);

#endif
