/*
 * encode_svg.c — a standalone SVG flame graph (see encode.h), in the manner of Brendan
 * Gregg's flamegraph.pl: root at the bottom, one 16 px row per depth, 1200 px wide.
 *
 * Layout: a frame's x is its parent's x plus the totals of the siblings before it (in
 * the tree's name order), times px-per-value; positions are exact int64 sums until that
 * last multiplication, so nothing drifts and nothing moves when frames are left out.
 * The tree is walked in preorder using subtree sizes only; a frame under MIN_W px joins
 * the run of narrow siblings next to it (its subtree is skipped), and a run is drawn as
 * one grey "+N frames" box when it reaches MIN_W, else not at all.  Negative totals
 * count as zero and children are clipped to their parent, so odd profiles (negative
 * values) cannot draw outside it.
 *
 * Text: names go through text_safe()/text_fit_name() (valid UTF-8, control characters
 * shown as \xNN, as on the terminal), then XML-escaping; the only characters XML 1.0
 * forbids that text_safe() lets through, U+FFFE and U+FFFF, become U+FFFD.  Numbers are
 * written with integer arithmetic: the process locale may use decimal commas.
 */
#include "encode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "base/vec.h"
#include "profile/tree.h"

#define SVG_W    1200
#define PAD      10                    /* left and right margin */
#define INNER_W  (SVG_W - 2 * PAD)     /* px for the root */
#define ROW_H    16
#define HEAD_H   56                    /* title and subtitle */
#define FOOT_H   28                    /* the hover details line */
#define CHAR_W   7                     /* estimated px per character at 12 px */
#define MIN_W    0.1                   /* px; narrower frames are merged or left out */
#define NAME_MAX_BYTES 4096            /* of a name shown; longer ones are cut, with "…" */
#define STR(x)   #x
#define XSTR(x)  STR(x)

struct box {
	uint32_t node;    /* the frame; for a "+N" box, the parent of the merged frames */
	uint32_t depth;
	uint32_t hidden;  /* > 0: a "+N" box of this many sibling frames */
	double x, w;      /* px from the left margin */
	int64_t value;
};

/* A run of narrow children of one parent, waiting to be drawn as one box. */
struct run {
	int64_t at, value;  /* value-space start and sum */
	uint32_t n;
};

struct svg {
	const struct tree *t;
	uint32_t type;
	int64_t total;
	const char *unit;
	struct box *boxes;
	size_t nboxes, cap;
	struct buf tmp;  /* scratch for sanitised names */
	struct buf out;  /* frames, written before the header that needs their depth */
};

static int64_t pos64(int64_t v)
{
	return v > 0 ? v : 0;
}

static int add_box(struct svg *g, uint32_t node, uint32_t depth, uint32_t hidden, double x,
		   double w, int64_t value)
{
	int rc = vec_reserve(&g->boxes, &g->cap, g->nboxes + 1);

	if (!rc)
		g->boxes[g->nboxes++] = (struct box){ node, depth, hidden, x, w, value };
	return rc;
}

static int flush_run(struct svg *g, uint32_t parent, struct run *r, double scale)
{
	int rc = 0;

	if (r->n && (double)r->value * scale >= MIN_W)
		rc = add_box(g, parent, g->t->depth[parent] + 1, r->n, (double)r->at * scale,
			     (double)r->value * scale, r->value);
	r->n = 0;
	return rc;
}

/*
 * Positions are kept in value space (int64, exact) and scaled to px only for output:
 * a frame starts where its previous sibling ended, its first child where it starts.
 */
