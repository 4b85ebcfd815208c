/*
 * load.h — reading a profile from where the user said it is: a file, "-" (standard
 * input), or an http(s):// URL of a pprof endpoint (fetched with libcurl).
 *
 * Ownership: *out belongs to the caller.  `cancel`, when not NULL, is polled during
 * slow work (a fetch); when it becomes non-zero the load stops with ERR_CANCELLED.
 */
#ifndef SMOLDER_LOAD_H
#define SMOLDER_LOAD_H

#include <stdatomic.h>
#include <stdbool.h>

#include "base/buf.h"
#include "profile/prof.h"

struct load_opts {
	atomic_int *cancel;
	bool progress;  /* draw a waiting indicator on stderr (only when it is a terminal) */
	long timeout_s; /* a URL's whole transfer; 0: pprof's rule (load_url_timeout_ms()) */
};

/*
 * pprof's -timeout default for a URL, in milliseconds: the duration it asks for
 * (?seconds=N) plus half of it (1.5 s for N = 1), else 60 s.
 */
long load_url_timeout_ms(const char *url);

/*
 * pprof's -seconds (adjustURL): url with its query's seconds parameter set to N, one
 * already there replaced in its place (and any more of them dropped), else appended;
 * the rest of the URL as it was, so that load_url_timeout_ms() of the result is N plus half.
 * out (the caller's) is reset first.  ERR_NOMEM.
 */
int load_url_seconds(const char *url, long seconds, struct buf *out);

bool load_is_url(const char *src);
int load_profile(const char *src, const struct load_opts *o, struct prof **out);
/*
 * load_profile, but a pprof with sample types and no samples is read, as pprof reads it
 * (decode_profile_empty_ok): for the verbs that show a profile.
 */
int load_profile_empty_ok(const char *src, const struct load_opts *o, struct prof **out);
/* Fetches url into out (at most limit bytes), with the waiting indicator. */
int fetch_url(const char *url, const struct load_opts *o, size_t limit, struct buf *out);

#endif
