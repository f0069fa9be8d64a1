/* End-to-end: a short run of the two-layer net on real MNIST must learn, the
 * same seed must give the same numbers, and a saved model must load back to
 * the same predictions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idx.h"
#include "model.h"
#include "test.h"
#include "test_files.h"
#include "two_layer_net.h"
#include "util.h"

static Dataset train_set, test_set;

/* 400 iterations of SGD (lr 0.1, batch 100) on the first 5000 training images;
 * returns the accuracy on the first 1000 test images. */
static double short_run(uint64_t seed, TwoLayerNet *net)
{
    Rng rng;
    rng_seed(&rng, seed);
    two_layer_net_init(net, 784, 50, 10, 1000, ACT_RELU, (WeightInit){INIT_FIXED, 0.01}, &rng);
    real *x = xmalloc(100 * 784 * sizeof(real));
    int t[100], idx[100];
    for (int i = 0; i < 400; i++) {
        for (int b = 0; b < 100; b++)
            idx[b] = rng_int(&rng, 5000);
        dataset_gather(&train_set, idx, 100, x, t);
        two_layer_net_gradient(net, x, t, 100);
        for (size_t k = 0; k < net->params.trainable_size; k++)
            net->params.values[k] -= (real)0.1 * net->params.grads[k];
    }
    free(x);
    Dataset head = dataset_head(&test_set, 1000);
    double acc = two_layer_net_accuracy(net, &head);
    dataset_free(&head);
    return acc;
}

static void test_short_training_run_learns(void)
{
    TwoLayerNet a, b;
    double acc_a = short_run(42, &a);
    double acc_b = short_run(42, &b);
    printf("  accuracy after 400 iterations: %.4f\n", acc_a);
    CHECK(acc_a >= 0.85);       /* chance is 0.10; this run reaches about 0.9 */
    CHECK(acc_a == acc_b);      /* same seed, same numbers */
    CHECK(memcmp(a.params.values, b.params.values, a.params.size * sizeof(real)) == 0);

    /* Save, load into a fresh net, and compare the predictions. */
    char dir[] = "/tmp/dl-test-train-XXXXXX", path[256], err[MODEL_ERR_SIZE];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/net.safetensors", dir);
    const char *meta[] = {"network", "two_layer_net", NULL};
    CHECK(model_save(path, &a.params, meta, err) == 0);
    TwoLayerNet c;
    Rng rng;
    rng_seed(&rng, 999);
    two_layer_net_init(&c, 784, 50, 10, 1000, ACT_RELU, (WeightInit){INIT_FIXED, 0.01}, &rng);
    CHECK(model_load(path, &c.params, err) == 0);
    Dataset head = dataset_head(&test_set, 1000);
    CHECK(two_layer_net_accuracy(&c, &head) == acc_a);
    dataset_free(&head);
    remove(path);
    remove(dir);
    two_layer_net_free(&a);
    two_layer_net_free(&b);
    two_layer_net_free(&c);
}

int main(void)
{
    if (test_load_mnist(&train_set, &test_set) != 0)
        return 1;
    RUN(test_short_training_run_learns);
    dataset_free(&train_set);
    dataset_free(&test_set);
    return test_summary();
}
