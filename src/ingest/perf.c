/*
 * perf.c — `perf script` text, as printed after `perf record -g`: one sample per event.
 *
 * A sample is a header line, its call chain (lines starting with a tab, leaf first) and a
 * blank line:
 *
 *	cpuwork 26659  1298.967650:     250000 cpu-clock:ppp:
 *		ffffffff822018b1 _raw_spin_unlock_irq+0x11 ([kernel.kallsyms])
 *		    7f42f58f2ad7 [unknown] ([unknown])
 *
 * The header is `comm tid|pid/tid [cpu] time: [period] event: [...]`; the command name
 * may contain spaces and, without a call chain, perf pads it and prints the one frame
 * after the event.  With --inline, the functions inlined at an address come first, each
 * printed `addr symbol (inlined)`, then the function they are inlined into, at the same
 * address.  With -F +srcline, each frame line is followed by a line of two blanks and
 * the frame's source line, "file.c:12" (" (inlined)" after it, and not after the frame,
 * for an inlined function), when perf knows one.  Sample types, labels and frame names
 * are described in decode.h.
 * The input is read twice: first the headers (to know every event before the first
 * sample), then the samples.
 */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/hmap.h"
#include "base/text.h"
#include "base/vec.h"
#include "profile/builder.h"

#define PERF_MAX_EVENTS 64
#define PERF_MAX_DEPTH  65536
#define PERF_SNIFF      65536  /* bytes perf_detect looks at */

struct perf_header {
	const char *comm;
	size_t comm_len;
	int64_t pid, tid;
	bool has_pid;          /* false when the header has the thread id only */
	int64_t time_ns;       /* -1 when absent or out of range */
	int64_t period;        /* -1 when absent */
	const char *event;     /* without its final ':' */
	size_t event_len;
	const char *rest;      /* what follows the event (one frame without -g) */
	size_t rest_len;
};

struct perf_frame {
	uint64_t addr;
	const char *sym, *dso;  /* dso is NULL when the line has no "(dso)" */
	size_t sym_len, dso_len;
	bool inlined;           /* "(inlined)" in place of the dso (perf --inline) */
	const char *file;       /* from the srcline after it, NULL without one */
	size_t file_len;
	int64_t line;           /* 0 without a srcline */
};

struct perf_event {
	const char *name;
	size_t len;
	bool all_periods;  /* every header of this event has a period */
};

struct perf_func {
	uint32_t name, mapping, file;  /* string ids; mapping as in perf_ctx.maps */
	uint32_t id;                   /* the builder's function */
};

struct perf_loc {
	uint64_t addr;
	uint32_t mapping;
	uint32_t line_off, nlines;  /* into perf_ctx.lines; no lines: unsymbolized */
	uint32_t id;                /* the builder's location */
};

