/* optimizer.c - the book's optimizer.py: six ways to turn gradients into updates.
 *
 * Each rule runs over the flat parameter block (n numbers, W1 b1 W2 ... one
 * after another), so one loop serves every network. The rule is written as a
 * comment above its loop, in the book's notation. */
#include "optimizer.h"
#include "threads.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <strings.h>

/* The small constant that keeps AdaGrad, RMSprop and Adam from dividing by 0. */
#define EPS 1e-7

/* sqrt in the precision of `real` (sqrt of a float would go through double). */
#ifdef DL_DOUBLE
#define SQRT(x) sqrt(x)
#else
#define SQRT(x) sqrtf(x)
#endif

static const char *const names[OPTIMIZER_KINDS] = {
    "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam",
};

/* The book's default learning rates (optimizer.py's constructors). */
static const double default_lr[OPTIMIZER_KINDS] = {0.01, 0.01, 0.01, 0.01, 0.01, 0.001};

const char *optimizer_name(OptimizerKind kind)
{
    return kind >= 0 && kind < OPTIMIZER_KINDS ? names[kind] : "?";
}

int optimizer_from_name(const char *name, OptimizerKind *kind)
{
    for (int k = 0; k < OPTIMIZER_KINDS; k++)
        if (strcasecmp(name, names[k]) == 0) {
            *kind = (OptimizerKind)k;
            return 0;
        }
    return -1;
}

Optimizer optimizer_create(OptimizerKind kind, double lr, size_t n)
{
    if (kind < 0 || kind >= OPTIMIZER_KINDS)
        die("optimizer_create: unknown optimizer %d", (int)kind);
    Optimizer o = {0};
    o.kind = kind;
    o.lr = lr > 0 ? lr : default_lr[kind];
    o.momentum = 0.9;
    o.decay_rate = 0.99;
    o.beta1 = 0.9;
    o.beta2 = 0.999;
    o.n = n;
    /* State starts at zero, as the book's `self.v = None` -> zeros_like on first use. */
    if (kind != SGD)
        o.v = xcalloc(n, sizeof(real));
    if (kind == ADAM)
        o.v2 = xcalloc(n, sizeof(real));
    return o;
}

void optimizer_free(Optimizer *o)
{
    free(o->v);
    free(o->v2);
    o->v = o->v2 = NULL;
}

void optimizer_update(Optimizer *o, real *W, const real *dW)
{
    const size_t n = o->n;
    const real lr = (real)o->lr, mom = (real)o->momentum;
    real *v = o->v;
    o->iter++;
    switch (o->kind) {
    case SGD:
        /* W <- W - lr dW */
        for (size_t i = 0; i < n; i++)
            W[i] -= lr * dW[i];
        break;
    case MOMENTUM:
        /* v <- momentum v - lr dW;  W <- W + v
         * v is a velocity: a ball rolling downhill keeps its speed along a
         * valley floor and its zig-zags across the valley cancel out. */
        for (size_t i = 0; i < n; i++) {
            v[i] = mom * v[i] - lr * dW[i];
            W[i] += v[i];
        }
        break;
    case NESTEROV:
        /* Nesterov's accelerated gradient, in the book's form (it looks one
         * step ahead along the velocity without a second gradient):
         *   v <- momentum v - lr dW
         *   W <- W + momentum^2 v - (1 + momentum) lr dW */
        for (size_t i = 0; i < n; i++) {
            v[i] = mom * v[i] - lr * dW[i];
            W[i] += mom * mom * v[i] - (1 + mom) * lr * dW[i];
        }
        break;
    case ADAGRAD:
        /* h <- h + dW * dW;  W <- W - lr dW / (sqrt(h) + eps)
         * Parameters that have moved a lot get smaller steps (h only grows). */
        for (size_t i = 0; i < n; i++) {
            v[i] += dW[i] * dW[i];
            W[i] -= lr * dW[i] / (SQRT(v[i]) + (real)EPS);
        }
        break;
    case RMSPROP: {
        /* h <- decay h + (1 - decay) dW * dW;  W <- W - lr dW / (sqrt(h) + eps)
         * AdaGrad with a memory that fades, so steps never shrink to nothing. */
        const real d = (real)o->decay_rate;
        for (size_t i = 0; i < n; i++) {
            v[i] = d * v[i] + (1 - d) * dW[i] * dW[i];
            W[i] -= lr * dW[i] / (SQRT(v[i]) + (real)EPS);
        }
        break;
    }
    case ADAM: {
        /* Momentum (m) and RMSprop (v) together, with the bias of their zero
         * start corrected through the learning rate:
         *   lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)
         *   m <- m + (1 - beta1) (dW - m)
         *   v <- v + (1 - beta2) (dW^2 - v)
         *   W <- W - lr_t m / (sqrt(v) + eps) */
        const double t = (double)o->iter;
        const real lr_t = (real)(o->lr * sqrt(1 - pow(o->beta2, t)) / (1 - pow(o->beta1, t)));
        const real b1 = (real)o->beta1, b2 = (real)o->beta2;
        real *m = o->v, *v2 = o->v2;
        /* each weight on its own: threads give the same result however they split */
#pragma omp parallel for schedule(static) if (n > PARALLEL_MIN)
        for (size_t i = 0; i < n; i++) {
            m[i] += (1 - b1) * (dW[i] - m[i]);
            v2[i] += (1 - b2) * (dW[i] * dW[i] - v2[i]);
            W[i] -= lr_t * m[i] / (SQRT(v2[i]) + (real)EPS);
        }
        break;
    }
    default:
        die("optimizer_update: unknown optimizer %d", (int)o->kind);
    }
}
