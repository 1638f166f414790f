/* tests/unit/tcpsrv.h — xapian-tcpsrv on loopback for unit tests (C and
 * C++): a free port, a server started in a session of its own (it stops
 * its whole process group) and stopped, or killed when the test process
 * ends. Include after <cmocka.h>. */
#ifndef CIV_TEST_TCPSRV_H
#define CIV_TEST_TCPSRV_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(s, (struct sockaddr *)&a, &len) != 0)
        fail_msg("no free port");
    close(s);
    return ntohs(a.sin_port);
}

/* xapian-tcpsrv serving db on a free port, in a session of its own; *port
 * receives the port. 0 when xapian-tcpsrv is not installed. */
static pid_t serve(const char *db, int *port)
{
    if (access("/usr/bin/xapian-tcpsrv", X_OK) != 0)
        return 0;
    *port = free_port();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* Gone with the test, also when a failed assertion skips stop(). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        setsid();
        char p[16];
        snprintf(p, sizeof p, "%d", *port);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execl("/usr/bin/xapian-tcpsrv", "xapian-tcpsrv", "--interface", "127.0.0.1", "--port", p, db,
              (char *)NULL);
        _exit(127);
    }
    /* Ready when a connection is accepted. */
    for (int i = 0; i < 100; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)*port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
        close(s);
        if (ok)
            return pid;
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    fail_msg("xapian-tcpsrv did not start");
    return 0;
}

static void stop(pid_t pid)
{
    if (pid > 0) {
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

#endif
