/*
 * main.c — command-line dispatch only: `smolder [VERB] ...`.
 *
 * The only process-wide state lives here: the Ctrl-C (and SIGTERM) flag the verbs poll.
 */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

/*
 * Set by the SIGINT/SIGTERM handler to the signal: a lock-free atomic, so that is defined
 * (C11 7.14.1.1)
 */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free");
static atomic_int interrupted;

/*
 * The first Ctrl-C, or SIGTERM (`timeout`, a service manager), asks the work in flight to
 * stop (it polls the flag), so that a clone or an export removes its temporary files as
 * Ctrl-C has it do; a second one, when that work is stuck where nothing polls (libgit2
 * waiting on a silent server), ends the process with the shell's status for the signal.
 * serve takes both signals itself (cmd_serve.c); the explorer gives SIGTERM back to
 * ncurses, which restores the terminal (tui_run()).
 */
static void on_signal(int sig)
{
	static const char msg[] = "\nsmolder: interrupted\n";

	if (atomic_exchange(&interrupted, sig)) {
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing more to do */
		}
		_exit(128 + sig);
	}
}

void cmd_usage(FILE *f)
{
	fputs("usage: smolder [view] SOURCE [options]   explore a profile in the terminal\n"
	      "       smolder [--db PATH]               browse a store (default: your own)\n"
	      "       smolder demo                      a demo store of the bundled examples\n"
	      "       smolder top SOURCE [options]      the top functions (pprof -top)\n"
	      "       smolder peek REGEX SOURCE         callers and callees (pprof -peek)\n"
	      "       smolder list REGEX SOURCE         cost per line, with code (pprof -list)\n"
	      "       smolder diff BASE NEW [options]   explore (or print) the difference\n"
	      "       smolder export SOURCE -o FILE     as pprof, folded, speedscope or svg\n"
	      "       smolder ingest FILE...            add profiles to the store\n"
	      "       smolder query series|types|profile|timeline ...\n"
	      "                                         what the store (or a server) holds\n"
	      "       smolder serve [--listen ADDR]     store what Pyroscope SDKs push\n"
	      "       smolder upload FILE... --url URL  push to a Pyroscope server (profilecli)\n"
	      "       smolder resolve --function F --path P\n"
	      "                                         where F's source is found, step by step\n"
	      "\n"
	      "SOURCE is a pprof file (gzip, zstd or raw protobuf), folded stacks, perf script\n"
	      "text, speedscope JSON, Pyroscope's flame graph JSON, a Pyroscope *.lines file,\n"
	      "- for standard input, or an http(s):// URL (/debug/pprof/profile?seconds=10).\n"
	      "Instead of SOURCE, the reading verbs (view, top, peek, list, export, diff) read\n"
	      "the store with --db PATH --query SELECTOR --profile-type ID --from T --to T\n"
	      "(profilecli's flags), or a Pyroscope server (or `smolder serve`) with --url URL\n"
	      "and the same flags, as query does; ingest, serve and demo write the --db store.\n"
	      "`smolder VERB --help` describes each verb's options.\n",
	      f);
}

/*
 * What was printed must have arrived: a full disk or a closed descriptor is an error
 * (status 1, one line) even when the verb succeeded; coreutils' close_stdout.  A reader
 * that went away (EPIPE, when SIGPIPE is ignored: `smolder top | head`) is not worth a
 * message.
 */
#define OUTBUF_SIZE ((size_t)64 << 10)

static int close_stdout(int rc)
{
	bool failed = ferror(stdout) != 0;
	int e = 0;  /* unknown when only the error flag tells */

	if (fflush(stdout) != 0) {
		failed = true;
		e = errno;
	}
	if (fclose(stdout) != 0 && !failed) {
		failed = true;
		e = errno;
	}
	if (!failed)
		return rc;
	if (e != EPIPE)
		fprintf(stderr, "smolder: cannot write standard output%s%s\n", e ? ": " : "",
			e ? strerror(e) : "");
	return rc ? rc : 1;
}

static int dispatch(int argc, char **argv, const struct cmd_env *envp);

int main(int argc, char **argv)
{
	struct cmd_env env = { &interrupted };
	struct sigaction sa;
	char *outbuf = NULL;
	int rc;

	setlocale(LC_ALL, "");
	/*
	 * Into a file or a pipe, a buffer that holds any --help and most tables: stdio keeps
	 * only an error flag for a write that failed mid-way, so the reason close_stdout
	 * gives ("No space left on device") is known only when the failing write is its own
	 * final flush.  A terminal stays line-buffered.
	 */
	if (!isatty(STDOUT_FILENO) && (outbuf = malloc(OUTBUF_SIZE)))
		setvbuf(stdout, outbuf, _IOFBF, OUTBUF_SIZE);  /* glibc sizes its own at 4 KiB */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/*
	 * A file size limit (ulimit -f) then fails write(2) with EFBIG, reported in one line
	 * like a full disk, and the written-then-renamed files (outfile.h) remove their
	 * temporary file; the signal's default would kill us and leave it behind.
	 */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGXFSZ, &sa, NULL);
	rc = close_stdout(dispatch(argc, argv, &env));
	free(outbuf);  /* stdout is closed */
	return rc;
}

static int dispatch(int argc, char **argv, const struct cmd_env *envp)
{
	const struct cmd_env env = *envp;

	if (argc < 2) /* the default store's browser (usage when there is none) */
		return cmd_view(argc, argv, &env);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		cmd_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("smolder %s\n", SMOLDER_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "top") == 0)
		return cmd_top(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "export") == 0)
		return cmd_export(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "peek") == 0)
		return cmd_peek(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "diff") == 0)
		return cmd_diff(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "demo") == 0)
		return cmd_demo(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "resolve") == 0)
		return cmd_resolve(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "ingest") == 0)
		return cmd_ingest(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "query") == 0)
		return cmd_query(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "upload") == 0)
		return cmd_upload(argc - 1, argv + 1, &env);
	if (strcmp(argv[1], "view") == 0)
		return cmd_view(argc - 1, argv + 1, &env);
	return cmd_view(argc, argv, &env);
}
