/*
 * tui_int.h — state shared by the explorer's files (app, screen, views).  Only src/tui
 * includes it.  The app owns the profile, the tree, and every derived view result; the
 * views compute from them with the pure functions of src/profile and only draw.
 */
#ifndef SMOLDER_TUI_INT_H
#define SMOLDER_TUI_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "profile/diff.h"
#include "profile/flame.h"
#include "profile/list.h"
#include "profile/search.h"
#include "profile/top.h"
#include "profile/tree.h"
#include "source/source.h"
#include "store/backend.h"
#include "theme.h"
#include "tui.h"

enum view { VIEW_FLAME, VIEW_TOP, VIEW_SANDWICH, VIEW_SOURCE, VIEW_COMPARE, VIEW_BROWSER,
	    VIEW_COUNT };

#define ZOOM_STACK_MAX 256
#define ZOOM_PATH_MAX 4096
#define PROMPT_MAX 512
#define SANDWICH_BACK_MAX 32   /* the sandwich's back stack (Esc after pivots) */
#define FILTERS_MAX 32

enum filter_kind { FK_FOCUS, FK_IGNORE, FK_HIDE, FK_SHOW, FK_SHOW_FROM, FK_TAGFOCUS,
		   FK_TAGIGNORE, FK_COLLAPSE /* recursion; no pattern */ };

struct tui_filter {
	enum filter_kind kind;
	char pat[PROMPT_MAX];
};

/*
 * Work on a thread of its own (job.c), first in each kind of job, which is heap-allocated.
 * The UI thread starts it, and either lands it (job_poll true: joined, its outputs are
 * the UI's to read) and frees it, or drops it (job_drop): a thread still running is left
 * to free the job itself when it ends (state: JOB_RUNNING → JOB_DONE or JOB_ORPHAN), so
 * a job holds everything its thread reads.
 */
enum { JOB_RUNNING, JOB_DONE, JOB_ORPHAN };

struct job {
	pthread_t th;
	bool running;                  /* UI thread only: a thread was started, not joined */
	atomic_bool done;              /* the work is over (its outputs are complete) */
	atomic_int state;              /* JOB_*: who frees the job */
	atomic_int cancel;             /* set by the UI thread, polled by work that can stop */
	double started_ms;
	void (*run)(struct job *j);    /* the work (on the thread) */
	void (*free)(struct job *j);   /* frees the whole job and what it holds (either thread) */
};

/* Sets j up (before the kind's own fields are filled): not started, started_ms now. */
void job_init(struct job *j, void (*run)(struct job *), void (*free_fn)(struct job *));
/* Runs j on its thread (async), else at once on this one; -1 when no thread could start
 * (nothing ran: the job is still the caller's to free). */
int job_start(struct job *j, bool async);
/* True once j's work is over (its thread joined): the UI may read it and free it.  j may be NULL. */
bool job_poll(struct job *j);
/* True while j's thread runs (j may be NULL). */
bool job_busy(const struct job *j);
/* Blocks until j's thread has ended (joined; j may be NULL): then job_poll() is true. */
void job_wait(struct job *j);
/* Stops waiting for j, never blocking: frees it now when its thread has ended (or none
 * was started), else tells it to stop and leaves it to its thread.  j may be NULL. */
void job_drop(struct job *j);

/*
 * A re-derivation (filters, granularity) in flight on a worker thread.  The worker reads
 * `base` (immutable; the job holds a reference of its own, prof_ref) and the copied
 * filters and fills `out`; the UI thread reads `out` only after job_poll(), and takes
 * ownership of its objects.  A job dropped while it runs (Esc, q, a new profile) stops
 * soon (inside a filter, the call tree or the tables; after the granularity or collapsing
 * recursion) and its thread frees it, letting go of `base`: the loaded profile lives
 * until the app and every job still reading it have let go.
 */
struct reload_out {
	struct prof *prof;
	struct tree *tree;
	struct top *all;
	int rc;
	char err[256];
};

struct reload_job {
	struct job job;      /* first: the job's own free() frees the whole; its cancel
			      * is polled by the steps of the derivation */
	struct prof *base;   /* a reference (prof_ref) to the loaded profile, dropped by free() */
	struct tui_filter filters[FILTERS_MAX];
	int n, gran;
	bool say_samples;
	bool background;      /* a live refresh's re-filtering: no spinner, Esc not a cancel */
	unsigned message_seq; /* the app's message_seq when the job started */
	char what[PROMPT_MAX + 32];
	/*
	 * refresh: base is new data (a live refresh) that lands with what the job derives
	 * from it; the old view and its stack stay shown until then, and filter keys meanwhile
	 * start the job again with the changed stack (background false: Esc drops both).
	 * diff, the sources and opened (a->sctx.opened) are app_install_data()'s.
	 */
	bool refresh, diff, opened, has_base_source;
	char source[1024], base_source[1024];
	struct reload_out out;
};

/*
 * An export (`e`) being written on a worker thread.  Its inputs are copies but `src`,
 * borrowed from the app (the shown profile, or a sandwich half) until the app lets go of
 * it: export_view_prof_free() then sets `own` to it, which the job frees.  The outputs
 * (rc, err, len) are read after job_poll().
 */
struct export_job {
	struct job job;                    /* first */
	const struct prof *src;
	struct prof *own;                  /* src, once handed over */
	uint32_t path[ZOOM_PATH_MAX];      /* the zoom path in src (string ids) */
	uint32_t npath;                    /* 0: the whole of src */
	char focus[PROMPT_MAX];            /* the top table's row filter, as -focus; "": none */
	bool reverse;                      /* src is the sandwich's callers half: stacks turned */
	int fmt;                           /* index in export_view.c's formats */
	uint32_t type;
	bool diff, diff_form;              /* src is a prof_pair(); write the -diff_base form */
	bool new_side;                     /* the worker wrote a difference's new side */
	bool replace;                      /* the user said y to overwriting file */
	char *source;                      /* the header's source (a title); may be NULL */
	char file[PROMPT_MAX];
	size_t len;
	int rc;
	char err[256];
};

