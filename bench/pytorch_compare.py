#!/usr/bin/env python3
"""The same work as `make bench` times in C, written the way a learner would
write it in PyTorch (plain torch.nn and torch.optim, eager mode, float32, CPU).

  1. chapter 02 train: 784-50-10 ReLU, He init, SGD lr 0.1, batch 100, 10,000
     iterations through a training set shuffled every epoch, with an evaluation
     on the full train and test sets at iterations 0, 600, ..., 9600 and after
     the last (18, as ours). Time: the whole loop, evaluations included.
  2. chapter 03 compare: 784-100-100-100-100-10 ReLU (He init), batch 128 drawn
     at random with replacement, 2000 iterations for each of SGD (lr 0.01),
     Momentum (0.01, 0.9), AdaGrad (0.01) and Adam (0.001), the same start and
     the same mini-batches for all four. Time: training only, summed over the four.
  3. chapter 03 best: 784-256-256-10, Affine - BatchNorm - ReLU - Dropout 0.2,
     He init, Adam lr 0.001 halved for the last third of the epochs, batch 100,
     8 epochs (the tour's) of a fresh shuffle, after each epoch the accuracy on
     the first 10,000 training images and on the test set (as ours). Time: the
     whole loop, the evaluations included.
  4. chapter 04 bench: one training step (forward, backward, Adam lr 0.001) of
     SimpleConvNet and of DeepConvNet on a random batch of 100, timed over 100
     batches after 5 warm-up ones, and that time times 600 (an epoch of 60,000).
  5. chapter 05 lm: the character language model of Tiny Shakespeare,
     Embedding 65x128, dropout 0.1, 2 x LSTM 128 (dropout 0.1 between and
     after), Linear 128x65, batch 50 x 50 steps of truncated BPTT with the
     state carried between batches, Adam lr 0.004, gradients clipped to norm 5.
     Characters per second of training over 100 iterations after 5 warm-up ones
     (nn.LSTM, which runs its own fused CPU kernel).
  6. chapter 06 bench: one training iteration of the MLP GAN (G 100-256-512-784,
     D 784-512-256-1, LeakyReLU 0.2, tanh) and of the DCGAN (G fc -> 128x7x7, BN,
     ReLU, convT 64 4x4 s2, BN, ReLU, convT 1 4x4 s2, tanh; D conv 64 4x4 s2,
     LeakyReLU, conv 128 4x4 s2, BN, LeakyReLU, fc 1): a D step on a real batch
     and a fake one (BCE with logits), Adam lr 0.0002 beta1 0.5, then a G step
     through D on the same fakes (G runs forward once per iteration), Adam;
     batch 64, timed over 50 iterations after 5 warm-up ones, and that time
     times 937 (an epoch of 60,000). As `06_gan bench` times it.
  7. chapter 05 addition: the peeky seq2seq with reversed input (embedding 16,
     LSTM 128 encoder and decoder, the decoder given h at every step), Adam lr
     0.003, clip 5, batch 128, one epoch of 45,000 problems in the book's format
     (1 to 3 digits each, 50,000 unique, 10% held out), then greedy decoding of
     the 5,000 held-out problems in batches of 128 and their exact match.
     Time: the epoch and the evaluation, as `05_rnn addition` reports per epoch.
  8. the matrix multiply: torch.mm of two random 1024 x 1024 float32 matrices,
     GFLOP/s (2 * 1024^3 operations per multiply), each timing at least 20 ms.

Workloads 1, 2, 5 and 8 are timed --runs times (3 by default; the median is shown),
the rest once. --iters N, --epochs N, --steps N and --problems N set the sizes of
workloads 1, 3, 4 to 6 and 7 (make bench gives both sides the same).

Threads: torch.set_num_threads(--threads, default 2), and one OpenBLAS thread beside
it. Workloads 2, 4, 5 and 7 also run on 1 thread, where our bench reports one thread
too (--just-threads: only at --threads). --best-threads (what make bench uses) runs
every workload at 1 and at --threads, the two taking turns run by run, and prints
one row a workload: the faster median's, its thread count in the thr column and the
other count's median at the end of the line. After each run, stderr has its figure:
"... 5. run 1 on 2 threads: 8123 chars/s".

Layout: the convolutional nets (4 and the DCGAN of 6) run in PyTorch's
channels_last memory format, weights and batches (--layout contiguous: NCHW,
PyTorch's default). oneDNN, which does PyTorch's convolutions on the CPU,
prefers it: on a 2-core AMD EPYC, 2026-12-02, medians of alternated turns,
DeepConvNet's step took 47.2 ms against 52.5 in NCHW on 2 threads (82.7 against
89.4 on 1), the DCGAN's iteration 106.4 against 117.2 (143.6 against 146.3),
SimpleConvNet's 21.0 against 22.5 on 1 thread and level on 2.

Only torch, numpy and the standard library: MNIST is read from the gzipped IDX
files themselves (no torchvision, no download).

usage: python3 bench/pytorch_compare.py [--threads N] [--just-threads | --best-threads] [--data DIR]
                                       [--text FILE] [--only 1,5] [--quick] [--steps N] [--problems N]
                                       [--iters N] [--epochs N]
                                       [--layout channels_last | contiguous]
"""
import argparse
import gzip
import math
import os
import statistics
import struct
import sys
import time

