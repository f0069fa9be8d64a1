/* gradient.h - the numerical gradient (the book's gradient.py).
 *
 * The central difference (f(x+h) - f(x-h)) / 2h estimates each partial
 * derivative with two evaluations of f. It is slow (two forward passes per
 * parameter) but obviously right, which makes it the reference backprop is
 * checked against. */
#ifndef DL_GRADIENT_H
#define DL_GRADIENT_H

#include <stddef.h>

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

/* Relative error |a - b| / max(|a| + |b|, tiny) - the measure the gradient checks use. */
double relative_error(double a, double b);

#endif
