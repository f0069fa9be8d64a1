/* multi_layer_net.c - MultiLayerNetExtend (see multi_layer_net.h). */
#include "multi_layer_net.h"
#include "batch_norm.h"
#include "dropout.h"
#include "functions.h"
#include "layers.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_tensor(ParamSet *ps, const char *prefix, int layer, int ndim, const int *shape, int decay)
{
    char name[PARAM_NAME_MAX];
    snprintf(name, sizeof name, "%s%d", prefix, layer);
    return params_add(ps, name, ndim, shape, decay);
}

static int add_state(ParamSet *ps, const char *prefix, int layer, int n)
{
    char name[PARAM_NAME_MAX];
    snprintf(name, sizeof name, "%s%d", prefix, layer);
    return params_add_state(ps, name, 1, (int[]){n});
}

void multi_layer_net_init(MultiLayerNet *net, const MultiLayerNetConfig *cfg, int batch_max, Rng *rng)
{
    memset(net, 0, sizeof *net);
    if (cfg->hidden_count < 0 || cfg->hidden_count > MLN_MAX_HIDDEN)
        die("multi_layer_net: %d hidden layers (1 to %d allowed)", cfg->hidden_count, MLN_MAX_HIDDEN);
    if (cfg->input < 1 || cfg->output < 1 || batch_max < 1)
        die("multi_layer_net: bad sizes (input %d, output %d, batch %d)", cfg->input, cfg->output, batch_max);
    if (cfg->use_dropout && !(cfg->dropout_ratio >= 0 && cfg->dropout_ratio < 1))
        die("multi_layer_net: dropout ratio %g is not in [0, 1)", cfg->dropout_ratio);
    net->cfg = *cfg;
    net->layer_count = cfg->hidden_count + 1;
    net->batch_max = batch_max;
    const int L = net->layer_count;

    /* Register the tensors: trainable first, then the batch norm state. */
    ParamSet *ps = &net->params;
    params_init(ps);
    int iW[MLN_MAX_HIDDEN + 1], ib[MLN_MAX_HIDDEN + 1], ig[MLN_MAX_HIDDEN], ibt[MLN_MAX_HIDDEN];
    int im[MLN_MAX_HIDDEN], iv[MLN_MAX_HIDDEN];
    int widest = cfg->output;
    for (int l = 0; l < L; l++) {
        MlnLayer *ly = &net->layer[l];
        ly->in = l == 0 ? cfg->input : cfg->hidden[l - 1];
        ly->out = l == L - 1 ? cfg->output : cfg->hidden[l];
        if (ly->out < 1)
            die("multi_layer_net: hidden layer %d has width %d", l + 1, ly->out);
        if (ly->out > widest)
            widest = ly->out;
        iW[l] = add_tensor(ps, "W", l + 1, 2, (int[]){ly->in, ly->out}, 1);
        ib[l] = add_tensor(ps, "b", l + 1, 1, (int[]){ly->out}, 0);
        if (cfg->use_batchnorm && l < L - 1) {
            ig[l] = add_tensor(ps, "gamma", l + 1, 1, (int[]){ly->out}, 0);
            ibt[l] = add_tensor(ps, "beta", l + 1, 1, (int[]){ly->out}, 0);
        }
    }
    if (cfg->use_batchnorm)
        for (int l = 0; l < L - 1; l++) {
            im[l] = add_state(ps, "running_mean", l + 1, net->layer[l].out);
            iv[l] = add_state(ps, "running_var", l + 1, net->layer[l].out);
        }
    params_alloc(ps);

    size_t B = (size_t)batch_max;
    for (int l = 0; l < L; l++) {
        MlnLayer *ly = &net->layer[l];
        size_t n = B * ly->out;
        ly->W = params_value(ps, iW[l]);
        ly->dW = params_grad(ps, iW[l]);
        ly->b = params_value(ps, ib[l]);
        ly->db = params_grad(ps, ib[l]);
        rng_fill_normal(rng, ly->W, (size_t)ly->in * ly->out, weight_init_std(cfg->init, ly->in));
        ly->a = xmalloc(n * sizeof(real));
        ly->h = ly->a;
        if (l == L - 1)
            break;
        if (cfg->use_batchnorm) {
            ly->gamma = params_value(ps, ig[l]);
            ly->dgamma = params_grad(ps, ig[l]);
            ly->beta = params_value(ps, ibt[l]);
            ly->dbeta = params_grad(ps, ibt[l]);
            ly->running_mean = params_value(ps, im[l]);
            ly->running_var = params_value(ps, iv[l]);
            for (int j = 0; j < ly->out; j++) {
                ly->gamma[j] = 1;
                /* The book starts the running variance at 0; 1 keeps an
                 * untrained net's inference from dividing by sqrt(eps). */
                ly->running_var[j] = 1;
            }
            ly->xn = xmalloc(n * sizeof(real));
            ly->std = xmalloc((size_t)ly->out * sizeof(real));
            ly->bn = xmalloc(n * sizeof(real));
        }
        ly->z = xmalloc(n * sizeof(real));
        ly->h = ly->z;
        if (cfg->use_dropout) {
            ly->mask = xmalloc(n);
            ly->drop = xmalloc(n * sizeof(real));
            ly->h = ly->drop;
        }
    }
    rng_seed(&net->rng, rng_next(rng));
    net->y = xmalloc(B * cfg->output * sizeof(real));
    net->d0 = xmalloc(B * widest * sizeof(real));
    net->d1 = xmalloc(B * widest * sizeof(real));
}

