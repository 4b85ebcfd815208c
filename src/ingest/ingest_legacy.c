/*
 * ingest_legacy.c — POST /ingest and /pyroscope/ingest (ingest.h), following Pyroscope's
 * pkg/ingester/pyroscope/ingest_handler.go and og/convert/pprof (spec §1):
 *
 *   parameters  name (400 when it does not parse), from/until (attime; now when absent),
 *               sampleRate (100 when absent, negative or not a number), spyName
 *               ("unknown"), units and aggregationType (read, unused — as upstream),
 *               format;
 *   dispatch    format=trie|tree (or their Content-Types), format=jfr → 415;
 *               format=lines → lines; format=pprof → the body is one pprof;
 *               format=speedscope → speedscope; a multipart/form-data Content-Type →
 *               pprof parts; anything else → folded ("groups");
 *   pprof       __name__ from the sample types (labels_metric_name, with the
 *               sample_type_config display names), pyroscope_spy, service_name = the
 *               whole app name unless the name's labels have one, the name's labels
 *               (not __*, except __session_id__); time_nanos 0 or in 1970 → `from`;
 *               any failure is 422, as upstream;
 *   labels      both paths list them as upstream does (legacy_labels) and read the
 *               list as the distributor does: pyroscope_spy in the name's labels is a
 *               second pyroscope_spy (422, "duplicate label name"); a name's label
 *               with an empty value drops that name (an empty service_name: 422).
 *
 * Deliberate differences: a `Content-Encoding: gzip` request body is inflated first
 * (Pyroscope ignores the header; older pyroscope-rs sent it); a quoted-printable part is
 * refused rather than decoded; an item's duration is the pprof's, else until - from.
 */
#include "ingest_int.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

#include "ingest/decode.h"

#define SUPPORTED "supported: pprof (multipart or format=pprof), folded (the default), " \
		  "lines, speedscope"

/* ---- sample_type_config ---- */

/* A member of obj whose key equals name ignoring case (encoding/json's field match). */
static json_t *field(json_t *obj, const char *name)
{
	const char *k;
	json_t *v, *found = NULL;

	json_object_foreach(obj, k, v)
		if (strcasecmp(k, name) == 0)
			found = v;  /* the last one, as json.Unmarshal assigns in order */
	return found;
}

/*
 * Parses the sample_type_config part as json.Unmarshal into map[string]*SampleTypeConfig
 * does: an object (or null: no config) of objects (or null) whose known fields have the
 * right types.  *out is NULL for no config.
 */
static int config_load(const uint8_t *data, size_t len, json_t **out)
{
	static const struct {
		const char *name;
		int type;
	} fields[] = { { "units", JSON_STRING },     { "display-name", JSON_STRING },
		       { "aggregation", JSON_STRING }, { "cumulative", JSON_TRUE },
		       { "sampled", JSON_TRUE } };
	json_t *root, *v, *f;
	const char *k;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = ingest_json_load((const char *)data, len, 4096, JSON_DECODE_ANY, &root)))
		return rc;
	if (json_is_null(root)) {
		json_decref(root);
		return 0;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return err_set(ERR_PARSE, "not a JSON object");
	}
	json_object_foreach(root, k, v) {
		if (json_is_null(v))
			continue;
		if (!json_is_object(v))
			goto bad;
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			if (!(f = field(v, fields[i].name)) || json_is_null(f))
				continue;
			if (fields[i].type == JSON_STRING ? !json_is_string(f)
							  : !json_is_boolean(f))
				goto bad;
		}
	}
	*out = root;
	return 0;
bad:
	{
		struct buf q = BUF_INIT;

		ingest_quote(&q, k, strlen(k));
		rc = err_set(ERR_PARSE, "the entry %s has a wrong type", q.data ? q.data : "");
		buf_release(&q);
	}
	json_decref(root);
	return rc;
}

/* The display name a config gives sample type `type`, or NULL. */
static const char *display_name(json_t *config, const char *type)
{
	json_t *e = json_object_get(config, type), *d;

	if (!json_is_object(e) || !(d = field(e, "display-name")) || !json_is_string(d) ||
	    !*json_string_value(d))
		return NULL;
	return json_string_value(d);
}

