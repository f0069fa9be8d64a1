#include "deep_conv_net.h"
#include "dropout.h"
#include "functions.h"
#include "init.h"
#include "layers.h"
#include "timer.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Filters and padding of the six convolutions, as in the book. */
static const int conv_filters[DEEP_CONVS] = {16, 16, 32, 32, 64, 64};
static const int conv_pad[DEEP_CONVS] = {1, 1, 1, 2, 1, 1};

static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

void deep_conv_net_init(DeepConvNet *net, int C, int H, int W, int classes, int batch_max, Rng *rng)
{
    net->batch_max = batch_max;
    net->hidden = 50;
    net->classes = classes;
    net->dropout_ratio = 0.5;
    rng_seed(&net->rng, rng_next(rng));

    /* Shapes, layer by layer: a pool after every second convolution. */
    int c = C, h = H, w = W;
    for (int i = 0; i < DEEP_CONVS; i++) {
        net->conv[i] = conv_shape(c, h, w, conv_filters[i], 3, 3, 1, conv_pad[i]);
        c = net->conv[i].FN, h = net->conv[i].OH, w = net->conv[i].OW;
        if (i % 2 == 1) {
            net->pool[i / 2] = pool_shape(POOL_MAX, c, h, w, 2, 2, 2);
            h = net->pool[i / 2].OH, w = net->pool[i / 2].OW;
        }
    }
    net->flat = c * h * w;

    ParamSet *ps = &net->params;
    params_init(ps);
    int iW[DEEP_CONVS + 2], ib[DEEP_CONVS + 2];
    char name[16];
    for (int i = 0; i < DEEP_CONVS + 2; i++) {
        snprintf(name, sizeof name, "W%d", i + 1);
        if (i < DEEP_CONVS) {
            const ConvShape *s = &net->conv[i];
            iW[i] = params_add(ps, name, 4, (int[]){s->FN, s->C, s->FH, s->FW}, 1);
        } else if (i == DEEP_CONVS) {
            iW[i] = params_add(ps, name, 2, (int[]){net->flat, net->hidden}, 1);
        } else {
            iW[i] = params_add(ps, name, 2, (int[]){net->hidden, classes}, 1);
        }
        snprintf(name, sizeof name, "b%d", i + 1);
        int out = i < DEEP_CONVS ? net->conv[i].FN : i == DEEP_CONVS ? net->hidden : classes;
        ib[i] = params_add(ps, name, 1, (int[]){out}, 0);
    }
    params_alloc(ps);
    for (int i = 0; i < DEEP_CONVS + 2; i++) {
        net->W[i] = params_value(ps, iW[i]), net->dW[i] = params_grad(ps, iW[i]);
        net->b[i] = params_value(ps, ib[i]), net->db[i] = params_grad(ps, ib[i]);
        /* He: std sqrt(2 / n_in), n_in = the inputs of one output (C*3*3, or the rows of W) */
        const ParamInfo *p = &ps->info[iW[i]];
        int n_in = (int)(p->size / (size_t)p->shape[p->ndim == 4 ? 0 : 1]);
        rng_fill_normal(rng, net->W[i], p->size, weight_init_std((WeightInit){INIT_HE, 0}, n_in));
    }

    /* Buffers for batch_max images; the gradients' sized by the largest layer. */
    size_t B = (size_t)batch_max, biggest_out = 0;
    for (int i = 0; i < DEEP_CONVS; i++) {
        net->a[i] = xmalloc(conv_out_size(&net->conv[i], batch_max) * sizeof(real));
        biggest_out = max_size(biggest_out, conv_out_size(&net->conv[i], batch_max));
    }
    net->work = conv_work_create(net->conv, DEEP_CONVS);
    for (int i = 0; i < DEEP_POOLS; i++) {
        net->p[i] = xmalloc(pool_out_size(&net->pool[i], batch_max) * sizeof(real));
        net->arg[i] = xmalloc(pool_out_size(&net->pool[i], batch_max) * sizeof(int));
    }
    net->h1 = xmalloc(B * net->hidden * sizeof(real));
    net->d1 = xmalloc(B * net->hidden * sizeof(real));
    net->s = xmalloc(B * classes * sizeof(real));
    net->s_drop = xmalloc(B * classes * sizeof(real));
    net->y = xmalloc(B * classes * sizeof(real));
    net->mask1 = xmalloc(B * net->hidden);
    net->mask2 = xmalloc(B * classes);
    net->g[0] = xmalloc(biggest_out * sizeof(real));
    net->g[1] = xmalloc(biggest_out * sizeof(real));
    net->dh = xmalloc(B * net->hidden * sizeof(real));
    net->ds = xmalloc(B * classes * sizeof(real));
    net->timing = 0;
    memset(net->seconds, 0, sizeof net->seconds);
}

