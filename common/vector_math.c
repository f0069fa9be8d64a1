/* vector_math.c - exp, sigmoid and tanh over arrays (see vector_math.h). */
#include "vector_math.h"
#include "functions.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef DL_DOUBLE

/* The test build: the exact functions, so that gradient checks measure the
 * layers and not an approximation. */
void exp_array(real *y, const real *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = exp(x[i]);
}

void sigmoid_array(real *y, const real *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = sigmoid(x[i]);
}

void tanh_array(real *y, const real *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = tanh(x[i]);
}

#else

/* e^x for float, with no branch and no call, so that a loop over it becomes
 * vector code. x = n ln2 + r, e^x = 2^n e^r:
 *  - n = round(x / ln2), by adding and subtracting 1.5 * 2^23, which leaves
 *    the rounded value (float addition rounds to nearest);
 *  - r = x - n ln2, with ln2 in two parts so that r is exact;
 *  - e^r by the polynomial of Cephes' expf (Moshier), good to about 1 ulp
 *    for |r| <= ln2 / 2;
 *  - 2^n made directly: the exponent field of a float is n + 127.
 * x is clamped to where e^x is a normal float, so nothing overflows. */
static inline float exp_float(float x)
{
    const float log2e = 1.44269504088896341f, ln2_hi = 0.693359375f, ln2_lo = -2.12194440e-4f;
    const float round_magic = 12582912.0f;          /* 1.5 * 2^23 */
    x = x < 88.0f ? x : 88.0f;
    x = x > -87.0f ? x : -87.0f;
    float n = (x * log2e + round_magic) - round_magic;
    float r = x - n * ln2_hi - n * ln2_lo;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float er = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float two_n;
    memcpy(&two_n, &bits, sizeof two_n);
    return er * two_n;
}

void exp_array(real *y, const real *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = exp_float(x[i]);
}

/* 1 / (1 + e^-x): e^-x is clamped, so at worst 1 / (1 + e^87), a tiny
 * positive number, never a division of infinities. */
void sigmoid_array(real *y, const real *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = 1.0f / (1.0f + exp_float(-x[i]));
}

/* tanh x = sign(x) (1 - e) / (1 + e) with e = e^(-2|x|), which has no
 * overflow. Near 0, 1 - e loses the digits of x (tanh 1e-5 would come out
 * with a relative error of 1e-3), so there the Taylor series is used:
 * x - x^3/3 + 2x^5/15 - 17x^7/315 + 62x^9/2835 - 1382x^11/155925, whose
 * next term is below float precision for |x| < 0.3. Both are computed and
 * one is chosen, which keeps the loop free of branches. */
void tanh_array(real *y, const real *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float v = x[i], a = fabsf(v);
        float e = exp_float(-2.0f * a);
        float far = (1.0f - e) / (1.0f + e);
        far = v < 0 ? -far : far;
        float s = v * v;
        float p = -1382.0f / 155925.0f;
        p = p * s + 62.0f / 2835.0f;
        p = p * s - 17.0f / 315.0f;
        p = p * s + 2.0f / 15.0f;
        p = p * s - 1.0f / 3.0f;
        float near = v + v * s * p;
        y[i] = a < 0.3f ? near : far;
    }
}

#endif
