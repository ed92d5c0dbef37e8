//! The session's settings at the prompt: `:asof` (the evaluation date, re-checking the policy),
//! `:limit` (rows shown), `:format` (text or JSON) and `:time` (timing lines). Each shows the setting
//! when given no argument, and leaves it unchanged when the argument is wrong.

use super::session::{Outcome, Session};
use super::Format;
use crate::diagnostic::Diagnostic;
use crate::value::{format_day, parse_date};

impl Session {
    pub(super) fn asof(&mut self, rest: &str) -> Outcome {
        if rest.is_empty() {
            return Outcome::text(format!("as of {}\n", format_day(self.options.today)));
        }
        let Some(day) = parse_date(rest) else {
            return Outcome::error(
                Diagnostic::error("bad_date", format!("`{rest}` is not a date"))
                    .help("write the date as YYYY-MM-DD, e.g. `:asof 2025-06-30`"),
            );
        };
        match self.recheck(day) {
            Ok(()) => {
                self.options.today = day;
                Outcome::text(format!("as of {}\n", format_day(day)))
            }
            Err(diags) => Outcome::errors(diags),
        }
    }

    pub(super) fn set_limit(&mut self, rest: &str) -> Outcome {
        if rest.is_empty() {
            return Outcome::text(format!("limit {}\n", self.limit));
        }
        match rest.parse::<usize>() {
            Ok(n) if n > 0 => {
                self.limit = n;
                Outcome::text(format!("limit {n}\n"))
            }
            _ => Outcome::error(
                Diagnostic::error(
                    "bad_argument",
                    format!("`:limit {rest}`: not a positive number"),
                )
                .help("`:limit 100` shows up to 100 rows of a table"),
            ),
        }
    }

    pub(super) fn set_format(&mut self, rest: &str) -> Outcome {
        match rest {
            "text" => self.format = Format::Text,
            "json" => self.format = Format::Json,
            "" => {}
            other => {
                return Outcome::error(
                    Diagnostic::error("bad_argument", format!("`:format {other}`: unknown format"))
                        .help("the formats are `text` and `json`"),
                )
            }
        }
        let name = match self.format {
            Format::Text => "text",
            Format::Json => "json",
        };
        Outcome::text(format!("format {name}\n"))
    }

    pub(super) fn set_time(&mut self, rest: &str) -> Outcome {
        match rest {
            "on" => self.timing = true,
            "off" => self.timing = false,
            "" => {}
            other => {
                return Outcome::error(
                    Diagnostic::error(
                        "bad_argument",
                        format!("`:time {other}`: expected `on` or `off`"),
                    )
                    .help("`:time on` prints how long each evaluation and query took"),
                )
            }
        }
        Outcome::text(format!("time {}\n", if self.timing { "on" } else { "off" }))
    }
}