/* ---- the pprof path ---- */

static bool spy_is(const struct legacy_md *md, const char *name)
{
	return strcmp(md->spy.data, name) == 0;
}

/* The name's labels that reach the series: not __*, except __session_id__. */
static bool allowed_label(const char *name)
{
	return strncmp(name, "__", 2) != 0 || strcmp(name, "__session_id__") == 0;
}

static void pair_set(struct ingest_pair *p, const char *name, const char *value, size_t vlen)
{
	p->name = name;
	p->nlen = strlen(name);
	p->value = value;
	p->vlen = vlen;
}

int legacy_labels(const struct legacy_md *md, const char *metric, const char *app,
		  size_t app_len, bool og, struct labelset *ls)
{
	struct ingest_pair *v;
	size_t i, n = 0;
	int rc;

	if (!(v = calloc(md->name.n + 5, sizeof(*v))))
		return err_set(ERR_NOMEM, "out of memory");
	pair_set(&v[n++], "__name__", metric, strlen(metric));
	pair_set(&v[n++], "__delta__", "false", 5);
	if (md->spy.len)
		pair_set(&v[n++], "pyroscope_spy", md->spy.data, md->spy.len);
	for (i = 0; i < md->name.n; i++)
		if (allowed_label(md->name.v[i].name))
			pair_set(&v[n++], md->name.v[i].name, md->name.v[i].value,
				 strlen(md->name.v[i].value));
	if (!labelset_get(&md->name, "service_name"))
		pair_set(&v[n++], "service_name", app, app_len);
	else if (og && !labelset_get(&md->name, "app_name"))
		pair_set(&v[n++], "app_name", app, app_len);
	rc = ingest_series_pairs(v, n, ls);
	free(v);
	return rc;
}

static int pprof_labels(const struct legacy_md *md, const struct prof *p, json_t *config,
			struct labelset *ls)
{
	const char **display = NULL;
	const char *metric, *app = labelset_get(&md->name, "__name__");
	size_t i;
	int rc;

	if (config) {
		if (!(display = calloc(p->ntypes ? p->ntypes : 1, sizeof(*display))))
			return err_set(ERR_NOMEM, "out of memory");
		for (i = 0; i < p->ntypes; i++)
			display[i] = display_name(config, prof_str(p, p->sample_types[i].type));
	}
	metric = labels_metric_name(p, display);
	rc = legacy_labels(md, metric, app ? app : "", app ? strlen(app) : 0, false, ls);
	free(display);
	return rc;
}

static int legacy_pprof(const struct ingest_request *rq, const struct ingest_limits *lim,
			const struct legacy_md *md, const uint8_t *data, size_t len,
			json_t *config, struct ingest_result *out)
{
	struct pprof_fix fix = { false, false, false };
	struct labelset ls = LABELSET_INIT;
	struct prof *p = NULL;
	size_t raw = 0;
	int64_t t, dur;
	int rc;

	fix.dotnet = spy_is(md, "dotnetspy") ||
		     (spy_is(md, "unknown") && config &&
		      json_is_object(json_object_get(config, "inuse-space")));
	fix.scripting = spy_is(md, "pyspy") || spy_is(md, "rbspy") || spy_is(md, "scripting");
	fix.skip_abs_files = spy_is(md, "pyspy");
	if ((rc = ingest_pprof_load(data, len, lim, &fix, &p, &raw)))
		return ingest_fail_last(out, 422, NULL, "profile");
	if (!p)
		return 0;  /* nothing but zeros: accepted, nothing to store */
	/* old py-spy, rbspy and pyroscope-rs sent microseconds: the year 1970 means `from` */
	t = p->time_nanos;
	if (t == 0 || (t > 0 && t < (int64_t)365 * 86400 * 1000000000))
		t = md->from_ns;
	if ((rc = ingest_time(lim, rq->now_ns, t, &t)))
		goto fail;
	dur = p->duration_nanos > 0 ? p->duration_nanos : legacy_span(md);
	if ((rc = pprof_labels(md, p, config, &ls)) || (rc = ingest_series_finish(&ls, p, lim)))
		goto fail;
	if ((rc = ingest_item_add(out, &ls, p, t, dur)))
		return ingest_fail_last(out, 500, NULL, NULL);
	return 0;
fail:
	labelset_free(&ls);
	prof_free(p);
	return ingest_fail_last(out, 422, NULL, NULL);
}

