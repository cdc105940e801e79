//! The spiral's geometry: one turn per fiscal year, turning clockwise and outward, so the
//! distance from the centre says which year. Around each turn lie the nine stages of the NPO's
//! spiral, like the hours of a clock (stage 1 at the top): a mark sits in its year's turn, in
//! its stage's ninth, so the picture shows which stages the work was in, year by year, rather
//! than piling every contract on April 1. Each year's money is a band along its turn, by pillar.
//! Pure arithmetic, tested without a browser.

use domain::program::{Pillar, SpiralStage};
use domain::{Date, FiscalYear};
use std::f64::consts::TAU;

/// A coordinate to one decimal place, written with integer arithmetic: formatting floats would
/// pull Rust's float printing into the WASM bundle for no visible difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct D1(pub f64);

impl std::fmt::Display for D1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let abs = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", abs / 10, abs % 10)
    }
}

/// The SVG's user-space size (a square); the page scales it.
pub const SIZE: f64 = 1000.0;
const CENTRE: f64 = SIZE / 2.0;
/// Radius where the first year begins, leaving room for the centre label.
const INNER: f64 = 70.0;
/// Radius where the last year ends.
const OUTER: f64 = 480.0;
/// Distance between rows of marks across a turn's line.
const MARK_STEP: f64 = 6.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    first: FiscalYear,
    years: i32,
}

impl Geometry {
    /// A spiral from the fiscal year of `first` to that of `last` (at least one turn).
    pub fn new(first: Date, last: Date) -> Self {
        let first = FiscalYear::containing(first.min(last));
        let last = FiscalYear::containing(last.max(first.first_day()));
        Geometry {
            first,
            years: last.year() - first.year() + 1,
        }
    }

    pub fn first_year(&self) -> FiscalYear {
        self.first
    }

    pub fn years(&self) -> impl Iterator<Item = FiscalYear> {
        let first = self.first.year();
        (0..self.years).filter_map(move |i| FiscalYear::new(first + i).ok())
    }

    /// Distance between two turns.
    pub fn gap(&self) -> f64 {
        (OUTER - INNER) / f64::from(self.years)
    }

    /// How far along the spiral a date lies, in turns from the first year's 1 April.
    pub fn turns(&self, date: Date) -> f64 {
        let fy = FiscalYear::containing(date);
        let length = fy.last_day().days_since(fy.first_day()) + 1;
        let into = date.days_since(fy.first_day());
        f64::from(fy.year() - self.first.year()) + into as f64 / length as f64
    }

    /// The radius `turns` along the spiral.
    pub fn radius(&self, turns: f64) -> f64 {
        INNER + self.gap() * turns
    }

    /// Where the `k`-th of `n` marks of one fiscal year and stage goes: spread along that
    /// stage's ninth of the year's turn, in as many rows across the line as it takes for marks
    /// 8 units apart to fit, so every mark stays visible and clickable.
    pub fn stage_point(&self, year: FiscalYear, stage: SpiralStage, k: u32, n: u32) -> (f64, f64) {
        let ninth = 1.0 / 9.0;
        let start = self.cell_start(year, stage);
        let per_row = self.per_row(start);
        let rows = n.max(1).div_ceil(per_row);
        let (row, index) = (k % rows, k / rows);
        let in_row = n.max(1).div_ceil(rows);
        // Odd rows sit half a place along, so neighbouring rows do not stack.
        let slot = f64::from(index) + if row % 2 == 1 { 1.0 } else { 0.5 };
        let places = f64::from(in_row) + if rows > 1 { 0.5 } else { 0.0 };
        let along = start + ninth * slot / places;
        // Rows alternate outside and inside the line, within most of the gap to the next turn.
        let step = (self.gap() * 0.8 / f64::from(rows)).min(MARK_STEP);
        let offset = match row {
            0 => 0.0,
            r if r % 2 == 1 => step * f64::from(r.div_ceil(2)),
            r => -step * f64::from(r / 2),
        };
        self.point_at(along, offset)
    }

