/* vector_math.h - exp, sigmoid and tanh over whole arrays, fast.
 *
 * The recurrent layers apply sigmoid and tanh to every gate of every step:
 * with the C library's tanh and exp, one number at a time, that took over a
 * third of the character LSTM's training time. These versions work on an
 * array in a form the compiler turns into vector instructions (16 floats at
 * once with AVX-512), computing e^x the way libm does: split x into
 * n ln2 + r with |r| <= ln2 / 2, a short polynomial for e^r, and 2^n put
 * straight into the float's exponent bits.
 *
 * In float (the course's `real`) they are within a few units in the last
 * place of the exact values; in the double test build they call libm, so
 * the gradient checks see the exact functions. y may be the same array as x. */
#ifndef DL_VECTOR_MATH_H
#define DL_VECTOR_MATH_H

#include <stddef.h>

#include "tensor.h"

void exp_array(real *y, const real *x, size_t n);       /* e^x */
void sigmoid_array(real *y, const real *x, size_t n);   /* 1 / (1 + e^-x) */
void tanh_array(real *y, const real *x, size_t n);      /* (e^x - e^-x) / (e^x + e^-x) */

#endif
