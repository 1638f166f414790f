/* Reference programs for bench/web: the least a search page behind the
 * web server can cost, to read the measured rates against.
 *
 *   floor-cgi   a CGI program that prints a fixed page and exits;
 *   floor-fcgi  a FastCGI responder that answers every request with it.
 *
 * Both read nothing and search nothing: what they measure is the web
 * server, the process start-up (CGI) and the FastCGI protocol on this
 * machine. bench/lib/floor-xapian.cc adds what any Xapian-backed CGI must
 * do besides: load libxapian and open the index. */
#include <stdio.h>
#ifdef FLOOR_FCGI
#include <fcgi_stdio.h>
#endif

static const char page[] =
    "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<!doctype html><title>reference</title><p>A fixed page.</p>\n";

int main(void)
{
#ifdef FLOOR_FCGI
    while (FCGI_Accept() >= 0)
        fputs(page, stdout);
#else
    fputs(page, stdout);
#endif
    return 0;
}