/* The first part named `name` with a filename (Go's form.File[name][0]); NULL if empty. */
static const struct mp_part *form_file(const struct mp_part *parts, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (parts[i].has_filename && strcmp(parts[i].name, name) == 0)
			return parts[i].len ? &parts[i] : NULL;
	return NULL;
}

static int legacy_multipart(const struct ingest_request *rq, const struct ingest_limits *lim,
			    const struct legacy_md *md, const char *ctype, const uint8_t *body,
			    size_t len, struct ingest_result *out)
{
	struct buf type = BUF_INIT, boundary = BUF_INIT;
	struct media_want want = { "boundary", &boundary, false };
	const struct mp_part *profile, *prev, *stc;
	struct mp_part *parts = NULL;
	json_t *config = NULL;
	size_t n = 0;
	int rc;

	if ((rc = media_type_parse(ctype, strlen(ctype), &type, &want, 1))) {
		rc = ingest_fail_last(out, 422, NULL, "multipart Content-Type");
		goto done;
	}
	if (!want.found) {
		rc = ingest_fail(out, 422, NULL, ERR_PARSE,
				 "multipart Content-Type: malformed multipart content type header "
				 "(no boundary)");
		goto done;
	}
	if ((rc = multipart_parse(body, len, boundary.data, boundary.len,
				  lim->max_multipart_parts ? lim->max_multipart_parts : SIZE_MAX,
				  &parts, &n))) {
		rc = ingest_fail_last(out, 422, NULL, "multipart body");
		goto done;
	}
	profile = form_file(parts, n, "profile");
	prev = form_file(parts, n, "prev_profile");
	stc = form_file(parts, n, "sample_type_config");
	if ((profile && profile->quoted_printable) || (stc && stc->quoted_printable)) {
		rc = ingest_fail(out, 422, NULL, ERR_UNSUPPORTED,
				 "multipart body: quoted-printable parts are not supported");
		goto done;
	}
	if (prev) {
		rc = ingest_fail(out, 422, NULL, ERR_PARSE,
				 "unsupported client version: the request has a prev_profile part "
				 "(cumulative profile pairs); update the Pyroscope SDK");
		goto done;
	}
	if (stc && (rc = config_load(stc->data, stc->len, &config))) {
		rc = ingest_fail_last(out, 422, NULL, "sample_type_config");
		goto done;
	}
	rc = profile ? legacy_pprof(rq, lim, md, profile->data, profile->len, config, out) : 0;
done:
	json_decref(config);
	free(parts);
	buf_release(&type);
	buf_release(&boundary);
	return rc;
}

/* ---- parameters and dispatch ---- */

static int parse_md(const struct ingest_request *rq, struct legacy_md *md, struct buf *v)
{
	int64_t rate;
	int rc;

	if (ingest_param(rq, "name", v) == 0)
		buf_add(v, "", 0);
	if ((rc = ingest_name_parse(v->data, v->len, &md->name)))
		return err_prefix(rc, "name");
	md->from_ns = rq->now_ns;
	if (ingest_param(rq, "from", v) && v->len)
		md->from_ns = ingest_attime(v->data, v->len, rq->now_ns);
	md->until_ns = rq->now_ns;
	if (ingest_param(rq, "until", v) && v->len)
		md->until_ns = ingest_attime(v->data, v->len, rq->now_ns);
	/* upstream's handler (since #5253): a rate that is not Atoi's, or is negative, is
	 * the default 100, as an absent one; any other is uint32(rate), wrapping past 2^32 */
	md->sample_rate = 100;
	if (ingest_param(rq, "sampleRate", v) && v->len && ingest_atoi(v->data, v->len, &rate) &&
	    rate >= 0)
		md->sample_rate = (uint32_t)rate;
	if (ingest_param(rq, "spyName", v) && v->len)
		buf_add(&md->spy, v->data, v->len);
	else
		buf_puts(&md->spy, "unknown");
	if (!md->spy.data || memchr(md->spy.data, 0, md->spy.len))
		return err_set(ERR_PARSE, "spyName holds a NUL byte");
	return 0;
}

