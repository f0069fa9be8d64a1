/* two_layer_net.h - the book's TwoLayerNet: Affine - activation - Affine - SoftmaxWithLoss.
 *
 * Chapter 01 trains it with numerical gradients, chapter 02 with backprop, and
 * chapter 00 runs a trained one. Parameters (in one ParamSet, see params.h):
 *   W1 (input, hidden), b1 (hidden), W2 (hidden, output), b2 (output)
 * Work buffers for up to batch_max rows are allocated once, at init. */
#ifndef DL_TWO_LAYER_NET_H
#define DL_TWO_LAYER_NET_H

#include "activation.h"
#include "dataset.h"
#include "init.h"
#include "params.h"
#include "rng.h"
#include "summary.h"

typedef struct {
    int input, hidden, output;
    int batch_max;
    Activation activation;
    ParamSet params;
    real *W1, *b1, *W2, *b2;        /* values, inside params.values */
    real *dW1, *db1, *dW2, *db2;    /* gradients, inside params.grads */
    /* forward buffers (batch_max rows), kept for backward */
    real *a1;       /* Affine1 output (N, hidden) */
    real *z1;       /* activation output (N, hidden) */
    real *a2;       /* Affine2 output, the scores (N, output) */
    real *y;        /* softmax probabilities (N, output) */
    /* backward buffers */
    real *da2;      /* (N, output) */
    real *dz1;      /* (N, hidden) */
} TwoLayerNet;

/* Biases start at 0; weights are drawn from normal(0, std^2) with the std that
 * init gives each layer (init.h): the book's chapters 4-5 use a fixed 0.01,
 * chapter 02 starts from He's sqrt(2 / n_in), the scale ReLU layers keep their
 * signal at (chapter 03). */
void two_layer_net_init(TwoLayerNet *net, int input, int hidden, int output, int batch_max,
                        Activation activation, WeightInit init, Rng *rng);
void two_layer_net_free(TwoLayerNet *net);

/* Forward pass of N <= batch_max rows of x (N, input); returns the scores (N, output). */
const real *two_layer_net_predict(TwoLayerNet *net, const real *x, int N);
/* Mean cross-entropy loss of the batch against labels t. */
real two_layer_net_loss(TwoLayerNet *net, const real *x, const int *t, int N);
/* Backprop: zero the gradients, run forward and backward, leave the gradient of
 * the loss in params.grads; returns the loss. */
real two_layer_net_gradient(TwoLayerNet *net, const real *x, const int *t, int N);
/* The same gradients by central differences: two forward passes per parameter. */
void two_layer_net_numerical_gradient(TwoLayerNet *net, const real *x, const int *t, int N);
/* Fraction of the set classified right, evaluated in chunks of batch_max. */
double two_layer_net_accuracy(TwoLayerNet *net, const Dataset *d);

/* Its layers as a table (--summary). */
void two_layer_net_summary(const TwoLayerNet *net, Summary *s);

#endif
