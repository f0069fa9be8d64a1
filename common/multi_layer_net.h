/* multi_layer_net.h - the book's MultiLayerNetExtend: a fully connected net of
 * any depth and width, with the training tricks of chapter 6 switched on or off.
 *
 *   x -> [Affine -> (BatchNorm) -> activation -> (Dropout)] x hidden layers
 *     -> Affine -> SoftmaxWithLoss
 *
 * Parameters, all in one ParamSet (see params.h), in the book's names:
 *   W1 (input, h1), b1 (h1), gamma1 (h1), beta1 (h1), W2 ..., W<L> (h<L-1>, output), b<L>
 *   then the state tensors running_mean1 (h1), running_var1 (h1), ... when batch
 *   norm is on (saved with the model, never touched by the optimizer).
 * Weight decay adds lambda/2 * sum W^2 over the weights (not biases, gamma or
 * beta) to the loss, and lambda * W to each dW.
 * Work buffers for up to batch_max rows are allocated once, at init. */
#ifndef DL_MULTI_LAYER_NET_H
#define DL_MULTI_LAYER_NET_H

#include <stdint.h>

#include "activation.h"
#include "dataset.h"
#include "init.h"
#include "params.h"
#include "rng.h"
#include "summary.h"
#include "weight_decay.h"

#define MLN_MAX_HIDDEN 10

typedef struct {
    int input, output;
    int hidden_count;               /* number of hidden layers */
    int hidden[MLN_MAX_HIDDEN];     /* their widths */
    Activation activation;
    WeightInit init;
    double weight_decay;            /* lambda; 0 turns it off */
    int use_batchnorm;
    int use_dropout;
    double dropout_ratio;           /* fraction of units dropped in training */
} MultiLayerNetConfig;

/* One Affine layer and what follows it. The last layer (the scores) has no
 * batch norm, activation or dropout. */
typedef struct {
    int in, out;
    real *W, *b, *dW, *db;                  /* in params */
    real *gamma, *beta, *dgamma, *dbeta;    /* batch norm, in params */
    real *running_mean, *running_var;       /* batch norm state, in params */
    /* forward buffers (batch_max rows), kept for backward */
    real *a;            /* Affine output (N, out) */
    real *xn, *std;     /* batch norm: normalised input (N, out), std (out) */
    real *bn;           /* batch norm output (N, out) */
    real *z;            /* activation output (N, out) */
    uint8_t *mask;      /* dropout mask (N, out) */
    real *drop;         /* dropout output (N, out) */
    const real *h;      /* the layer's output: z, drop, or a for the last layer */
} MlnLayer;

typedef struct {
    MultiLayerNetConfig cfg;
    int layer_count;                /* hidden_count + 1 */
    int batch_max;
    MlnLayer layer[MLN_MAX_HIDDEN + 1];
    ParamSet params;
    Rng rng;                        /* dropout masks */
    real *y;                        /* softmax probabilities (N, output) */
    real *d0, *d1;                  /* backward buffers (N, widest layer) */
} MultiLayerNet;

/* Build the net: weights drawn with cfg->init, biases 0, gamma 1, beta 0,
 * running mean 0 and running variance 1. The dropout generator is seeded from rng. */
void multi_layer_net_init(MultiLayerNet *net, const MultiLayerNetConfig *cfg, int batch_max, Rng *rng);
void multi_layer_net_free(MultiLayerNet *net);

/* Forward pass of N <= batch_max rows of x (N, input); returns the scores (N, output).
 * train = 1: batch norm uses the batch's statistics (and updates the running
 * ones), dropout draws fresh masks. train = 0: inference. */
const real *multi_layer_net_predict(MultiLayerNet *net, const real *x, int N, int train);
/* Mean cross-entropy of the batch against labels t, plus the weight decay term. */
real multi_layer_net_loss(MultiLayerNet *net, const real *x, const int *t, int N, int train);
/* Backprop in training mode: zero the gradients, run forward and backward,
 * leave the gradient of the loss in params.grads; returns the loss. */
real multi_layer_net_gradient(MultiLayerNet *net, const real *x, const int *t, int N);
/* Fraction of the set classified right, in inference mode, in chunks of batch_max. */
double multi_layer_net_accuracy(MultiLayerNet *net, const Dataset *d);


/* Its layers as a table (--summary). */
void multi_layer_net_summary(const MultiLayerNet *net, Summary *s);

#endif
