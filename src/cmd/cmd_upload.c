/*
 * cmd_upload.c — `smolder upload FILE... --url URL`: profilecli's `upload`.
 *
 * As profilecli does: push.v1 PushRequests (Connect unary, application/proto) to
 * URL/push.v1.PusherService/Push holding a series per file, the file's pprof bytes as
 * its raw_profile (inflated when zstd-compressed: Pyroscope reads gzip and plain pprof
 * only) with a random UUID; series labels are --extra-labels (repeatable k=v or k:v,
 * see cmd_extra_labels; __name__ may be given there), service_name (default
 * "profilecli-upload") and __name__, an empty value being none as in profilecli (the
 * default is used); --service NAME is --extra-labels service_name=NAME, and of several
 * values of a label the last one given wins (profilecli's map).  Flags and environment
 * as profilecli's: --url / PROFILECLI_URL (default http://localhost:4040), --username /
 * PROFILECLI_USERNAME, --password / PROFILECLI_PASSWORD (Basic when either is set),
 * --token / PROFILECLI_TOKEN (Bearer otherwise), --tenant-id / PROFILECLI_TENANT_ID
 * (X-Scope-OrgID), --override-timestamp, --collect-diagnostics /
 * PROFILECLI_COLLECT_DIAGNOSTICS.  No time limit but connecting (profilecli has no
 * --timeout, nor any TLS flag): Ctrl-C stops an upload.
 *
 * Deliberate differences: profilecli sends one request; smolder sends up to UPLOAD_BATCH
 * bytes of inflated profiles in each, so a directory's worth passes a server's body
 * limit (every file is read and checked before the first is sent).  A missing __name__
 * follows Pyroscope's server rule on the sample types (labels_metric_name: goroutines,
 * mutex, block, wall, ... where profilecli knows only process_cpu, memory and
 * "unknown"), and a contention profile whose file name says block is block, else mutex,
 * as `smolder ingest` names it (cmd_metric_name).  Files smolder reads that are not
 * pprof (folded, perf script, speedscope) are converted to pprof first, their sample
 * types with '_' for '-' (perf's cpu-clock: Pyroscope refuses '-' there).  --service and
 * --tenant are shorthands; --ca-cert (or --cacert) trusts a private CA.
 *
 * A 200 is an upload only when it is the push API's answer (application/proto): a
 * sign-in page in front of the server also answers 200 (connect-go refuses it too).
 * Credentials are never printed: errors name the URL without its user information.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "base/err.h"
#include "base/text.h"
#include "base/timeparse.h"
#include "base/url.h"
#include "cmd.h"
#include "ingest/decode.h"
#include "ingest/encode.h"
#include "profile/labels.h"
#include "profile/transform.h"
#include "push.pb-c.h"
#include "store/remote.h"

#define UPLOAD_MAX_FILE ((size_t)256 << 20)
/*
 * profilecli's client has no overall timeout (Go's default transport: 30 s to connect);
 * a big upload on a slow link takes as long as it takes, and Ctrl-C stops it.
 */
#define UPLOAD_CONNECT_TIMEOUT_S 30L
/*
 * Profiles per request, in bytes once inflated (servers count those against their body
 * limit: smolder serve's is 8 MiB by default): a directory's worth in one request was
 * refused and nothing was uploaded.  A request refused as too big is halved again, for
 * servers with a smaller limit.
 */
#define UPLOAD_BATCH ((size_t)4 << 20)

