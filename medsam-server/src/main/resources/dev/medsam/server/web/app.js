// MedSAM viewer: plain JavaScript over the /api/v1 endpoints (no build step). All state lives in this tab.
'use strict';

const API = '/api/v1';
// Same colours as `medsam segment --overlay` (object 1 red, 2 green, 3 blue, ...).
const PALETTE = [0xFF3030, 0x30E030, 0x3080FF, 0xFFE020, 0xFF40FF, 0x20E0E0, 0xFF9020, 0xA060FF, 0x90FF90, 0xFF8080];
const FILL_ALPHA = 110;   // semi-transparent fill (of 255)
const EDGE_ALPHA = 255;   // opaque outline

const $ = id => document.getElementById(id);
const imageCanvas = $('image'), overlay = $('overlay'), ui = $('ui');

const state = {
  path: null, info: null, slice: 0, window: '', dragWindow: null,
  perSlice: new Map(),      // slice -> {objects: [{box, points}], current, history: [json]}
  encoded: new Set(),       // "slice|window" known to be encoded on the server
  volumeLabels: null,       // {data, width, height, slices} from propagation
  jobId: null, jobObjects: null, request: 0,   // jobObjects: indices of the objects the job propagates
};

function colour(i) {
  if (i < PALETTE.length) return PALETTE[i];
  const hue = (i * 0.6180339887498949) % 1.0 * 6, sector = Math.floor(hue), f = hue - sector, s = 0.85;
  const rgb = [[1, 1 - s * (1 - f), 1 - s], [1 - s * f, 1, 1 - s], [1 - s, 1, 1 - s * (1 - f)],
    [1 - s, 1 - s * f, 1], [1 - s * (1 - f), 1 - s, 1], [1, 1 - s, 1 - s * f]][Math.min(sector, 5)];
  return Math.round(rgb[0] * 255) << 16 | Math.round(rgb[1] * 255) << 8 | Math.round(rgb[2] * 255);
}
const css = c => '#' + c.toString(16).padStart(6, '0');

function showError(message) { $('error').textContent = message || ''; }
function busy(text) { $('busy').hidden = !text; $('busy-text').textContent = text || ''; }

async function apiError(response) {
  try { const j = await response.json(); return j.error || response.statusText; } catch (e) { return response.statusText; }
}
async function getJson(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(await apiError(r));
  return r.json();
}
async function post(url, body) {
  return fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
}

// ---------------------------------------------------------------------------------------------- images

async function loadList() {
  try {
    const h = await getJson(API + '/health');
    $('health').textContent = `model ${h.model}, backend ${h.backend}`;
    const list = await getJson(API + '/images');
    const ul = $('images');
    ul.innerHTML = '';
    for (const e of list.images) {
      const li = document.createElement('li');
      li.dataset.path = e.path;
      li.textContent = e.path;
      const small = document.createElement('small');
      small.textContent = e.error ? '(unreadable)' : `${e.dims.slice(0, 3).join('×')} ${e.modality || ''}`;
      li.appendChild(small);
      if (e.error) li.title = e.error; else li.onclick = () => openImage(e.path);
      ul.appendChild(li);
    }
  } catch (e) { showError(e.message); }
}

async function openImage(path) {
  showError('');
  try {
    const info = await getJson(API + '/info?path=' + encodeURIComponent(path));
    Object.assign(state, {path, info, slice: Math.floor(info.slices / 2), perSlice: new Map(), encoded: new Set(),
      volumeLabels: null, jobId: null, dragWindow: null});
    for (const li of document.querySelectorAll('#images li')) li.classList.toggle('active', li.dataset.path === path);
    $('title').textContent = `${path} — ${info.width}×${info.height}${info.slices > 1 ? '×' + info.slices : ''} ${info.modality}`;
    for (const c of [imageCanvas, overlay, ui]) { c.width = info.width; c.height = info.height; }
    const scale = Math.max(1, Math.min(4, Math.floor(Math.min(900 / info.width, 800 / info.height))));
    for (const c of [imageCanvas, overlay, ui]) { c.style.width = info.width * scale + 'px'; c.style.height = info.height * scale + 'px'; }
    $('propagate').disabled = info.slices < 2;
    $('download-volume').disabled = true;
    $('download-volume-seg').disabled = true;
    // DICOM SEG references the DICOM source, so it is offered for DICOM images only
    const segOption = document.querySelector('#format option[value="dicom-seg"]');
    segOption.disabled = info.format !== 'dicom';
    if (segOption.disabled && $('format').value === 'dicom-seg') $('format').value = 'nifti';
    $('progress').hidden = true; $('job-status').textContent = '';
    history.replaceState(null, '', '/?path=' + encodeURIComponent(path));
    await showSlice();
    ui.focus();
  } catch (e) { showError(e.message); }
}

