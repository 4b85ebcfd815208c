/*
 * theme.c — the compiled-in theme and YAML theme files (see theme.h).
 *
 * Schema:
 *   name: dark
 *   roles:
 *     header: { fg: "#d0d0d0", bg: "#303030", attrs: [bold] }
 *   palette: ["#c0504d", "#d9822b", ...]
 *   diff_more: [4 colours, weakest first]     (the diff scale: more, red)
 *   diff_less: [4 colours]                    (less, green)
 *   diff_less_cb: [4 colours]                 (less for color_blind: blue)
 *   diff_neutral: "#bcbcbc"
 *   color_blind: false
 *   mono: false
 */
#include "theme.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "base/buf.h"
#include "base/err.h"

static const char *const role_names[ROLE_COUNT] = {
	"normal", "header", "tab", "tab_active", "breadcrumb", "status", "hint", "message",
	"error", "selected", "match", "dim", "plus", "table_header", "overlay", "flame_text",
};

const char *theme_role_name(enum role r)
{
	return r < ROLE_COUNT ? role_names[r] : "?";
}

void theme_default(struct theme *t)
{
	static const int32_t pal[] = {
		THEME_RGB(0xd9, 0x5f, 0x0e), THEME_RGB(0xe6, 0x9f, 0x00), THEME_RGB(0xc4, 0x4e, 0x52),
		THEME_RGB(0xdd, 0x84, 0x52), THEME_RGB(0xb0, 0x7a, 0xa1), THEME_RGB(0xcc, 0xb9, 0x74),
		THEME_RGB(0x8c, 0x61, 0x3c), THEME_RGB(0xd6, 0x61, 0x6b),
	};
	static const int32_t more[] = { THEME_RGB(0xf4, 0xc2, 0xbe), THEME_RGB(0xeb, 0x8d, 0x86),
					THEME_RGB(0xdb, 0x55, 0x4c), THEME_RGB(0xb7, 0x1c, 0x1c) };
	static const int32_t less[] = { THEME_RGB(0xc0, 0xe6, 0xc4), THEME_RGB(0x8c, 0xcf, 0x95),
					THEME_RGB(0x4f, 0xb0, 0x62), THEME_RGB(0x2e, 0x7d, 0x32) };
	static const int32_t less_cb[] = { THEME_RGB(0xc6, 0xdb, 0xef), THEME_RGB(0x8f, 0xb8, 0xe0),
					   THEME_RGB(0x4a, 0x86, 0xc8), THEME_RGB(0x1f, 0x5f, 0xa8) };
	int i;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "default");
	for (i = 0; i < ROLE_COUNT; i++)
		t->roles[i] = (struct theme_style){ THEME_DEFAULT, THEME_DEFAULT, 0 };
	t->roles[ROLE_HEADER] = (struct theme_style){ THEME_RGB(0xe4, 0xe4, 0xe4), THEME_RGB(0x30, 0x30, 0x30), THEME_BOLD };
	t->roles[ROLE_TAB] = (struct theme_style){ THEME_RGB(0xa8, 0xa8, 0xa8), THEME_RGB(0x30, 0x30, 0x30), 0 };
	t->roles[ROLE_TAB_ACTIVE] = (struct theme_style){ THEME_RGB(0, 0, 0), THEME_RGB(0xff, 0xaf, 0x00), THEME_BOLD };
	t->roles[ROLE_BREADCRUMB] = (struct theme_style){ THEME_RGB(0x87, 0xaf, 0xd7), THEME_DEFAULT, 0 };
	t->roles[ROLE_STATUS] = (struct theme_style){ THEME_RGB(0xff, 0xff, 0xff), THEME_RGB(0x26, 0x26, 0x26), THEME_BOLD };
	t->roles[ROLE_HINT] = (struct theme_style){ THEME_RGB(0x8a, 0x8a, 0x8a), THEME_DEFAULT, 0 };
	t->roles[ROLE_MESSAGE] = (struct theme_style){ THEME_RGB(0x87, 0xd7, 0x87), THEME_DEFAULT, THEME_BOLD };
	t->roles[ROLE_ERROR] = (struct theme_style){ THEME_RGB(0xff, 0x5f, 0x5f), THEME_DEFAULT, THEME_BOLD };
	t->roles[ROLE_SELECTED] = (struct theme_style){ THEME_DEFAULT, THEME_DEFAULT, THEME_REVERSE | THEME_BOLD };
	t->roles[ROLE_MATCH] = (struct theme_style){ THEME_RGB(0, 0, 0), THEME_RGB(0xd7, 0x87, 0xff), THEME_BOLD };
	t->roles[ROLE_DIM] = (struct theme_style){ THEME_RGB(0x6c, 0x6c, 0x6c), THEME_RGB(0x26, 0x26, 0x26), 0 };
	t->roles[ROLE_PLUS] = (struct theme_style){ THEME_RGB(0xd0, 0xd0, 0xd0), THEME_RGB(0x58, 0x58, 0x58), 0 };
	t->roles[ROLE_TABLE_HEADER] = (struct theme_style){ THEME_DEFAULT, THEME_DEFAULT, THEME_BOLD | THEME_UNDERLINE };
	t->roles[ROLE_OVERLAY] = (struct theme_style){ THEME_RGB(0xe4, 0xe4, 0xe4), THEME_RGB(0x1c, 0x1c, 0x1c), 0 };
	t->roles[ROLE_FLAME_TEXT] = (struct theme_style){ THEME_RGB(0, 0, 0), THEME_DEFAULT, 0 };
	memcpy(t->palette, pal, sizeof(pal));
	t->npalette = (int)(sizeof(pal) / sizeof(pal[0]));
	memcpy(t->diff_more, more, sizeof(more));
	memcpy(t->diff_less, less, sizeof(less));
	memcpy(t->diff_less_cb, less_cb, sizeof(less_cb));
	t->diff_neutral = THEME_RGB(0xbc, 0xbc, 0xbc);
}

