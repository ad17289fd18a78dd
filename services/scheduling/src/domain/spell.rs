//! One employment spell of the attrition history, keyed on (employee, hire date): a rehire
//! is a new spell. And the history CSV (`employee_id,department_code,hire_date,leave_date`),
//! parsed as it streams in, every bad row named `rows[N].column` (N counts data rows from 1).

use std::collections::HashMap;

use chrono::NaiveDate;
use continuity_contract::{DepartmentCode, EmployeeId};
use continuity_shared::i18n::Text;
use continuity_shared::ids::id_error_text;
use continuity_shared::{FieldError, text};
use rustc_hash::FxHashSet;

use super::seasonality::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spell {
    pub employee_id: EmployeeId,
    /// The department the person was in when they left (or is in now).
    pub department: DepartmentCode,
    pub hire_date: NaiveDate,
    pub leave_date: Option<NaiveDate>,
}

impl Spell {
    pub fn span(&self) -> Span {
        Span {
            hire: self.hire_date,
            leave: self.leave_date,
        }
    }
}

pub const COLUMNS: [&str; 4] = ["employee_id", "department_code", "hire_date", "leave_date"];
/// A report stops here; a file with more errors is surely the wrong file.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// Reads the CSV chunk by chunk: only whole lines are parsed, the rest waits for the next.
pub struct ImportParser {
    max_rows: usize,
    pending: Vec<u8>,
    /// Where each of [`COLUMNS`] is in a row, once the header is read.
    columns: Option<[Option<usize>; 4]>,
    rows: usize,
    /// The header lacks a column: nothing more can be read.
    stopped: bool,
    /// Keys seen so far; SipHash was a tenth of a million-row import, and the keys come
    /// from one file the caller sent, for one request, so flooding gains them nothing.
    seen: FxHashSet<(EmployeeId, NaiveDate)>,
    pub spells: Vec<Spell>,
    pub errors: Vec<FieldError>,
}

impl ImportParser {
    pub fn new(max_rows: usize) -> Self {
        Self {
            max_rows,
            pending: Vec::new(),
            columns: None,
            rows: 0,
            stopped: false,
            seen: FxHashSet::default(),
            spells: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// True once there is no point reading further (too many errors or rows).
    pub fn is_hopeless(&self) -> bool {
        self.stopped || self.errors.len() >= MAX_REPORTED_ERRORS || self.rows > self.max_rows
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        self.pending.extend_from_slice(chunk);
        if let Some(end) = self.pending.iter().rposition(|b| *b == b'\n') {
            let lines: Vec<u8> = self.pending.drain(..=end).collect();
            self.parse(&lines);
        }
    }

    /// The spells, or every problem found.
    pub fn finish(mut self) -> Result<Vec<Spell>, Vec<FieldError>> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            self.parse(&rest);
        }
        if self.columns.is_none() && self.errors.is_empty() {
            self.errors.push(FieldError::new(
                "header",
                text!("the file is empty", "文件为空"),
            ));
        }
        if self.rows > self.max_rows && !self.stopped {
            let max = self.max_rows;
            self.errors.push(FieldError::new(
                "rows",
                text!(
                    "more than {max} rows; split the file",
                    "超过 {max} 行，请拆分文件"
                ),
            ));
        }
        if self.errors.is_empty() {
            Ok(self.spells)
        } else {
            self.errors.truncate(MAX_REPORTED_ERRORS);
            Err(self.errors)
        }
    }

    fn parse(&mut self, lines: &[u8]) {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(lines);
        // One record reused for every row: no allocation per row.
        let mut record = csv::StringRecord::new();
        loop {
            if self.is_hopeless() {
                return;
            }
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    let at = if self.columns.is_none() {
                        "header".to_owned()
                    } else {
                        self.rows += 1;
                        format!("rows[{}]", self.rows)
                    };
                    self.errors.push(FieldError::new(
                        at,
                        text!("is not valid CSV: {e}", "不是有效的 CSV：{e}"),
                    ));
                    continue;
                }
            }
            if record.iter().all(str::is_empty) {
                continue;
            }
            let Some(columns) = self.columns else {
                self.header(&record);
                continue;
            };
            self.rows += 1;
            let cells = columns.map(|c| c.and_then(|i| record.get(i)).unwrap_or(""));
            match parse_row(self.rows, cells) {
                Ok(s) => {
                    if self.seen.insert((s.employee_id.clone(), s.hire_date)) {
                        self.spells.push(s);
                    } else {
                        self.errors.push(FieldError::new(
                            format!("rows[{}].hire_date", self.rows),
                            text!(
                                "this employee and hire date appear more than once in the file",
                                "该员工与入职日期在文件中重复出现"
                            ),
                        ));
                    }
                }
                Err(mut e) => self.errors.append(&mut e),
            }
        }
    }

    fn header(&mut self, record: &csv::StringRecord) {
        let mut index = HashMap::new();
        for (i, h) in record.iter().enumerate() {
            index.insert(h.trim_start_matches('\u{feff}').to_ascii_lowercase(), i);
        }
        let missing: Vec<&str> = COLUMNS[..3]
            .iter()
            .copied()
            .filter(|c| !index.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            let list = missing.join(", ");
            self.errors.push(FieldError::new(
                "header",
                text!("missing column(s): {list}", "缺少列：{list}"),
            ));
            self.stopped = true;
        }
        self.columns = Some(COLUMNS.map(|c| index.get(c).copied()));
    }
}

