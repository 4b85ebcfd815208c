/*
 * config.c — `.pyroscope.yaml` (v1) read with libyaml, validated with Pyroscope's
 * messages, and the longest-prefix mapping search (see source_int.h).
 *
 *   version: v1
 *   source_code:
 *     mappings:
 *       - path: [{prefix: ...}]          and/or  function_name: [{prefix: ...}]
 *         language: go|java|python|javascript
 *         source: {local: {path: ...}}   or      {github: {owner, repo, ref, path}}
 *
 * Unknown keys are ignored (yaml.v3 is not strict) but duplicate keys anywhere are an
 * error, as in Pyroscope.  The document is bounded: at most CFG_MAX_BYTES of YAML,
 * CFG_MAX_KEYS keys per mapping, CFG_MAX_MAPPINGS mappings, CFG_MAX_ALL_PREFIXES prefixes
 * in all, and CFG_MAX_COPIED bytes of text and structures made.  Aliases are followed as
 * libyaml's document model stores them (one node, never expanded).  Merge keys (<<) are
 * searched at lookup time; a file's lookups may look at CFG_MAX_MERGED keys of merged
 * mappings in all (a few dozen aliases nested a few levels fan out exponentially).
 * Each mapping node's keys are checked for duplicates once however often aliases reach
 * it, through a hash of its keys (not pairwise), and the key bytes hashed in all are
 * bounded by CFG_MAX_KEY_BYTES: keys may themselves be aliases of long scalars.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/err.h"
#include "base/strmap.h"
#include "base/vec.h"
#include "source_int.h"

#define CFG_MAX_BYTES (1u << 20)
#define CFG_MAX_KEYS 256
#define CFG_MAX_MAPPINGS 4096
#define CFG_MAX_PREFIXES 1024                /* in one list */
#define CFG_MAX_ALL_PREFIXES 16384           /* in the whole file (aliases counted each time) */
/* what a prefix and a mapping cost besides their text, counted in `copied` */
#define CFG_PREFIX_COST 32
#define CFG_MAPPING_COST ((size_t)sizeof(struct src_mapping) + 64)
#define CFG_MAX_DEPTH 64                     /* the schema needs 7 */
#define CFG_MAX_COPIED (4u * CFG_MAX_BYTES)  /* scalars copied, aliases counted each time */
#define CFG_MAX_MERGED (1u << 20)            /* keys looked at through <<, per file */
#define CFG_MAX_KEY_BYTES (64u << 20)        /* key bytes hashed for duplicates, per file */

const char *src_lang_name(enum src_lang l)
{
	switch (l) {
	case LANG_GO: return "go";
	case LANG_JAVA: return "java";
	case LANG_PYTHON: return "python";
	case LANG_JS: return "javascript";
	case LANG_NONE: break;
	}
	return "";
}

struct cparse {
	yaml_document_t doc;
	struct buf errs;  /* "mapping[i]: ...; " */
	size_t copied;    /* bytes of scalars copied (and CFG_*_COST): aliases repeat an anchor's */
	size_t nprefixes; /* prefixes of every mapping: aliases repeat a list */
	size_t merged;    /* keys looked at in mappings reached through <<, all lookups */
	bool over;        /* merged passed CFG_MAX_MERGED: lookups find nothing, parse fails */
	size_t key_bytes; /* key bytes hashed by check_map, against CFG_MAX_KEY_BYTES */
	bool *checked;    /* per node (id - 1): its keys were found distinct already */
	size_t nnodes;
};

static yaml_node_t *node(struct cparse *p, int id)
{
	return yaml_document_get_node(&p->doc, id);
}

