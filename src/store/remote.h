/*
 * remote.h — the backend (backend.h) over a Grafana Pyroscope server, or another
 * `smolder serve`: querier.v1 over the Connect protocol (spec §3), through libcurl.
 *
 * Every backend call is one or a few HTTP requests (POST
 * <url>/querier.v1.QuerierService/<Method>, Connect unary, no framing):
 *   profile_types  ProfileTypes             label_names   LabelNames
 *   label_values   LabelValues (of __profile_type__: only the IDs profile_type_parse()
 *                  takes, as ProfileTypes' are; "" is left out too)
 *   series         Series
 *   timeline       SelectSeries (values put on the backend's step grid, zero-filled;
 *                  a point stamped t holds (t - step, t], Pyroscope's rule)
 *   merge          SelectMergeProfile (the full pprof: lines, mappings, labels)
 *   merge_tree     SelectMergeStacktraces (the flame graph, max_nodes; the model is
 *                  built from its levels: names only; merge_info.truncated when the
 *                  server folded nodes into "other")
 *   diff           Diff (one request for both sides, a prof_pair() profile)
 * A query's aggregation goes out with SelectSeries only: the merges take none (Grafana
 * Pyroscope sums, smolder serve averages gauges), so merge, merge_tree and diff refuse
 * one (ERR_USAGE) unless it is AGG_SUM of a counter, what every server does.
 * Times are sent as milliseconds, [from, to) as Pyroscope's [start, end] (both ends in):
 * start rounded down, end the last millisecond before `to`; SelectSeries' start one
 * millisecond earlier, so that on a range aligned to the step each of Pyroscope's
 * points holds one step of the grid; a range off the grid goes out as its whole steps
 * from the grid's first edge to its last, and a first and a last partial step (which
 * Pyroscope, laying its steps from start and stopping at the last before end, would
 * misfile or leave out) each asked for on its own (remote.c, piece_timeline).  A start
 * of 0 goes out as 1 (0 is no range to Pyroscope).  The URL may carry a
 * path prefix (a Grafana data source proxy: .../api/datasources/proxy/uid/<uid>).
 *
 * Conventions, as profilecli's: Accept: *\/\*;allow-utf8-labelnames=true (so dotted
 * label names survive), X-Scope-OrgID for the tenant, Basic auth when a user name or a
 * password is set, else Bearer when a token is ("" is not set, for all four).  TLS
 * verifies with the system CAs, or --ca-cert; insecure skips verification.  libcurl's
 * proxy variables (http_proxy, https_proxy, no_proxy) apply.  Credentials never appear in messages: URLs are shown without user
 * information, query or fragment (url_redact_buf(), base/url.h).
 *
 * Robustness: connect and whole-request timeouts; idempotent (all) queries are retried
 * with exponential backoff on connection failures and on 429/502/503/504 (Retry-After
 * honoured up to 10 s); b->cancel is polled by libcurl's progress callback (a request
 * in flight stops within about a second, with ERR_CANCELLED) and during backoff.
 * A range the server refuses as longer than its maximum query length ("the query time
 * range exceeds the limit (..., limit: 24h)") is split into ranges of that length for
 * the lists, timelines and merges (whose results add up exactly: Pyroscope sums over
 * time, and the pieces meet on whole milliseconds, so that no two share one; a
 * timeline's pieces meet on multiples of its step, and each point is taken from
 * the piece whose range holds its step); when no limit can be read from the refusal,
 * the server's reason is the error.  A range of more than 1,000 pieces is refused
 * (ERR_TOOBIG, naming the limit).  A merge's pieces, pprof (merge) or flame graph
 * (merge_tree), are decoded and merged as they arrive (remote_merge_acc,
 * remote_tree_acc), so that their answers are not all held at once.
 * Errors are one line: "<url>: authentication failed: <the server's message>",
 * "... permission denied ...", "... not found ...", the server's own message for
 * others (a Connect error's message, or the first line of another body), "cannot
 * connect", TLS problems with the hint --ca-cert / --insecure-skip-verify.
 *
 * Responses are untrusted: bodies are bounded (max_response; one sent compressed, which
 * libcurl inflates, also at 64 times the bytes received + 64 MiB, refused as it
 * arrives: ERR_TOOBIG "the compressed answer inflates to more than ..."), decoded from
 * a memory budget (pbjson.h), and every value checked before use (remote_decode.c); a
 * malformed or truncated answer is ERR_PARSE naming the method, never a crash.
 *
 * Ownership: remote_backend_open() copies what it keeps of the options; backend_close()
 * frees it.  Decoders' *out belong to the caller.
 */