function windowParam() {
  if (state.dragWindow) return `${Math.round(state.dragWindow.level)},${Math.round(state.dragWindow.width)}`;
  return state.window;
}

let sliceToken = 0;
async function showSlice() {
  if (!state.info) return;
  const token = ++sliceToken;
  $('slice-readout').textContent = state.info.slices > 1 ? `slice ${state.slice + 1} / ${state.info.slices}` : '';
  const w = windowParam();
  let url = `${API}/slice?path=${encodeURIComponent(state.path)}&slice=${state.slice}`;
  if (w) url += '&window=' + encodeURIComponent(w);
  const r = await fetch(url);
  if (token !== sliceToken) return;
  if (!r.ok) { showError(await apiError(r)); return; }
  $('window-readout').textContent = 'window: ' + r.headers.get('X-MedSAM-Window');
  const bitmap = await createImageBitmap(await r.blob());
  if (token !== sliceToken) return;
  imageCanvas.getContext('2d').drawImage(bitmap, 0, 0);
  drawUi();
  await refreshMask();
}

function sliceState() {
  let s = state.perSlice.get(state.slice);
  if (!s) { s = {objects: [{box: null, points: []}], current: 0, history: [], labels: null}; state.perSlice.set(state.slice, s); }
  return s;
}
function remember(s) { s.history.push(JSON.stringify({objects: s.objects, current: s.current})); if (s.history.length > 100) s.history.shift(); }

// ---------------------------------------------------------------------------------------------- segmentation

function promptedObjects(s) {
  const used = [];
  s.objects.forEach((o, i) => { if (o.box || o.points.length) used.push(i); });
  return used;
}
function requestBody(s, used, format) {
  const body = {path: state.path, format,
    objects: used.map(i => { const o = s.objects[i]; const r = {}; if (o.box) r.box = o.box; if (o.points.length) r.points = o.points; return r; })};
  if (state.info.slices > 1) body.slice = state.slice;
  const w = windowParam();
  if (w) body.window = w;
  return body;
}

function parseNpy(buffer) {
  const bytes = new Uint8Array(buffer);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes[8] | bytes[9] << 8 : new DataView(buffer).getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const offset = start + headerLength;
  let data;
  if (descr === '|u1') data = bytes.subarray(offset);
  else if (descr === '<u2') data = new Uint16Array(buffer.slice(offset));
  else throw new Error('unexpected mask dtype ' + descr);
  return {data, shape};
}

let segmentToken = 0;
async function refreshMask() {
  const s = sliceState();
  const used = promptedObjects(s);
  const token = ++segmentToken;
  updateObjectList();
  $('download').disabled = used.length === 0;
  if (used.length === 0) { s.labels = null; drawOverlay(); return; }
  const key = state.slice + '|' + windowParam();
  const times = {};
  const start = performance.now();
  try {
    if (!state.encoded.has(key)) {
      busy('Running the image encoder on this slice…');
      const r = await post(API + '/encode', requestBody(s, [], 'npy'));
      if (!r.ok) throw new Error(await apiError(r));
      const j = await r.json();
      Object.assign(times, Object.fromEntries(Object.entries(j.timings).map(([k, v]) => ['encode request: ' + k, v])));
      state.encoded.add(key);
    }
    busy('Decoding…');
    const t0 = performance.now();
    const r = await post(API + '/segment', requestBody(s, used, 'npy'));
    if (!r.ok) throw new Error(await apiError(r));
    const buffer = await r.arrayBuffer();
    if (token !== segmentToken) return;
    for (const part of (r.headers.get('Server-Timing') || '').split(',')) {
      const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
      if (m) times['server ' + m[1]] = Number(m[2]);
    }
    const npy = parseNpy(buffer);
    // labels 1..k map back to the objects that had prompts
    s.labels = {data: npy.data, used};
    drawOverlay();
    times['box → mask on screen'] = performance.now() - t0;
    times['total'] = performance.now() - start;
    showTimings(times);
    showError('');
  } catch (e) {
    if (token === segmentToken) showError(e.message);
  } finally {
    if (token === segmentToken) busy('');
  }
}

