/* timer.h - wall-clock time for measuring. */
#ifndef DL_TIMER_H
#define DL_TIMER_H

double now_seconds(void);   /* monotonic clock, in seconds */

#endif
