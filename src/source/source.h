/*
 * source.h — finding the source file of a profiled function: plain files (pprof's
 * --source-path/--trim-path), git repositories read at a ref with libgit2 (local clones,
 * and bare clones of remote URLs cached on disk), the GitHub contents API, and Grafana
 * Pyroscope's resolution rules (`.pyroscope.yaml` mappings, then the Go, Python, Java
 * and JavaScript/TypeScript rules of ../shared/spec/source-mapping.md).
 *
 * Owner: src/source/ (the only module that uses libgit2).  Thread-safe: source_find()
 * keeps no state between calls except the disk cache and bare clones under cache_dir
 * (clones are serialised with a lock file) and the run's memo the caller passes
 * (opts->memo, below); run it on a worker thread — it may clone.
 *
 * Ownership: everything in struct source_opts is borrowed for the call.  A struct
 * source_file and a struct source_trace are embedded by the caller, start zeroed
 * (SOURCE_FILE_INIT, SOURCE_TRACE_INIT) and own their strings; release them with
 * source_file_release() / source_trace_release() (both accept a zeroed struct).
 *
 * Order (`smolder resolve` prints it step by step).  A file: URL of this machine,
 * file:///abs or file://localhost/abs (Node.js names ES modules file:///app/x.mjs), is
 * the path it names, percent escapes undone, in every step (`.pyroscope.yaml` prefixes,
 * the language rules, the plain paths); any other file: name — another host's file, an
 * escaped NUL or '/', file:/abs without the // — is no file of this machine: the plain
 * paths refuse it and no rule reads it (not even the Go path search's suffixes).
 *  1. repository, ref and root path: opts->repo/ref/root, else the series labels
 *     service_repository, service_git_ref, service_root_path (each one independently).
 *     A label may only name an http(s) URL; local paths and other URL schemes come from
 *     the flags alone (a profile must not make smolder open arbitrary local repositories).
 *     No ref means HEAD (a local clone is still read from its objects, never the work tree).
 *     opts->ref with no repository at all is ERR_USAGE: plain files are no version.
 *  2. With a repository: Pyroscope's rules against it — `<root>/.pyroscope.yaml` read at
 *     the ref, the longest matching mapping, the language rules, the fallback by file
 *     extension — then the plain paths of step 3 as a last resort.  With a ref (the
 *     option or the label) those leave the local repository's work tree alone — the
 *     directory of --repo PATH or of a file: URL, and the trees `git worktree add`
 *     linked to it (each is no version: uncommitted files, or another version's
 *     checkout) — and the search ends "not at REF"; files outside it (the Go
 *     installation, /usr/include) are no version of the repository and are still read.
 *     With no ref (HEAD) the work tree is read as before.
 *     Without one: the plain paths first (pprof's behaviour), then Pyroscope's rules with
 *     --source-path standing in for the repository (and GitHub for the Go and Python
 *     standard libraries, Go modules and `github` mappings).  There the Go path search
 *     first cuts the module path of the directory's go.mod from the file's, and never
 *     ends at a bare file name (cpuwork/main.go is not ./main.go of another program).
 *  3. Plain paths: pprof's trimming (--trim-path, or the base name of a --source-path
 *     directory found in the path, and /proc/self/cwd/), then an absolute path that
 *     exists (only a clean one: no `.` or `..` segments), or a relative one under each
 *     --source-path directory in turn.  --source-path is pprof's list, DIR1:DIR2...;
 *     where it stands in for the repository (step 2), the rules read its first
 *     directory that exists.
 *
 * Where files are read (a "place"): a local git repository (read at REF without checkout;
 * owner validation relaxed, see below); a remote URL: its bare clone in
 * <cache>/repos/<sanitised url>, cloned on first use (progress through opts->progress)
 * and fetched once when the ref is missing or a branch/tag clone is older than the TTL —
 * except GitHub repositories without a clone, which use the contents API for the single
 * file (opts->clone_github forces a clone); a plain directory.  Files fetched over the
 * network are cached per (repository, ref, path) in <cache>/files; content at a full
 * commit id is cached for good, at a branch or tag for cache_ttl seconds.
 *
 * Safety: a path never escapes its repository or directory (lexical cleaning, `..`
 * escapes refused, symlinks followed only while they stay inside — in git trees and on
 * disk); files over SOURCE_MAX_BYTES and binary files (a NUL in the first 8 KiB) are
 * refused with a message; the GitHub token is sent only to the configured API origin
 * (never across a redirect to another one) and never appears in traces or messages;
 * credentials in URLs are removed from everything shown; a clone or fetch stops past
 * SOURCE_CLONE_MAX bytes (opts->clone_max_bytes, $SMOLDER_CLONE_MAX) and is refused, and
 * <clone>.toobig keeps later lookups from downloading it again under the same limit.
 * Every error message is one line.
 *
 * Deliberate differences from Pyroscope (each one a bug or gap in its code, see the spec
 * §6.2): prefixes match whole path segments (`java` does not match `javax/...`; function
 * names also break at `.` and `$`); a function-name match on a path-based mapping keeps
 * the whole file path instead of cutting it at the function prefix's length;
 * site-packages/dist-packages under pythonX.Y/ are packages, not the standard library;
 * a Go module-cache path (`.../pkg/mod/x@v1.2.3/src/y.go`) or a GOPATH path whose
 * version sits after a src/ segment is not the standard library, nor is a file name longer
 * than PATH_MAX (4096 bytes: no toolchain opened it); `/vN` is removed only
 * as a whole path segment (`v8js` and `.../v2/sub` stay intact); Go releases before 1.21
 * use the tag go1.N for X.N.0; module-cache case escapes (`!a` → `A`) are undone in the
 * whole module path and its version, before go.mod's require/replace and go-get see
 * them; sub-module tags (`sub/vX.Y.Z`) are tried before the plain version; go.mod
 * is read from the root path first, then the repository root; `./` and `../` replace
 * directives read the file from the service repository; a local Go installation
 * (opts->goroot) serves the standard library when its version matches (or when the
 * profile has no version and no `$GOROOT/src` mapping exists, instead of `master`);
 * dotted Java names (`org.example.App.run`) and lambda classes (`X$$Lambda$1/0x...`)
 * map to their class's file, and with no mapping a JVM frame (file "" or X.java) is
 * looked for as <root>/src/main/java/a/b/Class.java, then <root>/a/b/Class.java; `.pyroscope.yaml` and fetched files are cached; GitHub
 * files are read raw (no 1 MB limit; our limit is SOURCE_MAX_BYTES).  pprof walks up
 * the parents of its search path; we do not (nothing outside --source-path is read
 * except existing absolute paths, as pprof does).
 *
 * Process-wide state: libgit2 and libcurl are initialised once per process through a
 * pthread_once in source.c and never shut down; that once also turns libgit2's owner
 * validation off (GIT_OPT_SET_OWNER_VALIDATION 0) so that a clone belonging to another
 * user (a deploy account) can be read — this module only ever reads repositories it did
 * not create.  Nothing else is global.
 */
