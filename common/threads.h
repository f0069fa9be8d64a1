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
/* Inside a parallel region: this thread's share [*begin, *end) of n items,
 * in even contiguous bands. Outside one (or without OpenMP): all of them. */
void thread_band(int n, int *begin, int *end);
/* Nonzero inside a parallel region, where a matrix multiply must not start
 * threads of its own. */
int in_parallel(void);

#endif
