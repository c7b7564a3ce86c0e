// Drives the disc's browser viewer from file:// in headless Chromium and
// Firefox ESR with playwright-core, and writes what the page showed as
// JSON for the Go test to judge (burner/disc/webviewer_test.go).
//
//   node webviewer.mjs job.json out.json
//
// job: {page, browsers: ["chromium","firefox"], chromium, firefox, folder
// (picker mode: the disc folder to choose), values: [[key,k]...],
// measure: {key, k, from: [x,y], to: [x,y], angle: [[x,y] x3]}, bir: bool}.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
const require = createRequire(import.meta.url);
const fsx = require('fs'), Module = require('module');

// playwright-core 1.65 drives Firefox over WebDriver BiDi and sends emulation
// commands Firefox ESR does not know yet; load it with those made optional.
function playwright() {
  require('playwright-core/lib/bootstrap');
  const p = require.resolve('playwright-core/lib/coreBundle');
  let src = fsx.readFileSync(p, 'utf8');
  const re = /await (this\.[\w.]+)\.send\("emulation\.(setMediaFeaturesOverride|setScreenOrientationOverride|setScreenSettingsOverride)", (\{[^;]*?\})\)/g;
  src = src.replace(re, (m, who, cmd, arg) => `await ${who}.send("emulation.${cmd}", ${arg}).catch(() => {})`);
  const m = new Module(p, null);
  m.filename = p;
  m.paths = Module._nodeModulePaths(path.dirname(p));
  m._compile(src, p);
  require.cache[p] = m;
  return m.exports.inprocess.playwright;
}

const [jobPath, outPath] = process.argv.slice(2);
const job = JSON.parse(fs.readFileSync(jobPath, 'utf8'));
const pw = playwright();
const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const out = {};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// chooseFolderByFiles gives the page's folder input what choosing the
// folder gives it (every file below, named by webkitRelativePath) and fires
// its change event. For Firefox ESR: playwright-core's WebDriver BiDi
// input.setFiles never completes for a folder on a webkitdirectory input
// (it times out waiting for the input event), so the files are handed over
// as File objects read here; Chromium gets the folder through setInputFiles.
async function chooseFolderByFiles(page, dir) {
  const list = [];
  const top = path.basename(dir);
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name), r = rel + '/' + e.name;
      if (e.isDirectory()) walk(p, r);
      else list.push({ rel: r, name: e.name, data: fs.readFileSync(p).toString('base64') });
    }
  };
  walk(dir, top);
  await page.evaluate((list) => {
    const files = list.map((x) => {
      const f = new File([Uint8Array.from(atob(x.data), (c) => c.charCodeAt(0))], x.name);
      Object.defineProperty(f, 'webkitRelativePath', { value: x.rel });
      return f;
    });
    const input = document.getElementById('folder');
    Object.defineProperty(input, 'files', { value: files, configurable: true });
    input.dispatchEvent(new Event('change'));
  }, list);
}

// peakRSS is the largest peak resident size (VmHWM, bytes) of this
// process's descendants whose command line matches re (the page's
// renderer or content process).
function peakRSS(re, field = 'VmHWM') {
  const kids = {};
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = +st.slice(st.lastIndexOf(')') + 2).split(' ')[1];
      (kids[ppid] = kids[ppid] || []).push(+d);
    } catch (e) { /* gone */ }
  }
  let best = 0;
  const walk = (pid) => {
    for (const k of kids[pid] || []) {
      try {
        const cmd = fs.readFileSync(`/proc/${k}/cmdline`, 'utf8').replace(/\0/g, ' ');
        if (re.test(cmd)) {
          const m = new RegExp(field + ':\\s+(\\d+) kB').exec(fs.readFileSync(`/proc/${k}/status`, 'utf8'));
          if (m) best = Math.max(best, +m[1] * 1024);
        }
      } catch (e) { /* gone */ }
      walk(k);
    }
  };
  walk(process.pid);
  return best;
}
async function until(page, fn, arg, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await page.evaluate(fn, arg).catch((e) => ({ __err: String(e) }));
    if (v && !v.__err) return v;
    if (Date.now() > end) throw new Error('timed out waiting: ' + fn.toString().slice(0, 80) + (v && v.__err ? ' ' + v.__err : ''));
    await sleep(50);
  }
}
const state = (page) => page.evaluate(() => DDV.test.state());
const idle = (page) => until(page, () => DDV.test.idle() && DDV.test.state().tiles.every((t) => !t || t.shown || t.n === 0));

