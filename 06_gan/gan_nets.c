/* gan_nets.c - the generator and the discriminator as stacks of layers (see gan_nets.h). */
#include "gan_nets.h"
#include "batch_norm.h"
#include "conv_transpose.h"
#include "layers.h"
#include "model.h"
#include "sigmoid_with_loss.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEAK ((real)0.2)

/* ---- building a stack ------------------------------------------------------------- */

static Layer *push(Stack *st, LayerKind kind, int out)
{
    if (st->count == STACK_MAX)
        die("gan: more than %d layers", STACK_MAX);
    Layer *l = &st->layer[st->count];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->in = st->count ? st->layer[st->count - 1].out : st->in;
    l->out = out;
    l->w = l->b = l->mean = l->var = -1;
    st->count++;
    return l;
}

static void add_affine(Stack *st, int out) { push(st, L_AFFINE, out); }
static void add_elementwise(Stack *st, LayerKind kind)
{
    push(st, kind, st->count ? st->layer[st->count - 1].out : st->in);
}
/* Batch norm over C channels of P positions each (P = 1: over features). */
static void add_bn(Stack *st, int C, int P)
{
    Layer *l = push(st, L_BN, C * P);
    l->C = C, l->P = P;
    if (l->in != C * P)
        die("gan: batch norm over %dx%d after a layer of %d", C, P, l->in);
}
static void add_conv(Stack *st, ConvShape s, LayerKind kind)
{
    int out = kind == L_CONV ? s.FN * s.OH * s.OW : s.C * s.H * s.W;
    Layer *l = push(st, kind, out);
    l->s = s;
    int in = kind == L_CONV ? s.C * s.H * s.W : s.FN * s.OH * s.OW;
    if (l->in != in)
        die("gan: a convolution taking %d numbers after a layer of %d", in, l->in);
}

/* Parameters (trainable first, then batch norm's running statistics), then
 * buffers; weights normal(0, std) where std < 0 means sqrt(1 / inputs). */
static void stack_finish(Stack *st, int batch_max, double std, Rng *rng)
{
    ParamSet *ps = &st->params;
    params_init(ps);
    char name[PARAM_NAME_MAX];
    for (int k = 0; k < st->count; k++) {
        Layer *l = &st->layer[k];
        const int i = k + 1;
        if (l->kind == L_AFFINE) {
            snprintf(name, sizeof name, "W%d", i);
            l->w = params_add(ps, name, 2, (int[]){l->in, l->out}, 1);
            snprintf(name, sizeof name, "b%d", i);
            l->b = params_add(ps, name, 1, (int[]){l->out}, 0);
        } else if (l->kind == L_CONV || l->kind == L_CONVT) {
            /* (FN, C, FH, FW) both: a convolution's filters, or a transposed
             * convolution's (in, out, kH, kW) */
            snprintf(name, sizeof name, "W%d", i);
            l->w = params_add(ps, name, 4, (int[]){l->s.FN, l->s.C, l->s.FH, l->s.FW}, 1);
            snprintf(name, sizeof name, "b%d", i);
            l->b = params_add(ps, name, 1, (int[]){l->kind == L_CONV ? l->s.FN : l->s.C}, 0);
        } else if (l->kind == L_BN) {
            snprintf(name, sizeof name, "gamma%d", i);
            l->w = params_add(ps, name, 1, (int[]){l->C}, 0);
            snprintf(name, sizeof name, "beta%d", i);
            l->b = params_add(ps, name, 1, (int[]){l->C}, 0);
        }
    }
    for (int k = 0; k < st->count; k++) {
        Layer *l = &st->layer[k];
        if (l->kind != L_BN)
            continue;
        snprintf(name, sizeof name, "mean%d", k + 1);
        l->mean = params_add_state(ps, name, 1, (int[]){l->C});
        snprintf(name, sizeof name, "var%d", k + 1);
        l->var = params_add_state(ps, name, 1, (int[]){l->C});
    }
    params_alloc(ps);
    ConvShape shapes[STACK_MAX];
    int nconv = 0, widest = st->in;
    st->batch_max = batch_max;
    st->bn_momentum = BATCH_NORM_MOMENTUM;
    for (int k = 0; k < st->count; k++) {
        Layer *l = &st->layer[k];
        widest = l->out > widest ? l->out : widest;
        l->y = xmalloc((size_t)batch_max * l->out * sizeof(real));
        if (l->kind == L_AFFINE || l->kind == L_CONV || l->kind == L_CONVT) {
            int fan_in = l->kind == L_AFFINE ? l->in : l->s.C * l->s.FH * l->s.FW;
            if (l->kind == L_CONVT)         /* each output sums FN inputs under ~FH*FW/stride^2 taps */
                fan_in = l->s.FN * l->s.FH * l->s.FW / (l->s.stride * l->s.stride);
            double sd = std > 0 ? std : sqrt(1.0 / fan_in);
            rng_fill_normal(rng, params_value(ps, l->w), ps->info[l->w].size, sd);
        }
        if (l->kind == L_CONV || l->kind == L_CONVT)
            shapes[nconv++] = l->s;
        if (l->kind == L_BN) {
            real *gamma = params_value(ps, l->w), *var = params_value(ps, l->var);
            for (int c = 0; c < l->C; c++)
                gamma[c] = 1, var[c] = 1;
            l->xn = xmalloc((size_t)batch_max * l->out * sizeof(real));
            l->std = xmalloc((size_t)l->C * sizeof(real));
        }
    }
    st->work = nconv ? conv_work_create(shapes, nconv) : (ConvWork){0};
    for (int k = 0; k < 2; k++)
        st->dbuf[k] = xmalloc((size_t)batch_max * widest * sizeof(real));
}

