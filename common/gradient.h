/* gradient.h - the numerical gradient (the book's gradient.py).
 *
 * The central difference (f(x+h) - f(x-h)) / 2h estimates each partial
 * derivative with two evaluations of f. It is slow (two forward passes per
 * parameter) but obviously right, which makes it the reference backprop is
 * checked against. */
#ifndef DL_GRADIENT_H
#define DL_GRADIENT_H

#include <stddef.h>

#include "rng.h"
#include "tensor.h"

/* f evaluates the function (a loss) at the current values of x; ctx is passed through. */
typedef double (*ScalarFunction)(void *ctx);

/* The step h: 1e-4 as in the book (float), 1e-5 in the double-precision build. */
double numerical_gradient_step(void);

/* For each i: grad[i] = (f(x + h e_i) - f(x - h e_i)) / 2h, with f reading x
 * through ctx. x is restored exactly after each probe. */
void numerical_gradient(ScalarFunction f, void *ctx, real *x, size_t n, real *grad);

/* Plain gradient descent on a function of the n numbers in x (the book's
 * gradient_descent): step_num times x -= lr * numerical gradient. If path is
 * not NULL it receives the (step_num + 1) * n successive values of x. */
void gradient_descent(ScalarFunction f, void *ctx, real *x, size_t n, double lr,
                      int step_num, real *path);

/* Relative error |a - b| / (|a| + |b|), 0 when both are 0 - the measure the
 * gradient checks use. */
double relative_error(double a, double b);

/* The directional gradient check, for whole nets too big to probe one
 * parameter at a time. Along one random direction u (a unit vector over all
 * n numbers of x), the derivative of f is the gradient's dot product with u:
 *
 *     (f(x + h u) - f(x - h u)) / 2h   ~   grad . u
 *
 * Two evaluations of f check all n entries of grad at once: an error e in any
 * of them moves grad . u by e . u, and a random u is almost never at right
 * angles to e, so a few directions catch what probing every parameter would.
 * h is numerical_gradient_step(); f must give the same value for the same x
 * (dropout masks held fixed). Returns the relative error of the two sides,
 * with x restored exactly; numerical and analytic, if not NULL, receive them.
 *
 * Meant for the double-precision build: along u each number moves by only
 * about h / sqrt(n), and float's rounding of f(x+hu) - f(x-hu) would swamp that. */
double directional_gradient_check(ScalarFunction f, void *ctx, real *x, const real *grad,
                                  size_t n, Rng *rng, double *numerical, double *analytic);

#endif
