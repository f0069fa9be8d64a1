/* gan_nets.h - chapter 06's two nets, a generator G and a discriminator D,
 * as small stacks of the course's layers.
 *
 *   MLP GAN  G: z(100) - Affine 256 - LeakyReLU - Affine 512 - LeakyReLU - Affine 784 - Tanh
 *            D: x(784) - Affine 512 - LeakyReLU - Affine 256 - LeakyReLU - Affine 1
 *   DCGAN    G: z(100) - Affine 128x7x7 - BatchNorm - ReLU - ConvT 64 (4x4, stride 2) - BatchNorm
 *               - ReLU - ConvT 1 (4x4, stride 2) - Tanh                      -> 1x28x28
 *            D: x(1x28x28) - Conv 64 (4x4, stride 2) - LeakyReLU - Conv 128 (4x4, stride 2)
 *               - BatchNorm - LeakyReLU - Affine 1                           (a logit)
 *
 * Images are scaled to [-1, 1], the range of G's tanh. D's output is a logit:
 * sigmoid with binary cross-entropy from logits (sigmoid_with_loss.h) makes it
 * the probability "real". LeakyReLU's slope is 0.2, as in the DCGAN paper.
 *
 * A conditional GAN (classes > 0) gives both nets the label as a one-hot
 * vector: G reads it beside z, the MLP D beside the pixels, and the
 * convolutional D as `classes` extra input planes (all ones for the label's,
 * zeros for the others), so that its first filters already see which digit
 * the image claims to be.
 *
 * Each net owns a ParamSet (G's tensors first "W1", "b1" ..., batch norm's
 * "gamma2", "beta2" and running "mean2", "var2"), so each has an optimizer of
 * its own; a model file holds both, as "G.W1" ... and "D.W1" ... */
#ifndef DL_GAN_NETS_H
#define DL_GAN_NETS_H

#include "convolution.h"
#include "params.h"
#include "rng.h"

typedef enum { GAN_MLP, GAN_DCGAN } GanKind;

typedef enum { L_AFFINE, L_CONV, L_CONVT, L_BN, L_RELU, L_LRELU, L_TANH } LayerKind;

/* One layer of a stack: its numbers per example in and out, its parameters'
 * indices in the stack's ParamSet, its output for the batch, and what
 * backward needs. */
typedef struct {
    LayerKind kind;
    int in, out;
    int C, P;               /* batch norm: channels and positions per channel (1 for features) */
    ConvShape s;            /* convolutions */
    int w, b, mean, var;    /* parameter indices: W and b, or gamma and beta; running statistics */
    real *y;                /* output (batch_max, out) */
    real *xn, *std;         /* batch norm's */
} Layer;

#define STACK_MAX 12

typedef struct {
    int count, in, batch_max;
    double bn_momentum;     /* batch norm's running statistics: BATCH_NORM_MOMENTUM */
    unsigned long passes;   /* forward passes so far: each overwrites what the layers hold */
    Layer layer[STACK_MAX];
    ParamSet params;
    ConvWork work;
    real *dbuf[2];          /* gradients between layers (batch_max times the widest layer) */
} Stack;

/* Forward through the stack: x (N, in) -> the last layer's output (N, out),
 * returned. train: batch norm uses the batch's statistics and updates its
 * running ones; otherwise it uses the running ones. */
const real *stack_forward(Stack *st, const real *x, int N, int train);
/* The same with other weights of the same layout (the averaged generator's):
 * ps in place of st->params; the layers' buffers are shared. */
const real *stack_forward_with(Stack *st, ParamSet *ps, const real *x, int N, int train);
/* Backward from dy (N, out) given the forward's input x: parameter gradients
 * += into params.grads, and dx (N, in) if dx is not NULL. dy may be any buffer
 * other than the stack's own. param_grads 0: the Affine and convolution
 * layers skip their weight gradients (only dx is wanted; batch norm's are cheap
 * and left in params.grads). */
void stack_backward(Stack *st, const real *x, const real *dy, int N, real *dx, int param_grads);
int stack_out(const Stack *st);

