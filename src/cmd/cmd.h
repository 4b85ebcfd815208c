/*
 * cmd.h — the command-line verbs.  main.c only dispatches to these.
 *
 * Each verb parses its own options (GNU long form, with pprof's single-dash spellings
 * accepted too), prints errors as one line on stderr and returns the exit status.
 * `env` carries process-wide state owned by main (the Ctrl-C flag).
 */
#ifndef SMOLDER_CMD_H
#define SMOLDER_CMD_H

#include <signal.h>
#include <stdio.h>

struct cmd_env {
	volatile sig_atomic_t *cancel;  /* set by main's SIGINT handler */
};

int cmd_top(int argc, char **argv, const struct cmd_env *env);
int cmd_view(int argc, char **argv, const struct cmd_env *env);
int cmd_diff(int argc, char **argv, const struct cmd_env *env);
int cmd_peek(int argc, char **argv, const struct cmd_env *env);
int cmd_list(int argc, char **argv, const struct cmd_env *env);
int cmd_export(int argc, char **argv, const struct cmd_env *env);
void cmd_usage(FILE *f);

/* Shared by verbs: resolves "--sample-index" against a profile; -1 with a message. */
struct prof;
int cmd_sample_index(const struct prof *p, const char *arg);
/*
 * Loads SOURCE (file, "-" or URL, with the waiting indicator and Ctrl-C) and resolves
 * the sample index; prints the one-line error and returns non-zero on failure.  *out
 * belongs to the caller.
 */
int cmd_load(const char *src, const struct cmd_env *env, const char *sample_index,
	     struct prof **out, int *type);

/*
 * pprof's filters and granularity, shared by the verbs that take them: put
 * CMD_TRANSFORM_OPTIONS in the getopt table, pass every option to cmd_transform_opt()
 * (true when it took it), then cmd_transform() replaces the profile with the result.
 */
#include "profile/filter.h"

struct cmd_transform {
	struct filter_opts filters;
	int granularity;  /* enum granularity */
	bool collapse_recursion;
};

#define CMD_OPT_BASE 1000
#define CMD_TRANSFORM_OPTIONS                                              \
	{ "focus", required_argument, NULL, CMD_OPT_BASE + 'F' },           \
	{ "ignore", required_argument, NULL, CMD_OPT_BASE + 'X' },          \
	{ "hide", required_argument, NULL, CMD_OPT_BASE + 'H' },            \
	{ "show-from", required_argument, NULL, CMD_OPT_BASE + 'S' },       \
	{ "show_from", required_argument, NULL, CMD_OPT_BASE + 'S' },       \
	{ "tagfocus", required_argument, NULL, CMD_OPT_BASE + 'T' },        \
	{ "tagignore", required_argument, NULL, CMD_OPT_BASE + 'U' },       \
	{ "granularity", required_argument, NULL, CMD_OPT_BASE + 'g' },     \
	{ "functions", no_argument, NULL, CMD_OPT_BASE + 'f' },             \
	{ "lines", no_argument, NULL, CMD_OPT_BASE + 'l' },                 \
	{ "files", no_argument, NULL, CMD_OPT_BASE + 'i' },                 \
	{ "packages", no_argument, NULL, CMD_OPT_BASE + 'p' },             \
	{ "collapse-recursion", no_argument, NULL, CMD_OPT_BASE + 'R' }

#define CMD_TRANSFORM_HELP                                                               \
	"Filters, as pprof applies them (regexes match function and file names):\n"      \
	"      --focus RE           keep samples with a matching frame\n"                 \
	"      --ignore RE          drop samples with a matching frame\n"                 \
	"      --hide RE            remove matching frames from the stacks\n"            \
	"      --show-from RE       drop the callers of the root-most matching frame\n"   \
	"      --tagfocus [K=]RE|RANGE  keep samples whose label matches (endpoint=/api,\n" \
	"                           bytes=1kb:10kb, :100ms)\n"                            \
	"      --tagignore [K=]RE|RANGE drop samples whose label matches\n"               \
	"      --granularity G      functions (default), lines, files, or packages\n"     \
	"                           (pprof's -functions, -lines, -files work too)\n"     \
	"      --collapse-recursion f -> f -> f in a stack becomes one f\n"

/* 0 when fmt is one of the NULL-terminated `allowed`; else prints why and returns 2. */
int cmd_check_format(const char *verb, const char *fmt, const char *const *allowed);

/* 1 when c was a transform option, 0 when not, -1 (message printed) when bad. */
int cmd_transform_opt(int c, const char *arg, struct cmd_transform *t);
/* Applies t to *p (replaced; the old one freed); prints the error on failure. */
int cmd_transform(struct prof **p, const struct cmd_transform *t);

#endif
