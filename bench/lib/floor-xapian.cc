// Reference CGI for bench/web: starts, loads libxapian, opens the index
// named by CIVSEARCH_INDEX (as a searching CGI must before it can search)
// and prints a fixed page with the document count. Nothing else.
#include <xapian.h>

#include <cstdio>
#include <cstdlib>

int main()
{
    const char *path = std::getenv("CIVSEARCH_INDEX");
    try {
        Xapian::Database db(path ? path : ".");
        std::printf("Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                    "<!doctype html><title>reference</title><p>%u documents.</p>\n",
                    db.get_doccount());
    } catch (const Xapian::Error &) {
        std::printf("Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nerror\n");
    }
    return 0;
}
