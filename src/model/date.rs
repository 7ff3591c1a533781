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

/// 1970-01-01: day 0.
const EPOCH: jiff::civil::Date = jiff::civil::date(1970, 1, 1);

/// Days since the epoch of a civil date (jiff does the calendar).
fn days_of(d: jiff::civil::Date) -> Option<i64> {
    d.since((jiff::Unit::Day, EPOCH))
        .ok()
        .map(|span| i64::from(span.get_days()))
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Date {
    /// Builds a date from year, month and day, refusing impossible dates (2026-02-30) and years
    /// outside -9999..=9999.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        let civil = jiff::civil::Date::new(
            i16::try_from(y).ok()?,
            i8::try_from(m).ok()?,
            i8::try_from(d).ok()?,
        )
        .ok()?;
        Some(Date(i32::try_from(days_of(civil)?).ok()?))
    }

    /// The civil date, clamped to jiff's range (-9999..=9999) for days far outside it.
    fn civil(self) -> jiff::civil::Date {
        let days = i64::from(self.0);
        EPOCH
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(if days < 0 {
                jiff::civil::Date::MIN
            } else {
                jiff::civil::Date::MAX
            })
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
        let c = self.civil();
        (
            i64::from(c.year()),
            u32::try_from(c.month()).unwrap_or(1),
            u32::try_from(c.day()).unwrap_or(1),
        )
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
        // A leap second counts as the second before it (as jiff reads one).
        let se = se.min(59);
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

/// `YYYY-MM-DD`, as riskgate's own reports write dates (read back by `riskgate org`).
impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Date::parse(&text)
            .filter(|_| text.len() == 10)
            .ok_or_else(|| {
                serde::de::Error::invalid_value(
                    serde::de::Unexpected::Str(&text),
                    &"a date, YYYY-MM-DD",
                )
            })
    }
}

/// An RFC 3339 timestamp (read back from riskgate's own reports).
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Timestamp::parse(&text).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&text),
                &"an RFC 3339 timestamp (2026-11-23T10:00:00Z)",
            )
        })
    }
}

/// A date as a file wrote it (`expires: 2026-12-01`): the text, and the date it names when it
/// names one, parsed once, when the file is read. Validation reports the text that is not a
/// date, with its position; the decision core reads [`DateText::date`] and never parses.
#[derive(Clone, PartialEq, Eq)]
pub struct DateText {
    text: String,
    date: Option<Date>,
}

impl DateText {
    pub fn new(text: impl Into<String>) -> DateText {
        let text = text.into();
        let date = Date::parse(&text);
        DateText { text, date }
    }

    /// The date, or `None` when the text is not one (validation has refused it).
    pub fn date(&self) -> Option<Date> {
        self.date
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<Date> for DateText {
    fn from(d: Date) -> DateText {
        DateText {
            text: d.to_string(),
            date: Some(d),
        }
    }
}

impl fmt::Display for DateText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for DateText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text.fmt(f)
    }
}

impl serde::Serialize for DateText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for DateText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DateText, D::Error> {
        <String as serde::Deserialize>::deserialize(d).map(DateText::new)
    }
}

impl schemars::JsonSchema for DateText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DateText".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
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