struct perf_ctx {
	struct prof_builder *b;
	struct perf_event ev[PERF_MAX_EVENTS];
	uint32_t nev;
	struct hmap maps;   /* dso string id → mapping */
	struct hmap funcs;  /* hash of (name, mapping, file) → index into func */
	struct perf_func *func;
	size_t nfunc, cap_func;
	struct hmap locs;   /* hash of (address, mapping, lines) → index into loc */
	struct perf_loc *loc;
	size_t nloc, cap_loc;
	struct prof_line *lines;  /* the lines of every loc */
	size_t nlines, cap_lines;
	struct perf_frame *frames;  /* the current sample's call chain, leaf first */
	size_t cap_frames;
	struct prof_line *tmp;      /* the lines of a location being made */
	size_t cap_tmp;
	uint32_t *stack;
	size_t cap_stack;
	int64_t *values;    /* one per sample type */
	uint32_t k_comm, k_pid, k_tid;       /* label keys */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

/* The next blank-separated token of [*p, end); false at the end. */
static bool next_token(const char **p, const char *end, const char **tok, size_t *n)
{
	const char *s = *p;

	while (s < end && is_blank(*s))
		s++;
	if (s == end)
		return false;
	*tok = s;
	while (s < end && !is_blank(*s))
		s++;
	*n = (size_t)(s - *tok);
	*p = s;
	return true;
}

/* Up to 18 decimal digits (so no overflow); -1 when s[0..n) is not that. */
static int64_t parse_dec(const char *s, size_t n)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* A process or thread id: decimal, or -1 (perf's "unknown"). */
static bool parse_id(const char *s, size_t n, int64_t *out)
{
	if (n == 2 && s[0] == '-' && s[1] == '1') {
		*out = -1;
		return true;
	}
	return (*out = parse_dec(s, n)) >= 0;
}

/* "1298.967650:" → nanoseconds; false when the token does not have that shape. */
static bool parse_time(const char *s, size_t n, int64_t *ns)
{
	const char *dot = memchr(s, '.', n);
	int64_t sec, frac = 0;
	size_t i, fd;

	if (n < 4 || s[n - 1] != ':' || !dot || dot == s || dot + 1 == s + n - 1)
		return false;
	for (i = 0; i < n - 1; i++)
		if (!is_digit(s[i]) && s + i != dot)
			return false;
	sec = parse_dec(s, (size_t)(dot - s));
	fd = (size_t)(s + n - 1 - (dot + 1));
	for (i = 0; i < 9; i++)
		frac = frac * 10 + (i < fd ? dot[1 + i] - '0' : 0);
	*ns = sec >= 0 && sec < 9000000000LL ? sec * 1000000000 + frac : -1;
	return true;
}

/* What follows the thread id: `[cpu] time: [period] event:`, each but the event optional. */
static bool parse_after_tid(const char *p, const char *end, struct perf_header *h)
{
	const char *t;
	size_t n, i;
	int64_t ns;

	if (!next_token(&p, end, &t, &n))
		return false;
	if (n >= 3 && t[0] == '[' && t[n - 1] == ']' && parse_dec(t + 1, n - 2) >= 0 &&
	    !next_token(&p, end, &t, &n))
		return false;
	h->time_ns = -1;
	if (parse_time(t, n, &ns)) {
		h->time_ns = ns;
		if (!next_token(&p, end, &t, &n))
			return false;
	}
	h->period = parse_dec(t, n);
	if (h->period >= 0 && !next_token(&p, end, &t, &n))
		return false;
	if (n < 2 || t[n - 1] != ':')
		return false;
	for (i = 0; i < n - 1 && (is_digit(t[i]) || t[i] == '.'); i++)
		;
	if (i == n - 1)
		return false; /* a number, not an event name */
	h->event = t;
	h->event_len = n - 1;
	while (p < end && is_blank(*p))
		p++;
	h->rest = p;
	h->rest_len = (size_t)(end - p);
	return true;
}

/*
 * A sample header (leading blanks allowed: perf pads the command name without -g).  The
 * thread id is the first token after the command name that is followed by the rest of a
 * header, so command names with spaces and digits ("pool 2") are kept whole.
 */
static bool parse_header(const char *s, size_t n, struct perf_header *h)
{
	const char *end = s + n, *p, *t, *slash;
	size_t tn;

	while (s < end && is_blank(*s))
		s++;
	p = s;
	if (!next_token(&p, end, &t, &tn))
		return false;
	while (next_token(&p, end, &t, &tn)) {
		slash = memchr(t, '/', tn);
		h->has_pid = slash != NULL;
		if (slash ? !parse_id(t, (size_t)(slash - t), &h->pid) ||
				    !parse_id(slash + 1, tn - (size_t)(slash - t) - 1, &h->tid)
			  : !parse_id(t, tn, &h->tid))
			continue;
		if (!parse_after_tid(p, end, h))
			continue;
		h->comm = s;
		h->comm_len = (size_t)(t - s);
		while (h->comm_len && is_blank(s[h->comm_len - 1]))
			h->comm_len--;
		return true;
	}
	return false;
}

/*
 * A call-chain line: `addr [symbol[+0xoff]] [(dso)]`.  The dso is the parenthesised group
 * that ends the line (matched backwards, so symbols and paths may hold parentheses).
 */
static bool parse_frame(const char *s, size_t n, struct perf_frame *f)
{
	size_t i = 0, digits = 0, e = n, q;
	uint64_t a = 0;
	int depth = 0;

	while (i < n && is_blank(s[i]))
		i++;
	for (; i < n && text_hexval((unsigned char)s[i]) >= 0; i++, digits++) {
		if (digits == 16)
			return false;
		a = a << 4 | (uint64_t)text_hexval((unsigned char)s[i]);
	}
	if (digits == 0 || (i < n && !is_blank(s[i])))
		return false;
	while (i < n && is_blank(s[i]))
		i++;
	while (e > i && is_blank(s[e - 1]))
		e--;
	f->addr = a;
	f->dso = NULL;
	f->dso_len = 0;
	f->inlined = false;
	f->file = NULL;
	f->file_len = 0;
	f->line = 0;
	if (e > i && s[e - 1] == ')') {
		for (q = e; q > i; q--) {
			if (s[q - 1] == ')')
				depth++;
			else if (s[q - 1] == '(' && --depth == 0)
				break;
		}
		if (q > i && (q - 1 == i || is_blank(s[q - 2]))) {
			f->inlined = same(s + q, e - 1 - q, "inlined", 7);
			f->dso = f->inlined ? NULL : s + q;
			f->dso_len = f->inlined ? 0 : e - 1 - q;
			e = q - 1;
			while (e > i && is_blank(s[e - 1]))
				e--;
		}
	}
	f->sym = s + i;
	f->sym_len = e - i;
	return true;
}

/* "sym+0x1a" → "sym". */
static size_t strip_offset(const char *s, size_t n)
{
	size_t i = n;

	while (i > 0 && text_hexval((unsigned char)s[i - 1]) >= 0)
		i--;
	if (i < n && i >= 3 && s[i - 1] == 'x' && s[i - 2] == '0' && s[i - 3] == '+')
		return i - 3;
	return n;
}

/*
 * A line perf -F +srcline prints after a frame: two blanks, then the frame's source
 * line (and " (inlined)" when the frame is an inlined function printed without a dso).
 */
static bool is_srcline(const char *s, size_t n)
{
	return n > 2 && s[0] == ' ' && s[1] == ' ' && !is_blank(s[2]);
}

/*
 * The srcline of frame f: "file:line" (a file name as perf prints it, full or not) sets
 * its file and line; what perf prints without line information ("libc.so.6[2a1c9]",
 * "??:0") sets nothing.  " (inlined)" at the end marks the frame inlined.
 */
static void parse_srcline(const char *s, size_t n, struct perf_frame *f)
{
	size_t colon, i;
	int64_t line = 0;

	while (n && is_blank(s[n - 1]))
		n--;
	if (n >= 9 && same(s + n - 9, 9, "(inlined)", 9) && (n == 9 || is_blank(s[n - 10]))) {
		f->inlined = true;
		f->dso = NULL;
		f->dso_len = 0;
		n -= 9;
		while (n && is_blank(s[n - 1]))
			n--;
	}
	while (n && is_blank(*s))
		s++, n--;
	for (colon = n; colon > 0 && s[colon - 1] != ':'; colon--)
		;
	if (colon < 2 || colon == n || n - colon > 9 || same(s, colon - 1, "??", 2))
		return;
	for (i = colon; i < n; i++) {
		if (!is_digit(s[i]))
			return;
		line = line * 10 + (s[i] - '0');
	}
	if (line == 0)
		return;
	f->file = s;
	f->file_len = colon - 1;
	f->line = line;
}

/* Length of an event name without a trailing modifier group (":u", ":ppp"). */
static size_t event_base(const char *s, size_t n)
{
	size_t i = n;

	while (i > 0 && s[i - 1] != ':') {
		if (!s[i - 1] || !strchr("ukhIGHpPSDWeb", s[i - 1]))
			return n;
		i--;
	}
	return i > 1 && i < n ? i - 1 : n;
}

bool perf_detect(const uint8_t *data, size_t len)
{
	const char *s = (const char *)data, *end = s + (len < PERF_SNIFF ? len : PERF_SNIFF);
	const char *nl, *next;
	struct perf_header h;
	struct perf_frame f;
	bool frame = false;
	size_t n;

	for (;;) {
		/* a last line without '\n' counts when it ends the input */
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl && (nl = end) != (const char *)data + len)
			return false;
		n = (size_t)(nl - s);
		if (n && s[n - 1] == '\r')
			n--;
		while (n && is_blank(*s) && *s != '\t')
			s++, n--;
		if (n && *s != '#')
			break;
		if (nl == end)
			return false;
		s = nl + 1;
	}
	if (*s == '\t' || memchr(s, 0, n) || !parse_header(s, n, &h))
		return false;
	/*
	 * call-chain lines follow (with -F +srcline, each with a srcline after it), one of
	 * them with a dso or inlined; or (without -g) the header ends with the frame
	 */
	for (next = nl < end ? nl + 1 : end; next < end; next = nl < end ? nl + 1 : end) {
		if (!(nl = memchr(next, '\n', (size_t)(end - next))))
			nl = end;
		n = (size_t)(nl - next);
		if (n && next[n - 1] == '\r')
			n--;
		if (memchr(next, 0, n))
			break;
		if (*next == '\t' && parse_frame(next, n, &f)) {
			if (f.dso || f.inlined)
				return true;
			frame = true;
		} else if (frame && is_srcline(next, n)) {
			frame = false;
		} else {
			break;
		}
	}
	return h.rest_len && parse_frame(h.rest, h.rest_len, &f) && f.dso;
}

/* ---- building ---- */

static int perf_mapping(struct perf_ctx *c, const char *dso, size_t n, uint32_t *out)
{
	struct prof_mapping m = { 0 };
	int rc;

	if ((rc = pb_string(c->b, dso, n, &m.file)))
		return rc;
	if (hmap_get(&c->maps, m.file, out))
		return 0;
	if ((rc = pb_mapping(c->b, &m, out)))
		return rc;
	return hmap_put(&c->maps, m.file, *out);
}

/* One function per (name, mapping, file): file is a string id, 0 without a srcline. */
static int perf_function(struct perf_ctx *c, const char *name, size_t n, uint32_t mapping,
			 uint32_t file, uint32_t *out)
{
	struct prof_function f = { 0 };
	const struct perf_func *pf;
	uint64_t key;
	uint32_t i;
	int rc;

	if ((rc = pb_string(c->b, name, n, &f.name)))
		return rc;
	key = hmap_mix(((uint64_t)f.name << 32 | mapping) ^ hmap_mix(file));
	for (;;) {
		if (key == HMAP_EMPTY)
			key = 0;
		if (!hmap_get(&c->funcs, key, &i))
			break;
		pf = &c->func[i];
		if (pf->name == f.name && pf->mapping == mapping && pf->file == file) {
			*out = pf->id;
			return 0;
		}
		key = hmap_mix(key + 1);
	}
	f.system_name = f.name;
	f.file = file;
	if ((rc = vec_reserve(&c->func, &c->cap_func, c->nfunc + 1)) ||
	    (rc = pb_function(c->b, &f, out)))
		return rc;
	c->func[c->nfunc] = (struct perf_func){ f.name, mapping, file, *out };
	return hmap_put(&c->funcs, key, (uint32_t)c->nfunc++);
}

/* The lines' hash, for locations. */
static uint64_t perf_loc_hash(uint64_t addr, uint32_t mapping, const struct prof_line *lines,
			      uint32_t n)
{
	uint64_t key = hmap_mix(addr ^ hmap_mix((uint64_t)mapping << 32 | n));
	uint32_t i;

	for (i = 0; i < n; i++)
		key = hmap_mix(key ^ hmap_mix((uint64_t)lines[i].func << 32 ^
					      (uint64_t)lines[i].line));
	return key;
}

static bool perf_loc_is(const struct perf_ctx *c, const struct perf_loc *l, uint64_t addr,
			uint32_t mapping, const struct prof_line *lines, uint32_t n)
{
	uint32_t i;

	if (l->addr != addr || l->mapping != mapping || l->nlines != n)
		return false;
	for (i = 0; i < n; i++)
		if (c->lines[l->line_off + i].func != lines[i].func ||
		    c->lines[l->line_off + i].line != lines[i].line)
			return false;
	return true;
}

/* One location per (address, mapping, lines); no lines: unsymbolized. */
static int perf_location(struct perf_ctx *c, uint64_t addr, uint32_t mapping,
			 const struct prof_line *lines, uint32_t n, uint32_t *out)
{
	uint64_t key = perf_loc_hash(addr, mapping, lines, n);
	struct perf_loc *l;
	uint32_t i;
	int rc;

	for (;;) {
		if (key == HMAP_EMPTY)
			key = 0;
		if (!hmap_get(&c->locs, key, &i))
			break;
		l = &c->loc[i];
		if (perf_loc_is(c, l, addr, mapping, lines, n)) {
			*out = l->id;
			return 0;
		}
		key = hmap_mix(key + 1);
	}
	if (c->nlines + n > PB_MAX_ITEMS)
		return err_set(ERR_TOOBIG, "more than %u location lines", PB_MAX_ITEMS);
	if ((rc = vec_reserve(&c->loc, &c->cap_loc, c->nloc + 1)) ||
	    (rc = vec_reserve(&c->lines, &c->cap_lines, c->nlines + n)) ||
	    (rc = pb_location(c->b, mapping, addr, lines, n, out)))
		return rc;
	if (n)
		memcpy(c->lines + c->nlines, lines, n * sizeof(*lines));
	c->loc[c->nloc] = (struct perf_loc){ addr, mapping, (uint32_t)c->nlines, n, *out };
	c->nlines += n;
	return hmap_put(&c->locs, key, (uint32_t)c->nloc++);
}

/* "[unknown]" symbols of a real file: perf could not symbolize the address. */
static bool perf_unsymbolized(const struct perf_frame *f)
{
	size_t n = strip_offset(f->sym, f->sym_len);

	return (n == 0 || same(f->sym, n, "[unknown]", 9)) && f->dso && f->dso_len &&
	       !same(f->dso, f->dso_len, "[unknown]", 9) && f->dso[0] != '[';
}

/*
 * A frame's function.  "[unknown]" symbols are named after their object as
 * stackcollapse-perf names them: "[vdso]" for perf's own bracketed names, "[unknown]"
 * without an object (callers make unsymbolized locations for the others).
 */
static int perf_frame_func(struct perf_ctx *c, const struct perf_frame *f, uint32_t mapping,
			   uint32_t *out)
{
	const char *sym = f->sym;
	size_t n = strip_offset(f->sym, f->sym_len);
	uint32_t file = 0;
	int rc;

	if (n == 0 || same(sym, n, "[unknown]", 9)) {
		bool obj = f->dso && mapping != PROF_NONE;

		sym = obj ? f->dso : "[unknown]";
		n = obj ? f->dso_len : 9;
	}
	if (f->file && (rc = pb_string(c->b, f->file, f->file_len, &file)))
		return rc;
	return perf_function(c, sym, n, mapping, file, out);
}

/*
 * The location of frames f[0..n): a frame, or a run of inlined frames (innermost first)
 * and, when the run ends with it, the frame they are inlined into, whose dso is the
 * mapping of them all (lines[0] the innermost, as pprof keeps inline frames).  An
 * unsymbolized frame of a file ("[unknown] (libc.so.6)") is an unsymbolized location,
 * named "[libc.so.6]" by the views.  A srcline gives a line its file and number; but
 * perf prints the address's source line after every frame at that address, which is the
 * innermost function's: an outer frame whose srcline is the innermost's has none.
 */
static int perf_frames_loc(struct perf_ctx *c, const struct perf_frame *f, size_t n,
			   uint32_t *out)
{
	const struct perf_frame *last = &f[n - 1];
	uint32_t mapping = PROF_NONE;
	size_t i;
	int rc;

	if (last->dso && last->dso_len && !same(last->dso, last->dso_len, "[unknown]", 9) &&
	    (rc = perf_mapping(c, last->dso, last->dso_len, &mapping)))
		return rc;
	if (n == 1 && perf_unsymbolized(last))
		return perf_location(c, last->addr, mapping, NULL, 0, out);
	if ((rc = vec_reserve(&c->tmp, &c->cap_tmp, n)))
		return rc;
	for (i = 0; i < n; i++) {
		struct perf_frame g = f[i];

		if (i && g.file && f[0].file && g.line == f[0].line &&
		    same(g.file, g.file_len, f[0].file, f[0].file_len)) {
			g.file = NULL;
			g.file_len = 0;
			g.line = 0;
		}
		c->tmp[i].line = g.line;
		if ((rc = perf_frame_func(c, &g, mapping, &c->tmp[i].func)))
			return rc;
	}
	return perf_location(c, last->addr, mapping, c->tmp, (uint32_t)n, out);
}

/*
 * The nframes frames of the sample as locations in c->stack; *nlocs gets their count.
 * perf --inline prints the functions inlined at an address as frames of their own, each
 * with "(inlined)" in place of the dso, before the function they are inlined into, at
 * the same address: together they are one location.  Inlined frames without that frame
 * (a chain cut short) are a location without a mapping.
 */
static int perf_stack(struct perf_ctx *c, size_t nframes, uint32_t *nlocs)
{
	const struct perf_frame *f = c->frames;
	size_t i = 0, j;
	uint32_t n = 0;
	int rc;

	if ((rc = vec_reserve(&c->stack, &c->cap_stack, nframes)))
		return rc;
	while (i < nframes) {
		for (j = i; j < nframes && f[j].inlined && f[j].addr == f[i].addr; j++)
			;
		if (j == i || (j < nframes && f[j].addr == f[i].addr && !perf_unsymbolized(&f[j])))
			j++; /* the frame itself, or the one the run is inlined into */
		if ((rc = perf_frames_loc(c, f + i, j - i, &c->stack[n++])))
			return rc;
		i = j;
	}
	*nlocs = n;
	return 0;
}

/* The event's index; a new one is added when `add`. */
static int perf_event_index(struct perf_ctx *c, const struct perf_header *h, size_t lineno,
			    bool add, uint32_t *out)
{
	uint32_t i;

	for (i = 0; i < c->nev; i++)
		if (same(c->ev[i].name, c->ev[i].len, h->event, h->event_len))
			break;
	if (i == c->nev) {
		if (!add)
			return err_set(ERR_PARSE, "line %zu: unknown event", lineno);
		if (c->nev == PERF_MAX_EVENTS)
			return err_set(ERR_TOOBIG, "line %zu: more than %d events",
				       lineno, PERF_MAX_EVENTS);
		c->ev[c->nev++] = (struct perf_event){ h->event, h->event_len, true };
	}
	if (h->period < 0)
		c->ev[i].all_periods = false;
	*out = i;
	return 0;
}

/* samples/count, then one type per event (see decode.h). */
static int perf_types(struct perf_ctx *c)
{
	struct prof_builder *b = c->b;
	uint32_t i, j, t, u;
	size_t n;
	int rc;

	if ((rc = pb_string(b, "samples", 7, &t)) || (rc = pb_string(b, "count", 5, &u)) ||
	    (rc = pb_sample_type(b, t, u)))
		return rc;
	for (i = 0; i < c->nev; i++) {
		const struct perf_event *e = &c->ev[i];
		size_t base = event_base(e->name, e->len);
		bool ns = e->all_periods && (same(e->name, base, "cpu-clock", 9) ||
					     same(e->name, base, "task-clock", 10));

		n = base;
		for (j = 0; j < c->nev; j++)
			if (j != i && same(e->name, base, c->ev[j].name,
					   event_base(c->ev[j].name, c->ev[j].len)))
				n = e->len; /* cycles:u and cycles:k stay apart */
		if ((rc = pb_string(b, e->name, n, &t)) ||
		    (rc = pb_string(b, ns ? "nanoseconds" : "count", ns ? 11 : 5, &u)) ||
		    (rc = pb_sample_type(b, t, u)))
			return rc;
	}
	pb_set_default_type(b, 1);
	if (!(c->values = calloc(c->nev + 1, sizeof(*c->values))))
		return err_set(ERR_NOMEM, "out of memory");
	return 0;
}

static int perf_emit(struct perf_ctx *c, const struct perf_header *h, uint32_t nlocs,
		     size_t lineno)
{
	struct prof_label lab[3] = { { 0 } };
	uint32_t e = 0, nl = 0, i;
	int rc;

	if ((rc = perf_event_index(c, h, lineno, false, &e)))
		return rc;
	if ((rc = pb_string(c->b, h->comm, h->comm_len, &lab[nl].str)))
		return rc;
	lab[nl++].key = c->k_comm;
	if (h->has_pid) {
		lab[nl].key = c->k_pid;
		lab[nl++].num = h->pid;
	}
	lab[nl].key = c->k_tid;
	lab[nl++].num = h->tid;
	for (i = 0; i <= c->nev; i++)
		c->values[i] = 0;
	c->values[0] = 1;
	c->values[1 + e] = h->period >= 0 ? h->period : 1;
	if ((rc = pb_sample(c->b, c->stack, nlocs, c->values, lab, nl)))
		return err_prefix(rc, "line %zu", lineno);
	return 0;
}

/*
 * Ends a sample of nframes frames (in c->frames); without a call chain, the frame
 * printed after the event (hframe, NULL when there is none) is its stack.
 */
static int perf_end_sample(struct perf_ctx *c, const struct perf_header *h, size_t nframes,
			   const struct perf_frame *hframe, size_t hline)
{
	uint32_t nlocs = 0;
	int rc;

	if (nframes == 0 && hframe) {
		if ((rc = vec_reserve(&c->frames, &c->cap_frames, 1)))
			return rc;
		c->frames[nframes++] = *hframe;
	}
	if ((rc = perf_stack(c, nframes, &nlocs)))
		return rc;
	return perf_emit(c, h, nlocs, hline);
}

/* What the line before was: a srcline is read only right after a frame. */
enum perf_prev { PREV_OTHER, PREV_CHAIN, PREV_HEADER };

/*
 * One pass over the lines.  Without `build`, only the headers are read (events, their
 * periods, the time span); with it, samples are made.  A srcline (-F +srcline) follows
 * its frame: a call-chain line, or a header ending with the frame (without -g, where a
 * line starting with two blanks may also be the next header, perf padding its command).
 */
static int perf_pass(struct perf_ctx *c, const char *data, size_t len, bool build,
		     int64_t *tmin, int64_t *tmax)
{
	const char *p, *end = data + len, *nl;
	struct perf_header h = { 0 }, next;
	struct perf_frame f, hf;
	size_t n, lineno = 0, hline = 0, nframes = 0;
	enum perf_prev prev = PREV_OTHER;
	bool in = false, has_hf = false;
	uint32_t e;
	int rc;

	for (p = data; p < end; p = nl < end ? nl + 1 : end) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		n = (size_t)(nl - p);
		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n > 1 && *p == '\t') {
			/* a call-chain line; others (source code, ...) are skipped */
			if (!in)
				return err_set(ERR_PARSE,
					       "line %zu: call chain without a header",
					       lineno);
			prev = PREV_OTHER;
			if (!parse_frame(p, n, &f))
				continue;
			prev = PREV_CHAIN;
			if (!build)
				continue;
			if (nframes == PERF_MAX_DEPTH)
				return err_set(ERR_TOOBIG, "line %zu: deeper than %d frames",
					       lineno, PERF_MAX_DEPTH);
			if ((rc = vec_reserve(&c->frames, &c->cap_frames, nframes + 1)))
				return rc;
			c->frames[nframes++] = f;
			continue;
		}
		if (prev != PREV_OTHER && is_srcline(p, n) &&
		    (prev == PREV_CHAIN || !parse_header(p, n, &next))) {
			if (build)
				parse_srcline(p + 2, n - 2,
					      prev == PREV_CHAIN ? &c->frames[nframes - 1] : &hf);
			prev = PREV_OTHER;
			continue;
		}
		prev = PREV_OTHER;
		while (n && is_blank(*p))
			p++, n--;
		if (n && *p == '#')
			continue;
		/* a blank line or the next header ends the sample */
		if (in && build &&
		    (rc = perf_end_sample(c, &h, nframes, has_hf ? &hf : NULL, hline)))
			return rc;
		in = false;
		nframes = 0;
		if (n == 0)
			continue;
		if (!parse_header(p, n, &h))
			return err_set(ERR_PARSE,
				       "line %zu: expected a sample header "
				       "'comm tid [cpu] time: [period] event:'",
				       lineno);
		if (!build && (rc = perf_event_index(c, &h, lineno, true, &e)))
			return rc;
		if (h.time_ns >= 0) {
			if (*tmin < 0 || h.time_ns < *tmin)
				*tmin = h.time_ns;
			if (h.time_ns > *tmax)
				*tmax = h.time_ns;
		}
		in = true;
		hline = lineno;
		has_hf = h.rest_len && parse_frame(h.rest, h.rest_len, &hf) && hf.dso;
		prev = has_hf ? PREV_HEADER : PREV_OTHER;
	}
	return in && build ? perf_end_sample(c, &h, nframes, has_hf ? &hf : NULL, hline) : 0;
}

