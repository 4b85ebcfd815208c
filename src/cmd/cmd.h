/*
 * cmd.h — the command-line verbs.  main.c only dispatches to these.
 *
 * Each verb parses its own options (GNU long form, with pprof's single-dash spellings
 * accepted too), prints errors as one line on stderr and returns the exit status.
 * `env` carries process-wide state owned by main (the Ctrl-C and SIGTERM flag).
 */
#ifndef SMOLDER_CMD_H
#define SMOLDER_CMD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/buf.h"

struct cmd_env {
	atomic_int *cancel;  /* set by main's SIGINT/SIGTERM handler */
};

int cmd_top(int argc, char **argv, const struct cmd_env *env);
int cmd_view(int argc, char **argv, const struct cmd_env *env);
int cmd_diff(int argc, char **argv, const struct cmd_env *env);
int cmd_peek(int argc, char **argv, const struct cmd_env *env);
int cmd_list(int argc, char **argv, const struct cmd_env *env);
int cmd_export(int argc, char **argv, const struct cmd_env *env);
int cmd_resolve(int argc, char **argv, const struct cmd_env *env);
int cmd_demo(int argc, char **argv, const struct cmd_env *env);
int cmd_ingest(int argc, char **argv, const struct cmd_env *env);
int cmd_query(int argc, char **argv, const struct cmd_env *env);
int cmd_serve(int argc, char **argv, const struct cmd_env *env);
int cmd_upload(int argc, char **argv, const struct cmd_env *env);
void cmd_usage(FILE *f);

/* Shared by verbs: resolves "--sample-index" against a profile; -1 with a message. */
struct prof;
int cmd_sample_index(const struct prof *p, const char *arg);
/*
 * Writes s[0..n) to f made terminal-safe (text_safe; ASCII when cmd_ascii(f)); returns its
 * width in cells.  print false: only measures.
 */
int cmd_put_safe(FILE *f, const char *s, size_t n, bool print);
/*
 * Whether text for f is made ASCII ('?' past it): f is a terminal whose locale is not
 * UTF-8, where wcwidth() counts no character beyond ASCII and columns measured in cells
 * would not line up.  A file or a pipe gets UTF-8 whatever the locale (a script run by
 * cron without LANG still reads the names).  cmd_safe and cmd_errorf write for stderr.
 */
bool cmd_ascii(FILE *f);
/*
 * One error line on stderr: "smolder: " and the formatted text made terminal-safe as a
 * whole (names, types and labels from profiles or stores may hold escape sequences).
 */
#include "base/err.h"
void cmd_errorf(const char *fmt, ...) ERR_PRINTF(1, 2);
/*
 * The same line for one verb, "smolder VERB: ...": every message a verb prints with
 * err_last() (a file's, a server's, the user's text) goes through one of the two, so a
 * terminal in a C locale gets it in ASCII.
 */
void cmd_verb_errorf(const char *verb, const char *fmt, ...) ERR_PRINTF(2, 3);
/* Appends s (NUL-terminated) made terminal-safe to out. */
int cmd_safe(struct buf *out, const char *s);
/*
 * What to call SOURCE on screen (out, the caller's, reset first): a URL without its
 * user information, query and fragment (url_redact_buf(), base/url.h), else SOURCE itself.
 */
int cmd_source_name(const char *src, struct buf *out);
/*
 * A --tenant for the store (--db, ingest) as serve takes one (store_tenant_valid): 0, or
 * 2 after one line "smolder[ VERB]: invalid --tenant '...': <the rule>".  NULL and "" pass.
 */
int cmd_check_tenant(const char *verb, const char *tenant);
/*
 * Loads SOURCE (file, "-" or URL, with the waiting indicator and Ctrl-C; st's --timeout
 * and --seconds for a URL) and resolves the sample index; prints the one-line error and
 * returns non-zero on failure.  *out belongs to the caller.
 */
struct cmd_store_src;
int cmd_load(const char *src, const struct cmd_env *env, const struct cmd_store_src *st,
	     const char *sample_index, struct prof **out, int *type);
