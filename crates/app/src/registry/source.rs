//! Reading worker files row by row: CSV in UTF-8 (with or without BOM) or GB18030/GBK
//! as older systems export it, and Excel workbooks (.xlsx/.xls, first sheet). Yields
//! the header, then each non-empty row with its spreadsheet row number, hashing the
//! bytes as they stream by.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use sha2::{Digest, Sha256};

/// How the cells of a row arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cells {
    /// A UTF-8 CSV row, kept as the reader produced it (no copy per cell).
    Record(csv::StringRecord),
    /// Decoded text cells (GB18030 CSV, spreadsheets).
    Text(Vec<String>),
    /// A CSV row whose bytes are not valid in the file's encoding (kept lossily decoded
    /// for the rejects file).
    BadEncoding(Vec<String>),
}

impl Cells {
    /// The cells as owned strings (for the rejects file).
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Cells::Record(r) => r.iter().map(str::to_string).collect(),
            Cells::Text(v) | Cells::BadEncoding(v) => v.clone(),
        }
    }
}

impl jiujin_domain::registry::Cells for Cells {
    fn cell(&self, i: usize) -> Option<&str> {
        match self {
            Cells::Record(r) => r.get(i),
            Cells::Text(v) | Cells::BadEncoding(v) => v.get(i).map(String::as_str),
        }
    }
    fn width(&self) -> usize {
        match self {
            Cells::Record(r) => r.len(),
            Cells::Text(v) | Cells::BadEncoding(v) => v.len(),
        }
    }
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// Spreadsheet row number (the header is row 1).
    pub row_no: u64,
    pub cells: Cells,
    /// Cells Excel stored as numbers where text was expected (by column index).
    pub numeric_cells: Vec<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("无法打开文件 {path}：{reason}")]
    Open { path: String, reason: String },
    #[error("文件格式无法识别：{0}（支持 .xlsx、.xls 和 .csv）")]
    Format(String),
    #[error("无法读取文件第{row}行附近：{reason}")]
    Read { row: u64, reason: String },
    #[error("文件为空或没有表头行")]
    Empty,
}

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

enum Inner {
    Csv { reader: Box<csv::Reader<HashingReader<BufReader<File>>>>, encoding: Encoding },
    Sheet { rows: std::vec::IntoIter<Vec<Data>>, next_row: u64 },
}

/// An open worker file.
pub struct Source {
    pub header: Vec<String>,
    pub encoding: Option<Encoding>,
    inner: Inner,
    rows_read: u64,
    sheet_sha256: Option<String>,
}

/// Counts bytes and hashes them while reading.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

fn lossy(encoding: Encoding, bytes: &[u8]) -> String {
    match encoding {
        Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Encoding::Gb18030 => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

fn strict(encoding: Encoding, bytes: &[u8]) -> Option<String> {
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes).ok().map(str::to_string),
        Encoding::Gb18030 => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            (!had_errors).then(|| text.into_owned())
        }
    }
}

/// Whether a header decoded this way names template columns.
fn looks_like_header(cells: &[String]) -> bool {
    jiujin_domain::registry::HeaderMap::from_headers(cells).is_ok()
        || cells.iter().any(|c| {
            let c = c.trim_start_matches('\u{feff}').trim().trim_start_matches('*');
            jiujin_domain::registry::COLUMNS.iter().any(|col| col.header == c || col.key == c)
        })
}

fn cell_text(d: &Data) -> (String, bool) {
    match d {
        Data::Empty => (String::new(), false),
        Data::String(s) => (s.clone(), false),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (format!("{}", *f as i64), true),
        Data::Float(f) => (f.to_string(), true),
        Data::Int(i) => (i.to_string(), true),
        Data::Bool(b) => (if *b { "是" } else { "否" }.to_string(), false),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => (t.date().format("%Y-%m-%d").to_string(), false),
            None => (dt.to_string(), false),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => (s.clone(), false),
        Data::Error(e) => (format!("#{e:?}"), false),
    }
}