static void upload_help(FILE *f)
{
	fputs("usage: smolder upload FILE... [--url URL] [options]\n"
	      "\n"
	      "Push profiles to a Pyroscope-compatible server (Grafana Pyroscope,\n"
	      "smolder serve) over push.v1, as `profilecli upload` does: a series per file,\n"
	      "up to 4 MiB of profiles (uncompressed) a request, halved while the server says\n"
	      "too big.  Every file is read first: one that cannot be is the error and\n"
	      "nothing is sent.\n"
	      "A pprof file is sent as it is; folded, perf script and speedscope files are\n"
	      "converted to pprof, their sample types with _ for - (perf's cpu-clock becomes\n"
	      "cpu_clock: Pyroscope refuses -).\n"
	      "\n"
	      "      --url URL              the server (default $PROFILECLI_URL, else\n"
	      "                             http://localhost:4040)\n"
	      "      --service NAME         service_name (default, or when empty:\n"
	      "                             profilecli-upload): the same as --extra-labels\n"
	      "                             service_name=NAME (the last one wins)\n"
	      "      --extra-labels K=V     a series label (repeat it; K:V too, as profilecli):\n"
	      "                             the value is all after the first = or :, commas\n"
	      "                             too (K=a,b), unless every comma-separated piece\n"
	      "                             is NAME=VALUE with no other = (K=V,K2=V2: two);\n"
	      "                             __name__=... sets the metric name (default: from\n"
	      "                             the sample types; a contention profile whose file\n"
	      "                             name says block is block, else mutex)\n"
	      "      --override-timestamp   stamp the profiles with the current time\n"
	      "      --username U, --password P   Basic auth (default $PROFILECLI_USERNAME,\n"
	      "                             $PROFILECLI_PASSWORD)\n"
	      "      --token T              Bearer token (default $PROFILECLI_TOKEN)\n"
	      "      --tenant-id ID         X-Scope-OrgID (default $PROFILECLI_TENANT_ID;\n"
	      "                             --tenant too)\n"
	      "      --ca-cert FILE         trust this CA (PEM) for https (--cacert too)\n"
	      "      --protocol connect     profilecli's; gRPC (it needs HTTP/2) is not spoken\n"
	      "      --collect-diagnostics  profilecli's X-Pyroscope-Collect-Diagnostics header\n"
	      "                             (default $PROFILECLI_COLLECT_DIAGNOSTICS)\n"
	      "No time limit but 30 s to connect, as profilecli; Ctrl-C stops an upload.\n"
	      "  -h, --help                 this help\n",
	      f);
}

static void uuid4(char out[37])
{
	unsigned char b[16];
	size_t i, k = 0;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		for (i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand();
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		k += (size_t)snprintf(out + k, 3, "%02x", b[i]);
	}
	out[36] = '\0';
}

/* One file: its pprof bytes (as given, or converted) and the profile for its labels. */
struct upfile {
	const char *path;
	struct buf bytes;
	size_t plain_len;  /* bytes inflated: what a server counts against its body limit */
	struct labelset labels;
	char id[37];
};

static int load_file(const char *path, bool override_ts, const struct labelset *extra,
		     struct upfile *f)
{
	struct buf raw = BUF_INIT, plain = BUF_INIT;
	struct prof *p = NULL;
	bool is_pprof;
	int rc;

	f->path = path;
	if ((rc = buf_read_file(&raw, path, UPLOAD_MAX_FILE)))
		goto done;
	if (raw.len == 0) {
		rc = err_set(ERR_PARSE, "'%s' is empty", path);
		goto done;
	}
	if ((rc = decode_inflate((const uint8_t *)raw.data, raw.len, DECODE_MAX_INFLATED, &plain))) {
		err_prefix(rc, "'%s'", path);
		goto done;
	}
	is_pprof = plain.len &&
		   decode_detect_named((const uint8_t *)plain.data, plain.len, path) == DECODE_PPROF;
	/*
	 * decode_profile names the file in its messages itself, and what smolder does not
	 * read (a JFR recording, which detection takes for pprof; a multipart body; other
	 * JSON); a pprof without samples is sent, as pprof reads it
	 */
	if ((rc = decode_profile_empty_ok((const uint8_t *)raw.data, raw.len, path, &p)))
		goto done;
	if (!is_pprof) {
		struct prof *q;

		/* a converted profile as Pyroscope takes it: its sample types with '_' for '-'
		 * (perf script's cpu-clock, cache-misses), for Pyroscope refuses a sample type
		 * with '-' ("sample type contains -"; smolder serve too); q NULL: none has one */
		if ((rc = prof_rename_types(p, '-', '_', NULL, &q)))
			goto done;
		if (q) {
			prof_free(p);
			p = q;
		}
	}
	if (prof_is_signed(p)) {  /* a diff would subtract from the service's profiles */
		rc = err_set(ERR_PARSE, "'%s' is a difference (negative values), not a profile",
			     path);
		goto done;
	}
	if (override_ts)
		p->time_nanos = time_now_ns();
	if (is_pprof && !override_ts) {
		/*
		 * As it is when gzipped or plain; a zstd-compressed file inflated, for Pyroscope
		 * reads gzip or plain pprof only (a zstd body was refused as malformed)
		 */
		bool gz = raw.len >= 2 && (uint8_t)raw.data[0] == 0x1f && (uint8_t)raw.data[1] == 0x8b;

		f->bytes = gz ? raw : plain;
		memset(gz ? &raw : &plain, 0, sizeof(raw));
		f->plain_len = gz ? plain.len : f->bytes.len;
	} else {
		buf_reset(&plain);  /* then the pprof written, inflated again for its size */
		if ((rc = encode_pprof(p, &f->bytes)) ||
		    (rc = decode_inflate((const uint8_t *)f->bytes.data, f->bytes.len,
					 DECODE_MAX_INFLATED, &plain)))
			goto done;
		f->plain_len = plain.len;
	}
	/*
	 * profilecli tests the value, not the presence (lbl.Get(...) == ""): --service "" or
	 * --extra-labels __name__= is the default, where it was sent empty and refused
	 */
	if ((rc = labelset_copy(&f->labels, extra)) ||
	    (!labelset_given(&f->labels, "__name__") &&
	     (rc = labelset_set(&f->labels, "__name__", cmd_metric_name(p, path)))) ||
	    (!labelset_given(&f->labels, "service_name") &&
	     (rc = labelset_set(&f->labels, "service_name", "profilecli-upload"))))
		goto done;
	uuid4(f->id);
done:
	prof_free(p);
	buf_release(&raw);
	buf_release(&plain);
	return rc;
}