static void stack_free(Stack *st)
{
    for (int k = 0; k < st->count; k++) {
        free(st->layer[k].y);
        free(st->layer[k].xn);
        free(st->layer[k].std);
    }
    if (st->work.cap)
        conv_work_free(&st->work);
    free(st->dbuf[0]), free(st->dbuf[1]);
    params_free(&st->params);
}

int stack_out(const Stack *st)
{
    return st->layer[st->count - 1].out;
}

/* ---- forward and backward ----------------------------------------------------------- */

const real *stack_forward(Stack *st, const real *x, int N, int train)
{
    return stack_forward_with(st, &st->params, x, N, train);
}

const real *stack_forward_with(Stack *st, ParamSet *ps, const real *x, int N, int train)
{
    if (N > st->batch_max)
        die("gan: a batch of %d is more than the %d the nets were made for", N, st->batch_max);
    const real *in = x;
    st->passes++;
    for (int k = 0; k < st->count; k++) {
        Layer *l = &st->layer[k];
        size_t n = (size_t)N * l->out;
        switch (l->kind) {
        case L_AFFINE:
            affine_forward(l->y, in, params_value(ps, l->w), params_value(ps, l->b), N, l->in, l->out);
            break;
        case L_CONV:
            convolution_forward(l->y, in, params_value(ps, l->w), params_value(ps, l->b), &l->s, N, &st->work);
            break;
        case L_CONVT:
            conv_transpose_forward(l->y, in, params_value(ps, l->w), params_value(ps, l->b), &l->s, N, &st->work);
            break;
        case L_BN:
            batch_norm_channels_forward(l->y, l->xn, l->std, in, params_value(ps, l->w), params_value(ps, l->b),
                                        params_value(ps, l->mean), params_value(ps, l->var), N, l->C, l->P,
                                        st->bn_momentum, train);
            break;
        case L_RELU:
            relu_forward(l->y, in, n);
            break;
        case L_LRELU:
            leaky_relu_forward(l->y, in, n, LEAK);
            break;
        case L_TANH:
            tanh_forward(l->y, in, n);
            break;
        }
        in = l->y;
    }
    return in;
}