#ifndef SMOLDER_SOURCE_H
#define SMOLDER_SOURCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SOURCE_MAX_BYTES (4u << 20) /* larger files are refused (ERR_TOOBIG) */
#define SOURCE_BINARY_PROBE 8192    /* a NUL in this many first bytes: binary, refused */
#define SOURCE_DEFAULT_TTL 600      /* seconds a file at a branch or tag stays cached */
/* bytes one clone or fetch may download; more is refused (ERR_TOOBIG) */
#define SOURCE_CLONE_MAX ((uint64_t)1 << 30)

struct labelset;

/*
 * A run's memory (memo.c): what one run of smolder — a `list`, an explorer session —
 * learns while it looks for code, shared by the source_find() calls given it through
 * opts->memo: what remote places answered for (place, ref, path), files or errors; each
 * `.pyroscope.yaml` parsed, by (place, ref, root), local ones included; HTTP origins
 * that could not be reached (not asked again: the error says so); clone URLs whose clone
 * failed, whatever failed (not tried again); refs a fetch did not find, by (URL, ref)
 * (not fetched for again).  So a run asks GitHub once per file, and a silent
 * server costs one timeout, not one per function.  Failures are forgotten 60 s after
 * they happened (a network error on one request, a dropped connection, is not
 * remembered for the origin at all); answers are kept until source_memo_free(): a run
 * that must see new commits needs a new memo.  Bounded
 * (entries and kept bytes; past them lookups are simply not remembered).  Thread-safe.
 * Without a memo, each source_find() call keeps one for itself.
 * source_memo_new: 0 or ERR_NOMEM; source_memo_free(NULL) is a no-op.
 */
struct source_memo;

int source_memo_new(struct source_memo **out);
void source_memo_free(struct source_memo *m);

/*
 * Progress of slow work (clone, fetch, download), called on the calling thread: `what`
 * is a short one-line description ("cloning https://host/x.git"), done/total count
 * objects or bytes (total 0 when unknown).  Keep it quick; cancel through opts->cancel.
 */
typedef void (*source_progress_fn)(void *arg, const char *what, uint64_t done,
				   uint64_t total);

