/* Chapter 05's word vectors (05_rnn/words.c) through the program, as a user
 * runs it: `count` and `word2vec` on a small made-up text whose neighbours are
 * known, and a bad --data file, which must be one line and a non-zero exit.
 * Runs the release binary build/release/bin/05_rnn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "model.h"
#include "rng.h"
#include "test.h"
#include "test_run.h"
#include "test_files.h"

#define BIN "build/release/bin/05_rnn"

static char dir[128];

static void write_file(const char *path, const char *text, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fwrite(text, 1, size, f);
    fclose(f);
}

/* Sentences "thou see the king with a sword in the night for love ." where each
 * slot takes one of two words at random: king or queen, sword or knife, night
 * or morning, love or hate, thou or you. The two words of a slot stand in the
 * very same contexts, so each must be the other's nearest neighbour; they
 * never stand next to each other, so it is not mere co-occurrence. */
static void write_text(const char *path)
{
    static const char *const slots[5][2] = {
        {"thou", "you"}, {"king", "queen"}, {"sword", "knife"}, {"night", "morning"}, {"love", "hate"}};
    static char text[200000];
    size_t used = 0;
    Rng rng;
    rng_seed(&rng, 7);
    for (int s = 0; s < 2000; s++) {
        const char *w[5];
        for (int k = 0; k < 5; k++)
            w[k] = slots[k][rng_int(&rng, 2)];
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "%s see the %s with a %s in the %s for %s .\n", w[0], w[1], w[2], w[3], w[4]);
    }
    write_file(path, text, used);
}

/* The printed neighbour list of query starts with partner. */
static int first_neighbour_is(const char *query, const char *partner)
{
    char want[64];
    snprintf(want, sizeof want, "\n  %-8s %s ", query, partner);
    return strstr(test_output, want) != NULL;
}

static void test_count_finds_the_partners(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, BIN " count --data %s --out %s/out", dir, dir);
    CHECK(test_run_command(cmd) == 0);
    CHECK(strstr(test_output, "kept the 17 seen at least 5 times") != NULL);
    CHECK(first_neighbour_is("king", "queen"));
    CHECK(first_neighbour_is("sword", "knife"));
    CHECK(first_neighbour_is("night", "morning"));
    CHECK(first_neighbour_is("love", "hate"));
    CHECK(first_neighbour_is("thou", "you"));
}

static void test_word2vec_finds_the_partners_and_saves(void)
{
    char cmd[512], path[256], vocab[4096], err[MODEL_ERR_SIZE];
    /* --data may also name the text file itself */
    snprintf(cmd, sizeof cmd, BIN " word2vec --data %s/input.txt --out %s/out", dir, dir);
    CHECK(test_run_command(cmd) == 0);
    CHECK(first_neighbour_is("king", "queen"));
    CHECK(first_neighbour_is("sword", "knife"));
    CHECK(first_neighbour_is("night", "morning"));
    CHECK(first_neighbour_is("love", "hate"));
    CHECK(first_neighbour_is("thou", "you"));
    /* the loss falls from epoch 1 to epoch 10 */
    double l1 = 0, l3 = 0;
    const char *e1 = strstr(test_output, "epoch  1  loss "), *e3 = strstr(test_output, "epoch 10  loss ");
    CHECK(e1 && e3 && sscanf(e1 + 15, "%lf", &l1) == 1 && sscanf(e3 + 15, "%lf", &l3) == 1);
    CHECK(l3 < l1 && l1 > 0);
    /* the embeddings carry their vocabulary, id 0 the most frequent word */
    snprintf(path, sizeof path, "%s/out/word2vec.safetensors", dir);
    CHECK(model_read_metadata(path, "vocabulary", vocab, sizeof vocab, err) == 0);
    CHECK(strncmp(vocab, "the ", 4) == 0 && strstr(vocab, " queen") != NULL);
    CHECK(model_read_metadata(path, "network", vocab, sizeof vocab, err) == 0 && strcmp(vocab, "word2vec_cbow") == 0);
    snprintf(path, sizeof path, "%s/out/words_2d.tsv", dir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f)
        fclose(f);
}

/* One seed, one model: the saved file is the same byte for byte. */
static void test_word2vec_is_repeatable(void)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             BIN " word2vec --data %s --out %s/a --epochs 1 --seed 3 >/dev/null && " BIN
                 " word2vec --data %s --out %s/b --epochs 1 --seed 3 >/dev/null && "
                 "cmp %s/a/word2vec.safetensors %s/b/word2vec.safetensors && " BIN
                 " word2vec --data %s --out %s/c --epochs 1 --seed 4 >/dev/null && "
                 "! cmp -s %s/a/word2vec.safetensors %s/c/word2vec.safetensors",
             dir, dir, dir, dir, dir, dir, dir, dir, dir, dir);
    CHECK(test_run_command(cmd) == 0);
}

