/* Chapter 05's seq2seq subcommands as a user meets them (build/release/bin/05_rnn):
 * a short addition run learns past a floor and `add` answers from its model;
 * a tiny chatbot answers 3 piped lines and exits 0; add, date and chat with a
 * missing, foreign or broken model file, and add with a malformed problem,
 * get one line and a non-zero exit; Ctrl-C and --resume give the model of a
 * run never stopped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "test_run.h"
#include "test_files.h"

#define BIN "build/release/bin/05_rnn"

static char dir[64];

/* The number after `key` in test_output, or -1. */
static double number_after(const char *key)
{
    const char *p = strstr(test_output, key);
    return p ? atof(p + strlen(key)) : -1;
}

/* the output is one line (an error), and the exit status was not 0 */
static int one_line_error(int status, const char *needle)
{
    int ok = status != 0 && test_count_lines(test_output) == 1 && strstr(test_output, needle) != NULL;
    if (!ok)
        printf("  status %d, output: %s", status, test_output);
    return ok;
}

static void test_short_addition_run_learns(void)
{
    char cmd[512];
    /* peeky + reversed, small: 9,000 problems to train, 1,000 held out */
    snprintf(cmd, sizeof cmd, BIN " addition --variant peeky --problems 10000 --hidden 48 --batch 64 --epochs 5 --lr 0.008 "
             "--threads 1 --quiet --out %s", dir);
    CHECK(test_run_command(cmd) == 0);
    double acc = number_after("held-out exact match ");
    /* untrained: 0 (a random answer is right 1 time in thousands); a floor a
     * learning net passes in this many steps, and a broken one cannot */
    CHECK(acc > 0.05);
    if (!(acc > 0.05))
        printf("%s", test_output);
    snprintf(cmd, sizeof cmd, "%s/addition_peeky.safetensors", dir);
    CHECK(access(cmd, R_OK) == 0);
    /* add answers from it: one line, "A+B = S" */
    snprintf(cmd, sizeof cmd, BIN " add 17+385 --out %s", dir);
    CHECK(test_run_command(cmd) == 0);
    CHECK(strncmp(test_output, "17+385 = ", 9) == 0 && test_count_lines(test_output) == 1);
    /* beam search of width 1 answers as greedy decoding does */
    char greedy[256] = {0};
    memcpy(greedy, test_output, sizeof greedy - 1);     /* the line is far shorter */
    snprintf(cmd, sizeof cmd, BIN " add 17+385 --beam 1 --out %s", dir);
    CHECK(test_run_command(cmd) == 0 && strcmp(test_output, greedy) == 0);
    snprintf(cmd, sizeof cmd, BIN " add 17+385 --beam 4 --out %s", dir);
    CHECK(test_run_command(cmd) == 0 && strncmp(test_output, "17+385 = ", 9) == 0);
}

static void test_add_rejects_malformed_problems(void)
{
    const char *bad[] = {"17-385", "1234+5", "+5", "5+", "1+2+3", "a+b", "", " 1+2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, BIN " add '%s' --out %s", bad[i], dir);
        CHECK(one_line_error(test_run_command(cmd), "is not a problem"));
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, BIN " add --out %s", dir);   /* no problem at all */
    CHECK(test_run_command(cmd) == 2 && test_count_lines(test_output) == 1);
}

static void test_missing_foreign_and_broken_models(void)
{
    char cmd[1024], model[128], broken[128], foreign[128];
    snprintf(model, sizeof model, "%s/addition_peeky.safetensors", dir);
    snprintf(broken, sizeof broken, "%s/broken.safetensors", dir);
    snprintf(foreign, sizeof foreign, "%s/foreign.safetensors", dir);
    /* broken: the first 300 bytes of a real model */
    snprintf(cmd, sizeof cmd, "head -c 300 %s > %s", model, broken);
    CHECK(system(cmd) == 0);
    /* foreign: not a safetensors file at all */
    FILE *f = fopen(foreign, "w");
    fputs("P5\n2 2\n255\nabcd", f);
    fclose(f);

    snprintf(cmd, sizeof cmd, BIN " add 1+2 --out %s/nowhere", dir);
    CHECK(one_line_error(test_run_command(cmd), "no such model"));
    snprintf(cmd, sizeof cmd, BIN " date '27 sep 94' --out %s/nowhere", dir);
    CHECK(one_line_error(test_run_command(cmd), "no such model"));
    snprintf(cmd, sizeof cmd, "echo hello | " BIN " chat --out %s/nowhere", dir);
    CHECK(one_line_error(test_run_command(cmd), "no such model"));

    const char *files[2] = {broken, foreign};
    for (int i = 0; i < 2; i++) {
        snprintf(cmd, sizeof cmd, BIN " add 1+2 --model %s", files[i]);
        CHECK(one_line_error(test_run_command(cmd), files[i]));
        snprintf(cmd, sizeof cmd, BIN " date '27 sep 94' --model %s", files[i]);
        CHECK(one_line_error(test_run_command(cmd), files[i]));
        snprintf(cmd, sizeof cmd, "echo hello | " BIN " chat --model %s", files[i]);
        CHECK(one_line_error(test_run_command(cmd), files[i]));
    }
    /* another task's model: the addition model for date and chat */
    snprintf(cmd, sizeof cmd, BIN " date '27 sep 94' --model %s", model);
    CHECK(one_line_error(test_run_command(cmd), "not a model for this"));
    snprintf(cmd, sizeof cmd, "echo hello | " BIN " chat --model %s", model);
    CHECK(one_line_error(test_run_command(cmd), "not a model for this"));
}

