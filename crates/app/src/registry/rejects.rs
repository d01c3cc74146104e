//! The rejects file of an import: one line per refused row with its row number, the
//! column(s) and the reason in Chinese, followed by the row's original cells so staff
//! can correct it and import the file again. CSV (UTF-8 with BOM, opens in Excel) or
//! .xlsx by the file's extension.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook, Worksheet};

/// One refused row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reject {
    pub row: u64,
    /// Chinese header(s) of the column(s) at fault, `；`-separated.
    pub column: String,
    pub reason: String,
    #[serde(skip)]
    pub cells: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("无法写入错误行文件 {path}：{reason}")]
pub struct RejectsError {
    pub path: String,
    pub reason: String,
}

enum Sink {
    Csv(Box<csv::Writer<std::fs::File>>),
    Xlsx { book: Box<Workbook>, next_row: u32 },
}

/// Writes rejects as they come.
pub struct RejectsWriter {
    path: PathBuf,
    sink: Sink,
}

const LEAD: [&str; 3] = ["行号", "出错列", "错误原因"];

impl RejectsWriter {
    pub fn create(path: &Path, header: &[String]) -> Result<RejectsWriter, RejectsError> {
        let err = |e: &dyn std::fmt::Display| RejectsError { path: path.display().to_string(), reason: e.to_string() };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let sink = if ext == "xlsx" {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            sheet.set_name("错误行").map_err(|e| err(&e))?;
            let bold = Format::new().set_bold();
            for (i, h) in LEAD.iter().copied().chain(header.iter().map(String::as_str)).enumerate() {
                sheet.write_string_with_format(0, i as u16, h, &bold).map_err(|e| err(&e))?;
            }
            Sink::Xlsx { book: Box::new(book), next_row: 1 }
        } else {
            let mut f = std::fs::File::create(path).map_err(|e| err(&e))?;
            std::io::Write::write_all(&mut f, "\u{feff}".as_bytes()).map_err(|e| err(&e))?;
            // Refused rows may have more or fewer cells than the header.
            let mut w = csv::WriterBuilder::new().flexible(true).from_writer(f);
            w.write_record(LEAD.iter().copied().chain(header.iter().map(String::as_str))).map_err(|e| err(&e))?;
            Sink::Csv(Box::new(w))
        };
        Ok(RejectsWriter { path: path.to_path_buf(), sink })
    }

    pub fn write(&mut self, r: &Reject) -> Result<(), RejectsError> {
        let path = &self.path;
        let err = |e: &dyn std::fmt::Display| RejectsError { path: path.display().to_string(), reason: e.to_string() };
        let row = r.row.to_string();
        let lead = [row.as_str(), r.column.as_str(), r.reason.as_str()];
        match &mut self.sink {
            Sink::Csv(w) => {
                w.write_record(lead.iter().copied().chain(r.cells.iter().map(String::as_str))).map_err(|e| err(&e))
            }
            Sink::Xlsx { book, next_row } => {
                let n = *next_row;
                *next_row += 1;
                let sheet: &mut Worksheet = book.worksheet_from_index(0).map_err(|e| err(&e))?;
                sheet.write_number(n, 0, r.row as f64).map_err(|e| err(&e))?;
                for (i, v) in lead[1..].iter().copied().chain(r.cells.iter().map(String::as_str)).enumerate() {
                    sheet.write_string(n, (i + 1) as u16, v).map_err(|e| err(&e))?;
                }
                Ok(())
            }
        }
    }

    pub fn finish(self) -> Result<(), RejectsError> {
        let path = self.path;
        let err = |e: &dyn std::fmt::Display| RejectsError { path: path.display().to_string(), reason: e.to_string() };
        match self.sink {
            Sink::Csv(mut w) => w.flush().map_err(|e| err(&e)),
            Sink::Xlsx { mut book, .. } => book.save(&path).map_err(|e| err(&e)),
        }
    }
}
