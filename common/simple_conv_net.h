/* simple_conv_net.h - the book's SimpleConvNet (simple_convnet.py):
 *
 *   Convolution (30 filters 5x5) - ReLU - Pooling (max 2x2, stride 2)
 *     - Affine (100) - ReLU - Affine (10) - SoftmaxWithLoss
 *
 * Parameters (one ParamSet, see params.h), named as in the book:
 *   W1 (FN, C, FS, FS), b1 (FN)          the filters
 *   W2 (FN*PH*PW, hidden), b2 (hidden)   PH x PW is the pooled size (12x12 on MNIST)
 *   W3 (hidden, classes), b3 (classes)
 * Work buffers for batches of up to batch_max images are allocated once, at init. */
#ifndef DL_SIMPLE_CONV_NET_H
#define DL_SIMPLE_CONV_NET_H

#include "convolution.h"
#include "dataset.h"
#include "init.h"
#include "params.h"
#include "pooling.h"
#include "rng.h"
#include "summary.h"

typedef struct {
    int batch_max;
    ConvShape conv;
    PoolShape pool;
    int flat, hidden, classes;  /* flat = pooled size FN*OH*OW, the input of Affine 1 */
    ParamSet params;
    real *W1, *b1, *W2, *b2, *W3, *b3;
    real *dW1, *db1, *dW2, *db2, *dW3, *db3;
    /* forward, kept for backward */
    real *c1;       /* convolution, then ReLU in place (N, FN, OH, OW) */
    real *p1;       /* pooled (N, FN, OH/2, OW/2) = (N, flat) */
    int *arg;       /* where each pooled maximum came from */
    real *a2, *z2;  /* Affine 1 and its ReLU (N, hidden) */
    real *a3, *y;   /* scores and softmax (N, classes) */
    /* backward and scratch */
    ConvWork work;  /* the convolution's chunks */
    real *da3, *dz2, *dp1, *dc1;
} SimpleConvNet;

/* input_dim C x H x W; filters of filter_size x filter_size (stride 1, no padding);
 * weights normal(0, std^2) with std from init (see init.h: the book uses a fixed
 * 0.01; He's sqrt(2 / inputs) starts learning much faster), biases 0. */
void simple_conv_net_init(SimpleConvNet *net, int C, int H, int W, int filters, int filter_size,
                          int hidden, int classes, int batch_max, WeightInit init, Rng *rng);
void simple_conv_net_free(SimpleConvNet *net);

/* Scores (N, classes) of N <= batch_max images x (N, C, H, W). */
const real *simple_conv_net_predict(SimpleConvNet *net, const real *x, int N);
/* Mean cross-entropy loss of the batch against labels t (softmax left in net->y). */
real simple_conv_net_loss(SimpleConvNet *net, const real *x, const int *t, int N);
/* Backprop: zero the gradients, forward and backward; gradients in params.grads. */
real simple_conv_net_gradient(SimpleConvNet *net, const real *x, const int *t, int N);
/* Fraction of the set classified right, in batches of batch_max. */
double simple_conv_net_accuracy(SimpleConvNet *net, const Dataset *d);

/* Its layers as a table (--summary). */
void simple_conv_net_summary(const SimpleConvNet *net, Summary *s);

#endif
