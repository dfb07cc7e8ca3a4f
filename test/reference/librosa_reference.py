#!/usr/bin/env python3
"""Independent float64 reference for the audio core's tests.

Re-implements librosa 0.10's published algorithms with NumPy, and uses SciPy where SciPy already provides the
operation (WAV reading, DCT-II, Savitzky-Golay filtering), so nothing here shares code with the TypeScript under
test. Usage: librosa_reference.py SPEECH_16K.wav  -> JSON on stdout.
"""
import json
import sys

import numpy as np
import scipy.fft
import scipy.io.wavfile
import scipy.signal


def hz_to_mel(f, htk=False):
    f = np.asanyarray(f, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-300) / min_log_hz) / logstep, mels)


def mel_to_hz(m, htk=False):
    m = np.asanyarray(m, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_filterbank(sr, n_fft, n_mels, fmin=0.0, fmax=None, htk=False, norm="slaney"):
    fmax = sr / 2 if fmax is None else fmax
    fft_freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels + 2), htk)
    widths = np.diff(edges)
    weights = np.zeros((n_mels, len(fft_freqs)))
    for m in range(n_mels):
        lower = (fft_freqs - edges[m]) / widths[m]
        upper = (edges[m + 2] - fft_freqs) / widths[m + 1]
        weights[m] = np.maximum(0.0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32).astype(np.float64)


def power_spectrogram(y, n_fft, hop):
    pad = n_fft // 2
    padded = np.pad(y, pad, mode="constant")
    frames = 1 + (len(padded) - n_fft) // hop
    n = np.arange(n_fft)
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * n / n_fft)
    index = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    spectrum = np.fft.rfft(padded[index] * window, axis=1)
    return (np.abs(spectrum) ** 2).T  # bins x frames


def power_to_db(s, ref=1.0, amin=1e-10, top_db=80.0):
    db = 10.0 * np.log10(np.maximum(amin, s)) - 10.0 * np.log10(max(amin, ref))
    if top_db is not None:
        db = np.maximum(db, db.max() - top_db)
    return db


def trim(y, top_db=60.0, frame_length=2048, hop_length=512):
    padded = np.pad(y, frame_length // 2, mode="constant")
    frames = 1 + (len(padded) - frame_length) // hop_length
    mse = np.array([np.mean(padded[t * hop_length : t * hop_length + frame_length] ** 2) for t in range(frames)])
    db = 10.0 * np.log10(np.maximum(1e-10, mse)) - 10.0 * np.log10(max(1e-10, mse.max()))
    nonzero = np.flatnonzero(db > -top_db)
    if nonzero.size == 0:
        return 0, 0
    return int(nonzero[0] * hop_length), int(min(len(y), (nonzero[-1] + 1) * hop_length))


def rows(matrix):
    return [[float(v) for v in row] for row in matrix]


def main():
    rate, pcm = scipy.io.wavfile.read(sys.argv[1])
    assert pcm.dtype == np.int16 and pcm.ndim == 1, "expected mono 16-bit PCM"
    y = pcm.astype(np.float64) / 32768.0

    out = {"sampleRate": int(rate), "samples": int(len(y))}
    out["melFilterbank22050"] = rows(mel_filterbank(22050, 2048, 128))
    out["melFilterbankHtk"] = rows(mel_filterbank(16000, 512, 40, fmin=20.0, fmax=7600.0, htk=True, norm=None))

    power = power_spectrogram(y, 1024, 256)
    logmel = power_to_db(mel_filterbank(rate, 1024, 128, fmax=8000.0) @ power)
    mfcc = scipy.fft.dct(logmel, axis=0, type=2, norm="ortho")[:40]
    out["spectrogramDb"] = rows(power_to_db(power))
    out["logmel"] = rows(logmel)
    out["mfcc"] = rows(mfcc)
    lifter = 22.0
    out["mfccLifter22"] = rows(mfcc * (1.0 + (lifter / 2.0) * np.sin(np.pi * np.arange(1, 41) / lifter))[:, None])
    out["delta1"] = rows(scipy.signal.savgol_filter(mfcc, 9, polyorder=1, deriv=1, axis=-1, mode="interp"))
    out["delta2"] = rows(scipy.signal.savgol_filter(mfcc, 9, polyorder=2, deriv=2, axis=-1, mode="interp"))

    # A length that is not a power of two (25 ms window, 10 ms hop at 16 kHz).
    power400 = power_spectrogram(y, 400, 160)
    out["logmel400"] = rows(power_to_db(mel_filterbank(rate, 400, 64, fmax=8000.0) @ power400))

    start, end = trim(y)
    out["trim"] = [start, end]
    # librosa.effects.preemphasis: lfilter([1, -coef], [1], y, zi=[2*y[0] - y[1]]).
    pre, _ = scipy.signal.lfilter([1.0, -0.97], [1.0], y, zi=[2 * y[0] - y[1]])
    out["preEmphasisHead"] = [float(v) for v in pre[:1000]]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