static bool scalar_is(yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

/* counts n bytes of what the document makes us allocate */
static int charge(struct cparse *p, size_t n)
{
	p->copied += n;
	if (p->copied > CFG_MAX_COPIED)
		return err_set(ERR_TOOBIG, "invalid pyroscope config: its aliases repeat more than "
					   "%u MiB of text", CFG_MAX_COPIED >> 20);
	return 0;
}

/* a scalar's text (NULL and ~ are ""), malloc'd; non-scalars fail */
static int scalar_dup(struct cparse *p, yaml_node_t *n, const char *what, char **out)
{
	*out = NULL;
	if (!n || n->type != YAML_SCALAR_NODE)
		return err_set(ERR_PARSE, "invalid pyroscope config: '%s' must be a string", what);
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length))
		return err_set(ERR_PARSE, "invalid pyroscope config: '%s' holds a NUL character",
			       what);
	if (charge(p, n->data.scalar.length + 1))
		return ERR_TOOBIG;
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (scalar_is(n, "~") || scalar_is(n, "null") || scalar_is(n, "Null") ||
	     scalar_is(n, "NULL")))
		*out = strdup("");
	else
		*out = strndup((const char *)n->data.scalar.value, n->data.scalar.length);
	return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
}

/*
 * A mapping node: bounded, no duplicate keys (compared as scalars).  The duplicate check
 * runs once per node: an alias is the node it names, so a mapping aliased thousands of
 * times (in every element of a list, in every mapping) costs one check, and the check
 * hashes the keys instead of comparing each with every earlier one.
 */
static int check_map(struct cparse *p, yaml_node_t *n, const char *what)
{
	struct strmap keys;
	yaml_node_pair_t *a;
	size_t count, id;
	uint32_t prev;
	int rc = 0;

	if (!n || n->type != YAML_MAPPING_NODE)
		return err_set(ERR_PARSE, "invalid pyroscope config: '%s' must be a mapping", what);
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (count > CFG_MAX_KEYS)
		return err_set(ERR_TOOBIG, "invalid pyroscope config: '%s' has more than %d keys",
			       what, CFG_MAX_KEYS);
	id = (size_t)(n - p->doc.nodes.start);
	if (id < p->nnodes && p->checked[id])
		return 0;
	if ((rc = strmap_init(&keys, count)))
		return rc;
	for (a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top; a++) {
		yaml_node_t *ka = node(p, a->key), *kb;

		if (!ka || ka->type != YAML_SCALAR_NODE) {
			rc = err_set(ERR_PARSE,
				     "invalid pyroscope config: a key in '%s' is not a string", what);
			goto done;
		}
		/* hashing reads a key once, a match compares it once more */
		p->key_bytes += 2 * ka->data.scalar.length + 1;
		if (p->key_bytes > CFG_MAX_KEY_BYTES) {
			rc = err_set(ERR_TOOBIG,
				     "invalid pyroscope config: its mapping keys hold more than %u "
				     "MiB (aliases of a key counted each time)",
				     CFG_MAX_KEY_BYTES >> 20);
			goto done;
		}
		rc = strmap_intern(&keys, (const char *)ka->data.scalar.value,
				   ka->data.scalar.length, &prev);
		if (rc < 0)
			goto done;
		if (rc == 1) {
			kb = node(p, n->data.mapping.pairs.start[prev].key);
			rc = err_set(ERR_PARSE,
				     "failed to parse pyroscope config: line %zu: mapping key "
				     "'%.*s' already defined at line %zu",
				     ka->start_mark.line + 1, (int)ka->data.scalar.length,
				     (const char *)ka->data.scalar.value, kb->start_mark.line + 1);
			goto done;
		}
	}
	if (id < p->nnodes)
		p->checked[id] = true;
done:
	strmap_release(&keys);
	return rc;
}

