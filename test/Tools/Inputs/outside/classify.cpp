// Runs a model that cnnc compiled into a library, from C++.
#include "liblenet.h"

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  char error[512];
  cnnrt_session *session = nullptr;
  if (cnnrt_session_open(&cnnc_model_lenet5, nullptr, 1, &session, error, sizeof error)) {
    std::fprintf(stderr, "%s\n", error);
    return 1;
  }
  std::vector<float> image(32 * 32), scores(10);
  for (size_t i = 0; i < image.size(); ++i)
    image[i] = float(i % 7) / 7.0f;
  cnnrt_input inputs[] = {{image.data(), image.size()}};
  cnnrt_output outputs[] = {{scores.data(), scores.size()}};
  if (cnnrt_session_run(session, inputs, 1, outputs, 1, error, sizeof error)) {
    std::fprintf(stderr, "%s\n", error);
    return 1;
  }
  bool finite = true;
  for (float score : scores)
    finite = finite && std::isfinite(score);
  std::printf("lenet5 from C++: %zu outputs, %s\n", scores.size(), finite ? "finite" : "NOT finite");
  cnnrt_session_close(session);
  return 0;
}