struct screen {
	bool utf8;     /* block glyphs and "…" when the locale is UTF-8 */
	bool colour;   /* colours in use */
	int depth;     /* 0 none, 8, 256, or 0x1000000 (direct) */
	int role_attr[ROLE_COUNT];   /* attributes incl. COLOR_PAIR for each role */
	int pal_attr[THEME_PALETTE_MAX]; /* flame frames: text on palette colour */
	int pal_dim_attr;
	int npal;
	int diff_attr[2 * DIFF_STEPS + 1]; /* the diff scale: [DIFF_STEPS + step] */
};

struct flame_state {
	uint32_t zoom;
	uint32_t zoom_stack[ZOOM_STACK_MAX];
	int nzoom;
	uint32_t sel;       /* selected node */
	bool sel_plus;      /* the "+N" cell of sel's hidden children is selected */
	bool flame_up;      /* root at the bottom (flame) instead of the top (icicle) */
	bool by_size;
	uint32_t scroll;    /* first visible row (depth below the zoom root) */
	struct flame layout;
	int area_y, area_x, area_h, area_w;  /* where it was last drawn (for the mouse) */
};

/*
 * Which values a pane draws.  Without a baseline every pane is PANE_ONE.  In a diff the
 * tree carries both sides (prof_pair): PANE_ONE then draws base + new coloured by change;
 * the comparison view's panes draw one side each.
 */
enum pane_side { PANE_ONE, PANE_NEW, PANE_BASE };

/* A flame graph on screen: the tree it draws (borrowed) and its view state. */
struct flame_pane {
	const struct tree *tree;
	enum pane_side side;
	bool callers;  /* the sandwich's callers: a node's self there is not the function's */
	struct flame_state fl;
};

/*
 * The two halves of a sandwich computed on a worker thread (sandwich_view.c), so that
 * opening or pivoting it on a large profile never stalls the screen.  The worker reads
 * `prof` (immutable; a reference of the job's own, prof_ref) and fills the outputs; the
 * UI thread reads them only after job_poll() and takes them.  A job dropped while it runs
 * (another pivot, Esc, q, new data) stops soon (between the steps, inside the trees) and
 * its thread frees it and lets go of `prof`.  focus_callers and path[] are the selection
 * to restore when it lands (a sandwich kept across new data): owned, freed by free().
 */
struct sandwich_job {
	struct job job;             /* first; its cancel is polled by the tree builds */
	struct prof *prof;
	uint32_t name;              /* the function, a string id of prof */
	bool restore, focus_callers;
	char **path[2];
	uint32_t npath[2];
	struct prof *callers_prof, *callees_prof;
	struct tree *callers_tree, *callees_tree;
	int rc;
	char err[256];
};

struct sandwich_state {
	/*
	 * The function (a string id of `from`, the profile the halves were computed from, a
	 * reference); 0 when none is chosen.  While new data's sandwich is computed, `from`
	 * is the old profile, no longer a->prof: the old halves stay on screen until then.
	 */
	uint32_t name;
	struct prof *from;
	struct sandwich_job *job;   /* the pivot in flight (shown when it lands), or NULL */
	struct prof *callers_prof, *callees_prof;
	struct tree *callers_tree, *callees_tree;
	struct flame_pane callers;  /* drawn with the function at the bottom */
	struct flame_pane callees;  /* the function on top */
	bool focus_callers;
	int divider_y;
	/*
	 * Esc goes back: the functions pivoted from (Enter on a caller or a callee), oldest
	 * first, by name (owned copies: the data may be replaced in between); the oldest
	 * gives way when it is full.  Kept while the halves are recomputed (a pivot, new
	 * filters, a live refresh); a sandwich chosen from another view starts afresh.
	 */
	char *back[SANDWICH_BACK_MAX];
	uint32_t nback;
};

/*
 * The explorer session's memo (source.h: struct source_memo), shared with its searches:
 * what each remote place answered, each `.pyroscope.yaml` parsed, servers that did not
 * answer and clones that failed, so that moving from function to function does not ask
 * or clone again.  Reference-counted because a search the pane stops waiting for (left
 * to its thread) may outlive a swap (r, a typed setting) or the app: the app holds one
 * reference, each search one; whoever drops the last frees it.
 */
struct source_memo_ref {
	atomic_int refs;
	struct source_memo *memo;
};

/*
 * Finding a routine's code on a worker thread (source_find may clone or download).  All
 * inputs are copied in before it starts (opts' strings point into the copies or into the
 * app's options, which outlive it; opts.memo is held by a reference, `memo`); the worker
 * owns `file` until `done`; the UI thread joins and takes it.  `key` names what was asked
 * (function, path, settings, labels): a result is kept only while the pane still wants
 * that key.
 */
/*
 * A search for a routine's code, on its own thread.  Heap-allocated: a job the UI stops
 * waiting for (a clone that hangs on a silent server) is handed to its thread, which
 * frees it when source_find returns (state: JOB_RUNNING → JOB_DONE or JOB_ORPHAN).
 */

struct source_job {
	struct job job;                /* first; its cancel is polled by source_find */
	struct source_opts opts;
	struct source_memo_ref *memo;  /* a reference (opts.memo is its memo), or NULL */
	char repo[PROMPT_MAX], ref[PROMPT_MAX], root[PROMPT_MAX], source_path[PROMPT_MAX];
	struct labelset labels;        /* the version's service_* labels; empty: none */
	char function[1024], path[4096];
	char *key;
	struct source_file file;
	int rc;
	char err[256];
};

#define SOURCE_PATH_MAX 8192

/*
 * The longest service name kept whole: label values are at most 2,048 bytes in the
 * store's ingest as in Pyroscope's (a fixed size: the query is copied into jobs).
 */
#define SOURCE_SERVICE_MAX 2048

/* The query a profile was opened with from a store or a server (the browser's window). */
struct source_query {
	bool set;
	char service[SOURCE_SERVICE_MAX + 1], ptype[512], sel_text[PROMPT_MAX];
	struct time_range range;
	enum aggregate agg;        /* as the shown profile was merged (--aggregate) */
	/* Z: the call path the profile is narrowed to, npath names each ended by '\0' */
	char path[SOURCE_PATH_MAX];
	size_t path_len;
	uint32_t npath;
};

/*
 * Reading the versions (series, then one merge per version) on a worker thread through
 * its own handle on the app's backend.  Inputs are copies; the worker owns v[] until
 * `done`.  Heap-allocated: a read the UI stops waiting for (it may wait for the browser's
 * call on the shared backend, behind a slow server) is handed to its thread, which frees
 * it and closes the handle (state: JOB_RUNNING → JOB_DONE or JOB_ORPHAN).
 */