void deep_conv_net_free(DeepConvNet *net)
{
    params_free(&net->params);
    for (int i = 0; i < DEEP_CONVS; i++)
        free(net->a[i]);
    for (int i = 0; i < DEEP_POOLS; i++)
        free(net->p[i]), free(net->arg[i]);
    free(net->h1), free(net->d1), free(net->s), free(net->s_drop), free(net->y);
    free(net->mask1), free(net->mask2);
    conv_work_free(&net->work);
    free(net->g[0]), free(net->g[1]), free(net->dh), free(net->ds);
}

/* The stage of convolution i and of pool j (deep_conv_net.h), and the rest's */
static int conv_stage(int i) { return i + i / 2; }
static int pool_stage(int j) { return 3 * j + 2; }
#define HEAD_STAGE (DEEP_STAGES - 1)

void deep_conv_net_stage_name(const DeepConvNet *net, int stage, char *name, size_t size)
{
    snprintf(name, size, "stage %d", stage);            /* not one of the net's */
    if (stage == HEAD_STAGE) {
        snprintf(name, size, "Affines, ReLU, Dropouts, Softmax");
        return;
    }
    for (int i = 0; i < DEEP_CONVS; i++) {
        const ConvShape *c = &net->conv[i];
        if (stage == conv_stage(i))
            snprintf(name, size, "conv%d %d->%d %dx%d + ReLU", i + 1, c->C, c->FN, c->H, c->W);
        else if (i % 2 == 1 && stage == pool_stage(i / 2))
            snprintf(name, size, "pool%d 2x2 (and a ReLU's backward)", i / 2 + 1);
    }
}

/* When timing: the seconds since *since go to the stage's count, and *since
 * moves on. Every layer's threads have finished when it returns, so the clock
 * between two calls is that layer's time. */
static void lap(DeepConvNet *net, int stage, int pass, double *since)
{
    if (!net->timing)
        return;
    double now = now_seconds();
    net->seconds[stage][pass] += now - *since;
    *since = now;
}

const real *deep_conv_net_predict(DeepConvNet *net, const real *x, int N, int train)
{
    if (N > net->batch_max)
        die("deep_conv_net: batch of %d images, buffers hold %d", N, net->batch_max);
    double since = net->timing ? now_seconds() : 0;
    const real *in = x;
    for (int i = 0; i < DEEP_CONVS; i++) {
        convolution_relu_forward(net->a[i], in, net->W[i], net->b[i], &net->conv[i], N, &net->work);
        lap(net, conv_stage(i), 0, &since);
        in = net->a[i];
        if (i % 2 == 1) {
            pooling_forward(net->p[i / 2], net->arg[i / 2], in, &net->pool[i / 2], N);
            lap(net, pool_stage(i / 2), 0, &since);
            in = net->p[i / 2];
        }
    }
    size_t nh = (size_t)N * net->hidden, ns = (size_t)N * net->classes;
    affine_forward(net->h1, in, net->W[6], net->b[6], N, net->flat, net->hidden);
    relu_forward(net->h1, net->h1, nh);
    dropout_forward(net->d1, net->h1, net->mask1, nh, net->dropout_ratio, train, &net->rng);
    affine_forward(net->s, net->d1, net->W[7], net->b[7], N, net->hidden, net->classes);
    dropout_forward(net->s_drop, net->s, net->mask2, ns, net->dropout_ratio, train, &net->rng);
    lap(net, HEAD_STAGE, 0, &since);
    return net->s_drop;
}

