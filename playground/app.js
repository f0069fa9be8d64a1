// app.js - the playground's page: tabs, the drawing pad and its bars, the text box.
// It talks to the server only through the JSON API of playground/README.md.
//
// The address's fragment can drive the page (for links, and for the browser test):
//   #draw=7         draw a 7 with synthetic pointer events, as a hand would
//   #draw=7&repeat=20  then send that drawing 20 more times and report the round trips
//   #tab=text&prompt=JULIET:&write   open the text tab and write at once
//   #tab=text&add=17%2B385&date=27%20sep%2094   ask the add and date boxes
//   #tab=gan&model=cgan&digit=7&seed=3   the GAN tab, drawing a 7 from seed 3
//   &still          leave out the round-trip times (for screenshots made in virtual time)
'use strict';

const $ = (id) => document.getElementById(id);
const fragment = new URLSearchParams(location.hash.slice(1));
let models = null;

// ---- tabs -----------------------------------------------------------------------------

function showTab(name) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('on', b.dataset.tab === name);
  for (const s of document.querySelectorAll('.tab')) s.classList.toggle('on', s.id === name);
}
for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => showTab(b.dataset.tab));

// ---- digits: the pad ----------------------------------------------------------------------

const pad = $('pad');
const ctx = pad.getContext('2d');
const SENT = 112;                       // the drawing goes to the server as SENT x SENT grey levels
const small = document.createElement('canvas');
small.width = small.height = SENT;
const sctx = small.getContext('2d', { willReadFrequently: true });
let drawing = false, last = null, ink = false;
let dirty = false, inFlight = false, pendingSince = 0;
const roundTrips = [];

function clearPad() {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, pad.width, pad.height);
  ink = dirty = false;
  $('seen').getContext('2d').clearRect(0, 0, 28, 28);
  for (const e of document.querySelectorAll('.net .top')) e.textContent = '?';
  for (const e of document.querySelectorAll('.bar')) setBar(e, 0, false);
  $('status').textContent = 'Draw a digit with the mouse, a pen or a finger.';
}

function point(e) {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
}

function stroke(a, b) {
  ctx.strokeStyle = '#111';
  ctx.lineWidth = 18;
  ctx.lineCap = ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(a[0], a[1]);
  ctx.lineTo(b[0], b[1]);
  ctx.stroke();
  ink = true;
}

pad.addEventListener('pointerdown', (e) => {
  drawing = true;
  try { pad.setPointerCapture(e.pointerId); } catch (_) { /* a synthetic pointer has nothing to capture */ }
  last = point(e);
  stroke(last, last);
  changed();
  e.preventDefault();
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const all = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
  for (const ev of all.length ? all : [e]) {
    const p = point(ev);
    stroke(last, p);
    last = p;
  }
  changed();
});
for (const type of ['pointerup', 'pointercancel']) pad.addEventListener(type, () => { drawing = false; });
$('clear').addEventListener('click', clearPad);

// A change starts a request unless one is on its way; when it comes back, the
// latest drawing goes (once) if it changed meanwhile. So the bars follow the pen.
function changed() {
  if (!dirty) pendingSince = performance.now();
  dirty = true;
  if (!inFlight) send();
}

function grey() {
  sctx.fillStyle = '#fff';
  sctx.fillRect(0, 0, SENT, SENT);
  sctx.imageSmoothingEnabled = true;
  sctx.imageSmoothingQuality = 'high';
  sctx.drawImage(pad, 0, 0, SENT, SENT);
  const rgba = sctx.getImageData(0, 0, SENT, SENT).data;
  const pixels = new Array(SENT * SENT);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rgba[4 * i];
  return pixels;
}