    /// The size of each of `n` marks of one fiscal year and stage (as [`Geometry::stage_point`]
    /// places them), so that none overlaps another: under half the least distance between two
    /// of them, along a row or across to the next row on the same side, and at most 6.
    pub fn mark_radius(&self, year: FiscalYear, stage: SpiralStage, n: u32) -> f64 {
        let n = n.max(1);
        let ninth = 1.0 / 9.0;
        let start = self.cell_start(year, stage);
        let rows = n.div_ceil(self.per_row(start));
        let places = f64::from(n.div_ceil(rows)) + if rows > 1 { 0.5 } else { 0.0 };
        let across = (self.gap() * 0.8 / f64::from(rows)).min(MARK_STEP);
        // The innermost row, at the start of the cell, is where marks are closest along.
        let inner = self.radius(start) - across * f64::from((rows - 1) / 2);
        let along = TAU * inner.max(1.0) * ninth / places;
        let least = if rows > 1 { along.min(across) } else { along };
        (0.45 * least).min(6.0)
    }

    /// How many marks one fiscal year's ninth for `stage` shows side by side without overlap
    /// (rows 6 units apart within most of the gap to the next turn): beyond it, the spiral drawn
    /// whole groups the cell into one mark with its count (level of detail).
    pub fn cell_capacity(&self, year: FiscalYear, stage: SpiralStage) -> u32 {
        let rows = ((self.gap() * 0.8 / MARK_STEP).floor() as u32).max(1);
        self.per_row(self.cell_start(year, stage)) * rows
    }

    /// Where a fiscal year's ninth for `stage` begins, in turns.
    fn cell_start(&self, year: FiscalYear, stage: SpiralStage) -> f64 {
        f64::from(year.year() - self.first.year()) + f64::from(stage.number().saturating_sub(1)) / 9.0
    }

    /// Marks 8 units apart along the ninth that starts at `start` turns.
    fn per_row(&self, start: f64) -> u32 {
        const SPACING: f64 = 8.0;
        let ninth = 1.0 / 9.0;
        let arc = TAU * self.radius(start + ninth / 2.0) * ninth;
        ((arc / SPACING).floor() as u32).max(1)
    }

    /// A path along fiscal year `year`'s turn, `offset` outside the line (a money band's centre).
    pub fn year_band(&self, year: FiscalYear, offset: f64) -> String {
        let start = f64::from(year.year() - self.first.year());
        let mut d = String::with_capacity(65 * 14);
        for i in 0..=64 {
            let (x, y) = self.point_at(start + f64::from(i) / 64.0, offset);
            d.push_str(if i == 0 { "M" } else { "L" });
            d.push_str(&format!("{},{}", D1(x), D1(y)));
        }
        d
    }

    /// The line from the centre to the edge between stage `k` and `k + 1` (k = 0 for the one
    /// before stage 1), and where stage `k + 1`'s number goes, just outside the last turn.
    pub fn sector(&self, k: u32) -> ((f64, f64), (f64, f64), (f64, f64)) {
        let angle = TAU * f64::from(k) / 9.0;
        let at = |r: f64| (CENTRE + r * angle.sin(), CENTRE - r * angle.cos());
        let label_angle = TAU * (f64::from(k) + 0.5) / 9.0;
        let r = OUTER + 12.0;
        (
            at(INNER * 0.8),
            at(OUTER),
            (CENTRE + r * label_angle.sin(), CENTRE - r * label_angle.cos()),
        )
    }

    /// The point for a position `turns` along, pushed `offset` outward (to separate marks that
    /// share a date).
    pub fn point_at(&self, turns: f64, offset: f64) -> (f64, f64) {
        let r = self.radius(turns) + offset;
        let angle = TAU * turns.fract();
        (CENTRE + r * angle.sin(), CENTRE - r * angle.cos())
    }

    pub fn point(&self, date: Date) -> (f64, f64) {
        self.point_at(self.turns(date), 0.0)
    }

    /// The spiral line itself as an SVG path, 64 segments a turn.
    pub fn path(&self) -> String {
        let steps = self.years * 64;
        let mut d = String::with_capacity(steps as usize * 16);
        for i in 0..=steps {
            let (x, y) = self.point_at(f64::from(i) / 64.0, 0.0);
            d.push_str(if i == 0 { "M" } else { "L" });
            d.push_str(&format!("{},{}", D1(x), D1(y)));
        }
        d
    }
}

