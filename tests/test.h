/* test.h - a tiny test harness: each test file is its own program.
 *
 *   static void test_softmax_is_finite(void) { CHECK(isfinite(y[0])); }
 *   int main(void) { RUN(test_softmax_is_finite); return test_summary(); }
 *
 * A test passes when none of its CHECKs fails. test_summary prints
 * "<program>: N passed, N failed" and returns the exit status; the Makefile
 * adds the lines of every program up into the suite's last line. */
#ifndef DL_TEST_H
#define DL_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int test_passed_count, test_failed_count, test_current_failed;
static const char *test_current_name = "";

#define CHECK(cond) test_check((cond) != 0, #cond, __FILE__, __LINE__)
/* |a - b| <= tol */
#define CHECK_NEAR(a, b, tol) test_check_near((double)(a), (double)(b), (double)(tol), #a, #b, __FILE__, __LINE__)
#define RUN(fn) test_run(fn, #fn)

static inline void test_check(int ok, const char *what, const char *file, int line)
{
    if (!ok) {
        printf("  FAIL %s (%s:%d): %s\n", test_current_name, file, line, what);
        test_current_failed = 1;
    }
}

static inline void test_check_near(double a, double b, double tol, const char *sa, const char *sb,
                            const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        printf("  FAIL %s (%s:%d): %s = %.9g, %s = %.9g, tolerance %.3g\n",
               test_current_name, file, line, sa, a, sb, b, tol);
        test_current_failed = 1;
    }
}

static inline void test_run(void (*fn)(void), const char *name)
{
    test_current_name = name;
    test_current_failed = 0;
    fn();
    if (test_current_failed) {
        test_failed_count++;
        printf("fail %s\n", name);
    } else {
        test_passed_count++;
        printf("ok   %s\n", name);
    }
    fflush(stdout);
}

static inline int test_summary(void)
{
    printf("%d passed, %d failed\n", test_passed_count, test_failed_count);
    return test_failed_count ? 1 : 0;
}

/* Directory holding the MNIST files for tests that train (make test fetches it). */
static inline const char *test_data_dir(void)
{
    const char *d = getenv("DL_TEST_DATA");
    return d && *d ? d : "data/mnist";
}

#endif
