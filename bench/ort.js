// ONNX Runtime (onnxruntime-node, CPU) on an exported network:
//   node ort.js model.onnx BATCH THREADS RUNS [INPUT:NxCxHxW]
// (the input is "image", BATCHx3x224x224, unless given)
// prints "onnxruntime: <ms per run...>".
const ort = require('onnxruntime-node');

async function main() {
  const [path, batch, threads, runs, input] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(path, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const [name, dims] = input ? input.split(':') : ['image', `${batch}x3x224x224`];
  const shape = dims.split('x').map(Number);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({length: size}, (_, i) => Math.sin(i));
  const feeds = {[name]: new ort.Tensor('float32', data, shape)};
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
