//! `jiujin gen`: the synthetic population of Chongqing's migrant workers, written as a
//! worker import file (`workers.csv`) that passes the importer's validation. It is
//! calibrated on the seeds' figures and deterministic for a given seed.

mod calibration;
mod facts;
mod history;
mod jobs;
mod names;
mod population;
pub mod projects;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use jiujin_domain::identity::IdNumberError;
use jiujin_domain::jobs::JobKind;
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{header_row, Flag, FlagSet, COLUMNS};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use calibration::World;
pub use calibration::FULL_CITY_WORKERS;
pub use history::{
    generate_history, history_import_date, history_start, return_month, shift_facts, spring_festival, Flows,
    HistoryError, HistoryFile, SPRING_FESTIVALS,
};
pub use jobs::{generate_jobs, JobsGenOptions, FULL_CITY_EMPLOYERS, FULL_CITY_JOBS};
use population::{Generator, Person};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Data rows of `workers.csv`, likely-duplicate rows included.
    pub workers: u64,
    pub seed: u64,
    pub out_dir: PathBuf,
    /// The day the data describes: ages and registration dates are counted to it.
    pub as_of: NaiveDate,
}

/// The files written, each with its number of data rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenSummary {
    pub files: Vec<(PathBuf, u64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("无法写入 {}：{source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("写入 {} 失败：{source}", path.display())]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("参考数据不足以生成模拟人口：{0}")]
    RefData(String),
    #[error("数据日期 {0} 无效：应不早于 1971-01-01，使 16 至 70 周岁的出生日期都在 1900 年之后")]
    BadDate(NaiveDate),
    #[error("地址码 {address}、出生日期 {birth} 的公民身份号码顺序码已用尽")]
    IdExhausted { address: String, birth: NaiveDate },
    #[error("生成的公民身份号码无效：{0}")]
    Id(#[source] IdNumberError),
    #[error("导入模板缺少“{0}”列，无法生成")]
    Template(&'static str),
}

/// Rows between two calls of the progress callback.
const PROGRESS_EVERY: u64 = 10_000;

/// Writes `out_dir/workers.csv` (UTF-8, no BOM, header = the import template's header
/// row) with `opts.workers` data rows.
///
/// Deterministic: the same options give byte-identical files. Streams with constant
/// memory apart from the set of identity numbers issued (about 20 bytes a row).
/// `progress` is called every 10,000 rows with the rows written so far, and once at
/// the end. The file is written as `workers.csv.part` and renamed when complete.
pub fn generate(opts: &GenOptions, refdata: &RefData, progress: &dyn Fn(u64)) -> Result<GenSummary, GenError> {
    let started = std::time::Instant::now();
    let world = World::build(refdata, opts.as_of)?;
    let columns = Columns::new()?;
    std::fs::create_dir_all(&opts.out_dir).map_err(io_error(&opts.out_dir))?;
    let path = opts.out_dir.join("workers.csv");
    let part = opts.out_dir.join("workers.csv.part");
    let facts_path = opts.out_dir.join("facts.csv");
    let facts_part = opts.out_dir.join("facts.csv.part");
    let (written, facts) = match write_population(opts, &world, columns, (&part, &facts_part), progress) {
        Ok(n) => n,
        Err(e) => {
            // Best effort: an incomplete file is never left behind under any name.
            let _ = std::fs::remove_file(&part);
            let _ = std::fs::remove_file(&facts_part);
            return Err(e);
        }
    };
    std::fs::rename(&part, &path).map_err(io_error(&path))?;
    std::fs::rename(&facts_part, &facts_path).map_err(io_error(&facts_path))?;
    tracing::info!(
        rows = written,
        seconds = started.elapsed().as_secs_f64(),
        path = %path.display(),
        "模拟人口已生成"
    );
    Ok(GenSummary { files: vec![(path, written), (facts_path, facts)] })
}

/// Writes the header and `opts.workers` rows to `part`, and the persons' recorded
/// facts to `facts_part`; returns the rows written to each.
fn write_population(
    opts: &GenOptions,
    world: &World,
    columns: Columns,
    (part, facts_part): (&Path, &Path),
    progress: &dyn Fn(u64),
) -> Result<(u64, u64), GenError> {
    let file = File::create(part).map_err(io_error(part))?;
    let writer =
        csv::WriterBuilder::new().buffer_capacity(1 << 20).terminator(csv::Terminator::Any(b'\n')).from_writer(file);
    let mut out =
        RowWriter { writer, columns, path: part.to_path_buf(), written: 0, progress, cells: CellBuffers::default() };
    out.writer.write_record(header_row()).map_err(out.csv_error())?;

    // The facts' own stream: workers.csv does not depend on them.
    let mut facts = facts::FactsWriter::create(
        facts_part,
        ChaCha8Rng::seed_from_u64(opts.seed ^ 0x6661_6374_7300_0000),
        opts.as_of,
    )?;
    let rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut gen = Generator::new(world, rng, opts.as_of, opts.workers);
    let total = opts.workers;
    // Second rows of likely duplicates wait here until their row number comes.
    let mut pending: VecDeque<(u64, Person)> = VecDeque::new();
    loop {
        while let Some(i) = pending.iter().position(|(due, _)| *due <= out.written) {
            if let Some((_, p)) = pending.remove(i) {
                out.write(&p)?;
            }
        }
        let budget = total.saturating_sub(out.written + pending.len() as u64);
        if budget == 0 {
            break;
        }
        let members = gen.household(budget.min(4) as usize)?;
        let count = members.len() as u64;
        for (i, p) in members.iter().enumerate() {
            out.write(p)?;
            facts.write(p)?;
            let after = count - i as u64 - 1;
            let room = total.saturating_sub(out.written + pending.len() as u64 + after);
            if p.wants_duplicate && room > 0 {
                let twin = gen.duplicate_of(p)?;
                let due = out.written + gen.duplicate_delay();
                pending.push_back((due, twin));
            }
        }
    }
    while let Some((_, p)) = pending.pop_front() {
        out.write(&p)?;
    }

    let written = out.written;
    if !written.is_multiple_of(PROGRESS_EVERY) {
        progress(written);
    }
    out.writer.into_inner().map_err(|e| GenError::Io { path: part.to_path_buf(), source: e.into_error() })?;
    Ok((written, facts.finish()?))
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> GenError + '_ {
    move |source| GenError::Io { path: path.to_path_buf(), source }
}

/// Positions of the template columns the generator fills.
struct Columns {
    width: usize,
    name: usize,
    id_number: usize,
    phone: usize,
    hukou_region: usize,
    residence_region: usize,
    status: usize,
    work_region: usize,
    work_province: usize,
    industry: usize,
    occupation: usize,
    skill_level: usize,
    expected_wage: usize,
    wanted_kind: usize,
    flags: usize,
    insurance: usize,
    unemployed_since: usize,
    needs: usize,
    household_no: usize,
}

impl Columns {
    fn new() -> Result<Columns, GenError> {
        let pos = |key: &'static str| COLUMNS.iter().position(|c| c.key == key).ok_or(GenError::Template(key));
        Ok(Columns {
            width: COLUMNS.len(),
            name: pos("name")?,
            id_number: pos("id_number")?,
            phone: pos("phone")?,
            hukou_region: pos("hukou_region")?,
            residence_region: pos("residence_region")?,
            status: pos("status")?,
            work_region: pos("work_region")?,
            work_province: pos("work_province")?,
            industry: pos("industry")?,
            occupation: pos("occupation")?,
            skill_level: pos("skill_level")?,
            expected_wage: pos("expected_wage")?,
            wanted_kind: pos("wanted_kind")?,
            flags: pos("flags")?,
            insurance: pos("insurance")?,
            unemployed_since: pos("unemployed_since")?,
            needs: pos("needs")?,
            household_no: pos("household_no")?,
        })
    }
}

struct RowWriter<'a> {
    writer: csv::Writer<File>,
    columns: Columns,
    path: PathBuf,
    written: u64,
    progress: &'a dyn Fn(u64),
    cells: CellBuffers,
}

/// Text of the formatted cells, reused from row to row.
#[derive(Default)]
struct CellBuffers {
    phone: String,
    wage: String,
    since: String,
    flags: String,
    insurance: String,
    needs: String,
}

const SKILL_DIGITS: [&str; 6] = ["", "1", "2", "3", "4", "5"];

impl RowWriter<'_> {
    fn csv_error(&self) -> impl FnOnce(csv::Error) -> GenError {
        let path = self.path.clone();
        move |source| GenError::Csv { path, source }
    }

    fn write(&mut self, p: &Person) -> Result<(), GenError> {
        let b = &mut self.cells;
        put_display(&mut b.phone, p.phone);
        put_display(&mut b.wage, p.wage);
        put_display(&mut b.since, p.unemployed_since);
        put_labels(&mut b.flags, p.flags);
        put_labels(&mut b.insurance, p.insurance);
        put_labels(&mut b.needs, p.needs);
        let c = &self.columns;
        let mut cells: [&str; COLUMNS.len()] = [""; COLUMNS.len()];
        cells[c.name] = &p.name;
        cells[c.id_number] = p.id.as_str();
        cells[c.phone] = &b.phone;
        cells[c.hukou_region] = p.hukou;
        cells[c.residence_region] = p.residence.unwrap_or("");
        cells[c.status] = p.status.label();
        cells[c.work_region] = p.work_region.unwrap_or("");
        cells[c.work_province] = p.work_province.unwrap_or("");
        cells[c.industry] = p.industry.unwrap_or("");
        cells[c.occupation] = p.occupation.unwrap_or("");
        cells[c.skill_level] = SKILL_DIGITS[usize::from(p.skill.unwrap_or(0).min(5))];
        cells[c.expected_wage] = &b.wage;
        cells[c.wanted_kind] = p.wanted.map_or("", JobKind::label);
        cells[c.flags] = &b.flags;
        cells[c.insurance] = &b.insurance;
        cells[c.unemployed_since] = &b.since;
        cells[c.needs] = &b.needs;
        cells[c.household_no] = p.household.as_deref().unwrap_or("");
        debug_assert_eq!(c.width, cells.len());
        if let Err(source) = self.writer.write_record(cells) {
            return Err(GenError::Csv { path: self.path.clone(), source });
        }
        self.written += 1;
        if self.written.is_multiple_of(PROGRESS_EVERY) {
            (self.progress)(self.written);
        }
        Ok(())
    }
}

/// `value` formatted into `buf`, or `buf` emptied.
fn put_display<T: std::fmt::Display>(buf: &mut String, value: Option<T>) {
    use std::fmt::Write;
    buf.clear();
    if let Some(v) = value {
        let _ = write!(buf, "{v}");
    }
}

/// The labels of a flag set joined with `,` (the template's list separator).
fn put_labels<F: Flag>(buf: &mut String, set: FlagSet<F>) {
    buf.clear();
    for (i, flag) in set.iter().enumerate() {
        if i > 0 {
            buf.push(',');
        }
        buf.push_str(flag.label());
    }
}
