/* Chapter 00 - the forward pass (the book's chapters 2 and 3).
 *
 *   perceptron  AND, NAND and OR as single perceptrons; XOR needs two layers
 *   activation  step, sigmoid and ReLU, plotted together
 *   forward     a 3-layer network's forward pass by hand (init_network / forward)
 *   mnist       MNIST inference with a trained network: one image at a time vs batches
 *   (none)      the tour: all four
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "dataset.h"
#include "functions.h"
#include "idx.h"
#include "init.h"
#include "layers.h"
#include "model.h"
#include "options.h"
#include "plot.h"
#include "timer.h"
#include "two_layer_net.h"
#include "util.h"

static const ProgramInfo info = {
    "00_neural_network",
    "perceptrons, activation functions and the forward pass",
    "usage: 00_neural_network [perceptron | activation | forward | mnist] [options]\n"
    "\n"
    "  perceptron  logic gates from perceptrons, and XOR from two layers of them\n"
    "  activation  step, sigmoid and ReLU drawn into one PNG\n"
    "  forward     the book's 3-layer network with fixed weights, step by step\n"
    "  mnist       test accuracy of a trained network, one image at a time and in batches\n"
    "  (nothing)   the chapter's tour: all four",
    /* The weights come from the model file: no epochs, rate, seed or progress bar. */
    USE_BATCH | USE_THREADS | USE_DATA,
};

/* ---- perceptrons ------------------------------------------------------------------ */

/* A perceptron fires (1) when w1 x1 + w2 x2 + b > 0. */
static int perceptron(double x1, double x2, double w1, double w2, double b)
{
    return w1 * x1 + w2 * x2 + b > 0 ? 1 : 0;
}

static int AND(int x1, int x2)  { return perceptron(x1, x2, 0.5, 0.5, -0.7); }
static int NAND(int x1, int x2) { return perceptron(x1, x2, -0.5, -0.5, 0.7); }
static int OR(int x1, int x2)   { return perceptron(x1, x2, 0.5, 0.5, -0.2); }
/* No single straight line separates XOR's ones from its zeros, but two layers do. */
static int XOR(int x1, int x2)  { return AND(NAND(x1, x2), OR(x1, x2)); }

static void perceptrons(void)
{
    printf("Perceptrons: y = 1 if w1 x1 + w2 x2 + b > 0, else 0\n");
    printf("  AND  w = ( 0.5,  0.5), b = -0.7\n");
    printf("  NAND w = (-0.5, -0.5), b =  0.7\n");
    printf("  OR   w = ( 0.5,  0.5), b = -0.2\n");
    printf("  XOR  = AND(NAND(x1, x2), OR(x1, x2))   (two layers)\n\n");
    printf("   x1 x2 | AND NAND OR | XOR\n");
    printf("  -------+-------------+-----\n");
    for (int x1 = 0; x1 <= 1; x1++)
        for (int x2 = 0; x2 <= 1; x2++)
            printf("    %d  %d |  %d    %d   %d |  %d\n", x1, x2, AND(x1, x2), NAND(x1, x2),
                   OR(x1, x2), XOR(x1, x2));
    printf("\n");
}

/* ---- activation functions ------------------------------------------------------------ */

static void activations(const CommonOptions *c)
{
    char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE], script[8192];
    out_path(tsv, c->out, "activations.tsv");
    TsvLog *log = tsv_open(tsv, "x\tstep\tsigmoid\trelu");
    for (int i = -50; i <= 50; i++) {
        real x = (real)(i / 10.0);
        double row[4] = {x, step_function(x), sigmoid(x), relu(x)};
        tsv_row(log, row, 4);
    }
    tsv_close(log);
    printf("Activation functions: step(0.5) = %g, sigmoid(0.5) = %.4f, relu(-0.5) = %g, relu(0.5) = %g\n",
           (double)step_function(0.5f), (double)sigmoid(0.5f), (double)relu(-0.5f), (double)relu(0.5f));
    out_path(png, c->out, "activations.png");
    snprintf(script, sizeof script,
             "set title 'Activation functions'\nset xlabel 'x'\nset ylabel 'h(x)'\n"
             "set xrange [-5:5]\nset yrange [-0.2:1.5]\nset grid\nset key top left\n"
             "plot '%s' using 1:2 skip 1 with fsteps lw 2 dt 2 title 'step', "
             "'' using 1:3 skip 1 with lines lw 2 title 'sigmoid', "
             "'' using 1:4 skip 1 with lines lw 2 title 'ReLU'\n",
             tsv);
    if (plot_png(png, 700, 450, script) == 0)
        printf("  plot: %s\n", png);
    printf("\n");
}

