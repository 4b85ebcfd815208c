/*
 * list.h — per-line cost of functions, as `go tool pprof -list` computes it: for every
 * function whose name matches, its lines with flat (the line is the sample's leaf frame)
 * and cum (a frame of the function sits on the line; a sample counts once per line
 * however often it recurses through it).  Inlined frames are frames: a line of an
 * inlined callee belongs to the callee.  One routine per (function name, shown file),
 * sorted by name then shown file, as pprof prints them.
 *
 * Ownership: list_compute() fills a caller-owned struct list; list_release() frees it.
 */
#ifndef SMOLDER_LIST_H
#define SMOLDER_LIST_H

#include "prof.h"

#define LIST_MARGIN 5  /* lines shown around the costly ones, as pprof */

struct list_line {
	int64_t line;
	int64_t flat, cum;
};

struct list_routine {
	/*
	 * string ids; file names that show as one (granularity_file_name(): Bazel's
	 * /proc/self/cwd/ trimmed, cleaned) are one routine, file the first of them seen:
	 * the raw name, to open the file by; show it through granularity_file_name()
	 */
	uint32_t name, file;
	int64_t start_line;     /* the function's, 0 when unknown */
	int64_t flat, cum;      /* the function's totals (cum once per sample) */
	/*
	 * pprof -list's header cum: the sum of the lines' cum, so a sample that recurses
	 * through two lines of the function counts twice (it may pass 100% of the total);
	 * summed in 128 bits and clamped to INT64_MAX / INT64_MIN
	 */
	int64_t cum_lines;
	struct list_line *lines;  /* lines with a sample, ascending */
	uint32_t nlines;
};

struct list {
	struct list_routine *r;
	uint32_t n;
	int64_t total;  /* of p's magnitudes: a caller that filtered p sets the unfiltered one */
};

/*
 * Routines of functions whose name matches the regex (RE2 syntax, unanchored, as pprof;
 * compiled and matched as search.h does).
 */
int list_compute(const struct prof *p, uint32_t type, const char *regex, struct list *out);
/* One function by name (string id): what the source pane shows. */
int list_function(const struct prof *p, uint32_t type, uint32_t name, struct list *out);
/*
 * The functions sel marks (sel[i] nonzero for function index i; p->nfunctions entries,
 * borrowed for the call): functions known by identity, not by a name another shares.
 */
int list_select(const struct prof *p, uint32_t type, const uint8_t *sel, struct list *out);
/*
 * The index of r's first line with a number.  Lines are sorted, so those before it have
 * line <= 0: samples the profile gives no line for (a folded file, a profile without
 * debug information).  r->nlines when no line has a number.
 */
uint32_t list_first_numbered(const struct list_routine *r);
void list_release(struct list *l);

#endif
