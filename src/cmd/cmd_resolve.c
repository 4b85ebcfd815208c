/*
 * cmd_resolve.c — `smolder resolve --function NAME --path PATH [...]`: where would the
 * source of this function come from?  Prints every resolution step tried (the trace of
 * source_find) and the result; with --cat, the file too.  The troubleshooting aid of
 * the source pane and `smolder list`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/text.h"
#include "cmd.h"
#include "source/source.h"

static void resolve_help(FILE *f)
{
	fputs("usage: smolder resolve --function NAME --path PATH [options]\n"
	      "\n"
	      "Finds the source file of a profiled function the way the source pane and\n"
	      "`smolder list` do, and prints every step tried: the repository, ref and root,\n"
	      ".pyroscope.yaml and its mappings, Grafana Pyroscope's Go, Python, Java and\n"
	      "JavaScript rules, git reads at the ref, GitHub, plain paths.\n"
	      "\n"
	      "  -F, --function NAME    the function's name as in the profile\n"
	      "  -P, --path PATH        its file name as in the profile\n"
	      "      --repo PATH|URL    a local git clone (read at --ref without checkout), a\n"
	      "                         plain directory, or a URL (GitHub through its API,\n"
	      "                         other URLs cloned once into the cache)\n"
	      "      --ref REF          commit, tag or branch (default: HEAD, a remote's\n"
	      "                         default branch; needs --repo)\n"
	      "      --root PATH        where the service lives inside the repository\n"
	      "      --source-path D    look for plain paths under D, a directory or a list\n"
	      "                         D1:D2... tried in order (pprof's -source_path; default:\n"
	      "                         the current directory when there is no --repo)\n"
	      "      --trim-path P      remove prefix P (P1:P2...) from paths\n"
	      "                         (pprof's -trim_path)\n"
	      "      --github-api URL   GitHub API base (default https://api.github.com); the\n"
	      "                         token in GITHUB_TOKEN is sent to this host only\n"
	      "      --cache-dir DIR    default $XDG_CACHE_HOME/smolder\n"
	      "      --goroot DIR       a local Go installation for the standard library\n"
	      "      --offline          no network: local clones and files only\n"
	      "      --clone            clone GitHub repositories instead of using the API\n"
	      "  -c, --cat              print the file after the steps\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "A clone or fetch that downloads more than $SMOLDER_CLONE_MAX bytes (default 1G;\n"
	      "suffixes K, M, G) is refused: a series label may name any http(s) repository.\n"
	      "\n"
	      "Exit status: 0 found, 1 not found or refused, 2 usage.\n",
	      f);
}

static void put_field(const char *prefix, const char *value)
{
	if (!value)
		return;
	fputs(prefix, stdout);
	cmd_put_safe(stdout, value, strlen(value), true);
}

struct progress {
	bool tty;
	unsigned spins;
};

static void on_progress(void *arg, const char *what, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	static const char spin[] = "|/-\\";

	if (!p->tty)
		return;
	fputc('\r', stderr);
	fputc(spin[p->spins++ % 4], stderr);
	fputc(' ', stderr);
	cmd_put_safe(stderr, what, strlen(what), true);
	if (total)
		fprintf(stderr, ": %llu/%llu  (Ctrl-C aborts) \033[K", (unsigned long long)done,
			(unsigned long long)total);
	else
		fprintf(stderr, "  (Ctrl-C aborts) \033[K");
	fflush(stderr);
}

int cmd_resolve(int argc, char **argv, const struct cmd_env *env)
{
	enum { O_REPO = 1000, O_REF, O_ROOT, O_SRC, O_TRIM, O_API, O_CACHE, O_GOROOT, O_OFFLINE,
	       O_CLONE };
	static const struct option longopts[] = {
		{ "function", required_argument, NULL, 'F' },
		{ "path", required_argument, NULL, 'P' },
		{ "repo", required_argument, NULL, O_REPO },
		{ "ref", required_argument, NULL, O_REF },
		{ "root", required_argument, NULL, O_ROOT },
		{ "source-path", required_argument, NULL, O_SRC },
		{ "source_path", required_argument, NULL, O_SRC },
		{ "trim-path", required_argument, NULL, O_TRIM },
		{ "trim_path", required_argument, NULL, O_TRIM },
		{ "github-api", required_argument, NULL, O_API },
		{ "cache-dir", required_argument, NULL, O_CACHE },
		{ "goroot", required_argument, NULL, O_GOROOT },
		{ "offline", no_argument, NULL, O_OFFLINE },
		{ "clone", no_argument, NULL, O_CLONE },
		{ "cat", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct source_opts o;
	struct source_file f = SOURCE_FILE_INIT;
	struct source_trace t = SOURCE_TRACE_INIT;
	struct progress prog = { isatty(STDERR_FILENO), 0 };
	const char *fn = NULL, *path = NULL;
	bool cat = false;
	size_t i;
	int c, rc;

	memset(&o, 0, sizeof(o));
	opterr = 0;
	optind = 1;
	while ((c = cmd_getopt("resolve", argc, argv, "F:P:ch", longopts)) != -1) {
		switch (c) {
		case 'F': fn = optarg; break;
		case 'P': path = optarg; break;
		case O_REPO: o.repo = optarg; break;
		case O_REF: o.ref = optarg; break;
		case O_ROOT: o.root = optarg; break;
		case O_SRC: o.source_path = optarg; break;
		case O_TRIM: o.trim_path = optarg; break;
		case O_API: o.github_api = optarg; break;
		case O_CACHE: o.cache_dir = optarg; break;
		case O_GOROOT: o.goroot = optarg; break;
		case O_OFFLINE: o.offline = true; break;
		case O_CLONE: o.clone_github = true; break;
		case 'c': cat = true; break;
		case 'h': resolve_help(stdout); return 0;
		default:  /* '?': cmd_getopt said why */
			return 2;
		}
	}
	if (optind < argc) {
		fputs("smolder resolve: unexpected argument '", stderr);
		cmd_put_safe(stderr, argv[optind], strlen(argv[optind]), true);
		fputs("' (see smolder resolve --help)\n", stderr);
		return 2;
	}
	if ((!fn || !*fn) && (!path || !*path)) {
		fprintf(stderr, "smolder resolve: give --function NAME and/or --path PATH (see smolder "
				"resolve --help)\n");
		return 2;
	}
	if (!o.repo && !o.source_path)
		o.source_path = "."; /* pprof's default search path */
	o.cancel = env->cancel;
	o.progress = on_progress;
	o.progress_arg = &prog;
	rc = source_find(&o, NULL, fn, path, &f, &t);
	if (prog.tty && prog.spins)
		fputs("\r\033[K", stderr);
	for (i = 0; i < t.n; i++) {
		printf("%3zu. ", i + 1);
		cmd_put_safe(stdout, t.lines[i], strlen(t.lines[i]), true);
		putchar('\n');
	}
	if (rc == 0) {
		printf("found: %s '", source_origin_name(f.origin));
		cmd_put_safe(stdout, f.path, strlen(f.path), true);
		putchar('\'');
		put_field(" in ", f.repo);
		put_field(" at ", f.ref);
		if (f.commit && (!f.ref || strcmp(f.commit, f.ref)))
			printf(" (commit %s)", f.commit);
		put_field(", on disk ", f.local_path);
		put_field(", ", f.url);
		printf("%s\n", f.cached ? " (from the disk cache)" : "");
		if (cat) {
			size_t a = 0, b;

			putchar('\n');
			/* the content is untrusted: only newlines and tabs pass through raw */
			for (b = 0; b <= f.len; b++) {
				if (b < f.len && f.data[b] != '\n' && f.data[b] != '\t')
					continue;
				cmd_put_safe(stdout, f.data + a, b - a, true);
				if (b < f.len)
					putchar(f.data[b]);
				a = b + 1;
			}
			if (f.len && f.data[f.len - 1] != '\n')
				putchar('\n');
		}
	} else {
		fflush(stdout);
		cmd_errorf("%s", err_last());
	}
	source_file_release(&f);
	source_trace_release(&t);
	return rc == 0 ? 0 : rc == ERR_USAGE ? 2 : 1;
}
