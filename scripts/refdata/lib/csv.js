'use strict';
// Minimal RFC 4180 CSV reading and writing, so the script needs no CSV package.
// Output rules (other code parses these files): header row, comma separator,
// a field is quoted only when it contains a comma, a double quote or a line
// break, LF line endings, UTF-8 without BOM, final newline.

const fs = require('fs');

function parse(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i += 1; continue;
      }
      field += c; i += 1; continue;
    }
    if (c === '"' && field === '') { quoted = true; i += 1; continue; }
    if (c === ',') { row.push(field); field = ''; i += 1; continue; }
    if (c === '\r') { i += 1; continue; }
    if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 1; continue; }
    field += c; i += 1;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

// Reads a CSV file with a header row into an array of objects keyed by header.
function readObjects(path) {
  const rows = parse(fs.readFileSync(path, 'utf8')).filter((r) => !(r.length === 1 && r[0] === ''));
  if (rows.length === 0) throw new Error(`${path}: empty CSV`);
  const header = rows[0];
  return rows.slice(1).map((r, idx) => {
    if (r.length !== header.length) {
      throw new Error(`${path}: line ${idx + 2} has ${r.length} fields, header has ${header.length}`);
    }
    const o = {};
    header.forEach((h, k) => { o[h] = r[k]; });
    return o;
  });
}

function field(v) {
  const s = v === null || v === undefined ? '' : String(v);
  if (/[",\r\n]/.test(s)) return '"' + s.replace(/"/g, '""') + '"';
  return s;
}

function format(header, rows) {
  const lines = [header.map(field).join(',')];
  for (const r of rows) {
    if (r.length !== header.length) throw new Error(`row ${JSON.stringify(r)} does not match header ${header}`);
    lines.push(r.map(field).join(','));
  }
  return lines.join('\n') + '\n';
}

module.exports = { parse, readObjects, format };
