/*===- options.h - the command-line convention of compiled models ---------===*
 *
 * One small parser for every program the runtime provides (a model's
 * command line, cnnc-tune's measuring program), with the convention of the
 * C++ tools: `--flag value` and `--flag=value`, `-h`/`--help` and
 * `--version` answered on stdout with status 0, a single-valued option given
 * twice refused, and an unknown option refused with the closest known one.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_OPTIONS_H
#define CNNRT_OPTIONS_H

typedef struct {
  const char *name;  /* with its dashes: "--weights", "-q" */
  const char *value; /* what the value is, for messages ("N", "x.npy"); NULL: a flag */
  int repeatable;    /* may be given more than once */
} cnnrt_option;

enum {
  CNNRT_OPTIONS_OK = 0,
  CNNRT_OPTIONS_HELP = -1,    /* -h or --help was given */
  CNNRT_OPTIONS_VERSION = -2, /* --version was given */
  CNNRT_OPTIONS_USAGE = 2,    /* a message was printed to stderr */
};

/* Called once per option occurrence, in order, with its index in the table
 * and its value (NULL for a flag). Returns 0, or 2 after printing why the
 * value is refused. */
typedef int (*cnnrt_option_handler)(int option, const char *value, void *context);

/* Parses argv[1..argc) against `options`. Returns one of the codes above. */
int cnnrt_parse_options(int argc, char **argv, const cnnrt_option *options, int count,
                        cnnrt_option_handler handler, void *context);

/* A whole decimal number in [low, high]; anything else (a sign, trailing
 * text, overflow) is refused with a message naming the option. Returns 0 or 2. */
int cnnrt_option_number(const char *program, const char *option, const char *text,
                        unsigned long long low, unsigned long long high, unsigned long long *value);

#endif /* CNNRT_OPTIONS_H */
