//! Checking the file, and reading what SQLite's check found.
//!
//! `quick_check` reads every page but never compares an index with its
//! table, so an index that lost a row passes it while every count taken
//! from that index is wrong. `integrity_check` does compare them, at the
//! cost of reading every row once per index: it runs after an unclean
//! shutdown and at least once a day, `quick_check` otherwise.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension};

/// A full check is due once this long has passed since the last one.
const FULL_CHECK_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// How many of SQLite's findings a report keeps: the first few say what
/// kind of damage it is; a hundred say nothing more.
const FINDINGS_KEPT: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    Quick,
    Full,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Finding {
    Sound,
    /// Only these indexes disagree with their tables or are damaged
    /// themselves: rebuilt from the tables, nothing is lost.
    Indexes {
        names: Vec<String>,
        findings: String,
    },
    /// A table's own pages are damaged, or a finding names no index: the
    /// rows themselves may be gone.
    Tables {
        findings: String,
    },
}

/// Runs SQLite's check. A file too damaged for the check to finish is a
/// finding too, not an error; only errors that say nothing of the file
/// (busy, out of memory) are returned.
pub(crate) fn check(conn: &Connection, depth: Depth) -> rusqlite::Result<Finding> {
    let pragma = match depth {
        Depth::Quick => "PRAGMA quick_check",
        Depth::Full => "PRAGMA integrity_check",
    };
    let lines = match report(conn, pragma) {
        Ok(lines) => lines,
        Err(e) if is_damage(&e) => {
            return Ok(Finding::Tables {
                findings: e.to_string(),
            });
        }
        Err(e) => return Err(e),
    };
    if lines.len() == 1 && lines[0] == "ok" {
        return Ok(Finding::Sound);
    }
    match classify(conn, &lines) {
        Ok(finding) => Ok(finding),
        Err(e) if is_damage(&e) => Ok(Finding::Tables {
            findings: summary(&lines),
        }),
        Err(e) => Err(e),
    }
}

/// Whether SQLite's error means the file itself is damaged.
pub(crate) fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// The check's findings, one a line. SQLite returns a row per finding, but
/// the b-tree part of it comes as one row of many lines under a banner.
fn report(conn: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(pragma)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut lines = Vec::new();
    for row in rows {
        lines.extend(
            row?.lines()
                .filter(|l| !l.starts_with("***") && !l.trim().is_empty())
                .map(str::to_owned),
        );
    }
    Ok(lines)
}

/// The first findings, in SQLite's words, for the report and the logs.
pub(crate) fn summary(lines: &[String]) -> String {
    let mut kept = lines[..lines.len().min(FINDINGS_KEPT)].join("; ");
    if lines.len() > FINDINGS_KEPT {
        kept.push_str(&format!("; and {} more", lines.len() - FINDINGS_KEPT));
    }
    kept
}

/// Index damage only when every finding names an index, by name or by the
/// root page of its b-tree; anything else is taken as a table's.
fn classify(conn: &Connection, lines: &[String]) -> rusqlite::Result<Finding> {
    let indexes = index_roots(conn)?;
    let mut names: Vec<String> = Vec::new();
    for line in lines {
        let name = match index_named(line) {
            Some(name) if indexes.values().any(|n| n == name) => Some(name.to_owned()),
            Some(_) => None,
            None => tree_root(line).and_then(|root| indexes.get(&root).cloned()),
        };
        match name {
            Some(name) => {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            None => {
                return Ok(Finding::Tables {
                    findings: summary(lines),
                });
            }
        }
    }
    Ok(Finding::Indexes {
        names,
        findings: summary(lines),
    })
}

/// Every index's b-tree root page and name.
fn index_roots(conn: &Connection) -> rusqlite::Result<HashMap<u32, String>> {
    let mut stmt = conn.prepare("SELECT rootpage, name FROM sqlite_schema WHERE type = 'index'")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?)))?;
    rows.collect()
}

