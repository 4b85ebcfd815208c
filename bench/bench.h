/* bench.h — the benchmark runner's parts (see bench.c). */
#ifndef SMOLDER_BENCH_H
#define SMOLDER_BENCH_H

/* smolder-bench --analysis: diff and sandwich on synthetic profiles. */
int bench_analysis(void);

#endif
