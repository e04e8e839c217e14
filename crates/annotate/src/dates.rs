//! Date recognition and normalisation to ISO 8601.
//!
//! Absolute dates (`22.09.2025`, `2025-09-22`, `9. Februar 2025`, `Februar 2025`) get their
//! value directly; a time right after a date (`22.09.2025, 06:11 Uhr`) is attached to it.
//! Dates without a year (`am 7. Februar`, `im August`) and relative expressions
//! (`am Montag`, `gestern`, `im vergangenen Monat`) are resolved against the publication
//! date when it is known; otherwise they are kept with no value and `resolved = false`.

use crate::lexicon;
use crate::tokenize::{Kind, Token};

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ymd {
    /// Year.
    pub y: i32,
    /// Month, 1–12.
    pub m: u32,
    /// Day, 1–31.
    pub d: u32,
}

impl Ymd {
    /// A valid date, or `None`.
    pub fn new(y: i32, m: u32, d: u32) -> Option<Ymd> {
        ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then_some(Ymd { y, m, d })
    }

    /// Parses the `YYYY-MM-DD` prefix of an ISO 8601 date or date-time.
    pub fn parse_iso(s: &str) -> Option<Ymd> {
        let b = s.as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        if b.len() > 10 && !matches!(b[10], b'T' | b' ') {
            return None;
        }
        Ymd::new(
            s[..4].parse().ok()?,
            s[5..7].parse().ok()?,
            s[8..10].parse().ok()?,
        )
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.y) - i64::from(self.m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.m);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(z: i64) -> Ymd {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
        Ymd { y, m, d }
    }

    /// Weekday, 0 = Monday.
    pub fn weekday(self) -> u32 {
        (self.days() + 3).rem_euclid(7) as u32
    }

    /// The date `n` days later (earlier when negative).
    pub fn add_days(self, n: i64) -> Ymd {
        Ymd::from_days(self.days() + n)
    }

    /// ISO 8601 `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }

    /// ISO 8601 week date `YYYY-Www`.
    pub fn iso_week(self) -> String {
        let days = self.days();
        let thursday = days - i64::from(self.weekday()) + 3;
        let year = Ymd::from_days(thursday).y;
        let jan1 = Ymd {
            y: year,
            m: 1,
            d: 1,
        }
        .days();
        format!("{:04}-W{:02}", year, (thursday - jan1) / 7 + 1)
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// One date found in the text, as a token range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateSpan {
    /// First token.
    pub first: usize,
    /// Token after the last one.
    pub end: usize,
    /// ISO 8601 value, `None` when it could not be resolved.
    pub value: Option<String>,
    /// Whether the value is known.
    pub resolved: bool,
}

/// Finds the dates in the tokens; `published` resolves relative and year-less dates.
pub fn find(text: &str, toks: &[Token], published: Option<Ymd>) -> Vec<DateSpan> {
    let mut out: Vec<DateSpan> = Vec::new();
    let w = |i: usize| toks.get(i).map_or("", |t: &Token| t.text(text));
    let glued = |i: usize| toks.get(i).is_some_and(|t| !t.space_before);
    let mut i = 0;
    while i < toks.len() {
        let t = w(i);
        let kind = toks[i].kind;
        let mut found: Option<(usize, Option<String>)> = None; // (end, value)

        if kind == Kind::Number {
            if let Some(d) = dotted_date(t) {
                found = Some((i + 1, Some(d.iso())));
            } else if t.len() == 10 && t.as_bytes()[4] == b'-' {
                found = Ymd::parse_iso(t).map(|d| (i + 1, Some(d.iso())));
            } else if let Some(day) = small_number(t, 31) {
                // `9. Februar 2025`, `7. Feb.`, `22.09.` (day and month, no year).
                if w(i + 1) == "." && glued(i + 1) {
                    if let Some(m) = lexicon::month_number(w(i + 2)) {
                        let mut e = i + 3;
                        if !lexicon::is_full_month(w(i + 2)) {
                            if w(e) == "." && glued(e) {
                                e += 1;
                            } else {
                                e = 0; // A bare abbreviation is no month.
                            }
                        }
                        if e > 0 {
                            if let Some(y) = year(w(e)).filter(|_| toks[e].kind == Kind::Number) {
                                found = Some((e + 1, Ymd::new(y, m, day).map(Ymd::iso)));
                            } else {
                                let v = published.and_then(|p| Ymd::new(p.y, m, day)).map(Ymd::iso);
                                found = Some((e, v));
                            }
                        }
                    }
                }
            }
            if found.is_none() && t.len() <= 5 && t.contains('.') && w(i + 1) == "." && glued(i + 1)
            {
                if let Some((d, m)) = t.split_once('.') {
                    if let (Some(d), Some(m)) = (small_number(d, 31), small_number(m, 12)) {
                        let v = published.and_then(|p| Ymd::new(p.y, m, d)).map(Ymd::iso);
                        found = Some((i + 2, v));
                    }
                }
            }
            if found.is_none() && i > 0 && matches!(w(i - 1), "Jahr" | "Jahre") {
                if let Some(y) = year(t) {
                    let value = Some(format!("{y:04}"));
                    out.push(DateSpan {
                        first: i - 1,
                        end: i + 1,
                        value,
                        resolved: true,
                    });
                    i += 1;
                    continue;
                }
            }
        } else if kind == Kind::Word {
            if let Some(m) = lexicon::month_number(t) {
                let full = lexicon::is_full_month(t);
                let mut e = i + 1;
                if !full && w(e) == "." && glued(e) {
                    e += 1;
                }
                if let Some(y) = year(w(e)).filter(|_| toks[e].kind == Kind::Number) {
                    if full || e == i + 2 {
                        found = Some((e + 1, Some(format!("{y:04}-{m:02}"))));
                    }
                } else if full
                    && matches!(
                        w(i.wrapping_sub(1)),
                        "im" | "Im"
                            | "Anfang"
                            | "Mitte"
                            | "Ende"
                            | "seit"
                            | "Seit"
                            | "bis"
                            | "ab"
                            | "Ab"
                    )
                {
                    // `im August`, `im August dieses Jahres`, `im Mai vergangenen Jahres`.
                    let (end, offset) = match (w(i + 1), w(i + 2)) {
                        ("dieses" | "diesen", "Jahres") => (i + 3, Some(0)),
                        ("vergangenen" | "letzten" | "vorigen", "Jahres") => (i + 3, Some(-1)),
                        ("nächsten" | "kommenden", "Jahres") => (i + 3, Some(1)),
                        _ => (i + 1, None),
                    };
                    let v = published.map(|p| format!("{:04}-{m:02}", p.y + offset.unwrap_or(0)));
                    found = Some((end, v));
                }
            } else if let Some(wd) = lexicon::weekday_number(t) {
                // A weekday, optionally with `vergangenen`/`kommenden` before it; a date in
                // brackets right after it (`am Montag (27.10.2025)`) gives its value.
                let mut first = i;
                let mut future = false;
                match w(i.wrapping_sub(1)) {
                    "vergangenen" | "letzten" | "vorigen" => first = i - 1,
                    "kommenden" | "nächsten" => {
                        first = i - 1;
                        future = true;
                    }
                    _ => {}
                }
                let bracketed = (w(i + 1) == "(" && w(i + 3) == ")")
                    .then(|| dotted_date(w(i + 2)))
                    .flatten();
                let v = if let Some(d) = bracketed {
                    Some(d.iso())
                } else {
                    published.map(|p| {
                        let pw = i64::from(p.weekday());
                        let wd = i64::from(wd);
                        if future {
                            p.add_days((wd - pw - 1).rem_euclid(7) + 1).iso()
                        } else {
                            p.add_days(-((pw - wd - 1).rem_euclid(7) + 1)).iso()
                        }
                    })
                };
                let resolved = v.is_some();
                out.push(DateSpan {
                    first,
                    end: i + 1,
                    value: v,
                    resolved,
                });
                i += 1;
                continue;
            } else if let Some(offset) = relative_day(t) {
                let v = published.map(|p| p.add_days(offset).iso());
                found = Some((i + 1, v));
            } else if let Some((unit_end, v)) = relative_period(t, w(i + 1), i, published) {
                found = Some((unit_end, v));
            }
        }

        if let Some((mut end, mut value)) = found {
            // A time right after a full date: `22.09.2025, 06:11 Uhr`, `… um 6:11`.
            if let Some(v) = value.as_mut().filter(|v| v.len() == 10) {
                let mut j = end;
                if matches!(w(j), "," | "um" | "–" | "-") {
                    j += 1;
                }
                if let Some((h, m)) = time(w(j)) {
                    if !matches!(w(j + 1), "min" | "Min" | "Minuten") {
                        v.push_str(&format!("T{h:02}:{m:02}"));
                        end = if w(j + 1) == "Uhr" { j + 2 } else { j + 1 };
                    }
                }
            }
            let resolved = value.is_some();
            out.push(DateSpan {
                first: i,
                end,
                value: value.take(),
                resolved,
            });
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// `DD.MM.YYYY` (one- or two-digit day and month).
fn dotted_date(t: &str) -> Option<Ymd> {
    let mut parts = t.split('.');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || d.len() > 2 || m.len() > 2 {
        return None;
    }
    Ymd::new(y.parse().ok()?, small_number(m, 12)?, small_number(d, 31)?)
}

/// A one- or two-digit number from 1 to `max`.
fn small_number(t: &str, max: u32) -> Option<u32> {
    if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = t.parse().ok()?;
    (1..=max).contains(&n).then_some(n)
}

/// A four-digit year from 1000 to 2999.
fn year(t: &str) -> Option<i32> {
    if t.len() != 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = t.parse().ok()?;
    (1000..3000).contains(&y).then_some(y)
}

/// `HH:MM` with a valid hour and minute.
fn time(t: &str) -> Option<(u32, u32)> {
    let (h, m) = t.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

/// Day offset of `heute`, `gestern`, … (`morgen` only lowercase: `Morgen` is the morning).
fn relative_day(t: &str) -> Option<i64> {
    match t {
        "heute" | "Heute" => Some(0),
        "gestern" | "Gestern" => Some(-1),
        "vorgestern" | "Vorgestern" => Some(-2),
        "morgen" => Some(1),
        "übermorgen" | "Übermorgen" => Some(2),
        _ => None,
    }
}

/// `vergangenen Monat`, `letzte Woche`, `dieses Jahr`, `nächsten Jahres`, …
fn relative_period(
    a: &str,
    b: &str,
    i: usize,
    published: Option<Ymd>,
) -> Option<(usize, Option<String>)> {
    let offset = match a {
        "vergangene" | "vergangenen" | "vergangenes" | "letzte" | "letzten" | "letztes"
        | "vorige" | "vorigen" | "voriges" => -1,
        "diese" | "diesen" | "dieses" | "diesem" => 0,
        "nächste" | "nächsten" | "nächstes" | "kommende" | "kommenden" | "kommendes" => 1,
        _ => return None,
    };
    let v = match b {
        "Woche" => published.map(|p| p.add_days(7 * offset).iso_week()),
        "Monat" | "Monats" => published.map(|p| {
            let months = i64::from(p.y) * 12 + i64::from(p.m) - 1 + offset;
            format!(
                "{:04}-{:02}",
                months.div_euclid(12),
                months.rem_euclid(12) + 1
            )
        }),
        "Jahr" | "Jahres" => published.map(|p| format!("{:04}", i64::from(p.y) + offset)),
        _ => return None,
    };
    Some((i + 2, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn dates(text: &str, published: Option<&str>) -> Vec<(String, Option<String>)> {
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let p = published.and_then(Ymd::parse_iso);
        find(text, &toks, p)
            .into_iter()
            .map(|d| {
                (
                    text[toks[d.first].start..toks[d.end - 1].end].to_owned(),
                    d.value,
                )
            })
            .collect()
    }

    fn one(text: &str, published: Option<&str>) -> (String, Option<String>) {
        let all = dates(text, published);
        assert_eq!(all.len(), 1, "{all:?}");
        all.into_iter().next().unwrap()
    }

    #[test]
    fn calendar_arithmetic() {
        let d = Ymd::new(2025, 9, 22).unwrap();
        assert_eq!(Ymd::from_days(d.days()), d);
        assert_eq!(d.weekday(), 0); // A Monday.
        assert_eq!(
            Ymd::new(2024, 2, 29).unwrap().add_days(1).iso(),
            "2024-03-01"
        );
        assert!(Ymd::new(2025, 2, 29).is_none());
        assert_eq!(Ymd::new(2025, 9, 22).unwrap().iso_week(), "2025-W39");
        assert_eq!(Ymd::new(2021, 1, 3).unwrap().iso_week(), "2020-W53");
        assert_eq!(Ymd::parse_iso("2025-09-22T06:11:00"), Ymd::new(2025, 9, 22));
        assert_eq!(Ymd::parse_iso("2025-09-2x"), None);
    }

    #[test]
    fn numeric_dates() {
        assert_eq!(
            one("am 22.09.2025 war", None),
            ("22.09.2025".into(), Some("2025-09-22".into()))
        );
        assert_eq!(one("(27.10.2025)", None).1.as_deref(), Some("2025-10-27"));
        assert_eq!(
            one("Stand: 2025-09-22.", None).1.as_deref(),
            Some("2025-09-22")
        );
        assert!(dates("am 31.02.2025", None).is_empty());
    }

    #[test]
    fn month_name_dates() {
        assert_eq!(
            one("9. Februar 2025", None),
            ("9. Februar 2025".into(), Some("2025-02-09".into()))
        );
        assert_eq!(
            one("im Februar 2025", None),
            ("Februar 2025".into(), Some("2025-02".into()))
        );
        assert_eq!(
            one("am 3. Okt. 2024", None).1.as_deref(),
            Some("2024-10-03")
        );
        assert_eq!(
            one("am 7. Februar betonte", Some("2025-02-26")),
            ("7. Februar".into(), Some("2025-02-07".into()))
        );
        assert_eq!(
            one("am 7. Februar betonte", None),
            ("7. Februar".into(), None)
        );
        assert_eq!(
            one("im August dieses Jahres", Some("2025-09-22")),
            ("August dieses Jahres".into(), Some("2025-08".into()))
        );
        assert!(dates("August Bebel sprach", None).is_empty());
    }

    #[test]
    fn times_attach_to_dates() {
        assert_eq!(
            one("22.09.2025\n06:11 Uhr", None),
            (
                "22.09.2025\n06:11 Uhr".into(),
                Some("2025-09-22T06:11".into())
            )
        );
        assert_eq!(
            one("03.09.2025 | 26:25 min", None).1.as_deref(),
            Some("2025-09-03")
        );
        assert_eq!(
            one("18.06.2025 | 0:20 min", None).1.as_deref(),
            Some("2025-06-18")
        );
    }

    #[test]
    fn relative_dates_resolve_against_publication() {
        // 2025-09-22 is a Monday: the last Sunday before it is 2025-09-21.
        assert_eq!(
            one("am Sonntag", Some("2025-09-22")),
            ("Sonntag".into(), Some("2025-09-21".into()))
        );
        assert_eq!(
            one("am Montag", Some("2025-09-22")).1.as_deref(),
            Some("2025-09-15")
        );
        assert_eq!(
            one("am kommenden Montag", Some("2025-09-22")).1.as_deref(),
            Some("2025-09-29")
        );
        assert_eq!(
            one("gestern", Some("2025-03-01")).1.as_deref(),
            Some("2025-02-28")
        );
        assert_eq!(
            one("im vergangenen Monat", Some("2025-01-15")),
            ("vergangenen Monat".into(), Some("2024-12".into()))
        );
        assert_eq!(
            one("vergangene Woche", Some("2025-09-22")).1.as_deref(),
            Some("2025-W38")
        );
        assert_eq!(
            one("im Jahr 2019", None),
            ("Jahr 2019".into(), Some("2019".into()))
        );
        assert_eq!(one("am Montag", None), ("Montag".into(), None));
    }

    #[test]
    fn weekday_takes_bracketed_date() {
        let all = dates("sagte Trump am Montag (27.10.2025).", None);
        assert_eq!(all[0], ("Montag".into(), Some("2025-10-27".into())));
        assert_eq!(all[1], ("27.10.2025".into(), Some("2025-10-27".into())));
    }
}