static int parse_colour(const char *s, int32_t *out)
{
	static const char *const names[] = { "black", "red", "green", "yellow",
					     "blue", "magenta", "cyan", "white" };
	unsigned r, g, b;
	char *end;
	long v;
	int i;

	if (strcasecmp(s, "default") == 0 || strcasecmp(s, "none") == 0) {
		*out = THEME_DEFAULT;
		return 0;
	}
	if (s[0] == '#' && strlen(s) == 7 && sscanf(s + 1, "%2x%2x%2x", &r, &g, &b) == 3) {
		*out = THEME_RGB((int32_t)r, (int32_t)g, (int32_t)b);
		return 0;
	}
	for (i = 0; i < 8; i++) {
		if (strcasecmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0 && v <= 255) {
		*out = (int32_t)v;
		return 0;
	}
	return -1;
}

static int parse_attr(const char *s, unsigned *attrs)
{
	if (strcasecmp(s, "bold") == 0)
		*attrs |= THEME_BOLD;
	else if (strcasecmp(s, "reverse") == 0)
		*attrs |= THEME_REVERSE;
	else if (strcasecmp(s, "dim") == 0)
		*attrs |= THEME_DIM;
	else if (strcasecmp(s, "underline") == 0)
		*attrs |= THEME_UNDERLINE;
	else
		return -1;
	return 0;
}

/* A tiny event-driven reader: the schema is two levels deep, so a path is enough. */
struct tparse {
	yaml_parser_t p;
	yaml_event_t ev;
	const char *origin;
};

static int next(struct tparse *tp)
{
	yaml_event_delete(&tp->ev);
	if (!yaml_parser_parse(&tp->p, &tp->ev))
		return err_set(ERR_PARSE, "%s: line %zu: %s", tp->origin,
			       tp->p.problem_mark.line + 1,
			       tp->p.problem ? tp->p.problem : "invalid YAML");
	return 0;
}

static const char *scalar(struct tparse *tp)
{
	return (const char *)tp->ev.data.scalar.value;
}

static int bad(struct tparse *tp, const char *what)
{
	return err_set(ERR_PARSE, "%s: line %zu: %s", tp->origin, tp->ev.start_mark.line + 1,
		       what);
}

static int parse_style(struct tparse *tp, struct theme_style *st)
{
	char key[32];
	int rc;

	if (tp->ev.type != YAML_MAPPING_START_EVENT)
		return bad(tp, "a role wants a mapping { fg, bg, attrs }");
	st->attrs = 0;
	for (;;) {
		if ((rc = next(tp)))
			return rc;
		if (tp->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (tp->ev.type != YAML_SCALAR_EVENT)
			return bad(tp, "expected a key");
		snprintf(key, sizeof(key), "%s", scalar(tp));
		if ((rc = next(tp)))
			return rc;
		if (strcmp(key, "attrs") == 0) {
			if (tp->ev.type == YAML_SCALAR_EVENT) {
				if (parse_attr(scalar(tp), &st->attrs))
					return bad(tp, "unknown attribute");
				continue;
			}
			if (tp->ev.type != YAML_SEQUENCE_START_EVENT)
				return bad(tp, "attrs wants a list");
			for (;;) {
				if ((rc = next(tp)))
					return rc;
				if (tp->ev.type == YAML_SEQUENCE_END_EVENT)
					break;
				if (tp->ev.type != YAML_SCALAR_EVENT || parse_attr(scalar(tp), &st->attrs))
					return bad(tp, "unknown attribute (bold, reverse, dim, underline)");
			}
		} else if (strcmp(key, "fg") == 0 || strcmp(key, "bg") == 0) {
			if (tp->ev.type != YAML_SCALAR_EVENT ||
			    parse_colour(scalar(tp), key[0] == 'f' ? &st->fg : &st->bg))
				return bad(tp, "bad colour (use \"#rrggbb\", a name or 0-255)");
		} else {
			return bad(tp, "unknown key in a role (fg, bg, attrs)");
		}
	}
}

int theme_parse(struct theme *t, const char *yaml, size_t len, const char *origin)
{
	struct tparse tp;
	char key[64];
	int rc = 0, depth = 0, i;

	memset(&tp, 0, sizeof(tp));
	tp.origin = origin;
	if (!yaml_parser_initialize(&tp.p))
		return err_set(ERR_NOMEM, "out of memory");
	yaml_parser_set_input_string(&tp.p, (const unsigned char *)yaml, len);
	/* stream, document, top mapping */
	while (!rc && depth < 3) {
		if ((rc = next(&tp)))
			break;
		if (tp.ev.type == YAML_STREAM_START_EVENT || tp.ev.type == YAML_DOCUMENT_START_EVENT)
			depth++;
		else if (tp.ev.type == YAML_MAPPING_START_EVENT)
			depth = 3;
		else
			rc = bad(&tp, "a theme is a mapping");
	}
	while (!rc) {
		if ((rc = next(&tp)))
			break;
		if (tp.ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (tp.ev.type != YAML_SCALAR_EVENT) {
			rc = bad(&tp, "expected a key");
			break;
		}
		snprintf(key, sizeof(key), "%s", scalar(&tp));
		if ((rc = next(&tp)))
			break;
		if (strcmp(key, "name") == 0 && tp.ev.type == YAML_SCALAR_EVENT) {
			snprintf(t->name, sizeof(t->name), "%s", scalar(&tp));
		} else if (strcmp(key, "mono") == 0 && tp.ev.type == YAML_SCALAR_EVENT) {
			t->mono = strcmp(scalar(&tp), "true") == 0 || strcmp(scalar(&tp), "yes") == 0;
		} else if (strcmp(key, "palette") == 0 && tp.ev.type == YAML_SEQUENCE_START_EVENT) {
			t->npalette = 0;
			for (;;) {
				if ((rc = next(&tp)))
					break;
				if (tp.ev.type == YAML_SEQUENCE_END_EVENT)
					break;
				if (tp.ev.type != YAML_SCALAR_EVENT || t->npalette >= THEME_PALETTE_MAX ||
				    parse_colour(scalar(&tp), &t->palette[t->npalette])) {
					rc = bad(&tp, "palette wants at most 16 colours");
					break;
				}
				t->npalette++;
			}
		} else if ((strcmp(key, "diff_more") == 0 || strcmp(key, "diff_less") == 0 ||
			    strcmp(key, "diff_less_cb") == 0) &&
			   tp.ev.type == YAML_SEQUENCE_START_EVENT) {
			int32_t *dst = key[5] == 'm' ? t->diff_more :
				       strcmp(key, "diff_less") == 0 ? t->diff_less : t->diff_less_cb;
			int n = 0;

			for (;;) {
				if ((rc = next(&tp)))
					break;
				if (tp.ev.type == YAML_SEQUENCE_END_EVENT)
					break;
				if (tp.ev.type != YAML_SCALAR_EVENT || n >= THEME_DIFF_STEPS ||
				    parse_colour(scalar(&tp), &dst[n])) {
					rc = bad(&tp, "a diff scale wants 4 colours, weakest first");
					break;
				}
				n++;
			}
			if (!rc && n != THEME_DIFF_STEPS)
				rc = bad(&tp, "a diff scale wants 4 colours, weakest first");
		} else if (strcmp(key, "diff_neutral") == 0 && tp.ev.type == YAML_SCALAR_EVENT) {
			if (parse_colour(scalar(&tp), &t->diff_neutral))
				rc = bad(&tp, "bad colour");
		} else if (strcmp(key, "color_blind") == 0 && tp.ev.type == YAML_SCALAR_EVENT) {
			t->color_blind = strcmp(scalar(&tp), "true") == 0 || strcmp(scalar(&tp), "yes") == 0;
		} else if (strcmp(key, "roles") == 0 && tp.ev.type == YAML_MAPPING_START_EVENT) {
			for (;;) {
				if ((rc = next(&tp)))
					break;
				if (tp.ev.type == YAML_MAPPING_END_EVENT)
					break;
				if (tp.ev.type != YAML_SCALAR_EVENT) {
					rc = bad(&tp, "expected a role name");
					break;
				}
				for (i = 0; i < ROLE_COUNT; i++)
					if (strcmp(scalar(&tp), role_names[i]) == 0)
						break;
				if (i == ROLE_COUNT) {
					rc = bad(&tp, "unknown role");
					break;
				}
				if ((rc = next(&tp)) || (rc = parse_style(&tp, &t->roles[i])))
					break;
			}
		} else {
			rc = bad(&tp, "unknown key (name, mono, roles, palette, diff_more, diff_less, "
				     "diff_less_cb, diff_neutral, color_blind)");
		}
	}
	yaml_event_delete(&tp.ev);
	yaml_parser_delete(&tp.p);
	return rc;
}

/* Directory of the running executable, for themes next to a build or an install. */
static int exe_dir(char *out, size_t n)
{
	ssize_t k = readlink("/proc/self/exe", out, n - 1);
	char *slash;

	if (k <= 0)
		return -1;
	out[k] = '\0';
	if (!(slash = strrchr(out, '/')))
		return -1;
	*slash = '\0';
	return 0;
}

#define THEME_NDIRS 5

struct theme_dirs {
	char v[THEME_NDIRS][PATH_MAX];
	size_t n;
};

/* Adds dir + suffix unless it is there already (or does not fit a path). */
static void dirs_add(struct theme_dirs *d, const char *dir, const char *suffix)
{
	char p[PATH_MAX];
	int k = snprintf(p, sizeof(p), "%s%s", dir, suffix);
	size_t i;

	if (k < 0 || (size_t)k >= sizeof(p) || d->n == THEME_NDIRS)
		return;
	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i], p) == 0)
			return;
	memcpy(d->v[d->n++], p, (size_t)k + 1);
}