/* A small play: speeches of two speakers in turn, in Tiny Shakespeare's layout. */
static void write_play(const char *path)
{
    static const char *lines[] = {"Good morrow, my lord.", "What news from Rome?", "The king is dead.",
                                  "Then long live the king!", "I am sick at heart.", "Go to, be merry."};
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 240; i++)
        fprintf(f, "%s:\n%s\n\n", i % 2 ? "ROMEO" : "JULIET", lines[(i * 5 + i / 6) % 6]);
    fclose(f);
}

static void test_chat_answers_piped_lines(void)
{
    char cmd[1024], play[128];
    snprintf(play, sizeof play, "%s/play.txt", dir);
    write_play(play);
    snprintf(cmd, sizeof cmd, BIN " chatbot --data %s --hidden 16 --embed 8 --chat-iters 20 --threads 1 --quiet "
             "--out %s", play, dir);
    CHECK(test_run_command(cmd) == 0);
    CHECK(strstr(test_output, "pairs of speeches") != NULL && strstr(test_output, "baseline") != NULL);
    /* three lines in, three answers out, exit 0 at the end of input; sampling and beam search */
    snprintf(cmd, sizeof cmd, "printf 'Good morrow!\\nWhat news?\\nI am sick.\\n' | " BIN " chat --out %s", dir);
    CHECK(test_run_command(cmd) == 0);
    CHECK(test_count_lines(test_output) == 3);
    snprintf(cmd, sizeof cmd, "printf 'Good morrow!\\nWhat news?\\nI am sick.\\n' | " BIN " chat --beam 3 --out %s",
             dir);
    CHECK(test_run_command(cmd) == 0);
    CHECK(test_count_lines(test_output) == 3);
    /* a text that is not a play */
    FILE *f = fopen(play, "w");
    fputs("just some words\nand more words\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, BIN " chatbot --data %s --quiet --out %s", play, dir);
    CHECK(one_line_error(test_run_command(cmd), "pairs of speeches"));
}

/* A seq2seq run stopped by Ctrl-C and resumed with --resume saves the same
 * model and the same per-epoch logs, byte for byte, as a run never stopped
 * (both tasks: addition's peeky net, and dates' attention net). */
static void check_ctrl_c_then_resume(const char *task, const char *variant, const char *model, const char *log,
                                     const char *plot_data)
{
    char a[64], b[64], ma[160], mb[160];
    test_make_temp_dir(a, sizeof a, "s2s_resume_a");
    test_make_temp_dir(b, sizeof b, "s2s_resume_b");
    char *whole[] = {BIN, (char *)task, "--variant", (char *)variant, "--problems", "2000", "--hidden", "24",
                     "--batch", "64", "--epochs", "4", "--threads", "2", "--out", a, NULL};
    CHECK(test_run_argv(whole, NULL) == 0);
    char *part[] = {BIN, (char *)task, "--variant", (char *)variant, "--problems", "2000", "--hidden", "24",
                    "--batch", "64", "--epochs", "4", "--threads", "2", "--out", b, NULL};
    CHECK(test_run_argv(part, "epoch  2 ") == 130);
    CHECK(strstr(test_output, "stopped by Ctrl-C") != NULL && strstr(test_output, "--resume") != NULL);
    char *resumed[] = {BIN, (char *)task, "--variant", (char *)variant, "--problems", "2000", "--hidden", "24",
                       "--batch", "64", "--epochs", "4", "--threads", "2", "--out", b, "--resume", NULL};
    CHECK(test_run_argv(resumed, NULL) == 0);
    CHECK(strstr(test_output, "resumed from") != NULL);
    const char *files[] = {model, log, plot_data};   /* plot_data: the task's plot, every epoch's match */
    for (int i = 0; i < 3; i++) {
        snprintf(ma, sizeof ma, "%s/%s", a, files[i]);
        snprintf(mb, sizeof mb, "%s/%s", b, files[i]);
        CHECK(test_same_file(ma, mb));
    }
    test_remove_dir(a);
    test_remove_dir(b);
}

static void test_ctrl_c_then_resume_addition(void)
{
    check_ctrl_c_then_resume("addition", "peeky", "addition_peeky.safetensors", "addition_peeky_accuracy.tsv", "addition.tsv");
}

static void test_ctrl_c_then_resume_dates(void)
{
    check_ctrl_c_then_resume("dates", "attention", "dates_attention.safetensors", "dates_attention_accuracy.tsv", "dates.tsv");
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/dl_test_s2s_%ld", (long)getpid());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0)
        return 1;
    RUN(test_short_addition_run_learns);
    RUN(test_add_rejects_malformed_problems);
    RUN(test_missing_foreign_and_broken_models);
    RUN(test_chat_answers_piped_lines);
    RUN(test_ctrl_c_then_resume_addition);
    RUN(test_ctrl_c_then_resume_dates);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return test_summary();
}