function showTimings(times) {
  const table = $('timings');
  table.innerHTML = '';
  for (const [k, v] of Object.entries(times)) {
    const tr = table.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v.toFixed(1) + ' ms';
  }
}

function drawOverlay() {
  const ctx = overlay.getContext('2d');
  const w = overlay.width, h = overlay.height;
  ctx.clearRect(0, 0, w, h);
  const s = state.perSlice.get(state.slice);
  let labels = null, objectOf = l => l - 1;
  if (s && s.labels) { labels = s.labels.data; const used = s.labels.used; objectOf = l => used[l - 1]; }
  else if (state.volumeLabels) {
    const v = state.volumeLabels;
    labels = v.data.subarray(state.slice * w * h, (state.slice + 1) * w * h);
  }
  if (!labels) return;
  const img = ctx.createImageData(w, h);
  const px = img.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x, l = labels[p];
      if (!l) continue;
      const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || labels[p - 1] !== l || labels[p + 1] !== l
        || labels[p - w] !== l || labels[p + w] !== l;
      const c = colour(objectOf(l));
      px[4 * p] = c >> 16 & 255; px[4 * p + 1] = c >> 8 & 255; px[4 * p + 2] = c & 255;
      px[4 * p + 3] = edge ? EDGE_ALPHA : FILL_ALPHA;
    }
  }
  ctx.putImageData(img, 0, 0);
}

// ---------------------------------------------------------------------------------------------- drawing

function drawUi(preview) {
  const ctx = ui.getContext('2d');
  ctx.clearRect(0, 0, ui.width, ui.height);
  if (!state.info) return;
  const s = state.perSlice.get(state.slice);
  const line = Math.max(1, ui.width / 400);
  const boxes = s ? s.objects.map((o, i) => [o, i]) : [];
  for (const [o, i] of boxes) {
    ctx.strokeStyle = css(colour(i));
    ctx.lineWidth = line;
    ctx.setLineDash(i === s.current ? [] : [4 * line, 3 * line]);
    if (o.box) ctx.strokeRect(o.box[0], o.box[1], o.box[2] - o.box[0], o.box[3] - o.box[1]);
    for (const [x, y, label] of o.points) {
      ctx.fillStyle = label ? '#3f3' : '#f33';
      ctx.beginPath(); ctx.arc(x, y, 3 * line, 0, 2 * Math.PI); ctx.fill();
      ctx.strokeStyle = '#000'; ctx.stroke();
    }
  }
  if (preview) {
    ctx.setLineDash([]); ctx.strokeStyle = '#fff'; ctx.lineWidth = line;
    ctx.strokeRect(preview[0], preview[1], preview[2] - preview[0], preview[3] - preview[1]);
  }
}

function updateObjectList() {
  const s = sliceState();
  const ul = $('objects');
  ul.innerHTML = '';
  s.objects.forEach((o, i) => {
    const li = document.createElement('li');
    li.className = i === s.current ? 'active' : '';
    const sw = document.createElement('span');
    sw.className = 'swatch'; sw.style.background = css(colour(i));
    li.appendChild(sw);
    const labelIndex = s.labels ? s.labels.used.indexOf(i) : -1;
    li.appendChild(document.createTextNode(`object ${i + 1}` + (o.box ? ' · box' : '') +
      (o.points.length ? ` · ${o.points.length} pt` : '') + (labelIndex >= 0 ? ` · label ${labelIndex + 1}` : '')));
    li.onclick = () => { s.current = i; updateObjectList(); drawUi(); };
    ul.appendChild(li);
  });
}

function imagePoint(event) {
  const r = ui.getBoundingClientRect();
  return [Math.round((event.clientX - r.left) * ui.width / r.width), Math.round((event.clientY - r.top) * ui.height / r.height)];
}
const tool = () => document.querySelector('input[name=tool]:checked').value;

