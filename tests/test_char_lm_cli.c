/* Chapter 05's language model as a user meets it (build/release/bin/05_rnn):
 * a short `lm` run on a small text lowers the validation loss below a floor;
 * the model and its vocabulary survive the file; `generate` gives the same
 * text for the same seed; a model of another chapter, a prompt the vocabulary
 * cannot spell and bad --data files are one-line errors, never a crash. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "corpus.h"
#include "model.h"
#include "params.h"
#include "test.h"
#include "test_run.h"
#include "test_files.h"

#define BIN "build/release/bin/05_rnn"

static char dir[64];

/* A small model, quick to train: one LSTM layer of 32, batches of 8 x 16. */
#define SMALL "--hidden 32 --layers 1 --batch 8 --seq 16 --sample-length 0 --quiet --threads 1"

/* A text with a pattern to learn, and two characters beyond ASCII, so that the
 * vocabulary's UTF-8 is tested too: "é" (2 bytes) and "λ" (2 bytes). */
static void write_text(const char *path)
{
    static const char *lines[] = {"the cat sat on the mat.\n", "a dog ran to the café.\n",
                                  "λ is a letter, the cat said.\n"};
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 400; i++)
        fputs(lines[(i * 7 + i / 3) % 3], f);
    fclose(f);
}

/* The number after `key` in test_output, or -1. */
static double number_after(const char *key)
{
    const char *p = strstr(test_output, key);
    return p ? atof(p + strlen(key)) : -1;
}

static void test_training_lowers_the_validation_loss(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, BIN " lm " SMALL " --lr 0.01 --iters 300 --eval-every 150 --data %s/text.txt --out %s",
             dir, dir);
    CHECK(test_run_command(cmd) == 0);
    double loss = number_after("char LSTM: validation loss ");
    /* untrained: log 21 = 3.0 nats (21 characters); the lines repeat, in an
     * order of their own, so a model that learnt them goes far below 1 (0.11 here) */
    CHECK(loss > 0 && loss < 0.5);
    if (!(loss > 0 && loss < 0.5))
        printf("%s", test_output);
}

/* The vocabulary in the model's metadata is the text's characters, sorted. */
static void test_model_keeps_its_vocabulary(void)
{
    char path[128], value[256], err[MODEL_ERR_SIZE];
    snprintf(path, sizeof path, "%s/char_lm.safetensors", dir);
    CHECK(model_read_metadata(path, "vocab", value, sizeof value, err) == 0);
    CHECK(strcmp(value, "\n ,.acdefghilmnorstéλ") == 0);
    CharVocab v;
    CHECK(char_vocab_from_string(value, path, &v, err) == 0);
    CHECK(v.size == 21);
    CHECK(char_vocab_id(&v, 0x3bb) == v.size - 1);      /* λ, the largest code point */
    CHECK(char_vocab_id(&v, '\n') == 0);
    char_vocab_free(&v);
    CHECK(model_read_metadata(path, "network", value, sizeof value, err) == 0);
    CHECK(strcmp(value, "char_rnnlm") == 0);
}