/* ---- a 3-layer network by hand ----------------------------------------------------------- */

static void print_vector(const char *name, const real *v, int n)
{
    printf("  %-3s = [", name);
    for (int i = 0; i < n; i++)
        printf("%s%.8f", i ? ", " : "", (double)v[i]);
    printf("]\n");
}

static void forward_by_hand(void)
{
    /* The book's init_network(): 2 inputs, 3 and 2 hidden units, 2 outputs. */
    const real W1[2 * 3] = {0.1, 0.3, 0.5,
                            0.2, 0.4, 0.6};
    const real b1[3] = {0.1, 0.2, 0.3};
    const real W2[3 * 2] = {0.1, 0.4,
                            0.2, 0.5,
                            0.3, 0.6};
    const real b2[2] = {0.1, 0.2};
    const real W3[2 * 2] = {0.1, 0.3,
                            0.2, 0.4};
    const real b3[2] = {0.1, 0.2};
    const real x[2] = {1.0, 0.5};
    real a1[3], z1[3], a2[2], z2[2], y[2];

    printf("A 3-layer network's forward pass (the book's init_network and forward):\n");
    print_vector("x", x, 2);
    affine_forward(a1, x, W1, b1, 1, 2, 3);     /* a1 = x W1 + b1 */
    print_vector("a1", a1, 3);
    sigmoid_forward(z1, a1, 3);                 /* z1 = sigmoid(a1) */
    print_vector("z1", z1, 3);
    affine_forward(a2, z1, W2, b2, 1, 3, 2);    /* a2 = z1 W2 + b2 */
    print_vector("a2", a2, 2);
    sigmoid_forward(z2, a2, 2);                 /* z2 = sigmoid(a2) */
    print_vector("z2", z2, 2);
    affine_forward(y, z2, W3, b3, 1, 2, 2);     /* y = z2 W3 + b3 (identity output) */
    print_vector("y", y, 2);
    printf("  (the book prints [0.31682708 0.69627909])\n\n");
}

/* ---- MNIST inference ---------------------------------------------------------------------- */

typedef struct {
    double accuracy, one_by_one, batched;
} MnistResult;

/* The net a model file holds: chapter 02's two-layer net, its hidden size and
 * activation read from the file's metadata. */
static void load_net(TwoLayerNet *net, const char *model_path, int batch)
{
    char err[MODEL_ERR_SIZE], kind[64], act[32], hidden_s[32];
    if (model_read_metadata(model_path, "network", kind, sizeof kind, err) != 0)
        die("%s", err);
    /* Another chapter's model has other tensors: say what it is rather than fail on them. */
    if (kind[0] == '\0')
        die("%s: its metadata names no network; this chapter runs a two_layer_net (chapter 02's)",
            model_path);
    if (strcmp(kind, "two_layer_net") != 0)
        die("%s: a %s model; this chapter runs a two_layer_net (chapter 02's)", model_path, kind);
    if (model_read_metadata(model_path, "activation", act, sizeof act, err) != 0)
        die("%s", err);
    if (model_read_metadata(model_path, "hidden", hidden_s, sizeof hidden_s, err) != 0)
        die("%s", err);
    int hidden = atoi(hidden_s);
    if (hidden < 1 || hidden > 100000)
        die("%s: metadata 'hidden' is '%s', not a layer size", model_path, hidden_s);
    Activation a;
    if (activation_parse(act, &a) != 0)
        die("%s: metadata 'activation' is '%s', expected relu, sigmoid or tanh", model_path, act);

    Rng rng;
    rng_seed(&rng, 42);     /* the initial weights are replaced by the model's */
    two_layer_net_init(net, 784, hidden, 10, batch, a, (WeightInit){INIT_FIXED, 0.01}, &rng);
    if (model_load(model_path, &net->params, err) != 0)
        die("%s", err);
}