int perf_decode(const char *data, size_t len, struct prof **out)
{
	struct perf_ctx c = { 0 };
	int64_t tmin = -1, tmax = -1;
	int rc;

	*out = NULL;
	if ((rc = pb_new(&c.b)) || (rc = hmap_init(&c.maps, 64)) ||
	    (rc = hmap_init(&c.funcs, 1024)) || (rc = hmap_init(&c.locs, 1024)) ||
	    (rc = perf_pass(&c, data, len, false, &tmin, &tmax)))
		goto done;
	if (c.nev == 0) {
		rc = err_set(ERR_PARSE, "no samples");
		goto done;
	}
	if ((rc = perf_types(&c)) || (rc = pb_string(c.b, "comm", 4, &c.k_comm)) ||
	    (rc = pb_string(c.b, "pid", 3, &c.k_pid)) ||
	    (rc = pb_string(c.b, "tid", 3, &c.k_tid)) ||
	    (rc = perf_pass(&c, data, len, true, &tmin, &tmax)))
		goto done;
	if (tmin >= 0 && tmax >= tmin)
		pb_set_times(c.b, 0, tmax - tmin);
	rc = pb_finish(c.b, out);
	c.b = NULL;
done:
	pb_free(c.b);
	hmap_release(&c.maps);
	hmap_release(&c.funcs);
	hmap_release(&c.locs);
	free(c.func);
	free(c.loc);
	free(c.lines);
	free(c.frames);
	free(c.tmp);
	free(c.stack);
	free(c.values);
	return rc ? err_prefix(rc, "perf script") : 0;
}
