#!/usr/bin/env python3
"""Reference logits of torchvision's ResNet-18 with formula weights, for test/unit/resnet18.test.ts.

Run with Debian's PyTorch (apt-get install python3-torch python3-torchvision):
    /usr/bin/python3 test/reference/resnet18_reference.py
It writes test/fixtures/resnet18-reference.json. Every parameter and buffer (BN running statistics included) is
filled from a closed formula that the TypeScript test reproduces; values are computed in float64, rounded to
float32 (what a .safetensors F32 file holds) and the network is then evaluated in float64, so the stored logits
are the exact answer for those float32 weights and inputs.
"""
import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'resnet18-reference.json')
BATCH, HEIGHT, WIDTH = 2, 64, 64

FORMULA = {
    'h(k, i)': 'x - floor(x) with x = 43758.5453 * sin(0.37 * i + 1.3 * k), in float64: k = index of the tensor in '
    'torchvision state_dict() order (all 122 entries, num_batches_tracked included), i = flat row-major index in the '
    'PyTorch layout; u = 2 * h - 1 (a hash, roughly uniform in [-1, 1))',
    'conv weight [O, I, kh, kw]': 'u * sqrt(6 / (I * kh * kw)) (He-uniform variance)',
    'bn weight': '1 + 0.2 * u',
    'bn bias': '0.1 * u',
    'bn running_mean': '0.1 * u',
    'bn running_var': '1 + 0.5 * h',
    'bn num_batches_tracked': '0 (unused in eval mode)',
    'fc.weight [1000, 512]': 'u * sqrt(3 / 512)',
    'fc.bias': '0.1 * u',
    'input x[n, 0, h, w]': 'sin(0.21 * h + 0.13 * (n + 1) * w) + 0.5 * cos(0.017 * h * w + 0.9 * n), n < 2, h, w < 64',
    'rounding': 'every weight and input value is rounded to float32; the network then runs in float64 (eval mode)',
    'logits': 'the model with the 3-channel conv1 on the input repeated over 3 channels, which equals the model whose '
    'conv1 is summed over its input channels on the 1-channel input',
}


def formula_value(name, shape, k):
    """The float32-rounded formula tensor for state-dict entry number k."""
    count = int(np.prod(shape)) if len(shape) else 1
    if name.endswith('num_batches_tracked'):
        return None
    x = 43758.5453 * np.sin(np.arange(count, dtype=np.float64) * 0.37 + 1.3 * k)
    h = x - np.floor(x)
    u = 2 * h - 1
    if len(shape) == 4:
        values = u * math.sqrt(6.0 / (shape[1] * shape[2] * shape[3]))
    elif name == 'fc.weight':
        values = u * math.sqrt(3.0 / shape[1])
    elif name.endswith('running_var'):
        values = 1 + 0.5 * h
    elif name.endswith('.weight'):
        values = 1 + 0.2 * u
    else:
        values = 0.1 * u
    return torch.from_numpy(values.astype(np.float32).reshape(shape))


def formula_input():
    """The float32-rounded 1-channel input, NCHW."""
    n, h, w = np.meshgrid(np.arange(BATCH), np.arange(HEIGHT), np.arange(WIDTH), indexing='ij')
    x = np.sin(0.21 * h + 0.13 * (n + 1) * w) + 0.5 * np.cos(0.017 * h * w + 0.9 * n)
    return torch.from_numpy(x.astype(np.float32).reshape(BATCH, 1, HEIGHT, WIDTH))


class BasicBlock(nn.Module):
    """torchvision's BasicBlock (used only when torchvision is missing)."""

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class PlainResNet18(nn.Module):
    """torchvision.models.resnet18's layout and state-dict names in plain torch."""

    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        widths, inplanes = [64, 128, 256, 512], 64
        for index, planes in enumerate(widths):
            stride = 1 if index == 0 else 2
            setattr(self, f'layer{index + 1}', nn.Sequential(BasicBlock(inplanes, planes, stride), BasicBlock(planes, planes, 1)))
            inplanes = planes
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def make_model():
    """torchvision's resnet18 when importable, else the plain-torch copy; returns (model, source)."""
    try:
        import torchvision

        return torchvision.models.resnet18(weights=None), f'torchvision {torchvision.__version__}'
    except ImportError:
        return PlainResNet18(), 'plain torch (torchvision not importable)'


def main():
    torch.set_grad_enabled(False)
    model, source = make_model()
    state = model.state_dict()
    filled = {}
    for k, (name, tensor) in enumerate(state.items()):
        value = formula_value(name, list(tensor.shape), k)
        filled[name] = value if value is not None else tensor
    model.load_state_dict(filled)
    model = model.double().eval()

    x1 = formula_input().double()
    x3 = x1.repeat(1, 3, 1, 1)
    logits = model(x3)

    stem = model.conv1.weight.sum(dim=1, keepdim=True)
    summed = make_model()[0].double().eval()
    summed.load_state_dict({name: value.double() if value.is_floating_point() else value for name, value in filled.items()})
    summed.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False).double()
    summed.conv1.weight.copy_(stem)
    stem_logits = summed(x1)
    stem_diff = float((stem_logits - logits).abs().max() / logits.abs().max())
    if stem_diff > 1e-12:
        sys.exit(f'summed-stem model disagrees with the 3-channel model: {stem_diff}')

    float32_model = model.float()
    float32_logits = float32_model(x3.float()).double()
    float32_diff = float((float32_logits - logits).abs().max() / logits.abs().max())

    result = {
        'description': 'torchvision-layout ResNet-18 in eval mode with formula weights; logits for a 2 x 1 x 64 x 64 '
        'input (NCHW in PyTorch, NHWC in TensorFlow.js). Written by test/reference/resnet18_reference.py.',
        'source': f'{source}, torch {torch.__version__}',
        'formula': FORMULA,
        'inputShapeNchw': [BATCH, 1, HEIGHT, WIDTH],
        'stateDict': [[name, list(tensor.shape)] for name, tensor in state.items()],
        'summedStemRelativeDifference': stem_diff,
        'pytorchFloat32RelativeDifference': float32_diff,
        'logitsMaxAbs': float(logits.abs().max()),
        'logits': [[float(f'{v:.10g}') for v in row] for row in logits.tolist()],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as handle:
        json.dump(result, handle, separators=(',', ':'))
        handle.write('\n')
    print(f'{source}: max |logit| {result["logitsMaxAbs"]:.4g}, logit std {float(logits.std()):.4g}, '
          f'summed stem {stem_diff:.2e}, PyTorch float32 vs float64 {float32_diff:.2e} -> {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
