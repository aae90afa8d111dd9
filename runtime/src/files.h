/*===- files.h - whole files in, outputs written whole ---------------------===*/

#ifndef CNNRT_FILES_H
#define CNNRT_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A regular file's whole contents, malloc'd: the caller owns a private
 * copy, so rewriting or truncating the file later changes nothing (and
 * raises no SIGBUS, as a mapping would). `expected` says what it should be
 * ("a .npy file") when it is not a regular file. */
int cnnrt_read_whole_file(const char *path, const char *expected, unsigned char **bytes,
                          uint64_t *size, char *error, size_t error_size);

/* An output being written: a new file of a unique name beside `path`,
 * renamed over it when done, so a reader of the old file (a running
 * session, another process) never sees a half-written one and a failed
 * write leaves nothing behind; or, when `path` is a device, a FIFO or a
 * symbolic link, `path` itself, written in place (a rename would replace
 * the node). */
typedef struct {
  FILE *file;
  const char *path;
  char temporary[4096]; /* "" when written in place */
} cnnrt_output_file;

int cnnrt_output_begin(cnnrt_output_file *out, const char *path, char *error, size_t error_size);
/* Closes the file; if `ok` and the close succeeds, puts it in place,
 * else removes the new file. Returns CNNRT_OK or the write's error. */
int cnnrt_output_end(cnnrt_output_file *out, int ok, char *error, size_t error_size);

#endif /* CNNRT_FILES_H */