typedef struct {
    GanKind kind;
    int z_dim, classes;     /* classes 0: unconditional */
    int C, H, W;            /* the images */
    int batch_max;
    Stack G, D;
    /* An exponential moving average of G's weights (gan_average_update), the
     * generator that samples, draws and is saved; avg_decay 0: none, G itself. */
    double avg_decay;
    ParamSet G_avg;
    Rng rng;                /* the noise z, and a conditional G's labels */
    real metrics[2];        /* the last D step's mean D(x) and mean D(G(z)) */
    int fake_n;             /* the D step's fakes wait for the G step: their count, or 0, */
    unsigned long fake_pass;/* and G.passes after G's forward for them: G's layers
                               still hold that forward while G.passes is the same */
    /* work buffers, batch_max rows */
    real *g_in, *fake, *d_in, *d_in_fake, *logit_y, *dlogit, *dfake, *dd_in;
    /* R1, a gradient penalty on the real images (gan_set_r1): its weight
     * (0: none), its period in D steps, the D steps so far (after a resume,
     * counted from the checkpoint's phase: only d_steps % r1_every matters),
     * and its buffers */
    double r1_gamma, r1_step;   /* r1_step: the pixels' move in the central difference */
    int r1_every;
    long d_steps;
    real *r1_save, *r1_plus, *r1_x, *r1_v, *r1_ones;
    int *ones, *zeros, *labels;
} Gan;

/* Weights: DCGAN's normal(0, 0.02) for the DCGAN; std sqrt(1 / inputs)
 * for the MLP GAN (LeakyReLU keeps most of each unit's signal). */
void gan_init(Gan *g, GanKind kind, int classes, int C, int H, int W, int batch_max, uint64_t seed);
void gan_free(Gan *g);
const char *gan_kind_name(GanKind kind);     /* "mlp", "dcgan" */

/* Pixels in [0, 1] (a Dataset's) to [-1, 1], G's range, and back. */
void gan_images_to_tanh(real *dst, const real *src, size_t n);
void gan_images_from_tanh(real *dst, const real *src, size_t n);

/* G's input rows for z (N, z_dim) and labels (N; ignored when unconditional). */
void gan_generator_input(const Gan *g, real *in, const real *z, const int *labels, int N);
/* N samples in [-1, 1] (N, C*H*W) into out, from z and labels (inference
 * mode), by the averaged G when one is kept, else by G. */
void gan_generate(Gan *g, real *out, const real *z, const int *labels, int N);
/* The same by the generator of the given weights (&g->G.params: the raw G). */
void gan_generate_with(Gan *g, ParamSet *weights, real *out, const real *z, const int *labels, int N);

/* Averaging the generator (Yazici et al. 2019; ProGAN, StyleGAN, BigGAN).
 * gan_average_start keeps, from now on, a moving average of G's weights,
 * starting as a copy of G; gan_average_update, after G's step number `step`
 * (1, 2, ...), moves it towards G: avg = d avg + (1 - d) G, with
 * d = ema_decay_at(decay, step). See gan_nets.c for why. */
void gan_average_start(Gan *g, double decay);
void gan_average_update(Gan *g, long step);
/* decay, but at most (1 + step) / (10 + step) while the run is young. */
double ema_decay_at(double decay, long step);
/* avg = decay avg + (1 - decay) x, for n numbers. */
void ema_update(real *avg, const real *x, size_t n, double decay);
/* The averaged G's batch norm statistics, measured anew: the mean of its batch
 * statistics over `batches` batches of noise from seed, in training mode. */
void gan_average_measure_bn(Gan *g, int batches, uint64_t seed);

/* From now on, D's steps add R1 = gamma/2 * mean |dD(x)/dx|^2 over the real
 * images to D's loss, on every `every`-th step with the weight times `every`
 * (gamma 0: none). See gan_nets.c. */
void gan_set_r1(Gan *g, double gamma, int every);

/* One discriminator step on a batch of real images x (pixels in [0, 1]) with
 * labels t: fakes from fresh noise (with the real batch's labels when
 * conditional); loss = BCE(D(x), real) + BCE(D(G(z)), fake); D's gradient in
 * D.params.grads (zeroed first). Sets metrics. */
real gan_d_step(Gan *g, const real *x, const int *t, int N);
/* One generator step: loss = BCE(D(G(z)), real) (the "non-saturating" loss:
 * G pushes D(G(z)) up) on the fakes of the D step just before it (G runs
 * forward once per iteration, as in PyTorch's DCGAN example; on fresh noise if
 * no D step came first); G's gradient, through D, in G.params.grads (zeroed
 * first; D's gradients are not kept). */
real gan_g_step(Gan *g, const int *t, int N);
/* The mean D(G(z)) of N fresh samples from fixed noise z (no update). */
double gan_mean_d_fake(Gan *g, const real *z, const int *labels, int N);

/* A GAN from a model file of chapter 06 (06_gan mlp, dcgan, cgan), with
 * buffers for batch_max rows, checked: its metadata ("network" gan, "kind",
 * "classes", "image"), then every tensor's name and shape (model_load). Dies
 * (one line) on a missing or broken file. Used by 06_gan draw and walk, and by
 * the playground. */
void gan_load(Gan *g, const char *path, int batch_max);

#endif