#ifndef SMOLDER_REMOTE_H
#define SMOLDER_REMOTE_H

#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "base/buf.h"
#include "base/hmap.h"
#include "profile/flamebearer.h"

enum remote_codec { REMOTE_CODEC_PROTO, REMOTE_CODEC_JSON };

#define REMOTE_MAX_RESPONSE ((size_t)512 << 20)
#define REMOTE_MAX_DECODE ((size_t)1 << 30)  /* memory one answer's decode may take */
/*
 * A timeline's series (SelectSeries, all pieces of a range together): at most this many,
 * and their grids (16 bytes a step each) at most REMOTE_MAX_TIMELINE bytes in all.
 */
#define REMOTE_MAX_SERIES 10000
#define REMOTE_MAX_TIMELINE ((size_t)256 << 20)

struct remote_opts {
	const char *url;              /* http(s)://host:port[/prefix] */
	const char *url_from;         /* what a refusal calls it; NULL: "--url" */
	enum remote_codec codec;
	/* NULL and "" are none (as profilecli): `--username "" --token T` is Bearer T */
	const char *username, *password;  /* Basic, when either is set */
	const char *token;            /* Bearer, when neither is */
	const char *tenant;           /* X-Scope-OrgID; NULL, "": not sent */
	/*
	 * What a refusal of the tenant or a credential calls it: the option or the variable
	 * it came from (e.g. "PROFILECLI_TOKEN"); NULL: "--tenant", "--token", "--username",
	 * "--password".
	 */
	const char *tenant_from, *token_from, *username_from, *password_from;
	const char *ca_cert;          /* a PEM file of CAs to trust instead of the system's */
	bool insecure;                /* no TLS verification */
	long connect_timeout_ms;      /* 0: 10 s */
	long timeout_ms;              /* one request; 0: 5 min */
	unsigned attempts;            /* tries per request; 0: 3 */
	size_t max_response;          /* bytes; 0: REMOTE_MAX_RESPONSE */
	/*
	 * When set (a command-line verb whose stderr is a terminal): after a request has
	 * waited a second, "waiting for URL... N s (Ctrl-C aborts)" is redrawn on it, and
	 * erased when the request ends.  NULL (the explorer, pipes): nothing is drawn.
	 */
	FILE *progress;
};

/*
 * Refuses (ERR_USAGE) a tenant or credential holding a line break or another control
 * character (tab and DEL included): it would end the header it goes in (a header of the
 * caller's making, or the request's body) or not survive the trip.  Basic credentials go
 * out base64-encoded, but a user name or password with a control character is as sure a
 * mistake (a secret file's last newline).  The message names `name` (the option or
 * variable), never the value.  NULL and "" pass.
 */
int remote_header_value_check(const char *name, const char *value);
int remote_backend_open(const struct remote_opts *o, struct backend **out);
/* "proto" or "json" (ERR_USAGE otherwise). */
int remote_codec_parse(const char *s, enum remote_codec *out);
/* Whether b is a remote backend (its counts in merge_info are unknown). */
bool remote_backend_is(const struct backend *b);

/* ---- the response decoders (remote_decode.c), for the backend, tests and fuzzing ---- */

/* SelectMergeStacktracesResponse (its flame graph) → a profile; *truncated may be NULL. */
int remote_decode_flamegraph(enum remote_codec c, const uint8_t *data, size_t len,
			     const struct fb_prof_info *info, struct prof **out, bool *truncated);
/*
 * Several of them into one profile, all decoded at once (flamebearer_to_prof() of them
 * all): what remote_tree_acc gives for a split range's pieces, the reference it is
 * tested against.
 */
int remote_decode_flamegraphs(enum remote_codec c, const struct buf *bodies, size_t n,
			      const struct fb_prof_info *info, struct prof **out, bool *truncated);
/* DiffResponse → a prof_pair() profile (right/new side first, then left/base). */
int remote_decode_diff(enum remote_codec c, const uint8_t *data, size_t len,
		       const struct fb_prof_info *info, struct prof **out, bool *truncated);
/*
 * SelectMergeProfile's google.v1.Profile → a profile; *out NULL for an empty message (no
 * bytes in proto, {} in JSON), Grafana Pyroscope's answer for a merge that found nothing
 * (v2's query frontend, and v1's for a range past its lookback).
 */