/*
 * The answer's first MiB is kept (for the error messages), the rest read and dropped:
 * refusing it aborted the transfer, and a push the server had stored was reported as
 * failed ("cannot reach"), so a retry stored it twice.  The status decides.
 */
static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t n = size * nmemb, cap = (size_t)1 << 20;
	size_t keep = b->len < cap ? cap - b->len : 0;

	if (keep > n)
		keep = n;
	return keep && buf_add(b, ptr, keep) ? 0 : n;
}

/* Packs the request: a series per file. */
static int pack_request(struct upfile *files, size_t n, struct buf *out)
{
	Push__V1__PushRequest req = PUSH__V1__PUSH_REQUEST__INIT;
	Push__V1__RawProfileSeries *series = calloc(n, sizeof(*series)), **sp = calloc(n, sizeof(*sp));
	Push__V1__RawSample *samples = calloc(n, sizeof(*samples)), **smp = calloc(n, sizeof(*smp));
	size_t i, j, nl = 0;
	Types__V1__LabelPair *pairs, **pp;
	int rc = 0;

	for (i = 0; i < n; i++)
		nl += files[i].labels.n;
	pairs = calloc(nl ? nl : 1, sizeof(*pairs));
	pp = calloc(nl ? nl : 1, sizeof(*pp));
	if (!series || !sp || !samples || !smp || !pairs || !pp) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	nl = 0;
	for (i = 0; i < n; i++) {
		push__v1__raw_profile_series__init(&series[i]);
		push__v1__raw_sample__init(&samples[i]);
		samples[i].raw_profile.data = (uint8_t *)files[i].bytes.data;
		samples[i].raw_profile.len = files[i].bytes.len;
		samples[i].id.data = (uint8_t *)files[i].id;
		samples[i].id.len = strlen(files[i].id);
		smp[i] = &samples[i];
		series[i].samples = &smp[i];
		series[i].n_samples = 1;
		series[i].labels = &pp[nl];
		for (j = 0; j < files[i].labels.n; j++) {
			const struct label *l = &files[i].labels.v[j];

			types__v1__label_pair__init(&pairs[nl]);
			pairs[nl].name.data = (uint8_t *)l->name;
			pairs[nl].name.len = strlen(l->name);
			pairs[nl].value.data = (uint8_t *)l->value;
			pairs[nl].value.len = strlen(l->value);
			pp[nl] = &pairs[nl];
			nl++;
		}
		series[i].n_labels = files[i].labels.n;
		sp[i] = &series[i];
	}
	req.series = sp;
	req.n_series = n;
	if ((rc = buf_grow(out, push__v1__push_request__get_packed_size(&req))))
		goto done;
	out->len = push__v1__push_request__pack(&req, (uint8_t *)out->data);
done:
	free(series);
	free(sp);
	free(samples);
	free(smp);
	free(pairs);
	free(pp);
	return rc;
}

