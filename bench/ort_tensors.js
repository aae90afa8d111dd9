// Every output of an ONNX model on given inputs, through ONNX Runtime for
// Node (bench/quantize_onnx.py makes each tensor to calibrate an output):
//   node ort_tensors.js model.onnx OUT_DIR NAME:NxCxHxW:input.f32 ...
// writes OUT_DIR/<k>.f32 (raw little-endian float32) for the k-th output in
// the model's order and OUT_DIR/outputs.json: [[name, [dims]], ...].
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const [model, outDir, ...inputs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'basic',
  });
  const feeds = {};
  for (const input of inputs) {
    const [name, dims, file] = input.split(':');
    const bytes = fs.readFileSync(file);
    const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    feeds[name] = new ort.Tensor('float32', data, dims.split('x').map(Number));
  }
  const results = await session.run(feeds);
  const manifest = session.outputNames.map((name, k) => {
    const tensor = results[name];
    if (tensor.type !== 'float32') throw new Error(`${name}: ${tensor.type}, expected float32`);
    fs.writeFileSync(path.join(outDir, `${k}.f32`), Buffer.from(tensor.data.buffer,
        tensor.data.byteOffset, tensor.data.byteLength));
    return [name, tensor.dims];
  });
  fs.writeFileSync(path.join(outDir, 'outputs.json'), JSON.stringify(manifest));
}

main().catch((error) => { console.error(error.message); process.exit(1); });