int remote_decode_pprof(enum remote_codec c, const uint8_t *data, size_t len, struct prof **out);
/*
 * The SelectMergeProfile answers of a split range's pieces, merged as they arrive: what
 * prof_merge() of them all in order gives, with at most log2(pieces) + 1 profiles held
 * (and one being made) instead of every piece until the last.  add takes part (non-NULL)
 * in every case; finish hands the merge to *out (NULL when nothing was added) and leaves
 * a empty; release frees what a holds.  peak is the most parts held at once (tests).
 */
struct remote_merge_acc {
	struct prof *part[64];
	uint64_t size[64];  /* pieces in part[i]: powers of two, decreasing */
	size_t n, peak;
};

void remote_merge_acc_init(struct remote_merge_acc *a);
int remote_merge_acc_add(struct remote_merge_acc *a, struct prof *part);
int remote_merge_acc_finish(struct remote_merge_acc *a, struct prof **out);
void remote_merge_acc_release(struct remote_merge_acc *a);
/*
 * The SelectMergeStacktraces answers of a split range's pieces, each decoded as it
 * arrives (remote_decode_flamegraph) and its samples added at once to one profile being
 * built, so that one answer is held at a time, not every piece's until the last.  add's
 * info is the whole range's, the same for every piece.  finish gives what
 * remote_decode_flamegraphs() of them all in order gives (the same pprof bytes: one frame
 * a name, made in the order the samples first use them; the samples in order; the
 * range's time and duration), and *truncated whether any piece's flame graph had an
 * "other" node.  Each piece's stacks are bounded as one answer's are (flamebearer.h), and
 * all the pieces' together at FLAMEBEARER_MAX_STACK_ENTRIES (ERR_TOOBIG).  finish hands
 * the profile to *out (NULL when nothing was added) and leaves t empty; release frees
 * what t holds.
 */
struct prof_builder;

struct remote_tree_acc {
	struct prof_builder *b;  /* the pieces so far; NULL until the first */
	size_t entries;          /* their stack entries */
	bool truncated;
};

void remote_tree_acc_init(struct remote_tree_acc *t);
int remote_tree_acc_add(struct remote_tree_acc *t, enum remote_codec c, const uint8_t *data,
			size_t len, const struct fb_prof_info *info);
int remote_tree_acc_finish(struct remote_tree_acc *t, struct prof **out, bool *truncated);
void remote_tree_acc_release(struct remote_tree_acc *t);
/* ProfileTypesResponse → appended to out (IDs that do not parse are left out). */
int remote_decode_profile_types(enum remote_codec c, const uint8_t *data, size_t len,
				struct profile_type_list *out);
/* LabelNamesResponse / LabelValuesResponse → appended to out. */
int remote_decode_names(enum remote_codec c, const uint8_t *data, size_t len, struct strvec *out);
/* SeriesResponse → appended to out. */
int remote_decode_series(enum remote_codec c, const uint8_t *data, size_t len,
			 struct labelset_list *out);
/*
 * SelectSeriesResponse → its series on the grid of n steps of step_ns from start_ns,
 * merged by labels into out.  As Grafana Pyroscope stamps them, a point at t (ms) holds
 * the profiles of (t - step, t], so it is added to the step whose end is t (the step
 * (start, end] holding t).  after_ms and until_ms are the request's start and end:
 * points at or before after_ms (there Pyroscope puts what precedes the range) and
 * points outside the grid are dropped; a point at most one step (step_ns, in whole ms
 * rounded up) after until_ms (smolder serve's, for a step the range's end cuts) is taken
 * as at until_ms + 1, and a later one dropped.
 */
int remote_decode_timeline(enum remote_codec c, const uint8_t *data, size_t len, int64_t after_ms,
			   int64_t until_ms, int64_t start_ns, int64_t step_ns, size_t n,
			   struct series_points_list *out);
/* An index of out's series by their labels' hash, for remote_timeline_series. */
int remote_series_index(const struct series_points_list *out, struct hmap *index);
/*
 * The series of out with the labels *ls (taken: *ls is left empty), made of zeros on the
 * grid when out has none yet; *sp points at it.  index (or NULL: a scan) is kept up to
 * date.
 */
int remote_timeline_series(struct series_points_list *out, struct hmap *index,
			   struct labelset *ls, int64_t start_ns, int64_t step_ns, size_t n,
			   struct series_points **sp);
/*
 * A Connect error body ({"code":...,"message":...}) or any other body: the message to
 * show, one terminal-safe line of at most 300 cells, into out.
 */
int remote_error_message(const char *body, size_t len, struct buf *out);

#endif
