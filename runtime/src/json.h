/*===- json.h - a small JSON reader for safetensors headers ---------------===*
 *
 * Reads a complete JSON document into a tree. Integers are kept exact (file
 * offsets exceed a double's 53 bits in large files). Malformed input yields
 * an error naming the byte offset; nesting is limited so no input can
 * exhaust the stack.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_JSON_H
#define CNNRT_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
               JSON_OBJECT } json_kind;

typedef struct json_value {
  json_kind kind;
  int boolean;
  int is_integer;      /* JSON_NUMBER without fraction or exponent, in range */
  int64_t integer;
  double number;
  char *string;        /* JSON_STRING, NUL-terminated UTF-8 */
  size_t count;        /* JSON_ARRAY, JSON_OBJECT */
  struct json_value *items;
  char **keys;         /* JSON_OBJECT */
} json_value;

/* Returns 0 and fills `root`, or -1 with a message in `error`. */
int cnnrt_json_parse(const char *text, size_t length, json_value *root, char *error,
               size_t error_size);
void cnnrt_json_free(json_value *value);
const json_value *cnnrt_json_get(const json_value *object, const char *key);

#endif /* CNNRT_JSON_H */
