/* bench.h — the benchmark runner's parts (see bench.c). */
#ifndef SMOLDER_BENCH_H
#define SMOLDER_BENCH_H

/* smolder-bench --analysis: diff and sandwich on synthetic profiles. */
int bench_analysis(void);
/* smolder-bench --store [FILE]: the embedded store on an hour of one service's profiles. */
int bench_store(const char *file);

#endif
