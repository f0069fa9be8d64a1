/* exp, sigmoid and tanh over arrays (vector_math.h) against the C library.
 *
 * In float they are approximations: each must stay within a few units in the
 * last place of the exact value (computed in double) over the range the
 * recurrent layers see and beyond, keep tanh's relative accuracy near 0, and
 * give finite, saturated values far out. In the double test build they are
 * the C library's functions, and the same checks hold trivially. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "test.h"
#include "vector_math.h"

enum { COUNT = 200001 };

/* Largest relative error of f over x, against exact (in double). */
static double worst_relative_error(void (*f)(real *, const real *, size_t), double (*exact)(double),
                                   double lo, double hi)
{
    static real x[COUNT], y[COUNT];
    for (int i = 0; i < COUNT; i++)
        x[i] = (real)(lo + (hi - lo) * i / (COUNT - 1));
    f(y, x, COUNT);
    double worst = 0;
    for (int i = 0; i < COUNT; i++) {
        double e = exact(x[i]);
        if (e == 0)
            continue;
        double r = fabs(y[i] - e) / fabs(e);
        if (!(r <= worst))              /* catches NaN too */
            worst = isnan(r) ? INFINITY : r;
    }
    return worst;
}

static double sigmoid_exact(double x) { return 1 / (1 + exp(-x)); }

/* A few units in the last place of real. */
static double ulps(int n) { return n * (sizeof(real) == sizeof(float) ? FLT_EPSILON : DBL_EPSILON); }

static void test_exp_is_within_a_few_ulps(void)
{
    CHECK(worst_relative_error(exp_array, exp, -80, 80) <= ulps(2));
}

static void test_sigmoid_is_within_a_few_ulps(void)
{
    CHECK(worst_relative_error(sigmoid_array, sigmoid_exact, -80, 80) <= ulps(2));
}

static void test_tanh_is_within_a_few_ulps_even_near_zero(void)
{
    CHECK(worst_relative_error(tanh_array, tanh, -20, 20) <= ulps(2));
    CHECK(worst_relative_error(tanh_array, tanh, -1e-3, 1e-3) <= ulps(2));
    CHECK(worst_relative_error(tanh_array, tanh, 0.29, 0.31) <= ulps(2));     /* where the two forms meet */
}

static void test_far_out_values_are_finite_and_saturated(void)
{
    real x[6] = {-1e30f, -200, -88.5f, 88.5f, 200, 1e30f}, y[6];
    sigmoid_array(y, x, 6);
    CHECK(y[0] >= 0 && y[0] < 1e-30 && y[5] == 1 && y[4] == 1);
    tanh_array(y, x, 6);
    CHECK(y[0] == -1 && y[1] == -1 && y[4] == 1 && y[5] == 1);
    exp_array(y, x, 5);                 /* e^(1e30) is infinite even in double */
    for (int i = 0; i < 5; i++)
        CHECK(isfinite(y[i]) && y[i] >= 0);
    CHECK(y[3] > 1e38);
}

static void test_in_place(void)
{
    real x[3] = {-1, 0, 2}, y[3];
    tanh_array(y, x, 3);
    tanh_array(x, x, 3);
    CHECK(memcmp(x, y, sizeof x) == 0);
}

int main(void)
{
    RUN(test_exp_is_within_a_few_ulps);
    RUN(test_sigmoid_is_within_a_few_ulps);
    RUN(test_tanh_is_within_a_few_ulps_even_near_zero);
    RUN(test_far_out_values_are_finite_and_saturated);
    RUN(test_in_place);
    return test_summary();
}
