/* bench.h — the benchmark runner's parts (see bench.c). */
#ifndef SMOLDER_BENCH_H
#define SMOLDER_BENCH_H

#include <stddef.h>

/* smolder-bench --analysis: diff and sandwich on synthetic profiles. */
int bench_analysis(void);
/* smolder-bench --store [FILE]: the embedded store on an hour of one service's profiles. */
int bench_store(const char *file);
/* smolder-bench --remote: a 16k-node SelectMergeStacktraces answer decoded, per codec. */
int bench_remote(void);

/*
 * smolder-bench --serve [FILE [CLIENTS [SECONDS]]] [-- OPTIONS...]: a real `smolder serve`
 * (next to bench/, given OPTIONS) under CLIENTS concurrent Go-SDK-style pushers.
 */
/* serve_args: NULL-terminated options passed on to `smolder serve` (or NULL). */
int bench_serve(const char *self, const char *file, int clients, double seconds,
		char *const *serve_args);

/* smolder-bench --browser [DB]: the store browser on 24 h × 10 services. */
int bench_browser(const char *db, const char *example);

/* qsort's comparator for doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);
/* The median of v[0..n) (n odd: the middle one), sorting v. */
double bench_median(double *v, size_t n);

#endif