fn parse_row(row: usize, [id, dept, hire, leave]: [&str; 4]) -> Result<Spell, Vec<FieldError>> {
    let at = |column: &str| format!("rows[{row}].{column}");
    let mut errors = Vec::new();
    let id = EmployeeId::parse(id)
        .map_err(|e| errors.push(FieldError::new(at("employee_id"), id_error_text(e))))
        .ok();
    let dept = DepartmentCode::parse(dept)
        .map_err(|e| errors.push(FieldError::new(at("department_code"), id_error_text(e))))
        .ok();
    let hired = parse_date(hire)
        .map_err(|m| errors.push(FieldError::new(at("hire_date"), m)))
        .ok();
    let left = if leave.is_empty() {
        Some(None)
    } else {
        parse_date(leave)
            .map(Some)
            .map_err(|m| errors.push(FieldError::new(at("leave_date"), m)))
            .ok()
    };
    let (Some(employee_id), Some(department), Some(hire_date), Some(leave_date)) =
        (id, dept, hired, left)
    else {
        return Err(errors);
    };
    if leave_date.is_some_and(|l| l < hire_date) {
        return Err(vec![FieldError::new(
            at("leave_date"),
            text!("is before the hire date", "早于入职日期"),
        )]);
    }
    Ok(Spell {
        employee_id,
        department,
        hire_date,
        leave_date,
    })
}

fn parse_date(raw: &str) -> Result<NaiveDate, Text> {
    continuity_contract::date::parse(raw).map_err(|_| {
        text!(
            "`{raw}` is not a date (YYYY-MM-DD)",
            "`{raw}` 不是日期（YYYY-MM-DD）"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in_chunks(csv: &str, size: usize) -> Result<Vec<Spell>, Vec<FieldError>> {
        let mut p = ImportParser::new(1000);
        for chunk in csv.as_bytes().chunks(size) {
            p.feed(chunk);
        }
        p.finish()
    }

    #[test]
    fn a_file_split_anywhere_gives_the_same_spells() {
        let csv = "employee_id,department_code,hire_date,leave_date\n\
                   E1,sales,2020-01-01,2022-02-20\r\n\
                   E1,sales,2023-01-01,\n\
                   E2,quality,2021-03-01";
        let whole = parse_in_chunks(csv, 10_000).unwrap();
        assert_eq!(whole.len(), 3, "a rehire is a second spell");
        for size in [1, 3, 7, 16] {
            assert_eq!(parse_in_chunks(csv, size).unwrap(), whole);
        }
    }

    #[test]
    fn every_bad_row_is_named_with_its_number_and_column() {
        let csv = "employee_id,department_code,hire_date,leave_date\n\
                   E1,sales,2020-13-01,\n\
                   bad id,quality,2021-03-01,\n\
                   E3,sales,2021-03-01,2020-01-01\n\
                   E4,sales,2021-03-01,\n\
                   E4,sales,2021-03-01,2022-01-01\n";
        let fields: Vec<String> = parse_in_chunks(csv, 5)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "rows[1].hire_date",
                "rows[2].employee_id",
                "rows[3].leave_date",
                "rows[5].hire_date"
            ]
        );
    }

    #[test]
    fn a_missing_column_an_empty_file_or_too_many_rows_is_refused() {
        let e = parse_in_chunks("employee_id,hire_date\nE1,2020-01-01\n", 4).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "header");
        assert_eq!(parse_in_chunks("", 4).unwrap_err()[0].field, "header");
        let mut p = ImportParser::new(1);
        p.feed(b"employee_id,department_code,hire_date\nE1,a,2020-01-01\nE2,a,2020-01-01\n");
        assert_eq!(p.finish().unwrap_err()[0].field, "rows");
    }
}