/*
 * SOURCE src as the verbs load it: load_profile_empty_ok() (empty_ok, for the verbs that
 * show a profile) or load_profile(), with env's Ctrl-C, the waiting indicator, st's
 * --timeout, and st's --seconds set in an http(s) URL (load_url_seconds()).  Returns the
 * error code with its message set (err_last(); nothing printed); *out is the caller's.
 */
int cmd_load_profile(const char *src, const struct cmd_store_src *st,
		     const struct cmd_env *env, bool empty_ok, struct prof **out);

/*
 * A second SOURCE loaded while the caller loads the first (diff's base, top
 * --diff-base): an http(s) URL is fetched on a thread of its own from
 * cmd_bg_load_start(), so two ?seconds=N profiles cover the same N seconds and take N,
 * not 2N, as pprof fetches them; anything else is loaded by cmd_bg_load_finish().  The
 * thread draws no waiting indicator (the caller's load does) and stops on env's Ctrl-C
 * (handed on to its own flag by finish and abandon, which wait for it).  finish (or
 * abandon) is called exactly once after start, whatever happened: finish returns
 * cmd_load_profile()'s result (the error with its message) and *out is the caller's.
 * src, st and env are borrowed until then; bg does not move while the thread runs.
 */
struct cmd_bg_load {
	const char *src;
	const struct cmd_store_src *st;
	const struct cmd_env *env;
	bool empty_ok, started;
	pthread_t th;
	struct cmd_env own;      /* the thread's env: its cancel is `cancel` below */
	atomic_int cancel, done; /* stop the fetch; the thread has returned */
	struct prof *out;
	int rc;
	char msg[1024];  /* err.c keeps messages of up to 1 KiB */
};
void cmd_bg_load_start(struct cmd_bg_load *bg, const char *src, const struct cmd_store_src *st,
		       const struct cmd_env *env, bool empty_ok);
int cmd_bg_load_finish(struct cmd_bg_load *bg, struct prof **out);
/*
 * Instead of finish, when the caller's own load failed: stops a fetch under way (the
 * process ends at once, not when the URL answers or times out), loads nothing.
 */
void cmd_bg_load_abandon(struct cmd_bg_load *bg);

/*
 * pprof's filters and granularity, shared by the verbs that take them: put
 * CMD_TRANSFORM_OPTIONS in the getopt table, pass every option to cmd_transform_opt()
 * (true when it took it), then cmd_transform() replaces the profile with the result.
 */
#include "profile/filter.h"

struct cmd_transform {
	struct filter_opts filters;
	int granularity;  /* enum granularity */
	/*
	 * The option that chose it ("--lines"), NULL before one did: pprof refuses two
	 * granularities at once, so cmd_transform_opt() refuses a second, different one
	 */
	const char *granularity_opt;
	bool collapse_recursion;
	/*
	 * Names as pprof shows them (profile/demangle.h): the verbs that print pprof's
	 * reports (top, peek, list, diff) set pprof_names and simplify demangled C++/Rust
	 * names by default; --symbolize (pprof's -symbolize) chooses for any verb.
	 */
	bool pprof_names;
	const char *symbolize;  /* NULL: the verb's default */
};

#define CMD_OPT_BASE 1000
#define CMD_TRANSFORM_OPTIONS                                              \
	{ "focus", required_argument, NULL, CMD_OPT_BASE + 'F' },           \
	{ "ignore", required_argument, NULL, CMD_OPT_BASE + 'X' },          \
	{ "hide", required_argument, NULL, CMD_OPT_BASE + 'H' },            \
	{ "show", required_argument, NULL, CMD_OPT_BASE + 'W' },            \
	{ "show-from", required_argument, NULL, CMD_OPT_BASE + 'S' },       \
	{ "show_from", required_argument, NULL, CMD_OPT_BASE + 'S' },       \
	{ "tagfocus", required_argument, NULL, CMD_OPT_BASE + 'T' },        \
	{ "tagignore", required_argument, NULL, CMD_OPT_BASE + 'U' },       \
	{ "granularity", required_argument, NULL, CMD_OPT_BASE + 'g' },     \
	{ "functions", no_argument, NULL, CMD_OPT_BASE + 'f' },             \
	{ "lines", no_argument, NULL, CMD_OPT_BASE + 'l' },                 \
	{ "files", no_argument, NULL, CMD_OPT_BASE + 'i' },                 \
	{ "packages", no_argument, NULL, CMD_OPT_BASE + 'p' },             \
	{ "collapse-recursion", no_argument, NULL, CMD_OPT_BASE + 'R' },   \
	{ "symbolize", required_argument, NULL, CMD_OPT_BASE + 'Y' }

