/*
 * indexer/sandbox.h — hostile files are read in child processes, not in
 * civindex's own address space.
 *
 *   worker thread ──socket──▶ helper (civindex re-executed, one per thread,
 *                              long-lived, libraries and OCR models loaded)
 *                                  └─fork─▶ one child per document (or per
 *                                           OCR page): limits, seccomp,
 *                                           reads, answers, exits
 *
 * Each worker thread gets its own helper the first time it needs one
 * (thread-local); it is ended when the thread exits, and replaced when it
 * dies. The helper never touches a document itself: for every request it
 * forks a child from its clean state (single-threaded, so the fork is
 * safe), which sets its limits — CPU time (RLIMIT_CPU), address space
 * (RLIMIT_AS), no core dumps, PR_SET_NO_NEW_PRIVS — and arms a seccomp
 * filter that forbids opening files, sockets, exec and new processes
 * before it looks at the bytes. The helper kills a child that outlives
 * the wall-clock limit, and reports how it ended. docs/documents.md says
 * what the filter cannot forbid and why.
 *
 * The helper is the running program itself (/proc/self/exe: civindex, or
 * a unit test) started with CIV_HELPER_ARG as its first argument; a
 * constructor in sandbox.c sees it and serves requests before main()
 * runs, so every program that links the sandbox is its own helper.
 */
#ifndef CIV_SANDBOX_H
#define CIV_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "civ/buf.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CIV_HELPER_ARG "--civ-sandbox-helper"

/* The helper's main(): serves requests on its standard input until it is
 * closed. Returns the process's exit status. (Called by the constructor
 * described above.) */
int civ_sandbox_helper_main(int argc, char **argv);

typedef enum civ_sandbox_op {
    CIV_SANDBOX_PDF = 1,   /* metadata, text and kind of every page of a PDF */
    CIV_SANDBOX_PDF_OCR,   /* OCR of one page of the PDF sent last */
    CIV_SANDBOX_IMAGE_OCR, /* OCR of an image file (every frame of a TIFF) */
    CIV_SANDBOX_CONVERT    /* the output of a converter program (unrtf, antiword) */
} civ_sandbox_op;

/* Request flags. */
enum {
    CIV_SANDBOX_KEYS = 1u << 0,    /* PDF_OCR: only the page's content key (the
                                      page drawn at 40 dpi, hashed: a SCANNED
                                      record), no OCR */
    CIV_SANDBOX_SAME_DOC = 1u << 1, /* the same bytes as this thread's previous
                                       request: not sent again if the helper
                                       still has them */
    CIV_SANDBOX_KEEP = 1u << 2      /* the helper keeps the bytes for such
                                       requests (else it frees them at once) */
};

typedef struct civ_sandbox_req {
    civ_sandbox_op op;
    const unsigned char *bytes; /* the document (borrowed) */
    size_t len;
    unsigned page;              /* CIV_SANDBOX_PDF_OCR: the page (1-based) */
    unsigned flags;
    const char *arg;            /* OCR: languages ("eng+deu"); CONVERT: the
                                   converter ("unrtf", "antiword", "catdoc") */
    unsigned cpu_seconds;       /* 0: CIV_SANDBOX_DEFAULT_CPU */
    size_t memory;              /* bytes of address space; 0: CIV_SANDBOX_DEFAULT_MEMORY */
    volatile int *cancel;       /* when it becomes non-zero (Ctrl-C), the request
                                   is given up: CIV_SANDBOX_CANCELLED; may be NULL */
} civ_sandbox_req;

#define CIV_SANDBOX_DEFAULT_CPU 120u
#define CIV_SANDBOX_DEFAULT_MEMORY ((size_t)1 << 30)

typedef enum civ_sandbox_outcome {
    CIV_SANDBOX_DONE = 0,   /* the reply is in *out */
    CIV_SANDBOX_REFUSED,    /* the reader could not read it (damaged, encrypted…): reason */
    CIV_SANDBOX_CRASHED,    /* the child died (a signal, a forbidden system call) */
    CIV_SANDBOX_CPU_LIMIT,  /* over the CPU-time limit */
    CIV_SANDBOX_MEMORY_LIMIT, /* over the memory limit */
    CIV_SANDBOX_WALL_LIMIT, /* hung: killed after the wall-clock limit */
    CIV_SANDBOX_UNAVAILABLE, /* the helper could not be started or died */
    CIV_SANDBOX_CANCELLED,  /* given up (req->cancel): the helper was replaced */
    CIV_SANDBOX_UNSAFE      /* (the last: sandbox.c refuses a reply beyond it)
                               the child could not arm its seccomp filter: it
                               ended before it looked at the document */
} civ_sandbox_outcome;

