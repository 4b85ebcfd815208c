/*
 * decode.h — turning untrusted bytes into a struct prof.
 *
 * The format is detected from content, not from a file name (one exception below): gzip (1f 8b) and zstd
 * (28 b5 2f fd) are inflated first (bounded by DECODE_MAX_INFLATED), then decode_detect()
 * picks, in this order:
 *   JSON        '{' first (after blanks and a UTF-8 BOM), unless the first line is a
 *               folded line (frames, a blank, a count): `{closure};main 3` is folded;
 *               its top-level members walked
 *               in order (nested values skipped, keys and names compared with their
 *               escapes undone: "\u0024schema" is "$schema"), the first that tells:
 *               speedscope   a "$schema" or "exporter" string naming speedscope;
 *               flamebearer  a "flamebearer" object (Pyroscope's JSON export);
 *   speedscope  '{' first and a "$schema" or "exporter" value naming speedscope
 *               (speedscope_detect);
 *   perf        `perf script` text: the first line that is not blank or a '#' comment is
 *               a sample header (`comm tid [cpu] time: [period] event:`) followed by
 *               tab-indented call-chain lines `addr symbol`, each perhaps followed by a
 *               srcline, one of them with a `(dso)` or `(inlined)` (or, without -g, the
 *               header itself ends with `addr symbol (dso)`);
 *   folded      text, or lines each ending in a count (folded stacks with hostile names);
 *   pprof       a protobuf: the first 4 KiB walk as top-level fields of pprof's wire
 *               types (a field cut short by the end of the data after two whole ones);
 *   folded      lines, at least half of them ending in a count (hostile names and a bad
 *               line: the folded parser's error names it);
 *   pprof       anything else (its decoder says where the protobuf breaks).
 * The exception: a name ending in ".lines" (".lines.gz", ".lines.zst") whose bytes are
 * folded text, or have no NUL and are not pprof by the walk above, is Pyroscope's lines
 * format (one stack per line, each counting 1), which has no signature of its own.
 * decode_profile then refuses (ERR_UNSUPPORTED), saying what they are, four things that
 * are not read: a JFR recording ("FLR\0"), a web page ("<!doctype html" or "<html"
 * first: a sign-in page a URL answered), a multipart/form-data body saved to a file
 * (a "--boundary" line, then a form-data Content-Disposition), and a JSON object taken
 * for folded text (a key or '}' after the '{', and lines that do not end in counts).
 * Errors are one line, start with `name`, and carry byte offsets or line numbers where
 * they help.
 *
 * perf script: one sample per event.  Sample types: samples/count (1 per event), then
 * one per event name in order of appearance, the default being the first event's: its
 * value is the header's period (1 when the header has none; 0 for other events' samples);
 * its unit is nanoseconds for cpu-clock and task-clock when every header of the event has
 * a period, else count.  A trailing modifier group is dropped from the type name
 * ("cpu-clock:ppp" → "cpu-clock") unless two events would then share a name.  Function
 * names are the symbols without "+0x..." offsets, the dso is the mapping's file, every
 * address its own location.  Functions perf --inline prints as frames with "(inlined)"
 * in place of the dso are inline frames: with the frame after them at the same address
 * (the function they are inlined into) they make one location, a line per function,
 * innermost first, as pprof keeps them; left without it, a location without a mapping.
 * With -F +srcline, the line after a frame (two blanks, then perf's srcline) gives it
 * its file and line number when it reads `file:line` (a frame inlined into another gets
 * none: perf prints the innermost function's line after every frame at an address).
 * "[unknown]" symbols become "[basename of the dso]" (an
 * unsymbolized location, as stackcollapse-perf names them), the dso itself when perf
 * brackets it ("[vdso]"), or "[unknown]".  The process is not a root frame (which is
 * what stackcollapse-perf does): it is kept as labels, as perf_to_profile keeps it —
 * `comm` (string), `tid` and, when the header has "pid/tid", `pid` (numbers) — so
 * profiles compare frame by frame with pprof's and every view can focus on a process
 * (tagfocus comm=...) or ignore it.  The duration is the span of the timestamps.
 *
 * flamebearer: Pyroscope's flame graph JSON, as its UI exports it (and /pyroscope/render
 * answers): {"version": 1, "flamebearer": {"names": [...], "levels": [[x, total, self,
 * name, ...], ...], "numTicks": N, "maxSelf": M}, "metadata": {"format": "single",
 * "units": "samples", "sampleRate": 100, "name": "cpu"}, "timeline": {"startTime": s,
 * "samples": [...], "durationDelta": d}}.  The levels become one sample per node with
 * self (flamebearer.h: flamebearer_to_prof).  Sample type: units "samples" with a
 * sampleRate dividing 10^9 is cpu/nanoseconds (values × 10^9 / sampleRate), without one
 * samples/count; "objects" and "goroutines" count, "bytes" bytes, "lock_samples"
 * contentions/count, "lock_nanoseconds" delay/nanoseconds; the type is metadata.name
 * when that is a word (Pyroscope's render names the type there; OG Pyroscope a title).
 * Format "double" (a diff, 7-tuples) is read in pprof's -diff_base form (merge.h): the
 * right (new) side's samples, and the left's negated and labelled pprof::base=true.
 * Time: timeline.startTime, duration its samples × durationDelta.  At most
 * FLAMEBEARER_JSON_MAX_VALUES JSON values (counted before parsing).
 *
 * speedscope (https://www.speedscope.app/file-format-schema.json): "sampled" profiles
 * (stacks root first, one weight each) and "evented" ones (open/close events; a stack
 * weighs the time between consecutive events; unbalanced or out-of-order events are
 * errors).  All profiles of a file are merged into one, each sample labelled `profile`
 * with its profile's name; their units must agree.  Units: none → samples/count,
 * nanoseconds|microseconds|milliseconds|seconds → cpu/nanoseconds (values converted,
 * rounded to the nearest ns), bytes → space/bytes (abbreviations such as "ms" and
 * multiples such as "kilobytes" are taken too).  A frame's file and line become its
 * function's file and its location's line.  The JSON may hold at most
 * SPEEDSCOPE_MAX_VALUES values (counted before parsing, to bound jansson's memory), and
 * its samples at most SPEEDSCOPE_MAX_STACK_ENTRIES frames in all (an evented profile
 * repeats the open stack in a sample per event: events × depth), counted before any
 * sample is made.
 *
 * Ownership: *out belongs to the caller (prof_free).  The input is only borrowed.
 */