#define CMD_TRANSFORM_HELP                                                               \
	"Filters, as pprof applies them (regexes match function and file names):\n"      \
	"      --focus RE           keep samples with a matching frame\n"                 \
	"      --ignore RE          drop samples with a matching frame\n"                 \
	"      --hide RE            remove matching frames from the stacks\n"            \
	"      --show RE            keep only the matching frames in the stacks\n"       \
	"      --show-from RE       drop the callers of the root-most matching frame\n"   \
	"      --tagfocus [K=]RE|RANGE  keep samples whose label matches (endpoint=/api,\n" \
	"                           bytes=1kb:10kb, :100ms)\n"                            \
	"      --tagignore [K=]RE|RANGE drop samples whose label matches\n"               \
	"      --granularity G      functions (default), lines, files, or packages\n"     \
	"                           (pprof's -functions, -lines, -files work too)\n"     \
	"      --collapse-recursion f -> f -> f in a stack becomes one f\n"                \
	"      --symbolize MODE     demangle=default|templates|full|none, or none: how\n"  \
	"                           demangled C++/Rust names show (pprof's rule: top,\n"  \
	"                           peek, list and diff drop <...> and (...) by default)\n"

/*
 * What a SOURCE may be, for the verbs' --help: what load_profile() reads (ingest/decode.h
 * detects the format by content, *.lines by name).
 */
#define CMD_SOURCE_HELP                                                                  \
	"SOURCE is a pprof file (gzip, zstd or raw protobuf), folded stacks, perf script\n"  \
	"text, speedscope JSON, Pyroscope's flame graph JSON or *.lines file (detected by\n" \
	"content; *.lines by name), - for standard input, or an http(s):// URL such as\n"   \
	"http://localhost:6060/debug/pprof/profile?seconds=10 (Ctrl-C aborts).\n"

/*
 * The store as the source of a verb's profile (profilecli's flag names): put
 * CMD_STORE_OPTIONS in the getopt table and pass every option to cmd_store_opt() (1 when
 * it took it).  When src.used, the verb takes no SOURCE: cmd_load_src() merges the
 * profile of --profile-type over --query and [--from, --to) from the store (--db, or
 * the default store).  Without --profile-type the one type the selector has in the
 * range is taken; several are an error listing them.  `base` loads diff's baseline
 * range alone (--base-from/--base-to, by default the same length just before --from,
 * against a clock reading of its own); diff loads both sides with cmd_load_src_pair().
 */
#include "base/buf.h"
#include "store/backend.h"

struct cmd_store_src {
	const char *db, *query, *profile_type, *from, *to, *aggregate, *tenant;
	const char *base_from, *base_to;
	bool used;
	const char *used_by;  /* the option that set used first ("--tenant"), for messages */
	/* a remote server instead of the store (store/remote.h): --url and its options */
	const char *url, *codec, *username, *password, *token, *ca_cert;
	bool insecure;
	/* --timeout: a SOURCE URL's whole fetch, or each request to --url; 0: the default */
	long timeout_s;
	/* --seconds (CMD_SECONDS_OPTION): a SOURCE URL's seconds=N; 0: the URL's own */
	long seconds;
	/* no waiting line on stderr for --url requests (the explorer owns the terminal) */
	bool quiet;
};

/* What cmd_load_src() loaded, for headers: "File:" and "Aggregation:" lines. */
struct cmd_loaded {
	struct buf desc;         /* "<db> <selector>" (owned; buf_release) */
	struct buf ptype;        /* the profile type merged */
	struct merge_info info;
	int64_t from_ns, to_ns;
};

