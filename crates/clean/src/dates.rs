//! Recognises lines that are nothing but a date, a time, or a video duration, and turns
//! dates and times into ISO 8601.

use regex::Regex;

/// A calendar date parsed from a line, with the time of day if the line carried one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateTime {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    /// Hour and minute.
    pub time: Option<(u32, u32)>,
    /// Whether the line said what the date is ("Stand:", "Veröffentlicht am", "Published").
    pub labelled: bool,
}

impl DateTime {
    /// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:00` when the time is known.
    pub(crate) fn iso(&self) -> String {
        match self.time {
            Some((h, m)) => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:00",
                self.year, self.month, self.day, h, m
            ),
            None => format!("{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

/// Compiled patterns for date, time and duration lines. Built once per worker.
#[derive(Debug)]
pub(crate) struct DatePatterns {
    date: Regex,
    time: Regex,
    duration: Regex,
}

const MONTHS: &str = "januar|jänner|februar|märz|maerz|april|mai|juni|juli|august|september|\
oktober|november|dezember|january|february|march|may|june|july|october|december|jan|feb|mär|\
mrz|mar|apr|jun|jul|aug|sept|sep|okt|oct|nov|dez|dec";

fn month_number(name: &str) -> Option<u32> {
    let n = match name.trim_end_matches('.') {
        "januar" | "jänner" | "january" | "jan" => 1,
        "februar" | "february" | "feb" => 2,
        "märz" | "maerz" | "march" | "mär" | "mrz" | "mar" => 3,
        "april" | "apr" => 4,
        "mai" | "may" => 5,
        "juni" | "june" | "jun" => 6,
        "juli" | "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "oktober" | "october" | "okt" | "oct" => 10,
        "november" | "nov" => 11,
        "dezember" | "december" | "dez" | "dec" => 12,
        _ => return None,
    };
    Some(n)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.rem_euclid(4) == 0 && year.rem_euclid(100) != 0)
            || year.rem_euclid(400) == 0 =>
        {
            29
        }
        2 => 28,
        _ => 31,
    }
}

impl DatePatterns {
    pub(crate) fn new() -> Self {
        let prefix = r"(?P<label>(?:stand|veröffentlicht|aktualisiert|erstellt|publiziert|datum|published|updated|posted|date|zuletzt aktualisiert)(?:\s+(?:am|on))?\s*:?\s*)?";
        let weekday = r"(?:(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mo|di|mi|do|fr|sa|so|mon|tue|wed|thu|fri|sat|sun)\.?,?\s+)?";
        let time =
            r"(?:\s*(?:,|\||–|-|um|at|·|•)?\s*(?P<th>\d{1,2})[:.](?P<tm>\d{2})\s*(?:uhr|h)?)?";
        let body = format!(
            r"(?:(?P<d1>\d{{1,2}})\.\s?(?P<m1>\d{{1,2}})\.\s?(?P<y1>\d{{4}}|\d{{2}})|(?P<y2>\d{{4}})-(?P<m2>\d{{2}})-(?P<d2>\d{{2}})|(?P<d3>\d{{1,2}})\.?\s+(?P<m3>{MONTHS})\.?\s+(?P<y3>\d{{4}})|(?P<m4>{MONTHS})\.?\s+(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y4>\d{{4}}))"
        );
        let date = Regex::new(&format!(r"^{prefix}{weekday}{body}{time}$"))
            // The pattern is a constant; a failure here is a bug caught by every test.
            .expect("date pattern compiles");
        let time = Regex::new(
            r"^(?:(?P<h1>\d{1,2}):(?P<m1>\d{2})(?::\d{2})?\s*(?:uhr|h|am|pm|a\.m\.|p\.m\.)?|(?P<h2>\d{1,2})\.(?P<m2>\d{2})\s*uhr)$",
        )
        .expect("time pattern compiles");
        let duration = Regex::new(
            r"^(?:(?:video|audio|podcast|dauer|länge|laufzeit|duration)\s*[:|]?\s*)?(?:\d{1,2}\.\d{1,2}\.\d{2,4}\s*[|•·,–-]\s*)?(?:\d{1,3}(?::\d{2}){1,2}\s*(?:min\.?|minuten|minutes|mins?\.?|std\.?|sek\.?)|\d{1,3}\s*(?:min\.?|minuten|minutes|mins?\.?|sek\.?|sekunden|seconds|sec\.?)|\d{1,2}\.\d{1,2}\.\d{2,4}\s*[|•·]\s*\d{1,3}(?::\d{2}){1,2})$",
        )
        .expect("duration pattern compiles");
        DatePatterns {
            date,
            time,
            duration,
        }
    }

