/*
 * tui.h — the interactive explorer (ncurses).
 *
 * tui_run() takes ownership of the profile, runs the explorer until the user quits,
 * restores the terminal and frees everything.  The app can also be driven without a
 * key loop (benchmarks, tests): tui_app_new() / tui_app_key() / tui_app_draw() on a
 * terminal the caller set up with initscr() or newterm().
 */
#ifndef SMOLDER_TUI_H
#define SMOLDER_TUI_H

#include <stdbool.h>
#include <stdint.h>

struct source_opts;
struct backend;

#include "profile/filter.h"
#include "profile/prof.h"

struct tui_opts {
	const char *source;  /* shown in the header (borrowed) */
	const char *theme;   /* theme name or path; NULL for the default */
	int sample_type;     /* -1: the profile's default */
	bool no_color;       /* NO_COLOR or --no-color */
	bool no_mouse;
	bool progress;       /* say on stderr what is slow before the screen starts */
	/* a diff: the profile is a prof_pair() of base_source and source */
	bool diff;
	const char *base_source;
	double diff_threshold;  /* fraction of the total; 0 for the default (0.1 %) */
	bool diff_absolute;     /* start in absolute mode */
	bool color_blind;       /* blue/red diff scale */
	/* where the source pane finds code (--repo, --ref, --source-path, ...); may be NULL */
	const struct source_opts *source_opts;
	/* a store or a server: the app owns it, opens on the browser (T) */
	struct backend *backend;
	const char *backend_name;  /* "local store /path", a URL */
	bool start_in_browser;     /* no profile chosen yet */
	const char *browser_selector;  /* the browser's first label selector; NULL: {} */
	/*
	 * The browser's first range, as its `t FROM TO` takes them (NULL: the last hour;
	 * browser_to NULL: now, a range that moves with the clock), and how every query of
	 * it adds series up (enum aggregate, store/backend.h: 0 sums, gauges average).
	 */
	const char *browser_from, *browser_to;
	int aggregate;
	/*
	 * The profile given to tui_run() was merged from o->backend (smolder view --db/--url
	 * with a range): the query it is of — the type, the label selector (NULL: {}) and the
	 * range — so that the source pane splits it by service_git_ref as it does a profile
	 * the browser opens.  opened_ptype NULL: the profile is not the backend's.
	 */
	const char *opened_ptype, *opened_selector;
	int64_t opened_from_ns, opened_to_ns;
	/*
	 * The command line's filters (may be NULL), granularity (enum granularity) and
	 * --collapse-recursion: the first entries of the explorer's filter stack, so
	 * percentages stay of the unfiltered total and F pops them.
	 */
	const struct filter_opts *filters;
	int granularity;
	bool collapse_recursion;
};

struct tui_app;

/* p may be NULL when o->backend is set: the explorer opens on the store browser. */
int tui_run(struct prof *p, const struct tui_opts *o);

/* For drivers: the app takes ownership of p and o->backend (freed by tui_app_free), on
 * failure too: both are released before an error returns. */
int tui_app_new(struct prof *p, const struct tui_opts *o, struct tui_app **out);
void tui_app_free(struct tui_app *a);
void tui_app_draw(struct tui_app *a);
/* Feeds one key (a curses key code); returns false when the app wants to quit. */
bool tui_app_key(struct tui_app *a, int key);

#endif