static yaml_node_t *map_get_depth(struct cparse *p, yaml_node_t *m, const char *key, int depth)
{
	yaml_node_pair_t *a;
	yaml_node_item_t *it;
	yaml_node_t *v, *found;

	if (p->over)
		return NULL;
	if (depth > 0) {
		p->merged += (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start) + 1;
		if (p->merged > CFG_MAX_MERGED) {
			p->over = true;
			return NULL;
		}
	}
	for (a = m->data.mapping.pairs.start; a < m->data.mapping.pairs.top; a++)
		if (scalar_is(node(p, a->key), key))
			return node(p, a->value);
	/* YAML's merge key (<<: *base, or a list of them), as go-yaml decodes it */
	if (depth >= 8)
		return NULL;
	for (a = m->data.mapping.pairs.start; a < m->data.mapping.pairs.top; a++) {
		if (!scalar_is(node(p, a->key), "<<") || !(v = node(p, a->value)))
			continue;
		if (v->type == YAML_MAPPING_NODE)
			return map_get_depth(p, v, key, depth + 1);
		if (v->type != YAML_SEQUENCE_NODE)
			continue;
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = node(p, *it);

			if (e && e->type == YAML_MAPPING_NODE &&
			    (found = map_get_depth(p, e, key, depth + 1)))
				return found;
		}
	}
	return NULL;
}

static yaml_node_t *map_get(struct cparse *p, yaml_node_t *m, const char *key)
{
	return map_get_depth(p, m, key, 0);
}

static bool is_null(yaml_node_t *n)
{
	return !n || (n->type == YAML_SCALAR_NODE &&
		      n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		      (n->data.scalar.length == 0 || scalar_is(n, "~") || scalar_is(n, "null")));
}

/* [{prefix: x}, ...] */
static int prefixes(struct cparse *p, yaml_node_t *n, const char *what, char ***out,
		    size_t *count)
{
	yaml_node_item_t *it;
	size_t cap = 0;
	int rc;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return err_set(ERR_PARSE, "invalid pyroscope config: '%s' must be a list", what);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = node(p, *it), *v;

		if ((rc = check_map(p, e, what)))
			return rc;
		if (*count >= CFG_MAX_PREFIXES)
			return err_set(ERR_TOOBIG, "invalid pyroscope config: too many prefixes");
		/* an empty prefix ({}) costs an allocation too, and aliases of a long list in
		   many mappings repeat it: the whole file has a budget */
		if (++p->nprefixes > CFG_MAX_ALL_PREFIXES)
			return err_set(ERR_TOOBIG, "invalid pyroscope config: more than %d prefixes "
						   "in all (aliases counted each time they are used)",
				       CFG_MAX_ALL_PREFIXES);
		if ((rc = charge(p, CFG_PREFIX_COST)))
			return rc;
		if ((rc = vec_reserve(out, &cap, *count + 1)))
			return rc;
		v = map_get(p, e, "prefix");
		if (is_null(v))
			(*out)[*count] = strdup("");
		else if ((rc = scalar_dup(p, v, "prefix", &(*out)[*count])))
			return rc;
		if (!(*out)[(*count)++])
			return err_set(ERR_NOMEM, "out of memory");
	}
	return 0;
}

static int opt_string(struct cparse *p, yaml_node_t *m, const char *key, char **out)
{
	yaml_node_t *v = map_get(p, m, key);

	if (is_null(v)) {
		*out = strdup("");
		return *out ? 0 : err_set(ERR_NOMEM, "out of memory");
	}
	return scalar_dup(p, v, key, out);
}

static void add_error(struct cparse *p, size_t i, const char *msg)
{
	buf_printf(&p->errs, "%smapping[%zu]: %s", p->errs.len ? "; " : "", i, msg);
}