void stack_backward(Stack *st, const real *x, const real *dy, int N, real *dx, int param_grads)
{
    const ParamSet *ps = &st->params;
    const real *dout = dy;
    for (int k = st->count - 1; k >= 0; k--) {
        Layer *l = &st->layer[k];
        const real *in = k ? st->layer[k - 1].y : x;
        /* the first layer writes the caller's dx (or none); the others a buffer
         * other than the one dout is in */
        real *din = k == 0 ? dx : dout == st->dbuf[0] ? st->dbuf[1] : st->dbuf[0];
        if (k == 0 && !dx && (l->kind != L_AFFINE && l->kind != L_CONV && l->kind != L_CONVT))
            break;          /* nothing to learn below, nothing asked */
        size_t n = (size_t)N * l->out;
        switch (l->kind) {
        case L_AFFINE:
            affine_backward(din, param_grads ? params_grad(ps, l->w) : NULL,
                            param_grads ? params_grad(ps, l->b) : NULL, dout, in, params_value(ps, l->w),
                            N, l->in, l->out);
            break;
        case L_CONV:
            convolution_backward(din, param_grads ? params_grad(ps, l->w) : NULL,
                                 param_grads ? params_grad(ps, l->b) : NULL, dout, in,
                                 params_value(ps, l->w), &l->s, N, &st->work);
            break;
        case L_CONVT:
            conv_transpose_backward(din, params_grad(ps, l->w), params_grad(ps, l->b), dout, in,
                                    params_value(ps, l->w), &l->s, N, &st->work);
            break;
        case L_BN:
            batch_norm_channels_backward(din, params_grad(ps, l->w), params_grad(ps, l->b), dout, l->xn, l->std,
                                         params_value(ps, l->w), N, l->C, l->P);
            break;
        case L_RELU:
            relu_backward(din, dout, l->y, n);
            break;
        case L_LRELU:
            leaky_relu_backward(din, dout, l->y, n, LEAK);
            break;
        case L_TANH:
            tanh_backward(din, dout, l->y, n);
            break;
        }
        dout = din;
    }
}

/* ---- the two nets ----------------------------------------------------------------------- */

const char *gan_kind_name(GanKind kind)
{
    return kind == GAN_MLP ? "mlp" : "dcgan";
}