struct source_vjob {
	struct job job;                /* first; its cancel is the backend's */
	struct backend *be;            /* owned: backend_share_more() of the app's handle */
	struct source_query q;
	struct tui_filter filters[FILTERS_MAX];
	int nfilters;
	uint64_t gen;
	struct source_version *v;
	size_t nv, nall;
	int rc;
	char err[256];
};

/* What was typed at the ':' prompt (repo=, ref=, root=, source_path=); "" not typed. */
struct source_typed {
	char repo[PROMPT_MAX], ref[PROMPT_MAX], root[PROMPT_MAX], source_path[PROMPT_MAX];
};

enum source_setting_kind { SS_REPO, SS_REF, SS_ROOT, SS_SOURCE_PATH, SS_COUNT };
enum source_from { SF_NONE, SF_FLAG, SF_LABEL, SF_LABEL_IGNORED, SF_TYPED };

/* One effective setting and where it came from (strings borrowed from the inputs). */
struct source_setting {
	const char *value;     /* what source_find uses; NULL: none */
	enum source_from from;
	const char *ignored;   /* SF_LABEL_IGNORED: the label's value */
};

/*
 * The source pane's knowledge that outlives one function (app-level): where the shown
 * profile came from, the versions of the service in it, and what the user typed.  The
 * versions are replaced as a whole when a vjob lands; until then the old ones stay shown.
 */
struct source_ctx {
	struct backend *be;        /* owned handle on the browser's backend (backend_share); NULL for files */
	struct source_query q;     /* of the shown profile (q.set false: not from a backend) */
	bool opened;               /* source_versions_opened() ran for the profile being installed */
	struct source_version *v;  /* owned (source/source.h); nv <= 1: the data is not split;
				    * else each v[i].prof is its merge, filtered like the shown one */
	size_t nv, nall;           /* nall: distinct refs before SOURCE_VERSIONS_MAX */
	bool known;                /* v was read (maybe for older data: have_gen < gen) */
	uint64_t gen, have_gen;    /* bumped when the data or the filters change / what v is of */
	bool hard;                 /* since have_gen the query or the filters changed, not just time */
	bool cancelled;            /* Esc stopped a read: none starts until r or other data */
	double fetched_ms;
	char why[256];             /* why the versions could not be read */
	struct source_vjob *job;   /* the read in flight, or NULL */
	struct source_typed typed;
	struct source_memo_ref *memo;  /* the session's (a reference); NULL: one per search */
};

#define SOURCE_VERSIONS_REFRESH_MS 10000  /* a moving (live) range re-splits at most this often */

/* View 4: the per-line numbers of one function and, once found, its code. */
struct source_state {
	char *fname;               /* the function's name (kept across profile changes); NULL: none */
	uint32_t name;             /* its string id in `prof`; 0 when there are no numbers */
	const struct prof *prof;   /* what `list` is of: the app's profile or a version's (borrowed) */
	int ver;                   /* index into sctx.v of the version shown; -1: the data is not split */
	char *ver_ref;             /* the version the user picked (kept across refreshes) */
	struct list list;          /* its routines (one per file) */
	uint32_t routine;          /* the one shown */
	char *routine_file;        /* its file (kept across refreshes) */
	struct source_job *job;    /* the search in flight, or NULL */
	struct source_file file;   /* the code, when have_code */
	char *code_key;            /* what `file` (or `err`) answers */
	bool have_code;
	uint32_t *line_off, nlines;  /* start of each code line in file.data */
	char err[256];             /* why there is no code */
	char why[256];             /* why there are no numbers (when fname is set and name is 0) */
	bool stale;                /* the data changed while hidden: compute again when shown */
	int64_t *vcum;             /* the data split: the function's total in each version, -1 absent */
	int64_t sel, scroll;       /* selected line number; first visible row */
	struct search search;      /* / in the code */
	int area_y, area_h;
};

/* The store browser (view T): rows are service × profile type. */
struct browse_row {
	char *service, *ptype;
	uint32_t nseries;
	bool has_last;  /* a step of the range has data (any time: before 1970 too) */
	int64_t last_ns;  /* start of the last step with data (has_last) */
	int64_t last_step_ns;  /* that step's length: the push is in [last_ns, + this) */
	bool last_unknown;  /* its look-up failed (a damaged part of a store): "?" */
};

enum bjob_kind { BJ_ROWS, BJ_FIND, BJ_TIMELINE, BJ_OPEN, BJ_COMPARE, BJ_BREAKDOWN, BJ_VALUES,
		 BJ_COUNT };

/*
 * One backend call on a worker thread (job.c), through a handle of its own on the
 * browser's backend.  Inputs are copied in before it starts; the worker fills the
 * outputs; the UI thread lands it (job_poll), takes the outputs (browser_view_poll) and
 * frees the rest.  Heap-allocated: a call the UI stops waiting for (q during a slow query)
 * is dropped, and its thread frees it and closes its handle when the call returns (the
 * backend behind it lives until every handle is closed).
 */
struct bjob {
	struct job job;            /* first; its cancel is the handle's */
	enum bjob_kind kind;
	struct backend *be;        /* owned: backend_share_more() of the browser's handle */
	char *service;             /* owned: the row's ("" without one), as long as it is */
	char sel_text[PROMPT_MAX], ptype[512], label[128];
	struct time_range range, prev;
	double step_s;
	unsigned range_gen;        /* the browser's range_gen when it started */
	int rc;
	char err[256];
	struct browse_row *rows;
	size_t nrows;
	size_t nfailed;            /* BJ_ROWS: look-ups that failed (the list stands) */
	char part_err[256];        /* the first of them's reason */
	struct strvec names, values;
	struct series_points_list tl, bd;
	bool found_data;           /* BJ_FIND: found is the newest data's range */
	struct time_range found;
	size_t nseries_all;        /* BJ_FIND: series matching the selector at any time */
	int64_t looked_ns;         /* BJ_FIND: how far back it looked */
	struct prof *prof;
	struct tree *tree;
	struct top *all;
	struct merge_info info;
	bool full;                 /* merge (every line and label) rather than merge_tree */
	uint32_t max_nodes;
	char **call_site;          /* owned copies of the browser's focus (Z) */
	size_t ncall_site;
	bool live_reopen;          /* a live refresh of the opened profile (keep the view) */
	bool background;           /* the live refresh's, not the user's: no spinner, and Esc
				    * is the view's (it unzooms) rather than a cancel */
	bool live;                 /* the range was moving with the clock */
	int64_t ref_to;            /* where the moving range ended: what a refresh shifts by */
	enum aggregate agg;        /* the browser's */
};

