/*===- json.c - a small JSON reader for safetensors headers ---------------===*/

#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 64 };

typedef struct {
  const char *text;
  size_t length, pos;
  char *error;
  size_t error_size;
} parser;

static int fail(parser *p, const char *what) {
  snprintf(p->error, p->error_size, "malformed JSON header at byte %zu: %s",
           p->pos, what);
  return -1;
}

static void skip_space(parser *p) {
  while (p->pos < p->length && (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' ||
                                p->text[p->pos] == '\n' || p->text[p->pos] == '\r'))
    p->pos++;
}

static int parse_value(parser *p, json_value *out, int depth);

static int append_utf8(char **buffer, size_t *size, size_t *capacity, uint32_t code) {
  char bytes[4];
  size_t n;
  if (code < 0x80) { bytes[0] = (char)code; n = 1; }
  else if (code < 0x800) { bytes[0] = (char)(0xC0 | (code >> 6)); bytes[1] = (char)(0x80 | (code & 0x3F)); n = 2; }
  else if (code < 0x10000) { bytes[0] = (char)(0xE0 | (code >> 12)); bytes[1] = (char)(0x80 | ((code >> 6) & 0x3F)); bytes[2] = (char)(0x80 | (code & 0x3F)); n = 3; }
  else { bytes[0] = (char)(0xF0 | (code >> 18)); bytes[1] = (char)(0x80 | ((code >> 12) & 0x3F)); bytes[2] = (char)(0x80 | ((code >> 6) & 0x3F)); bytes[3] = (char)(0x80 | (code & 0x3F)); n = 4; }
  if (*size + n + 1 > *capacity) {
    size_t grown = (*capacity + n + 1) * 2;
    char *bigger = realloc(*buffer, grown);
    if (!bigger)
      return -1;
    *buffer = bigger;
    *capacity = grown;
  }
  memcpy(*buffer + *size, bytes, n);
  *size += n;
  (*buffer)[*size] = '\0';
  return 0;
}

/* Four hex digits after "\u"; -1 if malformed. */
static int32_t hex4(parser *p) {
  if (p->pos + 4 > p->length)
    return -1;
  int32_t code = 0;
  for (int i = 0; i < 4; ++i) {
    char h = p->text[p->pos++];
    code <<= 4;
    if (h >= '0' && h <= '9') code |= h - '0';
    else if (h >= 'a' && h <= 'f') code |= h - 'a' + 10;
    else if (h >= 'A' && h <= 'F') code |= h - 'A' + 10;
    else return -1;
  }
  return code;
}

/* The code point of a \u escape (the "\u" read), a surrogate pair joined.
 * U+0000 is refused: C strings would end there, so "a\u0000b" would be
 * read as "a". Returns NULL or what is wrong. */
static const char *parse_code_point(parser *p, uint32_t *code) {
  int32_t first = hex4(p);
  if (first < 0)
    return "bad \\u escape (four hex digits expected)";
  if (first == 0)
    return "\\u0000 in a string (names cannot hold NUL characters)";
  if (first >= 0xDC00 && first <= 0xDFFF)
    return "unpaired low surrogate in a \\u escape";
  if (first >= 0xD800 && first <= 0xDBFF) {
    if (p->pos + 2 > p->length || p->text[p->pos] != '\\' || p->text[p->pos + 1] != 'u')
      return "unpaired high surrogate in a \\u escape";
    p->pos += 2;
    int32_t second = hex4(p);
    if (second < 0xDC00 || second > 0xDFFF)
      return "unpaired high surrogate in a \\u escape";
    *code = 0x10000 + (((uint32_t)first - 0xD800) << 10) + ((uint32_t)second - 0xDC00);
    return NULL;
  }
  *code = (uint32_t)first;
  return NULL;
}

static int parse_string(parser *p, char **out) {
  size_t size = 0, capacity = 16;
  char *buffer = malloc(capacity);
  if (!buffer)
    return fail(p, "out of memory");
  buffer[0] = '\0';
  p->pos++; /* the opening quote */
  for (;;) {
    if (p->pos >= p->length) {
      free(buffer);
      return fail(p, "unterminated string");
    }
    unsigned char c = (unsigned char)p->text[p->pos++];
    uint32_t code = c;
    if (c == '"')
      break;
    if (c < 0x20) {
      free(buffer);
      return fail(p, "control character in string");
    }
    if (c == '\\') {
      if (p->pos >= p->length) {
        free(buffer);
        return fail(p, "unterminated escape");
      }
      char e = p->text[p->pos++];
      switch (e) {
      case '"': code = '"'; break;
      case '\\': code = '\\'; break;
      case '/': code = '/'; break;
      case 'b': code = '\b'; break;
      case 'f': code = '\f'; break;
      case 'n': code = '\n'; break;
      case 'r': code = '\r'; break;
      case 't': code = '\t'; break;
      case 'u': {
        const char *problem = parse_code_point(p, &code);
        if (problem) {
          free(buffer);
          return fail(p, problem);
        }
        break;
      }
      default:
        free(buffer);
        return fail(p, "unknown escape");
      }
      if (append_utf8(&buffer, &size, &capacity, code) != 0) {
        free(buffer);
        return fail(p, "out of memory");
      }
      continue;
    }
    /* Raw bytes (UTF-8 included) are copied as they are. */
    if (size + 2 > capacity) {
      capacity *= 2;
      char *bigger = realloc(buffer, capacity);
      if (!bigger) {
        free(buffer);
        return fail(p, "out of memory");
      }
      buffer = bigger;
    }
    buffer[size++] = (char)c;
    buffer[size] = '\0';
  }
  *out = buffer;
  return 0;
}