    /// The date of a line that is only a date (optionally with weekday, a "Stand:"-like
    /// prefix and a time), from its lowercase text.
    pub(crate) fn date(&self, lower: &str) -> Option<DateTime> {
        if lower.len() > 60 || !lower.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        let c = self.date.captures(lower)?;
        let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
        let (day, month, year) = if let Some(d) = num("d1") {
            (d, num("m1")?, num("y1")?)
        } else if let Some(y) = num("y2") {
            (num("d2")?, num("m2")?, y)
        } else if let Some(d) = num("d3") {
            (d, month_number(c.name("m3")?.as_str())?, num("y3")?)
        } else {
            (
                num("d4")?,
                month_number(c.name("m4")?.as_str())?,
                num("y4")?,
            )
        };
        let year = if year < 100 { 2000 + year } else { year };
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let time = match (num("th"), num("tm")) {
            (Some(h), Some(m)) if h < 24 && m < 60 => Some((h, m)),
            (Some(_), Some(_)) => return None,
            _ => None,
        };
        Some(DateTime {
            year,
            month,
            day,
            time,
            labelled: c.name("label").is_some_and(|m| !m.as_str().is_empty()),
        })
    }

    /// The hour and minute of a line that is only a time of day ("06:11 Uhr", "6:11 pm").
    pub(crate) fn time(&self, lower: &str) -> Option<(u32, u32)> {
        if lower.len() > 20 {
            return None;
        }
        let c = self.time.captures(lower)?;
        let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
        let (mut h, m) = match num("h1") {
            Some(h) => (h, num("m1")?),
            None => (num("h2")?, num("m2")?),
        };
        if lower.contains("pm") || lower.contains("p.m.") {
            if h < 12 {
                h += 12;
            }
        } else if (lower.contains("am") || lower.contains("a.m.")) && h == 12 {
            h = 0;
        }
        (h < 24 && m < 60).then_some((h, m))
    }

    /// Whether a lowercase line is a video or audio duration ("03.09.2025 | 26:25 min",
    /// "26 Min.").
    pub(crate) fn is_duration(&self, lower: &str) -> bool {
        lower.len() <= 50 && self.duration.is_match(lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> Option<String> {
        DatePatterns::new().date(&s.to_lowercase()).map(|d| d.iso())
    }

    #[test]
    fn parses_german_and_english_date_lines() {
        assert_eq!(iso("22.09.2025").as_deref(), Some("2025-09-22"));
        assert_eq!(iso("9. Februar 2025").as_deref(), Some("2025-02-09"));
        assert_eq!(iso("Montag, 22.09.2025").as_deref(), Some("2025-09-22"));
        assert_eq!(
            iso("Stand: 22.09.2025, 06:11 Uhr").as_deref(),
            Some("2025-09-22T06:11:00")
        );
        assert_eq!(iso("February 9, 2025").as_deref(), Some("2025-02-09"));
        assert_eq!(iso("2025-02-09").as_deref(), Some("2025-02-09"));
        assert_eq!(
            iso("Published on 3 March 2024").as_deref(),
            Some("2024-03-03")
        );
        let p = DatePatterns::new();
        assert!(p.date("stand: 22.09.2025").unwrap().labelled);
        assert!(!p.date("22.09.2025").unwrap().labelled);
    }

    #[test]
    fn rejects_impossible_dates_and_sentences() {
        assert_eq!(iso("31.02.2025"), None);
        assert_eq!(iso("Am 22.09.2025 sprach Kim."), None);
        assert_eq!(iso("200.000"), None);
    }

    #[test]
    fn parses_time_lines() {
        let p = DatePatterns::new();
        assert_eq!(p.time("06:11 uhr"), Some((6, 11)));
        assert_eq!(p.time("18.30 uhr"), Some((18, 30)));
        assert_eq!(p.time("6:11 pm"), Some((18, 11)));
        assert_eq!(p.time("06.11"), None);
        assert_eq!(p.time("25:00"), None);
    }

    #[test]
    fn recognises_durations() {
        let p = DatePatterns::new();
        for s in [
            "03.09.2025 | 26:25 min",
            "18.06.2025 | 0:20 min",
            "26 min.",
            "video: 2:30 min",
            "3 minuten",
        ] {
            assert!(p.is_duration(s), "{s}");
        }
        for s in ["06:11 uhr", "22.09.2025", "26 menschen"] {
            assert!(!p.is_duration(s), "{s}");
        }
    }
}