#define CMD_STORE_OPTIONS                                                  \
	{ "db", required_argument, NULL, CMD_OPT_BASE + 200 },              \
	{ "query", required_argument, NULL, CMD_OPT_BASE + 201 },           \
	{ "profile-type", required_argument, NULL, CMD_OPT_BASE + 202 },    \
	{ "from", required_argument, NULL, CMD_OPT_BASE + 203 },            \
	{ "to", required_argument, NULL, CMD_OPT_BASE + 204 },              \
	{ "aggregate", required_argument, NULL, CMD_OPT_BASE + 205 },       \
	{ "tenant", required_argument, NULL, CMD_OPT_BASE + 206 },          \
	{ "tenant-id", required_argument, NULL, CMD_OPT_BASE + 206 },       \
	CMD_REMOTE_OPTIONS

/*
 * diff's baseline range (view's too, which then opens a diff): in those verbs' tables
 * only, so that the others refuse them as unknown instead of taking and ignoring them.
 * cmd_store_opt() parses them.
 */
#define CMD_BASE_OPTIONS                                                   \
	{ "base-from", required_argument, NULL, CMD_OPT_BASE + 207 },       \
	{ "base-to", required_argument, NULL, CMD_OPT_BASE + 208 }

/* The remote source's options (part of CMD_STORE_OPTIONS). */
#define CMD_REMOTE_OPTIONS                                                 \
	{ "url", required_argument, NULL, CMD_OPT_BASE + 209 },             \
	{ "codec", required_argument, NULL, CMD_OPT_BASE + 210 },           \
	{ "username", required_argument, NULL, CMD_OPT_BASE + 211 },        \
	{ "password", required_argument, NULL, CMD_OPT_BASE + 212 },        \
	{ "token", required_argument, NULL, CMD_OPT_BASE + 213 },           \
	{ "ca-cert", required_argument, NULL, CMD_OPT_BASE + 214 },         \
	{ "insecure-skip-verify", no_argument, NULL, CMD_OPT_BASE + 215 },  \
	{ "timeout", required_argument, NULL, CMD_OPT_BASE + 216 }

#define CMD_STORE_HELP                                                                   \
	"From the store instead of a SOURCE (smolder ingest / smolder serve fill it):\n"   \
	"      --db PATH            the store (default $SMOLDER_DB, else\n"                 \
	"                           $XDG_DATA_HOME/smolder/smolder.db)\n"                   \
	"      --query SELECTOR     which series: {service_name=\"app\", env!~\"dev|qa\"};\n" \
	"                           pprof sample labels ({endpoint=\"/checkout\"}) work too\n" \
	"      --profile-type ID    e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds\n"    \
	"                           (default: the only one the query has)\n"               \
	"      --from T, --to T     the range: now-1h (default), now, 1h (ago),\n"      \
	"                           RFC 3339, Unix s/ms/us/ns\n"                         \
	"      --aggregate sum|avg  gauges (inuse_*, goroutines) average by default\n"     \
	"      --tenant NAME        the tenant (default: anonymous; X-Scope-OrgID with\n"  \
	"                           --url, where $PROFILECLI_TENANT_ID is the default);\n" \
	"                           profilecli's --tenant-id works too\n"                \
	CMD_REMOTE_HELP

#define CMD_REMOTE_HELP                                                                  \
	"From a Grafana Pyroscope server (or `smolder serve`) instead of the store:\n"     \
	"      --url URL            e.g. http://localhost:4040 (default $PROFILECLI_URL\n"  \
	"                           when there is no --db); same --query, --profile-type,\n" \
	"                           --from, --to\n"                                         \
	"      --codec proto|json   the Connect codec (default proto)\n"                   \
	"      --username U, --password P  Basic auth ($PROFILECLI_USERNAME,\n"            \
	"                           $PROFILECLI_PASSWORD)\n"                                \
	"      --token T            Bearer auth ($PROFILECLI_TOKEN; flags given replace\n" \
	"                           the variables, and Basic wins over a token)\n"        \
	"      --ca-cert FILE       trust these CAs; --insecure-skip-verify trusts any\n"    \
	CMD_TIMEOUT_HELP