static int parse_number(parser *p, json_value *out) {
  size_t start = p->pos;
  int negative = 0, fractional = 0, overflow = 0;
  int64_t integer = 0;
  if (p->text[p->pos] == '-') {
    negative = 1;
    p->pos++;
  }
  if (p->pos >= p->length || p->text[p->pos] < '0' || p->text[p->pos] > '9')
    return fail(p, "expected a digit");
  while (p->pos < p->length && p->text[p->pos] >= '0' && p->text[p->pos] <= '9') {
    int digit = p->text[p->pos++] - '0';
    if (integer > (INT64_MAX - digit) / 10)
      overflow = 1;
    else
      integer = integer * 10 + digit;
  }
  if (p->pos < p->length && p->text[p->pos] == '.') {
    fractional = 1;
    p->pos++;
    if (p->pos >= p->length || p->text[p->pos] < '0' || p->text[p->pos] > '9')
      return fail(p, "expected a digit after '.'");
    while (p->pos < p->length && p->text[p->pos] >= '0' && p->text[p->pos] <= '9')
      p->pos++;
  }
  if (p->pos < p->length && (p->text[p->pos] == 'e' || p->text[p->pos] == 'E')) {
    fractional = 1;
    p->pos++;
    if (p->pos < p->length && (p->text[p->pos] == '+' || p->text[p->pos] == '-'))
      p->pos++;
    if (p->pos >= p->length || p->text[p->pos] < '0' || p->text[p->pos] > '9')
      return fail(p, "expected a digit in the exponent");
    while (p->pos < p->length && p->text[p->pos] >= '0' && p->text[p->pos] <= '9')
      p->pos++;
  }
  char digits[64];
  size_t n = p->pos - start < sizeof digits - 1 ? p->pos - start : sizeof digits - 1;
  memcpy(digits, p->text + start, n);
  digits[n] = '\0';
  out->kind = JSON_NUMBER;
  out->number = strtod(digits, NULL);
  out->is_integer = !fractional && !overflow;
  out->integer = negative ? -integer : integer;
  return 0;
}

static int expect_word(parser *p, const char *word) {
  size_t n = strlen(word);
  if (p->pos + n > p->length || memcmp(p->text + p->pos, word, n) != 0)
    return fail(p, "unexpected character");
  p->pos += n;
  return 0;
}

static int parse_container(parser *p, json_value *out, int depth, int object) {
  out->kind = object ? JSON_OBJECT : JSON_ARRAY;
  size_t capacity = 0;
  p->pos++;
  skip_space(p);
  char close = object ? '}' : ']';
  if (p->pos < p->length && p->text[p->pos] == close) {
    p->pos++;
    return 0;
  }
  for (;;) {
    if (out->count == capacity) {
      capacity = capacity ? capacity * 2 : 8;
      json_value *items = realloc(out->items, capacity * sizeof *items);
      if (!items)
        return fail(p, "out of memory");
      out->items = items;
      if (object) {
        char **keys = realloc(out->keys, capacity * sizeof *keys);
        if (!keys)
          return fail(p, "out of memory");
        out->keys = keys;
      }
    }
    json_value *item = &out->items[out->count];
    memset(item, 0, sizeof *item);
    if (object) {
      skip_space(p);
      if (p->pos >= p->length || p->text[p->pos] != '"')
        return fail(p, "expected a string key");
      if (parse_string(p, &out->keys[out->count]) != 0)
        return -1;
      skip_space(p);
      if (p->pos >= p->length || p->text[p->pos] != ':') {
        free(out->keys[out->count]);
        return fail(p, "expected ':'");
      }
      p->pos++;
    }
    out->count++;
    if (parse_value(p, item, depth + 1) != 0)
      return -1;
    skip_space(p);
    if (p->pos < p->length && p->text[p->pos] == ',') {
      p->pos++;
      continue;
    }
    if (p->pos < p->length && p->text[p->pos] == close) {
      p->pos++;
      return 0;
    }
    return fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static int parse_value(parser *p, json_value *out, int depth) {
  if (depth > MAX_DEPTH)
    return fail(p, "nested too deeply");
  skip_space(p);
  if (p->pos >= p->length)
    return fail(p, "unexpected end");
  char c = p->text[p->pos];
  switch (c) {
  case '{': return parse_container(p, out, depth, 1);
  case '[': return parse_container(p, out, depth, 0);
  case '"': out->kind = JSON_STRING; return parse_string(p, &out->string);
  case 't': out->kind = JSON_BOOL; out->boolean = 1; return expect_word(p, "true");
  case 'f': out->kind = JSON_BOOL; return expect_word(p, "false");
  case 'n': out->kind = JSON_NULL; return expect_word(p, "null");
  default:
    if (c == '-' || (c >= '0' && c <= '9'))
      return parse_number(p, out);
    return fail(p, "unexpected character");
  }
}

int cnnrt_json_parse(const char *text, size_t length, json_value *root, char *error,
               size_t error_size) {
  parser p = {text, length, 0, error, error_size};
  memset(root, 0, sizeof *root);
  if (parse_value(&p, root, 0) != 0) {
    cnnrt_json_free(root);
    return -1;
  }
  skip_space(&p);
  if (p.pos != length) {
    cnnrt_json_free(root);
    return fail(&p, "text after the JSON value");
  }
  return 0;
}

void cnnrt_json_free(json_value *value) {
  for (size_t i = 0; i < value->count; ++i) {
    cnnrt_json_free(&value->items[i]);
    if (value->keys)
      free(value->keys[i]);
  }
  free(value->items);
  free(value->keys);
  free(value->string);
  memset(value, 0, sizeof *value);
}

const json_value *cnnrt_json_get(const json_value *object, const char *key) {
  if (object->kind != JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < object->count; ++i)
    if (strcmp(object->keys[i], key) == 0)
      return &object->items[i];
  return NULL;
}
