/* threads.h - how many threads the parallel loops use.
 *
 * One setting serves every OpenMP loop (the matrix multiply, ReLU, Adam, the
 * convolution's sums) and OpenBLAS when the build links it (BLAS=1). Every
 * chapter's --threads sets it (options.c); without it OpenMP takes all cores.
 * A build without OpenMP (OMP=0) always runs on one thread. */
#ifndef DL_THREADS_H
#define DL_THREADS_H

/* Use n threads from now on (n < 1 counts as 1). */
void set_threads(int n);
/* The number of threads the next parallel loop may use; 1 without OpenMP. */
int get_threads(void);
/* Inside a parallel region: this thread's number, 0 to the team's size - 1;
 * 0 outside one (or without OpenMP). */
int thread_number(void);
/* Inside a parallel region: the team's size; 1 outside one (or without OpenMP). */
int thread_count(void);
/* Inside a parallel region: this thread's share [*begin, *end) of n items,
 * in even contiguous bands. Outside one (or without OpenMP): all of them. */
void thread_band(int n, int *begin, int *end);
/* A loop over fewer numbers than this (a ReLU, a copy, a sum per channel)
 * stays on one thread: waking the others would cost more than it saves.
 * Big arrays are split, each number computed on its own (or each sum in one
 * fixed order), so the result is the same however they split. */
#define PARALLEL_MIN (1L << 15)
/* The bar for loops that copy or add whole rows (an embedding's backward,
 * seq2seq's tables): a number there is one copy or one addition, cheaper than
 * in most loops, so it takes more of them to pay for waking the threads. */
#define PARALLEL_ROWS_MIN (1L << 16)

/* Nonzero inside a parallel region, where a matrix multiply must not start
 * threads of its own. */
int in_parallel(void);

/* How idle threads wait (see threads.c): when no other program is ready to
 * run, they spin briefly before they sleep; else they sleep at once. Sets
 * OMP_WAIT_POLICY (and GOMP_SPINCOUNT) unless the user did, then starts the
 * program again with argv, once: call it first thing in main. */
void choose_thread_wait(char **argv);
/* One line for benchmark headers: how the idle threads wait in this run. */
const char *thread_wait_description(void);
/* /proc/loadavg's line: how many other tasks were ready to run (its fourth
 * field, "running/total", counts the reader too); -1 if it is not such a line. */
int loadavg_others_running(const char *line);

#endif
