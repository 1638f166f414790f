/* The sandbox: a helper process per worker thread, a child per document
 * (see sandbox.h). The parent's side comes first, then the helper's. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "civ/parse.h"
#include "sandbox_filter.h"

extern char **environ;

#define WIRE_MAGIC 0x43495653u /* "CIVS" */
#define MAX_REPLY ((uint64_t)512 * 1024 * 1024)
#define MAX_DOC ((uint64_t)4 * 1024 * 1024 * 1024)
/* Beyond the wall-clock limit the helper gets this long to answer before
 * it is taken for hung itself. */
#define HELPER_GRACE 30

/* What the parent sends for each request, then arg_len bytes of argument
 * and (unless reuse) len bytes of document. */
typedef struct wire_req {
    uint32_t magic, op, page, flags;
    uint32_t cpu, wall, arg_len, reuse;
    uint64_t memory, len;
} wire_req;

/* The helper's answer, then reason_len bytes of reason and payload_len of
 * records. */
typedef struct wire_rep {
    uint32_t magic, outcome, reason_len, pad;
    uint64_t payload_len;
    double cpu;
} wire_rep;

/* Internal record: the reader refused the input (data: why). */
#define REC_REFUSED 100

/* A child that cannot arm its filter ends with this status, after these
 * words on its standard error (a converter may exit 121 itself). */
#define CHILD_UNSAFE 121
#define UNSAFE_WORDS "civ-sandbox: no system-call filter"

unsigned civ_sandbox_wall_seconds(unsigned cpu_seconds)
{
    /* Generous: a machine busy with other work slows a document down. */
    return cpu_seconds * 2 + 10;
}

/* ---- I/O helpers ------------------------------------------------------------ */

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == ENOTSOCK)
            w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads exactly n bytes before the deadline (0: none). Returns 0, -1 on
 * end of file or error, -2 on time-out, -3 when *cancel is set. */