# PyTorch's OpenMP threads wait as OpenMP does by default (spin, then sleep),
# unless OMP_WAIT_POLICY or GOMP_SPINCOUNT says otherwise: that is its fastest
# setting on an idle machine. An earlier version set OMP_WAIT_POLICY=passive here,
# as our C programs do (common/options.c): sleeping at once made PyTorch's
# DeepConvNet step 65.1 ms instead of 51.9 (medians of 6 alternating turns, 2
# threads), which understated PyTorch. On one torch thread there is nothing to wait for.
# OpenBLAS keeps a thread pool of its own beside torch's: with both at 2 threads
# on 2 cores they fight, and PyTorch ran 1.3x to 6x slower than its best. Its best
# setting is one OpenBLAS thread beside torch's threads; it too is read at load time.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# PyTorch's CPU allocator hands large tensors back to glibc's malloc at every
# step, and glibc maps buffers above its threshold afresh each time, pages to
# fault in and zero again, unless an earlier free happened to raise the
# threshold: on a 2-core AMD EPYC, DeepConvNet's step took 65-92 ms in some
# runs and 29-30 in others, SimpleConvNet's 17.8-19 against 9. A fixed
# threshold of 32 MB (glibc's largest) and no trimming make every run the fast
# one. glibc reads its tunables when the process starts, so the script starts
# itself again with them, once; a GLIBC_TUNABLES of your own is left alone.
# (Our C programs allocate their buffers once, and run the same either way.)
MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
if "GLIBC_TUNABLES" not in os.environ:
    os.environ["GLIBC_TUNABLES"] = MALLOC_TUNABLES
    os.execv(sys.executable, [sys.executable] + sys.argv)


def openblas_coretype():
    """The OpenBLAS kernels this CPU can run, named from its instruction sets.

    OpenBLAS picks its kernels by the CPU's model number. Debian's 0.3.21 does
    not know the model a virtual machine reports ("Intel Xeon Processor") and
    falls back to Prescott, its SSE3 kernels: torch.mm of 1024 x 1024 then ran
    at 30 GFLOP/s on one thread of the course's 2-core Xeon instead of 143 with
    its Cooperlake (AVX-512) kernels. Every nn.Linear and nn.LSTM multiplies
    through it, so the competitor is given the right kernels explicitly."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return None
    if "avx512_bf16" in flags:
        return "Cooperlake"
    if "avx512f" in flags and "avx512vl" in flags:
        return "SkylakeX"
    if "avx2" in flags and "fma" in flags:
        return "Haswell"
    return None


# The CPU's kernels even when the environment names others: a machine may set
# OPENBLAS_CORETYPE=Haswell for everything, which gave the MLP GAN AVX2 kernels
# on an AVX-512 CPU (11.2 ms a step instead of 8.2-9.0). BENCH_OPENBLAS_CORETYPE
# chooses on purpose (make bench-cnn's AVX2 comparison sets it to Haswell).
if os.environ.get("BENCH_OPENBLAS_CORETYPE"):
    os.environ["OPENBLAS_CORETYPE"] = os.environ["BENCH_OPENBLAS_CORETYPE"]
elif openblas_coretype():
    os.environ["OPENBLAS_CORETYPE"] = openblas_coretype()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

EPS = 1e-7          # the book's (and our optimizer.c's) epsilon for AdaGrad and Adam
BN_EPS = 1e-6       # common/batch_norm.h
# The memory format of the convolutional nets' weights and batches (see "Layout"
# above; main() sets it from --layout).
LAYOUT = torch.channels_last


# ---- data -------------------------------------------------------------------------------

def read_idx(path):
    """An IDX file (gzipped or not) as a numpy array of its shape, uint8."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an IDX file of unsigned bytes")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != math.prod(shape):
        sys.exit(f"{path}: {arr.size} bytes of data for the shape {shape}")
    return arr.reshape(shape)