void gan_init(Gan *g, GanKind kind, int classes, int C, int H, int W, int batch_max, uint64_t seed)
{
    memset(g, 0, sizeof *g);
    g->kind = kind;
    g->z_dim = 100;
    g->classes = classes;
    g->C = C, g->H = H, g->W = W;
    g->batch_max = batch_max;
    Rng init;
    rng_seed(&init, seed);
    rng_seed(&g->rng, seed + 1);
    const int pixels = C * H * W;
    Stack *G = &g->G, *D = &g->D;
    G->in = g->z_dim + classes;
    if (kind == GAN_MLP) {
        add_affine(G, 256), add_elementwise(G, L_LRELU);
        add_affine(G, 512), add_elementwise(G, L_LRELU);
        add_affine(G, pixels), add_elementwise(G, L_TANH);
        D->in = pixels + classes;
        add_affine(D, 512), add_elementwise(D, L_LRELU);
        add_affine(D, 256), add_elementwise(D, L_LRELU);
        add_affine(D, 1);
        stack_finish(G, batch_max, -1, &init);
        stack_finish(D, batch_max, -1, &init);
    } else {
        if (H % 4 || W % 4)
            die("dcgan: images of %dx%d; the DCGAN needs sides divisible by 4 (28x28 MNIST)", H, W);
        const int h4 = H / 4, w4 = W / 4;
        add_affine(G, 128 * h4 * w4), add_bn(G, 128, h4 * w4), add_elementwise(G, L_RELU);
        add_conv(G, conv_transpose_shape(128, h4, w4, 64, 4, 4, 2, 1), L_CONVT);
        add_bn(G, 64, 4 * h4 * w4), add_elementwise(G, L_RELU);
        add_conv(G, conv_transpose_shape(64, 2 * h4, 2 * w4, C, 4, 4, 2, 1), L_CONVT);
        add_elementwise(G, L_TANH);
        D->in = (C + classes) * H * W;
        add_conv(D, conv_shape(C + classes, H, W, 64, 4, 4, 2, 1), L_CONV), add_elementwise(D, L_LRELU);
        add_conv(D, conv_shape(64, H / 2, W / 2, 128, 4, 4, 2, 1), L_CONV);
        add_bn(D, 128, h4 * w4), add_elementwise(D, L_LRELU);
        add_affine(D, 1);
        stack_finish(G, batch_max, 0.02, &init);
        stack_finish(D, batch_max, 0.02, &init);
    }
    const size_t B = (size_t)batch_max;
    g->g_in = xmalloc(B * G->in * sizeof(real));
    g->fake = xmalloc(B * pixels * sizeof(real));
    g->dfake = xmalloc(B * pixels * sizeof(real));
    g->d_in = xmalloc(B * D->in * sizeof(real));
    g->d_in_fake = xmalloc(B * D->in * sizeof(real));
    g->dd_in = xmalloc(B * D->in * sizeof(real));
    g->logit_y = xmalloc(B * sizeof(real));
    g->dlogit = xmalloc(B * sizeof(real));
    g->ones = xmalloc(B * sizeof(int));
    g->zeros = xmalloc(B * sizeof(int));
    g->labels = xmalloc(B * sizeof(int));
    for (int i = 0; i < batch_max; i++)
        g->ones[i] = 1, g->zeros[i] = 0, g->labels[i] = 0;
}

void gan_free(Gan *g)
{
    if (g->avg_decay > 0)
        params_free(&g->G_avg);
    stack_free(&g->G);
    stack_free(&g->D);
    real *bufs[] = {g->g_in, g->fake, g->dfake, g->d_in, g->d_in_fake, g->dd_in, g->logit_y, g->dlogit,
                    g->r1_save, g->r1_plus, g->r1_x, g->r1_v, g->r1_ones};
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
        free(bufs[k]);
    free(g->ones), free(g->zeros), free(g->labels);
}

void gan_images_to_tanh(real *dst, const real *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = 2 * src[i] - 1;
}

void gan_images_from_tanh(real *dst, const real *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (src[i] + 1) / 2;
}

void gan_generator_input(const Gan *g, real *in, const real *z, const int *labels, int N)
{
    const int w = g->z_dim + g->classes;
    for (int n = 0; n < N; n++) {
        memcpy(in + (size_t)n * w, z + (size_t)n * g->z_dim, g->z_dim * sizeof(real));
        for (int c = 0; c < g->classes; c++)
            in[(size_t)n * w + g->z_dim + c] = c == labels[n];
    }
}

/* D's input rows: the images (N, pixels) in [-1, 1], then the label: one-hot
 * numbers for the MLP, whole planes for the convolutional D. */
static void d_input(const Gan *g, real *in, const real *images, const int *labels, int N)
{
    const int pixels = g->C * g->H * g->W, w = g->D.in;
    const int plane = g->kind == GAN_MLP ? 1 : g->H * g->W;
    for (int n = 0; n < N; n++) {
        real *row = in + (size_t)n * w;
        memcpy(row, images + (size_t)n * pixels, pixels * sizeof(real));
        for (int c = 0; c < g->classes; c++) {
            real v = c == labels[n];
            for (int p = 0; p < plane; p++)
                row[pixels + (size_t)c * plane + p] = v;
        }
    }
}

static void fresh_noise(Gan *g, real *z, int *labels, int N)
{
    rng_fill_normal(&g->rng, z, (size_t)N * g->z_dim, 1);
    if (g->classes && labels)
        for (int n = 0; n < N; n++)
            labels[n] = rng_int(&g->rng, g->classes);
}

