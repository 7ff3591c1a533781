//! Calendar dates and UTC timestamps, without a clock.
//!
//! riskgate never reads the system clock inside its core: `now` is always an argument, so the same
//! inputs and `--now` give the same report. This module only parses and does day arithmetic
//! (proleptic Gregorian calendar, UTC). It must never panic on input: every parser returns `None`
//! for text it does not understand.

// Input text is hostile: no byte slicing or indexing that can panic on it (issue 13).
#![deny(clippy::string_slice, clippy::indexing_slicing)]

use std::fmt;

/// A calendar date (UTC), stored as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// An instant in UTC with second precision, stored as seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    // Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Date {
    /// Builds a date from year, month and day, refusing impossible dates (2026-02-30).
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y as i64, m) {
            return None;
        }
        Some(Date(days_from_civil(y as i64, m, d) as i32))
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let y = digits(s.get(0..4)?)?;
        Date::from_ymd(y as i32, digits(s.get(5..7)?)?, digits(s.get(8..10)?)?)
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0 as i64)
    }

    pub fn add_days(self, n: i64) -> Date {
        Date((self.0 as i64 + n).clamp(i32::MIN as i64, i32::MAX as i64) as i32)
    }

    /// `self - other` in days.
    pub fn days_since(self, other: Date) -> i64 {
        self.0 as i64 - other.0 as i64
    }

    /// Midnight UTC at the start of this date.
    pub fn start(self) -> Timestamp {
        Timestamp(self.0 as i64 * 86_400)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Timestamp {
    pub fn from_unix(secs: i64) -> Timestamp {
        Timestamp(secs)
    }

    pub fn unix(self) -> i64 {
        self.0
    }

    /// Parses RFC 3339 (`2026-11-23T10:00:00Z`, `...+01:00`, fractional seconds ignored), a bare
    /// `YYYY-MM-DD` (midnight UTC), and the zone-less `YYYY-MM-DDTHH:MM:SS` some scanners write
    /// (taken as UTC).
    pub fn parse(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        let date = Date::parse(s.get(0..10)?)?;
        let rest = s.get(10..)?;
        if rest.is_empty() {
            return Some(date.start());
        }
        let rest = rest.strip_prefix(['T', 't', ' '])?;
        let hms = rest.get(0..8)?;
        let hb = hms.as_bytes();
        if hb.get(2) != Some(&b':') || hb.get(5) != Some(&b':') {
            return None;
        }
        let (h, mi, se) = (
            digits(hms.get(0..2)?)?,
            digits(hms.get(3..5)?)?,
            digits(hms.get(6..8)?)?,
        );
        if h > 23 || mi > 59 || se > 60 {
            return None;
        }
        let mut tail = rest.get(8..)?;
        if let Some(frac) = tail.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            tail = frac.get(n..)?;
        }
        let offset: i64 = match tail {
            "" | "Z" | "z" => 0,
            _ => {
                let sign = match tail.as_bytes().first()? {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                // Text after the sign is not trusted to be ASCII: every slice is checked.
                let tz = tail.get(1..)?;
                let (oh, om) = match tz.len() {
                    5 if tz.as_bytes().get(2) == Some(&b':') => {
                        (digits(tz.get(0..2)?)?, digits(tz.get(3..5)?)?)
                    }
                    4 => (digits(tz.get(0..2)?)?, digits(tz.get(2..4)?)?),
                    2 => (digits(tz)?, 0),
                    _ => return None,
                };
                // RFC 3339 offsets, like every real zone, lie within ±18:00.
                if om > 59 || oh * 60 + om > 18 * 60 {
                    return None;
                }
                sign * (oh as i64 * 3600 + om as i64 * 60)
            }
        };
        let secs = date.start().0 + h as i64 * 3600 + mi as i64 * 60 + se as i64 - offset;
        Some(Timestamp(secs))
    }

    pub fn date(self) -> Date {
        Date(self.0.div_euclid(86_400) as i32)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.rem_euclid(86_400);
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_refuse_impossible_days() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2026-11-23",
            "2026-12-31",
            "1969-07-20",
        ] {
            assert_eq!(Date::parse(s).unwrap().to_string(), s);
        }
        for s in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "26-11-23",
            "2026-1-1",
            "x",
        ] {
            assert_eq!(Date::parse(s), None, "{s}");
        }
        let d = Date::parse("2026-11-20").unwrap();
        assert_eq!(d.add_days(30).to_string(), "2026-12-20");
        assert_eq!(Date::parse("2026-12-20").unwrap().days_since(d), 30);
    }

    /// Text that is not ASCII where digits belong is refused, never sliced through (these
    /// panicked once: `+€1` as an offset, `€` inside a date).
    #[test]
    fn non_ascii_and_out_of_range_offsets_are_refused() {
        for s in [
            "2026-11-23T10:00:00+€1",
            "2026-11-23T10:00:00-€",
            "2026-11-23T10:00:00+0€",
            "20€6-11-2",
            "2026-1€-2",
            "2026-11-€3",
            "€026-11-23T10:00:00Z",
            "2026-11-23T10:00:00+18:01",
            "2026-11-23T10:00:00+19:00",
            "2026-11-23T10:00:00+0160",
        ] {
            assert_eq!(Timestamp::parse(s), None, "{s}");
        }
        assert_eq!(Date::parse("20€6-11"), None);
        let edge = Timestamp::parse("2026-11-23T18:00:00+18:00").unwrap();
        assert_eq!(edge.to_string(), "2026-11-23T00:00:00Z");
    }

    #[test]
    fn timestamps_parse_zones_and_fractions() {
        let t = Timestamp::parse("2026-11-23T10:00:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-23T10:00:00Z");
        assert_eq!(Timestamp::parse("2026-11-23T11:00:00+01:00"), Some(t));
        assert_eq!(
            Timestamp::parse("2026-11-23T05:00:00.123456-05:00"),
            Some(t)
        );
        assert_eq!(Timestamp::parse("2026-11-23T10:00:00"), Some(t));
        assert_eq!(
            Timestamp::parse("2026-11-23").unwrap().to_string(),
            "2026-11-23T00:00:00Z"
        );
        assert_eq!(Timestamp::parse("2026-11-23T25:00:00Z"), None);
        assert_eq!(Timestamp::parse("2026-11-23T10:00"), None);
        assert_eq!(
            Timestamp::parse("2021-08-25T12:20:30.000000005Z")
                .unwrap()
                .to_string(),
            "2021-08-25T12:20:30Z"
        );
    }
}