/// The pillar's colour: distinguishable for the common colour-vision deficiencies (Okabe–Ito).
pub fn colour(pillar: Pillar) -> &'static str {
    match pillar {
        Pillar::CivicSupport => "#009E73",
        Pillar::SelfInitiated => "#E69F00",
        Pillar::Collaboration => "#0072B2",
    }
}

/// The stage's shape, centred on (x, y) with radius r, as an SVG path.
pub fn shape(stage: SpiralStage, x: f64, y: f64, r: f64) -> String {
    match stage.number() {
        1 => {
            let (x0, y, r, d) = (D1(x - r), D1(y), D1(r), 2.0 * r);
            format!("M{x0},{y}a{r},{r} 0 1,0 {},0a{r},{r} 0 1,0 {},0Z", D1(d), D1(-d))
        }
        2 => polygon(x, y, r, 3, 0.0),
        3 => polygon(x, y, r, 4, TAU / 8.0),
        4 => polygon(x, y, r, 4, 0.0),
        5 => polygon(x, y, r, 5, 0.0),
        6 => polygon(x, y, r, 6, 0.0),
        7 => star(x, y, r),
        8 => polygon(x, y, r, 3, TAU / 2.0),
        _ => cross(x, y, r),
    }
}

fn polygon(x: f64, y: f64, r: f64, sides: u32, rotation: f64) -> String {
    let mut d = String::new();
    for i in 0..sides {
        let a = rotation + TAU * f64::from(i) / f64::from(sides);
        d.push_str(if i == 0 { "M" } else { "L" });
        d.push_str(&format!("{},{}", D1(x + r * a.sin()), D1(y - r * a.cos())));
    }
    d.push('Z');
    d
}

fn star(x: f64, y: f64, r: f64) -> String {
    let mut d = String::new();
    for i in 0..10 {
        let a = TAU * f64::from(i) / 10.0;
        let radius = if i % 2 == 0 { r * 1.2 } else { r * 0.5 };
        d.push_str(if i == 0 { "M" } else { "L" });
        d.push_str(&format!(
            "{},{}",
            D1(x + radius * a.sin()),
            D1(y - radius * a.cos())
        ));
    }
    d.push('Z');
    d
}