void gan_generate_with(Gan *g, ParamSet *weights, real *out, const real *z, const int *labels, int N)
{
    gan_generator_input(g, g->g_in, z, labels ? labels : g->labels, N);
    const real *y = stack_forward_with(&g->G, weights, g->g_in, N, 0);
    memcpy(out, y, (size_t)N * g->C * g->H * g->W * sizeof(real));
}

void gan_generate(Gan *g, real *out, const real *z, const int *labels, int N)
{
    gan_generate_with(g, g->avg_decay > 0 ? &g->G_avg : &g->G.params, out, z, labels, N);
}

/* ---- averaging the generator -------------------------------------------------------------
 *
 * G and D play a game, and gradient steps in a game do not settle into its
 * equilibrium the way they settle into a loss's minimum: each net's step
 * changes what the other should do, so the weights circle around the point
 * they are after, and G's digits wobble from one step to the next (today
 * thin sevens, tomorrow fat ones). The average of the weights over the last
 * stretch of steps sits near the middle of that circling, closer to the
 * equilibrium than any single step (Yazici et al. 2019, "The unusual
 * effectiveness of averaging in GAN training"). So a copy of G follows G
 * slowly,
 *
 *     G_avg = d G_avg + (1 - d) G        after every step of G,
 *
 * an exponential moving average over the last ~1 / (1 - d) steps (d 0.99:
 * about a hundred; 0.999: a thousand). It costs a multiply-add per weight
 * per step and changes nothing in training: D still plays against G; only
 * the pictures, the scores and the saved model come from G_avg. ProGAN,
 * StyleGAN and BigGAN draw their published samples this way.
 *
 * Early on G_avg would still remember G's random start; so d is at most
 * (1 + t) / (10 + t) after step t, an average over roughly the last tenth of
 * the run until that reaches d (0.99 at step 890, 0.999 at step 8,990). */
double ema_decay_at(double decay, long step)
{
    double warm = (1.0 + step) / (10.0 + step);
    return warm < decay ? warm : decay;
}

void ema_update(real *avg, const real *x, size_t n, double decay)
{
    for (size_t i = 0; i < n; i++)
        avg[i] = (real)(decay * avg[i] + (1 - decay) * x[i]);
}

void gan_average_start(Gan *g, double decay)
{
    if (!(decay > 0 && decay < 1))
        die("gan: an average of G needs a decay between 0 and 1, not %g", decay);
    if (g->avg_decay > 0)
        params_free(&g->G_avg);
    const ParamSet *G[1] = {&g->G.params};
    params_join(&g->G_avg, G, NULL, 1);         /* the same tensors, G's values */
    g->avg_decay = decay;
}

void gan_average_update(Gan *g, long step)
{
    ema_update(g->G_avg.values, g->G.params.values, g->G.params.size, ema_decay_at(g->avg_decay, step));
}

void gan_average_measure_bn(Gan *g, int batches, uint64_t seed)
{
    if (g->G.params.size == g->G.params.trainable_size)
        return;                                 /* no batch norm (the MLP GAN) */
    Rng rng;
    rng_seed(&rng, seed);
    const int B = g->batch_max;
    real *z = xmalloc((size_t)B * g->z_dim * sizeof(real));
    int *labels = xmalloc((size_t)B * sizeof(int));
    for (int k = 0; k < batches; k++) {
        rng_fill_normal(&rng, z, (size_t)B * g->z_dim, 1);
        for (int i = 0; i < B; i++)
            labels[i] = g->classes ? i % g->classes : 0;
        gan_generator_input(g, g->g_in, z, labels, B);
        /* running = k/(k+1) running + 1/(k+1) batch: the plain mean of the batches' */
        g->G.bn_momentum = (double)k / (k + 1);
        stack_forward_with(&g->G, &g->G_avg, g->g_in, B, 1);
    }
    g->G.bn_momentum = BATCH_NORM_MOMENTUM;
    free(z), free(labels);
}

