/*===- report.h - error messages of libcnnrt ------------------------------===*/

#ifndef CNNRT_REPORT_H
#define CNNRT_REPORT_H

#include <stddef.h>

/* Formats a message into the caller's buffer (when it has one) and returns
 * `code`, so a failing function ends with `return report(...)`. */
int cnnrt_report(char *error, size_t size, int code, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* CNNRT_REPORT_H */