typedef struct civ_sandbox_result {
    civ_sandbox_outcome outcome;
    char reason[200];       /* one line, for a warning ("crashed: Segmentation fault") */
    double cpu_seconds;     /* CPU time the child used */
} civ_sandbox_result;

/* Runs one request in the calling thread's helper, starting (or
 * replacing) it as needed. On CIV_SANDBOX_DONE the reply (records, below)
 * is appended to out. Errors: CIV_ENOMEM only — a document that defeats
 * the reader, a crash or a hang is an outcome, not an error. */
civ_status civ_sandbox_run(civ_buf *out, civ_sandbox_result *res, const civ_sandbox_req *req,
                           civ_error *err);

/* Ends the calling thread's helper now (it also ends when the thread
 * exits, or the process). Safe to call when there is none. */
void civ_sandbox_stop(void);

/* The wall-clock limit that goes with a CPU-time limit: a busy machine
 * may slow a document down, a hung one uses no CPU at all. */
unsigned civ_sandbox_wall_seconds(unsigned cpu_seconds);

/* ---- replies: a list of records ------------------------------------
 * Each record: a type byte, a number and a byte string (lengths as
 * 32-bit values in host order: both ends are the same binary). */

enum civ_rec_type {
    CIV_REC_META = 1,  /* num: enum civ_meta_key; data: UTF-8 value */
    CIV_REC_PAGES,     /* num: number of pages */
    CIV_REC_PAGE,      /* num: page number; data: its text (UTF-8) */
    CIV_REC_SCANNED,   /* num: page number; data: "", or with CIV_SANDBOX_KEYS
                          the page's content key (16 hex digits) */
    CIV_REC_WARN,      /* data: a warning line */
    CIV_REC_TEXT,      /* data: text (OCR of a page or frame, converter output) */
    CIV_REC_END        /* the reply is complete */
};

enum civ_meta_key {
    CIV_META_TITLE = 1, CIV_META_AUTHOR, CIV_META_SUBJECT, CIV_META_KEYWORDS,
    CIV_META_CREATED, CIV_META_MODIFIED, /* seconds since 1970, decimal */
    CIV_META_ENCRYPTED                   /* "1": opened without a password */
};

/* Appends a record to b (sticky civ_buf errors). */
void civ_rec_put(civ_buf *b, unsigned type, uint32_t num, const void *data, size_t len);

/* Reads the record at *pos of b[0..len) and moves *pos past it. Returns 1,
 * 0 at the end, -1 when the data is damaged. data is borrowed. */
int civ_rec_next(const unsigned char *b, size_t len, size_t *pos, unsigned *type, uint32_t *num,
                 const unsigned char **data, size_t *dlen);

/* ---- inside the helper's child (helper_*.c) --------------------------
 * Each op's reader: reads bytes, appends records to out (the helper adds
 * CIV_REC_END). Returns 0, or -1 with a reason in reason[200] when the
 * input cannot be read (it becomes CIV_SANDBOX_REFUSED). */
typedef struct civ_helper_req {
    civ_sandbox_op op;
    unsigned page, flags;
    const char *arg;
    const unsigned char *bytes;
    size_t len;
} civ_helper_req;

int civ_helper_pdf(const civ_helper_req *r, civ_buf *out, char *reason);
int civ_helper_pdf_ocr(const civ_helper_req *r, civ_buf *out, char *reason);
int civ_helper_image_ocr(const civ_helper_req *r, civ_buf *out, char *reason);

/* Loads what the readers need from disk (fonts, OCR models) in the helper,
 * before a child arms the filter. langs: OCR languages, or NULL. */
void civ_helper_prepare_pdf(void);
int civ_helper_prepare_ocr(const char *langs, char *reason);

/* OCR of an 8-bit grey image (inside the child). Appends the UTF-8 text
 * to out; returns 0, or -1 with a reason. */
int civ_helper_ocr_grey(civ_buf *out, const unsigned char *pixels, int width, int height,
                        int stride, int dpi, char *reason);

#ifdef __cplusplus
}
#endif
#endif
