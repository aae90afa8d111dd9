// ONNX Runtime (onnxruntime-node, CPU) on an exported network:
//   node ort.js model.onnx BATCH THREADS RUNS
// prints "onnxruntime: <ms per run...>".
const ort = require('onnxruntime-node');

async function main() {
  const [path, batch, threads, runs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(path, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const size = Number(batch) * 3 * 224 * 224;
  const data = Float32Array.from({length: size}, (_, i) => Math.sin(i));
  const feeds = {image: new ort.Tensor('float32', data, [Number(batch), 3, 224, 224])};
  await session.run(feeds);
  await session.run(feeds);
  const times = [];
  for (let r = 0; r < Number(runs); ++r) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log('onnxruntime: ' + times.map((t) => t.toFixed(3)).join(' '));
}

main().catch((error) => { console.error(error.message); process.exit(1); });