static void test_bad_data_is_one_line(void)
{
    char path[256], cmd[512];
    const char *cases[][2] = {
        {"empty.txt", ""},
        {"binary.txt", "king\0queen"},
        {"bad_utf8.txt", "king \xff queen"},
        {"short.txt", "a few words , never repeated ."},
    };
    size_t sizes[] = {0, 10, 12, 30};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, cases[i][0]);
        write_file(path, cases[i][1], sizes[i]);
        const char *cmds[] = {"count", "word2vec"};
        for (int k = 0; k < 2; k++) {
            snprintf(cmd, sizeof cmd, BIN " %s --data %s --out %s/out", cmds[k], path, dir);
            int status = test_run_command(cmd);
            CHECK(status == 1);
            CHECK(test_count_lines(test_output) == 1);
            CHECK(strstr(test_output, path) != NULL);
        }
    }
    snprintf(cmd, sizeof cmd, BIN " count --data %s/no-such-folder --out %s/out", dir, dir);
    CHECK(test_run_command(cmd) == 1);
    CHECK(test_count_lines(test_output) == 1);
}

/* --export-words writes the kept words on one line; --vectors reads word
 * vectors in word2vec.c's text format and shows their neighbours beside ours.
 * Here the vectors are made so that each slot's two words share one. */
static void test_export_words_and_foreign_vectors(void)
{
    static const char *const words[] = {"the", "see", "with", "a", "in", "for", ".",
        "thou", "you", "king", "queen", "sword", "knife", "night", "morning", "love", "hate"};
    enum { COUNT = sizeof words / sizeof words[0] };
    char path[256], cmd[1024];
    snprintf(path, sizeof path, "%s/vectors.txt", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f, "%d 100\n", COUNT + 1);
    fprintf(f, "</s>");                         /* word2vec.c's sentence end: not one of ours */
    for (int d = 0; d < 100; d++)
        fprintf(f, " %d", d == 99);
    fprintf(f, "\n");
    for (int i = 0; i < COUNT; i++) {
        int group = i < 7 ? i : 7 + (i - 7) / 2;    /* the pairs share a direction */
        fprintf(f, "%s", words[i]);
        for (int d = 0; d < 100; d++)
            fprintf(f, " %.2f", d == group ? 1.0 : 0.01 * ((i + d) % 3));
        fprintf(f, "\n");
    }
    fclose(f);
    snprintf(cmd, sizeof cmd, BIN " word2vec --epochs 1 --data %s --out %s/out --export-words %s/words.txt --vectors %s",
             dir, dir, dir, path);
    CHECK(test_run_command(cmd) == 0);
    CHECK(strstr(test_output, "(17 of our 17 words in it)") != NULL);
    CHECK(first_neighbour_is("king", "queen"));
    CHECK(first_neighbour_is("night", "morning"));
    CHECK(strstr(test_output, "neighbours shared on average") != NULL);
    /* one line, as many words as the program says it kept */
    snprintf(cmd, sizeof cmd, "wc -l < %s/words.txt && wc -w < %s/words.txt", dir, dir);
    CHECK(test_run_command(cmd) == 0);
    int lines = 0, count = 0, kept = 0;
    CHECK(sscanf(test_output, "%d %d", &lines, &count) == 2 && lines == 1);
    snprintf(cmd, sizeof cmd, BIN " word2vec --epochs 1 --data %s --out %s/out --export-words %s/words.txt", dir, dir, dir);
    CHECK(test_run_command(cmd) == 0);
    const char *k = strstr(test_output, "  the ");
    CHECK(k && sscanf(k, "  the %d kept words written", &kept) == 1 && kept == count && count > 10000);
}

/* A vectors file that is not word2vec's text format: one line naming it, before any training. */
static void test_bad_vectors_are_one_line(void)
{
    const char *cases[] = {"", "garbage\n", "2 50\nking 1 2\n", "2 100\nking 1 2 3\n", "1 1\n",
                           "99999999999 100\n", "1 100\nking nan\n"};
    char path[256], cmd[1024];
    snprintf(path, sizeof path, "%s/bad_vectors.txt", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file(path, cases[i], strlen(cases[i]));
        snprintf(cmd, sizeof cmd, BIN " word2vec --data %s --out %s/out --vectors %s", dir, dir, path);
        CHECK(test_run_command(cmd) == 1);
        CHECK(test_count_lines(test_output) == 1);
        CHECK(strstr(test_output, path) != NULL);
        CHECK(strstr(test_output, "epoch") == NULL);
    }
}

int main(void)
{
    test_make_temp_dir(dir, sizeof dir, "dl-test-words");
    char path[256];
    snprintf(path, sizeof path, "%s/input.txt", dir);
    write_text(path);
    RUN(test_count_finds_the_partners);
    RUN(test_word2vec_finds_the_partners_and_saves);
    RUN(test_word2vec_is_repeatable);
    RUN(test_bad_data_is_one_line);
    RUN(test_export_words_and_foreign_vectors);
    RUN(test_bad_vectors_are_one_line);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
    return test_summary();
}