def find(dirname, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(dirname, name)
        if os.path.exists(p):
            return p
    sys.exit(f"{dirname}: no {stem}(.gz); `make data` (scripts/fetch_data.sh) fetches MNIST")


def load_mnist(dirname):
    """(x_train, t_train, x_test, t_test): images as float32 (N, 784) in [0, 1], labels int64."""
    out = []
    for split in ("train", "t10k"):
        x = read_idx(find(dirname, f"{split}-images-idx3-ubyte"))
        t = read_idx(find(dirname, f"{split}-labels-idx1-ubyte"))
        x = torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255.0)
        out += [x, torch.from_numpy(t.astype(np.int64))]
    return tuple(out)


# ---- networks -----------------------------------------------------------------------------

def he_init(model):
    """Our nets' start: weights normal with std sqrt(2 / inputs of one output), biases 0."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            fan_in = m.weight[0].numel()
            with torch.no_grad():
                m.weight.normal_(0.0, math.sqrt(2.0 / fan_in))
                m.bias.zero_()
    return model


def mlp(widths, batchnorm=False, dropout=0.0):
    """784-...-10: [Linear - (BatchNorm) - ReLU - (Dropout)] per hidden layer, then Linear."""
    layers = []
    for a, b in zip(widths[:-2], widths[1:-1]):
        layers.append(nn.Linear(a, b))
        if batchnorm:
            # our running averages: 0.9 old + 0.1 new, which is PyTorch's momentum 0.1
            layers.append(nn.BatchNorm1d(b, eps=BN_EPS, momentum=0.1))
        layers.append(nn.ReLU())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(widths[-2], widths[-1]))
    return he_init(nn.Sequential(*layers))


def simple_conv_net():
    """common/simple_conv_net.c: conv 30 5x5 - ReLU - max-pool 2 - affine 100 - ReLU - affine 10."""
    return he_init(nn.Sequential(
        nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10)))


def deep_conv_net():
    """common/deep_conv_net.c: six 3x3 convolutions (the fourth padded by 2), three pools,
    affine 50 - ReLU - dropout 0.5 - affine 10 - dropout 0.5."""
    def conv(c_in, c_out, pad=1):
        return [nn.Conv2d(c_in, c_out, 3, padding=pad), nn.ReLU()]
    return he_init(nn.Sequential(
        *conv(1, 16), *conv(16, 16), nn.MaxPool2d(2, 2),
        *conv(16, 32), *conv(32, 32, pad=2), nn.MaxPool2d(2, 2),
        *conv(32, 64), *conv(64, 64), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(64 * 4 * 4, 50), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(50, 10), nn.Dropout(0.5)))


def accuracy(model, x, t):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        acc = (model(x).argmax(dim=1) == t).float().mean().item()
    model.train(was_training)
    return acc


# ---- 1. chapter 02 train ---------------------------------------------------------------------

def ch02_train(data, iters, batch, seed):
    x_train, t_train, x_test, t_test = data
    torch.manual_seed(seed)
    model = mlp([784, 50, 10])
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    n = len(x_train)
    iter_per_epoch = max(n // batch, 1)
    train_loss, evals = [], 0
    order = None
    start = time.perf_counter()
    for i in range(iters):
        # walk through a fresh shuffle of the training set each epoch, as ours does
        k = i * batch % n
        if k == 0 or order is None or k + batch > n:
            order = torch.randperm(n)
            k = 0
        idx = order[k:k + batch]
        x, t = x_train[idx], t_train[idx]
        loss = F.cross_entropy(model(x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        train_loss.append(loss.item())
        if i % iter_per_epoch == 0:
            accuracy(model, x_train, t_train)
            accuracy(model, x_test, t_test)
            evals += 1
    accuracy(model, x_train, t_train)               # and after the last, as ours does
    accuracy(model, x_test, t_test)
    evals += 1
    seconds = time.perf_counter() - start
    return seconds, accuracy(model, x_test, t_test), evals


# ---- 2. chapter 03 compare -------------------------------------------------------------------

OPTIMIZERS = [
    ("SGD", lambda p: torch.optim.SGD(p, lr=0.01)),
    ("Momentum", lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    ("AdaGrad", lambda p: torch.optim.Adagrad(p, lr=0.01, eps=EPS)),
    ("Adam", lambda p: torch.optim.Adam(p, lr=0.001, betas=(0.9, 0.999), eps=EPS)),
]


def ch03_compare(data, iters, batch, seed):
    x_train, t_train, x_test, t_test = data
    torch.manual_seed(seed)
    start_state = mlp([784, 100, 100, 100, 100, 10]).state_dict()
    total, accs = 0.0, {}
    for name, make in OPTIMIZERS:
        model = mlp([784, 100, 100, 100, 100, 10])
        model.load_state_dict(start_state)          # the same start for all four
        opt = make(model.parameters())
        gen = torch.Generator().manual_seed(seed)   # and the same mini-batches
        losses = []
        t0 = time.perf_counter()
        for _ in range(iters):
            idx = torch.randint(0, len(x_train), (batch,), generator=gen)
            loss = F.cross_entropy(model(x_train[idx]), t_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        total += time.perf_counter() - t0
        accs[name] = accuracy(model, x_test, t_test)
    return total, accs


# ---- 3. chapter 03 best ----------------------------------------------------------------------

def ch03_best(data, epochs, batch, seed, progress):
    x_train, t_train, x_test, t_test = data
    torch.manual_seed(seed)
    model = mlp([784, 256, 256, 10], batchnorm=True, dropout=0.2)
    lr = 0.001
    opt = torch.optim.Adam(model.parameters(), lr=lr, eps=EPS)
    n = len(x_train)
    per_epoch = n // batch
    acc = 0.0
    start = time.perf_counter()
    for e in range(1, epochs + 1):
        order = torch.randperm(n)
        if e > epochs - epochs // 3:                # halved for the last third
            for g in opt.param_groups:
                g["lr"] = lr / 2
        model.train()
        loss_sum = 0.0
        for i in range(per_epoch):
            idx = order[i * batch:(i + 1) * batch]
            loss = F.cross_entropy(model(x_train[idx]), t_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item()
        accuracy(model, x_train[:10000], t_train[:10000])   # as ours: on the first 10,000
        acc = accuracy(model, x_test, t_test)
        progress(f"  3. epoch {e}/{epochs}: loss {loss_sum / per_epoch:.4f}, test accuracy {acc:.4f}, "
                 f"{time.perf_counter() - start:.1f} s")
    return time.perf_counter() - start, acc


# ---- timing training steps (workloads 4 and 6) ------------------------------------------------

def seconds_per_step(step, steps, warmup):
    """Seconds per call of step(), over `steps` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


