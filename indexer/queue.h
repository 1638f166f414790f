/*
 * indexer/queue.h — the run's work: a bounded queue of files from the
 * walk to the workers, and the memory budget big files share.
 *
 * The walk (one thread) puts; workers take until the queue is closed and
 * empty. Stopping (a fatal error, Ctrl-C) wakes everyone: puts fail,
 * takes end, and waiting for memory ends.
 */
#ifndef CIV_QUEUE_H
#define CIV_QUEUE_H

#include <stddef.h>
#include <sys/stat.h>

#include "civ/status.h"
#include "known.h"

/* One file to process. Strings are owned by the job. */
typedef struct job {
    char *path, *rel;
    struct stat st;
    size_t root;       /* index of its root in the run's roots */
    known_file *kf;    /* what the index knew of it (updates), or NULL */
} job;

void job_free(job *j);

typedef struct work_queue work_queue;

/* A queue and a budget of `budget` bytes for files being processed at
 * once. CIV_ENOMEM. */
civ_status queue_new(work_queue **out, size_t budget, civ_error *err);

/* Frees the queue and the jobs still in it. NULL is a no-op. */
void queue_free(work_queue *q);

/* Adds a job (its strings move into the queue), waiting while the queue
 * is full. -1 once the queue is stopped (the job is then the caller's). */
int queue_put(work_queue *q, job *j);

/* Takes the next job, waiting for one. 0 when the queue is closed and
 * empty, or stopped (*left_undone then says whether jobs were left). */
int queue_take(work_queue *q, job *j, int *left_undone);

/* No more jobs will be put. */
void queue_close(work_queue *q);

/* Stop: wakes every waiter; later puts fail and takes end. */
void queue_stop(work_queue *q);
int queue_stopped(work_queue *q);

/* Memory one file needs while it is extracted and indexed: measured at
 * about 5 times its size for big text files (the term generator's
 * positions and Xapian's pending postings). Big files wait for each other
 * so that two of them never exceed the budget together; one alone always
 * goes ahead. Returns what was reserved (0 for small files). */
size_t queue_reserve(work_queue *q, size_t file_len);

/* Gives back what queue_reserve reserved (and the memory to the system). */
void queue_release(work_queue *q, size_t reserved);

#endif