static int layout(struct svg *g)
{
	const struct tree *t = g->t;
	double scale = g->total > 0 ? INNER_W / (double)g->total : 0;
	int64_t *at = malloc((size_t)t->n * sizeof(*at)), *end = malloc((size_t)t->n * sizeof(*end));
	int64_t *next = malloc((size_t)t->n * sizeof(*next));
	struct run *runs = calloc(t->n, sizeof(*runs));
	uint32_t i, p;
	int rc = 0;

	if (!at || !end || !next || !runs) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	at[0] = next[0] = 0;
	end[0] = g->total;
	if ((rc = add_box(g, 0, 0, 0, 0, INNER_W, tree_total(t, 0, g->type))))
		goto done;
	for (i = 1; i < t->n && !rc;) {
		int64_t v = pos64(tree_total(t, i, g->type));

		p = t->parent[i];
		if (v > end[p] - next[p])  /* only with negative values about */
			v = end[p] - next[p];
		at[i] = next[i] = next[p];
		end[i] = at[i] + v;
		next[p] = end[i];
		if ((double)v * scale < MIN_W) {
			struct run *r = &runs[p];

			if (r->n == 0) {
				r->at = at[i];
				r->value = 0;
			}
			r->value += v;
			r->n++;
			i += t->size[i];
			continue;
		}
		rc = flush_run(g, p, &runs[p], scale);
		rc = rc ? rc : add_box(g, i, t->depth[i], 0, (double)at[i] * scale, (double)v * scale, v);
		i++;
	}
	for (i = 0; i < t->n && !rc; i++)
		rc = flush_run(g, i, &runs[i], scale);
done:
	free(at);
	free(end);
	free(next);
	free(runs);
	return rc;
}

/* Appends valid UTF-8 s[0..n) XML-escaped. */
static int put_xml(struct buf *out, const char *s, size_t n)
{
	size_t i, start = 0;
	int rc = 0;

	for (i = 0; i < n; i++) {
		const char *rep = NULL;
		size_t skip = 1;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\xef':
			/* U+FFFE, U+FFFF: not XML characters */
			if (i + 2 < n && s[i + 1] == '\xbf' && (s[i + 2] == '\xbe' || s[i + 2] == '\xbf')) {
				rep = "\xef\xbf\xbd";
				skip = 3;
			}
			break;
		default:
			break;
		}
		if (!rep)
			continue;
		rc |= buf_add(out, s + start, i - start);
		rc |= buf_puts(out, rep);
		i += skip - 1;
		start = i + 1;
	}
	return rc | buf_add(out, s + start, n - start);
}

/* Appends untrusted bytes as terminal-safe, XML-escaped text. */
static int put_text(struct svg *g, struct buf *out, const char *s, size_t n)
{
	buf_reset(&g->tmp);
	return text_safe(&g->tmp, s, n, false) | put_xml(out, g->tmp.data ? g->tmp.data : "", g->tmp.len);
}

/* A px value with two decimals, without printf's locale-dependent decimal point. */
static int put_px(struct buf *out, const char *attr, double v)
{
	long long c = llround(v * 100);

	return buf_printf(out, " %s=\"%lld.%02lld\"", attr, c / 100, c % 100);
}

/* flamegraph.pl's "hot" palette, keyed by a stable hash of the package (or name). */
static void colour(const char *name, size_t n, int rgb[3])
{
	const char *pkg;
	size_t plen = text_package(name, &pkg);
	uint32_t h = 2166136261u;
	size_t i;

	if (plen == 0 || plen > n) {
		pkg = name;
		plen = n;
	}
	for (i = 0; i < plen; i++)
		h = (h ^ (unsigned char)pkg[i]) * 16777619u;
	h ^= h >> 15;
	rgb[0] = 205 + (int)(h % 51);
	rgb[1] = (int)((h >> 8) % 231);
	rgb[2] = (int)((h >> 20) % 56);
}

