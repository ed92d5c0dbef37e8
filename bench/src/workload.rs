//! The benchmark workload of issue 9: N companies and 10·N shipments over 12 trusted-trader programmes,
//! 20 MRA country pairs (listed both ways) and 24 countries, with the standard recognition rules.
//!
//! Invariants: generation is a pure function of `(n, seed)` — a PCG64 stream, no clock, no hash-map
//! order — so the same arguments write the same bytes. Ids are zero-padded (`C0000042`, `S00000420`) so
//! that sorted ids are sorted numbers. Every shipment's exporter and importer are distinct companies.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use jiff::civil::{date, Date};
use jiff::Span;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

/// The 24 countries companies are spread over; the first 14 have a programme.
pub const COUNTRIES: [&str; 24] = [
    "US", "MX", "CA", "JP", "KR", "NZ", "AU", "SG", "IL", "JO", "TW", "DE", "FR", "NL", "GB", "CH",
    "NO", "BR", "IN", "ZA", "TR", "TH", "MY", "CL",
];

/// The 12 programmes and their countries: 14 rows, the EU programme being listed for three members.
pub const PROGRAMS: [(&str, &str); 14] = [
    ("CTPAT", "US"),
    ("NEEC", "MX"),
    ("PIP", "CA"),
    ("AEO-JP", "JP"),
    ("AEO-KR", "KR"),
    ("SES", "NZ"),
    ("ATT", "AU"),
    ("STP", "SG"),
    ("AEO-IL", "IL"),
    ("GOLDEN-LIST", "JO"),
    ("AEO-TW", "TW"),
    ("AEO-EU", "DE"),
    ("AEO-EU", "FR"),
    ("AEO-EU", "NL"),
];

/// The policy: recognition through an MRA in force on the shipment date, an active unexpired
/// certification, a negation and an aggregate per destination.
pub const POLICY: &str = include_str!("../workload.accord");

/// The relations a generated directory holds, one CSV file each, in the order they are written.
pub const RELATIONS: [&str; 7] = [
    "program",
    "mra",
    "company",
    "certified",
    "suspended",
    "high_risk",
    "shipment",
];

/// One generated workload, held as rows of text ready to be written as CSV or fed to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub n: usize,
    pub program: Vec<[String; 2]>,
    pub mra: Vec<[String; 3]>,
    pub company: Vec<[String; 2]>,
    pub certified: Vec<[String; 3]>,
    pub suspended: Vec<[String; 2]>,
    pub high_risk: Vec<[String; 1]>,
    pub shipment: Vec<[String; 6]>,
}

/// A uniformly random day between `from` and `to`, both included, as `YYYY-MM-DD`.
fn random_day(rng: &mut Pcg64, from: Date, to: Date) -> String {
    let span = from.until(to).map(|s| s.get_days()).unwrap_or(0);
    let offset = rng.random_range(0..=i64::from(span));
    from.checked_add(Span::new().days(offset))
        .unwrap_or(from)
        .to_string()
}

/// Generates the workload for `n` companies (and `10 n` shipments) from `seed`.
pub fn generate(n: usize, seed: u64) -> Workload {
    let mut rng = Pcg64::seed_from_u64(seed);
    let program = PROGRAMS
        .iter()
        .map(|(p, c)| [p.to_string(), c.to_string()])
        .collect();

    // 20 MRA pairs among the programme countries; US–MX, US–CA and MX–CA always.
    let with_program: Vec<&str> = {
        let mut v: Vec<&str> = PROGRAMS.iter().map(|(_, c)| *c).collect();
        v.dedup();
        v
    };
    let mut pairs: Vec<(&str, &str)> = vec![("US", "MX"), ("US", "CA"), ("MX", "CA")];
    while pairs.len() < 20 {
        let a = with_program[rng.random_range(0..with_program.len())];
        let b = with_program[rng.random_range(0..with_program.len())];
        if a != b
            && !pairs
                .iter()
                .any(|&(x, y)| (x, y) == (a, b) || (y, x) == (a, b))
        {
            pairs.push((a, b));
        }
    }
    let mut mra = Vec::with_capacity(40);
    for (a, b) in pairs {
        let since = random_day(&mut rng, date(2008, 1, 1), date(2025, 12, 31));
        mra.push([a.to_string(), b.to_string(), since.clone()]);
        mra.push([b.to_string(), a.to_string(), since]);
    }

    let mut company = Vec::with_capacity(n);
    let mut certified = Vec::new();
    let mut suspended = Vec::new();
    let mut high_risk = Vec::new();
    let mut home = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("C{i:07}");
        let country = COUNTRIES[rng.random_range(0..COUNTRIES.len())];
        home.push(country);
        if rng.random_bool(0.30) {
            let first = PROGRAMS
                .iter()
                .find(|(_, c)| *c == country)
                .map(|(p, _)| *p)
                .unwrap_or_else(|| PROGRAMS[rng.random_range(0..PROGRAMS.len())].0);
            let mut held = vec![first];
            if rng.random_bool(0.10) {
                let second = PROGRAMS[rng.random_range(0..PROGRAMS.len())].0;
                if second != first {
                    held.push(second);
                }
            }
            for p in held {
                let until = random_day(&mut rng, date(2024, 1, 1), date(2027, 12, 31));
                certified.push([id.clone(), p.to_string(), until]);
                if rng.random_bool(0.05) {
                    suspended.push([id.clone(), p.to_string()]);
                }
            }
        }
        if rng.random_bool(0.05) {
            high_risk.push([id.clone()]);
        }
        company.push([id, country.to_string()]);
    }

    let mut shipment = Vec::with_capacity(10 * n);
    if n >= 2 {
        for s in 0..10 * n {
            let e = rng.random_range(0..n);
            let mut i = rng.random_range(0..n - 1);
            if i >= e {
                i += 1;
            }
            let d = random_day(&mut rng, date(2024, 1, 1), date(2025, 12, 31));
            shipment.push([
                format!("S{s:08}"),
                company[e][0].clone(),
                company[i][0].clone(),
                home[e].to_string(),
                home[i].to_string(),
                d,
            ]);
        }
    }
    Workload {
        n,
        program,
        mra,
        company,
        certified,
        suspended,
        high_risk,
        shipment,
    }
}