/* G(z) in training mode into g->fake, from fresh noise (labels as given). */
static void generate_train(Gan *g, const int *labels, int N)
{
    real *z = g->dfake;                 /* free until backward: borrowed for z */
    fresh_noise(g, z, NULL, N);
    gan_generator_input(g, g->g_in, z, labels, N);
    const real *y = stack_forward(&g->G, g->g_in, N, 1);
    memcpy(g->fake, y, (size_t)N * g->C * g->H * g->W * sizeof(real));
}

static double mean_sigmoid(const real *y, int N)
{
    double s = 0;
    for (int n = 0; n < N; n++)
        s += y[n];
    return s / N;
}

/* ---- a gradient penalty on the real images (R1) ---------------------------------------
 *
 * R1 (Mescheder et al. 2018; StyleGAN) adds to D's loss
 *
 *     R = gamma/2 * mean over the real images of |d D(x) / dx|^2,
 *
 * D's slope at the real digits: D may tell real from fake, but not with a
 * cliff at the data, where G's samples get pushed around more than led. R's
 * gradient with respect to D's weights is a derivative of a derivative, and the
 * course's layers only go backward once. Chapter 01's idea gives it instead.
 * With L = the sum of D's logits over the real batch and v = dL/dx (one
 * backward pass),
 *
 *     d|v|^2 / dw = 2 (dv/dw)^T v = 2 d/de [dL/dw at x + e v] at e = 0
 *                 ~ (dL/dw at x + e v  -  dL/dw at x - e v) / e,
 *
 * a central difference of two ordinary gradients, along v: three passes of D
 * over the real batch. StyleGAN's "lazy" R1 pays for them on every k-th step
 * only, with the penalty k times as strong. e moves each pixel by about 0.01
 * (R1_STEP, in D's input range of [-1, 1]); tests/test_gan.c checks the
 * result against numerical gradients of R itself. The passes leave D's batch
 * norm statistics as they were. */
#define R1_STEP 0.01

void gan_set_r1(Gan *g, double gamma, int every)
{
    if (!(gamma >= 0) || every < 1)
        die("gan: R1 needs a weight of 0 or more and a period of 1 or more, not %g and %d", gamma, every);
    g->r1_gamma = gamma;
    g->r1_every = every;
    g->r1_step = R1_STEP;
    if (gamma > 0 && !g->r1_save) {
        const size_t B = (size_t)g->batch_max, P = g->D.params.trainable_size, w = (size_t)g->D.in;
        g->r1_save = xmalloc(P * sizeof(real));
        g->r1_plus = xmalloc(P * sizeof(real));
        g->r1_x = xmalloc(B * w * sizeof(real));
        g->r1_v = xmalloc(B * w * sizeof(real));
        g->r1_ones = xmalloc(B * sizeof(real));
        for (size_t n = 0; n < B; n++)
            g->r1_ones[n] = 1;
    }
}

/* v = dL/dx for the real batch in g->d_in, into g->r1_v; returns |v|^2. Only
 * the images' part of each input row counts (a conditional D's label inputs get
 * 0). D's batch norm statistics stay as they are; its backward adds batch
 * norm's gradients to D.params.grads (r1_gradient drops them). */
static double r1_slope(Gan *g, int N)
{
    const double momentum = g->D.bn_momentum;
    g->D.bn_momentum = 1;
    stack_forward(&g->D, g->d_in, N, 1);
    stack_backward(&g->D, g->d_in, g->r1_ones, N, g->r1_v, 0);
    g->D.bn_momentum = momentum;
    const int pixels = g->C * g->H * g->W, w = g->D.in;
    double vv = 0;
    for (int n = 0; n < N; n++) {
        real *row = g->r1_v + (size_t)n * w;
        for (int i = 0; i < pixels; i++)
            vv += (double)row[i] * row[i];
        for (int i = pixels; i < w; i++)
            row[i] = 0;
    }
    return vv;
}

