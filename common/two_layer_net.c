#include "two_layer_net.h"
#include "functions.h"
#include "gradient.h"
#include "layers.h"
#include "threads.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

void two_layer_net_init(TwoLayerNet *net, int input, int hidden, int output, int batch_max,
                        Activation activation, WeightInit init, Rng *rng)
{
    net->input = input;
    net->hidden = hidden;
    net->output = output;
    net->batch_max = batch_max;
    net->activation = activation;

    ParamSet *ps = &net->params;
    params_init(ps);
    int iW1 = params_add(ps, "W1", 2, (int[]){input, hidden}, 1);
    int ib1 = params_add(ps, "b1", 1, (int[]){hidden}, 0);
    int iW2 = params_add(ps, "W2", 2, (int[]){hidden, output}, 1);
    int ib2 = params_add(ps, "b2", 1, (int[]){output}, 0);
    params_alloc(ps);
    net->W1 = params_value(ps, iW1);
    net->b1 = params_value(ps, ib1);
    net->W2 = params_value(ps, iW2);
    net->b2 = params_value(ps, ib2);
    net->dW1 = params_grad(ps, iW1);
    net->db1 = params_grad(ps, ib1);
    net->dW2 = params_grad(ps, iW2);
    net->db2 = params_grad(ps, ib2);
    rng_fill_normal(rng, net->W1, (size_t)input * hidden, weight_init_std(init, input));
    rng_fill_normal(rng, net->W2, (size_t)hidden * output, weight_init_std(init, hidden));

    size_t B = (size_t)batch_max;
    net->a1 = xmalloc(B * hidden * sizeof(real));
    net->z1 = xmalloc(B * hidden * sizeof(real));
    net->a2 = xmalloc(B * output * sizeof(real));
    net->y = xmalloc(B * output * sizeof(real));
    net->da2 = xmalloc(B * output * sizeof(real));
    net->dz1 = xmalloc(B * hidden * sizeof(real));
}

void two_layer_net_free(TwoLayerNet *net)
{
    params_free(&net->params);
    free(net->a1);
    free(net->z1);
    free(net->a2);
    free(net->y);
    free(net->da2);
    free(net->dz1);
}

const real *two_layer_net_predict(TwoLayerNet *net, const real *x, int N)
{
    if (N > net->batch_max)
        die("two_layer_net: batch of %d rows, buffers hold %d", N, net->batch_max);
    size_t nh = (size_t)N * net->hidden;
    affine_forward(net->a1, x, net->W1, net->b1, N, net->input, net->hidden);
    activation_forward(net->activation, net->z1, net->a1, nh);
    affine_forward(net->a2, net->z1, net->W2, net->b2, N, net->hidden, net->output);
    return net->a2;
}

real two_layer_net_loss(TwoLayerNet *net, const real *x, const int *t, int N)
{
    two_layer_net_predict(net, x, N);
    return softmax_with_loss_forward(net->y, net->a2, t, N, net->output);
}

real two_layer_net_gradient(TwoLayerNet *net, const real *x, const int *t, int N)
{
    real loss = two_layer_net_loss(net, x, t, N);
    params_zero_grads(&net->params);
    /* backward, in the reverse order of forward */
    softmax_with_loss_backward(net->da2, net->y, t, N, net->output);
    affine_backward(net->dz1, net->dW2, net->db2, net->da2, net->z1, net->W2,
                    N, net->hidden, net->output);
    size_t nh = (size_t)N * net->hidden;
    activation_backward(net->activation, net->dz1, net->dz1, net->z1, nh);
    /* dx is not needed: the input is data, not a parameter */
    affine_backward(NULL, net->dW1, net->db1, net->dz1, x, net->W1, N, net->input, net->hidden);
    return loss;
}

typedef struct {
    TwoLayerNet *net;
    const real *x;
    const int *t;
    int N;
} LossContext;

static double loss_of_params(void *ctx)
{
    LossContext *c = ctx;
    return two_layer_net_loss(c->net, c->x, c->t, c->N);
}

void two_layer_net_numerical_gradient(TwoLayerNet *net, const real *x, const int *t, int N)
{
    /* One loop over every number of every tensor: W1, b1, W2, b2 are one block.
     * Each probe is independent of the others, so threads split the parameters
     * between them, each on its own copy of the network (values and buffers);
     * every gradient entry is computed the same way whatever the thread count. */
    const size_t P = net->params.trainable_size;
    const int threads = get_threads();
    if (threads <= 1) {
        LossContext ctx = {net, x, t, N};
        numerical_gradient(loss_of_params, &ctx, net->params.values, P, net->params.grads);
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        int id = 0, count = 1;
#ifdef _OPENMP
        id = omp_get_thread_num();
        count = omp_get_num_threads();
#endif
        TwoLayerNet copy;
        Rng unused;
        rng_seed(&unused, 0);
        two_layer_net_init(&copy, net->input, net->hidden, net->output, N, net->activation,
                           (WeightInit){INIT_FIXED, 1}, &unused);   /* values copied below */
        memcpy(copy.params.values, net->params.values, net->params.size * sizeof(real));
        size_t begin = P * id / count, end = P * (id + 1) / count;
        LossContext ctx = {&copy, x, t, N};
        numerical_gradient(loss_of_params, &ctx, copy.params.values + begin, end - begin,
                           net->params.grads + begin);
        two_layer_net_free(&copy);
    }
}

double two_layer_net_accuracy(TwoLayerNet *net, const Dataset *d)
{
    size_t pixels = d->images.size / (size_t)d->count;
    long right = 0;
    for (int start = 0; start < d->count; start += net->batch_max) {
        int n = d->count - start < net->batch_max ? d->count - start : net->batch_max;
        const real *scores = two_layer_net_predict(net, d->images.data + (size_t)start * pixels, n);
        right += count_correct(scores, d->labels + start, n, net->output);
    }
    return (double)right / d->count;
}

void two_layer_net_summary(const TwoLayerNet *net, Summary *s)
{
    summary_start(s, "TwoLayerNet", net->input, 0, 0);
    summary_affine(s, net->input, net->hidden);
    summary_elementwise(s, activation_name(net->activation), net->hidden, 0, 0);
    summary_affine(s, net->hidden, net->output);
    summary_softmax_with_loss(s, net->output);
}
