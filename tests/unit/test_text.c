/*
 * test_text.c — base/text.h: making profile strings safe for a terminal, measuring them
 * in cells and fitting function names into a column; and where text leaves smolder for
 * a terminal outside the drawing code: the CLI's output in a non-UTF-8 locale, its
 * messages quoting arguments, and the explorer's clipboard (OSC 52).  Also the one JSON
 * string writer (text_json_string) and the error bodies of /ingest that use it.
 */
#include "testutil.h"

#include <ctype.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "base/base64.h"
#include "base/text.h"
#include "cmd/cmd.h"
#include "ingest/ingest.h"
#include "tui/tui_int.h"

/* text_safe(s) as a string, in a static buffer. */
static const char *safe(const char *s, size_t n, bool ascii)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	assert_int_equal(text_safe(&b, s, n, ascii), 0);
	return b.data ? b.data : "";
}

#define SAFE(lit) safe((lit), sizeof(lit) - 1, false)
#define SAFE_ASCII(lit) safe((lit), sizeof(lit) - 1, true)

static void test_safe_escapes_controls(void **state)
{
	(void)state;
	assert_string_equal(SAFE("plain.Name"), "plain.Name");
	assert_string_equal(SAFE("a\x1b[31mred\x1b[0m"), "a\\x1b[31mred\\x1b[0m");
	assert_string_equal(SAFE("tab\there"), "tab\\x09here");
	assert_string_equal(SAFE("line\nbreak\r"), "line\\x0abreak\\x0d");
	assert_string_equal(SAFE("nul\0byte"), "nul\\x00byte");
	assert_string_equal(SAFE("bell\a del\x7f"), "bell\\x07 del\\x7f");
	/* C1 controls, encoded as UTF-8 (U+0085 NEL, U+009B CSI) */
	assert_string_equal(SAFE("x\xc2\x85y\xc2\x9b"), "x\\x85y\\x9b");
	/* the same in ascii mode */
	assert_string_equal(SAFE_ASCII("a\x1b[2Jb"), "a\\x1b[2Jb");
	/* bidi format characters reorder what follows them on screen (Trojan Source):
	   U+202E RLO, U+2066 LRI, U+2069 PDI, U+200F RLM, U+061C ALM */
	assert_string_equal(SAFE("f\xe2\x80\xae)x(\xe2\x81\xa6" "a\xe2\x81\xa9"),
			    "f\\u202e)x(\\u2066a\\u2069");
	assert_string_equal(SAFE("\xe2\x80\x8f\xd8\x9c\xe2\x80\x8e\xe2\x80\xaa"),
			    "\\u200f\\u061c\\u200e\\u202a");
	assert_int_equal(text_width(SAFE("a\xe2\x80\xae"), 7), 7);
	/* ordinary text stays as it is */
	assert_string_equal(SAFE("caf\xc3\xa9 \xe2\x80\x94"), "caf\xc3\xa9 \xe2\x80\x94");
}

/*
 * Invisible characters that join, hide or re-present what is around them are shown like
 * the bidi controls: terminals disagree on the cells they take, so after text_safe()
 * every terminal draws the width text_width() counts.
 */