/* Adds R1's gradient to D's (in D.params.grads) for the real batch in g->d_in;
 * returns R, the penalty itself. */
static double r1_gradient(Gan *g, int N)
{
    ParamSet *ps = &g->D.params;
    const size_t P = ps->trainable_size, n = (size_t)N * g->D.in;
    memcpy(g->r1_save, ps->grads, P * sizeof(real));
    const double vv = r1_slope(g, N);
    /* the root mean square over the pixels alone (a conditional D's label
     * inputs, 0 in v, do not move), so that each pixel moves by about r1_step */
    const double rms = sqrt(vv / ((double)N * g->C * g->H * g->W)), e = rms > 0 ? g->r1_step / rms : 0;
    const double momentum = g->D.bn_momentum;
    g->D.bn_momentum = 1;                           /* running statistics: kept as they are */
    if (e > 0) {
        for (int side = 0; side < 2; side++) {      /* dL/dw at x + e v, then at x - e v */
            const double step = side ? -e : e;
            for (size_t i = 0; i < n; i++)
                g->r1_x[i] = g->d_in[i] + (real)(step * g->r1_v[i]);
            params_zero_grads(ps);
            stack_forward(&g->D, g->r1_x, N, 1);
            stack_backward(&g->D, g->r1_x, g->r1_ones, N, NULL, 1);
            if (side == 0)
                memcpy(g->r1_plus, ps->grads, P * sizeof(real));
        }
        /* gamma/2 * (1/N) * d|v|^2/dw, k times on every k-th step */
        const double scale = g->r1_gamma * g->r1_every / (2.0 * N * e);
        for (size_t i = 0; i < P; i++)
            g->r1_save[i] += (real)(scale * ((double)g->r1_plus[i] - ps->grads[i]));
    }
    memcpy(ps->grads, g->r1_save, P * sizeof(real));
    g->D.bn_momentum = momentum;
    return g->r1_gamma / 2 * vv / N;
}

real gan_d_step(Gan *g, const real *x, const int *t, int N)
{
    const int pixels = g->C * g->H * g->W;
    const int *labels = g->classes ? t : g->labels;
    params_zero_grads(&g->D.params);
    /* real: D(x) should say 1 */
    gan_images_to_tanh(g->fake, x, (size_t)N * pixels);
    d_input(g, g->d_in, g->fake, labels, N);
    const real *logit = stack_forward(&g->D, g->d_in, N, 1);
    real loss = sigmoid_with_loss_forward(g->logit_y, logit, g->ones, N, 1);
    g->metrics[0] = (real)mean_sigmoid(g->logit_y, N);
    sigmoid_with_loss_backward(g->dlogit, g->logit_y, g->ones, N, 1, 1);
    stack_backward(&g->D, g->d_in, g->dlogit, N, NULL, 1);
    /* fake: D(G(z)) should say 0; G is not changed by this step */
    generate_train(g, labels, N);
    d_input(g, g->d_in_fake, g->fake, labels, N);
    logit = stack_forward(&g->D, g->d_in_fake, N, 1);
    loss += sigmoid_with_loss_forward(g->logit_y, logit, g->zeros, N, 1);
    g->metrics[1] = (real)mean_sigmoid(g->logit_y, N);
    sigmoid_with_loss_backward(g->dlogit, g->logit_y, g->zeros, N, 1, 1);
    stack_backward(&g->D, g->d_in_fake, g->dlogit, N, NULL, 1);
    if (g->r1_gamma > 0 && g->d_steps++ % g->r1_every == 0)
        r1_gradient(g, N);
    g->fake_n = N;                      /* for the G step that follows */
    g->fake_pass = g->G.passes;
    return loss;
}

