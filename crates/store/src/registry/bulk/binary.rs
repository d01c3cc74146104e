//! PostgreSQL's binary COPY format, for the columns the bulk import writes: a
//! signature and header, then per tuple a field count and each field as a 32-bit
//! length (−1 for NULL) followed by its bytes in network order. Dates count days and
//! timestamps microseconds from 2000-01-01.

use chrono::{DateTime, NaiveDate, Utc};
use jiujin_domain::registry::EventSource;
use jiujin_domain::RegionCode;

use super::{PersonRow, RunStamp};
use crate::registry::events::EventRow;

pub(super) struct Copy {
    buf: Vec<u8>,
}

const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

fn pg_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

impl Copy {
    pub(super) fn new() -> Copy {
        let mut buf = Vec::with_capacity(1 << 20);
        buf.extend_from_slice(SIGNATURE);
        buf.extend_from_slice(&0i32.to_be_bytes()); // flags
        buf.extend_from_slice(&0i32.to_be_bytes()); // header extension length
        Copy { buf }
    }

    fn tuple(&mut self, fields: i16) {
        self.buf.extend_from_slice(&fields.to_be_bytes());
    }

    fn null(&mut self) {
        self.buf.extend_from_slice(&(-1i32).to_be_bytes());
    }

    fn bytes(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(&(v.len() as i32).to_be_bytes());
        self.buf.extend_from_slice(v);
    }

    fn opt_bytes(&mut self, v: Option<&[u8]>) {
        match v {
            Some(v) => self.bytes(v),
            None => self.null(),
        }
    }

    fn i64(&mut self, v: i64) {
        self.bytes(&v.to_be_bytes());
    }

    fn i32(&mut self, v: i32) {
        self.bytes(&v.to_be_bytes());
    }

    fn i16(&mut self, v: i16) {
        self.bytes(&v.to_be_bytes());
    }

    fn opt_i64(&mut self, v: Option<i64>) {
        match v {
            Some(v) => self.i64(v),
            None => self.null(),
        }
    }

    fn opt_i32(&mut self, v: Option<i32>) {
        match v {
            Some(v) => self.i32(v),
            None => self.null(),
        }
    }

    fn opt_i16(&mut self, v: Option<i16>) {
        match v {
            Some(v) => self.i16(v),
            None => self.null(),
        }
    }

    fn opt_text(&mut self, v: Option<&str>) {
        self.opt_bytes(v.map(str::as_bytes));
    }

    fn date(&mut self, d: NaiveDate) {
        self.i32((d - pg_epoch()).num_days() as i32);
    }

    fn opt_date(&mut self, d: Option<NaiveDate>) {
        match d {
            Some(d) => self.date(d),
            None => self.null(),
        }
    }

    fn timestamp(&mut self, t: DateTime<Utc>) {
        let epoch = pg_epoch().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        self.i64((t - epoch).num_microseconds().unwrap_or(0));
    }

    pub(super) fn finish(mut self) -> Vec<u8> {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        self.buf
    }
}

/// One `persons` tuple in COPY_PERSONS column order.
pub(super) fn person(c: &mut Copy, id: i64, r: &PersonRow, stamp: &RunStamp) {
    let s = &r.state;
    c.tuple(28);
    c.i64(id);
    c.bytes(&r.id_hmac);
    c.bytes(&r.id_cipher);
    c.opt_bytes(r.phone_hmac.as_ref().map(|h| &h[..]));
    c.opt_bytes(r.phone_cipher.as_deref());
    c.opt_text(Some(&s.name));
    c.date(s.birth_date);
    c.i16(s.sex.code());
    c.i64(s.hukou_region.as_i64());
    c.opt_i64(s.residence_region.map(RegionCode::as_i64));
    c.opt_text(s.household_no.as_deref());
    c.i16(s.status.code());
    c.date(stamp.as_of);
    c.opt_i64(s.work_region.map(RegionCode::as_i64));
    c.opt_i16(s.work_province);
    c.opt_text(s.industry.as_deref());
    c.opt_text(s.occupation.as_deref());
    c.opt_text(s.occupation_name.as_deref());
    c.opt_i16(s.skill_level.map(|l| i16::from(l.get())));
    c.opt_i64(s.expected_wage.map(|f| f.0));
    c.i32(s.flags.bits() as i32);
    c.i32(s.insurance.bits() as i32);
    c.i32(s.needs.bits() as i32);
    c.opt_date(s.unemployed_since);
    c.bytes(&r.digest);
    c.timestamp(stamp.now);
    c.timestamp(stamp.now);
    c.opt_i16(s.wanted_kind.map(|k| k.code()));
}

/// One `person_events` tuple in COPY_EVENTS column order.
pub(super) fn registration(c: &mut Copy, person_id: i64, e: &EventRow, stamp: &RunStamp) {
    c.tuple(14);
    c.i64(person_id);
    c.date(stamp.as_of);
    c.i16(e.kind.code());
    c.i16(EventSource::Import.code());
    c.opt_i16(e.status);
    c.opt_i64(e.work_region);
    c.opt_i16(e.work_province);
    c.opt_text(e.industry.as_deref());
    c.opt_i32(e.insurance);
    c.opt_i32(e.flags);
    c.opt_text(e.changes.as_deref());
    c.i64(stamp.run_id);
    c.opt_text(stamp.actor.as_deref());
    c.timestamp(stamp.now);
}
