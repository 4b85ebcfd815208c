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
int cmd_peek(int argc, char **argv, const struct cmd_env *env);
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

#endif