/* The query of the profile opened from the browser, which M, Z and live refreshes ask
 * again (whatever the browser's cursor, selector or window is on by then). */
struct browse_opened {
	bool set, live;
	char *service;             /* owned (browser_view_release frees it) */
	char ptype[512], sel_text[PROMPT_MAX];
	struct time_range range;
	int64_t ref_to;            /* the browser range's end when it was opened (live) */
};

struct browser_state {
	struct backend *be;        /* owned (a backend_share handle); NULL when the source is a file */
	char name[256];            /* what the source is called ("local store", a URL) */
	char selector[PROMPT_MAX];
	int preset;
	bool live_range;           /* the range ends now and moves with it */
	bool paused;
	bool loaded, find_data, opened, breakdown;
	char list_err[256];        /* why the list could not be read ("" when it was) */
	bool first_pending;  /* the first query waits for browser_view_start() */
	enum aggregate agg;        /* how every query adds series up (--aggregate) */
	enum bjob_kind open_kind;
	int64_t from_ns, to_ns;    /* the range */
	int64_t win_from, win_to;  /* the narrowed window (0, 0: the whole range) */
	struct browse_row *rows;
	size_t nrows;
	uint32_t row, scroll;
	struct strvec names;       /* label names, for completion */
	char complete_name[128];
	double *tl;                /* the selected row's timeline */
	size_t ntl;
	int64_t tl_from, tl_step;
	unsigned range_gen;        /* counts browser_range_changed(): a timeline read before is stale */
	char bd_label[128];
	char **bd_names;
	double *bd, bd_total;
	size_t nbd_names;
	uint32_t bd_sel, bd_scroll;  /* the breakdown's selected row, first row shown */
	struct bjob *job;          /* the call in flight, or NULL */
	unsigned queued;           /* jobs to run after the current one (1 << kind) */
	unsigned bg_queued;        /* those of them the live refresh asked for */
	bool bg;                   /* what start() and enqueue() do now is the refresh's */
	uint32_t max_nodes;        /* merge_tree's limit (M doubles it) */
	bool truncated;            /* the open profile had frames folded into "other" */
	bool live_reopen;          /* the open in flight is a live refresh (keep filters, quiet) */
	bool reopen;               /* the next open asks `oq` again (M, Z, live), not the cursor */
	struct browse_opened oq;
	bool flame_only;           /* the open profile is a server's flame graph (no lines) */
	bool want_full;            /* the next open asks for the full profile (SelectMergeProfile) */
	bool last_full;            /* the open profile was asked for in full (live refreshes too) */
	char *pending_src;         /* the function whose source pane waits for it */
	char **focus;              /* Z: the call path the open profile is narrowed to */
	size_t nfocus;
	double last_refresh_ms;
	int area_y, area_h, tl_y, tl_x, tl_w;
};

struct top_state {
	struct top *all;  /* per sample type, computed once when the explorer opens */
	struct top top;   /* the current type's table, sorted */
	bool valid;
	int sort;         /* enum top_sort, or enum diff_sort in a diff */
	bool invert;
	struct diff_top dtop;  /* diff mode: the table of both sides, sorted */
	uint32_t *rows;  /* indices into top.rows (dtop.rows in a diff) that pass the filter */
	uint32_t nrows;
	uint32_t sel, scroll;
	bool chosen;      /* sel is the user's (entered by 2 or a click, or moved, filtered,
			   * sorted there): Tab passes it on; a table entered by Tab and not
			   * touched leaves the flame graph's selection to the next view */
	char *keep;       /* the selected function's name while the rows are computed again
			   * (a new sort, type or data): the selection follows it */
	struct search filter;
	char filter_pat[PROMPT_MAX];
	int area_y, area_h;
};

struct tui_app {
	struct prof *base;     /* the profile as loaded */
	struct prof *prof;     /* base with the filters applied (== base without filters) */
	int64_t *base_total;   /* per sample type: percentages are of the unfiltered total */
	bool *negative;        /* per sample type: base has negative values (pprof's -diff_base
				* form, new minus base): its graphs are coloured by change */
	struct tui_filter filters[FILTERS_MAX];
	int nfilters;
	int gran;              /* enum granularity, applied after the filters (as pprof) */
	struct tree *tree;
	struct tui_opts opts;   /* opts.backend: the app's until the browser takes it (then NULL) */
	char source_buf[1024], base_source_buf[1024];  /* opts.source after a store open */
	bool async;            /* filters run on a worker (tui_run); drivers stay synchronous */
	struct reload_job *job;      /* the re-derivation in flight, or NULL */
	struct theme theme;
	struct screen scr;
	uint32_t type;         /* 0 .. ntypes: a sample type (of the new side in a diff) */
	uint32_t ntypes;       /* the user's sample types: prof->ntypes, or half in a diff */
	bool diff;             /* prof is a prof_pair(): type + ntypes is the base side */
	struct diff_scale dscale;
	enum view view;
	struct flame_pane main;      /* view 1: main.tree is a->tree */
	struct flame_pane cmp[2];    /* view c: base (0) and new (1), in step */
	int cmp_focus;               /* the pane keys go to */
	struct sandwich_state sw;    /* view 3 */
	struct source_state src;     /* view 4 */
	struct source_ctx sctx;      /* view 4: versions, typed settings (outlive src) */
	struct browser_state br;     /* view T */
	struct top_state tp;

	/* search (flame graph) */
	struct search search;
	bool searching;
	char search_pat[PROMPT_MAX];
	int64_t matched;
	uint32_t match_pos;

	/* prompt line */
	char prompt_kind;  /* 0, '/', '#', ':', 'e' (export to), 'o' (overwrite it? y/N), ... */
	char prompt[PROMPT_MAX];
	size_t prompt_len;
	/* `/`'s pattern before it was pressed (the top table's filter, the search): Up
	 * recalls it, an empty Enter repeats it, a failed Enter or Esc puts it back */
	char prompt_prev[PROMPT_MAX];
	bool prompt_prev_on;  /* it was applied when `/` was pressed */

