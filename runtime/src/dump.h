/*===- dump.h - every layer's output, for the int8 accuracy report -------===*/

#ifndef CNNRT_DUMP_H
#define CNNRT_DUMP_H

#include "session.h"

/* Runs the model once more on the inputs already in the session and writes
 * each step's output into `directory` (dump.c says how). CPU models only. */
int cnnrt_dump_layers(cnnrt_session *session, const char *directory, char *error,
                      size_t error_size);

#endif /* CNNRT_DUMP_H */