/* Where code is found (view's source pane, list): the options cmd_source.c parses. */
#define CMD_CODE_HELP                                                                    \
	"      --source-path DIR    look for files under DIR, or DIR1:DIR2... in turn\n"    \
	"                           (pprof's; default: .)\n"                             \
	"      --trim-path PREFIX   strip PREFIX from the profile's paths first (pprof's)\n"  \
	"      --repo PATH|URL      a git repository, read at --ref without checkout\n"    \
	"      --ref REF            branch, tag or commit (default: HEAD, a remote's\n"   \
	"                           default branch; needs --repo)\n"                   \
	"      --root PATH          the service's directory inside the repository\n"     \
	"      --offline            never clone, fetch or call GitHub\n"                \
	"      --github-api URL     GitHub API base (Enterprise: https://HOST/api/v3)\n"

/* --timeout, in CMD_STORE_OPTIONS: it also bounds fetching a SOURCE URL (pprof's -timeout) */
#define CMD_TIMEOUT_HELP                                                                 \
	"      --timeout SECONDS    give up on a URL after this long (pprof's -timeout;\n" \
	"                           default: a SOURCE URL's ?seconds=N plus half, else\n"  \
	"                           60; --url: 300)\n"

/*
 * --seconds N, pprof's -seconds, for the verbs that read a SOURCE (not in
 * CMD_STORE_OPTIONS: the store and a server take a range instead).  cmd_store_opt()
 * parses it into src->seconds; every http(s) SOURCE URL, a diff's base too, is then
 * fetched with seconds=N (load_url_seconds()), and the fetch's default timeout is N plus
 * half, as for a URL that says ?seconds=N.  A file beside such a URL (diff's other side)
 * is read as it is, as pprof reads it; cmd_check_seconds() refuses --seconds when none
 * of the verb's sources is a URL.
 */
#define CMD_SECONDS_OPTION { "seconds", required_argument, NULL, CMD_OPT_BASE + 217 }
#define CMD_SECONDS_HELP                                                                 \
	"      --seconds N          ask an http(s) URL for N seconds of profile: sets its\n" \
	"                           seconds=N (pprof's -seconds); --timeout: N plus half\n"

/*
 * 0 when --seconds is unset or one of srcs[0..n) (NULL entries skipped: no such source)
 * is an http(s) URL; else one line, "--seconds applies to an http(s) profile URL", and 2.
 */
int cmd_check_seconds(const char *verb, const struct cmd_store_src *st,
		      const char *const *srcs, size_t n);

/*
 * 1 when c was one of CMD_STORE_OPTIONS (or CMD_BASE_OPTIONS), 0 when not, -1 (message
 * printed; the verb returns 2) when bad: the times, --aggregate, --codec, and the
 * syntax of --query and --profile-type are checked here, before anything is opened.
 */
int cmd_store_opt(int c, const char *arg, struct cmd_store_src *src);
/*
 * The words after a verb's options, args[0..n), against what it takes: `words` (e.g.
 * { "REGEX", "SOURCE", NULL }) from a SOURCE, the first nstore of them with the store
 * or a server (st->used); and st's options against each other (--db with --url, --codec
 * without a server).  0, or one line "smolder VERB: ... (see smolder VERB --help)" —
 * the missing word, the unexpected one, or a store option beside a SOURCE — and 2.
 */
int cmd_check_args(const char *verb, const struct cmd_store_src *st, int n, char **args,
		   const char *const *words, int nstore);
/*
 * The backend a verb reads: a server with --url (or $PROFILECLI_URL when there is no
 * --db), else the store (--db, or the default path).  *name gets what to call it (the
 * URL without credentials, or the store's path).  Prints the error on failure and
 * returns 2 for options that do not go together, 1 for the rest; *out belongs to the
 * caller (backend_close), its cancel flag is env's.
 */
int cmd_open_backend(const struct cmd_store_src *src, const struct cmd_env *env,
		     struct backend **out, struct buf *name);
/*
 * A verb's profile: from the store or a server when st->used, else from SOURCE src;
 * then the sample index.  Prints the error and returns non-zero on failure (2 for a
 * usage error: a bad or empty range, options that do not go together); *out and ld->*
 * belong to the caller (ld is filled only from a store or server).
 */
