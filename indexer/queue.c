/* The run's work queue and memory budget: see queue.h. */
#include "queue.h"

#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_CAP 512

struct work_queue {
    pthread_mutex_t mu;
    pthread_cond_t can_take, can_put, memory;
    job q[QUEUE_CAP];
    size_t head, len;
    int closed, stopped;
    size_t budget, reserved;
};

void job_free(job *j)
{
    free(j->path);
    free(j->rel);
}

civ_status queue_new(work_queue **out, size_t budget, civ_error *err)
{
    *out = NULL;
    work_queue *q = calloc(1, sizeof *q);
    if (!q)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->can_take, NULL);
    pthread_cond_init(&q->can_put, NULL);
    pthread_cond_init(&q->memory, NULL);
    q->budget = budget;
    *out = q;
    return CIV_OK;
}

void queue_free(work_queue *q)
{
    if (!q)
        return;
    while (q->len) {
        job_free(&q->q[q->head]);
        q->head = (q->head + 1) % QUEUE_CAP;
        q->len--;
    }
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->can_take);
    pthread_cond_destroy(&q->can_put);
    pthread_cond_destroy(&q->memory);
    free(q);
}

int queue_put(work_queue *q, job *j)
{
    pthread_mutex_lock(&q->mu);
    while (q->len == QUEUE_CAP && !q->stopped)
        pthread_cond_wait(&q->can_put, &q->mu);
    if (q->stopped) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    q->q[(q->head + q->len) % QUEUE_CAP] = *j;
    q->len++;
    pthread_cond_signal(&q->can_take);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

int queue_take(work_queue *q, job *j, int *left_undone)
{
    pthread_mutex_lock(&q->mu);
    while (q->len == 0 && !q->closed && !q->stopped)
        pthread_cond_wait(&q->can_take, &q->mu);
    if (q->len == 0 || q->stopped) {
        if (left_undone)
            *left_undone = q->len > 0;
        pthread_mutex_unlock(&q->mu);
        return 0;
    }
    *j = q->q[q->head];
    q->head = (q->head + 1) % QUEUE_CAP;
    q->len--;
    pthread_cond_signal(&q->can_put);
    pthread_mutex_unlock(&q->mu);
    return 1;
}

void queue_close(work_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->can_take);
    pthread_mutex_unlock(&q->mu);
}

void queue_stop(work_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->stopped = 1;
    pthread_cond_broadcast(&q->can_take);
    pthread_cond_broadcast(&q->can_put);
    pthread_cond_broadcast(&q->memory);
    pthread_mutex_unlock(&q->mu);
}

int queue_stopped(work_queue *q)
{
    pthread_mutex_lock(&q->mu);
    int s = q->stopped;
    pthread_mutex_unlock(&q->mu);
    return s;
}

size_t queue_reserve(work_queue *q, size_t len)
{
    size_t need = len > SIZE_MAX / 6 ? SIZE_MAX / 6 : len * 5;
    if (need < (size_t)1 << 20)
        return 0; /* small files: covered by the fixed part of the budget */
    pthread_mutex_lock(&q->mu);
    while (q->reserved > 0 && q->reserved + need > q->budget && !q->stopped)
        pthread_cond_wait(&q->memory, &q->mu);
    q->reserved += need;
    pthread_mutex_unlock(&q->mu);
    return need;
}

void queue_release(work_queue *q, size_t reserved)
{
    if (!reserved)
        return;
    /* Give the big file's memory back to the system before the next one
     * (freed memory otherwise stays in this thread's malloc arena). */
    malloc_trim(0);
    pthread_mutex_lock(&q->mu);
    q->reserved -= reserved;
    pthread_cond_broadcast(&q->memory);
    pthread_mutex_unlock(&q->mu);
}
