/*
 * test_sandwich.c — profile/sandwich.c: the callers and callees trees of a function
 * agree with peek's edge weights (which tests/pprof_compare.sh checks against
 * `go tool pprof -peek`), and recursion is counted once per sample.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "profile/peek.h"
#include "profile/sandwich.h"

/* The weight of kid `name` under the function (node 1) of tree t, or -1. */
static int64_t kid_total(const struct tree *t, const char *name, uint32_t type)
{
	uint32_t kid;

	for (kid = tree_first_kid(t, 1); kid != PROF_NONE; kid = tree_next_kid(t, 1, kid)) {
		if (strcmp(tree_name(t, kid), name) == 0)
			return tree_total(t, kid, type);
	}
	return -1;
}

static void check_against_peek(const char *file, const char *fn)
{
	struct prof *p = tu_decode(file), *callers, *callees;
	struct tree *tc, *te;
	struct peek pk;
	char re[512];
	uint32_t type, name, i;

	type = p->default_type;
	name = prof_find_str(p, fn);
	assert_int_not_equal(name, PROF_NONE);
	assert_int_equal(sandwich_build(p, name, &callers, &callees), 0);
	tu_check_invariants(callers);
	tu_check_invariants(callees);
	assert_int_equal(tree_build(callers, &tc), 0);
	assert_int_equal(tree_build(callees, &te), 0);
	/* both trees: "all" → the function → ... */
	assert_int_equal(tree_nkids(tc, 0), 1);
	assert_string_equal(tree_name(tc, 1), fn);
	assert_string_equal(tree_name(te, 1), fn);
	snprintf(re, sizeof(re), "^%s$", fn);
	for (i = 0; re[i]; i++)
		if (re[i] == '(' || re[i] == ')' || re[i] == '*' || re[i] == '.')
			memmove(re + i + 1, re + i, strlen(re + i) + 1), re[i++] = '\\';
	assert_int_equal(peek_compute(p, type, re, &pk), 0);
	assert_int_equal(pk.n, 1);
	tu_assert_i64(tree_total(tc, 1, type), pk.entries[0].fn.cum);
	tu_assert_i64(tree_total(te, 1, type), pk.entries[0].fn.cum);
	tu_assert_i64(tree_self(te, 1, type), pk.entries[0].fn.flat);
	for (i = 0; i < pk.entries[0].ncallers; i++)
		tu_assert_i64(kid_total(tc, prof_str(p, pk.entries[0].callers[i].name), type),
			      pk.entries[0].callers[i].weight);
	for (i = 0; i < pk.entries[0].ncallees; i++)
		tu_assert_i64(kid_total(te, prof_str(p, pk.entries[0].callees[i].name), type),
			      pk.entries[0].callees[i].weight);
	assert_int_equal(tree_nkids(tc, 1), pk.entries[0].ncallers);
	assert_int_equal(tree_nkids(te, 1), pk.entries[0].ncallees);
	peek_release(&pk);
	tree_free(tc);
	tree_free(te);
	prof_free(callers);
	prof_free(callees);
	prof_free(p);
}

static void test_cpuwork(void **state)
{
	(void)state;
	check_against_peek("go/cpuwork-cpu.pb.gz", "main.hashRecords");
	check_against_peek("go/cpuwork-cpu.pb.gz", "crypto/sha256.(*digest).Write");
	check_against_peek("go/cpuwork-cpu.pb.gz", "runtime.mallocgc");
	check_against_peek("go/heapwork-heap.pb.gz", "main.(*Cache).Put");
}

static void test_recursion(void **state)
{
	struct prof *p = tu_decode_str("main;a;b;a;c 4\nmain;a;d 1\n"), *callers, *callees;
	struct tree *tc, *te;

	(void)state;
	assert_int_equal(sandwich_build(p, prof_find_str(p, "a"), &callers, &callees), 0);
	assert_int_equal(tree_build(callers, &tc), 0);
	assert_int_equal(tree_build(callees, &te), 0);
	/* a appears twice in the first sample: counted once, from its root-most call */
	tu_assert_i64(tree_total(te, 1, 0), 5);
	tu_assert_i64(kid_total(te, "b", 0), 4);
	tu_assert_i64(kid_total(te, "d", 0), 1);
	/* callers from its leaf-most call: b called it last in the first sample */
	tu_assert_i64(tree_total(tc, 1, 0), 5);
	tu_assert_i64(kid_total(tc, "b", 0), 4);
	tu_assert_i64(kid_total(tc, "main", 0), 1);
	tree_free(tc);
	tree_free(te);
	prof_free(callers);
	prof_free(callees);
	prof_free(p);
}

/* The divider's self of a recursive function is its flat (pprof, the top table): 15, not 5. */
static void test_recursive_self(void **state)
{
	struct prof *p = tu_decode_str("main;f;g;f 10\nmain;f 5\nmain;h 3\n"), *callers, *callees;
	struct tree *te, *t;
	struct top top;
	uint32_t f = prof_find_str(p, "f"), g = prof_find_str(p, "g");

	(void)state;
	assert_int_equal(sandwich_build(p, f, &callers, &callees), 0);
	assert_int_equal(tree_build(callees, &te), 0);
	tu_top(p, "samples", &t, &top);
	tu_assert_i64(tu_top_row(&top, p, "f")->flat, 15);
	tu_assert_i64(sandwich_self(te, f, 0), 15);
	tu_assert_i64(tree_self(te, 1, 0), 5); /* the root alone: what the divider showed */
	tu_assert_i64(sandwich_self(te, g, 0), 0);
	top_release(&top);
	tree_free(t);
	tree_free(te);
	prof_free(callers);
	prof_free(callees);
	prof_free(p);
}