static int read_all_or(int fd, void *p, size_t n, double deadline, volatile int *cancel)
{
    char *c = p;
    while (n) {
        if (cancel && *cancel)
            return -3;
        if (deadline > 0) {
            double left = deadline - now_s();
            if (left <= 0)
                return -2;
            if (cancel && left > 0.25)
                left = 0.25; /* look at *cancel four times a second */
            struct pollfd pfd = { .fd = fd, .events = POLLIN };
            int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
            if (pr < 0 && errno == EINTR)
                continue;
            if (pr < 0)
                return -1;
            if (pr == 0)
                continue;
        }
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n, double deadline)
{
    return read_all_or(fd, p, n, deadline, NULL);
}

/* ---- the parent: one helper per thread ------------------------------------ */

typedef struct helper {
    pid_t pid;
    int fd;
    int has_doc;   /* holds the bytes of this thread's previous request */
} helper;

static __thread helper tl_helper = { 0, -1, 0 };
static pthread_key_t helper_key;
static pthread_once_t helper_once = PTHREAD_ONCE_INIT;
static char self_exe[4096];

static void helper_end(helper *h)
{
    if (h->fd >= 0)
        close(h->fd);
    h->fd = -1;
    if (h->pid > 0) {
        kill(h->pid, SIGKILL);
        while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    h->pid = 0;
    h->has_doc = 0;
}

static void helper_destroy(void *p)
{
    helper_end(p);
}

/* Any program that links the sandbox is its own helper: re-executed with
 * CIV_HELPER_ARG, it serves requests before its main() ever runs (glibc
 * hands constructors the arguments). So no program can start copies of
 * itself that do its real work instead. */
__attribute__((constructor)) static void helper_entry(int argc, char **argv, char **envp)
{
    (void)envp;
    if (argc > 1 && argv && argv[1] && strcmp(argv[1], CIV_HELPER_ARG) == 0)
        _exit(civ_sandbox_helper_main(argc, argv));
}

static void helper_init_once(void)
{
    pthread_key_create(&helper_key, helper_destroy);
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    self_exe[n > 0 ? n : 0] = '\0';
    /* A binary replaced while it runs (an install): its own image is still
     * reachable through /proc. (The name read first is kept otherwise:
     * under valgrind, /proc/self/exe is valgrind.) */
    size_t len = strlen(self_exe);
    if (len > 10 && strcmp(self_exe + len - 10, " (deleted)") == 0)
        snprintf(self_exe, sizeof self_exe, "/proc/self/exe");
}

void civ_sandbox_stop(void)
{
    helper_end(&tl_helper);
}

/* Starts this thread's helper. Returns 0, or -1 with the reason. */
static int helper_start(helper *h, char *reason, size_t rsz)
{
    pthread_once(&helper_once, helper_init_once);
    pthread_setspecific(helper_key, h);
    /* A helper never starts helpers. */
    if (getenv("CIV_SANDBOX_PARENT")) {
        snprintf(reason, rsz, "the sandbox helper cannot start another");
        return -1;
    }
    if (!self_exe[0]) {
        snprintf(reason, rsz, "cannot find the civindex program to start the sandbox helper");
        return -1;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(reason, rsz, "cannot start the sandbox helper: %s", strerror(errno));
        return -1;
    }
    size_t nenv = 0;
    while (environ[nenv])
        nenv++;
    char **envp = calloc(nenv + 3, sizeof *envp);
    char parent[48];
    snprintf(parent, sizeof parent, "CIV_SANDBOX_PARENT=%ld", (long)getpid());
    if (!envp) {
        close(sv[0]);
        close(sv[1]);
        snprintf(reason, rsz, "out of memory starting the sandbox helper");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < nenv; i++)
        if (strncmp(environ[i], "OMP_THREAD_LIMIT=", 17) != 0 &&
            strncmp(environ[i], "CIV_SANDBOX_PARENT=", 19) != 0)
            envp[k++] = environ[i];
    /* Tesseract's OpenMP threads would fight the other workers for the
     * cores: one thread per helper. */
    envp[k++] = "OMP_THREAD_LIMIT=1";
    envp[k++] = parent;
    envp[k] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_init(&at);
    /* Its own process group: a Ctrl-C at the terminal stops civindex,
     * which ends its helpers, not the helpers behind its back. */
    posix_spawnattr_setpgroup(&at, 0);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    sigaddset(&dfl, SIGINT);
    sigaddset(&dfl, SIGTERM);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dfl);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
    char *argv[] = { self_exe, CIV_HELPER_ARG, NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, self_exe, &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    free(envp);
    close(sv[1]);
    if (rc != 0) {
        close(sv[0]);
        snprintf(reason, rsz, "cannot start the sandbox helper: %s", strerror(rc));
        return -1;
    }
    h->pid = pid;
    h->fd = sv[0];
    h->has_doc = 0;
    return 0;
}

static void set_result(civ_sandbox_result *res, civ_sandbox_outcome o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void set_result(civ_sandbox_result *res, civ_sandbox_outcome o, const char *fmt, ...)
{
    res->outcome = o;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->reason, sizeof res->reason, fmt, ap);
    va_end(ap);
}

/* Sends the request. Returns 0, or -1 when the helper is gone. */
static int send_req(helper *h, const civ_sandbox_req *req, unsigned cpu, size_t mem)
{
    wire_req w = { 0 };
    size_t alen = req->arg ? strlen(req->arg) : 0;
    w.magic = WIRE_MAGIC;
    w.op = (uint32_t)req->op;
    w.page = req->page;
    w.flags = req->flags;
    w.cpu = cpu;
    w.wall = civ_sandbox_wall_seconds(cpu);
    w.memory = mem;
    w.arg_len = (uint32_t)alen;
    w.reuse = (req->flags & CIV_SANDBOX_SAME_DOC) && h->has_doc;
    w.len = w.reuse ? 0 : req->len;
    if (write_all(h->fd, &w, sizeof w) != 0 || (alen && write_all(h->fd, req->arg, alen) != 0) ||
        (!w.reuse && req->len && write_all(h->fd, req->bytes, req->len) != 0))
        return -1;
    h->has_doc = (req->flags & CIV_SANDBOX_KEEP) != 0;
    return 0;
}

civ_status civ_sandbox_run(civ_buf *out, civ_sandbox_result *res, const civ_sandbox_req *req,
                           civ_error *err)
{
    helper *h = &tl_helper;
    memset(res, 0, sizeof *res);
    unsigned cpu = req->cpu_seconds ? req->cpu_seconds : CIV_SANDBOX_DEFAULT_CPU;
    size_t mem = req->memory ? req->memory : CIV_SANDBOX_DEFAULT_MEMORY;
    /* A helper that died between requests is replaced once; one that
     * dies during a request is that request's outcome. */
    int sent = 0;
    for (int attempt = 0; attempt < 2 && !sent; attempt++) {
        if (h->fd < 0 && helper_start(h, res->reason, sizeof res->reason) != 0) {
            res->outcome = CIV_SANDBOX_UNAVAILABLE;
            return CIV_OK;
        }
        if (send_req(h, req, cpu, mem) == 0)
            sent = 1;
        else
            helper_end(h);
    }
    if (!sent) {
        set_result(res, CIV_SANDBOX_UNAVAILABLE, "the sandbox helper does not answer");
        return CIV_OK;
    }
    double deadline = now_s() + civ_sandbox_wall_seconds(cpu) + HELPER_GRACE;
    wire_rep rep;
    int rc = read_all_or(h->fd, &rep, sizeof rep, deadline, req->cancel);
    if (rc == 0 && (rep.magic != WIRE_MAGIC || rep.payload_len > MAX_REPLY ||
                    rep.reason_len >= sizeof res->reason || rep.outcome > CIV_SANDBOX_UNSAFE))
        rc = -1;
    char reason[sizeof res->reason];
    if (rc == 0)
        rc = read_all_or(h->fd, reason, rep.reason_len, deadline, req->cancel);
    if (rc == 0 && rep.payload_len) {
        size_t before = out->len;
        if (civ_buf_reserve(out, (size_t)rep.payload_len) != 0) {
            helper_end(h);
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
        }
        rc = read_all_or(h->fd, out->data + before, (size_t)rep.payload_len, deadline,
                         req->cancel);
        if (rc == 0) {
            out->len = before + (size_t)rep.payload_len;
            out->data[out->len] = '\0';
        }
    }
    if (rc != 0) {
        /* The helper itself died or hung: replaced for the next request. */
        int status = 0;
        pid_t pid = h->pid;
        if (h->fd >= 0)
            close(h->fd);
        h->fd = -1;
        if (rc == -2 || rc == -3)
            kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        h->pid = 0;
        h->has_doc = 0;
        if (rc == -3)
            set_result(res, CIV_SANDBOX_CANCELLED, "interrupted");
        else if (rc == -2)
            set_result(res, CIV_SANDBOX_WALL_LIMIT, "the sandbox helper hung (killed after %u s)",
                       civ_sandbox_wall_seconds(cpu) + HELPER_GRACE);
        else if (WIFSIGNALED(status))
            set_result(res, CIV_SANDBOX_UNAVAILABLE, "the sandbox helper died: %s",
                       strsignal(WTERMSIG(status)));
        else
            set_result(res, CIV_SANDBOX_UNAVAILABLE, "the sandbox helper died (exit status %d)",
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return CIV_OK;
    }
    reason[rep.reason_len] = '\0';
    res->outcome = (civ_sandbox_outcome)rep.outcome;
    res->cpu_seconds = rep.cpu;
    snprintf(res->reason, sizeof res->reason, "%s", reason);
    return CIV_OK;
}

/* ---- the helper ------------------------------------------------------------ */

/* The children's filters (sandbox_filter.c), made once by the helper. */
static scmp_filter_ctx reader_filter, converter_filter;

/* Limits of a child, set before it looks at the document. */
static void child_limits(unsigned cpu, uint64_t memory)
{
    struct rlimit rl;
    rl.rlim_cur = cpu;
    rl.rlim_max = cpu + 2; /* SIGXCPU first, SIGKILL if it is ignored */
    setrlimit(RLIMIT_CPU, &rl);
    rl.rlim_cur = rl.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &rl);
#if !defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer reserves terabytes of address space for its shadow:
     * there the limit cannot be an address-space one (docs/documents.md). */
    rl.rlim_cur = rl.rlim_max = (rlim_t)memory;
    setrlimit(RLIMIT_AS, &rl);
#else
    (void)memory;
#endif
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* Test-only behaviour, for the tests that prove the recovery: a document
 * holding one of these words does what it says, when CIV_SANDBOX_TEST is
 * set in civindex's environment. */
static const char *test_mode(const unsigned char *b, size_t len)
{
    static const char *const modes[] = { "CIV-TEST-CRASH", "CIV-TEST-HANG", "CIV-TEST-SPIN",
                                         "CIV-TEST-MEMORY", "CIV-TEST-KILL-HELPER",
                                         "CIV-TEST-OPEN", "CIV-TEST-SOCKET", "CIV-TEST-KILL-PARENT",
                                         NULL };
    const char *on = getenv("CIV_SANDBOX_TEST");
    if (!on || !*on || *on == '0' || !b)
        return NULL;
    size_t scan = len < 4096 ? len : 4096;
    for (int i = 0; modes[i]; i++)
        if (memmem(b, scan, modes[i], strlen(modes[i])))
            return modes[i];
    return NULL;
}

static void child_test(const char *mode, uint64_t memory, int out)
{
    if (strcmp(mode, "CIV-TEST-CRASH") == 0) {
        signal(SIGSEGV, SIG_DFL); /* a plain crash, not a sanitizer report */
        raise(SIGSEGV);
    } else if (strcmp(mode, "CIV-TEST-HANG") == 0) {
        for (;;)
            pause();
    } else if (strcmp(mode, "CIV-TEST-SPIN") == 0) {
        volatile unsigned long n = 0;
        for (;;)
            n++;
    } else if (strcmp(mode, "CIV-TEST-MEMORY") == 0) {
        /* What poppler's allocator does when memory runs out. Capped at the
         * limit where the address space is not limited (sanitizers). */
        uint64_t got = 0;
        for (;;) {
            char *p = got + ((uint64_t)16 << 20) <= memory ? malloc((size_t)16 << 20) : NULL;
            if (!p) {
                fputs("Out of memory\n", stderr);
                signal(SIGABRT, SIG_DFL);
                abort();
            }
            memset(p, 1, (size_t)16 << 20);
            got += (uint64_t)16 << 20;
        }
    } else if (strcmp(mode, "CIV-TEST-OPEN") == 0) {
        int fd = open("/etc/hostname", O_RDONLY);
        civ_buf b = CIV_BUF_INIT;
        char msg[128];
        snprintf(msg, sizeof msg, "opening a file: %s", fd >= 0 ? "allowed" : strerror(errno));
        civ_rec_put(&b, REC_REFUSED, 0, msg, strlen(msg));
        civ_rec_put(&b, CIV_REC_END, 0, NULL, 0);
        write_all(out, b.data, b.len);
        _exit(0);
    } else if (strcmp(mode, "CIV-TEST-SOCKET") == 0) {
        socket(AF_INET, SOCK_STREAM, 0);
        _exit(0);
    } else if (strcmp(mode, "CIV-TEST-KILL-PARENT") == 0) {
        kill(getppid(), SIGKILL);
        _exit(0);
    }
}

/* Arms the child's filter f (NULL: seccomp could not make one). A child
 * that cannot is not safe to look at the document: it ends at once. */
static void arm_filter(scmp_filter_ctx f)
{
    civ_sandbox_own_signals(f);
    if (!f || seccomp_load(f) != 0) {
        fputs(UNSAFE_WORDS "\n", stderr);
        _exit(CHILD_UNSAFE);
    }
}

/* The child: limits, filter, read, answer on fd 1, exit. Never returns. */
static void child_main(const wire_req *w, const char *arg, const unsigned char *doc, size_t len)
{
    const char *mode = test_mode(doc, len);
    child_limits(w->cpu, w->memory);
    if (w->op == CIV_SANDBOX_CONVERT) {
        /* The converter reads the document as its standard input, a
         * memory file it can seek in. */
        int mfd = memfd_create("document", MFD_CLOEXEC);
        if (mfd < 0 || write_all(mfd, doc, len) != 0 || lseek(mfd, 0, SEEK_SET) != 0)
            _exit(120);
        dup2(mfd, 0);
        close_range(3, ~0u, 0);
        arm_filter(converter_filter);
        if (mode)
            child_test(mode, w->memory, 1);
        const char *prog = arg;
        char *argv[8];
        int k = 0;
        if (strcmp(prog, "unrtf") == 0) {
            argv[k++] = "unrtf";
            argv[k++] = "--html";
        } else if (strcmp(prog, "antiword") == 0) {
            argv[k++] = "antiword";
            argv[k++] = "-m";
            argv[k++] = "UTF-8.txt";
            argv[k++] = "-w";
            argv[k++] = "0";
            argv[k++] = "/dev/stdin";
        } else if (strcmp(prog, "catdoc") == 0) {
            argv[k++] = "catdoc";
            argv[k++] = "-d";
            argv[k++] = "utf-8";
            argv[k++] = "-w";
            argv[k++] = "/dev/stdin";
        } else {
            _exit(122);
        }
        argv[k] = NULL;
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", prog, strerror(errno));
        _exit(127);
    }
    close(0);
    close_range(3, ~0u, 0);
    arm_filter(reader_filter);
    if (mode)
        child_test(mode, w->memory, 1);
    civ_helper_req r = { (civ_sandbox_op)w->op, w->page, w->flags, arg, doc, len };
    civ_buf out = CIV_BUF_INIT;
    char reason[200] = "";
    int rc;
    switch (w->op) {
    case CIV_SANDBOX_PDF: rc = civ_helper_pdf(&r, &out, reason); break;
    case CIV_SANDBOX_PDF_OCR: rc = civ_helper_pdf_ocr(&r, &out, reason); break;
    case CIV_SANDBOX_IMAGE_OCR: rc = civ_helper_image_ocr(&r, &out, reason); break;
    default:
        snprintf(reason, sizeof reason, "unknown request");
        rc = -1;
    }
    if (rc != 0) {
        civ_buf_reset(&out);
        civ_rec_put(&out, REC_REFUSED, 0, reason, strlen(reason));
    }
    civ_rec_put(&out, CIV_REC_END, 0, NULL, 0);
    if (civ_buf_failed(&out)) {
        fputs("Out of memory\n", stderr);
        _exit(3);
    }
    write_all(1, out.data, out.len);
    /* _exit: no atexit handlers, no leak check (it would need ptrace). */
    _exit(0);
}

/* The last line of what the child wrote to stderr (trimmed), into out. */
static void last_line(char *out, size_t n, const civ_buf *err)
{
    out[0] = '\0';
    if (!err->len)
        return;
    const char *e = err->data + err->len;
    while (e > err->data && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
        e--;
    const char *s = e;
    while (s > err->data && s[-1] != '\n')
        s--;
    snprintf(out, n, "%.*s", (int)(e - s), s);
}

static int has(const civ_buf *b, const char *what)
{
    return b->len && memmem(b->data, b->len, what, strlen(what)) != NULL;
}

/* How a converter or reader process ended, and what it wrote. */
typedef struct child_end {
    civ_buf raw, err;   /* its standard output and standard error */
    int timed_out;      /* killed at the wall-clock limit */
    int too_big;        /* killed for giving more than MAX_REPLY */
    int status;         /* as wait4() gives it */
    struct rusage ru;
    double cpu;         /* CPU seconds, user and system */
} child_end;

/* Reads the child's standard output (fd_out) and error (fd_err) into e
 * until both end, the wall-clock limit (wall seconds from now) passes or
 * the output grows too big. */
static void read_child(child_end *e, int fd_out, int fd_err, unsigned wall)
{
    double deadline = now_s() + wall;
    int open_o = 1, open_e = 1;
    while (open_o || open_e) {
        struct pollfd pf[2] = { { .fd = open_o ? fd_out : -1, .events = POLLIN },
                                { .fd = open_e ? fd_err : -1, .events = POLLIN } };
        double left = deadline - now_s();
        if (left <= 0) {
            e->timed_out = 1;
            break;
        }
        int pr = poll(pf, 2, (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            break;
        char chunk[65536];
        for (int i = 0; i < 2; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = read(pf[i].fd, chunk, sizeof chunk);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                *(i ? &open_e : &open_o) = 0;
                continue;
            }
            if (i == 0) {
                if (e->raw.len + (size_t)r > MAX_REPLY - 4096) {
                    e->too_big = 1;
                    open_o = open_e = 0;
                    break;
                }
                civ_buf_append(&e->raw, chunk, (size_t)r);
            } else if (e->err.len < 65536) {
                civ_buf_append(&e->err, chunk, (size_t)r);
            }
        }
    }
}

/* The outcome of a child killed by signal sig (oom_words: its error
 * output speaks of memory; mb: the memory limit as text). */
static void judge_signal(wire_rep *rep, char *reason, size_t rsz, const wire_req *w,
                         const child_end *e, int sig, int oom_words, const char *mb)
{
    if (sig == SIGXCPU || (sig == SIGKILL && e->cpu >= (double)w->cpu - 0.5)) {
        rep->outcome = CIV_SANDBOX_CPU_LIMIT;
        snprintf(reason, rsz, "over the CPU time limit (%u s)", w->cpu);
    } else if (oom_words || (uint64_t)e->ru.ru_maxrss * 1024 >= w->memory / 10 * 9) {
        rep->outcome = CIV_SANDBOX_MEMORY_LIMIT;
        snprintf(reason, rsz, "over the memory limit (%s)", mb);
    } else if (sig == SIGSYS) {
        rep->outcome = CIV_SANDBOX_CRASHED;
        snprintf(reason, rsz, "was stopped by the sandbox: a forbidden system call");
    } else {
        rep->outcome = CIV_SANDBOX_CRASHED;
        snprintf(reason, rsz, "crashed: %s", strsignal(sig));
    }
}

/* Writes the reason of an outcome, cut to rsz bytes: what a converter
 * names (its program) may be longer. */
static void set_reason(char *reason, size_t rsz, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void set_reason(char *reason, size_t rsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, rsz, fmt, ap);
    va_end(ap);
}

/* The outcome of a converter (arg: the program) that exited: its output
 * is the text, into payload as records. */
static void judge_convert(wire_rep *rep, civ_buf *payload, char *reason, size_t rsz,
                          const char *arg, const child_end *e, int oom_words, const char *mb,
                          const char *line)
{
    int code = WIFEXITED(e->status) ? WEXITSTATUS(e->status) : -1;
    if (code == 0) {
        rep->outcome = CIV_SANDBOX_DONE;
        civ_rec_put(payload, CIV_REC_TEXT, 0, e->raw.data, e->raw.len);
        civ_rec_put(payload, CIV_REC_END, 0, NULL, 0);
    } else if (code == 127) {
        rep->outcome = CIV_SANDBOX_UNAVAILABLE;
        set_reason(reason, rsz, "%s is not installed", arg);
    } else if (oom_words) {
        rep->outcome = CIV_SANDBOX_MEMORY_LIMIT;
        snprintf(reason, rsz, "over the memory limit (%s)", mb);
    } else {
        rep->outcome = CIV_SANDBOX_REFUSED;
        set_reason(reason, rsz, "%s: %s", arg, *line ? line : "could not read it");
    }
}

/* The outcome of a reader that exited cleanly: its answer, records
 * raw[0..len), into payload. A complete answer ends with its END record. */
static void judge_answer(wire_rep *rep, civ_buf *payload, char *reason, size_t rsz,
                         const civ_buf *raw)
{
    size_t pos = 0, dlen, last = 0;
    unsigned type = 0;
    uint32_t num;
    const unsigned char *data;
    int r, refused = 0;
    while ((r = civ_rec_next((const unsigned char *)raw->data, raw->len, &pos, &type, &num,
                             &data, &dlen)) == 1) {
        last = type;
        if (type == REC_REFUSED) {
            refused = 1;
            snprintf(reason, rsz, "%.*s", (int)dlen, (const char *)data);
        }
    }
    if (r < 0 || last != CIV_REC_END) {
        rep->outcome = CIV_SANDBOX_CRASHED;
        snprintf(reason, rsz, "crashed: its answer was cut short");
    } else if (refused) {
        rep->outcome = CIV_SANDBOX_REFUSED;
    } else {
        rep->outcome = CIV_SANDBOX_DONE;
        civ_buf_append(payload, raw->data, raw->len);
    }
}

/* The outcome of request w (arg: its program or format) from how its
 * child ended, e; the answer into payload. */
static void judge(wire_rep *rep, civ_buf *payload, char *reason, size_t rsz, const wire_req *w,
                  const char *arg, const child_end *e)
{
    /* Sanitizer reports from the child reach the helper's stderr. */
    if (has(&e->err, "Sanitizer") || has(&e->err, "runtime error:"))
        fwrite(e->err.data, 1, e->err.len, stderr);
    char line[160];
    last_line(line, sizeof line, &e->err);
    char mb[32];
    snprintf(mb, sizeof mb, "%llu MB", (unsigned long long)(w->memory >> 20));
    int oom_words = has(&e->err, "Out of memory") || has(&e->err, "bad_alloc") ||
                    has(&e->err, "Cannot allocate memory") || has(&e->err, "memory exhausted");
    if (civ_buf_failed(&e->raw) || civ_buf_failed(&e->err)) {
        rep->outcome = CIV_SANDBOX_UNAVAILABLE;
        snprintf(reason, rsz, "the sandbox helper ran out of memory");
    } else if (WIFEXITED(e->status) && WEXITSTATUS(e->status) == CHILD_UNSAFE &&
               has(&e->err, UNSAFE_WORDS)) {
        rep->outcome = CIV_SANDBOX_UNSAFE;
        snprintf(reason, rsz, "the sandbox could not arm its system-call filter (seccomp)");
    } else if (e->timed_out) {
        rep->outcome = CIV_SANDBOX_WALL_LIMIT;
        snprintf(reason, rsz, "hung: killed after %u s", w->wall);
    } else if (e->too_big) {
        rep->outcome = CIV_SANDBOX_REFUSED;
        snprintf(reason, rsz, "gave more than %llu MB of output",
                 (unsigned long long)(MAX_REPLY >> 20));
    } else if (WIFSIGNALED(e->status)) {
        judge_signal(rep, reason, rsz, w, e, WTERMSIG(e->status), oom_words, mb);
    } else if (w->op == CIV_SANDBOX_CONVERT) {
        judge_convert(rep, payload, reason, rsz, arg, e, oom_words, mb, line);
    } else if (!WIFEXITED(e->status) || WEXITSTATUS(e->status) != 0) {
        rep->outcome = oom_words ? CIV_SANDBOX_MEMORY_LIMIT : CIV_SANDBOX_CRASHED;
        if (oom_words)
            snprintf(reason, rsz, "over the memory limit (%s)", mb);
        else
            snprintf(reason, rsz, "crashed (exit status %d)%s%s", WEXITSTATUS(e->status),
                     *line ? ": " : "", line);
    } else {
        judge_answer(rep, payload, reason, rsz, &e->raw);
    }
}

/* Runs one request in a fresh child; fills the reply. */
static void serve(const wire_req *w, const char *arg, const unsigned char *doc, size_t len,
                  wire_rep *rep, civ_buf *payload, char *reason, size_t rsz)
{
    int po[2], pe[2];
    memset(rep, 0, sizeof *rep);
    rep->magic = WIRE_MAGIC;
    reason[0] = '\0';
    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
        rep->outcome = CIV_SANDBOX_UNAVAILABLE;
        snprintf(reason, rsz, "cannot make a pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        child_main(w, arg, doc, len);
    }
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        rep->outcome = CIV_SANDBOX_UNAVAILABLE;
        snprintf(reason, rsz, "cannot start a sandbox process: %s", strerror(errno));
        return;
    }
    child_end e = { .raw = CIV_BUF_INIT, .err = CIV_BUF_INIT };
    read_child(&e, po[0], pe[0], w->wall);
    close(po[0]);
    close(pe[0]);
    if (e.timed_out || e.too_big)
        kill(pid, SIGKILL);
    memset(&e.ru, 0, sizeof e.ru);
    while (wait4(pid, &e.status, 0, &e.ru) < 0 && errno == EINTR)
        ;
    e.cpu = (double)e.ru.ru_utime.tv_sec + (double)e.ru.ru_utime.tv_usec / 1e6 +
            (double)e.ru.ru_stime.tv_sec + (double)e.ru.ru_stime.tv_usec / 1e6;
    rep->cpu = e.cpu;
    judge(rep, payload, reason, rsz, w, arg, &e);
    civ_buf_free(&e.raw);
    civ_buf_free(&e.err);
    if (rep->outcome != CIV_SANDBOX_DONE)
        civ_buf_reset(payload);
}

int civ_sandbox_helper_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    /* Ends with the thread that started it; and if that is gone already. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    long long parent;
    if (civ_parse_stored(&parent, getenv("CIV_SANDBOX_PARENT")) != 0 || parent != (long long)getppid())
        _exit(0);
    /* CIV_SANDBOX_TEST=no-filter: the tests' way to have no filters, as
     * when seccomp cannot make them. */
    const char *test = getenv("CIV_SANDBOX_TEST");
    int no_filter = test && strcmp(test, "no-filter") == 0;
    reader_filter = no_filter ? NULL : civ_sandbox_filter(0);
    converter_filter = no_filter ? NULL : civ_sandbox_filter(1);
    unsigned char *doc = NULL;
    size_t doc_len = 0;
    int pdf_ready = 0;
    char *ocr_langs = NULL;
    int ocr_ok = 0;
    char ocr_reason[200] = "";
    civ_buf payload = CIV_BUF_INIT;
    for (;;) {
        wire_req w;
        if (read_all(0, &w, sizeof w, 0) != 0 || w.magic != WIRE_MAGIC || w.arg_len > 4096 ||
            w.len > MAX_DOC)
            break;
        char arg[4097];
        if (read_all(0, arg, w.arg_len, 0) != 0)
            break;
        arg[w.arg_len] = '\0';
        if (!w.reuse) {
            free(doc);
            doc_len = (size_t)w.len;
            doc = malloc(doc_len + 1);
            if (!doc || read_all(0, doc, doc_len, 0) != 0)
                break;
            doc[doc_len] = '\0';
        }
        const char *mode = test_mode(doc, doc_len);
        if (mode && strcmp(mode, "CIV-TEST-KILL-HELPER") == 0)
            _exit(3);
        wire_rep rep;
        char reason[200] = "";
        civ_buf_reset(&payload);
        int ocr = w.op == CIV_SANDBOX_PDF_OCR || w.op == CIV_SANDBOX_IMAGE_OCR;
        if (w.op == CIV_SANDBOX_PDF || w.op == CIV_SANDBOX_PDF_OCR) {
            if (!pdf_ready)
                civ_helper_prepare_pdf();
            pdf_ready = 1;
        }
        if (ocr && (!ocr_langs || strcmp(ocr_langs, arg) != 0)) {
            free(ocr_langs);
            ocr_langs = strdup(arg);
            ocr_ok = civ_helper_prepare_ocr(arg, ocr_reason) == 0;
        }
        if (ocr && !ocr_ok) {
            memset(&rep, 0, sizeof rep);
            rep.magic = WIRE_MAGIC;
            rep.outcome = CIV_SANDBOX_UNAVAILABLE;
            snprintf(reason, sizeof reason, "%s", ocr_reason);
        } else {
            serve(&w, arg, doc, doc_len, &rep, &payload, reason, sizeof reason);
        }
        if (!(w.flags & CIV_SANDBOX_KEEP)) {
            free(doc); /* a big document is not kept for nothing */
            doc = NULL;
            doc_len = 0;
        }
        rep.reason_len = (uint32_t)strlen(reason);
        rep.payload_len = payload.len;
        if (write_all(0, &rep, sizeof rep) != 0 || write_all(0, reason, rep.reason_len) != 0 ||
            (payload.len && write_all(0, payload.data, payload.len) != 0))
            break;
    }
    /* No clean-up worth the time: the process ends (and no leak check of
     * the models kept for the children). */
    _exit(0);
}
