/*
 * diff.h — how two profiles differ: the colour scale of the diff flame graph and the
 * diff top table.  Pure functions of numbers and tables; the two sides come from
 * prof_pair() (merge.h), where type t is the new side and ntypes/2 + t the base side.
 *
 * Change of a frame, as a fraction:
 *   proportional (default): new / new_total − base / base_total — the change of its share
 *                           of its own side, so a profile twice as long is not "all red";
 *   absolute:               (new − base) / base_total — pprof's -diff_base percentages.
 * The scale is quantised into DIFF_STEPS steps each way plus neutral: changes within the
 * threshold (default 0.1 % of the total) are neutral, then bounds of threshold × 10, 30,
 * 100 (0.1 %, 1 %, 3 %, 10 % by default).
 *
 * Ownership: diff_top() fills a caller-owned struct diff_top; diff_top_release() frees it.
 */
#ifndef SMOLDER_DIFF_H
#define SMOLDER_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "prof.h"
#include "top.h"

#define DIFF_STEPS 4  /* per direction; the scale has 2 * DIFF_STEPS + 1 colours */
#define DIFF_DEFAULT_THRESHOLD 0.001

struct diff_scale {
	bool absolute;
	double threshold;  /* fraction of the total below which a change is neutral */
};

/*
 * The sample type a difference shows when none is asked for, as pprof picks it (its
 * -diff_base and -base merge the two headers, profile.Merge's combineHeaders: the first
 * default_sample_type named, the new profile's, then the base's): cur's default when cur
 * names one, else the type of cur named like base's default when base names one, else
 * cur's default (its last type).  A Go heap profile names none and an allocs profile
 * alloc_space, so heap against allocs is alloc_space.  An index into cur's types.
 */
uint32_t diff_default_type(const struct prof *base, const struct prof *cur);

/* The change of a frame (a fraction; see above).  Totals of 0 count as 1. */
double diff_change(const struct diff_scale *s, int64_t base, int64_t cur, int64_t base_total,
		   int64_t cur_total);
/* -DIFF_STEPS (much less) .. 0 (neutral) .. DIFF_STEPS (much more). */
int diff_step(const struct diff_scale *s, double change);
/* The lower bound (a fraction) of step k in 1..DIFF_STEPS, either direction. */
double diff_bound(const struct diff_scale *s, int k);

struct diff_row {
	uint32_t name;  /* string id */
	int64_t base_flat, base_cum, new_flat, new_cum;
	double change;  /* of cum, by the scale's mode */
};

struct diff_top {
	struct diff_row *rows;
	uint32_t n;
	int64_t base_total, new_total;
};

enum diff_sort { DIFF_SORT_CHANGE, DIFF_SORT_NEW, DIFF_SORT_BASE, DIFF_SORT_NAME };

/*
 * One row per function in either table (cur and base come from the same profile, so
 * equal names have equal ids), sorted by change, largest increase first (`invert`
 * reverses).  Ties break on name.
 */
int diff_top(const struct top *base, const struct top *cur, const struct diff_scale *s,
	     const struct prof *p, struct diff_top *out);
void diff_top_sort(struct diff_top *d, const struct prof *p, enum diff_sort by, bool invert);
void diff_top_release(struct diff_top *d);

#endif