async function send() {
  if (!ink) { dirty = false; return; }
  dirty = false;
  inFlight = true;
  const since = pendingSince;
  const body = JSON.stringify({ width: SENT, height: SENT, pixels: grey() });
  try {
    const r = await fetch('api/digit', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const answer = await r.json();
    if (r.ok) show(answer, since);
    else $('status').textContent = r.status === 422 ? 'Draw a little more: ' + answer.error : answer.error;
  } catch (err) {
    $('status').textContent = 'The server does not answer (' + err.message + '): is the playground still running?';
  }
  inFlight = false;
  if (dirty) send();
  else document.body.dataset.digit = 'done';
}

// ---- digits: what came back --------------------------------------------------------------

function netBlock(name) {
  let div = document.querySelector('.net[data-name="' + name + '"]');
  if (div) return div;
  div = document.createElement('div');
  div.className = 'net';
  div.dataset.name = name;
  const h = document.createElement('h2');
  h.textContent = name;
  const top = document.createElement('div');
  top.className = 'top';
  top.id = 'top-' + name;
  top.textContent = '?';
  div.append(h, top);
  for (let c = 0; c < 10; c++) {
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.innerHTML = '<span></span><div class="track"><div class="fill"></div></div><span class="pct"></span>';
    bar.firstChild.textContent = c;
    div.append(bar);
  }
  $('nets').append(div);
  return div;
}

function setBar(bar, p, best) {
  bar.querySelector('.fill').style.width = (100 * p).toFixed(1) + '%';
  bar.querySelector('.pct').textContent = (100 * p).toFixed(1) + '%';
  bar.classList.toggle('best', best);
}

function show(answer, since) {
  const seen = $('seen').getContext('2d');
  const img = seen.createImageData(28, 28);
  answer.image.forEach((v, i) => {
    const g = Math.round(255 * v);
    img.data.set([g, g, g, 255], 4 * i);
  });
  seen.putImageData(img, 0, 0);
  for (const m of answer.models) {
    const div = netBlock(m.name);
    div.querySelector('.top').textContent = m.digit;
    div.querySelectorAll('.bar').forEach((bar, c) => setBar(bar, m.probs[c], c === m.digit));
  }
  $('status').textContent = answer.models.map((m) => m.name + ' reads ' + m.digit).join(', ') + '.';
  // the round trip: from the stroke that made this drawing to the bars drawn on screen
  if (fragment.has('still')) return;
  requestAnimationFrame(() => {
    const ms = performance.now() - since;
    roundTrips.push(ms);
    const sorted = [...roundTrips].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    $('timing').textContent = 'round trip ' + ms.toFixed(1) + ' ms (median ' + median.toFixed(1) + ' ms of ' +
      roundTrips.length + '); the server\'s share ' + answer.server_ms.toFixed(1) + ' ms';
    document.body.dataset.roundtrip = median.toFixed(2);
  });
}

// ---- digits: drawing by script (#draw=7) ------------------------------------------------------

// Strokes in the pad's unit square, one polyline each: a hand's way of writing them.
const STROKES = {
  0: [[...Array(25).keys()].map((i) => [0.5 + 0.22 * Math.sin(i * Math.PI / 12), 0.5 - 0.32 * Math.cos(i * Math.PI / 12)])],
  1: [[[0.42, 0.26], [0.54, 0.16], [0.54, 0.84]]],
  7: [[[0.26, 0.2], [0.74, 0.2], [0.46, 0.84]]],
};

function firePointer(type, x, y) {
  const r = pad.getBoundingClientRect();
  pad.dispatchEvent(new PointerEvent(type, {
    bubbles: true, cancelable: true, pointerId: 1, pointerType: 'mouse', isPrimary: true,
    buttons: type === 'pointerup' ? 0 : 1, clientX: r.left + x * r.width, clientY: r.top + y * r.height,
  }));
}

function drawByScript(digit) {
  for (const line of STROKES[digit] || []) {
    firePointer('pointerdown', line[0][0], line[0][1]);
    for (let k = 1; k < line.length; k++) {
      const [x0, y0] = line[k - 1], [x1, y1] = line[k];
      const steps = Math.max(1, Math.round(Math.hypot(x1 - x0, y1 - y0) * 40));
      for (let s = 1; s <= steps; s++) firePointer('pointermove', x0 + (x1 - x0) * s / steps, y0 + (y1 - y0) * s / steps);
    }
    const end = line[line.length - 1];
    firePointer('pointerup', end[0], end[1]);
  }
}

// Send the same drawing again n times, one after another, and put the round
// trips (stroke to bars on screen) into the page's title, where a script that
// drives the browser can read them (playground/bench.sh).
async function repeat(n) {
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  while (inFlight || roundTrips.length === 0) await wait(5);
  const first = roundTrips.length;
  for (let i = 0; i < n; i++) {
    await wait(10);
    const had = roundTrips.length;
    changed();
    while (inFlight || roundTrips.length === had) await wait(1);
  }
  const mine = roundTrips.slice(first).sort((a, b) => a - b);
  const at = (q) => mine[Math.min(mine.length - 1, Math.floor(q * mine.length))].toFixed(1);
  document.title = 'round trips: ' + mine.length + ', median ' + at(0.5) + ' ms, p90 ' + at(0.9) + ' ms, p99 ' + at(0.99) + ' ms';
  document.body.dataset.repeat = 'done';
}

// ---- text -------------------------------------------------------------------------------

$('temperature').addEventListener('input', () => {
  $('temperature-value').textContent = Number($('temperature').value).toFixed(2);
});

async function write() {
  const body = {
    prompt: $('prompt').value,
    temperature: Number($('temperature').value),
    length: Number($('length').value),
  };
  if ($('seed').value !== '') body.seed = Number($('seed').value);
  $('write').disabled = true;
  $('text-status').textContent = 'writing...';
  try {
    const r = await fetch('api/text', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await r.json();
    const out = $('continuation');
    if (r.ok) {
      const b = document.createElement('b');
      b.textContent = answer.prompt;
      out.replaceChildren(b, document.createTextNode(answer.text));
      $('text-status').textContent = answer.length + ' characters at temperature ' + answer.temperature +
        ', seed ' + answer.seed + ', in ' + answer.server_ms.toFixed(0) + ' ms on the server';
    } else {
      $('text-status').textContent = answer.error;
    }
  } catch (err) {
    $('text-status').textContent = 'The server does not answer (' + err.message + ')';
  }
  $('write').disabled = false;
  document.body.dataset.text = 'done';
}
$('write').addEventListener('click', write);

// ---- text: add and date (chapter 05's seq2seq) ----------------------------------------------

async function post(path, body) {
  const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return [r.ok, await r.json()];
}

async function add() {
  $('add-status').textContent = '';
  try {
    const [ok, answer] = await post('api/add', { problem: $('problem').value });
    $('add-answer').textContent = ok ? answer.answer : '';
    $('add-status').textContent = !ok ? answer.error
      : answer.right ? 'right' : 'wrong: the sum is ' + answer.sum;
  } catch (err) {
    $('add-status').textContent = 'The server does not answer (' + err.message + ')';
  }
  document.body.dataset.add = 'done';
}
$('add').addEventListener('click', add);
$('problem').addEventListener('keydown', (e) => { if (e.key === 'Enter') add(); });

// White (no attention) to dark blue (all of it), as chapter 05's attention_maps.png.
function heat(w) {
  const from = w < 0.5 ? [255, 255, 255] : [107, 143, 214], to = w < 0.5 ? [107, 143, 214] : [11, 42, 107];
  const t = w < 0.5 ? w * 2 : (w - 0.5) * 2;
  return 'rgb(' + from.map((c, i) => Math.round(c + (to[i] - c) * t)).join(',') + ')';
}

// The attention map: a row for each character written, a column for each one
// read, and a last column for the padding after the text.
function drawAttention(att) {
  const canvas = $('attention'), cell = 22, left = 30, top = 30;
  const cols = att.input.concat(['pad']), rows = att.output;
  canvas.width = left + cell * cols.length + 4;
  canvas.height = top + cell * rows.length + 4;
  const c = canvas.getContext('2d');
  c.fillStyle = '#fff';
  c.fillRect(0, 0, canvas.width, canvas.height);
  c.font = '13px ui-monospace, monospace';
  c.textAlign = 'center';
  c.textBaseline = 'middle';
  c.fillStyle = '#1d2330';
  cols.forEach((ch, i) => c.fillText(ch === ' ' ? '\u2423' : ch === 'pad' ? '\u2026' : ch, left + cell * (i + 0.5), top / 2));
  rows.forEach((ch, t) => c.fillText(ch, left / 2, top + cell * (t + 0.5)));
  let cells = 0;
  rows.forEach((_, t) => {
    att.weights[t].concat([att.padding[t]]).forEach((w, i) => {
      c.fillStyle = heat(Math.min(1, Math.max(0, w)));
      c.fillRect(left + cell * i, top + cell * t, cell - 1, cell - 1);
      cells++;
    });
  });
  document.body.dataset.attentionCells = cells;
}

async function readDate() {
  $('date-status').textContent = '';
  try {
    const [ok, answer] = await post('api/date', { text: $('date-text').value });
    $('date-answer').textContent = ok ? answer.answer : '';
    if (!ok) $('date-status').textContent = answer.error;
    else if (answer.attention) drawAttention(answer.attention);
  } catch (err) {
    $('date-status').textContent = 'The server does not answer (' + err.message + ')';
  }
  document.body.dataset.date = 'done';
}
$('date').addEventListener('click', readDate);
$('date-text').addEventListener('keydown', (e) => { if (e.key === 'Enter') readDate(); });

// ---- GAN (chapter 06) -------------------------------------------------------------------------

const SLIDERS = 6;              // the first few coordinates of z get a slider
let ganZ = null, ganDigit = 7, ganBusy = false, ganAgain = false;

function ganModel() {
  return models.gan.find((m) => m.name === $('gan-model').value) || models.gan[0];
}

function setupGan() {
  for (const m of models.gan) {
    const o = document.createElement('option');
    o.value = m.name;
    o.textContent = m.name + ' (' + (m.classes ? 'conditional ' : '') + m.kind + ', ' + m.epochs + (m.epochs === 1 ? ' epoch)' : ' epochs)');
    $('gan-model').append(o);
  }
  for (let d = 0; d < 10; d++) {
    const b = document.createElement('button');
    b.textContent = d;
    b.dataset.digit = d;
    b.addEventListener('click', () => { ganDigit = d; showGanDigit(); drawGan(); });
    $('gan-digits').append(b);
  }
  for (let i = 0; i < SLIDERS; i++) {
    const label = document.createElement('label');
    label.innerHTML = 'z[' + i + '] <input type="range" min="-3" max="3" step="0.05" value="0"> <output></output>';
    const input = label.querySelector('input');
    input.addEventListener('input', () => {
      if (!ganZ) return;
      ganZ[i] = Number(input.value);
      label.querySelector('output').textContent = ganZ[i].toFixed(2);
      drawGan();
    });
    $('gan-sliders').append(label);
  }
  $('gan-model').addEventListener('change', () => { ganZ = null; showGanDigit(); drawGan(); });
  $('gan-fresh').addEventListener('click', () => { ganZ = null; drawGan(); });
  showGanDigit();
}

function showGanDigit() {
  const m = ganModel();
  $('gan-digit-row').hidden = !m.classes;
  $('gan-zdim').textContent = m.z_dim;
  for (const b of document.querySelectorAll('#gan-digits button')) {
    b.disabled = Number(b.dataset.digit) >= m.classes;
    b.classList.toggle('on', Number(b.dataset.digit) === ganDigit);
  }
}

// One drawing at a time: a slider moved meanwhile sends its latest z once the
// drawing in flight comes back (as the digit pad does).
async function drawGan(seed) {
  if (ganBusy) { ganAgain = true; return; }
  ganBusy = true;
  const m = ganModel(), body = { model: m.name };
  if (m.classes) body.digit = ganDigit;
  if (ganZ) body.z = ganZ;
  else if (seed !== undefined) body.seed = seed;
  try {
    const [ok, answer] = await post('api/gan', body);
    if (ok) showGanImage(answer);
    else $('gan-status').textContent = answer.error;
  } catch (err) {
    $('gan-status').textContent = 'The server does not answer (' + err.message + ')';
  }
  ganBusy = false;
  if (ganAgain) { ganAgain = false; drawGan(); }
  else document.body.dataset.gan = 'done';
}

function showGanImage(answer) {
  ganZ = answer.z;
  document.querySelectorAll('#gan-sliders label').forEach((label, i) => {
    label.querySelector('input').value = ganZ[i];
    label.querySelector('output').textContent = ganZ[i].toFixed(2);
  });
  const canvas = $('gan-image');
  canvas.width = answer.width;
  canvas.height = answer.height;
  const c = canvas.getContext('2d');
  const img = c.createImageData(answer.width, answer.height);
  answer.image.forEach((v, i) => {
    const g = Math.round(255 * v);
    img.data.set([g, g, g, 255], 4 * i);
  });
  c.putImageData(img, 0, 0);
  // what the canvas now holds, read back: the pixels with ink (for the browser test)
  const back = c.getImageData(0, 0, answer.width, answer.height).data;
  let ink = 0;
  for (let i = 0; i < back.length; i += 4) ink += back[i] > 64;
  document.body.dataset.ganInk = ink;
  $('gan-status').textContent = answer.model + (answer.digit !== null ? ' draws a ' + answer.digit : '') +
    (answer.seed !== null ? ' from seed ' + answer.seed : ' from your z') +
    (fragment.has('still') ? '' : ', in ' + answer.server_ms.toFixed(1) + ' ms on the server');
}

// ---- start: which models are there? ------------------------------------------------------

async function start() {
  clearPad();
  try {
    models = await (await fetch('api/models')).json();
  } catch (err) {
    $('status').textContent = 'The server does not answer: start it with make playground.';
    return;
  }
  for (const m of models.digit) netBlock(m.name);
  if (!models.digit.length) $('status').textContent = 'No digit model: make chapter 4 ARGS=simple trains one.';
  const s2s = models.seq2seq || {};
  const on = { text: models.text !== null || models.seq2seq !== null, gan: models.gan !== null };
  $('lm-box').hidden = !models.text;
  $('add-box').hidden = !s2s.add;
  $('date-box').hidden = !s2s.date;
  for (const b of document.querySelectorAll('#tabs button')) {
    if (b.dataset.tab in on && on[b.dataset.tab]) { b.disabled = false; b.title = ''; }
  }
  const names = models.digit.map((m) => m.name + ' (' + m.file + ', test accuracy ' + m.test_accuracy + ')');
  if (models.text) names.push(models.text.name + ' (' + models.text.file + ')');
  if (s2s.add) names.push('add: ' + s2s.add.name + ' seq2seq (' + s2s.add.file + ')');
  if (s2s.date) names.push('date: ' + s2s.date.name + ' seq2seq (' + s2s.date.file + ')');
  for (const m of models.gan || []) names.push('GAN ' + m.name + ' (' + m.file + ')');
  $('models').textContent = 'Models: ' + names.join('; ') + '.';

  if (fragment.has('prompt')) $('prompt').value = fragment.get('prompt');
  if (fragment.get('tab') && on[fragment.get('tab')] !== false) showTab(fragment.get('tab'));
  if (fragment.has('write') && models.text) write();
  if (fragment.has('add') && s2s.add) { $('problem').value = fragment.get('add'); add(); }
  if (fragment.has('date') && s2s.date) { $('date-text').value = fragment.get('date'); readDate(); }
  if (models.gan) {
    setupGan();
    if (fragment.has('model')) $('gan-model').value = fragment.get('model');
    if (fragment.has('digit')) ganDigit = Number(fragment.get('digit'));
    showGanDigit();
    drawGan(fragment.has('seed') ? Number(fragment.get('seed')) : undefined);
  }
  if (fragment.has('draw')) {
    drawByScript(fragment.get('draw'));
    if (fragment.has('repeat')) repeat(Math.min(1000, Number(fragment.get('repeat')) || 0));
  }
}
start();