real deep_conv_net_loss(DeepConvNet *net, const real *x, const int *t, int N, int train)
{
    deep_conv_net_predict(net, x, N, train);
    return softmax_with_loss_forward(net->y, net->s_drop, t, N, net->classes);
}

real deep_conv_net_gradient(DeepConvNet *net, const real *x, const int *t, int N)
{
    real loss = deep_conv_net_loss(net, x, t, N, 1);
    double since = net->timing ? now_seconds() : 0;
    params_zero_grads(&net->params);
    size_t nh = (size_t)N * net->hidden, ns = (size_t)N * net->classes;
    softmax_with_loss_backward(net->ds, net->y, t, N, net->classes);
    dropout_backward(net->ds, net->ds, net->mask2, ns);
    affine_backward(net->dh, net->dW[7], net->db[7], net->ds, net->d1, net->W[7], N, net->hidden, net->classes);
    dropout_backward(net->dh, net->dh, net->mask1, nh);
    relu_backward(net->dh, net->dh, net->h1, nh);
    /* g[cur] holds the gradient of the current activation; layers write the other one */
    int cur = 0;
    affine_backward(net->g[cur], net->dW[6], net->db[6], net->dh, net->p[DEEP_POOLS - 1], net->W[6],
                    N, net->flat, net->hidden);
    lap(net, HEAD_STAGE, 1, &since);
    for (int i = DEEP_CONVS - 1; i >= 0; i--) {
        if (i % 2 == 1) {
            /* the pool's backward and its ReLU's, in one pass */
            pooling_relu_backward(net->g[!cur], net->g[cur], net->arg[i / 2], net->p[i / 2],
                                  net->a[i], &net->pool[i / 2], N);
            lap(net, pool_stage(i / 2), 1, &since);
            cur = !cur;
        }
        /* the input of convolution i: x, a ReLU output, or a pool output */
        const real *in = i == 0 ? x : i % 2 == 1 ? net->a[i - 1] : net->p[i / 2 - 1];
        real *dx = i > 0 ? net->g[!cur] : NULL;
        if (i % 2 == 1)     /* its ReLU's backward went with the pool's */
            convolution_backward(dx, net->dW[i], net->db[i], net->g[cur], in, net->W[i], &net->conv[i], N,
                                 &net->work);
        else
            convolution_relu_backward(dx, net->dW[i], net->db[i], net->g[cur], net->a[i], in, net->W[i],
                                      &net->conv[i], N, &net->work);
        lap(net, conv_stage(i), 1, &since);
        cur = !cur;
    }
    return loss;
}

/* Inference-mode scores, in the shape dataset_accuracy asks for. */
static const real *predict_hook(void *net, const real *x, int n)
{
    return deep_conv_net_predict(net, x, n, 0);
}

double deep_conv_net_accuracy(DeepConvNet *net, const Dataset *d)
{
    return dataset_accuracy(d, net->batch_max, net->classes, predict_hook, net);
}

void deep_conv_net_summary(const DeepConvNet *net, Summary *s)
{
    summary_start(s, "DeepConvNet", net->conv[0].C, net->conv[0].H, net->conv[0].W);
    for (int i = 0; i < DEEP_CONVS; i++) {
        const ConvShape *c = &net->conv[i];
        summary_convolution(s, c);
        summary_elementwise(s, "ReLU", c->FN, c->OH, c->OW);
        if (i % 2 == 1)
            summary_pooling(s, &net->pool[i / 2]);
    }
    summary_affine(s, net->flat, net->hidden);
    summary_elementwise(s, "ReLU", net->hidden, 0, 0);
    summary_elementwise(s, "Dropout 0.5", net->hidden, 0, 0);
    summary_affine(s, net->hidden, net->classes);
    summary_elementwise(s, "Dropout 0.5", net->classes, 0, 0);
    summary_softmax_with_loss(s, net->classes);
}
