#include "civ/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

civ_status (civ_error_set)(civ_error *err, civ_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        for (char *p = err->msg; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        err->code = code;
    }
    return code;
}

void civ_error_clear(civ_error *err)
{
    if (err) {
        err->code = CIV_OK;
        err->msg[0] = '\0';
    }
}

const char *civ_status_name(civ_status code)
{
    switch (code) {
    case CIV_OK: return "ok";
    case CIV_EINVAL: return "invalid argument";
    case CIV_ENOMEM: return "out of memory";
    case CIV_EIO: return "I/O error";
    case CIV_ENOTFOUND: return "not found";
    case CIV_ELOCKED: return "locked";
    case CIV_ECORRUPT: return "corrupt";
    case CIV_EQUERY: return "bad query";
    case CIV_ERETRY: return "modified, retry";
    case CIV_EFORMAT: return "malformed input";
    case CIV_ETOOBIG: return "too big";
    case CIV_EUNSUPPORTED: return "unsupported";
    case CIV_ETIMEOUT: return "time limit";
    case CIV_EOTHER: return "error";
    }
    return "unknown status";
}