/*
 * Where a theme name is looked for, in order: the user's ($XDG_CONFIG_HOME/smolder/themes,
 * else ~/.config/smolder/themes); beside the executable (<bin>/../themes of an unpacked
 * tree, <bin>/../share/smolder/themes of an install wherever it was moved); the source
 * tree's, so that a binary run from its build directory, inside the tree or out of it,
 * has the themes it was built with (as demo finds the examples); the installed ones.
 */
static void theme_dirs(struct theme_dirs *d)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX], *slash;

	d->n = 0;
	if (xdg && *xdg)
		dirs_add(d, xdg, "/smolder/themes");
	else if (home && *home)
		dirs_add(d, home, "/.config/smolder/themes");
	if (exe_dir(dir, sizeof(dir)) == 0 && (slash = strrchr(dir, '/'))) {
		*slash = '\0';  /* <bin>/.. */
		dirs_add(d, dir, "/themes");
		dirs_add(d, dir, "/share/smolder/themes");
	}
	/* CMakeLists names the source tree's examples/ (SMOLDER_EXAMPLES_DIR); themes/ is
	 * beside it */
	snprintf(dir, sizeof(dir), "%s", SMOLDER_EXAMPLES_DIR);
	if ((slash = strrchr(dir, '/'))) {
		*slash = '\0';
		dirs_add(d, dir, "/themes");
	}
	dirs_add(d, SMOLDER_THEME_DIR, "");
}