int ingest_legacy(const struct ingest_request *rq, const struct ingest_limits *lim_in,
		  struct ingest_result *out)
{
	struct ingest_limits def;
	const struct ingest_limits *lim = lim_in;
	struct legacy_md md = { LABELSET_INIT, 0, 0, 0, BUF_INIT };
	struct buf v = BUF_INIT, fmt = BUF_INIT, inflated = BUF_INIT;
	const char *ctype = ingest_header(rq, "Content-Type"), *enc;
	const uint8_t *body = rq->body ? rq->body : (const uint8_t *)"";
	size_t len = rq->body ? rq->body_len : 0;
	int rc;

	if (!lim) {
		ingest_limits_default(&def);
		lim = &def;
	}
	if (!ctype)
		ctype = "";
	out->reply_type = NULL;
	out->reply_body = "";
	if (!rq->method || strcmp(rq->method, "POST") != 0) {
		rc = ingest_fail(out, 405, NULL, ERR_UNSUPPORTED,
				 "only POST is allowed on /ingest");
		goto done;
	}
	if ((rc = parse_md(rq, &md, &v))) {
		rc = ingest_fail_last(out, 400, NULL, NULL);
		goto done;
	}
	if (lim->max_body_bytes && len > lim->max_body_bytes) {
		rc = ingest_fail(out, 413, NULL, ERR_TOOBIG,
				 "request body too large: %zu bytes, the limit is %zu", len,
				 lim->max_body_bytes);
		goto done;
	}
	enc = ingest_header(rq, "Content-Encoding");
	if (enc && strcasecmp(enc, "gzip") == 0 && len >= 2 && body[0] == 0x1f && body[1] == 0x8b) {
		size_t limit = lim->max_body_bytes ? lim->max_body_bytes : DECODE_MAX_INFLATED;

		if ((rc = decode_inflate(body, len, limit, &inflated))) {
			if (rc == ERR_TOOBIG)
				rc = ingest_fail(out, 413, NULL, ERR_TOOBIG, "request body too "
						 "large once inflated (limit %zu bytes)", limit);
			else
				rc = ingest_fail_last(out, 400, NULL, "Content-Encoding gzip");
			goto done;
		}
		body = (const uint8_t *)inflated.data;
		len = inflated.len;
	}
	if (!ingest_param(rq, "format", &fmt))
		buf_add(&fmt, "", 0);
	if (strcmp(fmt.data, "trie") == 0 || strcmp(ctype, "binary/octet-stream+trie") == 0 ||
	    strcmp(fmt.data, "tree") == 0 || strcmp(ctype, "binary/octet-stream+tree") == 0 ||
	    strcmp(fmt.data, "jfr") == 0) {
		const char *what = strcmp(fmt.data, "jfr") == 0 ? "jfr"
				   : (strcmp(fmt.data, "trie") == 0 ||
				      strcmp(ctype, "binary/octet-stream+trie") == 0)
					   ? "trie"
					   : "tree";

		rc = ingest_fail(out, 415, NULL, ERR_UNSUPPORTED,
				 "format '%s' is not supported; " SUPPORTED, what);
	} else if (strcmp(fmt.data, "lines") == 0) {
		rc = ingest_text(rq, lim, &md, LEGACY_LINES, body, len, out);
	} else if (strcmp(fmt.data, "pprof") == 0) {
		rc = len ? legacy_pprof(rq, lim, &md, body, len, NULL, out) : 0;
	} else if (strcmp(fmt.data, "speedscope") == 0) {
		rc = ingest_text(rq, lim, &md, LEGACY_SPEEDSCOPE, body, len, out);
	} else if (strcasestr(ctype, "multipart/form-data")) {
		rc = legacy_multipart(rq, lim, &md, ctype, body, len, out);
	} else {
		rc = ingest_text(rq, lim, &md, LEGACY_GROUPS, body, len, out);
	}
done:
	if (rc == 0) {
		out->status = 200;
		out->code = "";
		out->reason[0] = '\0';
	}
	labelset_free(&md.name);
	buf_release(&md.spy);
	buf_release(&v);
	buf_release(&fmt);
	buf_release(&inflated);
	return rc;
}