static int put_box(struct svg *g, const struct box *b, uint32_t max_depth)
{
	const struct tree *t = g->t;
	const char *name = tree_name(t, b->node);
	size_t nlen = b->node ? prof_strlen(t->prof, t->name[b->node]) : strlen(name);
	double y = HEAD_H + (double)(max_depth - b->depth) * ROW_H;
	char val[UNITS_MAX], pct[UNITS_MAX];
	int rgb[3] = { 200, 200, 200 }, maxc, rc;
	bool cut = nlen > NAME_MAX_BYTES;

	/*
	 * Every box carries its name (its title, its text): a 1 MB name on a deep stack made
	 * hundreds of megabytes of SVG.  The picture only needs what a person reads, so a
	 * long name is cut at a character boundary, and says so.
	 */
	if (cut)
		for (nlen = NAME_MAX_BYTES; nlen > NAME_MAX_BYTES - 3 &&
					    ((unsigned char)name[nlen] & 0xc0) == 0x80; nlen--)
			;
	units_format(val, sizeof(val), b->value, g->unit);
	units_percent(pct, sizeof(pct), b->value, g->total);
	rc = buf_puts(&g->out, "<g class=\"f\"><title>");
	if (b->hidden)
		rc |= buf_printf(&g->out, "+%u frames", b->hidden);
	else
		rc |= put_text(g, &g->out, name, nlen);
	if (cut && !b->hidden)
		rc |= buf_puts(&g->out, "\xe2\x80\xa6");
	rc |= buf_puts(&g->out, " (");
	rc |= put_text(g, &g->out, val, strlen(val));
	rc |= buf_printf(&g->out, ", %s)</title><rect", pct);
	rc |= put_px(&g->out, "x", PAD + b->x) | put_px(&g->out, "y", y);
	rc |= put_px(&g->out, "width", b->w);
	if (b->node && !b->hidden)
		colour(name, nlen, rgb);
	else if (b->hidden)
		rgb[0] = rgb[1] = rgb[2] = 180;
	rc |= buf_printf(&g->out, " height=\"%d\" rx=\"2\" fill=\"rgb(%d,%d,%d)\"/><text", ROW_H - 1,
			 rgb[0], rgb[1], rgb[2]);
	rc |= put_px(&g->out, "x", PAD + b->x + 3) | put_px(&g->out, "y", y + 11.5);
	rc |= buf_add(&g->out, ">", 1);
	maxc = (int)((b->w - 6) / CHAR_W);
	if (maxc >= 3) {
		buf_reset(&g->tmp);
		if (b->hidden)
			rc |= buf_printf(&g->tmp, "+%u", b->hidden);
		else
			text_fit_name(&g->tmp, name, nlen, maxc, false);  /* "" if out of memory */
		if (b->hidden && g->tmp.len > (size_t)maxc)
			buf_reset(&g->tmp);
		rc |= put_xml(&g->out, g->tmp.data ? g->tmp.data : "", g->tmp.len);
	}
	return rc | buf_puts(&g->out, "</text></g>\n");
}

/*
 * Click a frame to zoom into it (its ancestors stretch to full width, everything else
 * hides), "Reset zoom" to go back; hovering shows a frame's title at the bottom.
 */
static const char script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"(function () {\n"
	"var W = " XSTR(INNER_W) ", X0 = " XSTR(PAD) ", CW = " XSTR(CHAR_W) ", E = 0.05;\n"
	"var fs = [].slice.call(document.querySelectorAll(\"g.f\"));\n"
	"var det = document.getElementById(\"details\"), rs = document.getElementById(\"reset\");\n"
	"function fit(g, w) {\n"
	"  var c = Math.floor((w - 6) / CW), n = g.nm;\n"
	"  g.tx.textContent = c < 3 ? \"\" : n.length <= c ? n : n.slice(0, c - 2) + \"..\";\n"
	"}\n"
	"function zoom(z) {\n"
	"  fs.forEach(function (g) {\n"
	"    var nx, nw;\n"
	"    if (g.y0 > z.y0) {\n"
	"      if (g.x0 > z.x0 + E || g.x0 + g.w0 < z.x0 + z.w0 - E) { g.style.display = \"none\"; return; }\n"
	"      nx = 0; nw = W;\n"
	"    } else {\n"
	"      if (g.x0 < z.x0 - E || g.x0 + g.w0 > z.x0 + z.w0 + E) { g.style.display = \"none\"; return; }\n"
	"      nx = (g.x0 - z.x0) * W / z.w0; nw = g.w0 * W / z.w0;\n"
	"    }\n"
	"    g.style.display = \"\";\n"
	"    g.rc.setAttribute(\"x\", X0 + nx); g.rc.setAttribute(\"width\", nw);\n"
	"    g.tx.setAttribute(\"x\", X0 + nx + 3);\n"
	"    fit(g, nw);\n"
	"  });\n"
	"  rs.style.opacity = z === fs[0] ? 0 : 1;\n"
	"}\n"
	"fs.forEach(function (g) {\n"
	"  var t = g.querySelector(\"title\").textContent;\n"
	"  g.rc = g.querySelector(\"rect\"); g.tx = g.querySelector(\"text\");\n"
	"  g.x0 = +g.rc.getAttribute(\"x\") - X0; g.w0 = +g.rc.getAttribute(\"width\");\n"
	"  g.y0 = +g.rc.getAttribute(\"y\"); g.nm = t.slice(0, t.lastIndexOf(\" (\"));\n"
	"  g.onclick = function () { zoom(g); };\n"
	"  g.onmouseover = function () { det.textContent = t; };\n"
	"  g.onmouseout = function () { det.textContent = \" \"; };\n"
	"});\n"
	"rs.onclick = function () { zoom(fs[0]); };\n"
	"})();\n"
	"]]></script>\n";