/*
 * peek with many selected functions: each entry gets exactly its own edges, both ends of
 * an edge between two selected functions see it, and entries keep top order.  (Edges
 * are handed out in one pass: peek on 50 000 selected functions took 46 s when every
 * entry scanned every edge.)
 *   main;fn<i>;leaf<i> i+1      main;fn<i>;fn<i+1> 1 (i odd)
 */
static void test_peek_many(void **state)
{
	enum { N = 2000 };
	struct buf text = BUF_INIT;
	struct prof *p;
	struct peek pk;
	uint32_t i, k;

	(void)state;
	for (i = 0; i < N; i++) {
		assert_int_equal(buf_printf(&text, "main;fn%u;leaf%u %u\n", i, i, i + 1), 0);
		if (i % 2)
			assert_int_equal(buf_printf(&text, "main;fn%u;fn%u 1\n", i, i + 1), 0);
	}
	p = tu_decode_str(text.data);
	assert_int_equal(peek_compute(p, 0, "^fn", &pk), 0);
	assert_int_equal(pk.n, N + 1);  /* fn<N> too: the last odd i calls it */
	for (k = 0; k < pk.n; k++) {
		const struct peek_entry *e = &pk.entries[k];
		uint32_t j = (uint32_t)strtoul(prof_str(p, e->fn.name) + 2, NULL, 10);
		bool called = j % 2 == 0 && j > 0, calls = j % 2 == 1;
		char want[32];

		if (k > 0) /* top order: flat descending */
			assert_true(pk.entries[k - 1].fn.flat >= e->fn.flat);
		if (j == N) { /* only fn<N-1> calls it */
			assert_int_equal(e->ncallers, 1);
			assert_int_equal(e->ncallees, 0);
			snprintf(want, sizeof(want), "fn%u", N - 1);
			assert_string_equal(prof_str(p, e->callers[0].name), want);
			tu_assert_i64(e->callers[0].weight, 1);
			continue;
		}
		assert_int_equal(e->ncallers, called ? 2 : 1);
		assert_int_equal(e->ncallees, calls ? 2 : 1);
		/* callers by weight: main first, then fn<j-1> */
		assert_string_equal(prof_str(p, e->callers[0].name), "main");
		tu_assert_i64(e->callers[0].weight, j + 1 + (calls ? 1 : 0));
		if (called) {
			snprintf(want, sizeof(want), "fn%u", j - 1);
			assert_string_equal(prof_str(p, e->callers[1].name), want);
			tu_assert_i64(e->callers[1].weight, 1);
		}
		snprintf(want, sizeof(want), "leaf%u", j);
		assert_string_equal(prof_str(p, e->callees[0].name), want);
		tu_assert_i64(e->callees[0].weight, j + 1);
		if (calls) {
			snprintf(want, sizeof(want), "fn%u", j + 1);
			assert_string_equal(prof_str(p, e->callees[1].name), want);
			tu_assert_i64(e->callees[1].weight, 1);
		}
	}
	peek_release(&pk);
	prof_free(p);
	buf_release(&text);
}

/*
 * peek's regex is RE2's: a pattern PCRE2 gives up backtracking on still selects what it
 * matches ((a|a)*c|^a+$ on 40 a's), and a name no engine here can decide fails peek with
 * ERR_TOOBIG rather than being left out.
 */
static void test_peek_backtracking_regex(void **state)
{
	char a40[41], a1000[1003];
	struct buf text = BUF_INIT;
	struct prof *p;
	struct peek pk;

	(void)state;
	memset(a40, 'a', 40);
	a40[40] = '\0';
	memset(a1000, 'a', 1000);
	memcpy(a1000 + 1000, "bx", 3);
	assert_int_equal(buf_printf(&text, "main;%s 5\nmain;other 3\n", a40), 0);
	p = tu_decode_str(text.data);
	assert_int_equal(peek_compute(p, 0, "(a|a)*c|^a+$", &pk), 0);
	assert_int_equal(pk.n, 1);
	assert_string_equal(prof_str(p, pk.entries[0].fn.name), a40);
	assert_int_equal(pk.entries[0].ncallers, 1);
	tu_assert_i64(pk.entries[0].callers[0].weight, 5);
	peek_release(&pk);
	prof_free(p);
	buf_release(&text);
	assert_int_equal(buf_printf(&text, "main;%s 1\n", a1000), 0);
	p = tu_decode_str(text.data);
	assert_int_equal(peek_compute(p, 0, "(?:a?){1000}x", &pk), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_int_equal(pk.n, 0);
	prof_free(p);
	buf_release(&text);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuwork),
		cmocka_unit_test(test_recursion),
		cmocka_unit_test(test_recursive_self),
		cmocka_unit_test(test_peek_many),
		cmocka_unit_test(test_peek_backtracking_regex),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("sandwich", tests, NULL, NULL) ? 1 : 0;
}