	int tab_x[VIEW_COUNT], tab_w[VIEW_COUNT];  /* where the tabs were drawn */
	const char *dot;  /* " · " or " - " (ASCII) */

	bool exporting;    /* `e` pressed: the next key picks the format */
	int export_fmt;
	struct export_job *export;  /* the export being written, or NULL */

	char message[256];
	bool message_error;
	unsigned message_seq; /* counts messages said, so a job landing late keeps a newer error */
	bool help;
	int help_scroll;
};

/* screen.c */
void scr_setup(struct screen *s, const struct theme *t, bool no_color);
/* The colour of a frame, by the package of its name (string name_id of p). */
int scr_frame_attr(const struct tui_app *a, const struct prof *p, uint32_t name_id);
/* Draws text (already terminal-safe) at y,x clipped to w cells; returns cells used. */
int scr_put(int y, int x, int w, const char *s, size_t n, int attr);
/* Draws an untrusted string made safe, fitted into w cells. */
int scr_put_safe(const struct tui_app *a, int y, int x, int w, const char *s, size_t n, int attr);
void scr_fill(int y, int x, int w, int attr);
/* The cells the status line (app_draw.c draw_status) leaves the view's text on w columns. */
int scr_status_room(const struct tui_app *a, int w);
/*
 * Appends `name` (raw, from the profile: made safe) fitted into what the status line
 * leaves after what out already holds and after `numbers` (terminal-safe), then the
 * numbers: a long name gives way, the numbers stay on screen.
 */
void scr_status_line(const struct tui_app *a, struct buf *out, const char *name, size_t n,
		     const struct buf *numbers);