int cmd_load_any(const struct cmd_store_src *st, const char *src, const struct cmd_env *env,
		 const char *sample_index, struct prof **out, int *type, struct cmd_loaded *ld);
/*
 * The store or a server opened for a verb that merges more than once (list: one merge
 * per version of the service): the range, --query, --aggregate, the backend and the
 * profile type, resolved and checked as cmd_load_src() does (it is cmd_store_open() and
 * one cmd_store_merge()).  Each function prints its error (one line) and returns
 * non-zero on failure; cmd_store_open() (and cmd_load_src*()) 2 for a usage error (a
 * bad or empty range, --aggregate, --query's syntax, --db with --url), 1 for the rest.
 * `out` belongs to the caller until cmd_store_close() (also after a failed open; a
 * zeroed one is fine).
 */
struct cmd_store_read {
	struct backend *be;
	struct buf name;        /* the store's path or the server's URL (no credentials) */
	struct buf ptype;       /* the profile type: --profile-type, else the only one */
	const char *query;      /* --query, "{}" without one (borrowed from src) */
	struct selector *sel;   /* it, parsed */
	struct query q;         /* ptype, sel, the range, --aggregate */
};

int cmd_store_open(const struct cmd_store_src *src, bool base, const struct cmd_env *env,
		   struct cmd_store_read *out);
void cmd_store_close(struct cmd_store_read *r);
/* A new selector (*out, the caller's): --query plus name="value". */
int cmd_store_selector(const struct cmd_store_read *r, const char *name, const char *value,
		       struct selector **out);
/*
 * Merges r->q, over sel instead of --query when not NULL; when nothing is in the range
 * the message says when the selector does have data.  *out and info belong to the caller.
 */
int cmd_store_merge(struct cmd_store_read *r, const struct selector *sel, struct prof **out,
		    struct merge_info *info);
/* Prints the error and returns non-zero on failure; *out and info->* belong to the caller. */
int cmd_load_src(const struct cmd_store_src *src, bool base, const struct cmd_env *env,
		 struct prof **out, struct cmd_loaded *info);
/*
 * diff's two sides: [--from, --to) into *out and info, and the baseline into *base and
 * base_info, of the new side's profile type.  Both ranges are read against one clock
 * reading, before either side is merged, and the default baseline is the same length
 * just before the new side's resolved range: however long the first merge takes, the
 * two never overlap.  Prints the error and returns non-zero on failure (nothing is then
 * left to free); all four belong to the caller.
 */
int cmd_load_src_pair(const struct cmd_store_src *src, const struct cmd_env *env,
		      struct prof **out, struct cmd_loaded *info, struct prof **base,
		      struct cmd_loaded *base_info);
void cmd_loaded_release(struct cmd_loaded *info);
/*
 * "Aggregation: average of 360 profiles, FROM to TO" (no newline) into out, for a merge
 * mi of [from_ns, to_ns): "the screen says which" — summed or averaged (gauges).  side
 * (not NULL): "Aggregation (base): ...".  cmd_aggregation_note: the same for a load.
 */
int cmd_merge_note(const struct merge_info *mi, int64_t from_ns, int64_t to_ns,
		   const char *side, struct buf *out);
int cmd_aggregation_note(const struct cmd_loaded *info, struct buf *out);
/* cmd_merge_note on a line of its own in f, terminal-safe. */
void cmd_put_merge_note(FILE *f, const struct merge_info *mi, int64_t from_ns, int64_t to_ns,
			const char *side);

/*
 * __name__ of a profile ingested or uploaded without one: Pyroscope's rule on its sample
 * types (labels_metric_name), except that a contention profile whose file name (path's
 * last component) says "block" is block: Go's block and mutex profiles have the same
 * sample types.  Borrowed from p or static.
 */
const char *cmd_metric_name(const struct prof *p, const char *path);

/*
 * Adds one --extra-labels flag to ls: NAME=VALUE or NAME:VALUE split at the first '=' or
 * ':' (profilecli's kingpin map); a comma list whose every piece is NAME=VALUE (a label
 * name, no other '=') is several labels.  Names starting with "__" (but __session_id__)
 * are refused unless reserved_ok (upload passes __name__ on to a server).
 */