/// The CSV header of each relation, in [`RELATIONS`] order.
pub fn header(relation: &str) -> &'static str {
    match relation {
        "program" => "id,country",
        "mra" => "home,partner,since",
        "company" => "id,country",
        "certified" => "company,program,valid_until",
        "suspended" => "company,program",
        "high_risk" => "company",
        _ => "id,exporter,importer,origin,destination,date",
    }
}

impl Workload {
    /// The rows of `relation` (one of [`RELATIONS`]) as slices of fields.
    pub fn rows(&self, relation: &str) -> Vec<&[String]> {
        match relation {
            "program" => self.program.iter().map(|r| &r[..]).collect(),
            "mra" => self.mra.iter().map(|r| &r[..]).collect(),
            "company" => self.company.iter().map(|r| &r[..]).collect(),
            "certified" => self.certified.iter().map(|r| &r[..]).collect(),
            "suspended" => self.suspended.iter().map(|r| &r[..]).collect(),
            "high_risk" => self.high_risk.iter().map(|r| &r[..]).collect(),
            "shipment" => self.shipment.iter().map(|r| &r[..]).collect(),
            _ => Vec::new(),
        }
    }

    /// One relation as CSV text (ids and dates never need quoting).
    pub fn csv(&self, relation: &str) -> String {
        let mut out = String::with_capacity(64 * self.rows(relation).len());
        let _ = writeln!(out, "{}", header(relation));
        for row in self.rows(relation) {
            let _ = writeln!(out, "{}", row.join(","));
        }
        out
    }

    /// Writes `policy.accord` and one CSV file per relation into `dir` (created if needed).
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("policy.accord"), POLICY)?;
        let data = dir.join("data");
        std::fs::create_dir_all(&data)?;
        for relation in RELATIONS {
            let mut file =
                io::BufWriter::new(std::fs::File::create(data.join(format!("{relation}.csv")))?);
            file.write_all(self.csv(relation).as_bytes())?;
            file.flush()?;
        }
        Ok(())
    }
}

/// Writes the workload of `n` and `seed` into a fresh directory under the system's temporary one,
/// named after `tag` and the process (for tests, which remove it when they pass).
pub fn write_temp(n: usize, seed: u64, tag: &str) -> io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("accord-{tag}-{}", std::process::id()));
    generate(n, seed).write(&dir)?;
    Ok(dir)
}

/// A policy of `rules` rules over the workload's relations (for timing the checker): each grants one of
/// 100 benefits for one destination and programme, the way a national library of MRA rules grows.
pub fn many_rules(rules: usize) -> String {
    let mut out = String::from(POLICY);
    for i in 0..rules {
        let (program, country) = PROGRAMS[i % PROGRAMS.len()];
        let dest = COUNTRIES[(i / PROGRAMS.len()) % COUNTRIES.len()];
        let _ = writeln!(
            out,
            "rule r{i} source \"generated rule {i}\":\n  shipment(s, e, _, {country}, {dest}, d) ∧ active(e, \"{program}\", until) ∧ d ≤ until ⇒ benefit_{}(s).",
            i % 100
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_shaped_as_specified() {
        let a = generate(2_000, 7);
        assert_eq!(a, generate(2_000, 7));
        assert_ne!(a.shipment, generate(2_000, 8).shipment);
        assert_eq!(a.program.len(), 14);
        assert_eq!(a.mra.len(), 40);
        assert_eq!(a.company.len(), 2_000);
        assert_eq!(a.shipment.len(), 20_000);
        for pair in [["US", "MX"], ["MX", "US"], ["US", "CA"], ["CA", "MX"]] {
            assert!(
                a.mra.iter().any(|r| r[0] == pair[0] && r[1] == pair[1]),
                "{pair:?}"
            );
        }
        let certified: std::collections::BTreeSet<&str> =
            a.certified.iter().map(|r| r[0].as_str()).collect();
        let share = certified.len() as f64 / 2_000.0;
        assert!((0.25..0.35).contains(&share), "{share}");
        assert!(a.shipment.iter().all(|s| s[1] != s[2]));
        assert!(a
            .shipment
            .iter()
            .all(|s| s[5].starts_with("2024") || s[5].starts_with("2025")));
    }
}