static int parse_mapping(struct cparse *p, yaml_node_t *n, size_t i, struct src_mapping *m)
{
	yaml_node_t *src, *v;
	char *lang = NULL;
	int rc;

	if ((rc = check_map(p, n, "mappings")) || (rc = charge(p, CFG_MAPPING_COST)))
		return rc;
	if ((rc = prefixes(p, map_get(p, n, "path"), "path", &m->paths, &m->npaths)) ||
	    (rc = prefixes(p, map_get(p, n, "function_name"), "function_name", &m->funcs,
			   &m->nfuncs)))
		return rc;
	if ((rc = opt_string(p, n, "language", &lang)))
		return rc;
	if (strcmp(lang, "go") == 0)
		m->lang = LANG_GO;
	else if (strcmp(lang, "java") == 0)
		m->lang = LANG_JAVA;
	else if (strcmp(lang, "python") == 0)
		m->lang = LANG_PYTHON;
	else if (strcmp(lang, "javascript") == 0)
		m->lang = LANG_JS;
	src = map_get(p, n, "source");
	if (!is_null(src)) {
		if ((rc = check_map(p, src, "source")))
			goto done;
		if (!is_null(v = map_get(p, src, "local"))) {
			if ((rc = check_map(p, v, "local")) ||
			    (rc = opt_string(p, v, "path", &m->local_path)))
				goto done;
			m->local = true;
		}
		if (!is_null(v = map_get(p, src, "github"))) {
			if ((rc = check_map(p, v, "github")) ||
			    (rc = opt_string(p, v, "owner", &m->owner)) ||
			    (rc = opt_string(p, v, "repo", &m->repo)) ||
			    (rc = opt_string(p, v, "ref", &m->ref)) ||
			    (rc = opt_string(p, v, "path", &m->gh_path)))
				goto done;
			m->github = true;
		}
	}
	/* validation, every problem of this mapping reported */
	if (!m->npaths && !m->nfuncs)
		add_error(p, i, "at least one path or a function_name match is required");
	if (m->lang == LANG_NONE) {
		char msg[300];

		snprintf(msg, sizeof(msg),
			 "language '%.200s' unsupported, valid languages are [go java python javascript]",
			 lang);
		add_error(p, i, msg);
	}
	if (!m->local && !m->github)
		add_error(p, i, "no source type supplied, you need to supply exactly one source type");
	if (m->local && m->github)
		add_error(p, i, "more than one source type supplied, you need to supply exactly one "
				"source type");
done:
	free(lang);
	return rc;
}

static void mapping_release(struct src_mapping *m)
{
	size_t i;

	for (i = 0; i < m->npaths; i++)
		free(m->paths[i]);
	for (i = 0; i < m->nfuncs; i++)
		free(m->funcs[i]);
	free(m->paths);
	free(m->funcs);
	free(m->local_path);
	free(m->owner);
	free(m->repo);
	free(m->ref);
	free(m->gh_path);
}

