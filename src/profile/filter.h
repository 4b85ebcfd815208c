/*
 * filter.h — pprof's sample filters as a pure function: profile in, filtered profile out.
 *
 *   focus=RE      keep samples with a frame whose function name or file (or, when
 *                 unsymbolized, mapping file) matches
 *   ignore=RE     drop samples with such a frame
 *   hide=RE       remove matching frames from every stack (a sample left with no
 *                 frames is dropped)
 *   show=RE       keep only matching frames (pprof's -show: the inverse of hide; an
 *                 unsymbolized frame is never kept)
 *   show_from=RE  drop the frames above (callers of) the root-most match; samples
 *                 without a match are dropped
 *   tagfocus / tagignore = [KEY=]REGEX[,REGEX...] on string labels, or a numeric range
 *                 VALUE, LOW:, :HIGH, LOW:HIGH on numeric labels, each an integer with an
 *                 optional unit in letters (1kb:10kb, :100ms, -5) — as `go tool pprof`
 *                 reads them: "1.5", "0x1f" or "1e3" are regexes, pprof's unit names
 *                 only, a second bound's unit must convert to the first's.
 * Regexes are PCRE2 with RE2-style syntax, unanchored, as in pprof.  Totals for
 * percentages stay those of the unfiltered profile (pprof's "of N total").
 *
 * A filter on a large profile takes a while, so another thread may stop it: `cancel` in
 * the options (NULL: never) is read every few thousand locations or samples and after
 * every regex run, and once it is set the call frees what it made and fails with
 * ERR_CANCELLED.
 *
 * Ownership: *out is a new profile the caller frees; `in` is only read.
 */
#ifndef SMOLDER_FILTER_H
#define SMOLDER_FILTER_H

#include "prof.h"

struct filter_opts {
	const char *focus, *ignore, *hide, *show, *show_from;
	const char *tagfocus, *tagignore;
	atomic_int *cancel;  /* polled, not a filter (filter_is_empty ignores it); may be NULL */
};

/*
 * Which of the set options matched something (false for those not set), as pprof decides
 * before it warns "Focus expression matched no samples": focus, ignore, hide and show_from
 * a location (show: a location kept a frame); tagfocus and tagignore a sample that the
 * name filters kept.
 */
struct filter_matched {
	bool focus, ignore, hide, show, show_from, tagfocus, tagignore;
	/* tagfocus / tagignore was read as a numeric range, not regexes (pprof says so) */
	bool tagfocus_range, tagignore_range;
};

bool filter_is_empty(const struct filter_opts *o);
/*
 * Errors: ERR_PARSE for a bad regex or range (the message names the option);
 * ERR_CANCELLED once *o->cancel is set.  matched may be NULL.
 */
int prof_filter(const struct prof *in, const struct filter_opts *o, struct prof **out);
int prof_filter_matched(const struct prof *in, const struct filter_opts *o, struct prof **out,
			struct filter_matched *matched);

#endif