/*
 * {name="value", ...} as Prometheus writes labels (\ and " escaped in values), made
 * terminal-safe: __name__ may be a sample type of the file, and values come from it and
 * the command line.
 */
static void print_labels(FILE *f, const struct labelset *ls)
{
	struct buf b = BUF_INIT, safe = BUF_INIT;
	size_t i;
	const char *v;

	buf_puts(&b, "{");
	for (i = 0; i < ls->n; i++) {
		if (!*ls->v[i].value)
			continue;  /* an empty value is no label: the server stores none */
		buf_printf(&b, "%s%s=\"", b.len > 1 ? ", " : "", ls->v[i].name);
		for (v = ls->v[i].value; *v; v++) {
			if (*v == '"' || *v == '\\')
				buf_add(&b, "\\", 1);
			buf_add(&b, v, 1);
		}
		buf_puts(&b, "\"");
	}
	buf_puts(&b, "}");
	if (b.data && text_safe(&safe, b.data, b.len, cmd_ascii(f)) == 0 && safe.data)
		fwrite(safe.data, 1, safe.len, f);
	buf_release(&b);
	buf_release(&safe);
}

/* The request in progress: a curl handle with the URL, headers and auth set. */
struct uploader {
	CURL *curl;
	const char *shown;       /* the URL without user information, for messages */
	struct buf body, resp;
	size_t nfiles, nsent;    /* files in all, files uploaded so far */
};

/*
 * Whether a 400's body is the refusal of a request whose profiles inflate past the
 * server's limit (Pyroscope's and smolder serve's words: "uncompressed batched profile
 * payload size exceeds limit of ...").
 */
static bool too_big(const struct buf *resp)
{
	static const char what[] = "batched profile payload size exceeds";
	size_t i;

	for (i = 0; resp->len >= sizeof(what) - 1 && i <= resp->len - (sizeof(what) - 1); i++)
		if (memcmp(resp->data + i, what, sizeof(what) - 1) == 0)
			return true;
	return false;
}

/* Whether the answer is a web page (a proxy's): remote_error_message quotes none of it. */
static bool html_page(const struct buf *resp)
{
	size_t i = 0;

	while (i < resp->len && (resp->data[i] == ' ' || resp->data[i] == '\t' ||
				 resp->data[i] == '\r' || resp->data[i] == '\n'))
		i++;
	return i < resp->len && resp->data[i] == '<';
}

/*
 * Whether a 200 is the push API's: Connect answers a proto request with application/proto
 * (connect-go, profilecli's client, fails any other type, none included).  A login page
 * or a proxy's page also answers 200, and was reported as uploaded.  Otherwise the one
 * line to say, the type escaped and cut at 80 bytes, goes in msg.
 */
static bool push_answer(CURL *curl, const char *shown, const struct buf *resp, struct buf *msg)
{
	char *ct = NULL;
	struct buf safe = BUF_INIT;
	size_t n;

	if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK)
		ct = NULL;
	n = ct ? strcspn(ct, "; \t") : 0;
	if (n == strlen("application/proto") && strncasecmp(ct, "application/proto", n) == 0)
		return true;
	if (n)
		text_safe(&safe, ct, n > 80 ? 80 : n, true);
	buf_printf(msg, "%s answered %s, not the push API (is this the URL of a Pyroscope "
			"server?)", shown, safe.data ? safe.data : html_page(resp) ?
			"an HTML page with no Content-Type" : "no Content-Type");
	buf_release(&safe);
	return false;
}

/*
 * Pushes files[0..n) in one request and prints a line for each; when the server says
 * they are too many bytes (413, or a 400 for their inflated size) the two halves go in a
 * request each.  Prints the one-line error (saying
 * how many files were uploaded before it) and returns non-zero on failure.
 */
