/* deep_conv_net.h - the book's DeepConvNet (deep_convnet.py), a small VGG-like net:
 *
 *   conv 16 - ReLU - conv 16 - ReLU - max-pool
 *   conv 32 - ReLU - conv 32 - ReLU - max-pool
 *   conv 64 - ReLU - conv 64 - ReLU - max-pool
 *   Affine 50 - ReLU - Dropout 0.5 - Affine 10 - Dropout 0.5 - SoftmaxWithLoss
 *
 * Every convolution is 3x3, stride 1, padding 1, except the fourth, padding 2
 * (as in the book: 28 -> 14 -> 16 -> 8 -> 4 on MNIST). Every pool is 2x2,
 * stride 2. Weights start with He's std sqrt(2 / inputs), biases at 0.
 *
 * Parameters (one ParamSet), named as in the book: W1..W6 (FN, C, 3, 3) and
 * b1..b6 for the convolutions, W7 (64*4*4, 50), b7, W8 (50, 10), b8. */
#ifndef DL_DEEP_CONV_NET_H
#define DL_DEEP_CONV_NET_H

#include <stdint.h>

#include "convolution.h"
#include "dataset.h"
#include "params.h"
#include "pooling.h"
#include "rng.h"
#include "summary.h"

#define DEEP_CONVS 6
#define DEEP_POOLS 3
/* The stages a step's time is counted in (timing below), in the net's order:
 * conv1, conv2, pool1, conv3, conv4, pool2, conv5, conv6, pool3, and the
 * rest (Affine, ReLU, Dropout, Affine, Dropout, SoftmaxWithLoss). Each ReLU
 * counts with the convolution before it, except in the backward pass of the
 * three before a pool, which goes with the pool's (one pass). */
#define DEEP_STAGES (DEEP_CONVS + DEEP_POOLS + 1)

typedef struct {
    int batch_max;
    ConvShape conv[DEEP_CONVS];
    PoolShape pool[DEEP_POOLS];     /* after convolutions 2, 4 and 6 */
    int flat, hidden, classes;      /* flat = the last pool's output size, 64*4*4 */
    double dropout_ratio;           /* 0.5 */
    Rng rng;                        /* dropout masks (seeded at init) */
    ParamSet params;
    real *W[DEEP_CONVS + 2], *b[DEEP_CONVS + 2];
    real *dW[DEEP_CONVS + 2], *db[DEEP_CONVS + 2];
    /* forward, kept for backward */
    real *a[DEEP_CONVS];            /* each convolution's output, after ReLU */
    real *p[DEEP_POOLS];            /* each pool's output */
    int *arg[DEEP_POOLS];
    real *h1, *d1;                  /* Affine 7 after ReLU (N, hidden), after dropout */
    real *s, *s_drop, *y;           /* Affine 8 scores, after dropout, softmax (N, classes) */
    uint8_t *mask1, *mask2;
    /* backward and scratch */
    ConvWork work;                  /* the convolutions' scratch */
    real *g[2];                     /* gradients of the activations, in turns */
    real *dh, *ds;
    /* where the time goes (04_cnn bench): when timing is set, the passes add
     * each stage's seconds to seconds[stage][0] (forward) and [1] (backward) */
    int timing;
    double seconds[DEEP_STAGES][2];
} DeepConvNet;

/* input C x H x W (1x28x28 for MNIST); the dropout masks are drawn from a
 * generator seeded from rng, so one seed still decides everything. */
void deep_conv_net_init(DeepConvNet *net, int C, int H, int W, int classes, int batch_max, Rng *rng);
/* A stage's name for tables, "conv2 16->16 28x28 + ReLU" (stages: above). */
void deep_conv_net_stage_name(const DeepConvNet *net, int stage, char *name, size_t size);
void deep_conv_net_free(DeepConvNet *net);

/* Scores (N, classes). train = 1 draws fresh dropout masks, 0 is inference. */
const real *deep_conv_net_predict(DeepConvNet *net, const real *x, int N, int train);
real deep_conv_net_loss(DeepConvNet *net, const real *x, const int *t, int N, int train);
/* Backprop through a training forward pass; gradients in params.grads. */
real deep_conv_net_gradient(DeepConvNet *net, const real *x, const int *t, int N);
double deep_conv_net_accuracy(DeepConvNet *net, const Dataset *d);

/* Its layers as a table (--summary). */
void deep_conv_net_summary(const DeepConvNet *net, Summary *s);

#endif
