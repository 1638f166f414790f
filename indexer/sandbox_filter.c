/* The seccomp filters of the sandbox's children (sandbox_filter.h). */
#define _GNU_SOURCE
#include "sandbox_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

static void rule(scmp_filter_ctx ctx, uint32_t action, const char *name)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr != __NR_SCMP_ERROR)
        seccomp_rule_add(ctx, action, nr, 0);
}

scmp_filter_ctx civ_sandbox_filter(int converter)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return NULL;
    uint32_t deny = SCMP_ACT_ERRNO(EACCES), kill_it = SCMP_ACT_KILL_PROCESS;
    static const char *const net[] = { "socket", "socketpair", "connect", "bind", "listen",
                                       "accept", "accept4", "sendmmsg", NULL };
    static const char *const never[] = {
        "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root",
        "chroot", "unshare", "setns", "keyctl", "add_key", "request_key", "bpf",
        "perf_event_open", "init_module", "finit_module", "delete_module", "kexec_load",
        "userfaultfd", "setrlimit", "fork", "vfork", "io_uring_setup", "personality", NULL,
    };
    static const char *const change_fs[] = {
        "creat", "mknod", "mknodat", "link", "linkat", "symlink", "symlinkat", "unlink",
        "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "truncate",
        "chmod", "fchmodat", "chown", "lchown", "fchownat", "utime", "utimes", "utimensat",
        "futimesat", "setxattr", "lsetxattr", "removexattr", "lremovexattr", NULL,
    };
    for (int i = 0; net[i]; i++)
        rule(ctx, kill_it, net[i]);
    for (int i = 0; never[i]; i++)
        rule(ctx, kill_it, never[i]);
    for (int i = 0; change_fs[i]; i++)
        rule(ctx, deny, change_fs[i]);
    /* Raising a limit: prlimit64 with a new value (reading one is fine). */
    seccomp_rule_add(ctx, kill_it, SCMP_SYS(prlimit64), 1, SCMP_A2(SCMP_CMP_NE, 0));
    /* New processes (clone without CLONE_THREAD); threads may still be made.
     * clone3 hides its flags in memory: ENOSYS makes libc use clone. */
    seccomp_rule_add(ctx, kill_it, SCMP_SYS(clone), 1,
                     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
    rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3");
    rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "openat2");
    if (!converter) {
        rule(ctx, kill_it, "execve");
        rule(ctx, kill_it, "execveat");
        rule(ctx, deny, "open");
        rule(ctx, deny, "openat");
        rule(ctx, deny, "open_by_handle_at");
    } else {
        /* A converter is a program: it is exec'd under the filter, and
         * reads its own libraries and data files; it may not write. */
        static const int wflags[] = { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND };
        for (size_t i = 0; i < sizeof wflags / sizeof wflags[0]; i++) {
            scmp_datum_t f = (scmp_datum_t)wflags[i];
            seccomp_rule_add(ctx, deny, SCMP_SYS(open), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, f, f));
            seccomp_rule_add(ctx, deny, SCMP_SYS(openat), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, f, f));
        }
        rule(ctx, deny, "open_by_handle_at");
    }
    return ctx;
}

void civ_sandbox_own_signals(scmp_filter_ctx ctx)
{
    if (!ctx)
        return;
    scmp_datum_t self = (scmp_datum_t)getpid();
    uint32_t kill_it = SCMP_ACT_KILL_PROCESS;
    seccomp_rule_add(ctx, kill_it, SCMP_SYS(kill), 1, SCMP_A0(SCMP_CMP_NE, self));
    seccomp_rule_add(ctx, kill_it, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_NE, self));
    seccomp_rule_add(ctx, kill_it, SCMP_SYS(tkill), 1, SCMP_A0(SCMP_CMP_NE, self));
    seccomp_rule_add(ctx, kill_it, SCMP_SYS(rt_sigqueueinfo), 1, SCMP_A0(SCMP_CMP_NE, self));
    seccomp_rule_add(ctx, kill_it, SCMP_SYS(rt_tgsigqueueinfo), 1, SCMP_A0(SCMP_CMP_NE, self));
    seccomp_rule_add(ctx, kill_it, SCMP_SYS(pidfd_send_signal), 0);
    seccomp_rule_add(ctx, kill_it, SCMP_SYS(pidfd_open), 0);
}