let drag = null;
ui.addEventListener('contextmenu', e => e.preventDefault());
ui.addEventListener('mousedown', e => {
  if (!state.info) return;
  ui.focus();
  if (e.button === 2) {
    const start = state.dragWindow || defaultWindow();
    drag = {kind: 'window', x: e.clientX, y: e.clientY, level: start.level, width: start.width};
  } else if (e.button === 0 && tool() === 'box' && !e.shiftKey) {
    drag = {kind: 'box', start: imagePoint(e)};
  }
});
window.addEventListener('mousemove', e => {
  if (!drag) return;
  if (drag.kind === 'box') {
    const [x, y] = imagePoint(e), [x0, y0] = drag.start;
    drawUi([Math.min(x, x0), Math.min(y, y0), Math.max(x, x0), Math.max(y, y0)]);
  } else {
    const scale = state.info.modality === 'CT' ? 4 : 1;
    state.dragWindow = {level: drag.level - (e.clientY - drag.y) * scale, width: Math.max(1, drag.width + (e.clientX - drag.x) * scale)};
    scheduleSlice();
  }
});
window.addEventListener('mouseup', e => {
  if (!drag) return;
  const d = drag; drag = null;
  if (d.kind === 'box') {
    const [x, y] = imagePoint(e), [x0, y0] = d.start;
    const box = [Math.max(0, Math.min(x, x0)), Math.max(0, Math.min(y, y0)),
      Math.min(ui.width, Math.max(x, x0)), Math.min(ui.height, Math.max(y, y0))];
    if (box[2] - box[0] < 2 || box[3] - box[1] < 2) { drawUi(); return; }
    const s = sliceState();
    remember(s);
    s.objects[s.current].box = box;
    $('box-readout').textContent = 'box: ' + box.join(',');
    drawUi();
    refreshMask();
  } else {
    state.encoded.clear(); // a new window is a new model input
    showSlice();
  }
});
ui.addEventListener('click', e => {
  if (!state.info || e.button !== 0) return;
  const t = tool();
  if (t === 'box' && !e.shiftKey) return;
  const [x, y] = imagePoint(e);
  const s = sliceState();
  remember(s);
  s.objects[s.current].points.push([x, y, t === 'neg' || e.shiftKey ? 0 : 1]);
  drawUi();
  refreshMask();
});

function defaultWindow() {
  const named = {'soft-tissue': [40, 400], lung: [-600, 1500], brain: [40, 80], mediastinum: [50, 350], bone: [400, 1800]};
  const w = named[state.window] || (state.info.modality === 'CT' ? named['soft-tissue'] : [128, 256]);
  return {level: w[0], width: w[1]};
}

let sliceTimer = null;
function scheduleSlice() { clearTimeout(sliceTimer); sliceTimer = setTimeout(showSlice, 60); }

function moveSlice(delta) {
  if (!state.info || state.info.slices < 2) return;
  const next = Math.max(0, Math.min(state.info.slices - 1, state.slice + delta));
  if (next !== state.slice) { state.slice = next; showSlice(); }
}
ui.addEventListener('wheel', e => { e.preventDefault(); moveSlice(e.deltaY > 0 ? 1 : -1); }, {passive: false});
window.addEventListener('keydown', e => {
  if (e.target.tagName === 'SELECT' || e.target.tagName === 'INPUT') return;
  if (e.key === 'ArrowUp' || e.key === 'PageUp') { e.preventDefault(); moveSlice(-1); }
  else if (e.key === 'ArrowDown' || e.key === 'PageDown') { e.preventDefault(); moveSlice(1); }
  else if ((e.ctrlKey || e.metaKey) && e.key === 'z') { e.preventDefault(); undo(); }
});

function undo() {
  const s = state.perSlice.get(state.slice);
  if (!s || !s.history.length) return;
  const prev = JSON.parse(s.history.pop());
  s.objects = prev.objects; s.current = prev.current;
  drawUi();
  refreshMask();
}

$('undo').onclick = undo;
$('new-object').onclick = () => {
  const s = sliceState();
  remember(s);
  s.objects.push({box: null, points: []});
  s.current = s.objects.length - 1;
  updateObjectList(); drawUi();
};
$('clear').onclick = () => {
  const s = sliceState();
  remember(s);
  s.objects = [{box: null, points: []}]; s.current = 0;
  drawUi(); refreshMask();
};
$('window').onchange = e => { state.window = e.target.value; state.dragWindow = null; state.encoded.clear(); showSlice(); ui.focus(); };