/* Puts s[0..n) on the system clipboard through OSC 52 (works over SSH). */
void scr_clipboard(const char *s, size_t n);
void scr_message(struct tui_app *a, bool error, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* flame_view.c: any pane (the main graph, either half of the sandwich) */
void flame_view_draw(struct tui_app *a, struct flame_pane *fp, int y, int x, int h, int w);
bool flame_view_key(struct tui_app *a, struct flame_pane *fp, int key);
void flame_view_mouse(struct tui_app *a, struct flame_pane *fp, int y, int x, bool dbl);
void flame_view_reveal(struct tui_app *a, struct flame_pane *fp, uint32_t node);
/* n/N in a pane of the sandwich (floor: its function, node 1) or of the comparison
 * (floor 0): selects the next/previous match of the search drawn in that pane, in it. */
void flame_view_search_jump(struct tui_app *a, struct flame_pane *fp, uint32_t floor, int dir);
void flame_view_status(struct tui_app *a, struct flame_pane *fp, struct buf *out);
/* A diff's numbers for node n of tree t: base → new and the change. */
void flame_view_diff_status(struct tui_app *a, const struct tree *t, uint32_t n, struct buf *out);

/* sandwich_view.c */
void sandwich_view_draw(struct tui_app *a, int y, int h, int w);
bool sandwich_view_key(struct tui_app *a, int key);
void sandwich_view_mouse(struct tui_app *a, int y, int x, bool dbl);
void sandwich_view_status(struct tui_app *a, struct buf *out);
/*
 * Pivots the sandwich to the function `name` (a string id of a->prof); 0 on success.  On
 * a large profile, when the app runs its own loop, the halves are computed by a job: the
 * sandwich shown so far stays until sandwich_view_poll() lands it, and a newer pivot
 * drops the one in flight (its result is never shown).
 */
int sandwich_view_set(struct tui_app *a, uint32_t name);
/* Lands a finished pivot (true when one landed). */
bool sandwich_view_poll(struct tui_app *a);
/* True while a pivot is computed (its start time in *started_ms when not NULL). */
bool sandwich_view_busy(const struct tui_app *a, double *started_ms);
/* sandwich_view_busy() for a pivot the user asked for (not one that new data restores). */
bool sandwich_view_waiting(const struct tui_app *a, double *started_ms);
/* The function of the pivot being computed (NULL when none), *len its length; for the
 * header and status line while no sandwich is shown yet. */
const char *sandwich_view_pending_name(const struct tui_app *a, size_t *len);
/* The function a pivot in flight is for (a string id), or 0. */
uint32_t sandwich_view_pending(const struct tui_app *a);
/*
 * Esc: drops the pivot in flight at once.  The shown sandwich stays, unless it is of
 * data no longer on screen (its refresh was the pivot dropped).
 */
void sandwich_view_cancel(struct tui_app *a);
/* The shown sandwich's function (NULL when none), *len its length. */
const char *sandwich_view_name(const struct tui_app *a, size_t *len);
/*
 * A name id of the shown sandwich's trees as an id of a->prof: the same id, or for a
 * sandwich of replaced data (until its refresh lands) the id of the same string; 0 when
 * a->prof has no such string.
 */
uint32_t sandwich_view_to_prof(const struct tui_app *a, uint32_t id);
/* Frees the sandwich and drops the pivot in flight, never waiting for it. */
void sandwich_view_release(struct tui_app *a);
/*
 * The sandwich's function, focused half and selections, by name: what it keeps while the
 * profile under it is replaced (new filters, a live refresh).  sandwich_view_save()
 * before the old profile goes, sandwich_view_restore() once the new one is a->prof: it
 * pivots again when the function is still there (the old sandwich stays on screen
 * until the new one lands, when `keep` and the new profile has the same sample types),
 * else frees the sandwich; it frees k either way.
 */
struct sandwich_keep {
	char *name;            /* NULL: no function was chosen */
	bool focus_callers;
	char **path[2];        /* callers, callees: the selection below the function */
	uint32_t npath[2];
};
void sandwich_view_save(const struct tui_app *a, struct sandwich_keep *k);
void sandwich_view_restore(struct tui_app *a, struct sandwich_keep *k, bool keep);

/* top_view.c */
void top_view_draw(struct tui_app *a, int y, int h, int w);
bool top_view_key(struct tui_app *a, int key);
void top_view_mouse(struct tui_app *a, int y, bool dbl);
void top_view_invalidate(struct tui_app *a);
int top_view_set_filter(struct tui_app *a, const char *pat);
void top_view_status(struct tui_app *a, struct buf *out);
/*
 * The selected row's function (a string id) in the table as last computed, in either
 * mode (tp.rows index dtop.rows in a diff, top.rows otherwise); 0 when there is none.
 */
uint32_t top_view_selected_name(const struct tui_app *a);

/* filters.c */
int app_filter_push(struct tui_app *a, enum filter_kind kind, const char *pat);
void app_filter_pop(struct tui_app *a);
/* R: collapses recursion (a filter on the stack), or pops it when it is the last one. */
void app_toggle_recursion(struct tui_app *a);
/* A ':' command: focus=RE, ignore=RE, hide=RE, show_from=RE, tagfocus=..., tagignore=...,
 * sample_index=NAME, granularity=G, collapse_recursion.  Errors go to the message line. */
void app_command(struct tui_app *a, const char *cmd);
/* Tab in the ':' prompt: completes option names and sample type names in place. */
void app_command_complete(struct tui_app *a);
void app_filters_describe(const struct tui_app *a, struct buf *out);
/* The status line's modes, terminal-safe (app_draw.c); out is set, not added to. */
void app_status_modes(const struct tui_app *a, struct buf *out);
/* Applies filters[0 .. n) to base (pure, for workers); *out is base itself when n is 0. */
int app_filters_apply(const struct prof *base, const struct tui_filter *filters, int n,
		      struct prof **out);
/*
 * A live refresh: p (new data of the shown query) is shown once the filter stack is
 * applied to it (on a worker when the app runs its loop), the old filtered view until
 * then.  The stack is the one a job in flight applies, else the shown one.  Returns
 * false, p untouched, when there is no stack to apply; true when p was taken (a failure
 * is said on the message line and leaves the old view).
 */
bool app_refresh_filtered(struct tui_app *a, struct prof *p, bool diff, const char *source,
			  const char *base_source);
/* The command line's filters as the first of the stack, applied at once (tui_app_new). */
int app_filters_initial(struct tui_app *a, const struct filter_opts *o, int gran, bool collapse);
/* Lands a finished worker job; call from the UI loop before drawing. */
void app_poll_jobs(struct tui_app *a);
bool app_job_running(const struct tui_app *a);
/* app_job_running() for a change the user made (not a live refresh's re-filtering). */
bool app_job_waiting(const struct tui_app *a);
/* Esc: drops the re-derivation in flight at once (the shown profile stays; its thread
 * stops soon, see reload_job, and frees what it holds). */
void app_cancel_job(struct tui_app *a);
/*
 * Lets go of a->base (the loaded profile, after a->prof when it differs) and drops the
 * job in flight, never waiting: a job still running holds a reference of its own to the
 * profile, which its thread drops when it ends.  a->base is NULL after.
 */
void app_base_free(struct tui_app *a);

/* source_view.c */
#define SOURCE_HEAD_ROWS 3 /* file and code origin; versions and settings; column titles */
void source_view_draw(struct tui_app *a, int y, int h, int w);
void source_view_status(struct tui_app *a, struct buf *out);
/* Shows the function `name` (a string id): its numbers now, its code when found. */
int source_view_set(struct tui_app *a, uint32_t name);
void source_view_release(struct tui_app *a);
/* Lands a finished code lookup (true when something changed). */
bool source_view_poll(struct tui_app *a);
bool source_view_busy(const struct tui_app *a, double *started_ms);
void source_view_cancel(struct tui_app *a);
/*
 * The shown profile changed (a new one installed, or the filters or granularity): the
 * pane computes its numbers again for the same function, now when it is showing, else
 * when it is next shown.  filters: the filter stack changed (versions are merged again).
 */
void source_view_data_changed(struct tui_app *a, bool filters);
/* `:repo=`, `:ref=`, `:root=`, `:source_path=` (value "" goes back to the flag or label). */
void source_view_setting(struct tui_app *a, enum source_setting_kind k, const char *value);
/*
 * Computes the numbers of st->fname again from the data now shown and asks for the
 * versions or the code when they are missing (the keys call it after changing what is
 * wanted: a routine, a version, reading again).
 */
void source_view_update(struct tui_app *a);
/* The hottest line of r: largest total, then largest self (numbered lines; 1 if none). */
int64_t source_view_hottest(const struct list_routine *r);
/*
 * The pane's selection as a frame of the profile shown (a string id of a->prof, 0 when
 * it has none), what 3, #, f, x, - and Tab take from the pane: the function under
 * functions granularity; under lines the frame of the selected line, or when that line
 * has none (no cost) the function's widest line frame; under files and packages the
 * frame of the function's file or package.
 */
uint32_t source_view_frame(const struct tui_app *a);

/* source_nav.c: the source pane's rows (shared with its drawing) and its keys */
bool source_view_key(struct tui_app *a, int key);
void source_view_mouse(struct tui_app *a, int y, bool dbl);
int source_view_set_search(struct tui_app *a, const char *pat);
void source_view_search_jump(struct tui_app *a, int dir);
void source_view_copy(struct tui_app *a);
/* The cost of r's line no, or NULL; borrowed from r. */
const struct list_line *source_nav_line_cost(const struct list_routine *r, int64_t no);
/* The last line of r with a cost (lines are sorted), or 0. */
int64_t source_nav_last_cost_line(const struct list_routine *r);
/* How many rows the pane has, and which line a row shows and which row shows a line. */
int64_t source_nav_rows(const struct source_state *st);
int64_t source_nav_row_line(const struct source_state *st, int64_t row);
int64_t source_nav_line_row(const struct source_state *st, int64_t line);
/* The code of line (1-based) without its line end, borrowed from st->file; NULL when
 * the code is not here or has no such line. */
const char *source_nav_code_text(const struct source_state *st, int64_t line, size_t *len);

/* source_versions.c: the versions of the service in the shown data (a->sctx) */
/*
 * The profile of this query is about to be installed: the browser calls it before
 * app_install_profile (a profile installed without it is not from a backend); app_new()
 * calls it for the profile the app starts on when the command line merged it from the
 * backend (tui_opts.opened_*, smolder view --db/--url), then clears sctx.opened since that
 * profile is installed already.  Only records the query: the versions are read by
 * source_versions_refresh().
 */
void source_versions_opened(struct tui_app *a, const char *service, const char *ptype,
			    const char *sel_text, struct time_range range, enum aggregate agg,
			    char *const *path, size_t npath);
/* The data changed (hard: the query or the filters, not only the time). */
void source_versions_invalidate(struct tui_app *a, bool hard);
/* Starts reading the versions when missing or out of date; true while a read runs. */
bool source_versions_refresh(struct tui_app *a);
/* Lands a finished read (true when one landed). */
bool source_versions_poll(struct tui_app *a);
void source_versions_retry(struct tui_app *a);
/* Drops the versions and the query (the profile is not from a backend). */
void source_versions_clear(struct tui_app *a);
/* Also closes the backend handle: when the app is freed. */
void source_versions_release(struct tui_app *a);

/* source_settings.c: repo, ref, root, source_path: typed > flag > the version's label */
const char *source_settings_name(enum source_setting_kind k);
/* The setting called name[0..n) ("source-path" too), or -1. */
int source_settings_kind(const char *name, size_t n);
/* Stores a typed value ("" clears it); a leading ~/ in repo and source_path is $HOME. */
int source_settings_set(struct source_typed *t, enum source_setting_kind k, const char *value,
			const char *home);
/* The effective values and their origins; t, o and v may be NULL. */
void source_settings_resolve(const struct source_typed *t, const struct source_opts *o,
			     const struct source_version *v, struct source_setting out[SS_COUNT]);
/* Appends a value as the pane shows it: a URL without its credentials (raw: make it
 * safe); every setting shown, in the header or on the message line, goes through here. */
void source_settings_shown(struct buf *out, const char *v);
/* "repo X (flag) · ref v2 (label) · root - · source_path . (flag)" (raw: make it safe). */
void source_settings_describe(const struct source_setting s[SS_COUNT], const char *dot,
			      struct buf *out);
/*
 * Gives the session a fresh memo, dropping its reference to the old one (searches in
 * flight keep theirs): at the start, and where the user asks to look again (r, a typed
 * setting), since a memo keeps a failure for a minute and an answer for good.  ERR_NOMEM
 * leaves none: each search then keeps its own, as source_find() does without one.
 */
int source_settings_memo_new(struct tui_app *a);
/* Drops the session's reference (when the app is freed). */
void source_settings_memo_free(struct tui_app *a);
/* Drops a reference to a memo (NULL: nothing); the last one frees it, on either thread. */
void source_settings_memo_put(struct source_memo_ref *r);

/* browser_view.c */
/*
 * The browser over be (the browser's now).  load: its first query starts at once (on this
 * thread when the app is not async yet: drivers and tests); else browser_view_start()
 * starts it, once the screen is up and keys are read (tui_run: a slow server must not
 * leave the terminal blank and deaf).
 */
int browser_view_init(struct tui_app *a, struct backend *be, const char *name, const char *sel,
		      bool load);
void browser_view_start(struct tui_app *a);
void browser_view_release(struct tui_app *a);
void browser_view_draw(struct tui_app *a, int y, int h, int w);
bool browser_view_key(struct tui_app *a, int key);
void browser_view_mouse(struct tui_app *a, int y, int x, bool dbl);
void browser_view_status(struct tui_app *a, struct buf *out);
void browser_view_header(struct tui_app *a, struct buf *out);
bool browser_view_poll(struct tui_app *a);
void browser_view_tick(struct tui_app *a);
bool browser_view_live(const struct tui_app *a);
/* p: pauses / resumes live updates (the browser's and the opened profile's). */
void browser_view_pause(struct tui_app *a);
bool browser_view_busy(const struct tui_app *a, double *started_ms);
/* browser_view_busy() for a job the user asked for (not the live refresh's). */
bool browser_view_waiting(const struct tui_app *a, double *started_ms);
void browser_view_cancel(struct tui_app *a);
int browser_view_set_selector(struct tui_app *a, const char *text);
/* M and Z on a profile opened from the browser (false when not taken). */
bool browser_view_profile_key(struct tui_app *a, int key);
/* The source pane of `fname` (or, NULL, an export) needs lines a server's flame graph
 * lacks: opens the full profile, then the pane (true when it asked). */
bool browser_view_want_full(struct tui_app *a, const char *fname);
void browser_view_breakdown(struct tui_app *a, const char *label);
void browser_view_complete(struct tui_app *a);
/* Reads the list again (a live range moved to now first): the range or selector changed. */
void browser_reload(struct tui_app *a);

/* browser_prompt.c: the selector prompt's text (quotes, what Tab completes, escaping) */
/* Where the quoted string left open at the end of s[0..n) starts, or n when none is. */
size_t browser_open_quote(const char *s, size_t n);
/* Whether the end of s[0..len) is inside a value's quotes; its label is s[*ns..*ne). */
bool browser_value_at_end(const char *s, size_t len, size_t *ns, size_t *ne);
/* The matchers typed before the one at ns, as a selector, into out[0..n). */
void browser_values_selector(const char *s, size_t ns, char *out, size_t n);
/* Tab's answer: the values of label that start with what is typed, into the prompt. */
struct strvec;
void browser_complete_value(struct tui_app *a, const struct strvec *values, const char *label);

/* browser_draw.c: the browser's screen (reads the state browser_view.c keeps) */
const struct browse_row *browser_row(const struct browser_state *b);
/*
 * A time in the range [from, to) for the screen: "%H:%M:%S"; with the month and day when
 * the range is a day or longer or its ends fall on different days (or `date`); with the year when the range crosses one; the
 * date only when it is longer than 300 days.
 */
void browser_fmt_clock(int64_t ns, int64_t from, int64_t to, bool date, char *out, size_t n);
/* A length: "30 s", "45 min", "6 h", "12 d", "56 y". */
void browser_fmt_span(int64_t ns, char *out, size_t n);

/* browser_window.c: the range, the timeline's steps and the window on them */
/* "5m" .. "7d", or "range" when preset is not one (-1: a range typed with t). */
const char *browser_preset_name(int preset);
/* The range ends now (live) with preset p's length, without a window. */
void browser_set_preset(struct browser_state *b, int p);
/*
 * Before the first query (browser_view_init() with load false): the range it starts on,
 * from and to as `t FROM TO` takes them (from NULL: an hour before to; to NULL: now, a
 * range that moves with the clock; both NULL: the default), and how every query adds
 * series up.  On an error (a bad time, an empty range) the range is the default's.
 */
int browser_view_set_first(struct tui_app *a, const char *from, const char *to,
			   enum aggregate agg);
/* t's FROM [TO]; reloads the list. */
int browser_view_set_range(struct tui_app *a, const char *text);
/* A live range moved to end now, its window with it by the same steps' length. */
void browser_range_follow(struct browser_state *b);
/*
 * The range now spans another length: the timeline read for the old one is dropped
 * (frees b->tl), and until the new one arrives the steps are those it will be read with.
 */
void browser_range_changed(struct browser_state *b);
/* The timeline's step for the range on its columns, in whole seconds (1 at least). */
double browser_timeline_step_s(const struct browser_state *b);
/* The start of the timeline's step (tl_from + k * tl_step) that holds t; t without one. */
int64_t browser_step_start(const struct browser_state *b, int64_t t);
/*
 * The window as the timeline's whole steps that hold it (within the range), or the whole
 * range without one: what Enter, P and b ask for, what the status line adds up and what
 * the timeline shows, so that the three agree.
 */
struct time_range browser_window(const struct browser_state *b);
/* The time at column i of n over [from, from + span), without overflow. */
int64_t browser_time_at(int64_t from, int64_t span, int i, int n);
/* [ ] h l - = + 0 t (true when taken). */
bool browser_window_key(struct tui_app *a, int key);
/* A click on the timeline centres the window there (true when it was on the timeline). */
bool browser_window_mouse(struct browser_state *b, int y, int x);

/* compare_view.c: drawn only for a diff (a->diff); else it says this, as c does */
#define COMPARE_NEEDS_DIFF "comparison needs two profiles: smolder diff BASE NEW"
void compare_view_draw(struct tui_app *a, int y, int h, int w);
bool compare_view_key(struct tui_app *a, int key);
void compare_view_mouse(struct tui_app *a, int y, int x, bool dbl);
void compare_view_status(struct tui_app *a, struct buf *out);

/* export_view.c */
void export_view_begin(struct tui_app *a);
/* Takes the key after `e` (true when it did). */
bool export_view_key(struct tui_app *a, int key);
/* Writes what is on screen to path in the chosen format, on a worker when the app runs
 * its own loop; the outcome is the message (when it lands: export_view_poll).  A path
 * that exists asks first (prompt kind 'o'); the profile being viewed is refused. */
void export_view_write(struct tui_app *a, const char *path);
/* The key answering "overwrite PATH? y/N" (prompt kind 'o'): only y writes. */
void export_view_confirm(struct tui_app *a, int key);
/* Lands a finished export (true when one landed). */
bool export_view_poll(struct tui_app *a);
bool export_view_busy(const struct tui_app *a, double *started_ms);
/* True while the export in flight reads p. */
bool export_view_reads(const struct tui_app *a, const struct prof *p);
/* Frees p (shown, or a sandwich half), or hands it to the export that reads it. */
void export_view_prof_free(struct tui_app *a, struct prof *p);
/* Waits for the export in flight (the file is written whole) and drops it. */
void export_view_release(struct tui_app *a);

/* app_draw.c: the header, breadcrumb, status and bottom lines, the help overlay */
/* The help box needs HELP_MIN_W x HELP_MIN_H cells (its border, title and one row). */
#define HELP_MIN_W 22
#define HELP_MIN_H 7
bool app_help_fits(int h, int w);
/* Views that exist here: comparison only in a diff, the browser with a store. */
bool app_view_shown(const struct tui_app *a, int v);

/* app.c */
/*
 * Replaces the shown profile with p (and its tree and tables, built by a worker); the
 * app takes ownership of all three.  diff: p is a prof_pair().  Filters are cleared,
 * except in a live refresh (a->br.live_reopen), which keeps them: see
 * app_refresh_filtered().
 */
void app_install_profile(struct tui_app *a, struct prof *p, struct tree *t, struct top *all,
			 bool diff, const char *source, const char *base_source);
/*
 * app_install_profile() without the filters: base is the loaded profile, shown what is
 * on screen (base itself, or derived from it by the filter stack, which the caller sets),
 * t and all shown's; the app takes all four.  The place (zoom and selection by call
 * path), the sandwich's and the source pane's functions stay when the data is of the
 * same kind.  filters: the stack changed too (the versions are merged again).
 */
void app_install_data(struct tui_app *a, struct prof *base, struct prof *shown, struct tree *t,
		      struct top *all, bool diff, const char *source, const char *base_source,
		      bool filters);
/* The sample type whose values a pane shows (its side's), and the one added to widths. */
uint32_t app_pane_type(const struct tui_app *a, const struct flame_pane *fp);
uint32_t app_pane_type2(const struct tui_app *a, const struct flame_pane *fp);
/* A node's width value in a pane: its magnitude (|base| + |new| in a diff's main pane),
 * as flame_layout() lays it out. */
int64_t app_pane_value(const struct tui_app *a, const struct flame_pane *fp, uint32_t node);
/* The diff colour step of a node: -DIFF_STEPS .. DIFF_STEPS (0 outside a diff). */
int app_diff_step(const struct tui_app *a, const struct tree *t, uint32_t node);
/*
 * Call paths by name, which outlive a tree (a new profile, new filters, a sandwich pivot):
 * app_tree_path() gives the frame names below `from` down to `node` (*n of them, strdup'ed;
 * the caller frees them with app_path_free); NULL and *n = 0 when node is from, not below
 * it, or memory ran out.  app_tree_find() follows path[0 .. n) down from `from` by name
 * and returns the node reached, or the deepest one that exists.
 */
char **app_tree_path(const struct tree *t, uint32_t from, uint32_t node, uint32_t *n);
uint32_t app_tree_find(const struct tree *t, uint32_t from, char *const *path, uint32_t n);
void app_path_free(char **v, uint32_t n);
/*
 * The diff colour step of a node in a pane of a signed profile (a->negative for the type:
 * the node's total is new minus base, a change of total / base_total, pprof's absolute
 * -diff_base percentage); 0 in other profiles and in a diff's side panes.
 */
int app_signed_step(const struct tui_app *a, const struct flame_pane *fp, uint32_t node);
/* Draws the diff legend on line y. */
void app_draw_legend(struct tui_app *a, int y, int w);
void app_set_type(struct tui_app *a, uint32_t type);
double app_now_ms(void);
void app_quote_regex(struct buf *out, const char *s, size_t n);
void app_format_value(const struct tui_app *a, char *out, size_t n, int64_t v);
void app_set_search(struct tui_app *a, const char *pat);
void app_search_jump(struct tui_app *a, int dir);
void app_search_refresh(struct tui_app *a);

#endif