static void test_safe_invisible(void **state)
{
	const char *s;

	(void)state;
	/* 👨‍👩‍👧: three emoji and two ZWJ, 2 cells in tmux 3.3a/kitty/WezTerm, 6 elsewhere */
	s = SAFE("a\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7" "b");
	assert_string_equal(s, "a\xf0\x9f\x91\xa8\\u200d\xf0\x9f\x91\xa9\\u200d\xf0\x9f\x91\xa7" "b");
	assert_int_equal(text_width(s, strlen(s)), 1 + 2 + 6 + 2 + 6 + 2 + 1);
	/* ❤️ (U+2764 U+FE0F) and ✌︎ (U+270C U+FE0E): the presentation selectors */
	assert_string_equal(SAFE("\xe2\x9d\xa4\xef\xb8\x8f"), "\xe2\x9d\xa4\\ufe0f");
	assert_string_equal(SAFE("\xe2\x9c\x8c\xef\xb8\x8e"), "\xe2\x9c\x8c\\ufe0e");
	/* ZWSP, word joiner, invisible plus, BOM, Mongolian vowel separator */
	assert_string_equal(SAFE("z\xe2\x80\x8b\xe2\x81\xa0\xe2\x81\xa4\xef\xbb\xbf\xe1\xa0\x8e"),
			    "z\\u200b\\u2060\\u2064\\ufeff\\u180e");
	/* ZWNJ stays: Persian words hold it (می‌خواهم), and terminals draw it as nothing */
	assert_string_equal(SAFE("\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae"),
			    "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae");
	/* format controls above U+FFFF: Egyptian, shorthand, musical */
	assert_string_equal(SAFE("\xf0\x93\x90\xb0\xf0\x9b\xb2\xa0\xf0\x9d\x85\xb3"),
			    "\\U00013430\\U0001bca0\\U0001d173");
	/* a tag character (flag sequences) is above U+FFFF: eight digits */
	assert_string_equal(SAFE("\xf3\xa0\x81\xa7x"), "\\U000e0067x");
	/* ascii mode (a terminal without UTF-8, LC_ALL=C): escaped the same, as in a pipe,
	   not '?' as other non-ASCII characters (it showed bi?di where a pipe had bi\u202edi) */
	assert_string_equal(SAFE_ASCII("a\xe2\x80\x8d" "b"), "a\\u200db");
	assert_string_equal(SAFE_ASCII("bi\xe2\x80\xae" "di \xc3\xa9"), "bi\\u202edi ?");
	assert_string_equal(SAFE_ASCII("\xf3\xa0\x81\xa7x"), "\\U000e0067x");
	/* visible neighbours stay: a combining mark, a CJK variation selector, soft hyphen */
	assert_string_equal(SAFE("e\xcc\x81 \xe8\xbe\xbb\xef\xb8\x80 a\xc2\xad" "b"),
			    "e\xcc\x81 \xe8\xbe\xbb\xef\xb8\x80 a\xc2\xad" "b");
}

/* text_safe_char() is text_safe() one character at a time (err.c's messages use it). */
static void test_safe_char(void **state)
{
	static const char s[] = "a\x1b\xe2\x80\xae\xff\xe4\xb8\xad\xf3\xa0\x81\xa7";
	struct buf joined = BUF_INIT;
	char one[TEXT_SAFE_CHAR_MAX];
	size_t i = 0, len, olen;

	(void)state;
	while (i < sizeof(s) - 1) {
		len = text_safe_char(s + i, sizeof(s) - 1 - i, false, one, &olen);
		assert_true(len >= 1 && olen <= TEXT_SAFE_CHAR_MAX);
		assert_int_equal(buf_add(&joined, one, olen), 0);
		i += len;
	}
	assert_int_equal(i, sizeof(s) - 1);
	assert_int_equal(buf_add(&joined, "", 1), 0);
	assert_string_equal(joined.data, SAFE(s));
	assert_int_equal(text_safe_char(s, 0, false, one, &olen), 0);
	assert_int_equal(olen, 0);
	buf_release(&joined);
}

