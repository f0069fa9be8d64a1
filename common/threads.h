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

#endif