void src_config_release(struct src_config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		mapping_release(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/*
 * Whether the YAML nests at most CFG_MAX_DEPTH deep (libyaml has no limit, and its
 * loader is quadratic in the depth): a first pass over its events.  Other errors are
 * left to the loader, which reports them with their line.
 */
static int check_depth(const char *data, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, rc = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return err_set(ERR_NOMEM, "cannot initialise the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done && !rc) {
		if (!yaml_parser_parse(&parser, &ev))
			break;
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
			if (++depth > CFG_MAX_DEPTH)
				rc = err_set(ERR_TOOBIG, "invalid pyroscope config: line %zu: nested "
							 "more than %d deep",
					     ev.start_mark.line + 1, CFG_MAX_DEPTH);
		} else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

int src_config_parse(const char *data, size_t len, struct src_config *out)
{
	struct cparse p;
	yaml_parser_t parser;
	yaml_node_t *root, *sc, *maps, *v;
	yaml_node_item_t *it;
	size_t cap = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (len > CFG_MAX_BYTES)
		return err_set(ERR_TOOBIG, "pyroscope config larger than %u KiB", CFG_MAX_BYTES >> 10);
	if ((rc = check_depth(data, len)))
		return rc;
	if (!yaml_parser_initialize(&parser))
		return err_set(ERR_NOMEM, "cannot initialise the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &p.doc)) {
		rc = err_set(ERR_PARSE, "failed to parse pyroscope config: line %zu: %s",
			     parser.problem_mark.line + 1,
			     parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		return rc;
	}
	yaml_parser_delete(&parser);
	/* the document's node count is bounded by its bytes (CFG_MAX_BYTES) */
	p.nnodes = (size_t)(p.doc.nodes.top - p.doc.nodes.start);
	if (p.nnodes && !(p.checked = calloc(p.nnodes, sizeof(*p.checked)))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	root = yaml_document_get_root_node(&p.doc);
	if (!root)
		goto done; /* an empty file: no mappings */
	if ((rc = check_map(&p, root, "top level")))
		goto done;
	v = map_get(&p, root, "version");
	/* no version, or "" (quoted or not): v1, as Pyroscope reads it */
	if (!is_null(v) && !scalar_is(v, "v1") && !scalar_is(v, "")) {
		char *s = NULL;

		if (!(rc = scalar_dup(&p, v, "version", &s)))
			rc = err_set(ERR_PARSE,
				     "invalid pyroscope config: invalid version '%.100s', supported "
				     "versions are 'v1'",
				     s);
		free(s);
		goto done;
	}
	sc = map_get(&p, root, "source_code");
	if (is_null(sc))
		goto done;
	if ((rc = check_map(&p, sc, "source_code")))
		goto done;
	maps = map_get(&p, sc, "mappings");
	if (is_null(maps))
		goto done;
	if (maps->type != YAML_SEQUENCE_NODE) {
		rc = err_set(ERR_PARSE, "invalid pyroscope config: 'mappings' must be a list");
		goto done;
	}
	for (it = maps->data.sequence.items.start; it < maps->data.sequence.items.top; it++) {
		if (out->n >= CFG_MAX_MAPPINGS) {
			rc = err_set(ERR_TOOBIG, "invalid pyroscope config: more than %d mappings",
				     CFG_MAX_MAPPINGS);
			goto done;
		}
		if ((rc = vec_reserve(&out->v, &cap, out->n + 1)))
			goto done;
		memset(&out->v[out->n], 0, sizeof(out->v[0]));
		out->n++;
		if ((rc = parse_mapping(&p, node(&p, *it), out->n - 1, &out->v[out->n - 1])))
			goto done;
	}
	if (p.errs.len)
		rc = err_set(ERR_PARSE, "invalid pyroscope config: %s", p.errs.data);
done:
	if (p.over)
		rc = err_set(ERR_TOOBIG, "invalid pyroscope config: its merge keys (<<) reach more "
					 "than %u keys",
			     CFG_MAX_MERGED);
	buf_release(&p.errs);
	free(p.checked);
	yaml_document_delete(&p.doc);
	if (rc)
		src_config_release(out);
	return rc;
}

bool src_prefix_match(const char *s, const char *prefix, bool fn)
{
	size_t n = strlen(prefix);
	char next;

	if (strncmp(s, prefix, n) != 0)
		return false;
	if (n == 0 || prefix[n - 1] == '/')
		return true;
	next = s[n];
	return next == '\0' || next == '/' || (fn && (next == '.' || next == '$'));
}

int src_config_find(const struct src_config *c, const char *path, const char *fn,
		    int *path_pos)
{
	int best = -1, best_score = -1;
	size_t i, j;

	*path_pos = -1;
	if (!c)
		return -1;
	for (i = 0; i < c->n; i++) {
		const struct src_mapping *m = &c->v[i];
		int score = -1, ppos = -1;

		for (j = 0; j < m->npaths; j++)
			if (path && src_prefix_match(path, m->paths[j], false) &&
			    (int)strlen(m->paths[j]) > ppos)
				ppos = (int)strlen(m->paths[j]);
		score = ppos;
		for (j = 0; j < m->nfuncs; j++)
			if (fn && src_prefix_match(fn, m->funcs[j], true) &&
			    (int)strlen(m->funcs[j]) > score)
				score = (int)strlen(m->funcs[j]);
		if (score > best_score) {
			best_score = score;
			best = (int)i;
			*path_pos = ppos;
		}
	}
	return best;
}