async function run(name) {
  const r = { requests: [], blocked: [], console: [] };
  const browser = name === 'chromium'
    ? await pw.chromium.launch({ executablePath: job.chromium, args: flags, headless: true })
    : await pw.firefox.launch({ channel: 'moz-firefox', executablePath: job.firefox, headless: true });
  try {
    const vp = job.viewport || [1280, 800];
    const ctx = await browser.newContext({ viewport: { width: vp[0], height: vp[1] } });
    await ctx.route('**/*', (route) => {
      const u = route.request().url();
      if (!u.startsWith('file:')) { r.blocked.push(u); return route.abort(); }
      return route.continue();
    });
    const page = await ctx.newPage();
    page.on('request', (q) => r.requests.push(q.url()));
    page.on('console', (m) => { if (m.type() === 'error') r.console.push(m.text()); });
    page.on('pageerror', (e) => r.console.push(String(e)));
    const t0 = Date.now();
    await page.goto(job.page);
    if (job.folder) {
      await until(page, () => !document.getElementById('picker').hidden);
      r.picker = await state(page);
      if (name === 'firefox') await chooseFolderByFiles(page, job.folder);
      else await page.setInputFiles('#folder', job.folder);
    }
    await until(page, () => DDV.test.state().drawn > 0, null, 60000);
    r.firstImageWallMs = Date.now() - t0;
    if (job.memory) r.rssAtFirst = peakRSS(name === 'chromium' ? /--type=renderer/ : /-contentproc.*\btab\b/, 'VmRSS');
    await idle(page);
    r.initial = await state(page);
    r.rendered = await page.evaluate(() => DDV.test.rendered(0));
    if (r.initial.mode === 'data') r.inflateAgrees = await page.evaluate((key) => DDV.test.inflateAgrees(key, 0), r.initial.tiles[0].key);
    r.series = await page.evaluate(() => DDV.test.series());
    await until(page, () => DDV.test.state().thumbsDone, null, 60000);
    r.thumbs = (await state(page)).thumbs;
    if (job.shot) {
      // the first view, settled: for the screenshot goldens
      await page.evaluate(() => new Promise((f) => requestAnimationFrame(() => requestAnimationFrame(f))));
      await page.screenshot({ path: job.shot.replace('NAME', name), animations: 'disabled', caret: 'hide' });
    }
    if (job.scroll) {
      // scrolling: the time of each step from the key press to the drawn image
      r.scroll = await page.evaluate(async (n) => {
        const times = [];
        const s = DDV.test.state().tiles[0];
        for (let k = s.k + 1; k < Math.min(s.k + 1 + n, s.n); k++) {
          const t0 = performance.now();
          await DDV.test.go(k);
          times.push(performance.now() - t0);
        }
        // again over the same images, now decoded: the cost of drawing alone
        const draws = [];
        for (let k = s.k + times.length; k > s.k; k--) {
          const t0 = performance.now();
          await DDV.test.go(k);
          draws.push(performance.now() - t0);
        }
        // one step a display frame (a wheel turned steadily), on images not
        // decoded yet: the time from the step to the image drawn
        const paced = [];
        const frame = () => new Promise((f) => requestAnimationFrame(f));
        await DDV.test.go(0); await frame();
        for (let k = 1; k < Math.min(1 + n, s.n); k++) {
          await frame();
          const t0 = performance.now();
          await DDV.test.go(k);
          paced.push(performance.now() - t0);
        }
        const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
        return { mean: mean(times), max: Math.max(...times), steps: times.length, drawMean: mean(draws), drawMax: Math.max(...draws), pacedMean: mean(paced), pacedMax: Math.max(...paced), pacedOver16: paced.filter((x) => x > 16).length };
      }, job.scroll);
    }
    if (job.memory) {
      // every image decoded once (the most the page holds), then what the
      // page keeps, the JS heap (Chromium) and the peak resident memory of
      // the page's process
      await until(page, () => { const h = DDV.test.held(); return h.batchesLoaded === h.batches; }, null, 120000);
      await sleep(500);
      r.rssLoaded = peakRSS(name === 'chromium' ? /--type=renderer/ : /-contentproc.*\btab\b/, 'VmRSS');
      await page.evaluate(async () => { const s = DDV.test.state().tiles[0]; for (let k = 0; k < s.n; k++) await DDV.test.go(k); });
      await sleep(200);
      r.memory = await page.evaluate(() => DDV.test.held());
      if (name === 'chromium') {
        const cdp = await ctx.newCDPSession(page);
        await cdp.send('Performance.enable');
        for (const m of (await cdp.send('Performance.getMetrics')).metrics) if (m.name === 'JSHeapUsedSize' || m.name === 'JSHeapTotalSize') r.memory[m.name] = m.value;
      }
      r.memory.processPeak = peakRSS(name === 'chromium' ? /--type=renderer/ : /-contentproc.*\btab\b/);
      r.memory.processNow = peakRSS(name === 'chromium' ? /--type=renderer/ : /-contentproc.*\btab\b/, 'VmRSS');
      r.memory.processAtFirst = r.rssAtFirst;
      r.memory.processLoaded = r.rssLoaded;
    }
    r.values = [];
    if (job.valuesAll) {
      // every series' first and last image, named by file (picker mode:
      // the keys are the page's own)
      for (const s of r.series) {
        for (const k of s.n ? [...new Set([0, s.n - 1])] : []) {
          r.values.push({ key: s.key, k, fileId: s.fileIds[k], values: await page.evaluate(([key, k]) => DDV.test.values(key, k), [s.key, k]) });
        }
      }
    }
    for (const [key, k] of job.values || []) {
      r.values.push({ key, k, values: await page.evaluate(([key, k]) => DDV.test.values(key, k), [key, k]) });
    }
    const tile = () => state(page).then((s) => s.tiles[0]);
    const centre = async () => { const t = await tile(); return [t.rect.x + t.rect.width / 2, t.rect.y + t.rect.height / 2]; };
    if (job.measure) {
      const m = job.measure;
      await page.evaluate(([key, k]) => DDV.test.show(0, key, k), [m.key, m.k]);
      await idle(page);
      // window/level by drag: right widens, up lowers the centre
      const before = await page.evaluate(() => DDV.test.screen(0));
      const wl0 = (await tile()).wl;
      let [cx, cy] = await centre();
      await page.keyboard.press('w');
      await page.mouse.move(cx, cy); await page.mouse.down(); await page.mouse.move(cx + 120, cy, { steps: 4 }); await page.mouse.up();
      const wl1 = (await tile()).wl;
      await page.mouse.move(cx, cy); await page.mouse.down(); await page.mouse.move(cx, cy - 120, { steps: 4 }); await page.mouse.up();
      const wl2 = (await tile()).wl;
      r.wl = { wl0, wl1, wl2, changed: before !== await page.evaluate(() => DDV.test.screen(0)) };
      // distance
      await page.keyboard.press('0');
      await page.keyboard.press('m');
      r.toolAfterM = (await state(page)).tool;
      const a = await page.evaluate(([x, y]) => DDV.test.toScreen(0, x, y), m.from);
      const b = await page.evaluate(([x, y]) => DDV.test.toScreen(0, x, y), m.to);
      await page.mouse.move(a[0], a[1]); await page.mouse.down(); await page.mouse.move(b[0], b[1], { steps: 5 }); await page.mouse.up();
      // angle: drag the first arm to the vertex, then click the end of the second
      await page.keyboard.press('a');
      const pts = [];
      for (const q of m.angle) pts.push(await page.evaluate(([x, y]) => DDV.test.toScreen(0, x, y), q));
      await page.mouse.move(pts[0][0], pts[0][1]); await page.mouse.down(); await page.mouse.move(pts[1][0], pts[1][1], { steps: 5 }); await page.mouse.up();
      await page.mouse.click(pts[2][0], pts[2][1]);
      r.measures = (await tile()).measures;
      await page.keyboard.press('w');
      // scroll: the wheel one step, then the last image with End
      await page.evaluate(() => DDV.test.go(0)); await idle(page);
      [cx, cy] = await centre();
      await page.mouse.move(cx, cy); await page.mouse.wheel(0, 120); await sleep(100); await idle(page);
      r.afterWheel = (await tile()).k;
      await page.keyboard.press('End'); await sleep(50); await idle(page);
      r.last = await tile();
      r.lastValues = await page.evaluate(([key, k]) => DDV.test.values(key, k), [m.key, r.last.k]);
    }
    if (job.bir) {
      const b = (r.bir = {});
      const t = await tile();
      const key = async (k) => { await page.keyboard.press(k); await sleep(30); return tile(); };
      b.rotate = (await key('r')).rot;
      b.markersRotated = (await state(page)).markers[0];
      b.flipH = (await key('h')).flipH;
      b.flipV = (await key('v')).flipV;
      await key('0');
      b.markers = (await state(page)).markers[0];
      const [cx, cy] = await centre();
      await page.keyboard.press('p');
      await page.mouse.move(cx, cy); await page.mouse.down(); await page.mouse.move(cx + 40, cy + 30, { steps: 3 }); await page.mouse.up();
      b.pan = [(await tile()).panX, (await tile()).panY];
      await page.keyboard.press('z');
      await page.mouse.move(cx, cy); await page.mouse.down(); await page.mouse.move(cx, cy - 80, { steps: 3 }); await page.mouse.up();
      b.zoom = (await tile()).zoom;
      await page.keyboard.press('w');
      b.presets = (await state(page)).presets;
      const w0 = (await tile()).wl;
      await page.keyboard.press('1'); await sleep(30);
      b.preset1 = (await tile()).wl; b.preset0 = w0;
      await page.keyboard.press('c'); await sleep(700);
      const s1 = await state(page);
      b.cineLabel = s1.cineLabel; b.cineMoved = s1.tiles[0].k !== t.k;
      await page.keyboard.press('c'); await sleep(100);
      const s2 = await state(page);
      b.cineStopLabel = s2.cineLabel; b.cineStopped = !s2.cine; b.cineAnn = s2.tiles[0].ann[3];
      await page.keyboard.press('s'); await sleep(200); await idle(page);
      const sb = await state(page);
      b.sideBySide = sb.tiles.map((t) => t && { key: t.key, k: t.k, n: t.n, patient: t.patient });
      await page.evaluate(() => DDV.test.go(1)); await sleep(100); await idle(page);
      b.synced = (await state(page)).tiles.map((t) => t && t.k);
      await page.keyboard.press('s'); await sleep(100); await idle(page);
      await page.keyboard.press('?');
      b.help = (await state(page)).help;
      await page.keyboard.press('Escape');
    }
    const canReport = await page.evaluate(() => !document.getElementById('reportBtn').disabled);
    if (canReport) {
      await page.click('#reportBtn');
      r.report = (await state(page)).report;
      await page.keyboard.press('Escape');
    }
    // every patient: nothing of another patient shown with it
    r.patients = [];
    const n = (await state(page)).patients.length;
    for (let i = 0; i < n; i++) {
      await page.evaluate((i) => DDV.test.setPatient(i), i);
      await sleep(50); await idle(page);
      await until(page, () => DDV.test.state().thumbsDone, null, 60000);
      const s = await state(page);
      let report = '';
      if (await page.evaluate(() => !document.getElementById('reportBtn').disabled)) {
        await page.click('#reportBtn'); report = (await state(page)).report; await page.keyboard.press('Escape');
      }
      r.patients.push({ patient: s.patient, tiles: s.tiles.map((t) => t && { patient: t.patient, ann: t.ann }), thumbs: s.thumbs, report });
    }
    r.final = await state(page);
    if (job.screenshot) await page.screenshot({ path: job.screenshot.replace('NAME', name) });
  } finally {
    await browser.close();
  }
  return r;
}

for (const name of job.browsers) {
  try { out[name] = await run(name); } catch (e) { out[name] = { error: String(e && e.stack || e) }; }
}
fs.writeFileSync(outPath, JSON.stringify(out));