void multi_layer_net_free(MultiLayerNet *net)
{
    for (int l = 0; l < net->layer_count; l++) {
        MlnLayer *ly = &net->layer[l];
        free(ly->a);
        free(ly->xn);
        free(ly->std);
        free(ly->bn);
        free(ly->z);
        free(ly->mask);
        free(ly->drop);
    }
    free(net->y);
    free(net->d0);
    free(net->d1);
    params_free(&net->params);
    memset(net, 0, sizeof *net);
}

const real *multi_layer_net_predict(MultiLayerNet *net, const real *x, int N, int train)
{
    if (N > net->batch_max)
        die("multi_layer_net: batch of %d rows, buffers hold %d", N, net->batch_max);
    const MultiLayerNetConfig *cfg = &net->cfg;
    const real *in = x;
    for (int l = 0; l < net->layer_count; l++) {
        MlnLayer *ly = &net->layer[l];
        size_t n = (size_t)N * ly->out;
        affine_forward(ly->a, in, ly->W, ly->b, N, ly->in, ly->out);
        if (l == net->layer_count - 1)
            return ly->a;                           /* the scores */
        const real *p = ly->a;
        if (cfg->use_batchnorm) {
            batch_norm_forward(ly->bn, ly->xn, ly->std, p, ly->gamma, ly->beta, ly->running_mean,
                               ly->running_var, N, ly->out, BATCH_NORM_MOMENTUM, train);
            p = ly->bn;
        }
        activation_forward(cfg->activation, ly->z, p, n);
        if (cfg->use_dropout)
            dropout_forward(ly->drop, ly->z, ly->mask, n, cfg->dropout_ratio, train, &net->rng);
        in = ly->h;
    }
    return NULL;    /* not reached: the last layer returns */
}

real multi_layer_net_loss(MultiLayerNet *net, const real *x, const int *t, int N, int train)
{
    const real *scores = multi_layer_net_predict(net, x, N, train);
    real loss = softmax_with_loss_forward(net->y, scores, t, N, net->cfg.output);
    return loss + (real)weight_decay_loss(&net->params, net->cfg.weight_decay);
}

real multi_layer_net_gradient(MultiLayerNet *net, const real *x, const int *t, int N)
{
    real loss = multi_layer_net_loss(net, x, t, N, 1);
    const MultiLayerNetConfig *cfg = &net->cfg;
    params_zero_grads(&net->params);
    /* backward, in the reverse order of forward; dcur is the gradient of the
     * loss with respect to the current layer's output, dprev its input's. */
    real *dcur = net->d0, *dprev = net->d1;
    softmax_with_loss_backward(dcur, net->y, t, N, cfg->output);
    for (int l = net->layer_count - 1; l >= 0; l--) {
        MlnLayer *ly = &net->layer[l];
        const real *in = l == 0 ? x : net->layer[l - 1].h;
        /* dx = dy W^T, dW += x^T dy, db += sum dy; the data needs no dx */
        affine_backward(l == 0 ? NULL : dprev, ly->dW, ly->db, dcur, in, ly->W, N, ly->in, ly->out);
        if (l == 0)
            break;
        real *t_ = dcur;
        dcur = dprev;
        dprev = t_;
        /* back through the previous hidden layer's Dropout, activation and BatchNorm, in place */
        MlnLayer *hl = &net->layer[l - 1];
        size_t n = (size_t)N * hl->out;
        if (cfg->use_dropout)
            dropout_backward(dcur, dcur, hl->mask, n);
        activation_backward(cfg->activation, dcur, dcur, hl->z, n);
        if (cfg->use_batchnorm)
            batch_norm_backward(dcur, hl->dgamma, hl->dbeta, dcur, hl->xn, hl->std, hl->gamma,
                                N, hl->out);
    }
    weight_decay_backward(&net->params, cfg->weight_decay);
    return loss;
}

double multi_layer_net_accuracy(MultiLayerNet *net, const Dataset *d)
{
    size_t pixels = d->images.size / (size_t)d->count;
    if ((int)pixels != net->cfg.input)
        die("multi_layer_net: the data has %zu numbers per example, the net takes %d",
            pixels, net->cfg.input);
    long right = 0;
    const int C = net->cfg.output;
    for (int start = 0; start < d->count; start += net->batch_max) {
        int n = d->count - start < net->batch_max ? d->count - start : net->batch_max;
        const real *scores = multi_layer_net_predict(net, d->images.data + (size_t)start * pixels, n, 0);
        right += count_correct(scores, d->labels + start, n, C);
    }
    return (double)right / d->count;
}

void multi_layer_net_summary(const MultiLayerNet *net, Summary *s)
{
    const MultiLayerNetConfig *c = &net->cfg;
    summary_start(s, "MultiLayerNet", c->input, 0, 0);
    for (int i = 0; i < net->layer_count; i++) {
        const MlnLayer *ly = &net->layer[i];
        summary_affine(s, ly->in, ly->out);
        if (i == net->layer_count - 1)
            break;
        if (c->use_batchnorm)
            summary_batch_norm(s, ly->out);
        summary_elementwise(s, activation_name(c->activation), ly->out, 0, 0);
        if (c->use_dropout) {
            char name[32];
            snprintf(name, sizeof name, "Dropout %g", c->dropout_ratio);
            summary_elementwise(s, name, ly->out, 0, 0);
        }
    }
    summary_softmax_with_loss(s, c->output);
}