struct labelset;
int cmd_extra_labels(struct labelset *ls, const char *arg, bool reserved_ok);

/*
 * getopt_long_only() with pprof's spellings and one-line errors.  A single-dash word
 * longer than two characters (-nodecount=3, -flat, -inuse_space) is only ever a long
 * option, never a cluster of short ones: one of opts by its exact name (as Go's flag
 * package reads it), else an error naming it — "pprof's -http is not supported" for
 * pprof's options smolder lacks, "unknown option" for others.  -n10 (a short option
 * taking a number, attached) still works.  Every error (also a missing value) is one
 * line on stderr, and the return is then '?': the verb returns 2.  Otherwise the
 * option's val (optarg set), or -1 at the end.  Call with optind = 1 first, as getopt.
 */
struct option;
int cmd_getopt(const char *verb, int argc, char **argv, const char *shortopts,
	       const struct option *opts);

/*
 * pprof's legacy sample-index flags (-inuse_space, -alloc_objects, -total_delay, ...):
 * put CMD_PPROF_SAMPLE_OPTIONS in the table of a verb with --sample-index; for an
 * option c, cmd_pprof_sample_index() is the sample index it stands for, or NULL.
 */
#define CMD_PPROF_SAMPLE_OPTIONS                                           \
	{ "inuse_space", no_argument, NULL, CMD_OPT_BASE + 300 },           \
	{ "inuse_objects", no_argument, NULL, CMD_OPT_BASE + 301 },         \
	{ "alloc_space", no_argument, NULL, CMD_OPT_BASE + 302 },           \
	{ "alloc_objects", no_argument, NULL, CMD_OPT_BASE + 303 },         \
	{ "total_delay", no_argument, NULL, CMD_OPT_BASE + 304 },           \
	{ "contentions", no_argument, NULL, CMD_OPT_BASE + 305 }
const char *cmd_pprof_sample_index(int c);

#define CMD_PPROF_SAMPLE_HELP                                                             \
	"pprof's -inuse_space, -inuse_objects, -alloc_space, -alloc_objects, -total_delay\n" \
	"and -contentions pick the sample index as pprof does.\n"

/* 0 when fmt is one of the NULL-terminated `allowed`; else prints why and returns 2. */
int cmd_check_format(const char *verb, const char *fmt, const char *const *allowed);
/*
 * A terminal named as an output path (-o /dev/tty, /dev/stderr on one), opened for
 * writing (the caller closes it); else -1.  It gets what standard output gets on a
 * terminal: no pprof (binary), control characters escaped.
 */
int cmd_open_terminal(const char *path);
/*
 * pprof's -nodecount: an integer as Go's flag package reads it (0x, 0o, 0b, a leading 0
 * for octal, '_' between digits), *out the rows to show; zero or negative: all of them
 * (pprof truncates only at a positive count).  Else prints why and returns 2.
 */
int cmd_parse_nodecount(const char *verb, const char *arg, long *out);

/*
 * pprof (and Prometheus) read regexes as RE2; PCRE2, which smolder compiles them with,
 * also takes what RE2 refuses.  0 when re is free of those (lookaround, backreferences,
 * \C, atomic groups, possessive quantifiers, recursion, conditionals, (*VERBS)); else
 * one line naming `what` (the option) and -1.
 */
int cmd_check_re2(const char *what, const char *re);

/* 1 when c was a transform option, 0 when not, -1 (message printed) when bad. */
int cmd_transform_opt(int c, const char *arg, struct cmd_transform *t);
/*
 * The options every profile-reading verb shares, for its getopt loop's default case: a
 * pprof sample-index shorthand (into *sample_index), the store or server source, the
 * transform.  1 when taken, 0 when not one of them, -1 when bad (already said).
 */
int cmd_shared_opt(int c, const char *arg, const char **sample_index, struct cmd_store_src *st,
		   struct cmd_transform *t);
/* Applies t to *p (replaced; the old one freed); prints the error on failure. */
int cmd_transform(struct prof **p, const struct cmd_transform *t);

#endif
