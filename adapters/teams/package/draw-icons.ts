// Draws the Teams app icons: a friendly chat bubble with a wrench in it. color.png (192×192) is a white bubble
// and a blue wrench on IT Buddy blue; outline.png (32×32) is the bubble's white outline with a white wrench on
// transparency, as Teams requires. Shapes are signed-distance functions, sampled 4×4 per pixel for smooth edges.
// Run `node adapters/teams/package/draw-icons.ts` to redraw manifests/teams/*.png.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

type Vec = readonly [number, number];
type Sdf = (x: number, y: number) => number;

/** IT Buddy blue, also the manifest's accentColor. */
export const accentColor = '#2D6CDF';

const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1]];
const dot = (a: Vec, b: Vec) => a[0] * b[0] + a[1] * b[1];
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function roundedRect(min: Vec, max: Vec, r: number): Sdf {
  const cx = (min[0] + max[0]) / 2;
  const cy = (min[1] + max[1]) / 2;
  const hx = (max[0] - min[0]) / 2 - r;
  const hy = (max[1] - min[1]) / 2 - r;
  return (x, y) => {
    const qx = Math.abs(x - cx) - hx;
    const qy = Math.abs(y - cy) - hy;
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
  };
}

function circle(c: Vec, r: number): Sdf {
  return (x, y) => Math.hypot(x - c[0], y - c[1]) - r;
}

function capsule(a: Vec, b: Vec, r: number): Sdf {
  return (x, y) => {
    const pa = sub([x, y], a);
    const ba = sub(b, a);
    const h = clamp(dot(pa, ba) / dot(ba, ba), 0, 1);
    return Math.hypot(pa[0] - ba[0] * h, pa[1] - ba[1] * h) - r;
  };
}

function polygon(v: Vec[]): Sdf {
  return (x, y) => {
    const p: Vec = [x, y];
    let d = dot(sub(p, v[0]!), sub(p, v[0]!));
    let s = 1;
    for (let i = 0, j = v.length - 1; i < v.length; j = i, i++) {
      const vi = v[i]!;
      const vj = v[j]!;
      const e = sub(vj, vi);
      const w = sub(p, vi);
      const t = clamp(dot(w, e) / dot(e, e), 0, 1);
      const b: Vec = [w[0] - e[0] * t, w[1] - e[1] * t];
      d = Math.min(d, dot(b, b));
      const c1 = p[1] >= vi[1];
      const c2 = p[1] < vj[1];
      const c3 = e[0] * w[1] > e[1] * w[0];
      if ((c1 && c2 && c3) || (!c1 && !c2 && !c3)) s = -s;
    }
    return s * Math.sqrt(d);
  };
}

const union =
  (...shapes: Sdf[]): Sdf =>
  (x, y) =>
    Math.min(...shapes.map((f) => f(x, y)));
const minus =
  (a: Sdf, b: Sdf): Sdf =>
  (x, y) =>
    Math.max(a(x, y), -b(x, y));

/** The speech bubble: a rounded rectangle with a tail at the lower left (unit square coordinates). */
const bubble = union(
  roundedRect([0.16, 0.2], [0.84, 0.7], 0.13),
  polygon([
    [0.26, 0.62],
    [0.22, 0.84],
    [0.44, 0.66],
  ]),
);

/** A wrench across the bubble, handle lower left, open jaw upper right; `bold` thickens it for small sizes. */
function wrench(bold = 1): Sdf {
  const handle = capsule([0.37, 0.57], [0.55, 0.39], 0.038 * bold);
  const head = circle([0.58, 0.36], 0.085 * bold);
  // The jaw: a slot cut into the head along the handle's direction, opening away from the handle.
  const half = 0.025 * bold;
  const jaw = polygon([
    [0.61 - half, 0.335 - half],
    [0.61 + half, 0.335 + half],
    [0.72 + half, 0.225 + half],
    [0.72 - half, 0.225 - half],
  ]);
  const ring = minus(circle([0.36, 0.58], 0.06 * bold), circle([0.36, 0.58], 0.022 * bold));
  return union(minus(union(handle, head), jaw), ring);
}

/** The shape scaled by `k` about `centre`, so the symbol keeps a margin. */
function scaled(shape: Sdf, k: number, centre: Vec = [0.5, 0.5]): Sdf {
  return (x, y) => shape((x - centre[0]) / k + centre[0], (y - centre[1]) / k + centre[1]) * k;
}

type Rgba = readonly [number, number, number, number];

function hex(color: string): Rgba {
  const n = Number.parseInt(color.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255];
}

/** Draws layers (later over earlier) into an RGBA PNG of size×size. */
function draw(size: number, background: Rgba | undefined, layers: { shape: Sdf; color: Rgba }[]): Buffer {
  const png = new PNG({ width: size, height: size });
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = background ? [background[0], background[1], background[2], 1] : [0, 0, 0, 0];
      for (const layer of layers) {
        let hits = 0;
        for (let sy = 0; sy < samples; sy++) {
          for (let sx = 0; sx < samples; sx++) {
            const x = (px + (sx + 0.5) / samples) / size;
            const y = (py + (sy + 0.5) / samples) / size;
            if (layer.shape(x, y) <= 0) hits++;
          }
        }
        const cover = hits / (samples * samples);
        if (cover === 0) continue;
        // "Over" compositing with straight alpha.
        const outA = cover + a * (1 - cover);
        const mix = (src: number, dst: number) => (src * cover + dst * a * (1 - cover)) / outA;
        r = mix(layer.color[0], r);
        g = mix(layer.color[1], g);
        b = mix(layer.color[2], b);
        a = outA;
      }
      const i = (py * size + px) * 4;
      png.data[i] = Math.round(r);
      png.data[i + 1] = Math.round(g);
      png.data[i + 2] = Math.round(b);
      png.data[i + 3] = Math.round(a * 255);
    }
  }
  return PNG.sync.write(png);
}

const white: Rgba = [255, 255, 255, 255];

/** The 192×192 full-colour icon. */
export function drawColorIcon(): Buffer {
  const blue = hex(accentColor);
  // Teams shows the bot's picture cropped to a circle; the symbol stays well inside it.
  return draw(192, blue, [
    { shape: scaled(bubble, 0.86), color: white },
    { shape: scaled(wrench(), 0.86), color: blue },
  ]);
}

/** The 32×32 outline icon: white on transparent only. */
export function drawOutlineIcon(): Buffer {
  const stroke = 2 / 32;
  const outline: Sdf = (x, y) => Math.abs(bubble(x, y) + stroke / 2) - stroke / 2;
  return draw(32, undefined, [
    { shape: outline, color: white },
    { shape: scaled(wrench(1.4), 0.78, [0.5, 0.46]), color: white },
  ]);
}

if (import.meta.main) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../manifests/teams');
  writeFileSync(path.join(dir, 'color.png'), drawColorIcon());
  writeFileSync(path.join(dir, 'outline.png'), drawOutlineIcon());
  process.stdout.write(`Wrote ${dir}/color.png and outline.png\n`);
}