real gan_g_step(Gan *g, const int *t, int N)
{
    const int pixels = g->C * g->H * g->W;
    const int *labels = g->classes ? t : g->labels;
    params_zero_grads(&g->G.params);
    if (g->fake_n != N || g->G.passes != g->fake_pass)  /* no D step's fakes to reuse */
        generate_train(g, labels, N);
    g->fake_n = 0;
    d_input(g, g->d_in_fake, g->fake, labels, N);
    const real *logit = stack_forward(&g->D, g->d_in_fake, N, 1);
    /* G wants D to say 1 for its samples: -log D(G(z)), steep while D rejects them */
    real loss = sigmoid_with_loss_forward(g->logit_y, logit, g->ones, N, 1);
    sigmoid_with_loss_backward(g->dlogit, g->logit_y, g->ones, N, 1, 1);
    /* through D to its input. D's own gradients would be dropped at its next
     * step, so its Affine and convolution layers skip their weights' (and the
     * im2col that dW needs) */
    stack_backward(&g->D, g->d_in_fake, g->dlogit, N, g->dd_in, 0);
    for (int n = 0; n < N; n++)         /* the image part of each input row */
        memcpy(g->dfake + (size_t)n * pixels, g->dd_in + (size_t)n * g->D.in, pixels * sizeof(real));
    stack_backward(&g->G, g->g_in, g->dfake, N, NULL, 1);
    return loss;
}

double gan_mean_d_fake(Gan *g, const real *z, const int *labels, int N)
{
    const int *lab = g->classes ? labels : g->labels;
    gan_generator_input(g, g->g_in, z, lab, N);
    const real *y = stack_forward(&g->G, g->g_in, N, 1);
    memcpy(g->fake, y, (size_t)N * g->C * g->H * g->W * sizeof(real));
    d_input(g, g->d_in_fake, g->fake, lab, N);
    const real *logit = stack_forward(&g->D, g->d_in_fake, N, 1);
    sigmoid_with_loss_forward(g->logit_y, logit, g->zeros, N, 1);
    return mean_sigmoid(g->logit_y, N);
}

/* ---- a saved GAN ------------------------------------------------------------------ */

void gan_load(Gan *g, const char *path, int batch_max)
{
    char value[64], err[MODEL_ERR_SIZE];
    if (access(path, R_OK) != 0)
        die("%s: no model there (train one first: 06_gan cgan, 06_gan dcgan, ...)", path);
    if (model_read_metadata(path, "network", value, sizeof value, err) != 0)
        die("%s", err);
    if (strcmp(value, "gan") != 0)
        die("%s: not a GAN of this chapter (network '%s')", path, value[0] ? value : "not named");
    GanKind kind;
    if (model_read_metadata(path, "kind", value, sizeof value, err) != 0)
        die("%s", err);
    if (strcmp(value, "mlp") == 0)
        kind = GAN_MLP;
    else if (strcmp(value, "dcgan") == 0)
        kind = GAN_DCGAN;
    else
        die("%s: a GAN of unknown kind '%s'", path, value);
    int classes = 0, C = 0, H = 0, W = 0;
    if (model_read_metadata(path, "classes", value, sizeof value, err) != 0 || sscanf(value, "%d", &classes) != 1 ||
        classes < 0 || classes > 1000)
        die("%s: metadata 'classes' is not a number of classes", path);
    if (model_read_metadata(path, "image", value, sizeof value, err) != 0 ||
        sscanf(value, "%dx%dx%d", &C, &H, &W) != 3 || C < 1 || H < 4 || W < 4 || C > 4 || H > 512 || W > 512)
        die("%s: metadata 'image' is not CxHxW", path);
    gan_init(g, kind, classes, C, H, W, batch_max, 0);
    ParamSet *sets[2] = {&g->G.params, &g->D.params};
    const char *prefixes[2] = {"G.", "D."};
    ParamSet all;
    params_join(&all, (const ParamSet *const *)sets, prefixes, 2);
    if (model_load(path, &all, err) != 0)
        die("%s", err);
    params_split(&all, sets, prefixes, 2);
    params_free(&all);
}
