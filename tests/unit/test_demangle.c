/*
 * test_demangle.c — profile/demangle.c: pprof's simplification of demangled C++ names,
 * case by case as pprof's removeMatching and looksLikeDemangledCPlusPlus decide them, and
 * on a real Rust profile against `go tool pprof -top` (which simplifies by default).
 */
#include "testutil.h"

#include <string.h>

#include "base/err.h"
#include "profile/builder.h"
#include "profile/demangle.h"
#include "profile/top.h"
#include "profile/tree.h"

static void expect(const char *in, enum demangle_mode mode, const char *want)
{
	struct buf out = BUF_INIT;
	bool changed = demangle_simplify(in, strlen(in), mode, &out);

	assert_non_null(out.data);
	if (strcmp(out.data, want) != 0)
		fail_msg("'%s' became '%s', want '%s'", in, out.data, want);
	assert_int_equal(changed, strcmp(in, want) != 0);
	buf_release(&out);
}

static void test_simplify(void **state)
{
	(void)state;
	/* Rust and C++ names: templates and parameters go, outermost groups only */
	expect("hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>::poll_write", DEMANGLE_DEFAULT,
	       "hyper::proto::h1::dispatch::Dispatcher::poll_write");
	expect("<alloc::alloc::Global as core::alloc::Allocator>::allocate", DEMANGLE_DEFAULT,
	       "::allocate");
	expect("std::vector<int, std::allocator<int> >::push_back(int const&)", DEMANGLE_DEFAULT,
	       "std::vector::push_back");
	expect("std::vector<int, std::allocator<int> >::push_back(int const&)", DEMANGLE_TEMPLATES,
	       "std::vector<int, std::allocator<int> >::push_back");
	expect("std::vector<int>::push_back(int const&)", DEMANGLE_FULL,
	       "std::vector<int>::push_back(int const&)");
	expect("std::vector<int>::push_back(int const&)", DEMANGLE_NONE,
	       "std::vector<int>::push_back(int const&)");
	expect("f(g(h))::x", DEMANGLE_DEFAULT, "f::x");
	/* not C++: Java's <init>, Go's methods on generic types, plain names */
	expect("java/lang/Thread.<init>", DEMANGLE_DEFAULT, "java/lang/Thread.<init>");
	expect("main.(*Tree[...]).Insert", DEMANGLE_DEFAULT, "main.(*Tree[...]).Insert");
	expect("main.(*T).m", DEMANGLE_DEFAULT, "main.(*T).m");
	expect("runtime.mallocgc", DEMANGLE_DEFAULT, "runtime.mallocgc");
	expect("", DEMANGLE_DEFAULT, "");
	/* '[' alone makes it C++ to pprof; parentheses then go */
	expect("main.Map[...](x)", DEMANGLE_DEFAULT, "main.Map[...]");
	/* pprof's mismatch rule: a close without an open stops the removal there */
	expect("a::f(x)b)c(d)", DEMANGLE_DEFAULT, "a::fb)c(d)");
	expect("a>b<c>::f", DEMANGLE_DEFAULT, "a>b<c>::f");
	expect("x::y(", DEMANGLE_DEFAULT, "x::y(");
	expect("<module>", DEMANGLE_DEFAULT, "");
	assert_int_equal(demangle_parse("templates"), DEMANGLE_TEMPLATES);
	assert_int_equal(demangle_parse("default"), DEMANGLE_DEFAULT);
	assert_int_equal(demangle_parse("nope"), -1);
}

/* A profile of named frames, each function's system name its name (as Rust's are). */
static struct prof *build(const char *const *stacks, const int64_t *values, size_t n)
{
	struct prof_builder *b;
	struct prof *p;
	uint32_t locs[8], type, unit;
	size_t i;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "cpu", 3, &type), 0);
	assert_int_equal(pb_string(b, "nanoseconds", 11, &unit), 0);
	assert_int_equal(pb_sample_type(b, type, unit), 0);
	for (i = 0; i < n; i++) {
		const char *s = stacks[i];
		uint32_t nl = 0;

		while (*s) {  /* "leaf;caller;root" */
			size_t len = strcspn(s, ";");
			struct prof_function f = { 0 };
			struct prof_line line = { 0, 1 };

			assert_int_equal(pb_string(b, s, len, &f.name), 0);
			f.system_name = f.name;
			assert_int_equal(pb_function(b, &f, &line.func), 0);
			assert_int_equal(pb_location(b, PROF_NONE, 0, &line, 1, &locs[nl++]), 0);
			s += len + (s[len] == ';');
		}
		assert_int_equal(pb_sample(b, locs, nl, &values[i], NULL, 0), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

/* Two instantiations become one function name; the profile is otherwise the same. */
static void test_profile(void **state)
{
	static const char *const stacks[] = { "leaf;a::B<int>::f;main", "leaf;a::B<long>::f;main",
					      "plain;main" };
	static const int64_t values[] = { 10, 5, 1 };
	struct prof *p = build(stacks, values, 3), *d = NULL;
	struct tree *tree;
	struct top top;
	const struct top_row *r;

	(void)state;
	assert_int_equal(prof_demangle(p, DEMANGLE_DEFAULT, &d), 0);
	assert_non_null(d);
	tu_check_invariants(d);
	assert_int_equal(d->nsamples, p->nsamples);
	tu_assert_i64(prof_total(d, 0), 16);
	tu_top(d, "cpu", &tree, &top);
	r = tu_top_row(&top, d, "a::B::f");  /* one row, as pprof's */
	assert_non_null(r);
	tu_assert_i64(r->cum, 15);
	assert_null(tu_top_row(&top, d, "a::B<int>::f"));
	top_release(&top);
	tree_free(tree);
	prof_free(d);
	/* nothing to simplify: no copy */
	assert_int_equal(prof_demangle(p, DEMANGLE_FULL, &d), 0);
	assert_null(d);
	prof_free(p);
	p = tu_decode("go/cpuwork-cpu.pb.gz");
	assert_int_equal(prof_demangle(p, DEMANGLE_DEFAULT, &d), 0);
	assert_null(d);
	prof_free(p);
	/* names without system names (Python's in Pyroscope) are "already demangled" */
	p = tu_decode_str("main;<module> 3\n");
	assert_int_equal(prof_demangle(p, DEMANGLE_DEFAULT, &d), 0);
	assert_null(d);
	prof_free(p);
}

/*
 * The Rust fixture: `go tool pprof -top -nodefraction=0 profile_rust` shows 137 rows
 * (its names start with file:line, so none merge), "backtrace_rs.rs:23 - ::trace" among
 * them with cum 11.96s (pprof_compare.sh checks every row).
 */
static void test_rust_like_pprof(void **state)
{
	struct prof *p = tu_decode("pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_rust"),
		    *d = NULL;
	struct tree *tree;
	struct top top;
	const struct top_row *r;

	(void)state;
	assert_int_equal(prof_demangle(p, DEMANGLE_DEFAULT, &d), 0);
	assert_non_null(d);
	tu_top(d, "cpu", &tree, &top);
	assert_int_equal(top.n, 137);
	r = tu_top_row(&top, d, "backtrace_rs.rs:23 - ::trace");
	tu_assert_i64(r->cum, 11960000000);
	top_release(&top);
	tree_free(tree);
	prof_free(d);
	prof_free(p);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simplify),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_rust_like_pprof),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("demangle", tests, NULL, NULL) ? 1 : 0;
}