# ---- 4. chapter 04 bench ---------------------------------------------------------------------

def cnn_step_time(make_net, data, batch, batches, seed, warmup=5):
    x_train, t_train = data[0], data[1]
    images = x_train.view(-1, 1, 28, 28)
    torch.manual_seed(seed)
    model = make_net().to(memory_format=LAYOUT)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=EPS)
    gen = torch.Generator().manual_seed(seed)

    def step():
        idx = torch.randint(0, len(images), (batch,), generator=gen)
        loss = F.cross_entropy(model(images[idx].contiguous(memory_format=LAYOUT)), t_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return seconds_per_step(step, batches, warmup)


class CharLM(nn.Module):
    """05_rnn's BetterRnnlm: embedding, 2 LSTM layers, affine, dropout between them."""

    def __init__(self, V, H, dropout):
        super().__init__()
        self.embed = nn.Embedding(V, H)
        self.drop = nn.Dropout(dropout)
        self.lstm = nn.LSTM(H, H, num_layers=2, dropout=dropout, batch_first=True)
        self.out = nn.Linear(H, V)

    def forward(self, x, state):
        h, state = self.lstm(self.drop(self.embed(x)), state)
        return self.out(self.drop(h)), state


def char_lm_chars_per_second(path, iters, seed, warmup=5, N=50, T=50, H=128):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    torch.manual_seed(seed)
    model = CharLM(len(chars), H, 0.1)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=0.004, eps=EPS)
    # N streams spread evenly over the text, each read T characters at a time
    jump = (len(ids) - 1) // N
    offsets = torch.arange(N) * jump
    state = None
    t0 = 0.0
    for i in range(-warmup, iters):
        if i == 0:
            t0 = time.perf_counter()
        pos = offsets[:, None] + ((i + warmup) * T) % (jump - T) + torch.arange(T)[None, :]
        x, t = ids[pos], ids[pos + 1]
        if state is not None:
            state = tuple(s.detach() for s in state)   # truncated BPTT: keep the values, cut the graph
        scores, state = model(x, state)
        loss = F.cross_entropy(scores.reshape(-1, len(chars)), t.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
    return iters * N * T / (time.perf_counter() - t0), loss.item()


# ---- 6. chapter 06 bench -----------------------------------------------------------------------

def gan_nets(kind):
    """06_gan/gan_nets.c: (G, D) of the MLP GAN or the DCGAN, D ending in a logit."""
    if kind == "mlp":
        G = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                          nn.Linear(512, 784), nn.Tanh())
        D = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                          nn.Linear(256, 1))
        return G, D
    G = nn.Sequential(nn.Linear(100, 128 * 7 * 7), nn.Unflatten(1, (128, 7, 7)), nn.BatchNorm2d(128, eps=BN_EPS),
                      nn.ReLU(), nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64, eps=BN_EPS), nn.ReLU(),
                      nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
    D = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1),
                      nn.BatchNorm2d(128, eps=BN_EPS), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
    return G, D