int theme_load(struct theme *t, const char *name)
{
	char path[PATH_MAX];
	struct theme_dirs d;
	struct buf b = BUF_INIT, where = BUF_INIT;
	size_t i;
	int rc;

	theme_default(t);
	if (strcmp(name, "default") == 0)
		return 0;
	if (strchr(name, '/') || (strlen(name) > 5 && strcmp(name + strlen(name) - 5, ".yaml") == 0)) {
		snprintf(path, sizeof(path), "%s", name);
	} else {
		if (strlen(name) > 60 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(name))
			return err_set(ERR_NOTFOUND, "bad theme name '%s'", name);
		theme_dirs(&d);
		path[0] = '\0';
		for (i = 0; i < d.n && !path[0]; i++) {
			snprintf(path, sizeof(path), "%s/%s.yaml", d.v[i], name);
			if (access(path, R_OK) != 0)
				path[0] = '\0';
		}
		if (!path[0]) {
			if (strcmp(name, "dark") == 0)
				return 0; /* the compiled-in default is the dark theme */
			for (i = 0; i < d.n; i++)
				buf_printf(&where, "%s'%s'",
					   i == 0 ? "" : i + 1 < d.n ? ", " : " and ", d.v[i]);
			rc = err_set(ERR_NOTFOUND, "no theme '%s' (looked in %s)", name,
				     where.data ? where.data : "no directory");
			buf_release(&where);
			return rc;
		}
	}
	if ((rc = buf_read_file(&b, path, 1 << 20)) == 0)
		rc = theme_parse(t, b.data ? b.data : "", b.len, path);
	buf_release(&b);
	return rc;
}
