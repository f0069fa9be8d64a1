/* test_dataset.c - the Dataset helpers on a small hand-made set (test_idx.c
 * loads real IDX files into one). */
#include <stdlib.h>

#include "dataset.h"
#include "test.h"
#include "util.h"

/* 5 examples of 2 channels of 1x3 pixels; example i holds the numbers 10i .. 10i+5
 * and the label 4 - i. */
static Dataset small_set(void)
{
    Dataset d = {0};
    d.images = tensor_zeros(4, (int[]){5, 2, 1, 3});
    d.labels = xmalloc(5);
    for (int i = 0; i < 5; i++) {
        for (int p = 0; p < 6; p++)
            d.images.data[i * 6 + p] = (real)(10 * i + p);
        d.labels[i] = (uint8_t)(4 - i);
    }
    d.count = 5;
    d.classes = 5;
    return d;
}

static void test_subset_copies_the_chosen_examples_in_order(void)
{
    Dataset d = small_set();
    int idx[3] = {3, 0, 3};
    Dataset s = dataset_subset(&d, idx, 3);
    CHECK(s.count == 3 && s.classes == 5);
    CHECK(s.images.shape[0] == 3 && s.images.shape[1] == 2 && s.images.shape[3] == 3);
    CHECK(s.images.size == 18 && s.images.data != d.images.data);
    CHECK(s.labels[0] == 1 && s.labels[1] == 4 && s.labels[2] == 1);
    CHECK(s.images.data[0] == 30 && s.images.data[5] == 35);        /* example 3, all 6 numbers */
    CHECK(s.images.data[6] == 0 && s.images.data[17] == 35);
    s.images.data[0] = -1;                                          /* a copy: d is untouched */
    CHECK(d.images.data[18] == 30);
    dataset_free(&s);
    CHECK(s.labels == NULL && s.images.data == NULL && s.count == 0);
    dataset_free(&d);
}

static void test_gather_and_head_agree_with_subset(void)
{
    Dataset d = small_set();
    int idx[2] = {4, 2}, t[2];
    real x[12];
    dataset_gather(&d, idx, 2, x, t);
    Dataset s = dataset_subset(&d, idx, 2);
    for (int i = 0; i < 12; i++)
        CHECK(x[i] == s.images.data[i]);
    CHECK(t[0] == s.labels[0] && t[1] == s.labels[1] && t[0] == 0 && t[1] == 2);
    dataset_free(&s);

    Dataset h = dataset_head(&d, 2);
    int first[2] = {0, 1};
    s = dataset_subset(&d, first, 2);
    CHECK(h.count == 2 && h.images.size == s.images.size);
    for (size_t i = 0; i < h.images.size; i++)
        CHECK(h.images.data[i] == s.images.data[i]);
    CHECK(h.labels[0] == 4 && h.labels[1] == 3);
    dataset_free(&h);
    dataset_free(&s);
    dataset_free(&d);
}

int main(void)
{
    RUN(test_subset_copies_the_chosen_examples_in_order);
    RUN(test_gather_and_head_agree_with_subset);
    return test_summary();
}