static void test_generate_is_repeatable_for_a_seed(void)
{
    char cmd[512];
    static char first[sizeof test_output], greedy[sizeof test_output];
    snprintf(cmd, sizeof cmd, BIN " generate --prompt 'the λ' --length 200 --seed 5 --out %s", dir);
    CHECK(test_run_command(cmd) == 0);
    snprintf(first, sizeof first, "%s", test_output);
    CHECK(strncmp(first, "the λ", strlen("the λ")) == 0);
    CHECK(test_run_command(cmd) == 0);
    /* the last line is the timing, on stderr; the text before it must match */
    char *a = strstr(first, "\n("), *b = strstr(test_output, "\n(");
    CHECK(a && b && a - first == b - test_output && memcmp(first, test_output, (size_t)(a - first)) == 0);
    snprintf(cmd, sizeof cmd, BIN " generate --prompt 'the λ' --length 200 --seed 6 --out %s", dir);
    CHECK(test_run_command(cmd) == 0);
    CHECK(strncmp(first, test_output, 200) != 0);    /* another seed, another text */
    /* temperature 0 is greedy: no seed changes it */
    snprintf(cmd, sizeof cmd, BIN " generate --prompt 'the' --length 100 --temperature 0 --seed 1 --out %s", dir);
    CHECK(test_run_command(cmd) == 0);
    snprintf(greedy, sizeof greedy, "%s", test_output);
    snprintf(cmd, sizeof cmd, BIN " generate --prompt 'the' --length 100 --temperature 0 --seed 2 --out %s", dir);
    CHECK(test_run_command(cmd) == 0);
    CHECK(strncmp(greedy, test_output, 100) == 0);
    /* the model learnt the text: what it writes is made of the text's words */
    CHECK(strstr(greedy, "the") && (strstr(greedy + 3, "cat") || strstr(greedy + 3, "the")));
}

static void test_prompt_outside_the_vocabulary_is_one_line(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, BIN " generate --prompt 'ROMEO:' --out %s", dir);
    CHECK(test_run_command(cmd) == 1);
    CHECK(test_count_lines(test_output) == 1);
    CHECK(strstr(test_output, "--prompt") && strstr(test_output, "'R'"));
}

/* A model file as chapters 02 and 04 save theirs: the right format, the wrong net. */
static void test_model_of_another_chapter_is_one_line(void)
{
    const char *nets[] = {"two_layer_net", "simple_conv_net"};
    for (int i = 0; i < 2; i++) {
        ParamSet ps;
        params_init(&ps);
        params_add(&ps, "W1", 2, (int[]){4, 3}, 1);
        params_alloc(&ps);
        char path[128], cmd[512], err[MODEL_ERR_SIZE];
        snprintf(path, sizeof path, "%s/%s.safetensors", dir, nets[i]);
        const char *meta[] = {"network", nets[i], "made_by", "test", NULL};
        CHECK(model_save(path, &ps, meta, err) == 0);
        params_free(&ps);
        snprintf(cmd, sizeof cmd, BIN " generate --model %s --out %s", path, dir);
        CHECK(test_run_command(cmd) == 1);
        CHECK(test_count_lines(test_output) == 1);
        CHECK(strstr(test_output, path) && strstr(test_output, "not a language model of chapter 05"));
    }
    /* a language model whose metadata lies about its shape */
    char path[128], cmd[512], err[MODEL_ERR_SIZE];
    ParamSet ps;
    params_init(&ps);
    params_add(&ps, "E", 2, (int[]){2, 3}, 1);
    params_alloc(&ps);
    snprintf(path, sizeof path, "%s/liar.safetensors", dir);
    const char *meta[] = {"network", "char_rnnlm", "cell", "lstm", "layers", "2", "embed", "3",
                          "hidden", "ten", "vocab", "ab", NULL};
    CHECK(model_save(path, &ps, meta, err) == 0);
    params_free(&ps);
    snprintf(cmd, sizeof cmd, BIN " generate --model %s --out %s", path, dir);
    CHECK(test_run_command(cmd) == 1);
    CHECK(test_count_lines(test_output) == 1 && strstr(test_output, "hidden"));
    snprintf(cmd, sizeof cmd, BIN " generate --model %s/nothing_here.safetensors --out %s", dir, dir);
    CHECK(test_run_command(cmd) == 1);
    CHECK(test_count_lines(test_output) == 1);
}

