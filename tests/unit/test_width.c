/* -p auto: more jobs than cores while cores sit idle, never when memory runs short. */
#include "harness.h"
#include "tests.h"
#include "../../src/plan/width.h"

static void test_width_grows_while_idle(void)
{
	struct width w;
	struct width_sample s = { 0.6, 20e9, 24e9 };

	width_init(&w, 2);
	CHECK_INT(w.now, 2);
	/* all slots busy and the machine 60% idle: waiting jobs, one more */
	CHECK_INT(width_next(&w, &s, 2), 3);
	/* not every slot busy: no reason to grow */
	CHECK_INT(width_next(&w, &s, 1), 2);
	/* a fifth of the machine idle is worth a job; a tenth is not */
	s.idle = 0.2;
	w.idle_avg = w.idle_slow = -1;
	CHECK_INT(width_next(&w, &s, 2), 3);
	s.idle = 0.1;
	w.idle_avg = w.idle_slow = -1;
	CHECK_INT(width_next(&w, &s, 2), 2);
	s.idle = 0.6;
	/* never past four jobs per core */
	w.now = 8;
	CHECK_INT(width_next(&w, &s, 8), 8);
}

static void test_width_shrinks_when_busy_or_short(void)
{
	struct width w;
	struct width_sample busy = { 0.01, 20e9, 24e9 }, short_mem = { 0.9, 1e9, 24e9 };

	width_init(&w, 2);
	w.now = 5;
	CHECK_INT(width_next(&w, &busy, 5), 4);
	/* memory short: back to one job per core at once, however idle */
	CHECK_INT(width_next(&w, &short_mem, 5), 2);
	/* busy at the floor stays at the floor */
	w.now = 2;
	w.idle_avg = w.idle_slow = -1;
	CHECK_INT(width_next(&w, &busy, 2), 2);
}

/* The decision follows the idle share of the last seconds, not of the last half second. */
static void test_width_averages_idle(void)
{
	struct width w;
	struct width_sample s = { 0.05, 20e9, 24e9 };

	width_init(&w, 2);
	w.now = 5;
	/* a steady 5% idle: neither worth a job nor saturated */
	for (int i = 0; i < 10; i++)
		CHECK_INT(width_next(&w, &s, 5), 5);
	/* half a second of saturation keeps the width */
	s.idle = 0;
	CHECK_INT(width_next(&w, &s, 5), 5);
	/* saturation that lasts (five seconds) shrinks it */
	size_t n = 5;
	for (int i = 0; i < 4; i++)
		CHECK_INT(width_next(&w, &s, 5), 5);
	for (int i = 0; i < 6; i++)
		n = width_next(&w, &s, 5);
	CHECK_INT(n, 4);
	/* and a burst of idle after long saturation grows it only once it lasts */
	s.idle = 0.4;
	w.idle_avg = 0;
	w.now = 4;
	CHECK_INT(width_next(&w, &s, 4), 4);
	CHECK_INT(width_next(&w, &s, 4), 5);
}

/* /proc is readable here: the sample says something sane. */
static void test_width_sample(void)
{
	struct width w;
	struct width_sample s;

	width_init(&w, 2);
	CHECK_INT(width_sample(&w, &s), 0);
	CHECK(s.mem_total > 0 && s.mem_available > 0 && s.mem_available <= s.mem_total);
	CHECK_INT(width_sample(&w, &s), 0);
	CHECK(s.idle >= 0 && s.idle <= 1);
}

const struct test width_tests[] = {
	{ "width_grows_while_idle", test_width_grows_while_idle },
	{ "width_shrinks_when_busy_or_short", test_width_shrinks_when_busy_or_short },
	{ "width_averages_idle", test_width_averages_idle },
	{ "width_sample", test_width_sample },
	{ NULL, NULL },
};
