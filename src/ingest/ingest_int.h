/*
 * ingest_int.h — what the files of the serve protocol layer (ingest.h) share: request
 * access, Pyroscope's parsers for /ingest parameters, media types and multipart bodies,
 * bounded JSON, pprof loading and validation, and series label rules.  Only
 * src/ingest/ingest_*.c, multipart.c, push.c and speedscope.c include it.
 *
 * Errors follow err.h: a negative code and err_set() once where the problem is found.
 * Ownership is stated per function; everything borrowed lives for the call only.
 */
#ifndef SMOLDER_INGEST_INT_H
#define SMOLDER_INGEST_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/hmap.h"
#include "base/strmap.h"
#include "base/pbbudget.h"
#include "ingest.h"

/* ---- results (ingest.c) ---- */

/*
 * Refuses the request: drops any items, sets status, code (NULL: ingest_status_code of
 * the status) and the formatted one-line reason (also err_set with rc).  Returns rc.
 */
int ingest_fail(struct ingest_result *out, int status, const char *code, int rc,
		const char *fmt, ...) ERR_PRINTF(5, 6);
/* The same with the reason "<prefix>: <err_last()>"; rc is err_last_code() (or ERR_PARSE). */
int ingest_fail_last(struct ingest_result *out, int status, const char *code,
		     const char *prefix);
/* Appends an item; takes the label set (left empty) and the profile. */
int ingest_item_add(struct ingest_result *out, struct labelset *ls, struct prof *p,
		    int64_t time_ns, int64_t duration_ns);

/*
 * Appends 's[0..n)' to out, terminal-safe (text_safe) and cut to about 64 characters,
 * with the quotes: for messages that quote what a client sent.
 */
void ingest_quote(struct buf *out, const char *s, size_t n);

/* ---- request access (ingest_query.c) ---- */

/* The first header named `name` (case-insensitive), or NULL. */
const char *ingest_header(const struct ingest_request *rq, const char *name);
/* Go's strconv.Atoi: an optional sign and decimal digits within int64; else false. */
bool ingest_atoi(const char *s, size_t n, int64_t *out);
/* until - from, or 0 when that is negative or does not fit (times come from clients). */
static inline int64_t ingest_span(int64_t from, int64_t until)
{
	int64_t d;

	return __builtin_sub_overflow(until, from, &d) || d < 0 ? 0 : d;
}
/* Pyroscope's attime.Parse: never fails (garbage is "now"); ns since the epoch. */
int64_t ingest_attime(const char *s, size_t n, int64_t now_ns);
/*
 * Pyroscope's labelset.Parse of /ingest's `name`: app{k=v,...}.  The app name goes to
 * __name__; a label given an empty value is kept with "" (the series rules drop it).
 * ERR_PARSE with a message for an empty or invalid app name or label name.
 */
int ingest_name_parse(const char *s, size_t n, struct labelset *out);

/* ---- media types and multipart (multipart.c) ---- */

struct media_want {
	const char *name;  /* parameter wanted, lowercase ("boundary") */
	struct buf *value; /* its value (RFC 2231 `name*` decoded); reset first */
	bool found;
};

/*
 * Parses a media type with parameters as Go's mime.ParseMediaType does (a token/token
 * or token type, `; name=token|"quoted"` parameters, a name given twice refused unless
 * with the same value, as Go 1.20 and later) into `type` (lowercased) and the wanted
 * parameters.  ERR_PARSE on malformed input.
 */
int media_type_parse(const char *s, size_t n, struct buf *type, struct media_want *want,
		     size_t nwant);

#define MP_NAME_MAX 32

struct mp_part {
	const uint8_t *data;      /* into the body */
	size_t len;
	char name[MP_NAME_MAX];   /* form field name; "" when absent, invalid or too long */
	bool has_filename;        /* a non-empty filename= (Go: a file part, not a value) */
	bool quoted_printable;    /* Content-Transfer-Encoding: quoted-printable */
};

/*
 * Splits a multipart/form-data body (RFC 7578) with Go's mime/multipart rules: preamble
 * and epilogue ignored, CRLF or (when the first delimiter uses it) LF line ends, linear
 * white space after a delimiter, an empty part, folded header lines; a boundary of 1 to
 * 1024 bytes (Go has no 70-character limit when reading).  Parts borrow the
 * body.  *parts is malloc'd (free()); at most max_parts parts (ERR_TOOBIG beyond).
 * ERR_PARSE with the byte offset on a malformed body.
 */
int multipart_parse(const uint8_t *body, size_t len, const char *boundary, size_t blen,
		    size_t max_parts, struct mp_part **parts, size_t *nparts);

/* ---- JSON, pprof, series (ingest_pprof.c) ---- */

#define INGEST_JSON_MAX_VALUES ((size_t)1 << 18)

/*
 * Parses JSON with jansson after counting its values (at most max_values, ERR_TOOBIG);
 * flags are jansson's (JSON_REJECT_DUPLICATES); NUL escapes are refused.  *out belongs
 * to the caller (json_decref).
 */
int ingest_json_load(const char *data, size_t len, size_t max_values, size_t flags,
		     json_t **out);

/* What /ingest's spyName asks of a pprof before decoding (pyroscope og/convert/pprof). */
struct pprof_fix {
	bool dotnet;           /* function ids from location ids; '-' → '_' in sample types */
	bool scripting;        /* function names become "<file> <name>" (py-spy, rbspy) */
	bool skip_abs_files;   /* ... except for absolute file names (pyspy) */
};