static MnistResult mnist(const CommonOptions *c, const char *model_path)
{
    TwoLayerNet net;
    load_net(&net, model_path, c->batch);
    Dataset train_set, test_set;
    mnist_load_or_die(c->data, 10, &train_set, &test_set);
    if (test_set.images.shape[2] * test_set.images.shape[3] != 784)
        die("%s: this network takes 28x28 images", c->data);
    const int batch = c->batch;
    printf("MNIST inference with a trained 784-%d-10 network (%s), from %s\n", net.hidden,
           activation_name(net.activation), model_path);

    const int n = test_set.count;
    const real *images = test_set.images.data;
    MnistResult r = {0};
    /* One image at a time, as the book's first loop. */
    long right = 0;
    double t0 = now_seconds();
    for (int i = 0; i < n; i++) {
        const real *scores = two_layer_net_predict(&net, images + (size_t)i * 784, 1);
        right += count_correct(scores, test_set.labels + i, 1, 10);
    }
    r.one_by_one = now_seconds() - t0;
    r.accuracy = (double)right / n;
    /* In batches: one matrix multiply serves a whole batch of rows. */
    long right_b = 0;
    t0 = now_seconds();
    for (int start = 0; start < n; start += batch) {
        int m = n - start < batch ? n - start : batch;
        const real *scores = two_layer_net_predict(&net, images + (size_t)start * 784, m);
        right_b += count_correct(scores, test_set.labels + start, m, 10);
    }
    r.batched = now_seconds() - t0;
    if (right_b != right)
        die("batched and one-by-one inference disagree (%ld vs %ld right)", right_b, right);
    printf("  test accuracy: %.4f (%ld of %d)\n", r.accuracy, right, n);
    printf("  one image at a time: %8.1f ms  (%.2f us per image)\n", 1e3 * r.one_by_one,
           1e6 * r.one_by_one / n);
    printf("  batches of %-4d      %8.1f ms  (%.2f us per image)\n", batch, 1e3 * r.batched,
           1e6 * r.batched / n);
    printf("  batching is %.1f times faster\n\n", r.one_by_one / r.batched);
    two_layer_net_free(&net);
    dataset_free(&train_set);
    dataset_free(&test_set);
    return r;
}

int main(int argc, char **argv)
{
    CommonOptions c;
    options_defaults(&c);
    c.out = "out/00_neural_network";
    const char *model = "00_neural_network/two_layer_net.safetensors";
    int summary = 0;
    const Option extra[] = {
        {"model", OPT_STRING, &model, "FILE",
         "the trained network (default 00_neural_network/two_layer_net.safetensors)"},
        {"summary", OPT_FLAG, &summary, NULL, "print the model's layers, parameters, memory and FLOPs, and stop"},
        {0},
    };
    const char *pos[1];
    int npos = options_parse(argc, argv, &info, &c, extra, pos, 1);
    const char *commands[] = {"tour", "perceptron", "activation", "forward", "mnist", NULL};
    const char *cmd = options_command(&info, pos, npos, commands);
    if (summary) {
        TwoLayerNet net;
        load_net(&net, model, c.batch);
        Summary s;
        two_layer_net_summary(&net, &s);
        summary_print(&s, &net.params, c.batch);
        two_layer_net_free(&net);
        return 0;
    }
    options_make_out(&c);
    int tour = strcmp(cmd, "tour") == 0;
    if (tour || strcmp(cmd, "perceptron") == 0)
        perceptrons();
    if (tour || strcmp(cmd, "activation") == 0)
        activations(&c);
    if (tour || strcmp(cmd, "forward") == 0)
        forward_by_hand();
    if (tour || strcmp(cmd, "mnist") == 0) {
        MnistResult r = mnist(&c, model);
        if (tour) {
            printf("Summary of chapter 00\n");
            printf("  XOR needs two layers of perceptrons; the 3-layer forward pass gives the book's numbers\n");
            printf("  MNIST test accuracy %.4f; batches of %d are %.1fx faster than one image at a time\n",
                   r.accuracy, c.batch, r.one_by_one / r.batched);
            printf("  outputs in %s/\n", c.out);
        }
    }
    return 0;
}