def gan_step_time(kind, data, batch, batches, seed, warmup=5):
    x_train = data[0]
    images = (x_train * 2 - 1) if kind == "mlp" else (x_train * 2 - 1).view(-1, 1, 28, 28)
    torch.manual_seed(seed)
    G, D = gan_nets(kind)
    if kind == "dcgan":
        G, D = G.to(memory_format=LAYOUT), D.to(memory_format=LAYOUT)
    G.train()
    D.train()
    opt_d = torch.optim.Adam(D.parameters(), lr=0.0002, betas=(0.5, 0.999), eps=EPS)
    opt_g = torch.optim.Adam(G.parameters(), lr=0.0002, betas=(0.5, 0.999), eps=EPS)
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    gen = torch.Generator().manual_seed(seed)

    def step():
        idx = torch.randint(0, len(images), (batch,), generator=gen)
        # D: real batch says 1, fakes say 0 (detached: G is not trained by this step)
        fake = G(torch.randn(batch, 100, generator=gen))
        real = images[idx] if kind == "mlp" else images[idx].contiguous(memory_format=LAYOUT)
        loss_d = bce(D(real), ones) + bce(D(fake.detach()), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        # G: the same fakes should make D say 1 (G ran once, as in PyTorch's DCGAN example).
        # D's weight gradients would be dropped: not computed, as on our side
        D.requires_grad_(False)
        loss_g = bce(D(fake), ones)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        D.requires_grad_(True)
    return seconds_per_step(step, batches, warmup)


def n_threads(n):
    return f"{n} thread{'s' if n != 1 else ''}"


# ---- main ----------------------------------------------------------------------------------------

# ---- chapter 05: seq2seq that adds ------------------------------------------------------------

ADD_CHARS = sorted(set("0123456789+ _"))        # 13 characters, as common/seq_data.c's table


def addition_data(count, seed):
    """count unique problems "a+b" (digits of each drawn from 1 to 3, then the number),
    padded as the book's: the question to 7 characters, reversed; "_" + answer to 5."""
    rng = np.random.default_rng(seed)
    seen, qs, answers = set(), [], []
    lo, span = (0, 10, 100), (10, 90, 900)
    while len(qs) < count:
        d1, d2 = rng.integers(3, size=2)
        a = lo[d1] + int(rng.integers(span[d1]))
        b = lo[d2] + int(rng.integers(span[d2]))
        q = f"{a}+{b}"
        if q in seen:
            continue
        seen.add(q)
        qs.append(q)
        answers.append(str(a + b))
    idx = {c: i for i, c in enumerate(ADD_CHARS)}
    x = np.array([[idx[c] for c in q.ljust(7)][::-1] for q in qs], dtype=np.int64)
    # decoder input "_" + answer; targets the answer, one space as the end mark, then -1 (ignored)
    din = np.array([[idx[c] for c in ("_" + a).ljust(4)[:4]] for a in answers], dtype=np.int64)
    t = np.array([[idx[c] for c in (a + " ")[:4]] + [-1] * (4 - len((a + " ")[:4])) for a in answers],
                 dtype=np.int64)
    return torch.from_numpy(x), torch.from_numpy(din), torch.from_numpy(t), answers


class PeekySeq2seq(nn.Module):
    def __init__(self, V, D, H):
        super().__init__()
        self.enc_embed = nn.Embedding(V, D)
        self.enc_lstm = nn.LSTM(D, H, batch_first=True)
        self.dec_embed = nn.Embedding(V, D)
        self.dec_lstm = nn.LSTM(H + D, H, batch_first=True)
        self.affine = nn.Linear(2 * H, V)

    def encode(self, x):
        _, (h, _) = self.enc_lstm(self.enc_embed(x))
        return h[0]                                         # (N, H)

    def decode(self, ids, h, state):
        e = self.dec_embed(ids)                             # (N, T, D)
        hr = h.unsqueeze(1).expand(-1, ids.shape[1], -1)    # h at every step
        out, state = self.dec_lstm(torch.cat([hr, e], 2), state)
        return self.affine(torch.cat([hr, out], 2)), state

    def forward(self, x, din):
        h = self.encode(x)
        scores, _ = self.decode(din, h, (h.unsqueeze(0), torch.zeros_like(h).unsqueeze(0)))
        return scores

    @torch.no_grad()
    def generate(self, x, start, steps):
        h = self.encode(x)
        state = (h.unsqueeze(0), torch.zeros_like(h).unsqueeze(0))
        ids = torch.full((x.shape[0], 1), start, dtype=torch.int64)
        out = []
        for _ in range(steps):
            scores, state = self.decode(ids, h, state)
            ids = scores.argmax(2)
            out.append(ids)
        return torch.cat(out, 1)


def ch05_addition(problems, batch, seed):
    torch.manual_seed(seed)
    x, din, t, answers = addition_data(problems, seed)
    n_test = problems // 10
    n_train = problems - n_test
    net = PeekySeq2seq(len(ADD_CHARS), 16, 128)
    opt = torch.optim.Adam(net.parameters(), lr=0.003)
    start = time.perf_counter()
    order = torch.randperm(n_train)
    for k in range(n_train // batch):
        idx = order[k * batch:(k + 1) * batch]
        scores = net(x[idx], din[idx])
        loss = F.cross_entropy(scores.reshape(-1, scores.shape[2]), t[idx].reshape(-1), ignore_index=-1)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step()
    train_s = time.perf_counter() - start
    right = 0
    chars = ADD_CHARS
    for i in range(n_train, problems, batch):
        out = net.generate(x[i:i + batch], chars.index("_"), 4)
        for r, row in enumerate(out.tolist()):
            s = "".join(chars[c] for c in row).split(" ")[0]
            right += s == answers[i + r]
    return train_s, time.perf_counter() - start - train_s, right / n_test


# ---- 8. the matrix multiply -------------------------------------------------------------------

def matmul_gflops(n=1024):
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)                          # warm up, and time one
    t0 = time.perf_counter()
    torch.mm(a, b)
    calls = max(1, int(0.02 / max(time.perf_counter() - t0, 1e-7)) + 1)
    t0 = time.perf_counter()
    for _ in range(calls):
        torch.mm(a, b)
    return 2.0 * n ** 3 * calls / (time.perf_counter() - t0) * 1e-9


def main():
    ap = argparse.ArgumentParser(description="Time in PyTorch (CPU) the same work as `make bench` times in C.")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    ap.add_argument("--data", default="data/mnist", help="directory of the MNIST IDX files (default data/mnist)")
    ap.add_argument("--text", default="data/tinyshakespeare/input.txt",
                    help="workload 5's text (default data/tinyshakespeare/input.txt)")
    ap.add_argument("--only", default="1,2,3,4,5,6,7,8", help="which workloads, e.g. 1,5 (default all)")
    ap.add_argument("--steps", type=int, default=0,
                    help="timed steps of workloads 4, 5 and 6 (default 100, 100, 50)")
    ap.add_argument("--problems", type=int, default=0, help="workload 7's problems (default 50000)")
    ap.add_argument("--iters", type=int, default=0, help="workload 1's iterations (default 10000)")
    ap.add_argument("--epochs", type=int, default=0, help="workload 3's epochs (default 8)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes, to check that it runs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="runs of the repeated workloads (default 3)")
    ap.add_argument("--layout", choices=("channels_last", "contiguous"), default="channels_last",
                    help="memory format of the convolutional nets (default channels_last, oneDNN's "
                         "preferred; contiguous: NCHW)")
    how_many = ap.add_mutually_exclusive_group()
    how_many.add_argument("--just-threads", action="store_true",
                          help="only at --threads (by default workloads 2, 4, 5 and 7 also run on 1 thread)")
    how_many.add_argument("--best-threads", action="store_true",
                          help="every workload at 1 and at --threads, taking turns; each row is the faster's "
                               "(make bench)")
    args = ap.parse_args()
    try:
        only = {int(s) for s in args.only.split(",") if s.strip()}
    except ValueError:
        ap.error(f"--only: a comma-separated list of 1 to 8, not '{args.only}'")
    if not only or not only <= {1, 2, 3, 4, 5, 6, 7, 8}:
        ap.error(f"--only: a comma-separated list of 1 to 8, not '{args.only}'")
    if args.steps < 0 or args.problems < 0 or 0 < args.problems < 20:
        ap.error("--steps must be positive, --problems at least 20")
    if args.iters < 0 or args.epochs < 0:
        ap.error("--iters and --epochs must be positive")
    if args.threads < 1:
        ap.error("--threads must be at least 1")

    def progress(msg):
        print("   ..." + msg[1:], file=sys.stderr, flush=True)

    q = args.quick
    data = load_mnist(args.data) if only & {1, 2, 3, 4, 6} else None
    if q and data:   # a few hundred steps on a slice: only to see that every path runs
        data = (data[0][:3000], data[1][:3000], data[2][:1000], data[3][:1000])
    # The torch thread counts each workload runs at. On 2 cores one thread is PyTorch's
    # fastest for some of these nets and two for others, so --best-threads measures both
    # for every workload and reports the faster.
    one_and_n = sorted({1, args.threads})
    rest = one_and_n if args.best_threads else [args.threads]      # workloads 1, 3, 6 and 8
    both = [args.threads] if args.just_threads else one_and_n      # workloads 2, 4, 5 and 7
    repeats = 1 if q else max(1, args.runs)
    sizes = dict(
        it02=100 if q else 10000,
        it03=50 if q else 2000,
        ep03=2 if q else 8,
        cnn=3 if q else 100,
        lm=3 if q else 100,
        gan=3 if q else 50,
        add=2000 if q else 50000,
    )
    if args.steps:
        sizes.update(cnn=args.steps, lm=args.steps, gan=args.steps)
    if args.problems:
        sizes["add"] = args.problems
    if args.iters:
        sizes["it02"] = args.iters
    if args.epochs:
        sizes["ep03"] = args.epochs

    global LAYOUT
    LAYOUT = torch.channels_last if args.layout == "channels_last" else torch.contiguous_format
    torch.set_num_threads(args.threads)
    threads = (f"the faster of 1 and {args.threads} threads for each workload" if len(rest) > 1
               else n_threads(args.threads))
    print(f"  PyTorch {torch.__version__}, CPU, float32, eager (torch.nn + torch.optim); "
          f"{threads} (torch.set_num_threads), "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset: spin, then sleep)')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(its own choice)')}, "
          f"GLIBC_TUNABLES={os.environ.get('GLIBC_TUNABLES')}, "
          f"convolutional nets in {args.layout} memory format (--layout)"
          f"{'; --quick: tiny sizes, not a benchmark' if q else ''}")
    rows = []

    def row(workload, threads, seconds, how, result=""):
        line = f"  {workload:<56} {threads:>3}  {seconds:>9}  {how:<22} {result}"
        rows.append(line)
        print(line, flush=True)

    print(f"  {'workload':<56} {'thr':>3}  {'PyTorch s':>9}  {'':<22} accuracy / note")

    def at_threads(label, counts, runs, once, figure, unit, fmt, make_row, higher=False):
        """once(r), run r of a workload, `runs` times at each torch thread count in counts,
        the counts taking turns (1, 2, 1, 2, ...) so that a change in the machine's load
        falls on them alike. figure(result) is what is compared (higher=True: more is
        faster), shown on stderr after each run as "LABEL run R on T threads: FIGURE UNIT"
        (make bench reads these). Then make_row(threads, median figure, results, note):
        for each count, or with --best-threads for the fastest median only, the note
        giving the other count's median."""
        results = {th: [] for th in counts}
        for r in range(runs):
            for th in counts:
                torch.set_num_threads(th)
                results[th].append(once(r))
                progress(f"  {label} run {r + 1} on {n_threads(th)}: {figure(results[th][-1]):{fmt}} {unit}")
        torch.set_num_threads(args.threads)
        medians = {th: statistics.median(figure(res) for res in results[th]) for th in counts}
        if not args.best_threads:
            for th in counts:
                make_row(th, medians[th], results[th], "")
            return
        best = (max if higher else min)(counts, key=medians.get)     # a tie goes to fewer threads
        others = ", ".join(f"{n_threads(th)} ({medians[th]:{fmt}} {unit})" for th in counts if th != best)
        make_row(best, medians[best], results[best], f"; faster than {others}" if others else "")

    if 1 in only:
        def row1(th, median, runs, note):
            row(f"1. ch02 train 784-50-10 SGD, {sizes['it02']} it + {runs[0][2]} evals", th, f"{median:.2f}",
                f"median of {repeats}", "test " + " ".join(f"{acc:.4f}" for _, acc, _ in runs) + note)
        at_threads("1.", rest, repeats, lambda r: ch02_train(data, sizes["it02"], 100, args.seed + r),
                   lambda res: res[0], "s", ".2f", row1)

    if 2 in only:
        def row2(th, median, runs, note):
            accs = runs[-1][1]
            row(f"2. ch03 compare 784-100x4-10, 4 optimizers x {sizes['it03']} it", th, f"{median:.2f}",
                f"median of {repeats}", "test " + " ".join(f"{k} {v:.3f}" for k, v in accs.items()) + note)
        at_threads("2.", both, repeats, lambda r: ch03_compare(data, sizes["it03"], 128, args.seed),
                   lambda res: res[0], "s", ".2f", row2)

    if 3 in only:
        def row3(th, median, runs, note):
            row(f"3. ch03 best 784-256x2-10 BN+dropout Adam, {sizes['ep03']} epochs", th, f"{median:.2f}", "once",
                f"test {runs[0][1]:.4f}" + note)
        at_threads("3.", rest, 1, lambda r: ch03_best(data, sizes["ep03"], 100, args.seed, progress),
                   lambda res: res[0], "s", ".2f", row3)

    def training_steps(label, what, per_epoch, unit, units, timed, counts, step_seconds):
        """Workloads 4 and 6: the ms of a training step (a batch, an iteration) over `timed`
        of them, and that times the steps of an epoch."""
        def make_row(th, ms, runs, note):
            row(f"{label} {what}", th, f"{ms * per_epoch / 1e3:.1f}", f"{ms:.2f} ms per {unit}",
                f"over {timed} {units} after 5 warm-up" + note)
        at_threads(label, counts, 1, lambda r: 1e3 * step_seconds(), lambda ms: ms, f"ms per {unit}", ".2f",
                   make_row)

    if 4 in only:
        for name, make in (("SimpleConvNet", simple_conv_net), ("DeepConvNet", deep_conv_net)):
            training_steps(f"4. {name}", "step x600 (an epoch), Adam, batch 100", 600, "batch", "batches",
                           sizes["cnn"], both,
                           lambda make=make: cnn_step_time(make, data, 100, sizes["cnn"], args.seed))

    if 5 in only:
        def row5(th, median, runs, note):
            cps = [c for c, _ in runs]
            row("5. ch05 lm: Embedding + 2 x LSTM 128 + Linear, 50 x 50, Adam", th, f"{median:.0f}",
                f"chars/s, median of {repeats}",
                f"spread {min(cps):.0f}-{max(cps):.0f}, {sizes['lm']} iterations" + note)
        at_threads("5.", both, repeats, lambda r: char_lm_chars_per_second(args.text, sizes["lm"], args.seed + r),
                   lambda res: res[0], "chars/s", ".0f", row5, higher=True)

    if 6 in only:
        for name, kind in (("MLP GAN", "mlp"), ("DCGAN", "dcgan")):
            training_steps(f"6. {name}", "iteration (D and G steps) x937 (an epoch), batch 64", 937, "iteration",
                           "iterations", sizes["gan"], rest,
                           lambda kind=kind: gan_step_time(kind, data, 64, sizes["gan"], args.seed))

    if 7 in only:
        def row7(th, median, runs, note):
            tr, ev, acc = runs[0]
            row("7. ch05 addition, peeky seq2seq reversed, one epoch + eval", th, f"{median:.2f}",
                f"train {tr:.2f} + eval {ev:.2f} s", f"held-out exact match {acc:.4f} after 1 epoch" + note)
        at_threads("7.", both, 1, lambda r: ch05_addition(sizes["add"], 128, args.seed),
                   lambda res: res[0] + res[1], "s", ".2f", row7)

    if 8 in only:
        def row8(th, median, runs, note):
            row("8. matmul 1024x1024x1024, torch.mm, GFLOP/s", th, f"{median:.4g}", f"GFLOP/s, median of {repeats}",
                f"spread {min(runs):.4g}-{max(runs):.4g}" + note)
        at_threads("8.", rest, repeats, lambda r: matmul_gflops(), lambda g: g, "GFLOP/s", ".4g", row8,
                   higher=True)

if __name__ == "__main__":
    main()