/// The index a finding of the row-by-row part of `integrity_check` names
/// (sqlite3.c, `sqlite3Pragma`, case `PragTyp_INTEGRITY_CHECK`).
fn index_named(line: &str) -> Option<&str> {
    const PREFIXED: [&str; 2] = ["wrong # of entries in index ", "non-unique entry in index "];
    const INFIXED: [&str; 3] = [
        " missing from index ",
        " values differ from index ",
        // "rowid not at end-of-record for row N of index X"
        " of index ",
    ];
    if let Some(name) = PREFIXED.iter().find_map(|p| line.strip_prefix(p)) {
        return Some(name.trim());
    }
    if let Some(name) = INFIXED
        .iter()
        .find_map(|i| line.split_once(i).map(|(_, name)| name))
    {
        return Some(name.trim());
    }
    // "index X stores an imprecise floating-point value for row N"
    line.strip_prefix("index ")
        .filter(|rest| rest.contains(" stores an imprecise floating-point value"))
        .and_then(|rest| rest.split(' ').next())
}

/// The root page of the b-tree a finding of the b-tree part names: "Tree 7
/// page 12 cell 3: ..." (sqlite3.c, `checkTreePage`).
fn tree_root(line: &str) -> Option<u32> {
    let rest = line.strip_prefix("Tree ")?;
    let digits = rest.split(|c: char| !c.is_ascii_digit()).next()?;
    digits.parse().ok()
}

/// Rebuilds `indexes` from their tables.
pub(crate) fn reindex(conn: &Connection, indexes: &[String]) -> rusqlite::Result<()> {
    for name in indexes {
        // Names from the file's own schema, quoted all the same.
        conn.execute_batch(&format!("REINDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(())
}

/// When the last full check ran, if this file's schema keeps it and it did.
pub(crate) fn last_full_check(conn: &Connection) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let kept: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'store_health'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if kept.is_none() {
        return Ok(None);
    }
    let at: Option<String> = conn
        .query_row(
            "SELECT last_full_check_at FROM store_health WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(at.and_then(|at| at.parse().ok()))
}

/// Whether a full check is due at `now`. A clock that went back before the
/// last check counts as due: trusting it would put the next check off by
/// however far it went back.
pub(crate) fn full_check_due(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    match last {
        None => true,
        Some(last) => now < last || now - last >= FULL_CHECK_EVERY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_name_their_index() {
        for (line, name) in [
            (
                "row 10 missing from index sales_by_listing",
                "sales_by_listing",
            ),
            ("wrong # of entries in index sales_by_time", "sales_by_time"),
            (
                "non-unique entry in index sqlite_autoindex_outbox_1",
                "sqlite_autoindex_outbox_1",
            ),
            (
                "rowid not at end-of-record for row 3 of index orders_by_listing",
                "orders_by_listing",
            ),
            ("row 4 values differ from index lots_x", "lots_x"),
            (
                "index photos_by_subject stores an imprecise floating-point value for row 2",
                "photos_by_subject",
            ),
        ] {
            assert_eq!(index_named(line), Some(name), "{line}");
        }
        assert_eq!(index_named("NULL value in sales.unit"), None);
        assert_eq!(index_named("Page 7: never used"), None);
    }

    #[test]
    fn b_tree_findings_name_their_root() {
        assert_eq!(
            tree_root("Tree 12 page 40 cell 3: Rowid 9 out of order"),
            Some(12)
        );
        assert_eq!(
            tree_root("Tree 5 page 5: btreeInitPage() returns error code 11"),
            Some(5)
        );
        assert_eq!(tree_root("Freelist: size is 3 but should be 4"), None);
    }

    #[test]
    fn a_full_check_is_due_daily_and_when_the_clock_went_back() {
        let t0: DateTime<Utc> = "2026-11-28T08:00:00Z".parse().unwrap();
        assert!(full_check_due(None, t0));
        assert!(!full_check_due(Some(t0), t0 + chrono::TimeDelta::hours(23)));
        assert!(full_check_due(Some(t0), t0 + chrono::TimeDelta::hours(24)));
        assert!(full_check_due(Some(t0), t0 - chrono::TimeDelta::minutes(1)));
    }
}
