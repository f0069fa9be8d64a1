/* --summary: the layer tables add up to the parameters the nets allocate (the
 * counts the chapters print when they train), and a row's FLOPs are the ones
 * worked out by hand from its shape. */
#include <string.h>

#include "test.h"

#include "deep_conv_net.h"
#include "multi_layer_net.h"
#include "two_layer_net.h"
#include "simple_conv_net.h"
#include "summary.h"

static void test_simple_conv_net_totals(void)
{
    Rng rng;
    rng_seed(&rng, 1);
    SimpleConvNet net;
    simple_conv_net_init(&net, 1, 28, 28, 30, 5, 100, 10, 4, (WeightInit){INIT_HE, 0}, &rng);
    Summary s;
    simple_conv_net_summary(&net, &s);
    CHECK(summary_params(&s) == net.params.trainable_size);
    CHECK(summary_params(&s) == 433890);        /* chapter 04 prints "433890 parameters" */
    CHECK(s.count == 8);
    /* Convolution 30 5x5 on 1x28x28: 24x24 outputs per filter, 25 multiply-adds and a bias each */
    CHECK(strcmp(s.row[1].shape, "30x24x24") == 0);
    CHECK(s.row[1].flops == (2.0 * 25 + 1) * 30 * 24 * 24);
    CHECK(s.row[1].params == 30 * 25 + 30);
    /* Affine 4320 -> 100 */
    CHECK(s.row[4].params == 4320 * 100 + 100);
    simple_conv_net_free(&net);
}

static void test_deep_conv_net_totals(void)
{
    Rng rng;
    rng_seed(&rng, 1);
    DeepConvNet net;
    deep_conv_net_init(&net, 1, 28, 28, 10, 4, &rng);
    Summary s;
    deep_conv_net_summary(&net, &s);
    CHECK(summary_params(&s) == net.params.trainable_size);
    CHECK(summary_params(&s) == 123552);        /* chapter 04 prints "123552 parameters" */
    /* the fourth convolution pads by 2: 14x14 -> 16x16 */
    int found = 0;
    for (int i = 0; i < s.count; i++)
        found |= strcmp(s.row[i].name, "Convolution 32 3x3 pad 2") == 0 && strcmp(s.row[i].shape, "32x16x16") == 0;
    CHECK(found);
    CHECK(strcmp(s.row[s.count - 1].name, "SoftmaxWithLoss") == 0);
    deep_conv_net_free(&net);
}

static void test_two_layer_net_totals(void)
{
    Rng rng;
    rng_seed(&rng, 1);
    TwoLayerNet net;
    two_layer_net_init(&net, 784, 50, 10, 4, ACT_RELU, (WeightInit){INIT_HE, 0}, &rng);
    Summary s;
    two_layer_net_summary(&net, &s);
    CHECK(summary_params(&s) == net.params.trainable_size);
    CHECK(summary_params(&s) == 39760);         /* chapter 02 prints "39760 parameters" */
    CHECK(s.row[1].flops == (2.0 * 784 + 1) * 50);
    two_layer_net_free(&net);
}

static void test_multi_layer_net_with_batch_norm_totals(void)
{
    MultiLayerNetConfig c = {.input = 784, .output = 10, .hidden_count = 3, .hidden = {64, 32, 16},
                             .activation = ACT_RELU, .init = {INIT_HE, 0}, .use_batchnorm = 1,
                             .use_dropout = 1, .dropout_ratio = 0.5};
    Rng rng;
    rng_seed(&rng, 1);
    MultiLayerNet net;
    multi_layer_net_init(&net, &c, 4, &rng);
    Summary s;
    multi_layer_net_summary(&net, &s);
    CHECK(summary_params(&s) == net.params.trainable_size);
    /* Affine, BatchNorm, ReLU, Dropout per hidden layer; then Affine and the loss; and the input */
    CHECK(s.count == 1 + 3 * 4 + 2);
    multi_layer_net_free(&net);
}

int main(void)
{
    RUN(test_simple_conv_net_totals);
    RUN(test_deep_conv_net_totals);
    RUN(test_two_layer_net_totals);
    RUN(test_multi_layer_net_with_batch_norm_totals);
    return test_summary();
}
