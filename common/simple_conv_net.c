#include "simple_conv_net.h"
#include "functions.h"
#include "layers.h"
#include "util.h"

#include <stdlib.h>

void simple_conv_net_init(SimpleConvNet *net, int C, int H, int W, int filters, int filter_size,
                          int hidden, int classes, int batch_max, WeightInit init, Rng *rng)
{
    net->batch_max = batch_max;
    net->conv = conv_shape(C, H, W, filters, filter_size, filter_size, 1, 0);
    net->pool = pool_shape(POOL_MAX, filters, net->conv.OH, net->conv.OW, 2, 2, 2);
    net->flat = filters * net->pool.OH * net->pool.OW;
    net->hidden = hidden;
    net->classes = classes;

    ParamSet *ps = &net->params;
    params_init(ps);
    int iW1 = params_add(ps, "W1", 4, (int[]){filters, C, filter_size, filter_size}, 1);
    int ib1 = params_add(ps, "b1", 1, (int[]){filters}, 0);
    int iW2 = params_add(ps, "W2", 2, (int[]){net->flat, hidden}, 1);
    int ib2 = params_add(ps, "b2", 1, (int[]){hidden}, 0);
    int iW3 = params_add(ps, "W3", 2, (int[]){hidden, classes}, 1);
    int ib3 = params_add(ps, "b3", 1, (int[]){classes}, 0);
    params_alloc(ps);
    net->W1 = params_value(ps, iW1), net->dW1 = params_grad(ps, iW1);
    net->b1 = params_value(ps, ib1), net->db1 = params_grad(ps, ib1);
    net->W2 = params_value(ps, iW2), net->dW2 = params_grad(ps, iW2);
    net->b2 = params_value(ps, ib2), net->db2 = params_grad(ps, ib2);
    net->W3 = params_value(ps, iW3), net->dW3 = params_grad(ps, iW3);
    net->b3 = params_value(ps, ib3), net->db3 = params_grad(ps, ib3);
    /* the inputs of one output: C*FS*FS for a filter, the rows of W for Affine */
    rng_fill_normal(rng, net->W1, ps->info[iW1].size, weight_init_std(init, C * filter_size * filter_size));
    rng_fill_normal(rng, net->W2, ps->info[iW2].size, weight_init_std(init, net->flat));
    rng_fill_normal(rng, net->W3, ps->info[iW3].size, weight_init_std(init, hidden));

    size_t B = (size_t)batch_max;
    size_t conv_out = conv_out_size(&net->conv, batch_max);
    net->c1 = xmalloc(conv_out * sizeof(real));
    net->p1 = xmalloc(B * net->flat * sizeof(real));
    net->arg = xmalloc(B * net->flat * sizeof(int));
    net->a2 = xmalloc(B * hidden * sizeof(real));
    net->z2 = xmalloc(B * hidden * sizeof(real));
    net->a3 = xmalloc(B * classes * sizeof(real));
    net->y = xmalloc(B * classes * sizeof(real));
    net->work = conv_work_create(&net->conv, 1);
    net->da3 = xmalloc(B * classes * sizeof(real));
    net->dz2 = xmalloc(B * hidden * sizeof(real));
    net->dp1 = xmalloc(B * net->flat * sizeof(real));
    net->dc1 = xmalloc(conv_out * sizeof(real));
}

void simple_conv_net_free(SimpleConvNet *net)
{
    params_free(&net->params);
    conv_work_free(&net->work);
    real *bufs[] = {net->c1, net->p1, net->a2, net->z2, net->a3, net->y, net->da3, net->dz2, net->dp1, net->dc1};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
    free(net->arg);
}

const real *simple_conv_net_predict(SimpleConvNet *net, const real *x, int N)
{
    if (N > net->batch_max)
        die("simple_conv_net: batch of %d images, buffers hold %d", N, net->batch_max);
    convolution_forward(net->c1, x, net->W1, net->b1, &net->conv, N, &net->work);
    relu_forward(net->c1, net->c1, conv_out_size(&net->conv, N));
    pooling_forward(net->p1, net->arg, net->c1, &net->pool, N);
    affine_forward(net->a2, net->p1, net->W2, net->b2, N, net->flat, net->hidden);
    relu_forward(net->z2, net->a2, (size_t)N * net->hidden);
    affine_forward(net->a3, net->z2, net->W3, net->b3, N, net->hidden, net->classes);
    return net->a3;
}

real simple_conv_net_loss(SimpleConvNet *net, const real *x, const int *t, int N)
{
    simple_conv_net_predict(net, x, N);
    return softmax_with_loss_forward(net->y, net->a3, t, N, net->classes);
}

real simple_conv_net_gradient(SimpleConvNet *net, const real *x, const int *t, int N)
{
    real loss = simple_conv_net_loss(net, x, t, N);
    params_zero_grads(&net->params);
    /* backward, in the reverse order of forward */
    softmax_with_loss_backward(net->da3, net->y, t, N, net->classes);
    affine_backward(net->dz2, net->dW3, net->db3, net->da3, net->z2, net->W3, N, net->hidden, net->classes);
    relu_backward(net->dz2, net->dz2, net->z2, (size_t)N * net->hidden);
    affine_backward(net->dp1, net->dW2, net->db2, net->dz2, net->p1, net->W2, N, net->flat, net->hidden);
    /* Pooling's backward, then ReLU's, in one pass (pooling.h) */
    pooling_relu_backward(net->dc1, net->dp1, net->arg, net->p1, net->c1, &net->pool, N);
    /* no dx: the input is data, so the first layer skips dcol and col2im */
    convolution_backward(NULL, net->dW1, net->db1, net->dc1, x, net->W1, &net->conv, N, &net->work);
    return loss;
}

/* Inference-mode scores, in the shape dataset_accuracy asks for. */
static const real *predict_hook(void *net, const real *x, int n)
{
    return simple_conv_net_predict(net, x, n);
}

double simple_conv_net_accuracy(SimpleConvNet *net, const Dataset *d)
{
    return dataset_accuracy(d, net->batch_max, net->classes, predict_hook, net);
}

void simple_conv_net_summary(const SimpleConvNet *net, Summary *s)
{
    const ConvShape *c = &net->conv;
    summary_start(s, "SimpleConvNet", c->C, c->H, c->W);
    summary_convolution(s, c);
    summary_elementwise(s, "ReLU", c->FN, c->OH, c->OW);
    summary_pooling(s, &net->pool);
    summary_affine(s, net->flat, net->hidden);
    summary_elementwise(s, "ReLU", net->hidden, 0, 0);
    summary_affine(s, net->hidden, net->classes);
    summary_softmax_with_loss(s, net->classes);
}