// ---------------------------------------------------------------------------------------------- volume and downloads

function saveBlob(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 10000);
}

$('download').onclick = async () => {
  const s = sliceState();
  const used = promptedObjects(s);
  if (!used.length) return;
  const format = $('format').value;
  const body = requestBody(s, used, format);
  if (format === 'dicom-seg') { const labels = segmentNames(used); if (labels.length) body.labels = labels; }
  const r = await post(API + '/segment', body);
  if (!r.ok) { showError(await apiError(r)); return; }
  showError('');
  const ext = {nifti: '.nii.gz', png: '.png', npy: '.npy', 'dicom-seg': '.dcm'}[format];
  saveBlob(await r.blob(), `mask_slice${state.slice}${ext}`);
};

// Names typed for objects 1, 2, ... (comma-separated), for the objects at `indices`; none typed: none sent, and the
// SEG names its segments "Segment N". An object without a typed name is "object K" (K its number on the page).
function segmentNames(indices) {
  const typed = $('seg-names').value.split(',').map(n => n.trim());
  if (!typed.some(n => n)) return [];
  return indices.map(i => typed[i] || `object ${i + 1}`);
}

$('propagate').onclick = async () => {
  const s = sliceState();
  const boxes = s.objects.filter(o => o.box).map(o => o.box);
  const propagated = s.objects.map((o, i) => o.box ? i : -1).filter(i => i >= 0); // label k is object propagated[k-1]
  if (!boxes.length) { showError('Draw a box on this slice first: propagation starts from the boxes of this slice.'); return; }
  const body = {path: state.path, slice: state.slice, boxes};
  const w = windowParam();
  if (w) body.window = w;
  const r = await post(API + '/propagate', body);
  if (!r.ok) { showError(await apiError(r)); return; }
  const job = await r.json();
  state.jobId = job.id;
  state.jobObjects = propagated;
  $('progress').hidden = false; $('progress').value = 0;
  $('propagate').disabled = true;
  pollJob(job.id);
};

async function pollJob(id) {
  try {
    const j = await getJson(`${API}/jobs/${id}`);
    if (state.jobId !== id) return;
    $('progress').max = Math.max(1, j.total);
    $('progress').value = j.done;
    $('job-status').textContent = `${j.state}: ${j.done} / ${j.total} slices`;
    if (j.state === 'queued' || j.state === 'running') { setTimeout(() => pollJob(id), 250); return; }
    $('propagate').disabled = false;
    if (j.state !== 'done') { showError('propagation ' + j.state + (j.error ? ': ' + j.error : '')); return; }
    const r = await fetch(`${API}/jobs/${id}/result?format=npy`);
    if (!r.ok) throw new Error(await apiError(r));
    const npy = parseNpy(await r.arrayBuffer());
    state.volumeLabels = {data: npy.data, slices: npy.shape[0]};
    $('job-status').textContent = `done: ${j.objects.map(o => `object ${o.label}: ${o.voxels} voxels`).join(', ')}`;
    $('download-volume').disabled = false;
    $('download-volume-seg').disabled = state.info.format !== 'dicom';
    drawOverlay();
  } catch (e) { showError(e.message); $('propagate').disabled = false; }
}

$('download-volume').onclick = async () => {
  if (!state.jobId) return;
  const r = await fetch(`${API}/jobs/${state.jobId}/result?format=nifti`);
  if (!r.ok) { showError(await apiError(r)); return; }
  saveBlob(await r.blob(), 'labels.nii.gz');
};

$('download-volume-seg').onclick = async () => {
  if (!state.jobId) return;
  let url = `${API}/jobs/${state.jobId}/result?format=dicom-seg`;
  for (const name of segmentNames(state.jobObjects || [])) url += '&label=' + encodeURIComponent(name);
  const r = await fetch(url);
  if (!r.ok) { showError(await apiError(r)); return; }
  showError('');
  saveBlob(await r.blob(), 'labels.dcm');
};

loadList().then(() => {
  const p = new URLSearchParams(location.search).get('path');
  if (p) openImage(p);
});