/*
 * The memory protobuf-c's structs may take for a pushed pprof of len bytes: tighter
 * than PPROF_UNPACK_LIMIT (decode.h) for files, as a push holds at most
 * max_samples samples and a server decodes several at once: 80 MiB for 4 MiB.
 */
#define INGEST_UNPACK_LIMIT(len) pb_budget_limit((len), 16, (size_t)16 << 20)

/*
 * Loads one pprof from the wire: gzip (or zstd) sniffed and inflated up to
 * lim->max_profile_bytes, the sample count checked before decoding, fixes applied,
 * decoded, then ingest_prof_check().  *out is NULL with 0 returned when every value is
 * zero (Pyroscope drops such profiles after normalising).  *raw_size gets the
 * decompressed size.  Unpacking is bounded by INGEST_UNPACK_LIMIT.  ERR_PARSE /
 * ERR_TOOBIG with a message otherwise.
 */
int ingest_pprof_load(const uint8_t *data, size_t len, const struct ingest_limits *lim,
		      const struct pprof_fix *fix, struct prof **out, size_t *raw_size);
/*
 * Pyroscope's profile validation on a profile this layer still owns: sample types, the
 * sample and sample-label counts, UTF-8 strings, '-' in sample type names; then stacks
 * deeper than the limit lose their leaf frames and over-long strings keep their end (in
 * place, before anyone else sees the profile).
 */
int ingest_prof_check(struct prof *p, const struct ingest_limits *lim);
bool ingest_prof_all_zero(const struct prof *p);
/*
 * The profile time: t <= 0 is now; otherwise the ingestion window applies
 * (ERR_PARSE, "outside of the ingestion window").
 */
int ingest_time(const struct ingest_limits *lim, int64_t now_ns, int64_t t, int64_t *out);

/*
 * Adds name=value to a series from untrusted bytes: NUL refused; with no_dup a second
 * value for a name is refused (push), else it replaces the first (/ingest's name).
 */
int ingest_label_add(struct labelset *ls, const char *name, size_t nlen, const char *value,
		     size_t vlen, bool no_dup);
/* One label as a client lists it (names may repeat); borrowed bytes, maybe not NUL-ended. */
struct ingest_pair {
	const char *name, *value;
	size_t nlen, vlen;
};

/*
 * Adds a client's list of labels to a series as Pyroscope's distributor reads it (its
 * labels builder, then ValidateLabels): a name that has an empty value anywhere in the
 * list is left out with all its values, except service_name, which is refused then
 * ("service name is not provided"); a name with two non-empty values is refused
 * ("duplicate label name"); NUL refused.  The order of the list does not matter.
 */
int ingest_series_pairs(const struct ingest_pair *v, size_t n, struct labelset *out);
/*
 * What Pyroscope's distributor does with a series before storing: service_name defaults
 * to unknown_service, __session_id__ per max_sessions_per_series, then validation (the
 * name count, lengths, UTF-8, a non-empty __name__, and the same rules for the string
 * sample labels that become series labels), then the names the store derives (and
 * __delta__) are removed.  ERR_PARSE / ERR_TOOBIG with a message.
 */
int ingest_series_finish(struct labelset *ls, const struct prof *p,
			 const struct ingest_limits *lim);

/*
 * speedscope_decode (decode.h) on a document already parsed, keeping only the profiles
 * whose "unit" is `unit` (NULL: all; their units must then agree).  speedscope.c.
 */
int speedscope_decode_json(const json_t *root, const char *unit, struct prof **out);

/* ---- /ingest text formats (ingest_text.c) ---- */

enum legacy_format { LEGACY_GROUPS, LEGACY_LINES, LEGACY_SPEEDSCOPE };

/* /ingest's parameters, parsed (ingest_legacy.c). */
struct legacy_md {
	struct labelset name;   /* from `name`: __name__ = the app name, then {k=v} */
	int64_t from_ns, until_ns;
	uint32_t sample_rate;   /* Go's uint32(sampleRate); 100 for none or a negative one */
	struct buf spy;         /* spyName, "unknown" by default */
};

/*
 * The duration of an /ingest profile: until - from, but 0 when from is no time
 * (<= 0: from=0, now-1000y), which ingest_time replaces by now: until - from would
 * then be a span ending where the stored profile starts, decades long.
 */
static inline int64_t legacy_span(const struct legacy_md *md)
{
	return md->from_ns > 0 ? ingest_span(md->from_ns, md->until_ns) : 0;
}

/*
 * The series labels of an /ingest profile as Pyroscope lists them (its og adapter and
 * pprof converter): __name__ = metric, __delta__, pyroscope_spy = spyName, the name's
 * labels (not __*, except __session_id__), service_name = app unless the name has one
 * (then, with og, app_name = app unless the name has one); read by ingest_series_pairs,
 * so pyroscope_spy in the name's labels is a duplicate name.
 */
int legacy_labels(const struct legacy_md *md, const char *metric, const char *app,
		  size_t app_len, bool og, struct labelset *ls);

/*
 * Folded ("groups"), lines or speedscope bodies for /ingest: parsed (422 on error),
 * typed from the name's suffix, labelled and checked (refused: 400 for folded and lines,
 * 422 for speedscope, as upstream answers).
 */
int ingest_text(const struct ingest_request *rq, const struct ingest_limits *lim,
		const struct legacy_md *md, enum legacy_format fmt, const uint8_t *body,
		size_t len, struct ingest_result *out);

#endif
