/* optimizer.h - how parameters are updated (the book's optimizer.py).
 *
 * One interface over a network's flat parameter block (see params.h): an
 * optimizer updates n numbers from their n gradients, keeping whatever state
 * its rule needs (velocity, squared-gradient sums). Chapter 03 implements the
 * six rules; each keeps the book's default hyper-parameters. */
#ifndef DL_OPTIMIZER_H
#define DL_OPTIMIZER_H

#include <stddef.h>

#include "tensor.h"

typedef enum { SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM, OPTIMIZER_KINDS } OptimizerKind;

typedef struct {
    OptimizerKind kind;
    double lr;          /* learning rate */
    double momentum;    /* Momentum, Nesterov: 0.9 */
    double decay_rate;  /* RMSprop: 0.99 */
    double beta1, beta2;/* Adam: 0.9, 0.999 */
    long iter;          /* updates done (Adam's bias correction) */
    size_t n;
    real *v;            /* velocity (Momentum, Nesterov), h (AdaGrad, RMSprop), m (Adam) */
    real *v2;           /* Adam's second moment */
} Optimizer;

/* An optimizer of the given kind for n parameters, with the book's defaults
 * and the given learning rate (lr <= 0: the book's default for that kind). */
Optimizer optimizer_create(OptimizerKind kind, double lr, size_t n);
void optimizer_update(Optimizer *opt, real *params, const real *grads);
void optimizer_free(Optimizer *opt);
const char *optimizer_name(OptimizerKind kind);          /* "SGD", "Momentum", ... */
int optimizer_from_name(const char *name, OptimizerKind *kind); /* case-insensitive; 0 or -1 */

#endif