impl Source {
    /// Opens `path` by its extension and reads the header row.
    pub fn open(path: &Path, bytes_read: std::sync::Arc<std::sync::atomic::AtomicU64>) -> Result<Source, SourceError> {
        let shown = path.display().to_string();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Self::open_csv(path, bytes_read),
            "xlsx" | "xlsm" | "xls" => Self::open_sheet(path, bytes_read),
            _ => Err(SourceError::Format(shown)),
        }
    }

    fn open_csv(path: &Path, bytes_read: std::sync::Arc<std::sync::atomic::AtomicU64>) -> Result<Source, SourceError> {
        let shown = path.display().to_string();
        let open_err = |e: std::io::Error| SourceError::Open { path: shown.clone(), reason: e.to_string() };
        let file = File::open(path).map_err(open_err)?;
        let hashing =
            HashingReader { inner: BufReader::with_capacity(1 << 20, file), hasher: Sha256::new(), bytes: bytes_read };
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(hashing);
        let mut record = csv::ByteRecord::new();
        let got =
            reader.read_byte_record(&mut record).map_err(|e| SourceError::Read { row: 1, reason: e.to_string() })?;
        if !got {
            return Err(SourceError::Empty);
        }
        let raw: Vec<&[u8]> = record.iter().collect();
        let first = raw.first().copied().unwrap_or_default();
        let has_bom = first.starts_with(&[0xEF, 0xBB, 0xBF]);
        let try_decode =
            |enc: Encoding| -> Option<Vec<String>> { raw.iter().map(|f| strict(enc, f)).collect::<Option<Vec<_>>>() };
        let (encoding, header) = match (has_bom, try_decode(Encoding::Utf8)) {
            (true, Some(h)) => (Encoding::Utf8, h),
            (false, Some(h)) if looks_like_header(&h) => (Encoding::Utf8, h),
            (_, utf8) => match try_decode(Encoding::Gb18030) {
                Some(h) if looks_like_header(&h) => (Encoding::Gb18030, h),
                _ => match utf8 {
                    Some(h) => (Encoding::Utf8, h),
                    None => {
                        return Err(SourceError::Format(format!(
                            "{shown} 的表头既不是UTF-8也不是GB18030/GBK编码的文本"
                        )))
                    }
                },
            },
        };
        let header: Vec<String> = header.into_iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
        Ok(Source {
            header,
            encoding: Some(encoding),
            inner: Inner::Csv { reader: Box::new(reader), encoding },
            rows_read: 1,
            sheet_sha256: None,
        })
    }

    fn open_sheet(
        path: &Path,
        bytes_read: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> Result<Source, SourceError> {
        let shown = path.display().to_string();
        let bytes =
            std::fs::read(path).map_err(|e| SourceError::Open { path: shown.clone(), reason: e.to_string() })?;
        let sha = hex::encode(Sha256::digest(&bytes));
        bytes_read.store(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
        drop(bytes);
        let mut wb = open_workbook_auto(path).map_err(|e| SourceError::Format(format!("{shown}：{e}")))?;
        let first = wb.sheet_names().first().cloned().ok_or(SourceError::Empty)?;
        let range = wb.worksheet_range(&first).map_err(|e| SourceError::Format(format!("{shown}：{e}")))?;
        let mut rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        // Rows before the range start (empty leading rows) shift numbering.
        let start = range.start().map(|(r, _)| u64::from(r)).unwrap_or(0);
        if rows.is_empty() {
            return Err(SourceError::Empty);
        }
        let header_row = rows.remove(0);
        let header: Vec<String> = header_row.iter().map(|d| cell_text(d).0).collect();
        Ok(Source {
            header,
            encoding: None,
            inner: Inner::Sheet { rows: rows.into_iter(), next_row: start + 2 },
            rows_read: 1,
            sheet_sha256: Some(sha),
        })
    }

    /// SHA-256 of the file's bytes read so far (the whole file once the rows are
    /// exhausted).
    pub fn sha256(&self) -> String {
        match (&self.inner, &self.sheet_sha256) {
            (_, Some(s)) => s.clone(),
            (Inner::Csv { reader, .. }, None) => hex::encode(reader.get_ref().hasher.clone().finalize()),
            (Inner::Sheet { .. }, None) => String::new(),
        }
    }

    /// Next non-empty data row.
    pub fn next_row(&mut self) -> Result<Option<RawRow>, SourceError> {
        loop {
            self.rows_read += 1;
            let row_no = self.rows_read;
            let row = match &mut self.inner {
                Inner::Csv { reader, encoding } => {
                    let mut record = csv::ByteRecord::new();
                    let got = reader
                        .read_byte_record(&mut record)
                        .map_err(|e| SourceError::Read { row: row_no, reason: e.to_string() })?;
                    if !got {
                        return Ok(None);
                    }
                    if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                        continue;
                    }
                    let cells = match encoding {
                        Encoding::Utf8 => match csv::StringRecord::from_byte_record(record) {
                            Ok(r) => Cells::Record(r),
                            Err(e) => {
                                Cells::BadEncoding(e.into_byte_record().iter().map(|f| lossy(*encoding, f)).collect())
                            }
                        },
                        Encoding::Gb18030 => {
                            let decoded: Option<Vec<String>> = record.iter().map(|f| strict(*encoding, f)).collect();
                            match decoded {
                                Some(c) => Cells::Text(c),
                                None => Cells::BadEncoding(record.iter().map(|f| lossy(*encoding, f)).collect()),
                            }
                        }
                    };
                    RawRow { row_no, cells, numeric_cells: Vec::new() }
                }
                Inner::Sheet { rows, next_row } => {
                    let Some(r) = rows.next() else {
                        return Ok(None);
                    };
                    let row_no = *next_row;
                    *next_row += 1;
                    self.rows_read = row_no;
                    if r.iter().all(|d| matches!(d, Data::Empty)) {
                        continue;
                    }
                    let mut numeric = Vec::new();
                    let cells = r
                        .iter()
                        .enumerate()
                        .map(|(i, d)| {
                            let (t, num) = cell_text(d);
                            if num {
                                numeric.push(i);
                            }
                            t
                        })
                        .collect();
                    RawRow { row_no, cells: Cells::Text(cells), numeric_cells: numeric }
                }
            };
            return Ok(Some(row));
        }
    }
}
