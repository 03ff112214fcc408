//! A lab test's values across records, as one series per test and unit: what a chart draws.
//!
//! Values join a series when they measure the same test (the same code) in units that say
//! the same thing: the same UCUM code, another UCUM unit of the same dimension (converted with
//! UCUM's own factors: 0.98 g/L joins a mg/dL series as 98), or, without UCUM codes, the same
//! unit text. Anything else (glucose in mg/dL beside mmol/L, which needs a molar mass UCUM does
//! not know; a unit nobody coded) is a series of its own, never joined by a guess.

use crate::observations::NumericObservation;

/// One value of a series.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPoint {
    pub date: String,
    /// In the series' unit.
    pub value: f64,
    pub record_id: String,
    /// The value and unit as the record has them, when they were converted (`0.98 g/L`).
    pub as_recorded: Option<String>,
}

/// One test in one unit over time.
#[derive(Clone, Debug, PartialEq)]
pub struct LabSeries {
    pub code: String,
    pub display: String,
    pub unit: Option<String>,
    pub ucum: Option<String>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub points: Vec<SeriesPoint>,
}

/// How a value in `from` enters a series in `to`: as it is, converted, or not at all.
fn joined(value: &NumericObservation, series: &LabSeries) -> Option<(f64, Option<String>)> {
    match (&value.ucum, &series.ucum) {
        (Some(from), Some(to)) if from == to => Some((value.value, None)),
        (Some(from), Some(to)) => octofhir_ucum::convert(value.value, from, to)
            .ok()
            .filter(|v| v.is_finite())
            .map(|v| (v, Some(recorded(value)))),
        (None, None) if value.unit == series.unit => Some((value.value, None)),
        _ => None,
    }
}

fn recorded(value: &NumericObservation) -> String {
    match &value.unit {
        Some(unit) => format!("{} {unit}", value.value),
        None => value.value.to_string(),
    }
}

/// Builds the series of the tests in one record (`wanted`, in that record's units) from the
/// values of every record.
pub struct SeriesBuilder {
    series: Vec<LabSeries>,
}

impl SeriesBuilder {
    /// One series per test and unit of the record being viewed; its units lead.
    pub fn new(wanted: &[NumericObservation]) -> Self {
        let mut builder = Self { series: Vec::new() };
        for w in wanted {
            builder.series_for(w);
        }
        builder
    }

    /// The series `value` joins, with the value in its unit; a new series when none of its
    /// test takes this unit.
    fn series_for(&mut self, value: &NumericObservation) -> (usize, f64, Option<String>) {
        let found = self.series.iter().enumerate().find_map(|(i, s)| {
            (s.code == value.code)
                .then(|| joined(value, s))
                .flatten()
                .map(|(v, note)| (i, v, note))
        });
        if let Some(found) = found {
            return found;
        }
        self.series.push(LabSeries {
            code: value.code.clone(),
            display: value.display.clone(),
            unit: value.unit.clone(),
            ucum: value.ucum.clone(),
            low: value.low,
            high: value.high,
            points: Vec::new(),
        });
        (self.series.len() - 1, value.value, None)
    }

    /// Adds a value from record `record_id`, if it measures one of the viewed record's tests.
    pub fn add(&mut self, value: &NumericObservation, record_id: &str) {
        if !self.series.iter().any(|s| s.code == value.code) {
            return;
        }
        let (i, v, as_recorded) = self.series_for(value);
        self.series[i].points.push(SeriesPoint {
            date: value.date.clone(),
            value: v,
            record_id: record_id.to_owned(),
            as_recorded,
        });
    }

    /// The series, each in date order with repeats (the same value at the same time, as two
    /// records of one visit may carry) once; series left without values are dropped.
    pub fn finish(mut self) -> Vec<LabSeries> {
        for s in &mut self.series {
            s.points.sort_by(|a, b| a.date.cmp(&b.date));
            s.points
                .dedup_by(|a, b| a.date == b.date && a.value == b.value);
        }
        self.series.retain(|s| !s.points.is_empty());
        self.series
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glucose(date: &str, value: f64, ucum: Option<&str>) -> NumericObservation {
        NumericObservation {
            code: "http://loinc.org|2339-0".into(),
            display: "Glucose".into(),
            value,
            unit: ucum.map(str::to_owned),
            ucum: ucum.map(str::to_owned),
            low: Some(70.0),
            high: Some(99.0),
            date: date.into(),
        }
    }

    #[test]
    fn compatible_units_join_converted_and_incompatible_ones_stay_apart() {
        let viewed = glucose("2021-01-01", 94.0, Some("mg/dL"));
        let mut builder = SeriesBuilder::new(std::slice::from_ref(&viewed));
        builder.add(&viewed, "r1");
        builder.add(&glucose("2020-01-01", 0.98, Some("g/L")), "r2");
        builder.add(&glucose("2019-01-01", 5.4, Some("mmol/L")), "r3");
        builder.add(&glucose("2018-01-01", 5.1, Some("mmol/L")), "r4");
        let series = builder.finish();
        assert_eq!(series.len(), 2, "{series:?}");
        let mg = &series[0];
        assert_eq!(mg.ucum.as_deref(), Some("mg/dL"));
        assert_eq!(mg.points.len(), 2);
        assert!(
            (mg.points[0].value - 98.0).abs() < 1e-9,
            "{:?}",
            mg.points[0]
        );
        assert_eq!(mg.points[0].as_recorded.as_deref(), Some("0.98 g/L"));
        assert_eq!(mg.points[1].as_recorded, None);
        // mmol/L is an amount of substance, mg/dL a mass: UCUM has no factor, so no join.
        let mmol = &series[1];
        assert_eq!(mmol.ucum.as_deref(), Some("mmol/L"));
        assert_eq!(
            mmol.points
                .iter()
                .map(|p| p.record_id.as_str())
                .collect::<Vec<_>>(),
            ["r4", "r3"]
        );
    }

    #[test]
    fn uncoded_units_join_only_when_written_alike_and_other_tests_are_ignored() {
        let mut viewed = glucose("2021-01-01", 94.0, None);
        viewed.unit = Some("mg/dl".into());
        let mut builder = SeriesBuilder::new(std::slice::from_ref(&viewed));
        builder.add(&viewed, "r1");
        let mut same = glucose("2020-01-01", 90.0, None);
        same.unit = Some("mg/dl".into());
        builder.add(&same, "r2");
        // Coded in UCUM: not joined to the uncoded series by a guess at what "mg/dl" meant.
        builder.add(&glucose("2019-01-01", 88.0, Some("mg/dL")), "r3");
        let mut other = glucose("2019-01-01", 1.0, Some("mg/dL"));
        other.code = "http://loinc.org|2160-0".into();
        builder.add(&other, "r4");
        let series = builder.finish();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].points.len(), 2);
        assert!(series.iter().all(|s| s.code == viewed.code));
    }
}