struct source_opts {
	const char *repo;         /* --repo PATH|URL; NULL: label service_repository */
	const char *ref;          /* --ref REF; NULL: label service_git_ref; neither: HEAD */
	const char *root;         /* --root PATH in the repository; NULL: label service_root_path */
	const char *source_path;  /* --source-path DIR1:DIR2... (pprof); NULL: none */
	const char *trim_path;    /* --trim-path PREFIX[:PREFIX...] (pprof); NULL: guess */
	const char *github_api;   /* NULL: https://api.github.com (GitHub Enterprise: its /api/v3) */
	const char *github_token; /* NULL: $GITHUB_TOKEN; "" : none */
	const char *cache_dir;    /* NULL: $XDG_CACHE_HOME/smolder, else ~/.cache/smolder;
				   * over 1,023 bytes: nothing is cached, and a step
				   * that needs a clone fails saying so */
	const char *goroot;       /* local Go installation; NULL: $GOROOT, /usr/local/go, /usr/lib/go */
	long cache_ttl;           /* 0: SOURCE_DEFAULT_TTL; < 0: branch/tag files not cached */
	bool offline;             /* no network at all: no GitHub, clone, fetch or go-get */
	bool clone_github;        /* clone GitHub repositories instead of using the API */
	uint64_t clone_max_bytes; /* 0: $SMOLDER_CLONE_MAX, else SOURCE_CLONE_MAX */
	struct source_memo *memo; /* the run's memory; NULL: one per call */
	atomic_int *cancel; /* polled; set → ERR_CANCELLED soon */
	source_progress_fn progress;   /* may be NULL */
	void *progress_arg;
};

enum source_origin {
	SOURCE_LOCAL_FILE, /* a file on this machine (local_path is set) */
	SOURCE_GIT,        /* a git repository read with libgit2 (local clone or cached clone) */
	SOURCE_GITHUB,     /* the GitHub contents API */
	SOURCE_HTTP,       /* another web source (go.googlesource.com) */
};

struct source_file {
	enum source_origin origin;
	char *path;       /* path inside the repository, or on disk for local files */
	char *repo;       /* repository path or URL (no credentials); NULL for local files */
	char *ref;        /* the ref read (NULL for local files and plain directories) */
	char *commit;     /* full commit id when known (git; a commit-id ref), else NULL */
	char *url;        /* web page of the file (GitHub), else NULL */
	char *local_path; /* the file on disk an editor can open (SOURCE_LOCAL_FILE), else NULL */
	bool cached;      /* served from the disk cache */
	char *data;       /* the content, NUL-terminated (not counted in len) */
	size_t len;
};

#define SOURCE_FILE_INIT { SOURCE_LOCAL_FILE, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, 0 }

/* Every step tried, one line each, in order (untrusted text: make it terminal-safe). */
struct source_trace {
	char **lines;
	size_t n, cap;
};

#define SOURCE_TRACE_INIT { NULL, 0, 0 }

/*
 * Finds the source of function_name (may be NULL or "") defined in file_path (the
 * profile's Function.filename).  series_labels may be NULL.  trace may be NULL.
 * Returns 0 with *out filled; ERR_NOTFOUND when no place has it (the message says how
 * many places were tried, or the network/auth error met on the way); ERR_TOOBIG or
 * ERR_UNSUPPORTED when the file was found but is too large or binary; ERR_CANCELLED;
 * ERR_USAGE for unusable options; ERR_NOMEM.  *out is left zeroed on failure.
 */
int source_find(const struct source_opts *opts, const struct labelset *series_labels,
		const char *function_name, const char *file_path, struct source_file *out,
		struct source_trace *trace);

/*
 * Whether source_find() takes this service_repository label value (step 1: only http(s)
 * URLs; a local path or another scheme must come from the options).
 */
bool source_label_repo_ok(const char *value);

/*
 * The versions of a service (versions.c): series grouped by their service_git_ref label.
 * Line numbers of two versions of a file must never be added up, so whoever shows
 * per-line costs of data from a store or a server merges each version on its own (the
 * query plus service_git_ref="REF"; "" selects the series without the label) and reads
 * its code with that version's labels (source_version_labels() → source_find()).
 *
 * Ownership: source_versions_group() returns a calloc'd array of *nout versions whose
 * strings (and `prof`, which the caller may set) belong to it; source_versions_free()
 * frees all of it (NULL is fine).  The label sets it reads are only borrowed.
 */
#define SOURCE_VERSIONS_MAX 16  /* versions split at most; the rest are only counted */

struct prof;

struct source_version {
	char *ref;             /* "" when the series have no service_git_ref */
	char *repo, *root;     /* service_repository / service_root_path of most of its
				* series (not yet checked: see source_label_repo_ok); NULL: none */
	bool mixed;            /* its series disagree on the repository or the root */
	uint32_t nseries;
	struct prof *prof;     /* the caller's: this version's merged data, or NULL */
};

/*
 * Groups the label sets of n series by service_git_ref: *out sorted by ref (strverscmp,
 * so v2 < v10; "" first), at most SOURCE_VERSIONS_MAX (those with the most series);
 * *nall counts every distinct ref.  No series: *out NULL, *nout 0.  ERR_NOMEM.
 */
int source_versions_group(const struct labelset *series, size_t n,
			  struct source_version **out, size_t *nout, size_t *nall);
/* Adds v's labels (those it has) to out, for source_find()'s series_labels; v may be NULL. */
int source_version_labels(const struct source_version *v, struct labelset *out);
void source_versions_free(struct source_version *v, size_t n);

/* "local file", "git clone", "GitHub", "web". */
const char *source_origin_name(enum source_origin origin);

void source_file_release(struct source_file *f);
void source_trace_release(struct source_trace *t);

#endif
