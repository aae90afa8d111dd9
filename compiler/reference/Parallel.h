//===- Parallel.h - the reference interpreter's threads -------------------===//

#ifndef CNNC_REFERENCE_PARALLEL_H
#define CNNC_REFERENCE_PARALLEL_H

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace cnnc::reference {

/// Runs body(i) for i in [0, count) on all cores. Each i writes its own
/// outputs, so the result does not depend on the split.
template <typename Body> void parallelFor(int64_t count, Body body) {
  int64_t workers = std::max<int64_t>(1, std::min<int64_t>(
                                              count, std::thread::hardware_concurrency()));
  if (workers == 1) {
    for (int64_t i = 0; i < count; ++i)
      body(i);
    return;
  }
  std::vector<std::thread> threads;
  for (int64_t w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      for (int64_t i = w; i < count; i += workers)
        body(i);
    });
  for (std::thread &t : threads)
    t.join();
}

} // namespace cnnc::reference

#endif // CNNC_REFERENCE_PARALLEL_H
