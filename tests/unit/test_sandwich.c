/*
 * test_sandwich.c — profile/sandwich.c: the callers and callees trees of a function
 * agree with peek's edge weights (which tests/pprof_compare.sh checks against
 * `go tool pprof -peek`), and recursion is counted once per sample.
 */
#include "testutil.h"

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

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuwork),
		cmocka_unit_test(test_recursion),
		cmocka_unit_test(test_recursive_self),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("sandwich", tests, NULL, NULL) ? 1 : 0;
}