fn cross(x: f64, y: f64, r: f64) -> String {
    let t = r / 3.0;
    let (two_t, arm) = (D1(2.0 * t), D1(r - t));
    let (back_t, back) = (D1(-2.0 * t), D1(-(r - t)));
    format!(
        "M{},{}h{two_t}v{arm}h{arm}v{two_t}h{back}v{arm}h{back_t}v{back}h{back}v{back_t}Z",
        D1(x - t),
        D1(y - r),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Date {
        Date::from_ymd(y, m, d).unwrap()
    }

    #[test]
    fn a_cell_holds_more_marks_on_outer_turns_and_always_one() {
        let g = Geometry::new(date(2001, 4, 1), date(2026, 12, 1));
        let stage = SpiralStage::FUNDING;
        let inner = g.cell_capacity(FiscalYear::new(2001).unwrap(), stage);
        let outer = g.cell_capacity(FiscalYear::new(2026).unwrap(), stage);
        assert!((1..60).contains(&inner), "{inner}");
        assert!(outer > inner * 3, "{inner} {outer}");
        // As many as fit are placed without overlap: the last of them still sits within the cell.
        let one_year = Geometry::new(date(2026, 4, 1), date(2026, 12, 1));
        assert!(one_year.cell_capacity(FiscalYear::new(2026).unwrap(), stage) >= 1);
    }

    #[test]
    fn a_fiscal_year_starts_at_the_top_and_each_year_is_one_turn_further_out() {
        let g = Geometry::new(date(2004, 6, 1), date(2006, 1, 1));
        assert_eq!(g.years().count(), 2);
        let (x, y) = g.point(date(2004, 4, 1));
        assert!((x - CENTRE).abs() < 1e-9 && y < CENTRE);
        let (_, y2) = g.point(date(2005, 4, 1));
        assert!(y2 < y, "the next 1 April is further out");
        assert!((g.turns(date(2005, 4, 1)) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn october_is_half_a_turn_round() {
        let g = Geometry::new(date(2004, 4, 1), date(2004, 4, 1));
        let t = g.turns(date(2004, 10, 1));
        assert!((t - 183.0 / 365.0).abs() < 1e-9);
        let (_, y) = g.point(date(2004, 10, 1));
        assert!(y > CENTRE, "autumn is below the centre");
    }

    /// The least distance between two of `n` marks of one fiscal year's round-table cell.
    fn least_distance(g: &Geometry, fy: FiscalYear, n: u32) -> f64 {
        let points: Vec<_> = (0..n)
            .map(|k| g.stage_point(fy, SpiralStage::ROUNDTABLE, k, n))
            .collect();
        let mut least = f64::MAX;
        for (i, a) in points.iter().enumerate() {
            for b in &points[i + 1..] {
                least = least.min(((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt());
            }
        }
        least
    }

    #[test]
    fn marks_of_one_year_and_stage_do_not_overlap() {
        let g = Geometry::new(date(2001, 4, 1), date(2026, 11, 28));
        let fy = FiscalYear::new(2005).unwrap();
        for n in [1, 5, 30] {
            let least = least_distance(&g, fy, n);
            assert!(least > 2.5, "n={n}: marks {least} apart overlap");
        }
    }

    #[test]
    fn marks_are_sized_not_to_overlap_however_many_share_a_cell() {
        let g = Geometry::new(date(2001, 4, 1), date(2026, 11, 28));
        for (year, n) in [(2002, 40), (2005, 300), (2020, 1_000), (2026, 5_000)] {
            let fy = FiscalYear::new(year).unwrap();
            assert!(
                n > g.cell_capacity(fy, SpiralStage::ROUNDTABLE),
                "{year}: crowded"
            );
            let r = g.mark_radius(fy, SpiralStage::ROUNDTABLE, n);
            assert!(r > 0.0 && r <= 3.0, "{year}: {r}");
            let least = least_distance(&g, fy, n);
            // Coordinates are rounded to one decimal: allow for it.
            assert!(
                least + 0.15 >= 2.0 * r,
                "{year}, {n} marks: {least} apart, radius {r}"
            );
        }
        // A few marks keep their full size; a cell just within its capacity shrinks them so
        // they do not touch.
        let fy = FiscalYear::new(2010).unwrap();
        assert_eq!(g.mark_radius(fy, SpiralStage::ROUNDTABLE, 3), 6.0);
        for n in 1..=g.cell_capacity(fy, SpiralStage::ROUNDTABLE) {
            let r = g.mark_radius(fy, SpiralStage::ROUNDTABLE, n);
            let least = least_distance(&g, fy, n);
            assert!(least + 0.15 >= 2.0 * r, "n={n}: {least} apart, radius {r}");
        }
    }

    #[test]
    fn a_stage_has_its_ninth_of_every_turn() {
        let g = Geometry::new(date(2001, 4, 1), date(2010, 3, 31));
        let fy = FiscalYear::new(2003).unwrap();
        // Stage 1 just clockwise of the top, stage 5 at the bottom (its ninth spans 160°–200°).
        let (x1, y1) = g.stage_point(fy, SpiralStage::PARTICIPATION, 0, 1);
        assert!(x1 > CENTRE && y1 < CENTRE, "({x1}, {y1})");
        let (x5, y5) = g.stage_point(fy, SpiralStage::WORKING_GROUP, 0, 1);
        assert!((x5 - CENTRE).abs() < 1.0 && y5 > CENTRE, "({x5}, {y5})");
        // A later year is further out.
        let later = g.stage_point(FiscalYear::new(2008).unwrap(), SpiralStage::WORKING_GROUP, 0, 1);
        assert!(later.1 > y5);
    }

    #[test]
    fn coordinates_have_one_decimal() {
        assert_eq!(D1(12.345).to_string(), "12.3");
        assert_eq!(D1(-0.06).to_string(), "-0.1");
        assert_eq!(D1(7.0).to_string(), "7.0");
    }

    #[test]
    fn every_stage_has_a_closed_shape() {
        for n in 1..=9u8 {
            let d = shape(SpiralStage::try_from(n).unwrap(), 10.0, 10.0, 5.0);
            assert!(d.starts_with('M') && d.ends_with('Z'), "stage {n}: {d}");
        }
    }
}
