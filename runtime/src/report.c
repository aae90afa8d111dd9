/*===- report.c - error messages of libcnnrt ------------------------------===*/

#include "report.h"

#include <stdarg.h>
#include <stdio.h>

int cnnrt_report(char *error, size_t size, int code, const char *format, ...) {
  if (error && size) {
    va_list args;
    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
  }
  return code;
}
