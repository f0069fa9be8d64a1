/* sigmoid_with_loss.c - SigmoidWithLoss from the logits (see the header). */
#include "sigmoid_with_loss.h"
#include "functions.h"

#include <math.h>

real sigmoid_with_loss_forward(real *y, const real *x, const int *t, int N, int K)
{
    double loss = 0;
    for (size_t i = 0; i < (size_t)N * K; i++) {
        double xi = x[i];
        y[i] = sigmoid(x[i]);
        /* -t log y - (1 - t) log(1 - y), rewritten so that it cannot overflow */
        loss += (xi > 0 ? xi : 0) - xi * t[i] + log1p(exp(-fabs(xi)));
    }
    return (real)(loss / N);
}

void sigmoid_with_loss_backward(real *dx, const real *y, const int *t, int N, int K, real dout)
{
    for (size_t i = 0; i < (size_t)N * K; i++)
        dx[i] = dout * (y[i] - t[i]) / N;          /* dloss/dx = (sigmoid(x) - t) / N */
}