static int push(struct uploader *u, struct upfile *files, size_t n)
{
	struct buf msg = BUF_INIT, what = BUF_INIT;
	CURLcode cc;
	long status = 0;
	size_t i;
	int rc = 1;

	buf_reset(&u->body);
	buf_reset(&u->resp);
	if (pack_request(files, n, &u->body)) {
		cmd_verb_errorf("upload", "%s", err_last());
		return 1;
	}
	curl_easy_setopt(u->curl, CURLOPT_POSTFIELDS, u->body.data);
	curl_easy_setopt(u->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)u->body.len);
	curl_easy_setopt(u->curl, CURLOPT_WRITEDATA, &u->resp);
	cc = curl_easy_perform(u->curl);
	if (cc == CURLE_OK)
		curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE, &status);
	if (n > 1 && (status == 413 || (status == 400 && too_big(&u->resp))))
		return push(u, files, n / 2) || push(u, files + n / 2, n - n / 2);
	if (cc == CURLE_OK && status != 200 && n == 1 && u->nfiles > 1) {
		/* of several files, the one the server refused */
		cmd_safe(&what, files[0].path);
		buf_puts(&what, ": ");
	}
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		buf_printf(&msg, "%s: cancelled", u->shown);
	} else if (cc != CURLE_OK) {
		buf_printf(&msg, "cannot reach %s: %s", u->shown, curl_easy_strerror(cc));
	} else if (status != 200) {
		/* the server's reason as the query verbs show it: one terminal-safe line */
		struct buf reason = BUF_INIT;

		remote_error_message(u->resp.data ? u->resp.data : "", u->resp.len, &reason);
		/* "series N, ...": the server's count of this request's series, a file each */
		if (n > 1 && reason.len && !strncmp(reason.data, "series ", 7)) {
			char *end;
			unsigned long long si = strtoull(reason.data + 7, &end, 10);

			if (end != reason.data + 7 && (*end == ',' || *end == ':') && si < n) {
				cmd_safe(&what, files[si].path);
				buf_puts(&what, ": ");
			}
		}
		buf_printf(&msg, "%s answered %ld: %s", u->shown, status,
			   reason.len ? reason.data : html_page(&u->resp) ?
			   "an HTML page, not the push API's answer (a proxy in between?)" :
			   "(no reason given)");
		buf_release(&reason);
	} else if (push_answer(u->curl, u->shown, &u->resp, &msg)) {
		for (i = 0; i < n; i++) {
			cmd_put_safe(stdout, files[i].path, strlen(files[i].path), true);
			fputs(": uploaded as ", stdout);
			print_labels(stdout, &files[i].labels);
			printf(" id=%s\n", files[i].id);
		}
		u->nsent += n;
		rc = 0;
		goto done;
	}
	if (u->nsent)
		buf_printf(&msg, " (%zu of the %zu files were uploaded, as said above; the others "
				 "were not)", u->nsent, u->nfiles);
	cmd_verb_errorf("upload", "%s%s", what.data ? what.data : "",
			msg.data ? msg.data : "");
	fflush(stdout);
done:
	buf_release(&msg);
	buf_release(&what);
	return rc;
}

/* Ctrl-C aborts the transfer (curl polls this about once a second, and on progress). */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	atomic_int *cancel = ud;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return cancel && atomic_load(cancel) ? 1 : 0;
}