#ifndef SMOLDER_DECODE_H
#define SMOLDER_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/prof.h"
#include "base/buf.h"
#include "base/pbbudget.h"

#define DECODE_MAX_INPUT    ((size_t)1 << 30)  /* bytes read from a file or URL */
#define DECODE_MAX_INFLATED ((size_t)2 << 30)  /* bytes after decompression */

enum decode_format { DECODE_AUTO, DECODE_PPROF, DECODE_FOLDED, DECODE_PERF, DECODE_SPEEDSCOPE,
		     DECODE_FLAMEBEARER };

#define SPEEDSCOPE_MAX_VALUES ((size_t)1 << 24)
#define SPEEDSCOPE_MAX_STACK_ENTRIES ((size_t)1 << 26)  /* 256 MiB of sample locations */
#define FLAMEBEARER_JSON_MAX_VALUES ((size_t)1 << 22)  /* 4 values a node: 1 M nodes */

/* Timing of the phases, for benchmarks; any pointer may be NULL. */
struct decode_stats {
	double inflate_ms, unpack_ms, build_ms;
	size_t inflated_bytes;
};

/* A profile without samples is an error ("the profile has no samples"). */
int decode_profile(const uint8_t *data, size_t len, const char *name, struct prof **out);
/*
 * decode_profile, but a pprof with sample types and no samples is a profile, as pprof
 * reads it (go tool pprof -top prints its empty table; `smolder query profile` of a type
 * whose values are all zero writes one).  Text formats without a stack, and a pprof
 * without sample types, are still refused.
 */