/* Bad --data: each a one-line error naming the file, exit status 1. */
static void test_bad_data_is_one_line(void)
{
    char path[128], cmd[512];
    struct {
        const char *name, *bytes, *what;
        size_t n;
    } cases[] = {
        {"empty.txt", "", "empty", 0},
        {"binary.txt", "ab\0cd", "binary", 5},
        {"latin1.txt", "caf\xe9 au lait", "UTF-8", 12},
        {"short.txt", "to be or not to be", "too short", 18},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].name);
        test_write_bytes(path, cases[i].bytes, cases[i].n);
        snprintf(cmd, sizeof cmd, BIN " lm " SMALL " --iters 1 --data %s --out %s", path, dir);
        CHECK(test_run_command(cmd) == 1);
        CHECK(test_count_lines(test_output) == 1);
        CHECK(strstr(test_output, path) && strstr(test_output, cases[i].what));
        if (!(strstr(test_output, path) && strstr(test_output, cases[i].what)))
            printf("%s: %s", cases[i].name, test_output);
    }
    /* a folder without input.txt, and a path that does not exist */
    snprintf(cmd, sizeof cmd, BIN " lm " SMALL " --data %s/no_such_folder/ --out %s", dir, dir);
    CHECK(test_run_command(cmd) == 1);
    CHECK(test_count_lines(test_output) == 1);
    snprintf(cmd, sizeof cmd, BIN " compare " SMALL " --data %s --out %s", dir, dir);
    CHECK(test_run_command(cmd) == 1);
    CHECK(test_count_lines(test_output) == 1 && strstr(test_output, "input.txt"));
}

/* Ctrl-C after the first validation, then --resume: the very same model file,
 * byte for byte, as a run never stopped (the LSTM's carried state included). */
static void test_ctrl_c_then_resume_gives_the_same_model(void)
{
    char text[128], a[128], b[128], ma[160], mb[160];
    snprintf(text, sizeof text, "%s/text.txt", dir);
    snprintf(a, sizeof a, "%s/whole", dir);
    snprintf(b, sizeof b, "%s/part", dir);
    char *whole[] = {BIN, "lm", "--hidden", "32", "--batch", "8", "--seq", "16", "--iters", "400",
                     "--eval-every", "50", "--sample-length", "10", "--quiet", "--threads", "1",
                     "--data", text, "--out", a, NULL};
    CHECK(test_run_argv(whole, NULL) == 0);
    whole[20] = b;
    CHECK(test_run_argv(whole, "---- sample") == 130);
    CHECK(strstr(test_output, "--resume") != NULL);
    char *resumed[] = {BIN, "lm", "--hidden", "32", "--batch", "8", "--seq", "16", "--iters", "400",
                       "--eval-every", "50", "--sample-length", "10", "--quiet", "--threads", "1",
                       "--data", text, "--out", b, "--resume", NULL};
    CHECK(test_run_argv(resumed, NULL) == 0);
    snprintf(ma, sizeof ma, "%s/char_lm.safetensors", a);
    snprintf(mb, sizeof mb, "%s/char_lm.safetensors", b);
    CHECK(test_same_file(ma, mb));
}

static void test_summary_lists_the_layers(void)
{
    CHECK(test_run_command(BIN " --summary") == 0);
    CHECK(strstr(test_output, "TimeEmbedding") && strstr(test_output, "TimeLSTM 2") && strstr(test_output, "TimeAffine"));
    CHECK(strstr(test_output, "total: 279,873 trainable parameters") != NULL);
}

int main(void)
{
    test_make_temp_dir(dir, sizeof dir, "char_lm_cli");
    char path[128];
    snprintf(path, sizeof path, "%s/text.txt", dir);
    write_text(path);
    RUN(test_training_lowers_the_validation_loss);
    RUN(test_model_keeps_its_vocabulary);
    RUN(test_generate_is_repeatable_for_a_seed);
    RUN(test_prompt_outside_the_vocabulary_is_one_line);
    RUN(test_model_of_another_chapter_is_one_line);
    RUN(test_bad_data_is_one_line);
    RUN(test_ctrl_c_then_resume_gives_the_same_model);
    RUN(test_summary_lists_the_layers);
    test_remove_dir(dir);
    return test_summary();
}
