//! Columns that line up in a terminal whatever the script: widths are measured
//! in terminal cells, so a Chinese character counts two and a Tibetan vowel
//! sign, which sits on its consonant, counts none.

use unicode_width::UnicodeWidthStr;

pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let columns = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[i] - cell.width() + 2));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// "¥68.50" from fen.
pub fn yuan(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_terminal_cells() {
        let mut t = Table::new(&["TITLE", "PRICE"]);
        t.row(vec!["牦牛肉".into(), "¥68.50".into()]);
        t.row(vec!["honey".into(), "¥45.00".into()]);
        let rendered = t.render();
        let starts: Vec<usize> = rendered
            .lines()
            .map(|l| {
                let at = l.find('¥').or_else(|| l.find("PRICE")).unwrap();
                l[..at].width()
            })
            .collect();
        assert_eq!(starts, vec![8, 8, 8]);
    }
}