static int put_document(struct svg *g, const char *title, struct buf *out)
{
	const struct prof *p = g->t->prof;
	uint32_t type = g->type, max_depth = 0, height;
	char total[UNITS_MAX];
	size_t i;
	int rc = 0;

	for (i = 0; i < g->nboxes; i++)
		if (g->boxes[i].depth > max_depth)
			max_depth = g->boxes[i].depth;
	for (i = 0; i < g->nboxes; i++)
		rc |= put_box(g, &g->boxes[i], max_depth);
	height = HEAD_H + (max_depth + 1) * ROW_H + FOOT_H;
	units_format(total, sizeof(total), g->total, g->unit);
	rc |= buf_printf(out,
			 "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
			 "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
			 "height=\"%u\" viewBox=\"0 0 %d %u\">\n"
			 "<!-- flame graph written by smolder " SMOLDER_VERSION " -->\n"
			 "<style>text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }\n"
			 "g.f { cursor: pointer; } g.f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
			 ".h { font-size: 17px; } .s { fill: #555; }</style>\n"
			 "<rect width=\"100%%\" height=\"100%%\" fill=\"#fdf8ee\"/>\n"
			 "<text class=\"h\" x=\"%d\" y=\"24\" text-anchor=\"middle\">",
			 SVG_W, height, SVG_W, height, SVG_W / 2);
	if (title)
		rc |= put_text(g, out, title, strlen(title));
	else
		rc |= buf_puts(out, "Flame graph");
	rc |= buf_printf(out, "</text>\n<text class=\"s\" x=\"%d\" y=\"44\" text-anchor=\"middle\">Type: ",
			 SVG_W / 2);
	rc |= put_text(g, out, prof_str(p, p->sample_types[type].type),
		       prof_strlen(p, p->sample_types[type].type));
	rc |= buf_puts(out, "   Total: ");
	rc |= put_text(g, out, total, strlen(total));
	rc |= buf_printf(out, "</text>\n<text id=\"reset\" x=\"%d\" y=\"24\" style=\"opacity:0\">"
			 "Reset zoom</text>\n<text id=\"details\" class=\"s\" x=\"%d\" y=\"%u\"> </text>\n"
			 "<g id=\"frames\">\n",
			 PAD, PAD, height - 10);
	rc |= buf_add(out, g->out.data ? g->out.data : "", g->out.len);
	rc |= buf_puts(out, "</g>\n");
	rc |= buf_puts(out, script);
	return rc | buf_puts(out, "</svg>\n");
}

int encode_svg(const struct prof *p, uint32_t type, const char *title, struct buf *out)
{
	struct svg g = { 0 };
	struct tree *t = NULL;
	int rc;

	if ((rc = tree_build(p, &t)))
		return rc;
	g.t = t;
	g.type = type;
	g.total = pos64(tree_total(t, 0, type));
	g.unit = prof_str(p, p->sample_types[type].unit);
	buf_init(&g.tmp);
	buf_init(&g.out);
	if (!(rc = layout(&g)) && put_document(&g, title, out))
		rc = ERR_NOMEM;
	free(g.boxes);
	buf_release(&g.tmp);
	buf_release(&g.out);
	tree_free(t);
	return rc;
}
