/* Runs a model built with `cnnc --lib` through libcnnrt's session API. */
#include "liblenet.h"

#include <math.h>
#include <stdio.h>

int main(void) {
  char error[512];
  cnnrt_session *session;
  if (cnnrt_session_open(&cnnc_model_lenet5, NULL, 1, &session, error, sizeof error)) {
    fprintf(stderr, "%s\n", error);
    return 1;
  }
  static float image[32 * 32], scores[10];
  for (int i = 0; i < 32 * 32; ++i)
    image[i] = (float)(i % 7) / 7.0f;
  cnnrt_input inputs[] = {{image, 32 * 32}};
  cnnrt_output outputs[] = {{scores, 10}};
  if (cnnrt_session_run(session, inputs, 1, outputs, 1, error, sizeof error)) {
    fprintf(stderr, "%s\n", error);
    return 1;
  }
  int finite = 1;
  double sum = 0;
  for (int i = 0; i < 10; ++i) {
    finite &= isfinite(scores[i]) != 0;
    sum += scores[i];
  }
  printf("lenet5: 10 outputs, %s, sum %.3f\n", finite ? "finite" : "NOT finite", sum);
  cnnrt_session_close(session);
  return 0;
}
