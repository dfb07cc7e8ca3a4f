#!/usr/bin/env bash
# The GPU check: on a machine with a GPU, says which GPU and WebGPU adapter there are, runs the test that compares a
# training step's gradients on webgpu with the cpu backend, and measures webgpu training (cnn-bn, resnet18) beside
# wasm. Installs nothing from the network: run `npm ci` first (webgpu and @tensorflow/tfjs-backend-webgpu are dev
# dependencies). Takes under 5 minutes; paste its table into BENCHMARKS.md with the GPU's name.
set -uo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs >/dev/null
echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not available"
ls /usr/share/vulkan/icd.d 2>/dev/null | sed 's/^/vulkan driver: /' || true
echo "== WebGPU adapter"
node --import tsx -e "const { probeWebGpu } = require('./src/core/tf/webgpu'); console.log(JSON.stringify(probeWebGpu()))"
echo "== training step gradients: webgpu against cpu"
timeout 120 node --import tsx --test --test-reporter=spec test/unit/webgpu.test.ts
echo "== training throughput (128×128, batch 32)"
timeout 240 node bin/voice-emotion.js bench --only train --backends webgpu,wasm --archs cnn-bn,resnet18