int decode_profile_empty_ok(const uint8_t *data, size_t len, const char *name, struct prof **out);
int decode_profile_stats(const uint8_t *data, size_t len, const char *name,
			 struct decode_stats *st, struct prof **out);

/* Decompresses gzip or zstd into out when data starts with their magic; else copies. */
int decode_inflate(const uint8_t *data, size_t len, size_t limit, struct buf *out);

/* The format of inflated, non-empty bytes, by the rules above (never DECODE_AUTO). */
enum decode_format decode_detect(const uint8_t *data, size_t len);
/*
 * Whether an answer a server called text/html is a page: markup ('<') first, after blanks
 * and a UTF-8 BOM, on a first line that is not a folded line (py-spy's folded text begins
 * "<module> (app.py:1);main ... 5").
 */
bool decode_markup_first(const uint8_t *data, size_t len);
/* The same with the exception for a name ending in ".lines" (DECODE_FOLDED then). */
enum decode_format decode_detect_named(const uint8_t *data, size_t len, const char *name);
/*
 * What a JSON object says it is by its top-level keys (the first rule above):
 * DECODE_SPEEDSCOPE, DECODE_FLAMEBEARER, or DECODE_AUTO when not an object or none
 * tells.  Linear in the bytes walked; nothing is allocated.
 */
enum decode_format decode_json_kind(const uint8_t *data, size_t len);

/*
 * protobuf-c's structs for a pprof of len bytes may take at most this much memory, past
 * which the decoders refuse it (ERR_TOOBIG).  Real profiles take 2-15 times their size
 * (single-frame samples about 20 times); a message made of empty sub-messages, which a
 * few KiB of gzip can carry, about 44 times.
 */
#define PPROF_UNPACK_LIMIT(len) pb_budget_limit((len), 32, (size_t)64 << 20)

/* The decoders behind decode_profile; data is already inflated. */
int pprof_decode(const uint8_t *data, size_t len, struct decode_stats *st, struct prof **out);
/* pprof_decode, the unpacked message's memory bounded by `limit` bytes instead. */
int pprof_decode_limit(const uint8_t *data, size_t len, size_t limit, struct decode_stats *st,
		       struct prof **out);
/* lines: Pyroscope's lines format, one sample of 1 per line (no counts). */
int folded_decode(const char *data, size_t len, bool lines, struct prof **out);
int perf_decode(const char *data, size_t len, struct prof **out);
int speedscope_decode(const char *data, size_t len, struct prof **out);
/*
 * A caller's bounds on a speedscope decode (0: none), applied as the samples are counted,
 * before any is made: more than max_samples samples is ERR_TOOBIG
 * ("profiles[0].events[16001]: more than 16000 samples, ..."); a stack deeper than
 * max_depth keeps its max_depth root-most frames, as /ingest truncates any profile.
 * unnamed_bare: the samples of a profile without a name (or "") carry no `profile`
 * label, where they otherwise carry its index (/ingest: Pyroscope drops an empty
 * profile_name label).
 */
struct speedscope_limits {
	size_t max_samples;
	size_t max_depth;
	bool unnamed_bare;
};
struct json_t;
/*
 * speedscope_decode on a document jansson has parsed, the profiles of one unit (NULL:
 * all), within lim (NULL: only SPEEDSCOPE_MAX_STACK_ENTRIES).  root is borrowed.
 */
int speedscope_decode_json_limit(const struct json_t *root, const char *unit,
				 const struct speedscope_limits *lim, struct prof **out);
int flamebearer_json_decode(const char *data, size_t len, struct prof **out);
/*
 * The Sample messages (field 2) of a pprof protobuf, counted without decoding it, so a
 * caller can refuse an oversized profile before anything is allocated for it.  Stops
 * quietly at malformed wire data (the count so far): pprof_decode explains that better.
 */
size_t pprof_count_samples(const uint8_t *data, size_t len);
/* The content tests decode_detect uses for them. */
bool perf_detect(const uint8_t *data, size_t len);
bool speedscope_detect(const uint8_t *data, size_t len);

#endif