static void test_safe_invalid_utf8(void **state)
{
	(void)state;
	/* valid UTF-8 passes unchanged */
	assert_string_equal(SAFE("caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x94\xa5"),
			    "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x94\xa5");
	/* a stray byte, a lone continuation byte */
	assert_string_equal(SAFE("a\xffz"), "a\xef\xbf\xbdz");
	assert_string_equal(SAFE("\x80"), "\xef\xbf\xbd");
	/* overlong '/' (c0 af): each byte replaced */
	assert_string_equal(SAFE("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
	/* a UTF-16 surrogate (U+D800) is not UTF-8 */
	assert_string_equal(SAFE("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* beyond U+10FFFF */
	assert_string_equal(SAFE("\xf4\x90\x80\x80"),
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* a sequence cut short at the end */
	assert_string_equal(SAFE("ab\xe4\xb8"), "ab\xef\xbf\xbd\xef\xbf\xbd");
	/* ascii mode: anything non-ASCII is '?' */
	assert_string_equal(SAFE_ASCII("caf\xc3\xa9\xff\xe4\xb8\xad"), "caf???");
}

/* Every byte string comes out as valid UTF-8 without control bytes. */
static void test_safe_all_bytes(void **state)
{
	char all[256];
	const unsigned char *o;
	int i;

	(void)state;
	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	o = (const unsigned char *)safe(all, sizeof(all), false);
	for (; *o; o++)
		assert_false(*o < 0x20 || *o == 0x7f);
	o = (const unsigned char *)safe(all, sizeof(all), true);
	for (; *o; o++)
		assert_true(*o >= 0x20 && *o < 0x7f);
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(text_width("", 0), 0);
	assert_int_equal(text_width("main.main", 9), 9);
	/* CJK ideographs and fullwidth forms take two cells */
	assert_int_equal(text_width("\xe4\xb8\xad\xe6\x96\x87", 6), 4);            /* 中文 */
	assert_int_equal(text_width("a\xe4\xb8\xad" "b", 5), 4);                    /* a中b */
	assert_int_equal(text_width("\xef\xbc\xa1", 3), 2);                         /* Ａ */
	assert_int_equal(text_width("\xf0\x9f\x94\xa5", 4), 2);                     /* 🔥 */
	/* accents and halfwidth katakana take one; a combining mark takes none */
	assert_int_equal(text_width("caf\xc3\xa9", 5), 4);
	assert_int_equal(text_width("\xef\xbd\xb6", 3), 1);                         /* ｶ */
	assert_int_equal(text_width("e\xcc\x81", 3), 1);
	/* escapes from text_safe are as wide as they are long */
	assert_int_equal(text_width(SAFE("a\x1b"), 5), 5);
}

/*
 * fn (text_middle_truncate or text_fit_name) of s into maxw cells, as a string; checks
 * that the width it returns is the real one and within maxw.
 */
static const char *cut(int (*fn)(struct buf *, const char *, size_t, int, bool), const char *s,
		       int maxw, bool ascii)
{
	static struct buf b = BUF_INIT;
	int w;

	buf_reset(&b);
	w = fn(&b, s, strlen(s), maxw, ascii);
	assert_int_equal(w, text_width(b.data ? b.data : "", b.len));
	assert_true(w <= (maxw > 0 ? maxw : 0));
	return b.data ? b.data : "";
}

static const char *mid(const char *s, int maxw, bool ascii)
{
	return cut(text_middle_truncate, s, maxw, ascii);
}

static const char *fit(const char *name, int w)
{
	return cut(text_fit_name, name, w, false);
}

static void test_middle_truncate(void **state)
{
	(void)state;
	assert_string_equal(mid("abcdefghij", 10, false), "abcdefghij");
	assert_string_equal(mid("abcdefghij", 20, false), "abcdefghij");
	assert_string_equal(mid("abcdefghij", 9, false), "abcd\xe2\x80\xa6" "ghij");
	assert_string_equal(mid("abcdefghij", 5, false), "ab\xe2\x80\xa6ij");
	assert_string_equal(mid("abcdefghij", 4, false), "ab\xe2\x80\xa6j");
	assert_string_equal(mid("abcdefghij", 2, false), "a\xe2\x80\xa6");
	assert_string_equal(mid("abcdefghij", 1, false), "\xe2\x80\xa6");
	assert_string_equal(mid("abcdefghij", 0, false), "");
	assert_string_equal(mid("abcdefghij", -3, false), "");
	assert_string_equal(mid("abcdefghij", 5, true), "ab~ij");
	/* wide characters are never split: 中文中文中文 (12 cells) into 5 and 6 */
	assert_string_equal(mid("\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad"
				"\xe6\x96\x87",
				5, false),
			    "\xe4\xb8\xad\xe2\x80\xa6\xe6\x96\x87");
	assert_string_equal(mid("\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad"
				"\xe6\x96\x87",
				6, false),
			    "\xe4\xb8\xad\xe2\x80\xa6\xe6\x96\x87");
}

static void test_fit_name_progressive(void **state)
{
	static const char name[] = "github.com/x/y/pkg.(*T).Method"; /* 30 cells */
	int w;

	(void)state;
	for (w = 40; w >= 30; w--)
		assert_string_equal(fit(name, w), name);
	for (w = 29; w >= 15; w--)
		assert_string_equal(fit(name, w), "pkg.(*T).Method");
	for (w = 14; w >= 11; w--)
		assert_string_equal(fit(name, w), "(*T).Method");
	for (w = 10; w >= 6; w--)
		assert_string_equal(fit(name, w), "Method");
	assert_string_equal(fit(name, 5), "Me\xe2\x80\xa6od");
	assert_string_equal(fit(name, 4), "Me\xe2\x80\xa6" "d");
	assert_string_equal(fit(name, 2), "M\xe2\x80\xa6");
	assert_string_equal(fit(name, 1), "\xe2\x80\xa6");
	assert_string_equal(fit(name, 0), "");
}

static void test_fit_name_shapes(void **state)
{
	(void)state;
	/* a '/' inside brackets (generics) is not a package path separator */
	assert_string_equal(fit("example.com/m/v2/cache.(*Map[go.shape.string]).Get", 40),
			    "cache.(*Map[go.shape.string]).Get");
	assert_string_equal(fit("example.com/m/v2/cache.(*Map[a/b]).Get", 30),
			    "cache.(*Map[a/b]).Get");
	/* a function (no receiver) loses its package, then is truncated */
	assert_string_equal(fit("runtime.mallocgc", 16), "runtime.mallocgc");
	assert_string_equal(fit("runtime.mallocgc", 15), "mallocgc");
	assert_string_equal(fit("runtime.mallocgc", 7), "mal\xe2\x80\xa6" "cgc");
	/* the name is made terminal-safe before it is measured */
	assert_string_equal(fit("main.\x1b[2Jevil", 40), "main.\\x1b[2Jevil");
	assert_string_equal(fit("main.\x1b[2Jevil", 12), "\\x1b[2Jevil");
	/* ascii mode */
	{
		struct buf b = BUF_INIT;

		assert_int_equal(text_fit_name(&b, "pkg.F\xc3\xbcr", 8, 20, true), 7);
		assert_string_equal(b.data, "pkg.F?r");
		buf_release(&b);
	}
}

/*
 * Pyroscope SDKs' `file.ext:LINE - function` names (Python, Ruby, Rust) keep their file's
 * basename, line and whole function, cut in the middle; .NET's Assembly!Type.Method
 * loses its assembly only.  Before, the extension's dot was taken for a Go package's:
 * "py:-1 - check_driver_availability", and .NET names became "MoveNext" or "Invoke".
 * The names are the fixtures' (profile_python, profile_rust, simple-ruby-app-cpu.json,
 * dotnet-pprof-211.pb.gz).
 */
static void test_fit_name_pyroscope_sdks(void **state)
{
	(void)state;
	/* Python (pyroscope-rs's pyspy) */
	assert_string_equal(fit("lib/utility/utility.py:-1 - check_driver_availability", 50),
			    "utility.py:-1 - check_driver_availability");
	assert_string_equal(fit("lib/utility/utility.py:-1 - check_driver_availability", 30),
			    "utility.py:-1 -\xe2\x80\xa6" "r_availability");
	assert_string_equal(fit("pyroscope/__init__.py:-1 - tag_wrapper", 30),
			    "__init__.py:-1 - tag_wrapper");
	/* Ruby (rbspy) */
	assert_string_equal(fit("gems/pyroscope-0.0.23/lib/pyroscope.rb:31 - set_tag", 40),
			    "pyroscope.rb:31 - set_tag");
	assert_string_equal(fit("(unknown):0 - _set_tag [c function]", 30),
			    "(unknown):0 - _\xe2\x80\xa6" "g [c function]");
	/* Rust (pyroscope-rs) */
	assert_string_equal(fit("backtrace.rs:154 - std::sys_common::backtrace::"
				"__rust_begin_short_backtrace", 40),
			    "backtrace.rs:154 - s\xe2\x80\xa6" "gin_short_backtrace");
	assert_string_equal(fit("alloc.rs:98 - alloc::alloc::alloc", 20),
			    "alloc.rs:9\xe2\x80\xa6" "oc::alloc");
	assert_string_equal(fit(":0 - __clock_gettime", 10), ":0 - \xe2\x80\xa6" "time");
	/* .NET (dotnetspy): the assembly goes, the type and its nested names stay */
	assert_string_equal(fit("Microsoft.AspNetCore.Authentication!AuthenticationMiddleware."
				"<Invoke>d__6.MoveNext", 50),
			    "AuthenticationMiddleware.<Invoke>d__6.MoveNext");
	assert_string_equal(fit("Microsoft.AspNetCore.Authorization!AuthorizationMiddleware.Invoke",
				30),
			    "AuthorizationMiddleware.Invoke");
	assert_string_equal(fit("WebApplication1.Controllers!CpuController.fib", 20),
			    "CpuController.fib");
	assert_string_equal(fit("System!Number.UInt64ToDecStr", 40), "System!Number.UInt64ToDecStr");
	/* a '!' that is no assembly's: C++ operators, Ruby's bang methods (rbspy's form) */
	assert_non_null(strstr(fit("std::operator!=(std::basic_string<char> const&, char const*)",
				   40), "std::operator!="));
	assert_non_null(strstr(fit("std::unique_ptr<Foo>::operator!() const", 30),
			       "std::unique_ptr"));
	assert_non_null(strstr(fit("ActiveRecord::Persistence#save! - /gems/activerecord-7.0/"
				   "lib/active_record/persistence.rb:123", 40),
			       "ActiveRecord::"));
	assert_non_null(strstr(fit("Array#map! - app/lib/workers.rb:44", 20), "Array#"));
	/* and Go names are shortened as before */
	assert_string_equal(fit("runtime.mallocgc", 15), "mallocgc");
}

static void test_package(void **state)
{
	const char *pkg;

	(void)state;
	assert_int_equal(text_package("github.com/x/y/pkg.(*T).Method", &pkg), 18);
	assert_memory_equal(pkg, "github.com/x/y/pkg", 18);
	assert_int_equal(text_package("main.main", &pkg), 4);
	assert_int_equal(text_package("runtime.(*mheap).alloc", &pkg), 7);
}

/* The ASCII classes are C's in the C locale for ASCII, and no byte past 0x7f is in them. */
static void test_ascii_classes(void **state)
{
	int c;

	(void)state;
	for (c = 0; c < 256; c++) {
		bool ascii = c < 0x80;

		assert_int_equal(text_ascii_space((unsigned char)c), ascii && isspace(c));
		assert_int_equal(text_ascii_alnum((unsigned char)c), ascii && isalnum(c));
		assert_int_equal((unsigned char)text_ascii_lower((unsigned char)c),
				 ascii ? tolower(c) : c);
	}
}

/* cmd_put_safe(s) written to a file: what the CLI prints, and the width it returned. */
/* What cmd_put_safe writes to f (read back through fd r), and its width in *w. */
static const char *cli_put_to(FILE *f, int r, const char *s, int *w)
{
	static char out[256];
	ssize_t n;

	*w = cmd_put_safe(f, s, strlen(s), true);
	fflush(f);
	if (r < 0) {
		rewind(f);
		n = (ssize_t)fread(out, 1, sizeof(out) - 1, f);
	} else {
		n = read(r, out, sizeof(out) - 1);
	}
	assert_true(n >= 0);
	out[n] = '\0';
	return out;
}

/*
 * In a locale that is not UTF-8 (LC_ALL=C over ssh, in containers) wcwidth() counts no
 * character beyond ASCII, and the terminal is not known to show UTF-8: the CLI prints
 * ASCII to such a terminal, as the explorer draws it, so the widths it lines columns up
 * with are those of what it printed.  A file or a pipe gets UTF-8 whatever the locale (a
 * script run by cron without LANG still reads the names).
 */
static void test_locale_ascii(void **state)
{
	static const char name[] = "pkg.\xe4\xb8\xad\xe6\x96\x87.F\xc3\xbcr\x1b";
	int master, w;
	FILE *tty, *file;
	const char *o;

	(void)state;
	assert_true((master = posix_openpt(O_RDWR | O_NOCTTY)) >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	assert_non_null(tty = fopen(ptsname(master), "w"));
	{	/* raw: the terminal neither echoes nor turns \n into \r\n */
		struct termios t;

		assert_int_equal(tcgetattr(fileno(tty), &t), 0);
		cfmakeraw(&t);
		assert_int_equal(tcsetattr(fileno(tty), TCSANOW, &t), 0);
	}
	assert_non_null(file = tmpfile());

	assert_non_null(setlocale(LC_ALL, "C"));
	assert_false(text_locale_utf8());
	assert_true(cmd_ascii(tty));
	o = cli_put_to(tty, master, name, &w);
	assert_string_equal(o, "pkg.??.F?r\\x1b");
	assert_int_equal(w, (int)strlen(o));
	assert_false(cmd_ascii(file));
	o = cli_put_to(file, -1, name, &w);
	assert_string_equal(o, "pkg.\xe4\xb8\xad\xe6\x96\x87.F\xc3\xbcr\\x1b");

	assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
	assert_true(text_locale_utf8());
	assert_false(cmd_ascii(tty));
	o = cli_put_to(tty, master, name, &w);
	assert_string_equal(o, "pkg.\xe4\xb8\xad\xe6\x96\x87.F\xc3\xbcr\\x1b");
	assert_int_equal(w, 4 + 4 + 4 + 4);
	fclose(file);
	fclose(tty);
	close(master);
}

/* Captures what is written to stderr (or fd) between capture_begin() and capture_end(). */
struct capture {
	FILE *f;
	int fd, saved;
	char text[1024];
};

static void capture_begin(struct capture *c)
{
	if (c->fd == 0)
		c->fd = 2;
	fflush(c->fd == 1 ? stdout : stderr);
	assert_non_null(c->f = tmpfile());
	assert_true((c->saved = dup(c->fd)) >= 0);
	assert_true(dup2(fileno(c->f), c->fd) >= 0);
}

static const char *capture_end(struct capture *c)
{
	size_t n;

	fflush(c->fd == 1 ? stdout : stderr);
	assert_true(dup2(c->saved, c->fd) >= 0);
	close(c->saved);
	rewind(c->f);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->f);
	c->text[n] = '\0';
	fclose(c->f);
	return c->text;
}

/* Error messages quote the user's own arguments escaped: they may be pasted escapes. */
static void test_cli_arguments_escaped(void **state)
{
	static const char *const formats[] = { "text", "json", NULL };
	static const char hostile[] = "\x1b]52;c;aGk=\x07\xe2\x80\xae";
	static const char want[] = "\\x1b]52;c;aGk=\\x07\\u202e";
	char n[] = "-n", arg[sizeof(hostile)], top[] = "top", file[] = "x.pb.gz";
	char *argv[] = { top, n, arg, file, NULL };
	struct cmd_transform t = { 0 };
	struct capture c = { 0 };
	const char *o;

	(void)state;
	memcpy(arg, hostile, sizeof(hostile));
	capture_begin(&c);
	assert_int_equal(cmd_check_format("top", hostile, formats), 2);
	o = capture_end(&c);
	assert_non_null(strstr(o, "--format is text or json, not '"));
	assert_non_null(strstr(o, want));
	assert_null(strchr(o, '\x1b'));

	capture_begin(&c);
	assert_int_equal(cmd_transform_opt(CMD_OPT_BASE + 'g', hostile, &t), -1);
	o = capture_end(&c);
	assert_non_null(strstr(o, "--granularity is functions, lines, files or packages, not '"));
	assert_non_null(strstr(o, want));
	assert_null(strchr(o, '\x1b'));

	capture_begin(&c);
	assert_int_equal(cmd_top(4, argv, NULL), 2);
	o = capture_end(&c);
	assert_non_null(strstr(o, "--nodecount wants a number, not '"));
	assert_non_null(strstr(o, want));
	assert_null(strchr(o, '\x1b'));
}

/*
 * y puts on the clipboard (OSC 52) what the status line shows, never a profile's raw
 * bytes: pasted into a shell, ESC, CR/LF or ESC[201~ (the end of a bracketed paste)
 * would run commands.
 */
static void test_clipboard_safe(void **state)
{
	static const char name[] = "main.f\x1b[201~\rrm -rf ~\n\xe2\x80\xae" "x\xc3\xa9";
	struct capture c = { .fd = 1 };
	uint8_t got[256];
	const char *o, *end;
	size_t len;

	(void)state;
	capture_begin(&c);
	scr_clipboard(name, sizeof(name) - 1);
	o = capture_end(&c);
	assert_memory_equal(o, "\x1b]52;c;", 7);
	assert_non_null(end = strchr(o, '\a'));
	assert_int_equal(end[1], '\0');
	assert_true((size_t)(end - o - 7) < sizeof(got) / 4 * 3);
	assert_int_equal(base64_decode(o + 7, (size_t)(end - o - 7), false, got, &len), 0);
	got[len] = '\0';
	assert_string_equal((const char *)got, SAFE(name));
	assert_string_equal((const char *)got,
			    "main.f\\x1b[201~\\x0drm -rf ~\\x0a\\u202ex\xc3\xa9");
}

/*
 * text_json_string() makes valid JSON of any bytes: jansson, which refuses invalid UTF-8
 * and raw control characters, reads back what was written, with invalid bytes as U+FFFD.
 */
static void test_json_string(void **state)
{
	static const char in[] = "a\"b\\c\n\t\r\x01\x7f\xff\xc3(\xe2\x82\xc3\xa9\xf0\x9f\x94\xa5";
	static const char want[] = "a\"b\\c\n\t\r\x01\x7f\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd"
				   "\xef\xbf\xbd\xc3\xa9\xf0\x9f\x94\xa5";
	struct buf b = BUF_INIT;
	json_t *j;
	unsigned c;

	(void)state;
	assert_int_equal(text_json_string(&b, in, sizeof(in) - 1), 0);
	assert_non_null(j = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL));
	assert_true(json_is_string(j));
	assert_int_equal(json_string_length(j), sizeof(want) - 1);
	assert_memory_equal(json_string_value(j), want, sizeof(want) - 1);
	json_decref(j);
	/* an empty string may come as NULL (protobuf-c) */
	buf_reset(&b);
	assert_int_equal(text_json_string(&b, NULL, 0), 0);
	assert_string_equal(b.data, "\"\"");
	/* every byte alone, and an embedded NUL */
	for (c = 0; c < 256; c++) {
		char one = (char)c;

		buf_reset(&b);
		assert_int_equal(text_json_string(&b, &one, 1), 0);
		assert_non_null(j = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
					       NULL));
		json_decref(j);
	}
	buf_release(&b);
}

/*
 * /ingest's error body ({"code","message"}) is valid JSON whatever the reason holds: it
 * wrote invalid UTF-8 through, which a JSON client (jansson, Go's encoding/json in strict
 * tools) refuses.
 */
static void test_ingest_error_body_valid_json(void **state)
{
	struct ingest_result r;
	struct buf out = BUF_INIT;
	json_t *j;

	(void)state;
	ingest_result_init(&r);
	r.status = 400;
	r.code = "invalid_argument";
	snprintf(r.reason, sizeof(r.reason), "bad name 'a\xff\xc3' \"q\" \\ \x1b");
	assert_int_equal(ingest_error_body(&r, &out), 0);
	assert_non_null(j = json_loadb(out.data, out.len, 0, NULL));
	assert_string_equal(json_string_value(json_object_get(j, "code")), "invalid_argument");
	assert_string_equal(json_string_value(json_object_get(j, "message")),
			    "bad name 'a\xef\xbf\xbd\xef\xbf\xbd' \"q\" \\ \x1b");
	json_decref(j);
	buf_release(&out);
	ingest_result_release(&r);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_escapes_controls),
		cmocka_unit_test(test_safe_invisible),
		cmocka_unit_test(test_safe_char),
		cmocka_unit_test(test_safe_invalid_utf8),
		cmocka_unit_test(test_safe_all_bytes),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_middle_truncate),
		cmocka_unit_test(test_fit_name_progressive),
		cmocka_unit_test(test_fit_name_shapes),
		cmocka_unit_test(test_fit_name_pyroscope_sdks),
		cmocka_unit_test(test_package),
		cmocka_unit_test(test_ascii_classes),
		cmocka_unit_test(test_locale_ascii),
		cmocka_unit_test(test_cli_arguments_escaped),
		cmocka_unit_test(test_clipboard_safe),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_ingest_error_body_valid_json),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("text", tests, NULL, NULL) ? 1 : 0;
}
