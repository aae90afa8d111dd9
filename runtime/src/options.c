/*===- options.c - the command-line convention of compiled models ---------===*/

#define _POSIX_C_SOURCE 200809L
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Edit distance of two short option names, for "did you mean". Longer
 * names than a row holds are never close. */
static size_t distance(const char *a, const char *b) {
  enum { MAX_NAME = 64 };
  size_t n = strlen(a), m = strlen(b);
  if (n >= MAX_NAME || m >= MAX_NAME)
    return (size_t)-1;
  size_t row[MAX_NAME + 1];
  for (size_t j = 0; j <= m; ++j)
    row[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t above = row[j];
      size_t best = diagonal + (a[i - 1] != b[j - 1]);
      if (above + 1 < best)
        best = above + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diagonal = above;
    }
  }
  return row[m];
}

static void unknown(const char *program, const char *name, const cnnrt_option *options, int count) {
  const char *closest = NULL;
  size_t best = 4; /* a suggestion further than 3 edits away is noise */
  for (int i = 0; i < count; ++i) {
    size_t d = distance(name, options[i].name);
    if (d < best) {
      best = d;
      closest = options[i].name;
    }
  }
  if (closest)
    fprintf(stderr, "%s: unknown option '%s'; did you mean '%s'? (--help lists them)\n", program,
            name, closest);
  else
    fprintf(stderr, "%s: unknown option '%s' (--help lists them)\n", program, name);
}

int cnnrt_parse_options(int argc, char **argv, const cnnrt_option *options, int count,
                        cnnrt_option_handler handler, void *context) {
  const char *program = argv[0];
  char *seen = calloc((size_t)count + 1, 1);
  if (!seen) {
    fprintf(stderr, "%s: out of memory\n", program);
    return CNNRT_OPTIONS_USAGE;
  }
  int status = CNNRT_OPTIONS_OK;
  for (int i = 1; i < argc && status == CNNRT_OPTIONS_OK; ++i) {
    const char *arg = argv[i];
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
      status = CNNRT_OPTIONS_HELP;
      break;
    }
    if (!strcmp(arg, "--version")) {
      status = CNNRT_OPTIONS_VERSION;
      break;
    }
    if (arg[0] != '-') {
      fprintf(stderr,
              "%s: unexpected argument '%s' (options start with --; --help lists "
              "them)\n",
              program, arg);
      status = CNNRT_OPTIONS_USAGE;
      break;
    }
    /* --name=value: the name is what comes before the first '='. */
    const char *equals = strchr(arg, '=');
    size_t length = equals ? (size_t)(equals - arg) : strlen(arg);
    int option = -1;
    for (int k = 0; k < count && option < 0; ++k)
      if (strlen(options[k].name) == length && !strncmp(options[k].name, arg, length))
        option = k;
    if (option < 0) {
      char name[96];
      snprintf(name, sizeof name, "%.*s", (int)(length < 80 ? length : 80), arg);
      unknown(program, name, options, count);
      status = CNNRT_OPTIONS_USAGE;
      break;
    }
    const cnnrt_option *o = &options[option];
    const char *value = NULL;
    if (!o->value && equals) {
      fprintf(stderr, "%s: %s takes no value\n", program, o->name);
      status = CNNRT_OPTIONS_USAGE;
    } else if (o->value && equals) {
      value = equals + 1;
    } else if (o->value && i + 1 < argc) {
      value = argv[++i];
    } else if (o->value) {
      fprintf(stderr, "%s: %s needs a value (%s %s)\n", program, o->name, o->name, o->value);
      status = CNNRT_OPTIONS_USAGE;
    }
    if (status == CNNRT_OPTIONS_OK && seen[option]++ && !o->repeatable) {
      fprintf(stderr, "%s: %s is given twice; give it once\n", program, o->name);
      status = CNNRT_OPTIONS_USAGE;
    }
    if (status == CNNRT_OPTIONS_OK && handler(option, value, context))
      status = CNNRT_OPTIONS_USAGE;
  }
  free(seen);
  return status;
}

int cnnrt_option_number(const char *program, const char *option, const char *text,
                        unsigned long long low, unsigned long long high,
                        unsigned long long *value) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end || errno == ERANGE || n < low || n > high) {
    fprintf(stderr, "%s: %s takes a whole number from %llu to %llu, not '%s'\n", program, option,
            low, high, text);
    return 2;
  }
  *value = n;
  return 0;
}