/* Go's strconv.ParseBool, as kingpin reads a bool flag's environment variable. */
static int parse_go_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0)
			return *out = true, 0;
		if (strcmp(s, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

static const char *env_or(const char *v, const char *name)
{
	const char *e = getenv(name);

	return v ? v : (e && *e ? e : NULL);
}

int cmd_upload(int argc, char **argv, const struct cmd_env *env)
{
	enum { O_URL = 1, O_SERVICE, O_LABELS, O_OVERRIDE, O_USER, O_PASS, O_TOKEN, O_TENANT,
	       O_CACERT, O_PROTOCOL, O_DIAG };
	static const struct option opts[] = {
		{ "url", required_argument, NULL, O_URL },
		{ "service", required_argument, NULL, O_SERVICE },
		{ "extra-labels", required_argument, NULL, O_LABELS },
		{ "override-timestamp", no_argument, NULL, O_OVERRIDE },
		{ "username", required_argument, NULL, O_USER },
		{ "password", required_argument, NULL, O_PASS },
		{ "token", required_argument, NULL, O_TOKEN },
		{ "tenant-id", required_argument, NULL, O_TENANT },
		{ "tenant", required_argument, NULL, O_TENANT },
		{ "cacert", required_argument, NULL, O_CACERT },
		{ "ca-cert", required_argument, NULL, O_CACERT },  /* the other verbs' name */
		{ "protocol", required_argument, NULL, O_PROTOCOL },
		{ "collect-diagnostics", no_argument, NULL, O_DIAG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *user = NULL, *pass = NULL, *token = NULL,
		   *tenant = NULL, *cacert = NULL;
	const char *user_from, *pass_from, *token_from, *tenant_from, *url_from;
	struct labelset extra = LABELSET_INIT;
	struct upfile *files = NULL;
	struct uploader up = { 0 };
	struct buf endpoint = BUF_INIT, hdr = BUF_INIT;
	struct curl_slist *headers = NULL;
	bool override_ts = false, diag = false, diag_set = false;
	char shown[512];
	size_t nfiles = 0, i, k;
	CURL *curl = NULL;
	int c, rc = 2;

	optind = 1;
	while ((c = cmd_getopt("upload", argc, argv, "h", opts)) != -1) {
		switch (c) {
		case O_URL: url = optarg; break;
		case O_SERVICE:  /* --extra-labels service_name=NAME: the last one given wins */
			if (labelset_set(&extra, "service_name", optarg)) {
				cmd_verb_errorf("upload", "%s", err_last());
				goto done;
			}
			break;
		case O_LABELS:
			if (cmd_extra_labels(&extra, optarg, true)) {
				cmd_verb_errorf("upload", "%s", err_last());
				goto done;
			}
			break;
		case O_OVERRIDE: override_ts = true; break;
		case O_DIAG: diag = diag_set = true; break;
		case O_USER: user = optarg; break;
		case O_PASS: pass = optarg; break;
		case O_TOKEN: token = optarg; break;
		case O_TENANT: tenant = optarg; break;
		case O_CACERT: cacert = optarg; break;
		case O_PROTOCOL:
			if (strcmp(optarg, "connect") != 0) {
				fprintf(stderr, "smolder upload: only --protocol connect is supported "
						"(gRPC needs HTTP/2)\n");
				goto done;
			}
			break;
		case 'h':
			upload_help(stdout);
			rc = 0;
			goto done;
		case '?':  /* the one-line error is said */
			goto done;
		default:
			upload_help(stderr);
			goto done;
		}
	}
	if (optind >= argc) {  /* a usage error is one line, as in the other verbs */
		fputs("smolder upload: FILE is missing (see smolder upload --help)\n", stderr);
		goto done;
	}
	url_from = url ? "--url" : "PROFILECLI_URL";
	url = env_or(url, "PROFILECLI_URL");
	if (!url)
		url = "http://localhost:4040";
	/* as the reading verbs (remote_backend_open) take a server's URL */
	if (!*url) {
		fprintf(stderr, "smolder upload: --url is empty (leave it out for "
				"http://localhost:4040)\n");
		goto done;
	}
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
		struct buf r = BUF_INIT;

		url_redact_buf(url, &r);  /* never a password */
		fprintf(stderr, "smolder upload: %s wants http:// or https://, not '", url_from);
		cmd_put_safe(stderr, r.data ? r.data : "", r.len, true);
		fputs("'\n", stderr);
		buf_release(&r);
		goto done;
	}
	/*
	 * Each goes in a header: a line break would end it early (a token from a secret
	 * file keeps its newline: the body went past the header block) or add one of its
	 * own.  Refused as the reading verbs refuse it, naming where the value came from.
	 */
	user_from = user ? "--username" : "PROFILECLI_USERNAME";
	pass_from = pass ? "--password" : "PROFILECLI_PASSWORD";
	token_from = token ? "--token" : "PROFILECLI_TOKEN";
	tenant_from = tenant ? "--tenant-id" : "PROFILECLI_TENANT_ID";
	user = env_or(user, "PROFILECLI_USERNAME");
	pass = env_or(pass, "PROFILECLI_PASSWORD");
	token = env_or(token, "PROFILECLI_TOKEN");
	tenant = env_or(tenant, "PROFILECLI_TENANT_ID");
	if (remote_header_value_check(user_from, user) ||
	    remote_header_value_check(pass_from, pass) ||
	    remote_header_value_check(token_from, token) ||
	    remote_header_value_check(tenant_from, tenant)) {
		cmd_verb_errorf("upload", "%s", err_last());
		goto done;
	}
	if (!diag_set && env_or(NULL, "PROFILECLI_COLLECT_DIAGNOSTICS") &&
	    parse_go_bool(getenv("PROFILECLI_COLLECT_DIAGNOSTICS"), &diag)) {
		fprintf(stderr, "smolder upload: PROFILECLI_COLLECT_DIAGNOSTICS is true or false, "
				"not '%.40s'\n", getenv("PROFILECLI_COLLECT_DIAGNOSTICS"));
		goto done;
	}
	{
		struct buf r = BUF_INIT; /* the URL without user information, for messages */

		url_redact_buf(url, &r);
		snprintf(shown, sizeof(shown), "%s", r.data ? r.data : "");
		buf_release(&r);
	}
	rc = 1;
	nfiles = (size_t)(argc - optind);
	if (!(files = calloc(nfiles, sizeof(*files)))) {
		fprintf(stderr, "smolder upload: out of memory\n");
		goto done;
	}
	for (i = 0; i < nfiles; i++)
		if (load_file(argv[optind + (int)i], override_ts, &extra, &files[i])) {
			cmd_verb_errorf("upload", "%s", err_last());
			goto done;
		}
	/* a query or fragment (a pasted UI address) is dropped, as the reading verbs drop it */
	buf_add(&endpoint, url, strcspn(url, "?#"));
	while (endpoint.len && endpoint.data[endpoint.len - 1] == '/')
		endpoint.data[--endpoint.len] = '\0';
	buf_puts(&endpoint, "/push.v1.PusherService/Push");
	if (!endpoint.data || !(curl = curl_easy_init())) {
		fprintf(stderr, "smolder upload: out of memory\n");
		goto done;
	}
	headers = curl_slist_append(headers, "Content-Type: application/proto");
	headers = curl_slist_append(headers, "Accept: */*;allow-utf8-labelnames=true");
	/*
	 * 100-continue: a server that refuses the body from its headers (413 for its
	 * Content-Length) answers before the body is sent.  Without it the answer came
	 * while the body was still going, the server closed, and under load the reset
	 * could reach curl first: "cannot reach" instead of a 413 to halve the batch on.
	 */
	headers = curl_slist_append(headers, "Expect: 100-continue");
	if (tenant) {
		buf_printf(&hdr, "X-Scope-OrgID: %s", tenant);
		headers = curl_slist_append(headers, hdr.data);
	}
	if (diag)
		headers = curl_slist_append(headers, "X-Pyroscope-Collect-Diagnostics: true");
	if (!(user || pass) && token) {
		buf_reset(&hdr);
		buf_printf(&hdr, "Authorization: Bearer %s", token);
		headers = curl_slist_append(headers, hdr.data);
		explicit_bzero(hdr.data, hdr.len);
	}
	curl_easy_setopt(curl, CURLOPT_URL, endpoint.data);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "smolder/" SMOLDER_VERSION);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, UPLOAD_CONNECT_TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, env->cancel);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (user || pass) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(curl, CURLOPT_USERNAME, user ? user : "");
		curl_easy_setopt(curl, CURLOPT_PASSWORD, pass ? pass : "");
	}
	if (cacert)
		curl_easy_setopt(curl, CURLOPT_CAINFO, cacert);
	up.curl = curl;
	up.shown = shown;
	up.nfiles = nfiles;
	/* requests of at most UPLOAD_BATCH bytes of profiles, inflated (a bigger file goes alone) */
	for (i = 0; i < nfiles; i = k) {
		size_t bytes = files[i].plain_len;

		for (k = i + 1; k < nfiles && bytes + files[k].plain_len <= UPLOAD_BATCH; k++)
			bytes += files[k].plain_len;
		if (push(&up, files + i, k - i))
			goto done;
	}
	rc = 0;
done:
	curl_slist_free_all(headers);
	if (curl)
		curl_easy_cleanup(curl);
	if (hdr.data)
		explicit_bzero(hdr.data, hdr.len);
	for (i = 0; files && i < nfiles; i++) {
		buf_release(&files[i].bytes);
		labelset_free(&files[i].labels);
	}
	free(files);
	labelset_free(&extra);
	buf_release(&up.body);
	buf_release(&up.resp);
	buf_release(&endpoint);
	buf_release(&hdr);
	return rc;
}
